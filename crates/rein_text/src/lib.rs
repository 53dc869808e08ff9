//! Positions in source text: UTF-8 byte offsets and ranges, file ids, spans and line indexes.
//!
//! Every offset inside rein is a UTF-8 byte offset into the original file.
//! Line and column conversions (UTF-8, UTF-16 and character columns) happen only at the edges,
//! through [`LineIndex`].
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

use std::fmt;

pub use text_size::{TextLen, TextRange, TextSize};

/// Identifies one source file inside a [`SourceDb`] or any other file table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range inside one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub range: TextRange,
}

impl PartialOrd for Span {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Span {
    /// Orders by file, then start, then end, as reports sort findings.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.file, self.range.start(), self.range.end()).cmp(&(other.file, other.range.start(), other.range.end()))
    }
}

impl Span {
    pub fn new(file: FileId, range: TextRange) -> Self {
        Self { file, range }
    }

    pub fn from_offsets(file: FileId, start: usize, end: usize) -> Self {
        Self { file, range: range_from_offsets(start, end) }
    }

    /// The smallest span covering both, when both are in the same file.
    pub fn cover(self, other: Span) -> Span {
        if self.file == other.file { Span { file: self.file, range: self.range.cover(other.range) } } else { self }
    }
}

/// Builds a range from `usize` offsets, saturating at `u32::MAX` (files are capped well below it).
pub fn range_from_offsets(start: usize, end: usize) -> TextRange {
    let start = size_from_usize(start);
    let end = size_from_usize(end).max(start);
    TextRange::new(start, end)
}

pub fn size_from_usize(offset: usize) -> TextSize {
    TextSize::from(u32::try_from(offset).unwrap_or(u32::MAX))
}

/// The text of `range` in `text`, or `None` when the range is out of bounds or not on char boundaries.
pub fn slice(text: &str, range: TextRange) -> Option<&str> {
    text.get(usize::from(range.start())..usize::from(range.end()))
}

/// Replace the text of `span` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TextEdit {
    pub span: Span,
    pub new_text: String,
}

impl TextEdit {
    pub fn replace(span: Span, new_text: impl Into<String>) -> Self {
        Self { span, new_text: new_text.into() }
    }

    pub fn delete(span: Span) -> Self {
        Self { span, new_text: String::new() }
    }

    pub fn insert(file: FileId, offset: TextSize, new_text: impl Into<String>) -> Self {
        Self { span: Span::new(file, TextRange::empty(offset)), new_text: new_text.into() }
    }
}

/// Applies edits of one file to its text. Overlapping edits after the first are skipped.
/// Returns `None` when an edit is out of bounds or not on character boundaries.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> Option<String> {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|edit| (edit.span.range.start(), edit.span.range.end()));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0usize;
    for edit in sorted {
        let start = usize::from(edit.span.range.start());
        let end = usize::from(edit.span.range.end());
        if start < cursor {
            continue;
        }
        out.push_str(text.get(cursor..start)?);
        out.push_str(&edit.new_text);
        cursor = end;
    }
    out.push_str(text.get(cursor..)?);
    Some(out)
}

/// `text` with its first character lowercased: error messages are lowercase (STYLE.md §4), and
/// the errors of other libraries often start with a capital.
pub fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A value with the span it was read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned { value: f(self.value), span: self.span }
    }

    pub fn as_ref(&self) -> Spanned<&T> {
        Spanned { value: &self.value, span: self.span }
    }
}

/// A zero-based line and column, the column in the unit the caller asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for LineCol {
    /// Renders one-based, as people read positions.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line + 1, self.col + 1)
    }
}

/// The unit in which a column is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnUnit {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units (the Language Server Protocol default).
    Utf16,
    /// Unicode scalar values (characters), as the JSON report counts them.
    Char,
}

/// Maps byte offsets to lines and columns and back.
///
/// Only `\n`, `\r\n` and `\r` end a line; U+2028 does not.
/// Lines that are pure ASCII convert in O(1); for the others the index keeps the multi-byte
/// characters of that line. (The `line-index` crate counts only `\n` as a line end and panics on
/// offsets inside a character, so the index is kept here.)
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<TextSize>,
    /// For every line, the offset where its content ends (before the terminator).
    line_ends: Vec<TextSize>,
    /// Multi-byte characters by line, sorted by line.
    wide: Vec<(u32, Vec<WideChar>)>,
    len: TextSize,
}

#[derive(Clone, Copy, Debug)]
struct WideChar {
    /// UTF-8 column where the character starts.
    start: u32,
    len_utf8: u32,
    len_utf16: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![TextSize::from(0)];
        let mut line_ends = Vec::new();
        let mut wide = Vec::new();
        let mut current: Vec<WideChar> = Vec::new();
        let mut line_start = 0usize;
        let mut chars = text.char_indices().peekable();
        while let Some((idx, ch)) = chars.next() {
            let terminator_len = match ch {
                '\n' => 1,
                '\r' if chars.peek().map(|&(_, next)| next) == Some('\n') => {
                    chars.next();
                    2
                }
                '\r' => 1,
                _ => 0,
            };
            if terminator_len > 0 {
                line_ends.push(size_from_usize(idx));
                if !current.is_empty() {
                    wide.push((u32::try_from(line_starts.len() - 1).unwrap_or(u32::MAX), std::mem::take(&mut current)));
                }
                line_start = idx + terminator_len;
                line_starts.push(size_from_usize(line_start));
            } else if !ch.is_ascii() {
                current.push(WideChar {
                    start: u32::try_from(idx - line_start).unwrap_or(u32::MAX),
                    len_utf8: ch.len_utf8() as u32,
                    len_utf16: ch.len_utf16() as u32,
                });
            }
        }
        line_ends.push(text.text_len());
        if !current.is_empty() {
            wide.push((u32::try_from(line_starts.len() - 1).unwrap_or(u32::MAX), current));
        }
        Self { line_starts, line_ends, wide, len: text.text_len() }
    }

    pub fn len(&self) -> TextSize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == TextSize::from(0)
    }

    pub fn line_count(&self) -> u32 {
        u32::try_from(self.line_starts.len()).unwrap_or(u32::MAX)
    }

    fn wide_chars(&self, line: u32) -> &[WideChar] {
        match self.wide.binary_search_by_key(&line, |(l, _)| *l) {
            Ok(idx) => self.wide.get(idx).map_or(&[], |(_, chars)| chars.as_slice()),
            Err(_) => &[],
        }
    }

    /// Line and column of `offset` (clamped to the text), the column in `unit`.
    /// An offset inside a multi-byte character or a `\r\n` pair counts as that character's start.
    pub fn line_col(&self, offset: TextSize, unit: ColumnUnit) -> LineCol {
        let offset = offset.min(self.len);
        let line_idx = self.line_starts.partition_point(|&start| start <= offset).saturating_sub(1);
        let line = u32::try_from(line_idx).unwrap_or(u32::MAX);
        let start = self.line_starts.get(line_idx).copied().unwrap_or_default();
        let end = self.line_ends.get(line_idx).copied().unwrap_or(self.len);
        let mut utf8_col = u32::from(offset.min(end) - start);
        let mut reduction = 0u32;
        for wide in self.wide_chars(line) {
            if wide.start >= utf8_col {
                break;
            }
            if wide.start + wide.len_utf8 > utf8_col {
                // Inside this character: snap to its start.
                utf8_col = wide.start;
                break;
            }
            reduction += match unit {
                ColumnUnit::Utf8 => 0,
                ColumnUnit::Utf16 => wide.len_utf8 - wide.len_utf16,
                ColumnUnit::Char => wide.len_utf8 - 1,
            };
        }
        let col = utf8_col.saturating_sub(reduction);
        LineCol { line, col }
    }

    /// Byte offset of a line and column given in `unit`. A column past the end of the line is
    /// clamped to the line's end; a line past the end of the text gives the text's length.
    pub fn offset(&self, pos: LineCol, unit: ColumnUnit) -> TextSize {
        let Some(range) = self.line_range(pos.line) else {
            return self.len;
        };
        let mut remaining = pos.col;
        let mut utf8_col = 0u32;
        for wide in self.wide_chars(pos.line) {
            let ascii_run = wide.start - utf8_col;
            if remaining <= ascii_run {
                break;
            }
            remaining -= ascii_run;
            utf8_col = wide.start;
            let width = match unit {
                ColumnUnit::Utf8 => wide.len_utf8,
                ColumnUnit::Utf16 => wide.len_utf16,
                ColumnUnit::Char => 1,
            };
            if remaining < width {
                // Inside a character: snap to its start.
                remaining = 0;
                break;
            }
            remaining -= width;
            utf8_col += wide.len_utf8;
        }
        (range.start() + TextSize::from(utf8_col.saturating_add(remaining))).min(range.end())
    }

    /// The byte range of line `line` (zero-based), without its line terminator.
    pub fn line_range(&self, line: u32) -> Option<TextRange> {
        let start = *self.line_starts.get(line as usize)?;
        let end = *self.line_ends.get(line as usize)?;
        Some(TextRange::new(start, end.max(start)))
    }
}

/// One file's path, text and line index.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub id: FileId,
    pub path: String,
    pub text: String,
    pub line_index: LineIndex,
}

impl SourceFile {
    pub fn new(id: FileId, path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_index = LineIndex::new(&text);
        Self { id, path: path.into(), text, line_index }
    }

    pub fn slice(&self, range: TextRange) -> Option<&str> {
        slice(&self.text, range)
    }
}

/// The table of all files of one analysis, indexed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

impl SourceDb {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile::new(id, path, text));
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_every_unit() {
        let text = "ab\n\"caf\u{e9} \u{1f600}x\"\r\nlast";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        let offset = size_from_usize(x);
        assert_eq!(index.line_col(offset, ColumnUnit::Utf8), LineCol { line: 1, col: 11 });
        assert_eq!(index.line_col(offset, ColumnUnit::Utf16), LineCol { line: 1, col: 8 });
        assert_eq!(index.line_col(offset, ColumnUnit::Char), LineCol { line: 1, col: 7 });
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char] {
            assert_eq!(index.offset(index.line_col(offset, unit), unit), offset);
        }
        assert_eq!(index.line_count(), 3);
        assert_eq!(slice(text, index.line_range(1).unwrap()), Some("\"caf\u{e9} \u{1f600}x\""));
        assert_eq!(slice(text, index.line_range(2).unwrap()), Some("last"));
        assert_eq!(index.line_range(3), None);
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let index = LineIndex::new("abc\ndef");
        assert_eq!(index.offset(LineCol { line: 0, col: 99 }, ColumnUnit::Utf16), TextSize::from(3));
        assert_eq!(index.offset(LineCol { line: 9, col: 0 }, ColumnUnit::Utf8), TextSize::from(7));
        assert_eq!(index.line_col(TextSize::from(99), ColumnUnit::Char), LineCol { line: 1, col: 3 });
    }

    #[test]
    fn offsets_inside_a_character_move_to_its_start() {
        let index = LineIndex::new("\u{e9}x");
        assert_eq!(index.line_col(TextSize::from(1), ColumnUnit::Char), LineCol { line: 0, col: 0 });
    }

    #[test]
    fn lowercase_first_character() {
        assert_eq!(lowercase_first("Is a directory"), "is a directory");
        assert_eq!(lowercase_first("\u{c9}tat"), "\u{e9}tat");
        assert_eq!(lowercase_first(""), "");
    }

    #[test]
    fn lone_carriage_return_ends_a_line() {
        let index = LineIndex::new("a\rb\u{2028}c");
        assert_eq!(index.line_count(), 2);
        assert_eq!(index.line_col(TextSize::from(2), ColumnUnit::Char), LineCol { line: 1, col: 0 });
    }
}
