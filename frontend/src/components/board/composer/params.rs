//! The model and every parameter it takes.
//!
//! Only what the chosen model offers is shown, and in draft mode the options above
//! the draft caps are disabled (labelled "final only"), so the form cannot ask for
//! what the server would refuse; the estimate still checks everything.

use std::sync::Arc;

use leptos::prelude::*;

use super::Form;
use crate::components::shared::problems::{self, ErrorLink, FieldErrors, Problem};
use crate::components::shared::text_field::TextField;
use crate::i18n::{self, Key, Lang, use_i18n};
use crate::model::{AspectRatio, Audio, Catalogue, Kind, ModelSpec};

/// An option's label in a language.
type Label<S> = Arc<dyn Fn(Lang, &S) -> String + Send + Sync>;
/// Whether an option may be picked now. Tracked.
type Allowed<S> = Arc<dyn Fn(&S) -> bool + Send + Sync>;

/// One `<select>` over a signal's possible values.
struct Choice<S: 'static> {
    label: Key,
    testid: &'static str,
    /// The API's field name, for errors.
    field: &'static str,
    options: Vec<S>,
    value: RwSignal<S>,
    /// The `<option value>`: the API's name for it, so tests can pick by it.
    encode: fn(&S) -> String,
    text: Label<S>,
    /// Whether the option may be picked now (e.g. within the draft caps). Tracked.
    allowed: Allowed<S>,
    /// Set while another field decides this one.
    locked: Option<Signal<bool>>,
}

impl<S: Clone + PartialEq + Send + Sync + 'static> Choice<S> {
    fn view(
        self,
        problems: Signal<Vec<Problem>>,
        clear_field: Callback<&'static str>,
    ) -> impl IntoView + use<S> {
        let i18n = use_i18n();
        let Choice {
            label,
            testid,
            field,
            options,
            value,
            encode,
            text,
            allowed,
            locked,
        } = self;
        let lookup = options.clone();
        let single = options.len() <= 1;
        let errors = ErrorLink::new(problems, field);
        view! {
            <label class="field">
                <span class="label">{move || i18n.t(label)}</span>
                <select
                    data-testid=testid
                    name=field
                    disabled=move || single || locked.is_some_and(|l| l.get())
                    class:invalid=move || problems::has(problems, field)
                    aria-invalid=errors.invalid()
                    aria-describedby=errors.described_by()
                    on:change=move |ev| {
                        let picked = event_target_value(&ev);
                        if let Some(v) = lookup.iter().find(|o| encode(o) == picked) {
                            value.set(v.clone());
                        }
                        clear_field.run(field);
                    }
                >
                    {options
                        .into_iter()
                        .map(|option| {
                            let (text, allowed) = (text.clone(), allowed.clone());
                            let (for_selected, for_allowed, value_attr) =
                                (option.clone(), option.clone(), encode(&option));
                            let allowed_now = {
                                let allowed = allowed.clone();
                                move || allowed(&for_allowed)
                            };
                            view! {
                                <option
                                    value=value_attr
                                    prop:selected=move || value.with(|v| *v == for_selected)
                                    disabled=move || !allowed_now()
                                >
                                    {move || {
                                        let lang = i18n.lang();
                                        let mut label = text(lang, &option);
                                        if !allowed(&option) {
                                            label.push_str(i18n::t(lang, Key::FinalOnlySuffix));
                                        }
                                        label
                                    }}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <FieldErrors problems=problems field=field id=errors.id() />
            </label>
        }
    }
}

fn always<S>(_: &S) -> bool {
    true
}

#[component]
pub(super) fn Params(
    form: Form,
    catalogue: Catalogue,
    #[prop(into)] problems: Signal<Vec<Problem>>,
    clear_field: Callback<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let policy = catalogue.draft_policy;
    let for_models = catalogue.clone();

    let model_choice = move || {
        let models = for_models.models_of(form.kind.get());
        let catalogue = for_models.clone();
        let errors = ErrorLink::new(problems, "model");
        view! {
            <label class="field">
                <span class="label">{move || i18n.t(Key::Model)}</span>
                <select
                    data-testid="model-select"
                    name="model"
                    class:invalid=move || problems::has(problems, "model")
                    aria-invalid=errors.invalid()
                    aria-describedby=errors.described_by()
                    on:change=move |ev| {
                        if let Some(model) = catalogue.model(&event_target_value(&ev)) {
                            form.apply_model(model, &catalogue.draft_policy);
                        }
                        clear_field.run("model");
                    }
                >
                    {models
                        .into_iter()
                        .map(|m| {
                            let id = m.id.clone();
                            view! {
                                <option
                                    value=m.id.clone()
                                    prop:selected=move || form.model_id.with(|s| s.as_ref() == Some(&id))
                                >
                                    {let m = m.clone(); move || m.label_in(i18n.lang()).to_owned()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <FieldErrors problems=problems field="model" id=errors.id() />
            </label>
        }
    };

    // The rest depends on the model only; each field tracks its own value.
    let fields = move || {
        let model: ModelSpec = form.model(&catalogue)?;
        let stage = form.stage;
        let ratio = Choice {
            label: Key::AspectRatio,
            testid: "aspect-ratio",
            field: "aspectRatio",
            options: AspectRatio::ALL.to_vec(),
            value: form.aspect_ratio,
            encode: |r| r.as_str().to_owned(),
            text: Arc::new(|lang, r| i18n::aspect_ratio(lang, *r).to_owned()),
            allowed: Arc::new(always),
            locked: None,
        };
        let format = Choice {
            label: Key::OutputFormat,
            testid: "format-select",
            field: "outputFormat",
            options: model.output_formats.iter().copied().map(Some).collect(),
            value: form.output_format,
            encode: |f| f.map(|f| f.as_str()).unwrap_or_default().to_owned(),
            text: Arc::new(|_, f| f.map(|f| f.label()).unwrap_or_default().to_owned()),
            allowed: Arc::new(always),
            locked: None,
        };
        let media = match model.kind {
            Kind::Image => {
                let sizes: Vec<Option<String>> = std::iter::once(None)
                    .chain(model.sizes.iter().cloned().map(Some))
                    .collect();
                let size = Choice {
                    label: Key::Size,
                    testid: "size-select",
                    field: "size",
                    options: sizes,
                    value: form.size,
                    encode: |s| s.clone().unwrap_or_default(),
                    text: Arc::new(|lang, s| match s {
                        Some(size) => i18n::size(size),
                        None => i18n::t(lang, Key::SizeAuto).to_owned(),
                    }),
                    allowed: Arc::new(always),
                    locked: None,
                };
                let quality = Choice {
                    label: Key::Quality,
                    testid: "quality-select",
                    field: "quality",
                    options: model.qualities.iter().copied().map(Some).collect(),
                    value: form.quality,
                    encode: |q| q.map(|q| q.as_str()).unwrap_or_default().to_owned(),
                    text: Arc::new(|lang, q| {
                        q.map(|q| i18n::quality(lang, q))
                            .unwrap_or_default()
                            .to_owned()
                    }),
                    allowed: Arc::new(move |q| {
                        q.is_none_or(|q| policy.allows_quality(stage.get(), q))
                    }),
                    locked: None,
                };
                let count = Choice {
                    label: Key::Count,
                    testid: "count-select",
                    field: "count",
                    options: (1..=model.max_count.max(1)).collect(),
                    value: form.count,
                    encode: |n| n.to_string(),
                    text: Arc::new(|_, n| n.to_string()),
                    allowed: Arc::new(move |n| policy.allows_count(stage.get(), *n)),
                    locked: None,
                };
                let negative = model.negative_prompt.then(|| {
                    let errors = ErrorLink::new(problems, "negativePrompt");
                    view! {
                        <label class="field span-2">
                            <span class="label">{move || i18n.t(Key::NegativePrompt)}</span>
                            <textarea
                                name="negativePrompt"
                                rows="2"
                                data-testid="negative-prompt-input"
                                placeholder=move || i18n.t(Key::NegativePromptPlaceholder)
                                class:invalid=move || problems::has(problems, "negativePrompt")
                                aria-invalid=errors.invalid()
                                aria-describedby=errors.described_by()
                                prop:value=move || form.negative_prompt.get()
                                on:input=move |ev| {
                                    form.negative_prompt.set(event_target_value(&ev));
                                    clear_field.run("negativePrompt");
                                }
                            ></textarea>
                            <FieldErrors problems=problems field="negativePrompt" id=errors.id() />
                        </label>
                    }
                });
                view! {
                    {negative}
                    {Choice {
                        locked: Some(Signal::derive(move || form.size.with(Option::is_some))),
                        ..ratio
                    }
                        .view(problems, clear_field)}
                    {size.view(problems, clear_field)}
                    {quality.view(problems, clear_field)}
                    {count.view(problems, clear_field)}
                }
                .into_any()
            }
            Kind::Video => {
                let duration = Choice {
                    label: Key::Duration,
                    testid: "duration-select",
                    field: "durationSeconds",
                    options: model.durations.iter().copied().map(Some).collect(),
                    value: form.duration,
                    encode: |d| d.map(|d| d.to_string()).unwrap_or_default(),
                    text: Arc::new(|lang, d| d.map(|d| i18n::seconds(lang, d)).unwrap_or_default()),
                    allowed: Arc::new(move |d| {
                        d.is_none_or(|d| policy.allows_duration(stage.get(), d))
                    }),
                    locked: None,
                };
                let fps = (!model.frame_rates.is_empty()).then(|| Choice {
                    label: Key::FrameRate,
                    testid: "fps-select",
                    field: "fps",
                    options: model.frame_rates.iter().copied().map(Some).collect(),
                    value: form.fps,
                    encode: |f| f.map(|f| f.to_string()).unwrap_or_default(),
                    text: Arc::new(|lang, f| f.map(|f| i18n::fps(lang, f)).unwrap_or_default()),
                    allowed: Arc::new(|_| true),
                    locked: None,
                });
                let resolution = Choice {
                    label: Key::Resolution,
                    testid: "resolution-select",
                    field: "resolution",
                    options: model.resolutions.iter().copied().map(Some).collect(),
                    value: form.resolution,
                    encode: |r| r.map(|r| r.as_str()).unwrap_or_default().to_owned(),
                    text: Arc::new(|_, r| r.map(|r| r.label()).unwrap_or_default()),
                    allowed: Arc::new(move |r| {
                        r.is_none_or(|r| policy.allows_resolution(stage.get(), r))
                    }),
                    locked: None,
                };
                let camera = Choice {
                    label: Key::CameraMotion,
                    testid: "camera-select",
                    field: "cameraMotion",
                    options: model.camera_motions.clone(),
                    value: form.camera_motion,
                    encode: |c| c.as_str().to_owned(),
                    text: Arc::new(|lang, c| i18n::camera_motion(lang, *c).to_owned()),
                    allowed: Arc::new(always),
                    locked: None,
                };
                let audio = model.audio.then(|| {
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                data-testid="audio-input"
                                prop:checked=move || form.audio.get() == Audio::WithAudio
                                on:change=move |ev| {
                                    form.audio.set(if event_target_checked(&ev) {
                                        Audio::WithAudio
                                    } else {
                                        Audio::Mute
                                    });
                                    clear_field.run("audio");
                                }
                            />
                            <span>{move || i18n.t(Key::WithAudio)}</span>
                        </label>
                    }
                });
                view! {
                    {ratio.view(problems, clear_field)}
                    {duration.view(problems, clear_field)}
                    {fps.map(|fps| fps.view(problems, clear_field))}
                    {resolution.view(problems, clear_field)}
                    {camera.view(problems, clear_field)}
                    {audio}
                }
                .into_any()
            }
        };
        Some(view! {
            {media}
            {format.view(problems, clear_field)}
            <TextField
                label=Key::Seed
                value=form.seed
                problems=problems
                field="seed"
                placeholder=Key::SeedPlaceholder
                name="seed"
                inputmode="numeric"
                autocomplete="off"
                testid="seed-input"
                on_input=move |_| clear_field.run("seed")
            />
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="watermark-input"
                    prop:checked=move || form.watermark.get()
                    on:change=move |ev| {
                        form.watermark.set(event_target_checked(&ev));
                        clear_field.run("watermark");
                    }
                />
                <span>{move || i18n.t(Key::Watermark)}</span>
            </label>
        })
    };

    view! {
        <div class="params">
            {model_choice}
            <div class="param-grid">{fields}</div>
        </div>
    }
}
