//! The tokens of HCL's native syntax outside templates.
//!
//! The lexer is a pure function of a byte offset, so the parser can look ahead and switch to its
//! template and heredoc scanners (in `parser.rs`) at any point. Newlines are not tokens: each token
//! says whether one came before it, which the parser reads where newlines matter (the end of an
//! attribute, outside brackets).

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Ident,
    Number,
    LBrace,
    RBrace,
    LBrack,
    RBrack,
    LParen,
    RParen,
    Eq,
    Comma,
    Dot,
    /// `.*`
    DotStar,
    /// `[*]`
    FullSplat,
    Colon,
    Question,
    FatArrow,
    Ellipsis,
    Bang,
    Minus,
    Plus,
    Star,
    Slash,
    Percent,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    /// `~`, the strip marker of template interpolations and directives.
    Tilde,
    /// `"`, the start of a quoted template.
    Quote,
    /// `<<EOF` or `<<-EOF`.
    Heredoc,
    Eof,
    /// A character that starts no token.
    Unknown,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
    /// A newline (or a comment that spans one) comes between the previous token and this one.
    pub nl_before: bool,
}

/// The comments met while scanning to a token, as byte ranges.
pub(crate) type Comments = Vec<(usize, usize)>;

/// The token at or after `pos`, skipping whitespace and comments (pushed onto `comments`). An
/// unclosed `/*` comment runs to the end of the file; its start is returned in `unclosed`.
pub(crate) fn lex(text: &str, mut pos: usize, comments: &mut Comments, unclosed: &mut Option<usize>) -> Token {
    let bytes = text.as_bytes();
    let mut nl_before = false;
    loop {
        match bytes.get(pos) {
            Some(b' ' | b'\t' | b'\r') => pos += 1,
            Some(b'\n') => {
                nl_before = true;
                pos += 1;
            }
            Some(b'#') => pos = line_comment(bytes, pos, comments),
            Some(b'/') if bytes.get(pos + 1) == Some(&b'/') => pos = line_comment(bytes, pos, comments),
            Some(b'/') if bytes.get(pos + 1) == Some(&b'*') => {
                let body = bytes.get(pos + 2..).unwrap_or_default();
                let end = match body.windows(2).position(|pair| pair == b"*/") {
                    Some(idx) => pos + 2 + idx + 2,
                    None => {
                        *unclosed = Some(pos);
                        bytes.len()
                    }
                };
                nl_before |= bytes.get(pos..end).is_some_and(|comment| comment.contains(&b'\n'));
                comments.push((pos, end));
                pos = end;
            }
            _ => break,
        }
    }
    let start = pos;
    let (kind, len) = token_at(text, pos);
    Token { kind, start, end: start + len, nl_before }
}

/// Skips a `#` or `//` comment, which ends before the newline.
fn line_comment(bytes: &[u8], pos: usize, comments: &mut Comments) -> usize {
    let rest = bytes.get(pos..).unwrap_or_default();
    let end = pos + rest.iter().position(|byte| *byte == b'\n').unwrap_or(rest.len());
    // A `\r\n` line ending is not part of the comment.
    let end = if end > pos && bytes.get(end - 1) == Some(&b'\r') { end - 1 } else { end };
    comments.push((pos, end));
    end
}

/// The token that starts at `pos` (no whitespace before it) and its length in bytes.
fn token_at(text: &str, pos: usize) -> (Tok, usize) {
    let bytes = text.as_bytes();
    let Some(&byte) = bytes.get(pos) else { return (Tok::Eof, 0) };
    let next = bytes.get(pos + 1).copied();
    let two = |kind| (kind, 2);
    match (byte, next) {
        (b'{', _) => (Tok::LBrace, 1),
        (b'}', _) => (Tok::RBrace, 1),
        (b'[', Some(b'*')) if bytes.get(pos + 2) == Some(&b']') => (Tok::FullSplat, 3),
        (b'[', _) => (Tok::LBrack, 1),
        (b']', _) => (Tok::RBrack, 1),
        (b'(', _) => (Tok::LParen, 1),
        (b')', _) => (Tok::RParen, 1),
        (b'=', Some(b'=')) => two(Tok::EqEq),
        (b'=', Some(b'>')) => two(Tok::FatArrow),
        (b'=', _) => (Tok::Eq, 1),
        (b',', _) => (Tok::Comma, 1),
        (b'.', Some(b'.')) if bytes.get(pos + 2) == Some(&b'.') => (Tok::Ellipsis, 3),
        (b'.', Some(b'*')) => two(Tok::DotStar),
        (b'.', _) => (Tok::Dot, 1),
        (b':', _) => (Tok::Colon, 1),
        (b'?', _) => (Tok::Question, 1),
        (b'!', Some(b'=')) => two(Tok::NotEq),
        (b'!', _) => (Tok::Bang, 1),
        (b'-', _) => (Tok::Minus, 1),
        (b'+', _) => (Tok::Plus, 1),
        (b'*', _) => (Tok::Star, 1),
        (b'/', _) => (Tok::Slash, 1),
        (b'%', _) => (Tok::Percent, 1),
        (b'<', Some(b'<')) => match heredoc_len(bytes, pos) {
            Some(len) => (Tok::Heredoc, len),
            None => two(Tok::Unknown),
        },
        (b'<', Some(b'=')) => two(Tok::Le),
        (b'<', _) => (Tok::Lt, 1),
        (b'>', Some(b'=')) => two(Tok::Ge),
        (b'>', _) => (Tok::Gt, 1),
        (b'&', Some(b'&')) => two(Tok::AndAnd),
        (b'|', Some(b'|')) => two(Tok::OrOr),
        (b'~', _) => (Tok::Tilde, 1),
        (b'"', _) => (Tok::Quote, 1),
        (b'0'..=b'9', _) => (Tok::Number, number_len(bytes, pos)),
        _ => match ident_len(text, pos) {
            0 => (Tok::Unknown, text.get(pos..).and_then(|rest| rest.chars().next()).map_or(1, char::len_utf8)),
            len => (Tok::Ident, len),
        },
    }
}

/// The length of `<<EOF` or `<<-EOF` at `pos`, when an identifier follows the marker.
fn heredoc_len(bytes: &[u8], pos: usize) -> Option<usize> {
    let marker = if bytes.get(pos + 2) == Some(&b'-') { 3 } else { 2 };
    let rest = bytes.get(pos + marker..)?;
    if !rest.first().is_some_and(|byte| byte.is_ascii_alphabetic() || *byte == b'_') {
        return None;
    }
    Some(marker + rest.iter().take_while(|byte| byte.is_ascii_alphanumeric() || **byte == b'_').count())
}

/// `digits ("." digits)? (("e"|"E") ("+"|"-")? digits)?`
fn number_len(bytes: &[u8], pos: usize) -> usize {
    let digits = |from: usize| bytes.get(from..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count();
    let mut end = pos + digits(pos);
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1 + digits(end + 1);
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        let exponent = digits(end + 1 + sign);
        if exponent > 0 {
            end += 1 + sign + exponent;
        }
    }
    end - pos
}

/// The length of the identifier at `pos`: `ID_Start` or `_`, then `ID_Continue`, `-`, or `::`
/// before another identifier character (provider functions, `provider::aws::arn_parse`).
pub(crate) fn ident_len(text: &str, pos: usize) -> usize {
    let Some(rest) = text.get(pos..) else { return 0 };
    let mut chars = rest.char_indices();
    match chars.next() {
        Some((_, ch)) if ch == '_' || unicode_ident::is_xid_start(ch) => {}
        _ => return 0,
    }
    let bytes = rest.as_bytes();
    let mut end = rest.len();
    while let Some((idx, ch)) = chars.next() {
        if ch == '-' || unicode_ident::is_xid_continue(ch) {
            continue;
        }
        if ch == ':'
            && bytes.get(idx + 1) == Some(&b':')
            && rest.get(idx + 2..).and_then(|after| after.chars().next()).is_some_and(unicode_ident::is_xid_start)
        {
            chars.next();
            continue;
        }
        end = idx;
        break;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            let token = lex(text, pos, &mut Vec::new(), &mut None);
            out.push(token.kind);
            if token.kind == Tok::Eof {
                return out;
            }
            pos = token.end;
        }
    }

    #[test]
    fn operators_numbers_and_identifiers() {
        use Tok::*;
        assert_eq!(
            kinds("a.* [*] ... => == != <= >= && || 1.5e3 x-y provider::aws::f"),
            vec![
                Ident, DotStar, FullSplat, Ellipsis, FatArrow, EqEq, NotEq, Le, Ge, AndAnd, OrOr, Number, Ident, Ident,
                Eof
            ]
        );
        assert_eq!(kinds("<<EOF <<-X <<"), vec![Heredoc, Heredoc, Unknown, Eof]);
        assert_eq!(kinds("1.x"), vec![Number, Dot, Ident, Eof]);
    }

    #[test]
    fn comments_and_newlines() {
        let mut comments = Vec::new();
        let token = lex("# a\n// b\r\n/* c\n */ x", 0, &mut comments, &mut None);
        assert_eq!((token.kind, token.nl_before), (Tok::Ident, true));
        assert_eq!(comments, vec![(0, 3), (4, 8), (10, 18)]);
        let mut unclosed = None;
        assert_eq!(lex("/* open", 0, &mut Vec::new(), &mut unclosed).kind, Tok::Eof);
        assert_eq!(unclosed, Some(0));
    }
}
