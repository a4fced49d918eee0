//! The composer: everything a task can be asked for, priced live, submitted once.
//!
//! - [`params`]: the model and its parameters.
//! - [`references`]: reference images and videos (upload, drag and drop, library).
//! - [`estimate`]: the live cost, the campaign's budget and the duplicate warning.
//!
//! As the user types, the form's input is sent to `estimateTask` (debounced), which
//! answers with the cost, the budget situation, an identical task that is already
//! running, and any problem with a field, so most mistakes show before the submit.
//!
//! One idempotency key is made per form fill and kept until a submit succeeds. A
//! double click, or a retry after the network dropped the answer, therefore reaches
//! the server with the same key and gets the task the first attempt created instead
//! of paying for a second one. A submit while an identical task is still running is
//! answered with that task (`duplicateOf`), and the composer says so.
//!
//! Under "Advanced", an optional callback URL: Kiln POSTs each of the task's status
//! changes there, signed with the team's callback secret. It is checked (a DNS lookup
//! and the SSRF rules) only on submit, so the server's refusal shows under the field
//! after the submit rather than while typing.

mod edit;
mod estimate;
mod form;
mod options;
mod params;
mod references;
mod submit;

pub use references::RefPreview;

use leptos::prelude::*;
use leptos_router::components::A;
use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::api::operations::tasks::Submitted;
use crate::components::shared::live_estimate::{LiveEstimate, use_live_estimate};
use crate::components::shared::on_result;
use crate::components::shared::problems::{self, FieldErrors, FormErrors, Problem};
use crate::components::shared::spend_confirm::SpendConfirm;
use crate::components::shared::text_field::unique_id;
use crate::i18n::{self, Key, use_i18n};
use crate::model::{Brief, Catalogue, Kind, SpendWarning, Stage};
use form::{Form, new_key};
use options::{Advanced, StageToggle};
use submit::{SubmitRequest, send};

/// Fields that have a place in the form; problems with any other field are shown
/// with the form-wide ones.
const FIELDS: &[&str] = &[
    "prompt",
    "negativePrompt",
    "model",
    "aspectRatio",
    "size",
    "quality",
    "count",
    "seed",
    "watermark",
    "outputFormat",
    "durationSeconds",
    "fps",
    "resolution",
    "cameraMotion",
    "audio",
    "referenceAssetIds",
    "callbackUrl",
];

/// What the composer says after a submit.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Notice {
    /// An identical task was running; it is shown instead and nothing was spent.
    Duplicate { id: String },
}

#[component]
pub fn Composer(
    /// `None` until the models have loaded.
    #[prop(into)]
    catalogue: Signal<Option<Catalogue>>,
    /// The brief new tasks are for; `None` until one is picked.
    #[prop(into)]
    brief: Signal<Option<Brief>>,
    /// Called with the task the server created (or found).
    #[prop(into)]
    on_created: Callback<Submitted>,
    /// Bumped when tasks change elsewhere, so the estimate (and its duplicate
    /// warning) is asked for again.
    #[prop(into)]
    refresh: Signal<u64>,
    /// Whether the team can sign callbacks; without a secret a callback URL is refused.
    #[prop(into)]
    callbacks_signed: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let form = Form::new();
    let submit_problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<Notice>);
    let idempotency_key = StoredValue::new(new_key());
    let prompt_field = NodeRef::<leptos::html::Textarea>::new();
    edit::prefill_from_address(form, catalogue, prompt_field);

    // Pick the first image model once the catalogue is in.
    Effect::new(move |_| {
        if let Some(catalogue) = catalogue.get()
            && form.model_id.get_untracked().is_none()
            && let Some(model) = catalogue.models_of(form.kind.get_untracked()).first()
        {
            form.aspect_ratio.set(model.default_aspect_ratio());
            form.apply_model(model, &catalogue.draft_policy);
        }
    });

    let brief_id = Memo::new(move |_| brief.with(|b| b.as_ref().map(|b| b.id.clone())));
    // What would be submitted, or `None` while there is nothing worth pricing.
    let input = Memo::new(move |_| {
        let brief_id = brief_id.get()?;
        let catalogue = catalogue.get()?;
        if form.prompt.with(|p| p.trim().is_empty()) {
            return None;
        }
        Some(form.input(brief_id, &catalogue))
    });
    let LiveEstimate {
        estimate,
        estimating,
        failure: estimate_failure,
    } = use_live_estimate(input.into(), refresh);

    // Problems from the last submit win; the estimate's fill in for fields the
    // submit did not complain about (and show before any submit at all).
    let problems = Signal::derive(move || {
        let mut all = submit_problems.get();
        if let Some(e) = estimate.get() {
            for error in e.errors {
                let field = error.field.clone();
                if !all.iter().any(|p| p.field() == field.as_deref()) {
                    all.push(Problem::Server(error));
                }
            }
        }
        all
    });
    let clear_field = move |field: &'static str| {
        submit_problems.update(|p| p.retain(|p| p.field() != Some(field)));
    };

    let form_ref = NodeRef::<leptos::html::Form>::new();
    let send = Action::new_local(|request: &SubmitRequest| send(request.clone()));
    let pending = send.pending();
    on_result(send, move |(result, replaced_key)| {
        if let Some(key) = replaced_key {
            idempotency_key.set_value(key);
        }
        match result {
            Ok(Ok(submitted)) => {
                idempotency_key.set_value(new_key());
                // A callback URL belongs to the task it was sent with; the next task
                // announces itself only where the user says so again.
                form.callback_url.set(String::new());
                if submitted.duplicate {
                    notice.set(Some(Notice::Duplicate {
                        id: submitted.task.id.clone(),
                    }));
                }
                on_created.run(submitted);
            }
            Ok(Err(errors)) => {
                submit_problems.set(problems::from_server(errors));
                focus_first_invalid(form_ref);
            }
            // The key is kept: the request may have arrived, and the retry must
            // be recognised as the same submission.
            Err(e) => failure.set(Some(e)),
        }
    });

    let submit = move |acknowledged: Vec<SpendWarning>| {
        if pending.get_untracked() {
            return;
        }
        let (Some(brief_id), Some(catalogue)) =
            (brief_id.get_untracked(), catalogue.get_untracked())
        else {
            return;
        };
        failure.set(None);
        notice.set(None);
        let mut local = Vec::new();
        if form.prompt.with_untracked(|p| p.trim().is_empty()) {
            local.push(Problem::Local {
                field: "prompt",
                key: Key::PromptRequired,
            });
        }
        if untrack(|| form.seed_value()).is_err() {
            local.push(Problem::Local {
                field: "seed",
                key: Key::SeedInvalid,
            });
        }
        if !local.is_empty() {
            submit_problems.set(local);
            focus_first_invalid(form_ref);
            return;
        }
        submit_problems.set(Vec::new());
        send.dispatch_local(SubmitRequest {
            input: untrack(|| form.input(brief_id, &catalogue)),
            key: idempotency_key.get_value(),
            callback_url: form.callback_url(),
            acknowledged,
        });
    };

    let prompt_id = unique_id("prompt");
    let prompt_errors_id = format!("{prompt_id}-errors");
    let prompt_errors = prompt_errors_id.clone();
    let closed_brief = move || brief.with(|b| b.as_ref().is_some_and(|b| !b.accepts_tasks()));
    let can_submit = move || {
        brief_id.with(Option::is_some) && catalogue.with(Option::is_some) && !closed_brief()
    };
    let with_catalogue =
        move |f: fn(Form, Catalogue) -> AnyView| move || catalogue.get().map(|c| f(form, c));

    view! {
        <form
            node_ref=form_ref
            class="composer-form"
            aria-labelledby="composer-title"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                submit(Vec::new());
            }
        >
            <div class="composer-head">
                <h2 id="composer-title">{move || i18n.t(Key::NewTask)}</h2>
                <div class="segmented small" role="group" aria-label=move || i18n.t(Key::Kind)>
                    {[(Kind::Image, "kind-image"), (Kind::Video, "kind-video")]
                        .into_iter()
                        .map(|(kind, testid)| {
                            view! {
                                <button
                                    type="button"
                                    class="segment"
                                    class:active=move || form.kind.get() == kind
                                    aria-pressed=move || (form.kind.get() == kind).to_string()
                                    data-testid=testid
                                    on:click=move |_| {
                                        if let Some(c) = catalogue.get_untracked() {
                                            form.set_kind(kind, &c);
                                        }
                                    }
                                >
                                    {move || i18n::kind(i18n.lang(), kind)}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </div>
            <StageToggle form=form catalogue=catalogue />
            <div class="field">
                <label class="label" for=prompt_id.clone()>{move || i18n.t(Key::Prompt)}</label>
                <textarea
                    node_ref=prompt_field
                    id=prompt_id
                    name="prompt"
                    rows="3"
                    data-testid="prompt-input"
                    placeholder=move || match form.kind.get() {
                        Kind::Image => i18n.t(Key::PromptPlaceholder),
                        Kind::Video => i18n.t(Key::PromptPlaceholderVideo),
                    }
                    class:invalid=move || problems::has(problems, "prompt")
                    aria-invalid=move || problems::has(problems, "prompt").to_string()
                    aria-describedby=move || {
                        problems::has(problems, "prompt").then(|| prompt_errors.clone())
                    }
                    prop:value=move || form.prompt.get()
                    on:input=move |ev| {
                        form.prompt.set(event_target_value(&ev));
                        clear_field("prompt");
                        notice.set(None);
                    }
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        // Ctrl/⌘+Enter submits without leaving the keyboard.
                        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                            ev.prevent_default();
                            submit(Vec::new());
                        }
                    }
                ></textarea>
                <FieldErrors problems=problems field="prompt" id=prompt_errors_id />
            </div>
            {with_catalogue(|form, c| {
                view! { <references::References form=form catalogue=c /> }.into_any()
            })}
            <FieldErrors problems=problems field="referenceAssetIds" />
            {move || {
                catalogue
                    .get()
                    .map(|c| {
                        view! {
                            <params::Params
                                form=form
                                catalogue=c
                                problems=problems
                                clear_field=Callback::new(clear_field)
                            />
                        }
                    })
            }}
            <Advanced
                form=form
                problems=problems
                clear_field=Callback::new(clear_field)
                callbacks_signed=callbacks_signed
            />
            // Kept in view while the parameters scroll: the price and the button are
            // what the user looks at last.
            <div class="composer-foot">
                <estimate::EstimateBox
                    estimate=estimate
                    estimating=estimating
                    failure=estimate_failure
                    has_input=Signal::derive(move || input.with(Option::is_some))
                />
                <FormErrors problems=problems fields=FIELDS failure=failure />
                <SpendConfirm
                    problems=problems
                    pending=pending
                    on_confirm=Callback::new(submit)
                />
                {move || {
                    notice
                        .get()
                        .map(|Notice::Duplicate { id }| {
                            // The submit's answer: the keyboard focus goes to it.
                            let notice_ref = NodeRef::<leptos::html::P>::new();
                            Effect::new(move |_| {
                                if let Some(p) = notice_ref.get() {
                                    let _ = p.focus();
                                }
                            });
                            view! {
                                <p
                                    class="notice"
                                    role="status"
                                    tabindex="-1"
                                    node_ref=notice_ref
                                    data-testid="duplicate-notice"
                                >
                                    {move || i18n.t(Key::DuplicateShown)} " "
                                    <A href=format!("/tasks/{id}")>{move || i18n.t(Key::OpenTask)}</A>
                                </p>
                            }
                        })
                }}
                <Show when=closed_brief>
                    <p class="alert" role="alert">{move || i18n.t(Key::BriefClosed)}</p>
                </Show>
                <button
                    type="submit"
                    class="button primary wide"
                    data-testid="submit-task"
                    // Busy, not disabled, while sending: disabling the focused button
                    // would drop the keyboard focus to the page. `submit` ignores
                    // presses meanwhile.
                    disabled=move || !can_submit()
                    aria-disabled=move || pending.get().to_string()
                    aria-busy=move || pending.get().to_string()
                >
                    {move || {
                        if pending.get() {
                            i18n.t(Key::Submitting).to_owned()
                        } else {
                            let label = match form.stage.get() {
                                Stage::Draft => i18n.t(Key::GenerateDraft),
                                Stage::Final => i18n.t(Key::GenerateFinal),
                            };
                            match estimate.with(|e| e.as_ref().and_then(|e| e.cost.clone())) {
                                Some(cost) if input.with(Option::is_some) => {
                                    format!("{label} · {}", i18n::money(&cost))
                                }
                                _ => label.to_owned(),
                            }
                        }
                    }}
                </button>
                <p class="hint">
                    {move || {
                        if brief_id.with(Option::is_none) {
                            i18n.t(Key::PickBriefFirst)
                        } else {
                            i18n.t(Key::NewTaskHint)
                        }
                    }}
                </p>
            </div>
        </form>
    }
}

/// After a refused submit, takes the keyboard to the first field at fault, whose
/// description is its error; problems of no field show in an alert instead.
fn focus_first_invalid(form: NodeRef<leptos::html::Form>) {
    request_animation_frame(move || {
        if let Some(field) = form
            .get_untracked()
            .and_then(|f| f.query_selector("[aria-invalid=\"true\"]").ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = field.focus();
        }
    });
}
