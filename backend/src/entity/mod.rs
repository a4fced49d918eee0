//! One sea-orm entity per table. Columns hold plain strings for enums; the service layer
//! converts them to the domain types, so that the domain knows nothing of storage.

pub mod brief;
pub mod campaign;
pub mod duplicate_submission;
pub mod generation_task;
pub mod inbound_webhook;
pub mod job;
pub mod membership;
pub mod output_asset;
pub mod provider_secret;
pub mod reference_asset;
pub mod simulated_upstream_failure;
pub mod simulated_upstream_task;
pub mod task_event;
pub mod task_reference_asset;
pub mod team;
pub mod user;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_endpoint;

/// A table whose rows belong to one team, through its `team_id` column. Naming the
/// column in the type (rather than by string) lets [`crate::service::find_in_team`]
/// scope any such table, checked by the compiler.
pub(crate) trait TeamScoped: sea_orm::EntityTrait {
    /// The row's `team_id` column.
    const TEAM_ID: Self::Column;
}
