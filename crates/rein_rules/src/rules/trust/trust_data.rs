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
#[derive(Debug)]
pub(crate) struct ServiceSource {
    /// The service principal, as an IAM glob (`logs.*.amazonaws.com`).
    pub service: &'static str,
    /// A key that pins the source as `aws:SourceArn` does; `None` when the service sends none.
    pub key: Option<&'static str>,
}

fn parse_service_sources(text: &'static str) -> (Vec<ServiceSource>, Vec<&'static str>) {
    let mut entries = Vec::new();
    let mut malformed = Vec::new();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')) {
        let fields: Vec<&'static str> = line.split('|').map(str::trim).collect();
        match fields.as_slice() {
            [service, key, source] if !service.is_empty() && !key.is_empty() && !source.is_empty() => {
                entries.push(ServiceSource { service, key: (*key != "-").then_some(*key) });
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
