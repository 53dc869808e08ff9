//! The progress display on stderr for long scans: a bar while files are read, a spinner while
//! they are checked.
//!
//! It is drawn only when stderr is a terminal, `CI` is not set and `--quiet` is not given (the
//! caller decides), and then only for a long scan: at once when there are more than
//! [`MANY_FILES`] files, otherwise once a phase has taken [`SLOW_PHASE`]. It is cleared when the
//! phase ends, so it never mixes with the report.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// More files than this show the progress at once.
pub const MANY_FILES: usize = 50;

/// A phase that takes longer than this shows its progress.
pub const SLOW_PHASE: Duration = Duration::from_secs(1);

/// Whether progress may be drawn at all.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        Progress { enabled }
    }

    /// Whether progress may be drawn: stderr is a terminal, `CI` is unset or empty, and the run
    /// is not quiet.
    pub fn allowed(stderr_is_terminal: bool, quiet: bool) -> bool {
        Progress::allowed_with(stderr_is_terminal, quiet, std::env::var_os("CI").as_deref())
    }

    /// [`Progress::allowed`], given the value of `CI`.
    fn allowed_with(stderr_is_terminal: bool, quiet: bool, ci: Option<&std::ffi::OsStr>) -> bool {
        stderr_is_terminal && !quiet && ci.is_none_or(|value| value.is_empty())
    }

    /// A bar over `n_items` items, labelled `message`.
    pub fn bar(&self, n_items: usize, message: &'static str) -> Phase {
        if !self.enabled {
            return Phase::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(n_items as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} files") {
            bar.set_style(style);
        }
        bar.set_message(message);
        Phase::start(bar, n_items > MANY_FILES)
    }

    /// A spinner with `message`, for work that reports no steps.
    pub fn spinner(&self, n_items: usize, message: String) -> Phase {
        if !self.enabled {
            return Phase::hidden();
        }
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            spinner.set_style(style);
        }
        spinner.set_message(message);
        Phase::start(spinner, n_items > MANY_FILES)
    }
}

/// One phase of the scan; dropping it clears its display.
pub struct Phase {
    bar: Option<ProgressBar>,
    stop: Option<Sender<()>>,
    watcher: Option<JoinHandle<()>>,
}

impl Phase {
    fn hidden() -> Phase {
        Phase { bar: None, stop: None, watcher: None }
    }

    /// Shows `bar` now when `at_once`, else after [`SLOW_PHASE`] unless the phase ended sooner.
    fn start(bar: ProgressBar, at_once: bool) -> Phase {
        if at_once {
            show(&bar);
            return Phase { bar: Some(bar), stop: None, watcher: None };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let delayed = bar.clone();
        let watcher = std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(SLOW_PHASE) {
                show(&delayed);
            }
        });
        Phase { bar: Some(bar), stop: Some(stop), watcher: Some(watcher) }
    }

    /// One more item done.
    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

fn show(bar: &ProgressBar) {
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.enable_steady_tick(Duration::from_millis(100));
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_progress_draws_nothing_and_a_short_phase_ends_at_once() {
        let progress = Progress::new(false);
        let phase = progress.bar(100, "reading");
        phase.inc();
        assert!(phase.bar.is_none());
        // Enabled but short: the watcher is stopped before it shows anything.
        let started = std::time::Instant::now();
        drop(Progress::new(true).spinner(1, "checking".to_owned()));
        assert!(started.elapsed() < SLOW_PHASE);
        assert!(!Progress::allowed(false, false));
        assert!(!Progress::allowed(true, true));
        assert!(Progress::allowed_with(true, false, None));
        assert!(Progress::allowed_with(true, false, Some("".as_ref())));
        assert!(!Progress::allowed_with(true, false, Some("true".as_ref())));
    }
}
