//! The check worker: a thread that runs the library's `load` + `validate` for the
//! moment that changed, off the message loop, debounced, and drops work made stale by
//! newer edits before it starts.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::workspace::Workspace;
use crate::diagnostic::Diagnostic;
use crate::load::overlay::Overlay;
use crate::load::schema::Schemas;
use crate::load::{self, Repository};
use crate::validate;

/// What to check.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// One moment, by folder name.
    Moment(String),
    /// The whole repository (at start, and when `units.yaml` changes).
    Repository,
}

impl Scope {
    /// Whether a repository-relative path is reported by a check of this scope.
    pub fn owns(&self, rel: &str) -> bool {
        match self {
            Scope::Repository => true,
            Scope::Moment(id) => super::workspace::moment_of(rel) == Some(id.as_str()),
        }
    }

    /// The path prefix of the open buffers that matter to this scope.
    pub fn prefix(&self) -> String {
        match self {
            Scope::Repository => String::new(),
            Scope::Moment(id) => format!("moments/{id}/"),
        }
    }
}

/// One check to run.
#[derive(Debug)]
pub struct Job {
    /// What to check.
    pub scope: Scope,
    /// Increases with every job of the same scope; a result of an older one is stale.
    pub generation: u64,
    /// The unsaved buffers.
    pub overlay: Overlay,
    /// The versions of the buffers in `overlay`.
    pub versions: BTreeMap<String, i32>,
}

/// The result of a check.
#[derive(Debug)]
pub struct Checked {
    /// What was checked.
    pub scope: Scope,
    /// The job's generation.
    pub generation: u64,
    /// The versions of the buffers that were checked.
    pub versions: BTreeMap<String, i32>,
    /// Every diagnostic, as `moment check` reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// What was loaded, for completion, definitions and renames.
    pub repo: Arc<Repository>,
    /// How long load + validate took.
    pub took: Duration,
}

/// Starts the worker: jobs in, results out. It ends when the job sender is dropped.
pub fn spawn(
    workspace: Workspace,
    debounce: Duration,
    results: Sender<Checked>,
) -> std::io::Result<(Sender<Job>, thread::JoinHandle<()>)> {
    let (jobs, inbox) = crossbeam_channel::unbounded::<Job>();
    let handle = thread::Builder::new()
        .name("moment-lsp-check".to_owned())
        .spawn(move || run(&workspace, debounce, &inbox, &results))?;
    Ok((jobs, handle))
}

fn run(
    workspace: &Workspace,
    debounce: Duration,
    inbox: &Receiver<Job>,
    results: &Sender<Checked>,
) {
    let schemas = Schemas::compile();
    let options = validate::Options::default();
    let mut queue: VecDeque<Job> = VecDeque::new();
    loop {
        if queue.is_empty() {
            match inbox.recv() {
                Ok(job) => queue.push_back(job),
                Err(_) => return,
            }
        }
        // Debounce: wait until the editor has been quiet for `debounce`, keeping only
        // the newest job of each scope.
        let mut quiet_since = Instant::now();
        loop {
            let left = debounce.saturating_sub(quiet_since.elapsed());
            if left.is_zero() {
                break;
            }
            match inbox.recv_timeout(left) {
                Ok(job) => {
                    merge(&mut queue, job);
                    quiet_since = Instant::now();
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        // Take in whatever else arrived, without waiting.
        while let Ok(job) = inbox.try_recv() {
            merge(&mut queue, job);
        }
        let Some(job) = queue.pop_front() else {
            continue;
        };
        let started = Instant::now();
        let moment = match &job.scope {
            Scope::Moment(id) => Some(id.as_str()),
            Scope::Repository => None,
        };
        // A bug in a rule must not end the server: the check is reported as failed and
        // the next edit is checked again.
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let repo = load::load_with(&workspace.target(moment), &schemas, &job.overlay);
            let diagnostics = validate::repository(&repo, &options);
            (repo, diagnostics)
        }));
        let Ok((repo, diagnostics)) = checked else {
            eprintln!(
                "moment lsp: the check of {:?} failed; please report this as a bug",
                job.scope
            );
            continue;
        };
        let checked = Checked {
            scope: job.scope,
            generation: job.generation,
            versions: job.versions,
            diagnostics,
            repo: Arc::new(repo),
            took: started.elapsed(),
        };
        if results.send(checked).is_err() {
            return;
        }
    }
}

/// Queues `job`, replacing an older job of the same scope (its result would be stale);
/// a repository check replaces every moment check.
fn merge(queue: &mut VecDeque<Job>, job: Job) {
    if job.scope == Scope::Repository {
        queue.clear();
    } else {
        queue.retain(|j| j.scope != job.scope);
    }
    queue.push_back(job);
}
