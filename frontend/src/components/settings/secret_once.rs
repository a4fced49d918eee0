//! A signing secret the server hands out once (a new endpoint, a rotation, the team's
//! callback secret): shown until the admin says it is stored, with a copy button, and
//! then forgotten, since nothing can read it back.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{Key, use_i18n};
use crate::model::Secret;

#[component]
pub fn SecretOnce(
    secret: Secret,
    /// The admin has stored it; the caller drops it.
    #[prop(into)]
    on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let value = secret.expose().to_owned();
    let for_copy = StoredValue::new(secret);
    // Its value is `None` until a copy was tried; then whether the browser took it.
    let copy = Action::new_local(|text: &String| copy_to_clipboard(text.clone()));
    let copied = copy.value();

    view! {
        <div class="secret-once" role="status" data-testid="secret-once">
            <strong>{move || i18n.t(Key::SecretOnceTitle)}</strong>
            <div class="secret-row">
                <input
                    type="text"
                    class="secret-value"
                    readonly
                    spellcheck="false"
                    autocomplete="off"
                    data-testid="secret-value"
                    aria-label=move || i18n.t(Key::SecretOnceTitle)
                    prop:value=value
                    on:focus=move |ev| {
                        // One click selects it all, for copying by hand.
                        event_target::<web_sys::HtmlInputElement>(&ev).select();
                    }
                />
                <button type="button" class="button small" data-testid="copy-secret" on:click=move |_| {
                    copy.dispatch_local(for_copy.with_value(|s| s.expose().to_owned()));
                }>
                    {move || {
                        if copied.get() == Some(true) { i18n.t(Key::Copied) } else { i18n.t(Key::Copy) }
                    }}
                </button>
            </div>
            <p class="secret-warning">{move || i18n.t(Key::SecretOnceHint)}</p>
            <Show when=move || copied.get() == Some(false)>
                <p class="field-error">{move || i18n.t(Key::CopyFailed)}</p>
            </Show>
            <div>
                <button
                    type="button"
                    class="button small primary"
                    data-testid="secret-done"
                    on:click=move |_| on_done.run(())
                >
                    {move || i18n.t(Key::SecretStored)}
                </button>
            </div>
        </div>
    }
}

/// `navigator.clipboard.writeText(text)`, answering whether it worked. Looked up by
/// name rather than through web-sys's `Clipboard` binding, which would need another
/// feature for one call; an old browser without it answers no.
async fn copy_to_clipboard(text: String) -> bool {
    let promise = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"clipboard".into()).ok())
        .filter(|clipboard| clipboard.is_object())
        .and_then(|clipboard| {
            let write = js_sys::Reflect::get(&clipboard, &"writeText".into()).ok()?;
            let write = write.dyn_into::<js_sys::Function>().ok()?;
            write.call1(&clipboard, &text.into()).ok()
        })
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    match promise {
        Some(promise) => JsFuture::from(promise).await.is_ok(),
        None => false,
    }
}
