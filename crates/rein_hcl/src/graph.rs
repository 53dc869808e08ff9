//! Module calls: a root module and the local modules it calls (`source = "./modules/x"`), read
//! together so that arguments flow into the called module's variables and `module.x.NAME` reads
//! its outputs (<https://developer.hashicorp.com/terraform/language/modules/syntax>).
//!
//! The files of a called directory come from a loader the caller gives, so that this crate does
//! no IO. Registry, git and other remote sources are recorded as not analysed, and so are local
//! directories that are missing, that call themselves, or that nest deeper than
//! [`MAX_MODULE_DEPTH`].

use std::collections::BTreeMap;

use rein_text::{FileId, Span};

use crate::lower::{GraphNode, ModuleGraph, normalize_path};
use crate::module::{Index, Loc};
use crate::syntax::{
    BodyItem, Kind, Node, ParsedFile, attribute, block_parts, body_items, named_children, top_level_blocks,
};

/// How deep module calls are followed; Terraform itself sets no limit, but real trees stay far
/// below it, and it bounds the work on a cyclic tree.
pub const MAX_MODULE_DEPTH: usize = 8;

/// One file of a module directory, with its path relative to that directory.
#[derive(Clone, Debug)]
pub struct LoadedFile<'a> {
    pub file: FileId,
    /// `/`-separated, relative to the module directory: `main.tf`, `policies/deploy.json`.
    pub path: String,
    pub text: &'a str,
}

/// Gives the files of a module directory (its `.tf` files and the other files below it), or
/// `None` when the analysis has no such directory.
pub type Loader<'l, 'a> = &'l (dyn Fn(&str) -> Option<Vec<LoadedFile<'a>>> + Sync);

/// Arguments of a `module` block that are not input variables.
const META_ARGUMENTS: &[&str] = &["source", "version", "count", "for_each", "providers", "depends_on"];

/// A directory joined with a module source: `join_module_dir("env/prod", "../../modules/x")` is
/// `modules/x`. `.` and `..` are resolved; `..` that leaves a relative directory is kept.
pub fn join_module_dir(dir: &str, source: &str) -> String {
    let absolute = dir.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split(['/', '\\']).chain(source.split(['/', '\\'])) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            // Above the root of an absolute path there is nothing to go to.
            ".." if absolute => {}
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute { format!("/{joined}") } else { joined }
}

/// Whether a module source is a local path, which Terraform requires to start with `./` or `../`.
pub fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// The sources of the local module calls in a module's `.tf` files, as written.
pub fn local_module_sources(files: &[LoadedFile<'_>]) -> Vec<String> {
    let parsed: Vec<ParsedFile<'_>> = files
        .iter()
        .filter(|file| crate::is_config_path(&file.path))
        .map(|file| ParsedFile::parse_path(file.file, &file.path, file.text))
        .collect();
    let mut sources = Vec::new();
    for file in &parsed {
        for call in module_blocks(file) {
            if let Some(source) = call.source.filter(|source| is_local_source(source)) {
                sources.push(source);
            }
        }
    }
    sources
}

/// A `module` block as found before the module is indexed.
struct FoundCall<'t> {
    name: String,
    source: Option<String>,
    version: Option<String>,
    block: Node<'t>,
    labels: Span,
}

fn module_blocks<'t>(file: &'t ParsedFile<'_>) -> Vec<FoundCall<'t>> {
    let tree = &file.tree;
    let mut found = Vec::new();
    for block in top_level_blocks(tree, &file.text) {
        let Some(parts) = block_parts(file, block) else { continue };
        let (Some(body), [name]) = (parts.body, parts.labels.as_slice()) else { continue };
        if file.text_of(parts.keyword) != "module" {
            continue;
        }
        let literal = |key: &str| attribute(file, body, key).and_then(|(_, value)| literal_string(file, value));
        let labels = named_children(block)
            .into_iter()
            .find(|child| child.kind() == Kind::StringLit)
            .map_or_else(|| file.span(block), |label| file.span(label));
        found.push(FoundCall {
            name: name.clone(),
            source: literal("source"),
            version: literal("version"),
            block,
            labels,
        });
    }
    found
}

/// The text of an expression that is one string literal without interpolations.
fn literal_string(file: &ParsedFile<'_>, value: Node<'_>) -> Option<String> {
    let mut node = value;
    while matches!(node.kind(), Kind::Expression | Kind::LiteralValue | Kind::TemplateExpr) {
        let children = named_children(node);
        let [only] = children.as_slice() else { return None };
        node = *only;
    }
    match node.kind() {
        Kind::StringLit => Some(crate::strings::decode_quoted(file, node).text),
        Kind::QuotedTemplate
            if named_children(node).iter().all(|child| child.kind() != Kind::TemplateInterpolation) =>
        {
            Some(crate::strings::decode_quoted(file, node).text)
        }
        _ => None,
    }
}

/// Why a non-local source is not read.
fn remote_reason(source: &str) -> String {
    let kind = if source.starts_with("git::") || source.starts_with("github.com/") || source.starts_with("git@") {
        "a git repository"
    } else if source.starts_with("s3::") || source.starts_with("gcs::") || source.contains("://") {
        "a remote archive"
    } else {
        "a registry module"
    };
    format!("`{source}` is {kind}, whose code is not part of the analysed files")
}

/// One module call of the tree, as recorded for the report.
pub(crate) struct CallRecord {
    pub node: usize,
    pub name: String,
    pub source: String,
    pub version: Option<String>,
    pub span: Span,
    pub target: Result<usize, String>,
    /// The file index and block of the call in its module.
    pub file: usize,
    pub block_start: usize,
}

/// What [`build`] gathers before the graph is linked.
pub(crate) struct Discovered<'a> {
    pub dirs: Vec<String>,
    pub prefixes: Vec<String>,
    pub parsed: Vec<Vec<ParsedFile<'a>>>,
    pub others: Vec<Vec<(String, FileId, &'a str)>>,
    /// The caller of each module: its index and the call's name.
    pub callers: Vec<Option<(usize, String)>>,
    pub calls: Vec<CallRecord>,
}

/// A module waiting to be read: its directory, address prefix, files and caller.
type Queued<'a> = (String, String, Vec<LoadedFile<'a>>, Option<(usize, String)>);

/// Reads the root module's files and every local module it calls, breadth first.
pub(crate) fn discover<'a>(dir: &str, files: Vec<LoadedFile<'a>>, load: Option<Loader<'_, 'a>>) -> Discovered<'a> {
    let mut found = Discovered {
        dirs: Vec::new(),
        prefixes: Vec::new(),
        parsed: Vec::new(),
        others: Vec::new(),
        callers: Vec::new(),
        calls: Vec::new(),
    };
    let mut queue: Vec<Queued<'a>> = vec![(join_module_dir(dir, "."), String::new(), files, None)];
    let mut next = 0;
    while let Some((dir, prefix, files, caller)) = queue.get_mut(next).map(std::mem::take) {
        let node = next;
        next += 1;
        let parsed: Vec<ParsedFile<'a>> = files
            .iter()
            .filter(|file| crate::is_config_path(&file.path))
            .map(|file| ParsedFile::parse_path(file.file, &file.path, file.text))
            .collect();
        let others = files
            .iter()
            .filter(|file| !crate::is_config_path(&file.path))
            .filter_map(|file| Some((normalize_path(&file.path)?, file.file, file.text)))
            .collect();
        let depth = prefix.matches("module.").count();
        for (file_idx, file) in parsed.iter().enumerate() {
            for call in module_blocks(file) {
                let target = match &call.source {
                    None => Err("the `source` is not a literal string".to_owned()),
                    Some(source) if !is_local_source(source) => Err(remote_reason(source)),
                    Some(source) => {
                        let child_dir = join_module_dir(&dir, source);
                        let mut ancestor = Some(node);
                        let mut cycle = false;
                        while let Some(idx) = ancestor {
                            let seen = if idx == node { Some(&dir) } else { found.dirs.get(idx) };
                            cycle |= seen == Some(&child_dir);
                            ancestor = if idx == node {
                                caller.as_ref().map(|(parent, _)| *parent)
                            } else {
                                found.callers.get(idx).and_then(|c| c.as_ref().map(|(parent, _)| *parent))
                            };
                        }
                        let loaded = load.and_then(|load| load(&child_dir));
                        let has_tf =
                            loaded.as_ref().is_some_and(|files| files.iter().any(|f| crate::is_config_path(&f.path)));
                        if cycle {
                            Err(format!("`{source}` calls a module that is already being read (a cycle)"))
                        } else if depth + 1 > MAX_MODULE_DEPTH {
                            Err(format!("`{source}` is nested deeper than {MAX_MODULE_DEPTH} module calls"))
                        } else if !has_tf {
                            Err(format!("`{source}` is not a directory with `.tf` files among the analysed files"))
                        } else {
                            let child = queue.len();
                            let child_prefix = format!("{prefix}module.{}.", call.name);
                            queue.push((
                                child_dir,
                                child_prefix,
                                loaded.unwrap_or_default(),
                                Some((node, call.name.clone())),
                            ));
                            Ok(child)
                        }
                    }
                };
                found.calls.push(CallRecord {
                    node,
                    name: call.name,
                    source: call.source.unwrap_or_default(),
                    version: call.version,
                    span: call.labels,
                    target,
                    file: file_idx,
                    block_start: call.block.start_byte(),
                });
            }
        }
        found.dirs.push(dir);
        found.prefixes.push(prefix);
        found.parsed.push(parsed);
        found.others.push(others);
        found.callers.push(caller);
    }
    found
}

/// Links the discovered modules into a graph: each module's calls and each call's arguments.
pub(crate) fn link<'m>(found: &'m Discovered<'m>, indexes: &'m [Index<'m>]) -> ModuleGraph<'m> {
    let mut nodes: Vec<GraphNode<'m>> = Vec::new();
    for (node, ((parsed, index), others)) in found.parsed.iter().zip(indexes).zip(&found.others).enumerate() {
        let calls = found
            .calls
            .iter()
            .filter(|call| call.node == node)
            .map(|call| (call.name.clone(), call.target.clone()))
            .collect();
        let caller = found.callers.get(node).and_then(Option::as_ref).map(|(parent, name)| {
            let mut args = BTreeMap::new();
            let parent_files = found.parsed.get(*parent).map_or(&[][..], Vec::as_slice);
            if let Some(call) =
                indexes.get(*parent).and_then(|index| index.module_calls.iter().find(|c| &c.name == name))
                && let Some(file) = parent_files.get(call.file)
            {
                for item in body_items(call.body) {
                    if let BodyItem::Attribute { name, value: Some(value) } = item {
                        let key = file.text_of(name);
                        if !META_ARGUMENTS.contains(&key) {
                            args.entry(key.to_owned()).or_insert(Loc { file: call.file, node: value });
                        }
                    }
                }
            }
            (*parent, args)
        });
        nodes.push(GraphNode {
            files: parsed,
            index,
            others,
            prefix: found.prefixes.get(node).cloned().unwrap_or_default(),
            caller,
            calls,
        });
    }
    ModuleGraph::new(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_module_directories() {
        assert_eq!(join_module_dir("", "./modules/x"), "modules/x");
        assert_eq!(join_module_dir("env/prod", "../../modules/x"), "modules/x");
        assert_eq!(join_module_dir("env", "../../shared"), "../shared");
        assert_eq!(join_module_dir("/srv/infra", "./modules/iam/"), "/srv/infra/modules/iam");
        assert_eq!(join_module_dir("/srv", "../../x"), "/x");
        assert_eq!(join_module_dir("./live/", "."), "live");
    }

    #[test]
    fn recognises_local_sources() {
        assert!(is_local_source("./modules/x"));
        assert!(is_local_source("../shared"));
        assert!(!is_local_source("terraform-aws-modules/iam/aws"));
        assert!(!is_local_source("modules/x"));
        assert!(remote_reason("git::https://example.com/x.git").contains("git repository"));
        assert!(remote_reason("terraform-aws-modules/iam/aws//modules/iam-role").contains("registry module"));
    }
}
