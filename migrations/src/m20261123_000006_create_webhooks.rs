use sea_orm_migration::prelude::*;

use crate::m20261123_000001_create_accounts::Teams;

/// Outbound webhooks (endpoints, deliveries, attempts), the team's signing secret for
/// per-task callbacks, inbound upstream webhook de-duplication, provider keys set from the
/// UI, and what tasks need for real gateways.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .col(
                        ColumnDef::new(WebhookEndpoints::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(WebhookEndpoints::TeamId).uuid().not_null())
                    .col(ColumnDef::new(WebhookEndpoints::Url).text().not_null())
                    .col(ColumnDef::new(WebhookEndpoints::Description).string())
                    // Comma-separated event types, e.g. `task.succeeded,task.failed`.
                    .col(
                        ColumnDef::new(WebhookEndpoints::EventTypes)
                            .text()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookEndpoints::Secret).string().not_null())
                    // Still signs during a rotation, until it expires.
                    .col(ColumnDef::new(WebhookEndpoints::PreviousSecret).string())
                    .col(
                        ColumnDef::new(WebhookEndpoints::PreviousSecretExpiresAt)
                            .timestamp_with_time_zone(),
                    )
                    .col(
                        ColumnDef::new(WebhookEndpoints::Enabled)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(ColumnDef::new(WebhookEndpoints::DisabledReason).text())
                    .col(
                        ColumnDef::new(WebhookEndpoints::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookEndpoints::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookEndpoints::Table, WebhookEndpoints::TeamId)
                            .to(Teams::Table, Teams::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_endpoints_team")
                    .table(WebhookEndpoints::Table)
                    .col(WebhookEndpoints::TeamId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(
                        ColumnDef::new(WebhookDeliveries::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(WebhookDeliveries::TeamId).uuid().not_null())
                    // Null for a task's own callback URL.
                    .col(ColumnDef::new(WebhookDeliveries::EndpointId).uuid())
                    .col(ColumnDef::new(WebhookDeliveries::TaskId).uuid())
                    .col(ColumnDef::new(WebhookDeliveries::Url).text().not_null())
                    .col(
                        ColumnDef::new(WebhookDeliveries::EventType)
                            .string()
                            .not_null(),
                    )
                    // `webhook-id`: the same for every attempt, so receivers can de-duplicate.
                    .col(
                        ColumnDef::new(WebhookDeliveries::MessageId)
                            .string()
                            .not_null(),
                    )
                    // The exact bytes sent (and signed) on every attempt.
                    .col(ColumnDef::new(WebhookDeliveries::Payload).text().not_null())
                    .col(
                        ColumnDef::new(WebhookDeliveries::Status)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::NextAttemptAt).timestamp_with_time_zone(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            (
                "idx_webhook_deliveries_endpoint",
                WebhookDeliveries::EndpointId,
            ),
            ("idx_webhook_deliveries_task", WebhookDeliveries::TaskId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(WebhookDeliveries::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(
                        ColumnDef::new(WebhookAttempts::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(WebhookAttempts::DeliveryId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookAttempts::AttemptedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookAttempts::StatusCode).integer())
                    .col(
                        ColumnDef::new(WebhookAttempts::LatencyMs)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookAttempts::ResponseExcerpt).text())
                    .col(ColumnDef::new(WebhookAttempts::Error).text())
                    .col(ColumnDef::new(WebhookAttempts::NextRetryAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookAttempts::Table, WebhookAttempts::DeliveryId)
                            .to(WebhookDeliveries::Table, WebhookDeliveries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_attempts_delivery")
                    .table(WebhookAttempts::Table)
                    .col(WebhookAttempts::DeliveryId)
                    .to_owned(),
            )
            .await?;

        // Upstream webhooks already seen, by sender and `webhook-id`.
        manager
            .create_table(
                Table::create()
                    .table(InboundWebhooks::Table)
                    .col(
                        ColumnDef::new(InboundWebhooks::Provider)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(InboundWebhooks::WebhookId)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(InboundWebhooks::ReceivedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(InboundWebhooks::Provider)
                            .col(InboundWebhooks::WebhookId),
                    )
                    .to_owned(),
            )
            .await?;

        // API keys set by an admin in the UI; write-only through the API.
        manager
            .create_table(
                Table::create()
                    .table(ProviderSecrets::Table)
                    .col(
                        ColumnDef::new(ProviderSecrets::Provider)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ProviderSecrets::ApiKey).text().not_null())
                    .col(
                        ColumnDef::new(ProviderSecrets::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;

        // One column per statement: SQLite alters a table one change at a time.
        for column in [
            ColumnDef::new(Teams::CallbackSecret).string().to_owned(),
            ColumnDef::new(Teams::PreviousCallbackSecret)
                .string()
                .to_owned(),
            ColumnDef::new(Teams::PreviousCallbackSecretExpiresAt)
                .timestamp_with_time_zone()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Teams::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            // The create may have happened upstream but Kiln cannot tell, and the upstream
            // has no idempotency keys: a person must check before anything is re-sent.
            ColumnDef::new(GenerationTasks::NeedsReconciliation)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            // The upstream's `usage`, as it reported it.
            ColumnDef::new(GenerationTasks::UpstreamUsage)
                .text()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(GenerationTasks::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookAttempts::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
            InboundWebhooks::Table.into_iden(),
            ProviderSecrets::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in [
            Teams::CallbackSecret,
            Teams::PreviousCallbackSecret,
            Teams::PreviousCallbackSecretExpiresAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Teams::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            GenerationTasks::NeedsReconciliation,
            GenerationTasks::UpstreamUsage,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(GenerationTasks::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    TeamId,
    Url,
    Description,
    EventTypes,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    Enabled,
    DisabledReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    TeamId,
    EndpointId,
    TaskId,
    Url,
    EventType,
    MessageId,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    AttemptedAt,
    StatusCode,
    LatencyMs,
    ResponseExcerpt,
    Error,
    NextRetryAt,
}

#[derive(DeriveIden)]
enum InboundWebhooks {
    Table,
    Provider,
    WebhookId,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum ProviderSecrets {
    Table,
    Provider,
    ApiKey,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GenerationTasks {
    Table,
    NeedsReconciliation,
    UpstreamUsage,
}
