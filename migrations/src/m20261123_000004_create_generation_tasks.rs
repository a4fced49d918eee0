use sea_orm_migration::prelude::*;

use crate::m20261123_000001_create_accounts::{Teams, Users};
use crate::m20261123_000002_create_campaigns_and_briefs::{Briefs, Campaigns};
use crate::m20261123_000003_create_reference_assets::ReferenceAssets;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GenerationTasks::Table)
                    .col(
                        ColumnDef::new(GenerationTasks::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(GenerationTasks::TeamId).uuid().not_null())
                    .col(
                        ColumnDef::new(GenerationTasks::SubmittedBy)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(GenerationTasks::CampaignId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(GenerationTasks::BriefId).uuid().not_null())
                    // A final's draft, or a retry's original.
                    .col(ColumnDef::new(GenerationTasks::ParentTaskId).uuid())
                    .col(ColumnDef::new(GenerationTasks::Lineage).string())
                    .col(ColumnDef::new(GenerationTasks::Kind).string().not_null())
                    .col(
                        ColumnDef::new(GenerationTasks::InputType)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(GenerationTasks::Stage).string().not_null())
                    .col(ColumnDef::new(GenerationTasks::Status).string().not_null())
                    .col(ColumnDef::new(GenerationTasks::Prompt).text().not_null())
                    // Every generation parameter, normalised; the columns above are the ones
                    // lists filter and sort on.
                    .col(ColumnDef::new(GenerationTasks::Params).json().not_null())
                    .col(ColumnDef::new(GenerationTasks::IdempotencyKey).string())
                    .col(
                        ColumnDef::new(GenerationTasks::Fingerprint)
                            .string()
                            .not_null(),
                    )
                    // The fingerprint while the task is live, null once it is terminal: the
                    // unique index on it lets the database refuse a second identical live
                    // task, under any concurrency and across processes.
                    .col(ColumnDef::new(GenerationTasks::LiveFingerprint).string())
                    .col(ColumnDef::new(GenerationTasks::Model).string().not_null())
                    .col(
                        ColumnDef::new(GenerationTasks::Provider)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(GenerationTasks::UpstreamTaskId).string())
                    .col(
                        ColumnDef::new(GenerationTasks::Progress)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(GenerationTasks::QueuePosition).integer())
                    .col(
                        ColumnDef::new(GenerationTasks::EstimatedCostMicros)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(GenerationTasks::ActualCostMicros).big_integer())
                    .col(
                        ColumnDef::new(GenerationTasks::Charged)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(GenerationTasks::Currency)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(GenerationTasks::CallbackUrl).text())
                    .col(ColumnDef::new(GenerationTasks::FailureReason).string())
                    .col(ColumnDef::new(GenerationTasks::FailureMessage).text())
                    .col(
                        ColumnDef::new(GenerationTasks::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(GenerationTasks::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(GenerationTasks::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(GenerationTasks::FinishedAt).timestamp_with_time_zone())
                    // After this the task fails with QUEUE_TIMEOUT, whatever the upstream says.
                    .col(
                        ColumnDef::new(GenerationTasks::DeadlineAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // Set when the upstream finished generating: from then on only the
                    // outputs are fetched, the upstream is never asked to generate again.
                    .col(
                        ColumnDef::new(GenerationTasks::UpstreamCompletedAt)
                            .timestamp_with_time_zone(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GenerationTasks::Table, GenerationTasks::TeamId)
                            .to(Teams::Table, Teams::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GenerationTasks::Table, GenerationTasks::SubmittedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GenerationTasks::Table, GenerationTasks::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GenerationTasks::Table, GenerationTasks::BriefId)
                            .to(Briefs::Table, Briefs::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GenerationTasks::Table, GenerationTasks::ParentTaskId)
                            .to(GenerationTasks::Table, GenerationTasks::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Lists are per team, newest first; ids are UUIDv7 and so sort by creation time.
        manager
            .create_index(
                Index::create()
                    .name("idx_generation_tasks_team_id")
                    .table(GenerationTasks::Table)
                    .col(GenerationTasks::TeamId)
                    .col(GenerationTasks::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_generation_tasks_live_fingerprint")
                    .table(GenerationTasks::Table)
                    .col(GenerationTasks::TeamId)
                    .col(GenerationTasks::LiveFingerprint)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_generation_tasks_campaign", GenerationTasks::CampaignId),
            ("idx_generation_tasks_brief", GenerationTasks::BriefId),
            ("idx_generation_tasks_parent", GenerationTasks::ParentTaskId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(GenerationTasks::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        // A retried request with the same key gets the task it already created.
        manager
            .create_index(
                Index::create()
                    .name("uq_generation_tasks_idempotency_key")
                    .table(GenerationTasks::Table)
                    .col(GenerationTasks::TeamId)
                    .col(GenerationTasks::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TaskEvents::Table)
                    .col(
                        ColumnDef::new(TaskEvents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(TaskEvents::TaskId).uuid().not_null())
                    .col(ColumnDef::new(TaskEvents::TeamId).uuid().not_null())
                    .col(ColumnDef::new(TaskEvents::FromStatus).string())
                    .col(ColumnDef::new(TaskEvents::ToStatus).string().not_null())
                    .col(ColumnDef::new(TaskEvents::Cause).string().not_null())
                    .col(ColumnDef::new(TaskEvents::UpstreamStatus).string())
                    .col(
                        ColumnDef::new(TaskEvents::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TaskEvents::Table, TaskEvents::TaskId)
                            .to(GenerationTasks::Table, GenerationTasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_task_events_task")
                    .table(TaskEvents::Table)
                    .col(TaskEvents::TaskId)
                    .col(TaskEvents::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutputAssets::Table)
                    .col(
                        ColumnDef::new(OutputAssets::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(OutputAssets::TaskId).uuid().not_null())
                    .col(ColumnDef::new(OutputAssets::TeamId).uuid().not_null())
                    .col(ColumnDef::new(OutputAssets::Position).integer().not_null())
                    .col(
                        ColumnDef::new(OutputAssets::DownloadStatus)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(OutputAssets::Format).string().not_null())
                    .col(ColumnDef::new(OutputAssets::Width).integer())
                    .col(ColumnDef::new(OutputAssets::Height).integer())
                    .col(ColumnDef::new(OutputAssets::DurationMs).integer())
                    .col(ColumnDef::new(OutputAssets::Mime).string())
                    .col(
                        ColumnDef::new(OutputAssets::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(OutputAssets::LastError).text())
                    .col(ColumnDef::new(OutputAssets::ByteSize).big_integer())
                    .col(ColumnDef::new(OutputAssets::ChecksumSha256).string())
                    .col(ColumnDef::new(OutputAssets::StorageKey).string())
                    .col(ColumnDef::new(OutputAssets::ThumbnailKey).string())
                    .col(ColumnDef::new(OutputAssets::UpstreamUrl).text())
                    .col(ColumnDef::new(OutputAssets::UpstreamExpiresAt).timestamp_with_time_zone())
                    .col(
                        ColumnDef::new(OutputAssets::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutputAssets::Table, OutputAssets::TaskId)
                            .to(GenerationTasks::Table, GenerationTasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_output_assets_task_position")
                    .table(OutputAssets::Table)
                    .col(OutputAssets::TaskId)
                    .col(OutputAssets::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TaskReferenceAssets::Table)
                    .col(
                        ColumnDef::new(TaskReferenceAssets::TaskId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TaskReferenceAssets::ReferenceAssetId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TaskReferenceAssets::Position)
                            .integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(TaskReferenceAssets::TaskId)
                            .col(TaskReferenceAssets::ReferenceAssetId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TaskReferenceAssets::Table, TaskReferenceAssets::TaskId)
                            .to(GenerationTasks::Table, GenerationTasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                TaskReferenceAssets::Table,
                                TaskReferenceAssets::ReferenceAssetId,
                            )
                            .to(ReferenceAssets::Table, ReferenceAssets::Id),
                    )
                    .to_owned(),
            )
            .await?;

        // Every submission that was answered with an identical live task instead of
        // spending again, for the duplicate-rate metric.
        manager
            .create_table(
                Table::create()
                    .table(DuplicateSubmissions::Table)
                    .col(
                        ColumnDef::new(DuplicateSubmissions::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DuplicateSubmissions::TeamId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DuplicateSubmissions::CampaignId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DuplicateSubmissions::BriefId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DuplicateSubmissions::TaskId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DuplicateSubmissions::SubmittedBy)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DuplicateSubmissions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DuplicateSubmissions::Table, DuplicateSubmissions::TaskId)
                            .to(GenerationTasks::Table, GenerationTasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_duplicate_submissions_campaign")
                    .table(DuplicateSubmissions::Table)
                    .col(DuplicateSubmissions::CampaignId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(ColumnDef::new(Jobs::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Jobs::Kind).string().not_null())
                    .col(ColumnDef::new(Jobs::SubjectId).uuid().not_null())
                    .col(
                        ColumnDef::new(Jobs::RunAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Jobs::LeaseOwner).string())
                    .col(ColumnDef::new(Jobs::LeaseExpiresAt).timestamp_with_time_zone())
                    .col(
                        ColumnDef::new(Jobs::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Jobs::LastError).text())
                    // Someone asked for the job to run again (an upstream webhook) while a
                    // worker held it: the worker reschedules it for then, not later.
                    .col(ColumnDef::new(Jobs::NudgedAt).timestamp_with_time_zone())
                    .col(
                        ColumnDef::new(Jobs::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // One job per subject and kind: scheduling the same work twice is a no-op.
        manager
            .create_index(
                Index::create()
                    .name("uq_jobs_kind_subject")
                    .table(Jobs::Table)
                    .col(Jobs::Kind)
                    .col(Jobs::SubjectId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_run_at")
                    .table(Jobs::Table)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Jobs::Table.into_iden(),
            DuplicateSubmissions::Table.into_iden(),
            TaskReferenceAssets::Table.into_iden(),
            OutputAssets::Table.into_iden(),
            TaskEvents::Table.into_iden(),
            GenerationTasks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum GenerationTasks {
    Table,
    Id,
    TeamId,
    SubmittedBy,
    CampaignId,
    BriefId,
    ParentTaskId,
    Lineage,
    Kind,
    InputType,
    Stage,
    Status,
    Prompt,
    Params,
    IdempotencyKey,
    Fingerprint,
    LiveFingerprint,
    Model,
    Provider,
    UpstreamTaskId,
    Progress,
    QueuePosition,
    EstimatedCostMicros,
    ActualCostMicros,
    Charged,
    Currency,
    CallbackUrl,
    FailureReason,
    FailureMessage,
    Attempts,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
    DeadlineAt,
    UpstreamCompletedAt,
}

#[derive(DeriveIden)]
enum TaskEvents {
    Table,
    Id,
    TaskId,
    TeamId,
    FromStatus,
    ToStatus,
    Cause,
    UpstreamStatus,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OutputAssets {
    Table,
    Id,
    TaskId,
    TeamId,
    Position,
    DownloadStatus,
    Format,
    Width,
    Height,
    DurationMs,
    Mime,
    Attempts,
    LastError,
    ByteSize,
    ChecksumSha256,
    StorageKey,
    ThumbnailKey,
    UpstreamUrl,
    UpstreamExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    SubjectId,
    RunAt,
    LeaseOwner,
    LeaseExpiresAt,
    Attempts,
    LastError,
    NudgedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TaskReferenceAssets {
    Table,
    TaskId,
    ReferenceAssetId,
    Position,
}

#[derive(DeriveIden)]
enum DuplicateSubmissions {
    Table,
    Id,
    TeamId,
    CampaignId,
    BriefId,
    TaskId,
    SubmittedBy,
    CreatedAt,
}
