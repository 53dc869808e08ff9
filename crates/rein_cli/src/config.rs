//! Which `rein.toml` a run reads: the one named by `--config`, or the nearest one above the
//! first checked path (the current directory when no path is given).

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use rein_config::Config;

use crate::pipeline_args::PipelineArgs;

/// The configuration of this run, or `None` when there is no file (or `--no-config`). A file
/// that cannot be read, or that says something wrong, is an error naming the file and position.
pub fn resolve(args: &PipelineArgs, paths: &[PathBuf]) -> anyhow::Result<Option<Config>> {
    if args.no_config {
        return Ok(None);
    }
    let path = match &args.config {
        Some(path) => {
            if !path.is_file() {
                return Err(anyhow!("configuration file `{}` does not exist", path.display()));
            }
            path.clone()
        }
        None => {
            let start = paths.first().map_or_else(|| PathBuf::from("."), PathBuf::clone);
            match rein_config::find(&start) {
                Some(found) => found,
                None => return Ok(None),
            }
        }
    };
    let display = display(&path);
    rein_config::load(&path, &display).map(Some).map_err(|err| anyhow!("{err}"))
}

/// A found file relative to the current directory when it is inside it (`rein.toml`,
/// `infra/rein.toml`), else as it is.
fn display(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| std::path::absolute(path).ok()?.strip_prefix(cwd).ok().map(Path::to_path_buf));
    relative.unwrap_or_else(|| path.to_path_buf()).to_string_lossy().into_owned()
}

/// `--fail-on` of the file, as the command line spells it.
pub fn fail_on(config: &Config) -> Option<crate::args::FailOn> {
    use crate::args::FailOn;
    config.fail_on.map(|fail_on| match fail_on {
        rein_config::FailOn::Error => FailOn::Error,
        rein_config::FailOn::Warning => FailOn::Warning,
        rein_config::FailOn::Info => FailOn::Info,
        rein_config::FailOn::Never => FailOn::Never,
    })
}
