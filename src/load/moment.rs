//! Loading one moment's folder: moment.yaml, the welcome text, modules and forms.

use std::path::PathBuf;

use rayon::prelude::*;

use super::Loader;
use super::fsread::Refusal;
use super::markdown::{self, Markdown};
use super::paths::{self, PathProblem};
use super::schema::SchemaKind;
use super::source;
use super::yaml::{Node, Offset, Value};
use crate::diagnostic::msg::Files;
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::model::{Form, ModuleFront, MomentMeta, Scenario};

/// One moment as read from disk.
#[derive(Debug)]
pub struct LoadedMoment {
    /// The folder name.
    pub folder: String,
    /// `moments/<folder>`.
    pub rel_dir: String,
    /// The folder on disk.
    pub dir: PathBuf,
    /// `moment.yaml` as YAML, when it parsed.
    pub meta_node: Option<Node>,
    /// `moment.yaml`, when it is valid.
    pub meta: Option<MomentMeta>,
    /// The welcome text, when it was read.
    pub welcome: Option<Markdown>,
    /// The modules that could be read, in listed order.
    pub modules: Vec<LoadedModule>,
    /// The forms in `forms/`, sorted by file name.
    pub forms: Vec<LoadedForm>,
    /// The display name of the moment's unit in `units.yaml`, when both are valid.
    pub unit_name: Option<String>,
    /// Files that exist and are listed, but could not be read or parsed (already
    /// reported): modules (relative to the moment's folder, as in
    /// [`LoadedModule::path`]) and forms (`forms/<id>.yaml`). They still count as
    /// listed and as existing, so nothing else is reported about them as missing.
    pub unloaded: Vec<String>,
    /// What the folder held when it was read whole before it was loaded
    /// ([`super::Reading::Whole`]); `None` otherwise, or when something in it is not
    /// a regular file or folder, or could not be read.
    pub contents: Option<super::folder::Contents>,
    /// What the file system said of the paths its load looked at, for the checks and
    /// the render of this moment to start from (see [`super::fsread::Seen`]).
    pub seen: super::fsread::Seen,
}

impl LoadedMoment {
    /// `moments/<folder>/moment.yaml`.
    pub fn meta_rel(&self) -> String {
        format!("{}/moment.yaml", self.rel_dir)
    }

    /// A repository-relative path as a path relative to the moment's folder
    /// (`moments/somn/modules/a.md` -> `modules/a.md`); other paths unchanged.
    pub fn within<'a>(&self, rel: &'a str) -> &'a str {
        rel.strip_prefix(self.rel_dir.as_str())
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or(rel)
    }

    /// The form with id (file name) `id`.
    pub fn form(&self, id: &str) -> Option<&LoadedForm> {
        self.forms.iter().find(|f| f.stem == id)
    }

    /// Whether the module list is known: `moment.yaml` parsed and `modules:` is a
    /// list. Otherwise the modules loaded are every file in `modules/`, a guess, and
    /// rules that need the list (W012, W006 "not a module of this moment") are skipped.
    pub fn listing_known(&self) -> bool {
        self.meta_node.as_ref().and_then(listing_of).is_some()
    }

    /// Whether `rel` (relative to the moment's folder) exists but failed to load.
    pub fn is_unloaded(&self, rel: &str) -> bool {
        self.unloaded.iter().any(|u| u == rel)
    }
}

/// One module file.
#[derive(Debug)]
pub struct LoadedModule {
    /// Relative to the moment's folder.
    pub path: String,
    /// Where `moment.yaml` lists it.
    pub listed_at: Pos,
    /// The front matter as YAML, when it parsed.
    pub front_node: Option<Node>,
    /// The front matter, when valid.
    pub front: Option<ModuleFront>,
    /// The body.
    pub doc: Markdown,
}

/// One form file and its tests.
#[derive(Debug)]
pub struct LoadedForm {
    /// The file name without `.yaml`.
    pub stem: String,
    /// Relative to the repository root.
    pub rel: String,
    /// The YAML.
    pub node: Node,
    /// The form, when valid.
    pub form: Option<Form>,
    /// `<stem>.tests.yaml`, when present and parsed.
    pub tests: Option<LoadedTests>,
}

/// A form's test scenarios.
#[derive(Debug)]
pub struct LoadedTests {
    /// Relative to the repository root.
    pub rel: String,
    /// The YAML.
    pub node: Node,
    /// The scenarios, when valid.
    pub scenarios: Option<Vec<Scenario>>,
}

/// The most items a form may have.
pub const MAX_FORM_ITEMS: usize = 10_000;

/// Loads the moment in `moments/<folder>`.
pub fn load(loader: &mut Loader<'_>, folder: &str) -> LoadedMoment {
    let rel_dir = format!("moments/{folder}");
    let dir = loader.root.join(&rel_dir);
    let mut moment = LoadedMoment {
        folder: folder.to_owned(),
        rel_dir: rel_dir.clone(),
        dir: dir.clone(),
        meta_node: None,
        meta: None,
        welcome: None,
        modules: Vec::new(),
        forms: Vec::new(),
        unit_name: None,
        unloaded: Vec::new(),
        contents: None,
        seen: super::fsread::Seen::default(),
    };
    let meta_rel = moment.meta_rel();
    if std::fs::symlink_metadata(dir.join("moment.yaml")).is_err() {
        loader.out.push(
            Diagnostic::new(
                Code::MissingMomentFile,
                Files::NoMomentYaml {
                    folder: rel_dir.to_owned(),
                },
            )
            .in_file(rel_dir)
            .with_hint(Files::NoMomentYamlHint),
        );
        return moment;
    }
    let (node, meta) = loader.yaml_file::<MomentMeta>(&meta_rel, SchemaKind::Moment, false);
    moment.meta = meta;
    if let Some(node) = &node {
        load_welcome(loader, &mut moment, node, &meta_rel);
        if listing_of(node).is_some() {
            load_modules(loader, &mut moment, node, &meta_rel);
        } else {
            // `modules:` is missing or not a list (reported by the schema): check
            // what is in modules/ rather than nothing.
            load_modules(loader, &mut moment, &guessed_listing(&dir), &meta_rel);
        }
    } else {
        // moment.yaml did not parse (reported): the module list is unknown, so check
        // what is there — welcome.md and every regular modules/*.md — rather than
        // nothing. Rules that need the list (W012, W006) are skipped for this moment.
        let guessed = guessed_listing(&dir);
        if dir.join("welcome.md").is_file() {
            load_welcome(loader, &mut moment, &guessed, &meta_rel);
        }
        load_modules(loader, &mut moment, &guessed, &meta_rel);
    }
    moment.meta_node = node;
    load_forms(loader, &mut moment);
    moment
}

/// A stand-in for a `moment.yaml` that did not parse: the default welcome text and
/// every regular `.md` file in `modules/`, sorted by name.
fn guessed_listing(dir: &std::path::Path) -> Node {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("modules"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .filter(|n| n.ends_with(".md"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let modules = names
        .into_iter()
        .map(|n| Node {
            value: Value::Str(format!("modules/{n}")),
            pos: Pos::START,
        })
        .collect();
    let key = super::yaml::Key {
        name: "modules".to_owned(),
        pos: Pos::START,
    };
    Node {
        value: Value::Map(vec![(
            key,
            Node {
                value: Value::Seq(modules),
                pos: Pos::START,
            },
        )]),
        pos: Pos::START,
    }
}

/// The `modules:` list of a `moment.yaml` tree, when it is a list.
fn listing_of(node: &Node) -> Option<&[Node]> {
    match &node.get("modules")?.value {
        Value::Seq(items) => Some(items),
        _ => None,
    }
}

/// The text of a string node.
fn text_of(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

/// Reports a path problem in `moment.yaml` at `pos`.
pub(super) fn path_diag(problem: &PathProblem, written: &str, missing: Code) -> Diagnostic {
    let hint = match problem {
        PathProblem::Missing => Files::CheckSpelling,
        _ => problem.advice().unwrap_or(Files::KeepInside),
    };
    Diagnostic::new(problem.code(missing), problem.message(written)).with_hint(hint)
}

fn load_welcome(loader: &mut Loader<'_>, moment: &mut LoadedMoment, node: &Node, meta_rel: &str) {
    let (written, pos) = match node.get("welcome") {
        Some(n) => match text_of(n) {
            Some(s) => (s.to_owned(), n.pos),
            None => return,
        },
        None => ("welcome.md".to_owned(), node.pos),
    };
    let resolved = match paths::resolve_in(&moment.dir, "", &written, &mut loader.seen) {
        Ok(r) => r,
        Err(problem) => {
            let mut d = path_diag(&problem, &written, Code::WelcomeMissing)
                .in_file(meta_rel)
                .at_pos(pos);
            if problem == PathProblem::Missing {
                d.set_message(Files::WelcomeMissing {
                    written: written.clone(),
                });
                d.help(Files::WelcomeMissingHint);
            }
            loader.out.push(d);
            return;
        }
    };
    let rel = format!("{}/{}", moment.rel_dir, resolved.rel);
    let Some(text) = loader.read(&rel) else {
        moment.unloaded.push(resolved.rel);
        return;
    };
    if text.trim().is_empty() {
        loader.out.push(
            Diagnostic::new(Code::WelcomeEmpty, Files::WelcomeEmpty)
                .in_file(&rel)
                .with_hint(Files::WelcomeEmptyHint),
        );
    }
    moment.welcome = Some(markdown::parse(
        &rel,
        &text,
        0,
        loader.schemas,
        loader.format,
        &mut loader.out,
    ));
}

fn load_modules(loader: &mut Loader<'_>, moment: &mut LoadedMoment, node: &Node, meta_rel: &str) {
    let Some(Value::Seq(entries)) = node.get("modules").map(|n| &n.value) else {
        return;
    };
    // First the listing, in order: which files, each once.
    let mut seen = std::collections::HashSet::new();
    let mut listed = Vec::new();
    for entry in entries {
        let Some(written) = text_of(entry) else {
            continue;
        };
        let resolved = match paths::resolve_in(&moment.dir, "", written, &mut loader.seen) {
            Ok(r) => r,
            Err(problem) => {
                loader.out.push(
                    path_diag(&problem, written, Code::ModuleMissing)
                        .in_file(meta_rel)
                        .at_pos(entry.pos),
                );
                if problem == PathProblem::NotPortable {
                    moment
                        .unloaded
                        .push(written.trim_start_matches("./").to_owned());
                }
                continue;
            }
        };
        if !seen.insert(resolved.rel.clone()) {
            continue; // reported as a duplicate by the rules
        }
        listed.push((entry.pos, resolved.rel));
    }
    // Then the modules, in parallel (the preview reloads one moment of maybe a hundred
    // modules), each with a loader of its own, merged back in the listing's order so
    // that diagnostics and sources come out as if read one by one.
    let rel_dir = moment.rel_dir.clone();
    let read: Vec<(Result<LoadedModule, String>, Loader<'_>)> = listed
        .into_par_iter()
        .map(|(listed_at, path)| {
            let mut sub = loader.fork();
            let module = load_module(&mut sub, &rel_dir, listed_at, path);
            (module, sub)
        })
        .collect();
    for (module, sub) in read {
        loader.join(sub);
        match module {
            Ok(module) => moment.modules.push(module),
            Err(unloaded) => moment.unloaded.push(unloaded),
        }
    }
}

/// Reads and parses one listed module at `path` (relative to the moment's folder);
/// `Err` with the path when it could not be read (reported).
fn load_module(
    loader: &mut Loader<'_>,
    rel_dir: &str,
    listed_at: Pos,
    path: String,
) -> Result<LoadedModule, String> {
    let rel = format!("{rel_dir}/{path}");
    let Some(text) = loader.read(&rel) else {
        return Err(path);
    };
    let (front_text, body, offset) = match markdown::split_front_matter(&text) {
        Ok(parts) => parts,
        Err(d) => {
            loader.out.push(d.in_file(&rel));
            return Err(path);
        }
    };
    let (front_node, front) =
        loader.yaml::<ModuleFront>(&rel, front_text, Offset::lines(1), SchemaKind::Module);
    let doc = markdown::parse(
        &rel,
        body,
        offset,
        loader.schemas,
        loader.format,
        &mut loader.out,
    );
    Ok(LoadedModule {
        path,
        listed_at,
        front_node,
        front,
        doc,
    })
}

fn load_forms(loader: &mut Loader<'_>, moment: &mut LoadedMoment) {
    let forms_dir = moment.dir.join("forms");
    if std::fs::symlink_metadata(&forms_dir).is_ok_and(|m| m.file_type().is_symlink()) {
        let rel = format!("{}/forms", moment.rel_dir);
        loader
            .out
            .push(source::refusal_diagnostic(&Refusal::Symlink, &rel));
        return;
    }
    let Ok(entries) = std::fs::read_dir(forms_dir) else {
        return;
    };
    let mut stems: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| n.ends_with(".yaml") && !n.ends_with(".tests.yaml"))
        .map(|n| n.trim_end_matches(".yaml").to_owned())
        .collect();
    stems.sort();
    for stem in stems {
        let rel = format!("{}/forms/{stem}.yaml", moment.rel_dir);
        let (node, form) = loader.yaml_file::<Form>(&rel, SchemaKind::Form, false);
        let Some(node) = node else {
            moment.unloaded.push(format!("forms/{stem}.yaml"));
            continue;
        };
        if let Some((
            key,
            Node {
                value: Value::Seq(items),
                ..
            },
        )) = node.entry("items")
            && items.len() > MAX_FORM_ITEMS
        {
            loader.out.push(
                Diagnostic::new(
                    Code::BeyondLimit,
                    Files::TooManyItems {
                        count: items.len(),
                        limit: MAX_FORM_ITEMS,
                    },
                )
                .in_file(&rel)
                .at_pos(key.pos)
                .with_hint(Files::TooManyItemsHint),
            );
        }
        let tests_rel = format!("{}/forms/{stem}.tests.yaml", moment.rel_dir);
        let (tests_node, scenarios) =
            loader.yaml_file::<Vec<Scenario>>(&tests_rel, SchemaKind::FormTests, true);
        moment.forms.push(LoadedForm {
            stem,
            rel,
            node,
            form,
            tests: tests_node.map(|node| LoadedTests {
                rel: tests_rel,
                node,
                scenarios,
            }),
        });
    }
}
