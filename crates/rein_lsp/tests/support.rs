//! An in-process client for the server: the real main loop on a thread, talking over
//! `lsp_server::Connection::memory()`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use serde_json::{Value, json};

/// How long any one wait for the server may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The marker of the cursor in fixture text.
pub const CURSOR: &str = "$0";

pub struct TestServer {
    client: Connection,
    thread: Option<JoinHandle<anyhow::Result<bool>>>,
    next_id: i32,
    pub dir: PathBuf,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Notification>,
    /// Requests the server sent (each answered with `null`).
    pub requests: Vec<Request>,
    shut_down: bool,
    pub initialize_result: Value,
    /// Methods of server requests answered with an error instead of `null`.
    pub refuse: Vec<String>,
}

/// A fresh directory for one test's files.
pub fn temp_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("rein-lsp-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display()).replace(' ', "%20")
}

/// The text with the cursor marker removed, and the marker's line and UTF-16 column.
pub fn cursor(text: &str) -> (String, Value) {
    let at = text.find(CURSOR).expect("no cursor marker");
    let before = &text[..at];
    let line = before.matches('\n').count();
    let column: usize = before.rsplit('\n').next().unwrap().encode_utf16().count();
    (text.replacen(CURSOR, "", 1), json!({"line": line, "character": column}))
}

impl TestServer {
    pub fn new(name: &str) -> TestServer {
        TestServer::with_capabilities(name, json!({}), Value::Null)
    }

    pub fn with_capabilities(name: &str, capabilities: Value, options: Value) -> TestServer {
        let dir = temp_dir(name);
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || rein_lsp::run(&server));
        let mut this = TestServer {
            client,
            thread: Some(thread),
            next_id: 0,
            dir,
            notifications: Vec::new(),
            requests: Vec::new(),
            shut_down: false,
            initialize_result: Value::Null,
            refuse: Vec::new(),
        };
        let result = this.request(
            lsp_types::request::Initialize::METHOD,
            json!({"capabilities": capabilities, "initializationOptions": options, "rootUri": uri_of(&this.dir)}),
        );
        assert!(result["capabilities"].is_object(), "{result}");
        this.initialize_result = result;
        this.notify(lsp_types::notification::Initialized::METHOD, json!({}));
        this
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn uri(&self, name: &str) -> String {
        uri_of(&self.path(name))
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.client.sender.send(Message::Notification(Notification::new(method.to_owned(), params))).unwrap();
    }

    /// Sends a request and returns its id without waiting.
    pub fn send_request(&mut self, method: &str, params: Value) -> RequestId {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.client.sender.send(Message::Request(Request::new(id.clone(), method.to_owned(), params))).unwrap();
        id
    }

    /// Waits for the response to `id`.
    pub fn response(&mut self, id: &RequestId) -> Response {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.receive(deadline) {
                Message::Response(response) if &response.id == id => return response,
                Message::Response(other) => panic!("unexpected response {other:?}"),
                Message::Notification(notification) => self.notifications.push(notification),
                Message::Request(request) => self.answer(request),
            }
        }
    }

    /// Sends a request and returns its result (panics on an error response).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        match self.response(&id).response_result {
            Ok(value) => value,
            Err(err) => panic!("`{method}` failed: {err:?}"),
        }
    }

    /// Answers a request of the server with `null` (or an error, for a method in `refuse`),
    /// and keeps it.
    fn answer(&mut self, request: Request) {
        let response = if self.refuse.contains(&request.method) {
            Response::new_err(request.id.clone(), lsp_server::ErrorCode::RequestFailed as i32, "refused".to_owned())
        } else {
            Response::new_ok(request.id.clone(), Value::Null)
        };
        self.client.sender.send(Message::Response(response)).unwrap();
        self.requests.push(request);
    }

    fn receive(&self, deadline: Instant) -> Message {
        let left = deadline.saturating_duration_since(Instant::now());
        self.client.receiver.recv_timeout(left).unwrap_or_else(|err| panic!("no message from the server: {err}"))
    }

    pub fn open(&mut self, name: &str, language_id: &str, text: &str) -> String {
        let uri = self.uri(name);
        self.notify(
            lsp_types::notification::DidOpenTextDocument::METHOD,
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": 1, "text": text}}),
        );
        uri
    }

    pub fn change(&mut self, uri: &str, version: i32, changes: Value) {
        self.notify(
            lsp_types::notification::DidChangeTextDocument::METHOD,
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// Waits for the next diagnostics of `uri` published without a version (a file that is
    /// not open).
    pub fn unversioned_diagnostics(&mut self, uri: &str) -> Vec<Value> {
        self.diagnostics_matching(uri, &Value::Null)
    }

    /// Waits for the diagnostics of `uri` at `version`, skipping older ones.
    pub fn diagnostics(&mut self, uri: &str, version: i32) -> Vec<Value> {
        self.diagnostics_matching(uri, &json!(version))
    }

    fn diagnostics_matching(&mut self, uri: &str, version: &Value) -> Vec<Value> {
        let deadline = Instant::now() + TIMEOUT;
        if let Some(found) = self.take_diagnostics(uri, version) {
            return found;
        }
        loop {
            match self.receive(deadline) {
                Message::Notification(notification) => {
                    self.notifications.push(notification);
                    if let Some(found) = self.take_diagnostics(uri, version) {
                        return found;
                    }
                }
                Message::Request(request) => self.answer(request),
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    fn take_diagnostics(&mut self, uri: &str, version: &Value) -> Option<Vec<Value>> {
        let idx = self.notifications.iter().position(|n| {
            n.method == lsp_types::notification::PublishDiagnostics::METHOD
                && n.params["uri"] == uri
                && n.params.get("version").unwrap_or(&Value::Null) == version
        })?;
        let notification = self.notifications.remove(idx);
        Some(notification.params["diagnostics"].as_array().cloned().unwrap_or_default())
    }

    /// The server's thread, for tests that end the session themselves.
    pub fn take_thread(&mut self) -> JoinHandle<anyhow::Result<bool>> {
        self.shut_down = true;
        self.thread.take().unwrap()
    }

    /// `shutdown` then `exit`; returns what the server's `run` returned.
    pub fn shutdown(&mut self) -> bool {
        self.shut_down = true;
        let result = self.request(lsp_types::request::Shutdown::METHOD, Value::Null);
        assert_eq!(result, Value::Null);
        self.notify(lsp_types::notification::Exit::METHOD, Value::Null);
        let clean = self.thread.take().unwrap().join().unwrap().unwrap();
        // Nothing may be left unread but diagnostics and log messages.
        while let Ok(message) = self.client.receiver.try_recv() {
            match message {
                Message::Notification(notification) => self.notifications.push(notification),
                Message::Request(request) if request.method == "client/registerCapability" => {
                    self.requests.push(request)
                }
                other => panic!("unread message after shutdown: {other:?}"),
            }
        }
        clean
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if !self.shut_down && !std::thread::panicking() {
            assert!(self.shutdown(), "the server did not shut down cleanly");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
