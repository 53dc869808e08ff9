//! The `rein` command line: argument parsing, file discovery, exit codes and output.
//!
//! [`run`] does everything the binary does, writing into the given streams, so tests drive it
//! in-process. This is the only crate that writes to stdout and stderr.
//!
//! Exit codes: `0` no finding at or above `--fail-on`; `1` such findings; `2` usage error (bad
//! flag, missing path, unknown rule selector) or a file that could not be read; `3` internal
//! error.

mod args;
mod baseline;
mod config;
mod discover;
mod fix;
mod output;
mod pipeline;
mod pipeline_args;
mod progress;
mod rule_docs;
mod suppressions;

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;

use anyhow::anyhow;
use clap::{CommandFactory, FromArgMatches};
use rein_report::{Summary, ToolInfo};
use rein_rules::{RuleMeta, Settings, all_rules, find_rule};

use crate::args::{CheckArgs, Cli, ColorChoice, Command, FailOn, RuleArgs, RuleFormat};
use crate::progress::Progress;

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
/// `--color auto` colours the output when the process's stdout is a terminal; a progress
/// display is drawn on the process's stderr when it is a terminal and the scan is long.
pub fn run(args: impl IntoIterator<Item = OsString>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let terminal = Terminal { stdout: std::io::stdout().is_terminal(), stderr: std::io::stderr().is_terminal() };
    // Standard input is not locked for the whole run: `rein lsp` reads it from a thread of its own.
    run_in(args, &mut std::io::stdin(), stdout, stderr, terminal)
}

/// [`run`], told whether `stdout` is a terminal (tests pass `false`); standard input is empty
/// and no progress is drawn.
pub fn run_with(
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdout_is_terminal: bool,
) -> i32 {
    run_with_stdin(args, &mut std::io::empty(), stdout, stderr, stdout_is_terminal)
}

/// [`run_with`], reading `rein check -` from `stdin`.
pub fn run_with_stdin(
    args: impl IntoIterator<Item = OsString>,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    stdout_is_terminal: bool,
) -> i32 {
    run_in(args, stdin, stdout, stderr, Terminal { stdout: stdout_is_terminal, stderr: false })
}

/// Which of the process's streams are terminals.
#[derive(Clone, Copy, Debug)]
struct Terminal {
    stdout: bool,
    stderr: bool,
}

fn run_in(
    args: impl IntoIterator<Item = OsString>,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    terminal: Terminal,
) -> i32 {
    let args: Vec<OsString> = args.into_iter().collect();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| dispatch(args, stdin, stdout, stderr, terminal)));
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
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    terminal: Terminal,
) -> Result<i32, Failure> {
    let stdout_is_terminal = terminal.stdout;
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
        Command::Check(check_args) => {
            let progress = Progress::new(Progress::allowed(terminal.stderr, check_args.quiet));
            check(check_args, color, progress, stdin, stdout, stderr)
        }
        Command::Rule(rule_args) => rule(&rule_args, stdout),
        Command::Completions(args) => {
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "rein", &mut script);
            write_out(stdout, &script)?;
            Ok(EXIT_OK)
        }
        Command::Man(args) => {
            let command = Cli::command().version(env!("CARGO_PKG_VERSION"));
            if let Some(dir) = &args.output_dir {
                std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir)).map_err(|err| {
                    Failure::Usage(anyhow!("cannot write the manual pages to `{}`: {err}", dir.display()))
                })?;
                return Ok(EXIT_OK);
            }
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|err| Failure::Internal(anyhow::Error::new(err).context("cannot render the manual page")))?;
            write_out(stdout, &page)?;
            Ok(EXIT_OK)
        }
        Command::Lsp(_) => lsp(),
    }
}

fn check(
    args: CheckArgs,
    color: bool,
    progress: Progress,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<i32, Failure> {
    let targets = output::plan(&args.format, &args.output).map_err(Failure::Usage)?;
    let config = config::resolve(&args.pipeline, &args.paths).map_err(Failure::Usage)?;
    let mut settings = Settings {
        // The date decides only whether the embedded catalogue counts as stale (RULES.md §0.3).
        today: Some(args.today.unwrap_or_else(|| jiff::tz::TimeZone::UTC.to_datetime(jiff::Timestamp::now()).date())),
        ..Settings::default()
    };
    // The file first, then the flags: `--select` replaces the file's selection, `--ignore`
    // adds to its ignores, the other flags win.
    if let Some(config) = &config {
        config.apply(&mut settings);
    }
    if !args.select.is_empty() {
        settings.select = args.select;
    }
    settings.ignore.extend(args.ignore);
    settings.preview |= args.preview;
    if let Some(profile) = args.profile {
        settings.profile = match profile {
            args::ProfileArg::Default => rein_rules::Profile::Default,
            args::ProfileArg::Baseline => rein_rules::Profile::Baseline,
        };
    }
    let fail_on = args.fail_on.or_else(|| config.as_ref().and_then(config::fail_on)).unwrap_or(FailOn::Warning);
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
        if path.as_os_str() != discover::STDIN_PATH && !path.exists() {
            return Err(Failure::Usage(anyhow!("path `{}` does not exist", discover::display(path))));
        }
    }
    let reads_stdin = paths.iter().any(|path| path.as_os_str() == discover::STDIN_PATH);
    if reads_stdin && args.pipeline.fix {
        // The fixed text would have nowhere to go: standard input is no file to write back.
        return Err(Failure::Usage(anyhow!(
            "--fix cannot write back to standard input\nnote: check the file by its path, or use `--diff` to see the fixes"
        )));
    }
    if args.stdin_filename.is_some() && !reads_stdin {
        let _ = writeln!(stderr, "warning: --stdin-filename names standard input, which is read only for the path `-`");
    }
    let stdin = reads_stdin.then(|| {
        let mut bytes = Vec::new();
        discover::Stdin {
            name: args.stdin_filename.clone().unwrap_or_else(|| "<stdin>".to_owned()),
            bytes: stdin.read_to_end(&mut bytes).map(|_| bytes),
        }
    });

    let policy_kind = args.policy_type.map(|policy_type| policy_type.kind());
    let found = discover::discover(&paths, policy_kind.as_ref(), stdin, &progress);
    for warning in &found.warnings {
        let _ = writeln!(stderr, "warning: {warning}");
    }
    for problem in &found.problems {
        let _ = writeln!(stderr, "error: {problem}");
    }
    if found.inputs.is_empty() && found.problems.is_empty() {
        let _ = writeln!(stderr, "warning: no policy files found");
    }

    let n_files = found.inputs.len();
    let run = pipeline::Run { settings: &settings, config: config.as_ref(), args: &args.pipeline };
    let outcome = {
        let _checking = progress.spinner(n_files, format!("checking {n_files} files"));
        run.execute(found.inputs).map_err(Failure::Usage)?
    };
    for problem in &outcome.problems {
        let _ = writeln!(stderr, "error: {problem}");
    }
    let has_problems = !found.problems.is_empty() || !outcome.problems.is_empty();
    if let Some((diff, n_fixes)) = &outcome.diff {
        // `--diff` shows what `--fix` would do and nothing else; it fails when there is a change.
        write_out(stdout, diff.as_bytes())?;
        for note in &outcome.notes {
            let _ = writeln!(stderr, "{note}");
        }
        return Ok(if has_problems {
            EXIT_USAGE
        } else if *n_fixes > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        });
    }
    let analysis = outcome.analysis;
    let findings = &analysis.findings;
    let summary = Summary::new(n_files, findings);
    let failed = fail_on.threshold().is_some_and(|threshold| findings.iter().any(|f| f.severity >= threshold));
    let code = if has_problems {
        EXIT_USAGE
    } else if failed && !outcome.wrote_baseline {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };

    let tool = tool_info();
    let working_dir = std::env::current_dir().ok();
    let mut problems = found.problems;
    problems.extend(outcome.problems);
    let reported = output::Reported {
        analysis: &analysis,
        summary: &summary,
        problems: &problems,
        warnings: &found.warnings,
        exit_code: code,
        tool: &tool,
        working_dir: working_dir.as_deref(),
        quiet: args.quiet,
        show_unknown: args.show_unknown,
    };
    let mut code = code;
    for target in &targets {
        // One report that cannot be written does not keep the others from being written.
        if let Err(err) = output::write(target, &reported, color, stdout) {
            let _ = writeln!(stderr, "error: {err:#}");
            code = EXIT_USAGE;
        }
    }
    // The closing notes (what the baseline hid, what was fixed) follow the human report on
    // standard output; when standard output carries a machine format, or the human report goes
    // to a file, they go to stderr so that the report stays parseable.
    let notes: String = outcome.notes.iter().map(|note| format!("{note}\n")).collect();
    let human_on_stdout = targets
        .iter()
        .any(|target| target.format == args::Format::Human && target.destination == output::Destination::Stdout);
    if human_on_stdout {
        write_out(stdout, notes.as_bytes())?;
    } else {
        let _ = stderr.write_all(notes.as_bytes());
    }
    Ok(code)
}

fn rule(args: &RuleArgs, stdout: &mut dyn Write) -> Result<i32, Failure> {
    let metas: Vec<&RuleMeta> = if args.all {
        all_rules().iter().map(|rule| rule.meta()).collect()
    } else {
        let selector = args.rule.as_deref().unwrap_or_default();
        let Some(rule) = find_rule(selector) else {
            return Err(Failure::Usage(anyhow!(
                "unknown rule `{selector}`\nnote: give a rule id, name or alias; `rein rule --all` lists the rules"
            )));
        };
        vec![rule.meta()]
    };
    if let Some(dir) = &args.output_dir {
        if args.format != RuleFormat::Markdown {
            return Err(Failure::Usage(anyhow!("--output-dir writes markdown pages; add `--format markdown`")));
        }
        let n_pages = rule_docs::write_pages(dir, &metas).map_err(Failure::Usage)?;
        write_out(stdout, format!("Wrote {n_pages} pages to `{}`\n", dir.display()).as_bytes())?;
        return Ok(EXIT_OK);
    }
    let text = match (args.format, args.all) {
        (RuleFormat::Text, true) => rein_report::rules::render_rule_table(&metas),
        (RuleFormat::Json, _) => rein_report::rules::rules_json(&metas),
        // Without a directory, `--all` prints the index page.
        (RuleFormat::Markdown, true) => {
            rein_report::rules::reference_pages(&metas).pop().map(|(_, index)| index).unwrap_or_default()
        }
        (RuleFormat::Text | RuleFormat::Markdown, false) => {
            metas.first().map(|meta| rein_report::rules::render_rule_docs(meta)).unwrap_or_default()
        }
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
