//! IAM206 `data-exfiltration`.

use super::risk_data::data_exfiltration_by_action;
use super::{is_identity_side, listed_hits, report_hits};
use crate::rules::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `Allow` statements in identity policies that grant a bulk-read action on *every*
    /// resource of its type: `s3:GetObject` on `*` or `arn:aws:s3:::*/*`,
    /// `secretsmanager:GetSecretValue`, `ssm:GetParameter(s)`, `kms:Decrypt`, `dynamodb:Scan`,
    /// `rds:CopyDBSnapshot` and the rest of the shipped list
    /// (`crates/rein_rules/data/data_exfiltration.txt`).
    ///
    /// Objects of named buckets (`arn:aws:s3:::reports/*`), named secrets and keys, Deny
    /// statements and resource policies are not reported; public or foreign reads through a
    /// resource policy are IAM302 and IAM310.
    /// A statement scoped by `kms:ViaService`, `kms:EncryptionContext:…`, resource tags or another
    /// scoping key is reported as info.
    ///
    /// ## Why it matters
    /// One leaked credential with these grants reads every secret, parameter, object or table in
    /// the account, including the ones created next year.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [
    ///     {
    ///       "Effect": "Allow",
    ///       "Action": "secretsmanager:GetSecretValue",
    ///       "Resource": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-*"
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - AWS Security Hub controls KMS.1 and KMS.2
    /// - AWS Secrets Manager User Guide: Authentication and access control
    /// - The list's sources: `crates/rein_rules/data/SOURCE.md`
    DataExfiltration {
        id: "IAM206",
        aliases: ["CKV_AWS_108", "CKV_AWS_288", "AVD-AWS-0346", "AVD-AWS-0345", "DataExfiltration", "KMS.1", "KMS.2"],
        category: OverlyPermissive,
        severity: Warning,
        fix: None,
        frontends: [PolicyJson],
    }
}

impl Rule for DataExfiltration {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if !stmt.is_allow() || !is_identity_side(doc) {
            return;
        }
        let lookup = |action: rein_catalog::Action<'static>| {
            data_exfiltration_by_action().get(action).map(|entry| (entry.severity, entry.source.to_owned()))
        };
        let hits = listed_hits(stmt, doc, ctx, &lookup);
        report_hits(stmt, ctx, hits, "it reads every resource of its type");
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case, run_rule};
    use rein_diagnostics::Severity;

    #[test]
    fn data_exfiltration() {
        RuleTest::new(&super::DataExfiltration)
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}}"#),
                "`secretsmanager:GetSecretValue` is allowed on `*`",
            )
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::*/*"}}"#))
            .fail(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"ssm:GetParameter*","Resource":"arn:aws:ssm:eu-west-1:123456789012:parameter/*"}}"#))
            .fail_with(
                case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}"#),
                "`kms:*` allows `kms:Decrypt`, `kms:ReEncryptFrom`",
            )
            .pass(case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-*"}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}}"#))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}}"#))
            .pass(case::policy_json_as(
                "resource",
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app"},"Action":"kms:Decrypt","Resource":"*"}}"#,
            ))
            .pass(case::policy_json(r#"{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:s3:::*"}}"#))
            .run();
    }

    #[test]
    fn scoping_conditions_downgrade_to_info() {
        let findings = run_rule(
            &super::DataExfiltration,
            &case::policy_json(
                r#"{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.eu-west-1.amazonaws.com"}}}}"#,
            ),
        );
        assert_eq!(findings.iter().map(|f| f.severity).collect::<Vec<_>>(), [Severity::Info]);
        // A conditional Deny keeps the finding and is named in it.
        let findings = run_rule(
            &super::DataExfiltration,
            &case::policy_json(
                r#"{"Statement":[{"Effect":"Allow","Action":"dynamodb:Scan","Resource":"*"},{"Effect":"Deny","Action":"dynamodb:Scan","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
            ),
        );
        assert_eq!(findings.len(), 1);
        assert!(findings.iter().all(|f| f.labels.iter().any(|l| l.message.contains("conditional Deny"))));
    }
}
