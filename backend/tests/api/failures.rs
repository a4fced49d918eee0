//! Each way a task can fail ends it with its classified reason and the upstream's own
//! message, and never pays twice.

use crate::helpers::{TestApp, both_engines};
use crate::ops::task_by_id::TaskDetail;
use crate::ops::{DownloadStatus, FailureReason, TaskStatus, TransitionCause, task_input};

/// Submits `prompt`, waits for the end, and returns the task.
async fn run(app: &TestApp, prompt: &str) -> TaskDetail {
    let token = app.admin_token().await;
    let id = app.submit_ok(&token, task_input(prompt)).await;
    app.wait_until_finished(&token, &id).await
}

/// How often the simulated upstream was asked to create `task`.
async fn upstream_creates(app: &TestApp, task: &TaskDetail) -> Option<i32> {
    let id = kiln_id(task);
    kiln::provider::simulated::submit_requests(&app.state.db, &id)
        .await
        .unwrap()
}

fn kiln_id(task: &TaskDetail) -> String {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&task.id)
        .unwrap();
    String::from_utf8(raw)
        .unwrap()
        .trim_start_matches("Task:")
        .to_owned()
}

both_engines! {
    async fn a_refused_create_fails_as_invalid_params_with_the_upstream_message(app) {
        let task = run(app, "a kettle #fail:invalid_params").await;
        assert_eq!((task.status.clone(), task.failure_reason.clone()), (TaskStatus::Failed, Some(FailureReason::InvalidParams)));
        assert!(task.failure_message.as_deref().unwrap().starts_with("400 Bad Request"));
        assert!(!task.charged);
        assert!(task.upstream_task_id.is_none());
    }

    async fn an_exhausted_quota_fails_as_quota(app) {
        let task = run(app, "a kettle #fail:quota").await;
        assert_eq!(task.failure_reason, Some(FailureReason::Quota));
        assert!(task.failure_message.as_deref().unwrap().contains("insufficient_quota"));
    }

    async fn a_content_policy_refusal_fails_as_content_policy_with_the_raw_status(app) {
        let task = run(app, "a kettle #fail:content_policy").await;
        assert_eq!(task.failure_reason, Some(FailureReason::ContentPolicy));
        let last = task.history.last().unwrap().clone();
        assert_eq!((last.to_status, last.cause, last.upstream_status.as_deref()), (TaskStatus::Failed, TransitionCause::UpstreamFailed, Some("failed")));
    }

    async fn an_upstream_generation_error_fails_as_upstream_error(app) {
        let task = run(app, "a kettle #fail:upstream_error").await;
        assert_eq!(task.failure_reason, Some(FailureReason::UpstreamError));
    }

    async fn passing_upstream_errors_are_retried_until_the_task_succeeds(app) {
        let task = run(app, "a kettle #fail:transient").await;
        assert_eq!(task.status, TaskStatus::Succeeded);
        // Two refused creates, then one that was accepted: one upstream task.
        assert_eq!(upstream_creates(app, &task).await, Some(1));
        // The history says why it took longer: two waits, before the status moved on.
        let retries: Vec<_> = task.history.iter().filter(|h| h.cause == TransitionCause::UpstreamRetried).collect();
        assert_eq!(retries.len(), 2, "{:?}", task.history);
        for retry in retries {
            assert_eq!((retry.from_status.clone(), retry.to_status.clone()), (Some(TaskStatus::Queued), TaskStatus::Queued));
            assert!(retry.retry_after_ms.is_some_and(|ms| ms > 0));
        }
    }

    async fn an_expired_result_link_fails_as_download_failed_without_generating_or_charging_again(app) {
        let task = run(app, "a kettle #fail:download").await;
        assert_eq!(task.failure_reason, Some(FailureReason::DownloadFailed));
        assert!(task.failure_message.as_deref().unwrap().contains("expired"));
        assert!(task.charged, "the generation happened and was paid once");
        assert_eq!(task.outputs[0].download_status, DownloadStatus::Expired);
        assert_eq!(task.outputs[0].download_attempts, 1);
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
    assert_eq!(task.failure_reason, Some(FailureReason::QueueTimeout));
    assert_eq!(
        task.history.last().unwrap().cause,
        TransitionCause::DeadlinePassed
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
    assert_eq!(task.failure_reason, Some(FailureReason::ContentPolicy));
    app.stop().await;
}
