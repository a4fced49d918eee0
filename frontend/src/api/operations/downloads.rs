//! A task's download links: each stored output under its filed name (campaign, brief,
//! stage, position), the ZIP of them all, and when the links stop working. The task
//! page asks again to renew them.

pub use super::schema::{TaskDownloads, task_downloads};
use crate::api::{ApiError, graphql_query};
use crate::model::Downloads;

/// The task's links, or `None` when it does not exist or belongs to another team.
pub async fn fetch_downloads(id: String) -> Result<Option<Downloads>, ApiError> {
    let data = graphql_query::<TaskDownloads>(task_downloads::Variables { id }).await?;
    Ok(data.task.map(|t| Downloads {
        zip_url: t.outputs_zip_url,
        // One expiry for all: the server cuts every link made in one answer alike.
        expires_at: t.outputs.iter().map(|o| o.links_expire_at.clone()).min(),
        files: t
            .outputs
            .into_iter()
            .filter_map(|o| o.download_url.map(|url| (o.id, url)))
            .collect(),
    }))
}
