//! Suppressions beyond the ones the frontends read: sidecar files for policy JSON (which cannot
//! hold comments), and the report of suppressions that hid nothing (IAM012).
//!
//! A policy JSON file `policy.json` takes its suppressions from `policy.json.rein.toml` beside
//! it:
//!
//! ```toml
//! [[ignore]]
//! id = "IAM105"                      # a rule id, name or alias
//! reason = "log groups get random names at run time"
//! pointer = "/Statement/0/Resource"  # optional: findings inside this JSON value (RFC 6901)
//! # line = 8                         # optional instead: findings that start on this line
//! ```
//!
//! An entry with neither `pointer` nor `line` covers the whole file.

use std::collections::BTreeMap;
use std::path::Path;

use jsonc_parser::ast::Value as JsonValue;
use jsonc_parser::common::Ranged;
use rein_analysis::{Analysis, FileKind, SourceInput};
use rein_diagnostics::Finding;
use rein_model::{Suppression, SuppressionScope, SuppressionSyntax};
use rein_report::Problem;
use rein_rules::{DeclaredRule, Settings, all_rules, names_rule};
use rein_text::{FileId, Span, range_from_offsets};
use serde::Deserialize;
use toml::Spanned;

/// The suffix that turns a policy file's name into its sidecar's.
pub const SIDECAR_SUFFIX: &str = ".rein.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SidecarFile {
    #[serde(default)]
    ignore: Vec<Spanned<SidecarEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SidecarEntry {
    id: Spanned<String>,
    reason: String,
    line: Option<Spanned<usize>>,
    pointer: Option<Spanned<String>>,
}

/// The sidecar of one policy file, read and checked.
#[derive(Debug)]
pub struct Sidecar {
    /// The sidecar's path, for messages and reports.
    path: String,
    text: String,
    /// The policy file it belongs to, as the run names it.
    target: String,
    entries: Vec<Spanned<SidecarEntry>>,
}

/// Reads the sidecar of every policy JSON input that has one. A sidecar that cannot be read or
/// says something wrong is a problem naming its file, line and column.
pub fn load(inputs: &[SourceInput]) -> (Vec<Sidecar>, Vec<Problem>) {
    let mut sidecars = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        if input.kind != Some(FileKind::PolicyJson) {
            continue;
        }
        let path = format!("{}{SIDECAR_SUFFIX}", input.path);
        if !Path::new(&path).is_file() {
            continue;
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) => {
                problems.push(Problem {
                    path: path.clone(),
                    message: format!("cannot read `{path}`: {}", crate::discover::io_reason(&err)),
                });
                continue;
            }
        };
        let at = |offset: usize, message: &str| {
            let (line, column) = rein_config::line_column(&text, offset);
            Problem { path: path.clone(), message: format!("{path}:{line}:{column}: {message}") }
        };
        let file: SidecarFile = match toml::from_str(&text) {
            Ok(file) => file,
            Err(err) => {
                problems.push(at(err.span().map_or(0, |span| span.start), err.message().trim_end()));
                continue;
            }
        };
        let mut ok = true;
        for entry in &file.ignore {
            let entry = entry.get_ref();
            if !all_rules().iter().any(|rule| names_rule(entry.id.get_ref(), rule.meta())) {
                let message = format!("`{}` names no rule", entry.id.get_ref());
                problems.push(at(entry.id.span().start, &message));
                ok = false;
            }
            if let (Some(line), Some(_)) = (&entry.line, &entry.pointer) {
                problems.push(at(line.span().start, "give `line` or `pointer`, not both"));
                ok = false;
            }
        }
        if ok {
            sidecars.push(Sidecar { path, text, target: input.path.clone(), entries: file.ignore });
        }
    }
    (sidecars, problems)
}

/// A suppression of a sidecar, with the span of its entry in the sidecar file.
struct Resolved {
    suppression: Suppression,
    entry: Span,
}

/// Applies the sidecars to `analysis`: drops the findings they cover, adds each sidecar to the
/// source db (so that IAM012 can point into it), and returns the entries that hid nothing as
/// (suppression, entry span) pairs, plus the problems met (a pointer or line the policy file
/// does not have).
pub fn apply(
    analysis: &mut Analysis,
    sidecars: &[Sidecar],
    settings: &Settings,
) -> (Vec<(Suppression, Span)>, Vec<Problem>) {
    let mut resolved: Vec<Resolved> = Vec::new();
    let mut problems = Vec::new();
    for sidecar in sidecars {
        let Some(target) = analysis.db.iter().find(|file| file.path == sidecar.target) else { continue };
        let (target_id, target_text) = (target.id, target.text.clone());
        let sidecar_id = analysis.db.add(sidecar.path.clone(), sidecar.text.clone());
        for entry in &sidecar.entries {
            let entry = entry.get_ref();
            // IAM012 points at the rule the entry names.
            let entry_span = Span::new(sidecar_id, range_from_offsets(entry.id.span().start, entry.id.span().end));
            let scope = if let Some(line) = &entry.line {
                match line_range(&target_text, *line.get_ref()) {
                    Some((start, end)) => SuppressionScope::Range(Span::new(target_id, range_from_offsets(start, end))),
                    None => {
                        let (l, c) = rein_config::line_column(&sidecar.text, line.span().start);
                        let n = line.get_ref();
                        let message = format!("{}:{l}:{c}: `{}` has no line {n}", sidecar.path, sidecar.target);
                        problems.push(Problem { path: sidecar.path.clone(), message });
                        continue;
                    }
                }
            } else if let Some(pointer) = &entry.pointer {
                match pointer_range(&target_text, pointer.get_ref()) {
                    Some((start, end)) => SuppressionScope::Range(Span::new(target_id, range_from_offsets(start, end))),
                    None => {
                        let (l, c) = rein_config::line_column(&sidecar.text, pointer.span().start);
                        let p = pointer.get_ref();
                        let message = format!("{}:{l}:{c}: `{p}` is not in `{}`", sidecar.path, sidecar.target);
                        problems.push(Problem { path: sidecar.path.clone(), message });
                        continue;
                    }
                }
            } else {
                SuppressionScope::File
            };
            let span = match &scope {
                SuppressionScope::Range(span) => *span,
                SuppressionScope::File => Span::new(target_id, range_from_offsets(0, 0)),
            };
            let suppression = Suppression {
                rule: entry.id.get_ref().clone(),
                reason: Some(entry.reason.clone()),
                span,
                scope,
                syntax: SuppressionSyntax::Rein,
            };
            resolved.push(Resolved { suppression, entry: entry_span });
        }
    }
    if resolved.is_empty() {
        return (Vec::new(), problems);
    }
    let suppressions: Vec<Suppression> = resolved.iter().map(|r| r.suppression.clone()).collect();
    let suppressed = rein_rules::apply_suppressions(std::mem::take(&mut analysis.findings), &suppressions, settings);
    analysis.findings = suppressed.findings;
    analysis.n_suppressed += suppressed.n_suppressed;
    let unused = resolved
        .into_iter()
        .filter(|r| suppressed.unused.contains(&r.suppression))
        .map(|r| (r.suppression, r.entry))
        .collect();
    (unused, problems)
}

/// The byte range of one-based line `line` of `text`, without its line break.
fn line_range(text: &str, line: usize) -> Option<(usize, usize)> {
    let mut start = 0;
    for (idx, content) in text.split_inclusive('\n').enumerate() {
        if idx + 1 == line {
            let trimmed = content.trim_end_matches(['\n', '\r']);
            return Some((start, start + trimmed.len()));
        }
        start += content.len();
    }
    None
}

/// How deep a document may nest for a pointer to be looked up in it. The JSON parser recurses
/// once per level, so hostile nesting must be refused before it parses; no IAM policy comes
/// near this (the policy reader refuses deeper documents too).
const MAX_POINTER_DEPTH: usize = 128;

/// The byte range of the JSON value that the RFC 6901 `pointer` names in `text`.
fn pointer_range(text: &str, pointer: &str) -> Option<(usize, usize)> {
    if nesting_depth(text) > MAX_POINTER_DEPTH {
        return None;
    }
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).ok()?;
    let mut value = parsed.value?;
    if pointer.is_empty() {
        let range = value.range();
        return Some((range.start, range.end));
    }
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        value = match value {
            JsonValue::Object(object) => object.properties.into_iter().find(|prop| prop.name.as_str() == token)?.value,
            JsonValue::Array(array) => {
                let index: usize = token.parse().ok()?;
                array.elements.into_iter().nth(index)?
            }
            _ => return None,
        };
    }
    let range = value.range();
    Some((range.start, range.end))
}

/// The deepest nesting of arrays and objects in `text`, not counting brackets inside strings.
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// IAM012 findings for the suppressions that hid nothing: written by rein (a peer's comment may
/// be there for the peer), naming a known rule that ran for that file. `settings_for` gives
/// the settings of a file (with overrides applied).
pub fn unused_findings(
    unused: Vec<(Suppression, Span)>,
    db: &rein_text::SourceDb,
    settings_for: &dyn Fn(FileId) -> Settings,
) -> Vec<Finding> {
    let meta = rein_rules::rules::grammar::UnusedSuppression.meta();
    let mut cache: BTreeMap<FileId, Settings> = BTreeMap::new();
    let mut findings = Vec::new();
    for (suppression, span) in unused {
        if suppression.syntax != SuppressionSyntax::Rein {
            continue;
        }
        let file = suppression.span.file;
        let settings = cache.entry(file).or_insert_with(|| settings_for(file));
        let named: Vec<_> = all_rules().iter().filter(|rule| names_rule(&suppression.rule, rule.meta())).collect();
        // A rule that did not run cannot have been suppressed: say nothing about it. A name
        // that matches no rule is IAM011's business.
        if named.is_empty()
            || !named.iter().any(|rule| settings.enables(**rule))
            || !settings.enables(&rein_rules::rules::grammar::UnusedSuppression)
        {
            continue;
        }
        let severity = settings.severity.get(meta.id).copied().unwrap_or(meta.severity);
        let mut finding = Finding::new(
            meta.id,
            meta.name(),
            severity,
            span,
            format!("The suppression of `{}` hid no finding", suppression.rule),
        );
        if db.get(span.file).is_some_and(|source| source.path.ends_with(SIDECAR_SUFFIX)) {
            finding.notes.push("remove this entry, or point it at where the finding now is".to_owned());
        } else {
            finding.notes.push("remove the suppression, or move it to where the finding now is".to_owned());
        }
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_and_lines_find_their_text() {
        let text = "{\n  \"Statement\": [{\"Resource\": \"*\", \"a/b\": 1}]\n}\n";
        let (start, end) = pointer_range(text, "/Statement/0/Resource").unwrap();
        assert_eq!(&text[start..end], "\"*\"");
        let (start, end) = pointer_range(text, "/Statement/0/a~1b").unwrap();
        assert_eq!(&text[start..end], "1");
        assert_eq!(pointer_range(text, "/Statement/1"), None);
        assert_eq!(pointer_range(text, "Statement"), None);
        let (start, end) = line_range(text, 2).unwrap();
        assert!(text[start..end].starts_with("  \"Statement\""));
        assert_eq!(line_range(text, 9), None);
    }

    #[test]
    fn hostile_nesting_is_refused_before_parsing() {
        assert_eq!(nesting_depth(r#"{"a": ["[[[", {"b": "\"{"}]}"#), 3);
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(pointer_range(&deep, "/0"), None);
    }
}
