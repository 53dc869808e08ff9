//! Code actions: the fixes each finding carries in `Diagnostic.data`, and "suppress with a
//! reason" for Terraform and YAML files.
//!
//! Nothing is recomputed here: a fix action is built from the request alone, and the
//! suppression needs only the document's text.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, NumberOrString, Position, Range,
    TextEdit, Uri, WorkspaceEdit,
};

use crate::diagnostics::{self, DiagnosticData};
use crate::store::Document;

pub fn code_actions(params: &CodeActionParams, document: Option<&Document>) -> Vec<CodeActionOrCommand> {
    let wanted = |kind: &CodeActionKind| {
        params
            .context
            .only
            .as_ref()
            .is_none_or(|only| only.iter().any(|allowed| kind.as_str().starts_with(allowed.as_str())))
    };
    if !wanted(&CodeActionKind::QUICKFIX) {
        return Vec::new();
    }
    let mut actions = Vec::new();
    for diagnostic in &params.context.diagnostics {
        if diagnostic.source.as_deref() != Some("rein") {
            continue;
        }
        let data: DiagnosticData =
            diagnostic.data.clone().and_then(|data| serde_json::from_value(data).ok()).unwrap_or_default();
        for fix in data.fixes {
            let changes: HashMap<Uri, Vec<TextEdit>> =
                fix.edits.into_iter().map(|file| (file.uri, file.edits)).collect();
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
                is_preferred: Some(diagnostics::is_preferred(&fix.applicability)),
                ..CodeAction::default()
            }));
        }
        if let Some(document) = document
            && let Some(action) = suppress_action(&params.text_document.uri, document, diagnostic)
        {
            actions.push(CodeActionOrCommand::CodeAction(action));
        }
    }
    actions
}

/// The comment syntax of a document, when it has comments at all.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Terraform,
    Yaml,
}

fn syntax_of(document: &Document) -> Option<Syntax> {
    let name =
        document.path.as_ref().and_then(|path| path.file_name()).map(|name| name.to_string_lossy().to_lowercase());
    match name.as_deref() {
        Some(name) if name.ends_with(".tf") => Some(Syntax::Terraform),
        Some(name) if [".yaml", ".yml", ".template"].iter().any(|ext| name.ends_with(ext)) => Some(Syntax::Yaml),
        Some(_) => None,
        None => match document.language_id.as_str() {
            "terraform" | "hcl" => Some(Syntax::Terraform),
            "yaml" => Some(Syntax::Yaml),
            _ => None,
        },
    }
}

/// "Suppress IAMxxx with a reason": a `# rein:ignore` line above the finding's line, which
/// covers the attribute or YAML entry that follows it. JSON has no comments, so JSON files get
/// none.
fn suppress_action(uri: &Uri, document: &Document, diagnostic: &Diagnostic) -> Option<CodeAction> {
    let syntax = syntax_of(document)?;
    let rule = match diagnostic.code.as_ref()? {
        NumberOrString::String(rule) => rule.as_str(),
        NumberOrString::Number(_) => return None,
    };
    let lines: Vec<&str> = document.text.lines().collect();
    let line = usize::try_from(diagnostic.range.start.line).ok()?;
    let line = comment_line(&lines, line, syntax)?;
    let text = lines.get(line)?;
    let indent: String = text.chars().take_while(|ch| *ch == ' ' || *ch == '\t').collect();
    let at = Position { line: u32::try_from(line).ok()?, character: 0 };
    let edit =
        TextEdit { range: Range { start: at, end: at }, new_text: format!("{indent}# rein:ignore {rule} <reason>\n") };
    Some(CodeAction {
        title: format!("Suppress {rule} with a reason"),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(false),
        ..CodeAction::default()
    })
}

/// The line above which the comment goes: the finding's own line, unless that line is inside a
/// Terraform heredoc or a YAML block scalar, where a `#` line would become part of the text;
/// then the line that opens it.
fn comment_line(lines: &[&str], line: usize, syntax: Syntax) -> Option<usize> {
    match syntax {
        Syntax::Terraform => {
            let mut heredoc: Option<(usize, String)> = None;
            for (idx, text) in lines.iter().enumerate().take(line + 1) {
                match &heredoc {
                    Some((opener, marker)) => {
                        if idx == line {
                            return Some(*opener);
                        }
                        if text.trim() == marker {
                            heredoc = None;
                        }
                    }
                    None => {
                        if idx == line {
                            return Some(line);
                        }
                        heredoc = heredoc_marker(text).map(|marker| (idx, marker));
                    }
                }
            }
            None
        }
        Syntax::Yaml => {
            let indent_of = |text: &str| text.len() - text.trim_start().len();
            let own = indent_of(lines.get(line)?);
            // Walk up to the lines that are less indented: the first one that ends a block
            // scalar indicator (`|`, `>-`, …) opens a block this line is text of.
            let mut limit = own;
            for idx in (0..line).rev() {
                let text = lines.get(idx)?;
                if text.trim().is_empty() {
                    continue;
                }
                let indent = indent_of(text);
                if indent < limit {
                    let value = text.trim_end();
                    let last = value.rsplit(' ').next().unwrap_or_default();
                    if value.contains(':') && last.starts_with(['|', '>']) {
                        return Some(idx);
                    }
                    limit = indent;
                }
            }
            Some(line)
        }
    }
}

/// The closing marker of a heredoc opened on this line (`<<EOF`, `<<-EOT`), if any.
fn heredoc_marker(text: &str) -> Option<String> {
    let at = text.rfind("<<")?;
    let rest = text.get(at + 2..)?.trim_start_matches('-');
    let marker: String = rest.trim_end().to_owned();
    (!marker.is_empty() && marker.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')).then_some(marker)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_above_heredocs_and_block_scalars() {
        let hcl = ["resource \"x\" \"y\" {", "  policy = <<EOF", "{\"Action\": \"*\"}", "EOF", "  name = 1", "}"];
        assert_eq!(comment_line(&hcl, 2, Syntax::Terraform), Some(1));
        assert_eq!(comment_line(&hcl, 4, Syntax::Terraform), Some(4));
        let yaml =
            ["Resources:", "  P:", "    Policy: |", "      {\"Action\": \"*\"}", "    Other:", "      - Action: '*'"];
        assert_eq!(comment_line(&yaml, 3, Syntax::Yaml), Some(2));
        assert_eq!(comment_line(&yaml, 5, Syntax::Yaml), Some(5));
    }
}
