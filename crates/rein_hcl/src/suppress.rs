//! Suppression comments in `.tf` files (`# rein:ignore …`, checkov, tfsec and trivy comments) and
//! what each covers; in `.tf.json` files, a `"//": "rein:ignore …"` member covers its block.
//!
//! A comment at the end of a line covers that line. A comment on a line of its own covers the
//! construct that follows it (a block, an attribute, an object member), so a comment above a
//! `resource` block covers the whole resource. checkov's comments cover the resource they are in,
//! as checkov reads them. A comment at the top of the file, before any code and set apart from it
//! by a blank line, and any `rein:ignore-file`, cover the whole file.

use crate::syntax::{Kind, Node, ParsedFile};
use rein_model::suppression::parse_comment;
use rein_model::{Suppression, SuppressionScope, SuppressionSyntax};
use rein_text::Span;

/// The suppressions of one file, in source order.
pub(crate) fn collect(parsed: &ParsedFile<'_>) -> Vec<Suppression> {
    let mut comments: Vec<Node<'_>> = parsed.tree.nodes().filter(|node| node.kind() == Kind::Comment).collect();
    comments.sort_by_key(Node::start_byte);
    let first_code = first_code_offset(parsed);
    let mut out = Vec::new();
    for comment in comments {
        let directives = parse_comment(comment_text(parsed.text_of(comment)));
        if directives.is_empty() {
            continue;
        }
        for directive in directives {
            let scope = if directive.file_wide {
                SuppressionScope::File
            } else {
                scope_of(parsed, comment, directive.syntax, first_code)
            };
            out.push(Suppression {
                rule: directive.rule,
                reason: directive.reason,
                span: parsed.span(comment),
                scope,
                syntax: directive.syntax,
            });
        }
    }
    out
}

/// The text of a comment without its markers.
fn comment_text(raw: &str) -> &str {
    if let Some(inner) = raw.strip_prefix("/*") {
        inner.strip_suffix("*/").unwrap_or(inner)
    } else {
        raw.strip_prefix("//").or_else(|| raw.strip_prefix('#')).unwrap_or(raw)
    }
}

/// Where the first block or attribute of the file starts.
fn first_code_offset(parsed: &ParsedFile<'_>) -> Option<usize> {
    let mut node = parsed.tree.root()?;
    // `config_file` → `body` → items.
    loop {
        let first = node.children().find(|child| child.kind() != Kind::Comment)?;
        if first.kind() == Kind::Body {
            node = first;
        } else {
            return Some(first.start_byte());
        }
    }
}

fn scope_of(
    parsed: &ParsedFile<'_>,
    comment: Node<'_>,
    syntax: SuppressionSyntax,
    first_code: Option<usize>,
) -> SuppressionScope {
    let text: &str = &parsed.text;
    if !["#", "//", "/*"].iter().any(|marker| parsed.text_of(comment).starts_with(marker)) {
        // A `"//"` comment of Terraform's JSON syntax: the block it is in, or the whole file.
        return match comment.parent().and_then(|body| body.parent()).filter(|outer| outer.kind() == Kind::Block) {
            Some(block) => SuppressionScope::Range(parsed.span(block)),
            None => SuppressionScope::File,
        };
    }
    let line_start = text.get(..comment.start_byte()).and_then(|before| before.rfind('\n')).map_or(0, |idx| idx + 1);
    let before = text.get(line_start..comment.start_byte()).unwrap_or_default();
    if !before.trim().is_empty() {
        // At the end of a line of code: that line.
        let line_end = text
            .get(comment.end_byte()..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |idx| comment.end_byte() + idx);
        return SuppressionScope::Range(Span::from_offsets(parsed.file, line_start, line_end));
    }
    if let Some(code) = first_code
        && comment.end_byte() <= code
        && text.get(comment.end_byte()..code).is_some_and(has_blank_line)
    {
        return SuppressionScope::File;
    }
    if first_code.is_none() {
        return SuppressionScope::File;
    }
    if syntax == SuppressionSyntax::Checkov
        && let Some(block) = enclosing_top_level_block(comment)
    {
        return SuppressionScope::Range(parsed.span(block));
    }
    match next_construct(comment) {
        Some(next) => SuppressionScope::Range(parsed.span(next)),
        // The last thing in a body: the construct around it.
        None => match comment.parent().and_then(|body| body.parent()) {
            Some(outer) => SuppressionScope::Range(parsed.span(outer)),
            None => SuppressionScope::File,
        },
    }
}

/// Whether the text between a comment and the code holds an empty line.
fn has_blank_line(between: &str) -> bool {
    let mut lines = between.split('\n');
    // The rest of the comment's own line.
    lines.next();
    let mut inner: Vec<&str> = lines.collect();
    // The line the code starts on.
    inner.pop();
    inner.iter().any(|line| line.trim().is_empty())
}

/// The next sibling that is not a comment (skipping further comments of the same group).
fn next_construct(comment: Node<'_>) -> Option<Node<'_>> {
    let mut next = comment.next_sibling();
    while let Some(node) = next {
        if node.kind() != Kind::Comment {
            return Some(node);
        }
        next = node.next_sibling();
    }
    None
}

/// The top-level block the comment is in, or the block it stands above at top level.
fn enclosing_top_level_block(comment: Node<'_>) -> Option<Node<'_>> {
    let mut node = comment;
    let mut outermost_block = None;
    while let Some(parent) = node.parent() {
        if parent.kind() == Kind::Block {
            outermost_block = Some(parent);
        }
        node = parent;
    }
    outermost_block.or_else(|| next_construct(comment).filter(|next| next.kind() == Kind::Block))
}

#[cfg(test)]
mod tests {
    use rein_model::dump::dump_inventory;
    use rein_text::FileId;

    use crate::syntax::ParsedFile;

    #[test]
    fn comments_cover_their_line_the_next_construct_the_resource_or_the_file() {
        let text = r#"# rein:ignore IAM010 the platform passes real ARNs

resource "aws_iam_policy" "wide" {
  policy = jsonencode({
    Statement = [{
      Action   = "s3:*" // rein:ignore IAM103 sandbox bucket only
      # tfsec:ignore:aws-iam-no-policy-wildcards
      Resource = "*"
    }]
  })
}

/* rein:ignore IAM101,IAM105 break-glass */
resource "aws_iam_policy" "admin" {
  #checkov:skip=CKV_AWS_62:break-glass access
  name = "admin"
}
# rein:ignore-file IAM006 the catalogue lags behind this new service
"#;
        let parsed = ParsedFile::parse(FileId(0), text);
        let found = super::collect(&parsed);
        insta::assert_snapshot!(dump_inventory(&[("main.tf".to_owned(), text.to_owned())], &[], &[], &found));
    }
}
