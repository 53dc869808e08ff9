//! The SARIF 2.1.0 report of `rein check --format sarif`, for code-scanning services.
//!
//! One run: `tool.driver` describes rein and the rules that reported something (their help is
//! the rule's doc comment), `results` hold the findings with their fixes, `artifacts` the files
//! read, and `invocations` whether the run succeeded, with a notification per file that could
//! not be read. Columns count UTF-16 code units, the default `columnKind` of SARIF, which the
//! run also states explicitly. Paths are URIs relative to `%SRCROOT%`, the working directory.
//!
//! The output is deterministic: no timestamps, and every list is in report order. It is valid
//! against the official schema, `schemas/vendor/sarif-schema-2.1.0.json` (a test checks it).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use rein_diagnostics::{Finding, Fix, Severity};
use rein_rules::{RuleDocs, RuleMeta, find_rule};
use rein_text::{ColumnUnit, SourceDb, SourceFile, Span, TextRange};
use serde::Serialize;

use crate::rules::{first_sentence, rule_doc_url};
use crate::{Problem, RunInfo, fingerprint};

/// The schema URI that `$schema` names.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The base id that relative artifact URIs resolve against.
const SRCROOT: &str = "%SRCROOT%";

/// The `partialFingerprints` key; the value is [`fingerprint::fingerprints`]' stable identity.
const FINGERPRINT_KEY: &str = "reinFinding/v1";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    artifacts: Vec<Artifact>,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: String,
    information_uri: String,
    rules: Vec<ReportingDescriptor>,
    properties: DriverProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DriverProperties {
    catalog_source: String,
    catalog_date: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleProperties {
    /// Peer ids and former names, accepted wherever the id is.
    aliases: Vec<&'static str>,
    category: &'static str,
    /// Code-scanning services sort alerts by this score (0.0–10.0, as a string).
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

/// A file read. Its length is left out: the text the spans point into may differ from the
/// bytes on disk (a byte-order mark, invalid UTF-8 replaced), and SARIF counts bytes.
#[derive(Serialize)]
struct Artifact {
    location: ArtifactLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    exit_code: i32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    working_directory: Option<ArtifactLocation>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

/// One-based lines and UTF-16 columns; `end_column` is the column just past the end.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    /// `safe`, `unsafe` or `display-only`.
    applicability: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

/// The SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The SARIF log for `findings`, whose spans point into `db`, as pretty-printed JSON with a
/// trailing newline.
pub fn to_string(db: &SourceDb, findings: &[Finding], run: &RunInfo<'_>) -> String {
    let log = log(db, findings, run);
    // Plain structs of strings and integers always serialize; an empty object keeps the output
    // valid JSON should that ever change.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// Writes the SARIF log for `findings` to `out`.
pub fn write(out: &mut dyn Write, db: &SourceDb, findings: &[Finding], run: &RunInfo<'_>) -> io::Result<()> {
    out.write_all(to_string(db, findings, run).as_bytes())
}

fn log(db: &SourceDb, findings: &[Finding], run: &RunInfo<'_>) -> Log {
    let uris = Uris { working_dir: run.working_dir };
    // The rules that reported something, in id order; the registry is the source of their help.
    let mut rule_ids: Vec<&'static str> = findings.iter().map(|finding| finding.rule).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let metas: Vec<&'static RuleMeta> =
        rule_ids.iter().filter_map(|id| find_rule(id)).map(|rule| rule.meta()).collect();
    let rules: Vec<ReportingDescriptor> = metas.iter().map(|meta| descriptor(meta)).collect();

    let artifacts: Vec<Artifact> =
        db.iter().map(|file| Artifact { location: uris.location(&file.path, None) }).collect();
    let indices: std::collections::HashMap<rein_text::FileId, usize> =
        db.iter().enumerate().map(|(idx, file)| (file.id, idx)).collect();
    let artifact_index = |span: Span| indices.get(&span.file).copied();

    let prints = fingerprint::fingerprints(db, findings);
    let results = findings
        .iter()
        .zip(prints)
        .map(|(finding, print)| {
            let physical = |span: Span| physical_location(db, &uris, span, artifact_index(span));
            SarifResult {
                rule_id: finding.rule.to_owned(),
                rule_index: metas.iter().position(|meta| meta.id == finding.rule),
                level: level(finding.severity),
                message: Text { text: message_text(finding) },
                locations: vec![Location { id: None, physical_location: physical(finding.span), message: None }],
                related_locations: finding
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(idx, label)| Location {
                        id: Some(idx),
                        physical_location: physical(label.span),
                        message: Some(Text { text: label.message.clone() }),
                    })
                    .collect(),
                partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, print)]),
                fixes: finding.fixes.iter().filter_map(|fix| sarif_fix(db, &uris, fix, &artifact_index)).collect(),
            }
        })
        .collect();

    let mut notifications: Vec<Notification> =
        run.problems.iter().map(|problem| notification(&uris, problem)).collect();
    notifications.extend(run.warnings.iter().map(|warning| Notification {
        level: "warning",
        message: Text { text: warning.clone() },
        locations: Vec::new(),
    }));
    let mut original_uri_base_ids = BTreeMap::new();
    let working_directory = run.working_dir.map(|dir| {
        let uri = directory_uri(dir);
        original_uri_base_ids.insert(SRCROOT, ArtifactLocation { uri: uri.clone(), uri_base_id: None, index: None });
        ArtifactLocation { uri, uri_base_id: None, index: None }
    });

    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "rein",
                    version: run.tool.version.clone(),
                    information_uri: crate::rules::REPOSITORY.to_owned(),
                    rules,
                    properties: DriverProperties {
                        catalog_source: run.tool.catalog_source.clone(),
                        catalog_date: run.tool.catalog_date.clone(),
                    },
                },
            },
            original_uri_base_ids,
            artifacts,
            invocations: vec![Invocation {
                execution_successful: run.problems.is_empty(),
                exit_code: run.exit_code,
                tool_execution_notifications: notifications,
                working_directory,
            }],
            results,
            column_kind: "utf16CodeUnits",
        }],
    }
}

fn descriptor(meta: &RuleMeta) -> ReportingDescriptor {
    let documentation = meta.documentation();
    let docs = RuleDocs::parse(&documentation);
    let summary = docs.summary();
    let short = first_sentence(&summary);
    ReportingDescriptor {
        id: meta.id.to_owned(),
        name: meta.name().to_owned(),
        short_description: Text { text: short.to_owned() },
        full_description: Text { text: summary.clone() },
        help: Help { text: documentation.trim().to_owned(), markdown: crate::rules::render_rule_docs(meta) },
        help_uri: rule_doc_url(meta.id),
        default_configuration: Configuration { level: level(meta.severity) },
        properties: RuleProperties {
            aliases: meta.aliases.to_vec(),
            category: meta.category.as_str(),
            security_severity: match meta.severity {
                Severity::Error => "8.0",
                Severity::Warning => "5.0",
                Severity::Info => "2.0",
            },
            tags: vec!["security", meta.category.as_str()],
        },
    }
}

/// The message, with the finding's notes as further sentences.
fn message_text(finding: &Finding) -> String {
    let mut text = finding.message.clone();
    for note in &finding.notes {
        text.push_str("\n\nNote: ");
        text.push_str(note);
    }
    text
}

fn physical_location(db: &SourceDb, uris: &Uris<'_>, span: Span, index: Option<usize>) -> PhysicalLocation {
    match db.get(span.file) {
        Some(file) => PhysicalLocation {
            artifact_location: uris.location(&file.path, index),
            region: Some(region(file, span.range)),
        },
        None => {
            debug_assert!(false, "span of a file that is not in the source db: {span:?}");
            PhysicalLocation {
                artifact_location: ArtifactLocation { uri: String::new(), uri_base_id: None, index: None },
                region: None,
            }
        }
    }
}

fn region(file: &SourceFile, range: TextRange) -> Region {
    let start = file.line_index.line_col(range.start(), ColumnUnit::Utf16);
    let end = file.line_index.line_col(range.end(), ColumnUnit::Utf16);
    Region {
        start_line: start.line.saturating_add(1),
        start_column: start.col.saturating_add(1),
        end_line: end.line.saturating_add(1),
        end_column: end.col.saturating_add(1),
    }
}

/// A fix as artifact changes, one per file, its edits in file order. A fix whose edits point
/// into no known file is left out (it could not be applied either).
fn sarif_fix(db: &SourceDb, uris: &Uris<'_>, fix: &Fix, index: &dyn Fn(Span) -> Option<usize>) -> Option<SarifFix> {
    let mut by_file: BTreeMap<usize, Vec<&rein_text::TextEdit>> = BTreeMap::new();
    for edit in &fix.edits {
        by_file.entry(index(edit.span)?).or_default().push(edit);
    }
    let mut artifact_changes = Vec::new();
    for (artifact_idx, mut edits) in by_file {
        let file = edits.first().and_then(|edit| db.get(edit.span.file))?;
        edits.sort_by_key(|edit| edit.span.range.start());
        artifact_changes.push(ArtifactChange {
            artifact_location: uris.location(&file.path, Some(artifact_idx)),
            replacements: edits
                .iter()
                .map(|edit| Replacement {
                    deleted_region: region(file, edit.span.range),
                    inserted_content: Text { text: edit.new_text.clone() },
                })
                .collect(),
        });
    }
    if artifact_changes.is_empty() {
        return None;
    }
    Some(SarifFix {
        description: Text { text: fix.title.clone() },
        artifact_changes,
        properties: FixProperties { applicability: fix.applicability.as_str() },
    })
}

fn notification(uris: &Uris<'_>, problem: &Problem) -> Notification {
    Notification {
        level: "error",
        message: Text { text: problem.message.clone() },
        locations: vec![Location {
            id: None,
            physical_location: PhysicalLocation { artifact_location: uris.location(&problem.path, None), region: None },
            message: None,
        }],
    }
}

/// Turns report paths into artifact locations.
struct Uris<'a> {
    working_dir: Option<&'a Path>,
}

impl Uris<'_> {
    /// A relative path resolves against `%SRCROOT%`; an absolute one inside the working
    /// directory is made relative to it; any other absolute path becomes a `file:` URI.
    fn location(&self, path: &str, index: Option<usize>) -> ArtifactLocation {
        let as_path = Path::new(path);
        let relative = if as_path.is_absolute() {
            self.working_dir.and_then(|dir| as_path.strip_prefix(dir).ok())
        } else {
            Some(as_path)
        };
        match relative {
            Some(relative) => {
                ArtifactLocation { uri: encode_path(&relative.to_string_lossy()), uri_base_id: Some(SRCROOT), index }
            }
            None => ArtifactLocation { uri: file_uri(path), uri_base_id: None, index },
        }
    }
}

/// `file:` URI of an absolute directory, ending in `/` as SARIF requires of base URIs.
fn directory_uri(dir: &Path) -> String {
    let mut uri = file_uri(&dir.to_string_lossy());
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn file_uri(path: &str) -> String {
    let encoded = encode_path(path);
    if encoded.starts_with('/') { format!("file://{encoded}") } else { format!("file:///{encoded}") }
}

/// Percent-encodes a path for a URI: everything but unreserved characters and `/` (RFC 3986
/// §2.3), with Windows separators turned into `/`.
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(char::from(byte)),
            b'\\' if cfg!(windows) => out.push('/'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use rein_diagnostics::Applicability;
    use rein_text::{TextEdit, range_from_offsets};

    use super::*;
    use crate::ToolInfo;

    fn tool() -> ToolInfo {
        ToolInfo { version: "0.1.0".into(), catalog_source: "src 1".into(), catalog_date: "2026-01-02".into() }
    }

    #[test]
    fn columns_count_utf16_code_units_and_fixes_become_replacements() {
        let mut db = SourceDb::new();
        // U+1F600 is two UTF-16 code units, one character, four UTF-8 bytes.
        let text = "{\"Sid\": \"\u{1F600}\", \"Action\": \"*\"}\n";
        let file = db.add("dir/a b.json", text);
        let start = text.find("\"*\"").unwrap();
        let span = Span::new(file, range_from_offsets(start, start + 3));
        let finding = Finding::new("IAM103", "wildcard-action", Severity::Error, span, "`*` grants every action")
            .with_label(Span::new(file, range_from_offsets(0, 1)), "in this document")
            .with_note("see the docs")
            .with_fix(Fix::new("Replace it", Applicability::Unsafe, vec![TextEdit::replace(span, "\"s3:Get*\"")]));
        let tool = tool();
        let problems = vec![Problem { path: "gone.json".into(), message: "cannot read `gone.json`: denied".into() }];
        let run = RunInfo {
            tool: &tool,
            problems: &problems,
            warnings: &[],
            exit_code: 2,
            working_dir: Some(Path::new("/work/x y")),
        };
        let log: serde_json::Value = serde_json::from_str(&to_string(&db, &[finding], &run)).unwrap();
        let run = &log["runs"][0];
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "IAM103");
        assert_eq!(result["ruleIndex"], 0);
        assert_eq!(result["level"], "error");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "dir/a%20b.json");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        // `{"Sid": "😀", "Action": ` is 23 characters but 24 UTF-16 code units.
        assert_eq!(location["region"]["startColumn"], 25);
        assert_eq!(location["region"]["endColumn"], 28);
        assert_eq!(result["relatedLocations"][0]["message"]["text"], "in this document");
        assert!(result["message"]["text"].as_str().unwrap().ends_with("Note: see the docs"));
        let replacement = &result["fixes"][0]["artifactChanges"][0]["replacements"][0];
        assert_eq!(replacement["deletedRegion"]["startColumn"], 25);
        assert_eq!(replacement["insertedContent"]["text"], "\"s3:Get*\"");
        assert_eq!(result["partialFingerprints"][FINGERPRINT_KEY].as_str().unwrap().len(), 18);
        assert_eq!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///work/x%20y/");
        assert_eq!(run["invocations"][0]["executionSuccessful"], false);
        assert_eq!(run["invocations"][0]["toolExecutionNotifications"][0]["level"], "error");
        assert_eq!(run["artifacts"][0]["location"]["uri"], "dir/a%20b.json");
        let rule = &run["tool"]["driver"]["rules"][0];
        assert_eq!(rule["id"], "IAM103");
        assert_eq!(rule["helpUri"], rule_doc_url("IAM103"));
        assert!(rule["help"]["markdown"].as_str().unwrap().contains("## What it checks"));
        assert_eq!(run["tool"]["driver"]["properties"]["catalogDate"], "2026-01-02");
    }

    #[test]
    fn absolute_paths_inside_the_working_directory_become_relative() {
        let uris = Uris { working_dir: Some(Path::new("/repo")) };
        let inside = uris.location("/repo/iam/p.json", None);
        assert_eq!((inside.uri.as_str(), inside.uri_base_id), ("iam/p.json", Some(SRCROOT)));
        let outside = uris.location("/elsewhere/p.json", Some(3));
        assert_eq!(
            (outside.uri.as_str(), outside.uri_base_id, outside.index),
            ("file:///elsewhere/p.json", None, Some(3))
        );
        assert_eq!(encode_path("é%#?.json"), "%C3%A9%25%23%3F.json");
    }

    #[test]
    fn output_is_deterministic() {
        let mut db = SourceDb::new();
        let file = db.add("p.json", "{\"Action\": \"*\"}");
        let span = Span::from_offsets(file, 11, 14);
        let findings = vec![Finding::new("IAM103", "wildcard-action", Severity::Warning, span, "m")];
        let tool = tool();
        let warnings = ["skipping `a/up`: a loop".to_owned()];
        let run = RunInfo { tool: &tool, problems: &[], warnings: &warnings, exit_code: 1, working_dir: None };
        let text = to_string(&db, &findings, &run);
        assert_eq!(text, to_string(&db, &findings, &run));
        let log: serde_json::Value = serde_json::from_str(&text).unwrap();
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], true);
        assert_eq!(invocation["toolExecutionNotifications"][0]["level"], "warning");
    }
}
