//! The tabs above the task list: all, active, succeeded, failed.

use leptos::prelude::*;

use crate::api::operations::TaskFilter;
use crate::i18n::{Key, use_i18n};

#[component]
pub fn StatusFilter(
    #[prop(into)] value: Signal<TaskFilter>,
    #[prop(into)] on_change: Callback<TaskFilter>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = |filter: TaskFilter| match filter {
        TaskFilter::All => Key::FilterAll,
        TaskFilter::Active => Key::FilterActive,
        TaskFilter::Succeeded => Key::FilterSucceeded,
        TaskFilter::Failed => Key::FilterFailed,
    };
    let testid = |filter: TaskFilter| match filter {
        TaskFilter::All => "filter-all",
        TaskFilter::Active => "filter-active",
        TaskFilter::Succeeded => "filter-succeeded",
        TaskFilter::Failed => "filter-failed",
    };
    view! {
        <div class="segmented" role="group" aria-label=move || i18n.t(Key::FilterLabel)>
            {TaskFilter::ALL
                .into_iter()
                .map(|filter| {
                    view! {
                        <button
                            type="button"
                            class="segment"
                            class:active=move || value.get() == filter
                            aria-pressed=move || (value.get() == filter).to_string()
                            data-testid=testid(filter)
                            on:click=move |_| on_change.run(filter)
                        >
                            {move || i18n.t(label(filter))}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
