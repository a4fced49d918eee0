//! The root component: shared context and the routes.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::api;
use crate::i18n::{I18n, Key, use_i18n};
use crate::pages::{board::BoardPage, login::LoginPage};
use crate::session::Session;

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::new();
    provide_context(i18n);
    let session = Session::new();
    provide_context(session);
    // Any request that finds the token refused ends the session; the routes then
    // take the user to the login page.
    api::on_unauthenticated(move || session.expire());

    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/") view=BoardPage />
            </Routes>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="not-found">
            <p>{move || i18n.t(Key::NotFound)}</p>
            <A href="/">{move || i18n.t(Key::BackToBoard)}</A>
        </main>
    }
}
