//! Several server processes on one PostgreSQL behave as one Kiln: a subscriber on one
//! sees what happens through another, and their workers share one queue.

use crate::helpers::TestApp;
use crate::ops::{self, TaskEventKind, TaskStatus, task_input};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_on_one_process_sees_a_task_submitted_through_another() {
    let Some(a) = TestApp::spawn_postgres().await else {
        return;
    };
    let b = a.spawn_sibling().await;
    let token = a.admin_token().await;
    let mut events = a
        .subscribe_op::<ops::TaskEvents>(&token, ops::task_events::Variables)
        .await;

    let id = b.submit_ok(&token, task_input("made on B")).await;
    let mut seen = Vec::new();
    while seen.last() != Some(&TaskStatus::Succeeded) {
        let event = events.next().await.task_events;
        assert_eq!(event.task.id, id);
        assert_eq!(event.task.prompt, "made on B");
        if event.kind == TaskEventKind::Transition {
            seen.push(event.to_status);
        }
    }
    assert_eq!(
        seen,
        [
            TaskStatus::Queued,
            TaskStatus::Submitted,
            TaskStatus::Processing,
            TaskStatus::Succeeded
        ]
    );
    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_teams_changes_do_not_cross_over_between_processes() {
    let Some(a) = TestApp::spawn_postgres().await else {
        return;
    };
    let b = a.spawn_sibling().await;
    let owner = a.admin_token().await;
    let stranger = a
        .member(
            Some("Rival Agency"),
            &[kiln::domain::account::Role::Creator],
        )
        .await;
    let mut theirs = a
        .subscribe_op::<ops::TaskEvents>(&stranger, ops::task_events::Variables)
        .await;
    let secret = b.submit_ok(&owner, task_input("confidential")).await;
    b.wait_until_finished(&owner, &secret).await;
    b.submit(&stranger, task_input("our own")).await;
    let first = theirs.next().await;
    assert_eq!(first.task_events.task.prompt, "our own");
    b.stop().await;
    a.stop().await;
}
