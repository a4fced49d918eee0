use sea_orm_migration::prelude::*;

/// The simulated provider keeps its "upstream" state in Kiln's database, so that it
/// outlives a Kiln restart the way a real gateway does, and so that tests can count how
/// often each task was created upstream.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SimulatedUpstreamTasks::Table)
                    .col(
                        ColumnDef::new(SimulatedUpstreamTasks::IdempotencyKey)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SimulatedUpstreamTasks::UpstreamId)
                            .string()
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(SimulatedUpstreamTasks::AcceptedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // Create requests received for this key; more than one means Kiln
                    // re-posted (idempotently) after not hearing the first answer.
                    .col(
                        ColumnDef::new(SimulatedUpstreamTasks::SubmitRequests)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(SimulatedUpstreamTasks::Cancelled)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        // Create attempts that the simulation failed on purpose (transient failures), per key.
        manager
            .create_table(
                Table::create()
                    .table(SimulatedUpstreamFailures::Table)
                    .col(
                        ColumnDef::new(SimulatedUpstreamFailures::IdempotencyKey)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SimulatedUpstreamFailures::Failures)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(SimulatedUpstreamFailures::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(SimulatedUpstreamTasks::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum SimulatedUpstreamTasks {
    Table,
    IdempotencyKey,
    UpstreamId,
    AcceptedAt,
    SubmitRequests,
    Cancelled,
}

#[derive(DeriveIden)]
enum SimulatedUpstreamFailures {
    Table,
    IdempotencyKey,
    Failures,
}
