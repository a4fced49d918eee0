//! "Promote to final": the overrides a final may change, starting from what a final
//! gets by default (medium quality, 720p) and from what the draft had (count, size,
//! length, seed), priced live like the composer.
//!
//! One idempotency key per opened form, so a double click promotes once.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::operations::task::{self as api, Created, PromoteOverrides};
use crate::api::operations::tasks::TaskInput;
use crate::components::shared::form_actions::{CancelButton, SubmitButton};
use crate::components::shared::live_estimate::use_live_estimate;
use crate::components::shared::on_result;
use crate::components::shared::problems::{self, ErrorLink, FieldErrors, FormErrors, Problem};
use crate::components::shared::spend_confirm::SpendConfirm;
use crate::components::shared::text_field::TextField;
use crate::i18n::{self, Key, use_i18n};
use crate::model::{
    Audio, Catalogue, InputType, Kind, Quality, Resolution, SpendWarning, Stage, TaskDetail,
};

const FIELDS: &[&str] = &[
    "quality",
    "count",
    "size",
    "resolution",
    "durationSeconds",
    "audio",
    "seed",
];

#[component]
pub fn PromoteForm(
    draft: TaskDetail,
    catalogue: Catalogue,
    /// Called with the final (or the identical live one the server answered with).
    #[prop(into)]
    on_done: Callback<Created>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let policy = catalogue.draft_policy;
    let model = catalogue.model(&draft.task.model).cloned();
    let kind = draft.task.kind.unwrap_or(Kind::Image);

    let quality = RwSignal::new(
        model
            .as_ref()
            .and_then(|m| m.default_quality(Stage::Final, &policy))
            .or(draft.task.quality),
    );
    let count = RwSignal::new(draft.task.count.max(1));
    let size = RwSignal::new(draft.size.clone());
    let resolution = RwSignal::new(
        model
            .as_ref()
            .and_then(|m| m.default_resolution(Stage::Final, &policy))
            .or(draft.task.resolution),
    );
    let duration = RwSignal::new(draft.task.duration_seconds);
    let audio = RwSignal::new(draft.audio.unwrap_or(Audio::Mute));
    let seed = RwSignal::new(draft.task.seed.map(|s| s.to_string()).unwrap_or_default());
    let problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let key = StoredValue::new(uuid::Uuid::new_v4().to_string());
    let all = Signal::from(problems);

    let seed_value = move || -> Result<Option<i64>, ()> {
        match seed.get().trim() {
            "" => Ok(None),
            text => text
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=i64::from(i32::MAX)).contains(n))
                .map(Some)
                .ok_or(()),
        }
    };
    let has_audio = model.as_ref().is_some_and(|m| m.audio);
    let overrides = move || -> PromoteOverrides {
        let image = kind == Kind::Image;
        PromoteOverrides {
            quality: quality.get().filter(|_| image),
            count: image.then(|| count.get()),
            size: size.get().filter(|_| image),
            resolution: resolution.get().filter(|_| !image),
            duration_seconds: duration.get().filter(|_| !image),
            audio: (!image && has_audio).then(|| audio.get()),
            seed: seed_value().ok().flatten(),
        }
    };

    // The final as a submit would describe it, to price it before promoting.
    let base = draft.clone();
    let as_input = move |o: &PromoteOverrides| TaskInput {
        brief_id: base.task.brief.id.clone(),
        input_type: base.task.input_type.unwrap_or(match kind {
            Kind::Image => InputType::TextToImage,
            Kind::Video => InputType::TextToVideo,
        }),
        stage: Stage::Final,
        prompt: base.task.prompt.clone(),
        negative_prompt: base.negative_prompt.clone(),
        model: Some(base.task.model.clone()),
        aspect_ratio: if o.size.is_some() {
            None
        } else {
            base.task.aspect_ratio
        },
        size: o.size.clone(),
        quality: o.quality,
        count: o.count,
        seed: o.seed.or(base.task.seed),
        watermark: Some(base.watermark),
        output_format: base.output_format,
        duration_seconds: o.duration_seconds,
        fps: base.task.fps,
        resolution: o.resolution,
        camera_motion: base.camera_motion,
        audio: o.audio,
        reference_ids: base.references.iter().map(|r| r.id.clone()).collect(),
    };
    let input = Memo::new(move |_| Some(as_input(&overrides())));
    let live = use_live_estimate(input.into(), Signal::stored(0));

    let promote = Action::new_local(
        move |(draft_id, overrides, acknowledged): &(
            String,
            PromoteOverrides,
            Vec<SpendWarning>,
        )| {
            api::promote_task(
                draft_id.clone(),
                overrides.clone(),
                key.get_value(),
                acknowledged.clone(),
            )
        },
    );
    let pending = promote.pending();
    on_result(promote, move |result| match result {
        Ok(Ok(created)) => on_done.run(created),
        Ok(Err(errors)) => problems.set(problems::from_server(errors)),
        Err(e) => failure.set(Some(e)),
    });

    let draft_id = draft.task.id.clone();
    let confirm_id = draft_id.clone();
    let confirm = Callback::new(move |acknowledged: Vec<SpendWarning>| {
        if pending.get_untracked() {
            return;
        }
        failure.set(None);
        promote.dispatch_local((confirm_id.clone(), untrack(overrides), acknowledged));
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        if untrack(seed_value).is_err() {
            problems.set(vec![Problem::Local {
                field: "seed",
                key: Key::SeedInvalid,
            }]);
            return;
        }
        problems.set(Vec::new());
        failure.set(None);
        promote.dispatch_local((draft_id.clone(), untrack(overrides), Vec::new()));
    };

    let select = |testid: &'static str,
                  field: &'static str,
                  label: Key,
                  options: AnyView,
                  on_change: Callback<String>| {
        let errors = ErrorLink::new(all, field);
        view! {
            <label class="field">
                <span class="label">{move || i18n.t(label)}</span>
                <select
                    data-testid=testid
                    class:invalid=move || problems::has(all, field)
                    aria-invalid=errors.invalid()
                    aria-describedby=errors.described_by()
                    on:change=move |ev| on_change.run(event_target_value(&ev))
                >
                    {options}
                </select>
                <FieldErrors problems=all field=field id=errors.id() />
            </label>
        }
    };

    let fields = match (kind, model.clone()) {
        (_, None) => view! { <p class="hint">{move || i18n.t(Key::ModelGone)}</p> }.into_any(),
        (Kind::Image, Some(m)) => {
            let qualities = m
                .qualities
                .iter()
                .map(|q| {
                    let q = *q;
                    view! {
                        <option value=q.as_str() prop:selected=move || quality.get() == Some(q)>
                            {move || i18n::quality(i18n.lang(), q)}
                        </option>
                    }
                })
                .collect_view()
                .into_any();
            let counts = (1..=m.max_count.max(1))
                .map(|n| {
                    view! {
                        <option value=n.to_string() prop:selected=move || count.get() == n>
                            {n}
                        </option>
                    }
                })
                .collect_view()
                .into_any();
            let sizes = m
                .sizes
                .iter()
                .map(|s| {
                    let (s, value) = (s.clone(), s.clone());
                    view! {
                        <option
                            value=value
                            prop:selected=move || size.with(|v| v.as_deref() == Some(s.as_str()))
                        >
                            {i18n::size(&s)}
                        </option>
                    }
                })
                .collect_view()
                .into_any();
            view! {
                {select(
                    "promote-quality",
                    "quality",
                    Key::Quality,
                    qualities,
                    Callback::new(move |v: String| quality.set(Quality::parse(&v))),
                )}
                {select(
                    "promote-count",
                    "count",
                    Key::Count,
                    counts,
                    Callback::new(move |v: String| {
                        if let Ok(n) = v.parse() {
                            count.set(n);
                        }
                    }),
                )}
                {select(
                    "promote-size",
                    "size",
                    Key::Size,
                    sizes,
                    Callback::new(move |v: String| size.set(Some(v))),
                )}
            }
            .into_any()
        }
        (Kind::Video, Some(m)) => {
            let resolutions = m
                .resolutions
                .iter()
                .map(|r| {
                    let r = *r;
                    view! {
                        <option value=r.as_str() prop:selected=move || resolution.get() == Some(r)>
                            {r.label()}
                        </option>
                    }
                })
                .collect_view()
                .into_any();
            let durations = m
                .durations
                .iter()
                .map(|d| {
                    let d = *d;
                    view! {
                        <option value=d.to_string() prop:selected=move || duration.get() == Some(d)>
                            {move || i18n::seconds(i18n.lang(), d)}
                        </option>
                    }
                })
                .collect_view()
                .into_any();
            let audio_field = m.audio.then(|| {
                view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            data-testid="promote-audio"
                            prop:checked=move || audio.get() == Audio::WithAudio
                            on:change=move |ev| {
                                audio.set(if event_target_checked(&ev) { Audio::WithAudio } else { Audio::Mute })
                            }
                        />
                        <span>{move || i18n.t(Key::WithAudio)}</span>
                    </label>
                }
            });
            view! {
                {select(
                    "promote-resolution",
                    "resolution",
                    Key::Resolution,
                    resolutions,
                    Callback::new(move |v: String| resolution.set(Resolution::parse(&v))),
                )}
                {select(
                    "promote-duration",
                    "durationSeconds",
                    Key::Duration,
                    durations,
                    Callback::new(move |v: String| duration.set(v.parse().ok())),
                )}
                {audio_field}
            }
            .into_any()
        }
    };

    view! {
        <form class="panel promote-form" novalidate on:submit=submit data-testid="promote-form">
            <h2>{move || i18n.t(Key::PromoteTitle)}</h2>
            <p class="hint">{move || i18n.t(Key::PromoteHint)}</p>
            <div class="param-grid">
                {fields}
                <TextField
                    label=Key::Seed
                    value=seed
                    problems=all
                    field="seed"
                    inputmode="numeric"
                    testid="promote-seed"
                />
            </div>
            <p class="estimate-row" data-testid="promote-cost">
                <span class="estimate-label">{move || i18n.t(Key::EstimatedCost)}</span>
                <span class="estimate-cost">
                    {move || {
                        // A failed estimate only costs the figure; the promote still works.
                        live.estimate
                            .with(|e| e.as_ref().and_then(|e| e.cost.clone()))
                            .filter(|_| live.failure.with(Option::is_none))
                            .map(|c| i18n::money(&c))
                            .unwrap_or_else(|| "…".to_owned())
                    }}
                </span>
            </p>
            <FormErrors problems=all fields=FIELDS failure=failure />
            <SpendConfirm problems=all pending=pending on_confirm=confirm />
            <div class="inline-actions">
                <SubmitButton
                    pending=pending
                    test_id="promote-submit"
                    idle=Key::PromoteSubmit
                    busy=Key::Promoting
                />
                <CancelButton on_cancel=on_cancel />
            </div>
        </form>
    }
}
