//! Inbound webhooks from upstream gateways, `POST /webhooks/upstream/{provider}`.
//!
//! A webhook is only a hint that a task changed: after checking its Standard Webhooks
//! signature on the raw body (within ±300 s, in constant time) and dropping repeats by
//! `webhook-id`, Kiln asks the upstream itself at once. Polling goes on regardless, so
//! a lost or forged webhook can neither lose nor fake a result.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use super::HttpState;
use crate::entity::{generation_task, inbound_webhook};
use crate::service::{is_unique_violation, job};
use crate::webhook::signature::{self, Received};

fn answer(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "status": message }))).into_response()
}

pub async fn upstream(
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
    let webhook_id = received.id.unwrap_or_default().to_owned();
    let seen = inbound_webhook::ActiveModel {
        provider: Set(provider.clone()),
        webhook_id: Set(webhook_id.clone()),
        received_at: Set(Utc::now()),
    }
    .insert(&app.db)
    .await;
    match seen {
        Ok(_) => {}
        Err(err) if is_unique_violation(&err) => return answer(StatusCode::OK, "duplicate"),
        Err(err) => {
            tracing::error!(error = %err, "could not record an upstream webhook");
            return answer(StatusCode::INTERNAL_SERVER_ERROR, "try again");
        }
    }

    let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let upstream_id = ["data.id", "data.task_id", "id", "task_id"]
        .iter()
        .find_map(|path| {
            path.split('.')
                .try_fold(&payload, |v, key| v.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let Some(upstream_id) = upstream_id else {
        return answer(StatusCode::OK, "ignored: no task id");
    };
    let task = generation_task::Entity::find()
        .filter(generation_task::Column::Provider.eq(provider.as_str()))
        .filter(generation_task::Column::UpstreamTaskId.eq(upstream_id.as_str()))
        .one(&app.db)
        .await;
    match task {
        Ok(Some(task)) => {
            if let Err(err) = job::run_now(&app.db, job::TASK_RUN, task.id).await {
                tracing::error!(error = %err, "could not bring a task's poll forward");
                return answer(StatusCode::INTERNAL_SERVER_ERROR, "try again");
            }
            app.work_ready.notify_one();
            tracing::info!(provider, task_id = %task.id, webhook_id, "upstream webhook: polling now");
            answer(StatusCode::OK, "accepted")
        }
        Ok(None) => answer(StatusCode::OK, "ignored: unknown task"),
        Err(err) => {
            tracing::error!(error = %err, "could not look up an upstream webhook's task");
            answer(StatusCode::INTERNAL_SERVER_ERROR, "try again")
        }
    }
}
