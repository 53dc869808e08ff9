//! Rule documentation for `rein rule ID` and the rule table of `rein rule --all`.

use rein_rules::{FixAvailability, RuleDocs, RuleMeta};

/// The documentation of one rule: a heading with its metadata, then its doc comment.
pub fn render_rule_docs(meta: &RuleMeta) -> String {
    let mut out = format!("# {}: {}\n\n", meta.id, meta.name());
    out.push_str(&format!(
        "Severity: {}. Category: {}. Fix: {}.",
        meta.severity,
        meta.category.as_str(),
        fix_availability(meta.fix)
    ));
    if !meta.aliases.is_empty() {
        out.push_str(&format!(" Aliases: {}.", meta.aliases.join(", ")));
    }
    out.push_str("\n\n");
    out.push_str(meta.documentation().trim());
    out.push('\n');
    out
}

/// One line per rule: id, name, severity, category and the first sentence of "What it checks".
pub fn render_rule_table(rules: &[&RuleMeta]) -> String {
    let header = ["ID", "NAME", "SEVERITY", "CATEGORY", "SUMMARY"];
    let rows: Vec<[String; 5]> = rules
        .iter()
        .map(|meta| {
            [
                meta.id.to_owned(),
                meta.name().to_owned(),
                meta.severity.as_str().to_owned(),
                meta.category.as_str().to_owned(),
                first_sentence(&RuleDocs::parse(&meta.documentation()).summary()).to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header = header.map(str::to_owned);
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (idx, (cell, width)) in row.iter().zip(widths).enumerate() {
            if idx + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The text up to the first full stop that ends a sentence, or up to a colon that opens a list.
fn first_sentence(text: &str) -> &str {
    let mut previous = None;
    for (idx, ch) in text.char_indices() {
        let rest = text.get(idx + ch.len_utf8()..).unwrap_or_default();
        let ends_sentence = ch == '.' && (rest.is_empty() || rest.starts_with(' ')) && previous != Some('.');
        if ends_sentence && !text.get(..idx).unwrap_or_default().ends_with(" e.g") {
            return text.get(..=idx).unwrap_or(text);
        }
        if ch == ':' && rest.starts_with(" - ") {
            return text.get(..=idx).unwrap_or(text);
        }
        previous = Some(ch);
    }
    text
}

fn fix_availability(fix: FixAvailability) -> &'static str {
    match fix {
        FixAvailability::None => "none",
        FixAvailability::Sometimes => "sometimes",
        FixAvailability::Always => "always",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_keep_the_first_sentence() {
        assert_eq!(first_sentence("Grants too much. More text."), "Grants too much.");
        assert_eq!(first_sentence("Keys, e.g. `Sid`. More."), "Keys, e.g. `Sid`.");
        assert_eq!(first_sentence("Elements: - one; - two."), "Elements:");
        assert_eq!(first_sentence("`s3:Get*` on `arn:aws:s3:::b.c`"), "`s3:Get*` on `arn:aws:s3:::b.c`");
        assert_eq!(first_sentence(""), "");
    }

    #[test]
    fn every_rule_renders() {
        let metas: Vec<&RuleMeta> = rein_rules::all_rules().iter().map(|rule| rule.meta()).collect();
        let table = render_rule_table(&metas);
        assert_eq!(table.lines().count(), metas.len() + 1);
        assert!(table.starts_with("ID "));
        for meta in metas {
            let docs = render_rule_docs(meta);
            assert!(docs.starts_with(&format!("# {}: {}\n", meta.id, meta.name())), "{docs}");
            assert!(docs.contains("## What it checks"), "{docs}");
        }
    }
}
