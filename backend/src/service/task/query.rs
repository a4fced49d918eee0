//! Reading tasks: one, its children, a filtered list, its history, and typed views of a row.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::domain::task::{
    FailureReason, InputType, LineageKind, Stage, TaskKind, TaskParams, TaskStatus,
};
use crate::entity::{generation_task, task_event};
use crate::service::{Page, ServiceError, find_in_team, paginate};

/// A task of the viewer's team. Another team's task is "not found", never "forbidden",
/// so its existence does not leak.
pub(crate) async fn get(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<generation_task::Model, ServiceError> {
    find_in_team::<generation_task::Entity>(db, viewer.team_id, id).await
}

/// Tasks made from `task`: its finals and retries.
pub(crate) async fn children(
    db: &DatabaseConnection,
    task: &generation_task::Model,
) -> Result<Vec<generation_task::Model>, ServiceError> {
    Ok(generation_task::Entity::find()
        .filter(generation_task::Column::ParentTaskId.eq(task.id))
        .filter(generation_task::Column::TeamId.eq(task.team_id))
        .order_by_asc(generation_task::Column::Id)
        .all(db)
        .await?)
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Default)]
pub(crate) struct TaskFilter {
    pub statuses: Option<Vec<TaskStatus>>,
    pub kinds: Option<Vec<TaskKind>>,
    pub stages: Option<Vec<Stage>>,
    pub campaign_id: Option<Uuid>,
    pub brief_id: Option<Uuid>,
    /// Only tasks the viewer submitted.
    pub mine: bool,
}

impl TaskFilter {
    /// Whether `task` passes the filter; used for live events, which are not queried.
    pub(crate) fn matches(&self, viewer: &Viewer, task: &generation_task::Model) -> bool {
        task.team_id == viewer.team_id
            && (!self.mine || task.submitted_by == viewer.user_id)
            && self.campaign_id.is_none_or(|id| id == task.campaign_id)
            && self.brief_id.is_none_or(|id| id == task.brief_id)
            && self
                .statuses
                .as_ref()
                .is_none_or(|s| s.contains(&task.status))
            && self.kinds.as_ref().is_none_or(|k| k.contains(&task.kind))
            && self.stages.as_ref().is_none_or(|k| k.contains(&task.stage))
    }
}

/// The viewer's team's tasks, newest first, `first` at a time after the cursor `after`.
pub(crate) async fn list(
    db: &DatabaseConnection,
    viewer: &Viewer,
    filter: &TaskFilter,
    first: u64,
    after: Option<Uuid>,
) -> Result<Page<generation_task::Model>, ServiceError> {
    let mut query =
        generation_task::Entity::find().filter(generation_task::Column::TeamId.eq(viewer.team_id));
    if filter.mine {
        query = query.filter(generation_task::Column::SubmittedBy.eq(viewer.user_id));
    }
    if let Some(id) = filter.campaign_id {
        query = query.filter(generation_task::Column::CampaignId.eq(id));
    }
    if let Some(id) = filter.brief_id {
        query = query.filter(generation_task::Column::BriefId.eq(id));
    }
    if let Some(statuses) = &filter.statuses {
        query = query.filter(generation_task::Column::Status.is_in(statuses.iter().copied()));
    }
    if let Some(kinds) = &filter.kinds {
        query = query.filter(generation_task::Column::Kind.is_in(kinds.iter().copied()));
    }
    if let Some(stages) = &filter.stages {
        query = query.filter(generation_task::Column::Stage.is_in(stages.iter().copied()));
    }
    paginate(db, query, generation_task::Column::Id, first, after).await
}

/// A task's recorded transitions, oldest first.
pub(crate) async fn history(
    db: &DatabaseConnection,
    task: &generation_task::Model,
) -> Result<Vec<task_event::Model>, ServiceError> {
    Ok(task_event::Entity::find()
        .filter(task_event::Column::TaskId.eq(task.id))
        .order_by_asc(task_event::Column::Id)
        .all(db)
        .await?)
}

/// Typed views of a stored task's columns.
pub(crate) struct TaskView {
    pub kind: TaskKind,
    pub input_type: InputType,
    pub stage: Stage,
    pub status: TaskStatus,
    pub params: TaskParams,
    pub failure_reason: Option<FailureReason>,
    pub lineage: Option<LineageKind>,
}

impl TaskView {
    pub(crate) fn of(task: &generation_task::Model) -> Result<Self, ServiceError> {
        Ok(Self {
            kind: task.kind,
            input_type: task.input_type,
            stage: task.stage,
            status: task.status,
            params: serde_json::from_value(task.params.clone())?,
            failure_reason: task.failure_reason,
            lineage: task.lineage,
        })
    }
}
