//! The team's callback secret, which signs what Kiln sends to tasks' own callback
//! URLs: created or rotated here (with a confirmation, since receivers must switch
//! within the day the old one keeps signing) and shown once.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::operations::webhooks;
use crate::components::settings::secret_once::SecretOnce;
use crate::components::shared::confirm_dialog::ConfirmDialog;
use crate::components::shared::on_result;
use crate::i18n::{Key, use_i18n};
use crate::model::Secret;

#[component]
pub fn CallbackSecret() -> impl IntoView {
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let secret = RwSignal::new(None::<Secret>);
    let failure = RwSignal::new(None::<ApiError>);
    let rotate = Action::new_local(|()| webhooks::rotate_callback_secret());
    let pending = rotate.pending();
    on_result(rotate, move |result| {
        confirming.set(false);
        match result {
            Ok(new) => secret.set(Some(new)),
            Err(e) => failure.set(Some(e)),
        }
    });

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
                <ConfirmDialog
                    message=Key::RotateCallbackConfirm
                    confirm=Key::ConfirmRotate
                    busy=Key::Rotating
                    confirm_class="primary"
                    pending=pending
                    on_confirm=Callback::new(move |()| {
                        if !pending.get_untracked() {
                            failure.set(None);
                            rotate.dispatch_local(());
                        }
                    })
                    on_cancel=Callback::new(move |()| confirming.set(false))
                    testid="rotate-callback-confirmation"
                    confirm_testid="rotate-callback-confirm"
                />
            </Show>
            {move || {
                failure.get().map(|e| view! { <p class="alert" role="alert">{e.message(i18n.lang())}</p> })
            }}
        </section>
    }
}
