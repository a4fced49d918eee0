//! Health checks for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::HttpState;

/// The process is up.
pub(crate) async fn live() -> impl IntoResponse {
    (StatusCode::OK, "ok")
}

/// The process can serve requests: its database answers.
pub(crate) async fn ready(State(state): State<HttpState>) -> impl IntoResponse {
    match state.app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
