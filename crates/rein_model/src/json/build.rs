//! Builds the syntax-neutral [`Node`] tree of JSON text, mapping every range through the
//! [`SpanMap`].
//!
//! Valid documents take a fast path: a small parser over `jsonc-parser`'s scanner builds the tree
//! directly, without the parser's AST. It accepts only plain JSON and gives up at anything else,
//! so that `jsonc-parser`'s own parser, which the fast path never overrules, describes every
//! error.

use jsonc_parser::ast::{ObjectPropName, Value as JsonValue};
use jsonc_parser::common::Range;
use jsonc_parser::tokens::Token;
use jsonc_parser::{Scanner, ScannerOptions};
use rein_text::Span;

use crate::policy::Key;
use crate::span_map::SpanMap;
use crate::tree::{MAX_DEPTH, Member, Node, NodeKind, Object};
use crate::value::Value;

/// Maps offsets into the parsed text, which starts `base` bytes into the decoded text.
pub(super) struct Spans<'m> {
    pub map: &'m SpanMap,
    pub base: usize,
}

impl Spans<'_> {
    fn of(&self, start: usize, end: usize) -> Span {
        self.map.span_of(self.base + start, self.base + end)
    }

    /// The span of the first byte of a node: the `{` of an object.
    fn opening(&self, start: usize) -> Span {
        self.map.span_of(self.base + start, self.base + start + 1)
    }
}

/// The scanner settings of plain JSON, the same as `json::strict_options` gives the parser.
fn strict_scanner_options() -> ScannerOptions {
    ScannerOptions {
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Parses plain JSON straight into a tree, or returns `None` at the first thing that is not
/// plain JSON (including an empty text). The caller then runs the full parser for the error.
pub(super) fn parse_tree(text: &str, spans: &Spans<'_>) -> Option<Node> {
    let mut parser = TreeParser { scanner: Scanner::new(text, &strict_scanner_options()), spans };
    let first = parser.next()?;
    let root = parser.value(first, 1)?;
    // Anything after the root value is an error.
    match parser.scanner.scan() {
        Ok(None) => Some(root),
        Ok(Some(_)) | Err(_) => None,
    }
}

struct TreeParser<'t, 's, 'm> {
    scanner: Scanner<'t>,
    spans: &'s Spans<'m>,
}

impl<'t> TreeParser<'t, '_, '_> {
    /// The next token, or `None` at the end of the text or a scanner error.
    fn next(&mut self) -> Option<Token<'t>> {
        self.scanner.scan().ok().flatten()
    }

    fn token_span(&self) -> Span {
        self.spans.of(self.scanner.token_start(), self.scanner.token_end())
    }

    /// Reads the value that starts with `token`; `depth` counts the enclosing containers plus one.
    fn value(&mut self, token: Token<'t>, depth: usize) -> Option<Node> {
        let kind = match token {
            Token::String(text) => NodeKind::String(Value::Known(text.into_owned())),
            Token::Number(text) => NodeKind::Number(text.to_owned()),
            Token::Boolean(boolean) => NodeKind::Bool(boolean),
            Token::Null => NodeKind::Null,
            // The raw-text scan already refused deeper nesting; this keeps the recursion bounded anyway.
            Token::OpenBrace if depth <= MAX_DEPTH => return self.object(depth),
            Token::OpenBracket if depth <= MAX_DEPTH => return self.array(depth),
            _ => return None,
        };
        Some(Node::new(self.token_span(), kind))
    }

    /// Reads an object whose `{` is the current token.
    fn object(&mut self, depth: usize) -> Option<Node> {
        let start = self.scanner.token_start();
        let mut members = Vec::new();
        let mut token = self.next()?;
        if !matches!(token, Token::CloseBrace) {
            loop {
                let Token::String(name) = token else { return None };
                let key = Key { span: self.token_span(), name: name.into_owned() };
                if !matches!(self.next()?, Token::Colon) {
                    return None;
                }
                let value_token = self.next()?;
                members.push(Member { key, value: self.value(value_token, depth + 1)? });
                match self.next()? {
                    Token::Comma => token = self.next()?,
                    Token::CloseBrace => break,
                    _ => return None,
                }
            }
        }
        let span = self.spans.of(start, self.scanner.token_end());
        Some(Node::new(span, NodeKind::Object(Object { opening: self.spans.opening(start), members })))
    }

    /// Reads an array whose `[` is the current token.
    fn array(&mut self, depth: usize) -> Option<Node> {
        let start = self.scanner.token_start();
        let mut items = Vec::new();
        let mut token = self.next()?;
        if !matches!(token, Token::CloseBracket) {
            loop {
                items.push(self.value(token, depth + 1)?);
                match self.next()? {
                    Token::Comma => token = self.next()?,
                    Token::CloseBracket => break,
                    _ => return None,
                }
            }
        }
        Some(Node::new(self.spans.of(start, self.scanner.token_end()), NodeKind::Array(items)))
    }
}

/// Converts a value of `jsonc-parser`'s AST, consuming it so that decoded strings move into the
/// tree. Used when the fast path gave up but the parser accepted the text, which should not happen.
///
/// The recursion goes as deep as the text nests, which the raw-text scan limits to
/// [`MAX_DEPTH`] before the text is parsed.
pub(super) fn to_node(value: JsonValue<'_>, spans: &Spans<'_>) -> Node {
    let span_of = |range: Range| spans.of(range.start, range.end);
    match value {
        JsonValue::StringLit(lit) => {
            Node::new(span_of(lit.range), NodeKind::String(Value::Known(lit.value.into_owned())))
        }
        JsonValue::NumberLit(number) => Node::new(span_of(number.range), NodeKind::Number(number.value.to_owned())),
        JsonValue::BooleanLit(boolean) => Node::new(span_of(boolean.range), NodeKind::Bool(boolean.value)),
        JsonValue::NullKeyword(null) => Node::new(span_of(null.range), NodeKind::Null),
        JsonValue::Object(object) => {
            let members = object
                .properties
                .into_iter()
                .map(|prop| {
                    let key_range = match &prop.name {
                        ObjectPropName::String(lit) => lit.range,
                        ObjectPropName::Word(word) => word.range,
                    };
                    let key = Key { span: span_of(key_range), name: prop.name.into_string() };
                    Member { key, value: to_node(prop.value, spans) }
                })
                .collect();
            let opening = spans.opening(object.range.start);
            Node::new(span_of(object.range), NodeKind::Object(Object { opening, members }))
        }
        JsonValue::Array(array) => {
            let items = array.elements.into_iter().map(|element| to_node(element, spans)).collect();
            Node::new(span_of(array.range), NodeKind::Array(items))
        }
    }
}
