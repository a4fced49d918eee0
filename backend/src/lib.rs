//! Kiln's backend: one process that serves the GraphQL API, the WebSocket endpoint for
//! subscriptions, file downloads and the built frontend, and runs the workers that drive
//! generation tasks through an upstream provider.
//!
//! # Layout
//! - [`config`]: the typed configuration, read from defaults, an optional TOML file and
//!   `KILN_*` environment variables.
//! - [`startup`]: [`startup::Application`] wires everything together and binds its own
//!   listener, so tests can run it on port 0.
//! - [`state`]: [`state::AppState`], the handles every layer shares.
//! - [`telemetry`]: structured logs through `tracing`.
//! - [`db`]: connecting to SQLite or PostgreSQL and applying migrations.
//! - [`auth`]: password hashing, access tokens, and the [`auth::Viewer`] a request acts as.
//! - [`domain`]: the vocabulary and rules (statuses, parameters, validation); no I/O.
//! - [`entity`]: one sea-orm entity per table.
//! - [`service`]: persistence and orchestration over the domain, used by the API and the
//!   workers alike; knows nothing of GraphQL or HTTP.
//! - [`events`]: the bus that announces persisted task transitions to subscribers.
//! - [`provider`]: the upstream adapters behind the [`provider::Provider`] trait.
//! - [`worker`]: claims durable jobs and drives tasks through their provider.
//! - [`storage`]: where output files are kept.
//! - [`graphql`]: the schema; thin resolvers over [`service`].
//! - [`webhook`]: the Standard Webhooks format: signatures and event bodies.
//! - [`http`]: the axum router: GraphQL, WebSocket, webhooks, health checks, downloads,
//!   frontend.
//! - [`ids`]: opaque global ids, as clients see them.
//! - [`net`]: outbound HTTP with the SSRF guard.

pub mod auth;
pub mod config;
pub(crate) mod db;
pub mod domain;
pub mod entity;
pub mod events;
pub mod graphql;
pub(crate) mod http;
pub(crate) mod ids;
pub(crate) mod net;
pub mod provider;
pub mod service;
pub mod startup;
pub mod state;
pub(crate) mod storage;
pub mod telemetry;
pub mod webhook;
pub(crate) mod worker;
