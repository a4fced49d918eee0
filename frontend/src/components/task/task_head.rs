//! The top of a task's page: its status, stage, kind and prompt, and the actions it
//! allows: cancel (while live), retry (failed or cancelled), promote to final (a
//! succeeded draft), with the promote form under them.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::operations::task::{self as api, Created};
use crate::app::FlashNotice;
use crate::components::shared::confirm_dialog::ConfirmDialog;
use crate::components::shared::on_result;
use crate::components::shared::problems::{self, FormErrors, Problem};
use crate::components::shared::spend_confirm::SpendConfirm;
use crate::components::shared::status_badge::{StageBadge, StatusBadge};
use crate::components::task::promote_form::PromoteForm;
use crate::i18n::{self, Key, use_i18n};
use crate::model::{Catalogue, FailureReason, SpendWarning, Stage, Status, TaskDetail};
use leptos_router::components::A;

/// What the action buttons ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Act {
    Cancel,
    /// With the spend warnings the user said yes to.
    Retry(Vec<SpendWarning>),
}

#[component]
pub fn TaskHead(
    #[prop(into)] task: Signal<TaskDetail>,
    #[prop(into)] status: Signal<Status>,
    #[prop(into)] stage: Signal<Option<Stage>>,
    /// For the promote form; `None` until the models have loaded.
    #[prop(into)]
    catalogue: Signal<Option<Catalogue>>,
    /// Opens the task a retry or a promote made, with the notice it gets there.
    go_to: Callback<(Created, FlashNotice)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let promoting = RwSignal::new(false);
    let action_problems = RwSignal::new(Vec::<Problem>::new());
    let action_failure = RwSignal::new(None::<ApiError>);
    let can_cancel = move || status.get().is_active();
    let refused_by_filter =
        move || task.with(|d| d.task.failure_reason == Some(FailureReason::ContentPolicy));
    // A prompt the safety filter refused is refused again as it is: offer to edit it.
    let can_retry =
        move || matches!(status.get(), Status::Failed | Status::Cancelled) && !refused_by_filter();
    let can_edit = move || status.get() == Status::Failed && refused_by_filter();
    let confirming_cancel = RwSignal::new(false);
    let can_promote =
        move || status.get() == Status::Succeeded && stage.get() == Some(Stage::Draft);

    let act = Action::new_local(|(act, task_id): &(Act, String)| {
        let (act, task_id) = (act.clone(), task_id.clone());
        async move {
            match act {
                Act::Cancel => api::cancel_task(task_id).await.map(|r| r.map(|()| None)),
                Act::Retry(acknowledged) => api::retry_task(task_id, acknowledged)
                    .await
                    .map(|r| r.map(Some)),
            }
        }
    });
    let acting = act.pending();
    on_result(act, move |result| match result {
        Ok(Ok(Some(created))) => go_to.run((created, FlashNotice::Retried)),
        // Cancelled: the subscription brings the new status.
        Ok(Ok(None)) => confirming_cancel.set(false),
        Ok(Err(errors)) => action_problems.set(problems::from_server(errors)),
        Err(e) => action_failure.set(Some(e)),
    });
    let run_action = move |what: Act| {
        if acting.get_untracked() {
            return;
        }
        action_problems.set(Vec::new());
        action_failure.set(None);
        act.dispatch_local((what, task.with_untracked(|d| d.task.id.clone())));
    };
    let on_promoted =
        Callback::new(move |created: Created| go_to.run((created, FlashNotice::Promoted)));

    view! {
                <header class="task-head">
                    <div class="task-title">
                        <div class="badges">
                            <StatusBadge status=status />
                            <StageBadge stage=stage />
                            <span class="chip" data-testid="task-kind">
                                {move || {
                                    task.with(|d| d.task.kind.map(|k| i18n::kind(i18n.lang(), k)).unwrap_or_default())
                                }}
                            </span>
                        </div>
                        <h1 data-testid="task-prompt">{move || task.with(|d| d.task.prompt.clone())}</h1>
                    </div>
                    <div class="task-actions">
                        <Show when=can_cancel>
                            <button
                                type="button"
                                class="button"
                                data-testid="cancel-task"
                                disabled=move || acting.get()
                                aria-expanded=move || confirming_cancel.get().to_string()
                                on:click=move |_| confirming_cancel.set(true)
                            >
                                {move || i18n.t(Key::CancelTask)}
                            </button>
                        </Show>
                        <Show when=can_retry>
                            <button
                                type="button"
                                class="button"
                                data-testid="retry-task"
                                disabled=move || acting.get()
                                on:click=move |_| run_action(Act::Retry(Vec::new()))
                            >
                                {move || i18n.t(Key::RetryTask)}
                            </button>
                        </Show>
                        <Show when=can_edit>
                            <A
                                href=move || task.with(|d| format!("/?edit={}", d.task.id))
                                attr:class="button primary"
                                attr:data-testid="edit-and-resubmit"
                            >
                                {move || i18n.t(Key::EditAndResubmit)}
                            </A>
                        </Show>
                        <Show when=can_promote>
                            <button
                                type="button"
                                class="button primary"
                                data-testid="promote-task"
                                aria-expanded=move || promoting.get().to_string()
                                on:click=move |_| promoting.update(|p| *p = !*p)
                            >
                                {move || i18n.t(Key::PromoteTask)}
                            </button>
                        </Show>
                    </div>
                </header>
                <Show when=move || confirming_cancel.get() && can_cancel()>
                    <ConfirmDialog
                        message=Key::CancelTaskQuestion
                        confirm=Key::CancelTask
                        busy=Key::CancellingTask
                        confirm_class="danger-solid"
                        pending=acting
                        on_confirm=Callback::new(move |()| run_action(Act::Cancel))
                        on_cancel=Callback::new(move |()| confirming_cancel.set(false))
                        testid="cancel-confirm"
                        confirm_testid="cancel-confirm-button"
                    />
                </Show>
                <FormErrors problems=action_problems fields=&[] failure=action_failure />
                <SpendConfirm
                    problems=action_problems
                    pending=acting
                    on_confirm=Callback::new(move |acknowledged| run_action(Act::Retry(acknowledged)))
                />
                {move || {
                    (promoting.get() && can_promote())
                        .then(|| match catalogue.get() {
                            Some(c) => view! {
                                <PromoteForm
                                    draft=task.get_untracked()
                                    catalogue=c
                                    on_done=on_promoted
                                    on_cancel=Callback::new(move |()| promoting.set(false))
                                />
                            }
                            .into_any(),
                            None => view! { <p class="hint">{i18n.t(Key::Loading)}</p> }.into_any(),
                        })
                }}
    }
}
