use sea_orm::entity::prelude::*;

/// A submit answered with an identical live task instead of new spending.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duplicate_submissions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    pub campaign_id: Uuid,
    pub brief_id: Uuid,
    /// The live task it duplicated.
    pub task_id: Uuid,
    pub submitted_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
