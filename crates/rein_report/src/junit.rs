//! The JUnit XML report of `rein check --format junit`, for CI systems that show test results.
//!
//! The shape:
//! - one `<testsuite>` per file read, named by its path, in the order the files were read;
//! - in it, one `<testcase classname="FILE" name="RULE">` per rule that reported something on
//!   that file, failing with a `<failure>` that lists the findings, one per line
//!   (`FILE:LINE:COL: SEVERITY[RULE]: MESSAGE`);
//! - a file without findings holds one passing `<testcase classname="FILE" name="rein"/>`, so a
//!   clean file shows as a passed test;
//! - a path that could not be read is a suite of its own whose test case `read` has an `<error>`.
//!
//! Every finding is a failure, whatever its severity (the `type` attribute names the highest);
//! the exit code, not this report, applies `--fail-on`. Lines and columns are one-based and
//! count characters, as in the human and JSON reports.

use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use rein_diagnostics::{Finding, Severity};
use rein_text::{FileId, SourceDb};

use crate::{Problem, locate};

/// One `<testcase>`: a rule on a file, with its findings (none for a passing case).
struct Case<'a> {
    name: &'a str,
    findings: Vec<&'a Finding>,
}

/// The report as an XML document with a trailing newline.
pub fn to_string(db: &SourceDb, findings: &[Finding], problems: &[Problem]) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a `Vec` cannot fail.
    let _ = write_document(&mut writer, db, findings, problems);
    let mut text = String::from_utf8_lossy(&writer.into_inner()).into_owned();
    text.push('\n');
    text
}

/// Writes the report for `findings` to `out`.
pub fn write(out: &mut dyn Write, db: &SourceDb, findings: &[Finding], problems: &[Problem]) -> io::Result<()> {
    out.write_all(to_string(db, findings, problems).as_bytes())
}

fn write_document(
    writer: &mut Writer<Vec<u8>>,
    db: &SourceDb,
    findings: &[Finding],
    problems: &[Problem],
) -> io::Result<()> {
    let suites: Vec<(&str, Vec<Case<'_>>)> =
        db.iter().map(|file| (file.path.as_str(), cases(findings, file.id))).collect();
    let n_tests = suites.iter().map(|(_, cases)| cases.len()).sum::<usize>() + problems.len();
    let n_failures = suites.iter().flat_map(|(_, cases)| cases).filter(|case| !case.findings.is_empty()).count();

    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let root = suite_start("testsuites", "rein", n_tests, n_failures, problems.len());
    writer.write_event(Event::Start(root))?;
    for (path, cases) in &suites {
        let n_failures = cases.iter().filter(|case| !case.findings.is_empty()).count();
        writer.write_event(Event::Start(suite_start("testsuite", path, cases.len(), n_failures, 0)))?;
        for case in cases {
            let start = BytesStart::new("testcase")
                .with_attributes([("classname", clean(path).as_str()), ("name", clean(case.name).as_str())]);
            let Some(worst) = case.findings.iter().map(|finding| finding.severity).max() else {
                writer.write_event(Event::Empty(start))?;
                continue;
            };
            writer.write_event(Event::Start(start))?;
            let n_findings = case.findings.len();
            let message = format!("{n_findings} {}", if n_findings == 1 { "finding" } else { "findings" });
            let failure =
                BytesStart::new("failure").with_attributes([("message", message.as_str()), ("type", worst.as_str())]);
            writer.write_event(Event::Start(failure))?;
            let body: Vec<String> = case.findings.iter().map(|finding| finding_line(db, finding)).collect();
            writer.write_event(Event::Text(BytesText::new(&clean(&body.join("\n")))))?;
            writer.write_event(Event::End(BytesEnd::new("failure")))?;
            writer.write_event(Event::End(BytesEnd::new("testcase")))?;
        }
        writer.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    for problem in problems {
        let path = clean(&problem.path);
        writer.write_event(Event::Start(suite_start("testsuite", &path, 1, 0, 1)))?;
        writer.write_event(Event::Start(
            BytesStart::new("testcase").with_attributes([("classname", path.as_str()), ("name", "read")]),
        ))?;
        let message = clean(&problem.message);
        writer.write_event(Event::Empty(
            BytesStart::new("error").with_attributes([("message", message.as_str()), ("type", "io")]),
        ))?;
        writer.write_event(Event::End(BytesEnd::new("testcase")))?;
        writer.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    writer.write_event(Event::End(BytesEnd::new("testsuites")))
}

/// The test cases of one file: a failing case per rule, in rule-id order, or one passing case.
fn cases(findings: &[Finding], file: FileId) -> Vec<Case<'_>> {
    let mut of_file: Vec<&Finding> = findings.iter().filter(|finding| finding.span.file == file).collect();
    if of_file.is_empty() {
        return vec![Case { name: "rein", findings: Vec::new() }];
    }
    // Stable: within a rule the findings keep their report order.
    of_file.sort_by_key(|finding| finding.rule);
    let mut cases: Vec<Case<'_>> = Vec::new();
    for finding in of_file {
        match cases.last_mut() {
            Some(case) if case.name == finding.rule => case.findings.push(finding),
            _ => cases.push(Case { name: finding.rule, findings: vec![finding] }),
        }
    }
    cases
}

/// A `<testsuites>` or `<testsuite>` start tag with its name and counts.
fn suite_start(
    tag: &'static str,
    name: &str,
    n_tests: usize,
    n_failures: usize,
    n_errors: usize,
) -> BytesStart<'static> {
    let mut start = BytesStart::new(tag);
    start.push_attribute(("name", clean(name).as_str()));
    start.push_attribute(("tests", n_tests.to_string().as_str()));
    start.push_attribute(("failures", n_failures.to_string().as_str()));
    start.push_attribute(("errors", n_errors.to_string().as_str()));
    start
}

fn finding_line(db: &SourceDb, finding: &Finding) -> String {
    let (path, position) = locate(db, finding.span);
    let severity: Severity = finding.severity;
    format!("{path}:{}:{}: {severity}[{}]: {}", position.line, position.column, finding.rule, finding.message)
}

/// Replaces the characters XML 1.0 does not allow even as references (most C0 controls,
/// U+FFFE, U+FFFF) with U+FFFD; escaping of `<`, `&` and quotes is the writer's job.
fn clean(text: &str) -> String {
    text.chars()
        .map(|ch| match ch {
            '\t' | '\n' | '\r' => ch,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            _ => ch,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use quick_xml::{Reader, XmlVersion};
    use rein_text::Span;

    use super::*;

    /// An element's name and its attributes.
    type Tag = (String, Vec<(String, String)>);

    /// Parses `xml` with quick-xml, failing on malformed input or mismatched end tags, and
    /// returns the start and empty tags with their unescaped attributes, and the unescaped text.
    fn parse(xml: &str) -> (Vec<Tag>, String) {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        let mut tags = Vec::new();
        let mut text = String::new();
        let mut depth = 0usize;
        loop {
            let event = reader.read_event().unwrap();
            match &event {
                Event::Start(tag) | Event::Empty(tag) => {
                    let name = tag.name().into_inner().to_owned();
                    let attributes = tag
                        .attributes()
                        .map(|attr| {
                            let attr = attr.unwrap();
                            let key = attr.key.into_inner().to_owned();
                            (key, attr.normalized_value(XmlVersion::Implicit1_0).unwrap().into_owned())
                        })
                        .collect();
                    tags.push((name, attributes));
                    if matches!(event, Event::Start(_)) {
                        depth += 1;
                    }
                }
                Event::End(_) => depth -= 1,
                Event::Text(chunk) => text.push_str(&chunk.xml_content(XmlVersion::Implicit1_0)),
                Event::GeneralRef(reference) => {
                    let name = reference.xml_content(XmlVersion::Implicit1_0);
                    text.push_str(quick_xml::escape::resolve_predefined_entity(&name).unwrap());
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0, "unclosed elements");
        (tags, text)
    }

    #[test]
    fn round_trips_through_an_xml_parser() {
        let mut db = SourceDb::new();
        let hostile = "{\"Action\": \"<s3:&Get\\\"\u{1}'>\"}";
        let dirty = db.add("dir/<a&b>.json", hostile);
        db.add("clean.json", "{}");
        let span = Span::from_offsets(dirty, 11, 24);
        let findings = vec![
            Finding::new("IAM006", "unknown-action", Severity::Error, span, "`<s3:&Get\"\u{1}'>` is not an action"),
            Finding::new("IAM006", "unknown-action", Severity::Warning, span, "second"),
            Finding::new("IAM103", "wildcard-action", Severity::Info, span, "third"),
        ];
        let problems =
            vec![Problem { path: "gone\".json".into(), message: "cannot read `gone\".json`: denied".into() }];
        let xml = to_string(&db, &findings, &problems);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"), "{xml}");
        let (tags, text) = parse(&xml);
        let names: Vec<&str> = tags.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "testsuites",
                "testsuite",
                "testcase",
                "failure",
                "testcase",
                "failure",
                "testsuite",
                "testcase",
                "testsuite",
                "testcase",
                "error"
            ]
        );
        let attr = |idx: usize, key: &str| {
            tags[idx].1.iter().find(|(name, _)| name == key).map(|(_, value)| value.clone()).unwrap()
        };
        assert_eq!(attr(0, "tests"), "4");
        assert_eq!(attr(0, "failures"), "2");
        assert_eq!(attr(0, "errors"), "1");
        assert_eq!(attr(1, "name"), "dir/<a&b>.json");
        assert_eq!(attr(2, "classname"), "dir/<a&b>.json");
        assert_eq!(attr(2, "name"), "IAM006");
        assert_eq!(attr(3, "message"), "2 findings");
        assert_eq!(attr(3, "type"), "error");
        assert_eq!(attr(7, "name"), "rein");
        assert_eq!(attr(10, "message"), "cannot read `gone\".json`: denied");
        assert!(
            text.contains("dir/<a&b>.json:1:12: error[IAM006]: `<s3:&Get\"\u{fffd}'>` is not an action\n"),
            "{text}"
        );
        assert!(text.contains("warning[IAM006]: second"), "{text}");
        assert!(text.contains("info[IAM103]: third"), "{text}");
    }
}
