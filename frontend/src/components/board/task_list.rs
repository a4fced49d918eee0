//! The board's list of tasks.
//!
//! The list has three sources that can arrive in any order: pages of the `tasks`
//! query, the submit result, and live events. All of them go through
//! [`TaskList::upsert`], which keys by id and keeps whichever copy of a task is newer,
//! so a task never appears twice and a late, stale copy never rolls a card back.
//!
//! The first page is a resource that follows the query, so an answer for a query
//! the user has already left is never applied; further pages come from an action.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::operations::tasks::{self, TaskPage, TaskQuery};
use crate::components::board::task_card::TaskCard;
use crate::components::board::task_filters::Filters;
use crate::components::shared::load_failed::LoadFailed;
use crate::i18n::{Key, use_i18n};
use crate::model::{Task, timestamp_ms};

/// One card's worth of state. The task sits in its own signal so that an update
/// re-renders that card only, and the list itself changes only on insertions.
#[derive(Clone)]
struct Entry {
    id: String,
    /// For placing tasks newest first; creation time never changes.
    created_ms: f64,
    task: ArcRwSignal<Task>,
}

/// A page and the query it was read for.
type Answer = (TaskQuery, Result<TaskPage, ApiError>);

#[derive(Clone, Copy)]
pub struct TaskList {
    entries: RwSignal<Vec<Entry>>,
    /// `None` until the brief context has settled.
    pub query: RwSignal<Option<TaskQuery>>,
    /// Cursor of the next page; `None` when everything is loaded.
    next: RwSignal<Option<String>>,
    /// The first page for the current query has arrived.
    loaded: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    /// The newest page for the current query; re-read after a reconnect.
    first_page: LocalResource<Option<Answer>>,
    more: Action<(TaskQuery, String), Answer>,
}

impl TaskList {
    /// Made in the board's scope, which the resource and the action live in.
    pub fn new() -> Self {
        let query = RwSignal::new(None::<TaskQuery>);
        let first_page = LocalResource::new(move || {
            let query = query.get();
            async move {
                let query = query?;
                let page = tasks::fetch_tasks(&query, None).await;
                Some((query, page))
            }
        });
        let more = Action::new_local(|(query, after): &(TaskQuery, String)| {
            let (query, after) = (query.clone(), after.clone());
            async move {
                let page = tasks::fetch_tasks(&query, Some(after)).await;
                (query, page)
            }
        });
        let list = Self {
            entries: RwSignal::new(Vec::new()),
            query,
            next: RwSignal::new(None),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            first_page,
            more,
        };
        Effect::new(move |_| {
            if let Some(Some((query, result))) = first_page.get() {
                list.on_first_page(query, result);
            }
        });
        Effect::new(move |_| {
            if let Some((query, result)) = more.value().get()
                && list.is_for_now(&query)
            {
                match result {
                    Ok(page) => {
                        list.merge(page.tasks);
                        list.next.set(page.next);
                    }
                    Err(e) => list.error.set(Some(e)),
                }
            }
        });
        list
    }

    fn is_for_now(&self, query: &TaskQuery) -> bool {
        self.query.with_untracked(|q| q.as_ref() == Some(query))
    }

    fn on_first_page(&self, query: TaskQuery, result: Result<TaskPage, ApiError>) {
        if !self.is_for_now(&query) {
            return;
        }
        match result {
            // After a reconnect: the pages already loaded keep their cursor.
            Ok(page) if self.loaded.get_untracked() => self.merge(page.tasks),
            Ok(page) => {
                self.merge(page.tasks);
                self.next.set(page.next);
                self.loaded.set(true);
                self.error.set(None);
            }
            // The list shows its own error and retry button; a failed background
            // refresh has nothing to add.
            Err(_) if self.loaded.get_untracked() => {}
            Err(e) => self.error.set(Some(e)),
        }
    }

    /// Updates the task's card if it has one; otherwise adds a card when `insert`.
    pub fn upsert(&self, task: Task, insert: bool) {
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
    pub fn admits(&self, task: &Task) -> bool {
        self.query
            .with_untracked(|q| q.as_ref().is_some_and(|q| q.admits(task)))
    }

    /// A live event: the card changes in place, and a task the board has not seen
    /// appears if the filters want it.
    pub fn on_event(&self, task: Task) {
        let wanted = self.admits(&task);
        self.upsert(task, wanted);
    }

    /// A new query starts the list over; the first page follows by itself.
    pub fn set_query(&self, query: TaskQuery) {
        if self.query.with_untracked(|q| q.as_ref() != Some(&query)) {
            self.start_over();
            self.query.set(Some(query));
        }
    }

    fn start_over(&self) {
        self.entries.set(Vec::new());
        self.next.set(None);
        self.loaded.set(false);
        self.error.set(None);
    }

    /// Reads the first page again, starting over.
    fn reload(&self) {
        self.start_over();
        self.first_page.refetch();
    }

    /// Re-reads the first page after the live connection (re)opens: whatever
    /// changed while it was down comes back this way.
    pub fn resync(&self) {
        self.first_page.refetch();
    }

    fn load_more(&self) {
        let (Some(after), Some(query)) = (self.next.get_untracked(), self.query.get_untracked())
        else {
            return;
        };
        if self.more.pending().get_untracked() {
            return;
        }
        self.error.set(None);
        self.more.dispatch_local((query, after));
    }

    /// The first page is on its way (or there is no query yet). Tracked.
    pub fn loading(&self) -> bool {
        !self.loaded.get() && self.error.with(Option::is_none)
    }

    /// Nothing is listed and nothing went wrong. Tracked.
    pub fn is_empty(&self) -> bool {
        self.entries.with(Vec::is_empty) && self.error.with(Option::is_none)
    }

    /// Loaded, and nothing to show. Tracked.
    pub fn loaded_empty(&self) -> bool {
        self.loaded.get() && self.is_empty()
    }
}

impl Default for TaskList {
    fn default() -> Self {
        Self::new()
    }
}

/// The cards, with the list's error, the loading skeleton, the empty state and the
/// "Load more" button.
#[component]
pub fn TaskListView(
    list: TaskList,
    filters: Filters,
    /// Shows the skeleton while the first page loads; `false` when there will be
    /// nothing to load (a team without campaigns).
    #[prop(into)]
    may_load: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let skeleton = move || list.loading() && list.is_empty() && may_load.get();
    let loading_more = list.more.pending();

    view! {
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
        <Show when=move || list.loaded_empty()>
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
                    disabled=move || loading_more.get()
                    on:click=move |_| list.load_more()
                >
                    {move || if loading_more.get() { i18n.t(Key::Loading) } else { i18n.t(Key::LoadMore) }}
                </button>
            </div>
        </Show>
    }
}
