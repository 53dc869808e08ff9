//! The data of the 4xx rules, read once from `crates/rein_rules/data/` (see its SOURCE.md).

use std::sync::OnceLock;

const CREDENTIALS: &str = include_str!("../../../data/credentials.txt");
const MFA_SELF_SERVICE: &str = include_str!("../../../data/mfa_self_service.txt");

/// An action an MFA enforcement Deny may exempt, from `mfa_self_service.txt`.
#[derive(Debug)]
pub(crate) struct SelfService {
    pub action: &'static str,
    /// Needed to enrol a device, so the allow-list should hold it.
    pub enrol: bool,
}

fn parse_self_service(text: &'static str) -> (Vec<SelfService>, Vec<&'static str>) {
    let mut actions = Vec::new();
    let mut malformed = Vec::new();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')) {
        let fields: Vec<&'static str> = line.split('|').map(str::trim).collect();
        match fields.as_slice() {
            [action, "enrol", source] if !source.is_empty() => actions.push(SelfService { action, enrol: true }),
            [action, "self-service", source] if !source.is_empty() => {
                actions.push(SelfService { action, enrol: false });
            }
            _ => malformed.push(line),
        }
    }
    (actions, malformed)
}

/// The actions an MFA enforcement Deny may exempt.
pub(crate) fn mfa_self_service() -> &'static [SelfService] {
    static DATA: OnceLock<Vec<SelfService>> = OnceLock::new();
    DATA.get_or_init(|| parse_self_service(MFA_SELF_SERVICE).0)
}

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

    #[test]
    fn every_self_service_line_parses_and_names_a_catalogue_action() {
        let (actions, malformed) = super::parse_self_service(super::MFA_SELF_SERVICE);
        assert!(malformed.is_empty(), "lines without a known shape: {malformed:?}");
        assert!(actions.iter().any(|entry| entry.enrol));
        let catalog = rein_catalog::catalog();
        let missing: Vec<&str> =
            actions.iter().map(|entry| entry.action).filter(|name| catalog.action(name).is_none()).collect();
        assert!(missing.is_empty(), "actions missing from the catalogue: {missing:?}");
    }
}
