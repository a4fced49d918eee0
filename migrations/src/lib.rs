//! Kiln's database schema, as ordered `sea-orm-migration` steps.
//!
//! The backend applies these on start (`Migrator::up`), on SQLite and on PostgreSQL
//! alike, so every statement here must mean the same on both engines.
//!
//! # Layout
//! - `m20261123_000001_create_accounts`: teams, users and the team memberships that
//!   carry roles.
//! - `m20261123_000002_create_generation_tasks`: generation tasks, their status
//!   history, their output assets, and the durable job queue that drives them.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_accounts;
mod m20261123_000002_create_generation_tasks;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_accounts::Migration),
            Box::new(m20261123_000002_create_generation_tasks::Migration),
        ]
    }
}
