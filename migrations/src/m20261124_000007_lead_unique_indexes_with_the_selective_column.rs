use sea_orm_migration::prelude::*;

/// The two unique indexes on generation tasks lead with the column that picks one row
/// (`live_fingerprint`, `idempotency_key`) instead of `team_id`.
///
/// With `team_id` first, both indexes also matched any query on `team_id` alone, and
/// PostgreSQL, before it has statistics for a young table, costed them alike: the
/// duplicate check ran through the idempotency-key index, reading every task of the
/// team on each submit. Uniqueness over the pair is the same in either order.
#[derive(DeriveMigrationName)]
pub struct Migration;

const LIVE_FINGERPRINT: &str = "uq_generation_tasks_live_fingerprint";
const IDEMPOTENCY_KEY: &str = "uq_generation_tasks_idempotency_key";

async fn unique_index(
    manager: &SchemaManager<'_>,
    name: &str,
    columns: [GenerationTasks; 2],
) -> Result<(), DbErr> {
    manager
        .drop_index(
            Index::drop()
                .name(name)
                .table(GenerationTasks::Table)
                .to_owned(),
        )
        .await?;
    let mut index = Index::create();
    index.name(name).table(GenerationTasks::Table).unique();
    for column in columns {
        index.col(column);
    }
    manager.create_index(index.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// On SQLite too: without a transaction the drop and the create may run on two
    /// pooled connections, and the second may not see the drop yet.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use GenerationTasks::{IdempotencyKey, LiveFingerprint, TeamId};
        unique_index(manager, LIVE_FINGERPRINT, [LiveFingerprint, TeamId]).await?;
        unique_index(manager, IDEMPOTENCY_KEY, [IdempotencyKey, TeamId]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use GenerationTasks::{IdempotencyKey, LiveFingerprint, TeamId};
        unique_index(manager, LIVE_FINGERPRINT, [TeamId, LiveFingerprint]).await?;
        unique_index(manager, IDEMPOTENCY_KEY, [TeamId, IdempotencyKey]).await
    }
}

#[derive(DeriveIden)]
enum GenerationTasks {
    Table,
    TeamId,
    LiveFingerprint,
    IdempotencyKey,
}
