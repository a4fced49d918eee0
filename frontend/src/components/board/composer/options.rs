//! The composer's smaller parts: the draft/final toggle and the advanced options.

use leptos::prelude::*;

use super::Form;
use crate::components::shared::problems::{self, FieldErrors, Problem};
use crate::components::shared::text_field::unique_id;
use crate::i18n::{self, Key, use_i18n};
use crate::model::{Catalogue, Stage};

/// Draft or final, with the draft caps spelled out, since they explain why some
/// options are greyed out.
#[component]
pub(super) fn StageToggle(
    form: Form,
    #[prop(into)] catalogue: Signal<Option<Catalogue>>,
) -> impl IntoView {
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
pub(super) fn Advanced(
    form: Form,
    #[prop(into)] problems: Signal<Vec<Problem>>,
    clear_field: Callback<&'static str>,
    callbacks_signed: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let shown = move || open.get() || problems::has(problems, "callbackUrl");
    // Kept for the field each time it is shown again.
    let input_id = StoredValue::new(unique_id("callback-url"));
    let errors_id = StoredValue::new(input_id.with_value(|id| format!("{id}-errors")));
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
                <div class="field">
                    <label class="label" for=input_id.get_value()>{move || i18n.t(Key::CallbackUrlField)}</label>
                    <input
                        id=input_id.get_value()
                        type="url"
                        name="callbackUrl"
                        inputmode="url"
                        autocomplete="off"
                        spellcheck="false"
                        data-testid="callback-url-input"
                        placeholder=move || i18n.t(Key::CallbackUrlPlaceholder)
                        class:invalid=move || problems::has(problems, "callbackUrl")
                        aria-invalid=move || problems::has(problems, "callbackUrl").to_string()
                        aria-describedby=move || {
                            problems::has(problems, "callbackUrl").then(|| errors_id.get_value())
                        }
                        prop:value=move || form.callback_url.get()
                        on:input=move |ev| {
                            form.callback_url.set(event_target_value(&ev));
                            // Stays open once the problem that opened it is gone.
                            open.set(true);
                            clear_field.run("callbackUrl");
                        }
                    />
                    <FieldErrors problems=problems field="callbackUrl" id=errors_id.get_value() />
                    <span class="hint">{move || i18n.t(Key::CallbackUrlHint)}</span>
                    // Said before the submit rather than by its refusal.
                    <Show when=move || !callbacks_signed.get()>
                        <span class="hint warning" data-testid="no-callback-secret">
                            {move || i18n.t(Key::NoCallbackSecret)}
                        </span>
                    </Show>
                </div>
            </Show>
        </div>
    }
}
