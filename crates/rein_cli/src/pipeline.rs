//! What `rein check` does between reading the files and writing the report: the analysis,
//! sidecar suppressions, unused suppressions, `[[overrides]]`, the baseline, and fixing.
//!
//! Order matters and is fixed: suppressions (inline, then sidecar) hide findings first, IAM012
//! is decided on what they hid, overrides then select and re-level per file, and the baseline
//! hides last. Fixes are made only for what would be reported, and each round of fixes is
//! followed by a fresh analysis of the fixed text.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rein_analysis::{Analysis, FileKind, SourceInput, analyze};
use rein_config::Config;
use rein_diagnostics::Finding;
use rein_report::Problem;
use rein_rules::Settings;
use rein_text::FileId;

use crate::baseline::{self, Baseline};
use crate::fix;
use crate::pipeline_args::PipelineArgs;
use crate::suppressions::{self, Sidecar};

/// The result of a run.
pub struct Outcome {
    /// The final analysis; its `findings` are the ones to report.
    pub analysis: Analysis,
    /// Lines for the end of the report: what the baseline hid, what was fixed.
    pub notes: Vec<String>,
    /// Problems that make the exit code 2 (a broken sidecar, a fix that was refused, a file
    /// that could not be written).
    pub problems: Vec<Problem>,
    /// With `--diff`: the diff of every file a fix would change, and how many fixes it holds.
    pub diff: Option<(String, usize)>,
    /// With `--write-baseline`: the run accepts what it found.
    pub wrote_baseline: bool,
}

/// What the run was asked for.
pub struct Run<'a> {
    /// The settings of the run, after `rein.toml` and the command-line flags.
    pub settings: &'a Settings,
    pub config: Option<&'a Config>,
    pub args: &'a PipelineArgs,
}

impl Run<'_> {
    pub fn execute(&self, inputs: Vec<SourceInput>) -> anyhow::Result<Outcome> {
        let baseline = match &self.args.baseline {
            Some(path) => Some(Baseline::read(path)?),
            None => None,
        };
        let (sidecars, sidecar_problems) = suppressions::load(&inputs);
        let mut inputs = inputs;
        let (mut analysis, mut analysis_problems) = self.analyse(&inputs, &sidecars);
        // Problems of fixing and writing; the analysis's own are those of its last round.
        let mut problems = Vec::new();

        let mut notes = Vec::new();
        let mut diff = None;
        if self.args.fix || self.args.diff {
            let originals: Vec<Vec<u8>> = inputs.iter().map(|input| input.bytes.clone()).collect();
            let mut refused: BTreeSet<String> = BTreeSet::new();
            let mut n_fixed = 0;
            for _ in 0..fix::MAX_ROUNDS {
                let reported = self.reported(&analysis, baseline.as_ref());
                let mut round = fix::choose(&analysis.db, &reported, self.args.unsafe_fixes);
                // Plans are read-only, and a template is read only through the module that
                // uses it, so neither can be parsed again on its own: their edits are left out.
                round.edits.retain(|path, _| {
                    !refused.contains(path)
                        && inputs.iter().any(|input| {
                            &input.path == path
                                && !matches!(input.kind, Some(FileKind::TerraformPlan | FileKind::TerraformTemplate))
                        })
                });
                if round.is_empty() {
                    break;
                }
                let mut changed = false;
                for (path, edits) in &round.edits {
                    let Some(input) = inputs.iter_mut().find(|input| &input.path == path) else { continue };
                    match fix::apply(input, edits) {
                        Ok(text) if text.as_bytes() != input.bytes.as_slice() => {
                            input.bytes = text.into_bytes();
                            n_fixed += round.n_fixes.get(path).copied().unwrap_or(0);
                            changed = true;
                        }
                        Ok(_) => {}
                        Err(reason) => {
                            refused.insert(path.clone());
                            problems.push(Problem {
                                path: path.clone(),
                                message: format!("cannot fix `{path}`: {reason}"),
                            });
                        }
                    }
                }
                if !changed {
                    break;
                }
                (analysis, analysis_problems) = self.analyse(&inputs, &sidecars);
            }
            let changed: Vec<(&SourceInput, &Vec<u8>)> =
                inputs.iter().zip(&originals).filter(|(input, original)| input.bytes != **original).collect();
            let n_files = changed.len();
            if self.args.diff {
                let mut text = String::new();
                for (input, original) in &changed {
                    let before = String::from_utf8_lossy(original);
                    let after = String::from_utf8_lossy(&input.bytes);
                    text.push_str(&fix::unified_diff(&input.path, &before, &after));
                }
                diff = Some((text, n_fixed));
                notes.push(format!("Would fix {} in {}", plural(n_fixed, "problem"), plural(n_files, "file")));
            } else {
                for (input, _) in &changed {
                    // A name that is not UTF-8 is shown lossily; writing to the shown name would
                    // create another file.
                    if !Path::new(&input.path).is_file() {
                        let message = format!("cannot write `{}`: the file is no longer there", input.path);
                        problems.push(Problem { path: input.path.clone(), message });
                        continue;
                    }
                    if let Err(err) = std::fs::write(&input.path, &input.bytes) {
                        let reason = crate::discover::io_reason(&err);
                        let message = format!("cannot write `{}`: {reason}", input.path);
                        problems.push(Problem { path: input.path.clone(), message });
                    }
                }
                notes.push(format!("Fixed {} in {}", plural(n_fixed, "problem"), plural(n_files, "file")));
            }
        }

        let mut wrote_baseline = false;
        if let Some(path) = &self.args.write_baseline {
            baseline::write(path, &analysis.db, &analysis.findings)?;
            notes.push(format!(
                "Wrote {} to the baseline `{}`",
                plural(analysis.findings.len(), "finding"),
                path.display()
            ));
            wrote_baseline = true;
        }
        if let Some(baseline) = &baseline {
            let n_hidden = baseline.filter(&analysis.db, &mut analysis.findings);
            let path = self.args.baseline.as_deref().unwrap_or(Path::new(""));
            notes.push(format!("{} hidden by the baseline `{}`", plural(n_hidden, "finding"), path.display()));
        }
        let problems = sidecar_problems.into_iter().chain(analysis_problems).chain(problems).collect();
        Ok(Outcome { analysis, notes, problems, diff, wrote_baseline })
    }

    /// One analysis of `inputs` with every step up to the baseline: suppressions, IAM012 and
    /// overrides. Returns the problems the sidecars' pointers and lines met.
    fn analyse(&self, inputs: &[SourceInput], sidecars: &[Sidecar]) -> (Analysis, Vec<Problem>) {
        let run_settings = match self.config {
            Some(config) => config.run_settings(self.settings),
            None => self.settings.clone(),
        };
        let mut analysis = analyze(inputs.to_vec(), &run_settings);
        let (unused_sidecar, problems) = suppressions::apply(&mut analysis, sidecars, &run_settings);
        if self.args.report_unused_ignores {
            let mut unused: Vec<_> = analysis
                .unused_suppressions
                .iter()
                .map(|suppression| (suppression.clone(), suppression.span))
                .collect();
            unused.extend(unused_sidecar);
            let db = &analysis.db;
            let settings_for = |file: FileId| match (self.config, db.get(file)) {
                (Some(config), Some(source)) => config.settings_for(self.settings, &absolute(&source.path)),
                _ => self.settings.clone(),
            };
            let found = suppressions::unused_findings(unused, db, &settings_for);
            analysis.findings.extend(found);
            rein_diagnostics::sort_findings(&mut analysis.findings);
        }
        if let Some(config) = self.config {
            let db = &analysis.db;
            let path_of = |finding: &Finding| db.get(finding.span.file).map(|source| absolute(&source.path));
            analysis.findings = config.filter(self.settings, std::mem::take(&mut analysis.findings), &path_of);
        }
        (analysis, problems)
    }

    /// The findings that would be reported: those the baseline does not hold.
    fn reported(&self, analysis: &Analysis, baseline: Option<&Baseline>) -> Vec<Finding> {
        let mut findings = analysis.findings.clone();
        if let Some(baseline) = baseline {
            baseline.filter(&analysis.db, &mut findings);
        }
        findings
    }
}

/// A path of the run (relative to the current directory, or absolute) made absolute.
fn absolute(path: &str) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| PathBuf::from(path))
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}
