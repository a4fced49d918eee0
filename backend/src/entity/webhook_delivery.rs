use sea_orm::entity::prelude::*;

use crate::webhook::events::{DeliveryStatus, EventType};

/// One event to deliver to one URL, attempted until it is delivered or given up.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    /// Null for a task's own callback URL.
    pub endpoint_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub url: String,
    pub event_type: EventType,
    /// `webhook-id`, the same on every attempt.
    pub message_id: String,
    /// The exact bytes sent and signed.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// `PENDING`, `DELIVERED` or `FAILED`.
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl super::TeamScoped for Entity {
    const TEAM_ID: Column = Column::TeamId;
}
