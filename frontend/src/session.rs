//! Whether someone is signed in, as a reactive value the routes can follow.
//!
//! The token itself is kept by [`crate::api`] in `localStorage`; this mirrors its
//! presence in a signal so that signing in, signing out and an expired session all
//! move the user to the right page without each widget navigating on its own.

use leptos::prelude::*;

use crate::api;

#[derive(Clone, Copy)]
pub struct Session {
    signed_in: RwSignal<bool>,
    /// Set when the server ended the session, so the login page can say why the
    /// user is there.
    expired: RwSignal<bool>,
}

impl Session {
    pub fn new() -> Self {
        let session = Self {
            signed_in: RwSignal::new(api::token().is_some()),
            expired: RwSignal::new(false),
        };
        // Another tab signing in or out changes the shared storage; follow it so two
        // tabs never disagree about who is signed in.
        let handle = window_event_listener(leptos::ev::storage, move |_| {
            session.signed_in.set(api::token().is_some());
        });
        on_cleanup(move || handle.remove());
        session
    }

    /// Tracked.
    pub fn signed_in(&self) -> bool {
        self.signed_in.get()
    }

    /// Tracked.
    pub fn expired(&self) -> bool {
        self.expired.get()
    }

    pub fn sign_in(&self, token: &str) {
        api::store_token(token);
        self.expired.set(false);
        self.signed_in.set(true);
    }

    pub fn sign_out(&self) {
        api::clear_token();
        self.signed_in.set(false);
    }

    /// The server refused the token (it is already cleared).
    pub fn expire(&self) {
        if self.signed_in.get_untracked() {
            self.expired.set(true);
        }
        self.signed_in.set(false);
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_default()
}
