//! The root component: shared context and the routes.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::api;
use crate::i18n::{I18n, Key, use_i18n};
use crate::pages::{board::BoardPage, login::LoginPage, settings::SettingsPage, task::TaskPage};
use crate::session::Session;

/// A message for the next page, e.g. "an identical task was already running" after
/// a promote that was answered with an existing task. The page that shows it takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashNotice {
    /// The action was answered with an identical task that was still running.
    Duplicate,
    /// A final was made from the draft the user came from.
    Promoted,
    /// A new attempt was made at the task the user came from.
    Retried,
}

#[derive(Clone, Copy)]
pub struct Flash(RwSignal<Option<FlashNotice>>);

impl Flash {
    pub fn set(&self, notice: FlashNotice) {
        self.0.set(Some(notice));
    }

    /// The notice, once.
    pub fn take(&self) -> Option<FlashNotice> {
        let notice = self.0.get_untracked();
        self.0.set(None);
        notice
    }
}

pub fn use_flash() -> Flash {
    use_context::<Flash>().unwrap_or(Flash(RwSignal::new(None)))
}

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::new();
    provide_context(i18n);
    let session = Session::new();
    provide_context(session);
    provide_context(Flash(RwSignal::new(None)));
    // Any request that finds the token refused ends the session; the routes then
    // take the user to the login page.
    api::on_unauthenticated(move || session.expire());

    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/") view=BoardPage />
                <Route path=path!("/tasks/:id") view=TaskPage />
                <Route path=path!("/settings") view=SettingsPage />
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
