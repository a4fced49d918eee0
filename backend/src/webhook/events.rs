//! The events Kiln sends to webhook endpoints and task callback URLs.

use serde::Serialize;

use crate::domain::string_enum;
use crate::domain::task::TaskStatus;

string_enum! {
    /// What happened. Endpoints subscribe to a subset.
    pub enum EventType {
        TaskQueued => "task.queued",
        TaskProcessing => "task.processing",
        TaskSucceeded => "task.succeeded",
        TaskFailed => "task.failed",
        TaskCancelled => "task.cancelled",
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

string_enum! {
    /// Why an endpoint was turned off.
    pub enum DisabledBecause {
        /// It answered 410 Gone.
        Gone => "GONE",
        /// Deliveries kept failing until the retry schedule ran out.
        KeptFailing => "KEPT_FAILING",
        /// An admin turned it off.
        ByAdmin => "BY_ADMIN",
    }
}

/// The JSON body of a task event, as the Standard Webhooks spec shapes it: a type, a
/// timestamp and the data.
#[derive(Debug, Serialize)]
pub struct Envelope<T: Serialize> {
    #[serde(rename = "type")]
    pub event_type: &'static str,
    pub timestamp: String,
    pub data: T,
}

/// What a task event tells about the task.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskData {
    /// The task's GraphQL id, to fetch everything else with.
    pub id: String,
    pub status: String,
    pub stage: String,
    pub kind: String,
    pub prompt: String,
    pub brief_id: String,
    pub campaign_id: String,
    pub failure_reason: Option<String>,
    pub failure_message: Option<String>,
    pub estimated_cost: String,
    pub actual_cost: Option<String>,
    pub currency: String,
    pub upstream_task_id: Option<String>,
    pub updated_at: String,
}
