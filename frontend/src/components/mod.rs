//! The widgets pages are built from, grouped by the page that owns them.
//!
//! - [`board`]: the brief context bar (`brief_picker`: campaign/brief choice, stats
//!   and the forms to add them), `budget_alerts`, the `composer`, `task_filters`,
//!   `task_card` and `task_list` (the board's live list of tasks).
//! - [`task`]: the task page's parts: `task_head` (status, prompt and the actions
//!   the task allows), `task_facts` (parameters, costs, context), `outputs`,
//!   `timeline`, `lineage`, `promote_form`.
//! - [`settings`]: `gateways` (provider profiles and their write-only keys),
//!   `webhook_endpoints`, `callback_secret`, `secret_once` (a secret shown once).
//! - [`shared`]: what several pages use: `header`, `status_badge`, `text_field`
//!   (a labelled input with its errors), `confirm_dialog`, `problems` (form errors),
//!   `form_actions` (submit and cancel buttons), `load_failed` (the banner with
//!   Retry when a load fails), `live_estimate` (a form's price as the user types),
//!   `delivery_log` and `delivery_attempts` (an endpoint's or a task's webhook
//!   deliveries and their attempts), and [`shared::on_result`], how an `Action`'s
//!   results are applied.

pub mod board;
pub mod settings;
pub mod shared;
pub mod task;
