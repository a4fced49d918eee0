//! The buttons a form ends with: send it (busy while the request is in flight) and,
//! where the form can be closed, cancel.

use leptos::prelude::*;

use crate::i18n::{Key, use_i18n};

/// A form's submit button, disabled and marked busy while `pending`, labelled `idle`
/// or `busy` accordingly.
#[component]
pub fn SubmitButton(
    #[prop(into)] pending: Signal<bool>,
    test_id: &'static str,
    idle: Key,
    busy: Key,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="submit"
            class="button primary"
            data-testid=test_id
            disabled=move || pending.get()
            aria-busy=move || pending.get().to_string()
        >
            {move || if pending.get() { i18n.t(busy) } else { i18n.t(idle) }}
        </button>
    }
}

/// Closes a form without sending it.
#[component]
pub fn CancelButton(on_cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="button" class="button ghost" on:click=move |_| on_cancel.run(())>
            {move || i18n.t(Key::Cancel)}
        </button>
    }
}
