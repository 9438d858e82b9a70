//! `moment init`: a new moments repository with units.yaml, the JSON Schemas for
//! editors, an example moment and CI workflows for GitHub and GitLab.

use std::path::Path;

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
