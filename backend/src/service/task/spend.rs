//! Spending again on what the team already has or paid for: which spend warnings a
//! request meets, and the earlier task each one is about.

use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::submit::NewTask;
use crate::domain::task::{LineageKind, RECENT_SUCCESS_HOURS, SpendWarning, Stage, TaskStatus};
use crate::entity::generation_task;
use crate::service::ServiceError;

/// A reason to confirm before spending, and the task it is about: the earlier task the
/// team already has, or the charged one being retried.
#[derive(Debug)]
pub struct SpendNotice {
    pub warning: SpendWarning,
    pub task: generation_task::Model,
}

/// What `new` would spend on again: an identical task the team has (a succeeded final
/// of the same settings for a promotion; any identical task that succeeded lately
/// otherwise), and a retry of a task that was paid for.
pub(super) async fn spend_notices(
    db: &DatabaseConnection,
    team_id: Uuid,
    new: &NewTask,
    fingerprint: &str,
) -> Result<Vec<SpendNotice>, ServiceError> {
    let mut notices = Vec::new();
    let promotion = matches!(new.parent, Some((_, LineageKind::Promotion)));
    if promotion {
        if let Some(task) =
            find_succeeded(db, team_id, fingerprint, Some(Stage::Final), false).await?
        {
            notices.push(SpendNotice {
                warning: SpendWarning::FinalExists,
                task,
            });
        }
    } else if let Some(task) = find_succeeded(db, team_id, fingerprint, None, true).await? {
        notices.push(SpendNotice {
            warning: SpendWarning::SucceededRecently,
            task,
        });
    }
    if let Some(task) = &new.charged_original {
        notices.push(SpendNotice {
            warning: SpendWarning::AlreadyCharged,
            task: task.clone(),
        });
    }
    Ok(notices)
}

/// The team's latest succeeded task with these parameters: of one stage if given, and
/// finished in the last 24 hours if `recent`.
pub(super) async fn find_succeeded(
    db: &DatabaseConnection,
    team_id: Uuid,
    fingerprint: &str,
    stage: Option<Stage>,
    recent: bool,
) -> Result<Option<generation_task::Model>, ServiceError> {
    let mut query = generation_task::Entity::find()
        .filter(generation_task::Column::Fingerprint.eq(fingerprint))
        .filter(generation_task::Column::TeamId.eq(team_id))
        .filter(generation_task::Column::Status.eq(TaskStatus::Succeeded));
    if let Some(stage) = stage {
        query = query.filter(generation_task::Column::Stage.eq(stage));
    }
    if recent {
        let since = Utc::now() - chrono::Duration::hours(RECENT_SUCCESS_HOURS);
        query = query.filter(generation_task::Column::FinishedAt.gte(since));
    }
    Ok(query
        .order_by_desc(generation_task::Column::FinishedAt)
        .one(db)
        .await?)
}
