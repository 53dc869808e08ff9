//! A quick pass over the raw text for what the JSON parser leaves unchecked: nesting depth, raw
//! control characters in strings, whitespace that JSON does not allow, and characters IAM rejects.
//!
//! `jsonc-parser` is lenient in a few places even with strict options (it accepts raw control
//! characters in strings and any Unicode whitespace between tokens), and it recurses once per
//! nesting level. This pass runs first so that the parser never sees input nested deeper than
//! [`MAX_DEPTH`] and so that the strictness gaps still become syntax errors.

use crate::policy::DocumentSize;

/// The deepest nesting of arrays and objects that is parsed. Real policies stay below ten.
pub(super) const MAX_DEPTH: usize = crate::tree::MAX_DEPTH;

/// The most invalid-character issues one document gets; one pasted paragraph is enough to show.
pub(super) const MAX_CHARACTER_ISSUES: usize = 20;

/// A syntax problem at a byte range of the decoded text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Problem {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// What the pass found.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// The first place where the text breaks JSON rules the parser does not enforce.
    pub first_problem: Option<Problem>,
    /// Set when arrays and objects nest deeper than [`MAX_DEPTH`]; the text must not be parsed.
    pub too_deep: Option<Problem>,
    /// Runs of characters IAM rejects, at most [`MAX_CHARACTER_ISSUES`].
    pub invalid_runs: Vec<Problem>,
}

/// Scans `text` from byte `start` (after a byte order mark, if any).
pub(super) fn scan(text: &str, start: usize) -> Scan {
    let mut result = Scan { invalid_runs: invalid_character_runs(text, start), ..Scan::default() };
    let bytes = text.as_bytes();
    let mut idx = start;
    let mut depth = 0usize;
    let mut in_string = false;
    while let Some(&byte) = bytes.get(idx) {
        if in_string {
            match byte {
                // The escaped byte cannot end the string; a bad escape is the parser's to report.
                b'\\' => idx += 1,
                b'"' => in_string = false,
                0x00..=0x1f if result.first_problem.is_none() => {
                    result.first_problem = Some(Problem {
                        start: idx,
                        end: idx + 1,
                        message: format!(
                            "control character {} must be escaped in a JSON string{}",
                            code_point(char::from(byte)),
                            escape_hint(byte)
                        ),
                    });
                }
                _ => {}
            }
            idx += 1;
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    result.too_deep = Some(Problem {
                        start: idx,
                        end: idx + 1,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                    return result;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            0x0b | 0x0c if result.first_problem.is_none() => {
                result.first_problem = Some(not_json_whitespace(idx, char::from(byte)));
            }
            0x80.. => {
                let Some(ch) = text.get(idx..).and_then(|rest| rest.chars().next()) else {
                    idx += 1;
                    continue;
                };
                if ch.is_whitespace() && result.first_problem.is_none() {
                    result.first_problem = Some(not_json_whitespace(idx, ch));
                }
                idx += ch.len_utf8();
                continue;
            }
            _ => {}
        }
        idx += 1;
    }
    result
}

fn not_json_whitespace(idx: usize, ch: char) -> Problem {
    Problem {
        start: idx,
        end: idx + ch.len_utf8(),
        message: format!(
            "character {} is not whitespace in JSON; only space, tab, line feed and carriage return are",
            code_point(ch)
        ),
    }
}

fn escape_hint(byte: u8) -> &'static str {
    match byte {
        b'\n' => " (write `\\n`)",
        b'\r' => " (write `\\r`)",
        b'\t' => " (write `\\t`)",
        _ => "",
    }
}

/// The length of a document in characters, with and without the whitespace between tokens.
///
/// IAM counts policy size without whitespace
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>); AWS Organizations
/// counts every character.
pub(super) fn document_size(text: &str) -> DocumentSize {
    let mut total = 0usize;
    let mut whitespace = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for ch in text.chars() {
        total += 1;
        if in_string {
            match ch {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else {
            match ch {
                '"' => in_string = true,
                ' ' | '\t' | '\n' | '\r' => whitespace += 1,
                _ => {}
            }
        }
    }
    DocumentSize { minified: total - whitespace, total }
}

/// Whether IAM accepts the character: TAB, LF, CR and U+0020–U+00FF.
///
/// The `PolicyDocument` parameter of the IAM API is constrained to this set
/// (<https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html>).
pub(super) fn is_iam_character(ch: char) -> bool {
    matches!(ch, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}')
}

fn invalid_character_runs(text: &str, start: usize) -> Vec<Problem> {
    let mut runs = Vec::new();
    let mut current: Option<(usize, usize, Vec<char>)> = None;
    let Some(rest) = text.get(start..) else {
        return runs;
    };
    for (offset, ch) in rest.char_indices() {
        if is_iam_character(ch) {
            continue;
        }
        let idx = start + offset;
        match &mut current {
            Some((_, end, chars)) if *end == idx => {
                *end = idx + ch.len_utf8();
                chars.push(ch);
            }
            _ => {
                if let Some(run) = current.take() {
                    runs.push(invalid_run(run));
                    if runs.len() >= MAX_CHARACTER_ISSUES {
                        return runs;
                    }
                }
                current = Some((idx, idx + ch.len_utf8(), vec![ch]));
            }
        }
    }
    if let Some(run) = current.take() {
        runs.push(invalid_run(run));
    }
    runs
}

fn invalid_run((start, end, chars): (usize, usize, Vec<char>)) -> Problem {
    let message = match chars.as_slice() {
        [ch] => format!("character {} is not allowed in IAM policies", describe_char(*ch)),
        _ => {
            let printable = chars.iter().all(|&ch| is_printable(ch));
            let shown: String = chars.iter().take(10).collect();
            let ellipsis = if chars.len() > 10 { "…" } else { "" };
            let mut points: Vec<String> = chars.iter().take(4).map(|&ch| code_point(ch)).collect();
            if chars.len() > 4 {
                points.push("…".to_owned());
            }
            if printable {
                format!("characters `{shown}{ellipsis}` ({}) are not allowed in IAM policies", points.join(", "))
            } else {
                format!("characters {} are not allowed in IAM policies", points.join(", "))
            }
        }
    };
    Problem { start, end, message }
}

/// `U+2019`.
pub(super) fn code_point(ch: char) -> String {
    format!("U+{:04X}", u32::from(ch))
}

/// ``character `’` (U+2019)`` style text, without the glyph when it would be invisible.
pub(super) fn describe_char(ch: char) -> String {
    if is_printable(ch) { format!("`{ch}` ({})", code_point(ch)) } else { code_point(ch) }
}

/// Whether showing the character between backticks helps the reader.
fn is_printable(ch: char) -> bool {
    !(ch.is_control()
        || ch.is_whitespace()
        || matches!(ch, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}'))
}

/// The kind of container (`{` or `[`) open at byte `pos`, scanning from `start`.
pub(super) fn container_at(text: &str, start: usize, pos: usize) -> Option<u8> {
    let bytes = text.as_bytes();
    let mut stack: Vec<u8> = Vec::new();
    let mut idx = start;
    let mut in_string = false;
    while idx < pos {
        let Some(&byte) = bytes.get(idx) else { break };
        if in_string {
            match byte {
                b'\\' => idx += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'{' | b'[' => stack.push(byte),
                b'}' | b']' => {
                    stack.pop();
                }
                _ => {}
            }
        }
        idx += 1;
    }
    stack.last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_deep_nesting_outside_strings_only() {
        let deep = "[".repeat(65);
        assert_eq!(scan(&deep, 0).too_deep.map(|p| p.start), Some(64));
        let quoted = format!("\"{}\"", "[".repeat(100));
        assert!(scan(&quoted, 0).too_deep.is_none());
        assert!(scan(&"[".repeat(64), 0).too_deep.is_none());
    }

    #[test]
    fn raw_control_characters_in_strings() {
        let found = scan("{\"a\": \"x\ny\"}", 0).first_problem.unwrap();
        assert_eq!((found.start, found.end), (8, 9));
        assert_eq!(found.message, "control character U+000A must be escaped in a JSON string (write `\\n`)");
        assert!(scan("{\"a\": \"x\\\"\ty\"}", 0).first_problem.is_some());
        assert!(scan("{\"a\":\n\t\"x\"}", 0).first_problem.is_none());
    }

    #[test]
    fn non_json_whitespace() {
        let found = scan("{\u{a0}}", 0).first_problem.unwrap();
        assert_eq!((found.start, found.end), (1, 3));
        assert!(found.message.starts_with("character U+00A0 is not whitespace in JSON"));
        assert!(scan("\"\u{a0}\"", 0).first_problem.is_none());
    }

    #[test]
    fn invalid_character_runs_are_merged_and_capped() {
        let runs = invalid_character_runs("a\u{2019}b\u{201c}\u{201d}c\u{200b}", 0);
        let messages: Vec<_> = runs.iter().map(|run| (run.start, run.end, run.message.as_str())).collect();
        assert_eq!(
            messages,
            [
                (1, 4, "character `\u{2019}` (U+2019) is not allowed in IAM policies"),
                (5, 11, "characters `\u{201c}\u{201d}` (U+201C, U+201D) are not allowed in IAM policies"),
                (12, 15, "character U+200B is not allowed in IAM policies"),
            ]
        );
        let many = "\u{2019}a".repeat(50);
        assert_eq!(invalid_character_runs(&many, 0).len(), MAX_CHARACTER_ISSUES);
        assert!(invalid_character_runs("\t\r\n \u{ff}~", 0).is_empty());
    }

    #[test]
    fn size_skips_whitespace_outside_strings() {
        let size = document_size("{ \"a b\\\" c\" :\n\t\"\u{e9}\" }");
        assert_eq!(size, DocumentSize { minified: 15, total: 20 });
    }

    #[test]
    fn container_at_ignores_strings() {
        let text = "{\"a\": [\"]\", 1 2]}";
        assert_eq!(container_at(text, 0, 14), Some(b'['));
        assert_eq!(container_at(text, 0, 16), Some(b'{'));
        assert_eq!(container_at(text, 0, 17), None);
        assert_eq!(container_at(text, 0, 0), None);
    }
}
