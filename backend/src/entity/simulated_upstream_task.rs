use sea_orm::entity::prelude::*;

/// A task as the simulated upstream knows it (see `provider::simulated`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "simulated_upstream_tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub idempotency_key: String,
    pub upstream_id: String,
    pub accepted_at: DateTimeUtc,
    pub submit_requests: i32,
    pub cancelled: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
