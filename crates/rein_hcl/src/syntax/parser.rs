//! A recursive-descent parser of HCL's native syntax (hashicorp/hcl `hclsyntax/spec.md`) that
//! never fails: every syntax error becomes one located message and parsing goes on.
//!
//! Recovery works at four levels. A body item that does not parse is skipped to the end of its
//! line (brackets opened on the line are skipped up to their closer), so the next attribute or
//! block is read. A list, object or call that misses its closer is closed where the next token
//! cannot continue it; a quoted string ends with its line. A heredoc without its closing line
//! ends before the next line that closes a block or starts a top-level one. A file that ends
//! inside a construct gives one message, for the outermost construct left open. Nesting deeper
//! than [`MAX_NESTING`] is skipped as one error, so no input can exhaust the call stack.

use super::lexer::{Comments, Tok, Token, lex};
use super::tree::{Builder, Kind, Marker, Tree};

/// How deeply expressions, blocks and template directives may nest.
pub(crate) const MAX_NESTING: u32 = 128;

/// A parsed file: its tree and its syntax errors (byte range and message) in source order.
pub(crate) struct Parse {
    pub tree: Tree,
    pub errors: Vec<(usize, usize, String)>,
}

pub(crate) fn parse(text: &str) -> Parse {
    let mut parser = Parser::new(text);
    // A byte order mark is not text (editors on Windows write one).
    if text.starts_with('\u{feff}') {
        parser.pos = '\u{feff}'.len_utf8();
        parser.last_end = parser.pos;
    }
    let root = parser.builder.marker(0);
    parser.body(true);
    parser.finish_file(root)
}

/// Parses HCL expressions at places of a text chosen by the caller, who adds the other nodes of
/// the tree: the string values of Terraform's JSON syntax are templates (`json.rs`).
pub(crate) struct Embedded<'a> {
    parser: Parser<'a>,
}

impl<'a> Embedded<'a> {
    pub fn new(text: &'a str) -> Self {
        Self { parser: Parser::new(text) }
    }

    pub fn marker(&self) -> Marker {
        self.parser.builder.marker(self.parser.n_errors)
    }

    pub fn leaf(&mut self, kind: Kind, start: usize, end: usize) {
        self.parser.builder.leaf(kind, start, end, false);
    }

    /// Finishes a node from `start` to `end` (or its last child) over the nodes since `marker`.
    pub fn finish(&mut self, kind: Kind, marker: Marker, start: usize, end: usize) {
        self.parser.builder.finish_from(kind, marker, start, end, self.parser.n_errors);
    }

    pub fn error(&mut self, start: usize, end: usize, message: String) {
        self.parser.error(start, end, message);
    }

    /// One expression that starts at `start` and must end at `end`.
    pub fn expression(&mut self, start: usize, end: usize) {
        self.at(start, end);
        self.parser.expression();
        self.after(end);
    }

    /// One quoted string at `start`, ending at `end`, as a `StringLit` or a `QuotedTemplate`.
    pub fn quoted(&mut self, start: usize, end: usize) {
        self.at(start, end);
        self.parser.quoted(false);
        self.after(end);
    }

    fn at(&mut self, start: usize, end: usize) {
        let parser = &mut self.parser;
        parser.unpeek();
        parser.pos = start;
        parser.last_end = start;
        parser.template_limit = end;
        // As inside brackets: JSON's newlines end nothing.
        parser.brackets = 1;
    }

    fn after(&mut self, end: usize) {
        let parser = &mut self.parser;
        let token = parser.peek();
        if parser.last_end < end && token.start < end {
            let message = format!(
                "syntax error: unexpected `{}` after the expression",
                super::short(parser.text.get(token.start..end).unwrap_or_default())
            );
            parser.error(token.start, end, message);
        }
        parser.unpeek();
        parser.brackets = 0;
        parser.template_limit = usize::MAX;
        parser.pos = end;
        parser.last_end = end;
    }

    pub fn build(mut self, root: Marker, end: usize) -> Parse {
        self.parser.last_end = end;
        self.parser.finish_file(root)
    }
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            peeked: None,
            peek_comments: Vec::new(),
            unclosed_comment: None,
            builder: Builder::with_capacity(text.len()),
            errors: Vec::new(),
            n_errors: 0,
            brackets: 0,
            depth: 0,
            last_end: 0,
            eof_open: None,
            too_deep: false,
            template_limit: usize::MAX,
        }
    }

    fn finish_file(mut self, root: Marker) -> Parse {
        let parser = &mut self;
        let text = parser.text;
        parser.flush_comments();
        if let Some(start) = parser.unclosed_comment {
            parser.eof_in(start);
        }
        let end = parser.last_end;
        let n_errors = parser.n_errors;
        let mut errors = std::mem::take(&mut parser.errors);
        if let Some(start) = parser.eof_open {
            let rest = text.get(start..).unwrap_or_default();
            let first_line = rest.find('\n').unwrap_or(rest.len());
            let first_line = rest.get(..first_line).map_or(0, |line| line.trim_end().len());
            let message = format!("syntax error: the file ends before `{}` is complete", super::short(rest));
            errors.push((start, start + first_line, message));
        }
        errors.sort_by_key(|(start, end, _)| (*start, *end));
        Parse { tree: std::mem::take(&mut parser.builder).build(root, end, n_errors), errors }
    }
}

/// How a template stopped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The closing `"` of a quoted template (consumed).
    Quote,
    /// The end of the line in a quoted template (not consumed): the string is not closed.
    Newline,
    /// The closing line of a heredoc: the identifier's range (consumed).
    Heredoc(usize, usize),
    /// `%{ else }`, `%{ endif }` or `%{ endfor }` (consumed).
    Closer(Closer),
    Eof,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Closer {
    Else,
    EndIf,
    EndFor,
}

/// What a template is written in.
#[derive(Clone, Copy)]
enum Mode<'a> {
    Quoted,
    Heredoc(&'a str),
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// The end of the last consumed token or template text: where lexing goes on.
    pos: usize,
    peeked: Option<Token>,
    /// The comments between `pos` and the peeked token.
    peek_comments: Comments,
    unclosed_comment: Option<usize>,
    builder: Builder,
    errors: Vec<(usize, usize, String)>,
    /// Errors so far, including the end-of-file ones that are reported once at the end; nodes
    /// that were open while this grew have an error inside them.
    n_errors: usize,
    /// Open brackets around the current token: inside them newlines do not end anything.
    brackets: u32,
    depth: u32,
    /// The end of the last consumed token.
    last_end: usize,
    /// The start of the outermost construct that the file ends inside.
    eof_open: Option<usize>,
    too_deep: bool,
    /// Where template text ends at the latest: the cut of a heredoc that is not closed.
    template_limit: usize,
}

impl<'a> Parser<'a> {
    // --- Tokens ---------------------------------------------------------------------------

    fn peek(&mut self) -> Token {
        if let Some(token) = self.peeked {
            return token;
        }
        let mut unclosed = None;
        let token = lex(self.text, self.pos, &mut self.peek_comments, &mut unclosed);
        if unclosed.is_some() {
            self.unclosed_comment = self.unclosed_comment.or(unclosed);
        }
        self.peeked = Some(token);
        token
    }

    /// The token after the peeked one.
    fn peek_second(&mut self) -> Token {
        let first = self.peek();
        lex(self.text, first.end, &mut Vec::new(), &mut None)
    }

    fn at(&mut self, kind: Tok) -> bool {
        self.peek().kind == kind
    }

    /// Whether the peeked token can continue an expression: outside brackets a newline ends it.
    fn continues(&mut self) -> bool {
        let token = self.peek();
        !token.nl_before || self.brackets > 0
    }

    /// Consumes the peeked token; the comments before it become leaves of the current node.
    fn bump(&mut self) -> Token {
        let token = self.peek();
        self.flush_comments();
        self.peeked = None;
        self.pos = token.end;
        self.last_end = token.end;
        token
    }

    fn bump_leaf(&mut self, kind: Kind) -> Token {
        let token = self.bump();
        self.builder.leaf(kind, token.start, token.end, false);
        token
    }

    /// Forgets the peeked token, to scan from `pos` in another mode.
    fn unpeek(&mut self) {
        self.peeked = None;
        self.peek_comments.clear();
    }

    fn flush_comments(&mut self) {
        for (start, end) in self.peek_comments.drain(..) {
            self.builder.leaf(Kind::Comment, start, end, false);
        }
    }

    fn token_text(&self, token: Token) -> &'a str {
        self.text.get(token.start..token.end).unwrap_or_default()
    }

    fn is_keyword(&mut self, word: &str) -> bool {
        let token = self.peek();
        token.kind == Tok::Ident && self.token_text(token) == word
    }

    // --- Nodes and errors -------------------------------------------------------------------

    /// Where the children of a node that starts at the next token begin: the comments before
    /// that token stay outside, as siblings.
    fn marker(&mut self) -> Marker {
        self.flush_comments();
        self.builder.marker(self.n_errors)
    }

    /// A [`marker`](Self::marker) after looking at the next token, so that the comments before
    /// it are known.
    fn item_marker(&mut self) -> Marker {
        self.peek();
        self.marker()
    }

    fn finish(&mut self, kind: Kind, marker: Marker) {
        self.builder.finish(kind, marker, self.last_end, self.n_errors);
    }

    /// Finishes a node whose first byte is not in a child (punctuation such as `(` or `${`).
    fn finish_from(&mut self, kind: Kind, marker: Marker, start: usize) {
        self.builder.finish_from(kind, marker, start, self.last_end, self.n_errors);
    }

    fn error(&mut self, start: usize, end: usize, message: String) {
        self.n_errors += 1;
        self.errors.push((start, end, message));
    }

    /// `missing X` just after the last consumed token.
    fn missing(&mut self, what: &str) {
        let at = self.last_end;
        self.error(at, at, format!("syntax error: missing {what}"));
    }

    /// The file ends inside the construct that starts at `start`.
    fn eof_in(&mut self, start: usize) {
        self.n_errors += 1;
        self.eof_open = Some(self.eof_open.map_or(start, |open| open.min(start)));
    }

    /// Expects a closing token; reports it missing (or the file ending inside the construct that
    /// starts at `open`) and consumes nothing when it is not there.
    fn close(&mut self, kind: Tok, leaf: Option<Kind>, what: &str, open: usize) -> bool {
        let token = self.peek();
        if token.kind == kind {
            match leaf {
                Some(leaf) => self.bump_leaf(leaf),
                None => self.bump(),
            };
            return true;
        }
        if token.kind == Tok::Eof {
            self.eof_in(open);
        } else {
            self.missing(what);
        }
        false
    }

    /// Enters one level of nesting; `false` (and one error per file) past [`MAX_NESTING`].
    fn enter(&mut self) -> bool {
        self.depth += 1;
        self.depth <= MAX_NESTING
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Skips the bracketed text that starts at byte `open` without parsing it, as one `Error`.
    fn skip_too_deep(&mut self, open: usize) {
        self.unpeek();
        let mut balance = 0usize;
        let mut end = self.bytes.len();
        for (idx, byte) in self.bytes.iter().enumerate().skip(open) {
            match byte {
                b'{' | b'[' | b'(' => balance += 1,
                b'}' | b']' | b')' => {
                    balance = balance.saturating_sub(1);
                    if balance == 0 {
                        end = idx + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        self.builder.leaf(Kind::Error, open, end, true);
        self.pos = end;
        self.last_end = end;
        if balance > 0 && end == self.bytes.len() {
            self.eof_in(open);
        }
        if !self.too_deep {
            self.too_deep = true;
            self.error(open, open + 1, format!("syntax error: nesting deeper than {MAX_NESTING} levels"));
        } else {
            self.n_errors += 1;
        }
    }

    /// Skips the peeked token and the rest of its line (with the brackets opened on it) as one
    /// `Error`, stopping before a `}` that closes the enclosing body; `report` says whether it
    /// is an error of its own.
    fn skip_line(&mut self, report: bool) {
        let marker = self.marker();
        let start = self.peek().start;
        let mut balance = 0usize;
        let mut first = true;
        loop {
            let token = self.peek();
            let line_ends = token.nl_before && !first && balance == 0;
            if token.kind == Tok::Eof || line_ends || (token.kind == Tok::RBrace && balance == 0 && !first) {
                break;
            }
            first = false;
            match token.kind {
                Tok::Quote => {
                    self.quoted(true);
                    continue;
                }
                Tok::Heredoc => {
                    self.heredoc();
                    continue;
                }
                Tok::LBrace | Tok::LBrack | Tok::LParen => balance += 1,
                Tok::RBrace | Tok::RBrack | Tok::RParen => balance = balance.saturating_sub(1),
                _ => {}
            }
            self.bump();
        }
        let end = self.last_end;
        if report {
            let skipped = super::short(self.text.get(start..end).unwrap_or_default());
            self.error(start, end, format!("syntax error: unexpected `{skipped}`"));
        }
        self.finish_from(Kind::Error, marker, start);
    }

    // --- Bodies, attributes, blocks ----------------------------------------------------------

    /// The items of a body up to its `}` (not consumed) or the end of the file; a `Body` node
    /// when there is at least one attribute or block.
    fn body(&mut self, top_level: bool) {
        // Comments before the first item are in the body, next to the item they stand above.
        let marker = self.builder.marker(self.n_errors);
        let mut n_items = 0;
        loop {
            let token = self.peek();
            match token.kind {
                Tok::Eof => break,
                Tok::RBrace if !top_level => break,
                Tok::Ident => {
                    self.item();
                    n_items += 1;
                }
                _ => {
                    self.item_marker();
                    self.skip_line(true);
                }
            }
        }
        if n_items > 0 || top_level && self.builder.has_children(marker) {
            // Comments before the closing brace belong to the body.
            self.flush_comments();
            self.finish(Kind::Body, marker);
        }
    }

    /// An attribute or a block, at an identifier.
    fn item(&mut self) {
        let marker = self.item_marker();
        let name = self.bump_leaf(Kind::Identifier);
        let next = self.peek();
        if next.nl_before && next.kind != Tok::Eof {
            let text = self.token_text(name).to_owned();
            // A name alone on its line: an attribute or a block being typed.
            self.error(name.end, name.end, format!("syntax error: missing `=` or `{{` after `{text}`"));
            self.finish(Kind::Error, marker);
            return;
        }
        match next.kind {
            Tok::Eq => {
                self.bump();
                if self.at(Tok::Eof) {
                    self.eof_in(name.start);
                }
                let errors_before = self.n_errors;
                self.expression();
                let after = self.peek();
                if !(after.nl_before || matches!(after.kind, Tok::Eof | Tok::RBrace)) {
                    // After an error in the value, the rest of the line is part of that error.
                    self.skip_line(self.n_errors == errors_before);
                }
                self.finish(Kind::Attribute, marker);
            }
            Tok::Ident | Tok::Quote | Tok::LBrace => self.block(marker, name.start),
            Tok::Eof => {
                self.eof_in(name.start);
                self.finish(Kind::Error, marker);
            }
            _ => {
                self.skip_line(true);
                self.finish(Kind::Error, marker);
            }
        }
    }

    /// The labels and body of a block whose type identifier is consumed.
    fn block(&mut self, marker: Marker, start: usize) {
        loop {
            let token = self.peek();
            if token.nl_before {
                break;
            }
            match token.kind {
                Tok::Ident => {
                    self.bump_leaf(Kind::Identifier);
                }
                Tok::Quote => self.quoted(false),
                _ => break,
            }
        }
        let open = self.peek();
        if open.kind != Tok::LBrace || open.nl_before {
            match open.kind {
                Tok::Eof => self.eof_in(start),
                _ if open.nl_before => self.missing("`{`"),
                _ => self.skip_line(true),
            }
            self.finish(Kind::Block, marker);
            return;
        }
        if !self.enter() {
            self.skip_too_deep(open.start);
            self.leave();
            self.finish(Kind::Block, marker);
            return;
        }
        self.bump_leaf(Kind::BlockStart);
        self.body(false);
        self.close(Tok::RBrace, Some(Kind::BlockEnd), "`}`", start);
        self.leave();
        self.finish(Kind::Block, marker);
    }

    // --- Expressions ------------------------------------------------------------------------

    /// One `Expression` node.
    fn expression(&mut self) {
        let marker = self.item_marker();
        if !self.enter() {
            let start = self.peek().start;
            self.skip_too_deep(start);
        } else {
            self.conditional_parts();
        }
        self.leave();
        self.finish(Kind::Expression, marker);
    }

    /// The parts of an expression: a term, or one `Operation` or `Conditional`.
    fn conditional_parts(&mut self) {
        let marker = self.marker();
        self.binary_parts(0);
        if self.at(Tok::Question) && self.continues() {
            self.finish(Kind::Expression, marker);
            self.bump();
            self.expression();
            if self.at(Tok::Colon) {
                self.bump();
                self.expression();
            } else {
                let open = self.pos;
                if self.at(Tok::Eof) {
                    self.eof_in(open);
                } else {
                    self.missing("`:`");
                }
            }
            self.finish(Kind::Conditional, marker);
        }
    }

    /// Binary operations of at least precedence `min` (HCL: `||` 1, `&&` 2, `==` `!=` 3,
    /// `<` `<=` `>` `>=` 4, `+` `-` 5, `*` `/` `%` 6), left-associative.
    fn binary_parts(&mut self, min: u8) {
        let marker = self.marker();
        self.unary_parts();
        loop {
            let token = self.peek();
            let Some(precedence) = precedence(token.kind) else { break };
            if precedence < min || !self.continues() {
                break;
            }
            self.finish(Kind::Expression, marker);
            self.bump();
            let right = self.marker();
            self.binary_parts(precedence + 1);
            self.finish(Kind::Expression, right);
            self.finish(Kind::Operation, marker);
        }
    }

    fn unary_parts(&mut self) {
        if !matches!(self.peek().kind, Tok::Minus | Tok::Bang) {
            self.term_parts();
            return;
        }
        let marker = self.marker();
        let op = self.bump();
        let operand = self.marker();
        if self.enter() {
            self.unary_parts();
        } else {
            let start = self.peek().start;
            self.skip_too_deep(start);
        }
        self.leave();
        self.finish(Kind::Expression, operand);
        self.finish_from(Kind::Operation, marker, op.start);
    }

    /// A term and its traversal operators, as siblings.
    fn term_parts(&mut self) {
        self.base();
        loop {
            if !self.continues() {
                break;
            }
            let token = self.peek();
            match token.kind {
                Tok::Dot => self.dot(),
                Tok::LBrack => self.new_index(),
                Tok::DotStar | Tok::FullSplat => self.splat(),
                _ => break,
            }
        }
    }

    /// `.name`, or `.0` (a legacy index), after a term.
    fn dot(&mut self) {
        let marker = self.marker();
        let dot = self.bump();
        let digits = self.bytes.get(dot.end..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 {
            self.pos = dot.end + digits;
            self.last_end = self.pos;
            self.builder.leaf(Kind::LegacyIndex, dot.start, self.pos, false);
            self.finish_from(Kind::Index, marker, dot.start);
            return;
        }
        if self.at(Tok::Ident) && !self.peek().nl_before {
            self.bump_leaf(Kind::Identifier);
        } else if self.at(Tok::Eof) {
            self.eof_in(dot.start);
        } else {
            self.missing("an attribute name after `.`");
        }
        self.finish_from(Kind::GetAttr, marker, dot.start);
    }

    /// `[expression]` after a term.
    fn new_index(&mut self) {
        let marker = self.marker();
        let open = self.bump();
        let inner = self.marker();
        self.brackets += 1;
        self.expression();
        self.close(Tok::RBrack, None, "`]`", open.start);
        self.brackets -= 1;
        self.finish_from(Kind::NewIndex, inner, open.start);
        self.finish_from(Kind::Index, marker, open.start);
    }

    /// `.*` or `[*]` and the `.name` and `[index]` operators after it.
    fn splat(&mut self) {
        let marker = self.marker();
        let star = self.bump();
        loop {
            if !self.continues() {
                break;
            }
            match self.peek().kind {
                Tok::Dot => self.dot(),
                Tok::LBrack => self.new_index(),
                _ => break,
            }
        }
        self.finish_from(Kind::Splat, marker, star.start);
    }

    /// The term an expression starts with.
    fn base(&mut self) {
        let token = self.peek();
        if token.nl_before && self.brackets == 0 && token.kind != Tok::Eof {
            self.missing("expression");
            let at = self.last_end;
            self.builder.leaf(Kind::Error, at, at, true);
            return;
        }
        match token.kind {
            Tok::Number => {
                let marker = self.marker();
                self.bump_leaf(Kind::NumericLit);
                self.finish(Kind::LiteralValue, marker);
            }
            Tok::Ident => self.ident_term(),
            Tok::Quote => self.quoted(true),
            Tok::Heredoc => self.heredoc(),
            Tok::LBrack => self.tuple(),
            Tok::LBrace => self.object(),
            Tok::LParen => {
                let marker = self.marker();
                let open = self.bump();
                self.brackets += 1;
                self.expression();
                self.close(Tok::RParen, None, "`)`", open.start);
                self.brackets -= 1;
                self.finish_from(Kind::Expression, marker, open.start);
            }
            Tok::Eof => self.eof_in(token.start.min(self.last_end)),
            Tok::RBrace | Tok::RBrack | Tok::RParen | Tok::Comma | Tok::Colon => {
                self.missing("expression");
                let at = self.last_end;
                self.builder.leaf(Kind::Error, at, at, true);
            }
            _ => {
                let token = self.bump();
                let text = self.token_text(token).to_owned();
                self.error(token.start, token.end, format!("syntax error: unexpected `{text}`"));
                self.builder.leaf(Kind::Error, token.start, token.end, true);
            }
        }
    }

    /// A literal keyword, a function call or a variable.
    fn ident_term(&mut self) {
        let marker = self.marker();
        let token = self.peek();
        let literal = match self.token_text(token) {
            "true" | "false" => Some(Kind::BoolLit),
            "null" => Some(Kind::NullLit),
            _ => None,
        };
        if let Some(kind) = literal {
            self.bump_leaf(kind);
            self.finish(Kind::LiteralValue, marker);
            return;
        }
        self.bump_leaf(Kind::Identifier);
        if self.at(Tok::LParen) && !self.peek().nl_before {
            let open = self.bump();
            self.brackets += 1;
            let arguments = self.item_marker();
            let mut n_arguments = 0;
            loop {
                if matches!(self.peek().kind, Tok::RParen | Tok::Eof) {
                    break;
                }
                self.expression();
                n_arguments += 1;
                if self.at(Tok::Ellipsis) {
                    self.bump_leaf(Kind::Ellipsis);
                }
                match self.peek().kind {
                    Tok::Comma => {
                        self.bump();
                    }
                    Tok::RParen | Tok::Eof => break,
                    _ => {
                        self.missing("`)`");
                        break;
                    }
                }
            }
            if n_arguments > 0 {
                self.finish(Kind::FunctionArguments, arguments);
            }
            if self.at(Tok::RParen) {
                self.bump();
            } else if self.at(Tok::Eof) {
                self.eof_in(open.start);
            }
            self.brackets -= 1;
            self.finish(Kind::FunctionCall, marker);
            return;
        }
        self.finish(Kind::VariableExpr, marker);
    }

    /// `[ … ]`: a tuple or a `for` expression.
    fn tuple(&mut self) {
        let marker = self.marker();
        let open = self.bump_leaf(Kind::TupleStart);
        self.brackets += 1;
        if self.at_for() {
            self.for_rest(Tok::RBrack, Kind::TupleEnd, open.start, marker);
            return;
        }
        loop {
            match self.peek().kind {
                Tok::RBrack | Tok::Eof => break,
                _ => {}
            }
            self.expression();
            match self.peek().kind {
                Tok::Comma => {
                    self.bump();
                }
                _ => break,
            }
        }
        self.close(Tok::RBrack, Some(Kind::TupleEnd), "`]`", open.start);
        self.brackets -= 1;
        self.finish(Kind::Tuple, marker);
        self.wrap(Kind::CollectionValue, marker);
    }

    /// `{ … }`: an object or a `for` expression.
    fn object(&mut self) {
        let marker = self.marker();
        let open = self.bump_leaf(Kind::ObjectStart);
        self.brackets += 1;
        if self.at_for() {
            self.for_rest(Tok::RBrace, Kind::ObjectEnd, open.start, marker);
            return;
        }
        loop {
            let token = self.peek();
            match token.kind {
                Tok::RBrace | Tok::Eof | Tok::RBrack | Tok::RParen => break,
                Tok::Comma => {
                    // A stray comma; elements may also be separated by newlines only.
                    self.bump();
                    continue;
                }
                _ => {}
            }
            self.object_elem();
        }
        self.close(Tok::RBrace, Some(Kind::ObjectEnd), "`}`", open.start);
        self.brackets -= 1;
        self.finish(Kind::Object, marker);
        self.wrap(Kind::CollectionValue, marker);
    }

    /// `key = value` or `key: value`.
    fn object_elem(&mut self) {
        let marker = self.item_marker();
        let key = self.marker();
        if self.enter() {
            self.term_parts();
        } else {
            let start = self.peek().start;
            self.skip_too_deep(start);
        }
        self.leave();
        self.finish(Kind::Expression, key);
        if matches!(self.peek().kind, Tok::Eq | Tok::Colon) {
            self.bump();
        } else if self.at(Tok::Eof) {
            self.finish(Kind::ObjectElem, marker);
            return;
        } else {
            self.missing("`=`");
        }
        self.expression();
        self.finish(Kind::ObjectElem, marker);
    }

    /// Wraps the one node finished since `marker` in a node of `kind` with the same span.
    fn wrap(&mut self, kind: Kind, marker: Marker) {
        self.finish(kind, marker);
    }

    /// Whether a `for` expression starts at the peeked token: `for` and then an identifier.
    fn at_for(&mut self) -> bool {
        if !self.is_keyword("for") {
            return false;
        }
        self.peek_second().kind == Tok::Ident
    }

    /// The rest of `[for k, v in coll : expr if cond]` or `{for k, v in coll : key => value... if
    /// cond}` after the opening bracket; leaves one `ForExpr`.
    fn for_rest(&mut self, close: Tok, close_kind: Kind, open: usize, marker: Marker) {
        self.bump();
        self.bump_leaf(Kind::Identifier);
        if self.at(Tok::Comma) {
            self.bump();
            if self.at(Tok::Ident) {
                self.bump_leaf(Kind::Identifier);
            } else {
                self.missing("an identifier after `,`");
            }
        }
        if self.is_keyword("in") {
            self.bump();
        } else {
            self.missing("`in`");
        }
        self.expression();
        if self.at(Tok::Colon) {
            self.bump();
        } else {
            self.missing("`:`");
        }
        self.expression();
        if close == Tok::RBrace {
            if self.at(Tok::FatArrow) {
                self.bump();
                self.expression();
            } else {
                self.missing("`=>`");
            }
            if self.at(Tok::Ellipsis) {
                self.bump_leaf(Kind::Ellipsis);
            }
        }
        if self.is_keyword("if") {
            self.bump();
            self.expression();
        }
        self.close(close, Some(close_kind), if close == Tok::RBrace { "`}`" } else { "`]`" }, open);
        self.brackets -= 1;
        self.finish(Kind::ForExpr, marker);
    }

    // --- Templates --------------------------------------------------------------------------

    /// A quoted string at the peeked `"`: a `StringLit`, or a `QuotedTemplate` when it has
    /// interpolations or directives; as an expression (`wrap`) in a `LiteralValue` or a
    /// `TemplateExpr`.
    fn quoted(&mut self, wrap: bool) {
        let outer = self.marker();
        let marker = self.marker();
        let quote = self.bump_leaf(Kind::QuotedTemplateStart);
        let (stop, n_holes) = self.template(Mode::Quoted, false);
        match stop {
            Stop::Quote => self.builder.leaf(Kind::QuotedTemplateEnd, self.pos - 1, self.pos, false),
            Stop::Eof => self.eof_in(quote.start),
            Stop::Newline => self.missing("`\"`"),
            Stop::Heredoc(..) | Stop::Closer(_) => {}
        }
        let (kind, outer_kind) = if n_holes == 0 {
            (Kind::StringLit, Kind::LiteralValue)
        } else {
            (Kind::QuotedTemplate, Kind::TemplateExpr)
        };
        self.finish(kind, marker);
        if wrap {
            self.finish(outer_kind, outer);
        }
    }

    /// A heredoc at the peeked `<<EOF` or `<<-EOF`: a `TemplateExpr` holding a `HeredocTemplate`.
    fn heredoc(&mut self) {
        let outer = self.marker();
        let marker = self.marker();
        let token = self.bump();
        let marker_len = if self.bytes.get(token.start + 2) == Some(&b'-') { 3 } else { 2 };
        self.builder.leaf(Kind::HeredocStart, token.start, token.start + marker_len, false);
        self.builder.leaf(Kind::HeredocIdentifier, token.start + marker_len, token.end, false);
        let ident = self.text.get(token.start + marker_len..token.end).unwrap_or_default();
        // The rest of the opening line must be empty.
        let rest = self.bytes.get(token.end..).unwrap_or_default();
        let line_len = rest.iter().position(|byte| *byte == b'\n').unwrap_or(rest.len());
        let line = self.text.get(token.end..token.end + line_len).unwrap_or_default();
        if !line.trim().is_empty() {
            let start = token.end + (line.len() - line.trim_start().len());
            let end = token.end + line.trim_end().len();
            let message =
                format!("syntax error: unexpected `{}` after `{}`", super::short(line), self.token_text(token));
            self.error(start, end, message);
        }
        if token.end + line_len >= self.bytes.len() {
            self.eof_in(token.start);
            self.pos = self.bytes.len();
            self.finish(Kind::HeredocTemplate, marker);
            self.finish(Kind::TemplateExpr, outer);
            return;
        }
        let content = token.end + line_len + 1;
        self.pos = content;
        // Without a closing line the heredoc would take the rest of the file. While a buffer is
        // being typed, it more likely ends before the `}` of its block or the next top-level
        // block, so it is cut there and the rest is read.
        let outer_limit = self.template_limit;
        let cut = if self.closing_line(content, ident).is_none() { self.recovery_line(content) } else { None };
        if let Some(cut) = cut {
            self.template_limit = cut;
        }
        let (stop, _) = self.template(Mode::Heredoc(ident), false);
        self.template_limit = outer_limit;
        match (stop, cut) {
            (Stop::Heredoc(start, end), _) => self.builder.leaf(Kind::HeredocIdentifier, start, end, false),
            (_, Some(cut)) if self.pos <= cut => {
                let message = format!("syntax error: missing `{ident}`, the end of this heredoc");
                self.error(token.start, token.end, message);
                // Lexing resumes at the newline, so the next token starts a line.
                self.pos = cut.saturating_sub(1);
                self.last_end = self.last_end.min(self.pos);
            }
            _ => self.eof_in(token.start),
        }
        self.finish(Kind::HeredocTemplate, marker);
        self.finish(Kind::TemplateExpr, outer);
    }

    /// The start of the line at or after `from` that closes a heredoc `ident`.
    fn closing_line(&self, from: usize, ident: &str) -> Option<usize> {
        let mut line = from;
        while line < self.bytes.len() {
            if self.heredoc_close_at(line, ident).is_some() {
                return Some(line);
            }
            let rest = self.bytes.get(line..)?;
            line += rest.iter().position(|byte| *byte == b'\n')? + 1;
        }
        None
    }

    /// The start of the first line at or after `from` that begins, unindented, with `}` or with
    /// a top-level block type followed by a label.
    fn recovery_line(&self, from: usize) -> Option<usize> {
        let mut line = from;
        while line < self.bytes.len() {
            let text = self.text.get(line..)?;
            let first = text.split('\n').next().unwrap_or_default().trim_end();
            let starts_block = super::TOP_LEVEL_KEYWORDS.iter().any(|keyword| {
                first
                    .strip_prefix(keyword)
                    .is_some_and(|after| after.starts_with([' ', '"']) && after.trim_end().ends_with('{'))
            });
            if first == "}" || starts_block {
                return Some(line);
            }
            line += text.find('\n')? + 1;
        }
        None
    }

    /// Scans template text from `pos` up to the end of the template (or a closing directive),
    /// parsing interpolations and directives; returns how it stopped and how many holes it met.
    fn template(&mut self, mode: Mode<'_>, in_directive: bool) -> (Stop, usize) {
        self.unpeek();
        let mut n_holes = 0;
        let mut at_line_start = matches!(mode, Mode::Heredoc(_));
        loop {
            if let (Mode::Heredoc(ident), true) = (mode, at_line_start)
                && let Some((start, end)) = self.heredoc_close(ident)
            {
                self.pos = end;
                self.last_end = end;
                return (Stop::Heredoc(start, end), n_holes);
            }
            at_line_start = false;
            let Some(&byte) = self.bytes.get(self.pos).filter(|_| self.pos < self.template_limit) else {
                self.last_end = self.pos;
                return (Stop::Eof, n_holes);
            };
            let next = self.bytes.get(self.pos + 1).copied();
            match (byte, next, mode) {
                (b'"', _, Mode::Quoted) => {
                    self.pos += 1;
                    self.last_end = self.pos;
                    return (Stop::Quote, n_holes);
                }
                (b'\n', _, Mode::Quoted) => {
                    // The string ends with its line; `last_end` stays before the newline.
                    let end = if self.pos > 0 && self.bytes.get(self.pos - 1) == Some(&b'\r') {
                        self.pos - 1
                    } else {
                        self.pos
                    };
                    self.last_end = end;
                    return (Stop::Newline, n_holes);
                }
                (b'\n', _, Mode::Heredoc(_)) => {
                    self.pos += 1;
                    at_line_start = true;
                }
                (b'\\', Some(escaped), Mode::Quoted) if escaped != b'\n' && escaped.is_ascii() => self.pos += 2,
                (b'$' | b'%', Some(same), _) if same == byte && self.bytes.get(self.pos + 2) == Some(&b'{') => {
                    self.pos += 3;
                }
                (b'$', Some(b'{'), _) => {
                    self.interpolation();
                    n_holes += 1;
                }
                (b'%', Some(b'{'), _) => {
                    let start = self.pos;
                    match self.directive(mode) {
                        Ok(()) => n_holes += 1,
                        Err(Stop::Closer(_)) if !in_directive => {
                            let end = self.last_end;
                            let tag = super::short(self.text.get(start..end).unwrap_or_default());
                            self.error(start, end, format!("syntax error: unexpected `{tag}`"));
                            n_holes += 1;
                        }
                        Err(stop) => return (stop, n_holes + 1),
                    }
                }
                _ => self.pos += 1,
            }
        }
    }

    /// The range of the heredoc's closing identifier when the line at `pos` is the closing line.
    fn heredoc_close(&self, ident: &str) -> Option<(usize, usize)> {
        self.heredoc_close_at(self.pos, ident)
    }

    /// The range of the heredoc's closing identifier when the line at `at` is the closing line:
    /// the identifier alone, after any indentation (hashicorp/hcl specsuite `heredoc.hcl`).
    fn heredoc_close_at(&self, at: usize, ident: &str) -> Option<(usize, usize)> {
        let line = self.bytes.get(at..)?;
        let indent = line.iter().take_while(|byte| matches!(byte, b' ' | b'\t')).count();
        let start = at + indent;
        let end = start + ident.len();
        if self.text.get(start..end)? != ident {
            return None;
        }
        match self.bytes.get(end..)? {
            [] | [b'\n', ..] | [b'\r', b'\n', ..] => Some((start, end)),
            _ => None,
        }
    }

    /// `${ expression }` at `pos`.
    fn interpolation(&mut self) {
        let start = self.pos;
        let marker = self.marker();
        self.pos += 2;
        self.last_end = self.pos;
        // `${aws:username}` is an IAM policy variable meant for the policy, not an expression:
        // say how Terraform wants it written, and go on after it.
        if let Some(end) = policy_variable_end(self.bytes, self.pos) {
            let variable = self.text.get(self.pos..end - 1).unwrap_or_default();
            self.error(
                start,
                end,
                format!(
                    "syntax error: `${{{variable}}}` is read as a Terraform interpolation; write `$${{{variable}}}` for the IAM policy variable"
                ),
            );
            self.pos = end;
            self.last_end = end;
            self.unpeek();
            self.finish_from(Kind::TemplateInterpolation, marker, start);
            return;
        }
        if !self.enter() {
            self.skip_too_deep(start + 1);
            self.leave();
            self.finish_from(Kind::TemplateInterpolation, marker, start);
            return;
        }
        self.brackets += 1;
        if self.at(Tok::Tilde) {
            self.bump();
        }
        if !matches!(self.peek().kind, Tok::RBrace | Tok::Tilde | Tok::Eof) {
            self.expression();
        }
        if self.at(Tok::Tilde) {
            self.bump();
        }
        if self.at(Tok::RBrace) {
            self.bump();
        } else if self.at(Tok::Eof) {
            self.eof_in(start);
        } else {
            self.missing("`}`");
        }
        self.brackets -= 1;
        self.leave();
        self.unpeek();
        self.finish_from(Kind::TemplateInterpolation, marker, start);
    }

    /// `%{ if … }…%{ endif }` or `%{ for … }…%{ endfor }` at `pos`. A closing directive
    /// (`else`, `endif`, `endfor`) is consumed and returned as `Err`, as is a stop of the
    /// enclosing template met before the directive is closed.
    fn directive(&mut self, mode: Mode<'_>) -> Result<(), Stop> {
        let start = self.pos;
        let marker = self.marker();
        if self.depth >= MAX_NESTING {
            self.skip_too_deep(start + 1);
            self.finish_from(Kind::TemplateDirective, marker, start);
            return Ok(());
        }
        self.pos += 2;
        self.last_end = self.pos;
        self.brackets += 1;
        if self.at(Tok::Tilde) {
            self.bump();
        }
        let keyword = self.peek();
        let closer = match self.token_text(keyword) {
            _ if keyword.kind != Tok::Ident => None,
            "else" => Some(Closer::Else),
            "endif" => Some(Closer::EndIf),
            "endfor" => Some(Closer::EndFor),
            _ => None,
        };
        if let Some(closer) = closer {
            // The closing tag's text belongs to the directive it closes.
            self.bump();
            self.directive_end(start);
            self.brackets -= 1;
            return Err(Stop::Closer(closer));
        }
        let is_for = match self.token_text(keyword) {
            "if" => {
                self.bump();
                self.expression();
                false
            }
            "for" => {
                self.bump();
                self.expect_ident();
                if self.at(Tok::Comma) {
                    self.bump();
                    self.expect_ident();
                }
                if self.is_keyword("in") {
                    self.bump();
                } else {
                    self.missing("`in`");
                }
                self.expression();
                true
            }
            _ => {
                let (from, to) = (keyword.start, keyword.end);
                let text = self.token_text(keyword).to_owned();
                self.error(from, to, format!("syntax error: unexpected `{text}` in a template directive"));
                self.expression();
                false
            }
        };
        self.directive_end(start);
        self.brackets -= 1;
        self.depth += 1;
        let mut seen_else = false;
        let result = loop {
            let (stop, _) = self.template(mode, true);
            match stop {
                Stop::Closer(Closer::Else) if !is_for && !seen_else => seen_else = true,
                Stop::Closer(Closer::EndIf) if !is_for => break Ok(()),
                Stop::Closer(Closer::EndFor) if is_for => break Ok(()),
                Stop::Closer(_) => {
                    let at = self.last_end;
                    self.error(start, at, "syntax error: a template directive closed by the wrong keyword".to_owned());
                    break Ok(());
                }
                Stop::Eof => {
                    self.eof_in(start);
                    break Err(Stop::Eof);
                }
                other => {
                    self.missing(if is_for { "`%{ endfor }`" } else { "`%{ endif }`" });
                    break Err(other);
                }
            }
        };
        self.leave();
        self.finish_from(Kind::TemplateDirective, marker, start);
        result
    }

    /// The optional `~` and the `}` that end a directive tag.
    fn directive_end(&mut self, start: usize) {
        if self.at(Tok::Tilde) {
            self.bump();
        }
        if self.at(Tok::RBrace) {
            self.bump();
        } else if self.at(Tok::Eof) {
            self.eof_in(start);
        } else {
            self.missing("`}`");
        }
        self.unpeek();
    }

    fn expect_ident(&mut self) {
        if self.at(Tok::Ident) {
            self.bump_leaf(Kind::Identifier);
        } else {
            self.missing("an identifier");
        }
    }
}

fn precedence(kind: Tok) -> Option<u8> {
    Some(match kind {
        Tok::OrOr => 1,
        Tok::AndAnd => 2,
        Tok::EqEq | Tok::NotEq => 3,
        Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge => 4,
        Tok::Plus | Tok::Minus => 5,
        Tok::Star | Tok::Slash | Tok::Percent => 6,
        _ => return None,
    })
}

/// The end (after the `}`) of an IAM policy variable written at `at` as an interpolation's
/// content (`aws:username}`), which no HCL expression spells.
fn policy_variable_end(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = bytes.get(at..)?;
    // Variable names are ASCII without spaces or braces: look no further than such bytes go.
    let close = rest.iter().position(|b| !b.is_ascii_graphic() || *b == b'{' || *b == b'}')?;
    let name = std::str::from_utf8(rest.get(..close)?).ok()?;
    (rest.get(close) == Some(&b'}') && rein_model::value::is_policy_variable_name(name)).then_some(at + close + 1)
}
