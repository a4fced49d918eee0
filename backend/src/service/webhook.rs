//! Outbound webhooks: team endpoints with event filters, per-task callback URLs, the
//! deliveries made for each event (written in the same transaction as the change they
//! announce, so none is lost), their attempts, replay, and secret rotation.

use chrono::{Duration as ChronoDuration, SecondsFormat, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::{Page, find_in_team, paginate};
use super::{ServiceError, job};
use crate::auth::Viewer;
use crate::domain::account::Role;
use crate::domain::campaign::optional_text;
use crate::domain::money::format_micros;
use crate::domain::task::TaskStatus;
use crate::domain::{ErrorCode, FieldError};
use crate::entity::{generation_task, team, webhook_attempt, webhook_delivery, webhook_endpoint};
use crate::events::{DeliveryUpdated, Event};
use crate::ids::{NodeType, encode};
use crate::state::AppState;
use crate::webhook::events::{DeliveryStatus, DisabledBecause, Envelope, EventType, TaskData};
use crate::webhook::signature::generate_secret;

/// How long a replaced secret keeps signing, so receivers can switch without a gap.
pub(crate) const ROTATION_OVERLAP_HOURS: i64 = 24;

fn require_admin(viewer: &Viewer) -> Result<(), ServiceError> {
    if viewer.roles.contains(Role::Admin) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only admins manage webhooks"))
    }
}

fn parse_event_types(types: &[EventType]) -> Result<String, FieldError> {
    if types.is_empty() {
        return Err(FieldError::new(
            "eventTypes",
            ErrorCode::Required,
            "Choose at least one event.",
        ));
    }
    let mut names: Vec<&str> = types.iter().map(|&t| t.into()).collect();
    names.sort_unstable();
    names.dedup();
    Ok(names.join(","))
}

/// The event types an endpoint listens to.
pub(crate) fn event_types_of(endpoint: &webhook_endpoint::Model) -> Vec<EventType> {
    endpoint
        .event_types
        .split(',')
        .filter_map(|t| t.parse().ok())
        .collect()
}

pub(crate) struct NewEndpoint<'a> {
    pub url: &'a str,
    pub event_types: &'a [EventType],
    pub description: Option<&'a str>,
}

/// A new endpoint and its secret, which is shown this once.
pub(crate) async fn create_endpoint(
    state: &AppState,
    viewer: &Viewer,
    new: NewEndpoint<'_>,
) -> Result<(webhook_endpoint::Model, SecretString), ServiceError> {
    require_admin(viewer)?;
    let mut errors = Vec::new();
    let url = super::check_url(&state.http, "url", new.url)
        .await
        .map_err(|e| errors.push(e))
        .ok();
    let types = parse_event_types(new.event_types)
        .map_err(|e| errors.push(e))
        .ok();
    let description = optional_text("description", new.description, 500)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(url), Some(types), Some(description)) = (url, types, description) else {
        return Err(ServiceError::Invalid(errors));
    };
    let secret = generate_secret();
    let now = Utc::now();
    let endpoint = webhook_endpoint::ActiveModel {
        id: Set(Uuid::now_v7()),
        team_id: Set(viewer.team_id),
        url: Set(url),
        description: Set(description),
        event_types: Set(types),
        secret: Set(state.sealer.seal(secret.expose_secret())?),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        enabled: Set(true),
        disabled_reason: Set(None),
        disabled_code: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    Ok((endpoint, secret))
}

pub(crate) async fn get_endpoint(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<webhook_endpoint::Model, ServiceError> {
    require_admin(viewer)?;
    find_in_team::<webhook_endpoint::Entity>(db, viewer.team_id, id).await
}

pub(crate) async fn list_endpoints(
    db: &DatabaseConnection,
    viewer: &Viewer,
) -> Result<Vec<webhook_endpoint::Model>, ServiceError> {
    require_admin(viewer)?;
    Ok(webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::TeamId.eq(viewer.team_id))
        .order_by_asc(webhook_endpoint::Column::Id)
        .all(db)
        .await?)
}

pub(crate) struct EndpointChanges<'a> {
    pub url: Option<&'a str>,
    pub event_types: Option<&'a [EventType]>,
    pub description: Option<&'a str>,
    /// Re-enabling clears the reason it was disabled.
    pub enabled: Option<bool>,
}

pub(crate) async fn update_endpoint(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    changes: EndpointChanges<'_>,
) -> Result<webhook_endpoint::Model, ServiceError> {
    let endpoint = get_endpoint(&state.db, viewer, id).await?;
    let mut row: webhook_endpoint::ActiveModel = endpoint.into();
    if let Some(url) = changes.url {
        row.url = Set(super::check_url(&state.http, "url", url).await?);
    }
    if let Some(types) = changes.event_types {
        row.event_types = Set(parse_event_types(types)?);
    }
    if let Some(description) = changes.description {
        row.description = Set(optional_text("description", Some(description), 500)?);
    }
    if let Some(enabled) = changes.enabled {
        row.enabled = Set(enabled);
        row.disabled_reason = Set((!enabled).then(|| "Disabled by an admin.".to_owned()));
        row.disabled_code = Set((!enabled).then_some(DisabledBecause::ByAdmin));
    }
    row.updated_at = Set(Utc::now());
    Ok(row.update(&state.db).await?)
}

pub(crate) async fn delete_endpoint(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<(), ServiceError> {
    let endpoint = get_endpoint(db, viewer, id).await?;
    webhook_endpoint::Entity::delete_by_id(endpoint.id)
        .exec(db)
        .await?;
    Ok(())
}

/// A new secret for an endpoint; the old one keeps signing alongside it for a day.
pub(crate) async fn rotate_endpoint_secret(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
) -> Result<(webhook_endpoint::Model, SecretString), ServiceError> {
    let db = &state.db;
    let endpoint = get_endpoint(db, viewer, id).await?;
    let secret = generate_secret();
    let now = Utc::now();
    let mut row: webhook_endpoint::ActiveModel = endpoint.clone().into();
    row.previous_secret = Set(Some(endpoint.secret));
    row.previous_secret_expires_at = Set(Some(now + ChronoDuration::hours(ROTATION_OVERLAP_HOURS)));
    row.secret = Set(state.sealer.seal(secret.expose_secret())?);
    row.updated_at = Set(now);
    Ok((row.update(db).await?, secret))
}

/// A new secret for the team's per-task callbacks (the first one, or a rotation with a
/// day's overlap); shown this once.
pub(crate) async fn rotate_callback_secret(
    state: &AppState,
    viewer: &Viewer,
) -> Result<SecretString, ServiceError> {
    require_admin(viewer)?;
    let db = &state.db;
    let team = team::Entity::find_by_id(viewer.team_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let secret = generate_secret();
    let mut row: team::ActiveModel = team.clone().into();
    if let Some(old) = team.callback_secret {
        row.previous_callback_secret = Set(Some(old));
        row.previous_callback_secret_expires_at = Set(Some(
            Utc::now() + ChronoDuration::hours(ROTATION_OVERLAP_HOURS),
        ));
    }
    row.callback_secret = Set(Some(state.sealer.seal(secret.expose_secret())?));
    row.update(db).await?;
    Ok(secret)
}

/// Whether the team can sign per-task callbacks.
pub(crate) async fn has_callback_secret(
    db: &impl ConnectionTrait,
    team_id: Uuid,
) -> Result<bool, ServiceError> {
    Ok(team::Entity::find_by_id(team_id)
        .one(db)
        .await?
        .is_some_and(|t| t.callback_secret.is_some()))
}

/// The secrets that sign a delivery now: the current one, and a rotated-out one that has
/// not expired.
pub(crate) async fn signing_secrets(
    state: &AppState,
    delivery: &webhook_delivery::Model,
) -> Result<Option<Vec<SecretString>>, ServiceError> {
    let db = &state.db;
    let now = Utc::now();
    let pair = match delivery.endpoint_id {
        Some(endpoint_id) => {
            let Some(endpoint) = webhook_endpoint::Entity::find_by_id(endpoint_id)
                .one(db)
                .await?
            else {
                return Ok(None);
            };
            if !endpoint.enabled {
                return Ok(None);
            }
            (
                Some(endpoint.secret),
                endpoint.previous_secret.filter(|_| {
                    endpoint
                        .previous_secret_expires_at
                        .is_some_and(|at| at > now)
                }),
            )
        }
        None => {
            let Some(team) = team::Entity::find_by_id(delivery.team_id).one(db).await? else {
                return Ok(None);
            };
            (
                team.callback_secret,
                team.previous_callback_secret.filter(|_| {
                    team.previous_callback_secret_expires_at
                        .is_some_and(|at| at > now)
                }),
            )
        }
    };
    let (current, previous) = pair;
    let Some(current) = current else {
        return Ok(None);
    };
    let secrets = std::iter::once(current)
        .chain(previous)
        .map(|stored| state.sealer.open(&stored))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(secrets))
}

/// The body of a task event.
fn task_payload(task: &generation_task::Model, event: EventType) -> String {
    let envelope = Envelope {
        event_type: event.into(),
        // One fixed shape (UTC, microseconds) so receivers can order events by it, even
        // as plain strings: deliveries run concurrently and may arrive out of order.
        timestamp: Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true),
        data: TaskData {
            id: encode(NodeType::Task, task.id),
            status: task.status,
            stage: task.stage,
            kind: task.kind,
            prompt: task.prompt.clone(),
            brief_id: encode(NodeType::Brief, task.brief_id),
            campaign_id: encode(NodeType::Campaign, task.campaign_id),
            failure_reason: task.failure_reason,
            failure_message: task.failure_message.clone(),
            estimated_cost: format_micros(task.estimated_cost_micros),
            actual_cost: task.actual_cost_micros.map(format_micros),
            currency: task.currency.clone(),
            upstream_task_id: task.upstream_task_id.clone(),
            updated_at: task.updated_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        },
    };
    serde_json::to_string(&envelope).unwrap_or_default()
}

/// Records the deliveries that announce `task` reaching `to`: to its callback URL and
/// to every enabled endpoint of its team that listens to the event. Call inside the
/// transaction that makes the change.
pub(crate) async fn enqueue_for_task(
    txn: &impl ConnectionTrait,
    task: &generation_task::Model,
    to: TaskStatus,
) -> Result<(), ServiceError> {
    let Some(event) = EventType::for_status(to) else {
        return Ok(());
    };
    let endpoints: Vec<_> = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::TeamId.eq(task.team_id))
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .all(txn)
        .await?
        .into_iter()
        .filter(|endpoint| event_types_of(endpoint).contains(&event))
        .collect();
    let targets: Vec<(Option<Uuid>, String)> = endpoints
        .into_iter()
        .map(|e| (Some(e.id), e.url))
        .chain(task.callback_url.clone().map(|url| (None, url)))
        .collect();
    if targets.is_empty() {
        return Ok(());
    }
    let payload = task_payload(task, event);
    let now = Utc::now();
    for (endpoint_id, url) in targets {
        let id = Uuid::now_v7();
        webhook_delivery::ActiveModel {
            id: Set(id),
            team_id: Set(task.team_id),
            endpoint_id: Set(endpoint_id),
            task_id: Set(Some(task.id)),
            url: Set(url),
            event_type: Set(event),
            message_id: Set(format!("msg_{}", id.simple())),
            payload: Set(payload.clone()),
            status: Set(DeliveryStatus::Pending),
            attempts: Set(0),
            next_attempt_at: Set(Some(now)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        job::enqueue(txn, job::WEBHOOK_DELIVER, id, now).await?;
    }
    Ok(())
}

/// Deliveries of the viewer's team, newest first: of one endpoint, of one task, or all.
/// Who reads deliveries: a task's (its callbacks and the endpoint deliveries about
/// it) are the business of the task's team; the whole log is for admins.
pub(crate) fn may_read_log(viewer: &Viewer, task_id: Option<Uuid>) -> Result<(), ServiceError> {
    if task_id.is_none() {
        require_admin(viewer)?;
    }
    Ok(())
}

pub(crate) async fn deliveries(
    db: &DatabaseConnection,
    viewer: &Viewer,
    endpoint_id: Option<Uuid>,
    task_id: Option<Uuid>,
    first: u64,
    after: Option<Uuid>,
) -> Result<Page<webhook_delivery::Model>, ServiceError> {
    may_read_log(viewer, task_id)?;
    let mut query = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::TeamId.eq(viewer.team_id));
    if let Some(id) = endpoint_id {
        query = query.filter(webhook_delivery::Column::EndpointId.eq(id));
    }
    if let Some(id) = task_id {
        query = query.filter(webhook_delivery::Column::TaskId.eq(id));
    }
    paginate(db, query, webhook_delivery::Column::Id, first, after).await
}

pub(crate) async fn attempts(
    db: &DatabaseConnection,
    delivery_id: Uuid,
) -> Result<Vec<webhook_attempt::Model>, ServiceError> {
    Ok(webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.eq(delivery_id))
        .order_by_asc(webhook_attempt::Column::Id)
        .all(db)
        .await?)
}

/// Sends a delivery again now, with the same `webhook-id` (receivers de-duplicate on it).
pub(crate) async fn replay(
    state: &AppState,
    viewer: &Viewer,
    delivery_id: Uuid,
) -> Result<webhook_delivery::Model, ServiceError> {
    require_admin(viewer)?;
    let delivery = find_in_team::<webhook_delivery::Entity>(&state.db, viewer.team_id, delivery_id)
        .await
        .map_err(|err| match err {
            ServiceError::NotFound => FieldError::new(
                "deliveryId",
                ErrorCode::NotFound,
                "There is no such delivery.",
            )
            .into(),
            other => other,
        })?;
    if let Some(endpoint_id) = delivery.endpoint_id
        && !webhook_endpoint::Entity::find_by_id(endpoint_id)
            .one(&state.db)
            .await?
            .is_some_and(|e| e.enabled)
    {
        return Err(FieldError::new(
            "deliveryId",
            ErrorCode::InvalidState,
            "Its endpoint is disabled; enable it first.",
        )
        .into());
    }
    let now = Utc::now();
    let mut row: webhook_delivery::ActiveModel = delivery.into();
    row.status = Set(DeliveryStatus::Pending);
    row.next_attempt_at = Set(Some(now));
    row.updated_at = Set(now);
    let replayed = row.update(&state.db).await?;
    // A job may still exist (a retry was scheduled); bring it forward, or make one.
    job::run_now(&state.db, job::WEBHOOK_DELIVER, replayed.id).await?;
    job::enqueue(&state.db, job::WEBHOOK_DELIVER, replayed.id, now).await?;
    state.work_ready.notify_one();
    Ok(replayed)
}

/// Logs an attempt and moves the delivery on, in one transaction that also announces
/// it (the delivery log in the UI follows live).
pub(crate) async fn record_attempt(
    state: &AppState,
    delivery: &webhook_delivery::Model,
    attempt: webhook_attempt::ActiveModel,
    status: DeliveryStatus,
    next_attempt_at: Option<chrono::DateTime<Utc>>,
) -> Result<(), ServiceError> {
    let now = Utc::now();
    let mut updated = delivery.clone();
    updated.status = status.to_owned();
    updated.attempts += 1;
    updated.next_attempt_at = next_attempt_at;
    updated.updated_at = now;
    let txn = state.db.begin().await?;
    attempt.insert(&txn).await?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, Expr::value(status))
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::value(updated.attempts),
        )
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(next_attempt_at),
        )
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_delivery::Column::Id.eq(delivery.id))
        .exec(&txn)
        .await?;
    let event = Event::DeliveryUpdated(DeliveryUpdated {
        delivery: std::sync::Arc::new(updated),
    });
    state.events.announce(&txn, &event).await?;
    txn.commit().await?;
    state.events.deliver(event);
    Ok(())
}

/// Turns an endpoint off (a 410, or deliveries that kept failing), saying why.
pub(crate) async fn disable_endpoint(
    db: &DatabaseConnection,
    endpoint_id: Uuid,
    because: DisabledBecause,
    reason: &str,
) -> Result<Option<webhook_endpoint::Model>, ServiceError> {
    let Some(endpoint) = webhook_endpoint::Entity::find_by_id(endpoint_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if !endpoint.enabled {
        return Ok(None);
    }
    let mut row: webhook_endpoint::ActiveModel = endpoint.into();
    row.enabled = Set(false);
    row.disabled_reason = Set(Some(reason.to_owned()));
    row.disabled_code = Set(Some(because));
    row.updated_at = Set(Utc::now());
    Ok(Some(row.update(db).await?))
}
