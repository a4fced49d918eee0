//! The simulated provider: a stand-in upstream that needs no network and no money.
//!
//! It behaves like a real asynchronous gateway: a task is queued for the first fifth of
//! the configured latency, then processing with rising progress, then done. The outputs
//! are real PNG files drawn deterministically from the prompt, seed and position, so the
//! same task always yields the same bytes.
//!
//! The upstream id encodes when the task was accepted, so a restarted Kiln can resume
//! polling a task the previous process submitted; within one process it also reports
//! "processing" at least once before "completed", as real upstreams do.

use std::collections::HashSet;
use std::io::Cursor;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use image::{ImageFormat, Rgb, RgbImage};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    Accepted, OutputSource, Provider, ProviderError, ProviderRequest, UpstreamOutput, UpstreamState,
};

/// Longer side of the generated images, in pixels.
const LONG_SIDE: u32 = 512;
/// Polls during processing happen at most this far apart, so progress moves visibly.
const MAX_POLL_GAP: Duration = Duration::from_millis(500);

pub struct SimulatedProvider {
    latency: Duration,
    /// Upstream ids this process has reported as processing.
    seen_processing: Mutex<HashSet<String>>,
}

impl SimulatedProvider {
    pub fn new(latency: Duration) -> Self {
        Self {
            latency,
            seen_processing: Mutex::new(HashSet::new()),
        }
    }

    fn parse_id(upstream_id: &str) -> Result<i64, ProviderError> {
        upstream_id
            .strip_prefix("sim-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|millis| millis.parse().ok())
            .ok_or_else(|| ProviderError::Permanent {
                reason: crate::domain::task::FailureReason::UpstreamError,
                message: format!("unknown upstream task {upstream_id}"),
            })
    }

    fn mark_processing(&self, upstream_id: &str) -> bool {
        let mut seen = self
            .seen_processing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.insert(upstream_id.to_owned())
    }
}

#[async_trait::async_trait]
impl Provider for SimulatedProvider {
    fn name(&self) -> &str {
        "simulated"
    }

    async fn submit(&self, _request: &ProviderRequest) -> Result<Accepted, ProviderError> {
        let accepted_at = Utc::now().timestamp_millis();
        Ok(Accepted {
            upstream_id: format!("sim-{accepted_at}-{}", Uuid::new_v4().simple()),
            raw_status: "queued".to_owned(),
        })
    }

    async fn poll(
        &self,
        upstream_id: &str,
        request: &ProviderRequest,
    ) -> Result<UpstreamState, ProviderError> {
        let accepted_at = Self::parse_id(upstream_id)?;
        let elapsed =
            Duration::from_millis((Utc::now().timestamp_millis() - accepted_at).max(0) as u64);
        let queued_for = self.latency / 5;
        if elapsed < queued_for {
            return Ok(UpstreamState::Pending {
                raw_status: "queued".to_owned(),
                processing: false,
                progress: Some(0),
                poll_after: queued_for - elapsed,
            });
        }
        let first_processing_report = self.mark_processing(upstream_id);
        if elapsed < self.latency || first_processing_report {
            let working = self.latency - queued_for;
            let done = elapsed.saturating_sub(queued_for).min(working);
            let progress = if working.is_zero() {
                99
            } else {
                ((done.as_millis() * 100 / working.as_millis()) as u8).min(99)
            };
            return Ok(UpstreamState::Pending {
                raw_status: "in_progress".to_owned(),
                processing: true,
                progress: Some(progress),
                poll_after: (self.latency.saturating_sub(elapsed)).min(MAX_POLL_GAP),
            });
        }
        let outputs = (0..request.params.count)
            .map(|position| {
                render_png(request, position).map(|bytes| UpstreamOutput {
                    source: OutputSource::Inline(bytes),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(UpstreamState::Completed {
            raw_status: "completed".to_owned(),
            outputs,
        })
    }

    async fn fetch(&self, output: &UpstreamOutput) -> Result<Bytes, ProviderError> {
        match &output.source {
            OutputSource::Inline(bytes) => Ok(bytes.clone()),
            OutputSource::Url { url, .. } => Err(ProviderError::Permanent {
                reason: crate::domain::task::FailureReason::DownloadFailed,
                message: format!("the simulated provider serves no URLs ({url})"),
            }),
        }
    }
}

/// Draws output `position` of a task: a diagonal gradient between two colours taken from
/// a hash of the prompt and seed, with a few soft discs. Same inputs, same bytes.
pub fn render_png(request: &ProviderRequest, position: u32) -> Result<Bytes, ProviderError> {
    let params = &request.params;
    let mut hasher = Sha256::new();
    hasher.update(params.prompt.as_str().as_bytes());
    hasher.update(params.seed.unwrap_or(0).to_le_bytes());
    hasher.update(position.to_le_bytes());
    let h = hasher.finalize();

    let (width, height) = params.aspect_ratio.dimensions(LONG_SIDE);
    let from = [h[0], h[1], h[2]];
    let to = [h[3], h[4], h[5]];
    let discs: Vec<(f32, f32, f32, [u8; 3])> = (0..4)
        .map(|i| {
            let b = &h[6 + i * 6..12 + i * 6];
            (
                f32::from(b[0]) / 255.0 * width as f32,
                f32::from(b[1]) / 255.0 * height as f32,
                (0.08 + f32::from(b[2]) / 255.0 * 0.22) * width.min(height) as f32,
                [b[3], b[4], b[5]],
            )
        })
        .collect();

    let image = RgbImage::from_fn(width, height, |x, y| {
        let t = (x + y) as f32 / (width + height) as f32;
        let mut pixel = [0f32; 3];
        for c in 0..3 {
            pixel[c] = f32::from(from[c]) * (1.0 - t) + f32::from(to[c]) * t;
        }
        for &(cx, cy, r, colour) in &discs {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            if d < r {
                let alpha = 0.65 * (1.0 - d / r).min(0.25) / 0.25;
                for c in 0..3 {
                    pixel[c] = pixel[c] * (1.0 - alpha) + f32::from(colour[c]) * alpha;
                }
            }
        }
        Rgb([pixel[0] as u8, pixel[1] as u8, pixel[2] as u8])
    });

    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|e| ProviderError::Transient {
            message: format!("could not encode the simulated image: {e}"),
            retry_after: None,
        })?;
    Ok(Bytes::from(out.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::task::{AspectRatio, InputType, Prompt, TaskKind, TaskParams};

    fn request(prompt: &str, seed: u32) -> ProviderRequest {
        ProviderRequest {
            task_id: Uuid::now_v7(),
            kind: TaskKind::Image,
            input_type: InputType::TextToImage,
            params: TaskParams {
                prompt: Prompt::parse(prompt).unwrap(),
                aspect_ratio: AspectRatio::Landscape16x9,
                count: 2,
                seed: Some(seed),
            },
        }
    }

    #[test]
    fn the_same_task_renders_the_same_png() {
        let a = render_png(&request("a red kettle", 7), 0).unwrap();
        let b = render_png(&request("a red kettle", 7), 0).unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[1..4], b"PNG");
        let decoded = image::load_from_memory(&a).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (512, 288));
    }

    #[test]
    fn another_seed_or_position_renders_another_png() {
        let base = render_png(&request("a red kettle", 7), 0).unwrap();
        assert_ne!(base, render_png(&request("a red kettle", 8), 0).unwrap());
        assert_ne!(base, render_png(&request("a red kettle", 7), 1).unwrap());
    }

    #[tokio::test]
    async fn with_no_latency_a_task_reports_processing_once_then_completes() {
        let provider = SimulatedProvider::new(Duration::ZERO);
        let request = request("a red kettle", 1);
        let accepted = provider.submit(&request).await.unwrap();
        let first = provider
            .poll(&accepted.upstream_id, &request)
            .await
            .unwrap();
        assert!(matches!(
            first,
            UpstreamState::Pending {
                processing: true,
                ..
            }
        ));
        let second = provider
            .poll(&accepted.upstream_id, &request)
            .await
            .unwrap();
        match second {
            UpstreamState::Completed { outputs, .. } => assert_eq!(outputs.len(), 2),
            other => panic!("expected completion, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_restarted_process_resumes_polling_a_task_accepted_before() {
        // A new provider instance stands for a restarted process: the upstream id alone
        // is enough to carry on, no second submission.
        let request = request("a red kettle", 1);
        let accepted = SimulatedProvider::new(Duration::ZERO)
            .submit(&request)
            .await
            .unwrap();
        let restarted = SimulatedProvider::new(Duration::ZERO);
        let state = restarted
            .poll(&accepted.upstream_id, &request)
            .await
            .unwrap();
        assert!(matches!(
            state,
            UpstreamState::Pending {
                processing: true,
                ..
            }
        ));
        let state = restarted
            .poll(&accepted.upstream_id, &request)
            .await
            .unwrap();
        assert!(matches!(state, UpstreamState::Completed { .. }));
    }

    #[tokio::test]
    async fn an_unknown_upstream_id_is_a_permanent_error() {
        let provider = SimulatedProvider::new(Duration::ZERO);
        let err = provider.poll("job-42", &request("x", 1)).await.unwrap_err();
        assert!(matches!(err, ProviderError::Permanent { .. }));
    }
}
