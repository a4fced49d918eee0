//! The events Kiln sends to webhook endpoints and task callback URLs.

use serde::Serialize;

use crate::domain::stored_enum;
use crate::domain::task::{FailureReason, Stage, TaskKind, TaskStatus};

stored_enum! {
    /// What happened. Endpoints subscribe to a subset.
    #[graphql(name = "WebhookEventType")]
    #[expect(
        clippy::enum_variant_names,
        reason = "the names are the API's (`TASK_QUEUED`, …); renaming them changes the schema"
    )]
    pub enum EventType {
        #[strum(serialize = "task.queued")]
        #[serde(rename = "task.queued")]
        TaskQueued,
        #[strum(serialize = "task.processing")]
        #[serde(rename = "task.processing")]
        TaskProcessing,
        #[strum(serialize = "task.succeeded")]
        #[serde(rename = "task.succeeded")]
        TaskSucceeded,
        #[strum(serialize = "task.failed")]
        #[serde(rename = "task.failed")]
        TaskFailed,
        #[strum(serialize = "task.cancelled")]
        #[serde(rename = "task.cancelled")]
        TaskCancelled,
    }
}

impl EventType {
    /// The event a task's move to `status` announces, if any (`SUBMITTED` is internal
    /// bookkeeping: the upstream accepted it but has not started).
    pub fn for_status(status: TaskStatus) -> Option<Self> {
        match status {
            TaskStatus::Queued => Some(EventType::TaskQueued),
            TaskStatus::Submitted => None,
            TaskStatus::Processing => Some(EventType::TaskProcessing),
            TaskStatus::Succeeded => Some(EventType::TaskSucceeded),
            TaskStatus::Failed => Some(EventType::TaskFailed),
            TaskStatus::Cancelled => Some(EventType::TaskCancelled),
        }
    }
}

stored_enum! {
    /// Why an endpoint was turned off.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    #[graphql(name = "EndpointDisabledCode")]
    pub enum DisabledBecause {
        /// It answered 410 Gone.
        Gone,
        /// Deliveries kept failing until the retry schedule ran out.
        KeptFailing,
        /// An admin turned it off.
        ByAdmin,
    }
}

stored_enum! {
    /// Where a webhook delivery stands.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum DeliveryStatus {
        /// Waiting for its next attempt.
        Pending,
        Delivered,
        /// Given up, or refused (a private address, a disabled endpoint).
        Failed,
    }
}

/// The JSON body of a task event, as the Standard Webhooks spec shapes it: a type, a
/// timestamp and the data.
#[derive(Debug, Serialize)]
pub(crate) struct Envelope<T: Serialize> {
    #[serde(rename = "type")]
    pub event_type: &'static str,
    pub timestamp: String,
    pub data: T,
}

/// What a task event tells about the task.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TaskData {
    /// The task's GraphQL id, to fetch everything else with.
    pub id: String,
    pub status: TaskStatus,
    pub stage: Stage,
    pub kind: TaskKind,
    pub prompt: String,
    pub brief_id: String,
    pub campaign_id: String,
    pub failure_reason: Option<FailureReason>,
    pub failure_message: Option<String>,
    pub estimated_cost: String,
    pub actual_cost: Option<String>,
    pub currency: String,
    pub upstream_task_id: Option<String>,
    pub updated_at: String,
}
