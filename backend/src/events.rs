//! Announces persisted changes to GraphQL subscribers, in this process and in every other
//! replica. (Outbound webhook deliveries do not go through here: they are rows written in
//! the change's own transaction and sent by `worker::delivery`.)
//!
//! A change is announced from inside the transaction that makes it: on PostgreSQL with
//! `pg_notify`, which the database delivers only if and when that transaction commits, to
//! every Kiln process listening on the same database. The notification carries ids only;
//! other processes read the rest from the database. The process that made the change
//! delivers it to its own subscribers right after the commit, from what it already has in
//! memory. SQLite serves one process, so there the local delivery is all there is.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::domain::task::TaskStatus;
use crate::entity::{campaign, generation_task, task_event, webhook_delivery, webhook_endpoint};

/// The PostgreSQL channel Kiln's processes talk on.
const CHANNEL: &str = "kiln_events";

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

/// A campaign's committed spend crossed its alert threshold.
#[derive(Debug, Clone)]
pub struct BudgetAlert {
    pub campaign: Arc<campaign::Model>,
    pub committed_micros: i64,
}

/// A webhook endpoint was switched off because its deliveries failed for good.
#[derive(Debug, Clone)]
pub struct EndpointDisabled {
    pub endpoint: Arc<webhook_endpoint::Model>,
}

/// A webhook delivery was attempted (and is delivered, failed, or waiting to retry).
#[derive(Debug, Clone)]
pub struct DeliveryUpdated {
    pub delivery: Arc<webhook_delivery::Model>,
}

#[derive(Debug, Clone)]
pub enum Event {
    Task(TaskChange),
    BudgetAlert(BudgetAlert),
    EndpointDisabled(EndpointDisabled),
    DeliveryUpdated(DeliveryUpdated),
}

/// What crosses process boundaries: ids only.
#[derive(Debug, Serialize, Deserialize)]
struct Note {
    /// The process that made the change (and delivered it locally already).
    origin: Uuid,
    #[serde(flatten)]
    subject: Subject,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Subject {
    Task { task: Uuid, event: Option<i64> },
    Budget { campaign: Uuid, committed: i64 },
    EndpointDisabled { endpoint: Uuid },
    Delivery { delivery: Uuid },
}

#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Event>,
    origin: Uuid,
    postgres: bool,
}

/// How many events a slow subscriber may fall behind before it misses some.
const CAPACITY: usize = 16_384;

impl EventBus {
    pub(crate) fn new(backend: DbBackend) -> Self {
        let (local, _) = broadcast::channel(CAPACITY);
        Self {
            local,
            origin: Uuid::new_v4(),
            postgres: backend == DbBackend::Postgres,
        }
    }

    /// Call inside the transaction that makes `event`'s change.
    pub(crate) async fn announce(
        &self,
        txn: &impl ConnectionTrait,
        event: &Event,
    ) -> Result<(), DbErr> {
        if !self.postgres {
            return Ok(());
        }
        let subject = match event {
            Event::Task(change) => Subject::Task {
                task: change.task.id,
                event: change.event_id,
            },
            Event::BudgetAlert(alert) => Subject::Budget {
                campaign: alert.campaign.id,
                committed: alert.committed_micros,
            },
            Event::EndpointDisabled(disabled) => Subject::EndpointDisabled {
                endpoint: disabled.endpoint.id,
            },
            Event::DeliveryUpdated(updated) => Subject::Delivery {
                delivery: updated.delivery.id,
            },
        };
        let payload = serde_json::to_string(&Note {
            origin: self.origin,
            subject,
        })
        .map_err(|e| DbErr::Custom(e.to_string()))?;
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        ))
        .await?;
        Ok(())
    }

    /// Call after the commit: delivers `event` to this process's subscribers.
    pub(crate) fn deliver(&self, event: Event) {
        // No subscriber is not an error: the change is stored.
        let _ = self.local.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }

    /// On PostgreSQL, listens for other processes' changes and delivers them here until
    /// `shutdown`.
    pub(crate) fn spawn_listener(
        &self,
        db: DatabaseConnection,
        shutdown: CancellationToken,
    ) -> Option<tokio::task::JoinHandle<()>> {
        if !self.postgres {
            return None;
        }
        let bus = self.clone();
        Some(tokio::spawn(async move {
            let pool = db.get_postgres_connection_pool().clone();
            loop {
                let mut listener = match sea_orm::sqlx::postgres::PgListener::connect_with(&pool)
                    .await
                {
                    Ok(listener) => listener,
                    Err(err) => {
                        tracing::warn!(error = %err, "could not listen for events; retrying");
                        tokio::select! {
                            () = shutdown.cancelled() => return,
                            () = tokio::time::sleep(std::time::Duration::from_secs(1)) => continue,
                        }
                    }
                };
                if let Err(err) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %err, "could not listen for events; retrying");
                    continue;
                }
                loop {
                    let notification = tokio::select! {
                        () = shutdown.cancelled() => return,
                        received = listener.recv() => received,
                    };
                    match notification {
                        Ok(notification) => bus.relay(&db, notification.payload()).await,
                        Err(err) => {
                            // sqlx reconnects on the next recv; changes in the gap are lost
                            // to live subscribers (the database still has them).
                            tracing::warn!(error = %err, "event listener lost its connection");
                            break;
                        }
                    }
                }
            }
        }))
    }

    /// Turns another process's note into a local event.
    async fn relay(&self, db: &DatabaseConnection, payload: &str) {
        let note: Note = match serde_json::from_str(payload) {
            Ok(note) => note,
            Err(err) => {
                tracing::warn!(error = %err, "ignoring a malformed event note");
                return;
            }
        };
        if note.origin == self.origin || self.local.receiver_count() == 0 {
            return;
        }
        match load(db, note.subject).await {
            Ok(Some(event)) => self.deliver(event),
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, "could not load an announced change"),
        }
    }
}

async fn load(db: &DatabaseConnection, subject: Subject) -> Result<Option<Event>, DbErr> {
    match subject {
        Subject::Task { task, event } => {
            let Some(mut task) = generation_task::Entity::find_by_id(task).one(db).await? else {
                return Ok(None);
            };
            let current = Some(task.status);
            let (from, to) = match event {
                Some(event_id) => match task_event::Entity::find_by_id(event_id).one(db).await? {
                    Some(row) => (row.from_status, Some(row.to_status)),
                    None => return Ok(None),
                },
                None => (current, current),
            };
            let Some(to) = to else { return Ok(None) };
            // The row may have moved on since; the event speaks of the moment it was made.
            task.status = to;
            Ok(Some(Event::Task(TaskChange {
                event_id: event,
                from,
                to,
                task: Arc::new(task),
            })))
        }
        Subject::Budget {
            campaign,
            committed,
        } => Ok(campaign::Entity::find_by_id(campaign)
            .one(db)
            .await?
            .map(|campaign| {
                Event::BudgetAlert(BudgetAlert {
                    campaign: Arc::new(campaign),
                    committed_micros: committed,
                })
            })),
        Subject::EndpointDisabled { endpoint } => {
            Ok(webhook_endpoint::Entity::find_by_id(endpoint)
                .one(db)
                .await?
                .map(|endpoint| {
                    Event::EndpointDisabled(EndpointDisabled {
                        endpoint: Arc::new(endpoint),
                    })
                }))
        }
        Subject::Delivery { delivery } => Ok(webhook_delivery::Entity::find_by_id(delivery)
            .one(db)
            .await?
            .map(|delivery| {
                Event::DeliveryUpdated(DeliveryUpdated {
                    delivery: Arc::new(delivery),
                })
            })),
    }
}
