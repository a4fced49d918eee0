//! `cargo xtask frontend`: the web app as the backend serves it, small and cacheable.
//!
//! 1. The Leptos crate for wasm32 in the `release-wasm` profile (`opt-level = "z"`,
//!    LTO, one codegen unit, `panic = "abort"`), then wasm-bindgen's JavaScript glue.
//! 2. `wasm-opt -Oz` from binaryen's npm package (`frontend/package.json`; Debian's
//!    wasm-opt 108 writes modules Chromium refuses, see TOOLCHAIN).
//! 3. Content-hashed names under `assets/` (`kiln_frontend-<hash>.js`,
//!    `kiln_frontend_bg-<hash>.wasm`, `style-<hash>.css`), which the backend serves as
//!    immutable; `index.html`, which names them, is revalidated on every load.
//! 4. A brotli (`.br`) and a gzip (`.gz`) copy beside every text and wasm file, which
//!    the backend sends to browsers that accept them.
//! 5. The sizes, printed (`cargo xtask bench` prints them too; see BENCHMARKS.md).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

use crate::tools::{self, cargo, command, run};

/// The profile the served app is built with (see the workspace's `Cargo.toml`).
const PROFILE: &str = "release-wasm";

/// What the build wrote, for the size report.
pub struct Sizes {
    pub wasm_raw: u64,
    pub wasm_gzip: u64,
    pub wasm_brotli: u64,
    /// Everything a first visit transfers with brotli: HTML, CSS, JS and wasm.
    pub total_brotli: u64,
    pub total_gzip: u64,
}

/// Builds the web app into `frontend/dist` and prints its sizes.
pub fn build(root: &Path) -> Result<Sizes> {
    let started = Instant::now();
    tools::ensure_wasm_target()?;
    let wasm_bindgen = tools::ensure_wasm_bindgen(root)?;
    run(cargo().args([
        "build",
        "-p",
        "kiln-frontend",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        PROFILE,
    ]))?;
    let dist = root.join("frontend/dist");
    let wasm = tools::target_dir(root).join(format!(
        "wasm32-unknown-unknown/{PROFILE}/kiln_frontend.wasm"
    ));
    // wasm-opt and brotli take over a minute: skip them when nothing they read changed.
    let key = build_key(root, &wasm)?;
    let key_file = tools::target_dir(root).join("web-build-key");
    if dist.join("index.html").exists() && fs::read_to_string(&key_file).ok() == Some(key.clone()) {
        let sizes = measure_built(&dist)?;
        report(&sizes, started, " (unchanged)");
        return Ok(sizes);
    }
    // A build that stops half-way must not pass for a finished one next time.
    let _ = fs::remove_file(&key_file);
    if dist.exists() {
        fs::remove_dir_all(&dist).with_context(|| format!("clearing {}", dist.display()))?;
    }
    let staging = dist.join(".bindgen");
    fs::create_dir_all(&staging)?;
    run(command(&wasm_bindgen)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&staging)
        .arg(&wasm))?;
    if staging.join("snippets").exists() {
        // The glue would import them by relative paths that hashing does not rewrite.
        bail!("wasm-bindgen wrote JavaScript snippets; teach xtask/src/web.rs to hash them");
    }
    let bg = staging.join("kiln_frontend_bg.wasm");
    optimise(root, &bg)?;

    let assets = dist.join("assets");
    fs::create_dir_all(&assets)?;
    let js = hashed_copy(&staging.join("kiln_frontend.js"), &assets)?;
    let wasm = hashed_copy(&bg, &assets)?;
    let css = hashed_copy(&root.join("frontend/static/style.css"), &assets)?;
    fs::remove_dir_all(&staging)?;

    let template = fs::read_to_string(root.join("frontend/static/index.html"))
        .context("reading frontend/static/index.html")?;
    let mut index = template;
    for (placeholder, name) in [
        ("{{style.css}}", &css),
        ("{{kiln_frontend.js}}", &js),
        ("{{kiln_frontend_bg.wasm}}", &wasm),
    ] {
        if !index.contains(placeholder) {
            bail!("frontend/static/index.html no longer names {placeholder}");
        }
        index = index.replace(placeholder, &format!("/assets/{name}"));
    }
    fs::write(dist.join("index.html"), index)?;

    compress_tree(&dist)?;
    let sizes = measure(&dist, &[&js, &wasm, &css])?;
    fs::write(&key_file, key)?;
    report(&sizes, started, "");
    Ok(sizes)
}

fn report(sizes: &Sizes, started: Instant, note: &str) {
    println!(
        "xtask: web app built into frontend/dist{note} in {:.0?}: wasm {} raw, {} gzip, {} brotli; \
         a first visit transfers {} (brotli) or {} (gzip)",
        started.elapsed(),
        kib(sizes.wasm_raw),
        kib(sizes.wasm_gzip),
        kib(sizes.wasm_brotli),
        kib(sizes.total_brotli),
        kib(sizes.total_gzip),
    );
}

/// What the steps after the crate build read: the module, the page template, the
/// stylesheet, binaryen's pinned version, and the steps themselves ([`STEPS_VERSION`]).
fn build_key(root: &Path, wasm: &Path) -> Result<String> {
    let mut hash = Sha256::new();
    hash.update(STEPS_VERSION.as_bytes());
    for file in [
        wasm.to_path_buf(),
        root.join("frontend/static/index.html"),
        root.join("frontend/static/style.css"),
        root.join("frontend/package-lock.json"),
    ] {
        hash.update(fs::read(&file).with_context(|| format!("reading {}", file.display()))?);
    }
    Ok(hex(&hash.finalize()))
}

/// Change it when the steps after the crate build change, so the next build redoes them.
const STEPS_VERSION: &str = "1";

/// The sizes of an existing build (its names are hashed, so found by extension).
fn measure_built(dist: &Path) -> Result<Sizes> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dist.join("assets"))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if [".js", ".wasm", ".css"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            names.push(name);
        }
    }
    measure(dist, &names.iter().collect::<Vec<_>>())
}

fn kib(bytes: u64) -> String {
    format!("{:.0} KiB", bytes as f64 / 1024.0)
}

/// `wasm-opt -Oz` in place, from binaryen's npm package. Without npm the module stays
/// as rustc left it (about twice the size), with a warning.
fn optimise(root: &Path, wasm: &Path) -> Result<()> {
    let tools_dir = root.join("frontend");
    if tools::ensure_npm_packages(&tools_dir).is_err() {
        println!(
            "xtask: WARNING: npm could not install binaryen (frontend/package.json); \
             the web app is served without wasm-opt, about twice as large"
        );
        return Ok(());
    }
    let started = Instant::now();
    let before = fs::metadata(wasm)?.len();
    let optimised = wasm.with_extension("opt.wasm");
    run(command(tools_dir.join("node_modules/.bin/wasm-opt"))
        .arg(wasm)
        .arg("-o")
        .arg(&optimised)
        // The features rustc's wasm32 target emits by default; wasm-opt must accept
        // them in the input and may keep using them.
        .args([
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
        ]))?;
    fs::rename(&optimised, wasm)?;
    println!(
        "xtask: wasm-opt -Oz: {} → {} in {:.0?}",
        kib(before),
        kib(fs::metadata(wasm)?.len()),
        started.elapsed()
    );
    Ok(())
}

/// Copies `file` into `dir` as `<stem>-<first 16 hex digits of its SHA-256>.<ext>`;
/// the new name.
fn hashed_copy(file: &Path, dir: &Path) -> Result<String> {
    let bytes = fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let hash = hex(&Sha256::digest(&bytes)[..8]);
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .context("a file name")?;
    let ext = file
        .extension()
        .and_then(|s| s.to_str())
        .context("an extension")?;
    let name = format!("{stem}-{hash}.{ext}");
    fs::write(dir.join(&name), bytes)?;
    Ok(name)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("wasm" | "js" | "css" | "html" | "svg" | "json")
    )
}

/// Writes a `.br` (brotli, best quality) and a `.gz` (gzip, best) beside every text and
/// wasm file.
fn compress_tree(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            compress_tree(&path)?;
            continue;
        }
        if !compressible(&path) {
            continue;
        }
        let bytes = fs::read(&path)?;
        fs::write(with_suffix(&path, "gz"), gzip(&bytes)?)?;
        fs::write(with_suffix(&path, "br"), brotli(&bytes)?)?;
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

/// Sizes of the wasm module and of everything a first visit loads.
fn measure(dist: &Path, assets: &[&String]) -> Result<Sizes> {
    let size = |path: PathBuf| -> Result<u64> {
        Ok(fs::metadata(&path)
            .with_context(|| format!("measuring {}", path.display()))?
            .len())
    };
    let wasm = assets
        .iter()
        .find(|a| a.ends_with(".wasm"))
        .context("a wasm module")?;
    let wasm = dist.join("assets").join(wasm);
    let mut files: Vec<PathBuf> = assets.iter().map(|a| dist.join("assets").join(a)).collect();
    files.push(dist.join("index.html"));
    let mut total_gzip = 0;
    let mut total_brotli = 0;
    for file in &files {
        total_gzip += size(with_suffix(file, "gz"))?;
        total_brotli += size(with_suffix(file, "br"))?;
    }
    Ok(Sizes {
        wasm_raw: size(wasm.clone())?,
        wasm_gzip: size(with_suffix(&wasm, "gz"))?,
        wasm_brotli: size(with_suffix(&wasm, "br"))?,
        total_gzip,
        total_brotli,
    })
}
