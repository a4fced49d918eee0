//! The live price of what the form would submit, the campaign's budget around it,
//! and a warning when an identical task is already running (a submit would show that
//! one instead of paying again).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::ApiError;
use crate::api::operations::tasks::Estimate;
use crate::i18n::{self, Key, use_i18n};

#[component]
pub(super) fn EstimateBox(
    #[prop(into)] estimate: Signal<Option<Estimate>>,
    /// An answer for the latest input is on its way.
    #[prop(into)]
    estimating: Signal<bool>,
    /// The last estimate request failed.
    #[prop(into)]
    failure: Signal<Option<ApiError>>,
    /// Whether there is anything to price (a brief and a prompt).
    #[prop(into)]
    has_input: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();

    let cost = move || {
        let lang = i18n.lang();
        if !has_input.get() {
            return i18n::t(lang, Key::EstimateWaiting).to_owned();
        }
        match estimate.with(|e| e.as_ref().map(|e| e.cost.clone())) {
            Some(Some(cost)) => i18n::money(&cost),
            // Answered, but the input has problems (shown next to the fields).
            Some(None) => i18n::t(lang, Key::EstimateUnavailable).to_owned(),
            None => i18n::t(lang, Key::Estimating).to_owned(),
        }
    };

    let budget_line = move || {
        let lang = i18n.lang();
        let e = estimate.get().filter(|_| has_input.get())?;
        let committed = e.committed.clone()?;
        let text = match &e.budget {
            Some(budget) => i18n::committed_of(lang, &committed, budget),
            None => format!(
                "{} · {}",
                i18n::committed(lang, &committed),
                i18n::t(lang, Key::NoBudget)
            ),
        };
        Some(view! {
            <p class="estimate-budget" data-testid="budget-line">{text}</p>
            {(!e.within_budget && e.cost.is_some())
                .then(|| {
                    view! {
                        <p class="estimate-over" role="alert" data-testid="over-budget">
                            {i18n::t(lang, Key::OverBudget)}
                        </p>
                    }
                })}
        })
    };

    let duplicate = move || {
        let live = estimate.get().filter(|_| has_input.get())?.duplicate_of?;
        Some(view! {
            <div class="duplicate-warning" role="status" data-testid="duplicate-warning">
                <strong>{move || i18n.t(Key::DuplicateWarningTitle)}</strong>
                <span>{move || i18n.t(Key::DuplicateWarning)}</span>
                <A href=format!("/tasks/{}", live.id) attr:data-testid="duplicate-link">
                    {move || i18n::open_running_task(i18n.lang(), live.status)}
                </A>
            </div>
        })
    };

    // Nothing is live, but the team has this already: say so before it is paid again.
    let already_have = move || {
        let e = estimate.get().filter(|_| has_input.get())?;
        if e.duplicate_of.is_some() {
            return None;
        }
        let done = e.succeeded_recently?;
        Some(view! {
            <div class="duplicate-warning" role="status" data-testid="already-have-warning">
                <span>{move || i18n.t(Key::SpendSucceededRecently)}</span>
                <A href=format!("/tasks/{}", done.id) attr:data-testid="already-have-link">
                    {move || i18n.t(Key::SpendOpenExisting)}
                </A>
            </div>
        })
    };

    view! {
        <div class="estimate" class:updating=move || estimating.get() data-testid="cost-estimate">
            <div class="estimate-row">
                <span class="estimate-label">{move || i18n.t(Key::EstimatedCost)}</span>
                <span
                    class="estimate-cost"
                    class:pending=move || {
                        !has_input.get()
                            || estimate.with(|e| e.as_ref().is_none_or(|e| e.cost.is_none()))
                    }
                    data-testid="estimate-cost"
                >
                    {cost}
                </span>
            </div>
            {budget_line}
            {move || {
                failure
                    .get()
                    .map(|e| {
                        view! {
                            <p class="hint">
                                {i18n.t(Key::EstimateFailed)} " " {e.message(i18n.lang())}
                            </p>
                        }
                    })
            }}
        </div>
        {duplicate}
        {already_have}
    }
}
