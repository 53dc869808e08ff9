//! SAM policy templates (`S3ReadPolicy: {BucketName: !Ref Bucket}`) expanded into the
//! statements they grant, with their parameters substituted.
//!
//! The templates live in `data/sam_policy_templates.txt` (see its header for the source and the
//! format). The expanded statements point at the template entry; a resource built from one
//! parameter points at that parameter's value, so that findings land where the user wrote it.

use std::sync::OnceLock;

use rein_model::tree::{Member, Object};
use rein_model::{Key, Node, NodeKind, TemplatePart, Unknown, Value};
use rein_text::Span;

use crate::lower::{Template, pseudo_hole};
use crate::syntax::Tree;

const DATA: &str = include_str!("../data/sam_policy_templates.txt");

/// One SAM policy template.
#[derive(Debug, Default)]
pub(crate) struct PolicyTemplate {
    pub name: &'static str,
    pub parameters: Vec<&'static str>,
    statements: Vec<TemplateStatement>,
}

#[derive(Debug, Default)]
struct TemplateStatement {
    actions: Vec<&'static str>,
    resources: Vec<&'static str>,
    /// `(operator, key, value)`.
    conditions: Vec<(&'static str, &'static str, &'static str)>,
}

/// The templates of the data file, read once.
pub(crate) fn templates() -> &'static [PolicyTemplate] {
    static TEMPLATES: OnceLock<Vec<PolicyTemplate>> = OnceLock::new();
    TEMPLATES.get_or_init(|| parse(DATA).0)
}

/// The template named `name`.
pub(crate) fn find(name: &str) -> Option<&'static PolicyTemplate> {
    templates().iter().find(|template| template.name == name)
}

/// Reads the data file; also returns the lines it could not read (for the tests).
fn parse(data: &'static str) -> (Vec<PolicyTemplate>, Vec<&'static str>) {
    let mut templates: Vec<PolicyTemplate> = Vec::new();
    let mut bad = Vec::new();
    for line in data.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with("format ") {
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let mut words = rest.split_whitespace();
        match word {
            "template" => {
                let Some(name) = words.next() else {
                    bad.push(line);
                    continue;
                };
                templates.push(PolicyTemplate { name, parameters: words.collect(), statements: Vec::new() });
            }
            "allow" => match templates.last_mut() {
                Some(template) => {
                    template
                        .statements
                        .push(TemplateStatement { actions: words.collect(), ..TemplateStatement::default() });
                }
                None => bad.push(line),
            },
            "on" | "when" => {
                let Some(statement) = templates.last_mut().and_then(|template| template.statements.last_mut()) else {
                    bad.push(line);
                    continue;
                };
                if word == "on" {
                    statement.resources.push(rest.trim());
                } else if let (Some(operator), Some(key), Some(value)) = (words.next(), words.next(), words.next()) {
                    statement.conditions.push((operator, key, value));
                } else {
                    bad.push(line);
                }
            }
            _ => bad.push(line),
        }
    }
    (templates, bad)
}

/// The policy document a template entry grants: `entry` is the whole `Name: {params}` mapping,
/// `key` the template name and `params` its parameter mapping.
pub(crate) fn expand(
    template: &Template<'_>,
    policy: &PolicyTemplate,
    entry: &Tree,
    key: &Tree,
    params: &Tree,
) -> Node {
    let at = template.span(&key.span);
    let string = |span: Span, text: &str| Node::new(span, NodeKind::String(Value::known(text)));
    let statements = policy
        .statements
        .iter()
        .map(|statement| {
            let actions = statement.actions.iter().map(|action| string(at, action)).collect();
            let resources =
                statement.resources.iter().map(|resource| substitute(template, policy, resource, params, at)).collect();
            let mut members = vec![member(at, "Effect", string(at, "Allow")), member(at, "Action", array(at, actions))];
            members.push(member(at, "Resource", array(at, resources)));
            if !statement.conditions.is_empty() {
                let mut operators: Vec<Member> = Vec::new();
                for (operator, condition_key, value) in &statement.conditions {
                    let value = substitute(template, policy, value, params, at);
                    let entry = member(at, condition_key, value);
                    match operators.iter_mut().find(|existing| existing.key.name == *operator) {
                        Some(existing) => {
                            if let NodeKind::Object(object) = &mut existing.value.kind {
                                object.members.push(entry);
                            }
                        }
                        None => operators.push(member(at, operator, object(at, vec![entry]))),
                    }
                }
                members.push(member(at, "Condition", object(at, operators)));
            }
            object(at, members)
        })
        .collect();
    let span = template.span(&entry.span);
    let members = vec![member(at, "Version", string(at, "2012-10-17")), member(at, "Statement", array(at, statements))];
    Node::new(span, NodeKind::Object(Object { opening: at, members }))
}

/// A template string with its `${Parameter}` and `${AWS::…}` substituted.
fn substitute(template: &Template<'_>, policy: &PolicyTemplate, text: &str, params: &Tree, at: Span) -> Node {
    let mut parts: Vec<TemplatePart> = Vec::new();
    let mut span = None;
    let mut params_used = 0;
    let mut rest = text;
    let push_text = |parts: &mut Vec<TemplatePart>, text: &str| {
        if text.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(TemplatePart::Text(last)) => last.push_str(text),
            _ => parts.push(TemplatePart::Text(text.to_owned())),
        }
    };
    while let Some(open) = rest.find("${") {
        push_text(&mut parts, rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 2..).unwrap_or_default();
        let Some(close) = after.find('}') else {
            push_text(&mut parts, rest.get(open..).unwrap_or_default());
            rest = "";
            break;
        };
        let name = after.get(..close).unwrap_or_default();
        rest = after.get(close + 1..).unwrap_or_default();
        if name.starts_with("AWS::") {
            parts.push(TemplatePart::Hole(pseudo_hole(name)));
            continue;
        }
        params_used += 1;
        let declared = policy.parameters.contains(&name);
        let lowered = params.get(name).filter(|_| declared).and_then(|value| template.lower(value, 1));
        let Some(node) = lowered else {
            let reason = format!("parameter `{name}` of SAM policy template `{}` is not given", policy.name);
            parts.push(TemplatePart::Hole(Unknown::new(reason)));
            continue;
        };
        span = Some(node.span);
        match node.kind {
            NodeKind::String(Value::Known(text)) | NodeKind::Number(text) => push_text(&mut parts, &text),
            NodeKind::String(Value::Partial(pieces)) => {
                for piece in pieces {
                    match piece {
                        TemplatePart::Text(text) => push_text(&mut parts, &text),
                        hole @ TemplatePart::Hole(_) => parts.push(hole),
                    }
                }
            }
            NodeKind::String(Value::Unknown(unknown)) | NodeKind::Unknown(unknown) => {
                parts.push(TemplatePart::Hole(unknown));
            }
            _ => {
                let reason = format!("parameter `{name}` of SAM policy template `{}` is not a string", policy.name);
                parts.push(TemplatePart::Hole(Unknown::new(reason)));
            }
        }
    }
    push_text(&mut parts, rest);
    let value = if parts.iter().any(|part| matches!(part, TemplatePart::Hole(_))) {
        Value::Partial(parts)
    } else {
        Value::Known(
            parts
                .into_iter()
                .map(|part| match part {
                    TemplatePart::Text(text) => text,
                    TemplatePart::Hole(_) => String::new(),
                })
                .collect(),
        )
    };
    // A value built from one parameter points at where the parameter was written.
    let span = if params_used == 1 { span.unwrap_or(at) } else { at };
    Node::new(span, NodeKind::String(value))
}

pub(crate) fn member(at: Span, name: &str, value: Node) -> Member {
    Member { key: Key { name: name.to_owned(), span: at }, value }
}

pub(crate) fn array(at: Span, items: Vec<Node>) -> Node {
    Node::new(at, NodeKind::Array(items))
}

pub(crate) fn object(at: Span, members: Vec<Member>) -> Node {
    Node::new(at, NodeKind::Object(Object { opening: at, members }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_reads_without_a_bad_line() {
        let (templates, bad) = parse(DATA);
        assert_eq!(bad, Vec::<&str>::new());
        assert!(templates.len() >= 60, "{}", templates.len());
        for template in &templates {
            assert!(!template.statements.is_empty(), "{}", template.name);
            for statement in &template.statements {
                assert!(!statement.actions.is_empty() && !statement.resources.is_empty(), "{}", template.name);
                // Every `${…}` names a parameter of the template or a pseudo parameter.
                for text in statement.resources.iter().chain(statement.conditions.iter().map(|(_, _, value)| value)) {
                    for name in text.split("${").skip(1).filter_map(|rest| rest.split_once('}')).map(|(n, _)| n) {
                        assert!(
                            name.starts_with("AWS::") || template.parameters.contains(&name),
                            "{}: {name}",
                            template.name
                        );
                    }
                }
            }
        }
        let mut names: Vec<&str> = templates.iter().map(|template| template.name).collect();
        names.sort_unstable();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len, "a template is listed twice");
    }

    #[test]
    fn templates_are_found_by_name() {
        let s3 = find("S3ReadPolicy").unwrap();
        assert_eq!(s3.parameters, ["BucketName"]);
        assert_eq!(
            s3.statements[0].resources,
            ["arn:${AWS::Partition}:s3:::${BucketName}", "arn:${AWS::Partition}:s3:::${BucketName}/*"]
        );
        assert!(find("S3ReadPolicyy").is_none());
    }
}
