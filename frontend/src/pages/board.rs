//! `/`: the submit form and the team's tasks, kept current by the `taskEvents`
//! subscription.
//!
//! The list has three sources that can arrive in any order: pages of the `tasks`
//! query, the `submitTask` result, and live events. All of them go through
//! [`TaskList::upsert`], which keys by id and keeps whichever copy of a task is newer,
//! so a task never appears twice and a late, stale copy never rolls a card back.

use leptos::prelude::*;
use leptos::task::{spawn_local, spawn_local_scoped_with_cancellation};
use leptos_router::components::Redirect;

use crate::api::ApiError;
use crate::api::operations::{self, Me, TaskEvents, TaskFilter, task_events};
use crate::api::ws::{self, LinkState};
use crate::components::header::Header;
use crate::components::status_filter::StatusFilter;
use crate::components::submit_form::SubmitForm;
use crate::components::task_card::TaskCard;
use crate::i18n::{Key, use_i18n};
use crate::model::{Task, timestamp_ms};
use crate::session::use_session;

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
    filter: RwSignal<TaskFilter>,
    /// Cursor of the next page; `None` when everything is loaded.
    next: RwSignal<Option<String>>,
    /// The first page for the current filter has arrived.
    loaded: RwSignal<bool>,
    loading: RwSignal<bool>,
    loading_more: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    /// Bumped when the filter changes, so answers for the previous filter that land
    /// late are dropped instead of mixing two lists.
    generation: StoredValue<u64>,
}

impl TaskList {
    fn new() -> Self {
        Self {
            entries: RwSignal::new(Vec::new()),
            filter: RwSignal::new(TaskFilter::All),
            next: RwSignal::new(None),
            loaded: RwSignal::new(false),
            loading: RwSignal::new(false),
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

    /// A live event: the card changes in place, and a task the board has not seen
    /// appears if the current filter wants it.
    fn on_event(&self, task: Task) {
        let wanted = self.filter.get_untracked().admits(task.status);
        self.upsert(task, wanted);
    }

    /// Whether an answer requested under `generation` still belongs on the board:
    /// false after a filter change, and after the board is gone (signed out while
    /// the request was in flight), when its signals may no longer be touched.
    fn is_current(&self, generation: u64) -> bool {
        self.generation.try_get_value() == Some(generation)
    }

    fn set_filter(&self, filter: TaskFilter) {
        if self.filter.get_untracked() != filter {
            self.filter.set(filter);
            self.reload();
        }
    }

    /// Starts the list over from the first page.
    fn reload(&self) {
        let this = *self;
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        self.entries.set(Vec::new());
        self.next.set(None);
        self.loaded.set(false);
        self.error.set(None);
        self.loading.set(true);
        let filter = self.filter.get_untracked();
        spawn_local(async move {
            let result = operations::fetch_tasks(filter, None).await;
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

    fn first_page(&self, page: operations::TaskPage) {
        self.merge(page.tasks);
        self.next.set(page.next);
        self.loaded.set(true);
        self.error.set(None);
        self.loading.set(false);
    }

    /// Re-reads the first page after the live connection (re)opens: whatever
    /// changed while it was down comes back this way.
    fn resync(&self) {
        let this = *self;
        let generation = self.generation.get_value();
        let filter = self.filter.get_untracked();
        spawn_local(async move {
            let result = operations::fetch_tasks(filter, None).await;
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
        let Some(after) = self.next.get_untracked() else {
            return;
        };
        if self.loading_more.get_untracked() {
            return;
        }
        let this = *self;
        let generation = self.generation.get_value();
        let filter = self.filter.get_untracked();
        self.loading_more.set(true);
        self.error.set(None);
        spawn_local(async move {
            let result = operations::fetch_tasks(filter, Some(after)).await;
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
    let link = RwSignal::new(LinkState::Connecting);
    let list = TaskList::new();

    spawn_local(async move {
        // Without the viewer the header is merely emptier; an expired session is
        // handled centrally and anything else shows up on the list as well.
        if let Ok(viewer) = operations::viewer().await {
            me.set(Some(viewer));
        }
    });
    list.reload();
    // Cancelled when the board unmounts (sign-out), which also closes the socket.
    spawn_local_scoped_with_cancellation(ws::run::<TaskEvents>(
        task_events::Variables,
        move |data| list.on_event(operations::event_task(data)),
        move |state| link.set(state),
        move || list.resync(),
    ));

    let on_created = Callback::new(move |task: Task| {
        // Show the new task even if the list was filtered to something it is not.
        if !list.filter.get_untracked().admits(task.status) {
            list.set_filter(TaskFilter::All);
        }
        list.upsert(task, true);
    });

    let empty = move || {
        list.loaded.get() && list.entries.with(Vec::is_empty) && list.error.with(Option::is_none)
    };

    view! {
        <div class="app">
            <Header me=me link=link />
            <main class="board">
                <aside class="composer">
                    <SubmitForm on_created=on_created />
                </aside>
                <section class="tasks" aria-labelledby="tasks-title">
                    <div class="tasks-head">
                        <h2 id="tasks-title">{move || i18n.t(Key::Tasks)}</h2>
                        <StatusFilter
                            value=list.filter
                            on_change=Callback::new(move |f| list.set_filter(f))
                        />
                    </div>
                    {move || {
                        list.error
                            .get()
                            .map(|e| {
                                view! {
                                    <div class="banner" role="alert" data-testid="list-error">
                                        <span>
                                            {i18n.t(Key::LoadTasksFailed)} " " {e.message(i18n.lang())}
                                        </span>
                                        <button
                                            type="button"
                                            class="button small"
                                            on:click=move |_| {
                                                if list.loaded.get_untracked() {
                                                    list.load_more()
                                                } else {
                                                    list.reload()
                                                }
                                            }
                                        >
                                            {i18n.t(Key::Retry)}
                                        </button>
                                    </div>
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
                    <Show when=move || list.loading.get() && list.entries.with(Vec::is_empty)>
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
                                    if list.filter.get() == TaskFilter::All {
                                        i18n.t(Key::NoTasks)
                                    } else {
                                        i18n.t(Key::NoTasksFiltered)
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
    }
}
