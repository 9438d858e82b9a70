//! What the preview serves: every moment rendered in memory, swapped in whole, so
//! that a browser never sees a half-built page or a 404 while a rebuild runs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::refs;
use crate::load::schema::Schemas;
use crate::load::{self, Sources, Target};
use crate::render::theme::Theme;
use crate::render::{self, NormalMoment};
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

/// Checks and renders the moments in `scope`, keeping the last good pages of a moment
/// that now has errors. Returns the new snapshot.
pub fn rebuild(
    root: &std::path::Path,
    scope: &Scope,
    previous: &Snapshot,
    schemas: &Schemas,
) -> Snapshot {
    let only = match scope {
        Scope::All => Vec::new(),
        Scope::Moments(ids) => ids.clone(),
    };
    let target = Target {
        root: root.to_path_buf(),
        only: only.clone(),
    };
    let repo = load::load(&target, schemas);
    let all = validate::repository(&repo, &validate::Options::default());
    let theme = Theme::load(root);
    let theme_errors: Vec<Diagnostic> = theme.as_ref().err().cloned().unwrap_or_default();
    let views: Vec<MomentView> = repo
        .moments
        .par_iter()
        .map(|m| {
            let prefix = format!("{}/", m.rel_dir);
            let mut diagnostics: Vec<Diagnostic> = all
                .iter()
                .filter(|d| {
                    d.file.starts_with(&prefix) || d.file == m.rel_dir || d.file == "units.yaml"
                })
                .cloned()
                .collect();
            diagnostics.extend(theme_errors.iter().cloned());
            let sources: Sources = diagnostics
                .iter()
                .filter_map(|d| {
                    repo.sources
                        .get(&d.file)
                        .map(|t| (d.file.clone(), t.clone()))
                })
                .collect();
            let old = previous.moments.get(&m.folder);
            let mut view = MomentView {
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
            let (Some(meta), Ok(theme)) = (&m.meta, &theme) else {
                return view;
            };
            if view.errors() > 0 {
                return view;
            }
            let Ok(found) = refs::collect(m) else {
                return view;
            };
            match render::moment(m, meta, &found, theme, env!("CARGO_PKG_VERSION")) {
                Ok(rendered) => {
                    view.pages = Arc::new(rendered.site.into_iter().collect());
                    view.assets = Arc::new(
                        found
                            .values()
                            .map(|a| (a.bundle_path(), a.full.clone()))
                            .collect(),
                    );
                    view.normal = Some(Arc::new(rendered.moment));
                }
                Err(d) => view.diagnostics.push(d),
            }
            view
        })
        .collect();
    let mut next = previous.clone();
    if let Scope::All = scope {
        next.moments.clear();
    }
    for id in &only {
        next.moments.remove(id);
    }
    for view in views {
        next.moments.insert(view.id.clone(), view);
    }
    next.generation = previous.generation + 1;
    next
}
