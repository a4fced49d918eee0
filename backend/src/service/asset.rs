//! Output assets: keeping what a task produced, and finding it again for a download.
//!
//! Outputs are recorded as soon as the upstream has finished: bytes that came with the
//! answer are stored at once, links are recorded as `PENDING` and fetched afterwards (and
//! again after a failure) without ever asking the upstream to generate anew.

use std::io::Cursor;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use image::codecs::gif::GifDecoder;
use image::{AnimationDecoder, ImageFormat, ImageReader, Limits};
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
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
/// Largest image Kiln decodes (to measure and thumbnail it), so that a hostile file
/// cannot exhaust memory.
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

/// What is known about a media file once it is inspected.
pub struct Inspected {
    /// File extension, e.g. `png`.
    pub format: &'static str,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub duration_ms: Option<u32>,
    /// A small PNG preview, when Kiln can decode the file.
    pub thumbnail: Option<Bytes>,
}

fn corrupt(what: &str, err: impl std::fmt::Display) -> ServiceError {
    ServiceError::Corrupt(format!("{what}: {err}"))
}

/// Sniffs, measures and thumbnails an image (an animated GIF counts its frames' time).
/// Runs on a blocking thread: decoding and encoding are CPU work.
pub async fn inspect(bytes: Bytes) -> Result<Inspected, ServiceError> {
    tokio::task::spawn_blocking(move || inspect_blocking(&bytes))
        .await
        .map_err(|e| corrupt("inspection thread failed", e))?
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODE_PIXELS);
    limits.max_image_height = Some(MAX_DECODE_PIXELS);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

fn inspect_blocking(bytes: &[u8]) -> Result<Inspected, ServiceError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| corrupt("unreadable output", e))?;
    let (format, mime) = match reader.format() {
        Some(ImageFormat::Png) => ("png", "image/png"),
        Some(ImageFormat::Jpeg) => ("jpg", "image/jpeg"),
        Some(ImageFormat::WebP) => ("webp", "image/webp"),
        Some(ImageFormat::Gif) => ("gif", "image/gif"),
        _ => {
            return match infer::get(bytes).map(|t| t.mime_type()) {
                Some("video/mp4") => Ok(opaque("mp4", "video/mp4")),
                Some("video/webm") => Ok(opaque("webm", "video/webm")),
                Some("video/quicktime") => Ok(opaque("mov", "video/quicktime")),
                other => Err(corrupt(
                    "output is not a file Kiln can read",
                    other.unwrap_or("unknown type"),
                )),
            };
        }
    };
    let duration_ms = if format == "gif" {
        gif_duration_ms(bytes)
    } else {
        None
    };
    reader.limits(limits());
    let image = reader
        .decode()
        .map_err(|e| corrupt("undecodable output", e))?;
    let mut thumbnail = Cursor::new(Vec::new());
    image
        .thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
        .write_to(&mut thumbnail, ImageFormat::Png)
        .map_err(|e| corrupt("could not encode a thumbnail", e))?;
    Ok(Inspected {
        format,
        mime,
        width: image.width(),
        height: image.height(),
        duration_ms,
        thumbnail: Some(Bytes::from(thumbnail.into_inner())),
    })
}

/// A video Kiln keeps but does not decode.
fn opaque(format: &'static str, mime: &'static str) -> Inspected {
    Inspected {
        format,
        mime,
        width: 0,
        height: 0,
        duration_ms: None,
        thumbnail: None,
    }
}

/// Total display time of an animated GIF; `None` for a still one.
fn gif_duration_ms(bytes: &[u8]) -> Option<u32> {
    let decoder = GifDecoder::new(Cursor::new(bytes)).ok()?;
    let mut total = 0u32;
    let mut frames = 0u32;
    for frame in decoder.into_frames() {
        let frame = frame.ok()?;
        let (numer, denom) = frame.delay().numer_denom_ms();
        total = total.saturating_add(numer / Ord::max(denom, 1));
        frames += 1;
    }
    (frames > 1).then_some(total)
}

/// The output at `position` of `task`, if it is recorded.
async fn find_output(
    db: &DatabaseConnection,
    task_id: Uuid,
    position: u32,
) -> Result<Option<output_asset::Model>, ServiceError> {
    Ok(output_asset::Entity::find()
        .filter(output_asset::Column::TaskId.eq(task_id))
        .filter(output_asset::Column::Position.eq(position as i32))
        .one(db)
        .await?)
}

fn new_row(task: &generation_task::Model, position: u32) -> output_asset::ActiveModel {
    output_asset::ActiveModel {
        id: Set(Uuid::now_v7()),
        task_id: Set(task.id),
        team_id: Set(task.team_id),
        position: Set(position as i32),
        download_status: Set(download_status::PENDING.to_owned()),
        format: Set(String::new()),
        width: Set(None),
        height: Set(None),
        duration_ms: Set(None),
        mime: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        byte_size: Set(None),
        checksum_sha256: Set(None),
        storage_key: Set(None),
        thumbnail_key: Set(None),
        upstream_url: Set(None),
        upstream_expires_at: Set(None),
        created_at: Set(Utc::now()),
    }
}

/// Records that output `position` is to be fetched from `url`. Recording it again
/// changes nothing.
pub async fn record_link(
    state: &AppState,
    task: &generation_task::Model,
    position: u32,
    url: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<output_asset::Model, ServiceError> {
    if let Some(existing) = find_output(&state.db, task.id, position).await? {
        return Ok(existing);
    }
    let mut row = new_row(task, position);
    row.upstream_url = Set(Some(url.to_owned()));
    row.upstream_expires_at = Set(expires_at);
    Ok(row.insert(&state.db).await?)
}

/// Stores the bytes of output `position` with checksum, measurements and thumbnail, and
/// marks it `STORED`. Storing an output that is stored already changes nothing, so a
/// step run again after a crash does not duplicate files.
pub async fn store_output(
    state: &AppState,
    task: &generation_task::Model,
    position: u32,
    bytes: Bytes,
) -> Result<output_asset::Model, ServiceError> {
    let existing = find_output(&state.db, task.id, position).await?;
    if let Some(existing) = &existing
        && existing.download_status == download_status::STORED
    {
        return Ok(existing.clone());
    }
    let checksum = hex::encode(Sha256::digest(&bytes));
    let size = bytes.len() as i64;
    let inspected = inspect(bytes.clone()).await?;
    let base = format!("teams/{}/tasks/{}/{position}", task.team_id, task.id);
    let key = format!("{base}.{}", inspected.format);
    state.storage.put(&key, bytes).await?;
    let thumbnail_key = match inspected.thumbnail {
        Some(thumbnail) => {
            let key = format!("{base}.thumb.png");
            state.storage.put(&key, thumbnail).await?;
            Some(key)
        }
        None => None,
    };
    let is_new = existing.is_none();
    let mut row: output_asset::ActiveModel = match existing {
        Some(existing) => existing.into(),
        None => new_row(task, position),
    };
    let dimension = |v: u32| (v > 0).then_some(v as i32);
    row.download_status = Set(download_status::STORED.to_owned());
    row.format = Set(inspected.format.to_owned());
    row.mime = Set(Some(inspected.mime.to_owned()));
    row.width = Set(dimension(inspected.width));
    row.height = Set(dimension(inspected.height));
    row.duration_ms = Set(inspected.duration_ms.map(|d| d as i32));
    row.byte_size = Set(Some(size));
    row.checksum_sha256 = Set(Some(checksum));
    row.storage_key = Set(Some(key));
    row.thumbnail_key = Set(thumbnail_key);
    row.last_error = Set(None);
    Ok(if is_new {
        row.insert(&state.db).await?
    } else {
        row.update(&state.db).await?
    })
}

/// Outputs still to be fetched.
pub async fn pending_of(
    db: &DatabaseConnection,
    task_id: Uuid,
) -> Result<Vec<output_asset::Model>, ServiceError> {
    Ok(output_asset::Entity::find()
        .filter(output_asset::Column::TaskId.eq(task_id))
        .filter(output_asset::Column::DownloadStatus.eq(download_status::PENDING))
        .order_by_asc(output_asset::Column::Position)
        .all(db)
        .await?)
}

/// Notes a failed download attempt; the output stays `PENDING` for the next one.
pub async fn note_attempt(
    db: &DatabaseConnection,
    output: &output_asset::Model,
    error: &str,
) -> Result<(), ServiceError> {
    output_asset::Entity::update_many()
        .col_expr(
            output_asset::Column::Attempts,
            Expr::col(output_asset::Column::Attempts).add(1),
        )
        .col_expr(output_asset::Column::LastError, Expr::value(error))
        .filter(output_asset::Column::Id.eq(output.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives up on an output: its link expired (`EXPIRED`) or is gone for good (`FAILED`).
pub async fn give_up(
    db: &DatabaseConnection,
    output: &output_asset::Model,
    expired: bool,
    error: &str,
) -> Result<(), ServiceError> {
    let status = if expired {
        download_status::EXPIRED
    } else {
        download_status::FAILED
    };
    output_asset::Entity::update_many()
        .col_expr(output_asset::Column::DownloadStatus, Expr::value(status))
        .col_expr(
            output_asset::Column::Attempts,
            Expr::col(output_asset::Column::Attempts).add(1),
        )
        .col_expr(output_asset::Column::LastError, Expr::value(error))
        .filter(output_asset::Column::Id.eq(output.id))
        .exec(db)
        .await?;
    Ok(())
}
