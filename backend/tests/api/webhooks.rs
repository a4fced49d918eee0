//! Webhooks both ways: inbound hints from gateways, outbound signed callbacks with
//! retries, rotation, replay and auto-disabling, and the SSRF guard on every URL.
//! Webhook bodies are the receivers' JSON, read as `serde_json::Value`; the API is called
//! through typed operations, except a query for the endpoint's secret, a field the schema
//! does not have (so that query is sent raw).

use std::time::Duration;

use serde_json::{Value, json};
use standardwebhooks::Webhook;
use tokio::sync::mpsc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::gateway::{Gateway, mp4_bytes};
use kiln::domain::account::Role;
use sea_orm::EntityTrait;

use crate::helpers::{Engine, PATIENCE, Subscription, TestApp, code, each_engine, error_code};
use crate::ops::submit_task::SubmitTaskInput;
use crate::ops::webhook_delivery_updated::WebhookDeliveryUpdatedWebhookDeliveryUpdated as DeliveryUpdate;
use crate::ops::webhook_endpoints::WebhookEndpointsWebhookEndpoints as Endpoint;
use crate::ops::{
    self, DeliveryStatus, EndpointDisabledCode, TaskStatus, UserErrorCode, WebhookEventType, field,
    task_input,
};

/// A receiver that answers with `answers` in turn (the last one from then on) and hands
/// every request it gets to the test.
struct Receiver {
    answers: Vec<ResponseTemplate>,
    calls: std::sync::atomic::AtomicUsize,
    seen: mpsc::UnboundedSender<Request>,
}

impl Respond for Receiver {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _ = self.seen.send(request.clone());
        self.answers[n.min(self.answers.len() - 1)].clone()
    }
}

async fn receiver(
    mock: &MockServer,
    route: &str,
    answers: Vec<ResponseTemplate>,
) -> mpsc::UnboundedReceiver<Request> {
    let (seen, requests) = mpsc::unbounded_channel();
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(Receiver {
            answers,
            calls: Default::default(),
            seen,
        })
        .mount(mock)
        .await;
    requests
}

async fn next(requests: &mut mpsc::UnboundedReceiver<Request>) -> (Request, Value) {
    let request = tokio::time::timeout(PATIENCE, requests.recv())
        .await
        .expect("a delivery in time")
        .expect("the receiver is up");
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    (request, body)
}

/// The next `n` deliveries, each checked against `secret` with the standardwebhooks crate
/// (not with Kiln's own code), in the order the events happened. Deliveries run
/// concurrently and may arrive in any order, so receivers order them by `timestamp`.
async fn signed_events(
    requests: &mut mpsc::UnboundedReceiver<Request>,
    n: usize,
    secret: &str,
) -> Vec<Value> {
    let mut events = Vec::new();
    for _ in 0..n {
        let (request, body) = next(requests).await;
        Webhook::new(secret)
            .unwrap()
            .verify(&request.body, &request.headers)
            .expect("a valid signature");
        events.push(body);
    }
    events.sort_by_key(|body| {
        chrono::DateTime::parse_from_rfc3339(body["timestamp"].as_str().unwrap_or_default())
            .expect("an RFC 3339 timestamp")
    });
    events
}

/// The whole delivery log, live.
async fn delivery_updates(app: &TestApp, token: &str) -> Subscription<ops::WebhookDeliveryUpdated> {
    app.subscribe_op::<ops::WebhookDeliveryUpdated>(
        token,
        ops::webhook_delivery_updated::Variables { task_id: None },
    )
    .await
}

/// Waits until `n` deliveries have settled (delivered or failed), as the live log tells.
async fn settled(
    updates: &mut Subscription<ops::WebhookDeliveryUpdated>,
    n: usize,
) -> Vec<DeliveryUpdate> {
    let mut done: Vec<DeliveryUpdate> = Vec::new();
    while done.len() < n {
        let delivery = updates.next().await.webhook_delivery_updated;
        if delivery.status != DeliveryStatus::Pending && !done.iter().any(|d| d.id == delivery.id) {
            done.push(delivery);
        }
    }
    done
}

/// The endpoints with their delivery logs.
async fn endpoints(app: &TestApp, token: &str) -> Vec<Endpoint> {
    app.op::<ops::WebhookEndpoints>(Some(token), ops::webhook_endpoints::Variables)
        .await
        .webhook_endpoints
}

async fn create_endpoint(
    app: &TestApp,
    token: &str,
    url: &str,
    events: &[WebhookEventType],
) -> ops::create_webhook_endpoint::CreateWebhookEndpointCreateWebhookEndpoint {
    let input = ops::create_webhook_endpoint::CreateWebhookEndpointInput {
        url: url.to_owned(),
        event_types: events.to_vec(),
        description: None,
    };
    app.op::<ops::CreateWebhookEndpoint>(
        Some(token),
        ops::create_webhook_endpoint::Variables { input },
    )
    .await
    .create_webhook_endpoint
}

/// A new endpoint: (its id, its secret).
async fn endpoint(
    app: &TestApp,
    token: &str,
    url: &str,
    events: &[WebhookEventType],
) -> (String, String) {
    let payload = create_endpoint(app, token, url, events).await;
    assert_eq!(payload.user_errors, vec![], "{payload:?}");
    (payload.endpoint.unwrap().id, payload.secret.unwrap())
}

/// A task whose changes are sent to `url`.
fn with_callback(url: &str) -> SubmitTaskInput {
    SubmitTaskInput {
        callback_url: Some(url.to_owned()),
        ..task_input("a kettle")
    }
}

/// Whether the team has a callback secret, as the viewer sees it.
async fn has_callback_secret(app: &TestApp, token: &str) -> bool {
    let viewer = app
        .op::<ops::Viewer>(Some(token), ops::viewer::Variables)
        .await;
    viewer.viewer.unwrap().team.has_callback_secret
}

async fn rotate_callback_secret(app: &TestApp, token: &str) -> String {
    app.op::<ops::RotateCallbackSecret>(Some(token), ops::rotate_callback_secret::Variables)
        .await
        .rotate_callback_secret
        .secret
}

async fn replay(
    app: &TestApp,
    token: &str,
    id: String,
) -> ops::replay_webhook_delivery::ReplayWebhookDeliveryReplayWebhookDelivery {
    app.op::<ops::ReplayWebhookDelivery>(
        Some(token),
        ops::replay_webhook_delivery::Variables { id },
    )
    .await
    .replay_webhook_delivery
}

each_engine! {
    async fn endpoint_events_arrive_signed_per_standard_webhooks(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut hook = receiver(&gw.mock, "/hook", vec![ResponseTemplate::new(204)]).await;
        let (_, secret) = endpoint(&gw.app, &gw.token, &format!("{}/hook", gw.mock.uri()), &[WebhookEventType::TaskQueued, WebhookEventType::TaskSucceeded]).await;
        assert!(secret.starts_with("whsec_"));

        let id = gw.app.submit_ok(&gw.token, task_input("a kettle")).await;
        let events = signed_events(&mut hook, 2, &secret).await;
        let types: Vec<_> = events.iter().map(|e| e["type"].clone()).collect();
        assert_eq!(types, ["task.queued", "task.succeeded"]);
        assert!(events.iter().all(|e| e["data"]["id"] == id.as_str()));
        // The endpoint's secret cannot be read back, and the database keeps it sealed.
        let endpoints = gw.app.graphql(Some(&gw.token), "{ webhookEndpoints { secret } }", json!({})).await;
        assert_eq!(error_code(&endpoints), "GRAPHQL_VALIDATION_FAILED");
        let stored = kiln::entity::webhook_endpoint::Entity::find().all(&gw.app.state.db).await.unwrap();
        let key = secret.trim_start_matches("whsec_");
        assert!(stored[0].secret.starts_with("sealed:v1:") && !stored[0].secret.contains(key), "{}", stored[0].secret);
        gw.stop().await;
    }

    async fn a_failed_delivery_is_retried_on_schedule_honouring_retry_after_and_logged(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut hook = receiver(&gw.mock, "/flaky", vec![
            ResponseTemplate::new(500).set_body_string("database down"),
            ResponseTemplate::new(429).insert_header("retry-after", "2"),
            ResponseTemplate::new(200).set_body_string("thanks"),
        ]).await;
        endpoint(&gw.app, &gw.token, &format!("{}/flaky", gw.mock.uri()), &[WebhookEventType::TaskQueued]).await;
        let mut updates = delivery_updates(&gw.app, &gw.token).await;
        gw.app.submit(&gw.token, task_input("a kettle")).await;
        let (first, _) = next(&mut hook).await;
        let (second, _) = next(&mut hook).await;
        let second_at = std::time::Instant::now();
        let (third, _) = next(&mut hook).await;
        assert!(second_at.elapsed() >= Duration::from_millis(1_900), "Retry-After: 2 was honoured");
        let ids: Vec<_> = [first, second, third].iter().map(|r| r.headers["webhook-id"].to_str().unwrap().to_owned()).collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "every attempt carries the same webhook-id");
        settled(&mut updates, 1).await;

        let log = endpoints(&gw.app, &gw.token).await;
        let delivery = &log[0].deliveries.edges[0].node;
        assert_eq!(delivery.status, DeliveryStatus::Delivered);
        let codes: Vec<_> = delivery.attempts.iter().map(|a| a.status_code).collect();
        assert_eq!(codes, vec![Some(500), Some(429), Some(200)]);
        assert_eq!(delivery.attempts[0].response_excerpt.as_deref(), Some("database down"));
        gw.stop().await;
    }

    async fn a_410_disables_the_endpoint(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut hook = receiver(&gw.mock, "/gone", vec![ResponseTemplate::new(410)]).await;
        endpoint(&gw.app, &gw.token, &format!("{}/gone", gw.mock.uri()), &[WebhookEventType::TaskQueued, WebhookEventType::TaskSucceeded]).await;
        let mut updates = delivery_updates(&gw.app, &gw.token).await;
        let id = gw.app.submit_ok(&gw.token, task_input("a kettle")).await;
        next(&mut hook).await;
        assert_eq!(settled(&mut updates, 1).await[0].status, DeliveryStatus::Failed);
        gw.app.wait_until_finished(&gw.token, &id).await;
        let log = endpoints(&gw.app, &gw.token).await;
        let endpoint = &log[0];
        assert!(!endpoint.enabled);
        assert!(endpoint.disabled_reason.as_deref().unwrap().contains("410"));
        assert_eq!(endpoint.disabled_code, Some(EndpointDisabledCode::Gone));
        assert!(hook.try_recv().is_err(), "nothing more was sent to a gone endpoint");
        gw.stop().await;
    }

    async fn an_admin_turns_an_endpoint_off_and_on_and_the_code_says_who(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let (id, _) = endpoint(&gw.app, &gw.token, &format!("{}/hook", gw.mock.uri()), &[WebhookEventType::TaskQueued]).await;
        let update = |on: bool| {
            let input = ops::update_webhook_endpoint::UpdateWebhookEndpointInput { endpoint_id: id.clone(), url: None, event_types: None, description: None, enabled: Some(on) };
            gw.app.op::<ops::UpdateWebhookEndpoint>(Some(&gw.token), ops::update_webhook_endpoint::Variables { input })
        };
        let endpoint = update(false).await.update_webhook_endpoint.endpoint.unwrap();
        assert_eq!((endpoint.enabled, endpoint.disabled_code), (false, Some(EndpointDisabledCode::ByAdmin)));
        let endpoint = update(true).await.update_webhook_endpoint.endpoint.unwrap();
        assert!(endpoint.enabled);
        assert!(endpoint.disabled_code.is_none() && endpoint.disabled_reason.is_none(), "{endpoint:?}");
        gw.stop().await;
    }

    async fn an_endpoint_that_keeps_failing_is_disabled_with_an_event(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut disabled = gw.app.subscribe_op::<ops::WebhookEndpointDisabled>(&gw.token, ops::webhook_endpoint_disabled::Variables).await;
        let mut hook = receiver(&gw.mock, "/broken", vec![ResponseTemplate::new(503)]).await;
        let url = format!("{}/broken", gw.mock.uri());
        endpoint(&gw.app, &gw.token, &url, &[WebhookEventType::TaskQueued]).await;
        gw.app.submit(&gw.token, task_input("a kettle")).await;
        for _ in 0..3 {
            next(&mut hook).await;
        }
        let endpoint = disabled.next().await.webhook_endpoint_disabled;
        assert_eq!((endpoint.url.as_str(), endpoint.enabled), (url.as_str(), false));
        assert!(endpoint.disabled_reason.as_deref().unwrap().contains("3 attempts"));
        assert_eq!(endpoint.disabled_code, Some(EndpointDisabledCode::KeptFailing));
        gw.stop().await;
    }

    async fn a_rotated_secret_signs_alongside_the_old_one_and_a_replay_resends_the_message(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut hook = receiver(&gw.mock, "/hook", vec![ResponseTemplate::new(200)]).await;
        let (endpoint_id, old) = endpoint(&gw.app, &gw.token, &format!("{}/hook", gw.mock.uri()), &[WebhookEventType::TaskQueued]).await;
        let rotated = gw.app.op::<ops::RotateWebhookEndpointSecret>(Some(&gw.token), ops::rotate_webhook_endpoint_secret::Variables { id: endpoint_id }).await.rotate_webhook_endpoint_secret;
        let new = rotated.secret.unwrap();
        assert_ne!(new, old);
        assert!(rotated.endpoint.unwrap().previous_secret_expires_at.is_some());

        let mut updates = delivery_updates(&gw.app, &gw.token).await;
        gw.app.submit(&gw.token, task_input("a kettle")).await;
        let (request, _) = next(&mut hook).await;
        settled(&mut updates, 1).await;
        for secret in [&old, &new] {
            Webhook::new(secret).unwrap().verify(&request.body, &request.headers).expect("either secret verifies during the rotation");
        }

        let log = endpoints(&gw.app, &gw.token).await;
        let delivery = log[0].deliveries.edges[0].node.clone();
        let replayed = replay(&gw.app, &gw.token, delivery.id).await;
        assert_eq!(replayed.user_errors, vec![]);
        let (again, _) = next(&mut hook).await;
        assert_eq!(again.headers["webhook-id"], request.headers["webhook-id"]);
        assert_eq!(again.body, request.body);
        gw.stop().await;
    }

    async fn a_task_callback_url_gets_every_change_signed_with_the_team_secret(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut hook = receiver(&gw.mock, "/task-callback", vec![ResponseTemplate::new(200)]).await;
        let url = format!("{}/task-callback", gw.mock.uri());
        let early = gw.app.submit(&gw.token, with_callback(&url)).await;
        assert_eq!(early.user_errors[0].code, UserErrorCode::InvalidState, "no callback secret yet");
        assert!(!has_callback_secret(&gw.app, &gw.token).await);

        let secret = rotate_callback_secret(&gw.app, &gw.token).await;
        let mut updates = delivery_updates(&gw.app, &gw.token).await;
        assert!(has_callback_secret(&gw.app, &gw.token).await);
        let team = kiln::entity::team::Entity::find().all(&gw.app.state.db).await.unwrap().remove(0);
        let stored = team.callback_secret.expect("a stored callback secret");
        assert!(stored.starts_with("sealed:v1:") && !stored.contains(secret.trim_start_matches("whsec_")), "{stored}");
        let id = gw.app.submit_ok(&gw.token, with_callback(&url)).await;
        let events = signed_events(&mut hook, 3, &secret).await;
        let types: Vec<_> = events.iter().map(|e| e["type"].clone()).collect();
        assert_eq!(types, ["task.queued", "task.processing", "task.succeeded"]);
        let statuses: Vec<_> = events.iter().map(|e| e["data"]["status"].clone()).collect();
        assert_eq!(statuses, ["QUEUED", "PROCESSING", "SUCCEEDED"]);
        settled(&mut updates, 3).await;
        let log = gw.app.op::<ops::TaskCallbackDeliveries>(Some(&gw.token), ops::task_callback_deliveries::Variables { id: id.clone() }).await;
        let deliveries = log.task.unwrap().callback_deliveries.edges;
        assert_eq!(deliveries.len(), 3);
        assert!(deliveries.iter().all(|d| d.node.status == DeliveryStatus::Delivered && d.node.attempts[0].status_code == Some(200)));
        assert!(deliveries.iter().all(|d| d.node.task_id.as_deref() == Some(id.as_str()) && d.node.endpoint_id.is_none()));
        gw.stop().await;
    }

    async fn a_member_follows_a_tasks_deliveries_live_but_not_the_whole_log(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut hook = receiver(&gw.mock, "/hook", vec![ResponseTemplate::new(200)]).await;
        let (endpoint_id, _) = endpoint(&gw.app, &gw.token, &format!("{}/hook", gw.mock.uri()), &[WebhookEventType::TaskQueued]).await;
        let creator = gw.app.member(None, &[Role::Creator]).await;
        let mut admin_log = delivery_updates(&gw.app, &gw.token).await;
        let id = gw.app.submit_ok(&creator, task_input("a kettle")).await;
        next(&mut hook).await;
        settled(&mut admin_log, 1).await;

        let mut whole_log = delivery_updates(&gw.app, &creator).await;
        let event = whole_log.next_event().await;
        let refused = event.errors().expect("the whole log is for admins");
        assert_eq!(code(refused), "FORBIDDEN", "{refused:?}");

        let mut updates = gw.app.subscribe_op::<ops::WebhookDeliveryUpdated>(&creator, ops::webhook_delivery_updated::Variables { task_id: Some(id.clone()) }).await;
        let log = gw.app.op::<ops::TaskCallbackDeliveries>(Some(&creator), ops::task_callback_deliveries::Variables { id: id.clone() }).await;
        let delivery = log.task.unwrap().callback_deliveries.edges[0].node.id.clone();
        let replayed = replay(&gw.app, &gw.token, delivery).await;
        assert_eq!(replayed.user_errors, vec![]);
        next(&mut hook).await;
        let seen = updates.next().await.webhook_delivery_updated;
        assert_eq!((seen.task_id.as_deref(), seen.endpoint_id.as_deref()), (Some(id.as_str()), Some(endpoint_id.as_str())), "{seen:?}");
        gw.stop().await;
    }

    async fn a_signed_upstream_webhook_makes_kiln_poll_at_once(engine) {
        // Polls every minute: only the webhook can bring the result within the test's patience.
        let gw = Gateway::start(engine, |profile| profile.poll_interval_ms = 60_000).await;
        Mock::given(method("POST")).and(path("/v1/videos"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "video_w", "status": "queued" })))
            .mount(&gw.mock).await;
        Mock::given(method("GET")).and(path("/v1/videos/video_w"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "video_w", "status": "in_progress", "progress": 10 })))
            .up_to_n_times(1).with_priority(1).mount(&gw.mock).await;
        Mock::given(method("GET")).and(path("/v1/videos/video_w"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "video_w", "status": "completed" })))
            .with_priority(2).mount(&gw.mock).await;
        Mock::given(method("GET")).and(path("/v1/videos/video_w/content"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(mp4_bytes()))
            .mount(&gw.mock).await;
        let input = SubmitTaskInput { model: Some("gw-video".into()), input_type: ops::InputType::TextToVideo, ..task_input("waves") };
        let id = gw.app.submit_ok(&gw.token, input).await;
        let mut updates = gw.app.subscribe_op::<ops::TaskUpdated>(&gw.token, ops::task_updated::Variables { id: id.clone() }).await;
        while updates.next().await.task_updated.status != TaskStatus::Processing {}

        let body = json!({ "object": "event", "type": "video.completed", "data": { "id": "video_w" } }).to_string();
        let send = |id: &str, timestamp: i64, signature: String| {
            gw.app.client.post(gw.app.url("/webhooks/upstream/gateway"))
                .header("webhook-id", id)
                .header("webhook-timestamp", timestamp.to_string())
                .header("webhook-signature", signature)
                .body(body.clone())
                .send()
        };
        let signer = Webhook::new(&gw.webhook_secret).unwrap();
        let now = chrono::Utc::now().timestamp();
        let other_secret = kiln::webhook::signature::generate_secret();
        let forged = Webhook::new(secrecy::ExposeSecret::expose_secret(&other_secret)).unwrap().sign("wh_1", now, body.as_bytes()).unwrap();
        assert_eq!(send("wh_1", now, forged).await.unwrap().status(), 401);
        let stale = signer.sign("wh_1", now - 600, body.as_bytes()).unwrap();
        assert_eq!(send("wh_1", now - 600, stale).await.unwrap().status(), 401);
        let good = signer.sign("wh_1", now, body.as_bytes()).unwrap();
        let accepted = send("wh_1", now, good.clone()).await.unwrap();
        assert_eq!(accepted.status(), 200);
        assert_eq!(accepted.json::<Value>().await.unwrap()["status"], "accepted");
        let again = send("wh_1", now, good).await.unwrap().json::<Value>().await.unwrap();
        assert_eq!(again["status"], "duplicate");

        let task = gw.app.wait_until_finished(&gw.token, &id).await;
        assert_eq!(task.status, TaskStatus::Succeeded, "{task:?}");
        gw.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urls_pointing_inside_the_network_are_refused_everywhere() {
    // No allow-list: loopback and private networks are off limits.
    let app = TestApp::spawn(Engine::Sqlite).await;
    let token = app.admin_token().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://localhost:9/hook",
        "file:///etc/passwd",
    ] {
        let payload = create_endpoint(&app, &token, url, &[WebhookEventType::TaskSucceeded]).await;
        let errors = &payload.user_errors;
        assert_eq!(
            errors[0].field,
            field(&["input", "url"]),
            "{url}: {errors:?}"
        );
        assert_eq!(errors[0].code, UserErrorCode::Unsupported, "{url}");
    }
    rotate_callback_secret(&app, &token).await;
    let payload = app
        .submit(&token, with_callback("http://10.0.0.1/callback"))
        .await;
    assert_eq!(
        payload.user_errors[0].field,
        field(&["input", "callbackUrl"])
    );
    assert!(payload.task.is_none());
    // Reference files fetched from a link go through the same guard.
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/cat.png",
    ] {
        let input = ops::import_reference_asset::ImportReferenceAssetInput {
            url: url.to_owned(),
            licence_status: ops::LicenceStatus::Unknown,
            source: None,
            licence_note: None,
        };
        let data = app
            .op::<ops::ImportReferenceAsset>(
                Some(&token),
                ops::import_reference_asset::Variables { input },
            )
            .await;
        let errors = &data.import_reference_asset.user_errors;
        assert_eq!(
            errors[0].field,
            field(&["input", "url"]),
            "{url}: {errors:?}"
        );
        assert_eq!(errors[0].code, UserErrorCode::Unsupported, "{url}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_loopback_is_refused_at_delivery() {
    let gw = Gateway::start(Engine::Sqlite, |_| {}).await;
    // 127.0.0.1 is allow-listed for the stub; 127.0.0.2 is not.
    let port = gw.mock.address().port();
    let redirect = ResponseTemplate::new(307)
        .insert_header("location", format!("http://127.0.0.2:{port}/internal"));
    let mut hits = receiver(&gw.mock, "/redirecting", vec![redirect]).await;
    endpoint(
        &gw.app,
        &gw.token,
        &format!("{}/redirecting", gw.mock.uri()),
        &[WebhookEventType::TaskQueued],
    )
    .await;
    let mut updates = delivery_updates(&gw.app, &gw.token).await;
    gw.app.submit(&gw.token, task_input("a kettle")).await;
    next(&mut hits).await;
    assert_eq!(
        settled(&mut updates, 1).await[0].status,
        DeliveryStatus::Failed
    );
    let log = endpoints(&gw.app, &gw.token).await;
    let delivery = log[0].deliveries.edges[0].node.clone();
    let error = delivery.attempts[0].error.as_deref().unwrap();
    assert!(
        error.contains("redirected") && error.contains("127.0.0.2"),
        "{error}"
    );
    assert!(
        gw.mock
            .received_requests()
            .await
            .unwrap()
            .iter()
            .all(|r| r.url.path() != "/internal")
    );
    gw.stop().await;
}
