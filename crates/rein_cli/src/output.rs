//! Where the reports of `rein check` go: every `--format` paired with its `--output`, rendered
//! once and written to standard output or to a file.
//!
//! The n-th `--format` goes to the n-th `--output`; formats past the last `--output` go to
//! standard output, and so does `--output -`. At most one report may go to standard output, and
//! every `--output` needs a `--format`, so that no report is silently lost or interleaved.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use rein_analysis::Analysis;
use rein_report::human::{self, HumanOptions};
use rein_report::{Problem, RunInfo, Summary, ToolInfo};

use crate::args::Format;

/// Where one report goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    Stdout,
    File(PathBuf),
}

/// One report to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub format: Format,
    pub destination: Destination,
}

/// Pairs formats with outputs; an error is a usage error.
pub fn plan(formats: &[Format], outputs: &[PathBuf]) -> anyhow::Result<Vec<Target>> {
    let formats = if formats.is_empty() { &[Format::Human][..] } else { formats };
    if outputs.len() > formats.len() {
        bail!(
            "{} --output given for {} --format\nnote: the n-th --format is written to the n-th --output",
            outputs.len(),
            formats.len()
        );
    }
    let targets: Vec<Target> = formats
        .iter()
        .enumerate()
        .map(|(idx, &format)| Target {
            format,
            destination: match outputs.get(idx) {
                Some(path) if path.as_os_str() != "-" => Destination::File(path.clone()),
                _ => Destination::Stdout,
            },
        })
        .collect();
    let n_stdout = targets.iter().filter(|target| target.destination == Destination::Stdout).count();
    if n_stdout > 1 {
        bail!(
            "{n_stdout} reports would go to standard output\nnote: give each --format an --output file, e.g. `--format human --format sarif --output - --output rein.sarif`"
        );
    }
    let mut files: Vec<&PathBuf> = targets
        .iter()
        .filter_map(|target| match &target.destination {
            Destination::File(path) => Some(path),
            Destination::Stdout => None,
        })
        .collect();
    files.sort();
    if let Some(pair) = files.windows(2).find(|pair| pair.first() == pair.get(1)) {
        let path = pair.first().map(|path| path.display().to_string()).unwrap_or_default();
        bail!("two reports would be written to `{path}`");
    }
    Ok(targets)
}

/// Everything a report is made of.
pub struct Reported<'a> {
    pub analysis: &'a Analysis,
    pub summary: &'a Summary,
    pub problems: &'a [Problem],
    pub warnings: &'a [String],
    pub exit_code: i32,
    pub tool: &'a ToolInfo,
    pub working_dir: Option<&'a Path>,
    pub quiet: bool,
    pub show_unknown: bool,
}

/// Renders the report of `target` (colours only for a terminal) and writes it; a file's
/// directory is created when missing.
/// A reader of standard output that went away (`rein check | head`) is no error.
pub fn write(target: &Target, reported: &Reported<'_>, color: bool, stdout: &mut dyn Write) -> anyhow::Result<()> {
    match &target.destination {
        Destination::Stdout => {
            let bytes = render(target.format, reported, color);
            match stdout.write_all(&bytes) {
                Ok(()) => Ok(()),
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(err) => Err(anyhow::Error::new(err).context("cannot write the report")),
            }
        }
        Destination::File(path) => {
            let bytes = render(target.format, reported, false);
            // `--output build/reports/rein.xml` in a fresh checkout needs its directory.
            let parent = path.parent().filter(|parent| !parent.as_os_str().is_empty());
            let written = match parent {
                Some(parent) => std::fs::create_dir_all(parent).and_then(|()| std::fs::write(path, bytes)),
                None => std::fs::write(path, bytes),
            };
            written.map_err(|err| {
                anyhow!("cannot write the report to `{}`: {}", path.display(), crate::discover::io_reason(&err))
            })
        }
    }
}

fn render(format: Format, reported: &Reported<'_>, color: bool) -> Vec<u8> {
    let analysis = reported.analysis;
    let db = &analysis.db;
    let findings = &analysis.findings;
    let run = RunInfo {
        tool: reported.tool,
        problems: reported.problems,
        warnings: reported.warnings,
        exit_code: reported.exit_code,
        working_dir: reported.working_dir,
    };
    let mut out = Vec::new();
    // Writing into a `Vec` cannot fail.
    let _ = match format {
        Format::Human => {
            let options = HumanOptions { color, quiet: reported.quiet };
            human::write(&mut out, db, findings, reported.summary, &options).and_then(|()| {
                if reported.show_unknown { out.write_all(unknowns(analysis).as_bytes()) } else { Ok(()) }
            })
        }
        Format::Json => rein_report::json::write(&mut out, db, findings, reported.summary, reported.tool),
        Format::Sarif => rein_report::sarif::write(&mut out, db, findings, &run),
        Format::Junit => rein_report::junit::write(&mut out, db, findings, reported.problems),
        Format::Github => rein_report::github::write(&mut out, db, findings, reported.problems, reported.working_dir),
    };
    out
}

/// The `--show-unknown` section: every value that could not be known statically, and every
/// module whose code was not read.
fn unknowns(analysis: &Analysis) -> String {
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
    // A module whose code was not read (a registry or git source, a missing directory) hides
    // whatever policies it holds.
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
    format!("\n{}", human::render_unknowns(&analysis.db, &lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_pair_with_outputs_in_order() {
        let targets = plan(&[Format::Human, Format::Sarif], &["-".into(), "rein.sarif".into()]).unwrap();
        assert_eq!(targets[0], Target { format: Format::Human, destination: Destination::Stdout });
        assert_eq!(targets[1], Target { format: Format::Sarif, destination: Destination::File("rein.sarif".into()) });
        let targets = plan(&[Format::Sarif, Format::Human], &["out.sarif".into()]).unwrap();
        assert_eq!(targets[1].destination, Destination::Stdout);
        assert_eq!(plan(&[], &[]).unwrap(), vec![Target { format: Format::Human, destination: Destination::Stdout }]);
        assert_eq!(plan(&[], &["report.txt".into()]).unwrap()[0].destination, Destination::File("report.txt".into()));
    }

    #[test]
    fn lost_or_mixed_reports_are_usage_errors() {
        assert!(plan(&[Format::Human, Format::Json], &[]).unwrap_err().to_string().contains("standard output"));
        assert!(plan(&[Format::Json], &["a".into(), "b".into()]).unwrap_err().to_string().contains("2 --output"));
        let twice = plan(&[Format::Json, Format::Sarif], &["a".into(), "a".into()]).unwrap_err();
        assert!(twice.to_string().contains("two reports"), "{twice}");
    }
}
