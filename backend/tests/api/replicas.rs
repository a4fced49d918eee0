//! Several server processes on one PostgreSQL behave as one Kiln: a subscriber on one
//! sees what happens through another, and their workers share one queue.

use serde_json::json;

use crate::helpers::{TestApp, WsEvent};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_on_one_process_sees_a_task_submitted_through_another() {
    let Some(a) = TestApp::spawn_postgres().await else {
        return;
    };
    let b = a.spawn_sibling().await;
    let token = a.admin_token().await;
    let mut events = a
        .subscribe(
            &token,
            "subscription { taskEvents { kind toStatus task { id prompt } } }",
            json!({}),
        )
        .await;

    let payload = b.submit(&token, json!({ "prompt": "made on B" })).await;
    let id = payload["task"]["id"].clone();
    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("SUCCEEDED") {
        let WsEvent::Next(event) = events.next_event().await else {
            panic!("the subscription ended")
        };
        let event = &event["data"]["taskEvents"];
        assert_eq!(event["task"]["id"], id);
        assert_eq!(event["task"]["prompt"], "made on B");
        if event["kind"] == "TRANSITION" {
            seen.push(event["toStatus"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen, ["QUEUED", "SUBMITTED", "PROCESSING", "SUCCEEDED"]);
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
        .subscribe(
            &stranger,
            "subscription { taskEvents { task { prompt } } }",
            json!({}),
        )
        .await;
    let secret = b.submit(&owner, json!({ "prompt": "confidential" })).await;
    b.wait_until_finished(&owner, secret["task"]["id"].as_str().unwrap())
        .await;
    b.submit(&stranger, json!({ "prompt": "our own" })).await;
    let WsEvent::Next(first) = theirs.next_event().await else {
        panic!("no event")
    };
    assert_eq!(first["data"]["taskEvents"]["task"]["prompt"], "our own");
    b.stop().await;
    a.stop().await;
}
