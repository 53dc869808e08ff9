//! The spanned syntax tree of a template, built from YAML parser events or from JSON.
//!
//! Both syntaxes become the same small tree: scalars that remember their style, mappings with
//! their keys, sequences, and short-form intrinsic tags (`!Sub x`) kept as [`Kind::Tagged`] under
//! their long-form name (`Fn::Sub`), so that the lowering sees one shape for `!Sub x` and
//! `{"Fn::Sub": x}`. Spans are UTF-8 byte offsets into the file; saphyr-parser counts characters,
//! so its markers go through a [`CharOffsets`] table.
//!
//! Parsing never fails: a syntax error becomes an issue, and the events before it still build the
//! tree as far as they go (open mappings and sequences are closed where the error is). For YAML
//! the rest of the file is recovered too, by reading it again with the broken line blanked out
//! (see [`parse_yaml`]); a broken JSON template keeps the part before its error.

use std::collections::HashMap;
use std::ops::Range;

use jsonc_parser::ast::{ObjectPropName, Value as JsonValue};
use jsonc_parser::{CollectOptions, ParseOptions};
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

/// The deepest nesting of mappings and sequences that is read; deeper input is an error.
pub(crate) const MAX_NESTING: usize = 128;

/// The most nodes that aliases may copy in, against "billion laughs" input.
const MAX_ALIAS_NODES: usize = 100_000;

/// One node with the byte range of its source.
///
/// For a scalar the span is its token (quotes included, tag and anchor excluded); for a tagged
/// node it covers the tag too.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Tree {
    pub span: Range<usize>,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Scalar(Scalar),
    Map(Vec<(Tree, Tree)>),
    Seq(Vec<Tree>),
    /// A short-form intrinsic under its long-form name (`Ref`, `Fn::Sub`, `Condition`), or any
    /// other local tag as written (`!Foo`).
    Tagged(String, Box<Tree>),
    /// A node the input broke off before it was complete.
    Missing,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Scalar {
    pub text: String,
    pub style: Style,
}

/// How a scalar was written; it decides the type of plain YAML scalars and how embedded JSON maps
/// back to the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// A plain YAML scalar: a number, boolean or null by the YAML core schema, else a string.
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// A `|` block scalar.
    Literal,
    /// A `>` block scalar.
    Folded,
    JsonString,
    JsonNumber,
    JsonBool,
    JsonNull,
}

impl Tree {
    /// The members of a mapping, empty for anything else.
    pub fn entries(&self) -> &[(Tree, Tree)] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The value of the first member named `name`.
    pub fn get(&self, name: &str) -> Option<&Tree> {
        self.entries().iter().find(|(key, _)| key.as_str() == Some(name)).map(|(_, value)| value)
    }

    /// The text of a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(scalar) => Some(&scalar.text),
            _ => None,
        }
    }
}

/// Maps saphyr's character indices to byte offsets.
pub(crate) struct CharOffsets {
    /// The byte offset of every character, plus the text length; empty for ASCII text, where the
    /// two are equal.
    offsets: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    pub fn new(text: &str) -> Self {
        let offsets = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(offset, _)| offset).chain(std::iter::once(text.len())).collect()
        };
        Self { offsets, len: text.len() }
    }

    pub fn byte(&self, char_idx: usize) -> usize {
        if self.offsets.is_empty() {
            char_idx.min(self.len)
        } else {
            self.offsets.get(char_idx).copied().unwrap_or(self.len)
        }
    }
}

/// The result of parsing: the root (when any event produced one) and the syntax errors.
pub(crate) struct Parsed {
    pub root: Option<Tree>,
    pub errors: Vec<(Range<usize>, String)>,
}

/// Whether the text is JSON rather than YAML: its first significant character opens an object.
pub(crate) fn looks_like_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').trim_start().starts_with('{')
}

/// Parses a template in either syntax.
pub(crate) fn parse(text: &str) -> Parsed {
    if looks_like_json(text) { parse_json(text) } else { parse_yaml(text) }
}

/// The tag of an open collection and where it starts.
struct Tagged {
    name: String,
    start: usize,
}

enum Frame {
    Seq { start: usize, tag: Option<Tagged>, anchor: usize, items: Vec<Tree> },
    Map { start: usize, tag: Option<Tagged>, anchor: usize, entries: Vec<(Tree, Tree)>, key: Option<Tree> },
}

impl Frame {
    fn start(&self) -> usize {
        match self {
            Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
        }
    }
}

struct Builder<'t> {
    text: &'t str,
    chars: CharOffsets,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Tree>,
    alias_nodes: usize,
    root: Option<Tree>,
    errors: Vec<(Range<usize>, String)>,
}

/// How many times a broken YAML text is re-read with a line blanked out.
const MAX_RECOVERIES: usize = 8;

/// Parses YAML from its events, recovering from syntax errors.
///
/// saphyr-parser stops at the first error. To read the rest of a half-typed template, the line
/// of the error is replaced by spaces (so every byte offset stays the same) and the text is read
/// again, a bounded number of times. The issue reported is the first error of the real text; the
/// tree is that of the last attempt.
pub(crate) fn parse_yaml(text: &str) -> Parsed {
    let first = parse_yaml_once(text);
    let Some(mut error_at) = first.recover_at else { return first.parsed };
    let mut parsed = first.parsed;
    let mut patched = text.as_bytes().to_vec();
    for _ in 0..MAX_RECOVERIES {
        if !blank_line(&mut patched, error_at) {
            break;
        }
        // Only ASCII spaces were written over whole lines, so the text stays UTF-8.
        let Ok(patched_text) = std::str::from_utf8(&patched) else { break };
        let attempt = parse_yaml_once(patched_text);
        if let Some(root) = attempt.parsed.root {
            parsed.root = Some(root);
        }
        match attempt.recover_at {
            Some(at) => error_at = at,
            None => break,
        }
    }
    parsed
}

/// Blanks the line holding byte `at`, or the last non-blank line before it when that line is
/// blank already; `false` when there is nothing left to blank. `Recovery::FromHere` blanks from
/// `at` to the end of its line only.
fn blank_line(text: &mut [u8], at: Recovery) -> bool {
    let at = match at {
        Recovery::Line(at) => at,
        Recovery::PreviousLine(at) => {
            let start = text.get(..at).and_then(|before| before.iter().rposition(|&byte| byte == b'\n')).unwrap_or(0);
            start.saturating_sub(1)
        }
        Recovery::FromHere(at) => {
            let line_end = text
                .get(at..)
                .and_then(|rest| rest.iter().position(|&byte| byte == b'\n'))
                .map_or(text.len(), |idx| at + idx);
            return match text.get_mut(at..line_end) {
                Some(rest) if !rest.is_empty() => {
                    rest.fill(b' ');
                    true
                }
                _ => false,
            };
        }
    };
    let is_blank = |line: &[u8]| line.iter().all(|byte| matches!(byte, b' ' | b'\t' | b'\r'));
    let mut end = at.min(text.len());
    loop {
        let start =
            text.get(..end).and_then(|before| before.iter().rposition(|&byte| byte == b'\n')).map_or(0, |idx| idx + 1);
        let line_end = text
            .get(start..)
            .and_then(|rest| rest.iter().position(|&byte| byte == b'\n'))
            .map_or(text.len(), |idx| start + idx);
        let Some(line) = text.get_mut(start..line_end) else { return false };
        if !is_blank(line) {
            line.fill(b' ');
            return true;
        }
        if start == 0 {
            return false;
        }
        end = start - 1;
    }
}

struct Attempt {
    parsed: Parsed,
    /// What to blank out before reading again, after a syntax error.
    recover_at: Option<Recovery>,
}

#[derive(Clone, Copy)]
enum Recovery {
    /// The line of the error.
    Line(usize),
    /// The line before the error: a key typed without its colon runs into the next line.
    PreviousLine(usize),
    /// A flow collection left open: from its bracket to the end of its line.
    FromHere(usize),
}

fn parse_yaml_once(text: &str) -> Attempt {
    let mut recover_at = None;
    let mut builder = Builder {
        text,
        chars: CharOffsets::new(text),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        root: None,
        errors: Vec::new(),
    };
    for event in Parser::new_from_str(text) {
        match event {
            Ok((event, span)) => {
                let range = builder.chars.byte(span.start.index())..builder.chars.byte(span.end.index());
                if !builder.event(event, range) {
                    break;
                }
            }
            Err(err) => {
                let at = builder.chars.byte(err.marker().index());
                let end = text.get(at..).and_then(|rest| rest.chars().next()).map_or(at, |ch| at + ch.len_utf8());
                builder.errors.push((at..end, format!("yaml syntax error: {}", err.info())));
                // An unclosed `[` or `{` swallows the lines after it; the error shows up later.
                let open_flow = builder
                    .stack
                    .iter()
                    .map(Frame::start)
                    .find(|&start| matches!(text.as_bytes().get(start), Some(b'[' | b'{')));
                let info = err.info();
                let in_line =
                    if info.starts_with("mapping values are not allowed") || info.starts_with("simple key expect") {
                        Recovery::PreviousLine(at)
                    } else {
                        Recovery::Line(at)
                    };
                recover_at = Some(open_flow.map_or(in_line, Recovery::FromHere));
                break;
            }
        }
    }
    // Close what the input left open, so that the part before an error is still read.
    while let Some(frame) = builder.stack.pop() {
        let end = builder.text.len();
        builder.finish_frame(frame, end..end);
    }
    Attempt { parsed: Parsed { root: builder.root, errors: builder.errors }, recover_at }
}

impl Builder<'_> {
    /// Handles one event; `false` stops reading.
    fn event(&mut self, event: Event<'_>, range: Range<usize>) -> bool {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let start = self.skip_properties(range.start, range.end);
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                // A scalar never ends in whitespace, but the event of a tagged or block scalar may
                // take some in, and that of a flow scalar a comment after it.
                let end = self.trim_end(start, self.scalar_end(start, range.end, style));
                let scalar = Tree {
                    span: start..end.max(start),
                    kind: Kind::Scalar(Scalar { text: value.into_owned(), style }),
                };
                let tree = wrap_tag(tag_name(tag.as_deref()), range.start, scalar);
                self.complete(tree, anchor);
            }
            Event::SequenceStart(anchor, tag) => {
                if !self.push_frame(&range) {
                    return false;
                }
                let start = self.skip_properties(range.start, range.end);
                let tag = tag_name(tag.as_deref()).map(|name| Tagged { name, start: range.start });
                self.stack.push(Frame::Seq { start, tag, anchor, items: Vec::new() });
            }
            Event::MappingStart(anchor, tag) => {
                if !self.push_frame(&range) {
                    return false;
                }
                let start = self.skip_properties(range.start, range.end);
                let tag = tag_name(tag.as_deref()).map(|name| Tagged { name, start: range.start });
                self.stack.push(Frame::Map { start, tag, anchor, entries: Vec::new(), key: None });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    self.finish_frame(frame, range);
                }
            }
            Event::Alias(id) => {
                let tree = match self.anchors.get(&id) {
                    Some(tree) if self.alias_nodes + count_nodes(tree) <= MAX_ALIAS_NODES => {
                        self.alias_nodes += count_nodes(tree);
                        tree.clone()
                    }
                    Some(_) => {
                        self.errors.push((range.clone(), "aliases expand to too many nodes".to_owned()));
                        Tree { span: range, kind: Kind::Missing }
                    }
                    None => Tree { span: range, kind: Kind::Missing },
                };
                self.complete(tree, 0);
            }
            Event::DocumentEnd => {
                // A template is one document; later ones are not read.
                if self.root.is_some() {
                    return false;
                }
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) => {}
        }
        true
    }

    fn push_frame(&mut self, range: &Range<usize>) -> bool {
        if self.stack.len() >= MAX_NESTING {
            self.errors.push((range.clone(), format!("nesting deeper than {MAX_NESTING} levels")));
            return false;
        }
        true
    }

    fn finish_frame(&mut self, frame: Frame, end_range: Range<usize>) {
        let (start, tag, anchor, kind, last_end) = match frame {
            Frame::Seq { start, tag, anchor, items } => {
                let last = items.last().map(|item| item.span.end);
                (start, tag, anchor, Kind::Seq(items), last)
            }
            Frame::Map { start, tag, anchor, mut entries, key } => {
                if let Some(key) = key {
                    let end = key.span.end;
                    entries.push((key, Tree { span: end..end, kind: Kind::Missing }));
                }
                let last = entries.last().map(|(key, value)| key.span.end.max(value.span.end));
                (start, tag, anchor, Kind::Map(entries), last)
            }
        };
        // A flow collection ends at its bracket; a block one at its last item.
        let end = if end_range.is_empty() { last_end.unwrap_or(start) } else { end_range.end };
        let inner = Tree { span: start..end.max(start), kind };
        let tree = match tag {
            Some(tag) => wrap_tag(Some(tag.name), tag.start, inner),
            None => inner,
        };
        self.complete(tree, anchor);
    }

    /// Hands a finished node to its parent.
    fn complete(&mut self, tree: Tree, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, tree.clone());
        }
        match self.stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(tree),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(name) => entries.push((name, tree)),
                None => *key = Some(tree),
            },
            None => {
                if self.root.is_none() {
                    self.root = Some(tree);
                }
            }
        }
    }

    /// Skips an anchor (`&a`) and a tag (`!Sub`) before a node's content.
    fn skip_properties(&self, mut start: usize, end: usize) -> usize {
        let bytes = self.text.as_bytes();
        while start < end && matches!(bytes.get(start), Some(b'!' | b'&')) {
            while start < end && !matches!(bytes.get(start), Some(b' ' | b'\t' | b'\n' | b'\r') | None) {
                start += 1;
            }
            while start < end && matches!(bytes.get(start), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                start += 1;
            }
        }
        start
    }

    /// Where a scalar's token ends within its event's range: after the closing quote of a quoted
    /// scalar, and before a comment (` #`) after a plain one, which a plain scalar cannot hold.
    fn scalar_end(&self, start: usize, end: usize, style: Style) -> usize {
        let bytes = self.text.as_bytes();
        let mut idx = start + 1;
        match style {
            Style::SingleQuoted => {
                while idx < end {
                    match (bytes.get(idx), bytes.get(idx + 1)) {
                        (Some(b'\''), Some(b'\'')) => idx += 2,
                        (Some(b'\''), _) => return idx + 1,
                        _ => idx += 1,
                    }
                }
                end
            }
            Style::DoubleQuoted => {
                while idx < end {
                    match bytes.get(idx) {
                        Some(b'\\') => idx += 2,
                        Some(b'"') => return idx + 1,
                        _ => idx += 1,
                    }
                }
                end
            }
            Style::Plain => {
                let token = self.text.get(start..end).unwrap_or_default();
                token.find(" #").or_else(|| token.find("\t#")).map_or(end, |idx| start + idx)
            }
            _ => end,
        }
    }

    /// Drops the trailing whitespace a scalar's span takes in.
    fn trim_end(&self, start: usize, end: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut end = end;
        while end > start && matches!(bytes.get(end - 1), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            end -= 1;
        }
        end
    }
}

/// The long-form name of a short-form tag, or `None` for no tag and the core schema's `!!str`…
fn tag_name(tag: Option<&Tag>) -> Option<String> {
    let tag = tag?;
    if tag.handle != "!" {
        return None;
    }
    Some(match tag.suffix.as_str() {
        "Ref" => "Ref".to_owned(),
        "Condition" => "Condition".to_owned(),
        suffix if !suffix.is_empty() && suffix.chars().all(|ch| ch.is_ascii_alphanumeric()) => format!("Fn::{suffix}"),
        suffix => format!("!{suffix}"),
    })
}

fn wrap_tag(tag: Option<String>, start: usize, inner: Tree) -> Tree {
    match tag {
        Some(name) => {
            Tree { span: start.min(inner.span.start)..inner.span.end, kind: Kind::Tagged(name, Box::new(inner)) }
        }
        None => inner,
    }
}

fn count_nodes(tree: &Tree) -> usize {
    // Iterative, so that deep trees do not recurse.
    let mut count = 0;
    let mut todo = vec![tree];
    while let Some(node) = todo.pop() {
        count += 1;
        match &node.kind {
            Kind::Map(entries) => todo.extend(entries.iter().flat_map(|(key, value)| [key, value])),
            Kind::Seq(items) => todo.extend(items.iter()),
            Kind::Tagged(_, inner) => todo.push(inner),
            Kind::Scalar(_) | Kind::Missing => {}
        }
    }
    count
}

/// Parses a JSON template. Comments and trailing commas are tolerated.
///
/// jsonc-parser gives no tree for broken text, so the tree is then read by the YAML parser (JSON
/// is nearly a subset of YAML's flow style), which yields what comes before the error; the issue
/// is jsonc-parser's.
pub(crate) fn parse_json(text: &str) -> Parsed {
    // A byte order mark is skipped; ranges are shifted back by its length.
    let base = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let body = text.get(base..).unwrap_or_default();
    match jsonc_parser::parse_to_ast(body, &CollectOptions::default(), &ParseOptions::default()) {
        Ok(result) => Parsed { root: result.value.map(|value| json_tree(value, base, 0)), errors: Vec::new() },
        Err(err) => {
            let range = err.range();
            let start = (base + range.start).min(text.len());
            let end = (base + range.end).clamp(start, text.len());
            let message = format!("json syntax error: {}", rein_text::lowercase_first(&err.kind().to_string()));
            Parsed { root: parse_yaml_once(text).parsed.root, errors: vec![(start..end, message)] }
        }
    }
}

fn json_tree(value: JsonValue<'_>, base: usize, depth: usize) -> Tree {
    let scalar = |range: jsonc_parser::common::Range, text: String, style| Tree {
        span: base + range.start..base + range.end,
        kind: Kind::Scalar(Scalar { text, style }),
    };
    match value {
        JsonValue::StringLit(lit) => scalar(lit.range, lit.value.into_owned(), Style::JsonString),
        JsonValue::NumberLit(number) => scalar(number.range, number.value.to_owned(), Style::JsonNumber),
        JsonValue::BooleanLit(boolean) => scalar(boolean.range, boolean.value.to_string(), Style::JsonBool),
        JsonValue::NullKeyword(null) => scalar(null.range, "null".to_owned(), Style::JsonNull),
        JsonValue::Object(object) if depth < MAX_NESTING => {
            let entries = object
                .properties
                .into_iter()
                .map(|prop| {
                    let key = match &prop.name {
                        ObjectPropName::String(lit) => lit.range,
                        ObjectPropName::Word(word) => word.range,
                    };
                    let key = scalar(key, prop.name.into_string(), Style::JsonString);
                    (key, json_tree(prop.value, base, depth + 1))
                })
                .collect();
            Tree { span: base + object.range.start..base + object.range.end, kind: Kind::Map(entries) }
        }
        JsonValue::Array(array) if depth < MAX_NESTING => {
            let items = array.elements.into_iter().map(|item| json_tree(item, base, depth + 1)).collect();
            Tree { span: base + array.range.start..base + array.range.end, kind: Kind::Seq(items) }
        }
        JsonValue::Object(object) => {
            Tree { span: base + object.range.start..base + object.range.end, kind: Kind::Missing }
        }
        JsonValue::Array(array) => Tree { span: base + array.range.start..base + array.range.end, kind: Kind::Missing },
    }
}
