//! The index of one module: its locals, variables, outputs, module calls, policy document data
//! sources and resources, gathered over all of the module's files.

use std::collections::BTreeMap;

use crate::syntax::{BodyItem, Node, ParsedFile, attribute, block_parts, body_items, top_level_blocks};

/// A node and the index of the file it is in.
#[derive(Clone, Copy)]
pub(crate) struct Loc<'m> {
    pub file: usize,
    pub node: Node<'m>,
}

/// One `resource` block.
pub(crate) struct Resource<'m> {
    /// The address prefix of the module the resource is in: `""` for the root module,
    /// `module.app.` inside `module "app"`.
    pub prefix: String,
    pub kind: String,
    pub name: String,
    pub file: usize,
    /// The `resource` block.
    pub block: Node<'m>,
    /// The block's body, or the block itself when it is empty (`resource "x" "y" {}` has no
    /// body node); attribute lookups in either find what is written.
    pub body: Node<'m>,
}

impl Resource<'_> {
    pub fn address(&self) -> String {
        format!("{}{}.{}", self.prefix, self.kind, self.name)
    }
}

#[derive(Default)]
pub(crate) struct Index<'m> {
    pub locals: BTreeMap<String, Loc<'m>>,
    /// Each variable with its `default` expression, when it has one.
    pub variables: BTreeMap<String, Option<Loc<'m>>>,
    /// `data "aws_iam_policy_document" NAME` blocks: the block and its body.
    pub policy_documents: BTreeMap<String, (Loc<'m>, Option<Node<'m>>)>,
    /// Resources in file and source order.
    pub resources: Vec<Resource<'m>>,
    /// Each `output` with its `value` expression.
    pub outputs: BTreeMap<String, Loc<'m>>,
    /// `module` blocks in file and source order.
    pub module_calls: Vec<Call<'m>>,
    /// `provider "aws"` and `output` blocks, in file and source order, as resources whose kind
    /// is the keyword (`provider.aws`, `output.NAME`): the entities of `rein_tfschema::BLOCK_TYPES`.
    pub blocks: Vec<Resource<'m>>,
}

/// One `module "NAME" { … }` block.
pub(crate) struct Call<'m> {
    pub name: String,
    pub file: usize,
    pub block: Node<'m>,
    pub body: Node<'m>,
}

impl<'m> Index<'m> {
    /// Indexes the files of one module whose entity addresses start with `prefix`.
    pub fn build(files: &'m [ParsedFile<'m>], prefix: &str) -> Self {
        let mut index = Index::default();
        for (file_idx, parsed) in files.iter().enumerate() {
            let tree = &parsed.tree;
            for block in top_level_blocks(tree, &parsed.text) {
                let Some(parts) = block_parts(parsed, block) else { continue };
                let labels: Vec<&str> = parts.labels.iter().map(String::as_str).collect();
                let keyword = parsed.text_of(parts.keyword);
                if let ("variable", [name], None) = (keyword, labels.as_slice(), parts.body) {
                    // `variable "x" {}` has no body node.
                    index.variables.entry((*name).to_owned()).or_insert(None);
                }
                if let ("resource", [kind, name], None) = (keyword, labels.as_slice(), parts.body) {
                    // An empty resource block is a resource with every argument at its default.
                    index.resources.push(Resource {
                        prefix: prefix.to_owned(),
                        kind: (*kind).to_owned(),
                        name: (*name).to_owned(),
                        file: file_idx,
                        block,
                        body: block,
                    });
                }
                let Some(body) = parts.body else {
                    continue;
                };
                match (keyword, labels.as_slice()) {
                    ("locals", []) => {
                        for item in body_items(body) {
                            if let BodyItem::Attribute { name, value: Some(value) } = item {
                                // The first definition wins; Terraform rejects duplicates anyway.
                                index
                                    .locals
                                    .entry(parsed.text_of(name).to_owned())
                                    .or_insert(Loc { file: file_idx, node: value });
                            }
                        }
                    }
                    ("variable", [name]) => {
                        let default =
                            attribute(parsed, body, "default").map(|(_, value)| Loc { file: file_idx, node: value });
                        index.variables.entry((*name).to_owned()).or_insert(default);
                    }
                    ("data", ["aws_iam_policy_document", name]) => {
                        index
                            .policy_documents
                            .entry((*name).to_owned())
                            .or_insert((Loc { file: file_idx, node: block }, Some(body)));
                    }
                    ("output", [name]) => {
                        if let Some((_, value)) = attribute(parsed, body, "value") {
                            index.outputs.entry((*name).to_owned()).or_insert(Loc { file: file_idx, node: value });
                        }
                        index.blocks.push(Resource {
                            prefix: prefix.to_owned(),
                            kind: "output".to_owned(),
                            name: (*name).to_owned(),
                            file: file_idx,
                            block,
                            body,
                        });
                    }
                    ("provider", ["aws"]) => index.blocks.push(Resource {
                        prefix: prefix.to_owned(),
                        kind: "provider".to_owned(),
                        name: "aws".to_owned(),
                        file: file_idx,
                        block,
                        body,
                    }),
                    ("module", [name]) => {
                        index.module_calls.push(Call { name: (*name).to_owned(), file: file_idx, block, body })
                    }
                    ("resource", [kind, name]) => index.resources.push(Resource {
                        prefix: prefix.to_owned(),
                        kind: (*kind).to_owned(),
                        name: (*name).to_owned(),
                        file: file_idx,
                        block,
                        body,
                    }),
                    _ => {}
                }
            }
        }
        index
    }
}
