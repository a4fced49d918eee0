//! A labelled text input with its problems under it, tied together for assistive
//! technology: the label names the input (`for`/`id`), and while the field has a
//! problem the input is `aria-invalid` and `aria-describedby` its error text.

use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::prelude::*;

use crate::components::shared::problems::{self, FieldErrors, Problem};
use crate::i18n::{Key, use_i18n};

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// An id no other element on the page has, for tying a label, a description or a
/// dialog's text to its element.
pub fn unique_id(prefix: &str) -> String {
    format!("{prefix}-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

#[component]
pub fn TextField(
    label: Key,
    /// What is typed, as typed.
    value: RwSignal<String>,
    /// The form's problems; those reported for `field` show under the input.
    #[prop(into)]
    problems: Signal<Vec<Problem>>,
    /// The name the server reports this field's problems under.
    field: &'static str,
    #[prop(optional)] placeholder: Option<Key>,
    /// The input's `type`.
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(optional)] name: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// `"false"` for URLs, keys and other text that is not prose.
    #[prop(optional)]
    spellcheck: Option<&'static str>,
    #[prop(optional)] min: Option<&'static str>,
    #[prop(optional)] max: Option<&'static str>,
    #[prop(optional)] testid: Option<&'static str>,
    /// More classes for the field, e.g. `narrow`.
    #[prop(optional)]
    class: &'static str,
    /// Told about each edit (after `value` has it), e.g. to clear a stale problem.
    #[prop(optional, into)]
    on_input: Option<Callback<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = unique_id("field");
    let errors_id = format!("{id}-errors");
    let described_by = errors_id.clone();
    let invalid = move || problems::has(problems, field);
    let class = if class.is_empty() {
        "field".to_owned()
    } else {
        format!("field {class}")
    };
    view! {
        <div class=class>
            <label class="label" for=id.clone()>{move || i18n.t(label)}</label>
            <input
                id=id
                type=kind
                name=name
                inputmode=inputmode
                autocomplete=autocomplete
                spellcheck=spellcheck
                min=min
                max=max
                data-testid=testid
                placeholder=move || placeholder.map(|key| i18n.t(key))
                class:invalid=invalid
                aria-invalid=move || invalid().to_string()
                aria-describedby=move || invalid().then(|| described_by.clone())
                prop:value=move || value.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    value.set(text.clone());
                    if let Some(on_input) = on_input {
                        on_input.run(text);
                    }
                }
            />
            <FieldErrors problems=problems field=field id=errors_id />
        </div>
    }
}
