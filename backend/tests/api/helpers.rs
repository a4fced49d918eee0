//! `TestApp`: a running Kiln on a random port with its own database and data directory,
//! and typed helpers to talk to it: [`Api::op`] sends an operation from [`crate::ops`]
//! and returns its typed data. [`Api::graphql`] (raw text in, `serde_json::Value` out)
//! stays for the tests that send what no typed client would: malformed or hostile
//! documents, and raw error shapes.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use graphql_client::GraphQLQuery;
use kiln::config::Config;
use kiln::domain::account::{Role, RoleSet};
use kiln::service::account::{self, NewMember};
use kiln::startup::Application;
use kiln::state::AppState;
use sea_orm::{ConnectionTrait, Database};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::ops::{self, TaskStatus, submit_task, task_by_id};

/// Runs each test body once on SQLite and once on PostgreSQL.
///
/// PostgreSQL comes from `KILN_TEST_DATABASE_URL`, else the local server on
/// 127.0.0.1:5432 if it answers. When neither is there the PostgreSQL variant reports that
/// it was skipped, unless `KILN_TEST_REQUIRE_POSTGRES=1` (set by `cargo xtask test`
/// whenever a server answers), which makes it fail instead.
macro_rules! both_engines {
    ($($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                $(#[$meta])*
                async fn body($app: &crate::helpers::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = crate::helpers::TestApp::spawn(crate::helpers::Engine::Sqlite).await;
                    body(&app).await;
                    app.stop().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = crate::helpers::TestApp::spawn_postgres().await {
                        body(&app).await;
                        app.stop().await;
                    }
                }
            }
        )*
    };
}
pub(crate) use both_engines;

/// Runs each test body once per engine, handing it the engine, for tests that build
/// their own app (a gateway stub, a special configuration).
macro_rules! each_engine {
    ($($(#[$meta:meta])* async fn $name:ident($engine:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                $(#[$meta])*
                async fn body($engine: crate::helpers::Engine) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    body(crate::helpers::Engine::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if crate::helpers::postgres_available().await {
                        body(crate::helpers::Engine::Postgres).await;
                    }
                }
            }
        )*
    };
}
pub(crate) use each_engine;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// How long a test waits for something the server is expected to do soon.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// A client of a running Kiln: HTTP and WebSocket helpers, as API users call it.
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
    /// A brief per signed-in token, made on first use, for tasks that need one.
    briefs: tokio::sync::Mutex<std::collections::HashMap<String, String>>,
}

pub struct TestApp {
    pub api: Api,
    pub state: AppState,
    pub data_dir: std::path::PathBuf,
    pub database_url: String,
    /// The first administrator's password when start-up generated one.
    pub generated_admin_password: Option<String>,
    shutdown: std::sync::Mutex<Option<oneshot::Sender<()>>>,
    server: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    _data_dir: Option<tempfile::TempDir>,
    postgres: Option<PostgresDatabase>,
}

impl std::ops::Deref for TestApp {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

/// A database created for one test and dropped after it.
pub struct PostgresDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside async; a short-lived runtime on its own thread does the I/O.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(db) = Database::connect(&admin_url).await {
                    let _ = db
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                }
            });
        })
        .join();
    }
}

pub fn postgres_admin_url() -> String {
    std::env::var("KILN_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let server = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// A new empty database for one test: a SQLite file in `dir`, or a PostgreSQL database
/// that is dropped when the returned guard is.
pub async fn fresh_database(
    engine: Engine,
    dir: &std::path::Path,
) -> (String, Option<PostgresDatabase>) {
    match engine {
        Engine::Sqlite => (
            format!("sqlite://{}?mode=rwc", dir.join("kiln.db").display()),
            None,
        ),
        Engine::Postgres => {
            let admin_url = postgres_admin_url();
            let name = format!("kiln_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url)
                .await
                .expect("connect to PostgreSQL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create a test database");
            (
                with_database(&admin_url, &name),
                Some(PostgresDatabase { admin_url, name }),
            )
        }
    }
}

/// Whether the PostgreSQL variant of a test can run; notes a skip when it cannot and
/// fails when it must.
pub async fn postgres_available() -> bool {
    let admin_url = postgres_admin_url();
    let required = std::env::var("KILN_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    match Database::connect(&admin_url).await {
        Ok(_) => true,
        Err(err) if required => {
            panic!("PostgreSQL at {admin_url} is required but not reachable: {err}")
        }
        Err(err) => {
            eprintln!("skipped: PostgreSQL at {admin_url} is not reachable ({err})");
            false
        }
    }
}

impl TestApp {
    pub fn config(data_dir: &std::path::Path) -> Config {
        Config {
            bind: "127.0.0.1:0".parse().unwrap(),
            data_dir: data_dir.to_path_buf(),
            admin_email: Some(ADMIN_EMAIL.to_owned()),
            admin_password: Some(SecretString::from(ADMIN_PASSWORD)),
            admin_team: "Acme Marketing".to_owned(),
            frontend_dir: data_dir.join("no-frontend"),
            simulated_latency_ms: 300,
            worker_poll_ms: 200,
            database_max_connections: 8,
            // Failures show what went wrong; expected noise (no frontend, dropped
            // databases) stays out.
            log: "warn,kiln::http::frontend=error,sqlx=error".to_owned(),
            ..Config::default()
        }
    }

    pub async fn spawn(engine: Engine) -> TestApp {
        match engine {
            Engine::Sqlite => Self::spawn_with(Engine::Sqlite, |_| {}).await,
            Engine::Postgres => Self::spawn_postgres()
                .await
                .expect("PostgreSQL is not reachable"),
        }
    }

    /// A PostgreSQL-backed app, or `None` (with a note) when no server is reachable and
    /// none is required.
    pub async fn spawn_postgres() -> Option<TestApp> {
        let admin_url = postgres_admin_url();
        let required = std::env::var("KILN_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        match Database::connect(&admin_url).await {
            Ok(_) => Some(Self::spawn_with(Engine::Postgres, |_| {}).await),
            Err(err) if required => {
                panic!("PostgreSQL at {admin_url} is required but not reachable: {err}")
            }
            Err(err) => {
                eprintln!("skipped: PostgreSQL at {admin_url} is not reachable ({err})");
                None
            }
        }
    }

    /// An app on `engine` with `tweak` applied to its configuration.
    pub async fn spawn_with(engine: Engine, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temporary directory");
        let (database_url, postgres) = fresh_database(engine, data_dir.path()).await;
        let mut config = Self::config(data_dir.path());
        config.database_url = Some(database_url);
        tweak(&mut config);
        let mut app = Self::start(config).await;
        app._data_dir = Some(data_dir);
        app.postgres = postgres;
        app
    }

    /// A second server process on the same database and data directory, as a replica
    /// behind a load balancer would be. Stop it before the test ends.
    pub async fn spawn_sibling(&self) -> TestApp {
        let mut config = Self::config(&self.data_dir);
        config.database_url = Some(self.database_url.clone());
        Self::start(config).await
    }

    async fn start(config: Config) -> TestApp {
        kiln::telemetry::init(&config);
        let data_dir = config.data_dir.clone();
        let database_url = config.database_url();
        let app = Application::build(config)
            .await
            .expect("the application builds");
        let base = format!("http://{}", app.local_addr());
        let generated_admin_password = match app.bootstrap() {
            kiln::service::account::Bootstrap::CreatedWithGeneratedPassword {
                password, ..
            } => Some(secrecy::ExposeSecret::expose_secret(password).to_owned()),
            _ => None,
        };
        let state = app.state().clone();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            app.run_until_stopped(async {
                let _ = stopped.await;
            })
            .await
            .expect("the server runs");
        });
        TestApp {
            api: Api::new(base),
            state,
            data_dir,
            database_url,
            generated_admin_password,
            shutdown: std::sync::Mutex::new(Some(shutdown)),
            server: tokio::sync::Mutex::new(Some(server)),
            _data_dir: None,
            postgres: None,
        }
    }

    /// Stops the server gracefully and waits until it has; later calls do nothing.
    pub async fn stop(&self) {
        if let Some(shutdown) = self.shutdown.lock().ok().and_then(|mut s| s.take()) {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.lock().await.take() {
            tokio::time::timeout(PATIENCE, server)
                .await
                .expect("the server stops in time")
                .expect("the server stops cleanly");
        }
        let _ = self.state.db.clone().close().await;
    }

    /// A member of a new team (or of the first team when `team` is `None`) with `roles`,
    /// signed in.
    pub async fn member(&self, team: Option<&str>, roles: &[Role]) -> String {
        let team_id = match team {
            Some(name) => {
                account::create_team(&self.state.db, name)
                    .await
                    .expect("create team")
                    .id
            }
            None => {
                let admin = self.admin_token().await;
                self.state
                    .tokens
                    .verify(&admin)
                    .expect("admin token")
                    .team_id
            }
        };
        let email = format!("member-{}@example.com", uuid::Uuid::new_v4().simple());
        let password = "a long enough password";
        account::create_member(
            &self.state.db,
            NewMember {
                team_id,
                email: &email,
                display_name: "",
                password: SecretString::from(password),
                roles: RoleSet::new(roles.iter().copied()),
            },
        )
        .await
        .expect("create member");
        let login = self.login(&email, password).await;
        login.token.expect("the member signs in")
    }
}

impl Api {
    pub fn new(base: String) -> Self {
        Self {
            base,
            client: reqwest::Client::new(),
            briefs: tokio::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a GraphQL document as raw text and returns the whole JSON response: for
    /// what no typed operation can express (see the module doc).
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the server answers");
        response.json().await.expect("a JSON response")
    }

    /// Sends the typed operation `Q` and returns its data, failing the test on any
    /// GraphQL error.
    pub async fn op<Q: GraphQLQuery>(
        &self,
        token: Option<&str>,
        variables: Q::Variables,
    ) -> Q::ResponseData {
        self.try_op::<Q>(token, variables)
            .await
            .unwrap_or_else(|errors| panic!("unexpected errors: {errors:#?}"))
    }

    /// Sends the typed operation `Q`: its data, or the GraphQL errors it got instead, for
    /// tests that check an error's `extensions.code` (see [`code`]).
    pub async fn try_op<Q: GraphQLQuery>(
        &self,
        token: Option<&str>,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, Vec<graphql_client::Error>> {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&request_body::<Q>(variables));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the server answers");
        // Untyped first: with errors, `data` may be null where the type says it cannot.
        let response: graphql_client::Response<Value> =
            response.json().await.expect("a GraphQL response");
        match response.errors {
            Some(errors) if !errors.is_empty() => Err(errors),
            _ => Ok(serde_json::from_value(response.data.unwrap_or_default())
                .unwrap_or_else(|err| panic!("the data has the operation's shape: {err}"))),
        }
    }

    pub async fn login(&self, email: &str, password: &str) -> ops::login::LoginLogin {
        let input = ops::login::LoginInput {
            email: email.to_owned(),
            password: password.to_owned(),
        };
        self.op::<ops::Login>(None, ops::login::Variables { input })
            .await
            .login
    }

    /// A token for the administrator of the first team.
    pub async fn admin_token(&self) -> String {
        let login = self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        login.token.expect("the administrator signs in")
    }

    /// Submits an image task and returns the `submitTask` payload. An input without a
    /// brief goes to the user's default brief (see [`Api::brief`]).
    pub async fn submit(
        &self,
        token: &str,
        mut input: submit_task::SubmitTaskInput,
    ) -> submit_task::SubmitTaskSubmitTask {
        if input.brief_id.is_empty() {
            input.brief_id = self.brief(token).await;
        }
        self.op::<ops::SubmitTask>(Some(token), submit_task::Variables { input })
            .await
            .submit_task
    }

    /// Submits a task and returns its id, failing the test on a user error.
    pub async fn submit_ok(&self, token: &str, input: submit_task::SubmitTaskInput) -> String {
        let payload = self.submit(token, input).await;
        assert!(payload.user_errors.is_empty(), "{payload:#?}");
        payload.task.expect("a task").id
    }

    pub async fn task(&self, token: &str, id: &str) -> task_by_id::TaskDetail {
        let id = id.to_owned();
        self.op::<ops::TaskById>(Some(token), task_by_id::Variables { id: id.clone() })
            .await
            .task
            .unwrap_or_else(|| panic!("task {id} is visible"))
    }

    /// Waits until the task is terminal, by subscription rather than sleeping, and
    /// returns it.
    pub async fn wait_until_finished(&self, token: &str, id: &str) -> task_by_id::TaskDetail {
        let mut subscription = self
            .subscribe_op::<ops::TaskUpdated>(
                token,
                ops::task_updated::Variables { id: id.to_owned() },
            )
            .await;
        loop {
            match subscription.next_event().await {
                WsEvent::Next(data) if data.task_updated.status.is_terminal() => break,
                WsEvent::Next(_) => {}
                other => panic!("the subscription ended before the task finished: {other:?}"),
            }
        }
        self.task(token, id).await
    }

    /// Opens a `graphql-transport-ws` connection authenticated with `token` and starts one
    /// subscription, sent as raw text.
    pub async fn subscribe(&self, token: &str, query: &str, variables: Value) -> WsSubscription {
        let mut ws = WsSubscription::connect(self, json!({ "token": token })).await;
        ws.expect_ack().await;
        ws.start(json!({ "query": query, "variables": variables }))
            .await;
        ws
    }

    /// Like [`Api::subscribe`], for the typed subscription `Q`.
    pub async fn subscribe_op<Q: GraphQLQuery>(
        &self,
        token: &str,
        variables: Q::Variables,
    ) -> Subscription<Q> {
        let mut ws = WsSubscription::connect(self, json!({ "token": token })).await;
        ws.expect_ack().await;
        ws.start(request_body::<Q>(variables)).await;
        Subscription {
            ws,
            _operation: std::marker::PhantomData,
        }
    }

    /// Downloads `path` (a signed link or any path) with an optional bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("the server answers")
    }

    /// Creates a campaign; the `createCampaign` payload.
    pub async fn create_campaign(
        &self,
        token: &str,
        name: &str,
        budget: Option<&str>,
        threshold: Option<i64>,
    ) -> ops::create_campaign::CreateCampaignCreateCampaign {
        let input = ops::create_campaign::CreateCampaignInput {
            name: name.to_owned(),
            budget: budget.map(str::to_owned),
            alert_threshold_percent: threshold,
        };
        self.op::<ops::CreateCampaign>(Some(token), ops::create_campaign::Variables { input })
            .await
            .create_campaign
    }

    /// Creates a brief in `campaign_id`; its id.
    pub async fn create_brief(&self, token: &str, campaign_id: &str, title: &str) -> String {
        let input = ops::create_brief::CreateBriefInput {
            campaign_id: campaign_id.to_owned(),
            title: title.to_owned(),
            purpose: None,
            channel: Some("tmall".to_owned()),
        };
        let payload = self
            .op::<ops::CreateBrief>(Some(token), ops::create_brief::Variables { input })
            .await
            .create_brief;
        match payload.brief {
            Some(brief) => brief.id,
            None => panic!("a brief: {payload:?}"),
        }
    }

    /// A campaign with a budget (or none) and one brief in it: (campaign id, brief id).
    pub async fn campaign_with_brief(
        &self,
        token: &str,
        budget: Option<&str>,
        threshold: Option<i64>,
    ) -> (String, String) {
        let payload = self
            .create_campaign(token, "Spring launch", budget, threshold)
            .await;
        let campaign_id = match payload.campaign {
            Some(campaign) => campaign.id,
            None => panic!("a campaign: {payload:?}"),
        };
        let brief_id = self.create_brief(token, &campaign_id, "Hero visual").await;
        (campaign_id, brief_id)
    }

    /// The brief tasks of `token`'s user go to unless a test names one.
    pub async fn brief(&self, token: &str) -> String {
        let mut briefs = self.briefs.lock().await;
        if let Some(brief) = briefs.get(token) {
            return brief.clone();
        }
        let (_, brief) = self.campaign_with_brief(token, None, None).await;
        briefs.insert(token.to_owned(), brief.clone());
        brief
    }

    /// Uploads `bytes` as a reference through a GraphQL multipart request; the
    /// `uploadReferenceAsset` payload.
    pub async fn upload_reference(
        &self,
        token: &str,
        filename: &str,
        bytes: Vec<u8>,
    ) -> ops::upload_reference_asset::UploadReferenceAssetUploadReferenceAsset {
        use ops::upload_reference_asset::{UploadReferenceAssetInput, Variables};
        let input = UploadReferenceAssetInput {
            file: (),
            licence_status: ops::LicenceStatus::Owned,
            source: Some("studio shoot".to_owned()),
            licence_note: None,
        };
        let operations = request_body::<ops::UploadReferenceAsset>(Variables { input });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.input.file"] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(filename.to_owned())
                    .mime_str("image/png")
                    .unwrap(),
            );
        let response = self
            .client
            .post(self.url("/graphql"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("the server answers");
        let response: graphql_client::Response<
            <ops::UploadReferenceAsset as GraphQLQuery>::ResponseData,
        > = response.json().await.expect("a GraphQL response");
        assert!(response.errors.is_none(), "{:?}", response.errors);
        response.data.expect("data").upload_reference_asset
    }
}

/// The request body for operation `Q`: only the operation and its fragments (see
/// [`ops::document`]), its name and its variables.
pub fn request_body<Q: GraphQLQuery>(variables: Q::Variables) -> Value {
    let body = Q::build_query(variables);
    json!({
        "query": ops::document(body.query, body.operation_name),
        "operationName": body.operation_name,
        "variables": body.variables,
    })
}

impl TaskStatus {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            TaskStatus::Succeeded | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Only reached without `stop` when a test failed half-way.
        if let Some(shutdown) = self.shutdown.get_mut().ok().and_then(Option::take) {
            let _ = shutdown.send(());
        }
        let _ = self.postgres.take();
    }
}

/// What a subscription delivered: data (raw for [`WsSubscription`], typed for
/// [`Subscription`]), GraphQL errors, the end, or a closed connection.
#[derive(Debug)]
pub enum WsEvent<T = Value> {
    Next(T),
    /// An `error` message (the protocol's way for a refused operation) or a `next`
    /// carrying `errors` (how async-graphql reports them).
    Errors(Vec<graphql_client::Error>),
    Complete,
    Closed(Option<String>),
}

impl<T> WsEvent<T> {
    /// The GraphQL errors the server sent, whichever way.
    pub fn errors(&self) -> Option<&[graphql_client::Error]> {
        match self {
            WsEvent::Errors(errors) => Some(errors),
            _ => None,
        }
    }
}

/// A typed subscription: [`WsSubscription`] for operation `Q`.
pub struct Subscription<Q> {
    ws: WsSubscription,
    _operation: std::marker::PhantomData<Q>,
}

impl<Q: GraphQLQuery> Subscription<Q>
where
    Q::ResponseData: std::fmt::Debug,
{
    pub async fn next_event(&mut self) -> WsEvent<Q::ResponseData> {
        match self.ws.next_event().await {
            WsEvent::Next(data) => WsEvent::Next(
                serde_json::from_value(data)
                    .unwrap_or_else(|err| panic!("the data has the operation's shape: {err}")),
            ),
            WsEvent::Errors(errors) => WsEvent::Errors(errors),
            WsEvent::Complete => WsEvent::Complete,
            WsEvent::Closed(reason) => WsEvent::Closed(reason),
        }
    }

    /// The next data, failing the test on anything else.
    pub async fn next(&mut self) -> Q::ResponseData {
        match self.next_event().await {
            WsEvent::Next(data) => data,
            other => panic!("the subscription ended early: {other:?}"),
        }
    }
}

/// A `graphql-transport-ws` client connection with one subscription, id "1".
pub struct WsSubscription {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl WsSubscription {
    pub async fn connect(app: &Api, init_payload: Value) -> Self {
        let url = format!("{}/graphql/ws", app.base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().expect("a WebSocket request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().expect("header"),
        );
        let (socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("WebSocket connects");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some("graphql-transport-ws")
        );
        let mut this = Self { socket };
        this.send(json!({ "type": "connection_init", "payload": init_payload }))
            .await;
        this
    }

    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send over WebSocket");
    }

    /// The next protocol message, answering pings on the way.
    pub async fn receive(&mut self) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("the server sent something in time");
            match message {
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).expect("JSON message");
                    if value["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return Some(value);
                }
                Some(Ok(Message::Close(frame))) => {
                    return Some(
                        json!({ "type": "__closed", "reason": frame.map(|f| f.reason.to_string()) }),
                    );
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    pub async fn expect_ack(&mut self) {
        let message = self.receive().await.expect("a connection_ack");
        assert_eq!(message["type"], "connection_ack", "{message}");
    }

    /// Starts subscription "1" with `payload` (`query`, `variables`, …).
    pub async fn start(&mut self, payload: Value) {
        self.send(json!({ "id": "1", "type": "subscribe", "payload": payload }))
            .await;
    }

    pub async fn next_event(&mut self) -> WsEvent {
        match self.receive().await {
            Some(message) => match message["type"].as_str() {
                Some("next") if message["payload"].get("errors").is_some() => {
                    WsEvent::Errors(graphql_errors(&message["payload"]["errors"]))
                }
                Some("next") => WsEvent::Next(message["payload"]["data"].clone()),
                Some("error") => WsEvent::Errors(graphql_errors(&message["payload"])),
                Some("complete") => WsEvent::Complete,
                Some("__closed") => WsEvent::Closed(message["reason"].as_str().map(str::to_owned)),
                _ => panic!("unexpected message {message}"),
            },
            None => WsEvent::Closed(None),
        }
    }
}

fn graphql_errors(errors: &Value) -> Vec<graphql_client::Error> {
    serde_json::from_value(errors.clone()).expect("GraphQL errors")
}

/// The `extensions.code` of the first of `errors`.
pub fn code(errors: &[graphql_client::Error]) -> &str {
    errors
        .first()
        .and_then(|e| e.extensions.as_ref())
        .and_then(|x| x.get("code"))
        .and_then(Value::as_str)
        .unwrap_or("<no code>")
}

/// The GraphQL error code of the first error in a raw `response`.
pub fn error_code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<no code>")
}
