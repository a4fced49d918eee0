//! The simulated provider: a stand-in upstream that needs no network and no money, and
//! behaves like a real asynchronous gateway.
//!
//! - A task is queued for the first fifth of the configured latency (with a queue
//!   position), then processing with rising progress, then done; within one process it
//!   reports "processing" at least once before "completed", as real upstreams do.
//! - Outputs are real files drawn deterministically from the prompt, seed and position:
//!   PNG images, and animated GIF clips for video tasks (two frames a second, panning as
//!   the camera motion says).
//! - Its "upstream" state lives in Kiln's database (`simulated_upstream_tasks`), so it
//!   outlives a Kiln restart like a real gateway, honours idempotency keys (a repeated
//!   create returns the first task), and counts create requests per key for tests.
//! - Failures on demand: a prompt containing `#fail:<class>` fails that way —
//!   `invalid_params` and `quota` (refused at create), `transient` (two 503s at create,
//!   then accepted), `content_policy` and `upstream_error` (fail while processing),
//!   `stuck` (never finishes), `download` (finishes with a link that has expired). The
//!   same classes can fail at random, at configured rates.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    Accepted, OutputSource, Provider, ProviderError, ProviderRequest, UNREACHABLE_OUTPUT_PREFIX,
    UpstreamOutput, UpstreamState,
};
use crate::config::SimulatedFailures;
use crate::domain::task::FailureReason;
use crate::entity::{simulated_upstream_failure, simulated_upstream_task};

mod render;

pub(crate) use render::render;
#[cfg(test)]
use render::render_png;

/// Frames per second of the generated clips.
const VIDEO_FPS: u32 = 2;
/// Polls during processing happen at most this far apart, so progress moves visibly.
const MAX_POLL_GAP: Duration = Duration::from_millis(500);
/// How many create requests `#fail:transient` refuses before accepting.
const TRANSIENT_FAILURES: i32 = 2;

/// A way to fail, by prompt directive or at random.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    InvalidParams,
    Quota,
    Transient,
    ContentPolicy,
    UpstreamError,
    Stuck,
    Download,
}

impl Failure {
    fn from_prompt(prompt: &str) -> Option<Self> {
        let directive = prompt
            .split_whitespace()
            .find_map(|word| word.strip_prefix("#fail:"))?;
        Some(match directive {
            "invalid_params" => Failure::InvalidParams,
            "quota" => Failure::Quota,
            "transient" => Failure::Transient,
            "content_policy" => Failure::ContentPolicy,
            "upstream_error" => Failure::UpstreamError,
            "stuck" => Failure::Stuck,
            "download" => Failure::Download,
            _ => return None,
        })
    }

    /// The failure a task gets: its prompt's directive, else a draw at the configured
    /// rates that is the same every time for the same task.
    fn of(request: &ProviderRequest, rates: &SimulatedFailures) -> Option<Self> {
        if let Some(failure) = Self::from_prompt(request.params.prompt.as_str()) {
            return Some(failure);
        }
        let hash = Sha256::digest(request.idempotency_key.as_bytes());
        let draw = f64::from(u32::from_le_bytes([hash[0], hash[1], hash[2], hash[3]]))
            / f64::from(u32::MAX);
        let mut edge = 0.0;
        for (rate, failure) in [
            (rates.invalid_params, Failure::InvalidParams),
            (rates.quota, Failure::Quota),
            (rates.transient, Failure::Transient),
            (rates.content_policy, Failure::ContentPolicy),
            (rates.upstream_error, Failure::UpstreamError),
            (rates.download, Failure::Download),
        ] {
            edge += rate.clamp(0.0, 1.0);
            if draw < edge {
                return Some(failure);
            }
        }
        None
    }
}

pub(crate) struct SimulatedProvider {
    db: DatabaseConnection,
    latency: Duration,
    /// Longer side of the generated pictures, in pixels (clips: half). Smaller than what
    /// was asked: they stand in for real ones, and small ones keep tests fast.
    image_side: u32,
    failures: SimulatedFailures,
    /// Upstream ids this process has reported as processing.
    seen_processing: Mutex<HashSet<String>>,
}

impl SimulatedProvider {
    pub(crate) fn new(
        db: DatabaseConnection,
        latency: Duration,
        failures: SimulatedFailures,
        image_side: u32,
    ) -> Self {
        Self {
            db,
            latency,
            image_side: image_side.clamp(16, 4096),
            failures,
            seen_processing: Mutex::new(HashSet::new()),
        }
    }

    fn mark_processing(&self, upstream_id: &str) -> bool {
        let mut seen = self
            .seen_processing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.insert(upstream_id.to_owned())
    }

    fn transient(error: impl std::fmt::Display) -> ProviderError {
        ProviderError::Transient {
            message: format!("simulated upstream unavailable: {error}"),
            retry_after: None,
        }
    }

    /// Counts one more deliberate create failure for `key`; the count so far.
    async fn count_failure(&self, key: &str) -> Result<i32, ProviderError> {
        simulated_upstream_failure::Entity::insert(simulated_upstream_failure::ActiveModel {
            idempotency_key: Set(key.to_owned()),
            failures: Set(1),
        })
        .on_conflict(
            OnConflict::column(simulated_upstream_failure::Column::IdempotencyKey)
                .value(
                    simulated_upstream_failure::Column::Failures,
                    sea_orm::ExprTrait::add(
                        Expr::col((
                            simulated_upstream_failure::Entity,
                            simulated_upstream_failure::Column::Failures,
                        )),
                        1,
                    ),
                )
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await
        .map_err(Self::transient)?;
        simulated_upstream_failure::Entity::find_by_id(key.to_owned())
            .one(&self.db)
            .await
            .map_err(Self::transient)?
            .map(|row| row.failures)
            .ok_or_else(|| Self::transient("failure count vanished"))
    }
}

/// How often the simulated upstream was asked to create the task with `key`, if at all.
pub async fn submit_requests(
    db: &DatabaseConnection,
    key: &str,
) -> Result<Option<i32>, sea_orm::DbErr> {
    Ok(simulated_upstream_task::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .map(|row| row.submit_requests))
}

#[async_trait::async_trait]
impl Provider for SimulatedProvider {
    fn name(&self) -> &str {
        super::SIMULATED
    }

    async fn submit(&self, request: &ProviderRequest) -> Result<Accepted, ProviderError> {
        match Failure::of(request, &self.failures) {
            Some(Failure::InvalidParams) => {
                return Err(ProviderError::Permanent {
                    reason: FailureReason::InvalidParams,
                    message: "400 Bad Request: invalid_request_error: the size and model do not match (simulated)".into(),
                });
            }
            Some(Failure::Quota) => {
                return Err(ProviderError::Permanent {
                    reason: FailureReason::Quota,
                    message: "402 Payment Required: insufficient_quota: you exceeded your current quota (simulated)".into(),
                });
            }
            Some(Failure::Transient)
                if self.count_failure(&request.idempotency_key).await? <= TRANSIENT_FAILURES =>
            {
                return Err(ProviderError::Transient {
                    message: "503 Service Unavailable: the engine is overloaded (simulated)".into(),
                    retry_after: None,
                });
            }
            _ => {}
        }
        // Idempotent create: the first request with a key creates, later ones get the
        // same task back and are only counted.
        let row = simulated_upstream_task::ActiveModel {
            idempotency_key: Set(request.idempotency_key.clone()),
            upstream_id: Set(format!("sim-{}", Uuid::now_v7().simple())),
            accepted_at: Set(Utc::now()),
            submit_requests: Set(1),
            cancelled: Set(false),
        };
        simulated_upstream_task::Entity::insert(row)
            .on_conflict(
                OnConflict::column(simulated_upstream_task::Column::IdempotencyKey)
                    .value(
                        simulated_upstream_task::Column::SubmitRequests,
                        sea_orm::ExprTrait::add(
                            Expr::col((
                                simulated_upstream_task::Entity,
                                simulated_upstream_task::Column::SubmitRequests,
                            )),
                            1,
                        ),
                    )
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(Self::transient)?;
        let stored = simulated_upstream_task::Entity::find_by_id(request.idempotency_key.clone())
            .one(&self.db)
            .await
            .map_err(Self::transient)?
            .ok_or_else(|| Self::transient("accepted task vanished"))?;
        Ok(Accepted {
            upstream_id: stored.upstream_id,
            raw_status: "queued".to_owned(),
            result: None,
        })
    }

    async fn poll(
        &self,
        upstream_id: &str,
        request: &ProviderRequest,
    ) -> Result<UpstreamState, ProviderError> {
        let Some(stored) = simulated_upstream_task::Entity::find()
            .filter(simulated_upstream_task::Column::UpstreamId.eq(upstream_id))
            .one(&self.db)
            .await
            .map_err(Self::transient)?
        else {
            return Err(ProviderError::Permanent {
                reason: FailureReason::UpstreamError,
                message: format!("404 Not Found: no task {upstream_id} (simulated)"),
            });
        };
        if stored.cancelled {
            return Ok(UpstreamState::Failed {
                raw_status: "cancelled".to_owned(),
                reason: FailureReason::Cancelled,
                message: "cancelled on request".to_owned(),
            });
        }
        let failure = Failure::of(request, &self.failures);
        let elapsed = (Utc::now() - stored.accepted_at)
            .to_std()
            .unwrap_or(Duration::ZERO);
        let queued_for = self.latency / 5;
        if elapsed < queued_for {
            let left = queued_for - elapsed;
            return Ok(UpstreamState::Pending {
                raw_status: "queued".to_owned(),
                processing: false,
                progress: Some(0),
                queue_position: Some((left.as_millis() / 100) as u32 + 1),
                poll_after: left,
            });
        }
        let first_processing_report = self.mark_processing(upstream_id);
        let working = self.latency - queued_for;
        let done = elapsed.saturating_sub(queued_for).min(working);
        let progress = if working.is_zero() {
            99
        } else {
            ((done.as_millis() * 100 / working.as_millis()) as u8).min(99)
        };
        let failing_midway = matches!(
            failure,
            Some(Failure::ContentPolicy | Failure::UpstreamError)
        );
        if failing_midway && !first_processing_report && (progress >= 50 || elapsed >= self.latency)
        {
            return Ok(match failure {
                Some(Failure::ContentPolicy) => UpstreamState::Failed {
                    raw_status: "failed".to_owned(),
                    reason: FailureReason::ContentPolicy,
                    message: "content_policy_violation: the request was rejected by the safety system (simulated)".into(),
                },
                _ => UpstreamState::Failed {
                    raw_status: "failed".to_owned(),
                    reason: FailureReason::UpstreamError,
                    message: "server_error: the generation failed on the upstream (simulated)".into(),
                },
            });
        }
        if elapsed < self.latency || first_processing_report || failure == Some(Failure::Stuck) {
            return Ok(UpstreamState::Pending {
                raw_status: "in_progress".to_owned(),
                processing: true,
                progress: Some(progress),
                queue_position: None,
                poll_after: self
                    .latency
                    .saturating_sub(elapsed)
                    .clamp(Duration::from_millis(1), MAX_POLL_GAP),
            });
        }
        let request = request.clone();
        let side = self.image_side;
        let unreachable = failure == Some(Failure::Download);
        let outputs =
            tokio::task::spawn_blocking(move || -> Result<Vec<UpstreamOutput>, ProviderError> {
                (0..request.params.count)
                    .map(|position| {
                        let source = if unreachable {
                            OutputSource::Url {
                                url: format!(
                                    "{UNREACHABLE_OUTPUT_PREFIX}{}/{position}",
                                    request.task_id
                                ),
                                expires_at: Some(Utc::now() - chrono::Duration::minutes(1)),
                            }
                        } else {
                            OutputSource::Inline(render(&request, position, side)?)
                        };
                        Ok(UpstreamOutput { source })
                    })
                    .collect()
            })
            .await
            .map_err(Self::transient)??;
        Ok(UpstreamState::Completed {
            outputs,
            cost_micros: None,
            usage: None,
        })
    }

    async fn fetch(&self, output: &UpstreamOutput) -> Result<Bytes, ProviderError> {
        match &output.source {
            OutputSource::Inline(bytes) => Ok(bytes.clone()),
            OutputSource::Url { url, .. } => Err(ProviderError::Permanent {
                reason: FailureReason::DownloadFailed,
                message: format!("404 Not Found: {url} has expired (simulated)"),
            }),
        }
    }

    async fn cancel(&self, upstream_id: &str) -> Result<(), ProviderError> {
        simulated_upstream_task::Entity::update_many()
            .col_expr(
                simulated_upstream_task::Column::Cancelled,
                Expr::value(true),
            )
            .filter(simulated_upstream_task::Column::UpstreamId.eq(upstream_id))
            .exec(&self.db)
            .await
            .map_err(Self::transient)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::{StagePolicy, default_models};
    use crate::domain::task::{InputType, TaskDraft, TaskSpec};

    fn request(prompt: &str, seed: i64, input_type: InputType) -> ProviderRequest {
        let spec = TaskSpec::parse(
            TaskDraft {
                prompt: prompt.to_owned(),
                seed: Some(seed),
                input_type: Some(input_type),
                count: (input_type == InputType::TextToImage).then_some(2),
                ..TaskDraft::default()
            },
            &default_models(),
            &StagePolicy::default(),
        )
        .unwrap();
        ProviderRequest {
            task_id: Uuid::now_v7(),
            submitted_at: Utc::now(),
            upstream_model: spec.params.model.clone(),
            references: Vec::new(),
            idempotency_key: Uuid::now_v7().to_string(),
            kind: spec.kind,
            params: spec.params,
        }
    }

    #[test]
    fn the_same_task_renders_the_same_png() {
        let a = render_png(&request("a red kettle", 7, InputType::TextToImage), 0, 512).unwrap();
        let b = render_png(&request("a red kettle", 7, InputType::TextToImage), 0, 512).unwrap();
        assert_eq!(a, b);
        let decoded = image::load_from_memory(&a).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (512, 512));
    }

    #[test]
    fn another_seed_or_position_renders_another_png() {
        let base = render_png(&request("a red kettle", 7, InputType::TextToImage), 0, 512).unwrap();
        assert_ne!(
            base,
            render_png(&request("a red kettle", 8, InputType::TextToImage), 0, 512).unwrap()
        );
        assert_ne!(
            base,
            render_png(&request("a red kettle", 7, InputType::TextToImage), 1, 512).unwrap()
        );
    }

    #[test]
    fn a_video_task_renders_an_animated_gif_as_long_as_asked() {
        let clip = render(&request("waves at dusk", 3, InputType::TextToVideo), 0, 512).unwrap();
        assert_eq!(&clip[..6], b"GIF89a");
        let frames = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(&clip[..])).unwrap();
        let frames: Vec<_> = image::AnimationDecoder::into_frames(frames)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(frames.len(), 8, "4 seconds at 2 frames a second");
    }

    #[test]
    fn a_prompt_directive_picks_the_failure() {
        let rates = SimulatedFailures::default();
        let failing = request("a kettle #fail:content_policy", 1, InputType::TextToImage);
        assert_eq!(Failure::of(&failing, &rates), Some(Failure::ContentPolicy));
        let fine = request("a kettle", 1, InputType::TextToImage);
        assert_eq!(Failure::of(&fine, &rates), None);
    }

    #[test]
    fn configured_rates_fail_a_stable_share_of_tasks() {
        let rates = SimulatedFailures {
            quota: 0.5,
            ..SimulatedFailures::default()
        };
        let failed = (0..400)
            .filter(|_| {
                Failure::of(&request("a kettle", 1, InputType::TextToImage), &rates).is_some()
            })
            .count();
        assert!((140..260).contains(&failed), "{failed} of 400");
        let one = request("a kettle", 1, InputType::TextToImage);
        assert_eq!(
            Failure::of(&one, &rates),
            Failure::of(&one, &rates),
            "the same task always draws the same"
        );
    }
}
