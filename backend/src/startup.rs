//! Building and running Kiln: [`Application::build`] prepares everything and binds the
//! listener (so tests can ask for port 0 and read the real port back);
//! [`Application::run_until_stopped`] serves until the shutdown future resolves.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::auth::sealed::Sealer;
use crate::auth::throttle::LoginThrottle;
use crate::auth::{secret, token::Tokens};
use crate::config::{Config, ConfigError};
use crate::events::EventBus;
use crate::graphql;
use crate::http::{self, HttpState};
use crate::net::{Limits, NetPolicy, SafeHttp};
use crate::provider::Providers;
use crate::provider::openai::OpenAiProvider;
use crate::provider::simulated::SimulatedProvider;
use crate::service::ServiceError;
use crate::service::account::{self, Bootstrap};
use crate::service::provider::ApiKeys;
use crate::state::AppState;
use crate::storage::{Storage, StorageError};
use crate::worker::Worker;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("could not open the database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("could not read or create the server secret: {0}")]
    Secret(std::io::Error),
    #[error(transparent)]
    Sealing(#[from] crate::auth::sealed::SealError),
    #[error("could not open storage: {0}")]
    Storage(#[from] StorageError),
    #[error("could not create the first administrator: {0}")]
    Bootstrap(#[from] ServiceError),
    #[error("could not set up outbound HTTP: {0}")]
    Http(String),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
    bootstrap: Bootstrap,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        config.check()?;
        config.ensure_data_dir()?;
        let db =
            crate::db::connect(&config.database_url(), config.database_max_connections).await?;
        let secret = secret::load_or_create(config.jwt_secret.as_ref(), &config.data_dir)
            .map_err(StartupError::Secret)?;
        let policy = NetPolicy::new(&config.net_allow)
            .map_err(|e| StartupError::Config(ConfigError::Rule(e)))?;
        let http = SafeHttp::new(
            policy.clone(),
            Limits {
                connect_timeout: Duration::from_secs(10),
                timeout: Duration::from_secs(config.webhook_timeout_secs.max(1)),
                max_body_bytes: 64 * 1024,
            },
        )
        .map_err(|e| StartupError::Http(e.to_string()))?;
        // Result downloads may be large and slow; they get their own limits.
        let downloads = SafeHttp::new(
            policy.clone(),
            Limits {
                connect_timeout: Duration::from_secs(10),
                timeout: Duration::from_secs(15 * 60),
                max_body_bytes: config.download_limit_bytes,
            },
        )
        .map_err(|e| StartupError::Http(e.to_string()))?;
        // References fetched from users' links: as large as an upload may be.
        let imports = SafeHttp::new(
            policy,
            Limits {
                connect_timeout: Duration::from_secs(10),
                timeout: Duration::from_secs(120),
                max_body_bytes: config.upload_limit_bytes,
            },
        )
        .map_err(|e| StartupError::Http(e.to_string()))?;
        let mut providers = Providers::default();
        providers.insert(Arc::new(SimulatedProvider::new(
            db.clone(),
            Duration::from_millis(config.simulated_latency_ms),
            config.simulated_failures.clone(),
            config.simulated_image_side,
        )));
        let sealer = Arc::new(Sealer::new(&secret)?);
        for profile in &config.providers {
            let gateway = OpenAiProvider::new(
                profile.clone(),
                downloads.clone(),
                ApiKeys::new(db.clone(), sealer.clone()),
            )
            .map_err(StartupError::Http)?;
            providers.insert(Arc::new(gateway));
        }
        let state = AppState {
            tokens: Tokens::new(&secret, config.token_ttl()),
            sealer,
            login_throttle: Arc::new(LoginThrottle::new(
                config.login_burst,
                Duration::from_secs(config.login_refill_secs),
            )),
            storage: Storage::from_config(&config)?,
            providers,
            http,
            imports,
            events: EventBus::new(db.get_database_backend()),
            work_ready: Arc::new(Notify::new()),
            db,
            config: Arc::new(config),
        };
        let bootstrap = account::bootstrap_admin(&state.db, &state.config).await?;
        let listener = TcpListener::bind(state.config.bind)
            .await
            .map_err(|source| StartupError::Bind {
                addr: state.config.bind,
                source,
            })?;
        Ok(Self {
            listener,
            state,
            bootstrap,
        })
    }

    /// Where the server listens (with the real port when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.state.config.bind)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// What start-up did about the first administrator; a generated password is in here
    /// and nowhere else.
    pub fn bootstrap(&self) -> &Bootstrap {
        &self.bootstrap
    }

    /// Serves HTTP and runs the worker until `shutdown` resolves, then stops accepting
    /// requests, lets requests and job steps in flight finish, and returns.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), std::io::Error> {
        let addr = self.local_addr();
        self.announce(addr);
        let stop = CancellationToken::new();
        let worker = tokio::spawn(Worker::new(self.state.clone()).run(stop.clone()));
        let listener = self
            .state
            .events
            .spawn_listener(self.state.db.clone(), stop.clone());
        let schema = graphql::schema(self.state.clone());
        let router = http::router(HttpState {
            app: self.state,
            schema,
            shutdown: stop.clone(),
        });
        let stop_serving = stop.clone();
        let served = axum::serve(self.listener, router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                tracing::info!("shutting down");
                stop_serving.cancel();
            })
            .await;
        stop.cancel();
        if let Err(err) = worker.await {
            tracing::error!(error = %err, "the worker ended abnormally");
        }
        if let Some(listener) = listener {
            let _ = listener.await;
        }
        tracing::info!("stopped");
        served
    }

    fn announce(&self, addr: SocketAddr) {
        tracing::info!(%addr, "Kiln is listening");
        let url = format!("http://{addr}/");
        match &self.bootstrap {
            Bootstrap::AlreadySetUp => println!("Kiln is running at {url}"),
            Bootstrap::Created { email } => {
                println!(
                    "Kiln is running at {url}\nSign in as {email} with the password from KILN_ADMIN_PASSWORD."
                );
            }
            Bootstrap::CreatedWithGeneratedPassword { email, password } => {
                use secrecy::ExposeSecret;
                // Printed to the terminal once and never logged: this is the only copy.
                println!(
                    "Kiln is running at {url}\n\
                     \n\
                     A first administrator was created:\n\
                     \x20   e-mail:   {email}\n\
                     \x20   password: {}\n\
                     This password is shown only now. To choose your own instead, start Kiln on an\n\
                     empty data directory with KILN_ADMIN_EMAIL and KILN_ADMIN_PASSWORD set.",
                    password.expose_secret()
                );
            }
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM (what `docker stop` and orchestrators send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
