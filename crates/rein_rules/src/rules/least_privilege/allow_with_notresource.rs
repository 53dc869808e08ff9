//! IAM108 `allow-with-notresource`.

use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `Allow` statements with `NotResource`: the actions apply to every resource except the
    /// listed ones, in every account and region, including resources created later. Every
    /// breadth rule treats such a statement as granting on `*`. In a service control policy it
    /// is info. `Deny` with `NotResource` ("deny S3 outside these buckets") is not reported.
    ///
    /// ## Why it matters
    /// An exception list silently grows with every new resource; a grant should name what it
    /// covers.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secrets/*"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::app", "arn:aws:s3:::app/*"]}]
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM JSON policy elements: NotResource
    AllowWithNotresource {
        id: "IAM108",
        aliases: ["NOTRESOURCE_WITH_ALLOW", "W21", "W22", "W23"],
        category: Suspicious,
        severity: Warning,
        fix: None,
        frontends: [PolicyJson],
    }
}

impl Rule for AllowWithNotresource {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow() || doc.kind == PolicyKind::Rcp {
            return;
        }
        let Some(not_resource) = &stmt.not_resource else { return };
        let finding = ctx.report(
            not_resource.key.span,
            "`Allow` with `NotResource` grants on every resource outside the list, in every account and region",
        );
        if doc.kind == PolicyKind::Scp {
            drop(finding.severity(Severity::Info));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    #[test]
    fn allow_with_notresource() {
        RuleTest::new(&super::AllowWithNotresource)
            .fail(case::policy_json_as(
                "scp",
                r#"{"Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::b"}}"#,
            ))
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#,
            ))
            .run();
    }
}
