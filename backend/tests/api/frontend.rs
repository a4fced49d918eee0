//! How the built web app is served: content-hashed assets cached for good, `index.html`
//! revalidated, precompressed copies sent to browsers that accept them. A small build
//! laid out as `cargo xtask frontend` lays it out stands in for the real one.

use std::path::Path;

use crate::helpers::{Engine, TestApp};

const INDEX: &str = "<!doctype html><script type=module src=/assets/app-0123abcd.js></script>";
const SCRIPT: &str = "console.log('kiln');";

fn write_build(dir: &Path) {
    let assets = dir.join("assets");
    std::fs::create_dir_all(&assets).unwrap();
    std::fs::write(dir.join("index.html"), INDEX).unwrap();
    std::fs::write(dir.join("index.html.br"), b"index in brotli").unwrap();
    std::fs::write(dir.join("index.html.gz"), b"index in gzip").unwrap();
    std::fs::write(assets.join("app-0123abcd.js"), SCRIPT).unwrap();
    // Stand-ins for the compressed copies: what matters is which one is sent.
    std::fs::write(assets.join("app-0123abcd.js.br"), b"script in brotli").unwrap();
    std::fs::write(assets.join("app-0123abcd.js.gz"), b"script in gzip").unwrap();
    std::fs::write(assets.join("app-0123abcd_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
}

async fn get(app: &TestApp, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(app.url(path));
    if let Some(encodings) = accept_encoding {
        request = request.header("accept-encoding", encodings);
    }
    request.send().await.expect("the server answers")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_assets_are_immutable_and_the_page_is_revalidated() {
    let build = tempfile::tempdir().unwrap();
    write_build(build.path());
    let dir = build.path().to_path_buf();
    let app = TestApp::spawn_with(Engine::Sqlite, move |config| config.frontend_dir = dir).await;

    let script = get(&app, "/assets/app-0123abcd.js", None).await;
    assert_eq!(script.status(), 200);
    assert_eq!(
        header(&script, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(script.text().await.unwrap(), SCRIPT);

    let wasm = get(&app, "/assets/app-0123abcd_bg.wasm", None).await;
    assert_eq!(header(&wasm, "content-type"), Some("application/wasm"));
    assert_eq!(
        header(&wasm, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );

    for page in ["/", "/index.html", "/tasks/some-task"] {
        let response = get(&app, page, None).await;
        assert_eq!(response.status(), 200, "{page}");
        assert_eq!(
            header(&response, "cache-control"),
            Some("no-cache"),
            "{page}"
        );
        assert_eq!(response.text().await.unwrap(), INDEX, "{page}");
    }

    // An old build's asset is missing, and must not be remembered as missing.
    let gone = get(&app, "/assets/app-ffffffff.js", None).await;
    assert_eq!(gone.status(), 404);
    assert_eq!(header(&gone, "cache-control"), Some("no-cache"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precompressed_copies_go_to_browsers_that_accept_them() {
    let build = tempfile::tempdir().unwrap();
    write_build(build.path());
    let dir = build.path().to_path_buf();
    let app = TestApp::spawn_with(Engine::Sqlite, move |config| config.frontend_dir = dir).await;

    let brotli = get(&app, "/assets/app-0123abcd.js", Some("gzip, deflate, br")).await;
    assert_eq!(header(&brotli, "content-encoding"), Some("br"));
    assert_eq!(header(&brotli, "content-type"), Some("text/javascript"));
    assert_eq!(
        header(&brotli, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(brotli.text().await.unwrap(), "script in brotli");

    let gzip = get(&app, "/assets/app-0123abcd.js", Some("gzip")).await;
    assert_eq!(header(&gzip, "content-encoding"), Some("gzip"));
    assert_eq!(gzip.text().await.unwrap(), "script in gzip");

    let page = get(&app, "/tasks/some-task", Some("br")).await;
    assert_eq!(header(&page, "content-encoding"), Some("br"));
    assert_eq!(header(&page, "cache-control"), Some("no-cache"));

    let plain = get(&app, "/assets/app-0123abcd.js", None).await;
    assert_eq!(header(&plain, "content-encoding"), None);
    app.stop().await;
}
