//! Editor latency of the server, in process over `Connection::memory()`:
//! - typing replayed into a 2,000-line `.tf` file, one `didChange` per keystroke, timed from the
//!   change to the `publishDiagnostics` of its version (p50 and p99 printed, then each divan
//!   sample is one keystroke);
//! - hover and completion on a settled document;
//! - resident memory after 10,000 edits (typed in bursts, as fast typing sends them), read
//!   from `/proc/self/statm`.
//!
//! Run with `cargo bench -p rein_lsp`.

// The percentiles and the memory figures are reported on stderr, beside divan's table.
#![allow(clippy::print_stderr)]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(60);
const N_RESOURCES: usize = 160;

/// A Terraform file of about 2,000 lines: policies in `jsonencode`, heredocs and
/// `aws_iam_policy_document` blocks.
fn large_tf() -> String {
    let mut text = String::new();
    for idx in 0..N_RESOURCES {
        match idx % 3 {
            0 => text.push_str(&format!(
                "resource \"aws_iam_policy\" \"p{idx}\" {{\n  name = \"p{idx}\"\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n      Sid      = \"Read{idx}\"\n      Effect   = \"Allow\"\n      Action   = [\"s3:GetObject\", \"s3:ListBucket\"]\n      Resource = [\"arn:aws:s3:::bucket-{idx}\", \"arn:aws:s3:::bucket-{idx}/*\"]\n    }}]\n  }})\n}}\n\n"
            )),
            1 => text.push_str(&format!(
                "resource \"aws_iam_role_policy\" \"r{idx}\" {{\n  name = \"r{idx}\"\n  role = \"app\"\n  policy = <<EOF\n{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"sqs:SendMessage\", \"Resource\": \"arn:aws:sqs:eu-west-1:123456789012:q{idx}\"}}]\n}}\nEOF\n}}\n\n"
            )),
            _ => text.push_str(&format!(
                "data \"aws_iam_policy_document\" \"d{idx}\" {{\n  statement {{\n    actions   = [\"dynamodb:GetItem\", \"dynamodb:Query\"]\n    resources = [\"arn:aws:dynamodb:eu-west-1:123456789012:table/t{idx}\"]\n    condition {{\n      test     = \"StringEquals\"\n      variable = \"aws:PrincipalOrgID\"\n      values   = [\"o-abc123\"]\n    }}\n  }}\n}}\n\n"
            )),
        }
    }
    text
}

struct Session {
    client: Connection,
    thread: Option<JoinHandle<anyhow::Result<bool>>>,
    next_id: AtomicI32,
    uri: String,
    text_lines: Vec<String>,
    version: AtomicI32,
    _dir: PathBuf,
}

impl Session {
    fn start() -> Session {
        let dir = std::env::temp_dir().join(format!("rein-lsp-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || rein_lsp::run(&server));
        let text = large_tf();
        // The file is on disk too, as a file opened in an editor is.
        std::fs::write(dir.join("main.tf"), &text).unwrap();
        let uri = format!("file://{}/main.tf", dir.display());
        let session = Session {
            client,
            thread: Some(thread),
            next_id: AtomicI32::new(0),
            uri,
            text_lines: text.lines().map(str::to_owned).collect(),
            version: AtomicI32::new(1),
            _dir: dir,
        };
        // A workspace folder, as editors send it: the server indexes it for module calls.
        let root = format!("file://{}", session._dir.display());
        session.request("initialize", json!({"capabilities": {}, "rootUri": root}));
        session.notify("initialized", json!({}));
        session.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": session.uri, "languageId": "terraform", "version": 1, "text": text}}),
        );
        session.wait_diagnostics(1);
        session
    }

    fn notify(&self, method: &str, params: Value) {
        self.client.sender.send(Message::Notification(Notification::new(method.to_owned(), params))).unwrap();
    }

    fn request(&self, method: &str, params: Value) -> Value {
        let id = RequestId::from(self.next_id.fetch_add(1, Ordering::Relaxed) + 1);
        self.client.sender.send(Message::Request(Request::new(id.clone(), method.to_owned(), params))).unwrap();
        loop {
            match self.client.receiver.recv_timeout(TIMEOUT).expect("no response") {
                Message::Response(response) if response.id == id => return response.response_result.unwrap(),
                _ => {}
            }
        }
    }

    fn wait_diagnostics(&self, version: i32) {
        loop {
            match self.client.receiver.recv_timeout(TIMEOUT).expect("no diagnostics") {
                Message::Notification(n)
                    if n.method == "textDocument/publishDiagnostics" && n.params["version"] == version =>
                {
                    return;
                }
                _ => {}
            }
        }
    }

    /// Types one character at `line`/`character` (or deletes the one before it), waits for the
    /// diagnostics of the new version and returns the latency.
    fn keystroke(&self, line: usize, character: usize, insert: Option<char>) -> Duration {
        let version = self.version.fetch_add(1, Ordering::Relaxed) + 1;
        let (start, text) = match insert {
            Some(ch) => (character, ch.to_string()),
            None => (character - 1, String::new()),
        };
        let change = json!([{"range": {"start": {"line": line, "character": start}, "end": {"line": line, "character": character}}, "text": text}]);
        let started = Instant::now();
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": self.uri, "version": version}, "contentChanges": change}),
        );
        self.wait_diagnostics(version);
        started.elapsed()
    }

    /// Sends one keystroke's change without waiting for its diagnostics; returns its version.
    fn send_keystroke(&self, line: usize, character: usize, insert: Option<char>) -> i32 {
        let version = self.version.fetch_add(1, Ordering::Relaxed) + 1;
        let (start, text) = match insert {
            Some(ch) => (character, ch.to_string()),
            None => (character - 1, String::new()),
        };
        let change = json!([{"range": {"start": {"line": line, "character": start}, "end": {"line": line, "character": character}}, "text": text}]);
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": self.uri, "version": version}, "contentChanges": change}),
        );
        version
    }

    /// The line and column just inside the `Sid` string of the middle resource.
    fn typing_point(&self) -> (usize, usize) {
        let middle = N_RESOURCES / 2 / 3 * 3;
        let needle = format!("Sid      = \"Read{middle}");
        let line = self.text_lines.iter().position(|l| l.contains(&needle)).unwrap();
        let column = self.text_lines[line].find(&needle).unwrap() + needle.len();
        (line, column)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn session() -> &'static Session {
    static SESSION: OnceLock<Session> = OnceLock::new();
    SESSION.get_or_init(Session::start)
}

/// Resident memory in bytes, from `/proc/self/statm` (second field, in pages).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Types `n` keystrokes (a word typed, then deleted again, over and over) and returns each
/// latency.
fn replay(session: &Session, n: usize) -> Vec<Duration> {
    let (line, column) = session.typing_point();
    let word: Vec<char> = "Typed".chars().collect();
    let mut latencies = Vec::with_capacity(n);
    let mut typed = 0usize;
    for idx in 0..n {
        let phase = idx % (2 * word.len());
        if phase < word.len() {
            latencies.push(session.keystroke(line, column + typed, Some(word[phase])));
            typed += 1;
        } else {
            latencies.push(session.keystroke(line, column + typed, None));
            typed -= 1;
        }
    }
    latencies
}

/// Types `n` keystrokes as fast as the channel takes them (the server coalesces what queues
/// up), then waits for the diagnostics of the last one.
fn burst(session: &Session, n: usize) {
    let (line, column) = session.typing_point();
    let word: Vec<char> = "Typed".chars().collect();
    let mut typed = 0usize;
    let mut last = 0;
    for idx in 0..n {
        let phase = idx % (2 * word.len());
        if phase < word.len() {
            last = session.send_keystroke(line, column + typed, Some(word[phase]));
            typed += 1;
        } else {
            last = session.send_keystroke(line, column + typed, None);
            typed -= 1;
        }
    }
    session.wait_diagnostics(last);
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// Where a keystroke's time goes: the whole analysis `rein check` runs on the file, and the
/// frontend alone (only the grammar rule IAM001 enabled).
fn analysis_breakdown() {
    let text = large_tf();
    let time = |settings: &rein_analysis::RuleSettings| {
        let mut runs: Vec<Duration> = (0..20)
            .map(|_| {
                let input = rein_analysis::SourceInput {
                    path: "main.tf".to_owned(),
                    bytes: text.as_bytes().to_vec(),
                    kind: None,
                    policy_kind: None,
                };
                let started = Instant::now();
                let analysis = rein_analysis::analyze(vec![input], settings);
                let elapsed = started.elapsed();
                drop(analysis);
                elapsed
            })
            .collect();
        runs.sort();
        percentile(&runs, 0.5)
    };
    let all = time(&rein_analysis::RuleSettings::default());
    let grammar = time(&rein_analysis::RuleSettings { select: vec!["IAM001".to_owned()], ..Default::default() });
    eprintln!("analysis of the file alone: {all:?} with every rule, {grammar:?} with only IAM001 (frontend and model)");
}

fn main() {
    analysis_breakdown();
    let session = session();
    let n_lines = session.text_lines.len();
    let n_keystrokes: usize = std::env::var("REIN_BENCH_KEYSTROKES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let mut latencies = replay(session, n_keystrokes);
    latencies.sort();
    eprintln!(
        "typing into a {n_lines}-line .tf file, {n_keystrokes} keystrokes: didChange -> publishDiagnostics p50 {:?}, p99 {:?}, max {:?}",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().unwrap()
    );
    let n_edits: usize = std::env::var("REIN_BENCH_EDITS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    // Memory: 10,000 more edits in bursts of 100, typed faster than the analysis runs.
    let before = resident_bytes().unwrap_or(0);
    let mut samples = Vec::new();
    for _ in 0..n_edits / 100 {
        burst(session, 100);
        samples.push(resident_bytes().unwrap_or(0));
    }
    let after = resident_bytes().unwrap_or(0);
    let peak = samples.iter().copied().max().unwrap_or(0);
    eprintln!(
        "resident memory: {:.1} MB after {n_keystrokes} edits, {:.1} MB after {n_edits} more (peak {:.1} MB)",
        before as f64 / 1e6,
        after as f64 / 1e6,
        peak as f64 / 1e6
    );
    // Flat means the later quarters peak no higher than the first.
    let quarter_peaks: Vec<String> = samples
        .chunks(samples.len().div_ceil(4).max(1))
        .map(|quarter| format!("{:.1}", quarter.iter().copied().max().unwrap_or(0) as f64 / 1e6))
        .collect();
    eprintln!("resident memory peak by quarter of the edits: {} MB", quarter_peaks.join(" / "));
    divan::main();
}

#[divan::bench(sample_count = 30, sample_size = 1)]
fn keystroke_to_diagnostics(bencher: divan::Bencher) {
    let session = session();
    let (line, column) = session.typing_point();
    let mut inserted = false;
    bencher.bench_local(|| {
        let latency = if inserted {
            session.keystroke(line, column + 1, None)
        } else {
            session.keystroke(line, column, Some('x'))
        };
        inserted = !inserted;
        latency
    });
}

#[divan::bench(sample_count = 200, sample_size = 1)]
fn hover_on_an_action(bencher: divan::Bencher) {
    let session = session();
    let line = session.text_lines.iter().position(|l| l.contains("\"s3:GetObject\"")).unwrap();
    let column = session.text_lines[line].find("s3:GetObject").unwrap() + 3;
    bencher.bench_local(|| {
        session.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": session.uri}, "position": {"line": line, "character": column}}),
        )
    });
}

#[divan::bench(sample_count = 200, sample_size = 1)]
fn completion_of_actions(bencher: divan::Bencher) {
    let session = session();
    let line = session.text_lines.iter().position(|l| l.contains("\"dynamodb:Query\"")).unwrap();
    let column = session.text_lines[line].find("dynamodb:Query").unwrap() + "dynamodb:".len();
    bencher.bench_local(|| {
        session.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": session.uri}, "position": {"line": line, "character": column}}),
        )
    });
}
