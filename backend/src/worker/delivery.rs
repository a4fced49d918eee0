//! One attempt at an outbound webhook delivery, and what follows from its answer:
//! delivered (2xx), endpoint gone (410: the endpoint is disabled), or another try on the
//! configured schedule (honouring `Retry-After`) until the schedule runs out and the
//! endpoint is disabled.

use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use sea_orm::{EntityTrait, Set};

use super::Next;
use crate::entity::{webhook_attempt, webhook_delivery};
use crate::events::{EndpointDisabled, Event};
use crate::net::FetchError;
use crate::service::ServiceError;
use crate::service::webhook;
use crate::state::AppState;
use crate::webhook::events::{DeliveryStatus, DisabledBecause};
use crate::webhook::signature;

/// How much of a receiver's answer is kept in the log.
const EXCERPT_CHARS: usize = 1_000;

fn cut(text: &str) -> String {
    text.chars().take(EXCERPT_CHARS).collect()
}

pub(super) async fn deliver(
    state: &AppState,
    delivery_id: uuid::Uuid,
) -> Result<Next, ServiceError> {
    let Some(delivery) = webhook_delivery::Entity::find_by_id(delivery_id)
        .one(&state.db)
        .await?
    else {
        return Ok(Next::Done);
    };
    if delivery.status != DeliveryStatus::Pending {
        return Ok(Next::Done);
    }
    let started = Utc::now();
    let attempt = |status_code: Option<i32>,
                   latency: Duration,
                   excerpt: Option<String>,
                   error: Option<String>,
                   next| webhook_attempt::ActiveModel {
        id: sea_orm::NotSet,
        delivery_id: Set(delivery.id),
        attempted_at: Set(started),
        status_code: Set(status_code),
        latency_ms: Set(latency.as_millis().min(i32::MAX as u128) as i32),
        response_excerpt: Set(excerpt),
        error: Set(error),
        next_retry_at: Set(next),
    };

    let secrets = match webhook::signing_secrets(state, &delivery).await {
        Ok(Some(secrets)) => Ok(secrets),
        Ok(None) if delivery.endpoint_id.is_some() => {
            Err("the endpoint is disabled or gone".to_owned())
        }
        Ok(None) => Err("the team has no callback signing secret".to_owned()),
        // Waiting will not help: the secret has to be rotated.
        Err(ServiceError::Sealed(err)) => Err(format!("{err}; rotate the signing secret")),
        Err(other) => return Err(other),
    };
    let secrets = match secrets {
        Ok(secrets) => secrets,
        Err(why) => {
            webhook::record_attempt(
                state,
                &delivery,
                attempt(None, Duration::ZERO, None, Some(why), None),
                DeliveryStatus::Failed,
                None,
            )
            .await?;
            return Ok(Next::Done);
        }
    };
    let timestamp = started.timestamp();
    let secret_refs: Vec<_> = secrets.iter().collect();
    let signature = signature::sign(
        &secret_refs,
        &delivery.message_id,
        timestamp,
        delivery.payload.as_bytes(),
    )
    .map_err(|e| ServiceError::Corrupt(format!("a stored signing secret is malformed: {e}")))?;

    let clock = Instant::now();
    let sent = match state.http.check(&delivery.url) {
        Ok(url) => {
            let request = state
                .http
                .client()
                .post(url)
                .header("content-type", "application/json")
                .header("webhook-id", &delivery.message_id)
                .header("webhook-timestamp", timestamp.to_string())
                .header("webhook-signature", signature)
                .body(delivery.payload.clone());
            state.http.send(request).await
        }
        Err(err) => Err(err),
    };
    let (status_code, excerpt, error, retry_after) = match sent {
        Ok(response) => {
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = state
                .http
                .read_body(response)
                .await
                .map(|b| cut(&String::from_utf8_lossy(&b)))
                .ok();
            (Some(status), body, None, retry_after)
        }
        Err(FetchError::Refused(why)) => {
            // Not a passing failure: the address will not become public by waiting.
            let error = format!("refused: {why}");
            webhook::record_attempt(
                state,
                &delivery,
                attempt(None, clock.elapsed(), None, Some(error), None),
                DeliveryStatus::Failed,
                None,
            )
            .await?;
            return Ok(Next::Done);
        }
        Err(other) => (None, None, Some(other.to_string()), None),
    };
    let latency = clock.elapsed();
    let code = status_code.map(|s| i32::from(s.as_u16()));

    // What this attempt means: delivered, retried after a wait, or given up on (and
    // then, for an endpoint, why it is turned off).
    let (status, retry_in, disable_because) = if status_code.is_some_and(|s| s.is_success()) {
        (DeliveryStatus::Delivered, None, None)
    } else if status_code == Some(StatusCode::GONE) {
        let why = "The endpoint answered 410 Gone.".to_owned();
        (
            DeliveryStatus::Failed,
            None,
            Some((DisabledBecause::Gone, why)),
        )
    } else {
        let schedule = &state.config.webhook_retry_schedule_secs;
        let next_index = delivery.attempts as usize + 1;
        match schedule.get(next_index) {
            Some(wait) => {
                let wait = Duration::from_secs(*wait).max(retry_after.unwrap_or(Duration::ZERO));
                (DeliveryStatus::Pending, Some(wait), None)
            }
            None => {
                let why = format!("Deliveries kept failing: gave up after {next_index} attempts.");
                (
                    DeliveryStatus::Failed,
                    None,
                    Some((DisabledBecause::KeptFailing, why)),
                )
            }
        }
    };
    let next_at = retry_in.map(|wait| Utc::now() + wait);
    webhook::record_attempt(
        state,
        &delivery,
        attempt(code, latency, excerpt, error, next_at),
        status,
        next_at,
    )
    .await?;
    if let (Some(endpoint_id), Some((because, why))) = (delivery.endpoint_id, disable_because) {
        disable(state, endpoint_id, because, &why).await?;
    }
    Ok(retry_in.map_or(Next::Done, Next::After))
}

async fn disable(
    state: &AppState,
    endpoint_id: uuid::Uuid,
    because: DisabledBecause,
    reason: &str,
) -> Result<(), ServiceError> {
    if let Some(endpoint) =
        webhook::disable_endpoint(&state.db, endpoint_id, because, reason).await?
    {
        tracing::warn!(endpoint_id = %endpoint.id, reason, "webhook endpoint disabled");
        let event = Event::EndpointDisabled(EndpointDisabled {
            endpoint: std::sync::Arc::new(endpoint),
        });
        state.events.announce(&state.db, &event).await?;
        state.events.deliver(event);
    }
    Ok(())
}
