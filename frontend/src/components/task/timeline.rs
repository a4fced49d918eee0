//! A task's status history, oldest first: every transition with its cause, the
//! upstream's own status word, and when it happened.

use leptos::prelude::*;

use crate::components::shared::status_badge::StatusBadge;
use crate::i18n::{self, use_i18n};
use crate::model::{Transition, timestamp_ms};

#[component]
pub fn Timeline(#[prop(into)] history: Signal<Vec<Transition>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ol class="timeline" data-testid="task-timeline">
            {move || {
                let lang = i18n.lang();
                let entries = history.get();
                let start = entries.first().and_then(|e| timestamp_ms(&e.at));
                entries
                    .into_iter()
                    .map(|entry| {
                        // Time since the first entry says more than a clock time when
                        // the whole run takes seconds.
                        let offset = start
                            .zip(timestamp_ms(&entry.at))
                            .map(|(start, at)| i18n::elapsed(lang, at - start));
                        let to = entry.to;
                        view! {
                            <li
                                class="timeline-entry"
                                data-testid="timeline-entry"
                                data-to=to.as_str()
                            >
                                <span class="timeline-dot" aria-hidden="true"></span>
                                <div class="timeline-body">
                                    <div class="timeline-move">
                                        {entry
                                            .from
                                            .map(|from| {
                                                view! {
                                                    <StatusBadge status=from />
                                                    <span class="arrow" aria-hidden="true">"→"</span>
                                                }
                                            })}
                                        <StatusBadge status=to />
                                    </div>
                                    <div class="timeline-meta">
                                        <span class="cause">{i18n::cause(lang, &entry.cause)}</span>
                                        {entry
                                            .retry_after_ms
                                            .map(|ms| view! { <span class="retry-wait">{i18n::retried_after(lang, ms)}</span> })}
                                        {entry
                                            .upstream_status
                                            .map(|s| {
                                                view! {
                                                    <code class="upstream" title=i18n::upstream_status_hint(lang)>
                                                        {s}
                                                    </code>
                                                }
                                            })}
                                        <time datetime=entry.at.clone() title=entry.at.clone()>
                                            {i18n::time_precise(lang, &entry.at)}
                                        </time>
                                        {offset.map(|o| view! { <span class="offset">{o}</span> })}
                                    </div>
                                </div>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
    }
}
