//! Prints the syntax tree of a Terraform file, `.tf` or `.tf.json` (development aid).
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    #[allow(clippy::print_stdout)]
    {
        print!("{}", rein_hcl::dump_syntax_at(&path, &text));
        for (span, message) in rein_hcl::syntax_issues_at(rein_text::FileId(0), &path, &text) {
            println!("{:?}: {message}", span.range);
        }
    }
}
