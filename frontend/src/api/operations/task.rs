//! One task: everything about it, live, and what can be done to it.

use graphql_client::GraphQLQuery;

use super::{DateTime, sorted};
use crate::api::{ApiError, graphql_query};
use crate::model::{
    Audio, Named, Quality, ReferenceAsset, Resolution, Task, TaskDetail, TaskRef, Transition,
    UserError,
};

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/task.graphql",
    response_derives = "Debug, Clone"
)]
pub struct TaskById;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/task_updated.graphql",
    response_derives = "Debug, Clone"
)]
pub struct TaskUpdated;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/promote_task.graphql",
    response_derives = "Debug, Clone"
)]
pub struct PromoteTask;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/retry_task.graphql",
    response_derives = "Debug, Clone"
)]
pub struct RetryTask;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/cancel_task.graphql",
    response_derives = "Debug, Clone"
)]
pub struct CancelTask;

/// The page's fields from one operation's `TaskDetailFields` selection.
macro_rules! detail_from {
    ($op:ident) => {
        enums!($op:
            status_enum, failure_reason_enum, transition_cause_enum, kind_enum, stage_enum,
            input_type_enum, aspect_ratio_enum, quality_enum, resolution_enum, camera_motion_enum,
            audio_enum, output_format_enum, lineage_enum, download_status_enum,
            licence_status_enum, media_kind_enum,
        );

        impl From<$op::TaskRefFields> for TaskRef {
            fn from(t: $op::TaskRefFields) -> Self {
                TaskRef {
                    id: t.id,
                    stage: t.stage.into(),
                    status: t.status.into(),
                    lineage: t.lineage.and_then(Into::into),
                    prompt: t.prompt,
                    created_at: t.created_at,
                }
            }
        }

        impl From<$op::TaskDetailFields> for TaskDetail {
            fn from(t: $op::TaskDetailFields) -> Self {
                let task = Task {
                    id: t.id,
                    kind: t.kind.into(),
                    input_type: t.input_type.into(),
                    stage: t.stage.into(),
                    status: t.status.into(),
                    progress: t.progress.clamp(0, 100),
                    prompt: t.prompt,
                    aspect_ratio: t.aspect_ratio.into(),
                    count: t.count,
                    seed: t.seed,
                    model: t.model,
                    quality: t.quality.and_then(Into::into),
                    resolution: t.resolution.and_then(Into::into),
                    duration_seconds: t.duration_seconds,
                    queue_position: t.queue_position,
                    estimated_cost: money!(t.estimated_cost),
                    actual_cost: t.actual_cost.map(|m| money!(m)),
                    charged: t.charged,
                    lineage: t.lineage.and_then(Into::into),
                    failure_reason: t.failure_reason.map(Into::into),
                    failure_message: t.failure_message,
                    created_at: t.created_at,
                    updated_at: t.updated_at,
                    submitted_by: t.submitted_by.map(|u| u.display_name),
                    brief: Named {
                        id: t.brief.id,
                        name: t.brief.title,
                    },
                    outputs: sorted(t.outputs.into_iter().map(|o| output!(o)).collect()),
                };
                TaskDetail {
                    task,
                    negative_prompt: t.negative_prompt,
                    size: t.size,
                    watermark: t.watermark,
                    output_format: t.output_format.into(),
                    camera_motion: t.camera_motion.and_then(Into::into),
                    audio: t.audio.and_then(Into::into),
                    references: t
                        .references
                        .into_iter()
                        .map(|r| ReferenceAsset {
                            id: r.id,
                            kind: r.kind.into(),
                            filename: r.filename,
                            mime_type: r.mime_type,
                            width: r.width,
                            height: r.height,
                            licence_status: r.licence_status.into(),
                            url: r.url,
                            thumbnail_url: r.thumbnail_url,
                        })
                        .collect(),
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
                            from: h.from_status.map(Into::into),
                            to: h.to_status.into(),
                            cause: h.cause.into(),
                            upstream_status: h.upstream_status,
                            at: h.at,
                        })
                        .collect(),
                }
            }
        }
    };
}

detail_from!(task_by_id);
detail_from!(task_updated);
enums!(promote_task: quality_enum, resolution_enum, audio_enum, error_code_enum);
enums!(retry_task: error_code_enum);
enums!(cancel_task: error_code_enum, status_enum);

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
                resolution: overrides.resolution.map(Into::into),
                camera_motion: None,
                audio: overrides.audio.map(Into::into),
            },
            idempotency_key: Some(idempotency_key),
        },
    })
    .await?;
    let p = data.promote_task;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors!(p.user_errors)));
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

pub async fn retry_task(task_id: String) -> Result<Result<Created, Vec<UserError>>, ApiError> {
    let data = graphql_query::<RetryTask>(retry_task::Variables {
        input: retry_task::TaskIdInput { task_id },
    })
    .await?;
    let p = data.retry_task;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors!(p.user_errors)));
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
