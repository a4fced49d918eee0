//! `submitTask`, `promoteTask`, `retryTask` and `cancelTask`: thin over `service::task`.

use async_graphql::{Context, Object};

use crate::domain::ErrorCode;
use crate::graphql::error::{state, to_graphql, user_error, user_errors, viewer};
use crate::graphql::node::{NodeType, decode};
use crate::service::task;
use crate::service::task::Overrides;

use super::inputs::{
    CancelTaskPayload, PromoteTaskInput, RetryTaskInput, SubmitTaskInput, SubmitTaskPayload,
    TaskIdInput,
};
use super::object::Task;

#[derive(Default)]
pub(crate) struct TaskMutation;

#[Object]
impl TaskMutation {
    /// Queues a generation task — or returns the live identical one, spending nothing.
    /// Problems with the input come back as `userErrors`.
    async fn submit_task(
        &self,
        ctx: &Context<'_>,
        input: SubmitTaskInput,
    ) -> async_graphql::Result<SubmitTaskPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        match input.request() {
            Ok(request) => {
                SubmitTaskPayload::from_result(task::submit(state, viewer, request).await)
            }
            Err(errors) => Ok(SubmitTaskPayload::errors(errors)),
        }
    }

    /// Creates the `FINAL` of a succeeded draft, linked to it.
    async fn promote_task(
        &self,
        ctx: &Context<'_>,
        input: PromoteTaskInput,
    ) -> async_graphql::Result<SubmitTaskPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let Ok(draft_id) = decode(&input.draft_id, NodeType::Task) else {
            return Ok(SubmitTaskPayload::errors(vec![user_error(
                ErrorCode::NotFound,
                "draftId",
                "There is no such task.",
            )]));
        };
        let o = input.overrides;
        let overrides = Overrides {
            prompt: o.prompt,
            negative_prompt: o.negative_prompt,
            aspect_ratio: o.aspect_ratio,
            size: o.size,
            quality: o.quality,
            count: o.count,
            seed: o.seed.map(i64::from),
            watermark: o.watermark,
            output_format: o.output_format,
            duration_secs: o.duration_seconds,
            fps: o.fps,
            resolution: o.resolution,
            camera_motion: o.camera_motion,
            audio: o.audio,
        };
        SubmitTaskPayload::from_result(
            task::promote(
                state,
                viewer,
                draft_id,
                overrides,
                input.idempotency_key.as_deref(),
                &input.acknowledged_warnings,
            )
            .await,
        )
    }

    /// A new attempt at a failed or cancelled task, linked to it. A task the upstream
    /// charged for asks to confirm (`ALREADY_CHARGED`); one refused by the provider's
    /// safety filter cannot be retried as it is (`EDIT_REQUIRED`).
    async fn retry_task(
        &self,
        ctx: &Context<'_>,
        input: RetryTaskInput,
    ) -> async_graphql::Result<SubmitTaskPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let Ok(task_id) = decode(&input.task_id, NodeType::Task) else {
            return Ok(SubmitTaskPayload::errors(vec![user_error(
                ErrorCode::NotFound,
                "taskId",
                "There is no such task.",
            )]));
        };
        SubmitTaskPayload::from_result(
            task::retry(state, viewer, task_id, &input.acknowledged_warnings).await,
        )
    }

    /// Stops a live task, and tells the upstream.
    async fn cancel_task(
        &self,
        ctx: &Context<'_>,
        input: TaskIdInput,
    ) -> async_graphql::Result<CancelTaskPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let Ok(task_id) = decode(&input.task_id, NodeType::Task) else {
            return Ok(CancelTaskPayload {
                task: None,
                user_errors: vec![user_error(
                    ErrorCode::NotFound,
                    "taskId",
                    "There is no such task.",
                )],
            });
        };
        Ok(
            match user_errors(task::cancel(state, viewer, task_id).await)? {
                Ok(task) => CancelTaskPayload {
                    task: Some(Task::new(task).map_err(to_graphql)?),
                    user_errors: Vec::new(),
                },
                Err(errors) => CancelTaskPayload {
                    task: None,
                    user_errors: errors,
                },
            },
        )
    }
}
