//! The board's side of tasks: the filtered list, live events, and the composer's
//! estimate and submit.

pub use super::schema::{
    EstimateTask, SubmitTask, TaskEvents, Tasks, estimate_task, submit_task, task_events, tasks,
};
use super::schema::{task_by_id, task_updated};
use super::sorted;
use crate::api::{ApiError, graphql_query};
use crate::model::{
    AspectRatio, Audio, CameraMotion, InputType, Kind, Money, Named, OrUnknown, Output,
    OutputFormat, Quality, Resolution, SpendWarning, Stage, Status, Task, UserError,
};

// The card's fields, in every operation that selects them (the task page's operations
// select them inside `TaskDetailFields`).
from_fragment!(
    [tasks, task_events, submit_task, task_by_id, task_updated],
    |task: TaskFields| -> Task {
        Task {
            id: task.id,
            kind: task.kind.known(),
            input_type: task.input_type.known(),
            stage: task.stage.known(),
            status: task.status,
            progress: task.progress.clamp(0, 100),
            prompt: task.prompt,
            aspect_ratio: task.aspect_ratio.known(),
            count: task.count,
            seed: task.seed,
            model: task.model,
            quality: task.quality.and_then(OrUnknown::known),
            resolution: task.resolution.and_then(OrUnknown::known),
            duration_seconds: task.duration_seconds,
            fps: task.fps,
            queue_position: task.queue_position,
            estimated_cost: money!(task.estimated_cost),
            actual_cost: task.actual_cost.map(|m| money!(m)),
            charged: task.charged,
            lineage: task.lineage.and_then(OrUnknown::known),
            failure_reason: task.failure_reason,
            failure_message: task.failure_message,
            created_at: task.created_at,
            updated_at: task.updated_at,
            submitted_by: task.submitted_by.map(|u| u.display_name),
            brief: Named {
                id: task.brief.id,
                name: task.brief.title,
            },
            outputs: sorted(task.outputs.into_iter().map(Into::into).collect()),
        }
    }
);

from_fragment!(
    [tasks, task_events, submit_task, task_by_id, task_updated],
    |o: OutputFields| -> Output {
        Output {
            id: o.id,
            position: o.position,
            format: o.format,
            mime_type: o.mime_type,
            width: o.width,
            height: o.height,
            duration_ms: o.duration_ms,
            byte_size: o.byte_size,
            checksum_sha256: o.checksum_sha256,
            url: o.url,
            thumbnail_url: o.thumbnail_url,
            download_status: o.download_status.known(),
            download_attempts: o.download_attempts,
            last_download_error: o.last_download_error,
        }
    }
);

/// The status tabs above the list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    All,
    Active,
    Succeeded,
    Failed,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 4] = [
        StatusFilter::All,
        StatusFilter::Active,
        StatusFilter::Succeeded,
        StatusFilter::Failed,
    ];

    pub fn admits(self, status: Status) -> bool {
        match self {
            StatusFilter::All => true,
            StatusFilter::Active => status.is_active(),
            StatusFilter::Succeeded => status == Status::Succeeded,
            // A cancelled task did not deliver either; it belongs with the failures.
            StatusFilter::Failed => matches!(status, Status::Failed | Status::Cancelled),
        }
    }

    fn statuses(self) -> Option<Vec<Status>> {
        use Status as S;
        match self {
            StatusFilter::All => None,
            StatusFilter::Active => Some(vec![S::Queued, S::Submitted, S::Processing]),
            StatusFilter::Succeeded => Some(vec![S::Succeeded]),
            StatusFilter::Failed => Some(vec![S::Failed, S::Cancelled]),
        }
    }
}

/// Which tasks the board lists and hears about. Everything but the status is also
/// applied to the live events by the server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskQuery {
    pub status: StatusFilter,
    pub stage: Option<Stage>,
    pub kind: Option<Kind>,
    /// Only the viewer's own tasks.
    pub mine: bool,
    pub campaign_id: Option<String>,
    pub brief_id: Option<String>,
}

impl TaskQuery {
    /// Whether a task that is not on the board yet belongs there, e.g. when a live
    /// event or a submit brings it. The server filtered the events by everything but
    /// the status; the rest is checked again for tasks from other sources.
    pub fn admits(&self, task: &Task) -> bool {
        self.status.admits(task.status)
            && self.stage.is_none_or(|s| task.stage == Some(s))
            && self.kind.is_none_or(|k| task.kind == Some(k))
            && self.brief_id.as_ref().is_none_or(|b| *b == task.brief.id)
    }

    /// The same filter for the `taskEvents` subscription.
    pub fn event_variables(&self) -> task_events::Variables {
        task_events::Variables {
            filter: Some(task_events::TaskEventFilter {
                mine: self.mine,
                kind: self.kind.map(|k| vec![k.into()]),
                stage: self.stage.map(|s| vec![s.into()]),
                campaign_id: self.campaign_id.clone(),
                brief_id: self.brief_id.clone(),
            }),
        }
    }
}

/// One page of the task list, newest first.
#[derive(Clone, Debug)]
pub struct TaskPage {
    pub tasks: Vec<Task>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<String>,
}

/// The server's own cap is 100; 50 fills a large screen without a slow first paint.
pub const PAGE_SIZE: i64 = 50;

pub async fn fetch_tasks(query: &TaskQuery, after: Option<String>) -> Result<TaskPage, ApiError> {
    let data = graphql_query::<Tasks>(tasks::Variables {
        first: PAGE_SIZE,
        after,
        filter: Some(tasks::TaskFilter {
            status: query.status.statuses(),
            kind: query.kind.map(|k| vec![k.into()]),
            stage: query.stage.map(|s| vec![s.into()]),
            campaign_id: query.campaign_id.clone(),
            brief_id: query.brief_id.clone(),
            mine: query.mine,
        }),
    })
    .await?;
    let page = data.tasks;
    Ok(TaskPage {
        tasks: page.edges.into_iter().map(|e| e.node.into()).collect(),
        next: page
            .page_info
            .has_next_page
            .then_some(page.page_info.end_cursor)
            .flatten(),
    })
}

/// A live change to a task, as `taskEvents` delivers it.
pub struct TaskEvent {
    pub task: Task,
    /// The status changed (rather than only the progress).
    pub transition: bool,
}

pub fn task_event(data: task_events::ResponseData) -> TaskEvent {
    let event = data.task_events;
    TaskEvent {
        transition: event.kind == super::schema::TaskEventKind::Transition,
        task: event.task.into(),
    }
}

/// Everything the composer can ask for. `None` leaves a value to the model's and
/// the stage's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskInput {
    pub brief_id: String,
    pub input_type: InputType,
    pub stage: Stage,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub model: Option<String>,
    pub aspect_ratio: Option<AspectRatio>,
    pub size: Option<String>,
    pub quality: Option<Quality>,
    pub count: Option<i64>,
    pub seed: Option<i64>,
    pub watermark: Option<bool>,
    pub output_format: Option<OutputFormat>,
    pub duration_seconds: Option<i64>,
    pub fps: Option<i64>,
    pub resolution: Option<Resolution>,
    pub camera_motion: Option<CameraMotion>,
    pub audio: Option<Audio>,
    pub reference_ids: Vec<String>,
}

/// The same input for one operation's generated `SubmitTaskInput`.
macro_rules! submit_input {
    ($op:ident, $input:expr, $key:expr, $callback_url:expr, $acknowledged:expr) => {{
        let input: TaskInput = $input;
        $op::SubmitTaskInput {
            brief_id: input.brief_id,
            input_type: input.input_type.into(),
            stage: input.stage.into(),
            prompt: input.prompt,
            negative_prompt: input.negative_prompt,
            model: input.model,
            aspect_ratio: input.aspect_ratio.map(Into::into),
            size: input.size,
            quality: input.quality.map(Into::into),
            count: input.count,
            seed: input.seed,
            watermark: input.watermark,
            output_format: input.output_format.map(Into::into),
            duration_seconds: input.duration_seconds,
            fps: input.fps,
            resolution: input.resolution.map(Into::into),
            camera_motion: input.camera_motion.map(Into::into),
            audio: input.audio.map(Into::into),
            reference_asset_ids: input.reference_ids,
            idempotency_key: $key,
            callback_url: $callback_url,
            acknowledged_warnings: $acknowledged,
        }
    }};
}

/// A task that a submit would be answered with instead of a new one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveTask {
    pub id: String,
    pub status: Status,
    pub prompt: String,
}

/// What a submit would cost and do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// `None` when the input has problems (see `errors`).
    pub cost: Option<Money>,
    /// An identical live task: submitting would show it and spend nothing.
    pub duplicate_of: Option<LiveTask>,
    /// An identical task that succeeded in the last 24 hours: the team has this.
    pub succeeded_recently: Option<LiveTask>,
    pub committed: Option<Money>,
    pub budget: Option<Money>,
    pub within_budget: bool,
    pub errors: Vec<UserError>,
}

pub async fn estimate_task(input: TaskInput) -> Result<Estimate, ApiError> {
    let data = graphql_query::<EstimateTask>(estimate_task::Variables {
        // The callback URL changes neither price nor duplicates; it is checked (which
        // takes a DNS lookup) only when the task is submitted.
        input: submit_input!(estimate_task, input, None, None, Vec::new()),
    })
    .await?;
    let e = data.estimate_task;
    Ok(Estimate {
        cost: e.estimated_cost.map(|m| money!(m)),
        duplicate_of: e.duplicate_of.map(|t| LiveTask {
            id: t.id,
            status: t.status,
            prompt: t.prompt,
        }),
        succeeded_recently: e.succeeded_recently.map(|t| LiveTask {
            id: t.id,
            status: t.status,
            prompt: t.prompt,
        }),
        committed: e.campaign_committed.map(|m| money!(m)),
        budget: e.campaign_budget.map(|m| money!(m)),
        within_budget: e.within_budget,
        errors: user_errors!(e.user_errors),
    })
}

/// How a submit was answered.
#[derive(Clone, Debug)]
pub struct Submitted {
    /// The task that stands for the submit: new, or one that already existed.
    pub task: Task,
    /// An identical task was still live and is shown instead; nothing was spent.
    pub duplicate: bool,
}

/// Submits a task; `callback_url`, if any, is told about each of its changes;
/// `acknowledged` answers the spend warnings an earlier try was refused with.
pub async fn submit_task(
    input: TaskInput,
    idempotency_key: String,
    callback_url: Option<String>,
    acknowledged: Vec<SpendWarning>,
) -> Result<Result<Submitted, Vec<UserError>>, ApiError> {
    let data = graphql_query::<SubmitTask>(submit_task::Variables {
        input: submit_input!(
            submit_task,
            input,
            Some(idempotency_key),
            callback_url,
            acknowledged
        ),
    })
    .await?;
    let payload = data.submit_task;
    if !payload.user_errors.is_empty() {
        return Ok(Err(user_errors_and_warnings!(payload)));
    }
    let duplicate = payload.duplicate_of.is_some();
    payload
        .task
        .map(|t| {
            Ok(Submitted {
                task: t.into(),
                duplicate,
            })
        })
        .ok_or(ApiError::NoData)
}

#[cfg(test)]
mod tests {
    use super::*;
    // Run in Node by wasm-bindgen-test-runner: the crate only builds for wasm32.
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn task(status: Status, stage: Stage, brief: &str) -> Task {
        Task {
            status,
            stage: Some(stage),
            kind: Some(Kind::Image),
            brief: Named {
                id: brief.to_owned(),
                name: String::new(),
            },
            ..Task::default()
        }
    }

    #[test]
    fn a_cancelled_task_counts_among_the_failures() {
        assert!(StatusFilter::Failed.admits(Status::Cancelled));
        assert!(!StatusFilter::Active.admits(Status::Succeeded));
    }

    #[test]
    fn the_board_admits_only_tasks_its_filters_want() {
        let query = TaskQuery {
            stage: Some(Stage::Final),
            brief_id: Some("b1".to_owned()),
            ..TaskQuery::default()
        };
        assert!(query.admits(&task(Status::Queued, Stage::Final, "b1")));
        assert!(!query.admits(&task(Status::Queued, Stage::Draft, "b1")));
        assert!(!query.admits(&task(Status::Queued, Stage::Final, "b2")));
    }
}
