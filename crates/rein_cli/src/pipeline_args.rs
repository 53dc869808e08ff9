//! The `rein check` flags for pipelines: configuration file, baseline, unused suppressions and
//! fixes. They sit apart from `args.rs` and are flattened into `CheckArgs`.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Default, Args)]
pub struct PipelineArgs {
    /// Read this configuration file instead of the `rein.toml` found in the checked directory
    /// or above it.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Read no configuration file.
    #[arg(long)]
    pub no_config: bool,

    /// Report only findings that are not in this baseline file (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write today's findings to this baseline file; the run then exits 0 whatever it finds.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Report suppressions that hid no finding (IAM012).
    #[arg(long)]
    pub report_unused_ignores: bool,

    /// Apply the safe fixes of the reported findings to the files.
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff, apply unsafe fixes too (they change effective permissions).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print a unified diff of what --fix would change, and write nothing.
    #[arg(long)]
    pub diff: bool,
}
