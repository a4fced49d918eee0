//! Team isolation: nothing of one team is visible to another, through any door.

use kiln::domain::account::Role;
use serde_json::json;

use crate::helpers::{WsEvent, both_engines, error_code};

both_engines! {
    async fn another_team_can_neither_read_nor_list_nor_download_a_task(app) {
        let owner = app.admin_token().await;
        let payload = app.submit(&owner, json!({ "prompt": "confidential launch visual" })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        let task = app.wait_until_finished(&owner, &id).await;
        let output = &task["outputs"][0];

        let stranger = app.member(Some("Rival Agency"), &[Role::Admin, Role::Creator]).await;
        let read = app.graphql_ok(Some(&stranger), "query($id: ID!) { task(id: $id) { id } node(id: $id) { id } }", json!({ "id": id })).await;
        assert!(read["task"].is_null());
        assert!(read["node"].is_null());
        let output_node = app.graphql_ok(Some(&stranger), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": output["id"] })).await;
        assert!(output_node["node"].is_null());
        let list = app.graphql_ok(Some(&stranger), "{ tasks { edges { node { id } } } }", json!({})).await;
        assert_eq!(list["tasks"]["edges"], json!([]));

        // Their own token on the download path gets a 404, as for a missing file…
        let asset_id = output["url"].as_str().unwrap().split('/').nth(2).unwrap().to_owned();
        let download = app.get(&format!("/files/{asset_id}/original"), Some(&stranger)).await;
        assert_eq!(download.status(), 404);
        // …while the owner's team downloads it with theirs.
        let own = app.get(&format!("/files/{asset_id}/original"), Some(&owner)).await;
        assert_eq!(own.status(), 200);
    }

    async fn another_team_cannot_subscribe_to_a_task(app) {
        let owner = app.admin_token().await;
        let payload = app.submit(&owner, json!({ "prompt": "confidential" })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        let stranger = app.member(Some("Rival Agency"), &[Role::Creator]).await;
        let mut subscription = app.subscribe(&stranger, "subscription($id: ID!) { taskUpdated(id: $id) { status } }", json!({ "id": id })).await;
        let event = subscription.next_event().await;
        let errors = event.errors().unwrap_or_else(|| panic!("expected errors, got {event:?}"));
        assert_eq!(errors[0]["extensions"]["code"], "NOT_FOUND", "{errors}");
    }

    async fn another_teams_task_events_never_reach_a_subscriber(app) {
        let owner = app.admin_token().await;
        let stranger = app.member(Some("Rival Agency"), &[Role::Creator]).await;
        let mut theirs = app.subscribe(&stranger, "subscription { taskEvents { task { id prompt } } }", json!({})).await;

        let secret = app.submit(&owner, json!({ "prompt": "confidential" })).await;
        let secret_id = secret["task"]["id"].as_str().unwrap().to_owned();
        app.wait_until_finished(&owner, &secret_id).await;
        // Events are delivered in order: the stranger's first event is their own task,
        // so none of the owner's (all earlier) came through.
        app.submit(&stranger, json!({ "prompt": "our own" })).await;
        let WsEvent::Next(first) = theirs.next_event().await else { panic!("no event") };
        assert_eq!(first["data"]["taskEvents"]["task"]["prompt"], "our own");
    }

    async fn a_user_of_another_team_is_not_a_node(app) {
        let owner = app.admin_token().await;
        let viewer = app.graphql_ok(Some(&owner), "{ viewer { user { id } } }", json!({})).await;
        let user_id = viewer["viewer"]["user"]["id"].clone();
        let stranger = app.member(Some("Rival Agency"), &[Role::Creator]).await;
        let data = app.graphql(Some(&stranger), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": user_id })).await;
        assert!(data["data"]["node"].is_null(), "{data}");
        assert_eq!(error_code(&data), "<no code>");
    }
}
