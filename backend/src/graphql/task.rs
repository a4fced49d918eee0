//! Generation tasks in the API: `submitTask`, `task`, `tasks`, and the `Task`,
//! `OutputAsset` and `TaskTransition` types.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::MAX_PAGE_SIZE;
use super::account::User;
use super::error::{UserError, bad_input, state, to_graphql, user_errors, viewer};
use super::node::{NodeType, decode, encode};
use crate::domain::task::{ImageTaskDraft, TaskSpec};
use crate::entity::{generation_task, output_asset, task_event};
use crate::service::task::{TaskFilter as ServiceTaskFilter, TaskView};
use crate::service::{ServiceError, account, asset, task};
use crate::state::AppState;

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::domain::task::TaskKind")]
pub enum TaskKind {
    Image,
    Video,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::domain::task::InputType")]
pub enum InputType {
    TextToImage,
    ImageToImage,
    TextToVideo,
    ImageToVideo,
    VideoToVideo,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::domain::task::Stage")]
pub enum Stage {
    /// A cheap exploration.
    Draft,
    /// The render that gets reviewed and used.
    Final,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::domain::task::TaskStatus")]
pub enum TaskStatus {
    /// Stored; waiting for a worker.
    Queued,
    /// Accepted by the upstream, which has not started it yet.
    Submitted,
    /// The upstream is generating it.
    Processing,
    Succeeded,
    Failed,
    Cancelled,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::domain::task::FailureReason")]
pub enum FailureReason {
    InvalidParams,
    ContentPolicy,
    Quota,
    QueueTimeout,
    UpstreamError,
    DownloadFailed,
    Cancelled,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::domain::task::AspectRatio")]
pub enum AspectRatio {
    #[graphql(name = "SQUARE_1_1")]
    Square1x1,
    #[graphql(name = "LANDSCAPE_16_9")]
    Landscape16x9,
    #[graphql(name = "PORTRAIT_9_16")]
    Portrait9x16,
    #[graphql(name = "LANDSCAPE_4_3")]
    Landscape4x3,
    #[graphql(name = "PORTRAIT_3_4")]
    Portrait3x4,
    #[graphql(name = "LANDSCAPE_21_9")]
    Landscape21x9,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::domain::task::TransitionCause")]
pub enum TransitionCause {
    Submitted,
    UpstreamAccepted,
    UpstreamProgress,
    UpstreamCompleted,
    UpstreamFailed,
}

/// A unit of generation work sent upstream.
#[derive(Clone)]
pub struct Task {
    model: Arc<generation_task::Model>,
    view: Arc<TaskView>,
}

impl Task {
    pub fn new(model: generation_task::Model) -> Result<Self, ServiceError> {
        Self::from_arc(Arc::new(model))
    }

    pub fn from_arc(model: Arc<generation_task::Model>) -> Result<Self, ServiceError> {
        let view = TaskView::of(&model)?;
        Ok(Self {
            model,
            view: Arc::new(view),
        })
    }

    pub fn model(&self) -> &generation_task::Model {
        &self.model
    }
}

#[Object]
impl Task {
    pub async fn id(&self) -> ID {
        encode(NodeType::Task, self.model.id)
    }

    async fn kind(&self) -> TaskKind {
        self.view.kind.into()
    }

    async fn input_type(&self) -> InputType {
        self.view.input_type.into()
    }

    async fn stage(&self) -> Stage {
        self.view.stage.into()
    }

    async fn status(&self) -> TaskStatus {
        self.view.status.into()
    }

    /// 0–100, as far as the upstream reports it.
    async fn progress(&self) -> i32 {
        self.model.progress
    }

    async fn prompt(&self) -> &str {
        self.view.params.prompt.as_str()
    }

    async fn aspect_ratio(&self) -> AspectRatio {
        self.view.params.aspect_ratio.into()
    }

    /// How many outputs were asked for.
    async fn count(&self) -> i32 {
        self.view.params.count as i32
    }

    /// The seed used: the one asked for, or the one Kiln picked.
    async fn seed(&self) -> Option<i32> {
        self.view.params.seed.map(|s| s as i32)
    }

    async fn idempotency_key(&self) -> Option<&str> {
        self.model.idempotency_key.as_deref()
    }

    /// Which provider runs the task.
    async fn provider(&self) -> &str {
        &self.model.provider
    }

    /// The upstream's id for the task, once it accepted it.
    async fn upstream_task_id(&self) -> Option<&str> {
        self.model.upstream_task_id.as_deref()
    }

    async fn failure_reason(&self) -> Option<FailureReason> {
        self.view.failure_reason.map(Into::into)
    }

    /// The upstream's own message about a failure, as it gave it.
    async fn failure_message(&self) -> Option<&str> {
        self.model.failure_message.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }

    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.model.finished_at
    }

    async fn submitted_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        match account::get_user(&state.db, viewer, self.model.submitted_by).await {
            Ok(user) => Ok(Some(User::new(user))),
            Err(ServiceError::NotFound) => Ok(None),
            Err(other) => Err(to_graphql(other)),
        }
    }

    /// The files the task produced, in order.
    async fn outputs(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OutputAsset>> {
        let state = state(ctx)?;
        let outputs = asset::outputs_of(&state.db, self.model.id)
            .await
            .map_err(to_graphql)?;
        Ok(outputs.into_iter().map(OutputAsset::new).collect())
    }

    /// Every status change, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TaskTransition>> {
        let state = state(ctx)?;
        let events = task::history(&state.db, &self.model)
            .await
            .map_err(to_graphql)?;
        events
            .into_iter()
            .map(TaskTransition::new)
            .collect::<Result<_, _>>()
            .map_err(to_graphql)
    }
}

/// One recorded status change.
pub struct TaskTransition {
    model: task_event::Model,
    from: Option<TaskStatus>,
    to: TaskStatus,
    cause: TransitionCause,
}

impl TaskTransition {
    fn new(model: task_event::Model) -> Result<Self, ServiceError> {
        let from = model
            .from_status
            .as_deref()
            .map(str::parse::<crate::domain::task::TaskStatus>)
            .transpose()?
            .map(Into::into);
        let to = model
            .to_status
            .parse::<crate::domain::task::TaskStatus>()?
            .into();
        let cause = model
            .cause
            .parse::<crate::domain::task::TransitionCause>()?
            .into();
        Ok(Self {
            model,
            from,
            to,
            cause,
        })
    }
}

#[Object]
impl TaskTransition {
    async fn from_status(&self) -> Option<TaskStatus> {
        self.from
    }

    async fn to_status(&self) -> TaskStatus {
        self.to
    }

    async fn cause(&self) -> TransitionCause {
        self.cause
    }

    /// The upstream's status word at the time, as it gave it.
    async fn upstream_status(&self) -> Option<&str> {
        self.model.upstream_status.as_deref()
    }

    async fn at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum DownloadStatus {
    /// Not yet copied into Kiln's storage.
    Pending,
    /// Kept by Kiln; downloadable.
    Stored,
    /// The upstream link expired before Kiln could copy it.
    Expired,
    Failed,
}

/// A file a task produced.
pub struct OutputAsset(output_asset::Model);

impl OutputAsset {
    pub fn new(model: output_asset::Model) -> Self {
        Self(model)
    }

    fn link(&self, state: &AppState, variant: &str) -> String {
        // Links stay the same for an hour or so, letting browsers cache the files.
        let now = Utc::now().timestamp();
        let expires = now - now % 3600 + 2 * 3600;
        let signature = state.tokens.sign_link(self.0.id, variant, expires);
        format!(
            "/files/{}/{variant}?expires={expires}&signature={signature}",
            self.0.id
        )
    }
}

#[Object]
impl OutputAsset {
    pub async fn id(&self) -> ID {
        encode(NodeType::OutputAsset, self.0.id)
    }

    /// Order among the task's outputs, from 0.
    async fn position(&self) -> i32 {
        self.0.position
    }

    async fn download_status(&self) -> DownloadStatus {
        match self.0.download_status.as_str() {
            asset::download_status::STORED => DownloadStatus::Stored,
            asset::download_status::EXPIRED => DownloadStatus::Expired,
            asset::download_status::FAILED => DownloadStatus::Failed,
            _ => DownloadStatus::Pending,
        }
    }

    /// File type of the stored copy, e.g. `png`.
    async fn format(&self) -> &str {
        &self.0.format
    }

    async fn width(&self) -> Option<i32> {
        self.0.width
    }

    async fn height(&self) -> Option<i32> {
        self.0.height
    }

    async fn byte_size(&self) -> Option<f64> {
        self.0.byte_size.map(|b| b as f64)
    }

    async fn checksum_sha256(&self) -> Option<&str> {
        self.0.checksum_sha256.as_deref()
    }

    /// A signed link to the file, valid for at least an hour; null until stored.
    async fn url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let state = state(ctx)?;
        Ok(self
            .0
            .storage_key
            .as_ref()
            .map(|_| self.link(state, "original")))
    }

    /// A signed link to a small PNG preview; null until stored.
    async fn thumbnail_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let state = state(ctx)?;
        Ok(self
            .0
            .thumbnail_key
            .as_ref()
            .map(|_| self.link(state, "thumbnail")))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(InputObject, Default)]
pub struct TaskFilter {
    /// Only tasks in one of these statuses.
    pub status: Option<Vec<TaskStatus>>,
    pub kind: Option<Vec<TaskKind>>,
    /// Only tasks the viewer submitted.
    #[graphql(default)]
    pub mine: bool,
}

impl From<TaskFilter> for ServiceTaskFilter {
    fn from(filter: TaskFilter) -> Self {
        Self {
            statuses: filter
                .status
                .map(|s| s.into_iter().map(Into::into).collect()),
            kinds: filter.kind.map(|k| k.into_iter().map(Into::into).collect()),
            mine: filter.mine,
        }
    }
}

fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(cursor: &str) -> async_graphql::Result<Uuid> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| bad_input("`after` is not a cursor from this list."))
}

#[derive(Default)]
pub struct TaskQuery;

#[Object]
impl TaskQuery {
    /// A task of the viewer's team; null when it does not exist or belongs to another team.
    async fn task(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Task>> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let id = decode(&id, NodeType::Task)?;
        match task::get(&state.db, viewer, id).await {
            Ok(model) => Task::new(model).map(Some).map_err(to_graphql),
            Err(ServiceError::NotFound) => Ok(None),
            Err(other) => Err(to_graphql(other)),
        }
    }

    /// The team's tasks, newest first.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "At most 100.")] first: i32,
        after: Option<String>,
        filter: Option<TaskFilter>,
    ) -> async_graphql::Result<Connection<String, Task>> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        if !(0..=MAX_PAGE_SIZE as i32).contains(&first) {
            return Err(bad_input(format!(
                "`first` must be between 0 and {MAX_PAGE_SIZE}."
            )));
        }
        let after_id = after.as_deref().map(decode_cursor).transpose()?;
        let filter = ServiceTaskFilter::from(filter.unwrap_or_default());
        let page = task::list(&state.db, viewer, &filter, first as u64, after_id)
            .await
            .map_err(to_graphql)?;
        let mut connection = Connection::new(after_id.is_some(), page.has_next);
        for model in page.items {
            let cursor = encode_cursor(model.id);
            connection
                .edges
                .push(Edge::new(cursor, Task::new(model).map_err(to_graphql)?));
        }
        Ok(connection)
    }
}

#[derive(InputObject)]
pub struct SubmitTaskInput {
    /// What to generate.
    pub prompt: String,
    #[graphql(default_with = "AspectRatio::Square1x1")]
    pub aspect_ratio: AspectRatio,
    /// How many images, 1–4.
    #[graphql(default = 1)]
    pub count: i32,
    /// Fix the seed to reproduce a result; Kiln picks and records one otherwise.
    pub seed: Option<i32>,
    /// Resending a request with the same key returns the task the first one created
    /// instead of creating (and paying for) another. The UI sends one per form.
    pub idempotency_key: Option<String>,
}

#[derive(SimpleObject)]
pub struct SubmitTaskPayload {
    pub task: Option<Task>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct TaskMutation;

#[Object]
impl TaskMutation {
    /// Queues a generation task. Problems with the input come back as `userErrors`.
    async fn submit_task(
        &self,
        ctx: &Context<'_>,
        input: SubmitTaskInput,
    ) -> async_graphql::Result<SubmitTaskPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let spec = match TaskSpec::image(ImageTaskDraft {
            prompt: input.prompt,
            aspect_ratio: input.aspect_ratio.into(),
            count: input.count,
            seed: input.seed.map(i64::from),
        }) {
            Ok(spec) => spec,
            Err(errors) => {
                return Ok(SubmitTaskPayload {
                    task: None,
                    user_errors: errors.into_iter().map(UserError::from).collect(),
                });
            }
        };
        let result = task::submit(state, viewer, spec, input.idempotency_key.as_deref()).await;
        Ok(match user_errors(result)? {
            Ok(submission) => SubmitTaskPayload {
                task: Some(Task::new(submission.task).map_err(to_graphql)?),
                user_errors: Vec::new(),
            },
            Err(errors) => SubmitTaskPayload {
                task: None,
                user_errors: errors,
            },
        })
    }
}
