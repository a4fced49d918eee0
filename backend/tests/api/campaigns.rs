//! Campaigns and briefs; prices, budgets and the budget alert.

use kiln::domain::account::Role;
use serde_json::json;

use crate::helpers::{WsEvent, both_engines, error_code};

const STATS: &str = "query($id: ID!) { node(id: $id) { ... on Campaign {
    stats { taskCount duplicateSubmissions committed { amount currency } remainingBudget { amount } } } } }";

both_engines! {
    async fn a_creator_plans_a_campaign_and_a_brief_and_lists_them(app) {
        let creator = app.member(None, &[Role::Creator]).await;
        let payload = app.create_campaign(&creator, "  Double 11  ", None, None).await;
        assert_eq!(payload["userErrors"], json!([]));
        assert_eq!(payload["campaign"]["name"], "Double 11");
        let campaign = payload["campaign"]["id"].as_str().unwrap().to_owned();
        let brief = app.create_brief(&creator, &campaign, "Tmall hero banner").await;

        let data = app.graphql_ok(Some(&creator), "{ campaigns { edges { node { id name briefs { edges { node { id title channel status } } } } } } }", json!({})).await;
        let node = &data["campaigns"]["edges"][0]["node"];
        assert_eq!(node["id"], campaign.as_str());
        assert_eq!(node["briefs"]["edges"][0]["node"], json!({ "id": brief, "title": "Tmall hero banner", "channel": "tmall", "status": "DRAFT" }));
    }

    async fn only_admins_set_budgets(app) {
        let creator = app.member(None, &[Role::Creator]).await;
        let response = app.graphql(Some(&creator), "mutation { createCampaign(input: { name: \"x\", budget: \"10\" }) { campaign { id } } }", json!({})).await;
        assert_eq!(error_code(&response), "FORBIDDEN");
    }

    async fn a_budget_that_is_not_an_amount_is_a_user_error(app) {
        let admin = app.admin_token().await;
        let payload = app.create_campaign(&admin, "Launch", Some("ten dollars"), None).await;
        assert_eq!(payload["userErrors"][0]["field"], json!(["input", "budget"]));
        let payload = app.create_campaign(&admin, "Launch", Some("10"), Some(150)).await;
        assert_eq!(payload["userErrors"][0]["code"], "OUT_OF_RANGE");
    }

    async fn a_brief_of_another_team_cannot_take_tasks(app) {
        let admin = app.admin_token().await;
        let brief = app.brief(&admin).await;
        let stranger = app.member(Some("Rival Agency"), &[Role::Creator]).await;
        let payload = app.submit(&stranger, json!({ "briefId": brief, "prompt": "a kettle" })).await;
        assert_eq!(payload["userErrors"][0]["field"], json!(["input", "briefId"]));
        assert_eq!(payload["userErrors"][0]["code"], "NOT_FOUND");
    }

    async fn the_estimate_is_the_price_of_what_was_asked_and_the_task_records_it(app) {
        let admin = app.admin_token().await;
        let brief = app.brief(&admin).await;
        let input = json!({ "briefId": brief, "prompt": "a kettle", "stage": "FINAL", "quality": "HIGH", "count": 2, "size": "1536x1024" });
        let estimate = app.graphql_ok(Some(&admin), "query($input: SubmitTaskInput!) { estimateTask(input: $input) {
            estimatedCost { amount currency } withinBudget duplicateOf { id } userErrors { code } } }", json!({ "input": input })).await;
        // 0.167 per 1024² at HIGH, ×1.5 for 1536×1024, ×2 images.
        assert_eq!(estimate["estimateTask"]["estimatedCost"], json!({ "amount": "0.501", "currency": "USD" }));
        assert_eq!(estimate["estimateTask"]["withinBudget"], true);
        let payload = app.submit(&admin, input).await;
        assert_eq!(payload["task"]["estimatedCost"]["amount"], "0.501");
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        let task = app.wait_until_finished(&admin, &id).await;
        assert_eq!(task["charged"], true);
        assert_eq!(task["actualCost"]["amount"], "0.501");
    }

    async fn a_submit_that_would_exceed_the_budget_is_refused_and_spends_nothing(app) {
        let admin = app.admin_token().await;
        let (campaign, brief) = app.campaign_with_brief(&admin, Some("1.00"), None).await;
        // A final 12 s 1080p clip costs 3.60.
        let payload = app.submit(&admin, json!({ "briefId": brief, "prompt": "waves", "inputType": "TEXT_TO_VIDEO", "stage": "FINAL", "durationSeconds": 12, "resolution": "P1080" })).await;
        assert!(payload["task"].is_null());
        assert_eq!(payload["userErrors"][0]["code"], "BUDGET_EXCEEDED");
        assert!(payload["userErrors"][0]["message"].as_str().unwrap().contains("3.60"));
        let stats = app.graphql_ok(Some(&admin), STATS, json!({ "id": campaign })).await;
        assert_eq!(stats["node"]["stats"]["taskCount"], 0);
        assert_eq!(stats["node"]["stats"]["remainingBudget"]["amount"], "1.00");
    }

    async fn crossing_the_alert_threshold_sends_one_budget_alert(app) {
        let admin = app.admin_token().await;
        let (_, brief) = app.campaign_with_brief(&admin, Some("0.50"), Some(50)).await;
        let mut alerts = app.subscribe(&admin, "subscription { budgetAlerts { campaign { name budgetAlertedAt } committed { amount } } }", json!({})).await;
        // A 4 s 480p draft clip costs 0.20: 40 %, then 80 % of the budget.
        let clip = |prompt: &str| json!({ "briefId": brief, "prompt": prompt, "inputType": "TEXT_TO_VIDEO" });
        assert_eq!(app.submit(&admin, clip("first wave")).await["userErrors"], json!([]));
        assert_eq!(app.submit(&admin, clip("second wave")).await["userErrors"], json!([]));
        let WsEvent::Next(alert) = alerts.next_event().await else { panic!("no alert") };
        assert_eq!(alert["data"]["budgetAlerts"]["committed"]["amount"], "0.40");
        assert!(alert["data"]["budgetAlerts"]["campaign"]["budgetAlertedAt"].is_string());
        // Over the budget now: refused, and no second alert.
        let third = app.submit(&admin, clip("third wave")).await;
        assert_eq!(third["userErrors"][0]["code"], "BUDGET_EXCEEDED");
    }

    async fn failed_tasks_that_were_not_charged_give_their_budget_back(app) {
        let admin = app.admin_token().await;
        let (campaign, brief) = app.campaign_with_brief(&admin, Some("1.00"), None).await;
        let payload = app.submit(&admin, json!({ "briefId": brief, "prompt": "a kettle #fail:quota" })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        let task = app.wait_until_finished(&admin, &id).await;
        assert_eq!(task["status"], "FAILED");
        assert_eq!(task["charged"], false);
        let stats = app.graphql_ok(Some(&admin), STATS, json!({ "id": campaign })).await;
        assert_eq!(stats["node"]["stats"]["committed"]["amount"], "0.00");
    }
}
