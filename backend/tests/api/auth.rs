//! Signing in, tokens, roles. The forged-token tests post a typed operation's body by
//! hand, to see the HTTP status.

use kiln::domain::account::Role;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, both_engines, code, error_code, request_body};
use crate::ops::{self, UserErrorCode, field};

both_engines! {
    async fn the_first_administrator_signs_in_and_sees_who_they_are(app) {
        let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(login.user_errors, vec![]);
        let token = login.token.expect("a token");
        assert!(login.expires_at.is_some());

        let viewer = app.op::<ops::Viewer>(Some(&token), ops::viewer::Variables).await.viewer.unwrap();
        assert_eq!(viewer.user.email, ADMIN_EMAIL);
        assert_eq!(viewer.team.name, "Acme Marketing");
        assert_eq!(viewer.roles, vec![ops::Role::Admin, ops::Role::Creator, ops::Role::Reviewer]);
    }

    async fn the_email_is_matched_regardless_of_case_and_spaces(app) {
        let login = app.login(&format!("  {}  ", ADMIN_EMAIL.to_uppercase()), ADMIN_PASSWORD).await;
        assert!(login.token.is_some(), "{login:?}");
    }

    async fn a_wrong_password_gets_a_clear_user_error_and_no_token(app) {
        let login = app.login(ADMIN_EMAIL, "not the password").await;
        assert!(login.token.is_none());
        assert_eq!(login.user_errors[0].code, UserErrorCode::InvalidCredentials);
        assert_eq!(login.user_errors[0].message, "The e-mail or password is not correct.");
    }

    async fn an_unknown_email_gets_the_same_answer_as_a_wrong_password(app) {
        let unknown = app.login("nobody@example.com", "not the password").await;
        let wrong = app.login(ADMIN_EMAIL, "not the password").await;
        assert_eq!(unknown.user_errors, wrong.user_errors);
    }

    async fn a_malformed_email_is_reported_on_its_field(app) {
        let login = app.login("not-an-email", ADMIN_PASSWORD).await;
        assert_eq!(login.user_errors[0].field, field(&["input", "email"]));
        assert_eq!(login.user_errors[0].code, UserErrorCode::Invalid);
    }

    async fn without_a_token_the_viewer_is_null_and_data_is_refused(app) {
        let data = app.op::<ops::Viewer>(None, ops::viewer::Variables).await;
        assert!(data.viewer.is_none());
        let errors = app.try_op::<ops::Tasks>(None, ops::tasks::Variables { first: 20, after: None, filter: None }).await.unwrap_err();
        assert_eq!(code(&errors), "UNAUTHENTICATED");
    }

    async fn a_forged_token_is_refused_with_401(app) {
        let response = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl")
            .json(&request_body::<ops::Viewer>(ops::viewer::Variables))
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
            .json(&request_body::<ops::Viewer>(ops::viewer::Variables)).send().await.unwrap();
        assert_eq!(response.status(), 401);
    }

    async fn a_reviewer_cannot_submit_tasks(app) {
        let brief = app.brief(&app.admin_token().await).await;
        let reviewer = app.member(None, &[Role::Reviewer]).await;
        let input = ops::submit_task::SubmitTaskInput { brief_id: brief, ..ops::task_input("a kettle") };
        let errors = app.try_op::<ops::SubmitTask>(Some(&reviewer), ops::submit_task::Variables { input }).await.unwrap_err();
        assert_eq!(code(&errors), "FORBIDDEN");
    }

    async fn a_websocket_without_a_valid_token_is_refused(app) {
        let mut ws = crate::helpers::WsSubscription::connect(app, serde_json::json!({ "token": "garbage" })).await;
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
    assert!(login.token.is_some(), "{login:?}");
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
            wrong.user_errors[0].code,
            UserErrorCode::InvalidCredentials,
            "{wrong:?}"
        );
    }
    // Blocked now: even the right password is refused, before it is checked.
    let right = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(right.token.is_none(), "{right:?}");
    assert_eq!(right.user_errors[0].code, UserErrorCode::RateLimited);
    let message = &right.user_errors[0].message;
    assert!(message.contains("Try again in"), "{message}");
    // Other accounts are not affected.
    let other = app.login("someone.else@example.com", "a guess").await;
    assert_eq!(
        other.user_errors[0].code,
        UserErrorCode::InvalidCredentials,
        "{other:?}"
    );
    app.stop().await;
}
