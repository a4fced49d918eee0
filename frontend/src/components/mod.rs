//! The widgets pages are built from.

pub mod header;
pub mod status_badge;
pub mod status_filter;
pub mod submit_form;
pub mod task_card;
