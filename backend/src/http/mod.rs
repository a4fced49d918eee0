//! The HTTP edge: one axum router for the API, the WebSocket endpoint, downloads, health
//! checks and the built frontend.
//!
//! # Layout
//! - [`graphql`]: `POST /graphql`, GraphiQL on `GET /graphql`, `GET /graphql/ws`.
//! - [`files`]: `GET /files/{id}/{variant}`, output downloads for the asset's team only,
//!   named after campaign, brief, stage and position; `GET /files/tasks/{id}/zip`, a
//!   task's outputs as one ZIP.
//! - [`health`]: `/healthz` (the process is up) and `/readyz` (it can serve).
//! - [`webhooks`]: `POST /webhooks/upstream/{provider}`, signed hints from gateways.
//! - [`frontend`]: the built Leptos app, with `index.html` for every other path.

pub(crate) mod files;
pub(crate) mod frontend;
pub(crate) mod graphql;
pub(crate) mod health;
pub(crate) mod webhooks;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use http::HeaderValue;
use http::header::{REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::graphql::KilnSchema;
use crate::state::AppState;

/// Largest inbound webhook body; gateways send ids, not files.
const WEBHOOK_BODY_LIMIT: usize = 256 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub(crate) struct HttpState {
    pub app: AppState,
    pub schema: KilnSchema,
    /// Fires at shutdown; long-lived connections (subscriptions) close on it.
    pub shutdown: tokio_util::sync::CancellationToken,
}

pub(crate) fn router(state: HttpState) -> Router {
    let frontend = frontend::service(&state.app.config.frontend_dir);
    Router::new()
        .route(
            "/graphql",
            // The handler enforces the configured limit itself, with a GraphQL-shaped error.
            get(graphql::graphiql)
                .post(graphql::execute)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/graphql/ws", get(graphql::websocket))
        .route("/files/{id}/{variant}", get(files::download))
        .route("/files/tasks/{id}/zip", get(files::task_zip))
        .route(
            "/webhooks/upstream/{provider}",
            post(webhooks::upstream).layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT)),
        )
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .with_state(state)
        .fallback_service(frontend)
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(TraceLayer::new_for_http())
}

/// The token in an `Authorization: Bearer …` header, if any.
pub(crate) fn bearer_token(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}
