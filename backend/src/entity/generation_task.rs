use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "generation_tasks")]
pub struct Model {
    /// UUIDv7, so ids sort by creation time and serve as list cursors.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    pub submitted_by: Uuid,
    pub kind: String,
    pub input_type: String,
    pub stage: String,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub prompt: String,
    /// `domain::task::TaskParams` as JSON.
    pub params: Json,
    pub idempotency_key: Option<String>,
    pub fingerprint: String,
    /// Which provider runs it; needed to resume it after a restart.
    pub provider: String,
    /// Recorded as soon as the upstream accepts the task, before anything else, so a
    /// restarted worker polls it instead of submitting (and paying for) it again.
    pub upstream_task_id: Option<String>,
    pub progress: i32,
    pub failure_reason: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub failure_message: Option<String>,
    pub attempts: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
