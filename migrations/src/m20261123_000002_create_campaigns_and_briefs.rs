use sea_orm_migration::prelude::*;

use crate::m20261123_000001_create_accounts::{Teams, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Campaigns::Table)
                    .col(
                        ColumnDef::new(Campaigns::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Campaigns::TeamId).uuid().not_null())
                    .col(ColumnDef::new(Campaigns::Name).string().not_null())
                    .col(ColumnDef::new(Campaigns::OwnerId).uuid().not_null())
                    // Null: no budget. Amounts are micros of `currency`.
                    .col(ColumnDef::new(Campaigns::BudgetMicros).big_integer())
                    .col(ColumnDef::new(Campaigns::Currency).string().not_null())
                    .col(
                        ColumnDef::new(Campaigns::AlertThresholdPercent)
                            .integer()
                            .not_null()
                            .default(80),
                    )
                    // Set when the spend alert went out, so that it goes out once.
                    .col(ColumnDef::new(Campaigns::BudgetAlertedAt).timestamp_with_time_zone())
                    // Bumped by every submit in the campaign: the row lock it takes
                    // serialises budget checks on both engines.
                    .col(
                        ColumnDef::new(Campaigns::SubmitSeq)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Campaigns::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Campaigns::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Campaigns::Table, Campaigns::TeamId)
                            .to(Teams::Table, Teams::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Campaigns::Table, Campaigns::OwnerId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_campaigns_team")
                    .table(Campaigns::Table)
                    .col(Campaigns::TeamId)
                    .col(Campaigns::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Briefs::Table)
                    .col(ColumnDef::new(Briefs::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Briefs::TeamId).uuid().not_null())
                    .col(ColumnDef::new(Briefs::CampaignId).uuid().not_null())
                    .col(ColumnDef::new(Briefs::Title).string().not_null())
                    .col(ColumnDef::new(Briefs::Purpose).text())
                    .col(ColumnDef::new(Briefs::Channel).string())
                    .col(ColumnDef::new(Briefs::OwnerId).uuid().not_null())
                    .col(ColumnDef::new(Briefs::Status).string().not_null())
                    .col(
                        ColumnDef::new(Briefs::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Briefs::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Briefs::Table, Briefs::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Briefs::Table, Briefs::OwnerId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_briefs_team")
                    .table(Briefs::Table)
                    .col(Briefs::TeamId)
                    .col(Briefs::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_briefs_campaign")
                    .table(Briefs::Table)
                    .col(Briefs::CampaignId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Briefs::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Campaigns::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Campaigns {
    Table,
    Id,
    TeamId,
    Name,
    OwnerId,
    BudgetMicros,
    Currency,
    AlertThresholdPercent,
    BudgetAlertedAt,
    SubmitSeq,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Briefs {
    Table,
    Id,
    TeamId,
    CampaignId,
    Title,
    Purpose,
    Channel,
    OwnerId,
    Status,
    CreatedAt,
    UpdatedAt,
}
