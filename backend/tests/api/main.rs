//! Black-box tests: each starts the real application on port 0 against a fresh database
//! and talks to it over HTTP and WebSocket, as clients do. Every test runs twice, on
//! SQLite and on PostgreSQL (see `helpers::both_engines!`). They call the API through
//! typed operations (`ops`, from `graphql/*.graphql` checked against `schema.graphql`),
//! so a schema change that breaks them fails to compile.

mod helpers;
mod ops;

mod auth;
mod campaigns;
mod downloads;
mod duplicates;
mod durability;
mod errors;
mod failures;
mod files;
mod frontend;
pub mod gateway;
pub mod generation;
mod health;
mod isolation;
mod replicas;
mod schema;
mod spend;
mod tasks;
mod webhooks;
