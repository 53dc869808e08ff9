//! Prints the tree-sitter tree of an HCL file (development aid).
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_hcl::LANGUAGE.into()).ok();
    let Some(tree) = parser.parse(&text, None) else { return };
    dump(tree.root_node(), &text, 0);
}
fn dump(node: tree_sitter::Node<'_>, text: &str, depth: usize) {
    let snippet: String =
        text.get(node.byte_range()).unwrap_or("").chars().take(40).collect::<String>().replace('\n', "⏎");
    #[allow(clippy::print_stdout)]
    {
        println!(
            "{:indent$}{}{}{} [{}..{}] {:?}",
            "",
            node.kind(),
            if node.is_named() { "" } else { "(anon)" },
            if node.is_missing() { " MISSING" } else { "" },
            node.start_byte(),
            node.end_byte(),
            snippet,
            indent = depth * 2
        );
    }
    let mut cursor = node.walk();
    for (i, child) in node.children(&mut cursor).enumerate() {
        let _ = i;
        dump(child, text, depth + 1);
    }
}
