//! "Edit and resubmit": the composer opened from a task (`/?edit=<task id>`), filled
//! with what that task asked for, so that a prompt the safety filter refused can be
//! reworded instead of retried as it was.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::form::Form;
use crate::api::operations::task::fetch_task;
use crate::model::{Catalogue, TaskDetail};

/// Fills `form` from the task named in the address, once the task and the models are
/// in; the prompt field gets the focus, since the prompt is what to change.
pub(super) fn prefill_from_address(
    form: Form,
    catalogue: Signal<Option<Catalogue>>,
    prompt: NodeRef<leptos::html::Textarea>,
) {
    let Some(id) = use_query_map().with_untracked(|q| q.get("edit")) else {
        return;
    };
    let task = LocalResource::new(move || fetch_task(id.clone()));
    let done = StoredValue::new(false);
    Effect::new(move |_| {
        if done.get_value() {
            return;
        }
        let (Some(Ok(Some(task))), Some(catalogue)) = (task.get(), catalogue.get()) else {
            return;
        };
        done.set_value(true);
        fill(&form, &task, &catalogue);
        if let Some(prompt) = prompt.get_untracked() {
            let _ = prompt.focus();
        }
    });
}

fn fill(form: &Form, detail: &TaskDetail, catalogue: &Catalogue) {
    let task = &detail.task;
    if let Some(kind) = task.kind {
        form.set_kind(kind, catalogue);
    }
    if let Some(model) = catalogue.model(&task.model) {
        form.apply_model(model, &catalogue.draft_policy);
    }
    if let Some(stage) = task.stage {
        form.set_stage(stage, catalogue);
    }
    form.prompt.set(task.prompt.clone());
    form.negative_prompt
        .set(detail.negative_prompt.clone().unwrap_or_default());
    if let Some(ratio) = task.aspect_ratio {
        form.aspect_ratio.set(ratio);
    }
    form.references.set(detail.references.clone());
}
