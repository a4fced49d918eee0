//! Generation tasks: submit (and price, and de-duplicate), read, list, promote, retry,
//! cancel, and move them through their statuses.
//!
//! Every change is written in one transaction with its history row and announced from
//! inside it (see [`crate::events`]); this process's subscribers hear of it right after
//! the commit.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait, UpdateMany,
};
use uuid::Uuid;

use super::{
    Page, ServiceError, asset, campaign, is_unique_violation, job, paginate, reference, webhook,
};
use crate::auth::Viewer;
use crate::domain::campaign::{BriefStatus, crosses_threshold};
use crate::domain::money::format_micros;
use crate::domain::task::{
    FailureReason, InputType, LineageKind, MAX_SEED, Stage, TaskDraft, TaskKind, TaskParams,
    TaskSpec, TaskStatus, TransitionCause,
};
use crate::domain::{ErrorCode, FieldError};
use crate::entity::{
    brief, duplicate_submission, generation_task, task_event, task_reference_asset,
};
use crate::events::{BudgetAlert, Event, TaskChange};
use crate::state::AppState;

/// Longest idempotency key accepted.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 200;

/// How a submit was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// A new task was queued.
    Created,
    /// The idempotency key was used before: the task that request created.
    Replayed,
    /// An identical task is live: it is returned and nothing new is spent.
    Duplicate,
}

pub struct Submission {
    pub task: generation_task::Model,
    pub outcome: SubmitOutcome,
}

/// A submit, as the API receives it.
pub struct SubmitRequest<'a> {
    pub brief_id: Uuid,
    pub draft: TaskDraft,
    pub reference_ids: Vec<Uuid>,
    pub idempotency_key: Option<&'a str>,
    /// Where to announce this task's changes, signed with the team's callback secret.
    pub callback_url: Option<&'a str>,
}

/// What a submit would do, for the composer to show while the user types.
pub struct Estimate {
    pub spec: TaskSpec,
    pub cost_micros: i64,
    pub currency: String,
    /// An identical live task that a submit would return instead.
    pub duplicate_of: Option<generation_task::Model>,
    /// The campaign's committed spend and budget, if it has one.
    pub committed_micros: i64,
    pub budget_micros: Option<i64>,
}

fn require_creator(viewer: &Viewer) -> Result<(), ServiceError> {
    if viewer.roles.can_create() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only creators submit tasks"))
    }
}

/// The brief a task is for: the viewer's, and still open.
async fn open_brief(
    db: &DatabaseConnection,
    viewer: &Viewer,
    brief_id: Uuid,
) -> Result<brief::Model, ServiceError> {
    let brief = match campaign::get_brief(db, viewer, brief_id).await {
        Ok(brief) => brief,
        Err(ServiceError::NotFound) => {
            return Err(
                FieldError::new("briefId", ErrorCode::NotFound, "There is no such brief.").into(),
            );
        }
        Err(other) => return Err(other),
    };
    let status: BriefStatus = brief.status;
    if !status.accepts_tasks() {
        return Err(FieldError::new(
            "briefId",
            ErrorCode::InvalidState,
            format!("The brief is {status}; it takes no new tasks."),
        )
        .into());
    }
    Ok(brief)
}

/// Validates a request into a spec (every problem at once).
async fn parse_request(
    state: &AppState,
    viewer: &Viewer,
    request: &SubmitRequest<'_>,
) -> Result<(brief::Model, TaskSpec), ServiceError> {
    let brief = open_brief(&state.db, viewer, request.brief_id).await;
    let references = reference::resolve(&state.db, viewer, &request.reference_ids).await;
    let mut draft = request.draft.clone();
    let mut errors = Vec::new();
    match references {
        Ok(refs) => draft.references = refs,
        Err(ServiceError::Invalid(mut e)) => errors.append(&mut e),
        Err(other) => return Err(other),
    }
    let brief = match brief {
        Ok(brief) => Some(brief),
        Err(ServiceError::Invalid(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(other) => return Err(other),
    };
    let spec = TaskSpec::parse(draft, &state.config.models, &state.config.draft_policy);
    match (brief, spec) {
        (Some(brief), Ok(spec)) if errors.is_empty() => Ok((brief, spec)),
        (_, Err(mut e)) => {
            errors.append(&mut e);
            Err(ServiceError::Invalid(errors))
        }
        _ => Err(ServiceError::Invalid(errors)),
    }
}

fn model_price(state: &AppState, spec: &TaskSpec) -> Result<i64, ServiceError> {
    let model = state.config.model(&spec.params.model).ok_or_else(|| {
        ServiceError::Corrupt(format!(
            "model {} vanished from the catalogue",
            spec.params.model
        ))
    })?;
    Ok(spec.estimate_micros(model))
}

/// Prices a submission and looks for an identical live task, without submitting.
pub async fn estimate(
    state: &AppState,
    viewer: &Viewer,
    request: SubmitRequest<'_>,
) -> Result<Estimate, ServiceError> {
    require_creator(viewer)?;
    let (brief, spec) = parse_request(state, viewer, &request).await?;
    let cost_micros = model_price(state, &spec)?;
    let campaign = campaign::get_campaign(&state.db, viewer, brief.campaign_id).await?;
    Ok(Estimate {
        duplicate_of: find_live(&state.db, viewer.team_id, &spec.fingerprint()).await?,
        cost_micros,
        currency: campaign.currency.clone(),
        committed_micros: campaign::committed_micros(&state.db, campaign.id).await?,
        budget_micros: campaign.budget_micros,
        spec,
    })
}

/// Queues a task for a brief of the viewer's team — or answers with the task an earlier
/// request with the same idempotency key created, or with an identical task that is
/// still live, spending nothing.
#[tracing::instrument(skip_all, fields(team_id = %viewer.team_id))]
pub async fn submit(
    state: &AppState,
    viewer: &Viewer,
    request: SubmitRequest<'_>,
) -> Result<Submission, ServiceError> {
    require_creator(viewer)?;
    let key = parse_idempotency_key(request.idempotency_key)?;
    let (brief, spec) = parse_request(state, viewer, &request).await?;
    let callback_url = match request
        .callback_url
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        None => None,
        Some(url) => {
            let url = super::check_url(&state.http, "callbackUrl", url).await?;
            if !webhook::has_callback_secret(&state.db, viewer.team_id).await? {
                return Err(FieldError::new(
                    "callbackUrl",
                    ErrorCode::InvalidState,
                    "The team has no callback signing secret yet; an admin creates one under Settings → Webhooks.",
                )
                .into());
            }
            Some(url)
        }
    };
    if let Some(key) = &key
        && let Some(existing) = find_by_key(&state.db, viewer.team_id, key).await?
    {
        return replay(existing, &spec.fingerprint());
    }
    queue(
        state,
        viewer,
        NewTask {
            brief,
            spec,
            key,
            parent: None,
            callback_url,
        },
    )
    .await
}

/// A task about to be queued.
struct NewTask {
    brief: brief::Model,
    spec: TaskSpec,
    key: Option<String>,
    parent: Option<(Uuid, LineageKind)>,
    callback_url: Option<String>,
}

/// Prices, budget-checks and inserts a task with its history row, references and job.
async fn queue(
    state: &AppState,
    viewer: &Viewer,
    new: NewTask,
) -> Result<Submission, ServiceError> {
    let fingerprint = new.spec.fingerprint();
    if let Some(live) = find_live(&state.db, viewer.team_id, &fingerprint).await? {
        return record_duplicate(&state.db, viewer, &new.brief, live).await;
    }
    let estimate = model_price(state, &new.spec)?;
    let mut params = new.spec.params.clone();
    // Seeds are what make a result reproducible; pick one now and record it.
    params.seed = Some(
        params
            .seed
            .unwrap_or_else(|| rand::rng().random_range(0..=MAX_SEED as u32)),
    );
    let now = Utc::now();
    let deadline = now + state.config.task_deadline(new.spec.kind);
    let row = generation_task::ActiveModel {
        id: Set(Uuid::now_v7()),
        team_id: Set(viewer.team_id),
        submitted_by: Set(viewer.user_id),
        campaign_id: Set(new.brief.campaign_id),
        brief_id: Set(new.brief.id),
        parent_task_id: Set(new.parent.map(|(id, _)| id)),
        lineage: Set(new.parent.map(|(_, kind)| kind)),
        kind: Set(new.spec.kind),
        input_type: Set(new.spec.input_type),
        stage: Set(new.spec.stage),
        status: Set(TaskStatus::Queued),
        prompt: Set(params.prompt.as_str().to_owned()),
        params: Set(serde_json::to_value(&params)?),
        idempotency_key: Set(new.key.clone()),
        fingerprint: Set(fingerprint.clone()),
        live_fingerprint: Set(Some(fingerprint.clone())),
        model: Set(params.model.clone()),
        provider: Set(state.config.model(&params.model).map_or_else(
            || crate::provider::SIMULATED.to_owned(),
            |m| m.provider.clone(),
        )),
        upstream_task_id: Set(None),
        progress: Set(0),
        queue_position: Set(None),
        estimated_cost_micros: Set(estimate),
        actual_cost_micros: Set(None),
        charged: Set(false),
        currency: Set(state.config.currency.clone()),
        callback_url: Set(new.callback_url.clone()),
        failure_reason: Set(None),
        failure_message: Set(None),
        attempts: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        deadline_at: Set(deadline),
        upstream_completed_at: Set(None),
        needs_reconciliation: Set(false),
        upstream_usage: Set(None),
    };

    // A campaign without a budget has nothing to check: its submits neither wait for
    // each other nor sum its spend (which reads every task of the campaign). Read
    // before the transaction, so that on SQLite the transaction's first statement is a
    // write and takes the write lock at once.
    let campaign = campaign::get_campaign(&state.db, viewer, new.brief.campaign_id).await?;
    let txn = state.db.begin().await?;
    let (campaign, committed) = if campaign.budget_micros.is_some() {
        // From here on, submits to this campaign wait for each other: the budget check
        // and the insert it allows cannot interleave with another submit's.
        campaign::lock_for_submit(&txn, campaign.id).await?;
        let campaign = campaign::get_campaign(&txn, viewer, campaign.id).await?;
        let committed = campaign::committed_micros(&txn, campaign.id).await?;
        (campaign, committed)
    } else {
        (campaign, 0)
    };
    if let Some(budget) = campaign.budget_micros
        && committed.saturating_add(estimate) > budget
    {
        txn.rollback().await?;
        return Err(FieldError::general(
            ErrorCode::BudgetExceeded,
            format!(
                "This task (about {} {cur}) would take the campaign \u{201c}{}\u{201d} over its budget: {} of {} {cur} is committed.",
                format_micros(estimate),
                campaign.name,
                format_micros(committed),
                format_micros(budget),
                cur = campaign.currency,
            ),
        )
        .into());
    }
    let inserted = match row.insert(&txn).await {
        Ok(task) => task,
        Err(err) if is_unique_violation(&err) => {
            txn.rollback().await?;
            return resolve_conflict(
                state,
                viewer,
                &new.brief,
                new.key.as_deref(),
                &fingerprint,
                &err,
            )
            .await;
        }
        Err(err) => return Err(err.into()),
    };
    for (position, reference) in params.references.iter().enumerate() {
        task_reference_asset::ActiveModel {
            task_id: Set(inserted.id),
            reference_asset_id: Set(reference.id),
            position: Set(position as i32),
        }
        .insert(&txn)
        .await?;
    }
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
    webhook::enqueue_for_task(&txn, &inserted, TaskStatus::Queued).await?;
    let change = Event::Task(TaskChange {
        event_id: Some(event.id),
        from: None,
        to: TaskStatus::Queued,
        task: Arc::new(inserted.clone()),
    });
    state.events.announce(&txn, &change).await?;

    let mut alert = None;
    if let Some(budget) = campaign.budget_micros
        && campaign.budget_alerted_at.is_none()
        && crosses_threshold(
            budget,
            campaign.alert_threshold_percent,
            committed,
            committed + estimate,
        )
    {
        let mut alerted = campaign.clone();
        alerted.budget_alerted_at = Some(now);
        crate::entity::campaign::Entity::update_many()
            .col_expr(
                crate::entity::campaign::Column::BudgetAlertedAt,
                Expr::value(now),
            )
            .filter(crate::entity::campaign::Column::Id.eq(campaign.id))
            .exec(&txn)
            .await?;
        let event = Event::BudgetAlert(BudgetAlert {
            campaign: Arc::new(alerted),
            committed_micros: committed + estimate,
        });
        state.events.announce(&txn, &event).await?;
        alert = Some(event);
    }
    txn.commit().await?;

    tracing::info!(task_id = %inserted.id, estimate, "task queued");
    state.events.deliver(change);
    if let Some(alert) = alert {
        tracing::warn!(campaign_id = %campaign.id, "campaign crossed its budget alert threshold");
        state.events.deliver(alert);
    }
    state.work_ready.notify_one();
    Ok(Submission {
        task: inserted,
        outcome: SubmitOutcome::Created,
    })
}

/// After a unique violation: a concurrent request with the same key, or an identical
/// live task, won the race; answer as it did.
async fn resolve_conflict(
    state: &AppState,
    viewer: &Viewer,
    brief: &brief::Model,
    key: Option<&str>,
    fingerprint: &str,
    err: &sea_orm::DbErr,
) -> Result<Submission, ServiceError> {
    if let Some(key) = key
        && let Some(existing) = find_by_key(&state.db, viewer.team_id, key).await?
    {
        return replay(existing, fingerprint);
    }
    if let Some(live) = find_live(&state.db, viewer.team_id, fingerprint).await? {
        return record_duplicate(&state.db, viewer, brief, live).await;
    }
    Err(ServiceError::Corrupt(format!(
        "a unique constraint refused a task for no reason found: {err}"
    )))
}

async fn record_duplicate(
    db: &DatabaseConnection,
    viewer: &Viewer,
    brief: &brief::Model,
    live: generation_task::Model,
) -> Result<Submission, ServiceError> {
    duplicate_submission::ActiveModel {
        id: Set(Uuid::now_v7()),
        team_id: Set(viewer.team_id),
        campaign_id: Set(brief.campaign_id),
        brief_id: Set(brief.id),
        task_id: Set(live.id),
        submitted_by: Set(viewer.user_id),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    tracing::info!(task_id = %live.id, "duplicate submission answered with the live task");
    Ok(Submission {
        task: live,
        outcome: SubmitOutcome::Duplicate,
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
        outcome: SubmitOutcome::Replayed,
    })
}

// The two lookups below match on the unique column alone and pick the team's row here.
// With `team_id` in the query, PostgreSQL could serve it from any index that starts
// with `team_id` — and on a young table, before it has statistics, it often did, reading
// every task of the team on each submit. Other teams share a key or a live fingerprint
// rarely, so the rows read stay a handful.

async fn find_by_key(
    db: &DatabaseConnection,
    team_id: Uuid,
    key: &str,
) -> Result<Option<generation_task::Model>, ServiceError> {
    Ok(generation_task::Entity::find()
        .filter(generation_task::Column::IdempotencyKey.eq(key))
        .all(db)
        .await?
        .into_iter()
        .find(|task| task.team_id == team_id))
}

async fn find_live(
    db: &DatabaseConnection,
    team_id: Uuid,
    fingerprint: &str,
) -> Result<Option<generation_task::Model>, ServiceError> {
    Ok(generation_task::Entity::find()
        .filter(generation_task::Column::LiveFingerprint.eq(fingerprint))
        .all(db)
        .await?
        .into_iter()
        .find(|task| task.team_id == team_id))
}

/// A draft's parameters as a draft to change.
fn draft_from(view: &TaskView) -> TaskDraft {
    let p = &view.params;
    TaskDraft {
        input_type: Some(view.input_type),
        stage: Some(view.stage),
        prompt: p.prompt.as_str().to_owned(),
        negative_prompt: p.negative_prompt.clone(),
        model: Some(p.model.clone()),
        aspect_ratio: Some(p.aspect_ratio),
        size: p.size.clone(),
        quality: p.quality,
        count: Some(p.count as i32),
        seed: p.seed.map(i64::from),
        watermark: Some(p.watermark),
        output_format: Some(p.output_format),
        duration_secs: p.duration_secs.map(|d| d as i32),
        resolution: p.resolution,
        camera_motion: p.camera_motion,
        audio: p.audio,
        references: p.references.clone(),
    }
}

/// What a promotion may change; everything else is the draft's.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub prompt: Option<String>,
    pub negative_prompt: Option<String>,
    pub aspect_ratio: Option<crate::domain::task::AspectRatio>,
    pub size: Option<String>,
    pub quality: Option<crate::domain::catalogue::Quality>,
    pub count: Option<i32>,
    pub seed: Option<i64>,
    pub watermark: Option<bool>,
    pub output_format: Option<crate::domain::catalogue::OutputFormat>,
    pub duration_secs: Option<i32>,
    pub resolution: Option<crate::domain::catalogue::Resolution>,
    pub camera_motion: Option<crate::domain::catalogue::CameraMotion>,
    pub audio: Option<crate::domain::catalogue::Audio>,
}

/// Creates the `FINAL` of a succeeded draft, with its parameters and seed unless
/// overridden, linked to the draft.
pub async fn promote(
    state: &AppState,
    viewer: &Viewer,
    draft_id: Uuid,
    overrides: Overrides,
    idempotency_key: Option<&str>,
) -> Result<Submission, ServiceError> {
    require_creator(viewer)?;
    let draft = match get(&state.db, viewer, draft_id).await {
        Ok(task) => task,
        Err(ServiceError::NotFound) => {
            return Err(
                FieldError::new("draftId", ErrorCode::NotFound, "There is no such task.").into(),
            );
        }
        Err(other) => return Err(other),
    };
    let view = TaskView::of(&draft)?;
    if view.stage != Stage::Draft || view.status != TaskStatus::Succeeded {
        return Err(FieldError::new(
            "draftId",
            ErrorCode::InvalidState,
            "Only a succeeded draft can be promoted to a final.",
        )
        .into());
    }
    let key = parse_idempotency_key(idempotency_key)?;
    let mut next = draft_from(&view);
    next.stage = Some(Stage::Final);
    // The draft's defaults were the draft's caps; a final picks its own unless told.
    next.quality = overrides.quality;
    next.count = overrides.count.or(next.count);
    if view.kind == TaskKind::Video {
        next.duration_secs = overrides.duration_secs.or(next.duration_secs);
        next.resolution = overrides.resolution;
    } else {
        // The shape follows what is overridden: a new ratio picks its size, a new size
        // sets its ratio, and otherwise the draft's size (its actual shape) stays.
        match (overrides.aspect_ratio, overrides.size.clone()) {
            (Some(_), size) => next.size = size,
            (None, Some(size)) => {
                next.size = Some(size);
                next.aspect_ratio = None;
            }
            (None, None) => next.aspect_ratio = None,
        }
    }
    if let Some(prompt) = overrides.prompt {
        next.prompt = prompt;
    }
    next.negative_prompt = overrides.negative_prompt.or(next.negative_prompt);
    if overrides.aspect_ratio.is_some() {
        next.aspect_ratio = overrides.aspect_ratio;
    }
    next.seed = overrides.seed.or(next.seed);
    next.watermark = overrides.watermark.or(next.watermark);
    next.output_format = overrides.output_format.or(next.output_format);
    next.camera_motion = overrides.camera_motion.or(next.camera_motion);
    next.audio = overrides.audio.or(next.audio);
    let spec = TaskSpec::parse(next, &state.config.models, &state.config.draft_policy)
        .map_err(ServiceError::Invalid)?;
    if let Some(key) = &key
        && let Some(existing) = find_by_key(&state.db, viewer.team_id, key).await?
    {
        return replay(existing, &spec.fingerprint());
    }
    let brief = open_brief(&state.db, viewer, draft.brief_id).await?;
    let callback_url = draft.callback_url.clone();
    queue(
        state,
        viewer,
        NewTask {
            brief,
            spec,
            key,
            parent: Some((draft.id, LineageKind::Promotion)),
            callback_url,
        },
    )
    .await
}

/// A new attempt at a failed or cancelled task, with the same parameters and seed, linked
/// to it. Never a silent resubmission: the original stays as it ended.
pub async fn retry(
    state: &AppState,
    viewer: &Viewer,
    task_id: Uuid,
) -> Result<Submission, ServiceError> {
    require_creator(viewer)?;
    let original = match get(&state.db, viewer, task_id).await {
        Ok(task) => task,
        Err(ServiceError::NotFound) => {
            return Err(
                FieldError::new("taskId", ErrorCode::NotFound, "There is no such task.").into(),
            );
        }
        Err(other) => return Err(other),
    };
    let view = TaskView::of(&original)?;
    if !matches!(view.status, TaskStatus::Failed | TaskStatus::Cancelled) {
        return Err(FieldError::new(
            "taskId",
            ErrorCode::InvalidState,
            "Only a failed or cancelled task can be retried.",
        )
        .into());
    }
    let spec = TaskSpec {
        kind: view.kind,
        input_type: view.input_type,
        stage: view.stage,
        params: view.params.clone(),
    };
    let brief = open_brief(&state.db, viewer, original.brief_id).await?;
    let callback_url = original.callback_url.clone();
    queue(
        state,
        viewer,
        NewTask {
            brief,
            spec,
            key: None,
            parent: Some((original.id, LineageKind::Retry)),
            callback_url,
        },
    )
    .await
}

/// Stops a live task. The upstream is told as well, where it can be.
pub async fn cancel(
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

/// Tasks made from `task`: its finals and retries.
pub async fn children(
    db: &DatabaseConnection,
    task: &generation_task::Model,
) -> Result<Vec<generation_task::Model>, ServiceError> {
    Ok(generation_task::Entity::find()
        .filter(generation_task::Column::ParentTaskId.eq(task.id))
        .filter(generation_task::Column::TeamId.eq(task.team_id))
        .order_by_asc(generation_task::Column::Id)
        .all(db)
        .await?)
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub statuses: Option<Vec<TaskStatus>>,
    pub kinds: Option<Vec<TaskKind>>,
    pub stages: Option<Vec<Stage>>,
    pub campaign_id: Option<Uuid>,
    pub brief_id: Option<Uuid>,
    /// Only tasks the viewer submitted.
    pub mine: bool,
}

impl TaskFilter {
    /// Whether `task` passes the filter; used for live events, which are not queried.
    pub fn matches(&self, viewer: &Viewer, task: &generation_task::Model) -> bool {
        task.team_id == viewer.team_id
            && (!self.mine || task.submitted_by == viewer.user_id)
            && self.campaign_id.is_none_or(|id| id == task.campaign_id)
            && self.brief_id.is_none_or(|id| id == task.brief_id)
            && self
                .statuses
                .as_ref()
                .is_none_or(|s| s.contains(&task.status))
            && self.kinds.as_ref().is_none_or(|k| k.contains(&task.kind))
            && self.stages.as_ref().is_none_or(|k| k.contains(&task.stage))
    }
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
    if let Some(id) = filter.campaign_id {
        query = query.filter(generation_task::Column::CampaignId.eq(id));
    }
    if let Some(id) = filter.brief_id {
        query = query.filter(generation_task::Column::BriefId.eq(id));
    }
    if let Some(statuses) = &filter.statuses {
        query = query.filter(generation_task::Column::Status.is_in(statuses.iter().copied()));
    }
    if let Some(kinds) = &filter.kinds {
        query = query.filter(generation_task::Column::Kind.is_in(kinds.iter().copied()));
    }
    if let Some(stages) = &filter.stages {
        query = query.filter(generation_task::Column::Stage.is_in(stages.iter().copied()));
    }
    paginate(db, query, generation_task::Column::Id, first, after).await
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
    pub lineage: Option<LineageKind>,
}

impl TaskView {
    pub fn of(task: &generation_task::Model) -> Result<Self, ServiceError> {
        Ok(Self {
            kind: task.kind,
            input_type: task.input_type,
            stage: task.stage,
            status: task.status,
            params: serde_json::from_value(task.params.clone())?,
            failure_reason: task.failure_reason,
            lineage: task.lineage,
        })
    }
}

/// Extra columns written together with a transition.
#[derive(Debug, Default, Clone)]
pub struct TransitionPatch {
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
pub struct Completion {
    pub actual_cost_micros: i64,
    pub usage: Option<serde_json::Value>,
}

/// Moves `task` from its current status to `to`, with its history row, in one
/// transaction that also announces it. Returns the updated task, or `None` when the
/// task is no longer in the status `task` shows (another worker or a cancel got there
/// first), in which case nothing is written.
pub async fn transition(
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
pub async fn succeed_with_outputs(
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
pub async fn report_progress(
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
pub async fn record_upstream_completion(
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

async fn record_event(
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
        created_at: Set(task.updated_at),
    }
    .insert(txn)
    .await?)
}

/// When a live task has to be finished by.
pub fn past_deadline(task: &generation_task::Model, now: DateTime<Utc>) -> bool {
    task.upstream_completed_at.is_none() && now > task.deadline_at
}
