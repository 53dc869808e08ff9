//! Entity edits of Terraform files: an argument inserted into a block's body, and a new
//! resource block appended to a file of the module, both laid out as `terraform fmt` lays them
//! out (the block's own indentation, two spaces a level otherwise, and the `=` of consecutive
//! one-line arguments aligned).

use rein_model::{AttributeValue, EditValue, NewEntity, StateBlock};
use rein_text::{Span, TextEdit};

use super::{HclRenderer, Quoting, indentation, is_identifier, line_start, quoted};

/// The meta-arguments and meta-blocks of a resource, which a replacement would lose.
const META_ARGUMENTS: &[&str] =
    &["count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"];

/// One line of a block's body, as far as the layout of a new argument cares.
struct BodyLine {
    /// Offset of the line's first byte.
    start: usize,
    /// The argument the line starts at the body's top level, with the offset just after its name
    /// and of its `=`.
    argument: Option<(String, usize, usize)>,
    /// A nested block (`source {`) the line opens at the top level.
    block: Option<String>,
    /// Whether the line's brackets and strings close on it (a one-line argument).
    closed: bool,
    blank: bool,
}

impl HclRenderer<'_> {
    /// Inserts arguments (or nested blocks `name { … }`) at the end of the body of the block at
    /// `entity` (`resource "t" "n" { … }`, `output "o" { … }`), the first ones in the alignment
    /// group of the one-line arguments just before the closing brace when there is one.
    pub(super) fn insert_attributes(
        &self,
        entity: Span,
        attributes: &[(String, AttributeValue)],
    ) -> Option<Vec<TextEdit>> {
        let attributes = &self.resolve_copies(attributes)?;
        let names: Vec<&str> = attributes.iter().map(|(name, _)| name.as_str()).collect();
        let distinct = names.iter().enumerate().all(|(idx, name)| !names.get(..idx).unwrap_or_default().contains(name));
        if names.is_empty() || !distinct || !names.iter().all(|name| is_identifier(name)) {
            return None;
        }
        let text = self.db.get(entity.file)?.text.as_str();
        let (start, end) = (usize::from(entity.range.start()), usize::from(entity.range.end()));
        let close = end.checked_sub(1)?;
        let open = start + body_open(text.get(start..close)?)?;
        if text.as_bytes().get(close) != Some(&b'}') {
            return None;
        }
        let newline = super::newline_of(text);
        let outer = indentation(text, start).to_owned();
        let body = text.get(open + 1..close)?;
        if !body.contains('\n') {
            // `{}` or `{ a = 1 }` on one line: only the empty body is opened up.
            if !body.trim().is_empty() {
                return None;
            }
            let lines = render_body(attributes, &format!("{outer}  "), newline, 0)?;
            return Some(vec![TextEdit::replace(
                Span::from_offsets(entity.file, open + 1, close),
                format!("{newline}{lines}{outer}"),
            )]);
        }
        let close_line = line_start(text, close);
        if !text.get(close_line..close)?.bytes().all(|byte| matches!(byte, b' ' | b'\t')) || close_line <= open {
            return None;
        }
        let lines = body_lines(text, open + 1, close_line)?;
        let taken = |name: &&str| {
            lines.iter().any(|line| {
                line.argument.as_ref().is_some_and(|(key, _, _)| key == name) || line.block.as_deref() == Some(*name)
            })
        };
        if names.iter().any(taken) {
            return None;
        }
        let inner = lines
            .iter()
            .find(|line| !line.blank)
            .map_or_else(|| format!("{outer}  "), |line| indentation(text, line.start).to_owned());
        // The one-line arguments that the new ones start with join the group of one-line
        // arguments that ends the body.
        let leading: Vec<&str> =
            attributes.iter().take_while(|(_, value)| is_one_line(value)).map(|(name, _)| name.as_str()).collect();
        let mut group: Vec<(&str, usize, usize)> = Vec::new();
        if !leading.is_empty() && lines.last().is_some_and(|line| !line.blank) {
            for line in lines.iter().rev() {
                match &line.argument {
                    Some((key, key_end, assign)) if line.closed && indentation(text, line.start) == inner => {
                        group.push((key.as_str(), *key_end, *assign));
                    }
                    _ => break,
                }
            }
        }
        let width =
            group.iter().map(|(key, _, _)| key.len()).chain(leading.iter().map(|name| name.len())).max().unwrap_or(0);
        let mut edits = Vec::new();
        for (key, key_end, assign) in &group {
            let padding = " ".repeat(width - key.len() + 1);
            if text.get(*key_end..*assign)? != padding {
                edits.push(TextEdit::replace(Span::from_offsets(entity.file, *key_end, *assign), padding));
            }
        }
        let new_lines = render_body(attributes, &inner, newline, width)?;
        edits.push(TextEdit::replace(Span::from_offsets(entity.file, close_line, close_line), new_lines));
        Some(edits)
    }

    /// Appends resource blocks, each after a blank line, to the file of its `near`, or for the
    /// unit's anchor to the `main.tf` beside it when there is one; one edit per file.
    pub(super) fn generate_entities(&self, entities: &[NewEntity]) -> Option<Vec<TextEdit>> {
        let mut by_file: Vec<(&rein_text::SourceFile, Vec<&NewEntity>)> = Vec::new();
        for entity in entities {
            if entity.is_cloudformation() || !is_identifier(&entity.resource_type) || !is_identifier(&entity.name) {
                return None;
            }
            let file = self.target_file(entity)?;
            match by_file.iter_mut().find(|(known, _)| known.id == file.id) {
                Some((_, list)) => list.push(entity),
                None => by_file.push((file, vec![entity])),
            }
        }
        let mut edits = Vec::new();
        for (file, entities) in by_file {
            let text = file.text.as_str();
            let newline = super::newline_of(text);
            let mut out = if text.trim().is_empty() || text.ends_with(&format!("{newline}{newline}")) {
                String::new()
            } else if text.ends_with(newline) {
                newline.to_owned()
            } else {
                // The last line is not ended, and a blank line separates the blocks.
                format!("{newline}{newline}")
            };
            let mut headers: Vec<String> = Vec::new();
            for entity in entities {
                let keyword = if entity.data_source { "data" } else { "resource" };
                let header = format!("{keyword} \"{}\" \"{}\"", entity.resource_type, entity.name);
                if text.contains(&header) || headers.contains(&header) {
                    return None;
                }
                if !headers.is_empty() {
                    out.push_str(newline);
                }
                let body = render_body(&self.resolve_copies(&entity.attributes)?, "  ", newline, 0)?;
                if body.is_empty() {
                    out.push_str(&format!("{header} {{}}{newline}"));
                } else {
                    out.push_str(&format!("{header} {{{newline}{body}}}{newline}"));
                }
                headers.push(header);
            }
            // A file of white space only is replaced; any other gets the blocks at its end.
            let start = if text.trim().is_empty() { 0 } else { text.len() };
            edits.push(TextEdit::replace(Span::from_offsets(file.id, start, text.len()), out));
        }
        Some(edits)
    }

    /// Replaces the block at `entity` with the blocks of `with` and then the `state` blocks,
    /// each after a blank line; with neither, removes the block, the comment lines just above
    /// it and one blank line next to it.
    pub(super) fn replace_entity(
        &self,
        entity: Span,
        with: &[NewEntity],
        state: &[StateBlock],
    ) -> Option<Vec<TextEdit>> {
        let file = self.db.get(entity.file)?;
        let text = file.text.as_str();
        let (start, end) = (usize::from(entity.range.start()), usize::from(entity.range.end()));
        let block = text.get(start..end)?;
        // A top-level block alone on its lines: `resource "t" "n" { … }`.
        let block_start = line_start(text, start);
        if block_start != start || !block.starts_with("resource") || !block.ends_with('}') {
            return None;
        }
        let open = start + body_open(block)?;
        let rest = text.get(end..)?;
        let line_end = match rest.find('\n') {
            Some(idx) if rest.get(..idx)?.trim().is_empty() => end + idx + 1,
            None if rest.trim().is_empty() => text.len(),
            _ => return None,
        };
        // What refers to the block (an output, `depends_on`, an `import` block) would break.
        let mut labels = block.split('{').next()?.split('"').skip(1).step_by(2);
        let address = format!("{}.{}", labels.next()?, labels.next()?);
        if self.refers_to(&address, entity) {
            return None;
        }
        let newline = super::newline_of(text);
        if with.is_empty() && state.is_empty() {
            let mut from = block_start;
            while from > 0 {
                let previous = line_start(text, from - 1);
                let line = text.get(previous..from)?.trim();
                if line.starts_with('#') || (line.starts_with("//") && !line.contains("*/")) {
                    from = previous;
                } else {
                    break;
                }
            }
            let mut to = line_end;
            let blank_before = from > 0 && text.get(line_start(text, from - 1)..from)?.trim().is_empty();
            if blank_before {
                from = line_start(text, from - 1);
            } else {
                let next_end = text.get(to..)?.find('\n').map_or(text.len(), |idx| to + idx + 1);
                if text.get(to..next_end)?.trim().is_empty() {
                    to = next_end;
                }
            }
            return Some(vec![TextEdit::replace(Span::from_offsets(entity.file, from, to), String::new())]);
        }
        // The new blocks do not carry the old one's meta-arguments (`count`, `lifecycle`, …)
        // over: a block that has them is not replaced.
        let close = end - 1;
        let body = text.get(open + 1..close)?;
        if body.contains('\n') {
            let lines = body_lines(text, open + 1, line_start(text, close))?;
            let meta = |name: &str| META_ARGUMENTS.contains(&name);
            let has_meta = lines.iter().any(|line| {
                line.argument.as_ref().is_some_and(|(name, _, _)| meta(name)) || line.block.as_deref().is_some_and(meta)
            });
            if has_meta {
                return None;
            }
        } else if !body.trim().is_empty() {
            return None;
        }
        let mut blocks: Vec<String> = Vec::new();
        let mut headers: Vec<String> = Vec::new();
        for new in with {
            if new.is_cloudformation()
                || new.data_source
                || !is_identifier(&new.resource_type)
                || !is_identifier(&new.name)
            {
                return None;
            }
            let header = format!("resource \"{}\" \"{}\"", new.resource_type, new.name);
            let elsewhere = text.get(..start)?.contains(&header) || text.get(end..)?.contains(&header);
            if elsewhere || headers.contains(&header) {
                return None;
            }
            let attributes = self.resolve_copies(&new.attributes)?;
            let body = render_body(&attributes, "  ", newline, 0)?;
            blocks.push(if body.is_empty() {
                format!("{header} {{}}")
            } else {
                format!("{header} {{{newline}{body}}}")
            });
            headers.push(header);
        }
        for block in state {
            let address = |address: &str| {
                let (kind, name) = address.split_once('.')?;
                let valid = !kind.is_empty()
                    && !name.is_empty()
                    && address.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"_-.[]".contains(&byte));
                valid.then(|| AttributeValue::Reference { entity: kind.to_owned(), attribute: name.to_owned() })
            };
            let (keyword, members) = match block {
                StateBlock::Moved { from, to } => ("moved", vec![("from", address(from)?), ("to", address(to)?)]),
                StateBlock::Removed { from } => (
                    "removed",
                    vec![
                        ("from", address(from)?),
                        ("lifecycle", AttributeValue::block([("destroy", AttributeValue::literal(false))])),
                    ],
                ),
                StateBlock::Import { to, id } => {
                    ("import", vec![("to", address(to)?), ("id", AttributeValue::string(id.clone()))])
                }
            };
            let members: Vec<(String, AttributeValue)> =
                members.into_iter().map(|(name, value)| (name.to_owned(), value)).collect();
            blocks.push(format!("{keyword} {{{newline}{}}}", render_body(&members, "  ", newline, 0)?));
        }
        let replacement = blocks.join(&format!("{newline}{newline}"));
        Some(vec![TextEdit::replace(entity, replacement)])
    }

    /// Whether a Terraform file of the configuration names `address` outside the span `block`.
    fn refers_to(&self, address: &str, block: Span) -> bool {
        let word = |byte: Option<&u8>| byte.is_some_and(|byte| byte.is_ascii_alphanumeric() || b"_-".contains(byte));
        self.db.iter().any(|file| {
            let text = file.text.as_str();
            let bytes = text.as_bytes();
            text.match_indices(address).any(|(at, _)| {
                let end = at + address.len();
                let inside = file.id == block.file
                    && at >= usize::from(block.range.start())
                    && end <= usize::from(block.range.end());
                !inside && !word(at.checked_sub(1).and_then(|idx| bytes.get(idx))) && !word(bytes.get(end))
            })
        })
    }

    /// The attributes with each [`AttributeValue::Copy`] replaced by the one-line expression it
    /// names, as written in a Terraform file of the configuration.
    fn resolve_copies(&self, attributes: &[(String, AttributeValue)]) -> Option<Vec<(String, AttributeValue)>> {
        attributes.iter().map(|(name, value)| Some((name.clone(), self.resolve_copy(value)?))).collect()
    }

    fn resolve_copy(&self, value: &AttributeValue) -> Option<AttributeValue> {
        Some(match value {
            AttributeValue::Copy { from } => {
                if self.db.get(from.file).is_none() || self.is_json_file(from.file) {
                    return None;
                }
                let raw = self.raw(*from)?.trim();
                if raw.is_empty() || raw.contains(['\n', '\r']) || raw.contains("<<") {
                    return None;
                }
                AttributeValue::Value(EditValue::Literal(raw.to_owned()))
            }
            AttributeValue::Block(members) => AttributeValue::Block(self.resolve_copies(members)?),
            AttributeValue::List(items) => {
                AttributeValue::List(items.iter().map(|item| self.resolve_copy(item)).collect::<Option<_>>()?)
            }
            other => other.clone(),
        })
    }

    /// The file a new entity goes to: its `near` entity's, or for the unit's anchor the
    /// `main.tf` beside the anchor when there is one.
    fn target_file(&self, entity: &NewEntity) -> Option<&rein_text::SourceFile> {
        let near = self.db.get(entity.near.file)?;
        if !entity.anchor {
            return Some(near);
        }
        let directory = near.path.rfind(['/', '\\']).map_or("", |idx| near.path.get(..=idx).unwrap_or(""));
        let main = format!("{directory}main.tf");
        Some(self.db.iter().find(|source| source.path == main).unwrap_or(near))
    }
}

/// The offset, within the header text of a block (`resource "t" "n" {`), of its opening brace.
fn body_open(raw: &str) -> Option<usize> {
    let bytes = raw.as_bytes();
    let mut idx = 0;
    while idx < bytes.len() {
        match bytes.get(idx)? {
            b'"' => idx = skip_string(bytes, idx)?,
            b'{' => return Some(idx),
            b'\n' | b'=' => return None,
            _ => idx += 1,
        }
    }
    None
}

/// The offset just after the string literal that starts at `idx`, interpolations included.
fn skip_string(bytes: &[u8], idx: usize) -> Option<usize> {
    let mut at = idx + 1;
    while at < bytes.len() {
        match bytes.get(at)? {
            b'\\' => at += 2,
            b'"' => return Some(at + 1),
            b'\n' => return None,
            b'$' | b'%' if bytes.get(at + 1) == Some(&b'{') && bytes.get(at.wrapping_sub(1)) != bytes.get(at) => {
                at = skip_template(bytes, at + 2)?;
            }
            _ => at += 1,
        }
    }
    None
}

/// The offset just after the `}` that closes an interpolation whose content starts at `idx`.
fn skip_template(bytes: &[u8], idx: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut at = idx;
    while at < bytes.len() {
        match bytes.get(at)? {
            b'"' => {
                at = skip_string(bytes, at)?;
                continue;
            }
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            _ => {}
        }
        at += 1;
    }
    None
}

/// The lines of a body from `from` to `to` (the start of the closing brace's line), with the
/// arguments and blocks that start at its top level. `None` when the text is not one the scan
/// reads (an unclosed string or bracket).
fn body_lines(text: &str, from: usize, to: usize) -> Option<Vec<BodyLine>> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut depth = 0usize;
    let mut heredoc: Option<String> = None;
    let mut in_comment = false;
    // The body starts after the `{`, on the brace's line: that rest of a line is not a line.
    let mut at = text.get(from..to)?.find('\n').map(|idx| from + idx + 1)?;
    while at < to {
        let end = text.get(at..to)?.find('\n').map_or(to, |idx| at + idx + 1);
        let line = text.get(at..end)?;
        let trimmed = line.trim();
        if let Some(marker) = &heredoc {
            if trimmed == marker {
                heredoc = None;
            }
            lines.push(BodyLine { start: at, argument: None, block: None, closed: false, blank: false });
            at = end;
            continue;
        }
        let top = depth == 0 && !in_comment;
        let mut argument = None;
        let mut block = None;
        if top {
            let indent = line.len() - line.trim_start().len();
            let word_len = trimmed
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'))
                .unwrap_or(trimmed.len());
            let word = trimmed.get(..word_len).unwrap_or_default();
            let rest = trimmed.get(word_len..).unwrap_or_default();
            let after = rest.trim_start();
            if is_identifier(word) {
                if after.starts_with('=') && !after.starts_with("==") {
                    let key_end = at + indent + word_len;
                    argument = Some((word.to_owned(), key_end, key_end + (rest.len() - after.len())));
                } else if after.starts_with('{') || after.starts_with('"') {
                    block = Some(word.to_owned());
                }
            }
        }
        // Brackets, strings and comments of the line.
        let mut idx = at;
        while idx < end {
            let byte = *bytes.get(idx)?;
            if in_comment {
                if byte == b'*' && bytes.get(idx + 1) == Some(&b'/') {
                    in_comment = false;
                    idx += 2;
                } else {
                    idx += 1;
                }
                continue;
            }
            match byte {
                b'"' => {
                    idx = skip_string(bytes, idx)?;
                    continue;
                }
                b'#' => break,
                b'/' if bytes.get(idx + 1) == Some(&b'/') => break,
                b'/' if bytes.get(idx + 1) == Some(&b'*') => {
                    in_comment = true;
                    idx += 2;
                    continue;
                }
                b'<' if bytes.get(idx + 1) == Some(&b'<') => {
                    let marker = text.get(idx + 2..end)?.trim_start_matches('-').trim();
                    if !marker.is_empty() && marker.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                        heredoc = Some(marker.to_owned());
                        break;
                    }
                }
                b'{' | b'[' | b'(' => depth += 1,
                b'}' | b']' | b')' => depth = depth.checked_sub(1)?,
                _ => {}
            }
            idx += 1;
        }
        let closed = top && depth == 0 && heredoc.is_none() && !in_comment;
        lines.push(BodyLine { start: at, argument, block, closed, blank: trimmed.is_empty() });
        at = end;
    }
    (depth == 0 && heredoc.is_none() && !in_comment).then_some(lines)
}

/// Whether a value is written on the line of its `=`.
fn is_one_line(value: &AttributeValue) -> bool {
    match value {
        AttributeValue::Value(EditValue::Object(members)) | AttributeValue::Json(EditValue::Object(members)) => {
            members.is_empty()
        }
        AttributeValue::Value(_) | AttributeValue::Json(_) | AttributeValue::Reference { .. } => true,
        AttributeValue::List(items) => items.iter().all(is_one_line),
        AttributeValue::Block(_) => false,
        // Resolved to the expression it names before the layout.
        AttributeValue::Copy { .. } => true,
    }
}

/// The arguments and nested blocks of a body at indentation `inner`, each line ended by
/// `newline`; consecutive one-line arguments have their `=` aligned.
/// The first run of one-line arguments is aligned to at least `first_width`.
fn render_body(members: &[(String, AttributeValue)], inner: &str, newline: &str, first_width: usize) -> Option<String> {
    let mut out = String::new();
    let mut idx = 0;
    while let Some((name, value)) = members.get(idx) {
        if !is_identifier(name) {
            return None;
        }
        if let AttributeValue::Block(body) = value {
            out.push_str(&format!("{inner}{name} {{{newline}"));
            out.push_str(&render_body(body, &format!("{inner}  "), newline, 0)?);
            out.push_str(&format!("{inner}}}{newline}"));
            idx += 1;
            continue;
        }
        if !is_one_line(value) {
            out.push_str(&format!("{inner}{name} = {}{newline}", expression(value, inner, newline)?));
            idx += 1;
            continue;
        }
        let group: Vec<&(String, AttributeValue)> =
            members.get(idx..)?.iter().take_while(|(_, value)| is_one_line(value)).collect();
        let floor = if idx == 0 { first_width } else { 0 };
        let width = group.iter().map(|(name, _)| name.len()).fold(floor, usize::max);
        for (name, value) in &group {
            if !is_identifier(name) {
                return None;
            }
            out.push_str(&format!("{inner}{name:<width$} = {}{newline}", expression(value, inner, newline)?));
        }
        idx += group.len();
    }
    Some(out)
}

/// The expression of an argument's value at indentation `indent`.
fn expression(value: &AttributeValue, indent: &str, newline: &str) -> Option<String> {
    match value {
        AttributeValue::Value(value) => Some(hcl_value(value, indent, newline)),
        AttributeValue::Json(value) => Some(format!("jsonencode({})", hcl_value(value, indent, newline))),
        AttributeValue::Reference { entity, attribute } => {
            let traversal = |text: &str| {
                !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"_-.[]".contains(&byte))
            };
            (traversal(entity) && traversal(attribute)).then(|| format!("{entity}.{attribute}"))
        }
        AttributeValue::List(items) => {
            let items: Vec<String> =
                items.iter().map(|item| expression(item, indent, newline)).collect::<Option<_>>()?;
            Some(format!("[{}]", items.join(", ")))
        }
        AttributeValue::Block(_) | AttributeValue::Copy { .. } => None,
    }
}

/// An HCL literal: a string, a number or boolean, a list of strings, or an object whose
/// one-line members have their `=` aligned.
fn hcl_value(value: &EditValue, indent: &str, newline: &str) -> String {
    match value {
        EditValue::String(text) => quoted(text, Quoting::Plain),
        EditValue::Literal(literal) => literal.clone(),
        EditValue::List(items) => {
            let items: Vec<String> = items.iter().map(|item| quoted(item, Quoting::Plain)).collect();
            format!("[{}]", items.join(", "))
        }
        EditValue::Object(members) if members.is_empty() => "{}".to_owned(),
        EditValue::Object(members) => {
            let inner = format!("{indent}  ");
            let key = |key: &str| if is_identifier(key) { key.to_owned() } else { quoted(key, Quoting::Plain) };
            let nested = |value: &EditValue| matches!(value, EditValue::Object(members) if !members.is_empty());
            let mut out = format!("{{{newline}");
            // Runs of one-line members share an alignment; a nested object ends a run.
            for run in members.chunk_by(|a, b| !nested(&a.1) && !nested(&b.1)) {
                let width = run.iter().map(|(name, _)| key(name).len()).max().unwrap_or(0);
                for (name, value) in run {
                    let value = hcl_value(value, &inner, newline);
                    if nested_value(value.as_str()) {
                        out.push_str(&format!("{inner}{} = {value}{newline}", key(name)));
                    } else {
                        out.push_str(&format!("{inner}{:<width$} = {value}{newline}", key(name)));
                    }
                }
            }
            out.push_str(&format!("{indent}}}"));
            out
        }
    }
}

/// Whether a rendered value spans lines (a non-empty object).
fn nested_value(value: &str) -> bool {
    value.contains('\n')
}

#[cfg(test)]
mod tests {
    use rein_model::{AttributeValue, EditRenderer, EditValue, EntityKind, NewEntity, PolicyEdit};
    use rein_text::{SourceDb, Span};

    use crate::HclRenderer;

    /// Inserts `name = value` into the first entity of `text` and checks that the result reads
    /// again without syntax errors, with the attribute set; returns the new text.
    fn insert(text: &str, name: &str, value: AttributeValue) -> Option<String> {
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        let output = crate::analyze_file(file, text);
        let entity = output.entities.first().unwrap();
        let edit = PolicyEdit::insert_attribute(entity.extent, name, value);
        let edits = HclRenderer { db: &db }.render(&edit)?;
        let edited = rein_text::apply_edits(text, &edits).unwrap();
        let reread = crate::analyze_file(file, &edited);
        assert!(reread.issues.is_empty(), "{:?}\n{edited}", reread.issues);
        assert!(reread.entities.first().unwrap().attribute(name).is_some(), "{edited}");
        Some(edited)
    }

    #[test]
    fn inserts_arguments_into_the_alignment_group_that_ends_the_body() {
        let text = "resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length = 14\n  require_symbols         = true\n}\n";
        // A shorter name takes the group's width; nothing else changes.
        let edited = insert(text, "max_password_age", AttributeValue::literal(90)).unwrap();
        assert_eq!(edited, text.replace("true\n}", "true\n  max_password_age        = 90\n}"));
        // A longer one realigns the group, as `terraform fmt` would.
        let edited = insert(text, "allow_users_to_change_password", AttributeValue::literal(true)).unwrap();
        assert_eq!(
            edited,
            "resource \"aws_iam_account_password_policy\" \"p\" {\n  minimum_password_length        = 14\n  require_symbols                = true\n  allow_users_to_change_password = true\n}\n"
        );
    }

    #[test]
    fn inserts_several_arguments_as_one_group_then_blocks() {
        let text = "resource \"aws_iam_account_password_policy\" \"p\" {\n  require_symbols = true\n}\n";
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        let entity = crate::analyze_file(file, text).entities.remove(0);
        let attributes = vec![
            ("require_numbers".to_owned(), AttributeValue::literal(true)),
            ("require_lowercase_characters".to_owned(), AttributeValue::literal(true)),
            ("lifecycle".to_owned(), AttributeValue::block([("prevent_destroy", AttributeValue::literal(true))])),
        ];
        let edit = PolicyEdit::InsertAttributes { entity: entity.extent, attributes };
        let edits = HclRenderer { db: &db }.render(&edit).unwrap();
        assert_eq!(
            rein_text::apply_edits(text, &edits).unwrap(),
            "resource \"aws_iam_account_password_policy\" \"p\" {\n  require_symbols              = true\n  require_numbers              = true\n  require_lowercase_characters = true\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n"
        );
        // A name twice, or one the body sets, is declined.
        let twice = vec![
            ("require_numbers".to_owned(), AttributeValue::literal(true)),
            ("require_numbers".to_owned(), AttributeValue::literal(false)),
        ];
        let edit = PolicyEdit::InsertAttributes { entity: entity.extent, attributes: twice };
        assert_eq!(HclRenderer { db: &db }.render(&edit), None);
        let edit = PolicyEdit::insert_attribute(entity.extent, "require_symbols", AttributeValue::literal(true));
        assert_eq!(HclRenderer { db: &db }.render(&edit), None);
    }

    #[test]
    fn starts_a_group_of_its_own_after_a_blank_line_a_block_or_a_multi_line_value() {
        let text = "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n\n  assume_role_policy = jsonencode({\n    Version = \"2012-10-17\"\n  })\n}\n";
        let edited = insert(text, "permissions_boundary", AttributeValue::string("arn:aws:iam::1:policy/b")).unwrap();
        assert_eq!(edited, text.replace("  })\n}", "  })\n  permissions_boundary = \"arn:aws:iam::1:policy/b\"\n}"));
        let text = "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  inline_policy {\n    name = \"x\"\n  }\n}\n";
        let edited = insert(text, "path", AttributeValue::string("/")).unwrap();
        assert_eq!(edited, text.replace("  }\n}", "  }\n  path = \"/\"\n}"));
    }

    #[test]
    fn reads_heredocs_strings_and_comments_of_the_body() {
        // `max_session_duration = 1` inside the heredoc and the `}` in the string are text.
        let text = "resource \"aws_iam_role\" \"r\" {\n  description = \"a } b ${var.x}\" # a { comment\n  assume_role_policy = <<EOF\n  max_session_duration = 1\nEOF\n}\n";
        let edited = insert(text, "max_session_duration", AttributeValue::literal(3600)).unwrap();
        assert!(edited.ends_with("EOF\n  max_session_duration = 3600\n}\n"), "{edited}");
    }

    #[test]
    fn opens_an_empty_body_and_writes_nested_blocks_and_json() {
        let text = "resource \"aws_config_config_rule\" \"r\" {}\n";
        let edited = insert(
            text,
            "input_parameters",
            AttributeValue::Json(EditValue::object([("maxAccessKeyAge", EditValue::String("90".to_owned()))])),
        )
        .unwrap();
        assert_eq!(
            edited,
            "resource \"aws_config_config_rule\" \"r\" {\n  input_parameters = jsonencode({\n    maxAccessKeyAge = \"90\"\n  })\n}\n"
        );
    }

    #[test]
    fn declines_what_it_cannot_write_in_place() {
        let text = "resource \"aws_iam_role\" \"r\" {\n  name                 = \"r\"\n  permissions_boundary = var.boundary\n}\n";
        assert_eq!(insert(text, "permissions_boundary", AttributeValue::string("x")), None);
        // A one-line body is not rewritten.
        let text = "resource \"aws_iam_role\" \"r\" { name = \"r\" }\n";
        assert_eq!(insert(text, "path", AttributeValue::string("/")), None);
        // Terraform's JSON syntax gets no native-syntax text.
        let text = "{\n  \"resource\": {\n    \"aws_iam_role\": {\n      \"r\": {\n        \"name\": \"r\"\n      }\n    }\n  }\n}\n";
        let start = text.find("\"r\": {").unwrap();
        let end = text.find("      }").unwrap() + "      }".len();
        let edit = |file| {
            PolicyEdit::insert_attribute(Span::from_offsets(file, start, end), "path", AttributeValue::string("/"))
        };
        let mut db = SourceDb::new();
        let file = db.add("main.tf.json", text);
        assert_eq!(HclRenderer { db: &db }.render(&edit(file)), None);
        // The renderer would write the same block in a `.tf` file.
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        assert!(HclRenderer { db: &db }.render(&edit(file)).is_some());
    }

    fn analyzer(near: Span, anchor: bool) -> PolicyEdit {
        PolicyEdit::GenerateEntities(vec![config_rule(near, anchor)])
    }

    fn config_rule(near: Span, anchor: bool) -> NewEntity {
        NewEntity {
            near,
            anchor,
            data_source: false,
            resource_type: "aws_config_config_rule".to_owned(),
            name: "access_keys_rotated".to_owned(),
            attributes: vec![
                ("name".to_owned(), AttributeValue::string("access-keys-rotated")),
                (
                    "input_parameters".to_owned(),
                    AttributeValue::Json(EditValue::object([("maxAccessKeyAge", EditValue::String("90".to_owned()))])),
                ),
                (
                    "source".to_owned(),
                    AttributeValue::block([
                        ("owner", AttributeValue::string("AWS")),
                        ("source_identifier", AttributeValue::string("ACCESS_KEYS_ROTATED")),
                    ]),
                ),
            ],
        }
    }

    #[test]
    fn generates_resources_laid_out_as_terraform_fmt_does() {
        let text = "resource \"aws_config_configuration_recorder\" \"r\" {\n  name = \"r\"\n}";
        let mut db = SourceDb::new();
        let file = db.add("infra/main.tf", text);
        let edits = HclRenderer { db: &db }.render(&analyzer(Span::from_offsets(file, 0, 0), false)).unwrap();
        let edited = rein_text::apply_edits(text, &edits).unwrap();
        assert_eq!(
            edited,
            format!(
                "{text}\n\nresource \"aws_config_config_rule\" \"access_keys_rotated\" {{\n  name = \"access-keys-rotated\"\n  input_parameters = jsonencode({{\n    maxAccessKeyAge = \"90\"\n  }})\n  source {{\n    owner             = \"AWS\"\n    source_identifier = \"ACCESS_KEYS_ROTATED\"\n  }}\n}}\n"
            )
        );
        let reread = crate::analyze_file(file, &edited);
        assert!(reread.issues.is_empty(), "{:?}", reread.issues);
        assert!(reread.entities.iter().any(|entity| entity.kind == EntityKind::ConfigRule), "{edited}");
        // The same resource again would be a duplicate.
        let mut db = SourceDb::new();
        let file = db.add("infra/main.tf", edited.as_str());
        assert_eq!(HclRenderer { db: &db }.render(&analyzer(Span::from_offsets(file, 0, 0), false)), None);
    }

    #[test]
    fn generated_resources_for_the_unit_go_to_main_tf() {
        let mut db = SourceDb::new();
        let anchor = db.add("infra/iam.tf", "locals {}\n");
        let main = db.add("infra/main.tf", "");
        let other = db.add("main.tf", "");
        let edits = HclRenderer { db: &db }.render(&analyzer(Span::from_offsets(anchor, 0, 0), true)).unwrap();
        assert!(edits.iter().all(|edit| edit.span.file == main), "{edits:?}");
        assert!(edits.iter().all(|edit| edit.span.file != other));
        assert!(edits.first().unwrap().new_text.starts_with("resource \"aws_config_config_rule\""));
        // A related entity keeps the new one in its file.
        let edits = HclRenderer { db: &db }.render(&analyzer(Span::from_offsets(anchor, 0, 0), false)).unwrap();
        assert_eq!(edits.first().unwrap().span.file, anchor);
        assert!(edits.first().unwrap().new_text.starts_with("\nresource"));
        // A CloudFormation type is not Terraform's.
        let mut entity = config_rule(Span::from_offsets(anchor, 0, 0), true);
        entity.resource_type = "AWS::Config::ConfigRule".to_owned();
        assert_eq!(HclRenderer { db: &db }.render(&PolicyEdit::GenerateEntities(vec![entity])), None);
    }

    #[test]
    fn writes_data_sources_and_references() {
        let mut db = SourceDb::new();
        let file = db.add("main.tf", "");
        let near = Span::from_offsets(file, 0, 0);
        let reference = |entity: &str, attribute: &str| AttributeValue::Reference {
            entity: entity.to_owned(),
            attribute: attribute.to_owned(),
        };
        let document = NewEntity {
            near,
            anchor: true,
            data_source: true,
            resource_type: "aws_iam_policy_document".to_owned(),
            name: "d".to_owned(),
            attributes: vec![(
                "statement".to_owned(),
                AttributeValue::block([("actions", AttributeValue::strings(["s3:GetObject"]))]),
            )],
        };
        let policy = NewEntity {
            near,
            anchor: true,
            data_source: false,
            resource_type: "aws_iam_policy".to_owned(),
            name: "p".to_owned(),
            attributes: vec![("policy".to_owned(), reference("data.aws_iam_policy_document.d", "json"))],
        };
        let edits =
            HclRenderer { db: &db }.render(&PolicyEdit::GenerateEntities(vec![document, policy.clone()])).unwrap();
        let text = rein_text::apply_edits("", &edits).unwrap();
        assert_eq!(
            text,
            "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions = [\"s3:GetObject\"]\n  }\n}\n\nresource \"aws_iam_policy\" \"p\" {\n  policy = data.aws_iam_policy_document.d.json\n}\n"
        );
        let reread = crate::analyze_file(file, &text);
        assert!(reread.issues.is_empty(), "{:?}", reread.issues);
        assert_eq!(reread.documents.len(), 1, "{text}");
        // A reference is a traversal, never an arbitrary expression.
        let mut injected = policy;
        injected.attributes = vec![("policy".to_owned(), reference("var.x }", "json"))];
        assert_eq!(HclRenderer { db: &db }.render(&PolicyEdit::GenerateEntities(vec![injected])), None);
    }

    #[test]
    fn generates_several_resources_in_one_edit_per_file() {
        let mut db = SourceDb::new();
        let file = db.add("main.tf", "");
        let near = Span::from_offsets(file, 0, 0);
        let mut second = config_rule(near, true);
        second.name = "second".to_owned();
        second.attributes.truncate(1);
        let hub = NewEntity {
            near,
            anchor: true,
            data_source: false,
            resource_type: "aws_securityhub_account".to_owned(),
            name: "this".to_owned(),
            attributes: Vec::new(),
        };
        let edit = PolicyEdit::GenerateEntities(vec![config_rule(near, true), second, hub]);
        let edits = HclRenderer { db: &db }.render(&edit).unwrap();
        assert_eq!(edits.len(), 1);
        let text = rein_text::apply_edits("", &edits).unwrap();
        assert!(text.starts_with("resource \"aws_config_config_rule\" \"access_keys_rotated\" {\n"), "{text}");
        assert!(
            text.ends_with("  }\n}\n\nresource \"aws_config_config_rule\" \"second\" {\n  name = \"access-keys-rotated\"\n}\n\nresource \"aws_securityhub_account\" \"this\" {}\n"),
            "{text}"
        );
        let reread = crate::analyze_file(file, &text);
        assert!(reread.issues.is_empty(), "{:?}", reread.issues);
        assert_eq!(reread.entities.len(), 3, "{text}");
        // Two blocks of one address are declined.
        let edit = PolicyEdit::GenerateEntities(vec![config_rule(near, true), config_rule(near, true)]);
        assert_eq!(HclRenderer { db: &db }.render(&edit), None);
    }
}

#[cfg(test)]
mod replace {
    use rein_model::{AttributeValue, EditRenderer, EntityKind, NewEntity, PolicyEdit, StateBlock};
    use rein_text::{SourceDb, Span};

    use crate::HclRenderer;

    const TEXT: &str = "locals {}\n\n# Read-only for the app.\n# Exclusive.\nresource \"aws_iam_policy_attachment\" \"ro\" {\n  name       = \"ro\"\n  roles      = [\"app\"]\n  policy_arn = aws_iam_policy.ro.arn\n}\n\nresource \"aws_iam_policy\" \"ro\" {\n  policy = \"{}\"\n}\n";

    /// Renders `edit` of the attachment of `text` and checks that the result reads again.
    fn replace(text: &str, with: Vec<NewEntity>, state: Vec<StateBlock>) -> Option<String> {
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        let output = crate::analyze_file(file, text);
        let entity = output.entities.iter().find(|entity| entity.kind == EntityKind::PolicyAttachment).unwrap();
        let with = with.into_iter().map(|new| fill(new, entity.extent)).collect();
        let edits =
            HclRenderer { db: &db }.render(&PolicyEdit::ReplaceEntity { entity: entity.extent, with, state })?;
        let edited = rein_text::apply_edits(text, &edits).unwrap();
        let reread = crate::analyze_file(file, &edited);
        assert!(reread.issues.is_empty(), "{:?}\n{edited}", reread.issues);
        Some(edited)
    }

    /// A role attachment; a `Copy` of the old `policy_arn` names its span in `entity`.
    fn role_attachment(name: &str) -> NewEntity {
        NewEntity {
            near: Span::from_offsets(rein_text::FileId(0), 0, 0),
            anchor: false,
            data_source: false,
            resource_type: "aws_iam_role_policy_attachment".to_owned(),
            name: name.to_owned(),
            attributes: vec![("role".to_owned(), AttributeValue::string("app"))],
        }
    }

    fn fill(mut new: NewEntity, extent: Span) -> NewEntity {
        let at = TEXT.find("aws_iam_policy.ro.arn").unwrap();
        if usize::from(extent.range.end()) > at {
            let from = Span::from_offsets(extent.file, at, at + "aws_iam_policy.ro.arn".len());
            new.attributes.push(("policy_arn".to_owned(), AttributeValue::Copy { from }));
        }
        new
    }

    #[test]
    fn removes_the_block_with_its_comments_and_a_blank_line() {
        let edited = replace(TEXT, Vec::new(), Vec::new()).unwrap();
        assert_eq!(edited, "locals {}\n\nresource \"aws_iam_policy\" \"ro\" {\n  policy = \"{}\"\n}\n");
        // The first block of a file takes the blank line after it.
        let text = TEXT.replace("locals {}\n\n", "");
        let edited = replace(&text, Vec::new(), Vec::new()).unwrap();
        assert_eq!(edited, "resource \"aws_iam_policy\" \"ro\" {\n  policy = \"{}\"\n}\n");
    }

    #[test]
    fn writes_new_blocks_and_state_blocks_in_its_place() {
        let state = vec![
            StateBlock::Removed { from: "aws_iam_policy_attachment.ro".to_owned() },
            StateBlock::Import {
                to: "aws_iam_role_policy_attachment.ro".to_owned(),
                id: "app/arn:aws:iam::1:policy/ro".to_owned(),
            },
            StateBlock::Moved { from: "aws_iam_policy.a".to_owned(), to: "aws_iam_policy.b".to_owned() },
        ];
        let edited = replace(TEXT, vec![role_attachment("ro")], state).unwrap();
        assert_eq!(
            edited,
            TEXT.replace(
                "resource \"aws_iam_policy_attachment\" \"ro\" {\n  name       = \"ro\"\n  roles      = [\"app\"]\n  policy_arn = aws_iam_policy.ro.arn\n}",
                "resource \"aws_iam_role_policy_attachment\" \"ro\" {\n  role       = \"app\"\n  policy_arn = aws_iam_policy.ro.arn\n}\n\nremoved {\n  from = aws_iam_policy_attachment.ro\n  lifecycle {\n    destroy = false\n  }\n}\n\nimport {\n  to = aws_iam_role_policy_attachment.ro\n  id = \"app/arn:aws:iam::1:policy/ro\"\n}\n\nmoved {\n  from = aws_iam_policy.a\n  to   = aws_iam_policy.b\n}"
            )
        );
        let mut db = SourceDb::new();
        let file = db.add("main.tf", edited.as_str());
        let reread = crate::analyze_file(file, &edited);
        assert!(reread.entities.iter().any(|entity| entity.address == "aws_iam_role_policy_attachment.ro"));
        assert!(
            reread.entities.iter().all(|entity| entity.kind != EntityKind::PolicyAttachment
                || entity.resource_type != "aws_iam_policy_attachment")
        );
    }

    #[test]
    fn declines_what_it_cannot_write() {
        // An address that another block has, twice in one edit, or that is not a traversal.
        assert_eq!(replace(TEXT, vec![role_attachment("ro"), role_attachment("ro")], Vec::new()), None);
        let mut policy = role_attachment("ro");
        policy.resource_type = "aws_iam_policy".to_owned();
        assert_eq!(replace(TEXT, vec![policy], Vec::new()), None);
        let bad = vec![StateBlock::Removed { from: "aws_iam_policy_attachment.ro }".to_owned() }];
        assert_eq!(replace(TEXT, Vec::new(), bad), None);
        // A block that does not start its line, or has text after it on its last line.
        let text =
            TEXT.replace("\nresource \"aws_iam_policy_attachment\"", "\n  resource \"aws_iam_policy_attachment\"");
        assert_eq!(replace(&text, Vec::new(), Vec::new()), None);
        let text = TEXT.replace("arn\n}\n", "arn\n} # end\n");
        assert_eq!(replace(&text, Vec::new(), Vec::new()), None);
        // A block that another names (an `import` block, an output) stays.
        let text = format!("{TEXT}\nimport {{\n  to = aws_iam_policy_attachment.ro\n  id = \"x\"\n}}\n");
        assert_eq!(replace(&text, Vec::new(), Vec::new()), None);
        let text = format!("{TEXT}\noutput \"o\" {{\n  value = aws_iam_policy_attachment.ro.id\n}}\n");
        assert_eq!(replace(&text, Vec::new(), Vec::new()), None);
        let text = format!("{TEXT}\noutput \"o\" {{\n  value = aws_iam_policy_attachment.ro_other.id\n}}\n");
        assert!(replace(&text, Vec::new(), Vec::new()).is_some());
        // A replacement would lose the block's meta-arguments; a removal may drop them.
        for meta in ["  count = 2\n", "  lifecycle {\n    prevent_destroy = true\n  }\n"] {
            let text = TEXT.replace("  name       = \"ro\"\n", &format!("  name       = \"ro\"\n{meta}"));
            assert_eq!(replace(&text, vec![role_attachment("ro")], Vec::new()), None, "{text}");
            assert!(replace(&text, Vec::new(), Vec::new()).is_some());
        }
    }

    #[test]
    fn keeps_crlf_line_breaks() {
        let text = TEXT.replace('\n', "\r\n");
        let state = vec![StateBlock::Removed { from: "aws_iam_policy_attachment.ro".to_owned() }];
        let edited = replace(&text, Vec::new(), state).unwrap();
        assert!(
            edited.contains("removed {\r\n  from = aws_iam_policy_attachment.ro\r\n  lifecycle {\r\n"),
            "{edited:?}"
        );
        assert!(!edited.replace("\r\n", "").contains('\n'), "{edited:?}");
        let edited = replace(&text, Vec::new(), Vec::new()).unwrap();
        assert_eq!(edited, "locals {}\r\n\r\nresource \"aws_iam_policy\" \"ro\" {\r\n  policy = \"{}\"\r\n}\r\n");
    }

    #[test]
    fn copies_one_line_expressions_only() {
        let text =
            "resource \"aws_iam_policy_attachment\" \"ro\" {\n  name       = \"ro\"\n  policy_arn = <<EOF\nx\nEOF\n}\n";
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        let entity = crate::analyze_file(file, text).entities.remove(0);
        let from = Span::from_offsets(file, text.find("<<EOF").unwrap(), text.find("EOF\n}").unwrap() + 3);
        let mut new = role_attachment("ro");
        new.attributes.push(("policy_arn".to_owned(), AttributeValue::Copy { from }));
        let edit = PolicyEdit::ReplaceEntity { entity: entity.extent, with: vec![new], state: Vec::new() };
        assert_eq!(HclRenderer { db: &db }.render(&edit), None);
    }
}

#[cfg(test)]
mod robustness {
    use proptest::prelude::*;
    use rein_model::{AttributeValue, EditRenderer, PolicyEdit};
    use rein_text::{SourceDb, Span};

    use crate::HclRenderer;

    #[test]
    fn keeps_crlf_line_breaks() {
        let text = "resource \"aws_iam_role\" \"r\" {\r\n  name = \"r\"\r\n}\r\n";
        let mut db = SourceDb::new();
        let file = db.add("main.tf", text);
        let edit = PolicyEdit::insert_attribute(
            Span::from_offsets(file, 0, text.len() - 2),
            "permissions_boundary",
            AttributeValue::string("arn:aws:iam::1:policy/b"),
        );
        let edits = HclRenderer { db: &db }.render(&edit).unwrap();
        let edited = rein_text::apply_edits(text, &edits).unwrap();
        assert_eq!(
            edited,
            "resource \"aws_iam_role\" \"r\" {\r\n  name                 = \"r\"\r\n  permissions_boundary = \"arn:aws:iam::1:policy/b\"\r\n}\r\n"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any text and any span: the renderer answers or declines, and what it answers applies.
        #[test]
        fn any_body_is_rendered_or_declined(text in "[ a-z_=\"{}()\\[\\]#/*<\\-\n$%]{0,80}", start in 0usize..90, len in 0usize..90) {
            let mut db = SourceDb::new();
            let file = db.add("main.tf", text.as_str());
            let start = start.min(text.len());
            let end = (start + len).min(text.len());
            let edit = PolicyEdit::insert_attribute(Span::from_offsets(file, start, end), "name", AttributeValue::literal(true));
            if let Some(edits) = (HclRenderer { db: &db }).render(&edit) {
                prop_assert!(rein_text::apply_edits(&text, &edits).is_some());
            }
            // A resource block around the text, replaced whole or at any span.
            let block = format!("resource \"t\" \"n\" {{\n{text}\n}}\n");
            let mut db = SourceDb::new();
            let file = db.add("main.tf", block.as_str());
            let whole = Span::from_offsets(file, 0, block.len() - 1);
            let state = vec![rein_model::StateBlock::Removed { from: "t.n".to_owned() }];
            for span in [whole, Span::from_offsets(file, start, end)] {
                for edit in [
                    PolicyEdit::ReplaceEntity { entity: span, with: Vec::new(), state: Vec::new() },
                    PolicyEdit::ReplaceEntity { entity: span, with: Vec::new(), state: state.clone() },
                ] {
                    if let Some(edits) = (HclRenderer { db: &db }).render(&edit) {
                        prop_assert!(rein_text::apply_edits(&block, &edits).is_some());
                    }
                }
            }
        }
    }
}
