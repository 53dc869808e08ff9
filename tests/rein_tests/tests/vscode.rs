//! The VS Code extension compiles and packages into a `.vsix` (`npm ci`, `tsc`, `vsce package`).
//!
//! `npm ci` needs the npm registry and takes most of a minute, so the test runs only when
//! `REIN_VSCODE_TEST=1` is set; CI without network stays offline and fast. The extension's
//! protocol behaviour is covered by the in-process tests of `rein_lsp` and the Neovim test.

use std::path::PathBuf;
use std::process::Command;

fn run(dir: &PathBuf, program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|err| panic!("cannot run `{program}`: {err}"));
    assert!(
        output.status.success(),
        "`{program} {}` failed:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_vscode_extension_packages_into_a_vsix() {
    if std::env::var("REIN_VSCODE_TEST").as_deref() != Ok("1") {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../editors/vscode");
    let vsix = dir.join("rein.vsix");
    let _ = std::fs::remove_file(&vsix);
    run(&dir, "npm", &["ci", "--no-audit", "--no-fund"]);
    run(&dir, "npm", &["run", "compile"]);
    assert!(dir.join("out/extension.js").is_file());
    run(&dir, "npx", &["--no-install", "vsce", "package", "--out", "rein.vsix"]);
    let bytes = std::fs::read(&vsix).expect("no rein.vsix");
    // A `.vsix` is a zip archive with the manifest and the compiled extension.
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    let listing = String::from_utf8_lossy(&bytes);
    assert!(listing.contains("extension/package.json"), "the manifest is missing");
    assert!(listing.contains("extension/out/extension.js"), "the compiled extension is missing");
    let _ = std::fs::remove_file(&vsix);
}
