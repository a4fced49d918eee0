//! Campaigns and briefs: the context every task is made in, and budget alerts.

pub use super::schema::{
    Briefs, BudgetAlerts, Campaigns, CreateBrief, CreateCampaign, briefs, budget_alerts, campaigns,
    create_brief, create_campaign,
};
use crate::api::{ApiError, graphql_query};
use crate::model::{Brief, Campaign, CampaignStats, Money, UserError};

from_fragment!(
    [campaigns, create_campaign],
    |c: CampaignFields| -> Campaign {
        Campaign {
            id: c.id,
            name: c.name,
            budget: c.budget.map(|m| money!(m)),
            alert_threshold_percent: c.alert_threshold_percent,
            stats: CampaignStats {
                task_count: c.stats.task_count,
                duplicate_submissions: c.stats.duplicate_submissions,
                committed: money!(c.stats.committed),
                remaining_budget: c.stats.remaining_budget.map(|m| money!(m)),
            },
        }
    }
);

/// A brief from one operation's selection, which is the same in each.
macro_rules! brief {
    ($b:expr) => {{
        let b = $b;
        Brief {
            id: b.id,
            title: b.title,
            purpose: b.purpose,
            channel: b.channel,
            status: b.status.known(),
        }
    }};
}

/// More campaigns than a team runs at once; the picker does not page.
const CAMPAIGN_LIMIT: i64 = 100;
const BRIEF_LIMIT: i64 = 100;

/// The team's campaigns, newest first.
pub async fn fetch_campaigns() -> Result<Vec<Campaign>, ApiError> {
    let data = graphql_query::<Campaigns>(campaigns::Variables {
        first: CAMPAIGN_LIMIT,
    })
    .await?;
    Ok(data
        .campaigns
        .edges
        .into_iter()
        .map(|e| e.node.into())
        .collect())
}

/// One campaign's briefs, newest first.
pub async fn fetch_briefs(campaign_id: String) -> Result<Vec<Brief>, ApiError> {
    let data = graphql_query::<Briefs>(briefs::Variables {
        campaign_id,
        first: BRIEF_LIMIT,
    })
    .await?;
    Ok(data
        .briefs
        .edges
        .into_iter()
        .map(|e| brief!(e.node))
        .collect())
}

pub struct NewCampaign {
    pub name: String,
    /// A decimal amount; only admins may set one.
    pub budget: Option<String>,
    pub alert_threshold_percent: Option<i64>,
}

pub async fn create_campaign(
    new: NewCampaign,
) -> Result<Result<Campaign, Vec<UserError>>, ApiError> {
    let data = graphql_query::<CreateCampaign>(create_campaign::Variables {
        input: create_campaign::CreateCampaignInput {
            name: new.name,
            budget: new.budget,
            alert_threshold_percent: new.alert_threshold_percent,
        },
    })
    .await?;
    let p = data.create_campaign;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors!(p.user_errors)));
    }
    p.campaign.map(|c| Ok(c.into())).ok_or(ApiError::NoData)
}

pub struct NewBrief {
    pub campaign_id: String,
    pub title: String,
    pub purpose: Option<String>,
    pub channel: Option<String>,
}

pub async fn create_brief(new: NewBrief) -> Result<Result<Brief, Vec<UserError>>, ApiError> {
    let data = graphql_query::<CreateBrief>(create_brief::Variables {
        input: create_brief::CreateBriefInput {
            campaign_id: new.campaign_id,
            title: new.title,
            purpose: new.purpose,
            channel: new.channel,
        },
    })
    .await?;
    let p = data.create_brief;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors!(p.user_errors)));
    }
    p.brief.map(|b| Ok(brief!(b))).ok_or(ApiError::NoData)
}

/// A campaign's committed spend crossed its alert threshold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetAlert {
    pub campaign_id: String,
    pub campaign_name: String,
    pub threshold_percent: i64,
    pub budget: Option<Money>,
    pub committed: Money,
}

pub fn budget_alert(data: budget_alerts::ResponseData) -> BudgetAlert {
    let alert = data.budget_alerts;
    BudgetAlert {
        campaign_id: alert.campaign.id,
        campaign_name: alert.campaign.name,
        threshold_percent: alert.campaign.alert_threshold_percent,
        budget: alert.campaign.budget.map(|m| money!(m)),
        committed: money!(alert.committed),
    }
}
