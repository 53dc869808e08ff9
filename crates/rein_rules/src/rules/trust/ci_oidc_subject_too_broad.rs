//! IAM306 `ci-oidc-subject-too-broad`.

use crate::engine::RuleOptions;
use crate::rules::prelude::*;
use crate::semantics::{
    CiIssuer, PrincipalShape, action_items, ci_issuer, condition_has_unknown, glob_matches, items_grant_action,
    narrowing_entries, oidc_issuer, principal_items,
};

declare_rule! {
    /// ## What it checks
    /// `Allow` statements of a role trust policy that let a CI service's OIDC tokens
    /// (`sts:AssumeRoleWithWebIdentity`) assume the role without pinning the token's subject
    /// (`<issuer>:sub`) to one repository or project. The known CI issuers are GitHub Actions
    /// (`token.actions.githubusercontent.com`), GitLab (`gitlab.com` and the self-hosted issuers
    /// of `ci_oidc_issuers`), Terraform Cloud (`app.terraform.io`), CircleCI
    /// (`oidc.circleci.com/org/<org-id>`) and Bitbucket Pipelines (`api.bitbucket.org/…`).
    ///
    /// It is an error when the subject is not tested by a positive single-valued operator (a
    /// negated or `ForAnyValue` test does not count), or when its owner segment (the GitHub
    /// owner, the GitLab group, the Terraform Cloud organization) or the whole subject is a
    /// wildcard, as in `repo:*` or `*`. It is a warning when the owner is pinned but any of its
    /// repositories is trusted (`repo:acme/*`), or a repository without a branch, tag or
    /// environment (`repo:acme/app:*`). Wildcards count only under a `…Like` operator, since
    /// `StringEquals` compares them literally. A condition that is not known statically keeps
    /// the rule silent.
    ///
    /// ## Why it matters
    /// Every workflow of every repository on the CI service gets a token from the same issuer.
    /// Without a subject test, or with an owner wildcard, anyone who can run a pipeline there,
    /// in their own free account, can assume the role. Trusting a whole organization or every
    /// branch of a repository lets any contributor's branch or pull request deploy with the
    /// role's permissions.
    ///
    /// ## Example
    /// ```policy-json trust
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    ///     "Action": "sts:AssumeRoleWithWebIdentity",
    ///     "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}
    ///   }]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```policy-json trust
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    ///     "Action": "sts:AssumeRoleWithWebIdentity",
    ///     "Condition": {"StringEquals": {
    ///       "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
    ///       "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:prod"
    ///     }}
    ///   }]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Always unsafe: pipelines outside the pinned subject can no longer assume the role. The
    /// subject is a placeholder to replace, in the issuer's format:
    /// `repo:ORG/REPO:ref:refs/heads/main` (GitHub),
    /// `project_path:GROUP/PROJECT:ref_type:branch:ref:main` (GitLab),
    /// `organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:apply` (Terraform Cloud),
    /// `org/ORG-ID/project/PROJECT-ID/user/USER-ID` (CircleCI) and
    /// `{REPOSITORY-UUID}:{ENVIRONMENT-UUID}:{STEP-UUID}` (Bitbucket).
    ///
    /// ## Options
    /// - `ci-oidc-issuers`: host names of self-hosted GitLab issuers, checked like `gitlab.com`.
    /// - `github-subject-claims`: the claim names of the organization's custom GitHub subject
    ///   template, in order (`["repository_owner_id", "repository_id", "context"]`). A GitHub
    ///   subject that follows the template is checked claim by claim: some claim must pin the
    ///   owner (`repo`, `repository`, `repository_owner`, `repository_owner_id`), the
    ///   repository (`repo`, `repository`, `repository_id`) and the branch, tag or environment
    ///   (`context`, `ref`, `environment`, `workflow_ref`).
    /// - `github-job-workflow-refs`: reusable workflows
    ///   (`acme/workflows/.github/workflows/deploy.yml@refs/heads/main`, `*` and `?` globs). A
    ///   statement whose `job_workflow_ref` test (or custom subject claim) names only these is
    ///   not reported: the reusable workflow decides what runs with the role.
    ///
    /// ## References
    /// - GitHub Docs: configuring OpenID Connect in Amazon Web Services (subject claim examples)
    /// - GitLab Docs: OpenID Connect in AWS to retrieve temporary credentials (`project_path` subjects)
    /// - HashiCorp Terraform Cloud: dynamic provider credentials for AWS (`organization:…:workspace:…` subjects)
    /// - CircleCI Docs: using OpenID Connect tokens in jobs (`org/…/project/…/user/…` subjects)
    /// - Bitbucket Cloud: integrate Pipelines with resource servers using OIDC
    CiOidcSubjectTooBroad {
        id: "IAM306",
        aliases: [
            "MISSING_GITHUB_REPO_CONDITION_KEY",
            "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED",
            "CKV_AWS_358",
            "CKV_AWS_393",
        ],
        category: OverlyPermissive,
        severity: Error,
        fix: Sometimes,
        frontends: [PolicyJson],
    }
}

/// How broad one subject value is.
enum Breadth {
    /// The subject pins a repository or project, or has a shape this rule does not know.
    Pinned,
    /// The owner is pinned but not the repository, or the repository but not a ref.
    Wide(&'static str),
    /// The owner, or the whole subject, is open.
    Open(&'static str),
}

fn has_wildcard(text: &str) -> bool {
    text.contains('*') || text.contains('?')
}

/// The breadth of a subject made of an owner segment, a project segment and a rest that pins a
/// ref, an environment or a workspace. `None` segments are missing from the value.
fn breadth(owner: Option<&str>, project: Option<&str>, rest: Option<&str>, wide: &'static str) -> Breadth {
    match owner {
        None => Breadth::Open("no owner is pinned"),
        Some(owner) if owner.is_empty() || has_wildcard(owner) => Breadth::Open("the owner segment is a wildcard"),
        Some(_) => match project {
            None => Breadth::Wide("no repository or project is pinned"),
            Some(project) if project.is_empty() || has_wildcard(project) => {
                Breadth::Wide("the repository or project segment is a wildcard")
            }
            Some(_) => match rest {
                Some(rest) if !rest.is_empty() && !rest.starts_with('*') && !rest.starts_with('?') => Breadth::Pinned,
                _ => Breadth::Wide(wide),
            },
        },
    }
}

/// Subject shapes, from the issuers' documentation (see References):
/// GitHub `repo:<owner>/<repo>:<ref:…|environment:…|pull_request>`;
/// GitLab `project_path:<group>/<project>:ref_type:<type>:ref:<ref>`;
/// Terraform Cloud `organization:<org>:project:<project>:workspace:<ws>:run_phase:<phase>`;
/// CircleCI `org/<org-id>/project/<project-id>/user/<user-id>`;
/// Bitbucket `{<repository-uuid>}:{<step-uuid>}` (the workspace is in the issuer).
fn subject_breadth(ci: CiIssuer, subject: &str, options: &RuleOptions) -> Breadth {
    if subject.is_empty() || subject.starts_with('*') || subject.starts_with('?') {
        return Breadth::Open("the whole subject is a wildcard");
    }
    match ci {
        CiIssuer::GitHub => {
            if let Some(values) = custom_claims(subject, &options.github_subject_claims) {
                return custom_breadth(&values, &options.github_job_workflow_refs);
            }
            let Some(path) = subject.strip_prefix("repo:") else {
                // A custom subject claim template (e.g. `repository_owner_id:…`) has no shape
                // this rule can check; only a leading wildcard is flagged above.
                return Breadth::Pinned;
            };
            let (slug, rest) = split_once_opt(path, ':');
            let (owner, repo) = split_once_opt(slug, '/');
            breadth(Some(owner), repo, rest, "no branch, tag or environment is pinned")
        }
        CiIssuer::GitLab => {
            let Some(path) = subject.strip_prefix("project_path:") else { return Breadth::Pinned };
            let (slug, rest) = split_once_opt(path, ':');
            let (group, project) = split_once_opt(slug, '/');
            breadth(Some(group), project, rest, "no branch or tag is pinned")
        }
        CiIssuer::TerraformCloud => {
            let Some(path) = subject.strip_prefix("organization:") else { return Breadth::Pinned };
            let (org, rest) = split_once_opt(path, ':');
            let workspace = rest.and_then(|rest| rest.split(":workspace:").nth(1));
            let (workspace, phase) = match workspace {
                Some(ws) => {
                    let (name, phase) = split_once_opt(ws, ':');
                    (Some(name), phase.or(Some("any")))
                }
                None => (None, None),
            };
            breadth(Some(org), workspace, phase, "no run phase is pinned")
        }
        CiIssuer::CircleCi => {
            let Some(path) = subject.strip_prefix("org/") else { return Breadth::Pinned };
            let (org, rest) = split_once_opt(path, '/');
            let project = rest.and_then(|rest| rest.strip_prefix("project/")).map(|p| split_once_opt(p, '/').0);
            breadth(Some(org), project, Some("any"), "no user is pinned")
        }
        CiIssuer::Bitbucket => {
            // The workspace is pinned by the issuer itself; the subject starts with the
            // repository UUID.
            let (repo, _) = split_once_opt(subject, ':');
            breadth(Some("workspace"), Some(repo), Some("any"), "no step is pinned")
        }
    }
}

/// The claim values of a GitHub subject made from the organization's custom template (the
/// claim names of `github_subject_claims`, in order): `repository_owner_id:72338:repository_id:
/// 10157:environment:prod`. The `context` claim has no name of its own in the subject (it reads
/// `ref:…`, `environment:…` or `pull_request`). A wildcard that swallows the claims after it
/// stands for each of them (`repository_owner_id:72338:*`). `None` when there is no template or the subject does not follow it.
fn custom_claims<'s>(subject: &'s str, claims: &'s [String]) -> Option<Vec<(&'s str, &'s str)>> {
    if claims.is_empty() {
        return None;
    }
    let mut values = Vec::with_capacity(claims.len());
    let mut rest = subject;
    for (index, claim) in claims.iter().enumerate() {
        let value = if claim == "context" { rest } else { rest.strip_prefix(claim.as_str())?.strip_prefix(':')? };
        let end = match claims.get(index + 1) {
            None => Some(value.len()),
            Some(next) if next == "context" => {
                [":ref:", ":environment:", ":pull_request"].iter().filter_map(|marker| value.find(marker)).min()
            }
            Some(next) => value.find(&format!(":{next}:")),
        };
        match end {
            Some(end) => {
                let (head, tail) = value.split_at(end);
                values.push((claim.as_str(), head));
                rest = tail.strip_prefix(':').unwrap_or(tail);
            }
            None if has_wildcard(value) => {
                // Claim values other than `context` hold no `:`, so the wildcard starts after it.
                let own =
                    if claim == "context" { value } else { value.split_once(':').map_or(value, |(head, _)| head) };
                values.push((claim.as_str(), own));
                values.extend(claims.iter().skip(index + 1).map(|later| (later.as_str(), "*")));
                return Some(values);
            }
            None => return None,
        }
    }
    Some(values)
}

/// Whether a `job_workflow_ref` value is one of the reusable workflows of
/// `github_job_workflow_refs` (globs there; a wildcard in the value only matches the same text).
fn pinned_workflow(value: &str, pins: &[String]) -> bool {
    pins.iter().any(|pin| if has_wildcard(value) { pin == value } else { glob_matches(pin, value) })
}

/// The breadth of a custom-template GitHub subject: the owner, the repository and the ref or
/// environment must each be pinned by some claim. A `job_workflow_ref` that is one of the
/// configured reusable workflows pins all three (the workflow decides what runs).
fn custom_breadth(values: &[(&str, &str)], pins: &[String]) -> Breadth {
    let pinned = |value: &str| !value.is_empty() && !has_wildcard(value);
    let claim = |names: &[&str]| values.iter().any(|(name, value)| names.contains(name) && pinned(value));
    if values.iter().any(|(name, value)| *name == "job_workflow_ref" && pinned_workflow(value, pins)) {
        return Breadth::Pinned;
    }
    let owner_in_slug = values
        .iter()
        .any(|(name, value)| matches!(*name, "repo" | "repository") && value.split('/').next().is_some_and(pinned));
    if !owner_in_slug && !claim(&["repository_owner", "repository_owner_id"]) {
        return Breadth::Open("no claim of the subject pins the owner");
    }
    if !claim(&["repo", "repository", "repository_id"]) {
        return Breadth::Wide("no claim of the subject pins the repository");
    }
    if !claim(&["context", "ref", "environment", "workflow_ref"]) {
        return Breadth::Wide("no claim of the subject pins a branch, tag or environment");
    }
    Breadth::Pinned
}

/// Whether the statement pins `job_workflow_ref` to configured reusable workflows: a positive
/// single-valued test whose every value is one of them.
fn pins_job_workflow(stmt: &Statement, issuer: &str, pins: &[String]) -> bool {
    if pins.is_empty() {
        return false;
    }
    let entries = narrowing_entries(stmt, &format!("{issuer}:job_workflow_ref"), true);
    entries.iter().any(|(_, entry)| {
        !entry.values.is_empty()
            && entry.values.iter().all(|value| value.value.known().is_some_and(|text| pinned_workflow(text, pins)))
    })
}

/// A subject that pins one pipeline, in the issuer's format, with placeholders to replace.
fn placeholder_subject(ci: CiIssuer) -> &'static str {
    match ci {
        CiIssuer::GitHub => "repo:ORG/REPO:ref:refs/heads/main",
        CiIssuer::GitLab => "project_path:GROUP/PROJECT:ref_type:branch:ref:main",
        CiIssuer::TerraformCloud => "organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:apply",
        CiIssuer::CircleCi => "org/ORG-ID/project/PROJECT-ID/user/USER-ID",
        CiIssuer::Bitbucket => "{REPOSITORY-UUID}:{ENVIRONMENT-UUID}:{STEP-UUID}",
    }
}

/// The placeholder subject of the issuer; for GitHub with a custom template, one in the
/// template's format (`repository_owner_id:REPOSITORY-OWNER-ID:…:ref:refs/heads/main`).
fn placeholder(ci: CiIssuer, claims: &[String]) -> String {
    if ci != CiIssuer::GitHub || claims.is_empty() {
        return placeholder_subject(ci).to_owned();
    }
    let parts: Vec<String> = claims
        .iter()
        .map(|claim| match claim.as_str() {
            "context" => "ref:refs/heads/main".to_owned(),
            "repo" => "repo:ORG/REPO".to_owned(),
            other => format!("{other}:{}", other.to_ascii_uppercase().replace('_', "-")),
        })
        .collect();
    parts.join(":")
}

fn split_once_opt(text: &str, sep: char) -> (&str, Option<&str>) {
    match text.split_once(sep) {
        Some((head, tail)) => (head, Some(tail)),
        None => (text, None),
    }
}

impl Rule for CiOidcSubjectTooBroad {
    fn check_statement(&self, stmt: &Statement, doc: &PolicyDocument, ctx: &mut RuleContext<'_>) {
        if doc.kind != PolicyKind::Trust || !stmt.is_allow() || condition_has_unknown(stmt) {
            return;
        }
        let Some(principal) = &stmt.principal else { return };
        let items = action_items(stmt, ctx);
        if !items_grant_action(&items, "sts:AssumeRoleWithWebIdentity") {
            return;
        }
        let options = ctx.settings().options.clone();
        for item in principal_items(principal) {
            let PrincipalShape::Federated(federated) = &item.shape else { continue };
            let Some(issuer) = oidc_issuer(federated) else { continue };
            let Some(ci) = ci_issuer(issuer, &options) else { continue };
            if ci == CiIssuer::GitHub && pins_job_workflow(stmt, issuer, &options.github_job_workflow_refs) {
                continue;
            }
            let key = format!("{issuer}:sub");
            let entries = narrowing_entries(stmt, &key, true);
            let pin = placeholder(ci, &options.github_subject_claims);
            let title = format!("Pin the subject to `{pin}` (placeholder)");
            if entries.is_empty() {
                let edits = PolicyEdit::insert_condition(stmt, "StringEquals", &key, std::slice::from_ref(&pin));
                ctx.report(
                    item.value.span,
                    format!(
                        "`{federated}` is trusted without a positive single-valued test of `{key}`: any {} pipeline may assume this role",
                        ci.name()
                    ),
                )
                .note("a negated or `ForAnyValue` test of the subject does not pin it")
                .fix(title, Applicability::Unsafe, edits.into_iter().collect());
                continue;
            }
            for (op, entry) in entries {
                let wildcards = op.name.base.to_ascii_lowercase().contains("like");
                for value in &entry.values {
                    let Some(subject) = value.value.known() else { continue };
                    let verdict = if wildcards {
                        subject_breadth(ci, subject, &options)
                    } else {
                        // `StringEquals` compares `*` literally, so only the shape matters.
                        match subject_breadth(ci, &subject.replace(['*', '?'], "x"), &options) {
                            Breadth::Open(_) => Breadth::Pinned,
                            other => other,
                        }
                    };
                    let edits = vec![PolicyEdit::ReplaceString { target: value.value.span, value: pin.clone() }];
                    match verdict {
                        Breadth::Pinned => {}
                        Breadth::Open(why) => {
                            ctx.report(
                                value.value.span,
                                format!("{} subject `{subject}` is too broad: {why}", ci.name()),
                            )
                            .fix(title.clone(), Applicability::Unsafe, edits);
                        }
                        Breadth::Wide(why) => {
                            ctx.report(value.value.span, format!("{} subject `{subject}` is broad: {why}", ci.name()))
                                .severity(Severity::Warning)
                                .fix(title.clone(), Applicability::Unsafe, edits);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{RuleTest, case};

    const GH: &str = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

    fn gh(condition: &str) -> String {
        format!(
            r#"{{"Statement":{{"Effect":"Allow","Principal":{{"Federated":"{GH}"}},"Action":"sts:AssumeRoleWithWebIdentity"{condition}}}}}"#
        )
    }

    #[test]
    fn custom_subject_claims_and_workflow_pins_from_the_configuration() {
        let claims = |claims: &[&str], pins: &[&str]| crate::RuleOptions {
            github_subject_claims: claims.iter().map(|claim| (*claim).to_owned()).collect(),
            github_job_workflow_refs: pins.iter().map(|pin| (*pin).to_owned()).collect(),
            ..Default::default()
        };
        let ids = claims(&["repository_owner_id", "repository_id", "context"], &[]);
        let like = |subject: &str| {
            gh(&format!(r#","Condition":{{"StringLike":{{"token.actions.githubusercontent.com:sub":"{subject}"}}}}"#))
        };
        let trust = |text: String, options: &crate::RuleOptions| {
            case::policy_json_as("trust", &text).with_options(options.clone())
        };
        let workflow = "acme/workflows/.github/workflows/deploy.yml@refs/heads/main";
        let pinned = claims(&[], &["acme/workflows/.github/workflows/deploy.yml@refs/heads/*"]);
        let job = gh(&format!(
            r#","Condition":{{"StringEquals":{{"token.actions.githubusercontent.com:job_workflow_ref":"{workflow}"}},"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}}}"#
        ));
        RuleTest::new(&super::CiOidcSubjectTooBroad)
            // Without the template, an id-based subject has no shape the rule knows.
            .pass(trust(like("repository_owner_id:*:repository_id:*:*"), &crate::RuleOptions::default()))
            .fail_with(
                trust(like("repository_owner_id:*:repository_id:*:*"), &ids),
                "no claim of the subject pins the owner",
            )
            .fail_with(trust(like("repository_owner_id:72338:*"), &ids), "no claim of the subject pins the repository")
            .fail_with(
                trust(like("repository_owner_id:72338:repository_id:10157:*"), &ids),
                "a branch, tag or environment",
            )
            .pass(trust(like("repository_owner_id:72338:repository_id:10157:environment:prod"), &ids))
            .pass(trust(like("repository_owner_id:72338:repository_id:10157:ref:refs/heads/main"), &ids))
            // A job_workflow_ref claim in the subject, pinned to a configured workflow.
            .pass(trust(
                like(&format!("repo:acme/*:job_workflow_ref:{workflow}")),
                &claims(&["repo", "job_workflow_ref"], &[workflow]),
            ))
            .fail_with(
                trust(
                    like(&format!("repo:acme/*:job_workflow_ref:{workflow}")),
                    &claims(&["repo", "job_workflow_ref"], &[]),
                ),
                "no claim of the subject pins the repository",
            )
            // A job_workflow_ref condition on a configured workflow narrows the trust by itself.
            .fail_with(trust(job.clone(), &crate::RuleOptions::default()), "is broad")
            .pass(trust(job.clone(), &pinned))
            .fail(trust(job.replace("@refs/heads/main", "@*").replace("StringEquals", "StringLike"), &pinned))
            .fix(
                trust(like("repository_owner_id:72338:*"), &ids),
                &like("repository_owner_id:REPOSITORY-OWNER-ID:repository_id:REPOSITORY-ID:ref:refs/heads/main"),
            )
            .run();
    }

    #[test]
    fn ci_oidc_subject_too_broad() {
        let trust = |text: String| case::policy_json_as("trust", &text);
        RuleTest::new(&super::CiOidcSubjectTooBroad)
            .fail_with(trust(gh("")), "without a positive single-valued test")
            .fail_with(
                trust(gh(r#","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}"#)),
                "any GitHub Actions pipeline",
            )
            .fail_with(trust(gh(r#","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*"}}"#)), "too broad")
            .fail_with(trust(gh(r#","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"*"}}"#)), "whole subject")
            .fail_with(trust(gh(r#","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*/app:ref:refs/heads/main"}}"#)), "owner segment")
            .fail_with(trust(gh(r#","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}"#)), "is broad: the repository or project segment")
            .fail_with(trust(gh(r#","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}"#)), "no branch, tag or environment")
            // Negated and ForAnyValue-only subject tests do not pin the subject.
            .fail(trust(gh(r#","Condition":{"StringNotLike":{"token.actions.githubusercontent.com:sub":"repo:evil/*"}}"#)))
            .fail(trust(gh(r#","Condition":{"ForAnyValue:StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:ref:refs/heads/main"}}"#)))
            // GitLab, Terraform Cloud, CircleCI and Bitbucket subject shapes.
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/gitlab.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"gitlab.com:sub":"project_path:acme/*"}}}}"#.to_owned()),
                "GitLab subject",
            )
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/app.terraform.io"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"app.terraform.io:sub":"organization:*:project:*:workspace:*:run_phase:*"}}}}"#.to_owned()),
                "owner segment",
            )
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.circleci.com/org/7d3c1a3e-0b7f-4c39-9d6a-2b5e8f1c9a10"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"oidc.circleci.com/org/7d3c1a3e-0b7f-4c39-9d6a-2b5e8f1c9a10:sub":"org/7d3c1a3e-0b7f-4c39-9d6a-2b5e8f1c9a10/project/*"}}}}"#.to_owned()),
                "project segment is a wildcard",
            )
            .fail_with(
                trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#.to_owned()),
                "any Bitbucket Pipelines pipeline",
            )
            .pass(trust(gh(r#","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:acme/app:environment:prod"}}"#)))
            .pass(trust(gh(r#","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":["repo:acme/app:ref:refs/heads/main","repo:acme/app:ref:refs/tags/v*"]}}"#)))
            // `StringEquals` compares `*` literally: this pins a (strangely named) branch.
            .pass(trust(gh(r#","Condition":{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:acme/app:ref:refs/heads/*"}}"#)))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/gitlab.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"gitlab.com:sub":"project_path:acme/infra:ref_type:branch:ref:main"}}}}"#.to_owned()))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/app.terraform.io"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"app.terraform.io:sub":"organization:acme:project:Default:workspace:prod-network:run_phase:*"}}}}"#.to_owned()))
            // Deny statements and non-CI issuers are out of scope.
            .pass(trust(r#"{"Statement":{"Effect":"Deny","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#.to_owned()))
            .pass(trust(r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/auth.example.com"},"Action":"sts:AssumeRoleWithWebIdentity"}}"#.to_owned()))
            .fix(trust(gh(r#","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}"#)), r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:ORG/REPO:ref:refs/heads/main"}}}}"#)
            .fix(trust(gh(r#","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}"#)), r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:ORG/REPO:ref:refs/heads/main"}}}}"#)
            .fix(case::hcl(HCL_DOCUMENT), r#"data "aws_iam_policy_document" "ci" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/gitlab.com"]
    }
    condition {
      test     = "StringLike"
      variable = "gitlab.com:sub"
      values   = ["project_path:GROUP/PROJECT:ref_type:branch:ref:main"]
    }
  }
}

resource "aws_iam_role" "ci" {
  assume_role_policy = data.aws_iam_policy_document.ci.json
}
"#)
            .fix(case::cfn(CFN_YAML), r#"Resources:
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Federated: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:sub: repo:ORG/REPO:ref:refs/heads/main
"#)
            .run();
    }

    const HCL_DOCUMENT: &str = r#"data "aws_iam_policy_document" "ci" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/gitlab.com"]
    }
    condition {
      test     = "StringLike"
      variable = "gitlab.com:sub"
      values   = ["project_path:acme/*"]
    }
  }
}

resource "aws_iam_role" "ci" {
  assume_role_policy = data.aws_iam_policy_document.ci.json
}
"#;

    const CFN_YAML: &str = r#"Resources:
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Federated: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
            Action: sts:AssumeRoleWithWebIdentity
"#;
}
