//! GitHub Actions workflow commands (`rein check --format github`): one annotation per finding,
//! which GitHub shows on the pull request's diff.
//!
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=IAM106 (name)::message`, with
//! `::warning` for warnings and `::notice` for infos. Lines and columns are one-based and count
//! characters, `endColumn` is the column just past the end, as in the JSON report. The message
//! and property values are escaped as the workflow-command format requires: `%`, `\r` and `\n`
//! everywhere, and `:` and `,` in property values. A path that could not be read becomes an
//! `::error file=F::` annotation without a position.

use std::io::{self, Write};
use std::path::Path;

use rein_diagnostics::{Finding, Severity};
use rein_text::SourceDb;

use crate::{Problem, locate};

/// The annotations, one per line. Absolute paths inside `working_dir` are made relative to it,
/// as GitHub expects paths relative to the checkout.
pub fn to_string(db: &SourceDb, findings: &[Finding], problems: &[Problem], working_dir: Option<&Path>) -> String {
    let relative = |path: &str| -> String {
        working_dir
            .and_then(|dir| Path::new(path).strip_prefix(dir).ok())
            .map_or_else(|| path.to_owned(), |rest| rest.to_string_lossy().into_owned())
    };
    let mut out = String::new();
    for problem in problems {
        out.push_str(&format!(
            "::error file={}::{}\n",
            escape_property(&relative(&problem.path)),
            escape_data(&problem.message)
        ));
    }
    for finding in findings {
        let (path, position) = locate(db, finding.span);
        let path = relative(&path);
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = finding.message.clone();
        for note in &finding.notes {
            message.push_str("\nnote: ");
            message.push_str(note);
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&path),
            position.line,
            position.column,
            position.end_line,
            position.end_column,
            escape_property(&format!("{} ({})", finding.rule, finding.name)),
            escape_data(&message),
        ));
    }
    out
}

/// Writes the annotations to `out`.
pub fn write(
    out: &mut dyn Write,
    db: &SourceDb,
    findings: &[Finding],
    problems: &[Problem],
    working_dir: Option<&Path>,
) -> io::Result<()> {
    out.write_all(to_string(db, findings, problems, working_dir).as_bytes())
}

/// Escapes a command's message: `%`, `\r`, `\n`.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: as a message, plus `:` and `,`, which end a property.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use rein_text::Span;

    use super::*;

    #[test]
    fn annotations_are_escaped() {
        let mut db = SourceDb::new();
        let text = "{\n  \"Action\": \"s3:*\"\n}\n";
        let file = db.add("/repo/dir/a,b:c.json", text);
        let start = text.find("\"s3:*\"").unwrap();
        let span = Span::from_offsets(file, start, start + 6);
        let findings = vec![
            Finding::new("IAM103", "wildcard-action", Severity::Warning, span, "100% of `s3:*`\r\nis granted")
                .with_note("a, b"),
            Finding::new("IAM011", "invalid-suppression", Severity::Info, span, "info"),
        ];
        let problems = vec![Problem { path: "x:y.json".into(), message: "cannot read `x:y.json`: denied".into() }];
        let out = to_string(&db, &findings, &problems, Some(Path::new("/repo")));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "::error file=x%3Ay.json::cannot read `x:y.json`: denied");
        assert_eq!(
            lines[1],
            "::warning file=dir/a%2Cb%3Ac.json,line=2,col=13,endLine=2,endColumn=19,title=IAM103 (wildcard-action)::100%25 of `s3:*`%0D%0Ais granted%0Anote: a, b"
        );
        assert!(lines[2].starts_with("::notice file="), "{}", lines[2]);
        assert_eq!(lines.len(), 3);
    }
}
