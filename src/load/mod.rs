//! The load stage: find the repository, read every file of every moment, parse YAML
//! and Markdown with positions, and check each document against its schema.

pub mod at;
pub mod folder;
pub mod fsread;
pub mod markdown;
mod moment;
pub mod overlay;
pub mod paths;
pub mod refs;
pub mod schema;
pub mod source;
pub mod tree;
pub mod units;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

pub use moment::{LoadedForm, LoadedModule, LoadedMoment, LoadedTests};

use crate::diagnostic::msg::Files;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::UnitsFile;
use schema::{SchemaKind, Schemas};
use yaml::{Node, Offset};

/// The text of every file read, by repository-relative path, for source snippets.
pub type Sources = BTreeMap<String, String>;

/// A loaded moments repository.
#[derive(Debug)]
pub struct Repository {
    /// The folder holding `units.yaml` and `moments/`.
    pub root: PathBuf,
    /// `units.yaml`, when it is valid.
    pub units: Option<UnitsFile>,
    /// `units.yaml` as YAML, when it parsed.
    pub units_node: Option<Node>,
    /// Every moment that was asked for, sorted by folder name.
    pub moments: Vec<LoadedMoment>,
    /// Problems found while loading.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read.
    pub sources: Sources,
}

/// What to load.
#[derive(Clone, Debug)]
pub struct Target {
    /// The repository root.
    pub root: PathBuf,
    /// Only these moment ids (folder names); all when empty.
    pub only: Vec<String>,
}

/// Finds the repository for a path given on the command line: the path itself when it
/// holds `moments/` or `units.yaml`, or the repository around a moment's folder.
pub fn find_target(path: &Path) -> Option<Target> {
    let is_root = |p: &Path| p.join("moments").is_dir() || p.join("units.yaml").is_file();
    if is_root(path) {
        return Some(Target {
            root: path.to_path_buf(),
            only: Vec::new(),
        });
    }
    if path.join("moment.yaml").is_file() {
        let folder = path.canonicalize().ok()?;
        let name = folder.file_name()?.to_str()?.to_owned();
        let parent = folder.parent()?;
        if parent.file_name().is_some_and(|n| n == "moments") {
            let root = parent.parent()?;
            return Some(Target {
                root: root.to_path_buf(),
                only: vec![name],
            });
        }
    }
    None
}

/// Loads the repository described by `target`.
pub fn load(target: &Target, schemas: &Schemas) -> Repository {
    load_with(target, schemas, &overlay::Overlay::new())
}

/// How the files of a moment's folder are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// Each file when it is needed.
    AsNeeded,
    /// The whole folder first, once, for its digest ([`folder::read`], in
    /// [`LoadedMoment::contents`]); the loader then takes the bytes read there.
    Whole,
}

/// Loads the repository described by `target` to render it: each Markdown text is
/// also formatted with `format` while its tree is at hand (see [`markdown::Format`]).
pub fn load_to_render(
    target: &Target,
    schemas: &Schemas,
    format: markdown::Format,
    reading: Reading,
) -> Repository {
    load_all(
        target,
        schemas,
        &overlay::Overlay::new(),
        Some(format),
        reading,
    )
}

/// Loads the repository described by `target`, reading the buffers of `overlay`
/// instead of those files on disk (see [`overlay::Overlay`]).
pub fn load_with(target: &Target, schemas: &Schemas, overlay: &overlay::Overlay) -> Repository {
    load_all(target, schemas, overlay, None, Reading::AsNeeded)
}

fn load_all(
    target: &Target,
    schemas: &Schemas,
    overlay: &overlay::Overlay,
    format: Option<markdown::Format>,
    reading: Reading,
) -> Repository {
    let root = &target.root;
    let mut top = Loader::new(root, schemas, overlay, format);
    let (units_node, units) = top.yaml_file::<UnitsFile>("units.yaml", SchemaKind::Units, true);
    if !root.join("units.yaml").exists() {
        top.out.push(
            Diagnostic::new(Code::UnitsMissing, Files::UnitsMissing)
                .in_file("units.yaml")
                .with_hint(Files::UnitsMissingHint),
        );
    }
    let mut folders = moment_folders(root, &mut top.out);
    if !target.only.is_empty() {
        folders.retain(|f| target.only.contains(f));
    }
    if folders.is_empty() {
        top.out.push(
            Diagnostic::new(Code::NoMoments, Files::NoMoments)
                .in_file("moments")
                .with_hint(Files::NoMomentsHint),
        );
    }
    let loaded: Vec<(LoadedMoment, Vec<Diagnostic>, Sources)> = folders
        .par_iter()
        .map(|folder| {
            let mut loader = Loader::new(root, schemas, overlay, format);
            if reading == Reading::AsNeeded {
                let mut moment = moment::load(&mut loader, folder);
                moment.seen = loader.seen;
                return (moment, loader.out, loader.sources);
            }
            let rel_dir = format!("moments/{folder}");
            let mut kept = folder::Kept::new();
            let contents = folder::read(root, &rel_dir, &mut loader.seen, Some(&mut kept));
            let whole = Whole {
                prefix: format!("{rel_dir}/"),
                kept: std::sync::Mutex::new(kept),
                missed: std::sync::atomic::AtomicBool::new(false),
            };
            loader.whole = Some(&whole);
            let mut moment = moment::load(&mut loader, folder);
            // A file of the folder read again, or one the walk did not see: the
            // digest may not describe what was loaded, so there is none.
            moment.contents =
                contents.filter(|_| !whole.missed.load(std::sync::atomic::Ordering::Relaxed));
            moment.seen = std::mem::take(&mut loader.seen);
            (moment, loader.out, loader.sources)
        })
        .collect();
    let mut repo = Repository {
        root: root.clone(),
        units,
        units_node,
        moments: Vec::with_capacity(loaded.len()),
        diagnostics: top.out,
        sources: top.sources,
    };
    for (mut moment, diags, sources) in loaded {
        moment.unit_name = moment.meta.as_ref().and_then(|meta| {
            let units = repo.units.as_ref()?;
            let unit = units.units.iter().find(|u| u.id == meta.unit)?;
            Some(unit.name.clone())
        });
        repo.moments.push(moment);
        repo.diagnostics.extend(diags);
        repo.sources.extend(sources);
    }
    repo
}

/// The folders under `moments/` (not hidden), sorted. A symbolic link there, or a
/// `moments` that is one, is reported and never followed.
fn moment_folders(root: &Path, out: &mut Vec<Diagnostic>) -> Vec<String> {
    let dir = root.join("moments");
    if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
        out.push(source::refusal_diagnostic(
            &fsread::Refusal::Symlink,
            "moments",
        ));
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut folders = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => folders.push(name),
            Ok(kind) if kind.is_symlink() => out.push(source::refusal_diagnostic(
                &fsread::Refusal::Symlink,
                &format!("moments/{name}"),
            )),
            _ => {}
        }
    }
    folders.sort();
    folders
}

/// Reads and parses files of one repository, collecting problems and sources.
pub struct Loader<'a> {
    /// The repository root.
    pub root: &'a Path,
    /// The compiled schemas.
    pub schemas: &'a Schemas,
    /// Problems found.
    pub out: Vec<Diagnostic>,
    /// Files read.
    pub sources: Sources,
    /// What the file system said of the paths looked at.
    pub seen: fsread::Seen,
    /// How to format Markdown texts for the render stage, when it will render them.
    pub format: Option<markdown::Format>,
    overlay: &'a overlay::Overlay,
    /// The moment's folder as read whole, when it was ([`Reading::Whole`]).
    whole: Option<&'a Whole>,
}

/// The bytes of a moment's folder read whole, for the loaders of that moment to take.
struct Whole {
    /// `moments/<folder>/`.
    prefix: String,
    kept: std::sync::Mutex<folder::Kept>,
    /// Whether a file of the folder was read that the walk did not keep.
    missed: std::sync::atomic::AtomicBool,
}

impl Whole {
    /// The bytes of `rel` read by the walk, once.
    fn take(&self, rel: &str) -> Option<Vec<u8>> {
        let taken = self.kept.lock().ok().and_then(|mut kept| kept.remove(rel));
        if taken.is_none() && rel.starts_with(&self.prefix) {
            self.missed
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        taken
    }
}

impl<'a> Loader<'a> {
    fn new(
        root: &'a Path,
        schemas: &'a Schemas,
        overlay: &'a overlay::Overlay,
        format: Option<markdown::Format>,
    ) -> Self {
        Loader {
            root,
            schemas,
            overlay,
            format,
            out: Vec::new(),
            sources: Sources::new(),
            seen: fsread::Seen::default(),
            whole: None,
        }
    }

    /// A loader of the same repository for work on another thread, knowing what this
    /// one knows of the file system; [`Loader::join`] takes its findings back.
    pub fn fork(&self) -> Loader<'a> {
        Loader {
            root: self.root,
            schemas: self.schemas,
            overlay: self.overlay,
            format: self.format,
            out: Vec::new(),
            sources: Sources::new(),
            seen: self.seen.folders(),
            whole: self.whole,
        }
    }

    /// Takes the diagnostics and sources of a [`Loader::fork`] back, after its own.
    pub fn join(&mut self, fork: Loader<'a>) {
        self.out.extend(fork.out);
        self.sources.extend(fork.sources);
        self.seen.absorb(fork.seen);
    }

    /// Reads the text of `rel` (relative to the root) and remembers it.
    pub fn read(&mut self, rel: &str) -> Option<String> {
        let text = match self.overlay.get(rel) {
            Some(buffer) => buffer.to_owned(),
            None => match self.whole.and_then(|whole| whole.take(rel)) {
                // Read through the safe reader by the walk, which checked its path.
                Some(bytes) => source::decode(bytes, rel, &mut self.out)?,
                None => source::read_text_in(self.root, rel, &mut self.seen, &mut self.out)?,
            },
        };
        self.sources.insert(rel.to_owned(), text.clone());
        Some(text)
    }

    /// Parses YAML text of `rel` and checks it against `kind`.
    ///
    /// Returns the node (when it parsed) and the typed value (when it is valid).
    /// Recovers from duplicate keys, anchors and extra documents (see
    /// [`yaml::parse_recovering`]); a tree left incomplete by an alias or a tag is
    /// returned without schema validation and without a typed value.
    pub fn yaml<T: DeserializeOwned>(
        &mut self,
        rel: &str,
        text: &str,
        offset: Offset,
        kind: SchemaKind,
    ) -> (Option<Node>, Option<T>) {
        let parsed = yaml::parse_recovering(text, offset);
        let refused = !parsed.problems.is_empty();
        self.out
            .extend(parsed.problems.into_iter().map(|d| d.in_file(rel)));
        let node = match parsed.node {
            Some(node) => node,
            None if refused => return (None, None),
            None if kind == SchemaKind::Module => {
                self.out.push(
                    Diagnostic::new(Code::MissingKey, Files::ModuleTitleMissing)
                        .in_file(rel)
                        .with_hint(Files::ModuleTitleMissingHint),
                );
                return (None, None);
            }
            None => {
                self.out.push(
                    Diagnostic::new(Code::EmptyFile, Files::Empty)
                        .in_file(rel)
                        .with_hint(Files::SeeSchema {
                            schema: kind.file_name().to_owned(),
                        }),
                );
                return (None, None);
            }
        };
        if !parsed.complete {
            // Values behind a refused alias or tag are unknown: checking them against
            // the schema would only report what follows from the problem above.
            return (Some(node), None);
        }
        let mut found = Vec::new();
        let typed = self
            .schemas
            .validate(kind, &node, &mut found)
            .and_then(|json| match serde_json::from_value(json) {
                Ok(v) => Some(v),
                Err(e) => {
                    found.push(Diagnostic::new(
                        Code::InvalidValue,
                        crate::diagnostic::msg::Schema::CannotRead {
                            error: e.to_string(),
                        },
                    ));
                    None
                }
            });
        // A list item read as text of the item above is reported once, by the parser.
        found.retain(|d| !parsed.merged.contains(&d.pos()));
        self.out.extend(found.into_iter().map(|d| d.in_file(rel)));
        (Some(node), typed)
    }

    /// Reads and parses a whole YAML file. A missing file is silent when `optional`.
    pub fn yaml_file<T: DeserializeOwned>(
        &mut self,
        rel: &str,
        kind: SchemaKind,
        optional: bool,
    ) -> (Option<Node>, Option<T>) {
        if optional && std::fs::symlink_metadata(self.root.join(rel)).is_err() {
            return (None, None);
        }
        match self.read(rel) {
            Some(text) => self.yaml(rel, &text, Offset::NONE, kind),
            None => (None, None),
        }
    }
}
