//! Workers: claim due jobs from the durable queue and drive each task one step through
//! its provider — submit, poll, store outputs — writing every change before announcing
//! it. A step that fails for a passing reason is retried with exponential backoff and
//! jitter; a task the upstream refused fails with a classified reason.
//!
//! A task is submitted upstream only while it has no upstream id; once the id is
//! recorded, every later step (also after a crash and restart) polls instead.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::domain::task::{FailureReason, TaskStatus, TransitionCause};
use crate::entity::{generation_task, job as job_entity};
use crate::provider::{ProviderError, ProviderRequest, UpstreamState};
use crate::service::task::{TaskView, TransitionPatch};
use crate::service::{ServiceError, asset, job, task};
use crate::state::AppState;

/// Steps that fail for a passing reason are retried this many times before the task
/// fails for good.
const MAX_TRANSIENT_ATTEMPTS: i32 = 8;
const BACKOFF_BASE: Duration = Duration::from_millis(500);
const BACKOFF_CAP: Duration = Duration::from_secs(300);

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

pub struct Worker {
    state: AppState,
    /// Distinguishes this process's leases from other processes'.
    owner: String,
}

impl Worker {
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            owner: format!("worker-{}", uuid::Uuid::new_v4().simple()),
        }
    }

    /// Runs until `shutdown` fires, then waits for the steps in flight to finish.
    pub async fn run(self, shutdown: CancellationToken) {
        let this = Arc::new(self);
        let config = &this.state.config;
        let slots = Arc::new(Semaphore::new(config.worker_concurrency.max(1)));
        let tracker = TaskTracker::new();
        let lease = Duration::from_secs(config.job_lease_secs.max(1));
        let poll = Duration::from_millis(config.worker_poll_ms.max(10));
        tracing::info!(owner = %this.owner, "worker started");

        while !shutdown.is_cancelled() {
            let free = slots.available_permits();
            if free > 0 {
                match job::claim(&this.state.db, &this.owner, free as u64, lease).await {
                    Ok(jobs) => {
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
            let wait = match job::next_due(&this.state.db).await {
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
                Some((*reason, message.clone()))
            }
            StepError::Provider(ProviderError::Transient { message, .. })
                if claimed.attempts + 1 >= MAX_TRANSIENT_ATTEMPTS =>
            {
                Some((
                    FailureReason::UpstreamError,
                    format!("gave up after {} attempts: {message}", claimed.attempts + 1),
                ))
            }
            _ => None,
        };
        if let Some((reason, message)) = permanent {
            match self.fail_task(claimed, reason, &message).await {
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
    ) -> Result<(), ServiceError> {
        let Some(current) = self.load_task(claimed).await? else {
            return Ok(());
        };
        let status: TaskStatus = current.status.parse()?;
        if status.is_terminal() {
            return Ok(());
        }
        task::transition(
            &self.state,
            &current,
            TaskStatus::Failed,
            TransitionCause::UpstreamFailed,
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
        if view.status.is_terminal() {
            return Ok(Next::Done);
        }
        let provider = &self.state.provider;
        let request = ProviderRequest {
            task_id: current.id,
            kind: view.kind,
            input_type: view.input_type,
            params: view.params,
        };

        let (current, upstream_id) = match (&current.upstream_task_id, view.status) {
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
                (moved, accepted.upstream_id)
            }
            (Some(upstream_id), _) => (current.clone(), upstream_id.clone()),
            (None, status) => {
                return Err(ServiceError::Corrupt(format!(
                    "task {} is {status} without an upstream id",
                    current.id
                ))
                .into());
            }
        };

        match provider.poll(&upstream_id, &request).await? {
            UpstreamState::Pending {
                raw_status,
                processing,
                progress,
                poll_after,
            } => {
                let status: TaskStatus = current.status.parse().map_err(ServiceError::from)?;
                let progress = progress.map(i32::from);
                if processing && status == TaskStatus::Submitted {
                    task::transition(
                        &self.state,
                        &current,
                        TaskStatus::Processing,
                        TransitionCause::UpstreamProgress,
                        Some(&raw_status),
                        TransitionPatch {
                            progress,
                            ..TransitionPatch::default()
                        },
                    )
                    .await?;
                } else if let Some(progress) = progress {
                    task::report_progress(&self.state, &current, progress).await?;
                }
                Ok(Next::After(poll_after))
            }
            UpstreamState::Completed {
                raw_status,
                outputs,
            } => {
                for (position, output) in outputs.iter().enumerate() {
                    let bytes = provider.fetch(output).await?;
                    asset::store_output(&self.state, &current, position as u32, bytes).await?;
                }
                task::transition(
                    &self.state,
                    &current,
                    TaskStatus::Succeeded,
                    TransitionCause::UpstreamCompleted,
                    Some(&raw_status),
                    TransitionPatch::default(),
                )
                .await?;
                Ok(Next::Done)
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
                Ok(Next::Done)
            }
        }
    }
}

/// Exponential backoff with full jitter: a random delay up to `base · 2^attempt`, capped,
/// so that many failing jobs do not retry in lockstep.
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
