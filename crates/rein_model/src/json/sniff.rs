//! Tells policy JSON files apart from other JSON (package manifests, CloudFormation templates,
//! plan files) during a directory walk, without building a tree.

use std::borrow::Cow;

use jsonc_parser::tokens::Token;
use jsonc_parser::{Scanner, ScannerOptions};

/// What a JSON file looks like, as far as policy discovery is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Likelihood {
    /// A JSON object with a `Statement` key (in any case) or a policy `Version` at the top level.
    Policy,
    /// Well-formed JSON that is not a policy.
    NotPolicy,
    /// Not JSON, even read leniently.
    Broken,
}

/// Classifies `text` by its top-level keys.
///
/// The check is lenient (comments, trailing and missing commas and JSON5 literals pass), so a
/// policy with a typo still counts as a policy and `parse_policy` reports the typo. It reads
/// tokens in one pass with an explicit stack, so big and deeply nested files are cheap.
pub fn looks_like_policy(text: &str) -> Likelihood {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut scanner = Scanner::new(body, &ScannerOptions::default());
    let mut sniffer = Sniffer::default();
    loop {
        let token = match scanner.scan() {
            Ok(Some(token)) => token,
            Ok(None) => break,
            Err(_) => return Likelihood::Broken,
        };
        if sniffer.step(token).is_none() {
            return Likelihood::Broken;
        }
    }
    if !sniffer.stack.is_empty() || !sniffer.root_seen {
        return Likelihood::Broken;
    }
    if sniffer.root_is_object && (sniffer.has_statement || sniffer.has_policy_version) {
        Likelihood::Policy
    } else {
        Likelihood::NotPolicy
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    /// In an object, expecting a key or `}`.
    ObjectKey,
    /// In an object, after a key.
    ObjectColon,
    /// In an object, after a colon.
    ObjectValue,
    /// In an object, after a value.
    ObjectAfter,
    /// In an array, expecting a value or `]`.
    ArrayValue,
    /// In an array, after a value.
    ArrayAfter,
}

#[derive(Default)]
struct Sniffer {
    stack: Vec<Frame>,
    root_seen: bool,
    root_is_object: bool,
    has_statement: bool,
    has_policy_version: bool,
    /// The last top-level key was `Version`, so its value decides `has_policy_version`.
    value_of_version: bool,
}

impl Sniffer {
    /// Feeds one token; `None` means the text is not JSON.
    fn step(&mut self, token: Token<'_>) -> Option<()> {
        match token {
            Token::CommentLine(_) | Token::CommentBlock(_) => Some(()),
            Token::OpenBrace | Token::OpenBracket => {
                let is_object = token == Token::OpenBrace;
                self.value_start(None)?;
                if self.stack.is_empty() {
                    self.root_is_object = is_object;
                }
                self.stack.push(if is_object { Frame::ObjectKey } else { Frame::ArrayValue });
                Some(())
            }
            Token::CloseBrace => match self.stack.pop()? {
                Frame::ObjectKey | Frame::ObjectAfter => Some(()),
                _ => None,
            },
            Token::CloseBracket => match self.stack.pop()? {
                Frame::ArrayValue | Frame::ArrayAfter => Some(()),
                _ => None,
            },
            Token::Comma => {
                let top = self.stack.last_mut()?;
                *top = match top {
                    Frame::ObjectAfter => Frame::ObjectKey,
                    Frame::ArrayAfter => Frame::ArrayValue,
                    _ => return None,
                };
                Some(())
            }
            Token::Colon => {
                let top = self.stack.last_mut()?;
                if *top != Frame::ObjectColon {
                    return None;
                }
                *top = Frame::ObjectValue;
                Some(())
            }
            Token::String(text) => {
                if matches!(self.stack.last(), Some(Frame::ObjectKey | Frame::ObjectAfter)) {
                    self.key(&text)
                } else {
                    self.value_start(Some(text))
                }
            }
            Token::Word(word) => {
                if matches!(self.stack.last(), Some(Frame::ObjectKey | Frame::ObjectAfter)) {
                    self.key(word)
                } else {
                    None
                }
            }
            Token::Number(_) | Token::Boolean(_) | Token::Null => {
                if matches!(self.stack.last(), Some(Frame::ObjectKey | Frame::ObjectAfter)) {
                    // JSON5 allows these as unquoted keys.
                    self.key("")
                } else {
                    self.value_start(None)
                }
            }
        }
    }

    fn key(&mut self, name: &str) -> Option<()> {
        if self.stack.len() == 1 {
            self.has_statement |= name.eq_ignore_ascii_case("Statement");
            self.value_of_version = name == "Version";
        }
        let top = self.stack.last_mut()?;
        *top = Frame::ObjectColon;
        Some(())
    }

    /// Accounts for a value where the current frame allows one; `string` is its text when it is a string.
    fn value_start(&mut self, string: Option<Cow<'_, str>>) -> Option<()> {
        let depth = self.stack.len();
        let Some(top) = self.stack.last_mut() else {
            if self.root_seen {
                return None;
            }
            self.root_seen = true;
            return Some(());
        };
        *top = match top {
            Frame::ObjectValue => Frame::ObjectAfter,
            Frame::ArrayValue | Frame::ArrayAfter => Frame::ArrayAfter,
            _ => return None,
        };
        if depth == 1 && std::mem::take(&mut self.value_of_version) {
            self.has_policy_version |= matches!(string.as_deref(), Some("2012-10-17" | "2008-10-17"));
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_top_level_keys() {
        assert_eq!(looks_like_policy(r#"{"Version": "2012-10-17", "Statement": []}"#), Likelihood::Policy);
        assert_eq!(looks_like_policy(r#"{"statement": {}}"#), Likelihood::Policy);
        assert_eq!(looks_like_policy("\u{feff}{\"Version\": \"2008-10-17\"}"), Likelihood::Policy);
        assert_eq!(looks_like_policy(r#"{"Version": "1.0", "name": "x"}"#), Likelihood::NotPolicy);
        assert_eq!(looks_like_policy(r#"{"name": "pkg", "version": "2012-10-17"}"#), Likelihood::NotPolicy);
        let template = r#"{"Resources": {"R": {"Properties": {"PolicyDocument": {"Statement": []}}}}}"#;
        assert_eq!(looks_like_policy(template), Likelihood::NotPolicy);
        assert_eq!(looks_like_policy(r#"[{"Statement": []}]"#), Likelihood::NotPolicy);
        assert_eq!(looks_like_policy("42"), Likelihood::NotPolicy);
    }

    #[test]
    fn lenient_about_typing_mistakes() {
        assert_eq!(looks_like_policy("{\"Statement\": [], // note\n}"), Likelihood::Policy);
        assert_eq!(looks_like_policy(r#"{"Version": "2012-10-17" "Statement": [1 2]}"#), Likelihood::Policy);
    }

    #[test]
    fn broken_text() {
        for text in ["", "   ", "{", r#"{"Statement": ["#, "}", "{} {}", r#"{"a" 1}"#, "{\"a\": foo}", "[1,,2]", "{,}"]
        {
            assert_eq!(looks_like_policy(text), Likelihood::Broken, "{text:?}");
        }
    }

    #[test]
    fn deep_and_big_inputs() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(looks_like_policy(&deep), Likelihood::NotPolicy);
        assert_eq!(looks_like_policy(&"[".repeat(100_000)), Likelihood::Broken);
        let big = format!("{{\"Statement\": [{}0]}}", "\"arn:aws:s3:::bucket/key\", ".repeat(200_000));
        assert_eq!(looks_like_policy(&big), Likelihood::Policy);
    }
}
