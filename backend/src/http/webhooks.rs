//! Inbound webhooks from upstream gateways, `POST /webhooks/upstream/{provider}`.
//!
//! A webhook is only a hint that a task changed: after checking its Standard Webhooks
//! signature on the raw body (within ±300 s, in constant time) and dropping repeats by
//! `webhook-id`, Kiln asks the upstream itself at once. Polling goes on regardless, so
//! a lost or forged webhook can neither lose nor fake a result.
//!
//! This handler only parses and verifies; what a webhook changes is
//! [`crate::service::upstream_webhook`]'s, and where a payload names its task is
//! [`openai::webhook_task_id`]'s.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use super::HttpState;
use crate::provider::openai;
use crate::service::upstream_webhook::{self, Outcome};
use crate::webhook::signature::{self, Received};

fn answer(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "status": message }))).into_response()
}

pub(crate) async fn upstream(
    State(state): State<HttpState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let app = &state.app;
    let Some(profile) = app.config.providers.iter().find(|p| p.name == provider) else {
        return answer(StatusCode::NOT_FOUND, "no such provider");
    };
    let Some(secret) = profile.webhook_secret() else {
        return answer(
            StatusCode::NOT_FOUND,
            "webhooks are not configured for this provider",
        );
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let received = Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
    };
    if let Err(err) = signature::verify(&[&secret], &received, &body, Utc::now().timestamp()) {
        tracing::warn!(provider, error = %err, "refused an upstream webhook");
        return answer(StatusCode::UNAUTHORIZED, &err.to_string());
    }
    let webhook_id = received.id.unwrap_or_default();
    let upstream_id = openai::webhook_task_id(&body);
    match upstream_webhook::receive(app, &provider, webhook_id, upstream_id.as_deref()).await {
        Ok(Outcome::Duplicate) => answer(StatusCode::OK, "duplicate"),
        Ok(Outcome::NoTaskId) => answer(StatusCode::OK, "ignored: no task id"),
        Ok(Outcome::UnknownTask) => answer(StatusCode::OK, "ignored: unknown task"),
        Ok(Outcome::Polling { task_id }) => {
            tracing::info!(provider, %task_id, webhook_id, "upstream webhook: polling now");
            answer(StatusCode::OK, "accepted")
        }
        // Logged by the service; the gateway sends the webhook again.
        Err(_) => answer(StatusCode::INTERNAL_SERVER_ERROR, "try again"),
    }
}
