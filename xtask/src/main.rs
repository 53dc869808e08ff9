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
    /// Fail if a `rein_*` crate depends on a crate its layer may not use (STYLE.md §1).
    CheckLayers,
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().task {
        Task::GenCatalog(args) => gen_catalog::run(&args),
        Task::CheckLayers => check_layers(),
    }
}

fn check_layers() -> anyhow::Result<()> {
    let metadata = xtask::layers::workspace_metadata(xtask::layers::workspace_root())?;
    let violations = xtask::check_layers(&metadata);
    if violations.is_empty() {
        println!("check-layers: every rein crate respects the layer table");
        return Ok(());
    }
    for violation in &violations {
        eprintln!("error: {violation}");
    }
    anyhow::bail!("{} layering violation(s); see STYLE.md §1", violations.len())
}
