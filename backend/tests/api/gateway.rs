//! The OpenAI-compatible provider against a stub gateway (`wiremock`): every answer a
//! real gateway gives, and what Kiln makes of it.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kiln::config::{ProviderProfile, VideoDialect};
use kiln::domain::catalogue::OutputFormat;
use kiln::domain::catalogue::{ModelSpec, Price, Quality, Resolution, default_models};
use kiln::domain::task::{InputType, TaskKind};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::{Engine, TestApp, each_engine};
use crate::ops::submit_task::SubmitTaskInput;
use crate::ops::task_by_id::TaskDetail;
use crate::ops::{self, FailureReason, TaskStatus, task_input};

pub const API_KEY: &str = "sk-test-0123456789abcdef";

/// A stub gateway and a Kiln that uses it as provider `gateway` (and, for the task-style
/// video dialect, as provider `newapi`).
pub struct Gateway {
    pub mock: MockServer,
    pub app: TestApp,
    pub token: String,
    pub webhook_secret: String,
    _dir: tempfile::TempDir,
}

pub fn profile(name: &str, base_url: &str, dir: &std::path::Path) -> ProviderProfile {
    let key_file = dir.join(format!("{name}.key"));
    std::fs::write(&key_file, API_KEY).unwrap();
    ProviderProfile {
        name: name.to_owned(),
        base_url: base_url.to_owned(),
        api_key_env: None,
        api_key_file: Some(key_file),
        video_dialect: VideoDialect::Openai,
        idempotency_header: None,
        timeout_secs: 2,
        max_concurrency: 4,
        requests_per_minute: 6_000,
        webhook_secret_env: None,
        webhook_secret_file: None,
        poll_interval_ms: 50,
    }
}

fn model(id: &str, provider: &str, kind: TaskKind, upstream: &str) -> ModelSpec {
    let image = kind == TaskKind::Image;
    ModelSpec {
        id: id.to_owned(),
        label: id.to_owned(),
        label_zh: None,
        usual_secs: None,
        kind,
        provider: provider.to_owned(),
        upstream_model: Some(upstream.to_owned()),
        input_types: if image {
            vec![InputType::TextToImage, InputType::ImageToImage]
        } else {
            vec![InputType::TextToVideo, InputType::ImageToVideo]
        },
        sizes: if image {
            vec!["1024x1024".into(), "1536x1024".into()]
        } else {
            vec![]
        },
        qualities: if image {
            vec![Quality::Low, Quality::Medium, Quality::High]
        } else {
            vec![]
        },
        max_count: if image { 4 } else { 1 },
        durations: if image { vec![] } else { vec![4, 8, 12] },
        frame_rates: if image { vec![] } else { vec![24, 60] },
        resolutions: if image {
            vec![]
        } else {
            vec![Resolution::P480, Resolution::P720]
        },
        output_formats: if image {
            vec![OutputFormat::Png]
        } else {
            vec![OutputFormat::Mp4]
        },
        negative_prompt: false,
        audio: false,
        max_references: 2,
        price: Price {
            image_low_micros: 11_000,
            second_480p_micros: 50_000,
            second_720p_micros: 100_000,
            ..Price::default()
        },
    }
}

impl Gateway {
    pub async fn start(engine: Engine, tweak: impl FnOnce(&mut ProviderProfile)) -> Gateway {
        let mock = MockServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let secret = kiln::webhook::signature::generate_secret();
        let webhook_secret = secrecy::ExposeSecret::expose_secret(&secret).to_owned();
        let mut gateway = profile("gateway", &mock.uri(), dir.path());
        let secret_file = dir.path().join("webhook.secret");
        std::fs::write(&secret_file, &webhook_secret).unwrap();
        gateway.webhook_secret_file = Some(secret_file);
        tweak(&mut gateway);
        let mut newapi = profile("newapi", &mock.uri(), dir.path());
        newapi.video_dialect = VideoDialect::Task;
        let app = TestApp::spawn_with(engine, |config| {
            config.providers = vec![gateway, newapi];
            config.models = default_models();
            config
                .models
                .push(model("gw-image", "gateway", TaskKind::Image, "gpt-image-1"));
            config
                .models
                .push(model("gw-video", "gateway", TaskKind::Video, "sora-2"));
            config
                .models
                .push(model("na-video", "newapi", TaskKind::Video, "kling-v2"));
            // The stub gateway and its result links live on loopback.
            config.net_allow = vec!["127.0.0.1/32".into()];
            config.webhook_retry_schedule_secs = vec![0, 1, 1];
        })
        .await;
        let token = app.admin_token().await;
        Gateway {
            mock,
            app,
            token,
            webhook_secret,
            _dir: dir,
        }
    }

    /// Submits a task and waits for its end.
    pub async fn run(&self, input: SubmitTaskInput) -> TaskDetail {
        let id = self.app.submit_ok(&self.token, input).await;
        self.app.wait_until_finished(&self.token, &id).await
    }

    pub async fn requests_to(&self, wanted: &str) -> Vec<Request> {
        self.mock
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path() == wanted)
            .collect()
    }

    pub async fn stop(self) {
        self.app.stop().await;
    }
}

pub fn png_bytes() -> Vec<u8> {
    let image =
        image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Bytes that sniff as an MP4 file.
pub fn mp4_bytes() -> Vec<u8> {
    let mut bytes = vec![0, 0, 0, 0x18];
    bytes.extend_from_slice(b"ftypmp42");
    bytes.extend_from_slice(&[0; 12]);
    bytes.extend_from_slice(b"moov-and-some-frames");
    bytes
}

fn image_answer(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "created": 1_700_000_000,
        "data": data,
        "usage": { "total_tokens": 4160, "input_tokens": 50, "output_tokens": 4110 },
    }))
}

fn error_answer(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(
        json!({ "error": { "code": code, "message": message, "type": "invalid_request_error" } }),
    )
}

const IMAGE: &str = "/v1/images/generations";

/// An image task for model `gw-image`.
fn image(prompt: &str) -> SubmitTaskInput {
    SubmitTaskInput {
        model: Some("gw-image".into()),
        ..task_input(prompt)
    }
}

/// A text-to-video task for `model`.
fn video(prompt: &str, model: &str) -> SubmitTaskInput {
    SubmitTaskInput {
        model: Some(model.into()),
        input_type: ops::InputType::TextToVideo,
        ..task_input(prompt)
    }
}

each_engine! {
    async fn an_image_comes_back_as_b64_json_and_is_stored_with_its_usage(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let png = png_bytes();
        Mock::given(method("POST"))
            .and(path(IMAGE))
            .and(header("authorization", format!("Bearer {API_KEY}").as_str()))
            .and(body_partial_json(json!({ "model": "gpt-image-1", "n": 1, "size": "1024x1024", "quality": "low", "prompt": "a red kettle" })))
            .respond_with(image_answer(json!([{ "b64_json": STANDARD.encode(&png) }])))
            .expect(1)
            .mount(&gw.mock)
            .await;
        let task = gw.run(image("a red kettle")).await;
        assert_eq!(task.status, TaskStatus::Succeeded, "{task:?}");
        let output = &task.outputs[0];
        let stored = gw.app.get(output.url.as_deref().unwrap(), None).await.bytes().await.unwrap();
        assert_eq!(stored.to_vec(), png);
        assert_eq!((output.width, output.height), (Some(64), Some(48)));
        let usage: Value = serde_json::from_str(task.upstream_usage.as_deref().unwrap()).unwrap();
        assert_eq!(usage["total_tokens"], 4160);
        gw.stop().await;
    }

    async fn a_key_set_in_settings_is_stored_sealed_and_used_for_the_gateway(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let input = ops::set_provider_api_key::SetProviderApiKeyInput { provider: "gateway".into(), api_key: "sk-set-in-kiln-42".into() };
        let set = gw.app.op::<ops::SetProviderApiKey>(Some(&gw.token), ops::set_provider_api_key::Variables { input }).await.set_provider_api_key;
        assert_eq!(set.user_errors, vec![]);
        assert!(set.provider.unwrap().api_key_set_in_kiln);

        // A copy of the database does not give the key away.
        let row = kiln::entity::provider_secret::Entity::find_by_id("gateway".to_owned())
            .one(&gw.app.state.db).await.unwrap().expect("a stored key");
        assert!(row.api_key.starts_with("sealed:v1:") && !row.api_key.contains("sk-set-in-kiln-42"), "{}", row.api_key);

        // Kiln opens it to call the gateway.
        Mock::given(method("POST"))
            .and(path(IMAGE))
            .and(header("authorization", "Bearer sk-set-in-kiln-42"))
            .respond_with(image_answer(json!([{ "b64_json": STANDARD.encode(png_bytes()) }])))
            .expect(1)
            .mount(&gw.mock)
            .await;
        let task = gw.run(image("a red kettle")).await;
        assert_eq!(task.status, TaskStatus::Succeeded, "{task:?}");
        gw.stop().await;
    }

    async fn an_image_comes_back_as_a_url_and_is_downloaded(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        let png = png_bytes();
        Mock::given(method("GET")).and(path("/results/kettle.png"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(png.clone()))
            .mount(&gw.mock).await;
        Mock::given(method("POST")).and(path(IMAGE))
            .respond_with(image_answer(json!([{ "url": format!("{}/results/kettle.png", gw.mock.uri()) }])))
            .mount(&gw.mock).await;
        let task = gw.run(image("a red kettle")).await;
        assert_eq!(task.status, TaskStatus::Succeeded, "{task:?}");
        assert_eq!(task.outputs[0].checksum_sha256, Some(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&png))));
        gw.stop().await;
    }

    async fn an_image_to_image_task_sends_its_references_to_the_edits_endpoint(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        Mock::given(method("POST")).and(path("/v1/images/edits"))
            .respond_with(image_answer(json!([{ "b64_json": STANDARD.encode(png_bytes()) }])))
            .expect(1)
            .mount(&gw.mock).await;
        let reference = gw.app.upload_reference(&gw.token, "product.png", png_bytes()).await;
        let id = reference.reference_asset.unwrap().id;
        let task = gw.run(SubmitTaskInput { input_type: ops::InputType::ImageToImage, reference_asset_ids: vec![id], ..image("the product on marble") }).await;
        assert_eq!(task.status, TaskStatus::Succeeded, "{task:?}");
        let sent = &gw.requests_to("/v1/images/edits").await[0];
        let content_type = sent.headers.get("content-type").unwrap().to_str().unwrap().to_owned();
        assert!(content_type.starts_with("multipart/form-data"), "{content_type}");
        let body = String::from_utf8_lossy(&sent.body);
        assert!(body.contains("name=\"image[]\""), "the reference is uploaded as image[]");
        assert!(body.contains("name=\"model\"") && body.contains("gpt-image-1"));
        let png = png_bytes();
        assert!(sent.body.windows(png.len()).any(|w| w == png.as_slice()), "the reference bytes are in the request");
        gw.stop().await;
    }

    async fn a_video_goes_queued_in_progress_completed_and_its_content_is_fetched(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        Mock::given(method("POST")).and(path("/v1/videos"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "video_123", "object": "video", "status": "queued", "progress": 0 })))
            .expect(1)
            .mount(&gw.mock).await;
        let poll = || path("/v1/videos/video_123");
        Mock::given(method("GET")).and(poll())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "video_123", "status": "queued", "progress": 0 })))
            .up_to_n_times(1).with_priority(1).mount(&gw.mock).await;
        Mock::given(method("GET")).and(poll())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "video_123", "status": "in_progress", "progress": 40 })))
            .up_to_n_times(2).with_priority(2).mount(&gw.mock).await;
        Mock::given(method("GET")).and(poll())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "video_123", "status": "completed", "progress": 100, "expires_at": 4_102_444_800_i64 })))
            .with_priority(3).mount(&gw.mock).await;
        Mock::given(method("GET")).and(path("/v1/videos/video_123/content"))
            .and(header("authorization", format!("Bearer {API_KEY}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(mp4_bytes()))
            .mount(&gw.mock).await;

        let task = gw.run(video("waves", "gw-video")).await;
        assert_eq!(task.status, TaskStatus::Succeeded, "{task:?}");
        assert_eq!(task.upstream_task_id.as_deref(), Some("video_123"));
        let raw: Vec<_> = task.history.iter().map(|h| h.upstream_status.as_deref()).collect();
        assert_eq!(raw, vec![None, Some("queued"), Some("in_progress"), Some("completed")]);
        let output = &task.outputs[0];
        assert_eq!((output.format.as_str(), output.mime_type.as_deref()), ("mp4", Some("video/mp4")));
        let sent = &gw.requests_to("/v1/videos").await[0];
        let body = String::from_utf8_lossy(&sent.body);
        assert!(body.contains("name=\"seconds\"\r\n\r\n4\r\n"), "seconds goes as a string: {body}");
        gw.stop().await;
    }

    async fn the_task_dialect_is_polled_through_unknown_statuses_until_it_succeeds(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        Mock::given(method("POST")).and(path("/v1/video/generations"))
            .and(body_partial_json(json!({ "model": "kling-v2", "duration": 4, "fps": 24 })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "task_id": "t-9", "status": "NOT_START" })))
            .expect(1).mount(&gw.mock).await;
        let poll = || path("/v1/video/generations/t-9");
        Mock::given(method("GET")).and(poll())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "task_id": "t-9", "status": "unknown" })))
            .up_to_n_times(2).with_priority(1).mount(&gw.mock).await;
        Mock::given(method("GET")).and(poll())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "task_id": "t-9", "status": "succeeded", "data": { "url": format!("{}/cdn/t-9.mp4", gw.mock.uri()) } })))
            .with_priority(2).mount(&gw.mock).await;
        Mock::given(method("GET")).and(path("/cdn/t-9.mp4"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(mp4_bytes()))
            .mount(&gw.mock).await;
        let task = gw.run(video("a dancer", "na-video")).await;
        assert_eq!(task.status, TaskStatus::Succeeded, "an unknown status is not a failure: {task:?}");
        assert_eq!(gw.requests_to("/v1/video/generations/t-9").await.len(), 3);
        gw.stop().await;
    }

    async fn http_errors_fail_with_their_class_and_the_upstream_message(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        for (prompt, status, code, message, reason) in [
            ("bad size", 400, "invalid_value", "Invalid size '7x7'", FailureReason::InvalidParams),
            ("forbidden topic", 400, "moderation_blocked", "Your request was rejected by the safety system", FailureReason::ContentPolicy),
            ("no money", 402, "payment_required", "Insufficient balance", FailureReason::Quota),
            ("no quota", 429, "insufficient_quota", "You exceeded your current quota", FailureReason::Quota),
        ] {
            Mock::given(method("POST")).and(path(IMAGE)).and(body_partial_json(json!({ "prompt": prompt })))
                .respond_with(error_answer(status, code, message))
                .mount(&gw.mock).await;
            let task = gw.run(image(prompt)).await;
            assert_eq!((task.status, task.failure_reason), (TaskStatus::Failed, Some(reason)), "{prompt}");
            let failure = task.failure_message.as_deref().unwrap();
            assert!(failure.contains(&status.to_string()) && failure.contains(message), "{failure}");
        }
        assert_eq!(gw.requests_to(IMAGE).await.len(), 4, "none was retried");
        gw.stop().await;
    }

    async fn a_refused_api_key_never_shows_up_in_the_failure(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        Mock::given(method("POST")).and(path(IMAGE))
            .respond_with(error_answer(401, "invalid_api_key", "Incorrect API key provided"))
            .mount(&gw.mock).await;
        let task = gw.run(image("a kettle")).await;
        assert_eq!(task.failure_reason, Some(FailureReason::UpstreamError));
        assert!(!format!("{task:?}").contains(API_KEY));
        gw.stop().await;
    }

    async fn a_429_is_retried_after_the_time_it_asks_for(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        Mock::given(method("POST")).and(path(IMAGE))
            .respond_with(error_answer(429, "rate_limit_exceeded", "Slow down").insert_header("retry-after", "1"))
            .up_to_n_times(1).with_priority(1).mount(&gw.mock).await;
        Mock::given(method("POST")).and(path(IMAGE))
            .respond_with(image_answer(json!([{ "b64_json": STANDARD.encode(png_bytes()) }])))
            .with_priority(2).mount(&gw.mock).await;
        let started = std::time::Instant::now();
        let task = gw.run(image("a kettle")).await;
        assert_eq!(task.status, TaskStatus::Succeeded);
        assert_eq!(gw.requests_to(IMAGE).await.len(), 2);
        assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
        gw.stop().await;
    }

    async fn server_errors_are_retried_until_the_gateway_recovers(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        for status in [500, 503] {
            Mock::given(method("POST")).and(path(IMAGE))
                .respond_with(ResponseTemplate::new(status).set_body_string("upstream trouble"))
                .up_to_n_times(1).with_priority(1).mount(&gw.mock).await;
        }
        Mock::given(method("POST")).and(path(IMAGE))
            .respond_with(image_answer(json!([{ "b64_json": STANDARD.encode(png_bytes()) }])))
            .with_priority(2).mount(&gw.mock).await;
        let task = gw.run(image("a kettle")).await;
        assert_eq!(task.status, TaskStatus::Succeeded, "{task:?}");
        assert_eq!(gw.requests_to(IMAGE).await.len(), 3);
        gw.stop().await;
    }

    async fn a_timed_out_create_without_idempotency_is_set_aside_and_never_sent_again(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        Mock::given(method("POST")).and(path(IMAGE))
            .respond_with(image_answer(json!([{ "b64_json": STANDARD.encode(png_bytes()) }])).set_delay(Duration::from_secs(4)))
            .mount(&gw.mock).await;
        let task = gw.run(image("a kettle")).await;
        assert_eq!((task.status.clone(), task.failure_reason.clone()), (TaskStatus::Failed, Some(FailureReason::UpstreamError)));
        assert!(task.needs_reconciliation);
        assert_eq!(gw.requests_to(IMAGE).await.len(), 1, "never re-posted blindly");
        gw.stop().await;
    }

    async fn a_timed_out_create_is_retried_with_the_same_idempotency_key(engine) {
        let gw = Gateway::start(engine, |profile| profile.idempotency_header = Some("Idempotency-Key".into())).await;
        Mock::given(method("POST")).and(path(IMAGE))
            .respond_with(image_answer(json!([{ "b64_json": STANDARD.encode(png_bytes()) }])).set_delay(Duration::from_secs(4)))
            .up_to_n_times(1).with_priority(1).mount(&gw.mock).await;
        Mock::given(method("POST")).and(path(IMAGE))
            .respond_with(image_answer(json!([{ "b64_json": STANDARD.encode(png_bytes()) }])))
            .with_priority(2).mount(&gw.mock).await;
        let task = gw.run(image("a kettle")).await;
        assert_eq!(task.status, TaskStatus::Succeeded, "{task:?}");
        let sent = gw.requests_to(IMAGE).await;
        assert_eq!(sent.len(), 2);
        let keys: Vec<_> = sent.iter().map(|r| r.headers.get("idempotency-key").unwrap().to_str().unwrap().to_owned()).collect();
        assert_eq!(keys[0], keys[1], "the retry carries the same key");
        gw.stop().await;
    }

    async fn malformed_json_from_a_create_is_set_aside_and_from_a_poll_is_retried(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        Mock::given(method("POST")).and(path(IMAGE))
            .respond_with(ResponseTemplate::new(200).set_body_string("{\"data\": [ oops"))
            .mount(&gw.mock).await;
        let task = gw.run(image("a kettle")).await;
        assert_eq!(task.failure_reason, Some(FailureReason::UpstreamError));
        assert!(task.failure_message.as_deref().unwrap().contains("malformed JSON"));

        Mock::given(method("POST")).and(path("/v1/videos"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "video_7", "status": "queued" })))
            .mount(&gw.mock).await;
        Mock::given(method("GET")).and(path("/v1/videos/video_7"))
            .respond_with(ResponseTemplate::new(200).set_body_string("<html>gateway hiccup</html>"))
            .up_to_n_times(1).with_priority(1).mount(&gw.mock).await;
        Mock::given(method("GET")).and(path("/v1/videos/video_7"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "video_7", "status": "completed" })))
            .with_priority(2).mount(&gw.mock).await;
        Mock::given(method("GET")).and(path("/v1/videos/video_7/content"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(mp4_bytes()))
            .mount(&gw.mock).await;
        let video = gw.run(video("waves", "gw-video")).await;
        assert_eq!(video.status, TaskStatus::Succeeded, "{video:?}");
        gw.stop().await;
    }

    async fn an_expired_result_link_fails_as_download_failed_without_a_second_generation(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        Mock::given(method("POST")).and(path(IMAGE))
            .respond_with(image_answer(json!([{ "url": format!("{}/results/gone.png", gw.mock.uri()) }])))
            .mount(&gw.mock).await;
        Mock::given(method("GET")).and(path("/results/gone.png"))
            .respond_with(ResponseTemplate::new(404).set_body_string("NoSuchKey"))
            .mount(&gw.mock).await;
        let task = gw.run(image("a kettle")).await;
        assert_eq!(task.failure_reason, Some(FailureReason::DownloadFailed), "{task:?}");
        assert!(task.charged);
        assert_eq!(task.actual_cost.as_ref().unwrap().amount, "0.011", "charged once");
        assert_eq!(gw.requests_to(IMAGE).await.len(), 1, "never generated again");
        gw.stop().await;
    }

    async fn a_result_link_to_a_private_address_is_refused(engine) {
        let gw = Gateway::start(engine, |_| {}).await;
        Mock::given(method("POST")).and(path(IMAGE))
            .respond_with(image_answer(json!([{ "url": "http://169.254.169.254/latest/meta-data/iam" }])))
            .mount(&gw.mock).await;
        let task = gw.run(image("a kettle")).await;
        assert_eq!(task.failure_reason, Some(FailureReason::DownloadFailed));
        assert!(task.failure_message.as_deref().unwrap().contains("169.254.169.254"), "{task:?}");
        gw.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_reset_during_a_create_is_set_aside_not_resent() {
    // A "gateway" that accepts and drops every connection.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buffer = [0u8; 1024];
            let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buffer).await;
            drop(socket);
        }
    });
    let gw = Gateway::start(Engine::Sqlite, |profile| {
        profile.base_url = format!("http://{address}")
    })
    .await;
    let task = gw.run(image("a kettle")).await;
    assert_eq!(
        task.failure_reason,
        Some(FailureReason::UpstreamError),
        "{task:?}"
    );
    assert_eq!(
        accepted.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "sent once, never again"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalogue_says_which_gateway_runs_each_model() {
    let gw = Gateway::start(Engine::Sqlite, |_| {}).await;
    let models = gw
        .app
        .op::<ops::Models>(Some(&gw.token), ops::models::Variables)
        .await
        .models;
    let provider_of = |id: &str| {
        models
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.provider.as_str())
    };
    assert_eq!(provider_of("gw-image"), Some("gateway"));
    assert_eq!(provider_of("na-video"), Some("newapi"));
    let simulated = default_models()[0].id.clone();
    assert_eq!(provider_of(&simulated), Some("simulated"));
    gw.stop().await;
}
