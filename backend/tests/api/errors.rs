//! Malformed and hostile requests and the raw shape of their errors. These send raw
//! text on purpose: no typed client could send a syntax error, an unknown field, a query
//! nested too deep, a wrong literal or an oversized body.

use serde_json::json;

use crate::helpers::{both_engines, code, error_code};

both_engines! {
    async fn a_body_that_is_not_json_gets_a_coded_400(app) {
        let response = app.client.post(app.url("/graphql"))
            .header("content-type", "application/json")
            .body("{not json")
            .send().await.unwrap();
        assert_eq!(response.status(), 400);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "BAD_REQUEST");
    }

    async fn a_query_with_a_syntax_error_gets_a_parse_error_code(app) {
        let response = app.graphql(None, "{ viewer { user { email }", json!({})).await;
        assert_eq!(error_code(&response), "GRAPHQL_PARSE_FAILED");
    }

    async fn a_query_for_an_unknown_field_gets_a_validation_error_code(app) {
        let token = app.admin_token().await;
        let response = app.graphql(Some(&token), "{ tasks { edges { node { passwordHash } } } }", json!({})).await;
        assert_eq!(error_code(&response), "GRAPHQL_VALIDATION_FAILED");
    }

    async fn a_query_nested_too_deep_is_refused(app) {
        let token = app.admin_token().await;
        let nested = "{ tasks { edges { node { outputs { id } history { at } submittedBy { id } } } } }";
        let ok = app.graphql(Some(&token), nested, json!({})).await;
        assert!(ok.get("errors").is_none(), "{ok}");

        let mut too_deep = String::from("name");
        for _ in 0..15 {
            too_deep = format!("ofType {{ {too_deep} }}");
        }
        let query = format!("{{ __schema {{ types {{ {too_deep} }} }} }}");
        let response = app.graphql(Some(&token), &query, json!({})).await;
        assert_eq!(error_code(&response), "GRAPHQL_VALIDATION_FAILED", "{response}");
    }

    async fn an_id_that_is_not_a_task_id_gets_a_bad_input_code(app) {
        let token = app.admin_token().await;
        let response = app.graphql(Some(&token), "{ task(id: \"definitely-not-an-id\") { id } }", json!({})).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
    }

    async fn a_page_larger_than_the_cap_is_refused(app) {
        let token = app.admin_token().await;
        let response = app.graphql(Some(&token), "{ tasks(first: 1000) { edges { node { id } } } }", json!({})).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
    }

    async fn an_oversized_body_is_refused(app) {
        let huge = "x".repeat(2 * 1024 * 1024);
        let response = app.client.post(app.url("/graphql"))
            .json(&json!({ "query": "{ viewer { roles } }", "variables": { "pad": huge } }))
            .send().await.unwrap();
        assert_eq!(response.status(), 413);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");
    }
}

both_engines! {
    async fn an_invalid_subscription_gets_a_coded_error_message(app) {
        let token = app.admin_token().await;
        let mut subscription = app.subscribe(&token, "subscription { taskEvents { noSuchField } }", json!({})).await;
        let event = subscription.next_event().await;
        let errors = event.errors().unwrap_or_else(|| panic!("expected errors, got {event:?}"));
        assert_eq!(code(errors), "GRAPHQL_VALIDATION_FAILED", "{errors:?}");
    }
}
