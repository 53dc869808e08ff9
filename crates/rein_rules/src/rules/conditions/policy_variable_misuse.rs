//! IAM609 `policy-variable-misuse`.

use rein_model::{PrincipalBody, TemplatePart};

use crate::rules::prelude::*;
use crate::semantics::{OperatorFamily, VariablePiece, is_federated_claim_key, operator_family, policy_variables};

declare_rule! {
    /// ## What it checks
    /// IAM policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`) that are
    /// malformed or misplaced.
    /// Syntax: a `${` without its `}`, an empty variable, a space anywhere but after the comma
    /// of a default, a default without single quotes, and a key that is unknown or multi-valued
    /// (`aws:TagKeys`, `aws:CalledVia` cannot serve as variables). `${*}`, `${?}` and `${$}` are
    /// escapes.
    /// Placement: variables work only in `Resource`/`NotResource` and in the values of `String…`
    /// and `Arn…` conditions; anywhere else (Action, Principal, Sid, condition keys, values of
    /// numeric, date, Boolean, IP, binary or `Null` conditions) they are literal text.
    /// Interpolations of Terraform or CloudFormation are resolved before this check; their
    /// escapes are IAM610's concern.
    ///
    /// ## Why it matters
    /// AWS rejects a malformed variable, and a misplaced one is compared as the literal text
    /// `${aws:username}`, so the grant never matches.
    ///
    /// ## Example
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username/*"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: closing the brace after the longest known key makes the variable resolve, which
    /// changes what the statement matches. Offered only for an unclosed `${` followed by a
    /// known key.
    ///
    /// ## References
    /// - AWS IAM User Guide: IAM policy elements: variables and tags
    PolicyVariableMisuse {
        id: "IAM609",
        aliases: [
            "MISSING_BRACE_IN_VARIABLE",
            "MISSING_QUOTE_IN_VARIABLE",
            "UNSUPPORTED_SPACE_IN_VARIABLE",
            "EMPTY_VARIABLE",
            "VARIABLE_UNSUPPORTED_IN_ELEMENT",
            "INVALID_VARIABLE_FOR_OPERATOR",
            "VARIABLE_UNSUPPORTED_IN_VERSION",
        ],
        category: Invalid,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// Whether some literal text of the value holds a `$`, without which it has no variable: most
/// values are answered by this one byte search.
fn has_dollar(value: &Value) -> bool {
    match value {
        Value::Known(text) => text.contains('$'),
        Value::Partial(parts) => {
            parts.iter().any(|part| matches!(part, TemplatePart::Text(text) if text.contains('$')))
        }
        Value::Unknown(_) => false,
    }
}

/// The literal text pieces of a value; a `${` cut by an IaC hole is not judged.
fn text_parts(value: &Value) -> Vec<(&str, bool)> {
    match value {
        Value::Known(text) => vec![(text.as_str(), true)],
        Value::Partial(parts) => parts
            .iter()
            .enumerate()
            .filter_map(|(idx, part)| match part {
                TemplatePart::Text(text) => Some((text.as_str(), idx + 1 == parts.len())),
                TemplatePart::Hole(_) => None,
            })
            .collect(),
        Value::Unknown(_) => Vec::new(),
    }
}

/// Why the text inside `${…}` is not a valid variable, if it is not.
fn variable_problem(catalog: &'static rein_catalog::Catalog, inner: &str) -> Option<String> {
    // `${!…}` is CloudFormation's `Fn::Sub` escape left in place; IAM610 reports it.
    if matches!(inner, "*" | "?" | "$") || inner.starts_with('!') {
        return None;
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => (key, Some(default)),
        None => (inner, None),
    };
    if key.trim().is_empty() {
        return Some("`${}` is an empty policy variable".to_owned());
    }
    if key.contains(char::is_whitespace) {
        return Some(format!("`${{{inner}}}` has a space; only the one after the comma of a default is allowed"));
    }
    if let Some(default) = default {
        let default = default.strip_prefix(' ').unwrap_or(default);
        if default.len() < 2 || !default.starts_with('\'') || !default.ends_with('\'') {
            return Some(format!("The default of `${{{inner}}}` needs single quotes, as in `${{{key}, 'none'}}`"));
        }
    }
    if is_federated_claim_key(key) {
        return None;
    }
    match catalog.condition_key(key) {
        None => Some(format!("`{key}` in `${{{inner}}}` is not a condition key, so the variable never resolves")),
        Some(info) if info.multi_valued() => {
            Some(format!("`{key}` is multi-valued and cannot be used as a policy variable"))
        }
        Some(_) => None,
    }
}

/// `text` with `}` inserted after the longest known key that follows an unclosed `${`.
fn close_brace(catalog: &'static rein_catalog::Catalog, text: &str, rest: &str) -> Option<String> {
    let offset = text.len().checked_sub(rest.len())?;
    let candidate: String =
        rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.' | '-' | '_')).collect();
    let mut end = candidate.len();
    loop {
        let key = candidate.get(..end)?;
        if key.contains(':') && catalog.condition_key(key).is_some_and(|info| !info.multi_valued()) {
            let head = text.get(..offset + end)?;
            let tail = text.get(offset + end..)?;
            return Some(format!("{head}}}{tail}"));
        }
        end = key.rfind(['/', '.'])?;
    }
}

impl PolicyVariableMisuse {
    /// Checks the syntax of every variable of a value where variables are allowed.
    fn check_syntax(&self, value: &SpannedValue, ctx: &mut RuleContext<'_>) {
        if !has_dollar(&value.value) {
            return;
        }
        let catalog = ctx.catalog();
        for (text, last) in text_parts(&value.value) {
            for piece in policy_variables(text) {
                match piece {
                    VariablePiece::Variable(inner) => {
                        if let Some(problem) = variable_problem(catalog, inner) {
                            ctx.report(value.span, problem);
                        }
                    }
                    VariablePiece::Unclosed(rest) if last => {
                        let mut finding = ctx.report(value.span, format!("`${{{rest}` has no closing `}}`"));
                        if let Some(fixed) = value.value.as_known().and_then(|known| close_brace(catalog, known, rest))
                        {
                            finding = finding.fix(
                                "Close the policy variable",
                                Applicability::Unsafe,
                                vec![PolicyEdit::ReplaceString { target: value.span, value: fixed }],
                            );
                        }
                        drop(finding);
                    }
                    VariablePiece::Unclosed(_) => {}
                }
            }
        }
    }

    /// Reports a variable where IAM reads it as literal text.
    fn check_misplaced(&self, value: &SpannedValue, element: &str, ctx: &mut RuleContext<'_>) {
        if !has_dollar(&value.value) {
            return;
        }
        let has_variable = text_parts(&value.value)
            .iter()
            .flat_map(|(text, _)| policy_variables(text))
            .any(|piece| matches!(piece, VariablePiece::Variable(inner) if !matches!(inner, "*" | "?" | "$")));
        if has_variable {
            ctx.report(
                value.span,
                format!("Policy variables are not supported in {element}; this is compared as literal text"),
            );
        }
    }
}

impl Rule for PolicyVariableMisuse {
    fn check_statement(&self, stmt: &Statement, _doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        for value in [&stmt.sid, &stmt.effect].into_iter().flatten() {
            self.check_misplaced(value, "`Sid` or `Effect`", ctx);
        }
        for list in [&stmt.action, &stmt.not_action].into_iter().flatten() {
            for item in &list.items {
                self.check_misplaced(item, "`Action`", ctx);
            }
        }
        for element in [&stmt.principal, &stmt.not_principal].into_iter().flatten() {
            match &element.body {
                PrincipalBody::Scalar(value) => self.check_misplaced(value, "`Principal`", ctx),
                PrincipalBody::Map(types) => {
                    for item in types.iter().flat_map(|(_, list)| list.items.iter()) {
                        self.check_misplaced(item, "`Principal`", ctx);
                    }
                }
                PrincipalBody::Unknown(_) => {}
            }
        }
        for list in [&stmt.resource, &stmt.not_resource].into_iter().flatten() {
            for item in &list.items {
                self.check_syntax(item, ctx);
            }
        }
        let Some(block) = &stmt.condition else { return };
        for (op, entry) in block.entries() {
            if entry.key.name.contains("${") {
                ctx.report(
                    entry.key.span,
                    "Policy variables are not supported in condition keys; this is compared as literal text",
                );
            }
            let family = operator_family(&op.name.base).map(|(_, family)| family);
            for value in &entry.values {
                match family {
                    Some(OperatorFamily::String | OperatorFamily::Arn) => self.check_syntax(&value.value, ctx),
                    Some(_) => self.check_misplaced(&value.value, &format!("values of `{}`", op.key.name), ctx),
                    None => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    fn with_resource(resource: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{resource}"}}}}"#
        )
    }

    fn with_condition(condition: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{condition}}}}}"#
        )
    }

    #[test]
    fn policy_variable_misuse() {
        RuleTest::new(&super::PolicyVariableMisuse)
            .fail_with(case::policy_json(&with_resource("arn:aws:s3:::home/${aws:username/*")), "no closing")
            .fail_with(case::policy_json(&with_resource("arn:aws:s3:::home/${}/*")), "empty")
            .fail_with(case::policy_json(&with_resource("arn:aws:s3:::home/${ aws:username}/*")), "space")
            .fail_with(case::policy_json(&with_resource("arn:aws:s3:::home/${aws:PrincipalTag/team, none}/*")), "single quotes")
            .fail_with(case::policy_json(&with_resource("arn:aws:s3:::home/${aws:TagKeys}/*")), "multi-valued")
            .fail_with(case::policy_json(&with_resource("arn:aws:s3:::home/${aws:usrname}/*")), "not a condition key")
            .fail_with(
                case::policy_json(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:${aws:username}","Resource":"*"}}"#),
                "`Action`",
            )
            .fail_with(case::policy_json(&with_condition(r#"{"NumericLessThan":{"s3:max-keys":"${aws:username}"}}"#)), "values of `NumericLessThan`")
            .pass(case::policy_json(&with_resource("arn:aws:s3:::home/${aws:username}/*")))
            .pass(case::policy_json(&with_resource("arn:aws:s3:::home/${aws:PrincipalTag/team, 'none'}/${*}")))
            .pass(case::policy_json(&with_resource("arn:aws:s3:::home/${cognito-identity.amazonaws.com:sub}/*")))
            .pass(case::policy_json(&with_resource("arn:aws:s3:::home/${!aws:username}/*")))
            .pass(case::policy_json(&with_condition(r#"{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}"#)))
            .fix(
                case::policy_json(&with_resource("arn:aws:s3:::home/${aws:username/*")),
                &with_resource("arn:aws:s3:::home/${aws:username}/*"),
            )
            .run();
    }
}
