//! The configured gateways (admins) and their write-only API keys.

pub use super::schema::{Providers, SetProviderApiKey, providers, set_provider_api_key};
use crate::api::{ApiError, graphql_query};
use crate::model::{Provider, UserError, attach_models};

from_fragment!(
    [providers, set_provider_api_key],
    |p: ProviderFields| -> Provider {
        Provider {
            name: p.name,
            base_url: p.base_url,
            video_dialect: p.video_dialect.known(),
            has_api_key: p.has_api_key,
            api_key_set_in_kiln: p.api_key_set_in_kiln,
            idempotency_header: p.idempotency_header,
            max_concurrency: p.max_concurrency,
            requests_per_minute: p.requests_per_minute,
            webhook_path: p.webhook_path,
            models: Vec::new(),
        }
    }
);

/// The gateways in the order they are configured.
pub async fn fetch_providers() -> Result<Vec<Provider>, ApiError> {
    let data = graphql_query::<Providers>(providers::Variables {}).await?;
    let mut found: Vec<Provider> = data.providers.into_iter().map(Into::into).collect();
    attach_models(
        &mut found,
        data.models.into_iter().map(|m| (m.provider, m.label)),
    );
    Ok(found)
}

/// Stores `api_key` for the gateway; an empty key removes the one stored in Kiln, so
/// the configured file or environment variable applies again. The answer says only
/// whether a key is set.
pub async fn set_provider_api_key(
    provider: String,
    api_key: String,
) -> Result<Result<Provider, Vec<UserError>>, ApiError> {
    let data = graphql_query::<SetProviderApiKey>(set_provider_api_key::Variables {
        input: set_provider_api_key::SetProviderApiKeyInput { provider, api_key },
    })
    .await?;
    let p = data.set_provider_api_key;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors!(p.user_errors)));
    }
    p.provider.map(|p| Ok(p.into())).ok_or(ApiError::NoData)
}
