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
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{ServiceError, find_in_team};
use crate::auth::Viewer;
use crate::domain::task::DownloadStatus;
use crate::entity::{generation_task, output_asset};
use crate::state::AppState;

/// Longer side of a thumbnail, in pixels.
pub(crate) const THUMBNAIL_SIDE: u32 = 256;
/// Largest image Kiln decodes (to measure and thumbnail it), so that a hostile file
/// cannot exhaust memory.
const MAX_DECODE_PIXELS: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// A task's outputs in order.
pub(crate) async fn outputs_of(
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
pub(crate) async fn get(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<output_asset::Model, ServiceError> {
    find_in_team::<output_asset::Entity>(db, viewer.team_id, id).await
}

/// An output by id alone, for requests that prove access with a signed link.
pub(crate) async fn get_unchecked(
    db: &DatabaseConnection,
    id: Uuid,
) -> Result<output_asset::Model, ServiceError> {
    output_asset::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// What is known about a media file once it is inspected.
pub(crate) struct Inspected {
    /// File extension, e.g. `png`.
    pub format: &'static str,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub duration_ms: Option<u32>,
    /// A small PNG preview, when Kiln can decode the file.
    pub thumbnail: Option<Thumbnail>,
}

/// A file's preview.
pub(crate) enum Thumbnail {
    /// The file is a PNG no larger than a thumbnail: it is its own preview.
    Original,
    /// A PNG made from the file.
    Encoded(Bytes),
}

impl Thumbnail {
    /// Where the preview of the file stored at `key` is: the file itself, or a new
    /// `.thumb.png` beside it.
    pub(crate) async fn store(
        self,
        state: &AppState,
        base: &str,
        key: &str,
    ) -> Result<String, ServiceError> {
        match self {
            Thumbnail::Original => Ok(key.to_owned()),
            Thumbnail::Encoded(bytes) => {
                let key = format!("{base}.thumb.png");
                state.storage.put(&key, bytes).await?;
                Ok(key)
            }
        }
    }
}

fn corrupt(what: &str, err: impl std::fmt::Display) -> ServiceError {
    ServiceError::Corrupt(format!("{what}: {err}"))
}

/// Sniffs, measures and thumbnails an image (an animated GIF counts its frames' time).
/// Runs on a blocking thread: decoding and encoding are CPU work.
pub(crate) async fn inspect(bytes: Bytes) -> Result<Inspected, ServiceError> {
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
    let (width, height) = (image.width(), image.height());
    let fits = width <= THUMBNAIL_SIDE && height <= THUMBNAIL_SIDE;
    let thumbnail = if fits && format == "png" {
        Thumbnail::Original
    } else {
        // Never enlarged: a small picture is previewed at its own size.
        let small = if fits {
            image
        } else {
            image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
        };
        let mut png = Cursor::new(Vec::new());
        small
            .write_to(&mut png, ImageFormat::Png)
            .map_err(|e| corrupt("could not encode a thumbnail", e))?;
        Thumbnail::Encoded(Bytes::from(png.into_inner()))
    };
    Ok(Inspected {
        format,
        mime,
        width,
        height,
        duration_ms,
        thumbnail: Some(thumbnail),
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
        download_status: Set(DownloadStatus::Pending),
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
pub(crate) async fn record_link(
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

/// An output's file (and thumbnail) in storage, measured, not yet recorded.
pub(crate) struct KeptFile {
    position: u32,
    format: &'static str,
    mime: &'static str,
    width: u32,
    height: u32,
    duration_ms: Option<u32>,
    byte_size: i64,
    checksum_sha256: String,
    storage_key: String,
    thumbnail_key: Option<String>,
}

/// Puts the bytes of output `position` and its thumbnail into storage, with checksum and
/// measurements. The keys depend only on the task and position, so keeping a file again
/// (a step run again after a crash) overwrites rather than duplicates.
pub(crate) async fn keep_file(
    state: &AppState,
    task: &generation_task::Model,
    position: u32,
    bytes: Bytes,
) -> Result<KeptFile, ServiceError> {
    let checksum_sha256 = hex::encode(Sha256::digest(&bytes));
    let byte_size = bytes.len() as i64;
    let inspected = inspect(bytes.clone()).await?;
    let base = format!("teams/{}/tasks/{}/{position}", task.team_id, task.id);
    let storage_key = format!("{base}.{}", inspected.format);
    state.storage.put(&storage_key, bytes).await?;
    let thumbnail_key = match inspected.thumbnail {
        Some(thumbnail) => Some(thumbnail.store(state, &base, &storage_key).await?),
        None => None,
    };
    Ok(KeptFile {
        position,
        format: inspected.format,
        mime: inspected.mime,
        width: inspected.width,
        height: inspected.height,
        duration_ms: inspected.duration_ms,
        byte_size,
        checksum_sha256,
        storage_key,
        thumbnail_key,
    })
}

/// Records a kept file as output `position` of `task`, `STORED`, whether or not a row
/// for it (a link that was pending) exists.
pub(crate) async fn record_kept(
    db: &impl ConnectionTrait,
    task: &generation_task::Model,
    kept: KeptFile,
) -> Result<(), ServiceError> {
    let dimension = |v: u32| (v > 0).then_some(v as i32);
    let mut row = new_row(task, kept.position);
    row.download_status = Set(DownloadStatus::Stored);
    row.format = Set(kept.format.to_owned());
    row.mime = Set(Some(kept.mime.to_owned()));
    row.width = Set(dimension(kept.width));
    row.height = Set(dimension(kept.height));
    row.duration_ms = Set(kept.duration_ms.map(|d| d as i32));
    row.byte_size = Set(Some(kept.byte_size));
    row.checksum_sha256 = Set(Some(kept.checksum_sha256));
    row.storage_key = Set(Some(kept.storage_key));
    row.thumbnail_key = Set(kept.thumbnail_key);
    use output_asset::Column as C;
    output_asset::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([C::TaskId, C::Position])
                .update_columns([
                    C::DownloadStatus,
                    C::Format,
                    C::Mime,
                    C::Width,
                    C::Height,
                    C::DurationMs,
                    C::ByteSize,
                    C::ChecksumSha256,
                    C::StorageKey,
                    C::ThumbnailKey,
                    C::LastError,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Stores the bytes of output `position` and marks it `STORED`. Storing an output that
/// is stored already changes nothing.
pub(crate) async fn store_output(
    state: &AppState,
    task: &generation_task::Model,
    position: u32,
    bytes: Bytes,
) -> Result<(), ServiceError> {
    if find_output(&state.db, task.id, position)
        .await?
        .is_some_and(|existing| existing.download_status == DownloadStatus::Stored)
    {
        return Ok(());
    }
    let kept = keep_file(state, task, position, bytes).await?;
    record_kept(&state.db, task, kept).await
}

/// Outputs still to be fetched.
pub(crate) async fn pending_of(
    db: &DatabaseConnection,
    task_id: Uuid,
) -> Result<Vec<output_asset::Model>, ServiceError> {
    Ok(output_asset::Entity::find()
        .filter(output_asset::Column::TaskId.eq(task_id))
        .filter(output_asset::Column::DownloadStatus.eq(DownloadStatus::Pending))
        .order_by_asc(output_asset::Column::Position)
        .all(db)
        .await?)
}

/// Notes a failed download attempt; the output stays `PENDING` for the next one.
pub(crate) async fn note_attempt(
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
pub(crate) async fn give_up(
    db: &DatabaseConnection,
    output: &output_asset::Model,
    expired: bool,
    error: &str,
) -> Result<(), ServiceError> {
    let status = if expired {
        DownloadStatus::Expired
    } else {
        DownloadStatus::Failed
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

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Bytes {
        let image = image::DynamicImage::new_rgb8(width, height);
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        Bytes::from(out.into_inner())
    }

    fn preview_size(thumbnail: Option<Thumbnail>) -> (u32, u32) {
        let Some(Thumbnail::Encoded(bytes)) = thumbnail else {
            panic!("expected an encoded preview")
        };
        let preview = image::load_from_memory(&bytes).unwrap();
        (preview.width(), preview.height())
    }

    #[test]
    fn a_large_picture_is_previewed_within_the_thumbnail_side() {
        let inspected = inspect_blocking(&encoded(640, 320, ImageFormat::Png)).unwrap();
        assert_eq!((inspected.width, inspected.height), (640, 320));
        assert_eq!(preview_size(inspected.thumbnail), (256, 128));
    }

    #[test]
    fn a_small_png_is_its_own_preview() {
        let inspected = inspect_blocking(&encoded(16, 16, ImageFormat::Png)).unwrap();
        assert!(matches!(inspected.thumbnail, Some(Thumbnail::Original)));
    }

    #[test]
    fn a_small_picture_of_another_format_is_previewed_at_its_own_size() {
        let inspected = inspect_blocking(&encoded(40, 20, ImageFormat::Jpeg)).unwrap();
        assert_eq!(inspected.format, "jpg");
        assert_eq!(preview_size(inspected.thumbnail), (40, 20));
    }
}
