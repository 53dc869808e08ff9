//! The analysis thread: runs analyses and the requests that read them, newest first, and
//! sends the results back to the main loop.
//!
//! Jobs queue up while an analysis runs; the worker then takes them all at once and skips
//! every analysis that a later one of the same document supersedes, so a burst of keystrokes
//! costs one analysis, not one per keystroke.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, RequestId, Response};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, CompletionTextEdit, Diagnostic, Documentation, Hover,
    HoverContents, InsertTextFormat, MarkupContent, MarkupKind, Position, TextEdit, Uri,
};
use rein_analysis::RuleSettings;

use crate::analysis::{self, FileAnalysis, Overlay, Target};
use crate::completion::{self, Item, ItemKind};
use crate::diagnostics;
use crate::hover;
use crate::proto;
use crate::proto::PositionEncoding;

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
    pub open_uris: BTreeMap<PathBuf, Uri>,
}

pub enum Job {
    /// Analyse a document and publish its diagnostics.
    Analyze { context: JobContext },
    /// Answer a request about a position of a document.
    Request { id: RequestId, context: JobContext, query: Query },
}

#[derive(Clone, Copy, Debug)]
pub enum Query {
    Hover(Position),
    Completion(Position),
}

pub enum Outcome {
    /// Diagnostics by document, with the version they were computed for.
    Diagnostics(Vec<(Uri, i32, Vec<Diagnostic>)>),
    Response(Response),
    Log(String),
}

/// The last analysis of each document, with the settings generation it was made with.
type Cache = BTreeMap<Uri, (u64, Arc<FileAnalysis>)>;

pub fn spawn(
    jobs: Receiver<Job>,
    outcomes: Sender<Outcome>,
    encoding: PositionEncoding,
    snippets: bool,
    cancelled: Arc<Mutex<BTreeSet<RequestId>>>,
) -> std::io::Result<JoinHandle<()>> {
    let worker = Worker { outcomes, encoding, snippets, cancelled, cache: Cache::new() };
    std::thread::Builder::new().name("rein-analysis".to_owned()).spawn(move || worker.run(&jobs))
}

struct Worker {
    outcomes: Sender<Outcome>,
    encoding: PositionEncoding,
    snippets: bool,
    cancelled: Arc<Mutex<BTreeSet<RequestId>>>,
    cache: Cache,
}

impl Worker {
    fn run(mut self, jobs: &Receiver<Job>) {
        // Ends when the main loop drops its sender.
        while let Ok(first) = jobs.recv() {
            let mut batch = vec![first];
            batch.extend(jobs.try_iter());
            let mut last_analysis: BTreeMap<Uri, usize> = BTreeMap::new();
            for (idx, job) in batch.iter().enumerate() {
                if let Job::Analyze { context } = job {
                    last_analysis.insert(context.target.uri.clone(), idx);
                }
            }
            for (idx, job) in batch.into_iter().enumerate() {
                match job {
                    Job::Analyze { context } => {
                        if last_analysis.get(&context.target.uri) == Some(&idx) {
                            self.analyze_and_publish(&context);
                        }
                    }
                    Job::Request { id, context, query } => self.answer(id, &context, query),
                }
            }
        }
    }

    fn send(&self, outcome: Outcome) {
        let _ = self.outcomes.send(outcome);
    }

    /// The analysis of the context's document at its version, from the cache or fresh.
    fn analysis(&mut self, context: &JobContext) -> Option<Arc<FileAnalysis>> {
        let uri = &context.target.uri;
        if let Some((generation, cached)) = self.cache.get(uri)
            && *generation == context.generation
            && cached.version == context.target.version
        {
            return Some(cached.clone());
        }
        let run = panic::catch_unwind(AssertUnwindSafe(|| {
            analysis::analyze_target(&context.target, &context.overlay, &context.settings, context.config.as_deref())
        }));
        match run {
            Ok(result) => {
                let result = Arc::new(result);
                // Forget the documents that were closed since.
                self.cache.retain(|cached, _| context.open_uris.values().any(|open| open == cached));
                self.cache.insert(uri.clone(), (context.generation, result.clone()));
                Some(result)
            }
            Err(_) => {
                self.send(Outcome::Log(format!("the analysis of {} failed: rein panicked", uri.as_str())));
                None
            }
        }
    }

    fn is_cancelled(&self, id: &RequestId) -> bool {
        self.cancelled.lock().is_ok_and(|cancelled| cancelled.contains(id))
    }

    fn answer(&mut self, id: RequestId, context: &JobContext, query: Query) {
        if self.is_cancelled(&id) {
            return;
        }
        let Some(result) = self.analysis(context) else {
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
        let Some(result) = self.analysis(context) else { return };
        let mut published = Vec::new();
        let own = match result.file {
            Some(file) => diagnostics::file_diagnostics(&result.analysis, file, &result.uri, self.encoding),
            None => Vec::new(),
        };
        published.push((result.uri.clone(), result.version, own));
        // The other open files of the module were read in the same run: their diagnostics
        // are current too, as long as they did not change since.
        for (path, file, version) in &result.others {
            if let Some(uri) = context.open_uris.get(path) {
                published.push((
                    uri.clone(),
                    *version,
                    diagnostics::file_diagnostics(&result.analysis, *file, uri, self.encoding),
                ));
            }
        }
        self.send(Outcome::Diagnostics(published));
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
