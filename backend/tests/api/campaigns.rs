//! Campaigns and briefs; prices, budgets and the budget alert.

use kiln::domain::account::Role;

use crate::helpers::{TestApp, both_engines, code};
use crate::ops::campaign_stats::{CampaignStatsNode, CampaignStatsNodeOnCampaignStats};
use crate::ops::submit_task::SubmitTaskInput;
use crate::ops::{
    self, BriefStatus, InputType, Quality, Resolution, Stage, TaskStatus, UserErrorCode, field,
    recast, task_input,
};

/// The stats of campaign `id`, through `node`.
async fn stats(app: &TestApp, token: &str, id: &str) -> CampaignStatsNodeOnCampaignStats {
    let data = app
        .op::<ops::CampaignStats>(
            Some(token),
            ops::campaign_stats::Variables { id: id.to_owned() },
        )
        .await;
    match data.node {
        Some(CampaignStatsNode::Campaign(campaign)) => campaign.stats,
        other => panic!("a campaign: {other:?}"),
    }
}

both_engines! {
    async fn a_creator_plans_a_campaign_and_a_brief_and_lists_them(app) {
        let creator = app.member(None, &[Role::Creator]).await;
        let payload = app.create_campaign(&creator, "  Double 11  ", None, None).await;
        assert_eq!(payload.user_errors, vec![]);
        let campaign = payload.campaign.unwrap();
        assert_eq!(campaign.name, "Double 11");
        let brief = app.create_brief(&creator, &campaign.id, "Tmall hero banner").await;

        let data = app.op::<ops::Campaigns>(Some(&creator), ops::campaigns::Variables).await;
        let node = &data.campaigns.edges[0].node;
        assert_eq!(node.id, campaign.id);
        let listed = &node.briefs.edges[0].node;
        assert_eq!(
            (listed.id.as_str(), listed.title.as_str(), listed.channel.as_deref(), listed.status.clone()),
            (brief.as_str(), "Tmall hero banner", Some("tmall"), BriefStatus::Draft)
        );
    }

    async fn only_admins_set_budgets(app) {
        let creator = app.member(None, &[Role::Creator]).await;
        let input = ops::create_campaign::CreateCampaignInput { name: "x".into(), budget: Some("10".into()), alert_threshold_percent: None };
        let errors = app.try_op::<ops::CreateCampaign>(Some(&creator), ops::create_campaign::Variables { input }).await.unwrap_err();
        assert_eq!(code(&errors), "FORBIDDEN");
    }

    async fn a_budget_that_is_not_an_amount_is_a_user_error(app) {
        let admin = app.admin_token().await;
        let payload = app.create_campaign(&admin, "Launch", Some("ten dollars"), None).await;
        assert_eq!(payload.user_errors[0].field, field(&["input", "budget"]));
        let payload = app.create_campaign(&admin, "Launch", Some("10"), Some(150)).await;
        assert_eq!(payload.user_errors[0].code, UserErrorCode::OutOfRange);
    }

    async fn a_brief_of_another_team_cannot_take_tasks(app) {
        let admin = app.admin_token().await;
        let brief = app.brief(&admin).await;
        let stranger = app.member(Some("Rival Agency"), &[Role::Creator]).await;
        let payload = app.submit(&stranger, SubmitTaskInput { brief_id: brief, ..task_input("a kettle") }).await;
        assert_eq!(payload.user_errors[0].field, field(&["input", "briefId"]));
        assert_eq!(payload.user_errors[0].code, UserErrorCode::NotFound);
    }

    async fn the_estimate_is_the_price_of_what_was_asked_and_the_task_records_it(app) {
        let admin = app.admin_token().await;
        let brief = app.brief(&admin).await;
        let input = SubmitTaskInput { brief_id: brief, stage: Stage::Final, quality: Some(Quality::High), count: Some(2), size: Some("1536x1024".into()), ..task_input("a kettle") };
        let estimate = app.op::<ops::EstimateTask>(Some(&admin), ops::estimate_task::Variables { input: recast(&input) }).await.estimate_task;
        // 0.167 per 1024² at HIGH, ×1.5 for 1536×1024, ×2 images.
        let cost = estimate.estimated_cost.unwrap();
        assert_eq!((cost.amount.as_str(), cost.currency.as_str()), ("0.501", "USD"));
        assert!(estimate.within_budget);
        let payload = app.submit(&admin, input).await;
        let task = payload.task.unwrap();
        assert_eq!(task.estimated_cost.amount, "0.501");
        let task = app.wait_until_finished(&admin, &task.id).await;
        assert!(task.charged);
        assert_eq!(task.actual_cost.unwrap().amount, "0.501");
    }

    async fn a_submit_that_would_exceed_the_budget_is_refused_and_spends_nothing(app) {
        let admin = app.admin_token().await;
        let (campaign, brief) = app.campaign_with_brief(&admin, Some("1.00"), None).await;
        // A final 12 s 1080p clip costs 3.60.
        let payload = app.submit(&admin, SubmitTaskInput { brief_id: brief, input_type: InputType::TextToVideo, stage: Stage::Final, duration_seconds: Some(12), resolution: Some(Resolution::P1080), ..task_input("waves") }).await;
        assert!(payload.task.is_none());
        assert_eq!(payload.user_errors[0].code, UserErrorCode::BudgetExceeded);
        assert!(payload.user_errors[0].message.contains("3.60"));
        let stats = stats(app, &admin, &campaign).await;
        assert_eq!(stats.task_count, 0);
        assert_eq!(stats.remaining_budget.unwrap().amount, "1.00");
    }

    async fn crossing_the_alert_threshold_sends_one_budget_alert(app) {
        let admin = app.admin_token().await;
        let (_, brief) = app.campaign_with_brief(&admin, Some("0.50"), Some(50)).await;
        let mut alerts = app.subscribe_op::<ops::BudgetAlerts>(&admin, ops::budget_alerts::Variables).await;
        // A 4 s 480p draft clip costs 0.20: 40 %, then 80 % of the budget.
        let clip = |prompt: &str| SubmitTaskInput { brief_id: brief.clone(), input_type: InputType::TextToVideo, ..task_input(prompt) };
        assert_eq!(app.submit(&admin, clip("first wave")).await.user_errors, vec![]);
        assert_eq!(app.submit(&admin, clip("second wave")).await.user_errors, vec![]);
        let alert = alerts.next().await.budget_alerts;
        assert_eq!(alert.committed.amount, "0.40");
        assert!(alert.campaign.budget_alerted_at.is_some());
        // Over the budget now: refused, and no second alert.
        let third = app.submit(&admin, clip("third wave")).await;
        assert_eq!(third.user_errors[0].code, UserErrorCode::BudgetExceeded);
    }

    async fn failed_tasks_that_were_not_charged_give_their_budget_back(app) {
        let admin = app.admin_token().await;
        let (campaign, brief) = app.campaign_with_brief(&admin, Some("1.00"), None).await;
        let id = app.submit_ok(&admin, SubmitTaskInput { brief_id: brief, ..task_input("a kettle #fail:quota") }).await;
        let task = app.wait_until_finished(&admin, &id).await;
        assert_eq!(task.status, TaskStatus::Failed);
        assert!(!task.charged);
        let stats = stats(app, &admin, &campaign).await;
        assert_eq!(stats.committed.amount, "0.00");
    }
}
