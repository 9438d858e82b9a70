//! `moment init`: a new moments repository with units.yaml, the JSON Schemas for
//! editors, an example moment and CI workflows for GitHub and GitLab.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::load::schema::SchemaKind;
use crate::scaffold::{self, NewMoment};

const FILES: &[(&str, &str)] = &[
    ("units.yaml", include_str!("../templates/init/units.yaml")),
    (
        ".github/workflows/moment.yml",
        include_str!("../templates/init/github-workflow.yml"),
    ),
    (
        ".gitlab-ci.yml",
        include_str!("../templates/init/gitlab-ci.yml"),
    ),
    (".gitignore", "/dist\n"),
];

/// Whether `dir` is inside a git repository (see [`crate::git::in_repository`]).
pub fn in_git_repository(dir: &Path) -> bool {
    crate::git::in_repository(dir)
}

/// What [`ensure_git`] found or did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Git {
    /// It ran `git init`: the folder was in no git repository.
    Initialised,
    /// The folder is the top of a git repository already.
    Existing,
    /// The folder is inside the git repository whose top is this folder.
    Inside(PathBuf),
}

/// Makes `root` a git repository with `git init` (first branch `main`, which the CI
/// workflows trust) unless it is already inside one, and says which it was.
pub fn ensure_git(root: &Path) -> Result<Git, Error> {
    if in_git_repository(root) {
        let here = root.canonicalize().map_err(|e| Error::io(root, e))?;
        return Ok(
            match crate::git::toplevel(root)
                .ok()
                .and_then(|t| t.canonicalize().ok())
            {
                Some(top) if top != here => Git::Inside(top),
                _ => Git::Existing,
            },
        );
    }
    crate::git::init(root)?;
    Ok(Git::Initialised)
}

/// Writes a new repository into `root`. Refuses when `root` already holds one.
/// Returns the files written, relative to `root`.
pub fn create(root: &Path) -> Result<Vec<String>, Error> {
    if root.join("units.yaml").exists() || root.join("moments").exists() {
        return Err(Error::Usage(format!(
            "{} already holds a moments repository (units.yaml or moments/)",
            root.display()
        )));
    }
    let mut written = Vec::new();
    let mut write = |rel: &str, text: &str| -> Result<(), Error> {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        written.push(rel.to_owned());
        Ok(())
    };
    for (rel, text) in FILES {
        write(rel, text)?;
    }
    for kind in SchemaKind::ALL {
        write(&format!("schemas/{}", kind.file_name()), kind.text())?;
    }
    written.extend(scaffold::create(
        root,
        &NewMoment {
            id: "exempel".to_owned(),
            title: "Exempel".to_owned(),
            unit: None,
            kind: "education".to_owned(),
        },
    )?);
    let units: crate::model::UnitsFile = {
        let node = crate::load::yaml::parse(
            include_str!("../templates/init/units.yaml"),
            crate::load::yaml::Offset::NONE,
        )
        .ok()
        .flatten()
        .ok_or_else(|| Error::Usage("the units.yaml template does not parse".to_owned()))?;
        serde_json::from_value(node.to_json())
            .map_err(|e| Error::Usage(format!("the units.yaml template: {e}")))?
    };
    let path = root.join(".github/CODEOWNERS");
    std::fs::write(&path, crate::codeowners::render(&units)).map_err(|e| Error::io(&path, e))?;
    written.push(".github/CODEOWNERS".to_owned());
    Ok(written)
}
