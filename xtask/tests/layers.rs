//! The layering check of STYLE.md §1, run in-process by `cargo test --workspace`: once against
//! the real workspace, and against hand-written `cargo metadata` output to prove it bites.

use xtask::check_layers;
use xtask::layers::{workspace_metadata, workspace_root};

/// `(dependency, kind)`, kind as cargo prints it: `None` (normal), `"dev"` or `"build"`.
type Dep<'a> = (&'a str, Option<&'a str>);

/// A minimal `cargo metadata` document: `(crate, dependencies)`.
fn metadata(packages: &[(&str, &[Dep<'_>])]) -> String {
    let packages: Vec<serde_json::Value> = packages
        .iter()
        .map(|(name, deps)| {
            let deps: Vec<serde_json::Value> = deps
                .iter()
                .map(|(dep, kind)| {
                    serde_json::json!({
                        "name": dep,
                        "source": null,
                        "req": "*",
                        "kind": kind,
                        "rename": null,
                        "optional": false,
                        "uses_default_features": true,
                        "features": [],
                        "target": null,
                        "registry": null,
                    })
                })
                .collect();
            serde_json::json!({ "name": name, "version": "0.1.0", "dependencies": deps })
        })
        .collect();
    serde_json::json!({ "packages": packages, "workspace_members": [], "version": 1 }).to_string()
}

#[test]
fn workspace_respects_the_layer_table() {
    let json = workspace_metadata(workspace_root()).expect("cargo metadata runs");
    let violations = check_layers(&json);
    assert!(violations.is_empty(), "layering violations (STYLE.md §1):\n  {}", violations.join("\n  "));
}

#[test]
fn allowed_edges_pass() {
    let json = metadata(&[
        ("rein_text", &[("text-size", None)]),
        ("rein_model", &[("rein_text", None), ("jsonc-parser", None)]),
        (
            "rein_rules",
            &[
                ("rein_model", None),
                ("rein_catalog", None),
                ("rein_access", None),
                // Dev-dependencies are exempt: rule tests may parse HCL.
                ("rein_hcl", Some("dev")),
            ],
        ),
        ("rein_cli", &[("rein_lsp", None), ("rein_analysis", None)]),
        ("xtask", &[("rein_catalog", None), ("rein_rules", Some("build"))]),
        // Crates outside the rein family are not layered.
        ("some_helper", &[("rein_cli", None)]),
    ]);
    assert_eq!(check_layers(&json), Vec::<String>::new());
}

#[test]
fn forbidden_edge_is_reported() {
    let json = metadata(&[
        ("rein_model", &[("rein_text", None), ("rein_catalog", None)]),
        ("rein_catalog", &[("serde", None)]),
    ]);
    let violations = check_layers(&json);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].starts_with("rein_model -> rein_catalog (dependency)"), "{violations:?}");
    assert!(violations[0].contains("may use: text"), "{violations:?}");
}

#[test]
fn upward_and_build_edges_are_reported_and_dev_edges_are_not() {
    let json = metadata(&[
        (
            "rein_analysis",
            &[
                ("rein_rules", None),
                // Upward: L2 may not use the language server.
                ("rein_lsp", None),
                // Build-dependencies count.
                ("rein_report", Some("build")),
                ("rein_cli", Some("dev")),
            ],
        ),
        ("rein_text", &[("rein_diagnostics", Some("dev"))]),
        ("rein_catalog", &[("rein_text", Some("build"))]),
    ]);
    let violations = check_layers(&json);
    assert_eq!(
        violations.len(),
        3,
        "expected analysis->lsp, analysis->report (build), catalog->text (build): {violations:?}"
    );
    assert!(violations.iter().any(|v| v.starts_with("rein_analysis -> rein_lsp (dependency)")));
    assert!(violations.iter().any(|v| v.starts_with("rein_analysis -> rein_report (build-dependency)")));
    assert!(
        violations
            .iter()
            .any(|v| v.starts_with("rein_catalog -> rein_text (build-dependency)") && v.contains("no rein crate"))
    );
}

#[test]
fn unknown_rein_crate_is_an_error() {
    let json = metadata(&[("rein_newthing", &[("rein_text", None)])]);
    let violations = check_layers(&json);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].contains("`rein_newthing`"), "{violations:?}");
    assert!(violations[0].contains("add it to the layer table"), "{violations:?}");
}

#[test]
fn depending_on_xtask_is_reported() {
    let json = metadata(&[("rein_cli", &[("xtask", None)])]);
    let violations = check_layers(&json);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].contains("nothing may depend on xtask"), "{violations:?}");
}

#[test]
fn duplicate_edges_are_reported_once() {
    // The same dependency listed twice (e.g. once per target) is one edge.
    let json = metadata(&[("rein_text", &[("rein_model", None), ("rein_model", None)])]);
    assert_eq!(check_layers(&json).len(), 1);
}

#[test]
fn unreadable_metadata_is_a_violation() {
    let violations = check_layers("not json");
    assert_eq!(violations.len(), 1);
    assert!(violations[0].contains("cannot read"), "{violations:?}");
}
