//! Output assets: keeping what a task produced, and finding it again for a download.

use std::io::Cursor;

use bytes::Bytes;
use chrono::Utc;
use image::{ImageFormat, ImageReader, Limits};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::ServiceError;
use crate::auth::Viewer;
use crate::entity::{generation_task, output_asset};
use crate::state::AppState;

/// Longer side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 256;
/// Largest image Kiln decodes (to make a thumbnail), so a hostile file cannot exhaust
/// memory.
const MAX_DECODE_PIXELS: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Download status values, as stored.
pub mod download_status {
    pub const PENDING: &str = "PENDING";
    pub const STORED: &str = "STORED";
    pub const EXPIRED: &str = "EXPIRED";
    pub const FAILED: &str = "FAILED";
}

/// A task's outputs in order.
pub async fn outputs_of(
    db: &DatabaseConnection,
    task_id: Uuid,
) -> Result<Vec<output_asset::Model>, ServiceError> {
    Ok(output_asset::Entity::find()
        .filter(output_asset::Column::TaskId.eq(task_id))
        .order_by_asc(output_asset::Column::Position)
        .all(db)
        .await?)
}

/// An output of the viewer's team.
pub async fn get(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<output_asset::Model, ServiceError> {
    output_asset::Entity::find_by_id(id)
        .filter(output_asset::Column::TeamId.eq(viewer.team_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// An output by id alone, for requests that prove access with a signed link.
pub async fn get_unchecked(
    db: &DatabaseConnection,
    id: Uuid,
) -> Result<output_asset::Model, ServiceError> {
    output_asset::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// What is known about an image file once it is decoded.
struct Inspected {
    format: &'static str,
    width: u32,
    height: u32,
    thumbnail: Bytes,
}

/// Sniffs, measures and thumbnails an image. Runs on a blocking thread: decoding and
/// encoding are CPU work.
async fn inspect(bytes: Bytes) -> Result<Inspected, ServiceError> {
    tokio::task::spawn_blocking(move || {
        let mut reader = ImageReader::new(Cursor::new(bytes.as_ref()))
            .with_guessed_format()
            .map_err(|e| ServiceError::Corrupt(format!("unreadable output: {e}")))?;
        let format = match reader.format() {
            Some(ImageFormat::Png) => "png",
            Some(ImageFormat::Jpeg) => "jpg",
            Some(ImageFormat::WebP) => "webp",
            Some(ImageFormat::Gif) => "gif",
            _ => {
                return Err(ServiceError::Corrupt(
                    "output is not an image Kiln can read".into(),
                ));
            }
        };
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_DECODE_PIXELS);
        limits.max_image_height = Some(MAX_DECODE_PIXELS);
        limits.max_alloc = Some(MAX_DECODE_BYTES);
        reader.limits(limits);
        let image = reader
            .decode()
            .map_err(|e| ServiceError::Corrupt(format!("undecodable output: {e}")))?;
        let mut thumbnail = Cursor::new(Vec::new());
        image
            .thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
            .write_to(&mut thumbnail, ImageFormat::Png)
            .map_err(|e| ServiceError::Corrupt(format!("could not encode a thumbnail: {e}")))?;
        Ok(Inspected {
            format,
            width: image.width(),
            height: image.height(),
            thumbnail: Bytes::from(thumbnail.into_inner()),
        })
    })
    .await
    .map_err(|e| ServiceError::Corrupt(format!("thumbnail thread failed: {e}")))?
}

/// Stores output `position` of `task` with its thumbnail and checksum. Storing an
/// output that is already stored returns the existing record, so a step that is run
/// again after a crash does not duplicate files.
pub async fn store_output(
    state: &AppState,
    task: &generation_task::Model,
    position: u32,
    bytes: Bytes,
) -> Result<output_asset::Model, ServiceError> {
    if let Some(existing) = output_asset::Entity::find()
        .filter(output_asset::Column::TaskId.eq(task.id))
        .filter(output_asset::Column::Position.eq(position as i32))
        .one(&state.db)
        .await?
    {
        return Ok(existing);
    }
    let checksum = hex::encode(Sha256::digest(&bytes));
    let size = bytes.len() as i64;
    let inspected = inspect(bytes.clone()).await?;
    let base = format!("teams/{}/tasks/{}/{position}", task.team_id, task.id);
    let key = format!("{base}.{}", inspected.format);
    let thumbnail_key = format!("{base}.thumb.png");
    state.storage.put(&key, bytes).await?;
    state
        .storage
        .put(&thumbnail_key, inspected.thumbnail)
        .await?;
    Ok(output_asset::ActiveModel {
        id: Set(Uuid::now_v7()),
        task_id: Set(task.id),
        team_id: Set(task.team_id),
        position: Set(position as i32),
        download_status: Set(download_status::STORED.to_owned()),
        format: Set(inspected.format.to_owned()),
        width: Set(Some(inspected.width as i32)),
        height: Set(Some(inspected.height as i32)),
        byte_size: Set(Some(size)),
        checksum_sha256: Set(Some(checksum)),
        storage_key: Set(Some(key)),
        thumbnail_key: Set(Some(thumbnail_key)),
        upstream_url: Set(None),
        upstream_expires_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await?)
}
