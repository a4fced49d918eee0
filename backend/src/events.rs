//! Announces persisted task changes to whoever listens (GraphQL subscriptions).
//!
//! A change is published only after the transaction that made it has committed, so a
//! subscriber never sees a state that a crash could take back.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::domain::task::TaskStatus;
use crate::entity::generation_task;

/// One change to a task: a status transition (`event_id` set, from the task's history),
/// or a progress update within the same status.
#[derive(Debug, Clone)]
pub struct TaskChange {
    pub event_id: Option<i64>,
    pub from: Option<TaskStatus>,
    pub to: TaskStatus,
    /// The task as it was right after this change.
    pub task: Arc<generation_task::Model>,
}

/// In-process fan-out of [`TaskChange`]s.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<TaskChange>,
}

/// How many changes a slow subscriber may fall behind before it misses some.
const CAPACITY: usize = 4096;

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(CAPACITY);
        Self { sender }
    }

    pub fn publish(&self, change: TaskChange) {
        // No subscriber is not an error: the change is already stored.
        let _ = self.sender.send(change);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<TaskChange> {
        self.sender.subscribe()
    }
}
