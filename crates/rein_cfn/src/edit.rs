//! Renders model edits ([`PolicyEdit`]) as text edits of CloudFormation templates, YAML and JSON.
//!
//! A template holds policies in two ways. A *structured* document is a mapping of the template
//! itself (block or flow YAML, or JSON), and an edit of it is written in the template's syntax:
//! YAML scalars keep their quoting where the new value allows it, a scalar that becomes a list
//! becomes a block sequence at the indentation the file uses (or a flow sequence inside flow
//! collections), members and items are removed with their lines or their commas, and new
//! members and statements are added at the indentation of their siblings. An
//! *embedded* document is policy JSON inside a string (`PolicyDocument: '{"Statement": …}'`, a `|`
//! block, a JSON template's string value): the edit is rendered as JSON on the decoded text, and
//! every piece of new text is then written in the string's own escapes.
//!
//! An edit is declined (`None`) whenever it could break the template or lose what the user wrote:
//! a target inside an intrinsic function (`Fn::Join`, `Fn::If`, `Fn::Select`, …; a `Fn::Sub`
//! template only while the replaced text holds no `${…}`), a value that comes from the
//! `Parameters` or `Mappings` section (other references read it too), a node that an alias copies,
//! a template with syntax errors, or a layout the renderer does not recognise.

use std::sync::OnceLock;

use rein_model::json::insert::{ObjectDialect, append_members, insert_after};
use rein_model::json::{JsonRenderer, quote};
use rein_model::{EditRenderer, EditValue, NodeKind, PolicyEdit, SourceSyntax, SpanMap};
use rein_text::{FileId, Span, TextEdit};

use crate::embedded;
use crate::lower::{long_form, scalar_kind};
use crate::syntax::{self, Kind, Scalar, Style, Tree};

/// The sequence indentation (columns between a key and the `-` of its block sequence) used when
/// the template has no block sequence under a key to copy it from.
const DEFAULT_SEQUENCE_INDENT: usize = 2;

/// Renders edits of one template file; the template is parsed once, when the first edit comes.
pub struct CfnRenderer<'a> {
    file: FileId,
    text: &'a str,
    json: bool,
    root: OnceLock<Option<Tree>>,
}

impl<'a> CfnRenderer<'a> {
    pub fn new(file: FileId, text: &'a str) -> Self {
        Self { file, text, json: syntax::looks_like_json(text), root: OnceLock::new() }
    }

    /// The renderer for one document of this template, read in `syntax`: policy JSON inside a
    /// string (`SourceSyntax::EmbeddedJson`) or a mapping of the template (anything else).
    pub fn document(&self, syntax: SourceSyntax) -> DocumentRenderer<'_, 'a> {
        DocumentRenderer { template: self, embedded: syntax == SourceSyntax::EmbeddedJson }
    }

    /// The syntax tree, or `None` when the template has syntax errors: the tree of a broken file
    /// is recovered by guesswork, and an edit placed by it could land anywhere.
    fn root(&self) -> Option<&Tree> {
        self.root
            .get_or_init(|| {
                let parsed = syntax::parse(self.text);
                if parsed.errors.is_empty() { parsed.root } else { None }
            })
            .as_ref()
    }
}

/// Renders the edits of one document of a template.
pub struct DocumentRenderer<'r, 'a> {
    template: &'r CfnRenderer<'a>,
    embedded: bool,
}

impl EditRenderer for DocumentRenderer<'_, '_> {
    fn render(&self, edit: &PolicyEdit) -> Option<Vec<TextEdit>> {
        let template = self.template;
        let spans = edit.spans();
        if spans.iter().any(|span| span.file != template.file) {
            return None;
        }
        let ctx = Ctx { file: template.file, text: template.text, json: template.json, root: template.root()? };
        if self.embedded { ctx.embedded(edit, &spans) } else { ctx.structured(edit) }
    }
}

fn offsets(span: Span) -> (usize, usize) {
    (usize::from(span.range.start()), usize::from(span.range.end()))
}

/// Where a target stands with respect to intrinsic functions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Outside every intrinsic.
    Literal,
    /// The template string of `Fn::Sub`.
    SubTemplate,
}

/// How a new YAML scalar is quoted when it cannot be plain.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    Single,
    Double,
}

struct Ctx<'t> {
    file: FileId,
    text: &'t str,
    json: bool,
    root: &'t Tree,
}

impl<'t> Ctx<'t> {
    // ---- finding nodes -------------------------------------------------------------------------

    /// The nodes from the root down to the node whose span is exactly `start..end`, when exactly
    /// one node has that span (the copy an alias makes shares the spans of its anchor).
    fn locate(&self, start: usize, end: usize) -> Option<Vec<&'t Tree>> {
        let mut search = Search { start, end, exact: true, maps_only: false, best: None, matches: 0 };
        search.visit(self.root, &mut Vec::new());
        (search.matches == 1).then_some(search.best?)
    }

    /// The nodes from the root down to the innermost scalar that holds `start..end`, when exactly
    /// one scalar does.
    fn locate_scalar(&self, start: usize, end: usize) -> Option<Vec<&'t Tree>> {
        let mut search = Search { start, end, exact: false, maps_only: false, best: None, matches: 0 };
        search.visit(self.root, &mut Vec::new());
        (search.matches == 1).then_some(search.best?)
    }

    /// The nodes from the root down to the mapping whose span is exactly `start..end`, when
    /// exactly one mapping has that span (a block sequence that is not indented under its key
    /// shares the span of its only item).
    fn locate_map(&self, start: usize, end: usize) -> Option<Vec<&'t Tree>> {
        let mut search = Search { start, end, exact: true, maps_only: true, best: None, matches: 0 };
        search.visit(self.root, &mut Vec::new());
        (search.matches == 1).then_some(search.best?)
    }

    /// Whether the last node of `path` may be edited, and how it stands to intrinsics.
    fn guard(&self, path: &[&'t Tree]) -> Option<Place> {
        let (target, ancestors) = path.split_last()?;
        // Values of `Parameters` and `Mappings` are read by every reference to them.
        if let (Some(root), Some(section)) = (path.first(), path.get(1)) {
            let name = root
                .entries()
                .iter()
                .find(|(key, value)| std::ptr::eq(key, *section) || std::ptr::eq(value, *section))
                .and_then(|(key, _)| key.as_str());
            if matches!(name, Some("Parameters" | "Mappings" | "Conditions")) {
                return None;
            }
        }
        if is_intrinsic(target) {
            return None;
        }
        let mut place = Place::Literal;
        for (idx, node) in ancestors.iter().enumerate() {
            let name = match &node.kind {
                Kind::Tagged(name, _) => name.as_str(),
                Kind::Map(_) => match long_form(node) {
                    Some((name, _)) => name,
                    None => continue,
                },
                _ => continue,
            };
            if name != "Fn::Sub" || !self.is_sub_template(path.get(idx + 1..)?) {
                return None;
            }
            place = Place::SubTemplate;
        }
        Some(place)
    }

    /// Whether `below` (the nodes under a `Fn::Sub`, down to the target) leads to its template
    /// string: the argument itself, or the first item of `[template, {vars}]`.
    fn is_sub_template(&self, below: &[&'t Tree]) -> bool {
        match below {
            [template] => matches!(template.kind, Kind::Scalar(_)),
            [list, template] => match &list.kind {
                Kind::Seq(items) => items.first().is_some_and(|first| std::ptr::eq(first, *template)),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether the collection `tree` is written in flow style (`{…}`, `[…]`), as all JSON is.
    fn is_flow(&self, tree: &Tree) -> bool {
        self.json || matches!(self.text.as_bytes().get(tree.span.start), Some(b'{' | b'['))
    }

    /// Whether a node under these ancestors stands in flow context.
    fn in_flow(&self, ancestors: &[&Tree]) -> bool {
        self.json || ancestors.iter().any(|node| matches!(node.kind, Kind::Map(_) | Kind::Seq(_)) && self.is_flow(node))
    }

    // ---- lines and columns ---------------------------------------------------------------------

    fn line_start(&self, offset: usize) -> usize {
        self.text.get(..offset).and_then(|before| before.rfind('\n')).map_or(0, |idx| idx + 1)
    }

    /// The end of the line holding `offset`, before its line break.
    fn line_content_end(&self, offset: usize) -> usize {
        let end = self.text.get(offset..).and_then(|rest| rest.find('\n')).map_or(self.text.len(), |idx| offset + idx);
        if end > offset && self.text.as_bytes().get(end - 1) == Some(&b'\r') { end - 1 } else { end }
    }

    /// The start of the line after the one holding `offset` (the end of the text on the last line).
    fn next_line_start(&self, offset: usize) -> usize {
        self.text.get(offset..).and_then(|rest| rest.find('\n')).map_or(self.text.len(), |idx| offset + idx + 1)
    }

    /// The column of `offset` in characters, which is how YAML counts indentation.
    fn column(&self, offset: usize) -> usize {
        self.text.get(self.line_start(offset)..offset).map_or(0, |prefix| prefix.chars().count())
    }

    /// Whether only spaces stand before `offset` on its line.
    fn starts_line(&self, offset: usize) -> bool {
        self.text.get(self.line_start(offset)..offset).is_some_and(|prefix| prefix.bytes().all(|byte| byte == b' '))
    }

    /// The file's line break: CRLF files get CRLF in new lines.
    fn newline(&self) -> &'static str {
        if self.text.contains("\r\n") { "\r\n" } else { "\n" }
    }

    fn edit(&self, start: usize, end: usize, new_text: impl Into<String>) -> TextEdit {
        TextEdit::replace(Span::from_offsets(self.file, start, end), new_text)
    }

    fn skip_space_forward(&self, mut idx: usize) -> usize {
        while self.text.as_bytes().get(idx).is_some_and(|byte| matches!(byte, b' ' | b'\t' | b'\n' | b'\r')) {
            idx += 1;
        }
        idx
    }

    fn skip_space_backward(&self, mut idx: usize) -> usize {
        while idx > 0
            && self.text.as_bytes().get(idx - 1).is_some_and(|byte| matches!(byte, b' ' | b'\t' | b'\n' | b'\r'))
        {
            idx -= 1;
        }
        idx
    }

    /// The `-` that introduces a block sequence item starting at `item_start`.
    fn dash_of(&self, item_start: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut idx = item_start;
        while idx > 0 && matches!(bytes.get(idx - 1), Some(b' ' | b'\t')) {
            idx -= 1;
        }
        // A dash is followed by white space before its item.
        if idx == item_start {
            return None;
        }
        let dash = idx.checked_sub(1)?;
        (bytes.get(dash) == Some(&b'-')).then_some(dash)
    }

    /// How far the template indents a block sequence under its key, copied from the first one.
    fn sequence_indent(&self) -> usize {
        let mut todo = vec![self.root];
        let mut visited = 0;
        while let Some(node) = todo.pop() {
            visited += 1;
            if visited > 10_000 {
                break;
            }
            match &node.kind {
                Kind::Map(entries) => {
                    for (key, value) in entries {
                        if let Kind::Seq(items) = &value.kind
                            && !self.is_flow(value)
                            && let Some(dash) = items.first().and_then(|item| self.dash_of(item.span.start))
                            && self.line_start(dash) != self.line_start(key.span.start)
                            && let Some(indent) = self.column(dash).checked_sub(self.column(key.span.start))
                        {
                            return indent;
                        }
                    }
                    todo.extend(entries.iter().rev().map(|(_, value)| value));
                }
                Kind::Seq(items) => todo.extend(items.iter().rev()),
                Kind::Tagged(_, inner) => todo.push(inner),
                Kind::Scalar(_) | Kind::Missing => {}
            }
        }
        DEFAULT_SEQUENCE_INDENT
    }

    // ---- scalars -------------------------------------------------------------------------------

    /// A scalar for `value` where a scalar written in `like` stood: the same quoting when the
    /// value allows it, plain when the original was plain and the value reads back as the same
    /// string, quoted otherwise.
    fn scalar(&self, value: &str, like: Style, flow: bool) -> String {
        if self.json {
            return quote(value);
        }
        match like {
            Style::DoubleQuoted => double_quoted(value),
            Style::SingleQuoted if !needs_double_quotes(value) => single_quoted(value),
            _ if plain_is_safe(value, flow) && !matches!(like, Style::SingleQuoted) => value.to_owned(),
            _ => quoted(value, Quote::Single),
        }
    }

    /// The quoting of the first quoted scalar value of a mapping, so that a new member looks like
    /// its siblings.
    fn sibling_style(&self, entries: &[(Tree, Tree)]) -> Style {
        entries
            .iter()
            .find_map(|(_, value)| match &value.kind {
                Kind::Scalar(Scalar { style: style @ (Style::SingleQuoted | Style::DoubleQuoted), .. }) => Some(*style),
                _ => None,
            })
            .unwrap_or(Style::Plain)
    }

    /// The range a scalar's text occupies, including the header of a block scalar (`|`, `>-`),
    /// which a flow scalar replaces too. `None` when a comment follows the header.
    fn scalar_range(&self, tree: &Tree, scalar: &Scalar) -> Option<(usize, usize)> {
        if !matches!(scalar.style, Style::Literal | Style::Folded) {
            return Some((tree.span.start, tree.span.end));
        }
        let header_line_end = self.skip_space_backward(self.line_start(tree.span.start));
        let header_line = self.text.get(self.line_start(header_line_end)..header_line_end)?;
        let indicator = header_line.rfind(['|', '>'])?;
        let rest = header_line.get(indicator + 1..)?;
        if !rest.bytes().all(|byte| byte.is_ascii_digit() || matches!(byte, b'+' | b'-' | b' ' | b'\t')) {
            return None;
        }
        Some((self.line_start(header_line_end) + indicator, tree.span.end))
    }

    // ---- structured documents ------------------------------------------------------------------

    fn structured(&self, edit: &PolicyEdit) -> Option<Vec<TextEdit>> {
        match edit {
            PolicyEdit::ReplaceLiteral { target, literal } => {
                let (start, end) = offsets(*target);
                let path = self.locate(start, end)?;
                let place = self.guard(&path)?;
                let tree = path.last()?;
                let Kind::Scalar(scalar) = &tree.kind else { return None };
                // A number or boolean written as one; a quoted string keeps its quotes.
                let plain = matches!(scalar.style, Style::Plain | Style::JsonBool | Style::JsonNumber);
                (place == Place::Literal && plain).then(|| vec![TextEdit::replace(*target, literal.clone())])
            }
            PolicyEdit::ReplaceString { target, value } => {
                let (start, end) = offsets(*target);
                let path = self.locate(start, end)?;
                let place = self.guard(&path)?;
                let (tree, ancestors) = path.split_last()?;
                let Kind::Scalar(scalar) = &tree.kind else { return None };
                self.replace_scalar(tree, scalar, ancestors, place, value)
            }
            PolicyEdit::ReplaceInString { target, value } => {
                let (start, end) = offsets(*target);
                let path = self.locate_scalar(start, end)?;
                let place = self.guard(&path)?;
                let (tree, ancestors) = path.split_last()?;
                let Kind::Scalar(scalar) = &tree.kind else { return None };
                let map = embedded::exact_map(self.file, self.text, tree, scalar)?;
                let positions = Positions { map: &map, len: scalar.text.len() };
                let decoded_start = positions.decoded(start)?;
                let decoded_end = positions.decoded(end)?;
                let before = scalar.text.get(..decoded_start)?;
                let after = scalar.text.get(decoded_end..)?;
                self.replace_scalar(tree, scalar, ancestors, place, &format!("{before}{value}{after}"))
            }
            PolicyEdit::ReplaceWithList { target, values } => {
                let (start, end) = offsets(*target);
                let path = self.locate(start, end)?;
                if self.guard(&path)? != Place::Literal {
                    return None;
                }
                let (tree, ancestors) = path.split_last()?;
                match &tree.kind {
                    Kind::Scalar(scalar) => self.scalar_to_list(tree, scalar, ancestors, values),
                    Kind::Seq(items) => self.replace_sequence(tree, items, ancestors, values),
                    _ => None,
                }
            }
            PolicyEdit::RemoveMember { key, value } => {
                let (key_start, key_end) = offsets(*key);
                let (value_start, value_end) = offsets(*value);
                let path = self.locate(key_start, key_end)?;
                self.guard(&path)?;
                let (key_tree, ancestors) = path.split_last()?;
                let map = ancestors.last()?;
                let entries = map.entries();
                let idx = entries.iter().position(|(entry_key, _)| std::ptr::eq(entry_key, *key_tree))?;
                let (_, entry_value) = entries.get(idx)?;
                // The model names the value it read, which may lie inside the entry's value (the
                // template string of a `!Sub`).
                if value_start < entry_value.span.start || value_end > entry_value.span.end {
                    return None;
                }
                let next = entries.get(idx + 1).map(|(next_key, _)| next_key.span.start);
                if self.is_flow(map) {
                    self.remove_flow(key_tree.span.start, entry_value.span.end)
                } else {
                    self.remove_block(key_tree.span.start, entry_value.span.end, next, entries.len(), "{}")
                }
            }
            PolicyEdit::RemoveItem { item } => {
                let (start, end) = offsets(*item);
                let path = self.locate(start, end)?;
                self.guard(&path)?;
                let (item_tree, ancestors) = path.split_last()?;
                let seq = ancestors.last()?;
                let Kind::Seq(items) = &seq.kind else { return None };
                let idx = items.iter().position(|entry| std::ptr::eq(entry, *item_tree))?;
                if self.is_flow(seq) {
                    return self.remove_flow(item_tree.span.start, item_tree.span.end);
                }
                let dash = self.dash_of(item_tree.span.start)?;
                let next = match items.get(idx + 1) {
                    Some(next) => Some(self.dash_of(next.span.start)?),
                    None => None,
                };
                self.remove_block(dash, item_tree.span.end, next, items.len(), "[]")
            }
            PolicyEdit::InsertMember { object, key, value } => {
                let (start, end) = offsets(*object);
                let path = self.locate(start, end)?;
                if self.guard(&path)? != Place::Literal {
                    return None;
                }
                let (map, ancestors) = path.split_last()?;
                let Kind::Map(entries) = &map.kind else { return None };
                self.insert_member(map, entries, ancestors, key, value)
            }
            PolicyEdit::AppendMember { object, key, value } => {
                self.append_members(*object, &[(key.clone(), value.clone())])
            }
            PolicyEdit::InsertCondition(insert) => {
                let (object, members) = insert.as_members();
                self.append_members(object, &members)
            }
            PolicyEdit::InsertStatement { after, statement } => self.insert_statement(*after, statement),
            PolicyEdit::InsertAttributes { entity, attributes } => self.insert_attributes(*entity, attributes),
            PolicyEdit::GenerateEntities(entities) => self.generate_entities(entities),
            PolicyEdit::ReplaceEntity { entity, with, state } if with.is_empty() && state.is_empty() => {
                self.remove_entity(*entity)
            }
            PolicyEdit::ReplaceEntity { .. } => None,
        }
    }

    /// Inserts a statement after the mapping at `after`, an item of a sequence: a new `- ` item
    /// in block style, `, {…}` in flow style, and JSON's layout in a JSON template.
    fn insert_statement(&self, after: Span, members: &[(String, EditValue)]) -> Option<Vec<TextEdit>> {
        let (start, end) = offsets(after);
        let path = self.locate_map(start, end)?;
        if self.guard(&path)? != Place::Literal || members.is_empty() {
            return None;
        }
        let (map, ancestors) = path.split_last()?;
        let Kind::Map(entries) = &map.kind else { return None };
        if !matches!(ancestors.last().map(|parent| &parent.kind), Some(Kind::Seq(_))) {
            return None;
        }
        if self.json {
            let dialect = ObjectDialect { string: &|text: &str| quote(text), hcl: false, escaped: false };
            let edits = insert_after(self.text, start, end, members, &dialect)?;
            return Some(edits.into_iter().map(|(start, end, text)| self.edit(start, end, text)).collect());
        }
        let style = self.sibling_style(entries);
        let ((first_key, _), (_, last_value)) = (entries.first()?, entries.last()?);
        if self.in_flow(ancestors) || self.is_flow(map) {
            let item = format!("{{{}}}", self.flow_members(members, style).join(", "));
            let at = if self.is_flow(map) { map.span.end } else { last_value.span.end };
            return Some(vec![self.edit(at, at, format!(", {item}"))]);
        }
        let dash = self.dash_of(first_key.span.start)?;
        let key_column = self.column(first_key.span.start);
        let dash_column = self.column(dash);
        let gap = " ".repeat(key_column.checked_sub(dash_column + 1)?.max(1));
        let indent = " ".repeat(key_column);
        let step = self.mapping_step(&path);
        let newline = self.newline();
        let lines: Vec<String> = members
            .iter()
            .enumerate()
            .map(|(idx, (key, value))| {
                let lead = if idx == 0 { format!("{}-{gap}", " ".repeat(dash_column)) } else { indent.clone() };
                format!("{lead}{}:{}", self.yaml_key(key, false), self.block_value(value, style, &indent, step))
            })
            .collect();
        let end = last_value.span.end;
        if end > 0 && self.text.as_bytes().get(end - 1) == Some(&b'\n') {
            let text: String = lines.iter().map(|line| format!("{line}{newline}")).collect();
            return Some(vec![self.edit(end, end, text)]);
        }
        let line_end = self.line_content_end(end);
        let text: String = lines.iter().map(|line| format!("{newline}{line}")).collect();
        Some(vec![self.edit(line_end, line_end, text)])
    }

    /// Appends a member after the last one of the mapping at `object`: a new line at the
    /// mapping's indentation in block style, `, key: value` in flow style, and JSON's layout in a
    /// JSON template.
    fn append_members(&self, object: Span, members: &[(String, EditValue)]) -> Option<Vec<TextEdit>> {
        let (start, end) = offsets(object);
        let path = self.locate_map(start, end)?;
        if self.guard(&path)? != Place::Literal {
            return None;
        }
        let (map, ancestors) = path.split_last()?;
        let Kind::Map(entries) = &map.kind else { return None };
        if self.json {
            let dialect = ObjectDialect { string: &|text: &str| quote(text), hcl: false, escaped: false };
            let edits = append_members(self.text, start, end, members, &dialect)?;
            return Some(edits.into_iter().map(|(start, end, text)| self.edit(start, end, text)).collect());
        }
        let in_flow = self.is_flow(map) || self.in_flow(ancestors);
        let style = self.sibling_style(entries);
        let Some((first_key, _)) = entries.first() else {
            let close = self.skip_space_forward(map.span.start + 1);
            return (self.text.as_bytes().get(close) == Some(&b'}'))
                .then(|| vec![self.edit(map.span.start + 1, close, self.flow_members(members, style).join(", "))]);
        };
        let (_, last_value) = entries.last()?;
        if in_flow {
            let text: String = self.flow_members(members, style).iter().map(|member| format!(", {member}")).collect();
            return Some(vec![self.edit(last_value.span.end, last_value.span.end, text)]);
        }
        let indent = " ".repeat(self.column(first_key.span.start));
        let step = self.mapping_step(&path);
        let newline = self.newline();
        let lines: Vec<String> = members
            .iter()
            .map(|(key, value)| {
                format!("{indent}{}:{}", self.yaml_key(key, false), self.block_value(value, style, &indent, step))
            })
            .collect();
        let end = last_value.span.end;
        if end > 0 && self.text.as_bytes().get(end - 1) == Some(&b'\n') {
            // A block scalar ends with its line break: the members start the next line.
            let text: String = lines.iter().map(|line| format!("{line}{newline}")).collect();
            return Some(vec![self.edit(end, end, text)]);
        }
        let line_end = self.line_content_end(end);
        let text: String = lines.iter().map(|line| format!("{newline}{line}")).collect();
        Some(vec![self.edit(line_end, line_end, text)])
    }

    fn flow_members(&self, members: &[(String, EditValue)], style: Style) -> Vec<String> {
        members
            .iter()
            .map(|(key, value)| format!("{}: {}", self.yaml_key(key, true), self.flow_value(value, style)))
            .collect()
    }

    fn yaml_key(&self, key: &str, flow: bool) -> String {
        if plain_is_safe(key, flow) { key.to_owned() } else { quoted(key, Quote::Single) }
    }

    fn yaml_string(&self, value: &str, like: Style, flow: bool) -> String {
        match like {
            _ if plain_is_safe(value, flow) => value.to_owned(),
            Style::DoubleQuoted => quoted(value, Quote::Double),
            _ => quoted(value, Quote::Single),
        }
    }

    /// A value in flow style: `a`, `[a, b]`, `{k: v}`.
    fn flow_value(&self, value: &EditValue, like: Style) -> String {
        match value {
            EditValue::String(text) => self.yaml_string(text, like, true),
            EditValue::Literal(literal) => literal.clone(),
            EditValue::List(items) => {
                let items: Vec<String> = items.iter().map(|item| self.yaml_string(item, like, true)).collect();
                format!("[{}]", items.join(", "))
            }
            EditValue::Object(members) => {
                let members: Vec<String> = members
                    .iter()
                    .map(|(key, value)| format!("{}: {}", self.yaml_key(key, true), self.flow_value(value, like)))
                    .collect();
                format!("{{{}}}", members.join(", "))
            }
        }
    }

    /// The text after `key:` of a block member at `indent`: ` value`, or nested lines for
    /// lists (a block sequence, indented as the template indents them) and mappings.
    fn block_value(&self, value: &EditValue, like: Style, indent: &str, step: usize) -> String {
        let newline = self.newline();
        match value {
            EditValue::String(text) => format!(" {}", self.yaml_string(text, like, false)),
            EditValue::Literal(literal) => format!(" {literal}"),
            EditValue::List(items) if items.is_empty() => " []".to_owned(),
            EditValue::List(items) => {
                let dash_indent = format!("{indent}{}", " ".repeat(self.sequence_indent()));
                items
                    .iter()
                    .map(|item| format!("{newline}{dash_indent}- {}", self.yaml_string(item, like, false)))
                    .collect()
            }
            EditValue::Object(members) if members.is_empty() => " {}".to_owned(),
            EditValue::Object(members) => {
                let inner = format!("{indent}{}", " ".repeat(step));
                members
                    .iter()
                    .map(|(key, value)| {
                        let nested = self.block_value(value, like, &inner, step);
                        format!("{newline}{inner}{}:{nested}", self.yaml_key(key, false))
                    })
                    .collect()
            }
        }
    }

    /// How far the mappings around `path` indent a nested block mapping under its key.
    fn mapping_step(&self, path: &[&Tree]) -> usize {
        for node in path.iter().rev() {
            for (key, value) in node.entries() {
                if let Kind::Map(entries) = &value.kind
                    && !self.is_flow(value)
                    && let Some((nested, _)) = entries.first()
                    && self.line_start(nested.span.start) != self.line_start(key.span.start)
                    && let Some(step) = self.column(nested.span.start).checked_sub(self.column(key.span.start))
                    && step > 0
                {
                    return step;
                }
            }
        }
        DEFAULT_SEQUENCE_INDENT
    }

    fn replace_scalar(
        &self,
        tree: &Tree,
        scalar: &Scalar,
        ancestors: &[&Tree],
        place: Place,
        value: &str,
    ) -> Option<Vec<TextEdit>> {
        let raw = self.text.get(tree.span.clone())?;
        let value = match place {
            Place::Literal => value.to_owned(),
            // Placeholders would be erased; new text is written so that `Fn::Sub` keeps it as is.
            Place::SubTemplate if raw.contains("${") => return None,
            Place::SubTemplate => value.replace("${", "${!"),
        };
        let (start, end) = self.scalar_range(tree, scalar)?;
        Some(vec![self.edit(start, end, self.scalar(&value, scalar.style, self.in_flow(ancestors)))])
    }

    /// The text of the items of a new list; the first keeps its original token when it is the
    /// value the scalar had.
    fn list_items(&self, tree: &Tree, scalar: &Scalar, values: &[String], flow: bool) -> Option<Vec<String>> {
        let raw = self.text.get(tree.span.clone())?;
        let like = if matches!(scalar.style, Style::Literal | Style::Folded) { Style::Plain } else { scalar.style };
        Some(
            values
                .iter()
                .enumerate()
                .map(|(idx, value)| {
                    let keep =
                        idx == 0 && *value == scalar.text && !matches!(scalar.style, Style::Literal | Style::Folded);
                    if keep
                        && (!flow || self.json || !matches!(scalar.style, Style::Plain) || plain_is_safe(value, true))
                    {
                        raw.to_owned()
                    } else {
                        self.scalar(value, like, flow)
                    }
                })
                .collect(),
        )
    }

    /// A scalar becomes a list: a block sequence under its key, or a flow sequence where the
    /// scalar stands in flow context, in JSON, or as an item of a sequence.
    fn scalar_to_list(
        &self,
        tree: &Tree,
        scalar: &Scalar,
        ancestors: &[&Tree],
        values: &[String],
    ) -> Option<Vec<TextEdit>> {
        if matches!(scalar.style, Style::Literal | Style::Folded) {
            return None;
        }
        let parent = ancestors.last()?;
        let key = parent.entries().iter().find(|(_, value)| std::ptr::eq(value, tree)).map(|(key, _)| key);
        let flow = self.in_flow(ancestors);
        let (Some(key), false) = (key, flow) else {
            let items = self.list_items(tree, scalar, values, true)?;
            return Some(vec![self.edit(tree.span.start, tree.span.end, format!("[{}]", items.join(", ")))]);
        };
        let items = self.list_items(tree, scalar, values, false)?;
        let (first, rest) = items.split_first()?;
        let newline = self.newline();
        let same_line = self.line_start(key.span.start) == self.line_start(tree.span.start);
        let (replace_start, first_text, indent) = if same_line {
            let indent = " ".repeat(self.column(key.span.start) + self.sequence_indent());
            let between = self.text.get(key.span.end..tree.span.start)?;
            // `Key: value` loses the space after its colon; an anchor there is kept.
            let start = match between.trim() {
                ":" => key.span.end + between.find(':')? + 1,
                _ => tree.span.start,
            };
            (start, format!("{newline}{indent}- {first}"), indent)
        } else {
            (tree.span.start, format!("- {first}"), " ".repeat(self.column(tree.span.start)))
        };
        let more: String = rest.iter().map(|item| format!("{newline}{indent}- {item}")).collect();
        // The new items go after a comment that ends the line, which stays with the first item.
        let line_end = self.line_content_end(tree.span.end);
        if line_end == tree.span.end {
            Some(vec![self.edit(replace_start, tree.span.end, format!("{first_text}{more}"))])
        } else {
            Some(vec![self.edit(replace_start, tree.span.end, first_text), self.edit(line_end, line_end, more)])
        }
    }

    /// A list is replaced: new values after the existing ones are appended in the list's style;
    /// any other change rewrites a list of plain scalars that holds no comment.
    fn replace_sequence(
        &self,
        seq: &Tree,
        items: &[Tree],
        ancestors: &[&Tree],
        values: &[String],
    ) -> Option<Vec<TextEdit>> {
        let scalars: Vec<(&Tree, &Scalar)> = items
            .iter()
            .map(|item| match &item.kind {
                Kind::Scalar(scalar) => Some((item, scalar)),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let flow = self.is_flow(seq);
        let is_prefix = scalars.len() <= values.len()
            && scalars.iter().zip(values).all(|((_, scalar), value)| scalar.text == *value && is_string(scalar));
        let Some(((last, last_scalar), _)) = scalars.split_last() else {
            // An empty list is written `[]`, the one form of an empty sequence.
            let items: Vec<String> = values.iter().map(|value| self.scalar(value, Style::Plain, true)).collect();
            return Some(vec![self.edit(seq.span.start, seq.span.end, format!("[{}]", items.join(", ")))]);
        };
        if is_prefix {
            let added = values.get(scalars.len()..)?;
            if added.is_empty() {
                return Some(Vec::new());
            }
            let like = if matches!(last_scalar.style, Style::Literal | Style::Folded) {
                Style::Plain
            } else {
                last_scalar.style
            };
            if flow {
                let multi_line = self.line_start(last.span.start) != self.line_start(seq.span.start);
                let separator = if multi_line {
                    format!(",{}{}", self.newline(), " ".repeat(self.column(last.span.start)))
                } else {
                    ", ".to_owned()
                };
                let text: String =
                    added.iter().map(|value| format!("{separator}{}", self.scalar(value, like, true))).collect();
                return Some(vec![self.edit(last.span.end, last.span.end, text)]);
            }
            let dash = self.dash_of(last.span.start)?;
            let indent = " ".repeat(self.column(dash));
            let newline = self.newline();
            let text: String =
                added.iter().map(|value| format!("{newline}{indent}- {}", self.scalar(value, like, false))).collect();
            let line_end = self.line_content_end(last.span.end);
            return Some(vec![self.edit(line_end, line_end, text)]);
        }
        // A rewrite must not drop a comment written between the items.
        let first = scalars.first().map(|(item, _)| item.span.start)?;
        let inside = self.text.get(first..last.span.end)?;
        if inside.contains('#') && !self.json {
            let tokens: usize = scalars
                .iter()
                .filter_map(|(item, _)| self.text.get(item.span.clone()))
                .map(|raw| raw.matches('#').count())
                .sum();
            if inside.matches('#').count() > tokens {
                return None;
            }
        }
        let in_flow = flow || self.in_flow(ancestors);
        let rendered: Vec<String> = values.iter().map(|value| self.scalar(value, Style::Plain, in_flow)).collect();
        if flow {
            return Some(vec![self.edit(seq.span.start, seq.span.end, format!("[{}]", rendered.join(", ")))]);
        }
        let dash = self.dash_of(first)?;
        let separator = format!("{}{}- ", self.newline(), " ".repeat(self.column(dash)));
        Some(vec![self.edit(dash, last.span.end, format!("- {}", rendered.join(&separator)))])
    }

    /// Removes a block member or item (`start..end`, from its key or dash to the end of its
    /// value) with its lines. `next` is where the following sibling starts; a sibling that is
    /// alone is replaced by `empty` (`{}` or `[]`), so that the collection stays a collection.
    fn remove_block(
        &self,
        start: usize,
        end: usize,
        next: Option<usize>,
        n_siblings: usize,
        empty: &str,
    ) -> Option<Vec<TextEdit>> {
        if n_siblings <= 1 {
            return Some(vec![self.edit(start, end, empty)]);
        }
        if self.starts_line(start) {
            // A comment after the value on its last line goes with it.
            let line_end = self.next_line_start(end);
            let start = self.line_start(start);
            return match next {
                Some(next) if next < line_end => None,
                _ => Some(vec![self.edit(start, line_end, "")]),
            };
        }
        // The first member after `- `: the next one moves up into its place.
        match next {
            Some(next) if next > end => {
                let gap = self.text.get(end..next)?;
                (!gap.contains('#')).then(|| vec![self.edit(start, next, "")])
            }
            // The last of several, on a line it shares: cut back to the end of the previous one.
            _ => {
                let before = self.skip_space_backward(start);
                (before < start && self.text.get(before..start)?.contains('\n'))
                    .then(|| vec![self.edit(self.line_content_end(before), self.line_content_end(end), "")])
            }
        }
    }

    /// Removes a flow member or item at `start..end` with exactly one adjacent comma; comments
    /// in the way make it decline.
    fn remove_flow(&self, start: usize, end: usize) -> Option<Vec<TextEdit>> {
        let bytes = self.text.as_bytes();
        let after = self.skip_space_forward(end);
        if bytes.get(after) == Some(&b',') {
            let next = self.skip_space_forward(after + 1);
            return Some(vec![self.edit(start, next, "")]);
        }
        let before = self.skip_space_backward(start);
        match before.checked_sub(1).and_then(|idx| bytes.get(idx)) {
            Some(b',') => Some(vec![self.edit(before - 1, end, "")]),
            Some(b'{' | b'[') if matches!(bytes.get(after), Some(b'}' | b']')) => {
                Some(vec![self.edit(before, after, "")])
            }
            _ => None,
        }
    }

    fn insert_member(
        &self,
        map: &Tree,
        entries: &[(Tree, Tree)],
        ancestors: &[&Tree],
        key: &str,
        value: &str,
    ) -> Option<Vec<TextEdit>> {
        let flow = self.is_flow(map);
        let in_flow = flow || self.in_flow(ancestors);
        let key_text = if self.json || plain_is_safe(key, in_flow) {
            self.scalar(key, Style::Plain, in_flow)
        } else {
            quoted(key, Quote::Single)
        };
        let value_text = match self.sibling_style(entries) {
            _ if self.json || plain_is_safe(value, in_flow) => self.scalar(value, Style::Plain, in_flow),
            Style::DoubleQuoted => quoted(value, Quote::Double),
            _ => quoted(value, Quote::Single),
        };
        let (first_key, first_value) = match entries.first() {
            Some((key, value)) => (key, value),
            None => {
                // `{}`: the member goes between the braces.
                let open = map.span.start;
                let close = self.skip_space_forward(open + 1);
                return (self.text.as_bytes().get(close) == Some(&b'}'))
                    .then(|| vec![self.edit(open + 1, close, format!("{key_text}: {value_text}"))]);
            }
        };
        if !flow {
            let indent = " ".repeat(self.column(first_key.span.start));
            let text = format!("{key_text}: {value_text}{}{indent}", self.newline());
            return Some(vec![self.edit(first_key.span.start, first_key.span.start, text)]);
        }
        let open = map.span.start;
        let gap = self.text.get(open + 1..first_key.span.start)?;
        if !gap.bytes().all(|byte| matches!(byte, b' ' | b'\t' | b'\n' | b'\r')) {
            return None;
        }
        let separator = if gap.is_empty() { " " } else { gap };
        let between = self.text.get(first_key.span.end..first_value.span.start)?;
        let colon = if between.contains(['\n', '\r']) || !between.contains(':') { ": " } else { between };
        let member = format!("{key_text}{colon}{value_text},{separator}");
        Some(vec![self.edit(first_key.span.start, first_key.span.start, member)])
    }

    // ---- embedded policy JSON ------------------------------------------------------------------

    /// Renders the edit as JSON on the decoded string, then writes each change in the string's
    /// escapes.
    fn embedded(&self, edit: &PolicyEdit, spans: &[Span]) -> Option<Vec<TextEdit>> {
        let start = spans.iter().map(|span| offsets(*span).0).min()?;
        let end = spans.iter().map(|span| offsets(*span).1).max()?;
        let path = self.locate_scalar(start, end)?;
        if self.guard(&path)? != Place::Literal {
            return None;
        }
        let (tree, _) = path.split_last()?;
        let Kind::Scalar(scalar) = &tree.kind else { return None };
        if !matches!(scalar_kind(scalar), NodeKind::String(_)) {
            return None;
        }
        let map = embedded::exact_map(self.file, self.text, tree, scalar)?;
        let decoded = scalar.text.as_str();
        let positions = Positions { map: &map, len: decoded.len() };
        let to_decoded = |span: Span| -> Option<Span> {
            let (start, end) = offsets(span);
            Some(Span::from_offsets(self.file, positions.decoded(start)?, positions.decoded(end)?))
        };
        let decoded_edit = edit.map_spans(to_decoded)?;
        let json_edits = JsonRenderer { file: self.file, text: decoded }.render(&decoded_edit)?;
        if scalar.style == Style::Plain {
            // A plain scalar has no escapes: the new text must read back as the same string.
            let fixed = rein_text::apply_edits(decoded, &json_edits)?;
            if !plain_is_safe(&fixed, self.in_flow(path.split_last()?.1)) {
                return None;
            }
        }
        let indent = self.column(tree.span.start);
        json_edits
            .iter()
            .map(|json_edit| {
                let (start, end) = offsets(json_edit.span);
                let raw_start = positions.raw_boundary(start)?;
                let raw_end = positions.raw_boundary(end)?;
                let text = self.encode(&json_edit.new_text, scalar.style, indent)?;
                Some(self.edit(raw_start, raw_end, text))
            })
            .collect()
    }

    /// Decoded text written in the escapes of a string scalar of `style`.
    fn encode(&self, decoded: &str, style: Style, indent: usize) -> Option<String> {
        match style {
            Style::JsonString | Style::DoubleQuoted => {
                let literal = if style == Style::DoubleQuoted { double_quoted(decoded) } else { quote(decoded) };
                literal.get(1..literal.len() - 1).map(str::to_owned)
            }
            Style::SingleQuoted => (!needs_double_quotes(decoded)).then(|| decoded.replace('\'', "''")),
            Style::Literal => {
                if decoded.chars().any(|ch| ch != '\n' && ch != '\t' && is_unprintable(ch)) {
                    return None;
                }
                let line_break = format!("{}{}", self.newline(), " ".repeat(indent));
                Some(decoded.replace('\n', &line_break))
            }
            Style::Plain => Some(decoded.to_owned()),
            Style::Folded | Style::JsonNumber | Style::JsonBool | Style::JsonNull => None,
        }
    }
}

/// The walk that finds the node at a span.
struct Search<'t> {
    start: usize,
    end: usize,
    /// A node with exactly this span, or else the innermost scalar holding it.
    exact: bool,
    /// Only mappings count.
    maps_only: bool,
    best: Option<Vec<&'t Tree>>,
    matches: usize,
}

impl<'t> Search<'t> {
    fn visit(&mut self, node: &'t Tree, path: &mut Vec<&'t Tree>) {
        // Collections are entered even when their span does not hold the target: an alias's copy
        // keeps the spans of its anchor, so the copy lies elsewhere in the tree.
        let holds = node.span.start <= self.start && self.end <= node.span.end;
        if (!holds && matches!(node.kind, Kind::Scalar(_) | Kind::Missing)) || path.len() > 4 * syntax::MAX_NESTING {
            return;
        }
        path.push(node);
        let found = holds
            && (!self.maps_only || matches!(node.kind, Kind::Map(_)))
            && if self.exact {
                node.span.start == self.start && node.span.end == self.end
            } else {
                matches!(node.kind, Kind::Scalar(_))
            };
        if found {
            self.matches += 1;
            if self.best.is_none() {
                self.best = Some(path.clone());
            }
        }
        match &node.kind {
            Kind::Map(entries) => {
                for (key, value) in entries {
                    self.visit(key, path);
                    self.visit(value, path);
                }
            }
            Kind::Seq(items) => {
                for item in items {
                    self.visit(item, path);
                }
            }
            Kind::Tagged(_, inner) => self.visit(inner, path),
            Kind::Scalar(_) | Kind::Missing => {}
        }
        path.pop();
    }
}

/// Raw file offsets of the decoded bytes of a string scalar.
struct Positions<'m> {
    map: &'m SpanMap,
    len: usize,
}

impl Positions<'_> {
    /// Where decoded offset `offset` stands in the file: the start of the raw run of its byte,
    /// or the end of the last one for the end of the text.
    fn raw(&self, offset: usize) -> Option<usize> {
        if offset < self.len {
            Some(usize::from(self.map.span_of(offset, offset + 1).range.start()))
        } else if offset == self.len && self.len > 0 {
            Some(usize::from(self.map.span_of(self.len - 1, self.len).range.end()))
        } else {
            None
        }
    }

    /// The decoded offset that stands at raw offset `raw`, when one does exactly.
    fn decoded(&self, raw: usize) -> Option<usize> {
        let (mut low, mut high) = (0, self.len + 1);
        while low < high {
            let mid = low + (high - low) / 2;
            if self.raw(mid)? < raw { low = mid + 1 } else { high = mid }
        }
        (self.raw(low)? == raw).then_some(low)
    }

    /// The raw offset of a decoded boundary; `None` inside the bytes of one escape (`\u00e9`).
    fn raw_boundary(&self, offset: usize) -> Option<usize> {
        let raw = self.raw(offset)?;
        if offset > 0 && offset < self.len && self.raw(offset - 1)? == raw {
            return None;
        }
        Some(raw)
    }
}

/// Whether a node is an intrinsic function, in short (`!Sub`) or long (`Fn::Sub:`) form, or
/// carries another tag.
fn is_intrinsic(tree: &Tree) -> bool {
    matches!(tree.kind, Kind::Tagged(..)) || long_form(tree).is_some()
}

fn is_string(scalar: &Scalar) -> bool {
    matches!(scalar_kind(scalar), NodeKind::String(_))
}

fn is_unprintable(ch: char) -> bool {
    ch.is_control() || matches!(ch, '\u{feff}' | '\u{2028}' | '\u{2029}')
}

/// Whether only a double-quoted scalar can hold `value` (line breaks, control characters).
fn needs_double_quotes(value: &str) -> bool {
    value.chars().any(|ch| ch != '\t' && is_unprintable(ch))
}

fn single_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A YAML double-quoted scalar; JSON's escapes are YAML's, and YAML also needs the Unicode line
/// separators escaped.
fn double_quoted(value: &str) -> String {
    quote(value)
        .replace('\u{2028}', "\\L")
        .replace('\u{2029}', "\\P")
        .replace('\u{85}', "\\N")
        .replace('\u{feff}', "\\ufeff")
}

fn quoted(value: &str, preferred: Quote) -> String {
    if preferred == Quote::Double || needs_double_quotes(value) { double_quoted(value) } else { single_quoted(value) }
}

/// Words that YAML (the 1.2 core schema, or the 1.1 schema some CloudFormation tools still use)
/// reads as null or a boolean.
const RESERVED_WORDS: [&str; 28] = [
    "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No",
    "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", "=", "<<",
];

/// Whether `value` can be written as a plain scalar and read back as the same string.
///
/// Values that YAML reads as something else (`*`, `yes`, `null`, `123`, a date), or that a plain
/// scalar cannot start with (`!`, `&`, `*`, `{`, `[`, `#`, quotes, …) or hold (`: `, ` #`), are
/// quoted. Source: YAML 1.2.2, §7.3.3 (plain style) and §10.3 (core schema).
fn plain_is_safe(value: &str, flow: bool) -> bool {
    let Some(first) = value.chars().next() else { return false };
    if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t', ':']) || value.chars().any(is_unprintable) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || value.contains(": ") || value.contains(" #") {
        return false;
    }
    if flow && value.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    if RESERVED_WORDS.contains(&value)
        || value.to_ascii_lowercase().trim_start_matches(['+', '-']).starts_with(".inf")
        || value.eq_ignore_ascii_case(".nan")
    {
        return false;
    }
    // Numbers in any base, dates and times, and sexagesimal numbers of YAML 1.1.
    let looks_numeric = (first.is_ascii_digit() || matches!(first, '+' | '.'))
        && value.chars().all(|ch| ch.is_ascii_hexdigit() || "+-._:xXoO".contains(ch));
    !looks_numeric
}

mod entity;
#[cfg(test)]
mod tests;
