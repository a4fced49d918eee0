use sea_orm::entity::prelude::*;

use crate::domain::campaign::BriefStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "briefs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    pub campaign_id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub purpose: Option<String>,
    pub channel: Option<String>,
    pub owner_id: Uuid,
    pub status: BriefStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl super::TeamScoped for Entity {
    const TEAM_ID: Column = Column::TeamId;
}
