//! Reads IAM policy JSON into the model, keeping a span for every element, and renders fixes back
//! as JSON text edits.
//!
//! The text is parsed with `jsonc-parser`, turned into a [`Node`](crate::tree::Node) tree and
//! read by the shared grammar reader ([`read_policy`]).
//! Reading never fails: JSON syntax errors, IAM001 facts (duplicate keys, characters IAM rejects)
//! and IAM002 grammar facts (unknown keys, wrong types, missing, conflicting or empty elements)
//! become [`SyntaxIssue`]s on the document, and the rules decide how to report them.

mod build;
pub mod insert;
mod render;
mod scan;
mod sniff;

use jsonc_parser::errors::{ParseError, ParseErrorKind};
use jsonc_parser::{CollectOptions, ParseOptions, ParseStringErrorKind};
pub use render::{JsonRenderer, quote};
pub use sniff::{Likelihood, looks_like_policy};

use crate::policy::{DocumentOrigin, PolicyDocument, PolicyKind, SyntaxIssue, SyntaxIssueKind};
use crate::span_map::SpanMap;
use crate::tree_reader::{apply_kind, empty_document, read_policy};
use scan::Problem;

/// The byte order mark some editors put at the start of a file.
const BOM: char = '\u{feff}';

/// Reads a policy document. Never fails: problems are recorded in `PolicyDocument::issues`.
/// With `kind: None` the kind is inferred from the content (`KindSource::Inferred`).
///
/// `text` is the decoded policy text and `map` translates its offsets into file spans.
/// A leading byte order mark is skipped and not reported.
///
/// The text is parsed into a [`Node`](crate::tree::Node) tree and read by [`read_policy`], the
/// grammar reader every frontend shares; only the checks that need the raw text (syntax,
/// characters, nesting, size) happen here.
pub fn parse_policy(text: &str, map: &SpanMap, kind: Option<PolicyKind>, origin: DocumentOrigin) -> PolicyDocument {
    let base = if text.starts_with(BOM) { BOM.len_utf8() } else { 0 };
    let body = text.get(base..).unwrap_or_default();
    let scanned = scan::scan(text, base);

    let mut issues: Vec<SyntaxIssue> =
        scanned.invalid_runs.iter().map(|run| issue(map, SyntaxIssueKind::InvalidCharacter, run)).collect();
    let spans = build::Spans { map, base };
    let mut root = None;
    let syntax_error = if let Some(too_deep) = scanned.too_deep {
        Some(earliest(scanned.first_problem, too_deep))
    } else if let Some(tree) = scanned.first_problem.is_none().then(|| build::parse_tree(body, &spans)).flatten() {
        // The fast path for valid JSON; it accepts nothing the parser below would reject.
        root = Some(tree);
        None
    } else {
        let options = strict_options();
        match jsonc_parser::parse_to_ast(body, &CollectOptions::default(), &options) {
            // The scan is exact up to the parser's first error, so the earlier of the two is the real one.
            Err(err) => Some(earliest(scanned.first_problem, describe_parse_error(&err, text, base))),
            Ok(_) if scanned.first_problem.is_some() => scanned.first_problem,
            Ok(result) => match result.value {
                Some(value) => {
                    debug_assert!(false, "the fast path refused JSON that the parser accepts: {body:?}");
                    // The scan refused anything nested deeper than `MAX_DEPTH`, so the recursion is bounded.
                    root = Some(build::to_node(value, &spans));
                    None
                }
                None => {
                    let message =
                        if text.is_empty() { "the document is empty" } else { "the document contains only whitespace" };
                    Some(Problem { start: 0, end: text.len(), message: message.to_owned() })
                }
            },
        }
    };
    if let Some(problem) = syntax_error {
        issues.push(issue(map, SyntaxIssueKind::JsonSyntax, &problem));
    }

    let mut doc = match root {
        Some(root) => read_policy(root, kind, origin),
        None => {
            let mut doc = empty_document(map.span_of(0, text.len()), origin);
            apply_kind(&mut doc, kind);
            doc
        }
    };
    // The text's issues come before the grammar's at the same offset; the sort is stable.
    issues.append(&mut doc.issues);
    issues.sort_by_key(|issue| issue.span.range.start());
    doc.issues = issues;
    doc.size = Some(scan::document_size(body));
    doc
}

fn issue(map: &SpanMap, kind: SyntaxIssueKind, problem: &Problem) -> SyntaxIssue {
    SyntaxIssue { kind, span: map.span_of(problem.start, problem.end), message: problem.message.clone() }
}

fn earliest(first: Option<Problem>, second: Problem) -> Problem {
    match first {
        Some(first) if first.start <= second.start => first,
        _ => second,
    }
}

/// Plain JSON: no comments, trailing commas, unquoted keys or JSON5 literals, as AWS and
/// Terraform read it.
pub fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Turns a parser error into a human message at the place a reader needs to look.
fn describe_parse_error(err: &ParseError, text: &str, base: usize) -> Problem {
    let range = err.range();
    let start = base + range.start;
    let end = (base + range.end).max(start);
    let token = text.get(start..end).unwrap_or_default();
    let first_char = token.chars().next();
    let at = |message: String| Problem { start, end, message };
    // An unclosed container is reported at its opening bracket rather than over the rest of the file.
    let at_opening = |message: &str| Problem { start, end: start + 1, message: message.to_owned() };
    match err.kind() {
        ParseErrorKind::ExpectedComma => {
            let message = match scan::container_at(text, base, start) {
                Some(b'[') => "expected `,` or `]` after array item",
                _ => "expected `,` or `}` after object member",
            };
            at(message.to_owned())
        }
        ParseErrorKind::ExpectedColonAfterObjectKey => at("expected `:` after object key".to_owned()),
        ParseErrorKind::ExpectedObjectValue => at("expected a value after `:`".to_owned()),
        ParseErrorKind::ExpectedStringObjectProperty => {
            at(format!("object keys must be double-quoted strings, found `{}`", shorten(token)))
        }
        ParseErrorKind::UnexpectedTokenInObject => {
            at(format!("expected a double-quoted key or `}}`, found `{}`", shorten(token)))
        }
        ParseErrorKind::UnexpectedCloseBrace => at("expected a value, found `}`".to_owned()),
        ParseErrorKind::UnexpectedCloseBracket => at("expected a value, found `]`".to_owned()),
        ParseErrorKind::UnexpectedColon => at("expected a value, found `:`".to_owned()),
        ParseErrorKind::UnexpectedComma => at("expected a value, found `,`".to_owned()),
        ParseErrorKind::UnexpectedWord | ParseErrorKind::UnexpectedToken
            if first_char.is_some_and(|ch| ch.is_alphanumeric() || ch == '_' || ch == '$') =>
        {
            at(format!("unexpected word `{}`: strings must be double-quoted and literals lowercase", shorten(token)))
        }
        ParseErrorKind::UnexpectedToken => match first_char {
            Some(ch @ ('\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}' | '\u{00ab}' | '\u{00bb}')) => Problem {
                start,
                end: start + ch.len_utf8(),
                message: format!(
                    "unexpected typographic quote {}: JSON uses straight double quotes `\"`",
                    scan::describe_char(ch)
                ),
            },
            Some(ch) => Problem {
                start,
                end: start + ch.len_utf8(),
                message: format!("unexpected character {}", scan::describe_char(ch)),
            },
            None => at("unexpected end of input".to_owned()),
        },
        ParseErrorKind::UnterminatedObject => at_opening("object is never closed: expected `}`"),
        ParseErrorKind::UnterminatedArray => at_opening("array is never closed: expected `]`"),
        ParseErrorKind::MultipleRootJsonValues => at("unexpected text after the end of the document".to_owned()),
        ParseErrorKind::CommentsNotAllowed | ParseErrorKind::UnterminatedCommentBlock => {
            Problem { start, end: (start + 2).min(text.len()), message: "comments are not allowed in JSON".to_owned() }
        }
        ParseErrorKind::TrailingCommasNotAllowed => at("trailing commas are not allowed in JSON".to_owned()),
        ParseErrorKind::SingleQuotedStringsNotAllowed => at("strings must use double quotes".to_owned()),
        ParseErrorKind::HexadecimalNumbersNotAllowed => at("hexadecimal numbers are not allowed in JSON".to_owned()),
        ParseErrorKind::UnaryPlusNumbersNotAllowed => at("numbers cannot start with `+`".to_owned()),
        ParseErrorKind::BareDecimalPointNumbersNotAllowed => {
            at("numbers need digits on both sides of the decimal point".to_owned())
        }
        ParseErrorKind::NonFiniteNumbersNotAllowed => at("`Infinity` and `NaN` are not allowed in JSON".to_owned()),
        ParseErrorKind::ExpectedDigit => at("expected a digit in the number".to_owned()),
        ParseErrorKind::ExpectedDigitFollowingNegativeSign => at("expected a digit after `-`".to_owned()),
        ParseErrorKind::ExpectedPlusMinusOrDigitInNumberLiteral => {
            at("expected `+`, `-` or a digit in the exponent of the number".to_owned())
        }
        ParseErrorKind::NestingDepthExceeded => at_opening(&format!("nesting deeper than {} levels", scan::MAX_DEPTH)),
        ParseErrorKind::String(ParseStringErrorKind::UnterminatedStringLiteral) => {
            at_opening("string is never closed: expected `\"`")
        }
        ParseErrorKind::String(kind @ ParseStringErrorKind::InvalidUnicodeEscapeSequence(_)) => {
            // Point at the `\uXXXX` escape only.
            Problem { start, end: end.min(start + 6), message: describe_string_error(kind) }
        }
        ParseErrorKind::String(kind) => at(describe_string_error(kind)),
        // `ParseErrorKind` grows a variant when another crate turns on jsonc-parser's `serde` feature.
        #[allow(unreachable_patterns)]
        _ => at(rein_text::lowercase_first(&err.kind().to_string())),
    }
}

fn describe_string_error(kind: &ParseStringErrorKind) -> String {
    match kind {
        ParseStringErrorKind::UnterminatedStringLiteral => "string is never closed: expected `\"`".to_owned(),
        ParseStringErrorKind::ExpectedFourHexDigits => "expected four hex digits after `\\u`".to_owned(),
        ParseStringErrorKind::InvalidUnicodeEscapeSequence(sequence) => {
            let (digits, reason) = sequence.split_once(' ').unwrap_or((sequence.as_str(), ""));
            let reason = reason.trim_start_matches('(').trim_end_matches(')');
            if reason.is_empty() {
                format!("invalid unicode escape `\\u{digits}`")
            } else {
                format!("invalid unicode escape `\\u{digits}`: {reason}")
            }
        }
        ParseStringErrorKind::InvalidEscapeInDoubleQuoteString => "invalid escape `\\'` in a JSON string".to_owned(),
        ParseStringErrorKind::InvalidEscape
        | ParseStringErrorKind::InvalidEscapeInSingleQuoteString
        | ParseStringErrorKind::ExpectedTwoHexDigits => {
            "invalid escape sequence; JSON allows `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\uXXXX`"
                .to_owned()
        }
    }
}

/// Cuts long tokens for messages.
fn shorten(token: &str) -> String {
    let mut chars = token.chars();
    let short: String = chars.by_ref().take(30).collect();
    if chars.next().is_some() { format!("{short}…") } else { short }
}

#[cfg(test)]
mod tests;
