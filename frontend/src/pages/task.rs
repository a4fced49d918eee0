//! `/tasks/:id`: one task with everything Kiln knows about it, kept live by the
//! `taskUpdated` subscription until the task ends, and the actions it allows:
//! cancel (while live), retry (failed or cancelled), promote to final (a succeeded
//! draft). Promote and retry lead to the new task's page. Below the timeline, the
//! callbacks sent about the task; above everything, a warning when the upstream may
//! hold the task although Kiln could not tell (a retry could pay twice).

use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::ApiError;
use crate::api::operations::Me;
use crate::api::operations::catalogue::fetch_catalogue;
use crate::api::operations::task::{self as api, Created, TaskUpdated};
use crate::api::operations::webhooks::DeliverySource;
use crate::api::ws::{self, Flow, LinkState};
use crate::app::{FlashNotice, use_flash};
use crate::components::board::task_card::Progress;
use crate::components::shared::delivery_log::DeliveryLog;
use crate::components::shared::header::{Header, use_viewer};
use crate::components::shared::load_failed::LoadFailed;
use crate::components::task::lineage::Lineage;
use crate::components::task::outputs::Outputs;
use crate::components::task::slow_hint::SlowHint;
use crate::components::task::task_facts::{Breadcrumbs, TaskContext, TaskCosts, TaskParameters};
use crate::components::task::task_head::TaskHead;
use crate::components::task::timeline::Timeline;
use crate::i18n::{self, Key, use_i18n};
use crate::model::{Status, TaskDetail};
use crate::session::use_session;

#[component]
pub fn TaskPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    view! {
        <Show when=move || session.signed_in() fallback=|| view! { <Redirect path="/login" /> }>
            // Keyed by the id: moving from a draft to its final starts a fresh view,
            // which ends the previous task's subscription.
            {move || {
                params
                    .with(|p| p.get("id"))
                    .map(|id| view! { <TaskView id=id /> })
            }}
        </Show>
    }
}

/// Where loading the task stands.
#[derive(Clone, Debug, PartialEq)]
enum Loaded {
    Loading,
    Found,
    Missing,
    Failed(ApiError),
}

#[component]
fn TaskView(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let flash = use_flash();
    let navigate = use_navigate();
    let viewer = use_viewer();
    let me = Signal::derive(move || viewer.get().and_then(Result::ok));
    // Only the promote form needs it; without it the form says so.
    let catalogue = LocalResource::new(fetch_catalogue);
    let catalogue = Signal::derive(move || catalogue.get().and_then(Result::ok));
    let link = RwSignal::new(LinkState::Connecting);
    let detail = RwSignal::new(None::<TaskDetail>);
    let loaded = RwSignal::new(Loaded::Loading);
    let notice = RwSignal::new(flash.take());
    let id = StoredValue::new(id);

    let apply = move |incoming: TaskDetail| {
        let newer = detail.with_untracked(|current| {
            current
                .as_ref()
                .is_none_or(|c| c.is_superseded_by(&incoming))
        });
        if newer {
            detail.set(Some(incoming));
        }
    };

    let task_read = LocalResource::new(move || api::fetch_task(id.get_value()));
    Effect::new(move |_| {
        let Some(result) = task_read.get() else {
            return;
        };
        untrack(|| match result {
            Ok(Some(task)) => {
                apply(task);
                loaded.set(Loaded::Found);
            }
            Ok(None) => loaded.set(Loaded::Missing),
            Err(e) => loaded.set(Loaded::Failed(e)),
        });
    });
    let load = move || {
        loaded.set(Loaded::Loading);
        task_read.refetch();
    };

    // Live until the task ends; the server completes the stream then, and the page
    // closes its socket as soon as it has seen the final state.
    let live = Memo::new(move |_| {
        loaded.get() == Loaded::Found
            && detail.with(|d| d.as_ref().is_some_and(|d| !d.task.status.is_terminal()))
    });
    Effect::new(move |_| {
        if !live.get() {
            if loaded.get() == Loaded::Found {
                link.set(LinkState::Idle);
            }
            return;
        }
        spawn_local_scoped_with_cancellation(ws::run::<TaskUpdated>(
            api::task_updated_variables(id.get_value()),
            move |data| {
                let task = api::updated_task(data);
                let done = task.task.status.is_terminal();
                apply(task);
                if done { Flow::Stop } else { Flow::Continue }
            },
            move |state| link.set(state),
            // Each subscription starts with the task's current state, so a
            // reconnect needs no re-read.
            || {},
        ));
    });

    let status = Signal::derive(move || {
        detail.with(|d| d.as_ref().map(|d| d.task.status).unwrap_or(Status::Unknown))
    });
    let stage = Signal::derive(move || detail.with(|d| d.as_ref().and_then(|d| d.task.stage)));

    let go_to = Callback::new(move |(created, notice): (Created, FlashNotice)| {
        flash.set(if created.duplicate {
            FlashNotice::Duplicate
        } else {
            notice
        });
        navigate(&format!("/tasks/{}", created.id), Default::default());
    });
    // The live delivery feed and replays are for admins; everyone else's callback log
    // is re-read whenever the task moves on, since each move may announce itself.
    let is_admin = Signal::derive(move || me.with(|m| m.as_ref().is_some_and(Me::is_admin)));
    let transitions =
        Memo::new(move |_| detail.with(|d| d.as_ref().map_or(0, |d| d.history.len() as u64)));

    // The content is rebuilt only when loading moves on, not on every live update.
    let has_detail = Memo::new(move |_| detail.with(Option::is_some));
    let content = move || match loaded.get() {
        Loaded::Missing => view! {
            <div class="empty" data-testid="task-missing">
                <p>{move || i18n.t(Key::TaskMissing)}</p>
            </div>
        }
        .into_any(),
        Loaded::Failed(e) if !has_detail.get() => view! {
            <LoadFailed what=Key::LoadTaskFailed error=e on_retry=move || load() />
        }
        .into_any(),
        _ if !has_detail.get() => view! {
            <div class="panel skeleton-panel" aria-busy="true">
                <div class="line"></div>
                <div class="line short"></div>
            </div>
        }
        .into_any(),
        _ => {
            // Every part reads the task through this signal, so live updates only
            // touch what changed. It is never empty here: the task has loaded, and
            // nothing unsets it afterwards.
            let task = Signal::derive(move || detail.get().unwrap_or_default());
            view! {
                <TaskHead
                    task=task
                    status=status
                    stage=stage
                    catalogue=catalogue
                    go_to=go_to
                />
                <div class="task-layout">
                    <div class="task-main">
                        <Show when=move || task.with(|d| d.needs_reconciliation)>
                            <div class="banner warn reconciliation" role="alert" data-testid="reconciliation-warning">
                                <div>
                                    <strong>{move || i18n.t(Key::ReconciliationTitle)}</strong>
                                    <p>{move || i18n.t(Key::ReconciliationWarning)}</p>
                                </div>
                            </div>
                        </Show>
                        <Show when=move || status.get() == Status::Processing>
                            <section class="panel">
                                <Progress value=Signal::derive(move || task.with(|d| d.task.progress)) />
                            </section>
                        </Show>
                        {move || {
                            task.with(|d| match (d.task.status, d.task.queue_position) {
                                (Status::Queued | Status::Submitted, Some(n)) => Some(i18n::queue_position(i18n.lang(), n)),
                                _ => None,
                            })
                            .map(|text| view! { <p class="notice" data-testid="queue-position">{text}</p> })
                        }}
                        <SlowHint task=task catalogue=catalogue />
                        <Show when=move || matches!(status.get(), Status::Failed | Status::Cancelled)>
                            <section class="failure panel-failure" role="note" data-testid="task-failure">
                                <strong>
                                    {move || {
                                        task.with(|d| match d.task.failure_reason {
                                            Some(r) => i18n::failure_reason(i18n.lang(), r),
                                            None => i18n::status(i18n.lang(), d.task.status),
                                        })
                                    }}
                                </strong>
                                {move || {
                                    task.with(|d| d.task.failure_reason)
                                        .map(|r| view! { <p data-testid="failure-advice">{i18n::failure_advice(i18n.lang(), r)}</p> })
                                }}
                                // Kiln's own words or the provider's, kept as they were: a
                                // detail for whoever digs deeper, not the explanation.
                                {move || {
                                    task.with(|d| d.task.failure_message.clone()).map(|m| {
                                        view! {
                                            <details class="failure-details">
                                                <summary class="failure-label">{i18n.t(Key::FailureDetails)}</summary>
                                                <code class="failure-message" data-testid="failure-message">{m}</code>
                                            </details>
                                        }
                                    })
                                }}
                            </section>
                        </Show>
                        <section class="panel">
                            <h2>{move || i18n.t(Key::Outputs)}</h2>
                            <Outputs
                                task_id=id.get_value()
                                outputs=Signal::derive(move || task.with(|d| d.task.outputs.clone()))
                                prompt=Signal::derive(move || task.with(|d| d.task.prompt.clone()))
                            />
                        </section>
                        <section class="panel">
                            <h2>{move || i18n.t(Key::Timeline)}</h2>
                            <Timeline history=Signal::derive(move || task.with(|d| d.history.clone())) />
                        </section>
                        <section class="panel" data-testid="task-callbacks">
                            <h2>{move || i18n.t(Key::Callbacks)}</h2>
                            <p class="hint">{move || i18n.t(Key::CallbacksHint)}</p>
                            <DeliveryLog
                                source=DeliverySource::Task { id: id.get_value() }
                                can_replay=is_admin
                                refresh=Signal::from(transitions)
                            />
                        </section>
                    </div>
                    <aside class="task-side">
                        <Lineage
                            parent=Signal::derive(move || task.with(|d| d.parent.clone()))
                            lineage=Signal::derive(move || task.with(|d| d.task.lineage))
                            children=Signal::derive(move || task.with(|d| d.children.clone()))
                        />
                        <TaskCosts detail=task />
                        <TaskParameters detail=task />
                        <TaskContext detail=task />
                    </aside>
                </div>
            }
            .into_any()
        }
    };

    let notice_view = move || {
        notice.get().map(|n| {
            let key = match n {
                FlashNotice::Duplicate => Key::DuplicateShown,
                FlashNotice::Promoted => Key::PromotedNotice,
                FlashNotice::Retried => Key::RetriedNotice,
            };
            view! {
                <div class="notice flash" role="status" data-testid="flash-notice" data-notice=format!("{n:?}")>
                    <span>{move || i18n.t(key)}</span>
                    <button type="button" class="button small ghost" on:click=move |_| notice.set(None)>
                        {move || i18n.t(Key::Dismiss)}
                    </button>
                </div>
            }
        })
    };

    view! {
        <div class="app">
            <Header me=me link=link />
            <div
                class="page task-page"
                data-testid="task-page"
                data-task-id=id.get_value()
                data-status=move || detail.with(|d| d.as_ref().map(|d| d.task.status.as_str()).unwrap_or_default())
                data-stage=move || stage.get().map(|s| s.as_str()).unwrap_or_default()
            >
                <Breadcrumbs detail=detail />
                {notice_view}
                {content}
            </div>
        </div>
    }
}
