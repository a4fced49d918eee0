//! Creating work upstream: an image generation or edit, a video in either dialect.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use super::OpenAiProvider;
use super::answers::*;
use crate::config::VideoDialect;
use crate::domain::task::{FailureReason, MediaKind};
use crate::provider::{
    Accepted, OutputSource, ProviderError, ProviderRequest, UpstreamOutput, UpstreamState,
};
impl OpenAiProvider {
    pub(super) async fn submit_image(
        &self,
        request: &ProviderRequest,
    ) -> Result<Accepted, ProviderError> {
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

    pub(super) async fn submit_video(
        &self,
        request: &ProviderRequest,
    ) -> Result<Accepted, ProviderError> {
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

    pub(super) fn video_path(&self, upstream_id: &str) -> String {
        match self.profile.video_dialect {
            VideoDialect::Openai => format!("/v1/videos/{upstream_id}"),
            VideoDialect::Task => format!("/v1/video/generations/{upstream_id}"),
        }
    }
}
