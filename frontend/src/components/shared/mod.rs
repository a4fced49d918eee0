//! Widgets more than one page uses.

pub mod confirm_dialog;
pub mod delivery_log;
pub mod form_actions;
pub mod header;
pub mod load_failed;
pub mod problems;
pub mod status_badge;
pub mod text_field;
