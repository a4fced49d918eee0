//! `/settings` (admins): the gateways Kiln sends tasks to and their write-only API
//! keys, the team's webhook endpoints with their delivery logs, and the secret that
//! signs per-task callbacks. Anyone else who opens it is told it is for admins; the
//! server refuses them these queries anyway.

use leptos::prelude::*;
use leptos_router::components::{A, Redirect};

use crate::api::ws::LinkState;
use crate::components::settings::callback_secret::CallbackSecret;
use crate::components::settings::gateways::Gateways;
use crate::components::settings::webhook_endpoints::WebhookEndpoints;
use crate::components::shared::header::{Header, use_viewer};
use crate::components::shared::load_failed::LoadFailed;
use crate::i18n::{Key, use_i18n};
use crate::session::use_session;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Show when=move || session.signed_in() fallback=|| view! { <Redirect path="/login" /> }>
            <Settings />
        </Show>
    }
}

#[component]
fn Settings() -> impl IntoView {
    let i18n = use_i18n();
    let viewer = use_viewer();
    let me = Signal::derive(move || viewer.get().and_then(Result::ok));
    // Idle until the admin's part is there to follow something.
    let link = RwSignal::new(LinkState::Idle);

    // Waits for who is signed in; a retry keeps showing the last answer until the
    // next one is in.
    let content = move || {
        Suspend::new(async move {
            match viewer.await {
                Ok(me) if me.is_admin() => view! {
                    <div class="settings-layout">
                        <div class="settings-main">
                            <WebhookEndpoints link=link />
                            <CallbackSecret />
                        </div>
                        <aside class="settings-side">
                            <Gateways />
                        </aside>
                    </div>
                }
                .into_any(),
                Ok(_) => view! {
                    <div class="empty" data-testid="settings-admins-only">
                        <span class="empty-mark" aria-hidden="true"></span>
                        <p>{move || i18n.t(Key::AdminsOnly)}</p>
                        <A href="/">{move || i18n.t(Key::BackToBoard)}</A>
                    </div>
                }
                .into_any(),
                Err(e) => {
                    view! { <LoadFailed error=e on_retry=move || viewer.refetch() /> }.into_any()
                }
            }
        })
    };
    let skeleton = || {
        view! {
            <div class="panel skeleton-panel" aria-busy="true">
                <div class="line"></div>
                <div class="line short"></div>
            </div>
        }
    };

    view! {
        <div class="app">
            <Header me=me link=link />
            <div class="page settings-page" data-testid="settings-page">
                <nav class="breadcrumbs" aria-label=move || i18n.t(Key::Breadcrumbs)>
                    <A href="/" attr:data-testid="back-to-board">
                        "← " {move || i18n.t(Key::BackToBoard)}
                    </A>
                </nav>
                <header class="settings-head">
                    <h1>{move || i18n.t(Key::Settings)}</h1>
                    <p class="muted">{move || i18n.t(Key::SettingsHint)}</p>
                </header>
                <Transition fallback=skeleton>{content}</Transition>
            </div>
        </div>
    }
}
