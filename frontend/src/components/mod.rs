//! The widgets pages are built from.
//!
//! Board: `brief_picker` (campaign/brief context and stats), `budget_alerts`,
//! `composer`, `task_filters`, `task_card`. Task page: `task_facts` (parameters,
//! costs, context), `outputs`, `timeline`, `lineage`, `promote_form`. Settings:
//! `gateways` (provider profiles and their write-only keys), `webhook_endpoints`,
//! `callback_secret`, `secret_once` (a secret shown once). Shared: `header`,
//! `status_badge`, `problems` (form errors), `form_actions` (submit and cancel
//! buttons), `load_failed` (the banner with Retry when a load fails), `delivery_log`
//! (an endpoint's or a task's webhook deliveries and their attempts).

pub mod brief_picker;
pub mod budget_alerts;
pub mod callback_secret;
pub mod composer;
pub mod delivery_log;
pub mod form_actions;
pub mod gateways;
pub mod header;
pub mod lineage;
pub mod load_failed;
pub mod outputs;
pub mod problems;
pub mod promote_form;
pub mod secret_once;
pub mod status_badge;
pub mod task_card;
pub mod task_facts;
pub mod task_filters;
pub mod timeline;
pub mod webhook_endpoints;
