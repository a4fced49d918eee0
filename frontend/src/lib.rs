//! Kiln's browser UI: a Leptos app rendered on the client and compiled to
//! WebAssembly, served as static files by the Kiln backend.
//!
//! It signs a creator in, submits image tasks and shows them moving through
//! `QUEUED → SUBMITTED → PROCESSING → SUCCEEDED` live, in English or Simplified
//! Chinese.
//!
//! # Layout
//!
//! - `main.rs` only mounts [`App`].
//! - [`app`]: the root component, shared context and routes (`/login`, `/`).
//! - [`pages`]: one file per route — `login`, `board`.
//! - [`components`]: widgets the pages are made of — header, submit form, task card,
//!   status badge, status filter.
//! - [`api`]: the one way to reach the server — `graphql_query` over HTTP, typed
//!   operations derived from `../schema.graphql` and `graphql/*.graphql`, and the
//!   `graphql-transport-ws` subscription client.
//! - [`model`]: the board's own task type, independent of which operation fetched it.
//! - [`session`]: whether someone is signed in, as a signal the routes follow.
//! - [`i18n`]: every user-visible string, in both languages, and the language toggle.
//!
//! Static files (`index.html`, `style.css`) live in `frontend/static/`; see the
//! workspace README (or `cargo xtask`) for the build.

pub mod api;
pub mod app;
pub mod components;
pub mod i18n;
pub mod model;
pub mod pages;
pub mod session;

pub use app::App;
