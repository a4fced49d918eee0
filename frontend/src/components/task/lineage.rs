//! Where a task came from and what was made from it: the draft a final was
//! promoted from (or the task a retry repeats), and its finals and retries.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::shared::status_badge::{StageBadge, StatusBadge};
use crate::i18n::{self, Key, use_i18n};
use crate::model::{LineageKind, TaskRef};

#[component]
pub fn Lineage(
    #[prop(into)] parent: Signal<Option<TaskRef>>,
    /// How this task came from its parent.
    #[prop(into)]
    lineage: Signal<Option<LineageKind>>,
    #[prop(into)] children: Signal<Vec<TaskRef>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let nothing = move || parent.with(Option::is_none) && children.with(Vec::is_empty);
    view! {
        <section class="panel lineage" data-testid="task-lineage">
            <h2>{move || i18n.t(Key::Lineage)}</h2>
            <Show when=nothing>
                <p class="hint">{move || i18n.t(Key::NoLineage)}</p>
            </Show>
            {move || {
                parent
                    .get()
                    .map(|p| {
                        let label = move || match lineage.get() {
                            Some(LineageKind::Retry) => i18n.t(Key::RetryOf),
                            _ => i18n.t(Key::PromotedFromDraft),
                        };
                        view! {
                            <div class="lineage-group">
                                <h3>{label}</h3>
                                <TaskLink task=p testid="lineage-parent" />
                            </div>
                        }
                    })
            }}
            <Show when=move || !children.with(Vec::is_empty)>
                <div class="lineage-group">
                    <h3>{move || i18n.t(Key::MadeFromThis)}</h3>
                    <ul class="lineage-list">
                        <For
                            each=move || children.get()
                            key=|c| (c.id.clone(), c.status)
                            children=move |c| {
                                view! {
                                    <li>
                                        <TaskLink task=c testid="lineage-child" />
                                    </li>
                                }
                            }
                        />
                    </ul>
                </div>
            </Show>
        </section>
    }
}

#[component]
fn TaskLink(task: TaskRef, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let how = task.lineage;
    let created = task.created_at.clone();
    view! {
        <A
            href=format!("/tasks/{}", task.id)
            attr:class="task-link"
            attr:data-testid=testid
            attr:data-task-id=task.id.clone()
        >
            <span class="task-link-top">
                <StatusBadge status=task.status />
                <StageBadge stage=task.stage />
                {how
                    .filter(|_| testid == "lineage-child")
                    .map(|kind| {
                        view! { <span class="chip">{move || i18n::lineage(i18n.lang(), kind)}</span> }
                    })}
                <time class="created" datetime=task.created_at.clone()>
                    {move || i18n::datetime(i18n.lang(), &created)}
                </time>
            </span>
            <span class="task-link-prompt">{task.prompt}</span>
        </A>
    }
}
