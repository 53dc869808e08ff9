//! Rule metadata: identity, classification and documentation.

use std::sync::OnceLock;

use rein_diagnostics::Severity;

/// What kind of problem a rule finds. Categories may change; rule ids never do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// Grants that let a principal gain more access than it was given.
    PrivilegeEscalation,
    /// Grants broader than the task needs.
    OverlyPermissive,
    /// AWS rejects the document, or silently ignores part of it.
    Invalid,
    /// Probably a mistake, e.g. `Allow` with `NotAction`.
    Suspicious,
    /// Tidiness and maintainability.
    Hygiene,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::PrivilegeEscalation => "privilege-escalation",
            Category::OverlyPermissive => "overly-permissive",
            Category::Invalid => "invalid",
            Category::Suspicious => "suspicious",
            Category::Hygiene => "hygiene",
        }
    }
}

/// Whether a rule can offer fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// Release status of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleStatus {
    /// Runs only with `--preview`.
    Preview {
        since: &'static str,
    },
    Stable {
        since: &'static str,
    },
    Deprecated {
        since: &'static str,
    },
}

/// The inputs a rule has examples for, and so applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frontend {
    PolicyJson,
    Hcl,
    TfPlan,
    Cfn,
}

/// Everything that identifies and documents a rule.
#[derive(Debug)]
pub struct RuleMeta {
    /// `IAM` and three digits; stable forever.
    pub id: &'static str,
    /// The rule's struct name; the kebab-case [`RuleMeta::name`] derives from it.
    pub struct_name: &'static str,
    /// Peer ids and former names accepted wherever the id is.
    pub aliases: &'static [&'static str],
    pub category: Category,
    pub severity: Severity,
    pub status: RuleStatus,
    pub fix: FixAvailability,
    pub frontends: &'static [Frontend],
    /// Parts of the rule's findings that suppressions may name on their own, as
    /// `<id>/<sub-code>` (`IAM403/symbols`).
    pub sub_codes: &'static [&'static str],
    /// The doc comment, the single source of `rein rule`, hover text and SARIF help.
    pub docs: &'static str,
}

impl RuleMeta {
    /// The kebab-case name, derived from the struct name (`FullAdminGrant` → `full-admin-grant`).
    pub fn name(&self) -> &'static str {
        static NAMES: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
        let names = NAMES.get_or_init(|| {
            crate::registry::all_rules()
                .iter()
                .map(|rule| {
                    let meta = rule.meta();
                    let leaked: &'static str = Box::leak(kebab_case(meta.struct_name).into_boxed_str());
                    (meta.struct_name, leaked)
                })
                .collect()
        });
        names.iter().find(|(struct_name, _)| *struct_name == self.struct_name).map_or("", |(_, name)| name)
    }

    /// The doc comment with the one leading space of each `///` line removed.
    pub fn documentation(&self) -> String {
        self.docs.lines().map(|line| line.strip_prefix(' ').unwrap_or(line)).collect::<Vec<_>>().join("\n")
    }

    /// Whether `selector` names this rule: its id, name or an alias (case-insensitive).
    pub fn is_named(&self, selector: &str) -> bool {
        self.id.eq_ignore_ascii_case(selector)
            || self.name().eq_ignore_ascii_case(selector)
            || self.aliases.iter().any(|alias| alias.eq_ignore_ascii_case(selector))
    }
}

/// `FullAdminGrant` → `full-admin-grant`; runs of capitals stay one word (`IAMUser` → `iam-user`).
pub fn kebab_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (idx, &ch) in chars.iter().enumerate() {
        if ch.is_ascii_uppercase() && idx > 0 {
            let prev = chars.get(idx - 1).copied().unwrap_or('-');
            let next = chars.get(idx + 1).copied();
            let starts_word = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()));
            if starts_word {
                out.push('-');
            }
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn kebab_case() {
        assert_eq!(super::kebab_case("FullAdminGrant"), "full-admin-grant");
        assert_eq!(super::kebab_case("PassroleUnscoped"), "passrole-unscoped");
        assert_eq!(super::kebab_case("IAMUserDirect"), "iam-user-direct");
        assert_eq!(super::kebab_case("PolicySizeQuota"), "policy-size-quota");
    }
}
