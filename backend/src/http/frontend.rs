//! Serves the built frontend. Paths that are not files get `index.html`, so that the
//! app's own routes (`/tasks/…`) survive a reload.
//!
//! `cargo xtask frontend` names every script, module and stylesheet after its content
//! under `assets/`, so those are cached for a year without asking again
//! (`immutable`); `index.html`, which names the current ones, is revalidated on every
//! load (`no-cache`, answered `304` while unchanged). Files are sent brotli- or
//! gzip-compressed from the copies the build wrote beside them, when the browser
//! accepts that encoding.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Content-hashed files: a new build gives them new names.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else: the browser may keep it, but asks whether it changed.
const REVALIDATE: &str = "no-cache";

pub(crate) fn service(dir: &Path) -> Router {
    let index = dir.join("index.html");
    if !index.exists() {
        tracing::warn!(dir = %dir.display(), "no built frontend; run `cargo xtask run` or `cargo xtask frontend`");
        return Router::new().fallback(not_built);
    }
    let assets = ServeDir::new(dir.join("assets"))
        .precompressed_br()
        .precompressed_gzip();
    let pages = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(index)
                .precompressed_br()
                .precompressed_gzip(),
        );
    Router::new()
        .nest_service(
            "/assets",
            Router::new()
                .fallback_service(assets)
                .layer(axum::middleware::map_response(immutable_when_found)),
        )
        .fallback_service(pages)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static(REVALIDATE),
        ))
}

/// Marks a found asset immutable; a missing one (a stale page asking for an old build's
/// file) must not be cached as missing for a year.
async fn immutable_when_found(mut response: Response) -> Response {
    let value = if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

async fn not_built() -> impl IntoResponse {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(
            "<!doctype html><title>Kiln</title><h1>Kiln is running, but its web app is not built</h1>\
             <p>Build it with <code>cargo xtask frontend</code> (or start Kiln with \
             <code>cargo xtask run</code>), or point <code>KILN_FRONTEND_DIR</code> at a built copy. \
             The API is at <a href=\"/graphql\">/graphql</a>.</p>",
        ),
    )
}
