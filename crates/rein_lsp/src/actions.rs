//! Code actions: the fixes each finding carries in `Diagnostic.data`, and "suppress with a
//! reason" in the syntax of the file: a `#` comment in Terraform and YAML, a `"//"` member of
//! the block in Terraform's JSON syntax, a `Metadata` entry of the resource in a CloudFormation
//! JSON template. A plain policy JSON file cannot hold a suppression, so it gets none.
//!
//! Edits are versioned `documentChanges` when the client takes them, plain `changes`
//! otherwise. The suppression's reason is a placeholder: a snippet tab stop when the client
//! takes snippet edits, the text `<reason>` otherwise, so that no suppression is written
//! without the user seeing where its reason goes.
//!
//! Nothing is recomputed here: a fix action is built from the request alone, and the
//! suppression needs only the document's text.

use lsp_types::{CodeAction, CodeActionKind, CodeActionParams, Diagnostic, NumberOrString, Position, Range, Uri};
use serde_json::{Value, json};

use crate::diagnostics::{self, DiagnosticData};
use crate::proto::{self, PositionEncoding};
use crate::store::Document;

/// What the client's workspace edits may hold, from its capabilities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EditSupport {
    /// `workspace.workspaceEdit.documentChanges`: versioned edits per document.
    pub document_changes: bool,
    /// `workspace.workspaceEdit.snippetEditSupport` (LSP 3.18): snippet edits inside
    /// `documentChanges`.
    pub snippets: bool,
}

impl EditSupport {
    /// Read from the raw capabilities, since `lsp-types` does not know the snippet flag.
    pub fn from_capabilities(capabilities: &Value) -> EditSupport {
        let edit = &capabilities["workspace"]["workspaceEdit"];
        let document_changes = edit["documentChanges"].as_bool().unwrap_or(false);
        EditSupport { document_changes, snippets: document_changes && edit["snippetEditSupport"] == true }
    }
}

/// One edit of a workspace edit: plain text, or a snippet with tab stops.
enum Edit {
    Text { range: Range, text: String },
    Snippet { range: Range, snippet: String, plain: String },
}

/// A workspace edit in the form the client takes.
fn workspace_edit(support: EditSupport, files: Vec<(Uri, Option<i32>, Vec<Edit>)>) -> Value {
    if support.document_changes {
        let changes: Vec<Value> = files
            .into_iter()
            .map(|(uri, version, edits)| {
                let edits: Vec<Value> = edits
                    .into_iter()
                    .map(|edit| match edit {
                        Edit::Text { range, text } => json!({"range": range, "newText": text}),
                        Edit::Snippet { range, snippet, .. } if support.snippets => {
                            json!({"range": range, "snippet": {"kind": "snippet", "value": snippet}})
                        }
                        Edit::Snippet { range, plain, .. } => json!({"range": range, "newText": plain}),
                    })
                    .collect();
                json!({"textDocument": {"uri": uri, "version": version}, "edits": edits})
            })
            .collect();
        return json!({"documentChanges": changes});
    }
    let mut changes = serde_json::Map::new();
    for (uri, _, edits) in files {
        let edits: Vec<Value> = edits
            .into_iter()
            .map(|edit| match edit {
                Edit::Text { range, text } | Edit::Snippet { range, plain: text, .. } => {
                    json!({"range": range, "newText": text})
                }
            })
            .collect();
        match changes.get_mut(uri.as_str()) {
            Some(Value::Array(known)) => known.extend(edits),
            _ => {
                changes.insert(uri.as_str().to_owned(), Value::Array(edits));
            }
        }
    }
    json!({"changes": changes})
}

fn action(title: String, diagnostic: &Diagnostic, preferred: bool, edit: Value) -> Value {
    let action = CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    };
    let mut value = serde_json::to_value(action).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut value {
        fields.insert("edit".to_owned(), edit);
    }
    value
}

pub fn code_actions(
    params: &CodeActionParams,
    document: Option<&Document>,
    support: EditSupport,
    encoding: PositionEncoding,
) -> Vec<Value> {
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
            let files = fix
                .edits
                .into_iter()
                .map(|file| {
                    let edits = file
                        .edits
                        .into_iter()
                        .map(|edit| Edit::Text { range: edit.range, text: edit.new_text })
                        .collect();
                    (file.uri, file.version, edits)
                })
                .collect();
            let preferred = diagnostics::is_preferred(&fix.applicability);
            actions.push(action(fix.title, diagnostic, preferred, workspace_edit(support, files)));
        }
        if let Some(document) = document
            && let Some(edit) = suppress_edit(document, diagnostic, encoding)
        {
            let rule = edit.0;
            let files = vec![(params.text_document.uri.clone(), Some(document.version), vec![edit.1])];
            actions.push(action(
                format!("Suppress {rule} with a reason"),
                diagnostic,
                false,
                workspace_edit(support, files),
            ));
        }
    }
    actions
}

/// Where a suppression can go in a document.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Syntax {
    Terraform,
    Yaml,
    /// Terraform's JSON syntax: a `"//"` member of the block.
    TerraformJson,
    /// A CloudFormation template in JSON: the resource's `Metadata`.
    TemplateJson,
}

fn syntax_of(document: &Document) -> Option<Syntax> {
    let name =
        document.path.as_ref().and_then(|path| path.file_name()).map(|name| name.to_string_lossy().to_lowercase());
    let json_template = || {
        document.text.trim_start().starts_with('{')
            && rein_analysis::classify(name.as_deref().unwrap_or("template.json"), document.text.as_bytes())
                == Some(rein_analysis::FileKind::CloudFormation)
    };
    match name.as_deref() {
        Some(name) if name.ends_with(".tf") => Some(Syntax::Terraform),
        Some(name) if name.ends_with(".tf.json") => Some(Syntax::TerraformJson),
        Some(name) if [".yaml", ".yml"].iter().any(|ext| name.ends_with(ext)) => Some(Syntax::Yaml),
        Some(name) if [".json", ".template"].iter().any(|ext| name.ends_with(ext)) => {
            if json_template() {
                Some(Syntax::TemplateJson)
            } else if name.ends_with(".template") {
                Some(Syntax::Yaml)
            } else {
                None
            }
        }
        Some(_) => None,
        None => match document.language_id.as_str() {
            "terraform" | "hcl" => Some(Syntax::Terraform),
            "yaml" => Some(Syntax::Yaml),
            "json" if json_template() => Some(Syntax::TemplateJson),
            _ => None,
        },
    }
}

/// The placeholder the user replaces with the reason.
const REASON: &str = "<reason>";

/// An insertion at `at` of `before`, the reason, then `after`.
fn insertion(at: Position, before: &str, after: &str) -> Edit {
    let range = Range { start: at, end: at };
    Edit::Snippet {
        range,
        snippet: format!(
            "{}${{1:{REASON}}}{}",
            crate::completion::escape_snippet(before),
            crate::completion::escape_snippet(after)
        ),
        plain: format!("{before}{REASON}{after}"),
    }
}

/// "Suppress IAMxxx with a reason": the rule and the edit that suppresses the finding.
fn suppress_edit(document: &Document, diagnostic: &Diagnostic, encoding: PositionEncoding) -> Option<(String, Edit)> {
    let syntax = syntax_of(document)?;
    let rule = match diagnostic.code.as_ref()? {
        NumberOrString::String(rule) => rule.clone(),
        NumberOrString::Number(_) => return None,
    };
    // Rule ids are plain words; anything else is not from this server.
    if !rule.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' || ch == '/') {
        return None;
    }
    match syntax {
        Syntax::Terraform | Syntax::Yaml => {
            // A `#` line above the finding's line, which covers the attribute or YAML entry
            // that follows it.
            let lines: Vec<&str> = document.text.lines().collect();
            let line = usize::try_from(diagnostic.range.start.line).ok()?;
            let line = comment_line(&lines, line, syntax)?;
            let text = lines.get(line)?;
            let indent: String = text.chars().take_while(|ch| *ch == ' ' || *ch == '\t').collect();
            let at = Position { line: u32::try_from(line).ok()?, character: 0 };
            Some((rule.clone(), insertion(at, &format!("{indent}# rein:ignore {rule} "), "\n")))
        }
        Syntax::TerraformJson | Syntax::TemplateJson => {
            let owned;
            let index = match document.index() {
                Some(index) => index,
                None => {
                    owned = rein_text::LineIndex::new(&document.text);
                    &owned
                }
            };
            let offset = usize::from(proto::offset(index, encoding, diagnostic.range.start));
            let text = document.text.as_str();
            let (object, key, member) = if syntax == Syntax::TerraformJson {
                // The block's body: `resource.TYPE.NAME` or `data.TYPE.NAME`.
                let is_block = |path: &[&str]| path.len() == 3 && matches!(path[0], "resource" | "data");
                (enclosing_object(text, offset, &is_block)?, "//", format!("\"//\": \"rein:ignore {rule} "))
            } else {
                let is_resource = |path: &[&str]| path.len() == 2 && path[0] == "Resources";
                let member = format!("\"Metadata\": {{\"rein\": {{\"ignore\": [{{\"id\": \"{rule}\", \"reason\": \"");
                (enclosing_object(text, offset, &is_resource)?, "Metadata", member)
            };
            // A second member of the same name would be ambiguous: offer nothing then.
            if object.keys.iter().any(|known| known == key) {
                return None;
            }
            let close = if syntax == Syntax::TerraformJson { "\"" } else { "\"}]}}" };
            let at = proto::position(index, encoding, rein_text::TextSize::from(u32::try_from(object.open + 1).ok()?));
            let edit = match object.first_member {
                None => insertion(at, &member, close),
                Some(first) => {
                    let between = text.get(object.open + 1..first)?;
                    match between.rfind('\n') {
                        // Members on lines of their own: one more line, indented alike.
                        Some(newline) => {
                            let indent = between.get(newline + 1..)?;
                            insertion(at, &format!("\n{indent}{member}"), &format!("{close},"))
                        }
                        None => insertion(at, &member, &format!("{close}, ")),
                    }
                }
            };
            Some((rule, edit))
        }
    }
}

/// A JSON object that encloses an offset.
#[derive(Debug, PartialEq, Eq)]
struct JsonObject {
    /// The offset of its `{`.
    open: usize,
    /// The offset of its first member's key.
    first_member: Option<usize>,
    /// Its own keys, as written (escapes left alone).
    keys: Vec<String>,
}

/// The innermost object around `offset` whose path of keys from the root (array items have
/// none) `wanted` accepts. A scan of the text: strings are skipped, nothing else is checked,
/// so broken JSON may give no object or a wrong one — and then the edit is only text.
fn enclosing_object(text: &str, offset: usize, wanted: &dyn Fn(&[&str]) -> bool) -> Option<JsonObject> {
    struct Open {
        object: bool,
        open: usize,
        key: Option<String>,
        keys: Vec<String>,
        first_member: Option<usize>,
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut last_string: Option<(usize, String)> = None;
    let mut pending_key: Option<String> = None;
    let mut best: Option<JsonObject> = None;
    let mut idx = 0;
    while idx < bytes.len() {
        match bytes[idx] {
            b'"' => {
                let start = idx;
                idx += 1;
                while idx < bytes.len() && bytes[idx] != b'"' {
                    idx += if bytes[idx] == b'\\' { 2 } else { 1 };
                }
                last_string = text.get(start + 1..idx.min(bytes.len())).map(|raw| (start, raw.to_owned()));
            }
            b':' => {
                if let (Some(top), Some((at, key))) = (stack.last_mut(), last_string.take())
                    && top.object
                {
                    top.first_member.get_or_insert(at);
                    top.keys.push(key.clone());
                    pending_key = Some(key);
                }
            }
            open @ (b'{' | b'[') => {
                let key = if stack.last().is_some_and(|top| top.object) { pending_key.take() } else { None };
                stack.push(Open { object: open == b'{', open: idx, key, keys: Vec::new(), first_member: None });
                last_string = None;
            }
            b'}' | b']' => {
                let Some(closed) = stack.pop() else { return best };
                if closed.object && closed.open < offset && offset <= idx {
                    let path: Vec<&str> =
                        stack.iter().chain([&closed]).filter_map(|open| open.key.as_deref()).collect();
                    let inner = best.as_ref().is_none_or(|known| known.open < closed.open);
                    if inner && wanted(&path) {
                        best = Some(JsonObject {
                            open: closed.open,
                            first_member: closed.first_member,
                            keys: closed.keys,
                        });
                    }
                }
                last_string = None;
            }
            b',' => {
                pending_key = None;
                last_string = None;
            }
            _ => {}
        }
        idx += 1;
    }
    best
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
        Syntax::Yaml | Syntax::TerraformJson | Syntax::TemplateJson => {
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
    fn the_enclosing_block_of_a_json_offset_is_found_by_its_path() {
        let text = r#"{"resource": {"aws_iam_policy": {"p": {"name": "x", "policy": "{\"Action\": \"*\"}"}}}}"#;
        let at = text.find("Action").unwrap();
        let is_block = |path: &[&str]| path.len() == 3 && path[0] == "resource";
        let object = enclosing_object(text, at, &is_block).unwrap();
        assert_eq!(object.open, text.find("{\"name\"").unwrap());
        assert_eq!(object.keys, ["name", "policy"]);
        assert_eq!(object.first_member, Some(object.open + 1));
        // An array of bodies is transparent to the path.
        let text = "{\"resource\": {\"t\": {\"p\": [\n  {\n    \"name\": 1\n  }\n]}}}";
        let object = enclosing_object(text, text.find("1").unwrap(), &is_block).unwrap();
        assert_eq!(object.keys, ["name"]);
        // Outside any block: nothing.
        assert_eq!(enclosing_object(text, 3, &is_block), None);
        assert_eq!(enclosing_object("{\"resource\": [", 5, &is_block), None);
    }

    #[test]
    fn snippets_escape_their_literal_text() {
        assert_eq!(crate::completion::escape_snippet("a $b} \\c"), "a \\$b\\} \\\\c");
    }

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
