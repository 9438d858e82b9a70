//! `moment build` as a library function: check, render every moment in parallel
//! (through [`crate::pipeline`], as the preview does),
//! assemble bundles, and write them atomically, or write nothing. The layout of the
//! output folder and its guarantees are in [`crate::bundle::dist`].

use std::path::PathBuf;

use rayon::prelude::*;

use crate::bundle::{self, Provenance, Staging, Written};
use crate::cache::{self, Cache, Entry, Key, Lookup};
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::Error;
use crate::load::folder::Contents;
use crate::load::refs::Digests;
use crate::load::schema::Schemas;
use crate::load::{Reading, Sources, Target};
use crate::pipeline::{self, Checked};
use crate::validate;

/// What to build.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// The repository and the moments to build.
    pub target: Target,
    /// Output folder.
    pub out: PathBuf,
    /// Check settings.
    pub check: validate::Options,
    /// `moment` version, for the manifest.
    pub tool_version: String,
    /// Where the sources come from; detected from git and `SOURCE_DATE_EPOCH` when `None`.
    pub provenance: Option<Provenance>,
}

/// The result of a build that ran to the end.
#[derive(Debug)]
pub struct BuildReport {
    /// Every diagnostic of the check (and of the theme).
    pub diagnostics: Vec<Diagnostic>,
    /// Files read, for snippets.
    pub sources: Sources,
    /// What was written (bundles kept from the current build included); empty when
    /// there were errors.
    pub written: Vec<Written>,
    /// How many of `written` were kept from the current build (see [`crate::cache`]).
    pub reused: usize,
}

impl BuildReport {
    /// Whether any diagnostic is an error.
    pub fn failed(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    fn failure(diagnostics: Vec<Diagnostic>, sources: Sources) -> BuildReport {
        BuildReport {
            diagnostics,
            sources,
            written: Vec::new(),
            reused: 0,
        }
    }
}

/// Calls from a running build to whoever shows its progress.
pub struct Hooks<'a> {
    /// Called after each moment is rendered.
    pub progress: &'a (dyn Fn() + Sync),
    /// Called once when another process holds the output folder's lock, with its
    /// process id when known; the build then waits for it.
    pub waiting: &'a dyn Fn(Option<u32>),
}

/// Checks, renders and writes. `progress` is called after each moment is rendered;
/// a build that must wait for another writer of the output folder waits silently.
pub fn run(options: &BuildOptions, progress: &(dyn Fn() + Sync)) -> Result<BuildReport, Error> {
    run_with(
        options,
        &Hooks {
            progress,
            waiting: &|_| {},
        },
    )
}

/// A moment whose cache entry matches its inputs now.
struct Candidate {
    folder: String,
    entry: Entry,
    key: Key,
    stamps: Option<Contents>,
    /// Whether its entry should be written again with the files' versions now.
    restamp: bool,
}

/// What the cache will record for a moment that was built.
struct Record {
    key: Key,
    entry: Entry,
    stamps: Option<Contents>,
}

/// Checks, renders and writes, reporting through `hooks`. With a sound cache entry
/// (see [`crate::cache`]) a moment is neither loaded nor rendered: its bundle in the
/// current build is kept.
pub fn run_with(options: &BuildOptions, hooks: &Hooks<'_>) -> Result<BuildReport, Error> {
    run_compiled(options, hooks, &Schemas::compile())
}

/// [`run_with`] with schemas the caller compiled (publish compiles them once for
/// verifying and building).
pub fn run_compiled(
    options: &BuildOptions,
    hooks: &Hooks<'_>,
    schemas: &Schemas,
) -> Result<BuildReport, Error> {
    let root = &options.target.root;
    let provenance = options
        .provenance
        .clone()
        .unwrap_or_else(|| Provenance::detect(root, &options.tool_version));
    // A moment with an entry whose files are unchanged is kept without being read;
    // every other moment is loaded, and its key taken from the bytes the load read
    // (see `crate::load::folder`).
    let cache = Cache::open(&options.out, root, &provenance, &options.check);
    let reading = if cache.is_some() {
        Reading::Whole
    } else {
        Reading::AsNeeded
    };
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut misses: Vec<String> = Vec::new();
    if let Some(cache) = &cache {
        for (folder, lookup) in cache::keys(cache, root, &options.target.only) {
            match lookup {
                Lookup::Hit {
                    key,
                    entry,
                    stamps,
                    restamp,
                } => candidates.push(Candidate {
                    folder,
                    entry,
                    key,
                    stamps,
                    restamp,
                }),
                Lookup::Miss => misses.push(folder),
            }
        }
        // The checks of `units.yaml` and the rest of the repository run with the
        // first load, so it loads one moment at least.
        if misses.is_empty()
            && let Some(c) = candidates.pop()
        {
            misses.push(c.folder);
        }
    }
    let first = if misses.is_empty() {
        options.target.clone()
    } else {
        Target {
            root: root.clone(),
            only: misses,
        }
    };
    let checked = pipeline::check(&first, &options.check, schemas, reading);
    if checked.failed() {
        return Ok(BuildReport::failure(
            checked.diagnostics,
            checked.repo.sources,
        ));
    }
    let mut planned: Vec<(String, String)> = checked
        .repo
        .moments
        .iter()
        .filter_map(|m| m.meta.as_ref())
        .map(|meta| (meta.id.clone(), meta.version.clone()))
        .collect();
    planned.extend(
        candidates
            .iter()
            .map(|c| (c.entry.id.clone(), c.entry.version.clone())),
    );
    // One writer per output folder from here until the bundles are in place.
    let mut staging = Staging::new(&options.out, &planned, hooks.waiting)?;
    // A kept bundle must be in the current build with exactly the recorded manifest;
    // the others are checked and built after all.
    let current = staging.current_dir();
    let (kept, stale): (Vec<Candidate>, Vec<Candidate>) = candidates.into_iter().partition(|c| {
        current
            .as_deref()
            .is_some_and(|b| cache::holds(b, &c.entry))
    });
    let mut passes = vec![checked];
    if !stale.is_empty() {
        let again = pipeline::check(
            &Target {
                root: root.clone(),
                only: stale.into_iter().map(|c| c.folder).collect(),
            },
            &options.check,
            schemas,
            reading,
        );
        passes.push(Checked {
            diagnostics: own_diagnostics(&again),
            ..again
        });
    }
    for checked in &mut passes {
        keep_shown_sources(checked);
    }
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut made: Vec<(String, Option<Record>)> = Vec::new();
    let mut failure = None;
    let digests = Digests::default();
    for checked in &passes {
        // Each bundle is staged as soon as it is assembled, so memory holds one
        // bundle per thread rather than all of them.
        let results =
            pipeline::render(checked, &options.tool_version, &digests, &|_| true, |out| {
                let clean = pipeline::diagnostics_of(&checked.diagnostics, out.moment)
                    .next()
                    .is_none();
                let folder = out.moment.folder.clone();
                let bundle =
                    bundle::assemble(out.rendered, &out.moment.dir, &out.assets, &provenance)?;
                staging.stage(&bundle)?;
                (hooks.progress)();
                // A moment with diagnostics gets no entry (and loses its old one), so
                // that its warnings are shown by every build.
                let record = match (&cache, &out.moment.contents) {
                    (Some(cache), Some(contents)) if clean => Some(Record {
                        key: cache.key(contents),
                        entry: cache::entry_of(&bundle),
                        stamps: out.moment.contents.clone(),
                    }),
                    _ => None,
                };
                Ok((folder, record))
            });
        diagnostics.extend(checked.diagnostics.iter().cloned());
        for (_, result) in results {
            match result {
                Ok(Ok(done)) => made.push(done),
                Ok(Err(d)) => diagnostics.push(d),
                Err(e) => failure = failure.or(Some(e)),
            }
        }
    }
    let mut sources = Sources::new();
    let mut loaded = Vec::with_capacity(passes.len());
    for checked in passes {
        sources.extend(checked.repo.sources);
        loaded.push(checked.repo.moments);
    }
    // Freeing every loaded moment takes a core some 50 ms on 10,000 pages; nothing
    // waits for it.
    rayon::spawn(move || drop(loaded));
    if let Some(e) = failure {
        staging.abandon();
        return Err(e);
    }
    crate::diagnostic::sort(&mut diagnostics);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        staging.abandon();
        return Ok(BuildReport::failure(diagnostics, sources));
    }
    for c in &kept {
        staging.keep(&c.entry.id, &c.entry.version);
        (hooks.progress)();
    }
    let written = staging.commit()?;
    if let Some(cache) = &cache {
        // A cache that cannot be written only makes the next build slower.
        // One file per moment, written and renamed on both cores.
        made.par_iter().for_each(|(folder, record)| match record {
            Some(r) => {
                let _ = cache.put(folder, &r.key, &r.entry, r.stamps.as_ref());
            }
            None => cache.forget(folder),
        });
        for c in kept.iter().filter(|c| c.restamp) {
            let _ = cache.put(&c.folder, &c.key, &c.entry, c.stamps.as_ref());
        }
    }
    Ok(BuildReport {
        diagnostics,
        sources,
        written,
        reused: kept.len(),
    })
}

/// Keeps the texts of the files that have diagnostics, for their snippets, and frees
/// the others before the render needs memory (30 MB for 10,000 modules; fresh pages
/// are slow to come by, see the book's contributing chapter). A template diagnostic
/// of the render is about a theme file, which the check did not read.
fn keep_shown_sources(checked: &mut Checked) {
    let shown: std::collections::HashSet<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.file.as_str())
        .collect();
    checked
        .repo
        .sources
        .retain(|file, _| shown.contains(file.as_str()));
}

/// The diagnostics of a second check that concern its moments alone (the first
/// check already reported those of `units.yaml` and the rest of the repository).
fn own_diagnostics(checked: &Checked) -> Vec<Diagnostic> {
    checked
        .diagnostics
        .iter()
        .filter(|d| {
            checked
                .repo
                .moments
                .iter()
                .any(|m| d.file == m.rel_dir || d.file.starts_with(&format!("{}/", m.rel_dir)))
        })
        .cloned()
        .collect()
}
