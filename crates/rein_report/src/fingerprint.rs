//! Stable identities of findings that survive edits elsewhere in a file.
//!
//! A baseline file and SARIF's `partialFingerprints` must recognise "the same finding" after
//! lines were added above it, so a fingerprint never contains a line or column. It hashes what
//! the finding is about: the rule, the file's path, the text under the finding's span with its
//! whitespace collapsed, and the message. Two findings with equal keys in one file (the same
//! `"*"` flagged twice) are told apart by their order of occurrence, which is the report order.

use rein_diagnostics::Finding;
use rein_text::SourceDb;

use crate::clamp_range;

/// The version of the fingerprint scheme; it is part of every fingerprint, so a change of
/// scheme shows as "all findings are new" rather than as silent mismatches.
pub const SCHEME: &str = "rein/v1";

/// The fingerprints of `findings`, in the same order. `findings` must be in report order
/// ([`rein_diagnostics::sort_findings`]) for the occurrence numbers to be stable.
pub fn fingerprints(db: &SourceDb, findings: &[Finding]) -> Vec<String> {
    let mut seen: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    findings
        .iter()
        .map(|finding| {
            let key = key_hash(db, finding);
            let occurrence = seen.entry(key).or_insert(0);
            let fingerprint = format!("{key:016x}:{occurrence}");
            *occurrence = occurrence.saturating_add(1);
            fingerprint
        })
        .collect()
}

/// The hash of everything that identifies a finding except its position.
fn key_hash(db: &SourceDb, finding: &Finding) -> u64 {
    let (path, snippet) = match db.get(finding.span.file) {
        Some(file) => {
            let text = file.text.get(clamp_range(&file.text, finding.span.range)).unwrap_or_default();
            (file.path.as_str(), text.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        None => ("", String::new()),
    };
    let mut hash = Fnv1a::default();
    for part in [SCHEME, finding.rule, path, &snippet, &finding.message] {
        hash.write(part.as_bytes());
        // A separator that cannot occur in UTF-8 text keeps `("ab", "c")` apart from `("a", "bc")`.
        hash.write(&[0xff]);
    }
    hash.0
}

/// FNV-1a, 64 bits: a hash whose values are fixed by its definition, unlike the standard
/// library's, whose algorithm may change between Rust releases.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rein_diagnostics::Severity;
    use rein_text::Span;

    fn finding(db: &SourceDb, path: &str, needle: &str, nth: usize) -> Finding {
        let file = db.iter().find(|file| file.path == path).unwrap();
        let start = file.text.match_indices(needle).nth(nth).unwrap().0;
        let span = Span::from_offsets(file.id, start, start + needle.len());
        Finding::new("IAM101", "wildcard-action", Severity::Error, span, "`*` grants every action")
    }

    #[test]
    fn fingerprints_ignore_lines_added_above() {
        let mut before = SourceDb::new();
        before.add("p.json", r#"{"Statement": [{"Action": "*"}]}"#);
        let mut after = SourceDb::new();
        after.add("p.json", "{\n\n  \"Statement\": [\n    {\"Sid\": \"A\", \"Action\": \"*\"}]}");
        let old = fingerprints(&before, &[finding(&before, "p.json", "\"*\"", 0)]);
        let new = fingerprints(&after, &[finding(&after, "p.json", "\"*\"", 0)]);
        assert_eq!(old, new);
    }

    #[test]
    fn equal_findings_are_numbered_and_other_files_differ() {
        let mut db = SourceDb::new();
        db.add("a.json", r#"{"Action": "*", "NotAction": "*"}"#);
        db.add("b.json", r#"{"Action": "*"}"#);
        let prints = fingerprints(
            &db,
            &[
                finding(&db, "a.json", "\"*\"", 0),
                finding(&db, "a.json", "\"*\"", 1),
                finding(&db, "b.json", "\"*\"", 0),
            ],
        );
        assert!(prints[0].ends_with(":0") && prints[1].ends_with(":1"), "{prints:?}");
        assert_eq!(prints[0].split(':').next(), prints[1].split(':').next());
        assert_ne!(prints[0].split(':').next(), prints[2].split(':').next());
    }

    #[test]
    fn the_hash_is_fixed_by_definition() {
        // FNV-1a of the empty input is its offset basis; of "a", a published test vector.
        let mut hash = Fnv1a::default();
        assert_eq!(hash.0, 0xcbf2_9ce4_8422_2325);
        hash.write(b"a");
        assert_eq!(hash.0, 0xaf63_dc4c_8601_ec8c);
    }
}
