//! One task: everything about it, live, and what can be done to it.

pub use super::schema::{
    CancelTask, PromoteTask, RetryTask, TaskById, TaskUpdated, cancel_task, promote_task,
    retry_task, task_by_id, task_updated,
};
use crate::api::{ApiError, graphql_query};
use crate::model::{
    Audio, Named, OrUnknown, Quality, Resolution, SpendWarning, TaskDetail, TaskRef, Transition,
    UserError,
};

from_fragment!([task_by_id, task_updated], |t: TaskRefFields| -> TaskRef {
    TaskRef {
        id: t.id,
        stage: t.stage.known(),
        status: t.status,
        lineage: t.lineage.and_then(OrUnknown::known),
        prompt: t.prompt,
        created_at: t.created_at,
    }
});

// The card's part comes from `TaskFields`, which `TaskDetailFields` spreads.
from_fragment!(
    [task_by_id, task_updated],
    |t: TaskDetailFields| -> TaskDetail {
        TaskDetail {
            task: t.task_fields.into(),
            negative_prompt: t.negative_prompt,
            size: t.size,
            watermark: t.watermark,
            output_format: t.output_format.known(),
            camera_motion: t.camera_motion.and_then(OrUnknown::known),
            audio: t.audio.and_then(OrUnknown::known),
            references: t.references.into_iter().map(|r| reference!(r)).collect(),
            deadline_at: t.deadline_at,
            finished_at: t.finished_at,
            provider: t.provider,
            upstream_task_id: t.upstream_task_id,
            upstream_usage: t.upstream_usage,
            needs_reconciliation: t.needs_reconciliation,
            callback_url: t.callback_url,
            campaign: Named {
                id: t.campaign.id,
                name: t.campaign.name,
            },
            parent: t.parent.map(Into::into),
            children: t.children.into_iter().map(Into::into).collect(),
            history: t
                .history
                .into_iter()
                .map(|h| Transition {
                    from: h.from_status,
                    to: h.to_status,
                    cause: h.cause,
                    upstream_status: h.upstream_status,
                    retry_after_ms: h.retry_after_ms,
                    at: h.at,
                })
                .collect(),
        }
    }
);

/// The task, or `None` when it does not exist or belongs to another team.
pub async fn fetch_task(id: String) -> Result<Option<TaskDetail>, ApiError> {
    let data = graphql_query::<TaskById>(task_by_id::Variables { id }).await?;
    Ok(data.task.map(Into::into))
}

/// A state from the `taskUpdated` subscription.
pub fn updated_task(data: task_updated::ResponseData) -> TaskDetail {
    data.task_updated.into()
}

pub fn task_updated_variables(id: String) -> task_updated::Variables {
    task_updated::Variables { id }
}

/// What a promotion changes; the rest is the draft's, including its seed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromoteOverrides {
    pub quality: Option<Quality>,
    pub count: Option<i64>,
    pub size: Option<String>,
    pub resolution: Option<Resolution>,
    pub duration_seconds: Option<i64>,
    pub audio: Option<Audio>,
    pub seed: Option<i64>,
}

/// The task a promote or retry made, or the identical live one it was answered with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    pub id: String,
    /// The task already existed; nothing new was spent.
    pub duplicate: bool,
}

pub async fn promote_task(
    draft_id: String,
    overrides: PromoteOverrides,
    idempotency_key: String,
    acknowledged: Vec<SpendWarning>,
) -> Result<Result<Created, Vec<UserError>>, ApiError> {
    let data = graphql_query::<PromoteTask>(promote_task::Variables {
        input: promote_task::PromoteTaskInput {
            draft_id,
            overrides: promote_task::PromoteOverrides {
                prompt: None,
                negative_prompt: None,
                aspect_ratio: None,
                size: overrides.size,
                quality: overrides.quality.map(Into::into),
                count: overrides.count,
                seed: overrides.seed,
                watermark: None,
                output_format: None,
                duration_seconds: overrides.duration_seconds,
                // A final keeps its draft's frame rate.
                fps: None,
                resolution: overrides.resolution.map(Into::into),
                camera_motion: None,
                audio: overrides.audio.map(Into::into),
            },
            idempotency_key: Some(idempotency_key),
            acknowledged_warnings: acknowledged,
        },
    })
    .await?;
    let p = data.promote_task;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors_and_warnings!(p)));
    }
    let duplicate = p.duplicate_of.is_some();
    p.task
        .map(|t| {
            Ok(Created {
                id: t.id,
                duplicate,
            })
        })
        .ok_or(ApiError::NoData)
}

/// Retries a failed or cancelled task; `acknowledged` answers the spend warnings an
/// earlier try was refused with.
pub async fn retry_task(
    task_id: String,
    acknowledged: Vec<SpendWarning>,
) -> Result<Result<Created, Vec<UserError>>, ApiError> {
    let data = graphql_query::<RetryTask>(retry_task::Variables {
        input: retry_task::RetryTaskInput {
            task_id,
            acknowledged_warnings: acknowledged,
        },
    })
    .await?;
    let p = data.retry_task;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors_and_warnings!(p)));
    }
    let duplicate = p.duplicate_of.is_some();
    p.task
        .map(|t| {
            Ok(Created {
                id: t.id,
                duplicate,
            })
        })
        .ok_or(ApiError::NoData)
}

/// Stops a live task. The page learns the new status from its subscription.
pub async fn cancel_task(task_id: String) -> Result<Result<(), Vec<UserError>>, ApiError> {
    let data = graphql_query::<CancelTask>(cancel_task::Variables {
        input: cancel_task::TaskIdInput { task_id },
    })
    .await?;
    let p = data.cancel_task;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors!(p.user_errors)));
    }
    Ok(Ok(()))
}
