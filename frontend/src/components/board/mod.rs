//! The board's widgets.

pub mod brief_picker;
pub mod budget_alerts;
pub mod composer;
pub mod task_card;
pub mod task_filters;
pub mod task_list;
