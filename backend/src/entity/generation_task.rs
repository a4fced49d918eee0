use sea_orm::entity::prelude::*;

use crate::domain::task::{
    Acknowledged, FailureReason, InputType, LineageKind, Stage, TaskKind, TaskStatus,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "generation_tasks")]
pub struct Model {
    /// UUIDv7, so ids sort by creation time and serve as list cursors.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    pub submitted_by: Uuid,
    pub campaign_id: Uuid,
    pub brief_id: Uuid,
    /// A final's draft, or a retry's original.
    pub parent_task_id: Option<Uuid>,
    /// `domain::task::LineageKind`, when there is a parent.
    pub lineage: Option<LineageKind>,
    pub kind: TaskKind,
    pub input_type: InputType,
    pub stage: Stage,
    pub status: TaskStatus,
    #[sea_orm(column_type = "Text")]
    pub prompt: String,
    /// `domain::task::TaskParams` as JSON.
    pub params: Json,
    pub idempotency_key: Option<String>,
    pub fingerprint: String,
    /// The fingerprint while the task is live, else null; unique per team, so the
    /// database itself refuses a second identical live task.
    pub live_fingerprint: Option<String>,
    pub model: String,
    /// Which provider runs it; needed to resume it after a restart.
    pub provider: String,
    /// Recorded as soon as the upstream accepts the task, before anything else, so a
    /// restarted worker polls it instead of submitting (and paying for) it again.
    pub upstream_task_id: Option<String>,
    pub progress: i32,
    pub queue_position: Option<i32>,
    pub estimated_cost_micros: i64,
    pub actual_cost_micros: Option<i64>,
    /// Whether the upstream charged for it.
    pub charged: bool,
    pub currency: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub callback_url: Option<String>,
    pub failure_reason: Option<FailureReason>,
    #[sea_orm(column_type = "Text", nullable)]
    pub failure_message: Option<String>,
    pub attempts: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub deadline_at: DateTimeUtc,
    /// When the upstream finished generating; from then on only outputs are fetched.
    pub upstream_completed_at: Option<DateTimeUtc>,
    /// The create may have happened upstream but Kiln could not tell, and the upstream
    /// takes no idempotency keys: a person must check before anything is re-sent.
    pub needs_reconciliation: bool,
    /// The upstream's `usage`, as it reported it (JSON).
    #[sea_orm(column_type = "Text", nullable)]
    pub upstream_usage: Option<String>,
    /// The spend warnings its request acknowledged (`domain::task::SpendWarning`).
    pub acknowledged_warnings: Option<Acknowledged>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl super::TeamScoped for Entity {
    const TEAM_ID: Column = Column::TeamId;
}
