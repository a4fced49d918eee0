use sea_orm::entity::prelude::*;

/// A tenant: every other row belongs to exactly one team.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "teams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTimeUtc,
    /// Signs callbacks to per-task callback URLs (`whsec_…`); never leaves the server
    /// after it was shown once.
    pub callback_secret: Option<String>,
    /// Still signs, until it expires, while receivers switch to the new secret.
    pub previous_callback_secret: Option<String>,
    pub previous_callback_secret_expires_at: Option<DateTimeUtc>,
}

// Written by hand so that the secrets never reach a log line.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Team")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
