//! Durable execution: Kiln killed with SIGKILL in the middle of work loses nothing.
//! These tests run the real `kiln` binary as a child process, kill it, start it again on
//! the same database and data directory, and watch every task reach its end.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;

use sea_orm::{Database, EntityTrait};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Api, Engine, PATIENCE, fresh_database, postgres_available,
};
use crate::ops::{self, TaskStatus, task_input};

/// A `kiln serve` child process.
struct KilnProcess {
    child: Child,
    api: Api,
}

impl KilnProcess {
    /// Starts Kiln and returns once it says it is listening.
    async fn start(data_dir: &Path, database_url: &str) -> Self {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
            .arg("serve")
            .env("KILN_BIND", format!("127.0.0.1:{port}"))
            .env("KILN_DATA_DIR", data_dir)
            .env("KILN_DATABASE_URL", database_url)
            .env("KILN_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("KILN_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("KILN_SIMULATED_LATENCY_MS", "1500")
            // A crashed process's jobs are taken over once their lease runs out.
            .env("KILN_JOB_LEASE_SECS", "1")
            .env("KILN_WORKER_POLL_MS", "100")
            .env("KILN_LOG", "warn")
            .env("KILN_FRONTEND_DIR", data_dir.join("no-frontend"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("kiln starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let banner = tokio::time::timeout(PATIENCE, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("Kiln is running at") {
                    return true;
                }
            }
            false
        })
        .await
        .expect("kiln announces itself in time");
        assert!(banner, "kiln exited before listening");
        // Keep reading, so that a full pipe never blocks the child.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            child,
            api: Api::new(format!("http://127.0.0.1:{port}")),
        }
    }

    /// SIGKILL: no shutdown, no cleanup, leases left dangling.
    async fn kill9(mut self) {
        self.child.start_kill().expect("kill");
        self.child.wait().await.expect("reaped");
    }
}

async fn killed_mid_work_and_restarted_every_task_ends_and_none_is_paid_twice(engine: Engine) {
    if engine == Engine::Postgres && !postgres_available().await {
        return;
    }
    let data_dir = tempfile::tempdir().unwrap();
    let (database_url, _postgres) = fresh_database(engine, data_dir.path()).await;

    let first = KilnProcess::start(data_dir.path(), &database_url).await;
    let token = first.api.admin_token().await;
    let mut events = first
        .api
        .subscribe_op::<ops::TaskEvents>(&token, ops::task_events::Variables)
        .await;
    let mut ids = Vec::new();
    for n in 0..8 {
        let id = first
            .api
            .submit_ok(&token, task_input(format!("kettle number {n}")))
            .await;
        ids.push(id);
    }
    // Crash while the upstream is working on some of them.
    let mut accepted = std::collections::HashSet::new();
    while accepted.len() < 3 {
        let event = events.next().await.task_events;
        if [TaskStatus::Submitted, TaskStatus::Processing].contains(&event.to_status) {
            accepted.insert(event.task.id);
        }
    }
    drop(events);
    first.kill9().await;

    // What the database says the upstream had accepted at the moment of the crash.
    let db = Database::connect(&database_url).await.unwrap();
    let recorded: HashMap<_, _> = kiln::entity::generation_task::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.id.to_string(), t.upstream_task_id.is_some()))
        .collect();
    assert!(recorded.values().filter(|r| **r).count() >= 3);

    let second = KilnProcess::start(data_dir.path(), &database_url).await;
    for id in &ids {
        let task = second.api.wait_until_finished(&token, id).await;
        assert_eq!(task.status, TaskStatus::Succeeded, "{task:?}");
    }

    let upstream = kiln::entity::simulated_upstream_task::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(upstream.len(), ids.len(), "one upstream task per Kiln task");
    for row in upstream {
        if recorded[&row.idempotency_key] {
            // Accepted and recorded before the crash: resumed by polling, never re-posted.
            assert_eq!(row.submit_requests, 1, "{row:?}");
        } else {
            // Killed between the create and recording its id: re-posted once with the
            // same idempotency key, which the upstream answered with the same task.
            assert!(row.submit_requests <= 2, "{row:?}");
        }
    }
    let _ = db.close().await;
    second.kill9().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_work_on_sqlite() {
    killed_mid_work_and_restarted_every_task_ends_and_none_is_paid_twice(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_work_on_postgres() {
    killed_mid_work_and_restarted_every_task_ends_and_none_is_paid_twice(Engine::Postgres).await;
}
