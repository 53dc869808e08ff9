//! Reads a rule's doc comment: its `##` sections and the tagged code fences in them.

/// The parsed documentation of one rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleDocs {
    /// `(title, body)` in source order, e.g. `("What it checks", "…")`.
    pub sections: Vec<(String, String)>,
}

/// A fenced code block: the section it stands in, its language tag and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    pub section: String,
    pub lang: String,
    pub code: String,
}

/// The section titles every rule documents, in this order (STYLE.md §2).
pub const REQUIRED_SECTIONS: &[&str] = &["What it checks", "Why it matters", "Example", "Use instead", "References"];

impl RuleDocs {
    pub fn parse(markdown: &str) -> RuleDocs {
        RuleDocs { sections: docs_sections(markdown) }
    }

    pub fn section(&self, title: &str) -> Option<&str> {
        self.sections.iter().find(|(name, _)| name == title).map(|(_, body)| body.as_str())
    }

    /// The first paragraph of "What it checks", for one-line summaries.
    pub fn summary(&self) -> String {
        let body = self.section("What it checks").unwrap_or_default();
        body.split("\n\n").next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub fn code_blocks(&self) -> Vec<CodeBlock> {
        let mut blocks = Vec::new();
        for (section, body) in &self.sections {
            let mut lines = body.lines();
            while let Some(line) = lines.next() {
                let Some(lang) = line.trim_start().strip_prefix("```") else { continue };
                let mut code = String::new();
                for inner in lines.by_ref() {
                    if inner.trim_start().starts_with("```") {
                        break;
                    }
                    code.push_str(inner);
                    code.push('\n');
                }
                blocks.push(CodeBlock { section: section.clone(), lang: lang.trim().to_owned(), code });
            }
        }
        blocks
    }
}

/// Splits markdown into `##` sections. Text before the first heading is dropped.
pub fn docs_sections(markdown: &str) -> Vec<(String, String)> {
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence && let Some(title) = line.strip_prefix("## ") {
            sections.push((title.trim().to_owned(), String::new()));
            continue;
        }
        if let Some((_, body)) = sections.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    for (_, body) in &mut sections {
        *body = body.trim().to_owned();
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_fences() {
        let docs = RuleDocs::parse(
            "## What it checks\nGrants.\n\nMore.\n\n## Example\n```policy-json\n{\"a\": 1}\n## not a heading\n```\n## Use instead\nx",
        );
        assert_eq!(docs.sections.len(), 3);
        assert_eq!(docs.summary(), "Grants.");
        let blocks = docs.code_blocks();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].section, "Example");
        assert_eq!(blocks[0].lang, "policy-json");
        assert_eq!(blocks[0].code, "{\"a\": 1}\n## not a heading\n");
    }
}
