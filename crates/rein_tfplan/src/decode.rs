//! Decodes a JSON string literal of the plan file into the policy text it holds, with a
//! [`SpanMap`] from decoded offsets back to the raw, escaped bytes.

use rein_model::SpanMap;
use rein_text::FileId;

/// Decodes the string literal at `range` (quotes included) of `text`.
///
/// Plain runs map one to one; each escape (`\"`, `\\`, `\n`, `\u0022`, a surrogate pair) maps its
/// decoded bytes onto the whole raw escape. The literal was accepted by the JSON parser, so a
/// malformed escape does not occur; should one, it decodes to U+FFFD over its raw bytes.
pub(crate) fn decode_string(file: FileId, text: &str, range: jsonc_parser::common::Range) -> (String, SpanMap) {
    let mut map = SpanMap::new(file);
    let start = range.start.saturating_add(1);
    let end = range.end.saturating_sub(1).max(start);
    let Some(raw) = text.get(start..end) else {
        return (String::new(), map);
    };
    let bytes = raw.as_bytes();
    let mut decoded = String::with_capacity(raw.len());
    let mut pos = 0;
    while pos < bytes.len() {
        let run_end =
            bytes.get(pos..).and_then(|rest| rest.iter().position(|b| *b == b'\\')).map_or(bytes.len(), |n| pos + n);
        if run_end > pos {
            map.push(decoded.len(), start + pos, run_end - pos, run_end - pos);
            decoded.push_str(raw.get(pos..run_end).unwrap_or_default());
            pos = run_end;
            continue;
        }
        let (ch, len) = escape_at(raw, pos);
        map.push(decoded.len(), start + pos, ch.len_utf8(), len);
        decoded.push(ch);
        pos += len;
    }
    (decoded, map)
}

/// The character an escape at `pos` (a backslash) stands for and the escape's raw length.
fn escape_at(raw: &str, pos: usize) -> (char, usize) {
    let Some(&letter) = raw.as_bytes().get(pos + 1) else {
        return (char::REPLACEMENT_CHARACTER, 1);
    };
    let simple = match letter {
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        b'/' => Some('/'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        _ => None,
    };
    if let Some(ch) = simple {
        return (ch, 2);
    }
    if letter != b'u' {
        // Not a JSON escape; keep the backslash's width and go on after the next character.
        let width = raw.get(pos + 1..).and_then(|rest| rest.chars().next()).map_or(0, char::len_utf8);
        return (char::REPLACEMENT_CHARACTER, 1 + width);
    }
    let Some(high) = hex4(raw, pos + 2) else {
        return (char::REPLACEMENT_CHARACTER, 2);
    };
    if (0xD800..0xDC00).contains(&high)
        && raw.get(pos + 6..pos + 8) == Some("\\u")
        && let Some(low) = hex4(raw, pos + 8)
        && (0xDC00..0xE000).contains(&low)
    {
        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        return (char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER), 12);
    }
    (char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER), 6)
}

fn hex4(raw: &str, at: usize) -> Option<u32> {
    let digits = raw.get(at..at + 4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}
