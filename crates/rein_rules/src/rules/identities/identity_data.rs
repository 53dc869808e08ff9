//! The data of the 4xx rules, read once from `crates/rein_rules/data/` (see its SOURCE.md).

use std::sync::OnceLock;

const CREDENTIALS: &str = include_str!("../../../data/credentials.txt");

/// What IAM408 looks for, from `credentials.txt`.
#[derive(Debug, Default)]
pub(crate) struct CredentialData {
    /// Access key id prefixes with what they stand for (`AKIA`, "a long-term access key id").
    pub key_prefixes: Vec<(&'static str, &'static str)>,
    /// Documentation samples, which grant nothing.
    pub samples: Vec<&'static str>,
    /// Names of settings whose value is a secret (`secret_key`, `AWS_SECRET_ACCESS_KEY`).
    pub secret_names: Vec<&'static str>,
    /// `(resource type, attribute)` pairs that hold a secret.
    pub secret_attributes: Vec<(&'static str, &'static str)>,
    /// Lines that have none of the shapes above; the data test rejects them.
    pub malformed: Vec<&'static str>,
}

fn parse_credentials(text: &'static str) -> CredentialData {
    let mut data = CredentialData::default();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')) {
        let fields: Vec<&'static str> = line.split('|').map(str::trim).collect();
        match fields.as_slice() {
            ["key-prefix", prefix, what, source] if !source.is_empty() => data.key_prefixes.push((prefix, what)),
            ["sample", text, source] if !source.is_empty() => data.samples.push(text),
            ["secret-name", name, source] if !source.is_empty() => data.secret_names.push(name),
            ["secret-attribute", ty, attribute, source] if !source.is_empty() => {
                data.secret_attributes.push((ty, attribute));
            }
            _ => data.malformed.push(line),
        }
    }
    data
}

pub(crate) fn credentials() -> &'static CredentialData {
    static DATA: OnceLock<CredentialData> = OnceLock::new();
    DATA.get_or_init(|| parse_credentials(CREDENTIALS))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_credentials_line_parses() {
        let data = super::credentials();
        assert!(data.malformed.is_empty(), "lines without a known shape: {:?}", data.malformed);
        assert!(!data.key_prefixes.is_empty() && !data.secret_names.is_empty() && !data.secret_attributes.is_empty());
        assert!(data.key_prefixes.iter().all(|(prefix, _)| prefix.len() == 4));
    }
}
