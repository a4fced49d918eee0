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

mod estimate;
mod params;
mod references;

pub use references::RefPreview;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::api::ApiError;
use crate::api::operations::tasks::{self, Estimate, Submitted, TaskInput};
use crate::components::shared::problems::{self, FieldErrors, FormErrors, Problem};
use crate::i18n::{self, Key, use_i18n};
use crate::model::{
    AspectRatio, Audio, Brief, CameraMotion, Catalogue, DraftPolicy, ErrorCode, InputType, Kind,
    ModelSpec, OutputFormat, Quality, ReferenceAsset, Resolution, Stage,
};

/// The schema's seed limit: non-negative and representable as a GraphQL `Int`.
const MAX_SEED: i64 = i32::MAX as i64;
/// Typing pauses shorter than this do not ask for an estimate.
const ESTIMATE_DEBOUNCE_MS: u32 = 300;

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
    "resolution",
    "cameraMotion",
    "audio",
    "referenceAssetIds",
    "callbackUrl",
];

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Everything the user has chosen, one signal per field.
#[derive(Clone, Copy)]
struct Form {
    kind: RwSignal<Kind>,
    stage: RwSignal<Stage>,
    model_id: RwSignal<Option<String>>,
    prompt: RwSignal<String>,
    negative_prompt: RwSignal<String>,
    aspect_ratio: RwSignal<AspectRatio>,
    /// `None`: follow the aspect ratio.
    size: RwSignal<Option<String>>,
    quality: RwSignal<Option<Quality>>,
    count: RwSignal<i64>,
    /// As typed; empty for a random seed.
    seed: RwSignal<String>,
    watermark: RwSignal<bool>,
    output_format: RwSignal<Option<OutputFormat>>,
    duration: RwSignal<Option<i64>>,
    resolution: RwSignal<Option<Resolution>>,
    camera_motion: RwSignal<CameraMotion>,
    audio: RwSignal<Audio>,
    references: RwSignal<Vec<ReferenceAsset>>,
    /// As typed; empty for none.
    callback_url: RwSignal<String>,
}

impl Form {
    fn new() -> Self {
        Self {
            kind: RwSignal::new(Kind::Image),
            stage: RwSignal::new(Stage::Draft),
            model_id: RwSignal::new(None),
            prompt: RwSignal::new(String::new()),
            negative_prompt: RwSignal::new(String::new()),
            aspect_ratio: RwSignal::new(AspectRatio::Square1x1),
            size: RwSignal::new(None),
            quality: RwSignal::new(None),
            count: RwSignal::new(1),
            seed: RwSignal::new(String::new()),
            watermark: RwSignal::new(false),
            output_format: RwSignal::new(None),
            duration: RwSignal::new(None),
            resolution: RwSignal::new(None),
            camera_motion: RwSignal::new(CameraMotion::Static),
            audio: RwSignal::new(Audio::Mute),
            references: RwSignal::new(Vec::new()),
            callback_url: RwSignal::new(String::new()),
        }
    }

    /// The chosen model. Tracked.
    fn model(&self, catalogue: &Catalogue) -> Option<ModelSpec> {
        let id = self.model_id.get()?;
        catalogue.model(&id).cloned()
    }

    /// Switches to `model` and gives every parameter that model's default for the
    /// current stage, so nothing the new model does not offer stays selected.
    fn apply_model(&self, model: &ModelSpec, policy: &DraftPolicy) {
        let stage = self.stage.get_untracked();
        self.model_id.set(Some(model.id.clone()));
        self.size.set(None);
        self.quality.set(model.default_quality(stage, policy));
        self.count
            .update(|c| *c = (*c).clamp(1, model.max_count.max(1)));
        self.output_format
            .set(model.output_formats.first().copied());
        self.duration.set(model.default_duration(stage, policy));
        self.resolution.set(model.default_resolution(stage, policy));
        if !model
            .camera_motions
            .contains(&self.camera_motion.get_untracked())
        {
            self.camera_motion.set(CameraMotion::Static);
        }
        if !model.audio {
            self.audio.set(Audio::Mute);
        }
        let limit = model.max_references.max(0) as usize;
        self.references.update(|refs| refs.truncate(limit));
    }

    fn set_kind(&self, kind: Kind, catalogue: &Catalogue) {
        if self.kind.get_untracked() == kind {
            return;
        }
        self.kind.set(kind);
        // An image task cannot start from a video.
        if kind == Kind::Image {
            self.references
                .update(|refs| refs.retain(|r| r.kind != Some(crate::model::MediaKind::Video)));
        }
        if let Some(model) = catalogue.models_of(kind).first() {
            self.aspect_ratio.set(model.default_aspect_ratio());
            self.apply_model(model, &catalogue.draft_policy);
        } else {
            self.model_id.set(None);
        }
    }

    /// A draft keeps within the caps: values above them come down to the most a
    /// draft may have. A final keeps what the draft had, which is always allowed.
    fn set_stage(&self, stage: Stage, catalogue: &Catalogue) {
        self.stage.set(stage);
        if stage == Stage::Final {
            return;
        }
        let policy = &catalogue.draft_policy;
        let Some(model) = self
            .model_id
            .get_untracked()
            .and_then(|id| catalogue.model(&id).cloned())
        else {
            return;
        };
        if self
            .quality
            .get_untracked()
            .is_some_and(|q| !policy.allows_quality(stage, q))
        {
            self.quality.set(model.default_quality(stage, policy));
        }
        self.count
            .update(|c| *c = (*c).min(policy.max_count).max(1));
        if self
            .resolution
            .get_untracked()
            .is_some_and(|r| !policy.allows_resolution(stage, r))
        {
            self.resolution.set(model.default_resolution(stage, policy));
        }
        if self
            .duration
            .get_untracked()
            .is_some_and(|d| !policy.allows_duration(stage, d))
        {
            self.duration.set(model.default_duration(stage, policy));
        }
    }

    /// What the task starts from, which follows the references. Tracked.
    fn input_type(&self) -> InputType {
        let kinds: Vec<_> = self
            .references
            .with(|refs| refs.iter().filter_map(|r| r.kind).collect());
        InputType::for_references(self.kind.get(), &kinds)
    }

    /// The seed as typed: `Ok(None)` for none, `Err` for text that is not a seed.
    fn seed_value(&self) -> Result<Option<i64>, ()> {
        match self.seed.get().trim() {
            "" => Ok(None),
            text => match text.parse::<i64>() {
                Ok(n) if (0..=MAX_SEED).contains(&n) => Ok(Some(n)),
                _ => Err(()),
            },
        }
    }

    /// The callback URL, if one was given. Untracked: only the submit reads it.
    fn callback_url(&self) -> Option<String> {
        let url = self.callback_url.get_untracked().trim().to_owned();
        (!url.is_empty()).then_some(url)
    }

    /// The input as the API takes it. Tracked. An unreadable seed is left out here
    /// (the estimate still helps) and reported by the submit.
    fn input(&self, brief_id: String, catalogue: &Catalogue) -> TaskInput {
        let kind = self.kind.get();
        let model = self.model(catalogue);
        let takes_negative = model.as_ref().is_some_and(|m| m.negative_prompt);
        let negative = self.negative_prompt.get().trim().to_owned();
        let image = kind == Kind::Image;
        let size = self.size.get().filter(|_| image);
        TaskInput {
            brief_id,
            input_type: self.input_type(),
            stage: self.stage.get(),
            prompt: self.prompt.get(),
            negative_prompt: (takes_negative && !negative.is_empty()).then_some(negative),
            model: self.model_id.get(),
            // A chosen size decides the shape; sending both could only disagree.
            aspect_ratio: size.is_none().then(|| self.aspect_ratio.get()),
            size,
            quality: self.quality.get().filter(|_| image),
            count: image.then(|| self.count.get()),
            seed: self.seed_value().ok().flatten(),
            watermark: Some(self.watermark.get()),
            output_format: self.output_format.get(),
            duration_seconds: self.duration.get().filter(|_| !image),
            resolution: self.resolution.get().filter(|_| !image),
            camera_motion: (!image).then(|| self.camera_motion.get()),
            audio: model
                .filter(|m| !image && m.audio)
                .map(|_| self.audio.get()),
            reference_ids: self
                .references
                .with(|refs| refs.iter().map(|r| r.id.clone()).collect()),
        }
    }
}

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
    let pending = RwSignal::new(false);
    let submit_problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<Notice>);
    let idempotency_key = StoredValue::new(new_key());
    let estimate = RwSignal::new(None::<Estimate>);
    let estimating = RwSignal::new(false);
    let estimate_failure = RwSignal::new(None::<ApiError>);
    let estimate_generation = StoredValue::new(0u64);

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

    Effect::new(move |_| {
        refresh.track();
        let input = input.get();
        let generation = estimate_generation.get_value() + 1;
        estimate_generation.set_value(generation);
        let Some(input) = input else {
            estimate.set(None);
            estimating.set(false);
            return;
        };
        estimating.set(true);
        spawn_local(async move {
            TimeoutFuture::new(ESTIMATE_DEBOUNCE_MS).await;
            // A newer input (or an unmounted composer) makes this one moot.
            if estimate_generation.try_get_value() != Some(generation) {
                return;
            }
            let result = tasks::estimate_task(input).await;
            if estimate_generation.try_get_value() != Some(generation) {
                return;
            }
            estimating.set(false);
            match result {
                Ok(answer) => {
                    estimate.set(Some(answer));
                    estimate_failure.set(None);
                }
                // Keep the last figures; the line says they could not be updated.
                Err(e) => estimate_failure.set(Some(e)),
            }
        });
    });

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

    let submit = move || {
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
            return;
        }
        submit_problems.set(Vec::new());
        pending.set(true);
        let input = untrack(|| form.input(brief_id, &catalogue));
        let callback_url = form.callback_url();
        spawn_local(async move {
            let mut result = tasks::submit_task(
                input.clone(),
                idempotency_key.get_value(),
                callback_url.clone(),
            )
            .await;
            // CONFLICT on the key means an earlier attempt with this key did reach
            // the server, but with other parameters: the user changed the form after
            // a failed-looking submit. That task exists already; this is a new one.
            if let Ok(Err(errors)) = &result
                && errors.iter().any(|e| {
                    e.code == ErrorCode::Conflict && e.field.as_deref() == Some("idempotencyKey")
                })
            {
                let key = new_key();
                idempotency_key.set_value(key.clone());
                result = tasks::submit_task(input, key, callback_url).await;
            }
            // Signed out (or navigated away) while waiting: nothing left to update.
            if pending.is_disposed() {
                return;
            }
            match result {
                Ok(Ok(submitted)) => {
                    idempotency_key.set_value(new_key());
                    if submitted.duplicate {
                        notice.set(Some(Notice::Duplicate {
                            id: submitted.task.id.clone(),
                        }));
                    }
                    on_created.run(submitted);
                }
                Ok(Err(errors)) => submit_problems.set(problems::from_server(errors)),
                // The key is kept: the request may have arrived, and the retry must
                // be recognised as the same submission.
                Err(e) => failure.set(Some(e)),
            }
            pending.set(false);
        });
    };

    let closed_brief = move || brief.with(|b| b.as_ref().is_some_and(|b| !b.accepts_tasks()));
    let can_submit = move || {
        brief_id.with(Option::is_some) && catalogue.with(Option::is_some) && !closed_brief()
    };
    let with_catalogue =
        move |f: fn(Form, Catalogue) -> AnyView| move || catalogue.get().map(|c| f(form, c));

    view! {
        <form
            class="composer-form"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <div class="composer-head">
                <h2>{move || i18n.t(Key::NewTask)}</h2>
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
            <label class="field">
                <span class="label">{move || i18n.t(Key::Prompt)}</span>
                <textarea
                    name="prompt"
                    rows="3"
                    data-testid="prompt-input"
                    placeholder=move || match form.kind.get() {
                        Kind::Image => i18n.t(Key::PromptPlaceholder),
                        Kind::Video => i18n.t(Key::PromptPlaceholderVideo),
                    }
                    class:invalid=move || problems::has(problems, "prompt")
                    aria-invalid=move || problems::has(problems, "prompt").to_string()
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
                            submit();
                        }
                    }
                ></textarea>
                <FieldErrors problems=problems field="prompt" />
            </label>
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
                {move || {
                    notice
                        .get()
                        .map(|Notice::Duplicate { id }| {
                            view! {
                                <p class="notice" role="status" data-testid="duplicate-notice">
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
                    disabled=move || pending.get() || !can_submit()
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

/// Draft or final, with the draft caps spelled out, since they explain why some
/// options are greyed out.
#[component]
fn StageToggle(form: Form, #[prop(into)] catalogue: Signal<Option<Catalogue>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="stage">
            <div
                class="segmented stage-toggle"
                role="group"
                aria-label=move || i18n.t(Key::Stage)
                data-testid="stage-toggle"
                data-stage=move || form.stage.get().as_str()
            >
                {[(Stage::Draft, "stage-draft"), (Stage::Final, "stage-final")]
                    .into_iter()
                    .map(|(stage, testid)| {
                        view! {
                            <button
                                type="button"
                                class="segment"
                                class:active=move || form.stage.get() == stage
                                aria-pressed=move || (form.stage.get() == stage).to_string()
                                data-testid=testid
                                on:click=move |_| {
                                    if let Some(c) = catalogue.get_untracked() {
                                        form.set_stage(stage, &c);
                                    }
                                }
                            >
                                {move || i18n::stage(i18n.lang(), stage)}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <p class="hint stage-hint" data-testid="stage-hint">
                {move || {
                    let lang = i18n.lang();
                    match (form.stage.get(), catalogue.get()) {
                        (Stage::Draft, Some(c)) => i18n::draft_caps(lang, &c.draft_policy),
                        (Stage::Final, _) => i18n::t(lang, Key::FinalHint).to_owned(),
                        (Stage::Draft, None) => String::new(),
                    }
                }}
            </p>
        </div>
    }
}

/// What most tasks do without: the callback URL. Open when asked, or when the server
/// found a problem with it, so the problem is never hidden.
#[component]
fn Advanced(
    form: Form,
    #[prop(into)] problems: Signal<Vec<Problem>>,
    clear_field: Callback<&'static str>,
    callbacks_signed: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let shown = move || open.get() || problems::has(problems, "callbackUrl");
    view! {
        <div class="advanced">
            <button
                type="button"
                class="button small ghost disclosure-toggle"
                data-testid="advanced-toggle"
                aria-expanded=move || shown().to_string()
                on:click=move |_| open.set(!shown())
            >
                <span class="disclosure" aria-hidden="true">{move || if shown() { "▾" } else { "▸" }}</span>
                {move || i18n.t(Key::Advanced)}
                // Collapsed, it still says a callback will be made.
                {move || {
                    let url = form.callback_url.get();
                    (!shown() && !url.trim().is_empty())
                        .then(|| view! { <span class="hint advanced-summary">{url}</span> })
                }}
            </button>
            <Show when=shown>
                <label class="field">
                    <span class="label">{move || i18n.t(Key::CallbackUrlField)}</span>
                    <input
                        type="url"
                        name="callbackUrl"
                        inputmode="url"
                        autocomplete="off"
                        spellcheck="false"
                        data-testid="callback-url-input"
                        placeholder=move || i18n.t(Key::CallbackUrlPlaceholder)
                        class:invalid=move || problems::has(problems, "callbackUrl")
                        aria-invalid=move || problems::has(problems, "callbackUrl").to_string()
                        prop:value=move || form.callback_url.get()
                        on:input=move |ev| {
                            form.callback_url.set(event_target_value(&ev));
                            // Stays open once the problem that opened it is gone.
                            open.set(true);
                            clear_field.run("callbackUrl");
                        }
                    />
                    <FieldErrors problems=problems field="callbackUrl" />
                    <span class="hint">{move || i18n.t(Key::CallbackUrlHint)}</span>
                    // Said before the submit rather than by its refusal.
                    <Show when=move || !callbacks_signed.get()>
                        <span class="hint warning" data-testid="no-callback-secret">
                            {move || i18n.t(Key::NoCallbackSecret)}
                        </span>
                    </Show>
                </label>
            </Show>
        </div>
    }
}
