//! Kiln's database schema, as ordered `sea-orm-migration` steps.
//!
//! The backend applies these on start (`Migrator::up`), on SQLite and on PostgreSQL
//! alike, so every statement here must mean the same on both engines.
//!
//! # Layout
//! - `m20261123_000001_create_accounts`: teams, users and the team memberships that
//!   carry roles.
//! - `m20261123_000002_create_campaigns_and_briefs`: campaigns with budgets, and the
//!   briefs every task belongs to.
//! - `m20261123_000003_create_reference_assets`: uploaded reference images and videos.
//! - `m20261123_000004_create_generation_tasks`: generation tasks, their status
//!   history, references, outputs, duplicate submissions, and the durable job queue.
//! - `m20261123_000005_create_simulated_upstream`: the simulated provider's own state.
//! - `m20261123_000006_create_webhooks`: outbound webhook endpoints, deliveries and
//!   attempts; callback secrets; inbound webhook de-duplication; provider keys; task
//!   reconciliation and usage.
//! - `m20261124_000007_lead_unique_indexes_with_the_selective_column`: the task unique
//!   indexes start with the fingerprint and the idempotency key, not the team.
//! - `m20261124_000008_add_endpoint_disabled_code`: why a webhook endpoint was turned
//!   off, as a code.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_accounts;
mod m20261123_000002_create_campaigns_and_briefs;
mod m20261123_000003_create_reference_assets;
mod m20261123_000004_create_generation_tasks;
mod m20261123_000005_create_simulated_upstream;
mod m20261123_000006_create_webhooks;
mod m20261124_000007_lead_unique_indexes_with_the_selective_column;
mod m20261124_000008_add_endpoint_disabled_code;
mod m20261202_000009_record_spend_confirmations_and_retries;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_accounts::Migration),
            Box::new(m20261123_000002_create_campaigns_and_briefs::Migration),
            Box::new(m20261123_000003_create_reference_assets::Migration),
            Box::new(m20261123_000004_create_generation_tasks::Migration),
            Box::new(m20261123_000005_create_simulated_upstream::Migration),
            Box::new(m20261123_000006_create_webhooks::Migration),
            Box::new(m20261124_000007_lead_unique_indexes_with_the_selective_column::Migration),
            Box::new(m20261124_000008_add_endpoint_disabled_code::Migration),
            Box::new(m20261202_000009_record_spend_confirmations_and_retries::Migration),
        ]
    }
}
