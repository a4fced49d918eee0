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
//! - [`components`]: widgets the pages are made of — header, brief picker, budget
//!   alerts, composer (parameters, references, estimate), task filters, task card,
//!   the task page's parts (facts, outputs, timeline, lineage, promote form), the
//!   settings page's (gateways, webhook endpoints, callback secret) and the delivery
//!   log both use.
//! - [`api`]: the one way to reach the server — `graphql_query` over HTTP (and
//!   `graphql_upload` for multipart uploads), typed operations derived from
//!   `../schema.graphql` and `graphql/*.graphql`, and the `graphql-transport-ws`
//!   subscription client.
//! - [`model`]: the UI's own types, independent of which operation fetched them.
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
