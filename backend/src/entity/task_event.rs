use sea_orm::entity::prelude::*;

use crate::domain::task::{TaskStatus, TransitionCause};

/// One recorded status transition of a task. The id orders them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: Uuid,
    pub team_id: Uuid,
    pub from_status: Option<TaskStatus>,
    pub to_status: TaskStatus,
    pub cause: TransitionCause,
    /// The upstream's own word for its status, kept as it was.
    pub upstream_status: Option<String>,
    /// For `UPSTREAM_RETRIED`: how long Kiln waited before trying again.
    pub retry_after_ms: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
