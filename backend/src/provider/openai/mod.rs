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

use bytes::Bytes;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::RequestBuilder;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::Semaphore;

use super::ProviderError;
use crate::config::ProviderProfile;
use crate::domain::task::FailureReason;
use crate::net::SafeHttp;
use crate::service::provider::{ApiKeyError, ApiKeys};

mod answers;
mod create;
mod lifecycle;

pub(crate) use answers::webhook_task_id;
use answers::*;

/// Error bodies are quoted in messages up to this length.
pub(super) const EXCERPT: usize = 300;

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
    pub(super) async fn key(&self) -> Result<SecretString, ProviderError> {
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

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends one request, within the gateway's rate and concurrency limits, and reads
    /// the JSON answer; `create` marks a request that would create (and charge).
    pub(super) async fn call(
        &self,
        request: RequestBuilder,
        create: bool,
    ) -> Result<Value, ProviderError> {
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

    pub(super) async fn call_raw(
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
    pub(super) fn lost_create(&self, message: String) -> ProviderError {
        if self.profile.idempotency_header.is_some() {
            transient(message, None)
        } else {
            ProviderError::Ambiguous { message }
        }
    }

    pub(super) fn with_idempotency(&self, request: RequestBuilder, key: &str) -> RequestBuilder {
        match &self.profile.idempotency_header {
            Some(header) => request.header(header.as_str(), key),
            None => request,
        }
    }
}
