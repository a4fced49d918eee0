//! Kiln's task runner, in Rust so that a fresh machine needs nothing but cargo and npm.
//!
//! - `cargo xtask run`: builds the web app and starts Kiln on http://127.0.0.1:8080 with
//!   an embedded SQLite file and the simulated provider.
//! - `cargo xtask test`: everything CI checks — formatting, lints, unit and integration
//!   tests on SQLite and PostgreSQL, the schema drift check, the web app build, and the
//!   browser tests.
//! - `cargo xtask frontend`: builds the web app into `frontend/dist` (size-optimised,
//!   content-hashed, precompressed; see [`web`]).
//! - `cargo xtask schema`: rewrites `schema.graphql` from the code.
//! - `cargo xtask bench`: the web app's size, and the lifecycle benchmark (release
//!   build) on SQLite and, when one answers, PostgreSQL; see `BENCHMARKS.md`.
//!
//! Each step installs what it is missing (the wasm32 target, the wasm-bindgen CLI that
//! matches `Cargo.lock`, Debian's Chromium, the e2e npm packages, binaryen's npm
//! package for wasm-opt) and never downloads a browser.

mod tools;
mod web;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use tools::{cargo, command, run};

#[derive(Parser)]
#[command(about = "Kiln's task runner")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build the web app and start Kiln (SQLite + simulated provider by default).
    Run {
        /// Build the backend with optimisations (slower to build, faster to run).
        #[arg(long)]
        release: bool,
    },
    /// Run every check CI runs.
    Test {
        /// Skip the browser tests.
        #[arg(long)]
        no_browser: bool,
        /// Skip rustfmt and clippy.
        #[arg(long)]
        no_lint: bool,
    },
    /// Build the web app into frontend/dist.
    Frontend,
    /// Regenerate schema.graphql from the code.
    Schema,
    /// Measure task lifecycles per second and subscription push latency (release build).
    Bench,
}

fn main() -> Result<()> {
    let root = workspace_root()?;
    std::env::set_current_dir(&root)?;
    match Cli::parse().command {
        Task::Run { release } => run_kiln(&root, release),
        Task::Test {
            no_browser,
            no_lint,
        } => test(&root, !no_browser, !no_lint),
        Task::Frontend => build_frontend(&root),
        Task::Schema => {
            run(cargo().args([
                "run",
                "--quiet",
                "-p",
                "kiln",
                "--",
                "print-schema",
                "--out",
                "schema.graphql",
            ]))?;
            println!("wrote schema.graphql");
            Ok(())
        }
        Task::Bench => bench(&root),
    }
}

fn workspace_root() -> Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(Path::to_path_buf)
        .context("xtask lives inside the workspace")
}

fn run_kiln(root: &Path, release: bool) -> Result<()> {
    build_frontend(root)?;
    let mut kiln = if release {
        let mut build = cargo();
        build.args(["build", "-p", "kiln", "--release"]);
        run(&mut build)?;
        command(tools::target_dir(root).join("release/kiln"))
    } else {
        // Lint as `cargo xtask test` does, so that after it nothing is compiled again.
        run(backend_build(tools::has_clippy()).args(["--all-targets", "--no-run"]))?;
        command(tools::target_dir(root).join("debug/kiln"))
    };
    kiln.arg("serve");
    if std::env::var_os("KILN_FRONTEND_DIR").is_none() {
        kiln.env("KILN_FRONTEND_DIR", root.join("frontend/dist"));
    }
    if std::env::var_os("KILN_DATA_DIR").is_none() {
        kiln.env("KILN_DATA_DIR", root.join("data"));
    }
    if std::env::var_os("KILN_ADMIN_PASSWORD").is_none() {
        println!(
            "xtask: on the first start Kiln creates an administrator. Set KILN_ADMIN_EMAIL and \
             KILN_ADMIN_PASSWORD to choose the sign-in; otherwise Kiln prints a one-time password below."
        );
    }
    run(&mut kiln)
}

/// Builds the web app into `frontend/dist` (see [`web`]).
fn build_frontend(root: &Path) -> Result<()> {
    web::build(root).map(|_| ())
}

fn test(root: &Path, browser: bool, lint: bool) -> Result<()> {
    let started = Instant::now();
    if lint {
        step("formatting");
        run(cargo().args(["fmt", "--all", "--check"]))?;
        step("dependencies: licences, duplicate majors (warnings), sources (cargo deny)");
        // Advisories need the RustSec database, which machines that reach only the
        // package registries cannot fetch; see deny.toml.
        let deny = tools::ensure_cargo_deny(root)?;
        // `--offline` keeps cargo-deny from fetching the advisory database; the crates
        // themselves must already be here, and on a fresh clone they are not yet.
        run(cargo().args(["fetch", "--locked"]))?;
        run(command(&deny).args([
            "--offline",
            "check",
            "--hide-inclusion-graph",
            "bans",
            "licenses",
            "sources",
        ]))?;
    }

    // Without `--workspace`: the default members, so the wasm-only web app is not built
    // for the host. Every target is compiled once, with clippy as the compiler when
    // linting, then the tests run from those same artifacts.
    step("backend, migrations, xtask: compile every target (clippy lints as errors)");
    run(backend_build(lint).args(["--all-targets", "--no-run"]))?;
    step("unit and integration tests on SQLite and PostgreSQL, schema drift check");
    let mut tests = backend_build(lint);
    match postgres_url() {
        Some(url) => {
            println!("xtask: PostgreSQL tests use {url}");
            tests
                .env("KILN_TEST_DATABASE_URL", url)
                .env("KILN_TEST_REQUIRE_POSTGRES", "1");
        }
        None => println!(
            "xtask: no PostgreSQL answers on 127.0.0.1:5432 and KILN_TEST_DATABASE_URL is unset: \
             the PostgreSQL variants of the tests are skipped"
        ),
    }
    // Most tests wait on the network rather than the CPU, so more threads than cores pay.
    tests.args(["--", "--test-threads", "6"]);
    run(&mut tests)?;

    step("web app unit tests (wasm32, in Node; clippy lints as errors while compiling)");
    tools::ensure_wasm_target()?;
    let wasm_bindgen = tools::ensure_wasm_bindgen(root)?;
    let runner = wasm_bindgen.with_file_name("wasm-bindgen-test-runner");
    let mut web_tests = cargo();
    web_tests
        .args([
            "test",
            "-p",
            "kiln-frontend",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &runner);
    if lint {
        with_clippy(&mut web_tests);
    }
    run(&mut web_tests)?;
    step("web app build (also type-checks its GraphQL operations against schema.graphql)");
    build_frontend(root)?;
    step("web app GraphQL documents (graphql-inspector: valid together, each fragment once)");
    validate_graphql_documents(root)?;

    if browser {
        step("browser tests (Playwright + Debian Chromium)");
        browser_tests(root)?;
    }
    println!("\nxtask: all checks passed in {:.0?}", started.elapsed());
    Ok(())
}

/// `cargo test` over the default members, with clippy as the workspace's compiler when
/// `lint`. `cargo xtask run` builds the server through the same command, so that right
/// after `cargo xtask test` it finds everything compiled: a plain `cargo build` would
/// resolve features without the dev-dependencies' and recompile much of the tree.
fn backend_build(lint: bool) -> std::process::Command {
    let mut build = cargo();
    build.arg("test");
    if lint {
        with_clippy(&mut build);
    }
    build
}

/// Makes a cargo command compile the workspace's own crates with clippy's driver and
/// warnings denied — what `cargo clippy` does, but in the same pass that builds the
/// artifacts, instead of a second compilation of every crate in check mode.
fn with_clippy(command: &mut std::process::Command) {
    command.env("RUSTC_WORKSPACE_WRAPPER", "clippy-driver").env(
        "CLIPPY_ARGS",
        "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
    );
}

/// The web app's size (built as `cargo xtask frontend` builds it), then
/// `cargo bench -p kiln --bench lifecycle`, on the same PostgreSQL the tests use. The
/// benchmark reads its knobs (`KILN_BENCH_*`) from the environment, which it inherits.
fn bench(root: &Path) -> Result<()> {
    let sizes = web::build(root)?;
    let mut bench = cargo();
    bench.args(["bench", "-p", "kiln", "--bench", "lifecycle"]);
    match postgres_url() {
        Some(url) => {
            println!("xtask: PostgreSQL runs use {url}");
            bench.env("KILN_TEST_DATABASE_URL", url);
        }
        None => println!(
            "xtask: no PostgreSQL answers on 127.0.0.1:5432 and KILN_TEST_DATABASE_URL is unset: \
             only SQLite is measured"
        ),
    }
    run(&mut bench)?;
    println!(
        "\nweb app: wasm {} bytes raw, {} gzip, {} brotli; first visit {} bytes brotli, {} gzip",
        sizes.wasm_raw, sizes.wasm_gzip, sizes.wasm_brotli, sizes.total_brotli, sizes.total_gzip
    );
    Ok(())
}

fn step(name: &str) {
    println!("\n==> {name}");
}

/// `KILN_TEST_DATABASE_URL`, else the local server when it answers.
fn postgres_url() -> Option<String> {
    if let Ok(url) = std::env::var("KILN_TEST_DATABASE_URL") {
        return Some(url);
    }
    let address = "127.0.0.1:5432".parse().ok()?;
    TcpStream::connect_timeout(&address, Duration::from_secs(2))
        .ok()
        .map(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Validates the web app's `.graphql` files as one set of documents, the way GraphQL
/// tooling reads them. graphql_client reads one file per operation, so only this
/// notices a fragment defined in two files.
fn validate_graphql_documents(root: &Path) -> Result<()> {
    let e2e = root.join("e2e");
    tools::ensure_npm_packages(&e2e)?;
    run(command("npx").current_dir(&e2e).args([
        "graphql-inspector",
        "validate",
        "../frontend/graphql/*.graphql",
        "../schema.graphql",
    ]))
}

fn browser_tests(root: &Path) -> Result<()> {
    let chromium = tools::ensure_chromium()?;
    let e2e = root.join("e2e");
    tools::ensure_npm_packages(&e2e)?;
    // The test build made this binary (see `backend_build`).
    let kiln = tools::target_dir(root).join("debug/kiln");
    let port = free_port()?;
    let mut playwright = command("npx");
    playwright
        .current_dir(&e2e)
        .args(["playwright", "test"])
        .env("KILN_BIN", &kiln)
        .env("KILN_FRONTEND_DIR", root.join("frontend/dist"))
        .env("E2E_PORT", port.to_string())
        .env("CHROMIUM_PATH", &chromium);
    if std::env::var_os("CI").is_none() {
        playwright.env("CI", "1");
    }
    run(&mut playwright)
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    drop(listener);
    if port == 0 {
        bail!("no free port");
    }
    Ok(port)
}
