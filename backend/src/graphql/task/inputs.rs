//! What the task mutations take and answer: submit, promote and cancel inputs and payloads.

use async_graphql::{ID, InputObject, SimpleObject};

use crate::domain::ErrorCode;
use crate::domain::task::TaskDraft;
use crate::graphql::error::{UserError, to_graphql, user_error, user_errors};
use crate::graphql::node::{NodeType, decode};
use crate::service::ServiceError;
use crate::service::task::{SpendNotice, Submission, SubmitOutcome, SubmitRequest};

use super::object::Task;
use crate::domain::catalogue::Audio;
use crate::domain::catalogue::CameraMotion;
use crate::domain::catalogue::OutputFormat;
use crate::domain::catalogue::Quality;
use crate::domain::catalogue::Resolution;
use crate::domain::task::AspectRatio;
use crate::domain::task::InputType;
use crate::domain::task::SpendWarning;
use crate::domain::task::Stage;

/// Everything a generation task can be asked for. Unset fields take the model's and the
/// stage's defaults; every rule a value breaks comes back as a `userError`.
#[derive(InputObject, Clone)]
pub(super) struct SubmitTaskInput {
    /// The brief the task is for; every task belongs to one.
    pub brief_id: ID,
    /// What to start from; decides whether it makes images or video.
    #[graphql(default_with = "InputType::TextToImage")]
    pub input_type: InputType,
    /// A cheap `DRAFT` to explore, or the `FINAL`. Drafts are capped by the draft policy.
    #[graphql(default_with = "Stage::Draft")]
    pub stage: Stage,
    /// What to generate.
    pub prompt: String,
    /// What to keep out, where the model takes it.
    pub negative_prompt: Option<String>,
    /// A model id from `models`; the first that offers the input type otherwise.
    pub model: Option<String>,
    pub aspect_ratio: Option<AspectRatio>,
    /// Images: `WIDTHxHEIGHT`, one of the model's sizes; follows the aspect ratio otherwise.
    pub size: Option<String>,
    /// Images.
    pub quality: Option<Quality>,
    /// Images: how many.
    pub count: Option<i32>,
    /// Fix the seed to reproduce a result; Kiln picks and records one otherwise.
    pub seed: Option<i32>,
    pub watermark: Option<bool>,
    pub output_format: Option<OutputFormat>,
    /// Video: one of the model's durations.
    pub duration_seconds: Option<i32>,
    /// Video: frames per second, one of the model's `frameRates`.
    pub fps: Option<i32>,
    /// Video.
    pub resolution: Option<Resolution>,
    /// Video.
    pub camera_motion: Option<CameraMotion>,
    /// Video.
    pub audio: Option<Audio>,
    /// Uploaded reference assets, for the image-to and video-to input types.
    #[graphql(default)]
    pub reference_asset_ids: Vec<ID>,
    /// Resending a request with the same key returns the task the first one created
    /// instead of creating (and paying for) another. The UI sends one per form.
    pub idempotency_key: Option<String>,
    /// Where to announce this task's changes (Standard Webhooks, signed with the team's
    /// callback secret). Must be a public http(s) URL.
    pub callback_url: Option<String>,
    /// Spend warnings the user has seen and accepts (from an earlier answer's
    /// `warnings`); without them such a submit is refused with `CONFIRMATION_REQUIRED`.
    #[graphql(default)]
    pub acknowledged_warnings: Vec<SpendWarning>,
}

impl SubmitTaskInput {
    fn draft(&self) -> TaskDraft {
        TaskDraft {
            input_type: Some(self.input_type),
            stage: Some(self.stage),
            prompt: self.prompt.clone(),
            negative_prompt: self.negative_prompt.clone(),
            model: self.model.clone(),
            aspect_ratio: self.aspect_ratio,
            size: self.size.clone(),
            quality: self.quality,
            count: self.count,
            seed: self.seed.map(i64::from),
            watermark: self.watermark,
            output_format: self.output_format,
            duration_secs: self.duration_seconds,
            fps: self.fps,
            resolution: self.resolution,
            camera_motion: self.camera_motion,
            audio: self.audio,
            references: Vec::new(),
        }
    }

    /// The service request, or user errors for ids that are not ids.
    pub(super) fn request(&self) -> Result<SubmitRequest<'_>, Vec<UserError>> {
        let brief_id = decode(&self.brief_id, NodeType::Brief).map_err(|_| {
            vec![user_error(
                ErrorCode::NotFound,
                "briefId",
                "There is no such brief.",
            )]
        })?;
        let reference_ids = self
            .reference_asset_ids
            .iter()
            .map(|id| decode(id, NodeType::ReferenceAsset))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                vec![user_error(
                    ErrorCode::NotFound,
                    "referenceAssetIds",
                    "A reference asset does not exist.",
                )]
            })?;
        Ok(SubmitRequest {
            brief_id,
            draft: self.draft(),
            reference_ids,
            idempotency_key: self.idempotency_key.as_deref(),
            callback_url: self.callback_url.as_deref(),
            acknowledged: self.acknowledged_warnings.clone(),
        })
    }
}

#[derive(SimpleObject)]
pub(super) struct SubmitTaskPayload {
    /// The task that stands for this submit: a new one, the one an earlier request with
    /// the same idempotency key created, or an identical live one.
    pub task: Option<Task>,
    /// Set when an identical task was still live: it is returned instead, and nothing
    /// new was spent.
    pub duplicate_of: Option<Task>,
    /// True when the idempotency key had been used before (a resent request).
    pub replayed: bool,
    /// Why nothing was done yet: the request would spend again on something the team
    /// already has or paid for. Each comes with a `CONFIRMATION_REQUIRED` user error;
    /// send the request again with them in `acknowledgedWarnings` to go ahead.
    pub warnings: Vec<SpendWarningNotice>,
    pub user_errors: Vec<UserError>,
}

/// A reason to confirm before spending, and the task it is about.
#[derive(SimpleObject)]
pub(super) struct SpendWarningNotice {
    pub warning: SpendWarning,
    /// The earlier task the team already has (`SUCCEEDED_RECENTLY`, `FINAL_EXISTS`), or
    /// the charged task being retried (`ALREADY_CHARGED`).
    pub task: Task,
    pub message: &'static str,
}

impl SubmitTaskPayload {
    pub(super) fn errors(user_errors: Vec<UserError>) -> Self {
        Self {
            task: None,
            duplicate_of: None,
            replayed: false,
            warnings: Vec::new(),
            user_errors,
        }
    }

    fn unconfirmed(notices: Vec<SpendNotice>) -> async_graphql::Result<Self> {
        let user_errors = notices
            .iter()
            .map(|n| {
                user_error(
                    ErrorCode::ConfirmationRequired,
                    "acknowledgedWarnings",
                    n.warning.message(),
                )
            })
            .collect();
        let warnings = notices
            .into_iter()
            .map(|n| {
                Ok(SpendWarningNotice {
                    warning: n.warning,
                    message: n.warning.message(),
                    task: Task::new(n.task).map_err(to_graphql)?,
                })
            })
            .collect::<async_graphql::Result<_>>()?;
        Ok(Self {
            warnings,
            ..Self::errors(user_errors)
        })
    }

    pub(super) fn from_result(
        result: Result<Submission, ServiceError>,
    ) -> async_graphql::Result<Self> {
        let result = match result {
            Err(ServiceError::Unconfirmed(notices)) => return Self::unconfirmed(notices),
            other => other,
        };
        Ok(match user_errors(result)? {
            Ok(submission) => {
                let task = Task::new(submission.task).map_err(to_graphql)?;
                SubmitTaskPayload {
                    duplicate_of: (submission.outcome == SubmitOutcome::Duplicate)
                        .then(|| task.clone()),
                    replayed: submission.outcome == SubmitOutcome::Replayed,
                    task: Some(task),
                    warnings: Vec::new(),
                    user_errors: Vec::new(),
                }
            }
            Err(errors) => Self::errors(errors),
        })
    }
}

/// What a promotion may change; the rest is the draft's (including its seed).
#[derive(InputObject, Default)]
pub(super) struct PromoteOverrides {
    pub prompt: Option<String>,
    pub negative_prompt: Option<String>,
    pub aspect_ratio: Option<AspectRatio>,
    pub size: Option<String>,
    pub quality: Option<Quality>,
    pub count: Option<i32>,
    pub seed: Option<i32>,
    pub watermark: Option<bool>,
    pub output_format: Option<OutputFormat>,
    pub duration_seconds: Option<i32>,
    pub fps: Option<i32>,
    pub resolution: Option<Resolution>,
    pub camera_motion: Option<CameraMotion>,
    pub audio: Option<Audio>,
}

#[derive(InputObject)]
pub(super) struct PromoteTaskInput {
    /// A succeeded draft.
    pub draft_id: ID,
    #[graphql(default)]
    pub overrides: PromoteOverrides,
    pub idempotency_key: Option<String>,
    /// Spend warnings the user accepts, e.g. `FINAL_EXISTS`.
    #[graphql(default)]
    pub acknowledged_warnings: Vec<SpendWarning>,
}

#[derive(InputObject)]
pub(super) struct RetryTaskInput {
    /// A failed or cancelled task.
    pub task_id: ID,
    /// Spend warnings the user accepts, e.g. `ALREADY_CHARGED`.
    #[graphql(default)]
    pub acknowledged_warnings: Vec<SpendWarning>,
}

#[derive(InputObject)]
pub(super) struct TaskIdInput {
    pub task_id: ID,
}

#[derive(SimpleObject)]
pub(super) struct CancelTaskPayload {
    pub task: Option<Task>,
    pub user_errors: Vec<UserError>,
}
