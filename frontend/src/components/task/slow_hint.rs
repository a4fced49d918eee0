//! "This is taking longer than usual": a live task that has not changed for longer
//! than its model usually takes, with what the user can do (cancel, or wait until
//! the deadline, when it fails on its own).

use std::time::Duration;

use leptos::prelude::*;

use crate::i18n::{self, use_i18n};
use crate::model::{Catalogue, TaskDetail, timestamp_ms};

/// How often the hint looks at the clock.
const TICK: Duration = Duration::from_secs(5);

#[component]
pub fn SlowHint(
    #[prop(into)] task: Signal<TaskDetail>,
    #[prop(into)] catalogue: Signal<Option<Catalogue>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let now = RwSignal::new(js_sys::Date::now());
    if let Ok(handle) = set_interval_with_handle(move || now.set(js_sys::Date::now()), TICK) {
        on_cleanup(move || handle.clear());
    }
    let slow = move || {
        let (model, active, since, deadline) = task.with(|d| {
            (
                d.task.model.clone(),
                d.task.status.is_active(),
                timestamp_ms(&d.task.updated_at),
                d.deadline_at.clone(),
            )
        });
        if !active {
            return None;
        }
        let usual = catalogue.with(|c| c.as_ref()?.model(&model).map(|m| m.usual_seconds))?;
        (now.get() - since? > usual as f64 * 1000.0).then_some((usual, deadline))
    };
    move || {
        slow().map(|(usual, deadline)| {
            view! {
                <p class="notice slow-hint" role="status" data-testid="slow-hint">
                    {i18n::slow_hint(i18n.lang(), usual, &deadline)}
                </p>
            }
        })
    }
}
