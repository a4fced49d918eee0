//! The settings page's widgets.

pub mod callback_secret;
pub mod gateways;
pub mod secret_once;
pub mod webhook_endpoints;
