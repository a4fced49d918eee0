//! Everything that talks to the Kiln server.
//!
//! - [`graphql_query`]: one typed GraphQL request over HTTP.
//! - [`graphql_upload`]: the same with files, as a GraphQL multipart request.
//! - [`operations`]: the typed operations, from the files in `frontend/graphql/`.
//! - [`ws`]: live events over `graphql-transport-ws`.
//!
//! The access token lives in `localStorage`, so a reload or a second tab stays signed
//! in. When the server says the token is no longer good, it is cleared here, in one
//! place, and the app is told through [`on_unauthenticated`] so it can show the login
//! page, whichever request noticed first.

pub mod operations;
pub mod ws;

use std::cell::RefCell;

use gloo_net::http::Request;
use gloo_storage::{LocalStorage, Storage};
use graphql_client::GraphQLQuery;

use crate::i18n::{self, Key, Lang};

const ENDPOINT: &str = "/graphql";
const TOKEN_KEY: &str = "kiln.token";

/// Why a request produced no usable data.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The request never got an answer (offline, server down, CORS, aborted).
    #[error("network error: {0}")]
    Network(String),
    /// An answer that was not a GraphQL response, e.g. a proxy's 502 page.
    #[error("HTTP status {0}")]
    Http(u16),
    /// The token is missing, expired or revoked; it has been cleared.
    #[error("not signed in: {0}")]
    Unauthenticated(String),
    /// A GraphQL error other than authentication, with its `extensions.code`.
    #[error("{message}")]
    Server {
        code: Option<String>,
        message: String,
    },
    /// A GraphQL response whose data does not match the operation's types.
    #[error("unreadable response: {0}")]
    Decode(String),
    #[error("response without data")]
    NoData,
}

impl ApiError {
    /// What to tell the user. Server messages are shown as sent: they are written
    /// for people and carry no internals.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ApiError::Network(_) => i18n::t(lang, Key::NetworkError).to_owned(),
            ApiError::Http(status) => i18n::http_error(lang, *status),
            ApiError::Unauthenticated(_) => i18n::t(lang, Key::SessionEnded).to_owned(),
            ApiError::Server { message, .. } => message.clone(),
            ApiError::Decode(_) => i18n::t(lang, Key::BadResponse).to_owned(),
            ApiError::NoData => i18n::t(lang, Key::NoData).to_owned(),
        }
    }
}

/// Runs one operation against `/graphql` with the stored token, if any.
pub async fn graphql_query<Q: GraphQLQuery>(
    variables: Q::Variables,
) -> Result<Q::ResponseData, ApiError> {
    let body = Q::build_query(variables);
    let request = authorised(Request::post(ENDPOINT))
        .json(&body)
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    send::<Q>(request).await
}

/// Runs one operation with files attached, following the GraphQL multipart request
/// spec (github.com/jaydenseric/graphql-multipart-request-spec): the operation goes in
/// the `operations` part with `null` where each file belongs, `map` says which part
/// fills which variable, and the files follow as parts `0`, `1`, …
///
/// `files` pairs a variable path such as `variables.input.file` with the file.
pub async fn graphql_upload<Q: GraphQLQuery>(
    variables: Q::Variables,
    files: Vec<(&'static str, web_sys::File)>,
) -> Result<Q::ResponseData, ApiError> {
    let operations = serde_json::to_string(&Q::build_query(variables))
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    let map: serde_json::Map<String, serde_json::Value> = files
        .iter()
        .enumerate()
        .map(|(i, (path, _))| (i.to_string(), serde_json::json!([path])))
        .collect();
    let form = web_sys::FormData::new().map_err(|e| ApiError::Network(format!("{e:?}")))?;
    let appended = form
        .append_with_str("operations", &operations)
        .and_then(|()| form.append_with_str("map", &serde_json::Value::Object(map).to_string()));
    appended.map_err(|e| ApiError::Network(format!("{e:?}")))?;
    for (i, (_, file)) in files.iter().enumerate() {
        form.append_with_blob_and_filename(&i.to_string(), file, &file.name())
            .map_err(|e| ApiError::Network(format!("{e:?}")))?;
    }
    // No content type of our own: the browser writes the multipart boundary into it.
    let request = authorised(Request::post(ENDPOINT))
        .body(form)
        .map_err(|e| ApiError::Network(e.to_string()))?;
    send::<Q>(request).await
}

fn authorised(request: gloo_net::http::RequestBuilder) -> gloo_net::http::RequestBuilder {
    match token() {
        Some(token) => request.header("Authorization", &format!("Bearer {token}")),
        None => request,
    }
}

async fn send<Q: GraphQLQuery>(request: Request) -> Result<Q::ResponseData, ApiError> {
    let response = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    // The server answers auth failures with a 401 that still carries a GraphQL body,
    // so the body is read before the status is judged.
    let parsed: graphql_client::Response<Q::ResponseData> = match serde_json::from_str(&text) {
        Ok(parsed) => parsed,
        Err(_) if !(200..300).contains(&status) => return Err(ApiError::Http(status)),
        Err(e) => return Err(ApiError::Decode(e.to_string())),
    };
    into_result(parsed.data, parsed.errors.unwrap_or_default())
}

/// Turns a GraphQL response into data or the first error, handling sign-out centrally.
pub(crate) fn into_result<D>(
    data: Option<D>,
    errors: Vec<graphql_client::Error>,
) -> Result<D, ApiError> {
    let unauthenticated = errors
        .iter()
        .find(|e| error_code(e).as_deref() == Some("UNAUTHENTICATED"));
    if let Some(error) = unauthenticated {
        let message = error.message.clone();
        signed_out();
        return Err(ApiError::Unauthenticated(message));
    }
    if let Some(error) = errors.into_iter().next() {
        return Err(ApiError::Server {
            code: error_code(&error),
            message: error.message,
        });
    }
    data.ok_or(ApiError::NoData)
}

fn error_code(error: &graphql_client::Error) -> Option<String> {
    error
        .extensions
        .as_ref()?
        .get("code")?
        .as_str()
        .map(str::to_owned)
}

/// The stored access token.
pub fn token() -> Option<String> {
    LocalStorage::raw().get_item(TOKEN_KEY).ok().flatten()
}

pub fn store_token(token: &str) {
    // Without storage (a locked-down browser) the session lasts until the next
    // request fails, which the UI already handles by asking to sign in again.
    let _ = LocalStorage::raw().set_item(TOKEN_KEY, token);
}

pub fn clear_token() {
    let _ = LocalStorage::raw().remove_item(TOKEN_KEY);
}

thread_local! {
    /// Set once by `App`. A hook rather than a return value alone, because the
    /// request that discovers an expired token may belong to a widget that has no
    /// business navigating.
    static ON_UNAUTHENTICATED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Registers what to do when the server rejects the token (after it is cleared).
pub fn on_unauthenticated(hook: impl Fn() + 'static) {
    ON_UNAUTHENTICATED.with(|slot| *slot.borrow_mut() = Some(Box::new(hook)));
}

/// Forgets the token and tells the app, e.g. when the WebSocket is refused.
pub fn signed_out() {
    clear_token();
    ON_UNAUTHENTICATED.with(|slot| {
        if let Some(hook) = slot.borrow().as_ref() {
            hook();
        }
    });
}
