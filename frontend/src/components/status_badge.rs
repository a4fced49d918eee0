//! A task's status as a coloured pill.

use leptos::prelude::*;

use crate::i18n::{self, use_i18n};
use crate::model::Status;

#[component]
pub fn StatusBadge(#[prop(into)] status: Signal<Status>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span
            class=move || format!("badge badge-{}", status.get().as_str().to_ascii_lowercase())
            data-testid="task-status"
            data-status=move || status.get().as_str()
        >
            <span class="badge-dot" aria-hidden="true"></span>
            {move || i18n::status(i18n.lang(), status.get())}
        </span>
    }
}
