//! One step of a task: submit it upstream, or poll it, and keep what it produced.

use std::time::Duration;

use chrono::Utc;

use super::{
    INLINE_POLL_MAX_WAIT, INLINE_POLLS, MAX_TRANSIENT_ATTEMPTS, Next, StepError, Worker, backoff,
};
use crate::domain::task::{FailureReason, TaskStatus, TransitionCause};
use crate::entity::{generation_task, job as job_entity};
use crate::provider::{
    OutputSource, Provider, ProviderError, ProviderRequest, ReferenceFile, UpstreamOutput,
    UpstreamState,
};
use crate::service::task::{Completion, TaskView, TransitionPatch};
use crate::service::{ServiceError, asset, task};

impl Worker {
    /// One step of a task.
    #[tracing::instrument(skip_all, fields(task_id = %claimed.subject_id))]
    pub(super) async fn step_task(&self, claimed: &job_entity::Model) -> Result<Next, StepError> {
        let Some(current) = self.load_task(claimed).await? else {
            return Ok(Next::Done);
        };
        let view = TaskView::of(&current)?;
        let Some(provider) = self.state.providers.get(&current.provider) else {
            if !view.status.is_terminal() {
                let message = format!("provider {:?} is not configured any more", current.provider);
                self.fail(
                    &current,
                    FailureReason::UpstreamError,
                    &message,
                    TransitionCause::UpstreamFailed,
                )
                .await?;
            }
            return Ok(Next::Done);
        };
        if view.status.is_terminal() {
            // A cancelled task the upstream is still working on: tell it to stop.
            if view.status == TaskStatus::Cancelled
                && current.upstream_completed_at.is_none()
                && let Some(upstream_id) = &current.upstream_task_id
                && let Err(err) = provider.cancel(upstream_id).await
            {
                tracing::warn!(error = %err, "the upstream did not take the cancellation");
            }
            return Ok(Next::Done);
        }
        if current.upstream_completed_at.is_some() {
            // Generated and paid for: only the files are left to fetch.
            return self.download(&current, provider.as_ref()).await;
        }
        if task::past_deadline(&current, Utc::now()) {
            if let Some(upstream_id) = &current.upstream_task_id {
                let _ = provider.cancel(upstream_id).await;
            }
            let waited = (Utc::now() - current.created_at).num_seconds();
            let message = format!("no result within the deadline ({waited} s after submission)");
            self.fail(
                &current,
                FailureReason::QueueTimeout,
                &message,
                TransitionCause::DeadlinePassed,
            )
            .await?;
            return Ok(Next::Done);
        }
        let mut references = Vec::new();
        if provider.needs_reference_bytes() {
            for reference in &view.params.references {
                let (row, bytes) =
                    crate::service::reference::bytes(&self.state, reference.id).await?;
                references.push(ReferenceFile {
                    kind: reference.kind,
                    mime: row.mime,
                    filename: row.filename,
                    bytes,
                });
            }
        }
        let upstream_model = self.state.config.model(&view.params.model).map_or_else(
            || view.params.model.clone(),
            |m| m.upstream_name().to_owned(),
        );
        let request = ProviderRequest {
            task_id: current.id,
            submitted_at: current.created_at,
            upstream_model,
            references,
            idempotency_key: current.id.to_string(),
            kind: view.kind,
            params: view.params,
        };

        let (current, upstream_id, answered) = match (&current.upstream_task_id, view.status) {
            (None, TaskStatus::Queued) => {
                let accepted = provider.submit(&request).await?;
                // The upstream id is the first thing written after the upstream accepted,
                // so a crash from here on resumes by polling, never by paying again.
                let moved = task::transition(
                    &self.state,
                    &current,
                    TaskStatus::Submitted,
                    TransitionCause::UpstreamAccepted,
                    Some(&accepted.raw_status),
                    TransitionPatch {
                        upstream_task_id: Some(accepted.upstream_id.clone()),
                        ..TransitionPatch::default()
                    },
                )
                .await?;
                let Some(moved) = moved else {
                    return Ok(Next::Done);
                };
                (moved, accepted.upstream_id, accepted.result)
            }
            (Some(upstream_id), _) => (current.clone(), upstream_id.clone(), None),
            (None, status) => {
                return Err(ServiceError::Corrupt(format!(
                    "task {} is {status} without an upstream id",
                    current.id
                ))
                .into());
            }
        };

        let mut current = current;
        let mut answered = answered;
        let mut polls = 0;
        loop {
            let state = match answered.take() {
                Some(state) => state,
                None => {
                    polls += 1;
                    provider.poll(&upstream_id, &request).await?
                }
            };
            let (raw_status, processing, progress, queue_position, poll_after) = match state {
                UpstreamState::Pending {
                    raw_status,
                    processing,
                    progress,
                    queue_position,
                    poll_after,
                } => (raw_status, processing, progress, queue_position, poll_after),
                UpstreamState::Completed {
                    outputs,
                    cost_micros,
                    usage,
                    ..
                } => {
                    let completion = Completion {
                        actual_cost_micros: cost_micros.unwrap_or(current.estimated_cost_micros),
                        usage,
                    };
                    return self
                        .completed(&current, provider.as_ref(), outputs, completion)
                        .await;
                }
                UpstreamState::Failed {
                    raw_status,
                    reason,
                    message,
                } => {
                    task::transition(
                        &self.state,
                        &current,
                        TaskStatus::Failed,
                        TransitionCause::UpstreamFailed,
                        Some(&raw_status),
                        TransitionPatch {
                            failure: Some((reason, message)),
                            ..TransitionPatch::default()
                        },
                    )
                    .await?;
                    return Ok(Next::Done);
                }
            };
            let status = current.status;
            let progress = progress.map(i32::from);
            let queue_position = queue_position.map(|p| p as i32);
            let moved = if processing && status == TaskStatus::Submitted {
                task::transition(
                    &self.state,
                    &current,
                    TaskStatus::Processing,
                    TransitionCause::UpstreamProgress,
                    Some(&raw_status),
                    TransitionPatch {
                        progress,
                        queue_position: Some(None),
                        ..TransitionPatch::default()
                    },
                )
                .await?
            } else {
                Some(
                    task::report_progress(
                        &self.state,
                        &current,
                        progress.unwrap_or(current.progress),
                        queue_position,
                    )
                    .await?,
                )
            };
            // Never wait past the deadline to notice it.
            let until_deadline = (current.deadline_at - Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO);
            let wait = poll_after.min(until_deadline + Duration::from_millis(10));
            match moved {
                Some(moved) if wait <= INLINE_POLL_MAX_WAIT && polls < INLINE_POLLS => {
                    current = moved;
                    tokio::time::sleep(wait).await;
                }
                // Later, through the queue; a task that moved on without this step
                // (cancelled) is seen to by the next one.
                _ => return Ok(Next::After(wait)),
            }
        }
    }

    /// The upstream finished: bytes that came with the answer are kept at once; links
    /// are recorded and fetched next, and again after a failure — never by generating
    /// anew.
    async fn completed(
        &self,
        current: &generation_task::Model,
        provider: &dyn Provider,
        outputs: Vec<UpstreamOutput>,
        completion: Completion,
    ) -> Result<Next, StepError> {
        let all_inline = outputs
            .iter()
            .all(|output| matches!(output.source, OutputSource::Inline(_)));
        if all_inline {
            // Everything is at hand: files first, then outputs, cost and SUCCEEDED in
            // one transaction.
            let mut kept = Vec::with_capacity(outputs.len());
            for (position, output) in outputs.iter().enumerate() {
                if let OutputSource::Inline(bytes) = &output.source {
                    kept.push(
                        asset::keep_file(&self.state, current, position as u32, bytes.clone())
                            .await?,
                    );
                }
            }
            if task::succeed_with_outputs(&self.state, current, kept, completion.clone())
                .await?
                .is_some()
            {
                return Ok(Next::Done);
            }
            // The task moved on meanwhile (cancelled): what was paid for is still kept.
        }
        for (position, output) in outputs.into_iter().enumerate() {
            match output.source {
                OutputSource::Inline(bytes) => {
                    asset::store_output(&self.state, current, position as u32, bytes).await?;
                }
                OutputSource::Url { url, expires_at } => {
                    asset::record_link(&self.state, current, position as u32, &url, expires_at)
                        .await?;
                }
            }
        }
        let completed = task::record_upstream_completion(&self.state, current, completion).await?;
        self.download(&completed, provider).await
    }

    /// Fetches the outputs still pending; the task succeeds once all are stored. A link
    /// that is gone for good fails the task with `DOWNLOAD_FAILED` (it stays charged, and
    /// is never generated again); a passing failure is retried with backoff.
    async fn download(
        &self,
        current: &generation_task::Model,
        provider: &dyn Provider,
    ) -> Result<Next, StepError> {
        for output in asset::pending_of(&self.state.db, current.id).await? {
            let Some(url) = output.upstream_url.clone() else {
                return Err(ServiceError::Corrupt(format!(
                    "output {} is pending without a link",
                    output.id
                ))
                .into());
            };
            let source = UpstreamOutput {
                source: OutputSource::Url {
                    url,
                    expires_at: output.upstream_expires_at,
                },
            };
            match provider.fetch(&source).await {
                Ok(bytes) => {
                    asset::store_output(&self.state, current, output.position as u32, bytes)
                        .await?;
                }
                Err(
                    ProviderError::Permanent { message, .. } | ProviderError::Ambiguous { message },
                ) => {
                    let expired = output
                        .upstream_expires_at
                        .is_some_and(|at| at <= Utc::now());
                    asset::give_up(&self.state.db, &output, expired, &message).await?;
                    let why = if expired {
                        "the result link expired before it could be fetched"
                    } else {
                        "the result could not be fetched"
                    };
                    self.fail(
                        current,
                        FailureReason::DownloadFailed,
                        &format!("{why}: {message}"),
                        TransitionCause::DownloadFailed,
                    )
                    .await?;
                    return Ok(Next::Done);
                }
                Err(ProviderError::Transient {
                    message,
                    retry_after,
                }) => {
                    asset::note_attempt(&self.state.db, &output, &message).await?;
                    if output.attempts + 1 >= MAX_TRANSIENT_ATTEMPTS {
                        asset::give_up(&self.state.db, &output, false, &message).await?;
                        let message = format!(
                            "gave up fetching the result after {} attempts: {message}",
                            output.attempts + 1
                        );
                        self.fail(
                            current,
                            FailureReason::DownloadFailed,
                            &message,
                            TransitionCause::DownloadFailed,
                        )
                        .await?;
                        return Ok(Next::Done);
                    }
                    return Ok(Next::After(
                        retry_after.unwrap_or_else(|| backoff(output.attempts)),
                    ));
                }
            }
        }
        let moved = task::transition(
            &self.state,
            current,
            TaskStatus::Succeeded,
            TransitionCause::UpstreamCompleted,
            Some("completed"),
            TransitionPatch::default(),
        )
        .await?;
        if moved.is_none() {
            tracing::info!(task_id = %current.id, "the task ended while its outputs were fetched");
        }
        Ok(Next::Done)
    }
}
