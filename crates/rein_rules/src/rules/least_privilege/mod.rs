//! Family 1xx: least privilege.

mod action_resource_type_mismatch;
mod allow_with_notaction;
mod allow_with_notresource;
mod full_admin_grant;
mod privileged_managed_policy_attached;
mod redundant_policy_content;
mod resource_star_on_restrictable_action;
mod wildcard_action;
mod wildcard_reaches_privileged_access_level;

pub use action_resource_type_mismatch::ActionResourceTypeMismatch;
pub use allow_with_notaction::AllowWithNotaction;
pub use allow_with_notresource::AllowWithNotresource;
pub use full_admin_grant::FullAdminGrant;
pub use privileged_managed_policy_attached::PrivilegedManagedPolicyAttached;
pub(crate) use privileged_managed_policy_attached::managed_policy_class;
pub use redundant_policy_content::RedundantPolicyContent;
pub use resource_star_on_restrictable_action::ResourceStarOnRestrictableAction;
pub use wildcard_action::WildcardAction;
pub use wildcard_reaches_privileged_access_level::WildcardReachesPrivilegedAccessLevel;

use std::rc::Rc;

use rein_catalog::Action;
use rein_catalog::arn::ArnPattern;

use crate::rules::prelude::*;
use crate::semantics;

/// The most actions an explicit-list fix writes in place of a wildcard; a longer list is no
/// help to trim.
const MAX_EXPANSION: usize = 40;

/// The resources a statement's grant is on, when every `Resource` entry is a known ARN: the
/// explicit-list fixes leave out the actions that fit none of them, which the statement grants
/// nothing for. `None` when an entry may be anything (`*`, an effective star, an unknown, a
/// `NotResource`); then every action fits.
struct Resources(Option<Vec<(Option<String>, Rc<ArnPattern>)>>);

impl Resources {
    fn of(stmt: &Statement, ctx: &RuleContext<'_>) -> Self {
        let list = stmt
            .resource
            .as_ref()
            .filter(|list| stmt.not_resource.is_none() && list.unknown.is_none() && !list.items.is_empty());
        Self(list.and_then(|list| {
            list.items
                .iter()
                .map(|item| {
                    if semantics::is_effective_star(&item.value, ctx.catalog()) {
                        return None;
                    }
                    let pattern = semantics::arn_pattern(&item.value).filter(|pattern| !pattern.has_unknown())?;
                    Some((item.known().map(str::to_owned), pattern))
                })
                .collect()
        }))
    }

    fn fit(&self, action: &Action<'static>) -> bool {
        self.0.as_ref().is_none_or(|patterns| {
            patterns.iter().any(|(text, pattern)| semantics::action_fits(action, pattern, text.as_deref()))
        })
    }
}

/// "Replace with an explicit list": the `Action` list with the wildcard at `index` replaced by
/// `actions` in their order, leaving out those the list already names. `None` when an entry is
/// not known, the `Action` is one branch of a CloudFormation `Fn::If`, `actions` is longer than
/// [`MAX_EXPANSION`], or nothing would be left.
fn explicit_list(list: &ValueList, index: usize, actions: &[&Action<'static>]) -> Option<PolicyEdit> {
    if list.unknown.is_some()
        || (list.form == ListForm::Single && list.items.iter().any(|item| item.span != list.span))
        || actions.len() > MAX_EXPANSION
    {
        return None;
    }
    let texts: Vec<&str> = list.items.iter().map(|item| item.known()).collect::<Option<_>>()?;
    let listed = |values: &[String], name: &str| values.iter().any(|value| value.eq_ignore_ascii_case(name));
    let mut values: Vec<String> = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        if i == index {
            for action in actions {
                let name = action.full_name();
                let elsewhere = texts.iter().enumerate().any(|(j, t)| j != index && t.eq_ignore_ascii_case(&name));
                if !elsewhere && !listed(&values, &name) {
                    values.push(name);
                }
            }
        } else if !listed(&values, text) {
            values.push((*text).to_owned());
        }
    }
    (!values.is_empty()).then_some(PolicyEdit::ReplaceWithList { target: list.span, values })
}
