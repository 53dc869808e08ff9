//! The open documents: their text, version and line index, kept up to date by incremental
//! `didChange` notifications.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::{TextDocumentContentChangeEvent, Uri};
use rein_text::LineIndex;

use crate::proto::{self, PositionEncoding};

/// One open document.
#[derive(Clone, Debug)]
pub struct Document {
    pub version: i32,
    /// Shared with the analysis jobs that read it; copied on the next edit only if a job
    /// still holds it.
    pub text: Arc<String>,
    /// The line index of `text`; `None` after an edit until `ensure_index` builds it, which the
    /// main loop does once the analysis of the edit is queued, off the keystroke's path.
    index: Option<LineIndex>,
    /// The local path, for `file://` URIs; `None` for unsaved buffers of other schemes.
    pub path: Option<PathBuf>,
    pub language_id: String,
}

impl Document {
    pub fn new(uri: &Uri, version: i32, text: String, language_id: String) -> Document {
        let index = Some(LineIndex::new(&text));
        Document { version, text: Arc::new(text), index, path: proto::uri_to_path(uri), language_id }
    }

    /// The line index of the text, unless an edit made it stale since.
    pub fn index(&self) -> Option<&LineIndex> {
        self.index.as_ref()
    }

    /// Builds the line index of the text when an edit made it stale.
    pub fn ensure_index(&mut self) -> &LineIndex {
        self.index.get_or_insert_with(|| LineIndex::new(&self.text))
    }

    /// Applies the changes in order, each against the text the previous one produced, as the
    /// protocol requires. A change without a range replaces the whole text.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: PositionEncoding,
    ) {
        // Versions only increase; an older one is a client bug, but its text is still the
        // client's truth, so it is applied all the same.
        debug_assert!(version >= self.version, "document version went back from {} to {version}", self.version);
        for change in changes {
            match change.range {
                None => *Arc::make_mut(&mut self.text) = change.text,
                Some(range) => {
                    let byte_range = proto::text_range(self.ensure_index(), encoding, range);
                    let (start, end) = (usize::from(byte_range.start()), usize::from(byte_range.end()));
                    let text = Arc::make_mut(&mut self.text);
                    // The offsets come from the line index, so they sit on character boundaries.
                    if text.is_char_boundary(start) && text.is_char_boundary(end) && end <= text.len() {
                        text.replace_range(start..end, &change.text);
                    }
                }
            }
            // The next change's positions refer to this change's result.
            self.index = None;
        }
        self.version = version;
    }
}

/// The open documents by URI.
#[derive(Debug, Default)]
pub struct DocumentStore {
    documents: BTreeMap<Uri, Document>,
}

impl DocumentStore {
    pub fn open(&mut self, uri: Uri, document: Document) {
        self.documents.insert(uri, document);
    }

    pub fn close(&mut self, uri: &Uri) -> Option<Document> {
        self.documents.remove(uri)
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.documents.get(uri)
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.documents.get_mut(uri)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Uri, &Document)> {
        self.documents.iter()
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use lsp_types::{Position, Range};

    use super::*;

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position { line: start.0, character: start.1 },
                end: Position { line: end.0, character: end.1 },
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order_across_lines() {
        let uri = Uri::from_str("file:///w/main.tf").unwrap();
        let mut doc = Document::new(&uri, 1, "a😀b\ncd\nef".to_owned(), "terraform".to_owned());
        // Insert after the emoji (UTF-16 column 3), then join lines 1 and 2 of the result.
        doc.apply_changes(2, vec![change((0, 3), (0, 3), "X"), change((1, 1), (2, 1), "-")], PositionEncoding::Utf16);
        assert_eq!(doc.text.as_str(), "a😀Xb\nc-f");
        assert_eq!(doc.version, 2);
        assert_eq!(doc.ensure_index().line_count(), 2);
        // UTF-8 columns count bytes: column 5 is after the emoji.
        doc.apply_changes(3, vec![change((0, 5), (0, 6), "")], PositionEncoding::Utf8);
        assert_eq!(doc.text.as_str(), "a😀b\nc-f");
        doc.apply_changes(
            4,
            vec![TextDocumentContentChangeEvent { range: None, range_length: None, text: "new".to_owned() }],
            PositionEncoding::Utf8,
        );
        assert_eq!(doc.text.as_str(), "new");
        assert_eq!(doc.path, Some(PathBuf::from("/w/main.tf")));
    }

    #[test]
    fn out_of_range_changes_are_clamped() {
        let uri = Uri::from_str("file:///w/p.json").unwrap();
        let mut doc = Document::new(&uri, 1, "ab".to_owned(), "json".to_owned());
        doc.apply_changes(2, vec![change((0, 1), (7, 0), "Z")], PositionEncoding::Utf16);
        assert_eq!(doc.text.as_str(), "aZ");
    }
}
