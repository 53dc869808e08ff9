//! The analysis thread: runs analyses and the requests that read them, and publishes the
//! diagnostics.
//!
//! An analysis is not queued as a job of its own: the main loop keeps the latest request per
//! document in `Shared::queued` and sends only the document's URI, so a burst of keystrokes
//! costs one analysis of the newest text, and no queued job holds an old copy of the text.
//! Diagnostics go to the client from here, under the lock of `Shared::versions`, and only for
//! the version that is current: a stale result is never published.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Notification, RequestId, Response};
use lsp_types::notification::{Notification as _, PublishDiagnostics};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, CompletionTextEdit, Documentation, Hover, HoverContents,
    InsertTextFormat, MarkupContent, MarkupKind, Position, PublishDiagnosticsParams, TextEdit, Uri,
};
use rein_analysis::RuleSettings;

use crate::analysis::{self, FileAnalysis, Overlay, Target};
use crate::completion::{self, Item, ItemKind};
use crate::diagnostics;
use crate::hover;
use crate::proto;
use crate::proto::PositionEncoding;
use crate::workspace::Workspace;

/// Everything one job needs, copied from the main loop's state when the job was queued.
#[derive(Clone)]
pub struct JobContext {
    pub target: Target,
    pub overlay: Arc<Overlay>,
    pub settings: Arc<RuleSettings>,
    /// The document's `rein.toml`, for its per-path overrides.
    pub config: Option<Arc<rein_config::Config>>,
    /// The settings' generation, to tell a cached analysis made with older settings.
    pub generation: u64,
    /// The URIs of the open documents by path.
    pub open_uris: Arc<BTreeMap<PathBuf, Uri>>,
}

pub enum Job {
    /// Analyse the document whose request waits in `Shared::queued`, and publish.
    Analyze(Uri),
    /// Answer a request about a position of a document.
    Request { id: RequestId, context: JobContext, query: Query },
    /// Files on disk changed (or were created or deleted).
    FilesChanged(Vec<PathBuf>),
    /// The client will not announce file changes after all.
    Unwatched,
}

#[derive(Clone, Copy, Debug)]
pub enum Query {
    Hover(Position),
    Completion(Position),
}

pub enum Outcome {
    Response(Response),
    Log(String),
}

/// The state the main loop and the worker share.
#[derive(Default)]
pub struct Shared {
    /// The latest analysis wanted for each document, not yet taken by the worker.
    pub queued: Mutex<BTreeMap<Uri, JobContext>>,
    /// The current version of each open document. Whoever publishes diagnostics of an open
    /// document holds this lock, so a check of the version and the publishing are one step.
    pub versions: Mutex<BTreeMap<Uri, i32>>,
    /// Requests the client cancelled, so that the worker skips them.
    pub cancelled: Mutex<BTreeSet<RequestId>>,
}

/// Locks a mutex; a thread that panicked while holding it left consistent data behind (every
/// critical section is one map operation), so poisoning is ignored.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The last analysis of each document, with the settings and disk generations it was made with.
type Cache = BTreeMap<Uri, (u64, u64, Arc<FileAnalysis>)>;

pub struct WorkerSetup {
    pub jobs: Receiver<Job>,
    pub outcomes: Sender<Outcome>,
    /// The connection to the client, for diagnostics.
    pub client: Sender<Message>,
    pub encoding: PositionEncoding,
    pub snippets: bool,
    pub shared: Arc<Shared>,
    pub workspace: Workspace,
}

pub fn spawn(setup: WorkerSetup) -> std::io::Result<JoinHandle<()>> {
    let WorkerSetup { jobs, outcomes, client, encoding, snippets, shared, workspace } = setup;
    let (dropper, retired) = crossbeam_channel::unbounded::<Arc<FileAnalysis>>();
    std::thread::Builder::new().name("rein-drop".to_owned()).spawn(move || {
        // Ends when the worker drops its sender.
        for analysis in retired {
            drop(analysis);
        }
    })?;
    let worker = Worker {
        outcomes,
        client,
        encoding,
        snippets,
        shared,
        workspace,
        cache: Cache::new(),
        retired: Vec::new(),
        dropper,
    };
    std::thread::Builder::new().name("rein-analysis".to_owned()).spawn(move || worker.run(&jobs))
}

struct Worker {
    outcomes: Sender<Outcome>,
    client: Sender<Message>,
    encoding: PositionEncoding,
    snippets: bool,
    shared: Arc<Shared>,
    workspace: Workspace,
    cache: Cache,
    /// Analyses replaced in the cache, handed to `dropper` once their successor's diagnostics
    /// are out.
    retired: Vec<Arc<FileAnalysis>>,
    dropper: Sender<Arc<FileAnalysis>>,
}

impl Worker {
    fn run(mut self, jobs: &Receiver<Job>) {
        // Ends when the main loop drops its sender.
        while let Ok(job) = jobs.recv() {
            match job {
                Job::Analyze(uri) => {
                    let context = lock(&self.shared.queued).remove(&uri);
                    // `None`: a later token already took the newest request.
                    if let Some(context) = context {
                        self.analyze_and_publish(&context);
                    }
                }
                Job::Request { id, context, query } => self.answer(id, &context, query),
                Job::FilesChanged(paths) => {
                    for path in &paths {
                        self.workspace.invalidate(path);
                    }
                }
                Job::Unwatched => self.workspace.disk.set_watched(false),
            }
            // Freeing a big analysis takes a while, and nobody waits for it: a thread of its own
            // does it, so the next keystroke's analysis does not wait either.
            for retired in self.retired.drain(..) {
                if let Err(unsent) = self.dropper.send(retired) {
                    drop(unsent);
                }
            }
        }
    }

    fn send(&self, outcome: Outcome) {
        let _ = self.outcomes.send(outcome);
    }

    /// The analysis of the context's document at its version: from the cache when `cached` and
    /// nothing it was made from changed, fresh otherwise.
    fn analysis(&mut self, context: &JobContext, cached: bool) -> Option<Arc<FileAnalysis>> {
        let uri = &context.target.uri;
        let disk_generation = self.workspace.disk.generation();
        if cached
            && let Some((generation, disk, result)) = self.cache.get(uri)
            && *generation == context.generation
            && *disk == disk_generation
            && result.version == context.target.version
        {
            return Some(result.clone());
        }
        let workspace = &mut self.workspace;
        let run = panic::catch_unwind(AssertUnwindSafe(|| {
            analysis::analyze_target(
                &context.target,
                &context.overlay,
                &context.settings,
                context.config.as_deref(),
                workspace,
            )
        }));
        match run {
            Ok(result) => {
                let result = Arc::new(result);
                // Forget the documents that were closed since.
                let open = &context.open_uris;
                let retired = &mut self.retired;
                self.cache.retain(|cached, (_, _, analysis)| {
                    let keep = open.values().any(|uri| uri == cached);
                    if !keep {
                        retired.push(analysis.clone());
                    }
                    keep
                });
                let entry = (context.generation, self.workspace.disk.generation(), result.clone());
                if let Some((_, _, old)) = self.cache.insert(uri.clone(), entry) {
                    self.retired.push(old);
                }
                Some(result)
            }
            Err(_) => {
                self.send(Outcome::Log(format!("the analysis of {} failed: rein panicked", uri.as_str())));
                None
            }
        }
    }

    fn is_cancelled(&self, id: &RequestId) -> bool {
        lock(&self.shared.cancelled).contains(id)
    }

    fn answer(&mut self, id: RequestId, context: &JobContext, query: Query) {
        if self.is_cancelled(&id) {
            return;
        }
        let Some(result) = self.analysis(context, true) else {
            let message = "the analysis failed".to_owned();
            self.send(Outcome::Response(Response::new_err(id, ErrorCode::InternalError as i32, message)));
            return;
        };
        let (encoding, snippets) = (self.encoding, self.snippets);
        let answer = panic::catch_unwind(AssertUnwindSafe(|| match query {
            Query::Hover(position) => serde_json::to_value(hover_response(&result, encoding, position)),
            Query::Completion(position) => {
                serde_json::to_value(completion_response(&result, encoding, position, snippets))
            }
        }));
        let response = match answer {
            Ok(Ok(value)) => Response { id, response_result: Ok(value) },
            Ok(Err(err)) => Response::new_err(id, ErrorCode::InternalError as i32, err.to_string()),
            Err(_) => {
                self.send(Outcome::Log(format!("the request {id:?} failed: rein panicked")));
                Response::new_err(id, ErrorCode::InternalError as i32, "rein panicked".to_owned())
            }
        };
        self.send(Outcome::Response(response));
    }

    fn analyze_and_publish(&mut self, context: &JobContext) {
        let Some(result) = self.analysis(context, false) else { return };
        let encoding = self.encoding;
        let converted = panic::catch_unwind(AssertUnwindSafe(|| {
            let mut published = Vec::new();
            let own = match result.file {
                Some(file) => {
                    diagnostics::file_diagnostics(&result.analysis, file, &result.uri, result.version, encoding)
                }
                None => Vec::new(),
            };
            published.push((result.uri.clone(), result.version, own));
            // The other open files the run read: their diagnostics are current too, as long as
            // they did not change since.
            for (path, file, version) in &result.others {
                if let Some(uri) = context.open_uris.get(path) {
                    let diagnostics = diagnostics::file_diagnostics(&result.analysis, *file, uri, *version, encoding);
                    published.push((uri.clone(), *version, diagnostics));
                }
            }
            published
                .into_iter()
                .map(|(uri, version, diagnostics)| {
                    let params = PublishDiagnosticsParams { uri: uri.clone(), diagnostics, version: Some(version) };
                    (uri, version, Notification::new(PublishDiagnostics::METHOD.to_owned(), params))
                })
                .collect::<Vec<_>>()
        }));
        let Ok(notifications) = converted else {
            self.send(Outcome::Log(format!("the diagnostics of {} failed: rein panicked", result.uri.as_str())));
            return;
        };
        let versions = lock(&self.shared.versions);
        for (uri, version, notification) in notifications {
            if versions.get(&uri) == Some(&version) {
                let _ = self.client.send(notification.into());
            }
        }
    }
}

/// The line index of the analysed target text.
fn target_index(result: &FileAnalysis) -> Option<&rein_text::LineIndex> {
    result.file.and_then(|file| result.analysis.db.get(file)).map(|source| &source.line_index)
}

fn hover_response(result: &FileAnalysis, encoding: PositionEncoding, position: Position) -> Option<Hover> {
    let index = target_index(result)?;
    let offset = proto::offset(index, encoding, position);
    let (text, range) = hover::hover(result, offset)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: text }),
        range: Some(proto::range(index, encoding, range)),
    })
}

fn completion_response(
    result: &FileAnalysis,
    encoding: PositionEncoding,
    position: Position,
    snippets: bool,
) -> Option<CompletionResponse> {
    let index = target_index(result)?;
    let offset = proto::offset(index, encoding, position);
    let items = completion::completions(result, offset, snippets);
    Some(CompletionResponse::Array(items.into_iter().map(|item| completion_item(index, encoding, item)).collect()))
}

fn completion_item(index: &rein_text::LineIndex, encoding: PositionEncoding, item: Item) -> CompletionItem {
    let kind = match item.kind {
        ItemKind::Service => CompletionItemKind::MODULE,
        ItemKind::Action => CompletionItemKind::FUNCTION,
        ItemKind::Operator => CompletionItemKind::OPERATOR,
        ItemKind::ConditionKey => CompletionItemKind::PROPERTY,
        ItemKind::Arn => CompletionItemKind::VALUE,
    };
    CompletionItem {
        filter_text: Some(item.label.clone()),
        label: item.label,
        kind: Some(kind),
        detail: item.detail,
        documentation: item
            .documentation
            .map(|value| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })),
        insert_text_format: Some(if item.snippet { InsertTextFormat::SNIPPET } else { InsertTextFormat::PLAIN_TEXT }),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range: proto::range(index, encoding, item.range),
            new_text: item.insert,
        })),
        ..CompletionItem::default()
    }
}
