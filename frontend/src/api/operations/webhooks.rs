//! Outbound webhooks: the team's endpoints (admins), their delivery logs and replays,
//! the team's callback secret, a task's callbacks, and the live feeds of both.

pub use super::schema::{
    CreateWebhookEndpoint, DeleteWebhookEndpoint, EndpointDeliveries, ReplayWebhookDelivery,
    RotateCallbackSecret, RotateWebhookEndpointSecret, TaskCallbacks, UpdateWebhookEndpoint,
    WebhookDeliveryUpdated, WebhookEndpointDisabled, WebhookEndpoints, create_webhook_endpoint,
    delete_webhook_endpoint, endpoint_deliveries, replay_webhook_delivery, rotate_callback_secret,
    rotate_webhook_endpoint_secret, task_callbacks, update_webhook_endpoint,
    webhook_delivery_updated, webhook_endpoint_disabled, webhook_endpoints,
};
use crate::api::{ApiError, graphql_query};
use crate::model::{Attempt, Delivery, EventType, OrUnknown, Secret, UserError, WebhookEndpoint};

from_fragment!(
    [
        webhook_endpoints,
        create_webhook_endpoint,
        update_webhook_endpoint,
        rotate_webhook_endpoint_secret,
        webhook_endpoint_disabled
    ],
    |e: EndpointFields| -> WebhookEndpoint {
        WebhookEndpoint {
            id: e.id,
            url: e.url,
            description: e.description,
            // Events this build does not know cannot be offered in the form either, so
            // they are left out rather than shown blank.
            event_types: WebhookEndpoint::normalise_events(
                e.event_types
                    .into_iter()
                    .filter_map(OrUnknown::known)
                    .collect(),
            ),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            disabled_code: e.disabled_code.and_then(OrUnknown::known),
            previous_secret_expires_at: e.previous_secret_expires_at,
            created_at: e.created_at,
        }
    }
);

from_fragment!(
    [
        endpoint_deliveries,
        task_callbacks,
        replay_webhook_delivery,
        webhook_delivery_updated
    ],
    |d: DeliveryFields| -> Delivery {
        Delivery {
            id: d.id,
            task_id: d.task_id,
            message_id: d.message_id,
            event_type: d.event_type,
            url: d.url,
            status: d.status.known(),
            next_attempt_at: d.next_attempt_at,
            payload: d.payload,
            created_at: d.created_at,
            attempts: d
                .attempts
                .into_iter()
                .map(|a| Attempt {
                    at: a.at,
                    status_code: a.status_code,
                    latency_ms: a.latency_ms,
                    response_excerpt: a.response_excerpt,
                    error: a.error,
                    next_retry_at: a.next_retry_at,
                })
                .collect(),
        }
    }
);

/// The team's endpoints, oldest first.
pub async fn fetch_endpoints() -> Result<Vec<WebhookEndpoint>, ApiError> {
    let data = graphql_query::<WebhookEndpoints>(webhook_endpoints::Variables {}).await?;
    Ok(data.webhook_endpoints.into_iter().map(Into::into).collect())
}

/// What a new endpoint, or a change to one, asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointInput {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<EventType>,
}

/// An endpoint with the secret that signs what it receives, which the server shows
/// this once.
#[derive(Clone, Debug)]
pub struct WithSecret {
    pub endpoint: WebhookEndpoint,
    pub secret: Secret,
}

/// The payload of the two mutations that hand out a secret.
macro_rules! with_secret {
    ($p:expr) => {{
        let p = $p;
        if !p.user_errors.is_empty() {
            return Ok(Err(user_errors!(p.user_errors)));
        }
        match (p.endpoint, p.secret) {
            (Some(endpoint), Some(secret)) => Ok(Ok(WithSecret {
                endpoint: endpoint.into(),
                secret: Secret::new(secret),
            })),
            _ => Err(ApiError::NoData),
        }
    }};
}

pub async fn create_endpoint(
    input: EndpointInput,
) -> Result<Result<WithSecret, Vec<UserError>>, ApiError> {
    let data = graphql_query::<CreateWebhookEndpoint>(create_webhook_endpoint::Variables {
        input: create_webhook_endpoint::CreateWebhookEndpointInput {
            url: input.url,
            event_types: input.event_types.into_iter().map(Into::into).collect(),
            description: input.description,
        },
    })
    .await?;
    with_secret!(data.create_webhook_endpoint)
}

/// A change to an endpoint; `None` leaves a part as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointChanges {
    pub url: Option<String>,
    /// `Some("")` clears the description.
    pub description: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    /// Enabling again also clears why it was disabled.
    pub enabled: Option<bool>,
}

pub async fn update_endpoint(
    endpoint_id: String,
    changes: EndpointChanges,
) -> Result<Result<WebhookEndpoint, Vec<UserError>>, ApiError> {
    let data = graphql_query::<UpdateWebhookEndpoint>(update_webhook_endpoint::Variables {
        input: update_webhook_endpoint::UpdateWebhookEndpointInput {
            endpoint_id,
            url: changes.url,
            event_types: changes
                .event_types
                .map(|types| types.into_iter().map(Into::into).collect()),
            description: changes.description,
            enabled: changes.enabled,
        },
    })
    .await?;
    let p = data.update_webhook_endpoint;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors!(p.user_errors)));
    }
    p.endpoint.map(|e| Ok(e.into())).ok_or(ApiError::NoData)
}

pub async fn delete_endpoint(endpoint_id: String) -> Result<Result<(), Vec<UserError>>, ApiError> {
    let data = graphql_query::<DeleteWebhookEndpoint>(delete_webhook_endpoint::Variables {
        input: delete_webhook_endpoint::WebhookEndpointIdInput { endpoint_id },
    })
    .await?;
    let p = data.delete_webhook_endpoint;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors!(p.user_errors)));
    }
    Ok(Ok(()))
}

/// A new secret for the endpoint; the old one keeps signing until
/// `previous_secret_expires_at`.
pub async fn rotate_endpoint_secret(
    endpoint_id: String,
) -> Result<Result<WithSecret, Vec<UserError>>, ApiError> {
    let data =
        graphql_query::<RotateWebhookEndpointSecret>(rotate_webhook_endpoint_secret::Variables {
            input: rotate_webhook_endpoint_secret::WebhookEndpointIdInput { endpoint_id },
        })
        .await?;
    with_secret!(data.rotate_webhook_endpoint_secret)
}

/// The team's first callback secret, or a new one (the old one keeps signing for a
/// day); shown this once.
pub async fn rotate_callback_secret() -> Result<Secret, ApiError> {
    let data = graphql_query::<RotateCallbackSecret>(rotate_callback_secret::Variables {}).await?;
    Ok(Secret::new(data.rotate_callback_secret.secret))
}

/// Whose deliveries a log lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliverySource {
    /// An endpoint's (admins). The live feed does not say which endpoint a delivery
    /// went to, so its URL tells which unseen deliveries may belong here.
    Endpoint { id: String, url: String },
    /// A task's: to its callback URL and to the team's endpoints.
    Task { id: String },
}

/// One page of a delivery log, newest first.
#[derive(Clone, Debug, Default)]
pub struct DeliveryPage {
    pub deliveries: Vec<Delivery>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<String>,
}

/// Enough to fill a screen; older ones are a click away.
pub const DELIVERY_PAGE_SIZE: i64 = 20;

/// The next page after `after` of the source's deliveries.
pub async fn fetch_deliveries(
    source: &DeliverySource,
    after: Option<String>,
) -> Result<DeliveryPage, ApiError> {
    match source {
        DeliverySource::Endpoint { id, .. } => {
            let data = graphql_query::<EndpointDeliveries>(endpoint_deliveries::Variables {
                first: DELIVERY_PAGE_SIZE,
                after,
            })
            .await?;
            // An endpoint deleted meanwhile has an empty log.
            let Some(endpoint) = data.webhook_endpoints.into_iter().find(|e| e.id == *id) else {
                return Ok(DeliveryPage::default());
            };
            let page = endpoint.deliveries;
            Ok(DeliveryPage {
                deliveries: page.edges.into_iter().map(|e| e.node.into()).collect(),
                next: page
                    .page_info
                    .has_next_page
                    .then_some(page.page_info.end_cursor)
                    .flatten(),
            })
        }
        DeliverySource::Task { id } => {
            let data = graphql_query::<TaskCallbacks>(task_callbacks::Variables {
                id: id.clone(),
                first: DELIVERY_PAGE_SIZE,
                after,
            })
            .await?;
            let Some(task) = data.task else {
                return Ok(DeliveryPage::default());
            };
            let page = task.callback_deliveries;
            Ok(DeliveryPage {
                deliveries: page.edges.into_iter().map(|e| e.node.into()).collect(),
                next: page
                    .page_info
                    .has_next_page
                    .then_some(page.page_info.end_cursor)
                    .flatten(),
            })
        }
    }
}

/// Sends a delivery again now, with the same `webhook-id`. The answer is the delivery
/// waiting for that attempt; the attempt itself arrives on the live feed.
pub async fn replay_delivery(
    delivery_id: String,
) -> Result<Result<Delivery, Vec<UserError>>, ApiError> {
    let data = graphql_query::<ReplayWebhookDelivery>(replay_webhook_delivery::Variables {
        input: replay_webhook_delivery::ReplayWebhookDeliveryInput { delivery_id },
    })
    .await?;
    let p = data.replay_webhook_delivery;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors!(p.user_errors)));
    }
    p.delivery.map(|d| Ok(d.into())).ok_or(ApiError::NoData)
}

/// The live feed of logged attempts: the team's, or only a task's.
pub fn delivery_updated_variables(task_id: Option<String>) -> webhook_delivery_updated::Variables {
    webhook_delivery_updated::Variables { task_id }
}

pub fn updated_delivery(data: webhook_delivery_updated::ResponseData) -> Delivery {
    data.webhook_delivery_updated.into()
}

pub fn disabled_endpoint(data: webhook_endpoint_disabled::ResponseData) -> WebhookEndpoint {
    data.webhook_endpoint_disabled.into()
}
