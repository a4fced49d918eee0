use sea_orm_migration::prelude::*;

/// Why a webhook endpoint was turned off, as a code clients can translate and branch
/// on (`GONE`, `KEPT_FAILING`, `BY_ADMIN`), next to the English sentence.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WebhookEndpoints::Table)
                    .add_column(ColumnDef::new(WebhookEndpoints::DisabledCode).string())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WebhookEndpoints::Table)
                    .drop_column(WebhookEndpoints::DisabledCode)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    DisabledCode,
}
