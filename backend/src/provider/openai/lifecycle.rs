//! The `Provider` calls: submit, poll (normalising what either dialect answers), fetch and cancel.

use std::time::Duration;

use bytes::Bytes;
use chrono::{TimeZone, Utc};
use reqwest::{Method, StatusCode};

use super::OpenAiProvider;
use super::answers::*;
use crate::config::VideoDialect;
use crate::domain::task::{FailureReason, TaskKind};
use crate::net::FetchError;
use crate::provider::{
    Accepted, OutputSource, Provider, ProviderError, ProviderRequest, UpstreamOutput, UpstreamState,
};

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
