//! A task's status and stage as coloured pills.

use leptos::prelude::*;

use crate::i18n::{self, use_i18n};
use crate::model::{Stage, Status};

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

/// Draft or final; nothing for a stage this build does not know.
#[component]
pub fn StageBadge(#[prop(into)] stage: Signal<Option<Stage>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        stage.get().map(|stage| {
            view! {
                <span
                    class=format!("stage-badge stage-{}", stage.as_str().to_ascii_lowercase())
                    data-testid="stage-badge"
                    data-stage=stage.as_str()
                >
                    {move || i18n::stage(i18n.lang(), stage)}
                </span>
            }
        })
    }
}
