//! The `rein` command line: argument parsing, file discovery, exit codes and output.
//!
//! [`run`] does everything the binary does, writing into the given streams, so tests drive it
//! in-process. This is the only crate that writes to stdout and stderr.
//!
//! Exit codes: `0` no finding at or above `--fail-on`; `1` such findings; `2` usage error (bad
//! flag, missing path, unknown rule selector) or a file that could not be read; `3` internal
//! error.

mod args;
mod discover;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;

use anyhow::anyhow;
use clap::{CommandFactory, FromArgMatches};
use rein_analysis::analyze;
use rein_report::human::{self, HumanOptions};
use rein_report::{Summary, ToolInfo};
use rein_rules::{RuleMeta, Settings, all_rules, find_rule};

use crate::args::{CheckArgs, Cli, ColorChoice, Command, Format, RuleArgs};

/// No finding at or above `--fail-on`.
pub const EXIT_OK: i32 = 0;
/// Findings at or above `--fail-on`.
pub const EXIT_FINDINGS: i32 = 1;
/// A usage error, or a file that could not be read.
pub const EXIT_USAGE: i32 = 2;
/// A bug in rein.
pub const EXIT_INTERNAL: i32 = 3;

/// Runs `rein` with `args` (the first item is the program name) and returns the exit code.
///
/// `--color auto` colours the output when the process's stdout is a terminal.
pub fn run(args: impl IntoIterator<Item = OsString>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    run_with(args, stdout, stderr, std::io::stdout().is_terminal())
}

/// [`run`], told whether `stdout` is a terminal (tests pass `false`).
pub fn run_with(
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdout_is_terminal: bool,
) -> i32 {
    let args: Vec<OsString> = args.into_iter().collect();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| dispatch(args, stdout, stderr, stdout_is_terminal)));
    let code = match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(Failure::Usage(err))) => {
            let _ = writeln!(stderr, "error: {err:#}");
            EXIT_USAGE
        }
        Ok(Err(Failure::Internal(err))) => {
            let _ = writeln!(stderr, "error: internal error: {err:#}");
            EXIT_INTERNAL
        }
        Err(payload) => {
            let reason = payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_owned());
            let _ = writeln!(stderr, "error: internal error: rein panicked: {reason}");
            let _ = writeln!(stderr, "note: this is a bug in rein; please report it with the input that caused it");
            EXIT_INTERNAL
        }
    };
    let _ = stdout.flush();
    let _ = stderr.flush();
    code
}

/// Why a run stopped early.
enum Failure {
    /// The user asked for something impossible: exit code 2.
    Usage(anyhow::Error),
    /// rein failed: exit code 3.
    Internal(anyhow::Error),
}

/// The version line: rein's version and the catalogue's source and date.
pub fn version() -> String {
    let meta = rein_catalog::catalog().meta();
    format!("{} (IAM catalogue: {}, data of {})", env!("CARGO_PKG_VERSION"), meta.source, meta.date)
}

fn dispatch(
    args: Vec<OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdout_is_terminal: bool,
) -> Result<i32, Failure> {
    let mut command = Cli::command().version(version());
    if !stdout_is_terminal {
        // Keeps help text identical whatever terminal the tests run in.
        command = command.term_width(100);
    }
    let cli = match command.try_get_matches_from(args).and_then(|matches| Cli::from_arg_matches(&matches)) {
        Ok(cli) => cli,
        Err(err) => {
            let styled = err.render();
            let (out, code): (&mut dyn Write, i32) =
                if err.use_stderr() { (stderr, EXIT_USAGE) } else { (stdout, EXIT_OK) };
            let text =
                if stdout_is_terminal && !err.use_stderr() { styled.ansi().to_string() } else { styled.to_string() };
            write_out(out, text.as_bytes())?;
            return Ok(code);
        }
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
    };
    match cli.command {
        Command::Check(check_args) => check(check_args, color, stdout, stderr),
        Command::Rule(rule_args) => rule(&rule_args, stdout),
        Command::Lsp(_) => lsp(),
    }
}

fn check(args: CheckArgs, color: bool, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<i32, Failure> {
    let settings = Settings {
        select: args.select,
        ignore: args.ignore,
        preview: args.preview,
        profile: match args.profile {
            args::ProfileArg::Default => rein_rules::Profile::Default,
            args::ProfileArg::Baseline => rein_rules::Profile::Baseline,
        },
        // The date decides only whether the embedded catalogue counts as stale (RULES.md §0.3).
        today: Some(args.today.unwrap_or_else(|| jiff::tz::TimeZone::UTC.to_datetime(jiff::Timestamp::now()).date())),
        ..Settings::default()
    };
    let unknown = settings.unknown_selectors();
    if !unknown.is_empty() {
        let list = unknown.iter().map(|sel| format!("`{sel}`")).collect::<Vec<_>>().join(", ");
        let noun = if unknown.len() == 1 { "selector" } else { "selectors" };
        return Err(Failure::Usage(anyhow!(
            "unknown rule {noun} {list}\nnote: a selector is a rule id, name or alias, a category, or an id prefix such as `IAM1`; `rein rule --all` lists the rules"
        )));
    }
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths };
    for path in &paths {
        // `exists` follows symlinks, so a dangling link is missing too.
        if !path.exists() {
            return Err(Failure::Usage(anyhow!("path `{}` does not exist", discover::display(path))));
        }
    }

    let policy_kind = args.policy_type.map(|policy_type| policy_type.kind());
    let found = discover::discover(&paths, policy_kind.as_ref());
    for problem in &found.problems {
        let _ = writeln!(stderr, "error: {problem}");
    }
    if found.inputs.is_empty() && found.problems.is_empty() {
        let _ = writeln!(stderr, "warning: no policy files found");
    }

    let n_files = found.inputs.len();
    let analysis = analyze(found.inputs, &settings);
    let findings = &analysis.findings;
    let summary = Summary::new(n_files, findings);
    let failed = args.fail_on.threshold().is_some_and(|threshold| findings.iter().any(|f| f.severity >= threshold));
    let code = if !found.problems.is_empty() {
        EXIT_USAGE
    } else if failed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };

    let written = match args.format {
        Format::Human => {
            let options = HumanOptions { color, quiet: args.quiet };
            human::write(stdout, &analysis.db, findings, &summary, &options).and_then(|()| {
                if !args.show_unknown {
                    return Ok(());
                }
                let mut lines: Vec<human::UnknownLine<'_>> = Vec::new();
                for doc in &analysis.documents {
                    for unknown in doc.unknowns() {
                        lines.push(human::UnknownLine {
                            span: unknown.span,
                            owner: doc.origin.owner.as_deref(),
                            element: unknown.element,
                            reason: unknown.reason,
                        });
                    }
                }
                // A module whose code was not read (a registry or git source, a missing
                // directory) hides whatever policies it holds.
                for call in &analysis.modules {
                    if let Some(reason) = &call.not_analysed {
                        lines.push(human::UnknownLine {
                            span: call.span,
                            owner: Some(call.address.as_str()),
                            element: "Module".to_owned(),
                            reason,
                        });
                    }
                }
                lines.sort_by_key(|line| line.span);
                lines.dedup_by_key(|line| line.span);
                stdout.write_all(format!("\n{}", human::render_unknowns(&analysis.db, &lines)).as_bytes())
            })
        }
        Format::Json => rein_report::json::write(stdout, &analysis.db, findings, &summary, &tool_info()),
    };
    match written {
        Ok(()) => Ok(code),
        // The reader went away (`rein check | head`): the findings still decide the exit code.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(code),
        Err(err) => Err(Failure::Internal(anyhow::Error::new(err).context("cannot write the report"))),
    }
}

fn rule(args: &RuleArgs, stdout: &mut dyn Write) -> Result<i32, Failure> {
    let text = if args.all {
        let metas: Vec<&RuleMeta> = all_rules().iter().map(|rule| rule.meta()).collect();
        rein_report::rules::render_rule_table(&metas)
    } else {
        let selector = args.rule.as_deref().unwrap_or_default();
        let Some(rule) = find_rule(selector) else {
            return Err(Failure::Usage(anyhow!(
                "unknown rule `{selector}`\nnote: give a rule id, name or alias; `rein rule --all` lists the rules"
            )));
        };
        rein_report::rules::render_rule_docs(rule.meta())
    };
    write_out(stdout, text.as_bytes())?;
    Ok(EXIT_OK)
}

/// The language server owns stdin and stdout until the client says `exit`.
fn lsp() -> Result<i32, Failure> {
    match rein_lsp::run_stdio() {
        Ok(true) => Ok(EXIT_OK),
        // `exit` without `shutdown` ends with 1, as the protocol asks.
        Ok(false) => Ok(EXIT_FINDINGS),
        Err(err) => Err(Failure::Internal(err.context("the language server failed"))),
    }
}

fn tool_info() -> ToolInfo {
    let meta = rein_catalog::catalog().meta();
    ToolInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        catalog_source: meta.source.clone(),
        catalog_date: meta.date.clone(),
    }
}

fn write_out(out: &mut dyn Write, bytes: &[u8]) -> Result<(), Failure> {
    match out.write_all(bytes) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Internal(anyhow::Error::new(err).context("cannot write to the output")))
        }
        _ => Ok(()),
    }
}
