//! Campaigns with their budgets, and the briefs tasks are made for.

use chrono::Utc;
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::ServiceError;
use super::{Page, find_in_team, paginate};
use crate::auth::Viewer;
use crate::domain::account::Role;
use crate::domain::campaign::{BriefStatus, alert_threshold, optional_text, required_text};
use crate::domain::task::TaskStatus;
use crate::domain::{ErrorCode, FieldError};
use crate::entity::{brief, campaign, duplicate_submission, generation_task};

pub(crate) struct NewCampaign<'a> {
    pub name: &'a str,
    /// Micros; `None` for no budget.
    pub budget_micros: Option<i64>,
    pub alert_threshold_percent: Option<i32>,
}

fn require_creator(viewer: &Viewer) -> Result<(), ServiceError> {
    if viewer.roles.can_create() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "only creators and admins plan work",
        ))
    }
}

pub(crate) async fn create_campaign(
    db: &DatabaseConnection,
    viewer: &Viewer,
    currency: &str,
    new: NewCampaign<'_>,
) -> Result<campaign::Model, ServiceError> {
    require_creator(viewer)?;
    if new.budget_micros.is_some() && !viewer.roles.contains(Role::Admin) {
        return Err(ServiceError::Forbidden("only admins set budgets"));
    }
    let mut errors = Vec::new();
    let name = required_text("name", new.name, 200, "a campaign name")
        .map_err(|e| errors.push(e))
        .ok();
    let threshold = alert_threshold(new.alert_threshold_percent)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(name), Some(threshold)) = (name, threshold) else {
        return Err(ServiceError::Invalid(errors));
    };
    let now = Utc::now();
    Ok(campaign::ActiveModel {
        id: Set(Uuid::now_v7()),
        team_id: Set(viewer.team_id),
        name: Set(name),
        owner_id: Set(viewer.user_id),
        budget_micros: Set(new.budget_micros),
        currency: Set(currency.to_owned()),
        alert_threshold_percent: Set(threshold),
        budget_alerted_at: Set(None),
        submit_seq: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

pub(crate) async fn get_campaign(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<campaign::Model, ServiceError> {
    find_in_team::<campaign::Entity>(db, viewer.team_id, id).await
}

pub(crate) async fn list_campaigns(
    db: &DatabaseConnection,
    viewer: &Viewer,
    first: u64,
    after: Option<Uuid>,
) -> Result<Page<campaign::Model>, ServiceError> {
    let query = campaign::Entity::find().filter(campaign::Column::TeamId.eq(viewer.team_id));
    paginate(db, query, campaign::Column::Id, first, after).await
}

/// What a campaign has committed to spend: what was charged, plus the estimates of
/// tasks still running. Failed and cancelled tasks that were not charged cost nothing.
pub(crate) async fn committed_micros(
    db: &impl ConnectionTrait,
    campaign_id: Uuid,
) -> Result<i64, ServiceError> {
    let live = [
        TaskStatus::Queued,
        TaskStatus::Submitted,
        TaskStatus::Processing,
    ]
    .map(|s| format!("'{s}'"))
    .join(",");
    // SUM over BIGINT is NUMERIC on PostgreSQL; the cast keeps it an integer everywhere.
    let expression = format!(
        "CAST(COALESCE(SUM(CASE WHEN charged THEN COALESCE(actual_cost_micros, estimated_cost_micros) \
         WHEN status IN ({live}) THEN estimated_cost_micros ELSE 0 END), 0) AS BIGINT)"
    );
    let total = generation_task::Entity::find()
        .select_only()
        .column_as(Expr::cust(expression), "committed")
        .filter(generation_task::Column::CampaignId.eq(campaign_id))
        .into_tuple::<i64>()
        .one(db)
        .await?;
    Ok(total.unwrap_or(0))
}

/// Counts of a campaign's work.
pub(crate) struct CampaignStats {
    pub tasks: u64,
    pub duplicates: u64,
    pub committed_micros: i64,
}

pub(crate) async fn stats(
    db: &DatabaseConnection,
    campaign_id: Uuid,
) -> Result<CampaignStats, ServiceError> {
    let tasks = generation_task::Entity::find()
        .filter(generation_task::Column::CampaignId.eq(campaign_id))
        .count(db)
        .await?;
    let duplicates = duplicate_submission::Entity::find()
        .filter(duplicate_submission::Column::CampaignId.eq(campaign_id))
        .count(db)
        .await?;
    Ok(CampaignStats {
        tasks,
        duplicates,
        committed_micros: committed_micros(db, campaign_id).await?,
    })
}

pub(crate) struct NewBrief<'a> {
    pub campaign_id: Uuid,
    pub title: &'a str,
    pub purpose: Option<&'a str>,
    pub channel: Option<&'a str>,
}

pub(crate) async fn create_brief(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewBrief<'_>,
) -> Result<brief::Model, ServiceError> {
    require_creator(viewer)?;
    let campaign = match get_campaign(db, viewer, new.campaign_id).await {
        Ok(campaign) => campaign,
        Err(ServiceError::NotFound) => {
            return Err(FieldError::new(
                "campaignId",
                ErrorCode::NotFound,
                "There is no such campaign.",
            )
            .into());
        }
        Err(other) => return Err(other),
    };
    let mut errors = Vec::new();
    let title = required_text("title", new.title, 200, "a title")
        .map_err(|e| errors.push(e))
        .ok();
    let purpose = optional_text("purpose", new.purpose, 4_000)
        .map_err(|e| errors.push(e))
        .ok();
    let channel = optional_text("channel", new.channel, 100)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(title), Some(purpose), Some(channel)) = (title, purpose, channel) else {
        return Err(ServiceError::Invalid(errors));
    };
    let now = Utc::now();
    Ok(brief::ActiveModel {
        id: Set(Uuid::now_v7()),
        team_id: Set(viewer.team_id),
        campaign_id: Set(campaign.id),
        title: Set(title),
        purpose: Set(purpose),
        channel: Set(channel),
        owner_id: Set(viewer.user_id),
        status: Set(BriefStatus::Draft),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

pub(crate) async fn get_brief(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> Result<brief::Model, ServiceError> {
    find_in_team::<brief::Entity>(db, viewer.team_id, id).await
}

pub(crate) async fn list_briefs(
    db: &DatabaseConnection,
    viewer: &Viewer,
    campaign_id: Option<Uuid>,
    first: u64,
    after: Option<Uuid>,
) -> Result<Page<brief::Model>, ServiceError> {
    let mut query = brief::Entity::find().filter(brief::Column::TeamId.eq(viewer.team_id));
    if let Some(campaign_id) = campaign_id {
        query = query.filter(brief::Column::CampaignId.eq(campaign_id));
    }
    paginate(db, query, brief::Column::Id, first, after).await
}

/// Takes the campaign's row lock for the rest of `txn` (and, on SQLite, the write lock),
/// so that budget checks and the inserts they allow happen one submit at a time.
pub(crate) async fn lock_for_submit(
    txn: &impl ConnectionTrait,
    campaign_id: Uuid,
) -> Result<(), ServiceError> {
    campaign::Entity::update_many()
        .col_expr(
            campaign::Column::SubmitSeq,
            Expr::col(campaign::Column::SubmitSeq).add(1),
        )
        .filter(campaign::Column::Id.eq(campaign_id))
        .exec(txn)
        .await?;
    Ok(())
}
