//! Serves the built frontend. Paths that are not files get `index.html`, so that the
//! app's own routes (`/tasks/…`) survive a reload.

use std::path::Path;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::{MethodRouter, get_service};
use tower_http::services::{ServeDir, ServeFile};

pub(crate) fn service(dir: &Path) -> MethodRouter {
    let index = dir.join("index.html");
    if !index.exists() {
        tracing::warn!(dir = %dir.display(), "no built frontend; run `cargo xtask run` or `cargo xtask frontend`");
        return axum::routing::get(not_built);
    }
    get_service(
        ServeDir::new(dir)
            .precompressed_gzip()
            .fallback(ServeFile::new(index).precompressed_gzip()),
    )
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
