//! `/`: the brief context, the composer and the tasks, kept current by the
//! `taskEvents` subscription.
//!
//! The list has three sources that can arrive in any order: pages of the `tasks`
//! query, the submit result, and live events. All of them go through
//! [`TaskList::upsert`], which keys by id and keeps whichever copy of a task is newer,
//! so a task never appears twice and a late, stale copy never rolls a card back.
//!
//! The filters (and the chosen campaign/brief) are applied by the server, to the list
//! and to the subscription alike; changing them re-reads the list and re-subscribes.

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::{spawn_local, spawn_local_scoped_with_cancellation};
use leptos_router::components::Redirect;

use crate::api::ApiError;
use crate::api::operations::catalogue::fetch_catalogue;
use crate::api::operations::tasks::{self, Submitted, TaskEvents, TaskQuery};
use crate::api::operations::{self, Me};
use crate::api::ws::{self, Flow, LinkState};
use crate::components::board::brief_picker::{BriefContext, BriefPicker};
use crate::components::board::budget_alerts::BudgetAlertBanners;
use crate::components::board::composer::Composer;
use crate::components::board::task_card::TaskCard;
use crate::components::board::task_filters::{Filters, Scope, TaskFilters};
use crate::components::shared::header::Header;
use crate::components::shared::load_failed::LoadFailed;
use crate::i18n::{Key, use_i18n};
use crate::model::{Catalogue, Task, timestamp_ms};
use crate::session::use_session;

/// Spend figures are re-read this long after the last status change, so a burst of
/// events costs one request.
const STATS_DEBOUNCE_MS: u32 = 700;

#[component]
pub fn BoardPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Show when=move || session.signed_in() fallback=|| view! { <Redirect path="/login" /> }>
            <Board />
        </Show>
    }
}

/// One card's worth of state. The task sits in its own signal so that an update
/// re-renders that card only, and the list itself changes only on insertions.
#[derive(Clone)]
struct Entry {
    id: String,
    /// For placing tasks newest first; creation time never changes.
    created_ms: f64,
    task: ArcRwSignal<Task>,
}

#[derive(Clone, Copy)]
struct TaskList {
    entries: RwSignal<Vec<Entry>>,
    /// `None` until the brief context has settled.
    query: RwSignal<Option<TaskQuery>>,
    /// Cursor of the next page; `None` when everything is loaded.
    next: RwSignal<Option<String>>,
    /// The first page for the current query has arrived.
    loaded: RwSignal<bool>,
    loading: RwSignal<bool>,
    loading_more: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    /// Bumped when the query changes, so answers for the previous query that land
    /// late are dropped instead of mixing two lists.
    generation: StoredValue<u64>,
}

impl TaskList {
    fn new() -> Self {
        Self {
            entries: RwSignal::new(Vec::new()),
            query: RwSignal::new(None),
            next: RwSignal::new(None),
            loaded: RwSignal::new(false),
            loading: RwSignal::new(true),
            loading_more: RwSignal::new(false),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Updates the task's card if it has one; otherwise adds a card when `insert`.
    fn upsert(&self, task: Task, insert: bool) {
        let existing = self.entries.with_untracked(|entries| {
            entries
                .iter()
                .find(|e| e.id == task.id)
                .map(|e| e.task.clone())
        });
        match existing {
            Some(current) if current.with_untracked(|c| c.is_superseded_by(&task)) => {
                current.set(task);
            }
            Some(_) => {}
            None if insert => {
                let created_ms = timestamp_ms(&task.created_at).unwrap_or(f64::MAX);
                let entry = Entry {
                    id: task.id.clone(),
                    created_ms,
                    task: ArcRwSignal::new(task),
                };
                self.entries.update(|entries| {
                    let at = entries
                        .iter()
                        .position(|e| e.created_ms < created_ms)
                        .unwrap_or(entries.len());
                    entries.insert(at, entry);
                });
            }
            None => {}
        }
    }

    fn merge(&self, tasks: Vec<Task>) {
        for task in tasks {
            self.upsert(task, true);
        }
    }

    /// Whether `task` belongs on the list as it is filtered now.
    fn admits(&self, task: &Task) -> bool {
        self.query
            .with_untracked(|q| q.as_ref().is_some_and(|q| q.admits(task)))
    }

    /// A live event: the card changes in place, and a task the board has not seen
    /// appears if the filters want it.
    fn on_event(&self, task: Task) {
        let wanted = self.admits(&task);
        self.upsert(task, wanted);
    }

    /// Whether an answer requested under `generation` still belongs on the board:
    /// false after a query change, and after the board is gone (signed out while
    /// the request was in flight), when its signals may no longer be touched.
    fn is_current(&self, generation: u64) -> bool {
        self.generation.try_get_value() == Some(generation)
    }

    fn set_query(&self, query: TaskQuery) {
        if self.query.with_untracked(|q| q.as_ref() != Some(&query)) {
            self.query.set(Some(query));
            self.reload();
        }
    }

    /// Starts the list over from the first page.
    fn reload(&self) {
        let Some(query) = self.query.get_untracked() else {
            return;
        };
        let this = *self;
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        self.entries.set(Vec::new());
        self.next.set(None);
        self.loaded.set(false);
        self.error.set(None);
        self.loading.set(true);
        spawn_local(async move {
            let result = tasks::fetch_tasks(&query, None).await;
            if !this.is_current(generation) {
                return;
            }
            this.loading.set(false);
            match result {
                Ok(page) => this.first_page(page),
                Err(e) => this.error.set(Some(e)),
            }
        });
    }

    fn first_page(&self, page: tasks::TaskPage) {
        self.merge(page.tasks);
        self.next.set(page.next);
        self.loaded.set(true);
        self.error.set(None);
        self.loading.set(false);
    }

    /// Re-reads the first page after the live connection (re)opens: whatever
    /// changed while it was down comes back this way.
    fn resync(&self) {
        let Some(query) = self.query.get_untracked() else {
            return;
        };
        let this = *self;
        let generation = self.generation.get_value();
        spawn_local(async move {
            let result = tasks::fetch_tasks(&query, None).await;
            if !this.is_current(generation) {
                return;
            }
            match result {
                // The pages already loaded keep their cursor; only a list that never
                // loaded takes this page as its start.
                Ok(page) if this.loaded.get_untracked() => this.merge(page.tasks),
                Ok(page) => this.first_page(page),
                // The list shows its own error and retry button; a failed background
                // refresh has nothing to add.
                Err(_) => {}
            }
        });
    }

    fn load_more(&self) {
        let (Some(after), Some(query)) = (self.next.get_untracked(), self.query.get_untracked())
        else {
            return;
        };
        if self.loading_more.get_untracked() {
            return;
        }
        let this = *self;
        let generation = self.generation.get_value();
        self.loading_more.set(true);
        self.error.set(None);
        spawn_local(async move {
            let result = tasks::fetch_tasks(&query, Some(after)).await;
            if !this.is_current(generation) {
                return;
            }
            this.loading_more.set(false);
            match result {
                Ok(page) => {
                    this.merge(page.tasks);
                    this.next.set(page.next);
                }
                Err(e) => this.error.set(Some(e)),
            }
        });
    }
}

#[component]
fn Board() -> impl IntoView {
    let i18n = use_i18n();
    let me = RwSignal::new(None::<Me>);
    let catalogue = RwSignal::new(None::<Catalogue>);
    let catalogue_error = RwSignal::new(None::<ApiError>);
    let link = RwSignal::new(LinkState::Connecting);
    let context = BriefContext::new();
    let filters = Filters::new();
    let list = TaskList::new();
    // Bumped on every status change, for the composer's duplicate check.
    let tick = RwSignal::new(0u64);
    let stats_generation = StoredValue::new(0u64);

    spawn_local(async move {
        // Without the viewer the header is merely emptier; an expired session is
        // handled centrally and anything else shows up on the list as well.
        if let Ok(viewer) = operations::viewer().await
            && !me.is_disposed()
        {
            me.set(Some(viewer));
        }
    });
    let load_catalogue = move || {
        spawn_local(async move {
            let result = fetch_catalogue().await;
            if catalogue.is_disposed() {
                return;
            }
            match result {
                Ok(c) => {
                    catalogue.set(Some(c));
                    catalogue_error.set(None);
                }
                Err(e) => catalogue_error.set(Some(e)),
            }
        });
    };
    load_catalogue();
    context.load();

    let refresh_stats = move || {
        let generation = stats_generation.get_value() + 1;
        stats_generation.set_value(generation);
        spawn_local(async move {
            TimeoutFuture::new(STATS_DEBOUNCE_MS).await;
            if stats_generation.try_get_value() == Some(generation) {
                context.refresh_stats();
            }
        });
    };

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
                    refresh_stats();
                }
                list.on_event(event.task);
                Flow::Continue
            },
            move |state| link.set(state),
            move || list.resync(),
        ));
    });

    let on_created = Callback::new(move |submitted: Submitted| {
        let Submitted { task, duplicate } = submitted;
        // Show a new task even if the list was filtered to something it is not.
        if !duplicate && !list.admits(&task) && filters.narrowed() {
            filters.widen();
        }
        let wanted = list.admits(&task) || !duplicate;
        list.upsert(task, wanted);
        tick.update(|t| *t += 1);
        refresh_stats();
    });

    let brief = Signal::derive(move || context.brief());
    let is_admin = Signal::derive(move || me.with(|m| m.as_ref().is_some_and(Me::is_admin)));
    let empty = move || {
        list.loaded.get() && list.entries.with(Vec::is_empty) && list.error.with(Option::is_none)
    };
    let skeleton = move || {
        (list.loading.get() || list.query.with(Option::is_none))
            && list.entries.with(Vec::is_empty)
            && list.error.with(Option::is_none)
            && !(context.loaded.get() && context.campaigns.with(Vec::is_empty))
    };

    view! {
        <div class="app">
            <Header me=me link=link />
            <div class="page">
                <BudgetAlertBanners on_alert=Callback::new(move |_| refresh_stats()) />
                <BriefPicker context=context is_admin=is_admin />
                <main class="board">
                    <aside class="composer">
                        {move || {
                            catalogue_error
                                .get()
                                .map(|e| {
                                    view! {
                                        <LoadFailed
                                            what=Key::LoadModelsFailed
                                            error=e
                                            on_retry=move || load_catalogue()
                                        />
                                    }
                                })
                        }}
                        <Composer
                            catalogue=catalogue
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
                        {move || {
                            list.error
                                .get()
                                .map(|e| {
                                    view! {
                                        <LoadFailed
                                            what=Key::LoadTasksFailed
                                            error=e
                                            testid="list-error"
                                            on_retry=move || {
                                                if list.loaded.get_untracked() {
                                                    list.load_more()
                                                } else {
                                                    list.reload()
                                                }
                                            }
                                        />
                                    }
                                })
                        }}
                        <div class="grid" data-testid="task-list">
                            <For
                                each=move || list.entries.get()
                                key=|entry| entry.id.clone()
                                children=|entry| view! { <TaskCard task=entry.task /> }
                            />
                        </div>
                        <Show when=skeleton>
                            <div class="grid">
                                {(0..3)
                                    .map(|_| {
                                        view! {
                                            <div class="card skeleton" aria-hidden="true">
                                                <div class="media"></div>
                                                <div class="card-body">
                                                    <div class="line"></div>
                                                    <div class="line short"></div>
                                                </div>
                                            </div>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        </Show>
                        <Show when=empty>
                            <div class="empty">
                                <span class="empty-mark" aria-hidden="true"></span>
                                <p>
                                    {move || {
                                        if filters.narrowed() {
                                            i18n.t(Key::NoTasksFiltered)
                                        } else {
                                            i18n.t(Key::NoTasks)
                                        }
                                    }}
                                </p>
                            </div>
                        </Show>
                        <Show when=move || list.next.with(Option::is_some)>
                            <div class="more">
                                <button
                                    type="button"
                                    class="button"
                                    data-testid="load-more"
                                    disabled=move || list.loading_more.get()
                                    on:click=move |_| list.load_more()
                                >
                                    {move || {
                                        if list.loading_more.get() {
                                            i18n.t(Key::Loading)
                                        } else {
                                            i18n.t(Key::LoadMore)
                                        }
                                    }}
                                </button>
                            </div>
                        </Show>
                    </section>
                </main>
            </div>
        </div>
    }
}
