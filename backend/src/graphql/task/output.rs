//! The `OutputAsset` type and the signed links its files are downloaded by.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::entity::output_asset;
use crate::graphql::error::state;
use crate::graphql::node::{NodeType, encode};
use crate::service::download::ZIP_VARIANT;
use crate::state::AppState;

use crate::domain::task::DownloadStatus;

/// A file a task produced.
pub(crate) struct OutputAsset(output_asset::Model);

impl OutputAsset {
    pub(crate) fn new(model: output_asset::Model) -> Self {
        Self(model)
    }

    fn link(&self, state: &AppState, variant: &str) -> String {
        signed_link(state, self.0.id, variant)
    }
}

/// When a signed link made now stops working (unix seconds): cut on multiples of the
/// configured link lifetime (an hour by default), so links stay the same for a while,
/// letting browsers cache the files, and always work for at least one lifetime.
pub(crate) fn link_expiry(state: &AppState) -> i64 {
    let period = i64::try_from(state.config.download_link_secs)
        .unwrap_or(3600)
        .max(1);
    let now = Utc::now().timestamp();
    now - now % period + 2 * period
}

/// A signed download link for stored file `id` (an output or a reference), valid until
/// [`link_expiry`].
pub(crate) fn signed_link(state: &AppState, id: Uuid, variant: &str) -> String {
    let expires = link_expiry(state);
    let signature = state.tokens.sign_link(id, variant, expires);
    format!("/files/{id}/{variant}?expires={expires}&signature={signature}")
}

/// A signed link to the ZIP of task `task_id`'s outputs, valid until [`link_expiry`].
/// Signed as the task's `zip` variant, which no file download accepts.
pub(crate) fn signed_zip_link(state: &AppState, task_id: Uuid) -> String {
    let expires = link_expiry(state);
    let signature = state.tokens.sign_link(task_id, ZIP_VARIANT, expires);
    format!("/files/tasks/{task_id}/zip?expires={expires}&signature={signature}")
}

#[Object]
impl OutputAsset {
    pub async fn id(&self) -> ID {
        encode(NodeType::OutputAsset, self.0.id)
    }

    /// Order among the task's outputs, from 0.
    async fn position(&self) -> i32 {
        self.0.position
    }

    async fn download_status(&self) -> DownloadStatus {
        self.0.download_status
    }

    /// File type of the stored copy, e.g. `png`.
    async fn format(&self) -> &str {
        &self.0.format
    }

    async fn width(&self) -> Option<i32> {
        self.0.width
    }

    async fn height(&self) -> Option<i32> {
        self.0.height
    }

    /// Length of a moving output, in milliseconds.
    async fn duration_ms(&self) -> Option<i32> {
        self.0.duration_ms
    }

    async fn mime_type(&self) -> Option<&str> {
        self.0.mime.as_deref()
    }

    /// When the upstream's own link to the file stops working, where it said.
    async fn upstream_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.upstream_expires_at
    }

    /// Failed download attempts so far, and the last error.
    async fn download_attempts(&self) -> i32 {
        self.0.attempts
    }

    async fn last_download_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    async fn byte_size(&self) -> Option<f64> {
        self.0.byte_size.map(|b| b as f64)
    }

    async fn checksum_sha256(&self) -> Option<&str> {
        self.0.checksum_sha256.as_deref()
    }

    /// A signed link to the file, valid for at least an hour; null until stored.
    async fn url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let state = state(ctx)?;
        Ok(self
            .0
            .storage_key
            .as_ref()
            .map(|_| self.link(state, "original")))
    }

    /// A signed link that downloads the file as an attachment named after the task's
    /// campaign, brief, stage and position (e.g. `spring-tea_douyin-teaser_final_1.png`);
    /// null until stored.
    async fn download_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let state = state(ctx)?;
        Ok(self
            .0
            .storage_key
            .as_ref()
            .map(|_| self.link(state, "download")))
    }

    /// When this output's signed links (and its task's `outputsZipUrl`) stop working.
    /// Asking for the output again gives fresh links.
    async fn links_expire_at(&self, ctx: &Context<'_>) -> async_graphql::Result<DateTime<Utc>> {
        let expires = link_expiry(state(ctx)?);
        Ok(DateTime::from_timestamp(expires, 0).unwrap_or_else(Utc::now))
    }

    /// A signed link to a small PNG preview (for a moving output, its first frame);
    /// null until stored.
    async fn thumbnail_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let state = state(ctx)?;
        Ok(self
            .0
            .thumbnail_key
            .as_ref()
            .map(|_| self.link(state, "thumbnail")))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
