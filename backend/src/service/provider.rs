//! Gateway profiles as admins manage them: which are configured, and the API key Kiln
//! stores for one (sealed, see [`crate::auth::sealed`]), which is never read back.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};

use super::ServiceError;
use crate::auth::Viewer;
use crate::config::ProviderProfile;
use crate::domain::account::Role;
use crate::domain::{ErrorCode, FieldError};
use crate::entity::provider_secret;
use crate::state::AppState;

/// A configured gateway, and whether Kiln stores a key for it.
pub struct Gateway {
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
pub async fn list(state: &AppState, viewer: &Viewer) -> Result<Vec<Gateway>, ServiceError> {
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
pub async fn set_api_key(
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
