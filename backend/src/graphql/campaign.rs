//! Campaigns, budgets and briefs in the API.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::error::{UserError, state, to_graphql, user_error, user_errors, viewer};
use super::node::{NodeType, decode, encode};
use super::page::{PageArgs, connection};
use super::task::{Task, TaskFilter};
use crate::domain::ErrorCode;
use crate::domain::money::{format_micros, parse_amount};
use crate::entity::{brief, campaign};
use crate::service::campaign::{self as service, NewBrief, NewCampaign};
use crate::service::task;

/// An amount of money.
#[derive(SimpleObject, Clone, Debug)]
pub(crate) struct Money {
    /// A decimal number as text, e.g. `"0.042"`: exact, unlike a float.
    pub amount: String,
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
}

impl Money {
    pub(crate) fn new(micros: i64, currency: &str) -> Self {
        Self {
            amount: format_micros(micros),
            currency: currency.to_owned(),
        }
    }
}

use crate::domain::campaign::BriefStatus;
/// A campaign (活动): briefs, a budget, and what was spent.
pub(crate) struct Campaign(campaign::Model);

impl Campaign {
    pub(crate) fn new(model: campaign::Model) -> Self {
        Self(model)
    }
}

/// What a campaign has done so far.
#[derive(SimpleObject)]
pub(crate) struct CampaignStats {
    pub task_count: i32,
    /// Submits answered with an identical live task instead of new spending.
    pub duplicate_submissions: i32,
    /// Charged costs plus the estimates of tasks still running.
    pub committed: Money,
    pub remaining_budget: Option<Money>,
}

#[Object]
impl Campaign {
    pub async fn id(&self) -> ID {
        encode(NodeType::Campaign, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn budget(&self) -> Option<Money> {
        self.0
            .budget_micros
            .map(|b| Money::new(b, &self.0.currency))
    }

    /// At this share of the budget an alert goes out.
    async fn alert_threshold_percent(&self) -> i32 {
        self.0.alert_threshold_percent
    }

    /// When the spend alert went out, if it has.
    async fn budget_alerted_at(&self) -> Option<DateTime<Utc>> {
        self.0.budget_alerted_at
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn stats(&self, ctx: &Context<'_>) -> async_graphql::Result<CampaignStats> {
        let state = state(ctx)?;
        let stats = service::stats(&state.db, self.0.id)
            .await
            .map_err(to_graphql)?;
        Ok(CampaignStats {
            task_count: stats.tasks as i32,
            duplicate_submissions: stats.duplicates as i32,
            committed: Money::new(stats.committed_micros, &self.0.currency),
            remaining_budget: self
                .0
                .budget_micros
                .map(|b| Money::new(b - stats.committed_micros, &self.0.currency)),
        })
    }

    async fn briefs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Brief>> {
        briefs_page(ctx, Some(self.0.id), first, after).await
    }
}

/// A brief (需求简报): what is needed; tasks are made for it.
pub(crate) struct Brief(brief::Model);

impl Brief {
    pub(crate) fn new(model: brief::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Brief {
    pub async fn id(&self) -> ID {
        encode(NodeType::Brief, self.0.id)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What the outputs are for.
    async fn purpose(&self) -> Option<&str> {
        self.0.purpose.as_deref()
    }

    /// Where they will be used, e.g. `douyin`, `tmall`, `instagram`.
    async fn channel(&self) -> Option<&str> {
        self.0.channel.as_deref()
    }

    async fn status(&self) -> BriefStatus {
        self.0.status
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn campaign(&self, ctx: &Context<'_>) -> async_graphql::Result<Campaign> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        service::get_campaign(&state.db, viewer, self.0.campaign_id)
            .await
            .map(Campaign::new)
            .map_err(to_graphql)
    }

    /// The brief's tasks, newest first.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Task>> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let args = PageArgs::parse(first, after.as_deref())?;
        let mut filter = TaskFilter::default().into_service()?;
        filter.brief_id = Some(self.0.id);
        let page = task::list(&state.db, viewer, &filter, args.first, args.after)
            .await
            .map_err(to_graphql)?;
        connection(&args, page, |t| t.id, Task::new)
    }
}

async fn briefs_page(
    ctx: &Context<'_>,
    campaign_id: Option<uuid::Uuid>,
    first: i32,
    after: Option<String>,
) -> async_graphql::Result<Connection<String, Brief>> {
    let (state, viewer) = (state(ctx)?, viewer(ctx)?);
    let args = PageArgs::parse(first, after.as_deref())?;
    let page = service::list_briefs(&state.db, viewer, campaign_id, args.first, args.after)
        .await
        .map_err(to_graphql)?;
    connection(&args, page, |b| b.id, |b| Ok(Brief::new(b)))
}

#[derive(Default)]
pub(crate) struct CampaignQuery;

#[Object]
impl CampaignQuery {
    /// The team's campaigns, newest first.
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Campaign>> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let args = PageArgs::parse(first, after.as_deref())?;
        let page = service::list_campaigns(&state.db, viewer, args.first, args.after)
            .await
            .map_err(to_graphql)?;
        connection(&args, page, |c| c.id, |c| Ok(Campaign::new(c)))
    }

    /// The team's briefs, newest first, optionally of one campaign.
    async fn briefs(
        &self,
        ctx: &Context<'_>,
        campaign_id: Option<ID>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Brief>> {
        let campaign_id = campaign_id
            .as_ref()
            .map(|id| decode(id, NodeType::Campaign))
            .transpose()?;
        briefs_page(ctx, campaign_id, first, after).await
    }
}

#[derive(InputObject)]
pub(crate) struct CreateCampaignInput {
    pub name: String,
    /// A decimal amount in the configured currency, e.g. `"500"`; admins only.
    pub budget: Option<String>,
    /// Alert when this share of the budget is committed (1–100, default 80).
    pub alert_threshold_percent: Option<i32>,
}

#[derive(SimpleObject)]
pub(crate) struct CreateCampaignPayload {
    pub campaign: Option<Campaign>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub(crate) struct CreateBriefInput {
    pub campaign_id: ID,
    pub title: String,
    pub purpose: Option<String>,
    pub channel: Option<String>,
}

#[derive(SimpleObject)]
pub(crate) struct CreateBriefPayload {
    pub brief: Option<Brief>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub(crate) struct CampaignMutation;

#[Object]
impl CampaignMutation {
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        input: CreateCampaignInput,
    ) -> async_graphql::Result<CreateCampaignPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let budget = match input
            .budget
            .as_deref()
            .map(|b| parse_amount("budget", b))
            .transpose()
        {
            Ok(budget) => budget,
            Err(error) => {
                return Ok(CreateCampaignPayload {
                    campaign: None,
                    user_errors: vec![error.into()],
                });
            }
        };
        let new = NewCampaign {
            name: &input.name,
            budget_micros: budget,
            alert_threshold_percent: input.alert_threshold_percent,
        };
        Ok(
            match user_errors(
                service::create_campaign(&state.db, viewer, &state.config.currency, new).await,
            )? {
                Ok(campaign) => CreateCampaignPayload {
                    campaign: Some(Campaign::new(campaign)),
                    user_errors: Vec::new(),
                },
                Err(errors) => CreateCampaignPayload {
                    campaign: None,
                    user_errors: errors,
                },
            },
        )
    }

    async fn create_brief(
        &self,
        ctx: &Context<'_>,
        input: CreateBriefInput,
    ) -> async_graphql::Result<CreateBriefPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let Ok(campaign_id) = decode(&input.campaign_id, NodeType::Campaign) else {
            return Ok(CreateBriefPayload {
                brief: None,
                user_errors: vec![user_error(
                    ErrorCode::NotFound,
                    "campaignId",
                    "There is no such campaign.",
                )],
            });
        };
        let new = NewBrief {
            campaign_id,
            title: &input.title,
            purpose: input.purpose.as_deref(),
            channel: input.channel.as_deref(),
        };
        Ok(
            match user_errors(service::create_brief(&state.db, viewer, new).await)? {
                Ok(brief) => CreateBriefPayload {
                    brief: Some(Brief::new(brief)),
                    user_errors: Vec::new(),
                },
                Err(errors) => CreateBriefPayload {
                    brief: None,
                    user_errors: errors,
                },
            },
        )
    }
}
