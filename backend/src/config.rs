//! Kiln's configuration: one typed struct, read from built-in defaults, then an optional
//! TOML file named by `KILN_CONFIG`, then `KILN_*` environment variables (last wins).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::{ModelSpec, StagePolicy, default_models};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    #[error("invalid configuration: {0}")]
    Rule(String),
    #[error("could not prepare the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Everything Kiln reads at start. Field names are the environment variables without the
/// `KILN_` prefix, in lower case (`KILN_DATA_DIR` → `data_dir`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Config {
    /// Address the HTTP server listens on; port 0 picks a free port (tests use it).
    pub bind: SocketAddr,
    /// Where the SQLite file, stored outputs and the generated JWT secret live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; the default is `kiln.db` in the data directory.
    pub database_url: Option<String>,
    /// Largest number of pooled database connections.
    pub database_max_connections: u32,
    /// Signs access tokens and download links. Generated once and kept in the data
    /// directory when not given, so tokens survive restarts.
    #[serde(serialize_with = "serialize_redacted")]
    pub jwt_secret: Option<SecretString>,
    /// How long an access token is valid.
    pub token_ttl_minutes: u64,
    /// Sign-in attempts one account may make in a row…
    pub login_burst: u32,
    /// …after which it may try once more per this many seconds.
    pub login_refill_secs: u64,
    /// The first administrator, created when the database has no user yet.
    pub admin_email: Option<String>,
    #[serde(serialize_with = "serialize_redacted")]
    pub admin_password: Option<SecretString>,
    /// Name of the team the first administrator gets.
    pub admin_team: String,
    /// The built frontend (`index.html` and `pkg/`), served at `/`.
    pub frontend_dir: PathBuf,
    /// `text` for people, `json` for log shippers.
    pub log_format: LogFormat,
    /// A `tracing` filter such as `info,kiln=debug`.
    pub log: String,
    /// How long the simulated provider takes to produce a result.
    pub simulated_latency_ms: u64,
    /// Longer side of the simulated provider's pictures (video clips are half of it).
    /// Benchmarks shrink it to measure Kiln rather than PNG encoding.
    pub simulated_image_side: u32,
    /// How many jobs one process works on at once.
    pub worker_concurrency: usize,
    /// Longest time a worker waits before it looks for due jobs again; new work wakes it
    /// at once, so this only bounds how late a scheduled poll can run.
    pub worker_poll_ms: u64,
    /// How long a claimed job stays leased; a crashed worker's jobs are picked up again
    /// once their lease expires.
    pub job_lease_secs: u64,
    /// Largest GraphQL request body, in bytes.
    pub graphql_body_limit: usize,
    /// Largest reference upload, in bytes.
    pub upload_limit_bytes: usize,
    /// The currency of prices and budgets (ISO 4217 code).
    pub currency: String,
    /// The models on offer, with their parameters and prices (TOML: `[[models]]`).
    pub models: Vec<ModelSpec>,
    /// How far a draft may go (TOML: `[draft_policy]`).
    pub draft_policy: StagePolicy,
    /// An image task still unfinished after this long fails with `QUEUE_TIMEOUT`.
    pub image_deadline_secs: u64,
    /// Same for video tasks, which take longer.
    pub video_deadline_secs: u64,
    /// Share of simulated tasks that fail, per failure class (TOML:
    /// `[simulated_failures] content_policy = 0.05`). Prompts can also ask for a failure
    /// with `#fail:<class>`, see `provider::simulated`.
    pub simulated_failures: SimulatedFailures,
    /// Where outputs and references are kept: `local` (the data directory) or `s3`.
    pub storage_backend: StorageBackend,
    pub s3_bucket: Option<String>,
    /// For S3-compatible services (MinIO, R2, …); unset for AWS.
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    #[serde(serialize_with = "serialize_redacted")]
    pub s3_secret_access_key: Option<SecretString>,
    /// Allow `http://` endpoints (a MinIO on the same network).
    pub s3_allow_http: bool,
    /// OpenAI-compatible gateways (TOML: `[[providers]]`); models name them by `name`.
    pub providers: Vec<ProviderProfile>,
    /// Addresses or CIDR ranges outbound requests may reach although they are not public
    /// (loopback, private networks): `KILN_NET_ALLOW=[10.1.0.0/16]`. Empty by default.
    pub net_allow: Vec<String>,
    /// Seconds to wait before each delivery attempt of an outbound webhook: the first is
    /// immediate, then the Standard Webhooks schedule, about three days in all.
    pub webhook_retry_schedule_secs: Vec<u64>,
    /// How long one webhook delivery attempt may take.
    pub webhook_timeout_secs: u64,
    /// Largest output file Kiln downloads from an upstream link.
    pub download_limit_bytes: usize,
    /// Signed download links live at least this long and at most twice it: they are cut
    /// on multiples of it, so that a file's link stays the same for a while and browsers
    /// cache it.
    pub download_link_secs: u64,
}

/// How a gateway serves video.
#[derive(
    Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default, async_graphql::Enum,
)]
#[graphql(name = "VideoApiDialect")]
#[serde(rename_all = "lowercase")]
pub enum VideoDialect {
    /// `POST /v1/videos`, `GET /v1/videos/{id}`, `GET /v1/videos/{id}/content`.
    #[default]
    Openai,
    /// `POST /v1/video/generations`, `GET /v1/video/generations/{task_id}` (gateways
    /// such as New API).
    Task,
}

/// One OpenAI-compatible gateway.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProviderProfile {
    /// What models and tasks call it; also the path of its inbound webhooks,
    /// `/webhooks/upstream/{name}`.
    pub name: String,
    /// e.g. `https://api.openai.com` (without `/v1`).
    pub base_url: String,
    /// Environment variable holding the API key.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// File holding the API key (a mounted secret). A key set by an admin in the UI
    /// wins over both.
    #[serde(default)]
    pub api_key_file: Option<PathBuf>,
    #[serde(default)]
    pub video_dialect: VideoDialect,
    /// The header the gateway reads idempotency keys from, if it does (e.g.
    /// `Idempotency-Key`). Without one, a create whose answer was lost is never re-sent.
    #[serde(default)]
    pub idempotency_header: Option<String>,
    #[serde(default = "default_provider_timeout")]
    pub timeout_secs: u64,
    /// Requests in flight to this gateway at most.
    #[serde(default = "default_provider_concurrency")]
    pub max_concurrency: usize,
    #[serde(default = "default_provider_rpm")]
    pub requests_per_minute: u32,
    /// Environment variable holding the secret (`whsec_…`) the gateway signs its
    /// webhooks with; without it (or the file), inbound webhooks are refused.
    #[serde(default)]
    pub webhook_secret_env: Option<String>,
    /// File holding that secret.
    #[serde(default)]
    pub webhook_secret_file: Option<PathBuf>,
    /// How long after submission the first polls come; later ones come less often as a
    /// task ages, up to once a minute.
    #[serde(default = "default_poll_ms")]
    pub poll_interval_ms: u64,
}

fn default_poll_ms() -> u64 {
    2_000
}

impl ProviderProfile {
    /// The secret inbound webhooks are signed with, from its file or variable.
    pub(crate) fn webhook_secret(&self) -> Option<SecretString> {
        let from_file = self
            .webhook_secret_file
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok());
        let from_env = self
            .webhook_secret_env
            .as_deref()
            .and_then(|v| std::env::var(v).ok());
        from_file
            .or(from_env)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .map(SecretString::from)
    }
}

fn default_provider_timeout() -> u64 {
    120
}

fn default_provider_concurrency() -> usize {
    4
}

fn default_provider_rpm() -> u32 {
    60
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    Local,
    S3,
}

/// Probabilities in 0–1 that a simulated task fails with each class of failure.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct SimulatedFailures {
    pub invalid_params: f64,
    pub content_policy: f64,
    pub quota: f64,
    pub upstream_error: f64,
    pub transient: f64,
    pub download: f64,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            database_max_connections: 16,
            jwt_secret: None,
            token_ttl_minutes: 12 * 60,
            login_burst: 10,
            login_refill_secs: 30,
            admin_email: None,
            admin_password: None,
            admin_team: "Kiln".to_owned(),
            frontend_dir: PathBuf::from("frontend/dist"),
            log_format: LogFormat::Text,
            log: "info,sqlx=warn,sea_orm=warn".to_owned(),
            simulated_latency_ms: 4_000,
            simulated_image_side: 512,
            worker_concurrency: 16,
            worker_poll_ms: 1_000,
            job_lease_secs: 60,
            graphql_body_limit: 1024 * 1024,
            upload_limit_bytes: 50 * 1024 * 1024,
            currency: "USD".to_owned(),
            models: default_models(),
            draft_policy: StagePolicy::default(),
            image_deadline_secs: 30 * 60,
            video_deadline_secs: 2 * 60 * 60,
            simulated_failures: SimulatedFailures::default(),
            storage_backend: StorageBackend::Local,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: None,
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_allow_http: false,
            providers: Vec::new(),
            net_allow: Vec::new(),
            webhook_retry_schedule_secs: vec![
                0, 5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400,
            ],
            webhook_timeout_secs: 15,
            download_limit_bytes: 1024 * 1024 * 1024,
            download_link_secs: 3600,
        }
    }
}

impl Config {
    /// Defaults, then the file named by `KILN_CONFIG` (if any), then `KILN_*` variables.
    pub fn load() -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Ok(path) = std::env::var("KILN_CONFIG") {
            figment = figment.merge(Toml::file_exact(path));
        }
        // `__` reaches into sections: KILN_DRAFT_POLICY__MAX_COUNT=3.
        Self::from_figment(figment.merge(Env::prefixed("KILN_").split("__")))
    }

    pub(crate) fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(Box::new(e)))?;
        config.check()?;
        Ok(config)
    }

    /// Rules serde cannot express: names that must refer to each other.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        for model in &self.models {
            if model.provider != crate::provider::SIMULATED
                && !self.providers.iter().any(|p| p.name == model.provider)
            {
                return Err(ConfigError::Rule(format!(
                    "model {} names provider {:?}, which is not configured under [[providers]]",
                    model.id, model.provider
                )));
            }
        }
        for profile in &self.providers {
            let valid = !profile.name.is_empty()
                && profile.name != crate::provider::SIMULATED
                && profile
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(ConfigError::Rule(format!(
                    "{:?} cannot name a provider: use letters, digits, - and _ (and not \"simulated\")",
                    profile.name
                )));
            }
        }
        crate::net::NetPolicy::new(&self.net_allow).map_err(ConfigError::Rule)?;
        if self.webhook_retry_schedule_secs.is_empty() {
            return Err(ConfigError::Rule(
                "webhook_retry_schedule_secs needs at least one entry".into(),
            ));
        }
        if self.download_link_secs == 0 {
            return Err(ConfigError::Rule(
                "download_link_secs must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The database to use: the configured URL, or a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("kiln.db").display()
            ),
        }
    }

    pub(crate) fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }

    /// The deadline for a task of `kind`.
    pub(crate) fn task_deadline(&self, kind: crate::domain::task::TaskKind) -> Duration {
        Duration::from_secs(match kind {
            crate::domain::task::TaskKind::Image => self.image_deadline_secs,
            crate::domain::task::TaskKind::Video => self.video_deadline_secs,
        })
    }

    pub(crate) fn model(&self, id: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|m| m.id == id)
    }

    pub(crate) fn token_ttl(&self) -> Duration {
        Duration::from_secs(self.token_ttl_minutes * 60)
    }

    /// Creates the data directory if needed.
    pub(crate) fn ensure_data_dir(&self) -> Result<&Path, ConfigError> {
        std::fs::create_dir_all(&self.data_dir).map_err(|source| ConfigError::DataDir {
            path: self.data_dir.clone(),
            source,
        })?;
        Ok(&self.data_dir)
    }
}

/// Secrets never leave the process, not even into a dumped configuration.
fn serialize_redacted<S: serde::Serializer>(
    value: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => serializer.serialize_some("[redacted]"),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn from_pairs(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        for (key, value) in pairs {
            figment = figment.merge((*key, *value));
        }
        Config::from_figment(figment)
    }

    #[test]
    fn defaults_use_a_sqlite_file_in_the_data_directory() {
        let config = Config::default();
        assert_eq!(config.bind.port(), 8080);
        assert!(config.database_url().starts_with("sqlite://"));
        assert!(config.database_url().contains("kiln.db"));
    }

    #[test]
    fn an_explicit_database_url_wins() {
        let config = from_pairs(&[("database_url", "postgres://db/kiln")]).unwrap();
        assert_eq!(config.database_url(), "postgres://db/kiln");
    }

    #[test]
    fn a_password_made_only_of_digits_is_still_a_password() {
        let figment = Figment::from(Serialized::defaults(Config::default()))
            .merge(("admin_password", figment::value::Value::from("123456789")));
        let config = Config::from_figment(figment).unwrap();
        assert_eq!(config.admin_password.unwrap().expose_secret(), "123456789");
    }

    #[test]
    fn secrets_are_redacted_when_the_configuration_is_printed() {
        let config = Config {
            jwt_secret: Some(SecretString::from("very-secret-value")),
            admin_password: Some(SecretString::from("hunter2hunter2")),
            ..Config::default()
        };
        let dumped = serde_json::to_string(&config).unwrap();
        let debugged = format!("{config:?}");
        for text in [dumped, debugged] {
            assert!(!text.contains("very-secret-value"), "{text}");
            assert!(!text.contains("hunter2hunter2"), "{text}");
        }
    }

    #[test]
    fn nested_sections_are_reachable_from_the_environment() {
        let figment = Figment::from(Serialized::defaults(Config::default()))
            .merge(("draft_policy.max_count", 3))
            .merge(("simulated_failures.content_policy", 0.5));
        let config = Config::from_figment(figment).unwrap();
        assert_eq!(config.draft_policy.max_count, 3);
        assert_eq!(config.simulated_failures.content_policy, 0.5);
        assert_eq!(config.models.len(), 2, "the default catalogue stays");
    }

    #[test]
    fn a_model_naming_an_unconfigured_provider_is_refused() {
        let mut models = default_models();
        models[0].provider = "openai".into();
        let figment = Figment::from(Serialized::defaults(Config {
            models,
            ..Config::default()
        }));
        let err = Config::from_figment(figment).unwrap_err();
        assert!(err.to_string().contains("openai"), "{err}");
    }

    #[test]
    fn a_malformed_allow_list_entry_is_refused() {
        assert!(from_pairs(&[("net_allow", "[not-a-network]")]).is_err());
        let config = Config::from_figment(
            Figment::from(Serialized::defaults(Config::default()))
                .merge(("net_allow", vec!["127.0.0.1/32"])),
        )
        .unwrap();
        assert_eq!(config.net_allow, ["127.0.0.1/32"]);
    }

    #[test]
    fn an_unknown_log_format_is_refused() {
        assert!(from_pairs(&[("log_format", "xml")]).is_err());
    }
}
