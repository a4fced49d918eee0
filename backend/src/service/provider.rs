//! Gateway profiles as admins manage them: which are configured, and the API key Kiln
//! stores for one (sealed, see [`crate::auth::sealed`]), which is never read back to an
//! admin; [`ApiKeys`] hands it to the gateway adapter alone.

use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, Set};
use secrecy::SecretString;

use super::ServiceError;
use crate::auth::Viewer;
use crate::auth::sealed::{SealError, Sealer};
use crate::config::ProviderProfile;
use crate::domain::account::Role;
use crate::domain::{ErrorCode, FieldError};
use crate::entity::provider_secret;
use crate::state::AppState;

/// A configured gateway, and whether Kiln stores a key for it.
pub(crate) struct Gateway {
    pub profile: ProviderProfile,
    pub has_stored_key: bool,
}

fn require_admin(viewer: &Viewer) -> Result<(), ServiceError> {
    if viewer.roles.contains(Role::Admin) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only admins manage providers"))
    }
}

/// The configured gateways, in configuration order.
pub(crate) async fn list(state: &AppState, viewer: &Viewer) -> Result<Vec<Gateway>, ServiceError> {
    require_admin(viewer)?;
    let stored: Vec<String> = provider_secret::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|row| row.provider)
        .collect();
    Ok(state
        .config
        .providers
        .iter()
        .map(|profile| Gateway {
            has_stored_key: stored.contains(&profile.name),
            profile: profile.clone(),
        })
        .collect())
}

/// Stores `api_key` for the gateway named `provider`, sealed; an empty key removes the
/// stored one, so the configured file or environment variable applies again.
pub(crate) async fn set_api_key(
    state: &AppState,
    viewer: &Viewer,
    provider: &str,
    api_key: &str,
) -> Result<Gateway, ServiceError> {
    require_admin(viewer)?;
    let Some(profile) = state.config.providers.iter().find(|p| p.name == provider) else {
        return Err(FieldError::new(
            "provider",
            ErrorCode::NotFound,
            "There is no such provider.",
        )
        .into());
    };
    let key = api_key.trim();
    if key.is_empty() {
        provider_secret::Entity::delete_by_id(profile.name.clone())
            .exec(&state.db)
            .await?;
    } else {
        provider_secret::Entity::insert(provider_secret::ActiveModel {
            provider: Set(profile.name.clone()),
            api_key: Set(state.sealer.seal(key)?),
            updated_at: Set(Utc::now()),
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
        .await?;
    }
    tracing::info!(provider = %profile.name, set = !key.is_empty(), "provider API key changed");
    Ok(Gateway {
        profile: profile.clone(),
        has_stored_key: !key.is_empty(),
    })
}

/// Where a gateway's API key comes from, first found wins: the key an admin set in
/// Settings (sealed in the database), else the profile's `api_key_file`, else its
/// `api_key_env`. Nothing is cached: each request reads the key afresh, so a key set or
/// removed in Settings applies to the next request without a restart.
#[derive(Clone)]
pub(crate) struct ApiKeys {
    db: DatabaseConnection,
    /// Opens the key an admin set in Settings.
    sealer: Arc<Sealer>,
}

/// Why there is no API key to send. No variant holds the key, so none can print it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiKeyError {
    /// Neither Settings, nor the file, nor the environment variable has one.
    #[error("no API key is set")]
    Missing,
    /// The key set in Settings cannot be opened (the server secret changed); an admin
    /// has to enter it again.
    #[error(transparent)]
    Unreadable(SealError),
    /// The stored key could not be read; worth trying again.
    #[error(transparent)]
    Database(DbErr),
}

impl ApiKeys {
    pub(crate) fn new(db: DatabaseConnection, sealer: Arc<Sealer>) -> Self {
        Self { db, sealer }
    }

    /// The API key for the gateway `profile`.
    pub(crate) async fn get(&self, profile: &ProviderProfile) -> Result<SecretString, ApiKeyError> {
        let stored = provider_secret::Entity::find_by_id(profile.name.clone())
            .one(&self.db)
            .await
            .map_err(ApiKeyError::Database)?;
        if let Some(row) = stored {
            return self
                .sealer
                .open(&row.api_key)
                .map_err(ApiKeyError::Unreadable);
        }
        // A configured file is the operator's choice; an empty or missing one is not
        // made up for by the environment.
        if let Some(path) = &profile.api_key_file {
            return read_key_file(path).ok_or(ApiKeyError::Missing);
        }
        profile
            .api_key_env
            .as_deref()
            .and_then(|var| std::env::var(var).ok())
            .filter(|key| !key.trim().is_empty())
            .map(|key| SecretString::from(key.trim().to_owned()))
            .ok_or(ApiKeyError::Missing)
    }
}

fn read_key_file(path: &Path) -> Option<SecretString> {
    std::fs::read_to_string(path)
        .ok()
        .map(|text| text.trim().to_owned())
        .filter(|key| !key.is_empty())
        .map(SecretString::from)
}
