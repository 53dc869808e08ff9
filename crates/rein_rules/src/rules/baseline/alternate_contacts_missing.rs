//! IAM514 `alternate-contacts-missing`.

use rein_model::EntityKind;

use super::checks_existence;
use crate::engine::Unit;
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// In the `baseline` profile: a baseline that sets no security contact for the account
    /// (`aws_account_alternate_contact` with `alternate_contact_type = "SECURITY"`).
    ///
    /// ## Why it matters
    /// AWS sends abuse reports and notices of compromised credentials to the security contact;
    /// without one they reach only the root e-mail address, which often nobody reads.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_account_alternate_contact" "billing" {
    ///   alternate_contact_type = "BILLING"
    ///   name                   = "Finance"
    ///   title                  = "Billing"
    ///   email_address          = "billing@example.com"
    ///   phone_number           = "+10000000000"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_account_alternate_contact" "security" {
    ///   alternate_contact_type = "SECURITY"
    ///   name                   = "SecOps"
    ///   title                  = "Security"
    ///   email_address          = "secops@example.com"
    ///   phone_number           = "+10000000000"
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS Account Management Reference Guide: update the alternate contacts
    /// - CIS AWS Foundations Benchmark 1.2
    AlternateContactsMissing {
        id: "IAM514",
        aliases: [],
        category: Hygiene,
        severity: Info,
        fix: None,
        frontends: [Hcl],
    }
}

impl Rule for AlternateContactsMissing {
    fn check_unit(&self, unit: &Unit<'_>, ctx: &mut RuleContext<'_>) {
        if !checks_existence(unit, ctx) {
            return;
        }
        let security = unit.entities_of(EntityKind::AlternateContact).any(|contact| {
            contact.string("alternate_contact_type").is_none_or(|ty| ty.as_known().is_none_or(|ty| ty == "SECURITY"))
        });
        if !security {
            ctx.report(
                unit.anchor,
                format!("The account baseline in {} sets no security contact for the account", unit.name),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn alternate_contacts_missing() {
        RuleTest::new(&super::AlternateContactsMissing)
            .fail(case::hcl(r#"resource "aws_guardduty_detector" "d" {}"#))
            .pass(case::hcl("module \"baseline\" {\n  source = \"nozaq/secure-baseline/aws\"\n}\n"))
            .run();
    }
}
