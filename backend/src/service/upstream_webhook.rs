//! What an upstream gateway's webhook changes: it is recorded once per `webhook-id`, and
//! the task it names is polled at once. The HTTP handler has verified the signature and
//! read the payload before; a webhook is only a hint, so nothing here trusts its content
//! beyond choosing which task to ask the upstream about.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{ServiceError, is_unique_violation, job};
use crate::entity::{generation_task, inbound_webhook};
use crate::state::AppState;

/// What became of a verified webhook.
pub(crate) enum Outcome {
    /// A `webhook-id` seen before; nothing was done.
    Duplicate,
    /// The payload names no upstream task.
    NoTaskId,
    /// No task of this provider has that upstream id.
    UnknownTask,
    /// The task's poll was brought forward.
    Polling { task_id: Uuid },
}

/// Records the webhook `webhook_id` from `provider` and brings forward the poll of the
/// task it names by its upstream id, if any. Failures are logged here, with what was
/// being done; the caller answers so that the gateway sends the webhook again.
pub(crate) async fn receive(
    state: &AppState,
    provider: &str,
    webhook_id: &str,
    upstream_task_id: Option<&str>,
) -> Result<Outcome, ServiceError> {
    // Recorded before anything else, so that a repeat is dropped even when it names no
    // task.
    let seen = inbound_webhook::ActiveModel {
        provider: Set(provider.to_owned()),
        webhook_id: Set(webhook_id.to_owned()),
        received_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await;
    match seen {
        Ok(_) => {}
        Err(err) if is_unique_violation(&err) => return Ok(Outcome::Duplicate),
        Err(err) => {
            tracing::error!(error = %err, "could not record an upstream webhook");
            return Err(err.into());
        }
    }
    let Some(upstream_task_id) = upstream_task_id else {
        return Ok(Outcome::NoTaskId);
    };
    let task = generation_task::Entity::find()
        .filter(generation_task::Column::Provider.eq(provider))
        .filter(generation_task::Column::UpstreamTaskId.eq(upstream_task_id))
        .one(&state.db)
        .await
        .inspect_err(|err| {
            tracing::error!(error = %err, "could not look up an upstream webhook's task");
        })?;
    let Some(task) = task else {
        return Ok(Outcome::UnknownTask);
    };
    job::run_now(&state.db, job::TASK_RUN, task.id)
        .await
        .inspect_err(
            |err| tracing::error!(error = %err, "could not bring a task's poll forward"),
        )?;
    state.work_ready.notify_one();
    Ok(Outcome::Polling { task_id: task.id })
}
