//! One pipeline for "render these moments", shared by `moment build` and `moment
//! preview`: load and check the repository, load the theme, and render in parallel
//! every moment that has no errors of its own, with one tool version.

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Severity};
use crate::error::Error;
use crate::load::refs::{self, Assets, Digests};
use crate::load::schema::Schemas;
use crate::load::{self, LoadedMoment, Repository, Target};
use crate::render::{self, Rendered, theme::Theme};
use crate::validate;

/// The `moment` version stamped on pages and manifests, by build and preview alike.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A checked repository, ready to render.
#[derive(Debug)]
pub struct Checked {
    /// The loaded repository.
    pub repo: Repository,
    /// Every diagnostic of the check, sorted, and those of the theme after them.
    pub diagnostics: Vec<Diagnostic>,
    /// The theme, when it loaded without errors (its errors are in `diagnostics`).
    pub theme: Option<Theme>,
}

impl Checked {
    /// Whether any diagnostic is an error.
    pub fn failed(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Loads `target` (formatting its Markdown while each tree is at hand, for
/// [`render`]), runs every rule, and loads the theme.
pub fn check(
    target: &Target,
    options: &validate::Options,
    schemas: &Schemas,
    reading: load::Reading,
) -> Checked {
    let repo = load::load_to_render(target, schemas, render::markdown::format, reading);
    let mut diagnostics = validate::repository(&repo, options);
    let theme = match Theme::load(&repo.root) {
        Ok(theme) => Some(theme),
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    };
    Checked {
        repo,
        diagnostics,
        theme,
    }
}

/// The diagnostics that concern moment `m`: those of its own files, of `units.yaml`
/// and of the theme (which have no moment folder of their own).
pub fn diagnostics_of<'a>(
    all: &'a [Diagnostic],
    m: &'a LoadedMoment,
) -> impl Iterator<Item = &'a Diagnostic> + 'a {
    let prefix = format!("{}/", m.rel_dir);
    all.iter().filter(move |d| {
        d.file.starts_with(&prefix)
            || d.file == m.rel_dir
            || d.file == "units.yaml"
            || d.file.starts_with("themes/")
            || d.file.starts_with("(built-in theme)")
    })
}

/// The one rule for moments with errors: a moment is rendered only when it has a
/// readable `moment.yaml` and none of [`diagnostics_of`] it is an error. (`moment
/// build` goes further and writes nothing at all when any diagnostic is an error.)
pub fn renderable(all: &[Diagnostic], m: &LoadedMoment) -> bool {
    m.meta.is_some() && !diagnostics_of(all, m).any(|d| d.severity == Severity::Error)
}

/// A moment rendered, with the media it refers to.
#[derive(Debug)]
pub struct Output<'a> {
    /// The moment.
    pub moment: &'a LoadedMoment,
    /// `moment.json` and the pages.
    pub rendered: Rendered,
    /// Its media files.
    pub assets: Assets,
}

/// What rendering one moment gave: `then`'s value, the moment's template diagnostic,
/// or a failure to read its media.
pub type Rendering<T> = Result<Result<T, Diagnostic>, Error>;

/// Renders, in parallel, every moment of `checked` that is [`renderable`] and that
/// `wanted` accepts, and hands each to `then` as soon as it is rendered (so that memory
/// holds one rendering per thread). A template failure is the moment's diagnostic;
/// `Err` is a failure to read media. Media digests are taken from `digests` where it
/// knows the file's version.
pub fn render<T, F>(
    checked: &Checked,
    tool_version: &str,
    digests: &Digests,
    wanted: &(dyn Fn(&LoadedMoment) -> bool + Sync),
    then: F,
) -> Vec<(usize, Rendering<T>)>
where
    T: Send,
    F: Fn(Output<'_>) -> Result<T, Error> + Sync,
{
    let Some(theme) = &checked.theme else {
        return Vec::new();
    };
    checked
        .repo
        .moments
        .par_iter()
        .enumerate()
        .filter(|(_, m)| wanted(m) && renderable(&checked.diagnostics, m))
        .map(|(i, m)| {
            let result = (|| {
                let meta = m
                    .meta
                    .as_ref()
                    .expect("renderable moments have a moment.yaml");
                let assets = refs::collect(m, digests)?;
                match render::moment(m, meta, &assets, theme, tool_version) {
                    Ok(rendered) => then(Output {
                        moment: m,
                        rendered,
                        assets,
                    })
                    .map(Ok),
                    Err(d) => Ok(Err(d)),
                }
            })();
            (i, result)
        })
        .collect()
}
