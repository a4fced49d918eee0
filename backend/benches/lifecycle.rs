//! Kiln's lifecycle benchmark: `cargo xtask bench`, or
//! `cargo bench -p kiln --bench lifecycle`.
//!
//! For each database engine (SQLite, and PostgreSQL when one answers) and each picture
//! size it measures, on a fresh database and a Kiln running in this process with the
//! simulated provider at zero latency:
//!
//! - **lifecycles per second**: N image tasks (one draft picture each, distinct prompts so
//!   none is a duplicate) submitted concurrently through the service layer
//!   (`kiln::service::task::submit`), timed from the first submit until the event bus has
//!   announced the N-th `SUCCEEDED`. Nothing polls: a task listening on
//!   `state.events.subscribe()` counts the transitions as they are announced.
//! - **push latency**: a WebSocket client subscribed to `taskEvents`, then M sequential
//!   `submitTask` HTTP requests; for each, the time from sending the request to receiving
//!   that task's `QUEUED` event on the socket, next to the plain HTTP round trip.
//!
//! It also reports where the CPU went during the lifecycle run (this process, which is
//! Kiln plus the tiny bench driver; the PostgreSQL backends serving it; everything else on
//! the machine) and, on PostgreSQL, the transactions and row operations per lifecycle
//! from `pg_stat_database`.
//!
//! Knobs (environment variables), with their defaults:
//! `KILN_BENCH_TASKS` (2000), `KILN_BENCH_PUSHES` (300), `KILN_BENCH_WORKERS`
//! (`worker_concurrency`, 64), `KILN_BENCH_POOL` (`database_max_connections`, 16, Kiln's
//! default), `KILN_BENCH_SUBMITTERS` (submits in flight, 16), `KILN_BENCH_POLL_MS`
//! (`worker_poll_ms`, 50), `KILN_BENCH_ENGINES` (`sqlite,postgres`), `KILN_BENCH_SIDES`
//! (picture sides; Kiln's default and 16), `KILN_BENCH_LOG` (the log filter; `warn`, as
//! the per-transition `info` lines would measure the terminal), and
//! `KILN_BENCH_BUDGET` (give the campaign this budget, e.g. `1000000`; none by default),
//! `KILN_BENCH_SYNCHRONOUS_COMMIT` (a diagnostic: `off` sets `synchronous_commit` on the
//! benchmark databases, to show what waiting for the disk costs; never the headline),
//! `KILN_BENCH_VERBOSE=1` (also print, per table, the scans and rows read on PostgreSQL),
//! and `KILN_TEST_DATABASE_URL` (a PostgreSQL server to create the databases on; else
//! 127.0.0.1:5432 when it answers).
//!
//! Setup failures panic: a benchmark that cannot set itself up has nothing to report.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use kiln::config::Config;
use kiln::domain::task::{InputType, Stage, TaskDraft, TaskStatus};
use kiln::events::Event;
use kiln::graphql::node::{NodeType, decode};
use kiln::service::task::{SubmitOutcome, SubmitRequest};
use kiln::startup::Application;
use kiln::state::AppState;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use uuid::Uuid;

const ADMIN_EMAIL: &str = "bench@example.com";
const ADMIN_PASSWORD: &str = "a benchmark needs a password too";
/// Longest wait for anything the server should do soon; a run that takes longer is
/// broken, not slow.
const PATIENCE: Duration = Duration::from_secs(300);

fn main() {
    let settings = Settings::from_env();
    // Kiln's own binary runs on tokio's default multi-threaded runtime (a thread per
    // core); so does the benchmark, with its client on the same runtime.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(settings));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

struct Settings {
    tasks: usize,
    pushes: usize,
    workers: usize,
    pool: u32,
    submitters: usize,
    poll_ms: u64,
    engines: Vec<Engine>,
    sides: Vec<u32>,
    log: String,
    /// The campaign's budget (an amount, e.g. `1000000`), or none: with a budget every
    /// submit sums the campaign's committed spend.
    budget: Option<String>,
    /// Also print per-table scan counts (PostgreSQL) after each lifecycle run.
    verbose: bool,
    /// A diagnostic: `synchronous_commit` for the benchmark databases (the server's
    /// setting when unset), to show what waiting for the WAL flush costs.
    synchronous_commit: Option<String>,
    postgres_admin_url: Option<String>,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a valid value")),
        Err(_) => default,
    }
}

impl Settings {
    fn from_env() -> Self {
        let defaults = Config::default();
        let engines = env_or("KILN_BENCH_ENGINES", "sqlite,postgres".to_owned())
            .split(',')
            .map(|e| match e.trim().to_ascii_lowercase().as_str() {
                "sqlite" => Engine::Sqlite,
                "postgres" | "postgresql" | "pg" => Engine::Postgres,
                other => panic!("KILN_BENCH_ENGINES: unknown engine {other:?}"),
            })
            .collect();
        let default_sides = format!("{},16", defaults.simulated_image_side);
        let sides = env_or("KILN_BENCH_SIDES", default_sides)
            .split(',')
            .map(|s| s.trim().parse().expect("KILN_BENCH_SIDES: pixel counts"))
            .collect();
        Self {
            tasks: env_or("KILN_BENCH_TASKS", 2000),
            pushes: env_or("KILN_BENCH_PUSHES", 300),
            workers: env_or("KILN_BENCH_WORKERS", 64),
            pool: env_or("KILN_BENCH_POOL", defaults.database_max_connections),
            submitters: env_or("KILN_BENCH_SUBMITTERS", 16),
            poll_ms: env_or("KILN_BENCH_POLL_MS", 50),
            engines,
            sides,
            log: env_or("KILN_BENCH_LOG", "warn".to_owned()),
            verbose: env_or("KILN_BENCH_VERBOSE", 0u8) == 1,
            budget: std::env::var("KILN_BENCH_BUDGET")
                .ok()
                .filter(|b| !b.trim().is_empty()),
            synchronous_commit: std::env::var("KILN_BENCH_SYNCHRONOUS_COMMIT").ok(),
            postgres_admin_url: postgres_admin_url(),
        }
    }
}

/// `KILN_TEST_DATABASE_URL`, else the local server when it answers, as the tests do.
fn postgres_admin_url() -> Option<String> {
    if let Ok(url) = std::env::var("KILN_TEST_DATABASE_URL") {
        return Some(url);
    }
    let address = "127.0.0.1:5432".parse().ok()?;
    std::net::TcpStream::connect_timeout(&address, Duration::from_secs(2))
        .ok()
        .map(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

async fn run(settings: Settings) {
    println!(
        "Kiln lifecycle benchmark: {} tasks per run, {} pushes, worker_concurrency {}, \
         database_max_connections {}, {} submits in flight, worker_poll_ms {}",
        settings.tasks,
        settings.pushes,
        settings.workers,
        settings.pool,
        settings.submitters,
        settings.poll_ms
    );
    println!("machine: {}", machine_summary());
    match &settings.budget {
        Some(budget) => println!("the campaign has a budget of {budget}"),
        None => println!("the campaign has no budget"),
    }
    if let Some(setting) = &settings.synchronous_commit {
        println!(
            "DIAGNOSTIC RUN: synchronous_commit = {setting} on the PostgreSQL benchmark databases"
        );
    }
    let mut lifecycles = Vec::new();
    let mut pushes = Vec::new();
    for &engine in &settings.engines {
        if engine == Engine::Postgres && settings.postgres_admin_url.is_none() {
            println!(
                "PostgreSQL: skipped (KILN_TEST_DATABASE_URL is unset and nothing answers on \
                 127.0.0.1:5432)"
            );
            continue;
        }
        for &side in &settings.sides {
            let result = lifecycle_run(&settings, engine, side).await;
            println!("{}", result.line());
            lifecycles.push(result);
            let result = push_run(&settings, engine, side).await;
            println!("{}", result.line());
            pushes.push(result);
        }
    }
    println!();
    println!("{}", lifecycle_table(&lifecycles));
    println!("{}", push_table(&pushes));
}

/// CPU model and load, for the record next to the numbers.
fn machine_summary() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, load average {load} at start")
}

// ---------------------------------------------------------------------------------------
// A Kiln in this process, on a fresh database.

/// A PostgreSQL database made for one run, dropped by [`Scenario::finish`].
struct PostgresDatabase {
    admin: DatabaseConnection,
    name: String,
}

/// A database, data directory and signed-in administrator with a brief to submit to.
struct Scenario {
    dir: tempfile::TempDir,
    database_url: String,
    postgres: Option<PostgresDatabase>,
    token: String,
    brief_id: String,
}

struct Running {
    state: AppState,
    base: String,
    shutdown: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn stop(self) {
        let _ = self.shutdown.send(());
        tokio::time::timeout(PATIENCE, self.server)
            .await
            .expect("the server stops in time")
            .expect("the server stops cleanly");
        let _ = self.state.db.clone().close().await;
    }
}

fn config(settings: &Settings, dir: &Path, database_url: &str, side: u32) -> Config {
    Config {
        bind: "127.0.0.1:0".parse().expect("an address"),
        data_dir: dir.to_path_buf(),
        database_url: Some(database_url.to_owned()),
        database_max_connections: settings.pool,
        admin_email: Some(ADMIN_EMAIL.to_owned()),
        admin_password: Some(SecretString::from(ADMIN_PASSWORD)),
        frontend_dir: dir.join("no-frontend"),
        log: format!("{},kiln::http::frontend=error,sqlx=error", settings.log),
        simulated_latency_ms: 0,
        simulated_image_side: side,
        worker_concurrency: settings.workers,
        worker_poll_ms: settings.poll_ms,
        ..Config::default()
    }
}

async fn start(config: Config) -> Running {
    kiln::telemetry::init(&config);
    let app = Application::build(config)
        .await
        .expect("the application builds");
    let base = format!("http://{}", app.local_addr());
    let state = app.state().clone();
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = stopped.await;
        })
        .await
        .expect("the server runs");
    });
    Running {
        state,
        base,
        shutdown,
        server,
    }
}

impl Scenario {
    /// A fresh database with the administrator and one campaign with one brief (no
    /// budget), made by a first Kiln that is then stopped — so that on PostgreSQL its
    /// backends exit and flush their statistics, and the counters read before the
    /// measured run hold nothing of the setup.
    async fn prepare(settings: &Settings, engine: Engine, side: u32) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (database_url, postgres) = match engine {
            Engine::Sqlite => (
                format!("sqlite://{}?mode=rwc", dir.path().join("kiln.db").display()),
                None,
            ),
            Engine::Postgres => {
                let admin_url = settings
                    .postgres_admin_url
                    .clone()
                    .expect("a PostgreSQL server");
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect to PostgreSQL");
                let name = format!("kiln_bench_{}", Uuid::new_v4().simple());
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create a benchmark database");
                if let Some(setting) = &settings.synchronous_commit {
                    admin
                        .execute_unprepared(&format!(
                            "ALTER DATABASE \"{name}\" SET synchronous_commit = '{}'",
                            setting.replace('\'', "")
                        ))
                        .await
                        .expect("set synchronous_commit");
                }
                (
                    with_database(&admin_url, &name),
                    Some(PostgresDatabase { admin, name }),
                )
            }
        };
        let app = start(config(settings, dir.path(), &database_url, side)).await;
        let client = reqwest::Client::new();
        let login = graphql(
            &client,
            &app.base,
            None,
            "mutation($input: LoginInput!) { login(input: $input) { token } }",
            json!({ "input": { "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD } }),
        )
        .await;
        let token = login["login"]["token"]
            .as_str()
            .expect("the administrator signs in")
            .to_owned();
        let campaign = graphql(
            &client,
            &app.base,
            Some(&token),
            "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } } }",
            json!({ "input": { "name": "Benchmark", "budget": settings.budget } }),
        )
        .await;
        let campaign_id = campaign["createCampaign"]["campaign"]["id"]
            .as_str()
            .expect("a campaign")
            .to_owned();
        let brief = graphql(
            &client,
            &app.base,
            Some(&token),
            "mutation($input: CreateBriefInput!) { createBrief(input: $input) { brief { id } } }",
            json!({ "input": { "campaignId": campaign_id, "title": "Benchmark", "channel": "tmall" } }),
        )
        .await;
        let brief_id = brief["createBrief"]["brief"]["id"]
            .as_str()
            .expect("a brief")
            .to_owned();
        app.stop().await;
        let scenario = Self {
            dir,
            database_url,
            postgres,
            token,
            brief_id,
        };
        scenario.wait_for_idle_database().await;
        scenario
    }

    async fn start(&self, settings: &Settings, side: u32) -> Running {
        start(config(settings, self.dir.path(), &self.database_url, side)).await
    }

    /// Waits until no backend serves the benchmark database, so that its statistics are
    /// complete (a backend flushes them when it exits). Setup, not measurement.
    async fn wait_for_idle_database(&self) {
        let Some(pg) = &self.postgres else { return };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let row = pg
                .admin
                .query_one_raw(Statement::from_string(
                    pg.admin.get_database_backend(),
                    format!(
                        "SELECT count(*)::bigint FROM pg_stat_activity WHERE datname = '{}'",
                        pg.name
                    ),
                ))
                .await
                .expect("read pg_stat_activity")
                .expect("a row");
            let backends: i64 = row.try_get_by_index(0).expect("a count");
            if backends == 0 || Instant::now() > deadline {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn database_counters(&self) -> Option<DatabaseCounters> {
        let pg = self.postgres.as_ref()?;
        let row = pg
            .admin
            .query_one_raw(Statement::from_string(
                pg.admin.get_database_backend(),
                format!(
                    "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, \
                     tup_returned, tup_fetched FROM pg_stat_database WHERE datname = '{}'",
                    pg.name
                ),
            ))
            .await
            .expect("read pg_stat_database")?;
        let get = |i| row.try_get_by_index::<i64>(i).expect("a counter");
        Some(DatabaseCounters {
            commits: get(0),
            rollbacks: get(1),
            inserted: get(2),
            updated: get(3),
            deleted: get(4),
            returned: get(5),
            fetched: get(6),
        })
    }

    /// Per-table scans and rows read in the benchmark database, busiest first: where
    /// PostgreSQL's time goes.
    async fn print_table_statistics(&self) {
        let Some(pg) = &self.postgres else { return };
        let db = Database::connect(&self.database_url)
            .await
            .expect("connect to the benchmark database");
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT relname::text, seq_scan, seq_tup_read, COALESCE(idx_scan, 0), \
                 COALESCE(idx_tup_fetch, 0), n_tup_ins, n_tup_upd, n_tup_del \
                 FROM pg_stat_user_tables ORDER BY seq_tup_read + COALESCE(idx_tup_fetch, 0) DESC"
                    .to_owned(),
            ))
            .await
            .expect("read pg_stat_user_tables");
        println!(
            "  tables of {} (setup included): seq scans / rows read by them, index scans / rows \
             fetched, rows inserted / updated / deleted",
            pg.name
        );
        for row in rows {
            let name: String = row.try_get_by_index(0).expect("a name");
            let n = |i| row.try_get_by_index::<i64>(i).expect("a counter");
            println!(
                "  {name:<32} seq {:>7} / {:>10}  idx {:>7} / {:>8}  ins {:>6} upd {:>6} del {:>6}",
                n(1),
                n(2),
                n(3),
                n(4),
                n(5),
                n(6),
                n(7)
            );
        }
        let _ = db.close().await;
    }

    async fn finish(self) {
        if let Some(pg) = self.postgres {
            let _ = pg
                .admin
                .execute_unprepared(&format!(
                    "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                    pg.name
                ))
                .await;
            let _ = pg.admin.close().await;
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
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

async fn graphql(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response: Value = request
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON response");
    assert!(
        response.get("errors").is_none(),
        "unexpected errors: {response:#}"
    );
    response["data"].clone()
}

// ---------------------------------------------------------------------------------------
// Where the time goes: CPU of this process, of the database's backends, of the machine.

/// `/proc` reports CPU times in USER_HZ, which Linux fixes at 100 for user space.
const TICKS_PER_SECOND: f64 = 100.0;

#[derive(Clone, Default)]
struct CpuSample {
    /// utime + stime of this process.
    own: u64,
    /// utime + stime of each PostgreSQL backend connected to the benchmark database.
    backends: HashMap<u32, u64>,
    /// All CPUs: busy and total ticks.
    machine_busy: u64,
    machine_total: u64,
}

fn process_ticks(stat: &str) -> Option<u64> {
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th
    // fields of the line, the 12th and 13th after the name.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn sample_cpu(database: Option<&str>) -> CpuSample {
    let mut sample = CpuSample {
        own: std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| process_ticks(&s))
            .unwrap_or(0),
        ..CpuSample::default()
    };
    if let Some(line) = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| s.lines().next().map(str::to_owned))
    {
        let ticks: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|v| v.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal (guest time is inside user).
        let total: u64 = ticks.iter().take(8).sum();
        let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
        sample.machine_total = total;
        sample.machine_busy = total - idle;
    }
    // A backend's command line names its database: "postgres: 15/main: user db host …".
    if let (Some(database), Ok(entries)) = (database, std::fs::read_dir("/proc")) {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
                continue;
            };
            let cmdline = String::from_utf8_lossy(&cmdline);
            if !cmdline.starts_with("postgres:") || !cmdline.contains(database) {
                continue;
            }
            if let Some(ticks) = std::fs::read_to_string(entry.path().join("stat"))
                .ok()
                .and_then(|s| process_ticks(&s))
            {
                sample.backends.insert(pid, ticks);
            }
        }
    }
    sample
}

/// CPU seconds spent between two samples.
struct CpuUse {
    own: f64,
    database: f64,
    machine_busy: f64,
    machine_capacity: f64,
}

fn cpu_between(before: &CpuSample, after: &CpuSample) -> CpuUse {
    let database: u64 = after
        .backends
        .iter()
        .map(|(pid, &t)| t.saturating_sub(before.backends.get(pid).copied().unwrap_or(0)))
        .sum();
    CpuUse {
        own: after.own.saturating_sub(before.own) as f64 / TICKS_PER_SECOND,
        database: database as f64 / TICKS_PER_SECOND,
        machine_busy: after.machine_busy.saturating_sub(before.machine_busy) as f64
            / TICKS_PER_SECOND,
        machine_capacity: after.machine_total.saturating_sub(before.machine_total) as f64
            / TICKS_PER_SECOND,
    }
}

#[derive(Clone, Copy)]
struct DatabaseCounters {
    commits: i64,
    rollbacks: i64,
    inserted: i64,
    updated: i64,
    deleted: i64,
    returned: i64,
    fetched: i64,
}

impl DatabaseCounters {
    fn minus(self, before: Self) -> Self {
        Self {
            commits: self.commits - before.commits,
            rollbacks: self.rollbacks - before.rollbacks,
            inserted: self.inserted - before.inserted,
            updated: self.updated - before.updated,
            deleted: self.deleted - before.deleted,
            returned: self.returned - before.returned,
            fetched: self.fetched - before.fetched,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Lifecycles per second.

struct LifecycleResult {
    engine: Engine,
    side: u32,
    tasks: usize,
    /// From the first submit until the last SUCCEEDED was announced.
    elapsed: Duration,
    /// From the first submit until the last submit returned.
    submitted: Duration,
    transitions: usize,
    cpu: CpuUse,
    /// PostgreSQL only: counters for the whole measured Kiln (start to stop).
    database: Option<DatabaseCounters>,
}

impl LifecycleResult {
    fn per_second(&self) -> f64 {
        self.tasks as f64 / self.elapsed.as_secs_f64()
    }

    fn line(&self) -> String {
        format!(
            "{} {}px: {} lifecycles in {:.2} s = {:.0}/s (submits done after {:.2} s)",
            self.engine.name(),
            self.side,
            self.tasks,
            self.elapsed.as_secs_f64(),
            self.per_second(),
            self.submitted.as_secs_f64()
        )
    }
}

/// What the counter saw when the last task finished.
struct Counted {
    finished_at: Instant,
    transitions: usize,
}

/// Counts announced transitions until `tasks` tasks have ended. Any ending but
/// `SUCCEEDED` — or falling behind the bus, which would make the count a guess — fails
/// the benchmark.
async fn count_until_done(mut events: broadcast::Receiver<Event>, tasks: usize) -> Counted {
    let mut succeeded = 0;
    let mut transitions = 0;
    loop {
        match events.recv().await {
            Ok(Event::Task(change)) => {
                if change.event_id.is_some() {
                    transitions += 1;
                }
                match change.to {
                    TaskStatus::Succeeded => {
                        succeeded += 1;
                        if succeeded == tasks {
                            return Counted {
                                finished_at: Instant::now(),
                                transitions,
                            };
                        }
                    }
                    TaskStatus::Failed | TaskStatus::Cancelled => panic!(
                        "task {} ended {}: {:?}",
                        change.task.id, change.to, change.task.failure_message
                    ),
                    _ => {}
                }
            }
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                panic!("the counter fell {missed} events behind the bus; the count is unusable")
            }
            Err(broadcast::error::RecvError::Closed) => panic!("the event bus closed"),
        }
    }
}

async fn lifecycle_run(settings: &Settings, engine: Engine, side: u32) -> LifecycleResult {
    let scenario = Scenario::prepare(settings, engine, side).await;
    let counters_before = scenario.database_counters().await;
    let app = scenario.start(settings, side).await;
    let state = app.state.clone();
    let viewer =
        kiln::service::account::viewer_from_token(&state.db, &state.tokens, &scenario.token)
            .await
            .expect("the administrator's token");
    let brief_id = decode(&scenario.brief_id.clone().into(), NodeType::Brief).expect("a brief id");
    let tasks = settings.tasks;
    let run = Uuid::new_v4().simple().to_string();

    // Listen before the first submit, so that no transition is missed.
    let counter = tokio::spawn(count_until_done(state.events.subscribe(), tasks));
    let database = scenario.postgres.as_ref().map(|pg| pg.name.clone());
    let cpu_before = sample_cpu(database.as_deref());
    let started = Instant::now();
    futures::stream::iter(0..tasks)
        .map(|i| {
            let (state, viewer, run) = (&state, &viewer, &run);
            async move {
                let request = SubmitRequest {
                    brief_id,
                    draft: TaskDraft {
                        input_type: Some(InputType::TextToImage),
                        stage: Some(Stage::Draft),
                        prompt: format!("benchmark {run}: a red kettle on a table, take {i}"),
                        count: Some(1),
                        ..TaskDraft::default()
                    },
                    reference_ids: Vec::new(),
                    idempotency_key: None,
                    callback_url: None,
                    acknowledged: Vec::new(),
                };
                let submission = kiln::service::task::submit(state, viewer, request)
                    .await
                    .unwrap_or_else(|err| panic!("submit {i} failed: {err}"));
                assert_eq!(submission.outcome, SubmitOutcome::Created, "submit {i}");
            }
        })
        .buffer_unordered(settings.submitters)
        .collect::<Vec<()>>()
        .await;
    let submitted = started.elapsed();
    let counted = tokio::time::timeout(PATIENCE, counter)
        .await
        .expect("every task finished in time")
        .expect("the counter ran to the end");
    let elapsed = counted.finished_at - started;
    // Sample before stopping: the pool's backends exit with it.
    let cpu_after = sample_cpu(database.as_deref());

    // The bus said so; the database must agree.
    let row = state
        .db
        .query_one_raw(Statement::from_string(
            state.db.get_database_backend(),
            "SELECT COUNT(*) FROM generation_tasks WHERE status = 'SUCCEEDED'".to_owned(),
        ))
        .await
        .expect("count the tasks")
        .expect("a row");
    let stored: i64 = row.try_get_by_index(0).expect("a count");
    assert_eq!(stored as usize, tasks, "SUCCEEDED tasks in the database");

    app.stop().await;
    scenario.wait_for_idle_database().await;
    let database_counters = match (counters_before, scenario.database_counters().await) {
        (Some(before), Some(after)) => Some(after.minus(before)),
        _ => None,
    };
    if settings.verbose {
        scenario.print_table_statistics().await;
    }
    scenario.finish().await;
    LifecycleResult {
        engine,
        side,
        tasks,
        elapsed,
        submitted,
        transitions: counted.transitions,
        cpu: cpu_between(&cpu_before, &cpu_after),
        database: database_counters,
    }
}

// ---------------------------------------------------------------------------------------
// Push latency.

struct PushResult {
    engine: Engine,
    side: u32,
    /// Sorted.
    push: Vec<Duration>,
    /// Sorted.
    round_trip: Vec<Duration>,
}

impl PushResult {
    fn line(&self) -> String {
        format!(
            "{} {}px: push p50 {} p99 {} max {}; submit round trip p50 {} p99 {}",
            self.engine.name(),
            self.side,
            ms(percentile(&self.push, 50.0)),
            ms(percentile(&self.push, 99.0)),
            ms(percentile(&self.push, 100.0)),
            ms(percentile(&self.round_trip, 50.0)),
            ms(percentile(&self.round_trip, 99.0)),
        )
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A `graphql-transport-ws` connection, acknowledged, with a `taskEvents` subscription
/// sent.
async fn subscribe_task_events(base: &str, token: &str) -> Socket {
    let url = format!("{}/graphql/ws", base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("a WebSocket request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("a header value"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the WebSocket connects");
    let send = |value: Value| Message::Text(value.to_string().into());
    socket
        .send(send(
            json!({ "type": "connection_init", "payload": { "token": token } }),
        ))
        .await
        .expect("connection_init");
    loop {
        let message = tokio::time::timeout(PATIENCE, socket.next())
            .await
            .expect("a connection_ack in time")
            .expect("the socket stays open")
            .expect("a message");
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(value["type"], "connection_ack", "{value}");
            break;
        }
    }
    socket
        .send(send(json!({
            "id": "1",
            "type": "subscribe",
            "payload": { "query": "subscription { taskEvents { kind toStatus task { id } } }" },
        })))
        .await
        .expect("subscribe");
    socket
}

/// Reads the socket and passes on the arrival time of each task's `QUEUED` transition.
async fn read_queued_events(
    mut socket: Socket,
    arrivals: mpsc::UnboundedSender<(String, Instant)>,
) {
    while let Some(Ok(message)) = socket.next().await {
        let at = Instant::now();
        match message {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).expect("JSON");
                match value["type"].as_str() {
                    Some("next") => {
                        let event = &value["payload"]["data"]["taskEvents"];
                        if event["kind"] == "TRANSITION" && event["toStatus"] == "QUEUED" {
                            let id = event["task"]["id"].as_str().expect("a task id").to_owned();
                            if arrivals.send((id, at)).is_err() {
                                return;
                            }
                        }
                    }
                    Some("ping") => {
                        let pong = Message::Text(json!({ "type": "pong" }).to_string().into());
                        if socket.send(pong).await.is_err() {
                            return;
                        }
                    }
                    _ => panic!("the subscription said {value}"),
                }
            }
            Message::Close(_) => return,
            _ => {}
        }
    }
}

async fn push_run(settings: &Settings, engine: Engine, side: u32) -> PushResult {
    /// Submits whose pushes are not counted: the first proves the subscription is live,
    /// the others warm the connection and the caches.
    const WARM_UP: usize = 10;
    let scenario = Scenario::prepare(settings, engine, side).await;
    let app = scenario.start(settings, side).await;
    let socket = subscribe_task_events(&app.base, &scenario.token).await;
    let (arrivals_tx, mut arrivals) = mpsc::unbounded_channel();
    let reader = tokio::spawn(read_queued_events(socket, arrivals_tx));
    let client = reqwest::Client::new();
    let run = Uuid::new_v4().simple().to_string();
    let mut push = Vec::with_capacity(settings.pushes);
    let mut round_trip = Vec::with_capacity(settings.pushes);
    for i in 0..WARM_UP + settings.pushes {
        let body = json!({
            "query": "mutation($input: SubmitTaskInput!) { submitTask(input: $input) { task { id } userErrors { message } } }",
            "variables": { "input": {
                "briefId": scenario.brief_id,
                "prompt": format!("benchmark {run}: a blue teapot, take {i}"),
                "count": 1,
            } },
        });
        let sent = Instant::now();
        let response: Value = client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&scenario.token)
            .json(&body)
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("a JSON response");
        let answered = Instant::now();
        let id = response["data"]["submitTask"]["task"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("a task: {response}"))
            .to_owned();
        // Submits are sequential, so the next QUEUED event on the socket is this task's;
        // it may well have arrived before the HTTP answer.
        let patience = if i == 0 {
            PATIENCE
        } else {
            Duration::from_secs(10)
        };
        let (pushed_id, pushed_at) = tokio::time::timeout(patience, arrivals.recv())
            .await
            .expect("the QUEUED event arrives in time")
            .expect("the subscription stays open");
        assert_eq!(pushed_id, id, "events arrive in submit order");
        if i >= WARM_UP {
            push.push(pushed_at - sent);
            round_trip.push(answered - sent);
        }
    }
    reader.abort();
    app.stop().await;
    scenario.finish().await;
    push.sort();
    round_trip.sort();
    PushResult {
        engine,
        side,
        push,
        round_trip,
    }
}

// ---------------------------------------------------------------------------------------
// Tables.

fn lifecycle_table(results: &[LifecycleResult]) -> String {
    let mut out = String::from(
        "Lifecycles (submit → SUCCEEDED), from the first submit to the last SUCCEEDED\n\
         | engine | picture | tasks | lifecycles/s | elapsed | submits done | transitions/s \
         | Kiln CPU/lifecycle | PostgreSQL CPU/lifecycle | machine busy | DB commits/lifecycle \
         | rows ins/upd/del per lifecycle |\n\
         | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for r in results {
        let per = |v: f64| v / r.tasks as f64;
        let database = match r.database {
            Some(c) => (
                format!(
                    "{:.1}{}",
                    per(c.commits as f64),
                    if c.rollbacks > 0 {
                        format!(" (+{} rollbacks)", c.rollbacks)
                    } else {
                        String::new()
                    }
                ),
                format!(
                    "{:.1} / {:.1} / {:.1} (read {:.0})",
                    per(c.inserted as f64),
                    per(c.updated as f64),
                    per(c.deleted as f64),
                    per((c.returned + c.fetched) as f64)
                ),
            ),
            None => ("–".to_owned(), "–".to_owned()),
        };
        let _ = writeln!(
            out,
            "| {} | {}px | {} | **{:.0}** | {:.2} s | {:.2} s | {:.0} | {:.2} ms | {} | {:.0}% of {:.0} CPU·s | {} | {} |",
            r.engine.name(),
            r.side,
            r.tasks,
            r.per_second(),
            r.elapsed.as_secs_f64(),
            r.submitted.as_secs_f64(),
            r.transitions as f64 / r.elapsed.as_secs_f64(),
            per(r.cpu.own) * 1000.0,
            if r.engine == Engine::Postgres {
                format!("{:.2} ms", per(r.cpu.database) * 1000.0)
            } else {
                "–".to_owned()
            },
            100.0 * r.cpu.machine_busy / r.cpu.machine_capacity.max(f64::EPSILON),
            r.cpu.machine_capacity,
            database.0,
            database.1,
        );
    }
    out
}

fn push_table(results: &[PushResult]) -> String {
    let mut out = String::from(
        "Push latency: submitTask sent → its QUEUED event received on a taskEvents WebSocket\n\
         | engine | picture | samples | push p50 | push p99 | push max | submit round trip p50 \
         | round trip p99 | round trip max |\n\
         | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for r in results {
        let _ = writeln!(
            out,
            "| {} | {}px | {} | {} | **{}** | {} | {} | {} | {} |",
            r.engine.name(),
            r.side,
            r.push.len(),
            ms(percentile(&r.push, 50.0)),
            ms(percentile(&r.push, 99.0)),
            ms(percentile(&r.push, 100.0)),
            ms(percentile(&r.round_trip, 50.0)),
            ms(percentile(&r.round_trip, 99.0)),
            ms(percentile(&r.round_trip, 100.0)),
        );
    }
    out
}
