//! Widgets more than one page uses.

pub mod confirm_dialog;
pub mod delivery_attempts;
pub mod delivery_log;
pub mod form_actions;
pub mod header;
pub mod live_estimate;
pub mod load_failed;
pub mod problems;
pub mod spend_confirm;
pub mod status_badge;
pub mod text_field;

use leptos::prelude::*;

/// Hands each result of `action` to `apply`, in the scope that made the action: once
/// that scope is gone (the form closed, the page left), results are dropped, so a
/// late answer never touches what is no longer there. `apply` runs untracked, so
/// nothing it reads makes the same result be applied twice.
pub fn on_result<I, O>(action: Action<I, O>, apply: impl Fn(O) + 'static)
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(result) = action.value().get() {
            untrack(|| apply(result));
        }
    });
}
