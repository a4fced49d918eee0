//! The filters above the task list: status, stage, kind, "mine", and how much of
//! the campaign to show. The board applies them on the server, to the list and to
//! the live events alike.

use leptos::prelude::*;

use crate::api::operations::tasks::StatusFilter;
use crate::i18n::{self, Key, use_i18n};
use crate::model::{Kind, Stage};

/// How far beyond the chosen brief the list reaches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    Brief,
    Campaign,
    Team,
}

impl Scope {
    const ALL: [Scope; 3] = [Scope::Brief, Scope::Campaign, Scope::Team];

    fn as_str(self) -> &'static str {
        match self {
            Scope::Brief => "BRIEF",
            Scope::Campaign => "CAMPAIGN",
            Scope::Team => "TEAM",
        }
    }

    fn key(self) -> Key {
        match self {
            Scope::Brief => Key::ScopeBrief,
            Scope::Campaign => Key::ScopeCampaign,
            Scope::Team => Key::ScopeTeam,
        }
    }
}

/// What the filters are set to.
#[derive(Clone, Copy)]
pub struct Filters {
    pub status: RwSignal<StatusFilter>,
    pub stage: RwSignal<Option<Stage>>,
    pub kind: RwSignal<Option<Kind>>,
    pub mine: RwSignal<bool>,
    pub scope: RwSignal<Scope>,
}

impl Filters {
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(StatusFilter::All),
            stage: RwSignal::new(None),
            kind: RwSignal::new(None),
            mine: RwSignal::new(false),
            scope: RwSignal::new(Scope::Brief),
        }
    }

    /// Whether anything but the scope narrows the list. Tracked.
    pub fn narrowed(&self) -> bool {
        self.status.get() != StatusFilter::All
            || self.stage.with(Option::is_some)
            || self.kind.with(Option::is_some)
            || self.mine.get()
    }

    /// Back to everything in scope, e.g. so a task just submitted is visible.
    pub fn widen(&self) {
        self.status.set(StatusFilter::All);
        self.stage.set(None);
        self.kind.set(None);
        self.mine.set(false);
    }
}

impl Default for Filters {
    fn default() -> Self {
        Self::new()
    }
}

/// A row of segments over `options`, with "all" first.
fn segments<T: Copy + PartialEq + Send + Sync + 'static>(
    value: RwSignal<T>,
    options: Vec<(T, &'static str, Signal<String>)>,
    label: Key,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="segmented" role="group" aria-label=move || i18n.t(label)>
            {options
                .into_iter()
                .map(|(option, testid, text)| {
                    view! {
                        <button
                            type="button"
                            class="segment"
                            class:active=move || value.get() == option
                            aria-pressed=move || (value.get() == option).to_string()
                            data-testid=testid
                            on:click=move |_| value.set(option)
                        >
                            {text}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
pub fn TaskFilters(filters: Filters) -> impl IntoView {
    let i18n = use_i18n();
    let text = move |key: Key| Signal::derive(move || i18n.t(key).to_owned());
    let stage_text = move |s: Stage| Signal::derive(move || i18n::stage(i18n.lang(), s).to_owned());
    let kind_text = move |k: Kind| Signal::derive(move || i18n::kind(i18n.lang(), k).to_owned());

    view! {
        <div class="filters">
            {segments(
                filters.status,
                vec![
                    (StatusFilter::All, "filter-all", text(Key::FilterAll)),
                    (StatusFilter::Active, "filter-active", text(Key::FilterActive)),
                    (StatusFilter::Succeeded, "filter-succeeded", text(Key::FilterSucceeded)),
                    (StatusFilter::Failed, "filter-failed", text(Key::FilterFailed)),
                ],
                Key::FilterLabel,
            )}
            {segments(
                filters.stage,
                vec![
                    (None, "filter-stage-all", text(Key::FilterAllStages)),
                    (Some(Stage::Draft), "filter-stage-draft", stage_text(Stage::Draft)),
                    (Some(Stage::Final), "filter-stage-final", stage_text(Stage::Final)),
                ],
                Key::Stage,
            )}
            {segments(
                filters.kind,
                vec![
                    (None, "filter-kind-all", text(Key::FilterAllKinds)),
                    (Some(Kind::Image), "filter-kind-image", kind_text(Kind::Image)),
                    (Some(Kind::Video), "filter-kind-video", kind_text(Kind::Video)),
                ],
                Key::Kind,
            )}
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="filter-mine"
                    prop:checked=move || filters.mine.get()
                    on:change=move |ev| filters.mine.set(event_target_checked(&ev))
                />
                <span>{move || i18n.t(Key::FilterMine)}</span>
            </label>
            <select
                class="scope-select"
                data-testid="filter-scope"
                aria-label=move || i18n.t(Key::ScopeLabel)
                on:change=move |ev| {
                    let picked = event_target_value(&ev);
                    if let Some(scope) = Scope::ALL.into_iter().find(|s| s.as_str() == picked) {
                        filters.scope.set(scope);
                    }
                }
            >
                {Scope::ALL
                    .into_iter()
                    .map(|scope| {
                        view! {
                            <option
                                value=scope.as_str()
                                prop:selected=move || filters.scope.get() == scope
                            >
                                {move || i18n.t(scope.key())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
