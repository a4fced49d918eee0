use sea_orm_migration::prelude::*;

/// What a task's request acknowledged before Kiln spent again (`SUCCEEDED_RECENTLY`,
/// `FINAL_EXISTS`, `ALREADY_CHARGED`), and an index to find a team's earlier task with
/// the same parameters, which is what those warnings look for; and, on a task's
/// history, the wait before a retry Kiln made by itself (`UPSTREAM_RETRIED`).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(GenerationTasks::Table)
                    .add_column(ColumnDef::new(GenerationTasks::AcknowledgedWarnings).json())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(TaskEvents::Table)
                    .add_column(ColumnDef::new(TaskEvents::RetryAfterMs).big_integer())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(FINGERPRINT)
                    .table(GenerationTasks::Table)
                    .col(GenerationTasks::Fingerprint)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(FINGERPRINT)
                    .table(GenerationTasks::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(TaskEvents::Table)
                    .drop_column(TaskEvents::RetryAfterMs)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(GenerationTasks::Table)
                    .drop_column(GenerationTasks::AcknowledgedWarnings)
                    .to_owned(),
            )
            .await
    }
}

const FINGERPRINT: &str = "idx_generation_tasks_fingerprint";

#[derive(DeriveIden)]
enum GenerationTasks {
    Table,
    Fingerprint,
    AcknowledgedWarnings,
}

#[derive(DeriveIden)]
enum TaskEvents {
    Table,
    RetryAfterMs,
}
