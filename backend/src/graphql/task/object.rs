//! The `Task` and `TaskTransition` types: a task's parameters, costs, lineage, history and outputs.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use crate::entity::{generation_task, task_event};
use crate::graphql::account::User;
use crate::graphql::campaign::{Brief, Campaign, Money};
use crate::graphql::error::{state, to_graphql, viewer};
use crate::graphql::node::{NodeType, encode};
use crate::graphql::reference::ReferenceAsset;
use crate::service::task::TaskView;
use crate::service::{ServiceError, account, asset, campaign, reference, task};

use super::output::{OutputAsset, signed_zip_link};
use crate::domain::catalogue::Audio;
use crate::domain::catalogue::CameraMotion;
use crate::domain::catalogue::OutputFormat;
use crate::domain::catalogue::Quality;
use crate::domain::catalogue::Resolution;
use crate::domain::task::AspectRatio;
use crate::domain::task::DownloadStatus;
use crate::domain::task::FailureReason;
use crate::domain::task::InputType;
use crate::domain::task::LineageKind;
use crate::domain::task::SpendWarning;
use crate::domain::task::Stage;
use crate::domain::task::TaskKind;
use crate::domain::task::TaskStatus;
use crate::domain::task::TransitionCause;

/// A unit of generation work sent upstream.
#[derive(Clone)]
pub(crate) struct Task {
    model: Arc<generation_task::Model>,
    view: Arc<TaskView>,
}

impl Task {
    pub(crate) fn new(model: generation_task::Model) -> Result<Self, ServiceError> {
        Self::from_arc(Arc::new(model))
    }

    pub(crate) fn from_arc(model: Arc<generation_task::Model>) -> Result<Self, ServiceError> {
        let view = TaskView::of(&model)?;
        Ok(Self {
            model,
            view: Arc::new(view),
        })
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

    /// Video: frames per second; null where the model picks its own.
    async fn fps(&self) -> Option<i32> {
        self.view.params.fps.map(|f| f as i32)
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

    /// The spend warnings its request acknowledged (e.g. a retry of a charged task):
    /// the record that someone chose to pay again.
    async fn acknowledged_warnings(&self) -> Vec<SpendWarning> {
        self.model
            .acknowledged_warnings
            .as_ref()
            .map(|a| a.0.clone())
            .unwrap_or_default()
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
        async_graphql::connection::Connection<String, crate::graphql::webhook::WebhookDelivery>,
    > {
        crate::graphql::webhook::deliveries_page(ctx, None, Some(self.model.id), first, after).await
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

    /// A signed link to one ZIP of the task's stored outputs, named as they download
    /// one by one; null while none is stored. Expires with the outputs' links.
    async fn outputs_zip_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let state = state(ctx)?;
        let outputs = asset::outputs_of(&state.db, self.model.id)
            .await
            .map_err(to_graphql)?;
        Ok(outputs
            .iter()
            .any(|o| o.download_status == DownloadStatus::Stored && o.storage_key.is_some())
            .then(|| signed_zip_link(state, self.model.id)))
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
pub(crate) struct TaskTransition {
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

    /// For `UPSTREAM_RETRIED`: how long Kiln waited before trying again, in
    /// milliseconds.
    async fn retry_after_ms(&self) -> Option<i64> {
        self.model.retry_after_ms
    }

    async fn at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
}
