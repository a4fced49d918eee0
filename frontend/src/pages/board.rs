//! `/`: the brief context, the composer and the tasks, kept current by the
//! `taskEvents` subscription.
//!
//! On a wide screen the composer sits beside the tasks. Where the board is one
//! column (phones, narrow windows) the tasks come first and the composer opens from
//! a "New task" button; the stylesheet decides which, so the composer's state
//! survives a resize. After a submit the composer closes again and the keyboard
//! focus moves to the new task's card, so neither sighted nor screen-reader users
//! are left at the top of an empty page.
//!
//! The filters (and the chosen campaign/brief) are applied by the server, to the list
//! and to the subscription alike; changing them re-reads the list and re-subscribes.

use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;
use leptos_router::components::Redirect;
use leptos_use_signal_debounce_throttle::signal_debounced;
use wasm_bindgen::JsCast;

use crate::api::operations::Me;
use crate::api::operations::catalogue::fetch_catalogue;
use crate::api::operations::tasks::{self, Submitted, TaskEvents, TaskQuery};
use crate::api::ws::{self, Flow, LinkState};
use crate::components::board::brief_picker::{BriefContext, BriefPicker};
use crate::components::board::budget_alerts::BudgetAlertBanners;
use crate::components::board::composer::Composer;
use crate::components::board::task_filters::{Filters, Scope, TaskFilters};
use crate::components::board::task_list::{TaskList, TaskListView};
use crate::components::shared::header::{Header, use_viewer};
use crate::components::shared::load_failed::LoadFailed;
use crate::i18n::{Key, use_i18n};
use crate::session::use_session;

/// Spend figures are re-read this long after the last status change, so a burst of
/// events costs one request.
const STATS_DEBOUNCE_MS: f64 = 700.0;

#[component]
pub fn BoardPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Show when=move || session.signed_in() fallback=|| view! { <Redirect path="/login" /> }>
            <Board />
        </Show>
    }
}

#[component]
fn Board() -> impl IntoView {
    let i18n = use_i18n();
    // Without the viewer the header is merely emptier; an expired session is
    // handled centrally and anything else shows up on the list as well.
    let viewer = use_viewer();
    let me = Signal::derive(move || viewer.get().and_then(Result::ok));
    let catalogue = LocalResource::new(fetch_catalogue);
    let link = RwSignal::new(LinkState::Connecting);
    let context = BriefContext::new();
    let filters = Filters::new();
    let list = TaskList::new();
    // Bumped on every status change, for the composer's duplicate check.
    let tick = RwSignal::new(0u64);
    // Bumped on every change to what the campaigns have spent.
    let spent = RwSignal::new(0u64);

    // The campaign figures follow the spending, once it settles.
    let settled = signal_debounced(spent, STATS_DEBOUNCE_MS);
    Effect::new(move |previous: Option<u64>| {
        let now = settled.get();
        if previous.is_some_and(|p| p != now) {
            context.refresh_stats();
        }
        now
    });

    // The query follows the filters and the chosen brief, once that has settled.
    Effect::new(move |_| {
        if !context.ready() {
            return;
        }
        let campaign_id = context.campaign_id.get();
        let brief_id = context.brief_id.get();
        let (campaign_id, brief_id) = match filters.scope.get() {
            Scope::Brief => (campaign_id, brief_id),
            Scope::Campaign => (campaign_id, None),
            Scope::Team => (None, None),
        };
        list.set_query(TaskQuery {
            status: filters.status.get(),
            stage: filters.stage.get(),
            kind: filters.kind.get(),
            mine: filters.mine.get(),
            campaign_id,
            brief_id,
        });
    });

    // One subscription for the current query. An effect cleans up its previous run
    // before the next, which cancels the previous subscription (and closes its
    // socket); unmounting the board cancels the last one.
    Effect::new(move |_| {
        let Some(query) = list.query.get() else {
            return;
        };
        spawn_local_scoped_with_cancellation(ws::run::<TaskEvents>(
            query.event_variables(),
            move |data| {
                let event = tasks::task_event(data);
                if event.transition {
                    tick.update(|t| *t += 1);
                    spent.update(|s| *s += 1);
                }
                list.on_event(event.task);
                Flow::Continue
            },
            move |state| link.set(state),
            move || list.resync(),
        ));
    });

    // Whether the composer is open where it hides behind its button.
    let composing = RwSignal::new(false);

    let on_created = Callback::new(move |submitted: Submitted| {
        let Submitted { task, duplicate } = submitted;
        // A duplicate keeps the composer open: its notice says what happened there.
        if !duplicate {
            composing.set(false);
            focus_card(task.id.clone());
        }
        // Show a new task even if the list was filtered to something it is not.
        if !duplicate && !list.admits(&task) && filters.narrowed() {
            filters.widen();
        }
        let wanted = list.admits(&task) || !duplicate;
        list.upsert(task, wanted);
        tick.update(|t| *t += 1);
        spent.update(|s| *s += 1);
    });

    let brief = Signal::derive(move || context.brief());
    let is_admin = Signal::derive(move || me.with(|m| m.as_ref().is_some_and(Me::is_admin)));
    let models = Signal::derive(move || catalogue.get().and_then(Result::ok));
    let catalogue_error = move || catalogue.get().and_then(Result::err);
    let may_load =
        Signal::derive(move || !(context.loaded.get() && context.campaigns.with(Vec::is_empty)));

    view! {
        <div class="app">
            <Header me=me link=link />
            <div class="page">
                <BudgetAlertBanners on_alert=Callback::new(move |_| spent.update(|s| *s += 1)) />
                <BriefPicker context=context is_admin=is_admin />
                <div class="compose-toggle">
                    <button
                        type="button"
                        class="button primary wide"
                        aria-expanded=move || composing.get().to_string()
                        aria-controls="composer"
                        data-testid="new-task"
                        on:click=move |_| composing.update(|open| *open = !*open)
                    >
                        <span aria-hidden="true">{move || if composing.get() { "×" } else { "+" }}</span>
                        {move || i18n.t(Key::NewTask)}
                    </button>
                </div>
                <main class="board">
                    <aside class="composer" id="composer" class:open=move || composing.get()>
                        {move || {
                            catalogue_error()
                                .map(|e| {
                                    view! {
                                        <LoadFailed
                                            what=Key::LoadModelsFailed
                                            error=e
                                            on_retry=move || catalogue.refetch()
                                        />
                                    }
                                })
                        }}
                        <Composer
                            catalogue=models
                            brief=brief
                            on_created=on_created
                            refresh=tick
                            callbacks_signed=Signal::derive(move || {
                                me.with(|m| m.as_ref().is_none_or(|m| m.team_has_callback_secret))
                            })
                        />
                    </aside>
                    <section class="tasks" aria-labelledby="tasks-title">
                        <div class="tasks-head">
                            <h2 id="tasks-title">{move || i18n.t(Key::Tasks)}</h2>
                            <TaskFilters filters=filters />
                        </div>
                        <TaskListView list=list filters=filters may_load=may_load />
                    </section>
                </main>
            </div>
        </div>
    }
}

/// Moves the keyboard focus to a task's card (its link, the card's one stop in the
/// tab order) once the card is on the page.
fn focus_card(id: String) {
    request_animation_frame(move || {
        let selector = format!("[data-testid=\"task-card\"][data-task-id=\"{id}\"] .card-link");
        if let Some(link) = document()
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = link.focus();
        }
    });
}
