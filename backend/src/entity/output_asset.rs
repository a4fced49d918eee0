use sea_orm::entity::prelude::*;

use crate::domain::task::DownloadStatus;

/// A file a task produced, and where Kiln keeps its copy.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "output_assets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub task_id: Uuid,
    pub team_id: Uuid,
    /// Order among the task's outputs, from 0.
    pub position: i32,
    pub download_status: DownloadStatus,
    /// File extension of the stored copy, e.g. `png`.
    pub format: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Length of a moving output.
    pub duration_ms: Option<i32>,
    pub mime: Option<String>,
    /// Download attempts so far, and the last failure.
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub byte_size: Option<i64>,
    pub checksum_sha256: Option<String>,
    pub storage_key: Option<String>,
    pub thumbnail_key: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub upstream_url: Option<String>,
    pub upstream_expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl super::TeamScoped for Entity {
    const TEAM_ID: Column = Column::TeamId;
}
