//! `rein lsp` in a real client: headless Neovim opens a Terraform file, receives the
//! diagnostics, applies the first quick fix and writes the file (see
//! `editors/nvim/test/smoke.lua`). `.ci/run` installs Neovim when it is missing; set
//! `REIN_SKIP_NVIM=1` to run the other tests on a machine without it.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FIXTURE: &str = r#"resource "aws_iam_policy" "read" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:GetObjekt"
      Resource = "arn:aws:s3:::logs/*"
    }]
  })
}
"#;

/// A bound on the whole Neovim session; the script bounds each of its own waits lower.
const SESSION_TIMEOUT: Duration = Duration::from_secs(90);

#[test]
fn neovim_applies_a_quick_fix_from_rein_lsp() {
    if Command::new("nvim").arg("--version").stdout(Stdio::null()).status().is_err() {
        assert!(
            std::env::var_os("REIN_SKIP_NVIM").is_some(),
            "nvim is not installed (`apt-get install neovim`, or set REIN_SKIP_NVIM=1)"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("rein-nvim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("main.tf");
    std::fs::write(&file, FIXTURE).unwrap();
    let out = dir.join("report.json");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../editors/nvim/test/smoke.lua");

    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("REIN_BIN", env!("CARGO_BIN_EXE_rein"))
        .env("REIN_FILE", &file)
        .env("REIN_OUT", &out)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start nvim");
    let deadline = Instant::now() + SESSION_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nvim did not finish within {SESSION_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "nvim exited with {status}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["error"], serde_json::Value::Null, "{report}");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{report}");
    assert_eq!(diagnostics[0]["code"], "IAM006");
    assert_eq!((diagnostics[0]["line"].as_u64(), diagnostics[0]["character"].as_u64()), (Some(5), Some(17)));
    assert_eq!(report["action"], "Replace with `s3:GetObject`");
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert_eq!(fixed, FIXTURE.replace("s3:GetObjekt", "s3:GetObject"));
    let _ = std::fs::remove_dir_all(&dir);
}
