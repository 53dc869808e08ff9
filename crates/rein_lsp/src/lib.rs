//! The rein language server: the main loop, the document store, the worker thread that runs
//! the analysis, and the translation of its results into the protocol.
//!
//! The main loop only keeps documents up to date and routes messages; every analysis, hover
//! and completion runs on one worker thread, so typing never waits for a check. Results for a
//! document version that is no longer current are dropped, and `$/cancelRequest` answers a
//! pending request with `RequestCancelled` at once.
//!
//! **Architecture invariant:** the server contains no IAM logic. Findings come from
//! `rein_analysis` exactly as `rein check` computes them; hover and completion read the
//! catalogue and the model's spans.

// `lsp_types::Uri` caches its parsed parts in cells, which clippy takes for a mutable key;
// hashing and ordering use only the URI text, and `WorkspaceEdit` itself keys by `Uri`.
#![allow(clippy::mutable_key_type)]

mod actions;
mod analysis;
mod completion;
mod configs;
mod cursor;
mod diagnostics;
mod disk;
mod hover;
mod proto;
mod settings;
mod store;
mod worker;
mod workspace;

use std::collections::BTreeSet;
use std::sync::Arc;

use anyhow::Context;
use crossbeam_channel::{Receiver, Sender, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    Cancel, DidChangeConfiguration, DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, Completion, HoverRequest, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, InitializeParams, PublishDiagnosticsParams,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, Uri,
};

use crate::configs::Configs;
pub use crate::proto::PositionEncoding;
use crate::settings::ServerSettings;
use crate::store::{Document, DocumentStore};
use crate::worker::{Job, Outcome, Query, Shared, lock};

/// Runs the server over stdin and stdout until the client says `exit`.
///
/// Returns `Ok(true)` when the client shut the server down properly (`shutdown`, then
/// `exit`), `Ok(false)` when it sent `exit` without `shutdown` or went away.
pub fn run_stdio() -> anyhow::Result<bool> {
    let (connection, io_threads) = Connection::stdio();
    let clean = run(&connection)?;
    // The writer thread ends once every sender of the connection is gone.
    drop(connection);
    io_threads.join().context("the stdio threads failed")?;
    Ok(clean)
}

/// Runs the server on `connection`: the initialize handshake, then the main loop.
pub fn run(connection: &Connection) -> anyhow::Result<bool> {
    let (id, raw_params) = connection.initialize_start().context("no initialize request")?;
    let edits = actions::EditSupport::from_capabilities(&raw_params["capabilities"]);
    let params: InitializeParams = serde_json::from_value(raw_params).context("malformed initialize params")?;
    let encoding = PositionEncoding::negotiate(
        params.capabilities.general.as_ref().and_then(|general| general.position_encodings.as_deref()),
    );
    let snippets = params
        .capabilities
        .text_document
        .as_ref()
        .and_then(|text| text.completion.as_ref())
        .and_then(|completion| completion.completion_item.as_ref())
        .and_then(|item| item.snippet_support)
        .unwrap_or(false);
    let watch_dynamically = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.did_change_watched_files.as_ref())
        .and_then(|watched| watched.dynamic_registration)
        .unwrap_or(false);
    let mut folders: Vec<std::path::PathBuf> =
        params.workspace_folders.iter().flatten().filter_map(|folder| proto::uri_to_path(&folder.uri)).collect();
    #[allow(deprecated)]
    if folders.is_empty()
        && let Some(root) = params.root_uri.as_ref().and_then(proto::uri_to_path)
    {
        folders.push(root);
    }
    let root = folders.first().cloned();
    let server_folders = folders.clone();
    let mut settings = ServerSettings::default();
    let options = match params.initialization_options {
        Some(options) if !options.is_null() => options,
        _ => serde_json::json!({}),
    };
    let warnings = settings.update(&options);
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": ServerInfo { name: "rein".to_owned(), version: Some(env!("CARGO_PKG_VERSION").to_owned()) },
    });
    connection.initialize_finish(id, result).context("the initialize handshake failed")?;
    if watch_dynamically {
        connection.sender.send(watch_registration().into()).context("cannot register the file watcher")?;
    }
    let (jobs, job_receiver) = crossbeam_channel::unbounded();
    let (outcome_sender, outcomes) = crossbeam_channel::unbounded();
    let shared: Arc<Shared> = Arc::default();
    let worker = worker::spawn(worker::WorkerSetup {
        jobs: job_receiver,
        outcomes: outcome_sender,
        client: connection.sender.clone(),
        encoding,
        snippets,
        shared: shared.clone(),
        workspace: workspace::Workspace::new(folders, watch_dynamically),
    })
    .context("cannot start the analysis thread")?;
    let mut server = Server {
        sender: connection.sender.clone(),
        encoding,
        store: DocumentStore::default(),
        settings,
        configs: Configs::default(),
        root,
        folders: server_folders,
        jobs,
        pending: BTreeSet::new(),
        shared,
        edits,
        shutdown_requested: false,
    };
    for warning in warnings {
        server.show_warning(&warning);
    }
    let clean = server.main_loop(&connection.receiver, &outcomes);
    // Dropping the job queue ends the worker once it finishes what it is doing.
    drop(server);
    let _ = worker.join();
    Ok(clean)
}

fn capabilities(encoding: PositionEncoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            will_save: None,
            will_save_wait_until: None,
            save: Some(lsp_types::TextDocumentSyncSaveOptions::Supported(true)),
        })),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp_types::CompletionOptions {
            trigger_characters: Some(vec![":".to_owned(), "\"".to_owned(), "'".to_owned()]),
            ..lsp_types::CompletionOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            work_done_progress_options: Default::default(),
            resolve_provider: None,
        })),
        ..ServerCapabilities::default()
    }
}

/// The files whose changes on disk the analyses must hear of: configuration files, Terraform
/// files and the templates they read, CloudFormation templates.
const WATCHED_GLOBS: &[&str] = &[
    "**/*.tf",
    "**/*.json",
    "**/*.yaml",
    "**/*.yml",
    "**/*.template",
    "**/*.tftpl",
    "**/*.tpl",
    "**/*.tmpl",
    "**/*.txt",
];

/// Asks the client to announce changes to the files of the workspace that analyses read.
fn watch_registration() -> Request {
    let globs = std::iter::once(format!("**/{}", rein_config::FILE_NAME))
        .chain(WATCHED_GLOBS.iter().map(|glob| (*glob).to_owned()));
    let options = lsp_types::DidChangeWatchedFilesRegistrationOptions {
        watchers: globs
            .map(|glob| lsp_types::FileSystemWatcher { glob_pattern: lsp_types::GlobPattern::String(glob), kind: None })
            .collect(),
    };
    let params = lsp_types::RegistrationParams {
        registrations: vec![lsp_types::Registration {
            id: "rein-config-watcher".to_owned(),
            method: DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: serde_json::to_value(options).ok(),
        }],
    };
    Request::new(watch_registration_id(), "client/registerCapability".to_owned(), params)
}

fn watch_registration_id() -> RequestId {
    RequestId::from("rein/register-watcher".to_owned())
}

struct Server {
    sender: Sender<Message>,
    encoding: PositionEncoding,
    store: DocumentStore,
    settings: ServerSettings,
    /// The `rein.toml` files read so far.
    configs: Configs,
    /// The workspace root, for a relative `config` setting.
    root: Option<std::path::PathBuf>,
    /// The workspace folders.
    folders: Vec<std::path::PathBuf>,
    jobs: Sender<Job>,
    /// Requests handed to the worker and not yet answered.
    pending: BTreeSet<RequestId>,
    /// The queued analyses, the current versions and the cancelled requests, shared with the
    /// worker.
    shared: Arc<Shared>,
    /// What the client's workspace edits may hold.
    edits: actions::EditSupport,
    shutdown_requested: bool,
}

impl Server {
    fn main_loop(&mut self, messages: &Receiver<Message>, outcomes: &Receiver<Outcome>) -> bool {
        loop {
            select! {
                recv(messages) -> message => match message {
                    Ok(Message::Request(request)) => self.on_request(request),
                    Ok(Message::Notification(notification)) => {
                        if notification.method == lsp_types::notification::Exit::METHOD {
                            return self.shutdown_requested;
                        }
                        self.on_notification(notification);
                    }
                    // The one request the server sends registers the file watchers: when the
                    // client refuses, nothing will announce changes, and the disk cache checks
                    // each file itself.
                    Ok(Message::Response(response)) => {
                        if response.id == watch_registration_id() && response.response_result.is_err() {
                            let _ = self.jobs.send(Job::Unwatched);
                        }
                    }
                    // The client went away without `exit`.
                    Err(_) => return false,
                },
                recv(outcomes) -> outcome => match outcome {
                    Ok(outcome) => self.on_outcome(outcome),
                    Err(_) => return false,
                },
            }
        }
    }

    fn send(&self, message: impl Into<Message>) {
        // A send fails only when the client is gone; the loop notices that on its next receive.
        let _ = self.sender.send(message.into());
    }

    fn show_warning(&self, message: &str) {
        let params = lsp_types::ShowMessageParams { typ: lsp_types::MessageType::WARNING, message: message.to_owned() };
        self.send(Notification::new(lsp_types::notification::ShowMessage::METHOD.to_owned(), params));
    }

    fn log(&self, message: &str) {
        let params = lsp_types::LogMessageParams { typ: lsp_types::MessageType::ERROR, message: message.to_owned() };
        self.send(Notification::new(lsp_types::notification::LogMessage::METHOD.to_owned(), params));
    }

    fn on_request(&mut self, request: Request) {
        if self.shutdown_requested {
            self.send(Response::new_err(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_owned(),
            ));
            return;
        }
        if request.method == lsp_types::request::Shutdown::METHOD {
            self.shutdown_requested = true;
            self.send(Response::new_ok(request.id, ()));
            return;
        }
        let id = request.id.clone();
        // A handler that panics answers with an error, and the server goes on.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.dispatch(request)));
        if outcome.is_err() {
            self.log(&format!("the request {id:?} failed: rein panicked"));
            self.send(Response::new_err(id, ErrorCode::InternalError as i32, "rein panicked".to_owned()));
        }
    }

    fn dispatch(&mut self, request: Request) {
        match request.method.as_str() {
            CodeActionRequest::METHOD => {
                match request.extract::<lsp_types::CodeActionParams>(CodeActionRequest::METHOD) {
                    Ok((id, params)) => {
                        let document = self.store.get(&params.text_document.uri);
                        let actions = actions::code_actions(&params, document, self.edits, self.encoding);
                        self.send(Response::new_ok(id, actions));
                    }
                    Err(err) => self.reject(err),
                }
            }
            HoverRequest::METHOD => match request.extract::<lsp_types::HoverParams>(HoverRequest::METHOD) {
                Ok((id, params)) => {
                    let position = params.text_document_position_params;
                    self.queue_request(id, &position.text_document.uri, Query::Hover(position.position));
                }
                Err(err) => self.reject(err),
            },
            Completion::METHOD => match request.extract::<lsp_types::CompletionParams>(Completion::METHOD) {
                Ok((id, params)) => {
                    let position = params.text_document_position;
                    self.queue_request(id, &position.text_document.uri, Query::Completion(position.position));
                }
                Err(err) => self.reject(err),
            },
            _ => self.send(Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("unknown request `{}`", request.method),
            )),
        }
    }

    /// Hands a request to the worker; a document that is not open has nothing to say.
    fn queue_request(&mut self, id: RequestId, uri: &Uri, query: Query) {
        match self.context(uri) {
            Some(context) => {
                self.pending.insert(id.clone());
                let _ = self.jobs.send(Job::Request { id, context, query });
            }
            None => self.send(Response::new_ok(id, serde_json::Value::Null)),
        }
    }

    fn reject(&self, err: lsp_server::ExtractError<Request>) {
        match err {
            lsp_server::ExtractError::JsonError { method, error } => {
                self.log(&format!("malformed `{method}` request: {error}"));
            }
            lsp_server::ExtractError::MethodMismatch(request) => self.send(Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("unknown request `{}`", request.method),
            )),
        }
    }

    fn on_notification(&mut self, notification: Notification) {
        let method = notification.method.clone();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.notify(notification)));
        if outcome.is_err() {
            self.log(&format!("the notification `{method}` failed: rein panicked"));
        }
    }

    fn notify(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(params) = extract::<lsp_types::DidOpenTextDocumentParams>(notification) {
                    let item = params.text_document;
                    let document = Document::new(&item.uri, item.version, item.text, item.language_id);
                    self.store.open(item.uri.clone(), document);
                    lock(&self.shared.versions).insert(item.uri.clone(), item.version);
                    if !self.reload_config_buffer(&item.uri) {
                        self.schedule(&item.uri);
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(params) = extract::<lsp_types::DidChangeTextDocumentParams>(notification) {
                    let uri = params.text_document.uri;
                    let version = params.text_document.version;
                    // The analysis queued for the old text will not run: dropping it first
                    // lets the edit change the text in place instead of copying it.
                    drop(lock(&self.shared.queued).remove(&uri));
                    if let Some(document) = self.store.get_mut(&uri) {
                        // From now on, no result for the old text is published.
                        lock(&self.shared.versions).insert(uri.clone(), version);
                        document.apply_changes(version, params.content_changes, self.encoding);
                        if !self.reload_config_buffer(&uri) {
                            self.schedule(&uri);
                        }
                        // The next edit's positions need the index; build it while the worker runs.
                        if let Some(document) = self.store.get_mut(&uri) {
                            document.ensure_index();
                        }
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(params) = extract::<lsp_types::DidCloseTextDocumentParams>(notification) {
                    let uri = params.text_document.uri;
                    if self.store.close(&uri).is_some() {
                        drop(lock(&self.shared.queued).remove(&uri));
                        let versions = self.shared.clone();
                        let mut versions = lock(&versions.versions);
                        versions.remove(&uri);
                        if let Some(path) = proto::uri_to_path(&uri).filter(|path| configs::is_config(path)) {
                            drop(versions);
                            // The file on disk is the configuration again.
                            self.reload_config(&path);
                            return;
                        }
                        // Under the lock: no analysis of the closed document follows this.
                        self.publish(uri.clone(), Vec::new(), None);
                        drop(versions);
                        // Whatever read its buffer (its module, the roots that call the module,
                        // the other templates) reads the file from disk again.
                        self.schedule_all();
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(params) = extract::<lsp_types::DidSaveTextDocumentParams>(notification) {
                    self.reload_config_buffer(&params.text_document.uri);
                }
            }
            DidChangeConfiguration::METHOD => {
                if let Ok(params) = extract::<lsp_types::DidChangeConfigurationParams>(notification) {
                    for warning in self.settings.update(&params.settings) {
                        self.show_warning(&warning);
                    }
                    self.schedule_all();
                }
            }
            // A file on disk changed: a module's other files, a template, or a config file.
            DidChangeWatchedFiles::METHOD => {
                if let Ok(params) = extract::<lsp_types::DidChangeWatchedFilesParams>(notification) {
                    let paths: Vec<std::path::PathBuf> = params
                        .changes
                        .iter()
                        .filter_map(|change| proto::uri_to_path(&change.uri))
                        .filter(|path| !self.is_hidden(path))
                        .collect();
                    // Files under `.terraform`, `.git` or `node_modules` are never read.
                    if paths.is_empty() {
                        return;
                    }
                    let _ = self.jobs.send(Job::FilesChanged(paths));
                    for change in params.changes {
                        let Some(path) = proto::uri_to_path(&change.uri).filter(|path| configs::is_config(path)) else {
                            continue;
                        };
                        if change.typ == lsp_types::FileChangeType::DELETED {
                            self.configs.remove(&path);
                            self.publish_config_diagnostics(&path);
                        } else if self.store.get(&change.uri).is_none() {
                            // An open buffer of the file is what counts while it is open.
                            self.configs.forget_locations();
                            self.load_config(&path);
                        }
                    }
                }
                self.schedule_all();
            }
            Cancel::METHOD => {
                if let Ok(params) = extract::<lsp_types::CancelParams>(notification) {
                    let id = match params.id {
                        lsp_types::NumberOrString::Number(number) => RequestId::from(number),
                        lsp_types::NumberOrString::String(text) => RequestId::from(text),
                    };
                    if self.pending.remove(&id) {
                        lock(&self.shared.cancelled).insert(id.clone());
                        self.send(Response::new_err(
                            id,
                            ErrorCode::RequestCanceled as i32,
                            "the request was cancelled".to_owned(),
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    fn on_outcome(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Response(response) => {
                lock(&self.shared.cancelled).remove(&response.id);
                if self.pending.remove(&response.id) {
                    self.send(response);
                }
            }
            Outcome::Log(message) => self.log(&message),
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams { uri, diagnostics, version };
        self.send(Notification::new(PublishDiagnostics::METHOD.to_owned(), params));
    }

    /// When `uri` is an open `rein.toml`, reads the configuration from its buffer, publishes
    /// its errors and re-analyses the open documents; returns whether it was one.
    fn reload_config_buffer(&mut self, uri: &Uri) -> bool {
        let Some(path) = proto::uri_to_path(uri).filter(|path| configs::is_config(path)) else { return false };
        self.reload_config(&path);
        true
    }

    /// Reads the configuration file at `path` again (from its buffer when open), publishes
    /// its errors and re-analyses the open documents.
    fn reload_config(&mut self, path: &std::path::Path) {
        self.configs.forget_locations();
        self.load_config(path);
        self.schedule_all();
    }

    /// Reads the configuration file at `path` (from its buffer when open) and publishes its
    /// errors.
    fn load_config(&mut self, path: &std::path::Path) {
        let text = self.config_buffer(path).map(|(_, text)| text);
        self.configs.load(path, text.as_deref().map(String::as_str));
        self.publish_config_diagnostics(path);
    }

    /// The version and text of the open buffer of the file at `path`.
    fn config_buffer(&self, path: &std::path::Path) -> Option<(i32, Arc<String>)> {
        self.store
            .iter()
            .find(|(_, document)| document.path.as_deref() == Some(path))
            .map(|(_, document)| (document.version, document.text.clone()))
    }

    fn publish_config_diagnostics(&self, path: &std::path::Path) {
        let Some(uri) = proto::path_to_uri(path) else { return };
        let diagnostics =
            self.configs.get(path).map(|entry| configs::diagnostics(entry, self.encoding)).unwrap_or_default();
        let version = self.config_buffer(path).map(|(version, _)| version);
        self.publish(uri, diagnostics, version);
    }

    /// The configuration for a document at `path`: the file the client named, or the one found
    /// above the document, read on first use.
    fn config_for(&mut self, path: Option<&std::path::Path>) -> Option<Arc<rein_config::Config>> {
        let config_path = match self.settings.config_path(self.root.as_deref()) {
            Some(named) => named,
            None => self.configs.locate(path?.parent()?)?,
        };
        if self.configs.get(&config_path).is_none() {
            self.load_config(&config_path);
        }
        self.configs.get(&config_path)?.good.clone()
    }

    /// Queues an analysis of an open document (a `rein.toml` has its own diagnostics). It
    /// replaces one still queued for the document; the worker is woken only when none was.
    fn schedule(&mut self, uri: &Uri) {
        if proto::uri_to_path(uri).is_some_and(|path| configs::is_config(&path)) {
            return;
        }
        let Some(context) = self.context(uri) else { return };
        let was_queued = lock(&self.shared.queued).insert(uri.clone(), context).is_some();
        if !was_queued {
            let _ = self.jobs.send(Job::Analyze(uri.clone()));
        }
    }

    fn schedule_all(&mut self) {
        let uris: Vec<Uri> = self.store.iter().map(|(uri, _)| uri.clone()).collect();
        for uri in &uris {
            self.schedule(uri);
        }
    }

    /// A path below a hidden directory or `node_modules` of a workspace folder, which the
    /// analyses never read. (The folder itself may well sit below a hidden directory.)
    fn is_hidden(&self, path: &std::path::Path) -> bool {
        let Some(directory) = path.parent() else { return false };
        let Some(inside) = self.folders.iter().find_map(|folder| directory.strip_prefix(folder).ok()) else {
            return false;
        };
        inside.components().any(|component| analysis::is_hidden_name(&component.as_os_str().to_string_lossy()))
    }

    /// What the worker needs to analyse `uri` as it is now.
    fn context(&mut self, uri: &Uri) -> Option<worker::JobContext> {
        let path = self.store.get(uri)?.path.clone();
        let config = self.config_for(path.as_deref());
        let document = self.store.get(uri)?;
        let overlay = self
            .store
            .iter()
            .filter_map(|(_, other)| Some((other.path.clone()?, (other.version, other.text.clone()))))
            .collect();
        Some(worker::JobContext {
            target: analysis::Target {
                uri: uri.clone(),
                version: document.version,
                text: document.text.clone(),
                path: document.path.clone(),
                language_id: document.language_id.clone(),
            },
            overlay: Arc::new(overlay),
            settings: Arc::new(self.settings.rules(config.as_deref())),
            config,
            generation: self.settings.generation() + self.configs.generation(),
            open_uris: Arc::new(
                self.store.iter().filter_map(|(uri, other)| Some((other.path.clone()?, uri.clone()))).collect(),
            ),
        })
    }
}

fn extract<P: serde::de::DeserializeOwned>(notification: Notification) -> Result<P, ()> {
    let method = notification.method.clone();
    notification.extract::<P>(&method).map_err(|_| ())
}
