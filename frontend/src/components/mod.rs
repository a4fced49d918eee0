//! The widgets pages are built from.
//!
//! Board: `brief_picker` (campaign/brief context and stats), `budget_alerts`,
//! `composer`, `task_filters`, `task_card`. Task page: `task_facts` (parameters,
//! costs, context), `outputs`, `timeline`, `lineage`, `promote_form`. Shared:
//! `header`, `status_badge`, `problems` (form errors).

pub mod brief_picker;
pub mod budget_alerts;
pub mod composer;
pub mod header;
pub mod lineage;
pub mod outputs;
pub mod problems;
pub mod promote_form;
pub mod status_badge;
pub mod task_card;
pub mod task_facts;
pub mod task_filters;
pub mod timeline;
