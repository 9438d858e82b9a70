//! What the preview serves: every moment rendered in memory, swapped in whole, so
//! that a browser never sees a half-built page or a 404 while a rebuild runs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::refs::Digests;
use crate::load::schema::Schemas;
use crate::load::{Sources, Target};
use crate::pipeline;
use crate::render::NormalMoment;
use crate::validate;

/// One moment as the preview shows it.
#[derive(Debug, Clone)]
pub struct MomentView {
    /// Folder name.
    pub id: String,
    /// Title (the folder name when moment.yaml cannot be read).
    pub title: String,
    /// Version as written.
    pub version: String,
    /// Unit id.
    pub unit: String,
    /// Kind, as written.
    pub kind: String,
    /// Diagnostics of this moment's files (and of units.yaml and the theme).
    pub diagnostics: Vec<Diagnostic>,
    /// Source text of the files with diagnostics, for snippets.
    pub sources: Sources,
    /// The last good rendering: pages of `site/` by name.
    pub pages: Arc<BTreeMap<String, String>>,
    /// The last good normalised moment (forms for the evaluation endpoint).
    pub normal: Option<Arc<NormalMoment>>,
    /// Asset files by bundle path (`assets/<sha>.<ext>`).
    pub assets: Arc<BTreeMap<String, PathBuf>>,
}

impl MomentView {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Everything the preview serves at one moment in time.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Moments by folder name.
    pub moments: BTreeMap<String, MomentView>,
    /// Increases with every swap.
    pub generation: u64,
}

/// Which moments a rebuild covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every moment (units.yaml, schemas or the theme changed).
    All,
    /// Only these moments.
    Moments(Vec<String>),
}

/// Checks and renders the moments in `scope` through [`crate::pipeline`] (as `moment
/// build` does), keeping the last good pages of a moment that now has errors.
/// Media digests come from `digests` where it knows the file's version (the preview
/// keeps one for its whole session). Returns the new snapshot.
pub fn rebuild(
    root: &std::path::Path,
    scope: &Scope,
    previous: &Snapshot,
    schemas: &Schemas,
    digests: &Digests,
) -> Snapshot {
    let only = match scope {
        Scope::All => Vec::new(),
        Scope::Moments(ids) => ids.clone(),
    };
    let target = Target {
        root: root.to_path_buf(),
        only: only.clone(),
    };
    let checked = pipeline::check(
        &target,
        &validate::Options::default(),
        schemas,
        crate::load::Reading::AsNeeded,
    );
    let repo = &checked.repo;
    let mut views: BTreeMap<String, MomentView> = repo
        .moments
        .par_iter()
        .map(|m| {
            let diagnostics: Vec<Diagnostic> = pipeline::diagnostics_of(&checked.diagnostics, m)
                .cloned()
                .collect();
            let sources: Sources = diagnostics
                .iter()
                .filter_map(|d| {
                    repo.sources
                        .get(&d.file)
                        .map(|t| (d.file.clone(), t.clone()))
                })
                .collect();
            let old = previous.moments.get(&m.folder);
            let view = MomentView {
                id: m.folder.clone(),
                title: m
                    .meta
                    .as_ref()
                    .map_or_else(|| m.folder.clone(), |x| x.title.clone()),
                version: m
                    .meta
                    .as_ref()
                    .map_or_else(String::new, |x| x.version.clone()),
                unit: m.meta.as_ref().map_or_else(String::new, |x| x.unit.clone()),
                kind: m
                    .meta
                    .as_ref()
                    .map_or_else(String::new, |x| x.kind.as_str().to_owned()),
                diagnostics,
                sources,
                pages: old.map(|o| Arc::clone(&o.pages)).unwrap_or_default(),
                normal: old.and_then(|o| o.normal.clone()),
                assets: old.map(|o| Arc::clone(&o.assets)).unwrap_or_default(),
            };
            (m.folder.clone(), view)
        })
        .collect();
    // A moment with errors keeps its last good pages (the pipeline's one rule).
    let rendered = pipeline::render(
        &checked,
        pipeline::TOOL_VERSION,
        digests,
        &|_| true,
        |out| {
            Ok((
                out.moment.folder.clone(),
                out.rendered,
                out.assets
                    .values()
                    .map(|a| (a.bundle_path(), a.full.clone()))
                    .collect::<BTreeMap<_, _>>(),
            ))
        },
    );
    for (i, result) in rendered {
        let folder = &repo.moments[i].folder;
        let Some(view) = views.get_mut(folder) else {
            continue;
        };
        match result {
            Ok(Ok((_, rendered, assets))) => {
                view.pages = Arc::new(rendered.site.into_iter().collect());
                view.assets = Arc::new(assets);
                view.normal = Some(Arc::new(rendered.moment));
            }
            Ok(Err(d)) => view.diagnostics.push(d),
            // Media that cannot be read now: the last good pages stay.
            Err(_) => {}
        }
    }
    let mut next = previous.clone();
    if let Scope::All = scope {
        next.moments.clear();
    }
    for id in &only {
        next.moments.remove(id);
    }
    next.moments.append(&mut views);
    next.generation = previous.generation + 1;
    next
}
