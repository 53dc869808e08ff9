//! The data of the 3xx rules, read once from `crates/rein_rules/data/` (see its SOURCE.md).

use std::sync::OnceLock;

const SERVICE_SOURCE_KEYS: &str = include_str!("../../../data/service_source_keys.txt");
const COMPUTE_SERVICES: &str = include_str!("../../../data/compute_services.txt");

/// One service principal that runs customer code, with what runs there.
#[derive(Debug)]
pub(crate) struct ComputeService {
    pub service: &'static str,
    pub what: &'static str,
}

fn parse_compute_services(text: &'static str) -> (Vec<ComputeService>, Vec<&'static str>) {
    let mut entries = Vec::new();
    let mut malformed = Vec::new();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')) {
        let fields: Vec<&'static str> = line.split('|').map(str::trim).collect();
        match fields.as_slice() {
            [service, what, source] if !service.is_empty() && !what.is_empty() && !source.is_empty() => {
                entries.push(ComputeService { service, what });
            }
            _ => malformed.push(line),
        }
    }
    (entries, malformed)
}

/// The compute service of a service principal, when it is one.
pub(crate) fn compute_service(principal: &str) -> Option<&'static ComputeService> {
    static DATA: OnceLock<Vec<ComputeService>> = OnceLock::new();
    DATA.get_or_init(|| parse_compute_services(COMPUTE_SERVICES).0)
        .iter()
        .find(|entry| entry.service.eq_ignore_ascii_case(principal))
}

/// How one service principal is tied to its source resource.
/// What ties a service's grant to one customer besides `aws:SourceArn` and friends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SourcePin {
    /// A condition key of the service (`kms:EncryptionContext:aws:cloudtrail:arn`).
    Key(&'static str),
    /// The service writes under `<segment><account id>/`, so an object path with a fixed
    /// account there names the source account.
    Path(&'static str),
}

#[derive(Debug)]
pub(crate) struct ServiceSource {
    /// The service principal, as an IAM glob (`logs.*.amazonaws.com`).
    pub service: &'static str,
    /// What pins the source besides the global source keys; `None` when the service sends no
    /// source key.
    pub key: Option<SourcePin>,
}

fn parse_service_sources(text: &'static str) -> (Vec<ServiceSource>, Vec<&'static str>) {
    let mut entries = Vec::new();
    let mut malformed = Vec::new();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')) {
        let fields: Vec<&'static str> = line.split('|').map(str::trim).collect();
        match fields.as_slice() {
            [service, key, source] if !service.is_empty() && !key.is_empty() && !source.is_empty() => {
                let pin = match key.strip_prefix("path:") {
                    _ if *key == "-" => None,
                    Some(segment) => Some(SourcePin::Path(segment)),
                    None => Some(SourcePin::Key(key)),
                };
                entries.push(ServiceSource { service, key: pin });
            }
            _ => malformed.push(line),
        }
    }
    (entries, malformed)
}

/// The service principals with their source keys, from `service_source_keys.txt`.
pub(crate) fn service_sources() -> &'static [ServiceSource] {
    static DATA: OnceLock<Vec<ServiceSource>> = OnceLock::new();
    DATA.get_or_init(|| parse_service_sources(SERVICE_SOURCE_KEYS).0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_service_source_line_parses() {
        let (entries, malformed) = super::parse_service_sources(super::SERVICE_SOURCE_KEYS);
        assert!(malformed.is_empty(), "lines without a known shape: {malformed:?}");
        assert!(!entries.is_empty());
        assert!(entries.iter().all(|entry| entry.service.ends_with(".amazonaws.com")));
    }

    #[test]
    fn every_compute_service_line_parses() {
        let (entries, malformed) = super::parse_compute_services(super::COMPUTE_SERVICES);
        assert!(malformed.is_empty(), "lines without a known shape: {malformed:?}");
        assert!(entries.iter().all(|entry| entry.service.ends_with(".amazonaws.com")));
        assert!(super::compute_service("Lambda.amazonaws.com").is_some());
        assert!(super::compute_service("config.amazonaws.com").is_none());
    }
}
