//! IAM514 `alternate-contacts-missing`.

use rein_model::EntityKind;

use super::{checks_existence, generate, new_resource};
use crate::engine::{Unit, UnitSource};
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
    /// ## Fix safety
    /// Unsafe: the fix declares an `aws_account_alternate_contact` of type `SECURITY` whose name,
    /// title, e-mail address and phone number are placeholders (`security@example.com`); replace
    /// them before applying, or AWS sends its security notices to nobody. Templates get no fix:
    /// CloudFormation has no resource for alternate contacts.
    ///
    /// ## References
    /// - AWS Account Management Reference Guide: update the alternate contacts
    /// - CIS AWS Foundations Benchmark 1.2
    AlternateContactsMissing {
        id: "IAM514",
        aliases: [],
        category: Hygiene,
        severity: Info,
        fix: Sometimes,
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
            // Placeholders: the fix cannot know who the security team is.
            let contact = (unit.source == UnitSource::Terraform).then(|| {
                new_resource(
                    unit,
                    "aws_account_alternate_contact",
                    "security",
                    vec![
                        ("alternate_contact_type", AttributeValue::string("SECURITY")),
                        ("name", AttributeValue::string("Security team")),
                        ("title", AttributeValue::string("Security")),
                        ("email_address", AttributeValue::string("security@example.com")),
                        ("phone_number", AttributeValue::string("+10000000000")),
                    ],
                )
            });
            ctx.report(
                unit.anchor,
                format!("The account baseline in {} sets no security contact for the account", unit.name),
            )
            .fix(
                "Declare a security contact (with placeholders to replace)",
                Applicability::Unsafe,
                generate(contact),
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
            .fix(
                case::hcl("resource \"aws_guardduty_detector\" \"d\" {}"),
                "resource \"aws_guardduty_detector\" \"d\" {}\n\nresource \"aws_account_alternate_contact\" \"security\" {\n  alternate_contact_type = \"SECURITY\"\n  name                   = \"Security team\"\n  title                  = \"Security\"\n  email_address          = \"security@example.com\"\n  phone_number           = \"+10000000000\"\n}\n",
            )
            .run();
    }
}
