use sea_orm::entity::prelude::*;

use crate::webhook::events::DisabledBecause;

/// A team's receiver of webhook events.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub url: String,
    pub description: Option<String>,
    /// Comma-separated event types.
    #[sea_orm(column_type = "Text")]
    pub event_types: String,
    /// `whsec_…`; shown once when made or rotated, never again.
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    pub enabled: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub disabled_reason: Option<String>,
    /// `GONE`, `KEPT_FAILING` or `BY_ADMIN`; null while enabled.
    pub disabled_code: Option<DisabledBecause>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

// Written by hand so that the secrets never reach a log line.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl super::TeamScoped for Entity {
    const TEAM_ID: Column = Column::TeamId;
}
