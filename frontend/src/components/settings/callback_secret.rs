//! The team's callback secret, which signs what Kiln sends to tasks' own callback
//! URLs: created or rotated here (with a confirmation, since receivers must switch
//! within the day the old one keeps signing) and shown once.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;
use crate::api::operations::webhooks;
use crate::components::settings::secret_once::SecretOnce;
use crate::i18n::{Key, use_i18n};
use crate::model::Secret;

#[component]
pub fn CallbackSecret() -> impl IntoView {
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let secret = RwSignal::new(None::<Secret>);
    let failure = RwSignal::new(None::<ApiError>);

    let rotate = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        failure.set(None);
        spawn_local(async move {
            let result = webhooks::rotate_callback_secret().await;
            if pending.is_disposed() {
                return;
            }
            pending.set(false);
            confirming.set(false);
            match result {
                Ok(new) => secret.set(Some(new)),
                Err(e) => failure.set(Some(e)),
            }
        });
    };

    view! {
        <section class="panel" data-testid="callback-secret">
            <h2>{move || i18n.t(Key::CallbackSecret)}</h2>
            <p class="hint">{move || i18n.t(Key::CallbackSecretHint)}</p>
            {move || {
                secret
                    .get()
                    .map(|s| {
                        view! { <SecretOnce secret=s on_done=Callback::new(move |()| secret.set(None)) /> }
                    })
            }}
            <Show
                when=move || confirming.get()
                fallback=move || {
                    view! {
                        <div>
                            <button
                                type="button"
                                class="button small"
                                data-testid="rotate-callback-secret"
                                disabled=move || secret.with(Option::is_some)
                                on:click=move |_| confirming.set(true)
                            >
                                {move || i18n.t(Key::RotateCallbackSecret)}
                            </button>
                        </div>
                    }
                }
            >
                <div class="confirm" role="alertdialog" data-testid="rotate-callback-confirmation">
                    <span>{move || i18n.t(Key::RotateCallbackConfirm)}</span>
                    <button
                        type="button"
                        class="button small primary"
                        data-testid="rotate-callback-confirm"
                        disabled=move || pending.get()
                        aria-busy=move || pending.get().to_string()
                        on:click=rotate
                    >
                        {move || if pending.get() { i18n.t(Key::Rotating) } else { i18n.t(Key::ConfirmRotate) }}
                    </button>
                    <button type="button" class="button small ghost" on:click=move |_| confirming.set(false)>
                        {move || i18n.t(Key::Cancel)}
                    </button>
                </div>
            </Show>
            {move || {
                failure.get().map(|e| view! { <p class="alert" role="alert">{e.message(i18n.lang())}</p> })
            }}
        </section>
    }
}
