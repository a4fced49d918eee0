//! The durable job queue. Jobs are rows; a worker claims due jobs by leasing them, and a
//! lease that runs out (the worker died) makes the job claimable again. On PostgreSQL the
//! claim skips rows other workers hold (`FOR UPDATE SKIP LOCKED`), so any number of
//! workers in any number of processes share one queue; SQLite serialises writers, which
//! gives the same guarantee within its single file.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Func, LockBehavior, LockType, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::entity::job;

/// Drives a generation task one step: submit, poll, or store its outputs.
pub(crate) const TASK_RUN: &str = "task.run";
/// Makes one attempt at an outbound webhook delivery.
pub(crate) const WEBHOOK_DELIVER: &str = "webhook.deliver";

/// Schedules `kind` work on `subject` at `run_at`; scheduling what is already scheduled
/// changes nothing.
pub(crate) async fn enqueue(
    db: &impl ConnectionTrait,
    kind: &str,
    subject: Uuid,
    run_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = job::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind.to_owned()),
        subject_id: Set(subject),
        run_at: Set(run_at),
        lease_owner: Set(None),
        lease_expires_at: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        nudged_at: Set(None),
        created_at: Set(Utc::now()),
    };
    job::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([job::Column::Kind, job::Column::SubjectId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Makes `kind` work on `subject` due now, unless a worker is on it already (an
/// upstream webhook says there is news, or an admin replays a delivery).
pub(crate) async fn run_now(
    db: &impl ConnectionTrait,
    kind: &str,
    subject: Uuid,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    // A held job keeps running; the nudge makes its worker reschedule it for now.
    job::Entity::update_many()
        .col_expr(job::Column::NudgedAt, Expr::value(now))
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::SubjectId.eq(subject))
        .filter(job::Column::LeaseOwner.is_not_null())
        .exec(db)
        .await?;
    let result = job::Entity::update_many()
        .col_expr(job::Column::RunAt, Expr::value(now))
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::SubjectId.eq(subject))
        .filter(job::Column::LeaseOwner.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Leases up to `limit` due jobs to `owner` for `lease`.
pub(crate) async fn claim(
    db: &DatabaseConnection,
    owner: &str,
    limit: u64,
    lease: Duration,
) -> Result<Vec<job::Model>, DbErr> {
    let now = Utc::now();
    let mut due = Query::select();
    due.column(job::Column::Id)
        .from(job::Entity)
        .and_where(job::Column::RunAt.lte(now))
        .and_where(
            job::Column::LeaseExpiresAt
                .is_null()
                .or(job::Column::LeaseExpiresAt.lt(now)),
        )
        .order_by(job::Column::RunAt, sea_orm::Order::Asc)
        .limit(limit);
    if db.get_database_backend() == DbBackend::Postgres {
        due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    job::Entity::update_many()
        .col_expr(job::Column::LeaseOwner, Expr::value(owner))
        .col_expr(job::Column::LeaseExpiresAt, Expr::value(now + lease))
        // Running now answers any earlier nudge.
        .col_expr(
            job::Column::NudgedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(job::Column::Id.in_subquery(due))
        .exec_with_returning(db)
        .await
}

/// Gives a leased job back, to run again at `run_at`. `failed` counts it as a failed
/// attempt and keeps the error for operators.
pub(crate) async fn reschedule(
    db: &DatabaseConnection,
    job: &job::Model,
    run_at: DateTime<Utc>,
    error: Option<&str>,
) -> Result<(), DbErr> {
    // A nudge that came while the job ran wins over the later time.
    let when = Func::coalesce([Expr::col(job::Column::NudgedAt), Expr::value(run_at)]);
    let mut update = job::Entity::update_many()
        .col_expr(job::Column::RunAt, when.into())
        .col_expr(
            job::Column::NudgedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(
            job::Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    if let Some(error) = error {
        update = update
            .col_expr(
                job::Column::Attempts,
                Expr::col(job::Column::Attempts).add(1),
            )
            .col_expr(job::Column::LastError, Expr::value(error));
    }
    update
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::LeaseOwner.eq(job.lease_owner.clone()))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes a finished job, if `job`'s lease still holds it.
pub(crate) async fn complete(db: &DatabaseConnection, job: &job::Model) -> Result<(), DbErr> {
    job::Entity::delete_many()
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::LeaseOwner.eq(job.lease_owner.clone()))
        .exec(db)
        .await?;
    Ok(())
}

/// When the earliest unleased job is due, if any.
pub(crate) async fn next_due(db: &DatabaseConnection) -> Result<Option<DateTime<Utc>>, DbErr> {
    job::Entity::find()
        .select_only()
        .column_as(job::Column::RunAt.min(), "next")
        .filter(job::Column::LeaseOwner.is_null())
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db)
        .await
        .map(Option::flatten)
}
