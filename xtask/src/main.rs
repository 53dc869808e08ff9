//! Maintenance tasks: `cargo xtask <task>` (the alias lives in `.cargo/config.toml`).
//!
//! Tasks talk to the developer on stdout/stderr, hence the print lints are allowed here only.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod gen_catalog;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "rein maintenance tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate `crates/rein_catalog/data/catalog.postcard` and `SOURCE.md` from AWS IAM data.
    GenCatalog(gen_catalog::Args),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().task {
        Task::GenCatalog(args) => gen_catalog::run(&args),
    }
}
