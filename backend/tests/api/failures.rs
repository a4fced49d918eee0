//! Each way a task can fail ends it with its classified reason and the upstream's own
//! message, and never pays twice.

use serde_json::{Value, json};

use crate::helpers::{TestApp, both_engines};

/// Submits `prompt`, waits for the end, and returns the task.
async fn run(app: &TestApp, prompt: &str) -> Value {
    let token = app.admin_token().await;
    let payload = app.submit(&token, json!({ "prompt": prompt })).await;
    let id = payload["task"]["id"].as_str().unwrap().to_owned();
    app.wait_until_finished(&token, &id).await
}

/// How often the simulated upstream was asked to create `task`.
async fn upstream_creates(app: &TestApp, task: &Value) -> Option<i32> {
    let id = kiln_id(task);
    kiln::provider::simulated::submit_requests(&app.state.db, &id)
        .await
        .unwrap()
}

fn kiln_id(task: &Value) -> String {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(task["id"].as_str().unwrap())
        .unwrap();
    String::from_utf8(raw)
        .unwrap()
        .trim_start_matches("Task:")
        .to_owned()
}

both_engines! {
    async fn a_refused_create_fails_as_invalid_params_with_the_upstream_message(app) {
        let task = run(app, "a kettle #fail:invalid_params").await;
        assert_eq!((task["status"].clone(), task["failureReason"].clone()), (json!("FAILED"), json!("INVALID_PARAMS")));
        assert!(task["failureMessage"].as_str().unwrap().starts_with("400 Bad Request"));
        assert_eq!(task["charged"], false);
        assert!(task["upstreamTaskId"].is_null());
    }

    async fn an_exhausted_quota_fails_as_quota(app) {
        let task = run(app, "a kettle #fail:quota").await;
        assert_eq!(task["failureReason"], "QUOTA");
        assert!(task["failureMessage"].as_str().unwrap().contains("insufficient_quota"));
    }

    async fn a_content_policy_refusal_fails_as_content_policy_with_the_raw_status(app) {
        let task = run(app, "a kettle #fail:content_policy").await;
        assert_eq!(task["failureReason"], "CONTENT_POLICY");
        let last = task["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["toStatus"].clone(), last["cause"].clone(), last["upstreamStatus"].clone()), (json!("FAILED"), json!("UPSTREAM_FAILED"), json!("failed")));
    }

    async fn an_upstream_generation_error_fails_as_upstream_error(app) {
        let task = run(app, "a kettle #fail:upstream_error").await;
        assert_eq!(task["failureReason"], "UPSTREAM_ERROR");
    }

    async fn passing_upstream_errors_are_retried_until_the_task_succeeds(app) {
        let task = run(app, "a kettle #fail:transient").await;
        assert_eq!(task["status"], "SUCCEEDED");
        // Two refused creates, then one that was accepted: one upstream task.
        assert_eq!(upstream_creates(app, &task).await, Some(1));
    }

    async fn an_expired_result_link_fails_as_download_failed_without_generating_or_charging_again(app) {
        let task = run(app, "a kettle #fail:download").await;
        assert_eq!(task["failureReason"], "DOWNLOAD_FAILED");
        assert!(task["failureMessage"].as_str().unwrap().contains("expired"));
        assert_eq!(task["charged"], true, "the generation happened and was paid once");
        assert_eq!(task["outputs"][0]["downloadStatus"], "EXPIRED");
        assert_eq!(task["outputs"][0]["downloadAttempts"], 1);
        assert_eq!(upstream_creates(app, &task).await, Some(1));
    }
}

#[tokio::test]
async fn a_task_stuck_upstream_fails_at_its_deadline_as_queue_timeout() {
    let app = TestApp::spawn_with(crate::helpers::Engine::Sqlite, |config| {
        config.image_deadline_secs = 1
    })
    .await;
    let task = run(&app, "a kettle #fail:stuck").await;
    assert_eq!(task["failureReason"], "QUEUE_TIMEOUT");
    assert_eq!(
        task["history"].as_array().unwrap().last().unwrap()["cause"],
        "DEADLINE_PASSED"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_configured_failure_rate_fails_tasks_at_random_with_that_class() {
    let app = TestApp::spawn_with(crate::helpers::Engine::Sqlite, |config| {
        config.simulated_failures.content_policy = 1.0
    })
    .await;
    let task = run(&app, "an innocent kettle").await;
    assert_eq!(task["failureReason"], "CONTENT_POLICY");
    app.stop().await;
}
