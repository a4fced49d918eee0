use kiln::domain::account::Role;
use serde_json::json;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, both_engines, error_code};

const VIEWER: &str = "{ viewer { user { email displayName } team { name } roles } }";

both_engines! {
    async fn the_first_administrator_signs_in_and_sees_who_they_are(app) {
        let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(login["userErrors"], json!([]));
        let token = login["token"].as_str().expect("a token");
        assert!(login["expiresAt"].is_string());

        let data = app.graphql_ok(Some(token), VIEWER, json!({})).await;
        assert_eq!(data["viewer"]["user"]["email"], ADMIN_EMAIL);
        assert_eq!(data["viewer"]["team"]["name"], "Acme Marketing");
        assert_eq!(data["viewer"]["roles"], json!(["ADMIN", "CREATOR", "REVIEWER"]));
    }

    async fn the_email_is_matched_regardless_of_case_and_spaces(app) {
        let login = app.login(&format!("  {}  ", ADMIN_EMAIL.to_uppercase()), ADMIN_PASSWORD).await;
        assert!(login["token"].is_string(), "{login}");
    }

    async fn a_wrong_password_gets_a_clear_user_error_and_no_token(app) {
        let login = app.login(ADMIN_EMAIL, "not the password").await;
        assert!(login["token"].is_null());
        assert_eq!(login["userErrors"][0]["code"], "INVALID_CREDENTIALS");
        assert_eq!(login["userErrors"][0]["message"], "The e-mail or password is not correct.");
    }

    async fn an_unknown_email_gets_the_same_answer_as_a_wrong_password(app) {
        let unknown = app.login("nobody@example.com", "not the password").await;
        let wrong = app.login(ADMIN_EMAIL, "not the password").await;
        assert_eq!(unknown["userErrors"], wrong["userErrors"]);
    }

    async fn a_malformed_email_is_reported_on_its_field(app) {
        let login = app.login("not-an-email", ADMIN_PASSWORD).await;
        assert_eq!(login["userErrors"][0]["field"], json!(["input", "email"]));
        assert_eq!(login["userErrors"][0]["code"], "INVALID");
    }

    async fn without_a_token_the_viewer_is_null_and_data_is_refused(app) {
        let data = app.graphql_ok(None, VIEWER, json!({})).await;
        assert!(data["viewer"].is_null());
        let response = app.graphql(None, "{ tasks { edges { node { id } } } }", json!({})).await;
        assert_eq!(error_code(&response), "UNAUTHENTICATED");
    }

    async fn a_forged_token_is_refused_with_401(app) {
        let response = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl")
            .json(&json!({ "query": VIEWER }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
    }

    async fn a_token_from_another_server_secret_is_refused(app) {
        let other = kiln::auth::token::Tokens::new(
            &secrecy::SecretString::from("some other server"),
            std::time::Duration::from_secs(60),
        );
        let admin = app.admin_token().await;
        let subject = app.state.tokens.verify(&admin).unwrap();
        let (forged, _) = other.issue(subject.user_id, subject.team_id).unwrap();
        let response = app.client.post(app.url("/graphql")).bearer_auth(forged)
            .json(&json!({ "query": VIEWER })).send().await.unwrap();
        assert_eq!(response.status(), 401);
    }

    async fn a_reviewer_cannot_submit_tasks(app) {
        let brief = app.brief(&app.admin_token().await).await;
        let reviewer = app.member(None, &[Role::Reviewer]).await;
        let response = app.graphql(
            Some(&reviewer),
            "mutation($brief: ID!) { submitTask(input: { briefId: $brief, prompt: \"a kettle\" }) { task { id } } }",
            json!({ "brief": brief }),
        ).await;
        assert_eq!(error_code(&response), "FORBIDDEN");
    }

    async fn a_websocket_without_a_valid_token_is_refused(app) {
        let mut ws = crate::helpers::WsSubscription::connect(app, json!({ "token": "garbage" })).await;
        match ws.next_event().await {
            crate::helpers::WsEvent::Closed(reason) => {
                assert!(reason.unwrap_or_default().contains("Not signed in"));
            }
            other => panic!("expected the connection to be closed, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_administrator_password_is_never_stored_in_clear() {
    use sea_orm::EntityTrait;
    let app = crate::helpers::TestApp::spawn(crate::helpers::Engine::Sqlite).await;
    let users = kiln::entity::user::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    assert!(users[0].password_hash.starts_with("$argon2id$"));
    assert!(!users[0].password_hash.contains(ADMIN_PASSWORD));
    assert!(
        !format!("{:?}", users[0]).contains("argon2"),
        "the hash must not reach logs"
    );
}

#[tokio::test]
async fn without_a_configured_password_a_random_one_is_generated_and_works() {
    let app = crate::helpers::TestApp::spawn_with(crate::helpers::Engine::Sqlite, |config| {
        config.admin_email = None;
        config.admin_password = None;
    })
    .await;
    let password = app
        .generated_admin_password
        .clone()
        .expect("a generated password");
    assert!(password.len() >= 20);
    let login = app
        .login(kiln::service::account::DEFAULT_ADMIN_EMAIL, &password)
        .await;
    assert!(login["token"].is_string(), "{login}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_that_keeps_failing_to_sign_in_is_slowed_down_alone() {
    let app = crate::helpers::TestApp::spawn_with(crate::helpers::Engine::Sqlite, |config| {
        config.login_burst = 2;
        config.login_refill_secs = 60;
    })
    .await;
    for _ in 0..3 {
        let wrong = app.login(ADMIN_EMAIL, "a guess").await;
        assert_eq!(
            wrong["userErrors"][0]["code"], "INVALID_CREDENTIALS",
            "{wrong}"
        );
    }
    // Blocked now: even the right password is refused, before it is checked.
    let right = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(right["token"].is_null(), "{right}");
    assert_eq!(right["userErrors"][0]["code"], "RATE_LIMITED");
    let message = right["userErrors"][0]["message"].as_str().unwrap();
    assert!(message.contains("Try again in"), "{message}");
    // Other accounts are not affected.
    let other = app.login("someone.else@example.com", "a guess").await;
    assert_eq!(
        other["userErrors"][0]["code"], "INVALID_CREDENTIALS",
        "{other}"
    );
    app.stop().await;
}
