//! Entity edits of a template: a property inserted under a resource's `Properties`, and a new
//! resource under `Resources`, both written in the template's own syntax and indentation.

use rein_model::{AttributeValue, EditValue, NewEntity};
use rein_text::{Span, TextEdit};

use super::{Ctx, offsets};
use crate::syntax::{Kind, Tree};

impl<'t> Ctx<'t> {
    /// The mapping of `Resources`, when the template has one written as a mapping.
    fn resources(&self) -> Option<&'t Tree> {
        let resources = self.root.get("Resources")?;
        matches!(resources.kind, Kind::Map(_)).then_some(resources)
    }

    /// Inserts the properties that stand for the model attributes into the resource whose
    /// extent (logical id to the end of its definition) is `entity`: under its `Properties`, or
    /// under a new `Properties` when it has none.
    pub(super) fn insert_attributes(
        &self,
        entity: Span,
        attributes: &[(String, AttributeValue)],
    ) -> Option<Vec<TextEdit>> {
        let (start, _) = offsets(entity);
        let (_, resource) = self.resources()?.entries().iter().find(|(key, _)| key.span.start == start)?;
        if !matches!(resource.kind, Kind::Map(_)) || attributes.is_empty() {
            return None;
        }
        let ty = resource.get("Type")?.as_str()?;
        let (_, names) = crate::entities::mapping(ty)?;
        let properties = resource.get("Properties");
        // `Properties: !If […]` and the like: each branch would need the property.
        if properties.is_some_and(|properties| !matches!(properties.kind, Kind::Map(_))) {
            return None;
        }
        let mut members = Vec::new();
        for (name, value) in attributes {
            // Only a property of the resource itself; a nested one (`RecordingGroup.AllSupported`)
            // would need its parent mapping.
            let property = names.iter().find(|(path, canonical)| canonical == name && !path.contains('.'))?.0;
            if properties.is_some_and(|properties| properties.get(property).is_some()) {
                return None;
            }
            members.push((property.to_owned(), value.to_edit_value()?));
        }
        match properties {
            Some(properties) => self.append_members(self.span(properties), &members),
            None => {
                let members = EditValue::Object(members);
                self.append_members(self.span(resource), &[("Properties".to_owned(), members)])
            }
        }
    }

    /// Adds resources after the last one under `Resources`, unless a logical id is taken.
    pub(super) fn generate_entities(&self, entities: &[NewEntity]) -> Option<Vec<TextEdit>> {
        let resources = self.resources()?;
        let mut members = Vec::new();
        for (idx, entity) in entities.iter().enumerate() {
            let taken = resources.entries().iter().any(|(key, _)| key.as_str() == Some(entity.name.as_str()))
                || entities.get(..idx)?.iter().any(|other| other.name == entity.name);
            if !entity.is_cloudformation() || entity.data_source || !is_logical_id(&entity.name) || taken {
                return None;
            }
            let mut resource = vec![("Type".to_owned(), EditValue::String(entity.resource_type.clone()))];
            if !entity.attributes.is_empty() {
                let properties = entity
                    .attributes
                    .iter()
                    .map(|(key, value)| Some((key.clone(), value.to_edit_value()?)))
                    .collect::<Option<_>>()?;
                resource.push(("Properties".to_owned(), EditValue::Object(properties)));
            }
            members.push((entity.name.clone(), EditValue::Object(resource)));
        }
        self.append_members(self.span(resources), &members)
    }

    /// Removes the resource whose extent is `entity` from `Resources`, its line and those of its
    /// definition in a block mapping, the member and its comma in a flow mapping or JSON.
    /// Declines a replacement: templates have no state blocks, and a new logical id is a new
    /// resource.
    pub(super) fn remove_entity(&self, entity: Span) -> Option<Vec<TextEdit>> {
        let (start, _) = offsets(entity);
        let resources = self.resources()?;
        let entries = resources.entries();
        let idx = entries.iter().position(|(key, _)| key.span.start == start)?;
        let (key, value) = entries.get(idx)?;
        if self.is_flow(resources) {
            self.remove_flow(key.span.start, value.span.end)
        } else {
            let next = entries.get(idx + 1).map(|(next, _)| next.span.start);
            self.remove_block(key.span.start, value.span.end, next, entries.len(), "{}")
        }
    }

    fn span(&self, tree: &Tree) -> Span {
        Span::from_offsets(self.file, tree.span.start, tree.span.end)
    }
}

/// Whether `name` is a logical id CloudFormation accepts: ASCII letters and digits.
fn is_logical_id(name: &str) -> bool {
    !name.is_empty() && name.len() <= 255 && name.bytes().all(|byte| byte.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use rein_model::{AttributeValue, EditRenderer, EditValue, EntityKind, NewEntity, PolicyEdit, SourceSyntax};
    use rein_text::{FileId, Span, apply_edits};

    use crate::analyze_template;
    use crate::edit::CfnRenderer;

    const FILE: FileId = FileId(0);
    const BOUNDARY: &str = "arn:aws:iam::111122223333:policy/boundary";

    fn render(text: &str, edit: &PolicyEdit) -> Option<String> {
        let renderer = CfnRenderer::new(FILE, text);
        let edits = renderer.document(SourceSyntax::Structured).render(edit)?;
        let fixed = apply_edits(text, &edits).expect("edits apply");
        let issues = analyze_template(FILE, &fixed).issues;
        assert!(issues.is_empty(), "the fixed template has syntax errors {issues:?}:\n{fixed}");
        Some(fixed)
    }

    /// Adds the role's permissions boundary and checks that the template reads it back.
    fn add_boundary(text: &str) -> Option<String> {
        let role = analyze_template(FILE, text).entities.into_iter().find(|entity| entity.kind == EntityKind::Role)?;
        let edit = PolicyEdit::insert_attribute(role.extent, "permissions_boundary", AttributeValue::string(BOUNDARY));
        let fixed = render(text, &edit)?;
        let reread = analyze_template(FILE, &fixed).entities;
        let role = reread.iter().find(|entity| entity.kind == EntityKind::Role).unwrap();
        assert!(role.attribute("permissions_boundary").is_some(), "{fixed}");
        Some(fixed)
    }

    #[test]
    fn inserts_properties_in_yaml() {
        let text = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: r # the role\n  Other:\n    Type: AWS::SNS::Topic\n";
        assert_eq!(
            add_boundary(text).unwrap(),
            text.replace("# the role\n", &format!("# the role\n      PermissionsBoundary: {BOUNDARY}\n"))
        );
        // Without `Properties`, the section is created at the template's indentation.
        let text = "Resources:\n    Role:\n        Type: AWS::IAM::Role\n    Other:\n        Type: AWS::SNS::Topic\n";
        assert_eq!(
            add_boundary(text).unwrap(),
            text.replace(
                "Role\n    Other",
                &format!("Role\n        Properties:\n            PermissionsBoundary: {BOUNDARY}\n    Other")
            )
        );
        let text = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties: {RoleName: r}\n";
        assert_eq!(add_boundary(text).unwrap(), text.replace("r}", &format!("r, PermissionsBoundary: {BOUNDARY}}}")));
    }

    #[test]
    fn inserts_properties_in_json() {
        let text = "{\n  \"Resources\": {\n    \"Role\": {\n      \"Type\": \"AWS::IAM::Role\",\n      \"Properties\": {\n        \"RoleName\": \"r\"\n      }\n    }\n  }\n}\n";
        assert_eq!(
            add_boundary(text).unwrap(),
            text.replace("\"r\"\n", &format!("\"r\",\n        \"PermissionsBoundary\": \"{BOUNDARY}\"\n"))
        );
        let text = "{\n  \"Resources\": {\n    \"Role\": {\n      \"Type\": \"AWS::IAM::Role\"\n    }\n  }\n}\n";
        assert_eq!(
            add_boundary(text).unwrap(),
            text.replace(
                "Role\"\n",
                &format!(
                    "Role\",\n      \"Properties\": {{\n        \"PermissionsBoundary\": \"{BOUNDARY}\"\n      }}\n"
                )
            )
        );
    }

    #[test]
    fn declines_properties_it_cannot_place() {
        // Under `Fn::If` each branch would need the property.
        let text =
            "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties: !If [Prod, {RoleName: a}, {RoleName: b}]\n";
        assert_eq!(add_boundary(text), None);
        let text = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      PermissionsBoundary: !Ref Boundary\n";
        assert_eq!(add_boundary(text), None);
        // A model name the resource type has no property for.
        let text = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n";
        let role = analyze_template(FILE, text).entities.into_iter().next().unwrap();
        let edit = PolicyEdit::insert_attribute(role.extent, "max_password_age", AttributeValue::literal(90));
        assert_eq!(render(text, &edit), None);
    }

    fn analyzer(resource_type: &str, name: &str) -> PolicyEdit {
        PolicyEdit::GenerateEntities(vec![new_analyzer(resource_type, name)])
    }

    fn new_analyzer(resource_type: &str, name: &str) -> NewEntity {
        NewEntity {
            near: Span::from_offsets(FILE, 0, 0),
            anchor: true,
            data_source: false,
            resource_type: resource_type.to_owned(),
            name: name.to_owned(),
            attributes: vec![
                ("AnalyzerName".to_owned(), AttributeValue::string("default")),
                ("Type".to_owned(), AttributeValue::string("ACCOUNT")),
                (
                    "Tags".to_owned(),
                    AttributeValue::Value(EditValue::object([("Owner", EditValue::String("security".to_owned()))])),
                ),
            ],
        }
    }

    fn generate(text: &str) -> Option<String> {
        let fixed = render(text, &analyzer("AWS::AccessAnalyzer::Analyzer", "AccessAnalyzer"))?;
        let entities = analyze_template(FILE, &fixed).entities;
        let analyzer = entities.iter().find(|entity| entity.kind == EntityKind::AccessAnalyzer).unwrap();
        assert_eq!(analyzer.string("type").and_then(rein_model::Value::as_known), Some("ACCOUNT"));
        Some(fixed)
    }

    #[test]
    fn generates_resources_in_the_templates_own_layout() {
        let text = "Resources:\n  Role:\n    Type: AWS::IAM::Role\nOutputs:\n  A:\n    Value: b\n";
        assert_eq!(
            generate(text).unwrap(),
            text.replace(
                "Role\nOutputs",
                "Role\n  AccessAnalyzer:\n    Type: AWS::AccessAnalyzer::Analyzer\n    Properties:\n      AnalyzerName: default\n      Type: ACCOUNT\n      Tags:\n        Owner: security\nOutputs"
            )
        );
        let text = "Resources:\n    Role:\n        Type: AWS::IAM::Role\n";
        assert_eq!(
            generate(text).unwrap(),
            format!(
                "{text}    AccessAnalyzer:\n        Type: AWS::AccessAnalyzer::Analyzer\n        Properties:\n            AnalyzerName: default\n            Type: ACCOUNT\n            Tags:\n                Owner: security\n"
            )
        );
        let text = "{\n  \"Resources\": {\n    \"Role\": {\n      \"Type\": \"AWS::IAM::Role\"\n    }\n  }\n}\n";
        assert_eq!(
            generate(text).unwrap(),
            text.replace(
                "Role\"\n    }\n",
                "Role\"\n    },\n    \"AccessAnalyzer\": {\n      \"Type\": \"AWS::AccessAnalyzer::Analyzer\",\n      \"Properties\": {\n        \"AnalyzerName\": \"default\",\n        \"Type\": \"ACCOUNT\",\n        \"Tags\": {\n          \"Owner\": \"security\"\n        }\n      }\n    }\n"
            )
        );
    }

    #[test]
    fn declines_generated_resources_that_do_not_fit() {
        let text = "Resources:\n  AccessAnalyzer:\n    Type: AWS::SNS::Topic\n";
        assert_eq!(render(text, &analyzer("AWS::AccessAnalyzer::Analyzer", "AccessAnalyzer")), None);
        let text = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n";
        assert_eq!(render(text, &analyzer("aws_accessanalyzer_analyzer", "AccessAnalyzer")), None);
        assert_eq!(render(text, &analyzer("AWS::AccessAnalyzer::Analyzer", "access-analyzer")), None);
        let twice = vec![
            new_analyzer("AWS::AccessAnalyzer::Analyzer", "A"),
            new_analyzer("AWS::AccessAnalyzer::Analyzer", "A"),
        ];
        assert_eq!(render(text, &PolicyEdit::GenerateEntities(twice)), None);
    }

    #[test]
    fn generates_several_resources_in_one_edit() {
        let text = "{\"Resources\": {\"Role\": {\"Type\": \"AWS::IAM::Role\"}}}";
        let both = vec![
            new_analyzer("AWS::AccessAnalyzer::Analyzer", "A"),
            new_analyzer("AWS::AccessAnalyzer::Analyzer", "B"),
        ];
        let renderer = CfnRenderer::new(FILE, text);
        let edits =
            renderer.document(SourceSyntax::Structured).render(&PolicyEdit::GenerateEntities(both.clone())).unwrap();
        assert_eq!(edits.len(), 1, "{edits:?}");
        let fixed = render(text, &PolicyEdit::GenerateEntities(both.clone())).unwrap();
        let analyzers =
            analyze_template(FILE, &fixed).entities.into_iter().filter(|e| e.kind == EntityKind::AccessAnalyzer);
        assert_eq!(analyzers.map(|e| e.address).collect::<Vec<_>>(), ["A", "B"], "{fixed}");
        let text = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n";
        let fixed = render(text, &PolicyEdit::GenerateEntities(both)).unwrap();
        assert!(fixed.starts_with(&format!("{text}  A:\n    Type: AWS::AccessAnalyzer::Analyzer\n")), "{fixed}");
        assert!(fixed.contains("        Owner: security\n  B:\n"), "{fixed}");
    }

    fn remove_resource(text: &str, logical_id: &str) -> Option<String> {
        let entity = analyze_template(FILE, text).entities.into_iter().find(|entity| entity.address == logical_id)?;
        let fixed =
            render(text, &PolicyEdit::ReplaceEntity { entity: entity.extent, with: Vec::new(), state: Vec::new() })?;
        assert!(analyze_template(FILE, &fixed).entities.iter().all(|entity| entity.address != logical_id), "{fixed}");
        Some(fixed)
    }

    #[test]
    fn removes_a_resource_in_yaml_and_json() {
        let yaml = "Resources:\n  Alice:\n    Type: AWS::IAM::User\n  Attach:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n      Users: [!Ref Alice]\n      PolicyDocument: {}\n  Bob:\n    Type: AWS::IAM::User\n";
        assert_eq!(
            remove_resource(yaml, "Attach").unwrap(),
            "Resources:\n  Alice:\n    Type: AWS::IAM::User\n  Bob:\n    Type: AWS::IAM::User\n"
        );
        assert_eq!(remove_resource(yaml, "Bob").unwrap(), yaml.replace("  Bob:\n    Type: AWS::IAM::User\n", ""));
        let json = "{\n  \"Resources\": {\n    \"Alice\": {\n      \"Type\": \"AWS::IAM::User\"\n    },\n    \"Bob\": {\n      \"Type\": \"AWS::IAM::User\"\n    }\n  }\n}\n";
        assert_eq!(
            remove_resource(json, "Alice").unwrap(),
            "{\n  \"Resources\": {\n    \"Bob\": {\n      \"Type\": \"AWS::IAM::User\"\n    }\n  }\n}\n"
        );
        assert_eq!(
            remove_resource(json, "Bob").unwrap(),
            "{\n  \"Resources\": {\n    \"Alice\": {\n      \"Type\": \"AWS::IAM::User\"\n    }\n  }\n}\n"
        );
        // The last resource leaves an empty mapping.
        assert_eq!(
            remove_resource("Resources:\n  Bob:\n    Type: AWS::IAM::User\n", "Bob").unwrap(),
            "Resources:\n  {}\n"
        );
    }

    #[test]
    fn declines_a_replacement_of_a_resource() {
        let text = "Resources:\n  Bob:\n    Type: AWS::IAM::User\n";
        let entity = analyze_template(FILE, text).entities.remove(0);
        let new = NewEntity {
            near: entity.extent,
            anchor: false,
            data_source: false,
            resource_type: "AWS::IAM::Group".to_owned(),
            name: "Readers".to_owned(),
            attributes: Vec::new(),
        };
        let edit = PolicyEdit::ReplaceEntity { entity: entity.extent, with: vec![new], state: Vec::new() };
        assert_eq!(render(text, &edit), None);
    }
}
