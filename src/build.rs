//! `moment build` as a library function: check, render every moment in parallel,
//! assemble bundles, and write them atomically, or write nothing. The layout of the
//! output folder and its guarantees are in [`crate::bundle::dist`].

use std::path::PathBuf;

use rayon::prelude::*;

use crate::bundle::{self, Provenance, Staging, Written};
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::Error;
use crate::load::schema::Schemas;
use crate::load::{self, Sources, Target};
use crate::render::{self, theme::Theme};
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
    /// What was written; empty when there were errors.
    pub written: Vec<Written>,
}

impl BuildReport {
    /// Whether any diagnostic is an error.
    pub fn failed(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
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

/// Checks, renders and writes, reporting through `hooks`.
pub fn run_with(options: &BuildOptions, hooks: &Hooks<'_>) -> Result<BuildReport, Error> {
    run_compiled(options, hooks, &Schemas::compile())
}

/// Checks, renders and writes with schemas the caller compiled (publish compiles
/// them once for verifying and building).
pub fn run_compiled(
    options: &BuildOptions,
    hooks: &Hooks<'_>,
    schemas: &Schemas,
) -> Result<BuildReport, Error> {
    let repo = load::load(&options.target, schemas);
    let mut diagnostics = validate::repository(&repo, &options.check);
    let mut report = BuildReport {
        diagnostics: Vec::new(),
        sources: Sources::new(),
        written: Vec::new(),
    };
    let failed = |d: &[Diagnostic]| d.iter().any(|d| d.severity == Severity::Error);
    if failed(&diagnostics) {
        report.diagnostics = diagnostics;
        report.sources = repo.sources;
        return Ok(report);
    }
    let theme = match Theme::load(&repo.root) {
        Ok(theme) => theme,
        Err(errors) => {
            diagnostics.extend(errors);
            report.diagnostics = diagnostics;
            report.sources = repo.sources;
            return Ok(report);
        }
    };
    let provenance = options
        .provenance
        .clone()
        .unwrap_or_else(|| Provenance::detect(&repo.root, &options.tool_version));
    let planned: Vec<(String, String)> = repo
        .moments
        .iter()
        .filter_map(|m| m.meta.as_ref())
        .map(|meta| (meta.id.clone(), meta.version.clone()))
        .collect();
    // One writer per output folder from here until the bundles are in place.
    let staging = Staging::new(&options.out, &planned, hooks.waiting)?;
    // Each bundle is staged as soon as it is assembled, so memory holds one bundle
    // per thread rather than all of them.
    let results: Vec<Result<Option<Diagnostic>, Error>> = repo
        .moments
        .par_iter()
        .filter_map(|m| m.meta.as_ref().map(|meta| (m, meta)))
        .map(|(m, meta)| {
            let assets = crate::load::refs::collect(m)?;
            let rendered = match render::moment(m, meta, &assets, &theme, &options.tool_version) {
                Ok(r) => r,
                Err(d) => return Ok(Some(d)),
            };
            staging.stage(&bundle::assemble(&rendered, &assets, &provenance)?)?;
            (hooks.progress)();
            Ok(None)
        })
        .collect();
    for result in results {
        match result {
            Ok(found) => diagnostics.extend(found),
            Err(e) => {
                staging.abandon();
                return Err(e);
            }
        }
    }
    if failed(&diagnostics) {
        staging.abandon();
        report.diagnostics = diagnostics;
        report.sources = repo.sources;
        return Ok(report);
    }
    report.written = staging.commit()?;
    report.diagnostics = diagnostics;
    report.sources = repo.sources;
    Ok(report)
}
