//! Generation tasks in the API: `submitTask`, `task`, `tasks`, and the `Task`,
//! `OutputAsset` and `TaskTransition` types.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::account::User;
use super::campaign::{Brief, Campaign, Money};
use super::error::{UserError, state, to_graphql, user_error, user_errors, viewer};
use super::node::{NodeType, decode, encode};
use super::page::{PageArgs, connection};
use super::reference::ReferenceAsset;
use crate::domain::ErrorCode;
use crate::domain::task::TaskDraft;
use crate::entity::{generation_task, output_asset, task_event};
use crate::service::task::{
    Overrides, Submission, SubmitOutcome, SubmitRequest, TaskFilter as ServiceTaskFilter, TaskView,
};
use crate::service::{ServiceError, account, asset, campaign, reference, task};
use crate::state::AppState;

pub use crate::domain::catalogue::Audio;
pub use crate::domain::catalogue::CameraMotion;
pub use crate::domain::catalogue::OutputFormat;
pub use crate::domain::catalogue::Quality;
pub use crate::domain::catalogue::Resolution;
pub use crate::domain::task::AspectRatio;
pub use crate::domain::task::DownloadStatus;
pub use crate::domain::task::FailureReason;
pub use crate::domain::task::InputType;
pub use crate::domain::task::LineageKind;
pub use crate::domain::task::MediaKind;
pub use crate::domain::task::Stage;
pub use crate::domain::task::TaskKind;
pub use crate::domain::task::TaskStatus;
pub use crate::domain::task::TransitionCause;
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

    pub fn row(&self) -> &generation_task::Model {
        &self.model
    }
}

#[Object]
impl Task {
    pub async fn id(&self) -> ID {
        encode(NodeType::Task, self.model.id)
    }

    async fn kind(&self) -> TaskKind {
        self.view.kind
    }

    async fn input_type(&self) -> InputType {
        self.view.input_type
    }

    async fn stage(&self) -> Stage {
        self.view.stage
    }

    async fn status(&self) -> TaskStatus {
        self.view.status
    }

    /// 0–100, as far as the upstream reports it.
    async fn progress(&self) -> i32 {
        self.model.progress
    }

    async fn prompt(&self) -> &str {
        self.view.params.prompt.as_str()
    }

    async fn aspect_ratio(&self) -> AspectRatio {
        self.view.params.aspect_ratio
    }

    /// How many outputs were asked for.
    async fn count(&self) -> i32 {
        self.view.params.count as i32
    }

    /// The seed used: the one asked for, or the one Kiln picked.
    async fn seed(&self) -> Option<i32> {
        self.view.params.seed.map(|s| s as i32)
    }

    async fn negative_prompt(&self) -> Option<&str> {
        self.view.params.negative_prompt.as_deref()
    }

    /// The upstream model that makes it.
    async fn model(&self) -> &str {
        &self.view.params.model
    }

    /// Images: `WIDTHxHEIGHT`.
    async fn size(&self) -> Option<&str> {
        self.view.params.size.as_deref()
    }

    async fn quality(&self) -> Option<Quality> {
        self.view.params.quality
    }

    async fn watermark(&self) -> bool {
        self.view.params.watermark
    }

    async fn output_format(&self) -> OutputFormat {
        self.view.params.output_format
    }

    async fn duration_seconds(&self) -> Option<i32> {
        self.view.params.duration_secs.map(|d| d as i32)
    }

    async fn resolution(&self) -> Option<Resolution> {
        self.view.params.resolution
    }

    async fn camera_motion(&self) -> Option<CameraMotion> {
        self.view.params.camera_motion
    }

    async fn audio(&self) -> Option<Audio> {
        self.view.params.audio
    }

    /// The references it started from, in order.
    async fn references(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ReferenceAsset>> {
        let state = state(ctx)?;
        let refs = reference::of_task(&state.db, self.model.id)
            .await
            .map_err(to_graphql)?;
        Ok(refs.into_iter().map(ReferenceAsset::new).collect())
    }

    /// Place in the upstream's queue, while it says.
    async fn queue_position(&self) -> Option<i32> {
        self.model.queue_position
    }

    /// The price before it ran, from the price table.
    async fn estimated_cost(&self) -> Money {
        Money::new(self.model.estimated_cost_micros, &self.model.currency)
    }

    /// What it cost, once the upstream finished.
    async fn actual_cost(&self) -> Option<Money> {
        self.model
            .actual_cost_micros
            .map(|m| Money::new(m, &self.model.currency))
    }

    /// Whether the upstream charged for it.
    async fn charged(&self) -> bool {
        self.model.charged
    }

    /// After this the task fails with `QUEUE_TIMEOUT`.
    async fn deadline_at(&self) -> DateTime<Utc> {
        self.model.deadline_at
    }

    async fn brief(&self, ctx: &Context<'_>) -> async_graphql::Result<Brief> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        campaign::get_brief(&state.db, viewer, self.model.brief_id)
            .await
            .map(Brief::new)
            .map_err(to_graphql)
    }

    async fn campaign(&self, ctx: &Context<'_>) -> async_graphql::Result<Campaign> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        campaign::get_campaign(&state.db, viewer, self.model.campaign_id)
            .await
            .map(Campaign::new)
            .map_err(to_graphql)
    }

    /// The task it came from: a final's draft, or a retry's original.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Task>> {
        let Some(parent_id) = self.model.parent_task_id else {
            return Ok(None);
        };
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        match task::get(&state.db, viewer, parent_id).await {
            Ok(parent) => Task::new(parent).map(Some).map_err(to_graphql),
            Err(ServiceError::NotFound) => Ok(None),
            Err(other) => Err(to_graphql(other)),
        }
    }

    /// How it came from its parent.
    async fn lineage(&self) -> Option<LineageKind> {
        self.view.lineage
    }

    /// Tasks made from this one: its finals and retries.
    async fn children(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Task>> {
        let state = state(ctx)?;
        let children = task::children(&state.db, &self.model)
            .await
            .map_err(to_graphql)?;
        children
            .into_iter()
            .map(Task::new)
            .collect::<Result<_, _>>()
            .map_err(to_graphql)
    }

    async fn idempotency_key(&self) -> Option<&str> {
        self.model.idempotency_key.as_deref()
    }

    /// Where this task's changes are announced, if anywhere.
    async fn callback_url(&self) -> Option<&str> {
        self.model.callback_url.as_deref()
    }

    /// The deliveries to the callback URL and the team's endpoints, newest first.
    async fn callback_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<
        async_graphql::connection::Connection<String, super::webhook::WebhookDelivery>,
    > {
        super::webhook::deliveries_page(ctx, None, Some(self.model.id), first, after).await
    }

    /// The create may have reached the upstream although Kiln could not tell, and the
    /// upstream takes no idempotency keys: check its dashboard before retrying.
    async fn needs_reconciliation(&self) -> bool {
        self.model.needs_reconciliation
    }

    /// The upstream's usage report (JSON), as it gave it.
    async fn upstream_usage(&self) -> Option<&str> {
        self.model.upstream_usage.as_deref()
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
        self.view.failure_reason
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
        let (from, to, cause) = (model.from_status, model.to_status, model.cause);
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

/// A file a task produced.
pub struct OutputAsset(output_asset::Model);

impl OutputAsset {
    pub fn new(model: output_asset::Model) -> Self {
        Self(model)
    }

    fn link(&self, state: &AppState, variant: &str) -> String {
        signed_link(state, self.0.id, variant)
    }
}

/// A signed download link for stored file `id` (an output or a reference). Links stay
/// the same for an hour or so, letting browsers cache the files.
pub fn signed_link(state: &AppState, id: Uuid, variant: &str) -> String {
    let now = Utc::now().timestamp();
    let expires = now - now % 3600 + 2 * 3600;
    let signature = state.tokens.sign_link(id, variant, expires);
    format!("/files/{id}/{variant}?expires={expires}&signature={signature}")
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
        self.0.download_status
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

    /// Length of a moving output, in milliseconds.
    async fn duration_ms(&self) -> Option<i32> {
        self.0.duration_ms
    }

    async fn mime_type(&self) -> Option<&str> {
        self.0.mime.as_deref()
    }

    /// When the upstream's own link to the file stops working, where it said.
    async fn upstream_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.upstream_expires_at
    }

    /// Failed download attempts so far, and the last error.
    async fn download_attempts(&self) -> i32 {
        self.0.attempts
    }

    async fn last_download_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
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
    pub stage: Option<Vec<Stage>>,
    pub campaign_id: Option<ID>,
    pub brief_id: Option<ID>,
    /// Only tasks the viewer submitted.
    #[graphql(default)]
    pub mine: bool,
}

impl TaskFilter {
    pub fn into_service(self) -> async_graphql::Result<ServiceTaskFilter> {
        Ok(ServiceTaskFilter {
            statuses: self.status.map(|s| s.into_iter().collect()),
            kinds: self.kind.map(|k| k.into_iter().collect()),
            stages: self.stage.map(|k| k.into_iter().collect()),
            campaign_id: self
                .campaign_id
                .as_ref()
                .map(|id| decode(id, NodeType::Campaign))
                .transpose()?,
            brief_id: self
                .brief_id
                .as_ref()
                .map(|id| decode(id, NodeType::Brief))
                .transpose()?,
            mine: self.mine,
        })
    }
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
        let args = PageArgs::parse(first, after.as_deref())?;
        let filter = filter.unwrap_or_default().into_service()?;
        let page = task::list(&state.db, viewer, &filter, args.first, args.after)
            .await
            .map_err(to_graphql)?;
        connection(&args, page, |t| t.id, Task::new)
    }
}

/// Everything a generation task can be asked for. Unset fields take the model's and the
/// stage's defaults; every rule a value breaks comes back as a `userError`.
#[derive(InputObject, Clone)]
pub struct SubmitTaskInput {
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
            resolution: self.resolution,
            camera_motion: self.camera_motion,
            audio: self.audio,
            references: Vec::new(),
        }
    }

    /// The service request, or user errors for ids that are not ids.
    fn request(&self) -> Result<SubmitRequest<'_>, Vec<UserError>> {
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
        })
    }
}

#[derive(SimpleObject)]
pub struct SubmitTaskPayload {
    /// The task that stands for this submit: a new one, the one an earlier request with
    /// the same idempotency key created, or an identical live one.
    pub task: Option<Task>,
    /// Set when an identical task was still live: it is returned instead, and nothing
    /// new was spent.
    pub duplicate_of: Option<Task>,
    /// True when the idempotency key had been used before (a resent request).
    pub replayed: bool,
    pub user_errors: Vec<UserError>,
}

impl SubmitTaskPayload {
    fn errors(user_errors: Vec<UserError>) -> Self {
        Self {
            task: None,
            duplicate_of: None,
            replayed: false,
            user_errors,
        }
    }

    fn from_result(result: Result<Submission, ServiceError>) -> async_graphql::Result<Self> {
        Ok(match user_errors(result)? {
            Ok(submission) => {
                let task = Task::new(submission.task).map_err(to_graphql)?;
                SubmitTaskPayload {
                    duplicate_of: (submission.outcome == SubmitOutcome::Duplicate)
                        .then(|| task.clone()),
                    replayed: submission.outcome == SubmitOutcome::Replayed,
                    task: Some(task),
                    user_errors: Vec::new(),
                }
            }
            Err(errors) => Self::errors(errors),
        })
    }
}

/// What a submit would cost and do, for the composer as the user types.
#[derive(SimpleObject)]
pub struct TaskEstimate {
    pub estimated_cost: Option<Money>,
    /// An identical live task a submit would return instead of spending again.
    pub duplicate_of: Option<Task>,
    /// What the campaign has committed so far, and its budget if it has one.
    pub campaign_committed: Option<Money>,
    pub campaign_budget: Option<Money>,
    /// Whether the submit would stay within the campaign's budget.
    pub within_budget: bool,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct EstimateQuery;

#[Object]
impl EstimateQuery {
    /// Prices a submission and checks it, without submitting anything.
    async fn estimate_task(
        &self,
        ctx: &Context<'_>,
        input: SubmitTaskInput,
    ) -> async_graphql::Result<TaskEstimate> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let none = |user_errors| TaskEstimate {
            estimated_cost: None,
            duplicate_of: None,
            campaign_committed: None,
            campaign_budget: None,
            within_budget: false,
            user_errors,
        };
        let request = match input.request() {
            Ok(request) => request,
            Err(errors) => return Ok(none(errors)),
        };
        Ok(
            match user_errors(task::estimate(state, viewer, request).await)? {
                Ok(estimate) => TaskEstimate {
                    within_budget: estimate
                        .budget_micros
                        .is_none_or(|b| estimate.committed_micros + estimate.cost_micros <= b),
                    estimated_cost: Some(Money::new(estimate.cost_micros, &estimate.currency)),
                    duplicate_of: estimate
                        .duplicate_of
                        .map(Task::new)
                        .transpose()
                        .map_err(to_graphql)?,
                    campaign_committed: Some(Money::new(
                        estimate.committed_micros,
                        &estimate.currency,
                    )),
                    campaign_budget: estimate
                        .budget_micros
                        .map(|b| Money::new(b, &estimate.currency)),
                    user_errors: Vec::new(),
                },
                Err(errors) => none(errors),
            },
        )
    }
}

/// What a promotion may change; the rest is the draft's (including its seed).
#[derive(InputObject, Default)]
pub struct PromoteOverrides {
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
    pub resolution: Option<Resolution>,
    pub camera_motion: Option<CameraMotion>,
    pub audio: Option<Audio>,
}

#[derive(InputObject)]
pub struct PromoteTaskInput {
    /// A succeeded draft.
    pub draft_id: ID,
    #[graphql(default)]
    pub overrides: PromoteOverrides,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct TaskIdInput {
    pub task_id: ID,
}

#[derive(SimpleObject)]
pub struct CancelTaskPayload {
    pub task: Option<Task>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct TaskMutation;

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
            )
            .await,
        )
    }

    /// A new attempt at a failed or cancelled task, linked to it.
    async fn retry_task(
        &self,
        ctx: &Context<'_>,
        input: TaskIdInput,
    ) -> async_graphql::Result<SubmitTaskPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let Ok(task_id) = decode(&input.task_id, NodeType::Task) else {
            return Ok(SubmitTaskPayload::errors(vec![user_error(
                ErrorCode::NotFound,
                "taskId",
                "There is no such task.",
            )]));
        };
        SubmitTaskPayload::from_result(task::retry(state, viewer, task_id).await)
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
