//! No duplicate spend: while an identical task is live, a submit returns it instead of
//! creating (and paying for) another — enforced by the database, so it holds under
//! concurrency and across server processes.

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::helpers::{Api, TestApp, both_engines};

const STATS: &str = "query($id: ID!) { node(id: $id) { ... on Campaign { stats { taskCount duplicateSubmissions } } } }";

/// `n` identical submits at once, each from its own form (its own idempotency key),
/// spread over `apis`.
async fn identical_submits(apis: &[&Api], token: &str, brief: &str, n: usize) -> Vec<Value> {
    let submits = (0..n).map(|i| {
        let api = apis[i % apis.len()];
        api.submit(token, json!({ "briefId": brief, "prompt": "a red kettle on a beach", "idempotencyKey": format!("form-{i}") }))
    });
    futures::future::join_all(submits).await
}

/// Checks that `payloads` all stand for one task, created once upstream, with the rest
/// counted as duplicates in the campaign.
async fn assert_one_task(app: &TestApp, token: &str, campaign: &str, payloads: &[Value]) {
    for payload in payloads {
        assert_eq!(payload["userErrors"], json!([]), "{payload}");
    }
    let ids: std::collections::HashSet<_> =
        payloads.iter().map(|p| p["task"]["id"].clone()).collect();
    assert_eq!(ids.len(), 1, "one task for all: {ids:?}");
    let created = payloads
        .iter()
        .filter(|p| p["duplicateOf"].is_null())
        .count();
    assert_eq!(created, 1, "exactly one submit created it");
    let id = ids.into_iter().next().unwrap();
    app.wait_until_finished(token, id.as_str().unwrap()).await;

    let upstream = kiln::entity::simulated_upstream_task::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(upstream.len(), 1, "one upstream task");
    assert_eq!(upstream[0].submit_requests, 1, "created upstream once");
    let stats = app
        .graphql_ok(Some(token), STATS, json!({ "id": campaign }))
        .await;
    assert_eq!(
        stats["node"]["stats"],
        json!({ "taskCount": 1, "duplicateSubmissions": payloads.len() - 1 })
    );
    let tasks = kiln::entity::generation_task::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(tasks, 1);
}

both_engines! {
    async fn an_identical_submit_while_the_first_is_live_returns_it_and_spends_nothing(app) {
        let token = app.admin_token().await;
        let first = app.submit(&token, json!({ "prompt": "a red kettle", "aspectRatio": "LANDSCAPE_16_9" })).await;
        let id = first["task"]["id"].clone();
        // Same parameters spelled differently (whitespace, the size the ratio implies).
        let second = app.submit(&token, json!({ "prompt": "  a red kettle ", "size": "1536x1024" })).await;
        assert_eq!(second["task"]["id"], id);
        assert_eq!(second["duplicateOf"]["id"], id);

        let estimate = app.graphql_ok(Some(&token), "query($input: SubmitTaskInput!) { estimateTask(input: $input) { duplicateOf { id } } }",
            json!({ "input": { "briefId": app.brief(&token).await, "prompt": "a red kettle", "aspectRatio": "LANDSCAPE_16_9" } })).await;
        assert_eq!(estimate["estimateTask"]["duplicateOf"]["id"], id, "the composer can warn before submitting");

        // Once it has ended, the same submit is new work.
        app.wait_until_finished(&token, id.as_str().unwrap()).await;
        let third = app.submit(&token, json!({ "prompt": "a red kettle", "aspectRatio": "LANDSCAPE_16_9" })).await;
        assert_ne!(third["task"]["id"], id);
        assert!(third["duplicateOf"].is_null());
    }

    async fn fifty_concurrent_identical_submits_make_one_task_and_one_upstream_creation(app) {
        let token = app.admin_token().await;
        let (campaign, brief) = app.campaign_with_brief(&token, None, None).await;
        let payloads = identical_submits(&[&app.api], &token, &brief, 50).await;
        assert_one_task(app, &token, &campaign, &payloads).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_identical_submits_across_two_server_processes_make_one_task() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    let sibling = app.spawn_sibling().await;
    let token = app.admin_token().await;
    let (campaign, brief) = app.campaign_with_brief(&token, None, None).await;
    let payloads = identical_submits(&[&app.api, &sibling.api], &token, &brief, 50).await;
    assert_one_task(&app, &token, &campaign, &payloads).await;
    sibling.stop().await;
    app.stop().await;
}
