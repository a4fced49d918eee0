//! Workers: claim due jobs from the durable queue and drive each task one step through
//! its provider — submit, poll, store outputs — writing every change before announcing
//! it. A step that fails for a passing reason is retried with exponential backoff and
//! jitter; a task the upstream refused fails with a classified reason.
//!
//! A task is submitted upstream only while it has no upstream id; once the id is
//! recorded, every later step (also after a crash and restart) polls instead.

mod delivery;
mod task_step;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::domain::task::{FailureReason, TaskStatus, TransitionCause};
use crate::entity::{generation_task, job as job_entity};
use crate::provider::ProviderError;
use crate::service::task::TransitionPatch;
use crate::service::{ServiceError, job, task};
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
        if let StepError::Provider(ProviderError::Transient { .. }) = &err
            && let Ok(Some(current)) = self.load_task(claimed).await
            && !current.status.is_terminal()
            && let Err(note_err) = task::record_retry(db, &current, retry_after).await
        {
            tracing::warn!(error = %note_err, "could not note a retry in the task's history");
        }
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
