//! One sea-orm entity per table. Columns hold plain strings for enums; the service layer
//! converts them to the domain types, so that the domain knows nothing of storage.

pub mod generation_task;
pub mod job;
pub mod membership;
pub mod output_asset;
pub mod task_event;
pub mod team;
pub mod user;
