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
use crate::service::{ServiceError, account, asset};
use crate::storage::StorageError;

#[derive(Deserialize)]
pub struct LinkParams {
    expires: Option<i64>,
    signature: Option<String>,
}

fn plain(status: StatusCode, message: &'static str) -> Response {
    (status, message).into_response()
}

pub async fn download(
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

    let found = match (
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
            asset::get_unchecked(db, id).await
        }
        (_, _, Some(token)) => match account::viewer_from_token(db, &state.app.tokens, token).await
        {
            Ok(viewer) => asset::get(db, &viewer, id).await,
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
    let output = match found {
        Ok(output) => output,
        Err(ServiceError::NotFound) => return not_found(),
        Err(err) => {
            tracing::error!(error = %err, "could not look up a download");
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on the server.",
            );
        }
    };

    let (key, content_type, filename) = match variant.as_str() {
        "thumbnail" => (
            output.thumbnail_key.clone(),
            "image/png".to_owned(),
            format!("kiln-{}-{}-thumbnail.png", output.task_id, output.position),
        ),
        _ => (
            output.storage_key.clone(),
            content_type_of(&output.format).to_owned(),
            format!(
                "kiln-{}-{}.{}",
                output.task_id, output.position, output.format
            ),
        ),
    };
    let Some(key) = key else {
        return plain(StatusCode::CONFLICT, "This output has not been stored yet.");
    };
    let file = match state.app.storage.get(&key).await {
        Ok(file) => file,
        Err(StorageError::NotFound(_)) => {
            tracing::error!(asset_id = %output.id, key, "a stored output is missing from storage");
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
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
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
