//! One delivery's attempts, oldest first, each with its outcome and the start of
//! the receiver's answer, and the payload that was sent.

use leptos::prelude::*;

use crate::i18n::{self, Key, use_i18n};
use crate::model::Delivery;

/// Every attempt, oldest first, and the body that was sent.
#[component]
pub fn Attempts(#[prop(into)] delivery: Signal<Delivery>) -> impl IntoView {
    let i18n = use_i18n();
    let attempts = move || {
        let lang = i18n.lang();
        delivery.with(|d| {
            if d.attempts.is_empty() {
                return view! { <li class="hint">{i18n::t(lang, Key::NoAttemptsYet)}</li> }.into_any();
            }
            d.attempts
                .iter()
                .map(|a| {
                    let ok = a.succeeded();
                    view! {
                        <li
                            class="attempt"
                            class:ok=ok
                            data-testid="delivery-attempt"
                            data-status-code=a.status_code.map(|c| c.to_string()).unwrap_or_default()
                            data-latency-ms=a.latency_ms.to_string()
                        >
                            <div class="attempt-line">
                                <span class="attempt-outcome">{i18n::attempt_outcome(lang, a)}</span>
                                <time datetime=a.at.clone()>{i18n::time_precise(lang, &a.at)}</time>
                                {a.next_retry_at.as_deref().map(|at| {
                                    view! { <span class="hint">{i18n::next_try(lang, at)}</span> }
                                })}
                            </div>
                            {a.error.clone().map(|e| view! { <p class="attempt-error">{e}</p> })}
                            {a.response_excerpt.clone().filter(|e| !e.is_empty()).map(|excerpt| {
                                view! {
                                    <div class="attempt-answer">
                                        <span class="hint">{i18n::t(lang, Key::ReceiverAnswer)}</span>
                                        <code class="excerpt" data-testid="attempt-excerpt">{excerpt}</code>
                                    </div>
                                }
                            })}
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    view! {
        <div class="delivery-detail">
            <ol class="attempts" data-testid="delivery-attempts">{attempts}</ol>
            <details class="payload">
                <summary>{move || i18n.t(Key::Payload)}</summary>
                <pre>{move || delivery.with(Delivery::pretty_payload)}</pre>
            </details>
        </div>
    }
}
