use sea_orm::entity::prelude::*;

use crate::domain::reference::LicenceStatus;
use crate::domain::task::MediaKind;

/// An uploaded image or video that tasks may start from.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reference_assets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    pub uploaded_by: Uuid,
    /// `domain::task::MediaKind`.
    pub kind: MediaKind,
    /// Sniffed from the bytes, not taken from the upload's claim.
    pub mime: String,
    pub filename: String,
    pub byte_size: i64,
    pub checksum_sha256: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub storage_key: String,
    pub thumbnail_key: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub source: Option<String>,
    pub licence_status: LicenceStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub licence_note: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl super::TeamScoped for Entity {
    const TEAM_ID: Column = Column::TeamId;
}
