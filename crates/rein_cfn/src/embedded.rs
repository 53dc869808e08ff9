//! Maps the decoded text of a string scalar back to file bytes, for policy JSON written as a
//! string (`KeyPolicy: "{...}"`, a `|` block scalar, a JSON string in a JSON template).
//!
//! Where the decoding is understood exactly (JSON and YAML double-quoted escapes, `''` in single
//! quotes, the indentation of `|` blocks), every decoded byte maps to its own bytes; otherwise
//! (folded and multi-line flow scalars) the whole text maps onto the whole token.

use rein_model::SpanMap;
use rein_text::FileId;

use crate::syntax::{Scalar, Style, Tree};

/// The span map of a string scalar's decoded text.
pub(crate) fn scalar_map(file: FileId, text: &str, tree: &Tree, scalar: &Scalar) -> SpanMap {
    let raw = text.get(tree.span.clone()).unwrap_or_default();
    exact_map(file, text, tree, scalar).unwrap_or_else(|| whole(file, tree.span.start, raw.len(), scalar.text.len()))
}

/// The span map of a string scalar's decoded text when every decoded byte maps to its own bytes;
/// `None` for folded and multi-line flow scalars, whose decoding is not traced.
pub(crate) fn exact_map(file: FileId, text: &str, tree: &Tree, scalar: &Scalar) -> Option<SpanMap> {
    let raw = text.get(tree.span.clone()).unwrap_or_default();
    let start = tree.span.start;
    match scalar.style {
        Style::JsonString | Style::DoubleQuoted => quoted(file, raw, start, &scalar.text, b'\\'),
        Style::SingleQuoted => quoted(file, raw, start, &scalar.text, b'\''),
        Style::Literal => literal(file, text, start, raw, &scalar.text),
        Style::Plain if raw == scalar.text => Some(SpanMap::identity(file, rein_text::size_from_usize(start))),
        Style::Plain | Style::Folded | Style::JsonNumber | Style::JsonBool | Style::JsonNull => None,
    }
}

/// Every decoded byte maps onto the whole token.
pub(crate) fn whole(file: FileId, start: usize, raw_len: usize, decoded_len: usize) -> SpanMap {
    let mut map = SpanMap::new(file);
    // Lengths that differ make every byte stand for the whole run.
    let raw_len = if raw_len == decoded_len { raw_len + 1 } else { raw_len };
    map.push(0, start, decoded_len, raw_len);
    map
}

/// A quoted string on one line whose escapes start with `escape` (`\` in JSON and YAML double
/// quotes, `'` for `''` in YAML single quotes). `None` when the decoding does not match `decoded`.
fn quoted(file: FileId, raw: &str, start: usize, decoded: &str, escape: u8) -> Option<SpanMap> {
    let inner = raw.get(1..raw.len().checked_sub(1)?)?;
    if inner.contains('\n') {
        return None;
    }
    let bytes = inner.as_bytes();
    let mut map = SpanMap::new(file);
    let (mut raw_idx, mut decoded_idx, mut run_start) = (0, 0, 0);
    while raw_idx < bytes.len() {
        if bytes.get(raw_idx) != Some(&escape) {
            raw_idx += 1;
            continue;
        }
        let run = raw_idx - run_start;
        if run > 0 {
            map.push(decoded_idx, start + 1 + run_start, run, run);
            decoded_idx += run;
        }
        let (raw_len, decoded_len) = if escape == b'\'' { (2, 1) } else { escape_len(inner.get(raw_idx..)?)? };
        map.push(decoded_idx, start + 1 + raw_idx, decoded_len, raw_len);
        decoded_idx += decoded_len;
        raw_idx += raw_len;
        run_start = raw_idx;
    }
    let run = bytes.len().saturating_sub(run_start);
    if run > 0 {
        map.push(decoded_idx, start + 1 + run_start, run, run);
        decoded_idx += run;
    }
    (decoded_idx == decoded.len()).then_some(map)
}

/// The raw and decoded byte lengths of the escape at the start of `rest`.
fn escape_len(rest: &str) -> Option<(usize, usize)> {
    let hex = |digits: &str| u32::from_str_radix(digits, 16).ok();
    match rest.as_bytes().get(1)? {
        b'u' => {
            let code = hex(rest.get(2..6)?)?;
            if (0xd800..0xdc00).contains(&code) && rest.get(6..8) == Some("\\u") {
                // A surrogate pair is one character of four bytes.
                return Some((12, 4));
            }
            Some((6, char::from_u32(code).map_or(3, char::len_utf8)))
        }
        b'x' => Some((4, char::from_u32(hex(rest.get(2..4)?)?)?.len_utf8())),
        b'U' => Some((10, char::from_u32(hex(rest.get(2..10)?)?)?.len_utf8())),
        b'N' | b'_' => Some((2, 2)),
        b'L' | b'P' => Some((2, 3)),
        _ => Some((2, 1)),
    }
}

/// A `|` block scalar: each decoded line is its raw line without the block's indentation.
///
/// The token starts at the first line's content, so the indentation is the column it starts at.
/// `None` when a line does not match, e.g. with an explicit indentation indicator.
fn literal(file: FileId, text: &str, start: usize, raw: &str, decoded: &str) -> Option<SpanMap> {
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |idx| idx + 1);
    let indent = start.checked_sub(line_start)?;
    let mut map = SpanMap::new(file);
    let mut raw_lines = raw.split_inclusive('\n');
    let mut raw_offset = start;
    let mut decoded_offset = 0;
    for (line_idx, line) in decoded.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches('\n');
        // Chomping may keep a final newline that the token does not hold; it maps to the end.
        let Some(raw_line) = raw_lines.next() else {
            map.push(decoded_offset, raw_offset, line.len(), line.len());
            decoded_offset += line.len();
            continue;
        };
        // The first line's indentation lies before the token; the others carry it.
        let skip = if line_idx == 0 { 0 } else { indent.min(raw_line.len()) };
        let content_start = raw_offset + skip;
        let content = raw_line.get(skip..).unwrap_or_default();
        raw_offset += raw_line.len();
        if !content.starts_with(body) {
            return None;
        }
        map.push(decoded_offset, content_start, body.len(), body.len());
        if line.len() > body.len() {
            // The line break, or the end of the token after the last line.
            map.push(decoded_offset + body.len(), content_start + body.len(), 1, 1);
        }
        decoded_offset += line.len();
    }
    Some(map)
}
