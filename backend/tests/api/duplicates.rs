//! No duplicate spend: while an identical task is live, a submit returns it instead of
//! creating (and paying for) another — enforced by the database, so it holds under
//! concurrency and across server processes.

use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::{Api, TestApp, both_engines};
use crate::ops::campaign_stats::CampaignStatsNode;
use crate::ops::submit_task::{SubmitTaskInput, SubmitTaskSubmitTask};
use crate::ops::{self, AspectRatio, recast, task_input};

/// `n` identical submits at once, each from its own form (its own idempotency key),
/// spread over `apis`.
async fn identical_submits(
    apis: &[&Api],
    token: &str,
    brief: &str,
    n: usize,
) -> Vec<SubmitTaskSubmitTask> {
    let submits = (0..n).map(|i| {
        let api = apis[i % apis.len()];
        api.submit(
            token,
            SubmitTaskInput {
                brief_id: brief.to_owned(),
                idempotency_key: Some(format!("form-{i}")),
                ..task_input("a red kettle on a beach")
            },
        )
    });
    futures::future::join_all(submits).await
}

/// Checks that `payloads` all stand for one task, created once upstream, with the rest
/// counted as duplicates in the campaign.
async fn assert_one_task(
    app: &TestApp,
    token: &str,
    campaign: &str,
    payloads: &[SubmitTaskSubmitTask],
) {
    for payload in payloads {
        assert_eq!(payload.user_errors, vec![], "{payload:?}");
    }
    let ids: std::collections::HashSet<_> = payloads
        .iter()
        .map(|p| p.task.as_ref().map(|t| t.id.clone()))
        .collect();
    assert_eq!(ids.len(), 1, "one task for all: {ids:?}");
    let created = payloads.iter().filter(|p| p.duplicate_of.is_none()).count();
    assert_eq!(created, 1, "exactly one submit created it");
    let id = ids.into_iter().next().unwrap().expect("a task");
    app.wait_until_finished(token, &id).await;

    let upstream = kiln::entity::simulated_upstream_task::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(upstream.len(), 1, "one upstream task");
    assert_eq!(upstream[0].submit_requests, 1, "created upstream once");
    let data = app
        .op::<ops::CampaignStats>(
            Some(token),
            ops::campaign_stats::Variables {
                id: campaign.to_owned(),
            },
        )
        .await;
    let Some(CampaignStatsNode::Campaign(node)) = data.node else {
        panic!("a campaign: {data:?}")
    };
    assert_eq!(
        (node.stats.task_count, node.stats.duplicate_submissions),
        (1, payloads.len() as i64 - 1)
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
        let first = app.submit(&token, SubmitTaskInput { aspect_ratio: Some(AspectRatio::Landscape169), ..task_input("a red kettle") }).await;
        let id = first.task.unwrap().id;
        // Same parameters spelled differently (whitespace, the size the ratio implies).
        let second = app.submit(&token, SubmitTaskInput { size: Some("1536x1024".into()), ..task_input("  a red kettle ") }).await;
        assert_eq!(second.task.unwrap().id, id);
        assert_eq!(second.duplicate_of.unwrap().id, id);

        let input = SubmitTaskInput { brief_id: app.brief(&token).await, aspect_ratio: Some(AspectRatio::Landscape169), ..task_input("a red kettle") };
        let estimate = app.op::<ops::EstimateTask>(Some(&token), ops::estimate_task::Variables { input: recast(&input) }).await;
        assert_eq!(estimate.estimate_task.duplicate_of.map(|t| t.id), Some(id.clone()), "the composer can warn before submitting");

        // Once it has succeeded, the same submit is new work — paid again, so only
        // after the user says yes (see `spend.rs`).
        app.wait_until_finished(&token, &id).await;
        let again = SubmitTaskInput { aspect_ratio: Some(AspectRatio::Landscape169), ..task_input("a red kettle") };
        let asked = app.submit(&token, again.clone()).await;
        assert!(asked.task.is_none());
        assert_eq!(asked.warnings[0].task.id, id);
        let third = app.submit(&token, SubmitTaskInput { acknowledged_warnings: vec![ops::SpendWarning::SucceededRecently], ..again }).await;
        assert_ne!(third.task.unwrap().id, id);
        assert!(third.duplicate_of.is_none());
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
