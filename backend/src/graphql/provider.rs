//! Provider profiles in the API (admins): what is configured, and the API key — which
//! can be set here but never read.

use async_graphql::{Context, InputObject, Object, SimpleObject};

use super::error::{UserError, state, to_graphql, user_error, viewer};
use crate::config::ProviderProfile;
use crate::domain::ErrorCode;
use crate::domain::account::Role;
use crate::entity::provider_secret;
use crate::service::ServiceError;

#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::config::VideoDialect")]
pub enum VideoApiDialect {
    Openai,
    Task,
}

/// A configured gateway.
pub struct Provider {
    profile: ProviderProfile,
    has_stored_key: bool,
}

#[Object]
impl Provider {
    async fn name(&self) -> &str {
        &self.profile.name
    }

    async fn base_url(&self) -> &str {
        &self.profile.base_url
    }

    async fn video_dialect(&self) -> VideoApiDialect {
        self.profile.video_dialect.into()
    }

    /// Whether a key is available (set here, or in the configured file or environment
    /// variable). The key itself is never readable.
    async fn has_api_key(&self) -> bool {
        self.has_stored_key
            || self
                .profile
                .api_key_file
                .as_ref()
                .is_some_and(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
            || self
                .profile
                .api_key_env
                .as_deref()
                .is_some_and(|v| std::env::var(v).is_ok_and(|k| !k.trim().is_empty()))
    }

    /// Whether the key was set in Kiln (it then wins over file and environment).
    async fn api_key_set_in_kiln(&self) -> bool {
        self.has_stored_key
    }

    async fn idempotency_header(&self) -> Option<&str> {
        self.profile.idempotency_header.as_deref()
    }

    async fn max_concurrency(&self) -> i32 {
        self.profile.max_concurrency as i32
    }

    async fn requests_per_minute(&self) -> i32 {
        self.profile.requests_per_minute as i32
    }

    /// Where the gateway sends its webhooks, when it signs them with a configured secret.
    async fn webhook_path(&self) -> Option<String> {
        self.profile
            .webhook_secret()
            .map(|_| format!("/webhooks/upstream/{}", self.profile.name))
    }
}

fn require_admin(ctx: &Context<'_>) -> async_graphql::Result<()> {
    if viewer(ctx)?.roles.contains(Role::Admin) {
        Ok(())
    } else {
        Err(to_graphql(ServiceError::Forbidden(
            "only admins manage providers",
        )))
    }
}

#[derive(Default)]
pub struct ProviderQuery;

#[Object]
impl ProviderQuery {
    /// The configured gateways (admins).
    async fn providers(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Provider>> {
        require_admin(ctx)?;
        let state = state(ctx)?;
        let stored: Vec<String> = <provider_secret::Entity as sea_orm::EntityTrait>::find()
            .all(&state.db)
            .await
            .map_err(|e| to_graphql(e.into()))?
            .into_iter()
            .map(|row| row.provider)
            .collect();
        Ok(state
            .config
            .providers
            .iter()
            .map(|profile| Provider {
                has_stored_key: stored.contains(&profile.name),
                profile: profile.clone(),
            })
            .collect())
    }
}

#[derive(InputObject)]
pub struct SetProviderApiKeyInput {
    pub provider: String,
    /// Write-only. An empty key removes the one set in Kiln (the configured file or
    /// environment variable applies again).
    #[graphql(secret)]
    pub api_key: String,
}

#[derive(SimpleObject)]
pub struct SetProviderApiKeyPayload {
    pub provider: Option<Provider>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct ProviderMutation;

#[Object]
impl ProviderMutation {
    async fn set_provider_api_key(
        &self,
        ctx: &Context<'_>,
        input: SetProviderApiKeyInput,
    ) -> async_graphql::Result<SetProviderApiKeyPayload> {
        use sea_orm::sea_query::OnConflict;
        use sea_orm::{EntityTrait, Set};

        require_admin(ctx)?;
        let state = state(ctx)?;
        let Some(profile) = state
            .config
            .providers
            .iter()
            .find(|p| p.name == input.provider)
        else {
            return Ok(SetProviderApiKeyPayload {
                provider: None,
                user_errors: vec![user_error(
                    ErrorCode::NotFound,
                    "provider",
                    "There is no such provider.",
                )],
            });
        };
        let key = input.api_key.trim();
        let db_err = |e: sea_orm::DbErr| to_graphql(e.into());
        if key.is_empty() {
            provider_secret::Entity::delete_by_id(profile.name.clone())
                .exec(&state.db)
                .await
                .map_err(db_err)?;
        } else {
            provider_secret::Entity::insert(provider_secret::ActiveModel {
                provider: Set(profile.name.clone()),
                api_key: Set(key.to_owned()),
                updated_at: Set(chrono::Utc::now()),
            })
            .on_conflict(
                OnConflict::column(provider_secret::Column::Provider)
                    .update_columns([
                        provider_secret::Column::ApiKey,
                        provider_secret::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec(&state.db)
            .await
            .map_err(db_err)?;
        }
        tracing::info!(provider = %profile.name, set = !key.is_empty(), "provider API key changed");
        Ok(SetProviderApiKeyPayload {
            provider: Some(Provider {
                profile: profile.clone(),
                has_stored_key: !key.is_empty(),
            }),
            user_errors: Vec::new(),
        })
    }
}
