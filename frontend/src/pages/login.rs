//! `/login`: e-mail and password in, a token out.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::operations;
use crate::components::shared::header::LanguageToggle;
use crate::components::shared::on_result;
use crate::components::shared::text_field::unique_id;
use crate::i18n::{self, Key, use_i18n};
use crate::model::UserError;
use crate::session::use_session;

/// Why the last attempt failed, kept in a form that can be re-rendered when the
/// language changes.
#[derive(Clone, Debug, PartialEq)]
enum Failure {
    Refused(Vec<UserError>),
    Api(crate::api::ApiError),
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Show when=move || !session.signed_in() fallback=|| view! { <Redirect path="/" /> }>
            <LoginForm />
        </Show>
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<Failure>);
    let sign_in = Action::new_local(|(email, password): &(String, String)| {
        operations::login(email.trim().to_owned(), password.clone())
    });
    let pending = sign_in.pending();
    on_result(sign_in, move |result| match result {
        // The page redirects to the board as soon as the session says so.
        Ok(Ok(signed_in)) => session.sign_in(&signed_in.token),
        Ok(Err(errors)) => failure.set(Some(Failure::Refused(errors))),
        Err(e) => failure.set(Some(Failure::Api(e))),
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        failure.set(None);
        sign_in.dispatch_local((email.get_untracked(), password.get_untracked()));
    };

    // A refusal about a field marks that input; one about neither (wrong e-mail or
    // password, which the server does not tell apart) marks both. Each then points
    // at the message.
    let error_id = unique_id("login-error");
    let invalid = move |field: &'static str| {
        failure.with(|f| match f {
            Some(Failure::Refused(errors)) => errors
                .iter()
                .any(|e| e.field.as_deref().is_none_or(|f| f == field)),
            _ => false,
        })
    };
    let (for_email, for_password) = (error_id.clone(), error_id.clone());

    let message = move || {
        let lang = i18n.lang();
        failure.get().map(|f| match f {
            Failure::Refused(errors) => errors
                .iter()
                .map(|e| i18n::user_error(lang, e.field.as_deref(), e.code, &e.message))
                .collect::<Vec<_>>()
                .join(" "),
            Failure::Api(e) => e.message(lang),
        })
    };

    view! {
        <div class="login-page">
            <div class="login-corner">
                <LanguageToggle />
            </div>
            <main class="login-card">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-name">{move || i18n.t(Key::AppName)}</span>
                </div>
                <p class="tagline">{move || i18n.t(Key::Tagline)}</p>
                <h1>{move || i18n.t(Key::LoginTitle)}</h1>
                <p class="muted">{move || i18n.t(Key::LoginSubtitle)}</p>
                <Show when=move || session.expired() && failure.with(Option::is_none)>
                    <p class="notice" role="status">
                        {move || i18n.t(Key::SessionEnded)}
                    </p>
                </Show>
                <form class="login-form" on:submit=submit novalidate>
                    <label class="field">
                        <span class="label">{move || i18n.t(Key::Email)}</span>
                        <input
                            type="email"
                            name="email"
                            autocomplete="username"
                            data-testid="login-email"
                            aria-invalid=move || invalid("email").to_string()
                            aria-describedby=move || invalid("email").then(|| for_email.clone())
                            prop:value=move || email.get()
                            on:input=move |ev| email.set(event_target_value(&ev))
                        />
                    </label>
                    <label class="field">
                        <span class="label">{move || i18n.t(Key::Password)}</span>
                        <input
                            type="password"
                            name="password"
                            autocomplete="current-password"
                            data-testid="login-password"
                            aria-invalid=move || invalid("password").to_string()
                            aria-describedby=move || invalid("password").then(|| for_password.clone())
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                    </label>
                    {move || {
                        let id = error_id.clone();
                        message()
                            .map(|text| {
                                view! {
                                    <p class="alert" role="alert" id=id data-testid="login-error">
                                        {text}
                                    </p>
                                }
                            })
                    }}
                    <button
                        type="submit"
                        class="button primary wide"
                        data-testid="login-submit"
                        disabled=move || pending.get()
                        aria-busy=move || pending.get().to_string()
                    >
                        {move || {
                            if pending.get() { i18n.t(Key::SigningIn) } else { i18n.t(Key::SignIn) }
                        }}
                    </button>
                </form>
            </main>
        </div>
    }
}
