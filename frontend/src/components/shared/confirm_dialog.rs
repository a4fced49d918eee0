//! The one way the UI asks "are you sure?" before something that cannot be undone
//! (deleting an endpoint, rotating a secret receivers must switch to).
//!
//! Shown in place, next to what it is about, but modal to assistive technology
//! (`role="alertdialog"`, `aria-modal`, named by its question): focus moves into it
//! when it opens (onto Cancel, the choice that changes nothing), Escape closes it,
//! and focus goes back to where it was when it closes.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::shared::text_field::unique_id;
use crate::i18n::{Key, use_i18n};

#[component]
pub fn ConfirmDialog(
    /// The question.
    message: Key,
    /// The confirming button's label, and its label while the action runs.
    confirm: Key,
    busy: Key,
    /// The confirming button's look: `"danger-solid"` or `"primary"`.
    confirm_class: &'static str,
    /// The action is running; the confirming button is disabled and busy.
    #[prop(into)]
    pending: Signal<bool>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(optional)] confirm_testid: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let question = unique_id("confirm");
    let labelled_by = question.clone();
    let cancel_button = NodeRef::<html::Button>::new();

    // Whatever had focus (usually the button that opened the dialog) gets it back.
    let opener = document()
        .active_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    // Cleanups run before the owner's values are dropped, so it can still be read.
    let opener = StoredValue::new_local(opener);
    on_cleanup(move || {
        if let Some(opener) = opener.try_update_value(Option::take).flatten() {
            // After the DOM has settled: the opener may only now be enabled again.
            set_timeout(
                move || {
                    let _ = opener.focus();
                },
                std::time::Duration::ZERO,
            );
        }
    });
    Effect::new(move |_| {
        if let Some(button) = cancel_button.get() {
            let _ = button.focus();
        }
    });

    view! {
        <div
            class="confirm"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby=labelled_by
            data-testid=testid
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.stop_propagation();
                    on_cancel.run(());
                }
            }
        >
            <span id=question>{move || i18n.t(message)}</span>
            <button
                type="button"
                class=format!("button small {confirm_class}")
                data-testid=confirm_testid
                disabled=move || pending.get()
                aria-busy=move || pending.get().to_string()
                on:click=move |_| on_confirm.run(())
            >
                {move || if pending.get() { i18n.t(busy) } else { i18n.t(confirm) }}
            </button>
            <button
                type="button"
                class="button small ghost"
                node_ref=cancel_button
                on:click=move |_| on_cancel.run(())
            >
                {move || i18n.t(Key::Cancel)}
            </button>
        </div>
    }
}
