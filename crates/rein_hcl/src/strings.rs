//! Decoding of HCL string literals and heredocs into text plus a [`SpanMap`] back to file bytes.
//!
//! Quoted strings know the escapes `\n`, `\r`, `\t`, `\"`, `\\`, `\uNNNN` and `\UNNNNNNNN`;
//! both quoted strings and heredocs turn `$${` into `${` and `%%{` into `%{`
//! (<https://developer.hashicorp.com/terraform/language/expressions/strings>).
//! `<<-` heredocs lose the indentation of their least indented line.
//! The tree holds no literal text nodes: the raw source between the delimiters and around the
//! holes is decoded here.

use rein_model::SpanMap;
use rein_text::FileId;

use crate::syntax::{Kind, Node, ParsedFile, named_children};

/// Decoded text and the map from its bytes back to the file.
pub(crate) struct Decoded {
    pub text: String,
    pub map: SpanMap,
}

impl Decoded {
    pub fn new(file: FileId) -> Self {
        Self { text: String::new(), map: SpanMap::new(file) }
    }

    /// Appends `text` standing for the file bytes `raw_start..raw_start + raw_len`.
    pub fn push_mapped(&mut self, text: &str, raw_start: usize, raw_len: usize) {
        if text.is_empty() {
            return;
        }
        self.map.push(self.text.len(), raw_start, text.len(), raw_len);
        self.text.push_str(text);
    }
}

/// An interpolation `${…}` or a directive `%{…}` met in a template.
pub(crate) enum Hole<'t> {
    Interpolation { node: Node<'t>, expr: Option<Node<'t>> },
    Directive(Node<'t>),
}

impl<'t> Hole<'t> {
    pub fn node(&self) -> Node<'t> {
        match self {
            Hole::Interpolation { node, .. } | Hole::Directive(node) => *node,
        }
    }
}

/// How raw text is decoded.
#[derive(Clone, Copy)]
enum Mode {
    Quoted,
    /// A heredoc; `strip` leading whitespace bytes are dropped from each line.
    Heredoc {
        strip: usize,
    },
}

/// Decodes a literal `string_lit` (no interpolations).
pub(crate) fn decode_quoted(parsed: &ParsedFile<'_>, node: Node<'_>) -> Decoded {
    decode_template(parsed, node, |_, _| {})
}

/// Decodes a `string_lit`, `quoted_template` or `heredoc_template`; `fill` appends what each
/// interpolation or directive stands for.
pub(crate) fn decode_template<'t>(
    parsed: &ParsedFile<'_>,
    node: Node<'t>,
    mut fill: impl FnMut(&mut Decoded, Hole<'t>),
) -> Decoded {
    let mut out = Decoded::new(parsed.file);
    let children = named_children(node);
    let holes: Vec<Hole<'t>> = children
        .iter()
        .filter_map(|child| match child.kind() {
            Kind::TemplateInterpolation => Some(Hole::Interpolation {
                node: *child,
                expr: named_children(*child).into_iter().find(|part| part.kind() == Kind::Expression),
            }),
            Kind::TemplateDirective => Some(Hole::Directive(*child)),
            _ => None,
        })
        .collect();
    let (start, end, mode) = if node.kind() == Kind::HeredocTemplate {
        let Some((start, end)) = heredoc_content(parsed, node) else { return out };
        let strip = if parsed.text_of(node).starts_with("<<-") {
            min_indent(parsed.text.get(start..end).unwrap_or_default())
        } else {
            0
        };
        (start, end, Mode::Heredoc { strip })
    } else {
        let start = children
            .iter()
            .find(|child| child.kind() == Kind::QuotedTemplateStart)
            .map_or(node.start_byte(), |child| child.end_byte());
        let end = children
            .iter()
            .find(|child| child.kind() == Kind::QuotedTemplateEnd)
            .map_or(node.end_byte(), |c| c.start_byte());
        (start, end.max(start), Mode::Quoted)
    };
    let mut pos = start;
    let mut at_line_start = true;
    for hole in holes {
        let hole_node = hole.node();
        if hole_node.start_byte() < pos || hole_node.end_byte() > end {
            continue;
        }
        push_raw(&mut out, &parsed.text, pos, hole_node.start_byte(), mode, &mut at_line_start);
        fill(&mut out, hole);
        at_line_start = false;
        pos = hole_node.end_byte();
    }
    push_raw(&mut out, &parsed.text, pos, end, mode, &mut at_line_start);
    out
}

/// The raw content of a heredoc: from the line after `<<EOF` to the start of the closing line.
fn heredoc_content(parsed: &ParsedFile<'_>, node: Node<'_>) -> Option<(usize, usize)> {
    let identifiers: Vec<Node<'_>> =
        named_children(node).into_iter().filter(|child| child.kind() == Kind::HeredocIdentifier).collect();
    let open = identifiers.first()?;
    let after_open = parsed.text.get(open.end_byte()..)?;
    let start = open.end_byte() + after_open.find('\n').map_or(after_open.len(), |idx| idx + 1);
    let end = match identifiers.get(1) {
        Some(close) => {
            let before = parsed.text.get(..close.start_byte())?;
            before.rfind('\n').map_or(close.start_byte(), |idx| idx + 1)
        }
        None => node.end_byte(),
    };
    Some((start, end.max(start)))
}

/// The least indentation of the non-blank lines of a `<<-` heredoc.
fn min_indent(content: &str) -> usize {
    content
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0)
}

/// Decodes `text[start..end]` into `out`.
fn push_raw(out: &mut Decoded, text: &str, start: usize, end: usize, mode: Mode, at_line_start: &mut bool) {
    let Some(raw) = text.get(start..end) else { return };
    let bytes = raw.as_bytes();
    let mut run_start = 0;
    let mut idx = 0;
    let flush = |out: &mut Decoded, from: usize, to: usize| {
        if let Some(run) = raw.get(from..to) {
            out.push_mapped(run, start + from, to - from);
        }
    };
    // Only a `<<-` heredoc with indentation to drop splits its text at line starts.
    let strips = matches!(mode, Mode::Heredoc { strip } if strip > 0);
    while idx < bytes.len() {
        if let (Mode::Heredoc { strip }, true, true) = (mode, *at_line_start, strips) {
            // Drop up to `strip` indentation bytes at the start of the line.
            let mut skipped = 0;
            while skipped < strip && matches!(bytes.get(idx), Some(b' ' | b'\t')) {
                idx += 1;
                skipped += 1;
            }
            run_start = idx;
            *at_line_start = false;
            continue;
        }
        let byte = bytes.get(idx).copied().unwrap_or_default();
        let next = bytes.get(idx + 1).copied();
        let escape: Option<(String, usize)> = match (byte, next) {
            (b'$', Some(b'$')) | (b'%', Some(b'%')) if bytes.get(idx + 2) == Some(&b'{') => {
                Some((if byte == b'$' { "${" } else { "%{" }.to_owned(), 3))
            }
            (b'\\', Some(escaped)) if matches!(mode, Mode::Quoted) => decode_escape(raw, idx, escaped),
            _ => None,
        };
        match escape {
            Some((decoded, raw_len)) => {
                flush(out, run_start, idx);
                out.push_mapped(&decoded, start + idx, raw_len);
                idx += raw_len;
                run_start = idx;
            }
            None => {
                if byte == b'\n' && strips {
                    flush(out, run_start, idx + 1);
                    run_start = idx + 1;
                    *at_line_start = true;
                    idx += 1;
                    continue;
                }
                idx += 1;
                // Plain text runs to the next byte that can start an escape or a line.
                let rest = bytes.get(idx..).unwrap_or_default();
                idx += rest.iter().position(|byte| matches!(byte, b'$' | b'%' | b'\\' | b'\n')).unwrap_or(rest.len());
            }
        }
    }
    flush(out, run_start, bytes.len());
}

/// One backslash escape of a quoted string at `raw[idx..]`: the decoded text and the raw length.
fn decode_escape(raw: &str, idx: usize, escaped: u8) -> Option<(String, usize)> {
    let simple = match escaped {
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Some((ch.to_string(), 2));
    }
    let digits = match escaped {
        b'u' => 4,
        b'U' => 8,
        _ => return None,
    };
    let hex = raw.get(idx + 2..idx + 2 + digits)?;
    let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?;
    Some((ch.to_string(), 2 + digits))
}
