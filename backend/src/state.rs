//! The handles that the HTTP layer, the GraphQL resolvers, the services and the workers
//! share. Cloning is cheap: everything inside is reference-counted.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use crate::auth::sealed::Sealer;
use crate::auth::throttle::LoginThrottle;
use crate::auth::token::Tokens;
use crate::config::Config;
use crate::events::EventBus;
use crate::net::SafeHttp;
use crate::provider::Providers;
use crate::storage::Storage;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub(crate) config: Arc<Config>,
    pub tokens: Tokens,
    /// Slows down password guessing per account.
    pub(crate) login_throttle: Arc<LoginThrottle>,
    /// Seals the secrets kept in the database (gateway keys, signing secrets).
    pub(crate) sealer: Arc<Sealer>,
    pub events: EventBus,
    pub(crate) storage: Storage,
    /// The simulated provider and every configured gateway, by name.
    pub(crate) providers: Providers,
    /// Outbound HTTP behind the SSRF guard: callbacks, links given by users and upstreams.
    pub(crate) http: SafeHttp,
    /// The same guard for reference files fetched from links users give, capped at the
    /// upload limit.
    pub(crate) imports: SafeHttp,
    /// Wakes the workers when new work is queued, so a submit does not wait for a poll.
    pub(crate) work_ready: Arc<Notify>,
}
