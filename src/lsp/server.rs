//! The message loop: the LSP life cycle (initialize, shutdown, exit), open documents,
//! scheduling checks on the worker and publishing their results, and answering
//! requests from the features.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, select};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, HoverProviderCapability, InitializeParams, OneOf,
    PublishDiagnosticsParams, RenameOptions, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::documents::Documents;
use super::view::View;
use super::worker::{self, Checked, Job, Scope};
use super::workspace::{self, Workspace};
use super::{actions, completion, definition, diagnostics, hover, rename, symbols};
use crate::diagnostic::Diagnostic;
use crate::load::Repository;

/// Settings of a server.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long the editor must be quiet before a check starts.
    pub debounce: Duration,
    /// The folder used when the client names no workspace.
    pub fallback_root: PathBuf,
}

/// How the message loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// `exit` after `shutdown`.
    Clean,
    /// `exit` without `shutdown`, or the input ended.
    Abrupt,
}

struct Server {
    settings: Settings,
    out: Sender<Message>,
    results_tx: Sender<Checked>,
    jobs: Option<Sender<Job>>,
    worker: Option<std::thread::JoinHandle<()>>,
    workspace: Option<Workspace>,
    docs: Documents,
    uris: BTreeMap<String, Uri>,
    generation: u64,
    latest: HashMap<Scope, u64>,
    snapshots: HashMap<String, Arc<Repository>>,
    published: BTreeMap<String, Vec<Diagnostic>>,
    views: super::view::SchemaDocs,
    shut_down: bool,
}

/// Runs the message loop until `exit` or the end of the input.
pub fn run(settings: Settings, out: Sender<Message>, inbox: Receiver<Message>) -> Ending {
    let (results_tx, results) = crossbeam_channel::unbounded::<Checked>();
    let mut server = Server {
        settings,
        out,
        results_tx,
        jobs: None,
        worker: None,
        workspace: None,
        docs: Documents::default(),
        uris: BTreeMap::new(),
        generation: 0,
        latest: HashMap::new(),
        snapshots: HashMap::new(),
        published: BTreeMap::new(),
        views: super::view::SchemaDocs::new(),
        shut_down: false,
    };
    let ending = loop {
        select! {
            recv(inbox) -> message => match message {
                Ok(message) => {
                    if let Some(ending) = server.handle(message) {
                        break ending;
                    }
                }
                Err(_) => break Ending::Abrupt,
            },
            recv(results) -> checked => {
                if let Ok(checked) = checked {
                    server.apply(checked);
                }
            }
        }
    };
    server.jobs = None;
    if let Some(worker) = server.worker.take() {
        let _ = worker.join();
    }
    ending
}

fn error(id: RequestId, code: ErrorCode, message: impl Into<String>) -> Message {
    Response::new_err(id, code as i32, message.into()).into()
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, String> {
    serde_json::from_value(value).map_err(|e| format!("invalid params: {e}"))
}

impl Server {
    fn send(&self, message: Message) {
        let _ = self.out.send(message);
    }

    /// Handles one message; `Some` when the loop ends.
    fn handle(&mut self, message: Message) -> Option<Ending> {
        match message {
            Message::Request(req) => {
                self.request(req);
                None
            }
            Message::Notification(n) if n.method == "exit" => Some(if self.shut_down {
                Ending::Clean
            } else {
                Ending::Abrupt
            }),
            Message::Notification(n) => {
                if self.workspace.is_some() && !self.shut_down {
                    self.notification(n);
                }
                None
            }
            Message::Response(_) => None,
        }
    }

    fn request(&mut self, req: Request) {
        let Request {
            id,
            method,
            params: p,
        } = req;
        if method == "initialize" {
            if self.workspace.is_some() {
                return self.send(error(
                    id,
                    ErrorCode::InvalidRequest,
                    "initialize was already sent",
                ));
            }
            let reply = match params::<InitializeParams>(p) {
                Ok(init) => self.initialize(&init),
                Err(e) => return self.send(error(id, ErrorCode::InvalidParams, e)),
            };
            return match reply {
                Ok(result) => self.send(Response::new_ok(id, result).into()),
                Err(e) => self.send(error(id, ErrorCode::InternalError, e)),
            };
        }
        if self.workspace.is_none() {
            return self.send(error(
                id,
                ErrorCode::ServerNotInitialized,
                "send initialize first",
            ));
        }
        if self.shut_down {
            return self.send(error(
                id,
                ErrorCode::InvalidRequest,
                "the server is shut down",
            ));
        }
        if method == "shutdown" {
            self.shut_down = true;
            return self.send(Response::new_ok(id, ()).into());
        }
        let answer = catch_unwind(AssertUnwindSafe(|| self.answer(&method, p)));
        let message = match answer {
            Ok(Ok(value)) => Response::new_ok(id, value).into(),
            Ok(Err((code, e))) => error(id, code, e),
            Err(_) => error(id, ErrorCode::InternalError, format!("{method} failed")),
        };
        self.send(message);
    }

    fn view(&self) -> Option<View<'_>> {
        Some(View {
            workspace: self.workspace.as_ref()?,
            docs: &self.docs,
            snapshots: &self.snapshots,
            published: &self.published,
            schemas: &self.views,
        })
    }

    /// The answer to a request other than the life cycle's.
    fn answer(&self, method: &str, p: Value) -> Result<Value, (ErrorCode, String)> {
        let bad = |e: String| (ErrorCode::InvalidParams, e);
        let view = self.view().ok_or((
            ErrorCode::ServerNotInitialized,
            "send initialize first".to_owned(),
        ))?;
        let json = |v: Result<Value, serde_json::Error>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match method {
            "textDocument/completion" => json(serde_json::to_value(completion::complete(
                &view,
                &params(p).map_err(bad)?,
            ))),
            "textDocument/hover" => json(serde_json::to_value(hover::hover(
                &view,
                &params(p).map_err(bad)?,
            ))),
            "textDocument/definition" => json(serde_json::to_value(definition::definition(
                &view,
                &params(p).map_err(bad)?,
            ))),
            "textDocument/codeAction" => json(serde_json::to_value(actions::actions(
                &view,
                &params(p).map_err(bad)?,
            ))),
            "textDocument/documentSymbol" => json(serde_json::to_value(symbols::symbols(
                &view,
                &params(p).map_err(bad)?,
            ))),
            "textDocument/rename" => match rename::rename(&view, &params(p).map_err(bad)?) {
                Ok(edit) => json(serde_json::to_value(edit)),
                Err(why) => Err((ErrorCode::RequestFailed, why)),
            },
            "textDocument/prepareRename" => json(serde_json::to_value(rename::prepare(
                &view,
                &params(p).map_err(bad)?,
            ))),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("{method} is not supported"),
            )),
        }
    }

    fn initialize(&mut self, init: &InitializeParams) -> Result<Value, String> {
        #[allow(deprecated)]
        let named = init
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .and_then(|f| workspace::uri_to_path(&f.uri))
            .or_else(|| init.root_uri.as_ref().and_then(workspace::uri_to_path))
            .or_else(|| init.root_path.as_ref().map(PathBuf::from));
        let start = named.unwrap_or_else(|| self.settings.fallback_root.clone());
        let ws = Workspace::find(&start);
        let (jobs, handle) =
            worker::spawn(ws.clone(), self.settings.debounce, self.results_tx.clone())
                .map_err(|e| format!("cannot start the check worker: {e}"))?;
        self.jobs = Some(jobs);
        self.worker = Some(handle);
        self.workspace = Some(ws);
        let capabilities = ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(
                    [":", " ", "[", ",", "{", "(", "/"]
                        .map(str::to_owned)
                        .to_vec(),
                ),
                ..CompletionOptions::default()
            }),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..CodeActionOptions::default()
            })),
            document_symbol_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            ..ServerCapabilities::default()
        };
        let result = lsp_types::InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "moment".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
        };
        serde_json::to_value(result).map_err(|e| e.to_string())
    }

    fn notification(&mut self, n: Notification) {
        let Notification { method, params: p } = n;
        match method.as_str() {
            "initialized" => self.schedule(Scope::Repository),
            "textDocument/didOpen" => {
                if let Ok(open) = params::<DidOpenTextDocumentParams>(p)
                    && let Some(rel) = self.rel(&open.text_document.uri)
                {
                    self.uris.insert(rel.clone(), open.text_document.uri);
                    self.docs.open(
                        rel.clone(),
                        open.text_document.text,
                        open.text_document.version,
                    );
                    self.schedule_for(&rel);
                }
            }
            "textDocument/didChange" => {
                if let Ok(change) = params::<DidChangeTextDocumentParams>(p)
                    && let Some(rel) = self.rel(&change.text_document.uri)
                    && let Some(doc) = self.docs.get_mut(&rel)
                {
                    doc.apply(change.content_changes, change.text_document.version);
                    self.schedule_for(&rel);
                }
            }
            "textDocument/didSave" => {
                if let Ok(save) = params::<DidSaveTextDocumentParams>(p)
                    && let Some(rel) = self.rel(&save.text_document.uri)
                {
                    self.schedule_for(&rel);
                }
            }
            "textDocument/didClose" => {
                if let Ok(close) = params::<DidCloseTextDocumentParams>(p)
                    && let Some(rel) = self.rel(&close.text_document.uri)
                {
                    self.docs.close(&rel);
                    self.schedule_for(&rel);
                }
            }
            "workspace/didChangeWatchedFiles" => {
                if let Ok(changes) = params::<lsp_types::DidChangeWatchedFilesParams>(p) {
                    let rels: BTreeSet<String> = changes
                        .changes
                        .iter()
                        .filter_map(|c| self.rel(&c.uri))
                        .collect();
                    for rel in rels {
                        self.schedule_for(&rel);
                    }
                }
            }
            // Requests are answered as they arrive, so by the time a cancellation is
            // read there is nothing left to cancel; stale checks are dropped by version.
            _ => {}
        }
    }

    fn rel(&self, uri: &Uri) -> Option<String> {
        self.workspace.as_ref()?.rel(uri)
    }

    /// Schedules a check of whatever `rel` belongs to.
    fn schedule_for(&mut self, rel: &str) {
        if let Some(id) = workspace::moment_of(rel) {
            self.schedule(Scope::Moment(id.to_owned()));
        } else if rel == "units.yaml" {
            self.schedule(Scope::Repository);
        }
    }

    fn schedule(&mut self, scope: Scope) {
        let Some(jobs) = &self.jobs else {
            return;
        };
        self.generation += 1;
        self.latest.insert(scope.clone(), self.generation);
        let (overlay, versions) = self.docs.overlay(&scope.prefix());
        let _ = jobs.send(Job {
            scope,
            generation: self.generation,
            overlay,
            versions,
        });
    }

    /// Whether a result for `rel` from a job of `generation` is still the newest.
    fn current(&self, rel: &str, generation: u64, versions: &BTreeMap<String, i32>) -> bool {
        let scope = match workspace::moment_of(rel) {
            Some(id) => Scope::Moment(id.to_owned()),
            None => Scope::Repository,
        };
        let newest = self
            .latest
            .get(&scope)
            .copied()
            .unwrap_or(0)
            .max(self.latest.get(&Scope::Repository).copied().unwrap_or(0));
        if generation < newest {
            return false;
        }
        // A buffer edited (or opened) since the job was sent: a newer job is queued.
        match self.docs.get(rel) {
            Some(doc) => versions.get(rel) == Some(&doc.version),
            None => !versions.contains_key(rel),
        }
    }

    /// Publishes a check's diagnostics, file by file, unless stale.
    fn apply(&mut self, checked: Checked) {
        let Some(ws) = self.workspace.clone() else {
            return;
        };
        if std::env::var_os("MOMENT_LSP_TRACE").is_some() {
            eprintln!(
                "moment lsp: checked {:?} in {:.1} ms",
                checked.scope,
                checked.took.as_secs_f64() * 1000.0
            );
        }
        for moment in &checked.repo.moments {
            if self.current(
                &format!("{}/", moment.rel_dir),
                checked.generation,
                &BTreeMap::new(),
            ) {
                self.snapshots
                    .insert(moment.folder.clone(), checked.repo.clone());
            }
        }
        let mut by_file = diagnostics::by_file(&checked.diagnostics);
        let mut files: BTreeSet<String> = by_file.keys().cloned().collect();
        files.extend(self.published.keys().cloned());
        files.extend(self.docs.paths().cloned());
        for rel in files {
            if !checked.scope.owns(&rel)
                || !self.current(&rel, checked.generation, &checked.versions)
            {
                continue;
            }
            let diags = by_file.remove(&rel).unwrap_or_default();
            if diags.is_empty()
                && !self.published.contains_key(&rel)
                && self.docs.get(&rel).is_none()
            {
                continue;
            }
            let text = self
                .docs
                .get(&rel)
                .map(|d| d.text.clone())
                .or_else(|| checked.repo.sources.get(&rel).cloned());
            let uri = match self.uris.get(&rel) {
                Some(uri) => uri.clone(),
                None => match ws.uri(&rel) {
                    Some(uri) => uri,
                    None => continue,
                },
            };
            let lsp: Vec<lsp_types::Diagnostic> = diags
                .iter()
                .map(|d| diagnostics::to_lsp(d, text.as_deref(), &ws))
                .collect();
            let version = self.docs.get(&rel).map(|d| d.version);
            let params = PublishDiagnosticsParams::new(uri, lsp, version);
            self.send(
                Notification::new("textDocument/publishDiagnostics".to_owned(), params).into(),
            );
            if diags.is_empty() {
                self.published.remove(&rel);
            } else {
                self.published.insert(rel, diags);
            }
        }
    }
}
