//! A delivery log: the events Kiln sent to one webhook endpoint, or about one task,
//! newest first, each with every attempt (HTTP status, latency, the start of the
//! receiver's answer or why none came), the payload, and a Replay button for admins.
//!
//! Pages, replays and the live `webhookDeliveryUpdated` feed all go through
//! [`merge_delivery`], which keeps whichever copy of a delivery knows more attempts.
//! Admins follow the whole log live, any member a task's; the log is also re-read
//! when the caller asks (the task page does on each status change) and whenever the
//! feed (re)connects.

use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;
use leptos_router::components::A;

use crate::api::ApiError;
use crate::api::operations::webhooks::{
    self, DeliveryPage, DeliverySource, WebhookDeliveryUpdated,
};
use crate::api::ws::{self, Flow};
use crate::components::shared::delivery_attempts::Attempts;
use crate::components::shared::load_failed::LoadFailed;
use crate::components::shared::on_result;
use crate::i18n::{self, Key, use_i18n};
use crate::model::{Delivery, DeliveryPhase, Merged, merge_delivery};

/// The log's state, shared by its rows.
#[derive(Clone, Copy)]
struct Log {
    deliveries: RwSignal<Vec<Delivery>>,
    /// Cursor of the next page; `None` when everything is loaded.
    next: RwSignal<Option<String>>,
    loaded: RwSignal<bool>,
    failure: RwSignal<Option<ApiError>>,
    source: StoredValue<DeliverySource>,
    /// The newest page; re-read on request.
    newest: LocalResource<Result<DeliveryPage, ApiError>>,
    more: Action<String, Result<DeliveryPage, ApiError>>,
}

impl Log {
    /// Merges what came, touching the signal only when something changed.
    fn merge(&self, incoming: Vec<Delivery>, insert: bool) -> Vec<Merged> {
        let mut outcomes = Vec::with_capacity(incoming.len());
        self.deliveries.maybe_update(|log| {
            for delivery in incoming {
                outcomes.push(merge_delivery(log, delivery, insert));
            }
            outcomes
                .iter()
                .any(|m| matches!(m, Merged::Replaced | Merged::Inserted))
        });
        outcomes
    }

    /// Made in the log's scope, which the resource and the action live in.
    fn new(source: DeliverySource) -> Self {
        let source = StoredValue::new(source);
        let newest = LocalResource::new(move || {
            let source = source.get_value();
            async move { webhooks::fetch_deliveries(&source, None).await }
        });
        let more = Action::new_local(move |after: &String| {
            let (source, after) = (source.get_value(), after.clone());
            async move { webhooks::fetch_deliveries(&source, Some(after)).await }
        });
        let log = Self {
            deliveries: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            loaded: RwSignal::new(false),
            failure: RwSignal::new(None),
            source,
            newest,
            more,
        };
        Effect::new(move |_| {
            if let Some(result) = newest.get() {
                untrack(|| log.on_newest(result));
            }
        });
        on_result(more, move |result| match result {
            Ok(page) => {
                log.merge(page.deliveries, true);
                log.next.set(page.next);
            }
            Err(e) => log.failure.set(Some(e)),
        });
        log
    }

    /// The newest page. Later pages, once loaded, are kept as they are.
    fn on_newest(&self, result: Result<DeliveryPage, ApiError>) {
        match result {
            Ok(page) => {
                self.merge(page.deliveries, true);
                if !self.loaded.get_untracked() {
                    self.next.set(page.next);
                    self.loaded.set(true);
                }
                self.failure.set(None);
            }
            Err(e) => self.failure.set(Some(e)),
        }
    }

    /// Re-reads the newest page.
    fn load_first(&self) {
        self.newest.refetch();
    }

    fn load_more(&self) {
        let Some(after) = self.next.get_untracked() else {
            return;
        };
        if self.more.pending().get_untracked() {
            return;
        }
        self.more.dispatch_local(after);
    }

    /// A delivery from the live feed.
    fn on_live(&self, delivery: Delivery) {
        let belongs = match self.source.with_value(|s| s.clone()) {
            // The feed was asked for this task's deliveries only.
            DeliverySource::Task { .. } => true,
            // Only known deliveries are certain to be this endpoint's; a new one to
            // the same URL may be too (or a task's callback to that URL): re-read.
            DeliverySource::Endpoint { url, .. } => {
                let same_url = delivery.url == url;
                let merged = self.merge(vec![delivery], false);
                if same_url && merged.first() == Some(&Merged::Absent) {
                    self.load_first();
                }
                return;
            }
        };
        self.merge(vec![delivery], belongs);
    }
}

#[component]
pub fn DeliveryLog(
    source: DeliverySource,
    /// Admins may send a delivery again.
    #[prop(into)]
    can_replay: Signal<bool>,
    /// Bumped to re-read the newest page.
    #[prop(into, optional)]
    refresh: Option<Signal<u64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let for_task = matches!(source, DeliverySource::Task { .. });
    let task_id = match &source {
        DeliverySource::Task { id } => Some(id.clone()),
        DeliverySource::Endpoint { .. } => None,
    };
    let log = Log::new(source);
    let loading_more = log.more.pending();

    if let Some(refresh) = refresh {
        Effect::new(move |previous: Option<u64>| {
            let now = refresh.get();
            if previous.is_some_and(|p| p != now) {
                log.load_first();
            }
            now
        });
    }

    // Admins follow the whole log, any member a task's (as they may read them).
    Effect::new(move |_| {
        let task_id = task_id.clone();
        spawn_local_scoped_with_cancellation(ws::run::<WebhookDeliveryUpdated>(
            webhooks::delivery_updated_variables(task_id),
            move |data| {
                log.on_live(webhooks::updated_delivery(data));
                Flow::Continue
            },
            |_| {},
            // Attempts logged before the subscription stood (or while the socket was
            // down) are only in the log.
            move || log.load_first(),
        ));
    });

    let ids = move || {
        log.deliveries
            .with(|l| l.iter().map(|d| d.id.clone()).collect::<Vec<_>>())
    };
    let empty = move || log.loaded.get() && log.deliveries.with(Vec::is_empty);

    view! {
        <div class="delivery-log" data-testid="delivery-log" aria-busy=move || (!log.loaded.get()).to_string()>
            {move || {
                log.failure
                    .get()
                    .map(|e| {
                        view! {
                            <LoadFailed
                                what=Key::LoadDeliveriesFailed
                                error=e
                                on_retry=move || log.load_first()
                            />
                        }
                    })
            }}
            <Show when=move || !log.loaded.get() && log.failure.with(Option::is_none)>
                <p class="hint">{move || i18n.t(Key::Loading)}</p>
            </Show>
            <Show when=empty>
                <p class="muted" data-testid="delivery-log-empty">
                    {move || if for_task { i18n.t(Key::NoCallbacks) } else { i18n.t(Key::NoDeliveries) }}
                </p>
            </Show>
            <ol class="deliveries">
                <For
                    each=ids
                    key=|id| id.clone()
                    children=move |id| {
                        view! { <DeliveryRow id=id log=log for_task=for_task can_replay=can_replay /> }
                    }
                />
            </ol>
            <Show when=move || log.next.with(Option::is_some)>
                <div class="more">
                    <button
                        type="button"
                        class="button small"
                        disabled=move || loading_more.get()
                        on:click=move |_| log.load_more()
                    >
                        {move || {
                            if loading_more.get() { i18n.t(Key::Loading) } else { i18n.t(Key::LoadMore) }
                        }}
                    </button>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn DeliveryRow(
    id: String,
    log: Log,
    /// A task's log names where each delivery went; an endpoint's links its task.
    for_task: bool,
    can_replay: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(id);
    let delivery = Memo::new(move |_| {
        log.deliveries.with(|l| {
            l.iter()
                .find(|d| id.with_value(|id| d.id == *id))
                .cloned()
                .unwrap_or_default()
        })
    });
    let expanded = RwSignal::new(false);
    let replay_failure = RwSignal::new(None::<String>);
    let send_again = Action::new_local(|id: &String| webhooks::replay_delivery(id.clone()));
    let replaying = send_again.pending();
    on_result(send_again, move |result| {
        let lang = i18n.lang_untracked();
        match result {
            // The attempt itself comes on the live feed.
            Ok(Ok(delivery)) => {
                log.merge(vec![delivery], false);
            }
            Ok(Err(errors)) => replay_failure.set(
                errors
                    .first()
                    .map(|e| i18n::user_error(lang, e.field.as_deref(), e.code, &e.message)),
            ),
            Err(e) => replay_failure.set(Some(e.message(lang))),
        }
    });
    let phase = Memo::new(move |_| delivery.with(|d| d.phase(js_sys::Date::now())));

    let replay = move |_| {
        if replaying.get_untracked() {
            return;
        }
        replay_failure.set(None);
        send_again.dispatch_local(id.get_value());
    };

    let head_target = move || {
        if for_task {
            let url = delivery.with(|d| d.url.clone());
            view! { <code class="delivery-url" title=url.clone()>{url.clone()}</code> }.into_any()
        } else {
            delivery
                .with(|d| d.task_id.clone())
                .map(|task| {
                    view! {
                        <A href=format!("/tasks/{task}") attr:class="delivery-task" attr:data-testid="delivery-task-link">
                            {move || i18n.t(Key::ViewTask)}
                        </A>
                    }
                    .into_any()
                })
                .unwrap_or_else(|| ().into_any())
        }
    };
    let summary = move || {
        let lang = i18n.lang();
        delivery.with(|d| {
            let mut parts = vec![i18n::attempt_count(lang, d.attempts.len())];
            if let Some(last) = d.last_attempt() {
                parts.push(i18n::attempt_outcome(lang, last));
            }
            if phase.get() == DeliveryPhase::Retrying
                && let Some(at) = &d.next_attempt_at
            {
                parts.push(i18n::next_try(lang, at));
            }
            parts.join(" · ")
        })
    };

    view! {
        <li
            class="delivery"
            data-testid="delivery"
            data-delivery-id=move || id.get_value()
            data-event=move || delivery.with(|d| d.event_type.clone())
            data-phase=move || phase.get().as_str()
            data-attempts=move || delivery.with(|d| d.attempts.len().to_string())
            data-task-id=move || delivery.with(|d| d.task_id.clone()).unwrap_or_default()
        >
            <div class="delivery-head">
                <span
                    class=move || format!("badge delivery-badge phase-{}", phase.get().as_str().to_ascii_lowercase())
                    data-testid="delivery-status"
                >
                    <span class="badge-dot" aria-hidden="true"></span>
                    {move || i18n::delivery_phase(i18n.lang(), phase.get())}
                </span>
                <span class="delivery-event" title=move || delivery.with(|d| d.event_type.clone())>
                    {move || {
                        delivery
                            .with(|d| match d.event() {
                                Some(e) => i18n::event_type(i18n.lang(), e).to_owned(),
                                None => d.event_type.clone(),
                            })
                    }}
                </span>
                {head_target}
                <span class="delivery-summary" data-testid="delivery-summary">{summary}</span>
                <time
                    class="delivery-time"
                    datetime=move || delivery.with(|d| d.created_at.clone())
                >
                    {move || delivery.with(|d| i18n::datetime(i18n.lang(), &d.created_at))}
                </time>
                <div class="delivery-actions">
                    <button
                        type="button"
                        class="button small ghost"
                        data-testid="delivery-attempts-toggle"
                        aria-expanded=move || expanded.get().to_string()
                        on:click=move |_| expanded.update(|e| *e = !*e)
                    >
                        {move || i18n.t(Key::Attempts)}
                        <span class="disclosure" aria-hidden="true">
                            {move || if expanded.get() { "▴" } else { "▾" }}
                        </span>
                    </button>
                    <Show when=move || can_replay.get()>
                        <button
                            type="button"
                            class="button small"
                            data-testid="delivery-replay"
                            disabled=move || replaying.get()
                            aria-busy=move || replaying.get().to_string()
                            on:click=replay
                        >
                            {move || if replaying.get() { i18n.t(Key::Replaying) } else { i18n.t(Key::Replay) }}
                        </button>
                    </Show>
                </div>
            </div>
            {move || {
                replay_failure.get().map(|text| view! { <p class="alert" role="alert">{text}</p> })
            }}
            <Show when=move || expanded.get()>
                <Attempts delivery=delivery />
            </Show>
        </li>
    }
}
