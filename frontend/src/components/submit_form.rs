//! The "new task" form.
//!
//! One idempotency key is made per form fill and kept until a submit succeeds. A
//! double click, or a retry after the network dropped the answer, therefore reaches
//! the server with the same key and gets the task the first attempt created instead
//! of paying for a second one.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;
use crate::api::operations::{self, NewTask};
use crate::i18n::{self, Key, Lang, use_i18n};
use crate::model::{AspectRatio, ErrorCode, Task, UserError};

/// The schema's seed limit: non-negative and representable as a GraphQL `Int`.
const MAX_SEED: i64 = i32::MAX as i64;

/// A problem with one submission, shown next to its field (or above the button).
#[derive(Clone, Debug, PartialEq)]
enum Problem {
    /// Reported by the server in `userErrors`.
    Server(UserError),
    /// Caught before sending: text that is not a number cannot even be encoded.
    Local { field: &'static str, key: Key },
}

impl Problem {
    fn field(&self) -> Option<&str> {
        match self {
            Problem::Server(e) => e.field.as_deref(),
            Problem::Local { field, .. } => Some(field),
        }
    }

    fn text(&self, lang: Lang) -> String {
        match self {
            Problem::Server(e) => i18n::user_error(lang, e.field.as_deref(), e.code, &e.message),
            Problem::Local { key, .. } => i18n::t(lang, *key).to_owned(),
        }
    }
}

/// Fields that have a place in the form; problems with any other field are shown
/// with the form-wide ones.
const FIELDS: [&str; 4] = ["prompt", "aspectRatio", "count", "seed"];

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[component]
pub fn SubmitForm(
    /// Called with the task the server created (or found for this key).
    #[prop(into)]
    on_created: Callback<Task>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prompt = RwSignal::new(String::new());
    let ratio = RwSignal::new(AspectRatio::Square1x1);
    let count = RwSignal::new("1".to_owned());
    let seed = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let idempotency_key = StoredValue::new(new_key());

    let clear_field = move |field: &'static str| {
        problems.update(|p| p.retain(|p| p.field() != Some(field)));
    };

    let submit = move || {
        if pending.get_untracked() {
            return;
        }
        failure.set(None);
        let mut local = Vec::new();
        let count_value = match count.get_untracked().trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                local.push(Problem::Local {
                    field: "count",
                    key: Key::CountInvalid,
                });
                0
            }
        };
        let seed_value = match seed.get_untracked().trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(n) if (0..=MAX_SEED).contains(&n) => Some(n),
                _ => {
                    local.push(Problem::Local {
                        field: "seed",
                        key: Key::SeedInvalid,
                    });
                    None
                }
            },
        };
        if !local.is_empty() {
            problems.set(local);
            return;
        }
        problems.set(Vec::new());
        pending.set(true);
        let input = NewTask {
            prompt: prompt.get_untracked(),
            aspect_ratio: ratio.get_untracked(),
            count: count_value,
            seed: seed_value,
            idempotency_key: idempotency_key.get_value(),
        };
        spawn_local(async move {
            let mut result = operations::submit_task(input.clone()).await;
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
                result = operations::submit_task(NewTask {
                    idempotency_key: key,
                    ..input
                })
                .await;
            }
            // Signed out (or navigated away) while waiting: nothing left to update.
            if pending.is_disposed() {
                return;
            }
            match result {
                Ok(Ok(task)) => {
                    idempotency_key.set_value(new_key());
                    on_created.run(task);
                }
                Ok(Err(errors)) => problems.set(errors.into_iter().map(Problem::Server).collect()),
                // The key is kept: the request may have arrived, and the retry must
                // be recognised as the same submission.
                Err(e) => failure.set(Some(e)),
            }
            pending.set(false);
        });
    };

    let has_problem =
        move |field: &'static str| problems.with(|p| p.iter().any(|p| p.field() == Some(field)));
    let field_error = move |field: &'static str| {
        move || {
            let lang = i18n.lang();
            problems.with(|p| {
                p.iter()
                    .filter(|p| p.field() == Some(field))
                    .map(|p| {
                        view! {
                            <p class="field-error" data-testid="form-error" data-field=field>
                                {p.text(lang)}
                            </p>
                        }
                    })
                    .collect_view()
            })
        }
    };
    let form_errors = move || {
        let lang = i18n.lang();
        let mut texts: Vec<String> = problems.with(|p| {
            p.iter()
                .filter(|p| !p.field().is_some_and(|f| FIELDS.contains(&f)))
                .map(|p| p.text(lang))
                .collect()
        });
        if let Some(e) = failure.get() {
            texts.push(e.message(lang));
        }
        texts
            .into_iter()
            .map(|text| {
                view! {
                    <p class="alert" role="alert" data-testid="form-error">
                        {text}
                    </p>
                }
            })
            .collect_view()
    };

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
            </div>
            <label class="field">
                <span class="label">{move || i18n.t(Key::Prompt)}</span>
                <textarea
                    name="prompt"
                    rows="5"
                    data-testid="prompt-input"
                    placeholder=move || i18n.t(Key::PromptPlaceholder)
                    class:invalid=move || has_problem("prompt")
                    aria-invalid=move || has_problem("prompt").to_string()
                    prop:value=move || prompt.get()
                    on:input=move |ev| {
                        prompt.set(event_target_value(&ev));
                        clear_field("prompt");
                    }
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        // Ctrl/⌘+Enter submits without leaving the keyboard.
                        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                            ev.prevent_default();
                            submit();
                        }
                    }
                ></textarea>
                {field_error("prompt")}
            </label>
            <div class="field-row">
                <label class="field grow">
                    <span class="label">{move || i18n.t(Key::AspectRatio)}</span>
                    <select
                        name="aspectRatio"
                        data-testid="aspect-ratio"
                        class:invalid=move || has_problem("aspectRatio")
                        on:change=move |ev| {
                            if let Some(r) = AspectRatio::parse(&event_target_value(&ev)) {
                                ratio.set(r);
                            }
                            clear_field("aspectRatio");
                        }
                    >
                        {AspectRatio::ALL
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <option value=r.as_str() selected=move || ratio.get() == r>
                                        {move || i18n::aspect_ratio(i18n.lang(), r)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    {field_error("aspectRatio")}
                </label>
                <label class="field count">
                    <span class="label">{move || i18n.t(Key::Count)}</span>
                    <input
                        type="number"
                        name="count"
                        min="1"
                        max="4"
                        step="1"
                        inputmode="numeric"
                        data-testid="count-input"
                        class:invalid=move || has_problem("count")
                        aria-invalid=move || has_problem("count").to_string()
                        prop:value=move || count.get()
                        on:input=move |ev| {
                            count.set(event_target_value(&ev));
                            clear_field("count");
                        }
                    />
                    {field_error("count")}
                </label>
            </div>
            <label class="field">
                <span class="label">{move || i18n.t(Key::Seed)}</span>
                <input
                    type="text"
                    name="seed"
                    inputmode="numeric"
                    autocomplete="off"
                    data-testid="seed-input"
                    placeholder=move || i18n.t(Key::SeedPlaceholder)
                    class:invalid=move || has_problem("seed")
                    aria-invalid=move || has_problem("seed").to_string()
                    prop:value=move || seed.get()
                    on:input=move |ev| {
                        seed.set(event_target_value(&ev));
                        clear_field("seed");
                    }
                />
                {field_error("seed")}
            </label>
            {form_errors}
            <button
                type="submit"
                class="button primary wide"
                data-testid="submit-task"
                disabled=move || pending.get()
                aria-busy=move || pending.get().to_string()
            >
                {move || {
                    if pending.get() { i18n.t(Key::Submitting) } else { i18n.t(Key::Generate) }
                }}
            </button>
            <p class="hint">{move || i18n.t(Key::NewTaskHint)}</p>
        </form>
    }
}
