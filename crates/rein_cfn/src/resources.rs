//! Which properties of which resource types hold policy documents, and of what kind.
//!
//! The property names follow the CloudFormation resource reference
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html>).

use rein_model::{Node, NodeKind, PolicyKind, Unknown, Value};
use rein_text::Span;

use crate::lower::{Template, if_parts, intrinsic_arg, long_form};
use crate::syntax::{Kind, Tree};

/// A policy-bearing property of one resource.
pub(crate) enum Site<'t> {
    Document {
        attribute: String,
        kind: PolicyKind,
        value: &'t Tree,
        /// The `Fn::If` branches around the property that lead to this value (a policy of a
        /// `Policies` list under `!If [IsProd, …, !Ref AWS::NoValue]`).
        branch: Vec<(String, bool)>,
    },
    /// A document built by rein, e.g. the statements of a SAM policy template.
    Built { attribute: String, kind: PolicyKind, node: rein_model::Node },
    /// The property is there but its shape cannot be read (a `Policies` list from `Fn::If`).
    Unknown { attribute: String, kind: PolicyKind, span: Span, reason: String },
}

fn resource(service: &str) -> PolicyKind {
    PolicyKind::Resource { service: Some(service.to_owned()) }
}

/// The single-document properties of a resource type.
fn document_properties(ty: &str) -> &'static [(&'static str, DocKind)] {
    match ty {
        "AWS::IAM::Role" => &[("AssumeRolePolicyDocument", DocKind::Trust)],
        "AWS::IAM::Policy"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::IAM::RolePolicy"
        | "AWS::IAM::UserPolicy"
        | "AWS::IAM::GroupPolicy" => &[("PolicyDocument", DocKind::Identity)],
        "AWS::S3::BucketPolicy" => &[("PolicyDocument", DocKind::Resource("s3"))],
        "AWS::SQS::QueuePolicy" => &[("PolicyDocument", DocKind::Resource("sqs"))],
        "AWS::SNS::TopicPolicy" => &[("PolicyDocument", DocKind::Resource("sns"))],
        "AWS::KMS::Key" => &[("KeyPolicy", DocKind::Resource("kms"))],
        "AWS::ECR::Repository" => &[("RepositoryPolicyText", DocKind::Resource("ecr"))],
        "AWS::SecretsManager::ResourcePolicy" => &[("ResourcePolicy", DocKind::Resource("secretsmanager"))],
        "AWS::Serverless::Function" => &[("AssumeRolePolicyDocument", DocKind::Trust)],
        "AWS::SSO::PermissionSet" => &[("InlinePolicy", DocKind::Identity)],
        "AWS::S3::AccessPoint" => &[("Policy", DocKind::Resource("s3"))],
        "AWS::KMS::ReplicaKey" => &[("KeyPolicy", DocKind::Resource("kms"))],
        "AWS::ECR::RegistryPolicy" => &[("PolicyText", DocKind::Resource("ecr"))],
        "AWS::OpenSearchService::Domain" | "AWS::Elasticsearch::Domain" => {
            &[("AccessPolicies", DocKind::Resource("es"))]
        }
        "AWS::Logs::ResourcePolicy" => &[("PolicyDocument", DocKind::Resource("logs"))],
        "AWS::Backup::BackupVault" => &[("AccessPolicy", DocKind::Resource("backup"))],
        "AWS::EFS::FileSystem" => &[("FileSystemPolicy", DocKind::Resource("elasticfilesystem"))],
        "AWS::ApiGateway::RestApi" => &[("Policy", DocKind::Resource("execute-api"))],
        "AWS::CodeArtifact::Domain" | "AWS::CodeArtifact::Repository" => {
            &[("PermissionsPolicyDocument", DocKind::Resource("codeartifact"))]
        }
        // The properties below follow the resource types that AWS's cfn-policy-validator reads,
        // each checked against its page in the CloudFormation resource reference.
        // A VPC endpoint policy applies to whichever service the endpoint serves.
        "AWS::EC2::VPCEndpoint" => &[("PolicyDocument", DocKind::AnyResource)],
        "AWS::Events::EventBus" => &[("Policy", DocKind::Resource("events"))],
        "AWS::Glue::ResourcePolicy" => &[("PolicyInJson", DocKind::Resource("glue"))],
        "AWS::S3ObjectLambda::AccessPointPolicy" => &[("PolicyDocument", DocKind::Resource("s3-object-lambda"))],
        "AWS::S3Express::BucketPolicy" => &[("PolicyDocument", DocKind::Resource("s3express"))],
        "AWS::S3::MultiRegionAccessPointPolicy" => &[("Policy", DocKind::Resource("s3"))],
        "AWS::DynamoDB::Table" => &[
            ("ResourcePolicy.PolicyDocument", DocKind::Resource("dynamodb")),
            ("StreamSpecification.ResourcePolicy.PolicyDocument", DocKind::Resource("dynamodb")),
        ],
        "AWS::DynamoDB::GlobalTable" => &[("Replicas[].ResourcePolicy.PolicyDocument", DocKind::Resource("dynamodb"))],
        "AWS::Kinesis::ResourcePolicy" => &[("ResourcePolicy", DocKind::Resource("kinesis"))],
        "AWS::Logs::Destination" => &[("DestinationPolicy", DocKind::Resource("logs"))],
        "AWS::ECR::PublicRepository" => &[("RepositoryPolicyText", DocKind::Resource("ecr-public"))],
        _ => &[],
    }
}

/// A static description of a policy kind.
#[derive(Clone, Copy)]
enum DocKind {
    Identity,
    Trust,
    Resource(&'static str),
    /// A resource policy whose service is not fixed by the property.
    AnyResource,
}

impl DocKind {
    fn kind(self) -> PolicyKind {
        match self {
            DocKind::Identity => PolicyKind::Identity,
            DocKind::Trust => PolicyKind::Trust,
            DocKind::Resource(service) => resource(service),
            DocKind::AnyResource => PolicyKind::Resource { service: None },
        }
    }
}

/// The policy documents of one resource, in source order.
pub(crate) fn sites<'t>(template: &Template<'_>, ty: &str, properties: &'t Tree) -> Vec<Site<'t>> {
    let mut sites = Vec::new();
    for (name, kind) in document_properties(ty) {
        for (attribute, value) in property_paths(properties, name) {
            sites.push(Site::Document { attribute, kind: kind.kind(), value, branch: Vec::new() });
        }
    }
    if ty == "AWS::Events::EventBusPolicy" {
        event_bus_policy(template, properties, &mut sites);
    }
    if matches!(ty, "AWS::Lambda::Permission" | "AWS::Lambda::LayerVersionPermission") {
        lambda_permission(template, ty, properties, &mut sites);
    }
    if matches!(ty, "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group")
        && let Some(policies) = properties.get("Policies")
    {
        inline_policies(template, policies, &mut sites);
    }
    // With `Role`, SAM uses that role and ignores `Policies`.
    if matches!(ty, "AWS::Serverless::Function" | "AWS::Serverless::StateMachine")
        && properties.get("Role").is_none()
        && let Some(policies) = properties.get("Policies")
    {
        sam_policies(template, policies, &mut sites);
    }
    if ty == "AWS::Organizations::Policy"
        && let Some(content) = properties.get("Content")
    {
        let kind = match properties.get("Type").and_then(Tree::as_str) {
            Some("SERVICE_CONTROL_POLICY") => Some(PolicyKind::Scp),
            Some("RESOURCE_CONTROL_POLICY") => Some(PolicyKind::Rcp),
            // Tag, backup and AI opt-out policies are not IAM policies.
            _ => None,
        };
        if let Some(kind) = kind {
            sites.push(Site::Document { attribute: "Content".to_owned(), kind, value: content, branch: Vec::new() });
        }
    }
    sites.sort_by_key(|site| match site {
        Site::Document { value, .. } => value.span.start,
        Site::Unknown { span, .. } => usize::from(span.range.start()),
        Site::Built { node, .. } => usize::from(node.span.range.start()),
    });
    sites
}

/// The values at a property path: `A.B` is `B` inside `A`, and `A[].B` is `B` in every item
/// of the list `A`; each with its attribute name (`Replicas[0].ResourcePolicy.PolicyDocument`).
fn property_paths<'t>(properties: &'t Tree, path: &str) -> Vec<(String, &'t Tree)> {
    let mut found = vec![(String::new(), properties)];
    for part in path.split('.') {
        let (name, each) = match part.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (part, false),
        };
        let mut next = Vec::new();
        for (prefix, tree) in found {
            let Some(value) = tree.get(name) else { continue };
            let attribute = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
            match (&value.kind, each) {
                (Kind::Seq(items), true) => {
                    next.extend(items.iter().enumerate().map(|(idx, item)| (format!("{attribute}[{idx}]"), item)));
                }
                (_, true) => {}
                _ => next.push((attribute, value)),
            }
        }
        found = next;
    }
    found
}

/// `AWS::Events::EventBusPolicy`: one `Statement`, or the older `Action`, `Principal` and
/// `Condition` properties, made into a resource policy of the bus
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-eventbuspolicy.html>).
fn event_bus_policy(template: &Template<'_>, properties: &Tree, sites: &mut Vec<Site<'_>>) {
    use crate::sam::{array, member, object};
    let kind = resource("events");
    if let Some((key, statement)) = properties.entries().iter().find(|(key, _)| key.as_str() == Some("Statement")) {
        let Some(node) = template.lower(statement, 1) else { return };
        let at = template.span(&key.span);
        let version = Node::new(at, NodeKind::String(Value::known("2012-10-17")));
        let document =
            object(at, vec![member(at, "Version", version), member(at, "Statement", array(node.span, vec![node]))]);
        sites.push(Site::Built { attribute: "Statement".to_owned(), kind, node: document });
        return;
    }
    let (Some(action), Some(principal)) = (properties.get("Action"), properties.get("Principal")) else { return };
    let at = template.span(&action.span);
    let mut members = vec![member(at, "Effect", Node::new(at, NodeKind::String(Value::known("Allow"))))];
    if let Some(principal) = template.lower(principal, 1) {
        let principal = match &principal.kind {
            NodeKind::String(Value::Known(text)) if text == "*" => principal,
            _ => object(principal.span, vec![member(principal.span, "AWS", principal.clone())]),
        };
        members.push(member(at, "Principal", principal));
    }
    members.extend(template.lower(action, 1).map(|action| member(at, "Action", action)));
    members.push(member(
        at,
        "Resource",
        Node::new(
            at,
            NodeKind::String(Value::Unknown(Unknown::new("the ARN of the event bus the policy is attached to"))),
        ),
    ));
    if let Some(condition) = properties.get("Condition").and_then(|condition| template.lower(condition, 1)) {
        // The older `Condition` property is one `{Type, Key, Value}` condition.
        members.push(member(at, "Condition", legacy_condition(condition)));
    }
    let statement = object(at, members);
    let version = Node::new(at, NodeKind::String(Value::known("2012-10-17")));
    let document =
        object(at, vec![member(at, "Version", version), member(at, "Statement", array(at, vec![statement]))]);
    sites.push(Site::Built { attribute: "Action".to_owned(), kind, node: document });
}

/// `{Type: StringEquals, Key: aws:PrincipalOrgID, Value: o-…}` as a policy condition block.
fn legacy_condition(condition: Node) -> Node {
    use crate::sam::{member, object};
    let at = condition.span;
    let NodeKind::Object(fields) = &condition.kind else { return condition };
    let field = |name: &str| fields.members.iter().find(|m| m.key.name == name).map(|m| m.value.clone());
    let (
        Some(Node { kind: NodeKind::String(Value::Known(operator)), .. }),
        Some(Node { kind: NodeKind::String(Value::Known(key)), .. }),
        Some(value),
    ) = (field("Type"), field("Key"), field("Value"))
    else {
        return Node::new(
            at,
            NodeKind::Unknown(Unknown::new(
                "the `Condition` of the event bus policy is not of the form {Type, Key, Value}",
            )),
        );
    };
    object(at, vec![member(at, &operator, object(at, vec![member(at, &key, value)]))])
}

/// `AWS::Lambda::Permission` and `AWS::Lambda::LayerVersionPermission` grant one action to one
/// principal; they are read as the one-statement resource policy that Lambda adds for them
/// (`SourceArn`, `SourceAccount`, `PrincipalOrgID`, `OrganizationId` become its conditions), as
/// cfn-policy-validator does
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html>,
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-layerversionpermission.html>).
fn lambda_permission(template: &Template<'_>, ty: &str, properties: &Tree, sites: &mut Vec<Site<'_>>) {
    use crate::sam::{array, member, object};
    let Some(principal_tree) = properties.get("Principal") else { return };
    let Some(action_tree) = properties.get("Action") else { return };
    let at = template.span(&principal_tree.span);
    let string = |span, text: &str| Node::new(span, NodeKind::String(Value::known(text)));
    let mut members = vec![member(at, "Effect", string(at, "Allow"))];
    if let Some(principal) = template.lower(principal_tree, 1) {
        let principal = match &principal.kind {
            NodeKind::String(Value::Known(text)) if text == "*" => principal,
            // A service principal is a DNS name; anything else is an account or an ARN.
            NodeKind::String(Value::Known(text)) if text.contains(".amazonaws.com") || text.ends_with(".com") => {
                object(principal.span, vec![member(principal.span, "Service", principal.clone())])
            }
            _ => object(principal.span, vec![member(principal.span, "AWS", principal.clone())]),
        };
        members.push(member(at, "Principal", principal));
    }
    members.extend(template.lower(action_tree, 1).map(|action| member(at, "Action", action)));
    let target = if ty == "AWS::Lambda::Permission" { "FunctionName" } else { "LayerVersionArn" };
    let target_node = match properties.get(target).and_then(|tree| template.lower(tree, 1)) {
        Some(node) => node,
        None => Node::new(at, NodeKind::String(Value::Unknown(Unknown::new(format!("`{target}` is not given"))))),
    };
    members.push(member(at, "Resource", target_node));
    let conditions: [(&str, &str, &str); 4] = [
        ("SourceArn", "ArnLike", "aws:SourceArn"),
        ("SourceAccount", "StringEquals", "aws:SourceAccount"),
        ("PrincipalOrgID", "StringEquals", "aws:PrincipalOrgID"),
        ("OrganizationId", "StringEquals", "aws:PrincipalOrgID"),
    ];
    let mut operators: Vec<rein_model::tree::Member> = Vec::new();
    for (property, operator, key) in conditions {
        let Some(value) = properties.get(property).and_then(|tree| template.lower(tree, 1)) else { continue };
        let entry = member(value.span, key, value);
        match operators.iter_mut().find(|existing| existing.key.name == operator) {
            Some(existing) => {
                if let NodeKind::Object(block) = &mut existing.value.kind {
                    block.members.push(entry);
                }
            }
            None => operators.push(member(at, operator, object(at, vec![entry]))),
        }
    }
    if !operators.is_empty() {
        members.push(member(at, "Condition", object(at, operators)));
    }
    let statement = object(at, members);
    let version = string(at, "2012-10-17");
    let document =
        object(at, vec![member(at, "Version", version), member(at, "Statement", array(at, vec![statement]))]);
    sites.push(Site::Built { attribute: "Principal".to_owned(), kind: resource("lambda"), node: document });
}

/// The `Fn::If` conditions and the values they take on the way to a value.
pub(crate) type Branch = Vec<(String, bool)>;

/// The deepest nesting of `Fn::If` around a property that is followed.
const MAX_IF_NESTING: usize = 4;

/// The values a tree may take through the `Fn::If` functions at its top, with the branches that
/// lead to each; `AWS::NoValue` branches are left out, since the element is then absent.
pub(crate) fn branches(tree: &Tree) -> Vec<(Vec<(String, bool)>, &Tree)> {
    let mut out = Vec::new();
    let mut todo = vec![(Vec::new(), tree)];
    while let Some((path, node)) = todo.pop() {
        let parts = intrinsic_arg(node, "Fn::If").and_then(if_parts);
        match parts {
            Some((condition, when_true, when_false)) if path.len() < MAX_IF_NESTING => {
                // Pushed in reverse so that the true branch comes first.
                for (value, branch) in [(false, when_false), (true, when_true)] {
                    let mut path: Vec<(String, bool)> = path.clone();
                    path.push((condition.to_owned(), value));
                    todo.push((path, branch));
                }
            }
            _ if is_no_value(node) => {}
            _ => out.push((path, node)),
        }
    }
    out
}

/// `!Ref AWS::NoValue`.
fn is_no_value(tree: &Tree) -> bool {
    intrinsic_arg(tree, "Ref").and_then(Tree::as_str) == Some("AWS::NoValue")
}

/// `Policies: [{PolicyName, PolicyDocument}]` of a role, user or group.
fn inline_policies<'t>(template: &Template<'_>, policies: &'t Tree, sites: &mut Vec<Site<'t>>) {
    for (list_branch, policies) in branches(policies) {
        let Kind::Seq(items) = &policies.kind else {
            if is_intrinsic(policies) {
                let reason = "the list of policies is an intrinsic function";
                sites.push(unknown_site(template, "Policies", policies, reason));
            }
            continue;
        };
        for (idx, item) in items.iter().enumerate() {
            for (item_branch, item) in branches(item) {
                let mut branch = list_branch.clone();
                branch.extend(item_branch);
                inline_policy(template, idx, item, branch, sites);
            }
        }
    }
}

fn inline_policy<'t>(
    template: &Template<'_>,
    idx: usize,
    item: &'t Tree,
    branch: Vec<(String, bool)>,
    sites: &mut Vec<Site<'t>>,
) {
    {
        if is_intrinsic(item) {
            let reason = match template.lower(item, 1) {
                None => return,
                Some(node) => match node.kind {
                    rein_model::NodeKind::Unknown(unknown) => unknown.reason,
                    _ => "the policy is an intrinsic function".to_owned(),
                },
            };
            let attribute = format!("Policies[{idx}]{}", branch_label(&branch));
            sites.push(unknown_site(template, &attribute, item, &reason));
            return;
        }
        if let Some(document) = item.get("PolicyDocument") {
            let attribute = format!("Policies[{idx}].PolicyDocument");
            sites.push(Site::Document { attribute, kind: PolicyKind::Identity, value: document, branch });
        }
    }
}

/// ` (if IsProd: true, HasLogs: false)`, or nothing without branches.
pub(crate) fn branch_label(branch: &[(String, bool)]) -> String {
    if branch.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = branch.iter().map(|(condition, value)| format!("{condition}: {value}")).collect();
    format!(" (if {})", parts.join(", "))
}

fn is_intrinsic(tree: &Tree) -> bool {
    matches!(tree.kind, Kind::Tagged(..)) || long_form(tree).is_some()
}

fn unknown_site<'t>(template: &Template<'_>, attribute: &str, tree: &Tree, reason: &str) -> Site<'t> {
    Site::Unknown {
        attribute: attribute.to_owned(),
        kind: PolicyKind::Identity,
        span: template.span(&tree.span),
        reason: reason.to_owned(),
    }
}

/// The `Policies` of a SAM function or state machine: a managed policy name or ARN, an inline
/// document (`{Statement: …}`), a SAM policy template (`S3ReadPolicy: {BucketName: …}`), or a
/// list of those
/// (<https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-policies>).
fn sam_policies<'t>(template: &Template<'_>, policies: &'t Tree, sites: &mut Vec<Site<'t>>) {
    for (attribute, branch, item) in sam_items(policies) {
        if is_intrinsic(item) {
            let reason = match template.lower(item, 1) {
                None => continue,
                Some(node) => match node.kind {
                    rein_model::NodeKind::Unknown(unknown) => unknown.reason,
                    rein_model::NodeKind::String(value) => match value.unknown_reasons().first() {
                        // A managed policy ARN or name, not a document.
                        None => continue,
                        Some(_) if value.reference().is_some() || value.is_typed_placeholder() => continue,
                        Some(reason) => (*reason).to_owned(),
                    },
                    _ => "the policy is an intrinsic function".to_owned(),
                },
            };
            sites.push(unknown_site(template, &format!("{attribute}{}", branch_label(&branch)), item, &reason));
            continue;
        }
        match item.entries() {
            _ if item.get("Statement").is_some() => {
                sites.push(Site::Document { attribute, kind: PolicyKind::Identity, value: item, branch });
            }
            [(key, params)] => {
                let name = key.as_str().unwrap_or_default();
                let attribute = format!("{attribute} ({name}){}", branch_label(&branch));
                match crate::sam::find(name) {
                    Some(policy) => {
                        let node = crate::sam::expand(template, policy, item, key, params);
                        sites.push(Site::Built { attribute, kind: PolicyKind::Identity, node });
                    }
                    None => {
                        let reason = format!("`{name}` is not a SAM policy template known to rein");
                        sites.push(unknown_site(template, &attribute, item, &reason));
                    }
                }
            }
            [] => {}
            _ => {
                let reason = "a policy of `Policies` is neither a document nor one SAM policy template";
                sites.push(unknown_site(template, &format!("{attribute}{}", branch_label(&branch)), item, reason));
            }
        }
    }
}

/// The items of a SAM `Policies` value with their attribute names and the `Fn::If` branches
/// that lead to them.
fn sam_items(policies: &Tree) -> Vec<(String, Branch, &Tree)> {
    let mut out = Vec::new();
    for (list_branch, policies) in branches(policies) {
        match &policies.kind {
            Kind::Seq(items) => {
                for (idx, item) in items.iter().enumerate() {
                    for (item_branch, item) in branches(item) {
                        let mut branch = list_branch.clone();
                        branch.extend(item_branch);
                        out.push((format!("Policies[{idx}]"), branch, item));
                    }
                }
            }
            _ => out.push(("Policies".to_owned(), list_branch, policies)),
        }
    }
    out
}

/// The managed policies of a SAM `Policies` value, as ARNs: a name such as
/// `AmazonS3ReadOnlyAccess` is an AWS managed policy, which SAM turns into its ARN in the stack's
/// partition.
pub(crate) fn sam_managed_policies(template: &Template<'_>, policies: &Tree) -> Vec<rein_model::Node> {
    let mut out = Vec::new();
    for (_, _, item) in sam_items(policies) {
        if item.get("Statement").is_some() || !item.entries().is_empty() {
            continue;
        }
        let Some(node) = template.lower(item, 1) else { continue };
        match &node.kind {
            rein_model::NodeKind::String(rein_model::Value::Known(text)) if !text.starts_with("arn:") => {
                let parts = vec![
                    rein_model::TemplatePart::Text("arn:".to_owned()),
                    rein_model::TemplatePart::Hole(crate::lower::pseudo_hole("AWS::Partition")),
                    rein_model::TemplatePart::Text(format!(":iam::aws:policy/{text}")),
                ];
                out.push(rein_model::Node::new(
                    node.span,
                    rein_model::NodeKind::String(rein_model::Value::Partial(parts)),
                ));
            }
            rein_model::NodeKind::String(_) => out.push(node),
            _ => {}
        }
    }
    out
}
