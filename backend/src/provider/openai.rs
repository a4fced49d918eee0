//! Any OpenAI-compatible gateway: OpenAI itself, or gateways such as New API in front
//! of many vendors.
//!
//! - Images: `POST /v1/images/generations` (JSON), or `/v1/images/edits` (multipart,
//!   with the reference images) for image-to-image; results as `b64_json` or `url`;
//!   `usage` kept.
//! - Video, `openai` dialect: `POST /v1/videos` (multipart; `seconds` is a string),
//!   polled at `GET /v1/videos/{id}`, fetched from `GET /v1/videos/{id}/content`.
//! - Video, `task` dialect: `POST /v1/video/generations`, polled at
//!   `GET /v1/video/generations/{task_id}`.
//!
//! Upstream statuses are normalised with the raw word kept; a word Kiln does not know
//! keeps the task polling. HTTP errors become failure classes. A create whose answer was
//! lost is re-sent only with the same idempotency key, and only to a gateway that reads
//! one; otherwise the task is set aside for reconciliation instead of being paid twice.
//! The API key never appears in errors or logs.

use std::num::NonZeroU32;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::{
    Accepted, OutputSource, Provider, ProviderError, ProviderRequest, UpstreamOutput, UpstreamState,
};
use crate::config::{ProviderProfile, VideoDialect};
use crate::domain::catalogue::{OutputFormat, Quality};
use crate::domain::task::{FailureReason, MediaKind, TaskKind};
use crate::net::{FetchError, SafeHttp};
use crate::service::provider::{ApiKeyError, ApiKeys};

/// Error bodies are quoted in messages up to this length.
const EXCERPT: usize = 300;

pub(crate) struct OpenAiProvider {
    profile: ProviderProfile,
    base: String,
    /// To the gateway the operator configured (which may well be on a private network).
    api: reqwest::Client,
    /// To result links the gateway hands out, which Kiln does not trust.
    links: SafeHttp,
    keys: ApiKeys,
    limiter: DefaultDirectRateLimiter,
    slots: Semaphore,
}

impl OpenAiProvider {
    pub(crate) fn new(
        profile: ProviderProfile,
        links: SafeHttp,
        keys: ApiKeys,
    ) -> Result<Self, String> {
        let api = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(profile.timeout_secs.max(1)))
            .user_agent(concat!("Kiln/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        let rpm = NonZeroU32::new(profile.requests_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Ok(Self {
            base: profile.base_url.trim_end_matches('/').to_owned(),
            limiter: RateLimiter::direct(Quota::per_minute(rpm)),
            slots: Semaphore::new(profile.max_concurrency.max(1)),
            profile,
            api,
            links,
            keys,
        })
    }

    /// The API key, as [`ApiKeys`] finds it.
    async fn key(&self) -> Result<SecretString, ProviderError> {
        let name = &self.profile.name;
        self.keys.get(&self.profile).await.map_err(|err| match err {
            ApiKeyError::Missing => ProviderError::Permanent {
                reason: FailureReason::UpstreamError,
                message: format!(
                    "provider {name} has no API key: set one in Settings, or configure api_key_env / api_key_file"
                ),
            },
            ApiKeyError::Unreadable(err) => ProviderError::Permanent {
                reason: FailureReason::UpstreamError,
                message: format!(
                    "the API key set in Settings for provider {name}: {err}; set it again"
                ),
            },
            ApiKeyError::Database(err) => {
                transient(format!("could not read the provider key: {err}"), None)
            }
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends one request, within the gateway's rate and concurrency limits, and reads
    /// the JSON answer; `create` marks a request that would create (and charge).
    async fn call(&self, request: RequestBuilder, create: bool) -> Result<Value, ProviderError> {
        let bytes = self.call_raw(request, create).await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            let message = format!(
                "the upstream answered with malformed JSON ({e}): {}",
                excerpt(&bytes)
            );
            if create {
                // It said yes, but not to whom: the task may exist upstream.
                self.lost_create(message)
            } else {
                transient(message, None)
            }
        })
    }

    async fn call_raw(
        &self,
        request: RequestBuilder,
        create: bool,
    ) -> Result<Bytes, ProviderError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| transient("the provider is shutting down".into(), None))?;
        self.limiter.until_ready().await;
        let key = self.key().await?;
        let response = match request.bearer_auth(key.expose_secret()).send().await {
            Ok(response) => response,
            // Never connected: nothing reached the upstream, so trying again is safe.
            Err(err) if err.is_connect() => {
                return Err(transient(
                    format!(
                        "could not connect to {}: {}",
                        self.profile.name,
                        err.without_url()
                    ),
                    None,
                ));
            }
            Err(err) if create => {
                return Err(self.lost_create(format!(
                    "the create request got no answer: {}",
                    err.without_url()
                )));
            }
            Err(err) => {
                return Err(transient(
                    format!("the request got no answer: {}", err.without_url()),
                    None,
                ));
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(err) if create && status.is_success() => {
                return Err(self.lost_create(format!(
                    "the answer to a create broke off: {}",
                    err.without_url()
                )));
            }
            Err(err) => {
                return Err(transient(
                    format!("the answer broke off: {}", err.without_url()),
                    None,
                ));
            }
        };
        if status.is_success() {
            Ok(body)
        } else {
            Err(classify_http(status, &headers, &body))
        }
    }

    /// A create whose answer was lost: re-send it with the same key where the gateway
    /// reads one; otherwise never, and say so.
    fn lost_create(&self, message: String) -> ProviderError {
        if self.profile.idempotency_header.is_some() {
            transient(message, None)
        } else {
            ProviderError::Ambiguous { message }
        }
    }

    fn with_idempotency(&self, request: RequestBuilder, key: &str) -> RequestBuilder {
        match &self.profile.idempotency_header {
            Some(header) => request.header(header.as_str(), key),
            None => request,
        }
    }

    async fn submit_image(&self, request: &ProviderRequest) -> Result<Accepted, ProviderError> {
        let params = &request.params;
        let size = params
            .size
            .clone()
            .unwrap_or_else(|| "1024x1024".to_owned());
        let quality = params.quality.map(quality_word);
        let format = image_format(params.output_format);
        let images: Vec<_> = request
            .references
            .iter()
            .filter(|r| r.kind == MediaKind::Image)
            .collect();
        let call = if images.is_empty() {
            let mut body = json!({
                "model": request.upstream_model,
                "prompt": params.prompt.as_str(),
                "n": params.count,
                "size": size,
                "output_format": format,
            });
            if let Some(quality) = quality {
                body["quality"] = json!(quality);
            }
            self.api
                .post(self.url("/v1/images/generations"))
                .json(&body)
        } else {
            let mut form = Form::new()
                .text("model", request.upstream_model.clone())
                .text("prompt", params.prompt.as_str().to_owned())
                .text("n", params.count.to_string())
                .text("size", size)
                .text("output_format", format.to_owned());
            if let Some(quality) = quality {
                form = form.text("quality", quality.to_owned());
            }
            for image in images {
                let part = Part::bytes(image.bytes.to_vec())
                    .file_name(image.filename.clone())
                    .mime_str(&image.mime)
                    .map_err(|e| {
                        permanent(FailureReason::InvalidParams, format!("reference type: {e}"))
                    })?;
                form = form.part("image[]", part);
            }
            self.api.post(self.url("/v1/images/edits")).multipart(form)
        };
        let answer = self
            .call(self.with_idempotency(call, &request.idempotency_key), true)
            .await?;
        let data = answer["data"].as_array().cloned().unwrap_or_default();
        if data.is_empty() {
            return Err(self.lost_create(format!(
                "the upstream answered without images: {}",
                excerpt(answer.to_string().as_bytes())
            )));
        }
        let outputs = data
            .iter()
            .map(|item| {
                if let Some(encoded) = item["b64_json"].as_str() {
                    STANDARD
                        .decode(encoded)
                        .map(|bytes| UpstreamOutput {
                            source: OutputSource::Inline(Bytes::from(bytes)),
                        })
                        .map_err(|e| {
                            transient(format!("an image came back in broken base64: {e}"), None)
                        })
                } else if let Some(url) = item["url"].as_str() {
                    Ok(UpstreamOutput {
                        source: OutputSource::Url {
                            url: url.to_owned(),
                            expires_at: None,
                        },
                    })
                } else {
                    Err(transient(
                        "an image came back with neither b64_json nor url".into(),
                        None,
                    ))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let upstream_id = answer["id"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("img-{}", request.task_id));
        let usage = answer.get("usage").cloned();
        Ok(Accepted {
            upstream_id,
            raw_status: "completed".to_owned(),
            result: Some(UpstreamState::Completed {
                outputs,
                cost_micros: None,
                usage,
            }),
        })
    }

    async fn submit_video(&self, request: &ProviderRequest) -> Result<Accepted, ProviderError> {
        let params = &request.params;
        let (width, height) = params.output_dimensions();
        let seconds = params.duration_secs.unwrap_or(4);
        let reference = request.references.first();
        let call = match self.profile.video_dialect {
            VideoDialect::Openai => {
                let mut form = Form::new()
                    .text("model", request.upstream_model.clone())
                    .text("prompt", params.prompt.as_str().to_owned())
                    // The API takes the length as a string.
                    .text("seconds", seconds.to_string())
                    .text("size", format!("{width}x{height}"));
                if let Some(reference) = reference {
                    let part = Part::bytes(reference.bytes.to_vec())
                        .file_name(reference.filename.clone())
                        .mime_str(&reference.mime)
                        .map_err(|e| {
                            permanent(FailureReason::InvalidParams, format!("reference type: {e}"))
                        })?;
                    form = form.part("input_reference", part);
                }
                self.api.post(self.url("/v1/videos")).multipart(form)
            }
            VideoDialect::Task => {
                let mut body = json!({
                    "model": request.upstream_model,
                    "prompt": params.prompt.as_str(),
                    "duration": seconds,
                    "size": format!("{width}x{height}"),
                });
                if let Some(fps) = params.fps {
                    body["fps"] = json!(fps);
                }
                if let Some(resolution) = params.resolution {
                    body["resolution"] = json!(resolution);
                }
                if let Some(seed) = params.seed {
                    body["seed"] = json!(seed);
                }
                if let Some(reference) = reference {
                    body["image"] = json!(format!(
                        "data:{};base64,{}",
                        reference.mime,
                        STANDARD.encode(&reference.bytes)
                    ));
                }
                self.api.post(self.url("/v1/video/generations")).json(&body)
            }
        };
        let answer = self
            .call(self.with_idempotency(call, &request.idempotency_key), true)
            .await?;
        let upstream_id = first_str(&answer, &["id", "task_id", "data.task_id", "data.id"])
            .ok_or_else(|| {
                self.lost_create(format!(
                    "the upstream accepted the video without an id: {}",
                    excerpt(answer.to_string().as_bytes())
                ))
            })?;
        let raw_status = first_str(&answer, &["status", "data.status"])
            .unwrap_or_else(|| "submitted".to_owned());
        Ok(Accepted {
            upstream_id,
            raw_status,
            result: None,
        })
    }

    fn video_path(&self, upstream_id: &str) -> String {
        match self.profile.video_dialect {
            VideoDialect::Openai => format!("/v1/videos/{upstream_id}"),
            VideoDialect::Task => format!("/v1/video/generations/{upstream_id}"),
        }
    }
}

#[async_trait::async_trait]
impl Provider for OpenAiProvider {
    fn name(&self) -> &str {
        &self.profile.name
    }

    fn needs_reference_bytes(&self) -> bool {
        true
    }

    async fn submit(&self, request: &ProviderRequest) -> Result<Accepted, ProviderError> {
        match request.kind {
            TaskKind::Image => self.submit_image(request).await,
            TaskKind::Video => self.submit_video(request).await,
        }
    }

    async fn poll(
        &self,
        upstream_id: &str,
        request: &ProviderRequest,
    ) -> Result<UpstreamState, ProviderError> {
        if request.kind == TaskKind::Image {
            // Images are answered at once; an image task that is still polled lost its
            // answer, which only reconciliation can recover.
            return Err(permanent(
                FailureReason::UpstreamError,
                format!("image task {upstream_id} has no result to poll for"),
            ));
        }
        let poll_after = backoff_by_age(
            request.submitted_at,
            Duration::from_millis(self.profile.poll_interval_ms),
        );
        let answer = self
            .call(self.api.get(self.url(&self.video_path(upstream_id))), false)
            .await?;
        let raw = first_str(&answer, &["status", "data.status", "state"])
            .unwrap_or_else(|| "unknown".to_owned());
        let progress = first_value(&answer, &["progress", "data.progress"]).and_then(progress_of);
        match normalise(&raw) {
            Normalised::Queued => Ok(UpstreamState::Pending {
                raw_status: raw,
                processing: false,
                progress,
                queue_position: None,
                poll_after,
            }),
            Normalised::Processing => Ok(UpstreamState::Pending {
                raw_status: raw,
                processing: true,
                progress,
                queue_position: None,
                poll_after,
            }),
            // An unknown word is not a failure: keep asking, and keep the word.
            Normalised::Unknown => Ok(UpstreamState::Pending {
                raw_status: raw,
                processing: false,
                progress,
                queue_position: None,
                poll_after,
            }),
            Normalised::Failed => {
                let code = first_str(&answer, &["error.code", "data.error.code", "fail_code"])
                    .unwrap_or_default();
                let message = first_str(
                    &answer,
                    &[
                        "error.message",
                        "data.error.message",
                        "fail_reason",
                        "data.fail_reason",
                        "message",
                    ],
                )
                .unwrap_or_else(|| format!("the upstream reported {raw}"));
                Ok(UpstreamState::Failed {
                    raw_status: raw,
                    reason: classify_failure(&code, &message),
                    message: with_code(&code, &message),
                })
            }
            Normalised::Completed => {
                let expires_at = first_value(&answer, &["expires_at", "data.expires_at"])
                    .and_then(|v| v.as_i64())
                    .and_then(|s| Utc.timestamp_opt(s, 0).single());
                let url = match self.profile.video_dialect {
                    VideoDialect::Openai => {
                        Some(self.url(&format!("/v1/videos/{upstream_id}/content")))
                    }
                    VideoDialect::Task => first_str(
                        &answer,
                        &[
                            "url",
                            "video_url",
                            "data.url",
                            "data.video_url",
                            "result.url",
                            "output.url",
                            "data.output.url",
                            "data.result.url",
                        ],
                    ),
                };
                let Some(url) = url else {
                    return Err(transient(
                        format!(
                            "the upstream says {raw} but gives no link: {}",
                            excerpt(answer.to_string().as_bytes())
                        ),
                        None,
                    ));
                };
                Ok(UpstreamState::Completed {
                    outputs: vec![UpstreamOutput {
                        source: OutputSource::Url { url, expires_at },
                    }],
                    cost_micros: None,
                    usage: answer.get("usage").cloned(),
                })
            }
        }
    }

    async fn fetch(&self, output: &UpstreamOutput) -> Result<Bytes, ProviderError> {
        let url = match &output.source {
            OutputSource::Inline(bytes) => return Ok(bytes.clone()),
            OutputSource::Url { url, .. } => url,
        };
        if url.starts_with(&format!("{}/", self.base)) {
            // The gateway's own content endpoint: authenticated, and trusted as configured.
            return self
                .call_raw(self.api.request(Method::GET, url), false)
                .await
                .map_err(|err| match err {
                    ProviderError::Permanent { message, .. } => {
                        permanent(FailureReason::DownloadFailed, message)
                    }
                    other => other,
                });
        }
        // A link the gateway handed out: fetched like any untrusted URL.
        match self.links.get_bytes(url).await {
            Ok((status, body)) if status.is_success() => Ok(body),
            Ok((status, body))
                if status == StatusCode::NOT_FOUND
                    || status == StatusCode::GONE
                    || status == StatusCode::FORBIDDEN =>
            {
                Err(permanent(
                    FailureReason::DownloadFailed,
                    format!("{status} fetching the result: {}", excerpt(&body)),
                ))
            }
            Ok((status, body)) => Err(transient(
                format!("{status} fetching the result: {}", excerpt(&body)),
                None,
            )),
            Err(FetchError::Refused(why)) => Err(permanent(
                FailureReason::DownloadFailed,
                format!("the result link was refused: {why}"),
            )),
            Err(FetchError::InvalidUrl(why)) => Err(permanent(FailureReason::DownloadFailed, why)),
            Err(FetchError::TooLarge { limit }) => Err(permanent(
                FailureReason::DownloadFailed,
                format!("the result is larger than {limit} bytes"),
            )),
            Err(other) => Err(transient(
                format!("fetching the result failed: {other}"),
                None,
            )),
        }
    }

    async fn cancel(&self, upstream_id: &str) -> Result<(), ProviderError> {
        if self.profile.video_dialect == VideoDialect::Openai && upstream_id.starts_with("video") {
            let _ = self
                .call_raw(
                    self.api
                        .delete(self.url(&format!("/v1/videos/{upstream_id}"))),
                    false,
                )
                .await?;
        }
        Ok(())
    }
}

fn transient(message: String, retry_after: Option<Duration>) -> ProviderError {
    ProviderError::Transient {
        message,
        retry_after,
    }
}

fn permanent(reason: FailureReason, message: String) -> ProviderError {
    ProviderError::Permanent { reason, message }
}

fn quality_word(quality: Quality) -> &'static str {
    match quality {
        Quality::Low => "low",
        Quality::Medium => "medium",
        Quality::High => "high",
    }
}

fn image_format(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Jpeg => "jpeg",
        OutputFormat::Webp => "webp",
        _ => "png",
    }
}

/// Polls ask less often as a task gets older: a long render needs no second-by-second
/// questions (webhooks, where configured, bring the news sooner). `base` is the interval
/// in the first minute; it grows to at most a minute.
fn backoff_by_age(submitted_at: DateTime<Utc>, base: Duration) -> Duration {
    let age = (Utc::now() - submitted_at).num_seconds().max(0);
    let factor = match age {
        0..=60 => 1.0,
        61..=300 => 2.5,
        301..=1_800 => 7.5,
        _ => 30.0,
    };
    base.mul_f64(factor).min(Duration::from_secs(60))
}

/// A status word, normalised.
#[derive(Debug, PartialEq, Eq)]
enum Normalised {
    Queued,
    Processing,
    Completed,
    Failed,
    Unknown,
}

fn normalise(raw: &str) -> Normalised {
    match raw.trim().to_ascii_lowercase().as_str() {
        "queued" | "pending" | "not_start" | "submitted" | "waiting" | "created" => {
            Normalised::Queued
        }
        "in_progress" | "processing" | "running" | "generating" | "started" => {
            Normalised::Processing
        }
        "completed" | "succeeded" | "success" | "succeed" | "done" | "finished" => {
            Normalised::Completed
        }
        "failed" | "failure" | "error" | "cancelled" | "canceled" | "expired" | "rejected" => {
            Normalised::Failed
        }
        _ => Normalised::Unknown,
    }
}

/// Whether an error code or message speaks of the content policy.
fn is_content_policy(code: &str, message: &str) -> bool {
    let text = format!("{code} {message}").to_ascii_lowercase();
    [
        "content_policy",
        "moderation",
        "safety",
        "policy_violation",
        "content_filter",
        "nsfw",
    ]
    .iter()
    .any(|w| text.contains(w))
}

fn classify_failure(code: &str, message: &str) -> FailureReason {
    if is_content_policy(code, message) {
        FailureReason::ContentPolicy
    } else if code.contains("quota") || message.to_ascii_lowercase().contains("insufficient_quota")
    {
        FailureReason::Quota
    } else {
        FailureReason::UpstreamError
    }
}

fn with_code(code: &str, message: &str) -> String {
    if code.is_empty() {
        message.to_owned()
    } else {
        format!("{code}: {message}")
    }
}

/// Maps an HTTP error answer to a failure class, keeping the upstream's own words.
fn classify_http(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ProviderError {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = first_str(&parsed, &["error.code", "error.type", "code"]).unwrap_or_default();
    let detail =
        first_str(&parsed, &["error.message", "message", "error"]).unwrap_or_else(|| excerpt(body));
    let message = format!(
        "{} {}: {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        with_code(&code, &detail)
    );
    if is_content_policy(&code, &detail) {
        return permanent(FailureReason::ContentPolicy, message);
    }
    if status == StatusCode::PAYMENT_REQUIRED
        || code.contains("insufficient_quota")
        || code.contains("billing")
    {
        return permanent(FailureReason::Quota, message);
    }
    match status.as_u16() {
        408 | 409 | 425 | 429 | 500..=599 => transient(message, retry_after(headers)),
        400 | 413 | 415 | 422 => permanent(FailureReason::InvalidParams, message),
        401 | 403 => permanent(
            FailureReason::UpstreamError,
            format!("{message} (check the provider's API key)"),
        ),
        _ => permanent(FailureReason::UpstreamError, message),
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    (at.with_timezone(&Utc) - Utc::now()).to_std().ok()
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut cut: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        cut.push('…');
    }
    cut
}

/// The upstream task id a gateway's webhook is about, where its JSON payload names one:
/// under `data` or at the top level, as `id` or `task_id`, whichever comes first.
pub(crate) fn webhook_task_id(body: &[u8]) -> Option<String> {
    let payload: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    ["data.id", "data.task_id", "id", "task_id"]
        .iter()
        .find_map(|path| {
            path.split('.')
                .try_fold(&payload, |v, key| v.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
}

/// The first of `paths` (dotted) that holds a value.
fn first_value<'a>(value: &'a Value, paths: &[&str]) -> Option<&'a Value> {
    paths.iter().find_map(|path| {
        let found = path.split('.').try_fold(value, |v, key| v.get(key))?;
        (!found.is_null()).then_some(found)
    })
}

/// The first of `paths` that holds a string (or a number, as text).
fn first_str(value: &Value, paths: &[&str]) -> Option<String> {
    first_value(value, paths).and_then(|v| match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Progress as a number, or text such as `"45%"`.
fn progress_of(value: &Value) -> Option<u8> {
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().trim_end_matches('%').parse().ok()?,
        _ => return None,
    };
    Some(number.clamp(0.0, 100.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words_of_both_dialects_are_normalised() {
        for (raw, expected) in [
            ("queued", Normalised::Queued),
            ("NOT_START", Normalised::Queued),
            ("in_progress", Normalised::Processing),
            ("processing", Normalised::Processing),
            ("completed", Normalised::Completed),
            ("SUCCESS", Normalised::Completed),
            ("succeeded", Normalised::Completed),
            ("failed", Normalised::Failed),
            ("FAILURE", Normalised::Failed),
            ("unknown", Normalised::Unknown),
            ("reticulating", Normalised::Unknown),
        ] {
            assert_eq!(normalise(raw), expected, "{raw}");
        }
    }

    #[test]
    fn http_errors_map_to_failure_classes() {
        let headers = HeaderMap::new();
        let body = |code: &str, message: &str| {
            json!({ "error": { "code": code, "message": message } })
                .to_string()
                .into_bytes()
        };
        let reason = |err: ProviderError| match err {
            ProviderError::Permanent { reason, .. } => Some(reason),
            _ => None,
        };
        assert_eq!(
            reason(classify_http(
                StatusCode::BAD_REQUEST,
                &headers,
                &body("invalid_value", "bad size")
            )),
            Some(FailureReason::InvalidParams)
        );
        assert_eq!(
            reason(classify_http(
                StatusCode::BAD_REQUEST,
                &headers,
                &body("moderation_blocked", "rejected by the safety system")
            )),
            Some(FailureReason::ContentPolicy)
        );
        assert_eq!(
            reason(classify_http(
                StatusCode::PAYMENT_REQUIRED,
                &headers,
                &body("", "pay up")
            )),
            Some(FailureReason::Quota)
        );
        assert_eq!(
            reason(classify_http(
                StatusCode::TOO_MANY_REQUESTS,
                &headers,
                &body("insufficient_quota", "You exceeded your current quota")
            )),
            Some(FailureReason::Quota)
        );
        assert!(matches!(
            classify_http(StatusCode::SERVICE_UNAVAILABLE, &headers, b"busy"),
            ProviderError::Transient { .. }
        ));
        let unauthorised = classify_http(
            StatusCode::UNAUTHORIZED,
            &headers,
            &body("invalid_api_key", "Incorrect API key provided: sk-abc***"),
        );
        assert!(matches!(
            unauthorised,
            ProviderError::Permanent {
                reason: FailureReason::UpstreamError,
                ..
            }
        ));
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = (Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        headers.insert(RETRY_AFTER, later.parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
    }

    #[test]
    fn progress_comes_as_numbers_or_percent_text() {
        assert_eq!(progress_of(&json!(42)), Some(42));
        assert_eq!(progress_of(&json!("45%")), Some(45));
        assert_eq!(progress_of(&json!(130.0)), Some(100));
        assert_eq!(progress_of(&json!(null)), None);
    }

    #[test]
    fn a_webhook_names_its_task_under_data_or_at_the_top_level() {
        let id = |body: &str| webhook_task_id(body.as_bytes());
        assert_eq!(
            id(r#"{"data":{"id":"a","task_id":"b"},"id":"c"}"#).as_deref(),
            Some("a")
        );
        assert_eq!(
            id(r#"{"data":{"task_id":"b"},"id":"c"}"#).as_deref(),
            Some("b")
        );
        assert_eq!(id(r#"{"id":"c","task_id":"d"}"#).as_deref(), Some("c"));
        assert_eq!(
            id(r#"{"data":{"id":7},"task_id":"d"}"#).as_deref(),
            Some("d")
        );
        assert_eq!(id(r#"{"event":"video.completed"}"#), None);
        assert_eq!(id("not json"), None);
    }

    #[test]
    fn polling_slows_down_as_a_task_ages() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff_by_age(Utc::now(), base), Duration::from_secs(2));
        assert_eq!(
            backoff_by_age(Utc::now() - chrono::Duration::minutes(10), base),
            Duration::from_secs(15)
        );
        assert_eq!(
            backoff_by_age(Utc::now() - chrono::Duration::hours(2), base),
            Duration::from_secs(60)
        );
    }
}
