//! Output downloads. Access takes either a signed link from the API (what `<img src>`
//! uses) or an access token of a member of the asset's team; anything else looks like a
//! missing file.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{HttpState, bearer_token};
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
    if variant != "original" && variant != "thumbnail" {
        return not_found();
    }
    let db = &state.app.db;

    // Who may have it: anyone holding a valid signed link, or a member of its team.
    let viewer = match (
        link.expires,
        link.signature.as_deref(),
        bearer_token(&headers),
    ) {
        (Some(expires), Some(signature), _) => {
            if !state
                .app
                .tokens
                .verify_link(id, &variant, expires, signature)
            {
                return plain(
                    StatusCode::FORBIDDEN,
                    "This link is not valid or has expired; get a new one from the API.",
                );
            }
            None
        }
        (_, _, Some(token)) => match account::viewer_from_token(db, &state.app.tokens, token).await
        {
            Ok(viewer) => Some(viewer),
            Err(_) => {
                return plain(
                    StatusCode::UNAUTHORIZED,
                    "The access token is not valid; sign in again.",
                );
            }
        },
        _ => {
            return plain(
                StatusCode::UNAUTHORIZED,
                "Sign in, or use a signed link from the API.",
            );
        }
    };
    let found = match &viewer {
        Some(viewer) => asset::get(db, viewer, id).await,
        None => asset::get_unchecked(db, id).await,
    };
    // An output, or else a reference asset.
    let (key, content_type, filename) = match found {
        Ok(output) => match variant.as_str() {
            "thumbnail" => (
                output.thumbnail_key.clone(),
                "image/png".to_owned(),
                format!("kiln-{}-{}-thumbnail.png", output.task_id, output.position),
            ),
            _ => (
                output.storage_key.clone(),
                output
                    .mime
                    .clone()
                    .unwrap_or_else(|| content_type_of(&output.format).to_owned()),
                format!(
                    "kiln-{}-{}.{}",
                    output.task_id, output.position, output.format
                ),
            ),
        },
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
                        format!("reference-{}-thumbnail.png", reference.id),
                    ),
                    _ => (
                        Some(reference.storage_key.clone()),
                        reference.mime.clone(),
                        reference.filename.clone(),
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
    let filename: String = filename
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .filter(|c| *c != '"')
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
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
