//! What downloads are called and what a task's ZIP holds: every stored output, named
//! after the task's campaign, brief and stage (`domain::task::DownloadName`).
//!
//! Access is checked by the caller's kind of proof: a viewer's team, or a signed link
//! the API issued to a member of the task's team (checked in `http::files`).

use std::io::{Cursor, Write};

use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;
use zip::write::SimpleFileOptions;

use super::{ServiceError, asset, find_in_team};
use crate::auth::Viewer;
use crate::domain::task::{DownloadName, DownloadStatus};
use crate::entity::{brief, campaign, generation_task, output_asset};
use crate::state::AppState;

/// What a task's ZIP link is signed for: a variant no single file has, so that the
/// signature of one can never pass as the other.
pub(crate) const ZIP_VARIANT: &str = "zip";

/// Largest ZIP Kiln assembles (it is built in memory): the stored outputs' sizes summed.
/// A task's outputs are a handful of pictures or clips, far below this.
pub(crate) const MAX_BUNDLE_BYTES: i64 = 512 * 1024 * 1024;

/// What the files of `task` are named after. The campaign and brief belong to the
/// task's team; a missing one (never expected) names the part generically.
pub(crate) async fn name_of(
    db: &DatabaseConnection,
    task: &generation_task::Model,
) -> Result<DownloadName, ServiceError> {
    let campaign = find_in_team::<campaign::Entity>(db, task.team_id, task.campaign_id)
        .await
        .map(|c| c.name)
        .or_else(missing_is_empty)?;
    let brief = find_in_team::<brief::Entity>(db, task.team_id, task.brief_id)
        .await
        .map(|b| b.title)
        .or_else(missing_is_empty)?;
    Ok(DownloadName::new(&campaign, &brief, task.stage))
}

fn missing_is_empty(err: ServiceError) -> Result<String, ServiceError> {
    match err {
        ServiceError::NotFound => Ok(String::new()),
        other => Err(other),
    }
}

/// The name an output downloads under: UTF-8, and its ASCII fallback.
pub(crate) async fn output_names(
    db: &DatabaseConnection,
    output: &output_asset::Model,
) -> Result<(String, String), ServiceError> {
    let task = generation_task::Entity::find_by_id(output.task_id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::Corrupt(format!("output {} has no task", output.id)))?;
    let name = name_of(db, &task).await?;
    Ok((
        name.output(output.position, &output.format),
        name.output_ascii(output.position, &output.format),
    ))
}

/// A task's outputs as one ZIP, ready to send.
pub(crate) struct Bundle {
    /// The ZIP's name: UTF-8, and its ASCII fallback.
    pub name: String,
    pub ascii_name: String,
    pub bytes: Vec<u8>,
}

/// Why a task has no ZIP.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BundleError {
    #[error("the task has no stored outputs")]
    Empty,
    #[error("the outputs are too large to bundle")]
    TooLarge,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// The ZIP of the stored outputs of the viewer's task `task_id`.
pub(crate) async fn bundle_for(
    state: &AppState,
    viewer: &Viewer,
    task_id: Uuid,
) -> Result<Bundle, BundleError> {
    let task = find_in_team::<generation_task::Entity>(&state.db, viewer.team_id, task_id).await?;
    bundle(state, &task).await
}

/// The ZIP of task `task_id`, for a request that proved access with a signed link.
pub(crate) async fn bundle_unchecked(
    state: &AppState,
    task_id: Uuid,
) -> Result<Bundle, BundleError> {
    let task = generation_task::Entity::find_by_id(task_id)
        .one(&state.db)
        .await
        .map_err(ServiceError::from)?
        .ok_or(ServiceError::NotFound)?;
    bundle(state, &task).await
}

/// Every stored output under its download name, in position order, stored without
/// recompression (pictures and clips are compressed already).
async fn bundle(state: &AppState, task: &generation_task::Model) -> Result<Bundle, BundleError> {
    let outputs: Vec<_> = asset::outputs_of(&state.db, task.id)
        .await?
        .into_iter()
        .filter(|o| o.download_status == DownloadStatus::Stored)
        .filter_map(|o| o.storage_key.clone().map(|key| (key, o)))
        .collect();
    if outputs.is_empty() {
        return Err(BundleError::Empty);
    }
    let total: i64 = outputs.iter().filter_map(|(_, o)| o.byte_size).sum();
    if total > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge);
    }
    let name = name_of(&state.db, task).await?;
    let mut files = Vec::with_capacity(outputs.len());
    for (key, output) in &outputs {
        let bytes = state
            .storage
            .get_bytes(key)
            .await
            .map_err(ServiceError::from)?;
        files.push((name.output(output.position, &output.format), bytes));
    }
    let bytes = tokio::task::spawn_blocking(move || write_zip(files))
        .await
        .map_err(|e| ServiceError::Corrupt(format!("ZIP thread failed: {e}")))??;
    Ok(Bundle {
        name: name.bundle(),
        ascii_name: name.bundle_ascii(),
        bytes,
    })
}

fn write_zip(files: Vec<(String, bytes::Bytes)>) -> Result<Vec<u8>, ServiceError> {
    let failed = |e: &dyn std::fmt::Display| ServiceError::Corrupt(format!("writing a ZIP: {e}"));
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        zip.start_file(name, options).map_err(|e| failed(&e))?;
        zip.write_all(&bytes).map_err(|e| failed(&e))?;
    }
    let cursor = zip.finish().map_err(|e| failed(&e))?;
    Ok(cursor.into_inner())
}
