//! The top bar: who is signed in, which team, the way to the settings (admins),
//! whether live updates flow, the language toggle and sign-out.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::ApiError;
use crate::api::operations::{self, Me};
use crate::api::ws::LinkState;
use crate::i18n::{self, Key, use_i18n};
use crate::session::use_session;

/// Who is signed in, read once for the page. Each page shows the header with it; the
/// board and the task page also decide what to offer by it (admins may replay).
pub fn use_viewer() -> LocalResource<Result<Me, ApiError>> {
    LocalResource::new(operations::viewer)
}

#[component]
pub fn Header(
    /// `None` until the viewer query answers.
    #[prop(into)]
    me: Signal<Option<Me>>,
    #[prop(into)] link: Signal<LinkState>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();

    let link_view = move || {
        let (class, key) = match link.get() {
            LinkState::Connecting => ("link connecting", Key::LiveConnecting),
            LinkState::Live => ("link live", Key::Live),
            LinkState::Reconnecting => ("link reconnecting", Key::LiveReconnecting),
            // Nothing to listen for (a finished task): no indicator to worry about.
            LinkState::Idle => return None,
        };
        Some(view! {
            <span class=class role="status" data-testid="live-status">
                <span class="link-dot" aria-hidden="true"></span>
                {i18n.t(key)}
            </span>
        })
    };

    view! {
        <header class="topbar">
            <div class="topbar-inner">
                <A href="/" attr:class="brand" attr:data-testid="home">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-name">{move || i18n.t(Key::AppName)}</span>
                </A>
                <span class="team" data-testid="team-name">
                    {move || me.get().map(|m| m.team)}
                </span>
                <div class="topbar-spacer"></div>
                {link_view}
                {move || {
                    me.get()
                        .filter(Me::is_admin)
                        .map(|_| {
                            view! {
                                <A href="/settings" attr:class="button ghost" attr:data-testid="settings-link">
                                    {move || i18n.t(Key::Settings)}
                                </A>
                            }
                        })
                }}
                <div class="user" title=move || me.get().map(|m| m.email)>
                    <span class="user-name">{move || me.get().map(|m| m.display_name)}</span>
                    <span class="user-roles">
                        {move || {
                            let lang = i18n.lang();
                            me.get()
                                .map(|m| {
                                    m.roles
                                        .iter()
                                        .map(|r| i18n::role(lang, r))
                                        .collect::<Vec<_>>()
                                        .join(" · ")
                                })
                        }}
                    </span>
                </div>
                <LanguageToggle />
                <button
                    type="button"
                    class="button ghost"
                    data-testid="sign-out"
                    on:click=move |_| session.sign_out()
                >
                    {move || i18n.t(Key::SignOut)}
                </button>
            </div>
        </header>
    }
}

/// Flips between English and Chinese; also on the login page, where a Chinese
/// speaker needs it most.
#[component]
pub fn LanguageToggle() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            class="button ghost lang-toggle"
            data-testid="language-toggle"
            title=move || i18n.t(Key::SwitchLanguageHint)
            aria-label=move || i18n.t(Key::SwitchLanguageHint)
            on:click=move |_| i18n.toggle()
        >
            <span class="lang-icon" aria-hidden="true">"文"</span>
            {move || i18n.t(Key::SwitchLanguage)}
        </button>
    }
}
