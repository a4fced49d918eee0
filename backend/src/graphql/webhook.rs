//! Outbound webhooks in the API (admins): endpoints, their delivery log, replay and
//! secret rotation; the team's callback secret; a task's callback attempts.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;

use super::error::{UserError, state, to_graphql, user_error, user_errors, viewer};
use super::node::{NodeType, decode, encode};
use super::page::{PageArgs, connection};
use crate::domain::ErrorCode;
use crate::entity::{webhook_attempt, webhook_delivery, webhook_endpoint};
use crate::service::webhook::{self as service, EndpointChanges, NewEndpoint};

use crate::webhook::events::{DeliveryStatus, DisabledBecause, EventType};
/// A team's receiver of webhook events. Its secret is never readable after it was shown.
pub(crate) struct WebhookEndpoint(webhook_endpoint::Model);

impl WebhookEndpoint {
    pub(crate) fn new(model: webhook_endpoint::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl WebhookEndpoint {
    pub async fn id(&self) -> ID {
        encode(NodeType::WebhookEndpoint, self.0.id)
    }

    async fn url(&self) -> &str {
        &self.0.url
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Events as sent in the body's `type`, e.g. `task.succeeded`.
    async fn event_types(&self) -> Vec<EventType> {
        service::event_types_of(&self.0).into_iter().collect()
    }

    async fn enabled(&self) -> bool {
        self.0.enabled
    }

    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }

    /// Why it is off, for clients to translate and branch on; null while enabled (and
    /// for endpoints turned off before codes were kept).
    async fn disabled_code(&self) -> Option<DisabledBecause> {
        self.0.disabled_code
    }

    /// Until when the secret replaced by the last rotation still signs.
    async fn previous_secret_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0
            .previous_secret
            .as_ref()
            .and(self.0.previous_secret_expires_at)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The delivery log, newest first.
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, WebhookDelivery>> {
        deliveries_page(ctx, Some(self.0.id), None, first, after).await
    }
}

/// One event sent (or being sent) to one URL.
pub(crate) struct WebhookDelivery(webhook_delivery::Model);

impl WebhookDelivery {
    pub(crate) fn new(model: webhook_delivery::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl WebhookDelivery {
    pub async fn id(&self) -> ID {
        encode(NodeType::WebhookDelivery, self.0.id)
    }

    /// The endpoint it goes to; null for a task's own `callbackUrl`.
    async fn endpoint_id(&self) -> Option<ID> {
        self.0
            .endpoint_id
            .map(|id| encode(NodeType::WebhookEndpoint, id))
    }

    /// The task the event is about.
    async fn task_id(&self) -> Option<ID> {
        self.0.task_id.map(|id| encode(NodeType::Task, id))
    }

    /// The `webhook-id` header: the same on every attempt.
    async fn message_id(&self) -> &str {
        &self.0.message_id
    }

    async fn event_type(&self) -> &'static str {
        self.0.event_type.into()
    }

    async fn url(&self) -> &str {
        &self.0.url
    }

    async fn status(&self) -> DeliveryStatus {
        self.0.status
    }

    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == DeliveryStatus::Pending)
            .then_some(self.0.next_attempt_at)
            .flatten()
    }

    /// The JSON body that is sent.
    async fn payload(&self) -> &str {
        &self.0.payload
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Every attempt, oldest first.
    async fn attempts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<WebhookAttempt>> {
        let attempts = service::attempts(&state(ctx)?.db, self.0.id)
            .await
            .map_err(to_graphql)?;
        Ok(attempts.into_iter().map(WebhookAttempt).collect())
    }
}

pub(crate) struct WebhookAttempt(webhook_attempt::Model);

#[Object]
impl WebhookAttempt {
    async fn at(&self) -> DateTime<Utc> {
        self.0.attempted_at
    }

    /// The receiver's HTTP status, if it answered.
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }

    async fn latency_ms(&self) -> i32 {
        self.0.latency_ms
    }

    /// The start of the receiver's answer.
    async fn response_excerpt(&self) -> Option<&str> {
        self.0.response_excerpt.as_deref()
    }

    /// Why no answer came (timeout, refused address, …).
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }

    async fn next_retry_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_retry_at
    }
}

pub(crate) async fn deliveries_page(
    ctx: &Context<'_>,
    endpoint_id: Option<uuid::Uuid>,
    task_id: Option<uuid::Uuid>,
    first: i32,
    after: Option<String>,
) -> async_graphql::Result<Connection<String, WebhookDelivery>> {
    let (state, viewer) = (state(ctx)?, viewer(ctx)?);
    let args = PageArgs::parse(first, after.as_deref())?;
    let page = service::deliveries(
        &state.db,
        viewer,
        endpoint_id,
        task_id,
        args.first,
        args.after,
    )
    .await
    .map_err(to_graphql)?;
    connection(&args, page, |d| d.id, |d| Ok(WebhookDelivery(d)))
}

#[derive(Default)]
pub(crate) struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The team's webhook endpoints (admins).
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WebhookEndpoint>> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let endpoints = service::list_endpoints(&state.db, viewer)
            .await
            .map_err(to_graphql)?;
        Ok(endpoints.into_iter().map(WebhookEndpoint).collect())
    }
}

#[derive(InputObject)]
pub(crate) struct CreateWebhookEndpointInput {
    /// A public http(s) URL.
    pub url: String,
    pub event_types: Vec<EventType>,
    pub description: Option<String>,
}

/// An endpoint with its signing secret, which is shown only here.
#[derive(SimpleObject)]
pub(crate) struct WebhookEndpointSecretPayload {
    pub endpoint: Option<WebhookEndpoint>,
    /// `whsec_…`: keep it now, it is never shown again.
    pub secret: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub(crate) struct UpdateWebhookEndpointInput {
    pub endpoint_id: ID,
    pub url: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(SimpleObject)]
pub(crate) struct WebhookEndpointPayload {
    pub endpoint: Option<WebhookEndpoint>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub(crate) struct WebhookEndpointIdInput {
    pub endpoint_id: ID,
}

#[derive(SimpleObject)]
pub(crate) struct DeleteWebhookEndpointPayload {
    pub deleted_endpoint_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub(crate) struct ReplayWebhookDeliveryInput {
    pub delivery_id: ID,
}

#[derive(SimpleObject)]
pub(crate) struct ReplayWebhookDeliveryPayload {
    pub delivery: Option<WebhookDelivery>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub(crate) struct CallbackSecretPayload {
    /// `whsec_…` that signs callbacks to tasks' `callbackUrl`s: keep it now, it is never
    /// shown again. The previous one keeps signing for a day.
    pub secret: String,
}

fn not_found(field: &'static str) -> Vec<UserError> {
    vec![user_error(
        ErrorCode::NotFound,
        field,
        "There is no such webhook endpoint.",
    )]
}

#[derive(Default)]
pub(crate) struct WebhookMutation;

#[Object]
impl WebhookMutation {
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookEndpointInput,
    ) -> async_graphql::Result<WebhookEndpointSecretPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let types: Vec<_> = input.event_types.into_iter().collect();
        let new = NewEndpoint {
            url: &input.url,
            event_types: &types,
            description: input.description.as_deref(),
        };
        Ok(
            match user_errors(service::create_endpoint(state, viewer, new).await)? {
                Ok((endpoint, secret)) => WebhookEndpointSecretPayload {
                    endpoint: Some(WebhookEndpoint(endpoint)),
                    secret: Some(secret.expose_secret().to_owned()),
                    user_errors: Vec::new(),
                },
                Err(errors) => WebhookEndpointSecretPayload {
                    endpoint: None,
                    secret: None,
                    user_errors: errors,
                },
            },
        )
    }

    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookEndpointInput,
    ) -> async_graphql::Result<WebhookEndpointPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let Ok(id) = decode(&input.endpoint_id, NodeType::WebhookEndpoint) else {
            return Ok(WebhookEndpointPayload {
                endpoint: None,
                user_errors: not_found("endpointId"),
            });
        };
        let types: Option<Vec<_>> = input.event_types.map(|t| t.into_iter().collect());
        let changes = EndpointChanges {
            url: input.url.as_deref(),
            event_types: types.as_deref(),
            description: input.description.as_deref(),
            enabled: input.enabled,
        };
        Ok(
            match user_errors(service::update_endpoint(state, viewer, id, changes).await)? {
                Ok(endpoint) => WebhookEndpointPayload {
                    endpoint: Some(WebhookEndpoint(endpoint)),
                    user_errors: Vec::new(),
                },
                Err(errors) => WebhookEndpointPayload {
                    endpoint: None,
                    user_errors: errors,
                },
            },
        )
    }

    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointIdInput,
    ) -> async_graphql::Result<DeleteWebhookEndpointPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let Ok(id) = decode(&input.endpoint_id, NodeType::WebhookEndpoint) else {
            return Ok(DeleteWebhookEndpointPayload {
                deleted_endpoint_id: None,
                user_errors: not_found("endpointId"),
            });
        };
        match service::delete_endpoint(&state.db, viewer, id).await {
            Ok(()) => Ok(DeleteWebhookEndpointPayload {
                deleted_endpoint_id: Some(input.endpoint_id),
                user_errors: Vec::new(),
            }),
            Err(crate::service::ServiceError::NotFound) => Ok(DeleteWebhookEndpointPayload {
                deleted_endpoint_id: None,
                user_errors: not_found("endpointId"),
            }),
            Err(other) => Err(to_graphql(other)),
        }
    }

    /// A new signing secret; the old one keeps signing alongside it for a day, so
    /// receivers can switch without missing a message.
    async fn rotate_webhook_endpoint_secret(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointIdInput,
    ) -> async_graphql::Result<WebhookEndpointSecretPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let Ok(id) = decode(&input.endpoint_id, NodeType::WebhookEndpoint) else {
            return Ok(WebhookEndpointSecretPayload {
                endpoint: None,
                secret: None,
                user_errors: not_found("endpointId"),
            });
        };
        match service::rotate_endpoint_secret(state, viewer, id).await {
            Ok((endpoint, secret)) => Ok(WebhookEndpointSecretPayload {
                endpoint: Some(WebhookEndpoint(endpoint)),
                secret: Some(secret.expose_secret().to_owned()),
                user_errors: Vec::new(),
            }),
            Err(crate::service::ServiceError::NotFound) => Ok(WebhookEndpointSecretPayload {
                endpoint: None,
                secret: None,
                user_errors: not_found("endpointId"),
            }),
            Err(other) => Err(to_graphql(other)),
        }
    }

    /// Sends a delivery again now, with the same `webhook-id`.
    async fn replay_webhook_delivery(
        &self,
        ctx: &Context<'_>,
        input: ReplayWebhookDeliveryInput,
    ) -> async_graphql::Result<ReplayWebhookDeliveryPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let Ok(id) = decode(&input.delivery_id, NodeType::WebhookDelivery) else {
            return Ok(ReplayWebhookDeliveryPayload {
                delivery: None,
                user_errors: vec![user_error(
                    ErrorCode::NotFound,
                    "deliveryId",
                    "There is no such delivery.",
                )],
            });
        };
        Ok(
            match user_errors(service::replay(state, viewer, id).await)? {
                Ok(delivery) => ReplayWebhookDeliveryPayload {
                    delivery: Some(WebhookDelivery(delivery)),
                    user_errors: Vec::new(),
                },
                Err(errors) => ReplayWebhookDeliveryPayload {
                    delivery: None,
                    user_errors: errors,
                },
            },
        )
    }

    /// Creates or rotates the secret that signs callbacks to tasks' `callbackUrl`s.
    async fn rotate_callback_secret(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<CallbackSecretPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let secret = service::rotate_callback_secret(state, viewer)
            .await
            .map_err(to_graphql)?;
        Ok(CallbackSecretPayload {
            secret: secret.expose_secret().to_owned(),
        })
    }
}
