//! Maps offsets in decoded text (a policy read out of a string) back to bytes of the real file.

use rein_text::{FileId, Span, TextRange, TextSize};

/// Translates ranges of a decoded buffer into spans of the file the buffer was read from.
///
/// A policy in its own file maps one to one. A policy inside an escaped string (an HCL string,
/// JSON in JSON) maps piecewise: each segment is a run of decoded bytes that stands unchanged
/// in the file, and bytes produced by an escape map onto the whole escape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanMap {
    file: FileId,
    /// Sorted by decoded start: (decoded start, raw start, decoded length, raw length).
    segments: Vec<Segment>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    decoded: u32,
    raw: u32,
    decoded_len: u32,
    raw_len: u32,
}

impl SpanMap {
    /// Decoded offset `n` is raw offset `base + n`.
    pub fn identity(file: FileId, base: TextSize) -> Self {
        Self {
            file,
            segments: vec![Segment { decoded: 0, raw: u32::from(base), decoded_len: u32::MAX, raw_len: u32::MAX }],
        }
    }

    /// An empty map, filled with [`SpanMap::push`].
    pub fn new(file: FileId) -> Self {
        Self { file, segments: Vec::new() }
    }

    /// Records that `decoded_len` decoded bytes starting at `decoded` come from `raw_len` file
    /// bytes starting at `raw`. Equal lengths map byte for byte; unequal ones (an escape) map
    /// every decoded byte onto the whole raw run.
    pub fn push(&mut self, decoded: usize, raw: usize, decoded_len: usize, raw_len: usize) {
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.segments.push(Segment {
            decoded: to_u32(decoded),
            raw: to_u32(raw),
            decoded_len: to_u32(decoded_len),
            raw_len: to_u32(raw_len),
        });
    }

    pub fn file(&self) -> FileId {
        self.file
    }

    /// The raw byte range that decoded byte `offset` comes from.
    fn raw_byte(&self, offset: u32) -> (u32, u32) {
        let idx = self.segments.partition_point(|seg| seg.decoded <= offset).saturating_sub(1);
        let Some(seg) = self.segments.get(idx) else {
            return (offset, offset.saturating_add(1));
        };
        let delta = offset.saturating_sub(seg.decoded);
        if seg.decoded_len == seg.raw_len {
            let raw = seg.raw.saturating_add(delta);
            (raw, raw.saturating_add(1))
        } else {
            // A byte produced by an escape stands for the whole escape.
            (seg.raw, seg.raw.saturating_add(seg.raw_len))
        }
    }

    /// The file span of a decoded range.
    pub fn span(&self, range: TextRange) -> Span {
        let (start, _) = self.raw_byte(u32::from(range.start()));
        let end = if range.is_empty() { start } else { self.raw_byte(u32::from(range.end()) - 1).1.max(start) };
        Span::new(self.file, TextRange::new(TextSize::from(start), TextSize::from(end)))
    }

    /// The file span of decoded offsets `start..end`.
    pub fn span_of(&self, start: usize, end: usize) -> Span {
        self.span(rein_text::range_from_offsets(start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_shifts_by_base() {
        let map = SpanMap::identity(FileId(3), TextSize::from(10));
        let span = map.span_of(2, 5);
        assert_eq!(span.file, FileId(3));
        assert_eq!(span.range, TextRange::new(12.into(), 15.into()));
    }

    #[test]
    fn escapes_map_onto_the_whole_escape() {
        // Raw `a\"b` (4 bytes at 100) decodes to `a"b` (3 bytes).
        let mut map = SpanMap::new(FileId(0));
        map.push(0, 100, 1, 1);
        map.push(1, 101, 1, 2);
        map.push(2, 103, 1, 1);
        assert_eq!(map.span_of(0, 3).range, TextRange::new(100.into(), 104.into()));
        assert_eq!(map.span_of(1, 2).range, TextRange::new(101.into(), 103.into()));
        assert_eq!(map.span_of(2, 3).range, TextRange::new(103.into(), 104.into()));
    }
}
