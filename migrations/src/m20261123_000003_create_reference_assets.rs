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
                    .table(ReferenceAssets::Table)
                    .col(
                        ColumnDef::new(ReferenceAssets::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ReferenceAssets::TeamId).uuid().not_null())
                    .col(
                        ColumnDef::new(ReferenceAssets::UploadedBy)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ReferenceAssets::Kind).string().not_null())
                    .col(ColumnDef::new(ReferenceAssets::Mime).string().not_null())
                    .col(
                        ColumnDef::new(ReferenceAssets::Filename)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ReferenceAssets::ByteSize)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ReferenceAssets::ChecksumSha256)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ReferenceAssets::Width).integer())
                    .col(ColumnDef::new(ReferenceAssets::Height).integer())
                    .col(
                        ColumnDef::new(ReferenceAssets::StorageKey)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ReferenceAssets::ThumbnailKey).string())
                    .col(ColumnDef::new(ReferenceAssets::Source).text())
                    .col(
                        ColumnDef::new(ReferenceAssets::LicenceStatus)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ReferenceAssets::LicenceNote).text())
                    .col(
                        ColumnDef::new(ReferenceAssets::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReferenceAssets::Table, ReferenceAssets::TeamId)
                            .to(Teams::Table, Teams::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReferenceAssets::Table, ReferenceAssets::UploadedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Uploading the same file twice gives back the first upload.
        manager
            .create_index(
                Index::create()
                    .name("uq_reference_assets_team_checksum")
                    .table(ReferenceAssets::Table)
                    .col(ReferenceAssets::TeamId)
                    .col(ReferenceAssets::ChecksumSha256)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReferenceAssets::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(crate) enum ReferenceAssets {
    Table,
    Id,
    TeamId,
    UploadedBy,
    Kind,
    Mime,
    Filename,
    ByteSize,
    ChecksumSha256,
    Width,
    Height,
    StorageKey,
    ThumbnailKey,
    Source,
    LicenceStatus,
    LicenceNote,
    CreatedAt,
}
