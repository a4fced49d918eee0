//! Submit: validate, price, de-duplicate and queue a task, in one transaction.

use std::sync::Arc;

use chrono::Utc;
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use uuid::Uuid;

use super::require_creator;
use super::spend::{find_succeeded, spend_notices};
use super::transition::record_event;
use crate::auth::Viewer;
use crate::domain::campaign::{BriefStatus, crosses_threshold};
use crate::domain::money::format_micros;
use crate::domain::task::{
    LineageKind, MAX_SEED, SpendWarning, TaskDraft, TaskSpec, TaskStatus, TransitionCause,
    check_spend,
};
use crate::domain::{ErrorCode, FieldError};
use crate::entity::{brief, duplicate_submission, generation_task, task_reference_asset};
use crate::events::{BudgetAlert, Event, TaskChange};
use crate::service::{ServiceError, campaign, is_unique_violation, job, reference, webhook};
use crate::state::AppState;

/// Longest idempotency key accepted.
pub(crate) const MAX_IDEMPOTENCY_KEY_CHARS: usize = 200;

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
    /// Spend warnings the user has seen and accepted.
    pub acknowledged: Vec<SpendWarning>,
}

/// What a submit would do, for the composer to show while the user types.
pub(crate) struct Estimate {
    pub cost_micros: i64,
    pub currency: String,
    /// An identical live task that a submit would return instead.
    pub duplicate_of: Option<generation_task::Model>,
    /// An identical task that succeeded in the last 24 hours: the team already has it.
    pub succeeded_recently: Option<generation_task::Model>,
    /// The campaign's committed spend and budget, if it has one.
    pub committed_micros: i64,
    pub budget_micros: Option<i64>,
}

/// The brief a task is for: the viewer's, and still open.
pub(super) async fn open_brief(
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
pub(crate) async fn estimate(
    state: &AppState,
    viewer: &Viewer,
    request: SubmitRequest<'_>,
) -> Result<Estimate, ServiceError> {
    require_creator(viewer)?;
    let (brief, spec) = parse_request(state, viewer, &request).await?;
    let cost_micros = model_price(state, &spec)?;
    let campaign = campaign::get_campaign(&state.db, viewer, brief.campaign_id).await?;
    let fingerprint = spec.fingerprint();
    Ok(Estimate {
        duplicate_of: find_live(&state.db, viewer.team_id, &fingerprint).await?,
        succeeded_recently: find_succeeded(&state.db, viewer.team_id, &fingerprint, None, true)
            .await?,
        cost_micros,
        currency: campaign.currency.clone(),
        committed_micros: campaign::committed_micros(&state.db, campaign.id).await?,
        budget_micros: campaign.budget_micros,
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
            let url = crate::service::check_url(&state.http, "callbackUrl", url).await?;
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
            acknowledged: request.acknowledged.clone(),
            charged_original: None,
        },
    )
    .await
}

/// A task about to be queued.
pub(super) struct NewTask {
    pub(super) brief: brief::Model,
    pub(super) spec: TaskSpec,
    pub(super) key: Option<String>,
    pub(super) parent: Option<(Uuid, LineageKind)>,
    pub(super) callback_url: Option<String>,
    pub(super) acknowledged: Vec<SpendWarning>,
    /// The task a retry repeats, when the upstream charged for it.
    pub(super) charged_original: Option<generation_task::Model>,
}

/// Prices, budget-checks and inserts a task with its history row, references and job.
pub(super) async fn queue(
    state: &AppState,
    viewer: &Viewer,
    new: NewTask,
) -> Result<Submission, ServiceError> {
    let fingerprint = new.spec.fingerprint();
    if let Some(live) = find_live(&state.db, viewer.team_id, &fingerprint).await? {
        return record_duplicate(&state.db, viewer, &new.brief, live).await;
    }
    let notices = spend_notices(&state.db, viewer.team_id, &new, &fingerprint).await?;
    let met: Vec<_> = notices.iter().map(|n| n.warning).collect();
    let acknowledged = match check_spend(&met, &new.acknowledged) {
        Ok(acknowledged) => acknowledged,
        Err(missing) => {
            return Err(ServiceError::Unconfirmed(
                notices
                    .into_iter()
                    .filter(|n| missing.contains(&n.warning))
                    .collect(),
            ));
        }
    };
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
        acknowledged_warnings: Set((!acknowledged.0.is_empty()).then_some(acknowledged)),
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

pub(super) fn parse_idempotency_key(raw: Option<&str>) -> Result<Option<String>, FieldError> {
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

pub(super) fn replay(
    existing: generation_task::Model,
    fingerprint: &str,
) -> Result<Submission, ServiceError> {
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

pub(super) async fn find_by_key(
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
