//! Output downloads. Access takes either a signed link from the API (what `<img src>`
//! uses) or an access token of a member of the asset's team; anything else looks like a
//! missing file.
//!
//! Variants: `original` (shown inline), `download` (the same bytes as an attachment),
//! `thumbnail`; and a task's outputs as one ZIP (`/files/tasks/{id}/zip`). Files are
//! named after the task's campaign, brief, stage and position
//! (`service::download`), sent both as an ASCII `filename` and an RFC 5987 UTF-8
//! `filename*`.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{HttpState, bearer_token};
use crate::auth::Viewer;
use crate::service::download::{self, BundleError, ZIP_VARIANT};
use crate::service::{ServiceError, account, asset, reference};
use crate::storage::StorageError;

#[derive(Deserialize)]
pub(crate) struct LinkParams {
    expires: Option<i64>,
    signature: Option<String>,
}

fn plain(status: StatusCode, message: &'static str) -> Response {
    (status, message).into_response()
}

pub(crate) async fn download(
    State(state): State<HttpState>,
    Path((id, variant)): Path<(String, String)>,
    Query(link): Query<LinkParams>,
    headers: HeaderMap,
) -> Response {
    let not_found = || plain(StatusCode::NOT_FOUND, "No such file.");
    let Ok(id) = Uuid::parse_str(&id) else {
        return not_found();
    };
    if !matches!(variant.as_str(), "original" | "download" | "thumbnail") {
        return not_found();
    }
    let db = &state.app.db;
    let viewer = match who(&state, id, &variant, &link, &headers).await {
        Ok(viewer) => viewer,
        Err(refused) => return refused,
    };
    let found = match &viewer {
        Some(viewer) => asset::get(db, viewer, id).await,
        None => asset::get_unchecked(db, id).await,
    };
    // An output, or else a reference asset.
    let (key, content_type, filename) = match found {
        Ok(output) => {
            let (name, ascii) = match download::output_names(db, &output).await {
                Ok(names) => names,
                Err(err) => return lookup_failed(err),
            };
            match variant.as_str() {
                "thumbnail" => (
                    output.thumbnail_key.clone(),
                    "image/png".to_owned(),
                    FileName::new(
                        format!("{}-thumbnail.png", stem(&name)),
                        format!("{}-thumbnail.png", stem(&ascii)),
                    ),
                ),
                _ => (
                    output.storage_key.clone(),
                    output
                        .mime
                        .clone()
                        .unwrap_or_else(|| content_type_of(&output.format).to_owned()),
                    FileName::new(name, ascii),
                ),
            }
        }
        Err(ServiceError::NotFound) => {
            let found = match &viewer {
                Some(viewer) => reference::get(db, viewer, id).await,
                None => reference::get_unchecked(db, id).await,
            };
            match found {
                Ok(reference) => match variant.as_str() {
                    "thumbnail" => (
                        reference.thumbnail_key.clone(),
                        "image/png".to_owned(),
                        FileName::ascii(format!("reference-{}-thumbnail.png", reference.id)),
                    ),
                    _ => (
                        Some(reference.storage_key.clone()),
                        reference.mime.clone(),
                        FileName::new(
                            reference.filename.clone(),
                            format!("reference-{}", reference.id),
                        ),
                    ),
                },
                Err(ServiceError::NotFound) => return not_found(),
                Err(err) => return lookup_failed(err),
            }
        }
        Err(err) => return lookup_failed(err),
    };
    let Some(key) = key else {
        return plain(StatusCode::CONFLICT, "This file has not been stored (yet).");
    };
    let file = match state.app.storage.get(&key).await {
        Ok(file) => file,
        Err(StorageError::NotFound(_)) => {
            tracing::error!(%id, key, "a stored file is missing from storage");
            return not_found();
        }
        Err(err) => {
            tracing::error!(error = %err, "could not read a stored output");
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on the server.",
            );
        }
    };

    let mut response = Body::from_stream(file.stream).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(file.size));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    let disposition = if variant == "download" {
        Disposition::Attachment
    } else {
        Disposition::Inline
    };
    if let Some(value) = filename.header(disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Who asks: `None` for a valid signed link to `subject`'s `variant`, the viewer for an
/// access token of a team member; or the answer that refuses the request.
async fn who(
    state: &HttpState,
    subject: Uuid,
    variant: &str,
    link: &LinkParams,
    headers: &HeaderMap,
) -> Result<Option<Viewer>, Response> {
    match (
        link.expires,
        link.signature.as_deref(),
        bearer_token(headers),
    ) {
        (Some(expires), Some(signature), _) => {
            if state
                .app
                .tokens
                .verify_link(subject, variant, expires, signature)
            {
                Ok(None)
            } else {
                Err(plain(
                    StatusCode::FORBIDDEN,
                    "This link is not valid or has expired; get a new one from the API.",
                ))
            }
        }
        (_, _, Some(token)) => {
            match account::viewer_from_token(&state.app.db, &state.app.tokens, token).await {
                Ok(viewer) => Ok(Some(viewer)),
                Err(_) => Err(plain(
                    StatusCode::UNAUTHORIZED,
                    "The access token is not valid; sign in again.",
                )),
            }
        }
        _ => Err(plain(
            StatusCode::UNAUTHORIZED,
            "Sign in, or use a signed link from the API.",
        )),
    }
}

/// `GET /files/tasks/{id}/zip`: every stored output of a task in one ZIP, its entries
/// named as the files download one by one. The same proofs as a single file: a signed
/// link (the task's `zip` variant) or a team member's token.
pub(crate) async fn task_zip(
    State(state): State<HttpState>,
    Path(id): Path<String>,
    Query(link): Query<LinkParams>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return plain(StatusCode::NOT_FOUND, "No such file.");
    };
    let viewer = match who(&state, id, ZIP_VARIANT, &link, &headers).await {
        Ok(viewer) => viewer,
        Err(refused) => return refused,
    };
    let bundle = match &viewer {
        Some(viewer) => download::bundle_for(&state.app, viewer, id).await,
        None => download::bundle_unchecked(&state.app, id).await,
    };
    let bundle = match bundle {
        Ok(bundle) => bundle,
        Err(BundleError::Service(ServiceError::NotFound)) => {
            return plain(StatusCode::NOT_FOUND, "No such file.");
        }
        Err(BundleError::Empty) => {
            return plain(
                StatusCode::CONFLICT,
                "This task has no stored outputs (yet).",
            );
        }
        Err(BundleError::TooLarge) => {
            return plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "These outputs are too large for one ZIP; download them one by one.",
            );
        }
        Err(BundleError::Service(err)) => return lookup_failed(err),
    };
    let mut response = Body::from(bundle.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Some(value) =
        FileName::new(bundle.name, bundle.ascii_name).header(Disposition::Attachment)
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A name without its extension.
fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

#[derive(Clone, Copy)]
enum Disposition {
    /// Shown in the browser (pictures in `<img>`, a file opened in a tab).
    Inline,
    /// Saved to disk.
    Attachment,
}

/// A file's name for `Content-Disposition`: UTF-8, and an ASCII fallback for clients
/// that do not read RFC 5987's `filename*`.
struct FileName {
    utf8: String,
    ascii: String,
}

/// What RFC 5987 `attr-char` allows unencoded: letters, digits and `!#$&+-.^_`|~`.
const NOT_ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

impl FileName {
    fn new(utf8: String, ascii: String) -> Self {
        Self { utf8, ascii }
    }

    fn ascii(name: String) -> Self {
        Self::new(name.clone(), name)
    }

    fn header(&self, disposition: Disposition) -> Option<HeaderValue> {
        let kind = match disposition {
            Disposition::Inline => "inline",
            Disposition::Attachment => "attachment",
        };
        // Only printable ASCII without quotes or backslashes inside the quoted string.
        let ascii: String = self
            .ascii
            .chars()
            .filter(|c| (c.is_ascii_graphic() || *c == ' ') && *c != '"' && *c != '\\')
            .collect();
        let utf8: String = self.utf8.chars().filter(|c| !c.is_control()).collect();
        let encoded = utf8_percent_encode(&utf8, NOT_ATTR_CHAR);
        HeaderValue::from_str(&format!(
            "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
        ))
        .ok()
    }
}

fn lookup_failed(err: ServiceError) -> Response {
    tracing::error!(error = %err, "could not look up a download");
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on the server.",
    )
}

fn content_type_of(format: &str) -> &'static str {
    match format {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}
