//! Kiln's browser UI: a Leptos app rendered on the client and compiled to
//! WebAssembly, served as static files by the Kiln backend.
//!
//! It signs a creator in, keeps the campaign and brief they work on, composes
//! generation tasks (image or video, draft or final) with a live cost estimate, and
//! shows them moving through `QUEUED → SUBMITTED → PROCESSING → SUCCEEDED` live, on
//! the board and on each task's own page (with the callbacks sent about it), in
//! English or Simplified Chinese. Admins also get a settings page for gateways and
//! their API keys, webhook endpoints and their delivery logs, and callback signing.
//!
//! # Layout
//!
//! - `main.rs` only mounts [`App`].
//! - [`app`]: the root component, shared context (language, session, notices carried
//!   across navigation) and the routes (`/login`, `/`, `/tasks/:id`, `/settings`).
//! - [`pages`]: one file per route — `login`, `board`, `task`, `settings`.
//! - [`components`]: widgets the pages are made of, grouped by the page that owns
//!   them: `board/` (brief picker, budget alerts, composer, task filters, cards and
//!   the live task list), `task/` (facts, outputs, timeline, lineage, the head with
//!   its actions, promote form), `settings/` (gateways, webhook endpoints, callback
//!   secret) and `shared/` (header, text field, confirm dialog, form errors, the
//!   live estimate, the delivery log both the task and the settings pages show).
//! - [`api`]: the one way to reach the server — `graphql_query` over HTTP (and
//!   `graphql_upload` for multipart uploads), typed operations derived from
//!   `../schema.graphql` and `graphql/*.graphql`, and the `graphql-transport-ws`
//!   subscription client.
//! - [`model`]: the UI's own types, independent of which operation fetched them.
//! - [`session`]: whether someone is signed in, as a signal the routes follow.
//! - [`i18n`]: every user-visible string, in both languages, and the language toggle.
//!
//! Data flows through Leptos's own primitives: what a page reads is a
//! `LocalResource` (which follows the signals it reads, so a late answer for
//! something the user has left is never applied), what a user does is an `Action`
//! whose result an effect applies, and live updates are subscriptions scoped to the
//! component that shows them. Nothing checks by hand whether an answer is stale or
//! its component is gone.
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
