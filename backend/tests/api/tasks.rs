use serde_json::{Value, json};

use crate::helpers::{WsEvent, both_engines};

const TASK_EVENTS: &str = "subscription {
    taskEvents { kind fromStatus toStatus task { id status progress outputs { id thumbnailUrl } } }
}";

/// Collects `taskEvents` transitions for task `id` until it is terminal.
async fn transitions_until_finished(
    subscription: &mut crate::helpers::WsSubscription,
    id: &str,
) -> Vec<(Value, Value)> {
    let mut seen = Vec::new();
    loop {
        let WsEvent::Next(payload) = subscription.next_event().await else {
            panic!("the subscription ended early");
        };
        let event = &payload["data"]["taskEvents"];
        if event["task"]["id"] != id || event["kind"] != "TRANSITION" {
            continue;
        }
        let to = event["toStatus"].clone();
        seen.push((event["fromStatus"].clone(), to.clone()));
        if ["SUCCEEDED", "FAILED", "CANCELLED"]
            .iter()
            .any(|s| to == *s)
        {
            assert_eq!(
                event["task"]["status"], to,
                "the event carries the task as of the change"
            );
            return seen;
        }
    }
}

both_engines! {
    async fn a_submitted_task_is_queued_with_its_parameters_and_a_recorded_seed(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, json!({ "prompt": "  a red kettle on a beach ", "count": 2, "aspectRatio": "LANDSCAPE_16_9" })).await;
        assert_eq!(payload["userErrors"], json!([]));
        let task = &payload["task"];
        assert_eq!(task["status"], "QUEUED");
        assert_eq!(task["prompt"], "a red kettle on a beach");
        assert_eq!(task["count"], 2);
        assert!(task["seed"].is_i64(), "Kiln picks and records a seed: {task}");
    }

    async fn a_subscriber_sees_every_transition_in_order_and_the_outputs_at_the_end(app) {
        let token = app.admin_token().await;
        let mut events = app.subscribe(&token, TASK_EVENTS, json!({})).await;
        let payload = app.submit(&token, json!({ "prompt": "a red kettle", "count": 2, "seed": 42 })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();

        let seen = transitions_until_finished(&mut events, &id).await;
        assert_eq!(seen, vec![
            (Value::Null, json!("QUEUED")),
            (json!("QUEUED"), json!("SUBMITTED")),
            (json!("SUBMITTED"), json!("PROCESSING")),
            (json!("PROCESSING"), json!("SUCCEEDED")),
        ]);

        // What was announced is what is stored.
        let task = app.task(&token, &id).await;
        assert_eq!(task["status"], "SUCCEEDED");
        assert_eq!(task["progress"], 100);
        assert!(task["upstreamTaskId"].as_str().unwrap().starts_with("sim-"));
        let history: Vec<_> = task["history"].as_array().unwrap().iter().map(|h| h["toStatus"].clone()).collect();
        assert_eq!(history, vec![json!("QUEUED"), json!("SUBMITTED"), json!("PROCESSING"), json!("SUCCEEDED")]);
        assert_eq!(task["history"][3]["upstreamStatus"], "completed");
        let outputs = task["outputs"].as_array().unwrap();
        assert_eq!(outputs.len(), 2);
        for (position, output) in outputs.iter().enumerate() {
            assert_eq!(output["position"], position);
            assert_eq!(output["format"], "png");
            assert_eq!(output["downloadStatus"], "STORED");
            assert_eq!((output["width"].as_i64(), output["height"].as_i64()), (Some(512), Some(512)));
        }
    }

    async fn task_updated_streams_the_current_state_then_each_change_and_ends_when_done(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, json!({ "prompt": "a teapot" })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        let mut updates = app.subscribe(&token, "subscription($id: ID!) { taskUpdated(id: $id) { id status } }", json!({ "id": id })).await;

        let mut statuses = Vec::new();
        loop {
            match updates.next_event().await {
                WsEvent::Next(payload) => {
                    assert_eq!(payload["data"]["taskUpdated"]["id"], id.as_str());
                    statuses.push(payload["data"]["taskUpdated"]["status"].as_str().unwrap().to_owned());
                }
                WsEvent::Complete => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(statuses.last().map(String::as_str), Some("SUCCEEDED"));
        // Statuses only move forward.
        let order = ["QUEUED", "SUBMITTED", "PROCESSING", "SUCCEEDED"];
        let ranks: Vec<_> = statuses.iter().map(|s| order.iter().position(|o| o == s).unwrap()).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{statuses:?}");
    }

    async fn invalid_input_comes_back_as_user_errors_and_stores_nothing(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, json!({ "prompt": "   ", "count": 9, "seed": -5 })).await;
        assert!(payload["task"].is_null());
        let fields: Vec<_> = payload["userErrors"].as_array().unwrap().iter().map(|e| (e["field"].clone(), e["code"].clone())).collect();
        assert_eq!(fields, vec![
            (json!(["input", "prompt"]), json!("REQUIRED")),
            (json!(["input", "seed"]), json!("OUT_OF_RANGE")),
            (json!(["input", "count"]), json!("OUT_OF_RANGE")),
        ]);
        let list = app.graphql_ok(Some(&token), "{ tasks { edges { node { id } } } }", json!({})).await;
        assert_eq!(list["tasks"]["edges"], json!([]));
    }

    async fn a_prompt_over_the_limit_is_refused_with_its_length(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, json!({ "prompt": "长".repeat(4001) })).await;
        assert_eq!(payload["userErrors"][0]["code"], "TOO_LONG");
        assert!(payload["userErrors"][0]["message"].as_str().unwrap().contains("4001"));
    }

    async fn resending_with_the_same_idempotency_key_returns_the_same_task(app) {
        let token = app.admin_token().await;
        let input = json!({ "prompt": "a red kettle", "idempotencyKey": "form-7f3a" });
        let first = app.submit(&token, input.clone()).await;
        let second = app.submit(&token, input).await;
        assert_eq!(first["task"]["id"], second["task"]["id"]);
        assert_eq!((first["replayed"].clone(), second["replayed"].clone()), (json!(false), json!(true)));
        let list = app.graphql_ok(Some(&token), "{ tasks { edges { node { id } } } }", json!({})).await;
        assert_eq!(list["tasks"]["edges"].as_array().unwrap().len(), 1);
    }

    async fn concurrent_requests_with_one_idempotency_key_create_one_task(app) {
        let token = app.admin_token().await;
        let input = json!({ "prompt": "a red kettle", "idempotencyKey": "double-click" });
        let submits = (0..8).map(|_| app.submit(&token, input.clone()));
        let payloads = futures::future::join_all(submits).await;
        let ids: std::collections::HashSet<_> = payloads.iter().map(|p| p["task"]["id"].clone()).collect();
        assert_eq!(ids.len(), 1, "{payloads:?}");
        let list = app.graphql_ok(Some(&token), "{ tasks { edges { node { id } } } }", json!({})).await;
        assert_eq!(list["tasks"]["edges"].as_array().unwrap().len(), 1);
    }

    async fn reusing_an_idempotency_key_for_other_parameters_is_a_conflict(app) {
        let token = app.admin_token().await;
        app.submit(&token, json!({ "prompt": "a red kettle", "idempotencyKey": "k1" })).await;
        let payload = app.submit(&token, json!({ "prompt": "a blue kettle", "idempotencyKey": "k1" })).await;
        assert!(payload["task"].is_null());
        assert_eq!(payload["userErrors"][0]["code"], "CONFLICT");
        assert_eq!(payload["userErrors"][0]["field"], json!(["input", "idempotencyKey"]));
    }

    async fn tasks_are_listed_newest_first_a_page_at_a_time(app) {
        let token = app.admin_token().await;
        for prompt in ["first", "second", "third"] {
            app.submit(&token, json!({ "prompt": prompt })).await;
        }
        let query = "query($after: String) { tasks(first: 2, after: $after) {
            edges { cursor node { prompt } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
        let page = app.graphql_ok(Some(&token), query, json!({})).await;
        let prompts: Vec<_> = page["tasks"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["prompt"].clone()).collect();
        assert_eq!(prompts, vec![json!("third"), json!("second")]);
        assert_eq!(page["tasks"]["pageInfo"]["hasNextPage"], true);

        let after = page["tasks"]["pageInfo"]["endCursor"].clone();
        let next = app.graphql_ok(Some(&token), query, json!({ "after": after })).await;
        let prompts: Vec<_> = next["tasks"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["prompt"].clone()).collect();
        assert_eq!(prompts, vec![json!("first")]);
        assert_eq!(next["tasks"]["pageInfo"]["hasNextPage"], false);
    }

    async fn the_list_filters_by_status_and_by_submitter(app) {
        let admin = app.admin_token().await;
        let creator = app.member(None, &[kiln::domain::account::Role::Creator]).await;
        let mine = app.submit(&creator, json!({ "prompt": "mine" })).await;
        let id = mine["task"]["id"].as_str().unwrap().to_owned();
        app.wait_until_finished(&creator, &id).await;
        app.submit(&admin, json!({ "prompt": "the admin's" })).await;

        let query = "query($filter: TaskFilter) { tasks(filter: $filter) { edges { node { prompt } } } }";
        let own = app.graphql_ok(Some(&creator), query, json!({ "filter": { "mine": true } })).await;
        assert_eq!(own["tasks"]["edges"], json!([{ "node": { "prompt": "mine" } }]));
        let done = app.graphql_ok(Some(&admin), query, json!({ "filter": { "status": ["SUCCEEDED"] } })).await;
        assert_eq!(done["tasks"]["edges"], json!([{ "node": { "prompt": "mine" } }]));
    }

    async fn a_task_can_be_fetched_again_through_node(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, json!({ "prompt": "a kettle" })).await;
        let id = payload["task"]["id"].clone();
        let data = app.graphql_ok(Some(&token), "query($id: ID!) { node(id: $id) { id ... on Task { prompt } } }", json!({ "id": id })).await;
        assert_eq!(data["node"]["id"], id);
        assert_eq!(data["node"]["prompt"], "a kettle");
    }
}
