//! How failures reach API clients.
//!
//! Problems the user can fix come back inside mutation payloads as
//! `userErrors { field code message }`. Everything else is a GraphQL error with an
//! `extensions.code`: `UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`, `BAD_USER_INPUT`,
//! `GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED` or `INTERNAL_SERVER_ERROR`. Internal
//! details are logged, never sent.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextSubscribe,
    NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    Context, ErrorExtensions, Response, ServerError, ServerResult, SimpleObject, ValidationResult,
    Variables,
};
use futures::StreamExt;
use futures::stream::BoxStream;

use crate::auth::Viewer;
use crate::domain::{ErrorCode, FieldError};
use crate::service::ServiceError;
use crate::state::AppState;

/// A problem the user can fix, tied to an input field where there is one.
#[derive(SimpleObject, Clone, Debug)]
pub(crate) struct UserError {
    /// Path to the input field, e.g. `["input", "prompt"]`; null when no single field is
    /// at fault.
    pub field: Option<Vec<String>>,
    pub code: ErrorCode,
    /// A sentence to show to the user.
    pub message: String,
}

impl From<FieldError> for UserError {
    fn from(error: FieldError) -> Self {
        Self {
            field: error.field.map(|f| vec!["input".to_owned(), f.to_owned()]),
            code: error.code,
            message: error.message,
        }
    }
}

pub(crate) fn coded(code: &'static str, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
}

pub(crate) fn unauthenticated() -> async_graphql::Error {
    coded("UNAUTHENTICATED", "Sign in to do this.")
}

pub(crate) fn not_found() -> async_graphql::Error {
    coded("NOT_FOUND", "Not found.")
}

pub(crate) fn bad_input(message: impl Into<String>) -> async_graphql::Error {
    coded("BAD_USER_INPUT", message)
}

/// A service error that is not a `userErrors` case, as a coded GraphQL error. Faults are
/// logged here with their detail; the client gets a generic sentence.
pub(crate) fn to_graphql(err: ServiceError) -> async_graphql::Error {
    match err {
        ServiceError::Unauthenticated => unauthenticated(),
        ServiceError::Token(e) => coded("UNAUTHENTICATED", format!("Sign in again: {e}.")),
        ServiceError::Forbidden(why) => coded(
            "FORBIDDEN",
            format!("Your role does not allow this: {why}."),
        ),
        ServiceError::NotFound => not_found(),
        ServiceError::Invalid(errors) => bad_input(
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        fault => {
            tracing::error!(error = %fault, "request failed");
            coded(
                "INTERNAL_SERVER_ERROR",
                "Something went wrong on the server; it has been logged.",
            )
        }
    }
}

/// Splits a service result into a value, user errors for a payload, or a GraphQL error.
pub(crate) fn user_errors<T>(
    result: Result<T, ServiceError>,
) -> async_graphql::Result<Result<T, Vec<UserError>>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(ServiceError::Invalid(errors)) => {
            Ok(Err(errors.into_iter().map(UserError::from).collect()))
        }
        Err(other) => Err(to_graphql(other)),
    }
}

pub(crate) fn user_error(
    code: ErrorCode,
    field: &'static str,
    message: impl Into<String>,
) -> UserError {
    FieldError::new(field, code, message).into()
}

/// The shared application state.
pub(crate) fn state<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a AppState> {
    ctx.data::<AppState>().map_err(|_| {
        tracing::error!("GraphQL schema built without application state");
        coded("INTERNAL_SERVER_ERROR", "The server is misconfigured.")
    })
}

/// The signed-in member, or an `UNAUTHENTICATED` error.
pub(crate) fn viewer<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Viewer> {
    ctx.data_opt::<Viewer>().ok_or_else(unauthenticated)
}

/// Gives every error a code: parse and validation failures get theirs, anything left
/// uncoded came from checking the client's input against the schema.
pub(crate) struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

fn with_code(mut error: ServerError, code: &'static str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

fn code_response(mut response: Response) -> Response {
    response.errors = response
        .errors
        .into_iter()
        .map(|e| with_code(e, "BAD_USER_INPUT"))
        .collect();
    response
}

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        code_response(next.run(ctx).await)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream).map(code_response).boxed()
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, "GRAPHQL_PARSE_FAILED"))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| with_code(e, "GRAPHQL_VALIDATION_FAILED"))
                .collect()
        })
    }
}
