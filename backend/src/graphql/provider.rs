//! Provider profiles in the API (admins): what is configured, and the API key — which
//! can be set here but never read.

use async_graphql::{Context, InputObject, Object, SimpleObject};

use super::error::{UserError, state, to_graphql, user_errors, viewer};
use crate::service::provider;

use crate::config::VideoDialect;
/// A configured gateway.
pub(crate) struct Provider(provider::Gateway);

#[Object]
impl Provider {
    async fn name(&self) -> &str {
        &self.0.profile.name
    }

    async fn base_url(&self) -> &str {
        &self.0.profile.base_url
    }

    async fn video_dialect(&self) -> VideoDialect {
        self.0.profile.video_dialect
    }

    /// Whether a key is available (set here, or in the configured file or environment
    /// variable). The key itself is never readable.
    async fn has_api_key(&self) -> bool {
        self.0.has_stored_key
            || self
                .0
                .profile
                .api_key_file
                .as_ref()
                .is_some_and(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
            || self
                .0
                .profile
                .api_key_env
                .as_deref()
                .is_some_and(|v| std::env::var(v).is_ok_and(|k| !k.trim().is_empty()))
    }

    /// Whether the key was set in Kiln (it then wins over file and environment).
    async fn api_key_set_in_kiln(&self) -> bool {
        self.0.has_stored_key
    }

    async fn idempotency_header(&self) -> Option<&str> {
        self.0.profile.idempotency_header.as_deref()
    }

    async fn max_concurrency(&self) -> i32 {
        self.0.profile.max_concurrency as i32
    }

    async fn requests_per_minute(&self) -> i32 {
        self.0.profile.requests_per_minute as i32
    }

    /// Where the gateway sends its webhooks, when it signs them with a configured secret.
    async fn webhook_path(&self) -> Option<String> {
        self.0
            .profile
            .webhook_secret()
            .map(|_| format!("/webhooks/upstream/{}", self.0.profile.name))
    }
}

#[derive(Default)]
pub(crate) struct ProviderQuery;

#[Object]
impl ProviderQuery {
    /// The configured gateways (admins).
    async fn providers(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Provider>> {
        let gateways = provider::list(state(ctx)?, viewer(ctx)?)
            .await
            .map_err(to_graphql)?;
        Ok(gateways.into_iter().map(Provider).collect())
    }
}

#[derive(InputObject)]
pub(crate) struct SetProviderApiKeyInput {
    pub provider: String,
    /// Write-only. An empty key removes the one set in Kiln (the configured file or
    /// environment variable applies again).
    #[graphql(secret)]
    pub api_key: String,
}

#[derive(SimpleObject)]
pub(crate) struct SetProviderApiKeyPayload {
    pub provider: Option<Provider>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub(crate) struct ProviderMutation;

#[Object]
impl ProviderMutation {
    async fn set_provider_api_key(
        &self,
        ctx: &Context<'_>,
        input: SetProviderApiKeyInput,
    ) -> async_graphql::Result<SetProviderApiKeyPayload> {
        let result =
            provider::set_api_key(state(ctx)?, viewer(ctx)?, &input.provider, &input.api_key).await;
        Ok(match user_errors(result)? {
            Ok(gateway) => SetProviderApiKeyPayload {
                provider: Some(Provider(gateway)),
                user_errors: Vec::new(),
            },
            Err(errors) => SetProviderApiKeyPayload {
                provider: None,
                user_errors: errors,
            },
        })
    }
}
