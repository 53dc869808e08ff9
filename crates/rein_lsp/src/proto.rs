//! Conversions between rein's UTF-8 byte offsets and protocol positions, and between file
//! paths and `file://` URIs.
//!
//! **Architecture invariant:** this is the only place that knows UTF-16. Every offset that
//! crosses it inward is clamped into the text, so a stale or wrong position never panics.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, PositionEncodingKind, Range, Uri};
use rein_text::{ColumnUnit, LineCol, LineIndex, TextRange, TextSize};

/// The unit in which the client and the server count columns, negotiated at start-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionEncoding {
    Utf8,
    Utf16,
}

impl PositionEncoding {
    /// UTF-8 when the client offers it (no conversion at all), else UTF-16, the protocol default.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> PositionEncoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
            _ => PositionEncoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn unit(self) -> ColumnUnit {
        match self {
            PositionEncoding::Utf8 => ColumnUnit::Utf8,
            PositionEncoding::Utf16 => ColumnUnit::Utf16,
        }
    }
}

/// A protocol position for a byte offset.
pub fn position(index: &LineIndex, encoding: PositionEncoding, offset: TextSize) -> Position {
    let LineCol { line, col } = index.line_col(offset, encoding.unit());
    Position { line, character: col }
}

/// A protocol range for a byte range.
pub fn range(index: &LineIndex, encoding: PositionEncoding, range: TextRange) -> Range {
    Range { start: position(index, encoding, range.start()), end: position(index, encoding, range.end()) }
}

/// The byte offset of a protocol position; a column past the end of its line is clamped to
/// the line's end, a line past the end of the text to the text's end.
pub fn offset(index: &LineIndex, encoding: PositionEncoding, position: Position) -> TextSize {
    index.offset(LineCol { line: position.line, col: position.character }, encoding.unit())
}

/// The byte range of a protocol range; an inverted range becomes empty at its start.
pub fn text_range(index: &LineIndex, encoding: PositionEncoding, range: Range) -> TextRange {
    let start = offset(index, encoding, range.start);
    let end = offset(index, encoding, range.end).max(start);
    TextRange::new(start, end)
}

/// The local path of a `file://` URI, percent-decoded; `None` for other schemes.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path` names a path on another host; only the local host is ours.
    let path = match rest.strip_prefix("localhost") {
        Some(path) => path,
        None => rest,
    };
    if !path.starts_with('/') {
        return None;
    }
    let bytes = percent_decode(path)?;
    Some(PathBuf::from(String::from_utf8(bytes).ok()?))
}

/// The `file://` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for byte in text.bytes() {
        // The unreserved characters of RFC 3986 and the path separator stay as they are.
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while let Some(&byte) = bytes.get(idx) {
        if byte == b'%' {
            let hex = text.get(idx + 1..idx + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            idx += 3;
        } else {
            out.push(byte);
            idx += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        assert_eq!(PositionEncoding::negotiate(None), PositionEncoding::Utf16);
        let offered = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(PositionEncoding::negotiate(Some(&offered)), PositionEncoding::Utf8);
        assert_eq!(PositionEncoding::negotiate(Some(&[PositionEncodingKind::UTF32])), PositionEncoding::Utf16);
    }

    #[test]
    fn positions_round_trip_through_emoji_and_cjk() {
        let text = "# 日本語 😀\n\"Action\": \"s3:GetObject\" # é\n";
        let index = LineIndex::new(text);
        let at = TextSize::from(u32::try_from(text.find("s3:").unwrap()).unwrap());
        let utf16 = position(&index, PositionEncoding::Utf16, at);
        assert_eq!(utf16, Position { line: 1, character: 11 });
        assert_eq!(offset(&index, PositionEncoding::Utf16, utf16), at);
        // On the first line: `# ` is 2 units, each CJK character 1 UTF-16 unit and 3 bytes, the
        // emoji 2 units and 4 bytes.
        let end_of_first = TextSize::from(u32::try_from(text.find('\n').unwrap()).unwrap());
        assert_eq!(position(&index, PositionEncoding::Utf16, end_of_first), Position { line: 0, character: 8 });
        assert_eq!(position(&index, PositionEncoding::Utf8, end_of_first), Position { line: 0, character: 16 });
        // The middle of the surrogate pair snaps to the emoji's start.
        assert_eq!(offset(&index, PositionEncoding::Utf16, Position { line: 0, character: 7 }), TextSize::from(12));
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let index = LineIndex::new("ab\ncd");
        assert_eq!(offset(&index, PositionEncoding::Utf16, Position { line: 0, character: 40 }), TextSize::from(2));
        assert_eq!(offset(&index, PositionEncoding::Utf16, Position { line: 9, character: 0 }), TextSize::from(5));
        let inverted = Range { start: Position { line: 1, character: 1 }, end: Position { line: 0, character: 0 } };
        assert_eq!(text_range(&index, PositionEncoding::Utf8, inverted), TextRange::empty(TextSize::from(4)));
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/a dir/ünï.tf");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%C3%BCn%C3%AF.tf");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        assert_eq!(uri_to_path(&Uri::from_str("untitled:Untitled-1").unwrap()), None);
    }
}
