//! Reference assets: uploads checked by content, kept in storage, used by tasks.

use bytes::Bytes;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Page, find_in_team, paginate};
use super::{ServiceError, asset, is_unique_violation};
use crate::auth::Viewer;
use crate::domain::campaign::optional_text;
use crate::domain::reference::{LicenceStatus, clean_filename, sniff};
use crate::domain::task::{MediaKind, ReferenceRef};
use crate::domain::{ErrorCode, FieldError};
use crate::entity::{reference_asset, task_reference_asset};
use crate::net::FetchError;
use crate::state::AppState;

pub(crate) struct NewReference<'a> {
    pub filename: &'a str,
    pub bytes: Bytes,
    pub licence_status: LicenceStatus,
    pub source: Option<&'a str>,
    pub licence_note: Option<&'a str>,
}

/// A reference to fetch from a link.
pub(crate) struct ImportReference<'a> {
    pub url: &'a str,
    pub licence_status: LicenceStatus,
    /// Defaults to the link itself.
    pub source: Option<&'a str>,
    pub licence_note: Option<&'a str>,
}

/// Fetches a reference from a link the user gives — through the SSRF guard, following
/// redirects only to permitted addresses, capped at the upload limit — and keeps it as
/// an upload. The link is recorded as its source unless another is given.
pub(crate) async fn import(
    state: &AppState,
    viewer: &Viewer,
    new: ImportReference<'_>,
) -> Result<reference_asset::Model, ServiceError> {
    if !viewer.roles.can_create() {
        return Err(ServiceError::Forbidden("only creators upload references"));
    }
    let url = super::check_url(&state.imports, "url", new.url).await?;
    let refused = |code, message: String| FieldError::new("url", code, message);
    let bytes = match state.imports.get_bytes(&url).await {
        Ok((status, body)) if status.is_success() => body,
        Ok((status, _)) => {
            return Err(refused(
                ErrorCode::Invalid,
                format!("The address answered HTTP {}, not a file.", status.as_u16()),
            )
            .into());
        }
        Err(FetchError::TooLarge { limit }) => {
            return Err(refused(
                ErrorCode::OutOfRange,
                format!("A reference has at most {} MB.", limit / (1024 * 1024)),
            )
            .into());
        }
        Err(FetchError::Refused(why)) => {
            return Err(refused(
                ErrorCode::Unsupported,
                format!("Kiln will not call this URL: {why}."),
            )
            .into());
        }
        Err(other) => {
            return Err(refused(
                ErrorCode::Invalid,
                format!("Kiln could not fetch this address: {other}."),
            )
            .into());
        }
    };
    let filename = filename_in(&url);
    let upload = NewReference {
        filename: &filename,
        bytes,
        licence_status: new.licence_status,
        source: Some(new.source.unwrap_or(&url)),
        licence_note: new.licence_note,
    };
    // What is wrong with the fetched file is wrong with the link.
    self::upload(state, viewer, upload)
        .await
        .map_err(|err| match err {
            ServiceError::Invalid(errors) => ServiceError::Invalid(
                errors
                    .into_iter()
                    .map(|mut e| {
                        if e.field == Some("file") {
                            e.field = Some("url");
                        }
                        e
                    })
                    .collect(),
            ),
            other => other,
        })
}

/// The last segment of a link's path, as a file name.
fn filename_in(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.path_segments()
                .and_then(|mut segments| segments.rfind(|s| !s.is_empty()).map(str::to_owned))
        })
        .unwrap_or_else(|| "reference".to_owned())
}

/// Stores an upload after checking what it is. The same file uploaded again by the same
/// team is the same reference.
pub(crate) async fn upload(
    state: &AppState,
    viewer: &Viewer,
    new: NewReference<'_>,
) -> Result<reference_asset::Model, ServiceError> {
    if !viewer.roles.can_create() {
        return Err(ServiceError::Forbidden("only creators upload references"));
    }
    if new.bytes.is_empty() {
        return Err(FieldError::new("file", ErrorCode::Required, "The file is empty.").into());
    }
    let limit = state.config.upload_limit_bytes;
    if new.bytes.len() > limit {
        return Err(FieldError::new(
            "file",
            ErrorCode::OutOfRange,
            format!("A reference has at most {} MB.", limit / (1024 * 1024)),
        )
        .into());
    }
    let sniffed = sniff(&new.bytes)?;
    let source = optional_text("source", new.source, 2_000)?;
    let licence_note = optional_text("licenceNote", new.licence_note, 4_000)?;
    let checksum = hex::encode(Sha256::digest(&new.bytes));
    if let Some(existing) = find_by_checksum(&state.db, viewer.team_id, &checksum).await? {
        return Ok(existing);
    }

    let (width, height, thumbnail) = match sniffed.kind {
        MediaKind::Image => {
            let inspected = asset::inspect(new.bytes.clone()).await.map_err(|_| {
                FieldError::new(
                    "file",
                    ErrorCode::Invalid,
                    "This image cannot be read; it may be damaged or too large.",
                )
            })?;
            (
                Some(inspected.width as i32),
                Some(inspected.height as i32),
                inspected.thumbnail,
            )
        }
        // Kiln does not decode video; the upstream does.
        MediaKind::Video => (None, None, None),
    };
    let id = Uuid::now_v7();
    let base = format!("teams/{}/references/{id}", viewer.team_id);
    let storage_key = format!("{base}.{}", sniffed.extension);
    state.storage.put(&storage_key, new.bytes.clone()).await?;
    let thumbnail_key = match thumbnail {
        Some(thumbnail) => Some(thumbnail.store(state, &base, &storage_key).await?),
        None => None,
    };
    let inserted = reference_asset::ActiveModel {
        id: Set(id),
        team_id: Set(viewer.team_id),
        uploaded_by: Set(viewer.user_id),
        kind: Set(sniffed.kind),
        mime: Set(sniffed.mime.to_owned()),
        filename: Set(clean_filename(new.filename)),
        byte_size: Set(new.bytes.len() as i64),
        checksum_sha256: Set(checksum.clone()),
        width: Set(width),
        height: Set(height),
        storage_key: Set(storage_key),
        thumbnail_key: Set(thumbnail_key),
        source: Set(source),
        licence_status: Set(new.licence_status),
        licence_note: Set(licence_note),
        created_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await;
    match inserted {
        Ok(model) => Ok(model),
        // The same file uploaded concurrently: the first one stands.
        Err(err) if is_unique_violation(&err) => {
            find_by_checksum(&state.db, viewer.team_id, &checksum)
                .await?
                .ok_or_else(|| {
                    ServiceError::Corrupt("reference checksum conflict without a row".into())
                })
        }
        Err(err) => Err(err.into()),
    }
}

async fn find_by_checksum(
    db: &DatabaseConnection,
    team_id: Uuid,
    checksum: &str,
) -> Result<Option<reference_asset::Model>, ServiceError> {
    Ok(reference_asset::Entity::find()
        .filter(reference_asset::Column::TeamId.eq(team_id))
        .filter(reference_asset::Column::ChecksumSha256.eq(checksum))
        .one(db)
        .await?)
}

pub(crate) async fn get(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<reference_asset::Model, ServiceError> {
    find_in_team::<reference_asset::Entity>(db, viewer.team_id, id).await
}

/// A reference by id alone, for requests that prove access with a signed link.
pub(crate) async fn get_unchecked(
    db: &DatabaseConnection,
    id: Uuid,
) -> Result<reference_asset::Model, ServiceError> {
    reference_asset::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub(crate) async fn list(
    db: &DatabaseConnection,
    viewer: &Viewer,
    first: u64,
    after: Option<Uuid>,
) -> Result<Page<reference_asset::Model>, ServiceError> {
    let query =
        reference_asset::Entity::find().filter(reference_asset::Column::TeamId.eq(viewer.team_id));
    paginate(db, query, reference_asset::Column::Id, first, after).await
}

/// The viewer's references `ids`, in the given order, as a task records them.
pub(crate) async fn resolve(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ids: &[Uuid],
) -> Result<Vec<ReferenceRef>, ServiceError> {
    let mut refs = Vec::with_capacity(ids.len());
    for id in ids {
        let found = find_in_team::<reference_asset::Entity>(db, viewer.team_id, *id)
            .await
            .map_err(|err| match err {
                ServiceError::NotFound => FieldError::new(
                    "referenceAssetIds",
                    ErrorCode::NotFound,
                    "A reference asset does not exist.",
                )
                .into(),
                other => other,
            })?;
        refs.push(ReferenceRef {
            id: found.id,
            kind: found.kind,
            checksum_sha256: found.checksum_sha256,
        });
    }
    Ok(refs)
}

/// The references a task started from, in order.
pub(crate) async fn of_task(
    db: &DatabaseConnection,
    task_id: Uuid,
) -> Result<Vec<reference_asset::Model>, ServiceError> {
    let links = task_reference_asset::Entity::find()
        .filter(task_reference_asset::Column::TaskId.eq(task_id))
        .order_by_asc(task_reference_asset::Column::Position)
        .all(db)
        .await?;
    let mut refs = Vec::with_capacity(links.len());
    for link in links {
        if let Some(found) = reference_asset::Entity::find_by_id(link.reference_asset_id)
            .one(db)
            .await?
        {
            refs.push(found);
        }
    }
    Ok(refs)
}

/// The stored bytes of a reference, for providers that upload them.
pub(crate) async fn bytes(
    state: &AppState,
    id: Uuid,
) -> Result<(reference_asset::Model, Bytes), ServiceError> {
    let found = reference_asset::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let bytes = state.storage.get_bytes(&found.storage_key).await?;
    Ok((found, bytes))
}
