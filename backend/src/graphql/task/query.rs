//! Reading tasks: `task`, `tasks` (filtered, paged) and `estimateTask`.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use crate::graphql::campaign::Money;
use crate::graphql::error::{UserError, state, to_graphql, user_errors, viewer};
use crate::graphql::node::{NodeType, decode};
use crate::graphql::page::{PageArgs, connection};
use crate::service::task::TaskFilter as ServiceTaskFilter;
use crate::service::{ServiceError, task};

use super::inputs::SubmitTaskInput;
use super::object::Task;
use crate::domain::task::Stage;
use crate::domain::task::TaskKind;
use crate::domain::task::TaskStatus;

#[derive(InputObject, Default)]
pub(crate) struct TaskFilter {
    /// Only tasks in one of these statuses.
    pub status: Option<Vec<TaskStatus>>,
    pub kind: Option<Vec<TaskKind>>,
    pub stage: Option<Vec<Stage>>,
    pub campaign_id: Option<ID>,
    pub brief_id: Option<ID>,
    /// Only tasks the viewer submitted.
    #[graphql(default)]
    pub mine: bool,
}

impl TaskFilter {
    pub(crate) fn into_service(self) -> async_graphql::Result<ServiceTaskFilter> {
        Ok(ServiceTaskFilter {
            statuses: self.status.map(|s| s.into_iter().collect()),
            kinds: self.kind.map(|k| k.into_iter().collect()),
            stages: self.stage.map(|k| k.into_iter().collect()),
            campaign_id: self
                .campaign_id
                .as_ref()
                .map(|id| decode(id, NodeType::Campaign))
                .transpose()?,
            brief_id: self
                .brief_id
                .as_ref()
                .map(|id| decode(id, NodeType::Brief))
                .transpose()?,
            mine: self.mine,
        })
    }
}

#[derive(Default)]
pub(crate) struct TaskQuery;

#[Object]
impl TaskQuery {
    /// A task of the viewer's team; null when it does not exist or belongs to another team.
    async fn task(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Task>> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let id = decode(&id, NodeType::Task)?;
        match task::get(&state.db, viewer, id).await {
            Ok(model) => Task::new(model).map(Some).map_err(to_graphql),
            Err(ServiceError::NotFound) => Ok(None),
            Err(other) => Err(to_graphql(other)),
        }
    }

    /// The team's tasks, newest first.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "At most 100.")] first: i32,
        after: Option<String>,
        filter: Option<TaskFilter>,
    ) -> async_graphql::Result<Connection<String, Task>> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let args = PageArgs::parse(first, after.as_deref())?;
        let filter = filter.unwrap_or_default().into_service()?;
        let page = task::list(&state.db, viewer, &filter, args.first, args.after)
            .await
            .map_err(to_graphql)?;
        connection(&args, page, |t| t.id, Task::new)
    }
}

/// What a submit would cost and do, for the composer as the user types.
#[derive(SimpleObject)]
pub(crate) struct TaskEstimate {
    pub estimated_cost: Option<Money>,
    /// An identical live task a submit would return instead of spending again.
    pub duplicate_of: Option<Task>,
    /// An identical task that succeeded in the last 24 hours: the team already has this,
    /// and a submit would ask to confirm (`SUCCEEDED_RECENTLY`).
    pub succeeded_recently: Option<Task>,
    /// What the campaign has committed so far, and its budget if it has one.
    pub campaign_committed: Option<Money>,
    pub campaign_budget: Option<Money>,
    /// Whether the submit would stay within the campaign's budget.
    pub within_budget: bool,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub(crate) struct EstimateQuery;

#[Object]
impl EstimateQuery {
    /// Prices a submission and checks it, without submitting anything.
    async fn estimate_task(
        &self,
        ctx: &Context<'_>,
        input: SubmitTaskInput,
    ) -> async_graphql::Result<TaskEstimate> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let none = |user_errors| TaskEstimate {
            estimated_cost: None,
            duplicate_of: None,
            succeeded_recently: None,
            campaign_committed: None,
            campaign_budget: None,
            within_budget: false,
            user_errors,
        };
        let request = match input.request() {
            Ok(request) => request,
            Err(errors) => return Ok(none(errors)),
        };
        Ok(
            match user_errors(task::estimate(state, viewer, request).await)? {
                Ok(estimate) => TaskEstimate {
                    within_budget: estimate
                        .budget_micros
                        .is_none_or(|b| estimate.committed_micros + estimate.cost_micros <= b),
                    estimated_cost: Some(Money::new(estimate.cost_micros, &estimate.currency)),
                    duplicate_of: estimate
                        .duplicate_of
                        .map(Task::new)
                        .transpose()
                        .map_err(to_graphql)?,
                    succeeded_recently: estimate
                        .succeeded_recently
                        .map(Task::new)
                        .transpose()
                        .map_err(to_graphql)?,
                    campaign_committed: Some(Money::new(
                        estimate.committed_micros,
                        &estimate.currency,
                    )),
                    campaign_budget: estimate
                        .budget_micros
                        .map(|b| Money::new(b, &estimate.currency)),
                    user_errors: Vec::new(),
                },
                Err(errors) => none(errors),
            },
        )
    }
}
