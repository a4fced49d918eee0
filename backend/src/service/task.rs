//! Generation tasks: submit, read, list, and move them through their statuses.
//!
//! Every change is written in one transaction with its history row, and announced on the
//! event bus only after that transaction committed.

use std::sync::Arc;

use chrono::Utc;
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use super::{ServiceError, is_unique_violation, job};
use crate::auth::Viewer;
use crate::domain::task::{
    FailureReason, InputType, MAX_SEED, Stage, TaskKind, TaskParams, TaskSpec, TaskStatus,
    TransitionCause,
};
use crate::domain::{ErrorCode, FieldError};
use crate::entity::{generation_task, task_event};
use crate::events::TaskChange;
use crate::state::AppState;

/// Longest idempotency key accepted.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 200;

/// The outcome of a submit.
pub struct Submission {
    pub task: generation_task::Model,
    /// True when the idempotency key had been used before: the earlier task is returned
    /// and nothing new was queued.
    pub replayed: bool,
}

/// Queues a new task for the viewer's team, or returns the task an earlier request with
/// the same idempotency key created.
#[tracing::instrument(skip_all, fields(team_id = %viewer.team_id))]
pub async fn submit(
    state: &AppState,
    viewer: &Viewer,
    spec: TaskSpec,
    idempotency_key: Option<&str>,
) -> Result<Submission, ServiceError> {
    if !viewer.roles.can_create() {
        return Err(ServiceError::Forbidden("only creators submit tasks"));
    }
    let key = parse_idempotency_key(idempotency_key)?;
    let fingerprint = spec.fingerprint();
    if let Some(key) = &key
        && let Some(existing) = find_by_key(&state.db, viewer.team_id, key).await?
    {
        return replay(existing, &fingerprint);
    }

    let mut params = spec.params.clone();
    // Seeds are what make a result reproducible; pick one now and record it.
    params.seed = Some(
        params
            .seed
            .unwrap_or_else(|| rand::rng().random_range(0..=MAX_SEED as u32)),
    );
    let now = Utc::now();
    let task = generation_task::ActiveModel {
        id: Set(Uuid::now_v7()),
        team_id: Set(viewer.team_id),
        submitted_by: Set(viewer.user_id),
        kind: Set(spec.kind.as_str().to_owned()),
        input_type: Set(spec.input_type.as_str().to_owned()),
        stage: Set(spec.stage.as_str().to_owned()),
        status: Set(TaskStatus::Queued.as_str().to_owned()),
        prompt: Set(params.prompt.as_str().to_owned()),
        params: Set(serde_json::to_value(&params)?),
        idempotency_key: Set(key.clone()),
        fingerprint: Set(fingerprint.clone()),
        provider: Set(state.provider.name().to_owned()),
        upstream_task_id: Set(None),
        progress: Set(0),
        failure_reason: Set(None),
        failure_message: Set(None),
        attempts: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
    };

    let txn = state.db.begin().await?;
    let inserted = match task.insert(&txn).await {
        Ok(task) => task,
        Err(err) if is_unique_violation(&err) => {
            // A concurrent request with the same key won the race; answer as it did.
            txn.rollback().await?;
            let key = key.as_deref().unwrap_or_default();
            let existing = find_by_key(&state.db, viewer.team_id, key)
                .await?
                .ok_or_else(|| {
                    ServiceError::Corrupt("idempotency key conflict without a task".into())
                })?;
            return replay(existing, &fingerprint);
        }
        Err(err) => return Err(err.into()),
    };
    let event = record_event(
        &txn,
        &inserted,
        None,
        TaskStatus::Queued,
        TransitionCause::Submitted,
        None,
    )
    .await?;
    job::enqueue(&txn, job::TASK_RUN, inserted.id, now).await?;
    txn.commit().await?;

    tracing::info!(task_id = %inserted.id, "task queued");
    state.events.publish(TaskChange {
        event_id: Some(event.id),
        from: None,
        to: TaskStatus::Queued,
        task: Arc::new(inserted.clone()),
    });
    state.work_ready.notify_one();
    Ok(Submission {
        task: inserted,
        replayed: false,
    })
}

fn parse_idempotency_key(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(raw) = raw else { return Ok(None) };
    let key = raw.trim();
    if key.is_empty() {
        return Ok(None);
    }
    if key.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
        return Err(FieldError::new(
            "idempotencyKey",
            ErrorCode::TooLong,
            format!("An idempotency key has at most {MAX_IDEMPOTENCY_KEY_CHARS} characters."),
        ));
    }
    Ok(Some(key.to_owned()))
}

fn replay(existing: generation_task::Model, fingerprint: &str) -> Result<Submission, ServiceError> {
    if existing.fingerprint != fingerprint {
        return Err(FieldError::new(
            "idempotencyKey",
            ErrorCode::Conflict,
            "This idempotency key was already used for a task with other parameters.",
        )
        .into());
    }
    Ok(Submission {
        task: existing,
        replayed: true,
    })
}

async fn find_by_key(
    db: &DatabaseConnection,
    team_id: Uuid,
    key: &str,
) -> Result<Option<generation_task::Model>, ServiceError> {
    Ok(generation_task::Entity::find()
        .filter(generation_task::Column::TeamId.eq(team_id))
        .filter(generation_task::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// A task of the viewer's team. Another team's task is "not found", never "forbidden",
/// so its existence does not leak.
pub async fn get(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<generation_task::Model, ServiceError> {
    generation_task::Entity::find_by_id(id)
        .filter(generation_task::Column::TeamId.eq(viewer.team_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub statuses: Option<Vec<TaskStatus>>,
    pub kinds: Option<Vec<TaskKind>>,
    /// Only tasks the viewer submitted.
    pub mine: bool,
}

impl TaskFilter {
    /// Whether `task` passes the filter; used for live events, which are not queried.
    pub fn matches(&self, viewer: &Viewer, task: &generation_task::Model) -> bool {
        task.team_id == viewer.team_id
            && (!self.mine || task.submitted_by == viewer.user_id)
            && self
                .statuses
                .as_ref()
                .is_none_or(|s| s.iter().any(|s| s.as_str() == task.status))
            && self
                .kinds
                .as_ref()
                .is_none_or(|k| k.iter().any(|k| k.as_str() == task.kind))
    }
}

/// One page of a list, newest first.
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
}

/// The viewer's team's tasks, newest first, `first` at a time after the cursor `after`.
pub async fn list(
    db: &DatabaseConnection,
    viewer: &Viewer,
    filter: &TaskFilter,
    first: u64,
    after: Option<Uuid>,
) -> Result<Page<generation_task::Model>, ServiceError> {
    let mut query =
        generation_task::Entity::find().filter(generation_task::Column::TeamId.eq(viewer.team_id));
    if filter.mine {
        query = query.filter(generation_task::Column::SubmittedBy.eq(viewer.user_id));
    }
    if let Some(statuses) = &filter.statuses {
        query = query
            .filter(generation_task::Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
    }
    if let Some(kinds) = &filter.kinds {
        query = query.filter(generation_task::Column::Kind.is_in(kinds.iter().map(|k| k.as_str())));
    }
    if let Some(after) = after {
        query = query.filter(generation_task::Column::Id.lt(after));
    }
    let mut items = query
        .order_by_desc(generation_task::Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok(Page { items, has_next })
}

/// A task's recorded transitions, oldest first.
pub async fn history(
    db: &DatabaseConnection,
    task: &generation_task::Model,
) -> Result<Vec<task_event::Model>, ServiceError> {
    Ok(task_event::Entity::find()
        .filter(task_event::Column::TaskId.eq(task.id))
        .order_by_asc(task_event::Column::Id)
        .all(db)
        .await?)
}

/// Typed views of a stored task's columns.
pub struct TaskView {
    pub kind: TaskKind,
    pub input_type: InputType,
    pub stage: Stage,
    pub status: TaskStatus,
    pub params: TaskParams,
    pub failure_reason: Option<FailureReason>,
}

impl TaskView {
    pub fn of(task: &generation_task::Model) -> Result<Self, ServiceError> {
        Ok(Self {
            kind: task.kind.parse()?,
            input_type: task.input_type.parse()?,
            stage: task.stage.parse()?,
            status: task.status.parse()?,
            params: serde_json::from_value(task.params.clone())?,
            failure_reason: task.failure_reason.as_deref().map(str::parse).transpose()?,
        })
    }
}

/// Extra columns written together with a transition.
#[derive(Debug, Default, Clone)]
pub struct TransitionPatch {
    pub upstream_task_id: Option<String>,
    pub progress: Option<i32>,
    pub failure: Option<(FailureReason, String)>,
}

/// Moves `task` from its current status to `to`, with its history row, in one
/// transaction; then announces it. Returns the updated task, or `None` when the task is
/// no longer in the status `task` shows (another worker or a cancel got there first), in
/// which case nothing is written.
pub async fn transition(
    state: &AppState,
    task: &generation_task::Model,
    to: TaskStatus,
    cause: TransitionCause,
    upstream_status: Option<&str>,
    patch: TransitionPatch,
) -> Result<Option<generation_task::Model>, ServiceError> {
    let from: TaskStatus = task.status.parse()?;
    if !from.can_become(to) {
        return Err(ServiceError::Corrupt(format!(
            "task {} cannot move from {from} to {to}",
            task.id
        )));
    }
    let now = Utc::now();
    let mut updated = task.clone();
    updated.status = to.as_str().to_owned();
    updated.updated_at = now;
    let mut update = generation_task::Entity::update_many()
        .col_expr(generation_task::Column::Status, Expr::value(to.as_str()))
        .col_expr(generation_task::Column::UpdatedAt, Expr::value(now));
    if to.is_terminal() {
        updated.finished_at = Some(now);
        update = update.col_expr(generation_task::Column::FinishedAt, Expr::value(now));
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
    if let Some((reason, message)) = patch.failure {
        updated.failure_reason = Some(reason.as_str().to_owned());
        updated.failure_message = Some(message.clone());
        update = update
            .col_expr(
                generation_task::Column::FailureReason,
                Expr::value(reason.as_str()),
            )
            .col_expr(
                generation_task::Column::FailureMessage,
                Expr::value(message),
            );
    }

    let txn = state.db.begin().await?;
    let result = update
        .filter(generation_task::Column::Id.eq(task.id))
        .filter(generation_task::Column::Status.eq(from.as_str()))
        .exec(&txn)
        .await?;
    if result.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(None);
    }
    let event = record_event(&txn, &updated, Some(from), to, cause, upstream_status).await?;
    txn.commit().await?;

    tracing::info!(task_id = %task.id, %from, %to, cause = cause.as_str(), "task moved");
    state.events.publish(TaskChange {
        event_id: Some(event.id),
        from: Some(from),
        to,
        task: Arc::new(updated.clone()),
    });
    Ok(Some(updated))
}

/// Records progress within the current status and announces it. Not a transition: no
/// history row.
pub async fn report_progress(
    state: &AppState,
    task: &generation_task::Model,
    progress: i32,
) -> Result<generation_task::Model, ServiceError> {
    let progress = progress.clamp(0, 100);
    if progress == task.progress {
        return Ok(task.clone());
    }
    let now = Utc::now();
    let result = generation_task::Entity::update_many()
        .col_expr(generation_task::Column::Progress, Expr::value(progress))
        .col_expr(generation_task::Column::UpdatedAt, Expr::value(now))
        .filter(generation_task::Column::Id.eq(task.id))
        .filter(generation_task::Column::Status.eq(task.status.clone()))
        .exec(&state.db)
        .await?;
    let mut updated = task.clone();
    if result.rows_affected == 1 {
        updated.progress = progress;
        updated.updated_at = now;
        let status: TaskStatus = task.status.parse()?;
        state.events.publish(TaskChange {
            event_id: None,
            from: Some(status),
            to: status,
            task: Arc::new(updated.clone()),
        });
    }
    Ok(updated)
}

async fn record_event(
    txn: &impl sea_orm::ConnectionTrait,
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
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        cause: Set(cause.as_str().to_owned()),
        upstream_status: Set(upstream_status.map(str::to_owned)),
        created_at: Set(task.updated_at),
    }
    .insert(txn)
    .await?)
}
