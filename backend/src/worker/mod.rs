//! Workers: claim due jobs from the durable queue and drive each task one step through
//! its provider — submit, poll, store outputs — writing every change before announcing
//! it. A step that fails for a passing reason is retried with exponential backoff and
//! jitter; a task the upstream refused fails with a classified reason.
//!
//! A task is submitted upstream only while it has no upstream id; once the id is
//! recorded, every later step (also after a crash and restart) polls instead.

mod delivery;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::domain::task::{FailureReason, TaskStatus, TransitionCause};
use crate::entity::{generation_task, job as job_entity};
use crate::provider::{
    OutputSource, Provider, ProviderError, ProviderRequest, ReferenceFile, UpstreamOutput,
    UpstreamState,
};
use crate::service::task::{Completion, TaskView, TransitionPatch};
use crate::service::{ServiceError, asset, job, task};
use crate::state::AppState;

/// Steps that fail for a passing reason are retried this many times before the task
/// fails for good.
const MAX_TRANSIENT_ATTEMPTS: i32 = 8;
const BACKOFF_BASE: Duration = Duration::from_millis(500);
const BACKOFF_CAP: Duration = Duration::from_secs(300);
/// An upstream that asks to be polled again this soon is polled again by the same step,
/// holding the job's lease, rather than through the queue: handing the job back and
/// claiming it again would cost more than the wait.
const INLINE_POLL_MAX_WAIT: Duration = Duration::from_millis(25);
/// How many polls one step makes at most, so a slot is not held by one chatty upstream.
const INLINE_POLLS: u32 = 4;

#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

/// What to do with a job after a step.
enum Next {
    /// Nothing more to do.
    Done,
    /// Run again after this long.
    After(Duration),
}

pub(crate) struct Worker {
    state: AppState,
    /// Distinguishes this process's leases from other processes'.
    owner: String,
}

impl Worker {
    pub(crate) fn new(state: AppState) -> Self {
        Self {
            state,
            owner: format!("worker-{}", uuid::Uuid::new_v4().simple()),
        }
    }

    /// Runs until `shutdown` fires, then waits for the steps in flight to finish.
    pub(crate) async fn run(self, shutdown: CancellationToken) {
        let this = Arc::new(self);
        let config = &this.state.config;
        let slots = Arc::new(Semaphore::new(config.worker_concurrency.max(1)));
        let tracker = TaskTracker::new();
        let lease = Duration::from_secs(config.job_lease_secs.max(1));
        let poll = Duration::from_millis(config.worker_poll_ms.max(10));
        tracing::info!(owner = %this.owner, "worker started");

        while !shutdown.is_cancelled() {
            let free = slots.available_permits();
            let mut busy = false;
            if free > 0 {
                match job::claim(&this.state.db, &this.owner, free as u64, lease).await {
                    Ok(jobs) => {
                        busy = jobs.len() == free;
                        for claimed in jobs {
                            let Ok(permit) = slots.clone().acquire_owned().await else {
                                break;
                            };
                            let worker = this.clone();
                            tracker.spawn(async move {
                                worker.run_job(claimed).await;
                                drop(permit);
                                // A freed slot or a rescheduled job may mean more to do now.
                                worker.state.work_ready.notify_one();
                            });
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, "could not claim jobs"),
                }
            }
            let wait = if busy || slots.available_permits() == 0 {
                // Only a freed slot (which wakes this loop) lets it claim again.
                Ok(None)
            } else {
                job::next_due(&this.state.db).await
            };
            let wait = match wait {
                Ok(Some(at)) => (at - Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(poll),
                Ok(None) => poll,
                Err(err) => {
                    tracing::warn!(error = %err, "could not read the job queue");
                    poll
                }
            };
            if wait.is_zero() && slots.available_permits() > 0 {
                continue;
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = this.state.work_ready.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        tracker.close();
        tracker.wait().await;
        tracing::info!(owner = %this.owner, "worker stopped");
    }

    async fn run_job(&self, claimed: job_entity::Model) {
        let outcome = match claimed.kind.as_str() {
            job::TASK_RUN => self.step_task(&claimed).await,
            job::WEBHOOK_DELIVER => delivery::deliver(&self.state, claimed.subject_id)
                .await
                .map_err(StepError::from),
            other => {
                tracing::error!(kind = other, "unknown job kind; dropping it");
                Ok(Next::Done)
            }
        };
        let db = &self.state.db;
        let result = match outcome {
            Ok(Next::Done) => job::complete(db, &claimed).await,
            Ok(Next::After(delay)) => job::reschedule(db, &claimed, Utc::now() + delay, None).await,
            Err(err) => self.handle_failure(&claimed, err).await,
        };
        if let Err(err) = result {
            // The lease runs out and the job is claimed again: nothing is lost.
            tracing::warn!(job_id = %claimed.id, error = %err, "could not update a job");
        }
    }

    /// A failed step: retry with backoff, or fail the task when retrying cannot help.
    async fn handle_failure(
        &self,
        claimed: &job_entity::Model,
        err: StepError,
    ) -> Result<(), sea_orm::DbErr> {
        let db = &self.state.db;
        let permanent = match &err {
            StepError::Provider(ProviderError::Permanent { reason, message }) => {
                Some((*reason, message.clone(), TransitionCause::UpstreamFailed))
            }
            StepError::Provider(ProviderError::Transient { message, .. })
                if claimed.attempts + 1 >= MAX_TRANSIENT_ATTEMPTS =>
            {
                Some((
                    FailureReason::UpstreamError,
                    format!("gave up after {} attempts: {message}", claimed.attempts + 1),
                    TransitionCause::RetriesExhausted,
                ))
            }
            _ => None,
        };
        if let StepError::Provider(ProviderError::Ambiguous { message }) = &err {
            match self.set_aside(claimed, message).await {
                Ok(()) => return job::complete(db, claimed).await,
                Err(fail_err) => {
                    tracing::warn!(error = %fail_err, "could not set a task aside for reconciliation")
                }
            }
        }
        if let Some((reason, message, cause)) = permanent {
            match self.fail_task(claimed, reason, &message, cause).await {
                Ok(()) => return job::complete(db, claimed).await,
                Err(fail_err) => {
                    tracing::warn!(error = %fail_err, "could not record a task failure")
                }
            }
        }
        let retry_after = match &err {
            StepError::Provider(ProviderError::Transient {
                retry_after: Some(after),
                ..
            }) => *after,
            _ => backoff(claimed.attempts),
        };
        tracing::warn!(job_id = %claimed.id, subject = %claimed.subject_id, attempt = claimed.attempts + 1,
            retry_in_ms = retry_after.as_millis() as u64, error = %err, "step failed; will retry");
        job::reschedule(
            db,
            claimed,
            Utc::now() + retry_after,
            Some(&err.to_string()),
        )
        .await
    }

    async fn fail_task(
        &self,
        claimed: &job_entity::Model,
        reason: FailureReason,
        message: &str,
        cause: TransitionCause,
    ) -> Result<(), ServiceError> {
        let Some(current) = self.load_task(claimed).await? else {
            return Ok(());
        };
        self.fail(&current, reason, message, cause).await
    }

    /// A create that may or may not have reached the upstream, which takes no idempotency
    /// key: sending it again could pay twice, so the task ends here, flagged for a person
    /// to check the upstream.
    async fn set_aside(
        &self,
        claimed: &job_entity::Model,
        message: &str,
    ) -> Result<(), ServiceError> {
        let Some(current) = self.load_task(claimed).await? else {
            return Ok(());
        };
        if current.status.is_terminal() {
            return Ok(());
        }
        tracing::warn!(task_id = %current.id, "a create may have reached the upstream; the task needs reconciliation");
        task::transition(
            &self.state,
            &current,
            TaskStatus::Failed,
            TransitionCause::UpstreamFailed,
            None,
            TransitionPatch {
                failure: Some((
                    FailureReason::UpstreamError,
                    format!("{message}. Not sent again, to avoid paying twice: check the provider's dashboard for this task."),
                )),
                needs_reconciliation: true,
                ..TransitionPatch::default()
            },
        )
        .await?;
        Ok(())
    }

    async fn fail(
        &self,
        current: &generation_task::Model,
        reason: FailureReason,
        message: &str,
        cause: TransitionCause,
    ) -> Result<(), ServiceError> {
        let status: TaskStatus = current.status;
        if status.is_terminal() {
            return Ok(());
        }
        task::transition(
            &self.state,
            current,
            TaskStatus::Failed,
            cause,
            None,
            TransitionPatch {
                failure: Some((reason, message.to_owned())),
                ..TransitionPatch::default()
            },
        )
        .await?;
        Ok(())
    }

    async fn load_task(
        &self,
        claimed: &job_entity::Model,
    ) -> Result<Option<generation_task::Model>, ServiceError> {
        use sea_orm::EntityTrait;
        Ok(generation_task::Entity::find_by_id(claimed.subject_id)
            .one(&self.state.db)
            .await?)
    }

    /// One step of a task.
    #[tracing::instrument(skip_all, fields(task_id = %claimed.subject_id))]
    async fn step_task(&self, claimed: &job_entity::Model) -> Result<Next, StepError> {
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

/// Exponential backoff with equal jitter: a random delay between half of and all of
/// `base · 2^attempt`, capped, so that many failing jobs do not retry in lockstep while
/// each still waits at least half its step.
fn backoff(attempts: i32) -> Duration {
    let exp = BACKOFF_BASE
        .saturating_mul(1u32 << attempts.clamp(0, 16) as u32)
        .min(BACKOFF_CAP);
    let millis = rand::rng().random_range(exp.as_millis() as u64 / 2..=exp.as_millis() as u64);
    Duration::from_millis(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_under_the_cap() {
        for attempt in 0..30 {
            let delay = backoff(attempt);
            assert!(delay <= BACKOFF_CAP, "{attempt}: {delay:?}");
            let ceiling = BACKOFF_BASE
                .saturating_mul(1u32 << attempt.clamp(0, 16) as u32)
                .min(BACKOFF_CAP);
            assert!(delay >= ceiling / 2, "{attempt}: {delay:?}");
        }
        assert!(backoff(10) > backoff(0));
    }
}
