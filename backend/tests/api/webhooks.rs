//! Webhooks both ways: inbound hints from gateways, outbound signed callbacks with
//! retries, rotation, replay and auto-disabling, and the SSRF guard on every URL.

use std::time::Duration;

use serde_json::{Value, json};
use standardwebhooks::Webhook;
use tokio::sync::mpsc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::gateway::{Gateway, mp4_bytes};
use kiln::domain::account::Role;
use sea_orm::EntityTrait;

use crate::helpers::{Engine, PATIENCE, TestApp, WsEvent, each_engine, error_code};

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

const DELIVERY_UPDATES: &str = "subscription { webhookDeliveryUpdated { id status } }";

/// Waits until `n` deliveries have settled (delivered or failed), as the live log tells.
async fn settled(updates: &mut crate::helpers::WsSubscription, n: usize) -> Vec<Value> {
    let mut done: Vec<Value> = Vec::new();
    while done.len() < n {
        let WsEvent::Next(event) = updates.next_event().await else {
            panic!("the log subscription ended")
        };
        let delivery = event["data"]["webhookDeliveryUpdated"].clone();
        if delivery["status"] != "PENDING" && !done.iter().any(|d| d["id"] == delivery["id"]) {
            done.push(delivery);
        }
    }
    done
}

const CREATE: &str =
    "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
    endpoint { id url enabled eventTypes } secret userErrors { field code message } } }";
const DELIVERIES: &str = "query { webhookEndpoints { enabled disabledReason disabledCode deliveries { edges { node {
    id messageId eventType status attempts { statusCode latencyMs responseExcerpt error } } } } } }";

async fn endpoint(app: &TestApp, token: &str, url: &str, events: &[&str]) -> (String, String) {
    let data = app
        .graphql_ok(
            Some(token),
            CREATE,
            json!({ "input": { "url": url, "eventTypes": events } }),
        )
        .await;
    let payload = &data["createWebhookEndpoint"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    (
        payload["endpoint"]["id"].as_str().unwrap().to_owned(),
        payload["secret"].as_str().unwrap().to_owned(),
    )
}

each_engine! {
    async fn endpoint_events_arrive_signed_per_standard_webhooks(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut hook = receiver(&gw.mock, "/hook", vec![ResponseTemplate::new(204)]).await;
        let (_, secret) = endpoint(&gw.app, &gw.token, &format!("{}/hook", gw.mock.uri()), &["TASK_QUEUED", "TASK_SUCCEEDED"]).await;
        assert!(secret.starts_with("whsec_"));

        let payload = gw.app.submit(&gw.token, json!({ "prompt": "a kettle" })).await;
        let id = payload["task"]["id"].clone();
        let events = signed_events(&mut hook, 2, &secret).await;
        let types: Vec<_> = events.iter().map(|e| e["type"].clone()).collect();
        assert_eq!(types, ["task.queued", "task.succeeded"]);
        assert!(events.iter().all(|e| e["data"]["id"] == id));
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
        endpoint(&gw.app, &gw.token, &format!("{}/flaky", gw.mock.uri()), &["TASK_QUEUED"]).await;
        let mut updates = gw.app.subscribe(&gw.token, DELIVERY_UPDATES, json!({})).await;
        gw.app.submit(&gw.token, json!({ "prompt": "a kettle" })).await;
        let (first, _) = next(&mut hook).await;
        let (second, _) = next(&mut hook).await;
        let second_at = std::time::Instant::now();
        let (third, _) = next(&mut hook).await;
        assert!(second_at.elapsed() >= Duration::from_millis(1_900), "Retry-After: 2 was honoured");
        let ids: Vec<_> = [first, second, third].iter().map(|r| r.headers["webhook-id"].to_str().unwrap().to_owned()).collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "every attempt carries the same webhook-id");
        settled(&mut updates, 1).await;

        let log = gw.app.graphql_ok(Some(&gw.token), DELIVERIES, json!({})).await;
        let delivery = &log["webhookEndpoints"][0]["deliveries"]["edges"][0]["node"];
        assert_eq!(delivery["status"], "DELIVERED");
        let codes: Vec<_> = delivery["attempts"].as_array().unwrap().iter().map(|a| a["statusCode"].clone()).collect();
        assert_eq!(codes, vec![json!(500), json!(429), json!(200)]);
        assert_eq!(delivery["attempts"][0]["responseExcerpt"], "database down");
        gw.stop().await;
    }

    async fn a_410_disables_the_endpoint(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut hook = receiver(&gw.mock, "/gone", vec![ResponseTemplate::new(410)]).await;
        endpoint(&gw.app, &gw.token, &format!("{}/gone", gw.mock.uri()), &["TASK_QUEUED", "TASK_SUCCEEDED"]).await;
        let mut updates = gw.app.subscribe(&gw.token, DELIVERY_UPDATES, json!({})).await;
        let payload = gw.app.submit(&gw.token, json!({ "prompt": "a kettle" })).await;
        next(&mut hook).await;
        assert_eq!(settled(&mut updates, 1).await[0]["status"], "FAILED");
        gw.app.wait_until_finished(&gw.token, payload["task"]["id"].as_str().unwrap()).await;
        let log = gw.app.graphql_ok(Some(&gw.token), DELIVERIES, json!({})).await;
        let endpoint = &log["webhookEndpoints"][0];
        assert_eq!(endpoint["enabled"], false);
        assert!(endpoint["disabledReason"].as_str().unwrap().contains("410"));
        assert_eq!(endpoint["disabledCode"], "GONE");
        assert!(hook.try_recv().is_err(), "nothing more was sent to a gone endpoint");
        gw.stop().await;
    }

    async fn an_admin_turns_an_endpoint_off_and_on_and_the_code_says_who(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let (id, _) = endpoint(&gw.app, &gw.token, &format!("{}/hook", gw.mock.uri()), &["TASK_QUEUED"]).await;
        let update = "mutation($id: ID!, $on: Boolean!) { updateWebhookEndpoint(input: { endpointId: $id, enabled: $on }) { endpoint { enabled disabledReason disabledCode } userErrors { code } } }";
        let off = gw.app.graphql_ok(Some(&gw.token), update, json!({ "id": id, "on": false })).await;
        let endpoint = &off["updateWebhookEndpoint"]["endpoint"];
        assert_eq!((endpoint["enabled"].clone(), endpoint["disabledCode"].clone()), (json!(false), json!("BY_ADMIN")));
        let on = gw.app.graphql_ok(Some(&gw.token), update, json!({ "id": id, "on": true })).await;
        let endpoint = &on["updateWebhookEndpoint"]["endpoint"];
        assert_eq!(endpoint["enabled"], true);
        assert!(endpoint["disabledCode"].is_null() && endpoint["disabledReason"].is_null(), "{endpoint}");
        gw.stop().await;
    }

    async fn an_endpoint_that_keeps_failing_is_disabled_with_an_event(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut disabled = gw.app.subscribe(&gw.token, "subscription { webhookEndpointDisabled { url enabled disabledReason disabledCode } }", json!({})).await;
        let mut hook = receiver(&gw.mock, "/broken", vec![ResponseTemplate::new(503)]).await;
        let url = format!("{}/broken", gw.mock.uri());
        endpoint(&gw.app, &gw.token, &url, &["TASK_QUEUED"]).await;
        gw.app.submit(&gw.token, json!({ "prompt": "a kettle" })).await;
        for _ in 0..3 {
            next(&mut hook).await;
        }
        let WsEvent::Next(event) = disabled.next_event().await else { panic!("no event") };
        let endpoint = &event["data"]["webhookEndpointDisabled"];
        assert_eq!((endpoint["url"].clone(), endpoint["enabled"].clone()), (json!(url), json!(false)));
        assert!(endpoint["disabledReason"].as_str().unwrap().contains("3 attempts"));
        assert_eq!(endpoint["disabledCode"], "KEPT_FAILING");
        gw.stop().await;
    }

    async fn a_rotated_secret_signs_alongside_the_old_one_and_a_replay_resends_the_message(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut hook = receiver(&gw.mock, "/hook", vec![ResponseTemplate::new(200)]).await;
        let (endpoint_id, old) = endpoint(&gw.app, &gw.token, &format!("{}/hook", gw.mock.uri()), &["TASK_QUEUED"]).await;
        let rotated = gw.app.graphql_ok(Some(&gw.token), "mutation($id: ID!) { rotateWebhookEndpointSecret(input: { endpointId: $id }) { secret endpoint { previousSecretExpiresAt } } }", json!({ "id": endpoint_id })).await;
        let new = rotated["rotateWebhookEndpointSecret"]["secret"].as_str().unwrap().to_owned();
        assert_ne!(new, old);
        assert!(rotated["rotateWebhookEndpointSecret"]["endpoint"]["previousSecretExpiresAt"].is_string());

        let mut updates = gw.app.subscribe(&gw.token, DELIVERY_UPDATES, json!({})).await;
        gw.app.submit(&gw.token, json!({ "prompt": "a kettle" })).await;
        let (request, _) = next(&mut hook).await;
        settled(&mut updates, 1).await;
        for secret in [&old, &new] {
            Webhook::new(secret).unwrap().verify(&request.body, &request.headers).expect("either secret verifies during the rotation");
        }

        let log = gw.app.graphql_ok(Some(&gw.token), DELIVERIES, json!({})).await;
        let delivery = log["webhookEndpoints"][0]["deliveries"]["edges"][0]["node"].clone();
        let replayed = gw.app.graphql_ok(Some(&gw.token), "mutation($id: ID!) { replayWebhookDelivery(input: { deliveryId: $id }) { delivery { status } userErrors { code } } }", json!({ "id": delivery["id"] })).await;
        assert_eq!(replayed["replayWebhookDelivery"]["userErrors"], json!([]));
        let (again, _) = next(&mut hook).await;
        assert_eq!(again.headers["webhook-id"], request.headers["webhook-id"]);
        assert_eq!(again.body, request.body);
        gw.stop().await;
    }

    async fn a_task_callback_url_gets_every_change_signed_with_the_team_secret(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut hook = receiver(&gw.mock, "/task-callback", vec![ResponseTemplate::new(200)]).await;
        let url = format!("{}/task-callback", gw.mock.uri());
        let early = gw.app.submit(&gw.token, json!({ "prompt": "a kettle", "callbackUrl": url })).await;
        assert_eq!(early["userErrors"][0]["code"], "INVALID_STATE", "no callback secret yet");
        let has_secret = "{ viewer { team { hasCallbackSecret } } }";
        assert_eq!(gw.app.graphql_ok(Some(&gw.token), has_secret, json!({})).await["viewer"]["team"]["hasCallbackSecret"], false);

        let secret = gw.app.graphql_ok(Some(&gw.token), "mutation { rotateCallbackSecret { secret } }", json!({})).await["rotateCallbackSecret"]["secret"].as_str().unwrap().to_owned();
        let mut updates = gw.app.subscribe(&gw.token, DELIVERY_UPDATES, json!({})).await;
        assert_eq!(gw.app.graphql_ok(Some(&gw.token), has_secret, json!({})).await["viewer"]["team"]["hasCallbackSecret"], true);
        let team = kiln::entity::team::Entity::find().all(&gw.app.state.db).await.unwrap().remove(0);
        let stored = team.callback_secret.expect("a stored callback secret");
        assert!(stored.starts_with("sealed:v1:") && !stored.contains(secret.trim_start_matches("whsec_")), "{stored}");
        let payload = gw.app.submit(&gw.token, json!({ "prompt": "a kettle", "callbackUrl": url })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        let events = signed_events(&mut hook, 3, &secret).await;
        let types: Vec<_> = events.iter().map(|e| e["type"].clone()).collect();
        assert_eq!(types, ["task.queued", "task.processing", "task.succeeded"]);
        let statuses: Vec<_> = events.iter().map(|e| e["data"]["status"].clone()).collect();
        assert_eq!(statuses, ["QUEUED", "PROCESSING", "SUCCEEDED"]);
        settled(&mut updates, 3).await;
        let log = gw.app.graphql_ok(Some(&gw.token), "query($id: ID!) { task(id: $id) { callbackDeliveries { edges { node { eventType status taskId endpointId attempts { statusCode latencyMs } } } } } }", json!({ "id": id })).await;
        let deliveries = log["task"]["callbackDeliveries"]["edges"].as_array().unwrap();
        assert_eq!(deliveries.len(), 3);
        assert!(deliveries.iter().all(|d| d["node"]["status"] == "DELIVERED" && d["node"]["attempts"][0]["statusCode"] == 200));
        assert!(deliveries.iter().all(|d| d["node"]["taskId"] == json!(id) && d["node"]["endpointId"].is_null()));
        gw.stop().await;
    }

    async fn a_member_follows_a_tasks_deliveries_live_but_not_the_whole_log(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let mut hook = receiver(&gw.mock, "/hook", vec![ResponseTemplate::new(200)]).await;
        let (endpoint_id, _) = endpoint(&gw.app, &gw.token, &format!("{}/hook", gw.mock.uri()), &["TASK_QUEUED"]).await;
        let creator = gw.app.member(None, &[Role::Creator]).await;
        let mut admin_log = gw.app.subscribe(&gw.token, DELIVERY_UPDATES, json!({})).await;
        let payload = gw.app.submit(&creator, json!({ "prompt": "a kettle" })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        next(&mut hook).await;
        settled(&mut admin_log, 1).await;

        let mut whole_log = gw.app.subscribe(&creator, DELIVERY_UPDATES, json!({})).await;
        let refused = whole_log.next_event().await.errors().expect("the whole log is for admins");
        assert_eq!(refused[0]["extensions"]["code"], "FORBIDDEN", "{refused}");

        let mut updates = gw.app.subscribe(&creator, "subscription($id: ID!) { webhookDeliveryUpdated(taskId: $id) { id status taskId endpointId } }", json!({ "id": id })).await;
        let log = gw.app.graphql_ok(Some(&creator), "query($id: ID!) { task(id: $id) { callbackDeliveries { edges { node { id } } } } }", json!({ "id": id })).await;
        let delivery = log["task"]["callbackDeliveries"]["edges"][0]["node"]["id"].clone();
        let replayed = gw.app.graphql_ok(Some(&gw.token), "mutation($id: ID!) { replayWebhookDelivery(input: { deliveryId: $id }) { userErrors { code } } }", json!({ "id": delivery })).await;
        assert_eq!(replayed["replayWebhookDelivery"]["userErrors"], json!([]));
        next(&mut hook).await;
        let WsEvent::Next(event) = updates.next_event().await else { panic!("no delivery update") };
        let seen = &event["data"]["webhookDeliveryUpdated"];
        assert_eq!((seen["taskId"].clone(), seen["endpointId"].clone()), (json!(id), json!(endpoint_id)), "{event}");
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
        let payload = gw.app.submit(&gw.token, json!({ "prompt": "waves", "model": "gw-video", "inputType": "TEXT_TO_VIDEO" })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        let mut updates = gw.app.subscribe(&gw.token, "subscription($id: ID!) { taskUpdated(id: $id) { status } }", json!({ "id": id })).await;
        loop {
            let WsEvent::Next(update) = updates.next_event().await else { panic!("ended early") };
            if update["data"]["taskUpdated"]["status"] == "PROCESSING" {
                break;
            }
        }

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
        assert_eq!(task["status"], "SUCCEEDED", "{task}");
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
        let data = app
            .graphql_ok(
                Some(&token),
                CREATE,
                json!({ "input": { "url": url, "eventTypes": ["TASK_SUCCEEDED"] } }),
            )
            .await;
        let errors = &data["createWebhookEndpoint"]["userErrors"];
        assert_eq!(
            errors[0]["field"],
            json!(["input", "url"]),
            "{url}: {errors}"
        );
        assert_eq!(errors[0]["code"], "UNSUPPORTED", "{url}");
    }
    app.graphql_ok(
        Some(&token),
        "mutation { rotateCallbackSecret { secret } }",
        json!({}),
    )
    .await;
    let payload = app
        .submit(
            &token,
            json!({ "prompt": "a kettle", "callbackUrl": "http://10.0.0.1/callback" }),
        )
        .await;
    assert_eq!(
        payload["userErrors"][0]["field"],
        json!(["input", "callbackUrl"])
    );
    assert!(payload["task"].is_null());
    // Reference files fetched from a link go through the same guard.
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/cat.png",
    ] {
        let data = app
            .graphql_ok(
                Some(&token),
                "mutation($url: String!) { importReferenceAsset(input: { url: $url }) { referenceAsset { id } userErrors { field code } } }",
                json!({ "url": url }),
            )
            .await;
        let errors = &data["importReferenceAsset"]["userErrors"];
        assert_eq!(
            errors[0]["field"],
            json!(["input", "url"]),
            "{url}: {errors}"
        );
        assert_eq!(errors[0]["code"], "UNSUPPORTED", "{url}");
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
        &["TASK_QUEUED"],
    )
    .await;
    let mut updates = gw
        .app
        .subscribe(&gw.token, DELIVERY_UPDATES, json!({}))
        .await;
    gw.app
        .submit(&gw.token, json!({ "prompt": "a kettle" }))
        .await;
    next(&mut hits).await;
    assert_eq!(settled(&mut updates, 1).await[0]["status"], "FAILED");
    let log = gw
        .app
        .graphql_ok(Some(&gw.token), DELIVERIES, json!({}))
        .await;
    let delivery = log["webhookEndpoints"][0]["deliveries"]["edges"][0]["node"].clone();
    let error = delivery["attempts"][0]["error"].as_str().unwrap();
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
