use sea_orm::entity::prelude::*;

/// A provider's API key as an admin set it in the UI; it wins over the environment.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_secrets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider: String,
    #[sea_orm(column_type = "Text")]
    pub api_key: String,
    pub updated_at: DateTimeUtc,
}

// Written by hand so that the key never reaches a log line.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSecret")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
