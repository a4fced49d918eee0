//! GraphQL over HTTP and over WebSocket (`graphql-transport-ws`).

use async_graphql::http::{GraphiQLSource, MultipartOptions};
use async_graphql::{Data, ServerError};
use async_graphql_axum::{GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};
use axum::body::Body;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::{HttpState, bearer_token};
use crate::auth::Viewer;
use crate::service::{ServiceError, account};

/// The only WebSocket subprotocol served: the maintained `graphql-ws` library's protocol.
const SUBPROTOCOL: &str = "graphql-transport-ws";
/// Files one multipart request may carry.
const MAX_FILES_PER_REQUEST: usize = 8;

pub(crate) async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("Kiln GraphQL")
            .finish(),
    )
}

/// A GraphQL error response outside of execution (bad body, bad token).
fn error_response(status: StatusCode, code: &'static str, message: String) -> Response {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    let body = serde_json::json!({ "data": null, "errors": [error] });
    (status, axum::Json(body)).into_response()
}

async fn viewer_for(state: &HttpState, token: &str) -> Result<Viewer, Response> {
    account::viewer_from_token(&state.app.db, &state.app.tokens, token)
        .await
        .map_err(|err| match err {
            ServiceError::Token(_) | ServiceError::Unauthenticated => error_response(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                format!("The access token is not valid ({err}); sign in again."),
            ),
            other => {
                tracing::error!(error = %other, "could not check an access token");
                error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_SERVER_ERROR",
                    "Something went wrong on the server; it has been logged.".to_owned(),
                )
            }
        })
}

/// `POST /graphql`: JSON (or multipart, for uploads) in, JSON out.
pub(crate) async fn execute(
    State(state): State<HttpState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let viewer = match bearer_token(&headers) {
        Some(token) => match viewer_for(&state, token).await {
            Ok(viewer) => Some(viewer),
            Err(response) => return response,
        },
        None => None,
    };
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Uploads (GraphQL multipart requests) may be as large as a reference file; every
    // other request is small.
    let config = &state.app.config;
    let multipart = content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    let limit = if multipart {
        config.upload_limit_bytes + config.graphql_body_limit
    } else {
        config.graphql_body_limit
    };
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("This request has more than {limit} bytes."),
            );
        }
    };
    let options = MultipartOptions::default()
        .max_file_size(config.upload_limit_bytes)
        .max_num_files(MAX_FILES_PER_REQUEST);
    let request = match async_graphql::http::receive_batch_body(
        content_type,
        futures::io::Cursor::new(body),
        options,
    )
    .await
    {
        Ok(request) => request,
        Err(err) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                format!("The request body is not a GraphQL request: {err}"),
            );
        }
    };
    let request = match viewer {
        Some(viewer) => request.data(viewer),
        None => request,
    };
    GraphQLResponse::from(state.schema.execute_batch(request).await).into_response()
}

/// `GET /graphql/ws`: subscriptions. The access token comes in the `connection_init`
/// payload as `{"token": "…"}` (or `{"Authorization": "Bearer …"}`), since browsers
/// cannot set headers on a WebSocket.
pub(crate) async fn websocket(
    State(state): State<HttpState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let schema = state.schema.clone();
    let shutdown = state.shutdown.clone();
    upgrade
        .protocols([SUBPROTOCOL])
        .on_upgrade(move |socket| async move {
            let connection = GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload
                        .get("token")
                        .and_then(|v| v.as_str())
                        .or_else(|| {
                            payload
                                .get("Authorization")
                                .or_else(|| payload.get("authorization"))
                                .and_then(|v| v.as_str())
                                .and_then(|v| v.strip_prefix("Bearer "))
                        })
                        .ok_or_else(|| {
                            async_graphql::Error::new("Send an access token in connection_init.")
                        })?;
                    let viewer =
                        account::viewer_from_token(&state.app.db, &state.app.tokens, token)
                            .await
                            .map_err(|e| {
                                async_graphql::Error::new(format!("Not signed in: {e}"))
                            })?;
                    let mut data = Data::default();
                    data.insert(viewer);
                    Ok(data)
                })
                .serve();
            // Dropping the connection at shutdown closes the socket; clients reconnect
            // to another instance.
            tokio::select! {
                () = connection => {}
                () = shutdown.cancelled() => {}
            }
        })
}
