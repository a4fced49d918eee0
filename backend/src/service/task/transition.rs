//! Moving a task through its statuses: every change persisted with its history row, then announced; cancelling; progress and completion.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionTrait, UpdateMany,
};
use uuid::Uuid;

use super::query::{TaskView, get};
use super::require_creator;
use crate::auth::Viewer;
use crate::domain::task::{FailureReason, TaskStatus, TransitionCause};
use crate::domain::{ErrorCode, FieldError};
use crate::entity::{generation_task, task_event};
use crate::events::{Event, TaskChange};
use crate::service::{ServiceError, asset, webhook};
use crate::state::AppState;

/// Stops a live task. The upstream is told as well, where it can be.
pub(crate) async fn cancel(
    state: &AppState,
    viewer: &Viewer,
    task_id: Uuid,
) -> Result<generation_task::Model, ServiceError> {
    require_creator(viewer)?;
    let task = match get(&state.db, viewer, task_id).await {
        Ok(task) => task,
        Err(ServiceError::NotFound) => {
            return Err(
                FieldError::new("taskId", ErrorCode::NotFound, "There is no such task.").into(),
            );
        }
        Err(other) => return Err(other),
    };
    let not_live = || {
        FieldError::new(
            "taskId",
            ErrorCode::InvalidState,
            "The task has already ended.",
        )
    };
    if TaskView::of(&task)?.status.is_terminal() {
        return Err(not_live().into());
    }
    let cancelled = transition(
        state,
        &task,
        TaskStatus::Cancelled,
        TransitionCause::Cancelled,
        None,
        TransitionPatch {
            failure: Some((
                FailureReason::Cancelled,
                "Cancelled by a member of the team.".to_owned(),
            )),
            ..TransitionPatch::default()
        },
    )
    .await?
    .ok_or_else(not_live)?;
    // Tell the upstream now; if it does not listen, the task's next worker step (which
    // only ends the job of a cancelled task) tells it again.
    if let Some(upstream_id) = &cancelled.upstream_task_id
        && let Some(provider) = state.providers.get(&cancelled.provider)
        && let Err(err) = provider.cancel(upstream_id).await
    {
        tracing::warn!(task_id = %task.id, error = %err, "the upstream did not take the cancellation");
    }
    Ok(cancelled)
}

/// Extra columns written together with a transition.
#[derive(Debug, Default, Clone)]
pub(crate) struct TransitionPatch {
    pub upstream_task_id: Option<String>,
    /// The task may exist upstream although Kiln could not tell; a person must check.
    pub needs_reconciliation: bool,
    pub progress: Option<i32>,
    pub queue_position: Option<Option<i32>>,
    pub failure: Option<(FailureReason, String)>,
    /// The upstream finished generating: what it cost and its `usage` report.
    pub completion: Option<Completion>,
}

/// What the upstream reported when it finished generating.
#[derive(Debug, Clone)]
pub(crate) struct Completion {
    pub actual_cost_micros: i64,
    pub usage: Option<serde_json::Value>,
}

/// Moves `task` from its current status to `to`, with its history row, in one
/// transaction that also announces it. Returns the updated task, or `None` when the
/// task is no longer in the status `task` shows (another worker or a cancel got there
/// first), in which case nothing is written.
pub(crate) async fn transition(
    state: &AppState,
    task: &generation_task::Model,
    to: TaskStatus,
    cause: TransitionCause,
    upstream_status: Option<&str>,
    patch: TransitionPatch,
) -> Result<Option<generation_task::Model>, ServiceError> {
    let txn = state.db.begin().await?;
    let Some((updated, change)) =
        transition_in(state, &txn, task, to, cause, upstream_status, patch).await?
    else {
        txn.rollback().await?;
        return Ok(None);
    };
    txn.commit().await?;
    announced(state, task, cause, change);
    Ok(Some(updated))
}

/// Call after the commit of a transition: logs it and tells this process's subscribers.
fn announced(
    state: &AppState,
    task: &generation_task::Model,
    cause: TransitionCause,
    change: Event,
) {
    if let Event::Task(TaskChange { from, to, .. }) = &change {
        let from = from.map_or("-", <&str>::from);
        tracing::info!(task_id = %task.id, %from, %to, %cause, "task moved");
    }
    state.events.deliver(change);
}

/// The upstream finished and every output came with the answer: the outputs (already
/// in storage), the cost and `SUCCEEDED` are written in one transaction. `None` when the
/// task had moved on (cancelled), in which case nothing is written.
pub(crate) async fn succeed_with_outputs(
    state: &AppState,
    task: &generation_task::Model,
    outputs: Vec<asset::KeptFile>,
    completion: Completion,
) -> Result<Option<generation_task::Model>, ServiceError> {
    let txn = state.db.begin().await?;
    let patch = TransitionPatch {
        completion: Some(completion),
        ..TransitionPatch::default()
    };
    let cause = TransitionCause::UpstreamCompleted;
    let Some((updated, change)) = transition_in(
        state,
        &txn,
        task,
        TaskStatus::Succeeded,
        cause,
        Some("completed"),
        patch,
    )
    .await?
    else {
        txn.rollback().await?;
        return Ok(None);
    };
    for kept in outputs {
        asset::record_kept(&txn, task, kept).await?;
    }
    txn.commit().await?;
    announced(state, task, cause, change);
    Ok(Some(updated))
}

/// [`transition`] inside `txn`, which the caller commits before delivering the event.
async fn transition_in(
    state: &AppState,
    txn: &impl ConnectionTrait,
    task: &generation_task::Model,
    to: TaskStatus,
    cause: TransitionCause,
    upstream_status: Option<&str>,
    patch: TransitionPatch,
) -> Result<Option<(generation_task::Model, Event)>, ServiceError> {
    let from: TaskStatus = task.status;
    if !from.can_become(to) {
        return Err(ServiceError::Corrupt(format!(
            "task {} cannot move from {from} to {to}",
            task.id
        )));
    }
    let now = Utc::now();
    let mut updated = task.clone();
    updated.status = to;
    updated.updated_at = now;
    let mut update = generation_task::Entity::update_many()
        .col_expr(generation_task::Column::Status, Expr::value(to))
        .col_expr(generation_task::Column::UpdatedAt, Expr::value(now));
    if to.is_terminal() {
        updated.finished_at = Some(now);
        updated.live_fingerprint = None;
        updated.queue_position = None;
        update = update
            .col_expr(generation_task::Column::FinishedAt, Expr::value(now))
            // An ended task no longer stands in the way of an identical new one.
            .col_expr(
                generation_task::Column::LiveFingerprint,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                generation_task::Column::QueuePosition,
                Expr::value(Option::<i32>::None),
            );
    }
    if to == TaskStatus::Succeeded {
        updated.progress = 100;
        update = update.col_expr(generation_task::Column::Progress, Expr::value(100));
    }
    if let Some(upstream_id) = patch.upstream_task_id {
        updated.upstream_task_id = Some(upstream_id.clone());
        update = update.col_expr(
            generation_task::Column::UpstreamTaskId,
            Expr::value(upstream_id),
        );
    }
    if let Some(progress) = patch.progress {
        updated.progress = progress;
        update = update.col_expr(generation_task::Column::Progress, Expr::value(progress));
    }
    if let Some(position) = patch.queue_position
        && !to.is_terminal()
    {
        updated.queue_position = position;
        update = update.col_expr(
            generation_task::Column::QueuePosition,
            Expr::value(position),
        );
    }
    if patch.needs_reconciliation {
        updated.needs_reconciliation = true;
        update = update.col_expr(
            generation_task::Column::NeedsReconciliation,
            Expr::value(true),
        );
    }
    if let Some((reason, message)) = patch.failure {
        updated.failure_reason = Some(reason);
        updated.failure_message = Some(message.clone());
        update = update
            .col_expr(generation_task::Column::FailureReason, Expr::value(reason))
            .col_expr(
                generation_task::Column::FailureMessage,
                Expr::value(message),
            );
    }
    if let Some(completion) = patch.completion {
        update = apply_completion(update, &mut updated, completion, now);
    }

    let result = update
        .filter(generation_task::Column::Id.eq(task.id))
        .filter(generation_task::Column::Status.eq(from))
        .exec(txn)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    let event = record_event(txn, &updated, Some(from), to, cause, upstream_status).await?;
    webhook::enqueue_for_task(txn, &updated, to).await?;
    let change = Event::Task(TaskChange {
        event_id: Some(event.id),
        from: Some(from),
        to,
        task: Arc::new(updated.clone()),
    });
    state.events.announce(txn, &change).await?;
    Ok(Some((updated, change)))
}

/// Records progress and queue position within the current status and announces them.
/// Not a transition: no history row.
pub(crate) async fn report_progress(
    state: &AppState,
    task: &generation_task::Model,
    progress: i32,
    queue_position: Option<i32>,
) -> Result<generation_task::Model, ServiceError> {
    let progress = progress.clamp(0, 100);
    if progress == task.progress && queue_position == task.queue_position {
        return Ok(task.clone());
    }
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let result = generation_task::Entity::update_many()
        .col_expr(generation_task::Column::Progress, Expr::value(progress))
        .col_expr(
            generation_task::Column::QueuePosition,
            Expr::value(queue_position),
        )
        .col_expr(generation_task::Column::UpdatedAt, Expr::value(now))
        .filter(generation_task::Column::Id.eq(task.id))
        .filter(generation_task::Column::Status.eq(task.status))
        .exec(&txn)
        .await?;
    let mut updated = task.clone();
    if result.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(updated);
    }
    updated.progress = progress;
    updated.queue_position = queue_position;
    updated.updated_at = now;
    let status: TaskStatus = task.status;
    let change = Event::Task(TaskChange {
        event_id: None,
        from: Some(status),
        to: status,
        task: Arc::new(updated.clone()),
    });
    state.events.announce(&txn, &change).await?;
    txn.commit().await?;
    state.events.deliver(change);
    Ok(updated)
}

/// Records that the upstream finished generating and what it cost. From then on the
/// task is only waiting for its files.
pub(crate) async fn record_upstream_completion(
    state: &AppState,
    task: &generation_task::Model,
    completion: Completion,
) -> Result<generation_task::Model, ServiceError> {
    let now = Utc::now();
    let mut updated = task.clone();
    updated.updated_at = now;
    let update = generation_task::Entity::update_many()
        .col_expr(generation_task::Column::UpdatedAt, Expr::value(now));
    apply_completion(update, &mut updated, completion, now)
        .filter(generation_task::Column::Id.eq(task.id))
        .filter(generation_task::Column::UpstreamCompletedAt.is_null())
        .exec(&state.db)
        .await?;
    Ok(updated)
}

/// Adds the completion columns to `update`, and to `task` what they will hold.
fn apply_completion(
    update: UpdateMany<generation_task::Entity>,
    task: &mut generation_task::Model,
    completion: Completion,
    now: DateTime<Utc>,
) -> UpdateMany<generation_task::Entity> {
    let usage = completion.usage.map(|u| u.to_string());
    task.upstream_completed_at = Some(now);
    task.upstream_usage = usage.clone();
    task.actual_cost_micros = Some(completion.actual_cost_micros);
    task.charged = true;
    update
        .col_expr(generation_task::Column::UpstreamUsage, Expr::value(usage))
        .col_expr(
            generation_task::Column::UpstreamCompletedAt,
            Expr::value(now),
        )
        .col_expr(
            generation_task::Column::ActualCostMicros,
            Expr::value(completion.actual_cost_micros),
        )
        .col_expr(generation_task::Column::Charged, Expr::value(true))
}

pub(super) async fn record_event(
    txn: &impl ConnectionTrait,
    task: &generation_task::Model,
    from: Option<TaskStatus>,
    to: TaskStatus,
    cause: TransitionCause,
    upstream_status: Option<&str>,
) -> Result<task_event::Model, ServiceError> {
    Ok(task_event::ActiveModel {
        id: sea_orm::NotSet,
        task_id: Set(task.id),
        team_id: Set(task.team_id),
        from_status: Set(from),
        to_status: Set(to),
        cause: Set(cause),
        upstream_status: Set(upstream_status.map(str::to_owned)),
        retry_after_ms: Set(None),
        created_at: Set(task.updated_at),
    }
    .insert(txn)
    .await?)
}

/// Notes in a task's history that Kiln will try the upstream again after `wait`, so
/// that a slow task shows why it is slow. The status does not change.
pub(crate) async fn record_retry(
    db: &impl ConnectionTrait,
    task: &generation_task::Model,
    wait: std::time::Duration,
) -> Result<(), ServiceError> {
    task_event::ActiveModel {
        id: sea_orm::NotSet,
        task_id: Set(task.id),
        team_id: Set(task.team_id),
        from_status: Set(Some(task.status)),
        to_status: Set(task.status),
        cause: Set(TransitionCause::UpstreamRetried),
        upstream_status: Set(None),
        retry_after_ms: Set(Some(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX))),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// When a live task has to be finished by.
pub(crate) fn past_deadline(task: &generation_task::Model, now: DateTime<Utc>) -> bool {
    task.upstream_completed_at.is_none() && now > task.deadline_at
}
