use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Kiln: a self-hosted production desk for AI images and video.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (the default). Configuration comes from `KILN_*` variables.
    Serve,
    /// Write the GraphQL schema (SDL) to a file, or to stdout without `--out`.
    PrintSchema {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::PrintSchema { out } => {
            let sdl = kiln::graphql::sdl();
            match out {
                Some(path) => std::fs::write(&path, sdl)?,
                None => print!("{sdl}"),
            }
            Ok(())
        }
        Command::Serve => {
            let config = kiln::config::Config::load()?;
            kiln::telemetry::init(&config);
            let app = kiln::startup::Application::build(config).await?;
            app.run_until_stopped(kiln::startup::shutdown_signal())
                .await?;
            Ok(())
        }
    }
}
