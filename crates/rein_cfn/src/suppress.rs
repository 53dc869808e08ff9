//! Suppression comments in YAML templates (`# rein:ignore IAM105 reason`) and what each covers.
//!
//! The YAML parser does not report comments, so they are found in the text: a `#` at the start
//! of a line or after a space, outside every scalar the parser saw (so a `#` inside a quoted or
//! block scalar is never one). A comment at the end of a line covers that line; a comment on a
//! line of its own covers the mapping entry or sequence item that starts on the next line of
//! content, so a comment above a resource's logical id covers the whole resource. A comment at
//! the top of the template, set apart from the content by a blank line, and any
//! `rein:ignore-file`, cover the whole file.

use std::ops::Range;

use rein_model::suppression::parse_comment;
use rein_model::{Suppression, SuppressionScope};
use rein_text::{FileId, Span};

use crate::syntax::{Kind, Tree};

/// The suppression comments of a YAML template, in source order.
pub(crate) fn collect(file: FileId, text: &str, root: &Tree) -> Vec<Suppression> {
    let mut scalars = Vec::new();
    scalar_spans(root, &mut scalars, 0);
    scalars.sort_by_key(|span| span.start);
    // Line ranges without their line breaks (`\n`, `\r\n` or `\r`), from the shared line index.
    let index = rein_text::LineIndex::new(text);
    let lines: Vec<Range<usize>> = (0..index.line_count())
        .filter_map(|line| index.line_range(line))
        .map(|range| usize::from(range.start())..usize::from(range.end()))
        .collect();
    let comments: Vec<(usize, Range<usize>)> = lines
        .iter()
        .enumerate()
        .filter_map(|(line_idx, line)| Some((line_idx, comment_in(text, line.clone(), &scalars)?)))
        .collect();
    let mut out = Vec::new();
    for (line_idx, comment) in &comments {
        let Some(body) = text.get(comment.start + 1..comment.end) else { continue };
        let directives = parse_comment(body);
        if directives.is_empty() {
            continue;
        }
        let Some(line) = lines.get(*line_idx) else { continue };
        let trailing = text.get(line.start..comment.start).is_some_and(|before| !before.trim().is_empty());
        let scope = if trailing {
            SuppressionScope::Range(Span::from_offsets(file, line.start, line.end))
        } else {
            own_line_scope(file, text, root, &lines, *line_idx, &comments)
        };
        for directive in directives {
            out.push(Suppression {
                rule: directive.rule,
                reason: directive.reason,
                span: Span::from_offsets(file, comment.start, comment.end),
                scope: if directive.file_wide { SuppressionScope::File } else { scope.clone() },
                syntax: directive.syntax,
            });
        }
    }
    out
}

/// What a comment on a line of its own covers.
fn own_line_scope(
    file: FileId,
    text: &str,
    root: &Tree,
    lines: &[Range<usize>],
    line_idx: usize,
    comments: &[(usize, Range<usize>)],
) -> SuppressionScope {
    let is_comment_line = |idx: usize| comments.iter().any(|(comment_line, _)| *comment_line == idx);
    let is_blank =
        |idx: usize| lines.get(idx).and_then(|line| text.get(line.clone())).is_some_and(|l| l.trim().is_empty());
    let is_content = |idx: usize| !is_blank(idx) && !is_comment_line(idx) && !is_directive_marker(text, lines, idx);
    let Some(next) = (line_idx + 1..lines.len()).find(|idx| is_content(*idx)) else {
        return SuppressionScope::File;
    };
    let before_any_content = !(0..line_idx).any(is_content);
    if before_any_content && (line_idx + 1..next).any(is_blank) {
        return SuppressionScope::File;
    }
    let Some(line) = lines.get(next) else { return SuppressionScope::File };
    let range = node_starting_in(root, line, 0).unwrap_or_else(|| line.clone());
    SuppressionScope::Range(Span::from_offsets(file, range.start, range.end))
}

/// `---` and `%YAML` lines are not content a comment could be about.
fn is_directive_marker(text: &str, lines: &[Range<usize>], idx: usize) -> bool {
    lines.get(idx).and_then(|line| text.get(line.clone())).is_some_and(|line| {
        let line = line.trim();
        line == "---" || line.starts_with('%')
    })
}

/// The outermost mapping entry (key to end of value) or sequence item that starts on `line`.
fn node_starting_in(tree: &Tree, line: &Range<usize>, depth: usize) -> Option<Range<usize>> {
    if depth > crate::syntax::MAX_NESTING {
        return None;
    }
    match &tree.kind {
        Kind::Map(entries) => entries.iter().find_map(|(key, value)| {
            if line.contains(&key.span.start) {
                Some(key.span.start..value.span.end.max(key.span.end))
            } else if key.span.start < line.end && value.span.end >= line.start {
                node_starting_in(value, line, depth + 1)
            } else {
                None
            }
        }),
        Kind::Seq(items) => items.iter().find_map(|item| {
            if line.contains(&item.span.start) {
                // The `- ` before the item belongs to it.
                Some(line.start.max(item.span.start.saturating_sub(2))..item.span.end)
            } else if item.span.start < line.end && item.span.end >= line.start {
                node_starting_in(item, line, depth + 1)
            } else {
                None
            }
        }),
        Kind::Tagged(_, inner) => node_starting_in(inner, line, depth + 1),
        Kind::Scalar(_) | Kind::Missing => None,
    }
}

/// The byte range of the comment on one line, if there is one.
fn comment_in(text: &str, line: Range<usize>, scalars: &[Range<usize>]) -> Option<Range<usize>> {
    let content = text.get(line.clone())?;
    let mut previous = None;
    for (idx, ch) in content.char_indices() {
        let at = line.start + idx;
        if ch == '#' && previous.is_none_or(|p: char| p == ' ' || p == '\t') && !inside(scalars, at) {
            return Some(at..line.end);
        }
        previous = Some(ch);
    }
    None
}

fn inside(scalars: &[Range<usize>], at: usize) -> bool {
    // Scalars are leaves, so their spans never overlap: only the last one starting at or before
    // `at` can hold it.
    let upto = scalars.partition_point(|span| span.start <= at);
    upto.checked_sub(1).and_then(|idx| scalars.get(idx)).is_some_and(|span| span.contains(&at))
}

/// The spans of every scalar, keys included.
fn scalar_spans(tree: &Tree, out: &mut Vec<Range<usize>>, depth: usize) {
    if depth > crate::syntax::MAX_NESTING {
        return;
    }
    match &tree.kind {
        Kind::Scalar(_) => out.push(tree.span.clone()),
        Kind::Map(entries) => {
            for (key, value) in entries {
                scalar_spans(key, out, depth + 1);
                scalar_spans(value, out, depth + 1);
            }
        }
        Kind::Seq(items) => {
            for item in items {
                scalar_spans(item, out, depth + 1);
            }
        }
        Kind::Tagged(_, inner) => scalar_spans(inner, out, depth + 1),
        Kind::Missing => {}
    }
}

#[cfg(test)]
mod tests {
    use rein_model::dump::dump_inventory;
    use rein_text::FileId;

    fn dump(text: &str) -> String {
        let parsed = crate::syntax::parse(text);
        let root = parsed.root.unwrap();
        let found = super::collect(FileId(0), text, &root);
        dump_inventory(&[("t.yaml".to_owned(), text.to_owned())], &[], &[], &found)
    }

    #[test]
    fn comments_cover_their_line_the_next_entry_or_the_file() {
        let text = "# rein:ignore-file IAM010 generated\nResources:\n  # rein:ignore IAM101 approved\n  Admin:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      Action: \"s3:*\" # rein:ignore wildcard-action public data\n      Note: 'not # a comment'\n      Text: |\n        # rein:ignore IAM105 inside a block scalar\n  Other:\n    Type: X\n";
        insta::assert_snapshot!(dump(text));
    }
}
