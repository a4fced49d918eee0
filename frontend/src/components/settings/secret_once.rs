//! A signing secret the server hands out once (a new endpoint, a rotation, the team's
//! callback secret): shown until the admin says it is stored, with a copy button, and
//! then forgotten, since nothing can read it back.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

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
    // `None` until a copy was tried; then whether the browser took it.
    let copied = RwSignal::new(None::<bool>);
    let value = secret.expose().to_owned();
    let for_copy = StoredValue::new(secret);

    let copy = move |_| {
        let text = for_copy.with_value(|s| s.expose().to_owned());
        copy_to_clipboard(&text, move |ok| {
            if !copied.is_disposed() {
                copied.set(Some(ok));
            }
        });
    };

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
                <button type="button" class="button small" data-testid="copy-secret" on:click=copy>
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

/// `navigator.clipboard.writeText(text)`, reporting whether it worked. Looked up by
/// name rather than through web-sys's `Clipboard` binding, which would need another
/// feature for one call; an old browser without it reports failure.
fn copy_to_clipboard(text: &str, done: impl FnOnce(bool) + 'static) {
    let promise = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"clipboard".into()).ok())
        .filter(|clipboard| clipboard.is_object())
        .and_then(|clipboard| {
            let write = js_sys::Reflect::get(&clipboard, &"writeText".into()).ok()?;
            let write = write.dyn_into::<js_sys::Function>().ok()?;
            write.call1(&clipboard, &text.into()).ok()
        })
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    let Some(promise) = promise else {
        done(false);
        return;
    };
    // Either callback runs once; the shared slot hands `done` to whichever it is.
    let slot = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let other = slot.clone();
    let resolved = Closure::once_into_js(move |_: wasm_bindgen::JsValue| {
        if let Some(done) = slot.borrow_mut().take() {
            done(true);
        }
    });
    let rejected = Closure::once_into_js(move |_: wasm_bindgen::JsValue| {
        if let Some(done) = other.borrow_mut().take() {
            done(false);
        }
    });
    // `then` by name as well: js-sys's `then2` wants closures kept alive by hand. A
    // once-closure frees itself when called; the one never called stays allocated,
    // which is a few bytes per click on Copy.
    let then = js_sys::Reflect::get(&promise, &"then".into())
        .ok()
        .and_then(|t| t.dyn_into::<js_sys::Function>().ok());
    if let Some(then) = then {
        let _ = then.call2(&promise, &resolved, &rejected);
    }
}
