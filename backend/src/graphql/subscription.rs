//! Live task status over `graphql-transport-ws`, with the same team isolation as the
//! queries: a subscriber only ever sees changes to its own team's tasks.

use async_graphql::{Context, Enum, ID, InputObject, Object, Subscription as SubscriptionDerive};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::campaign::{Campaign, Money};
use super::error::{state, to_graphql, viewer};
use super::node::{NodeType, decode};
use super::task::Task;
use crate::domain::task::{Stage, TaskKind, TaskStatus};
use crate::events::{Event, TaskChange};
use crate::service::{ServiceError, task};

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum TaskEventKind {
    /// The task moved to another status (and the move is in its history).
    Transition,
    /// Progress changed within the same status.
    Progress,
}

/// A change to a task.
pub(crate) struct TaskEvent {
    kind: TaskEventKind,
    from: Option<TaskStatus>,
    to: TaskStatus,
    task: Task,
}

#[Object]
impl TaskEvent {
    async fn kind(&self) -> TaskEventKind {
        self.kind
    }

    async fn from_status(&self) -> Option<TaskStatus> {
        self.from
    }

    async fn to_status(&self) -> TaskStatus {
        self.to
    }

    /// The task as it was right after this change.
    async fn task(&self) -> &Task {
        &self.task
    }
}

impl TaskEvent {
    fn from_change(change: TaskChange) -> Result<Self, ServiceError> {
        Ok(Self {
            kind: if change.event_id.is_some() {
                TaskEventKind::Transition
            } else {
                TaskEventKind::Progress
            },
            from: change.from,
            to: change.to,
            task: Task::from_arc(change.task)?,
        })
    }
}

#[derive(InputObject, Default)]
pub(crate) struct TaskEventFilter {
    /// Only tasks the viewer submitted.
    #[graphql(default)]
    pub mine: bool,
    pub kind: Option<Vec<TaskKind>>,
    pub stage: Option<Vec<Stage>>,
    /// Only tasks of this campaign.
    pub campaign_id: Option<ID>,
    /// Only tasks of this brief.
    pub brief_id: Option<ID>,
}

/// A campaign's committed spend crossed its alert threshold.
pub(crate) struct BudgetAlert {
    campaign: Campaign,
    committed: Money,
}

#[Object]
impl BudgetAlert {
    async fn campaign(&self) -> &Campaign {
        &self.campaign
    }

    /// Charged costs plus estimates of running tasks, when the threshold was crossed.
    async fn committed(&self) -> &Money {
        &self.committed
    }
}

pub(crate) struct Subscription;

#[SubscriptionDerive]
impl Subscription {
    /// The task as it is now, then again after every change, until it reaches a terminal
    /// status.
    async fn task_updated(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Task>> + use<>> {
        let (state, viewer) = (state(ctx)?.clone(), viewer(ctx)?.clone());
        let task_id = decode(&id, NodeType::Task)?;
        // Listen before reading, so that no change falls between the two.
        let mut changes = state.events.subscribe();
        let current = task::get(&state.db, &viewer, task_id)
            .await
            .map_err(to_graphql)?;
        Ok(async_stream::stream! {
            let mut latest = current;
            let mut terminal = task_is_terminal(&latest);
            yield Task::new(latest.clone()).map_err(to_graphql);
            while !terminal {
                match changes.recv().await {
                    Ok(Event::Task(change)) if change.task.id == task_id && change.task.updated_at >= latest.updated_at => {
                        latest = (*change.task).clone();
                        terminal = change.to.is_terminal();
                        yield Task::from_arc(change.task).map_err(to_graphql);
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(missed)) => {
                        // Fell behind: what was missed is gone from the channel, but the
                        // database has the present state.
                        tracing::warn!(missed, "a task subscription fell behind; resending the current state");
                        match task::get(&state.db, &viewer, task_id).await {
                            Ok(now) => {
                                terminal = task_is_terminal(&now);
                                latest = now.clone();
                                yield Task::new(now).map_err(to_graphql);
                            }
                            Err(err) => {
                                yield Err(to_graphql(err));
                                break;
                            }
                        }
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        })
    }

    /// Every change to the team's tasks (optionally only the viewer's own), as it
    /// happens.
    async fn task_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskEventFilter>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<TaskEvent>> + use<>> {
        let (state, viewer) = (state(ctx)?.clone(), viewer(ctx)?.clone());
        let filter = filter.unwrap_or_default();
        let filter = task::TaskFilter {
            statuses: None,
            kinds: filter.kind.map(|k| k.into_iter().collect()),
            stages: filter.stage.map(|k| k.into_iter().collect()),
            campaign_id: filter
                .campaign_id
                .as_ref()
                .map(|id| decode(id, NodeType::Campaign))
                .transpose()?,
            brief_id: filter
                .brief_id
                .as_ref()
                .map(|id| decode(id, NodeType::Brief))
                .transpose()?,
            mine: filter.mine,
        };
        let mut changes = state.events.subscribe();
        Ok(async_stream::stream! {
            loop {
                match changes.recv().await {
                    Ok(Event::Task(change)) if filter.matches(&viewer, &change.task) => {
                        yield TaskEvent::from_change(change).map_err(to_graphql);
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(missed)) => {
                        // Ending the stream tells the client to re-read and resubscribe,
                        // which beats silently missing changes.
                        tracing::warn!(missed, "a task event subscription fell behind; ending it");
                        break;
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        })
    }

    /// Webhook endpoints of the team switched off because deliveries failed for good
    /// (admins).
    async fn webhook_endpoint_disabled(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = super::webhook::WebhookEndpoint> + use<>> {
        let viewer = viewer(ctx)?.clone();
        if !viewer.roles.contains(crate::domain::account::Role::Admin) {
            return Err(to_graphql(ServiceError::Forbidden(
                "only admins manage webhooks",
            )));
        }
        let mut changes = state(ctx)?.events.subscribe();
        Ok(async_stream::stream! {
            loop {
                match changes.recv().await {
                    Ok(Event::EndpointDisabled(disabled)) if disabled.endpoint.team_id == viewer.team_id => {
                        yield super::webhook::WebhookEndpoint::new((*disabled.endpoint).clone());
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                }
            }
        })
    }

    /// Every attempt at a webhook delivery of the team as it is logged (admins), or
    /// only those about one task (any member, as `Task.callbackDeliveries`).
    async fn webhook_delivery_updated(
        &self,
        ctx: &Context<'_>,
        task_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = super::webhook::WebhookDelivery> + use<>> {
        let viewer = viewer(ctx)?.clone();
        let task_id = task_id
            .as_ref()
            .map(|id| decode(id, NodeType::Task))
            .transpose()?;
        crate::service::webhook::may_read_log(&viewer, task_id).map_err(to_graphql)?;
        let mut changes = state(ctx)?.events.subscribe();
        Ok(async_stream::stream! {
            loop {
                match changes.recv().await {
                    Ok(Event::DeliveryUpdated(updated))
                        if updated.delivery.team_id == viewer.team_id
                            && task_id.is_none_or(|id| updated.delivery.task_id == Some(id)) =>
                    {
                        yield super::webhook::WebhookDelivery::new((*updated.delivery).clone());
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                }
            }
        })
    }

    /// Campaigns of the team whose committed spend crosses their alert threshold.
    async fn budget_alerts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = BudgetAlert> + use<>> {
        let viewer = viewer(ctx)?.clone();
        let mut changes = state(ctx)?.events.subscribe();
        Ok(async_stream::stream! {
            loop {
                match changes.recv().await {
                    Ok(Event::BudgetAlert(alert)) if alert.campaign.team_id == viewer.team_id => {
                        yield BudgetAlert {
                            committed: Money::new(alert.committed_micros, &alert.campaign.currency),
                            campaign: Campaign::new((*alert.campaign).clone()),
                        };
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                }
            }
        })
    }
}

fn task_is_terminal(task: &crate::entity::generation_task::Model) -> bool {
    task.status.is_terminal()
}
