//! `moment new`: the files of a new moment that `moment check` accepts as they are.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::load::yaml::Value;

/// What to scaffold.
#[derive(Clone, Debug)]
pub struct NewMoment {
    /// The moment's id (folder name).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Publisher unit; when `None`, the one [`choose_unit`] picks.
    pub unit: Option<String>,
    /// Kind, as written in moment.yaml.
    pub kind: String,
}

/// One unit of units.yaml, as far as scaffolding needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitChoice {
    /// The unit's id.
    pub id: String,
    /// Whether it is a production unit (which may publish, so needs a risk analysis).
    pub production: bool,
}

/// The units listed in the repository's units.yaml, in order; empty when the file is
/// missing or does not parse (`moment check` reports why).
pub fn units(root: &Path) -> Vec<UnitChoice> {
    let Some(node) = crate::load::units::node(root) else {
        return Vec::new();
    };
    let Some(Value::Seq(units)) = node.get("units").map(|u| &u.value) else {
        return Vec::new();
    };
    units
        .iter()
        .filter_map(|u| match u.get("id").map(|v| &v.value) {
            Some(Value::Str(id)) => Some(UnitChoice {
                id: id.clone(),
                production: matches!(
                    u.get("kind").map(|k| &k.value),
                    Some(Value::Str(k)) if k == "production"
                ),
            }),
            _ => None,
        })
        .collect()
}

/// The repository root around `start`: `start` itself or the nearest folder above it
/// that holds `units.yaml` or `moments/`. `None` outside a moments repository.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    start
        .ancestors()
        .find(|dir| dir.join("units.yaml").is_file() || dir.join("moments").is_dir())
        .map(Path::to_path_buf)
}

fn listing(units: &[UnitChoice]) -> String {
    units
        .iter()
        .map(|u| {
            let kind = if u.production {
                "production"
            } else {
                "training"
            };
            format!("{} ({kind})", u.id)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The unit a new moment gets: `requested` when units.yaml lists it; otherwise the only
/// production unit, or the only unit. Anything else is a usage error that lists the units.
pub fn choose_unit(root: &Path, requested: Option<&str>) -> Result<UnitChoice, Error> {
    let units = units(root);
    if units.is_empty() {
        return Err(Error::Usage(format!(
            "{} lists no publisher units, so the new moment would have no unit that exists: add one to units.yaml (`moment init` writes an example), then run `moment new` again",
            root.join("units.yaml").display()
        )));
    }
    if let Some(wanted) = requested {
        return units
            .iter()
            .find(|u| u.id == wanted)
            .cloned()
            .ok_or_else(|| {
                Error::Usage(format!(
                    "unit `{wanted}` is not in units.yaml; the units are: {}",
                    listing(&units)
                ))
            });
    }
    let production: Vec<&UnitChoice> = units.iter().filter(|u| u.production).collect();
    match (production.as_slice(), units.as_slice()) {
        ([only], _) => Ok((*only).clone()),
        ([], [only]) => Ok(only.clone()),
        _ => Err(Error::Usage(format!(
            "units.yaml lists several units; choose the new moment's with --unit: {}",
            listing(&units)
        ))),
    }
}

/// Writes `moments/<id>/` under the repository root `root`. Refuses an invalid id, an
/// existing folder or a unit that units.yaml does not list, before writing anything.
/// Returns the files written, relative to `root`.
pub fn create(root: &Path, spec: &NewMoment) -> Result<Vec<String>, Error> {
    let id = &spec.id;
    let valid = !id.is_empty()
        && id.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if !valid {
        return Err(Error::Usage(format!(
            "`{id}` is not a valid moment id: use lowercase letters a-z, digits and single hyphens, such as somn-steg-for-steg"
        )));
    }
    let dir = root.join("moments").join(id);
    if dir.exists() {
        return Err(Error::Usage(format!("moments/{id} already exists")));
    }
    let UnitChoice {
        id: unit,
        production: is_production,
    } = choose_unit(root, spec.unit.as_deref())?;
    let risk = if is_production {
        "risk_analysis: docs/riskanalys.md\n"
    } else {
        ""
    };
    let moment_yaml = format!(
        "# yaml-language-server: $schema=../../schemas/moment.schema.json\n\
         id: {id}\n\
         version: \"0.1.0\"\n\
         title: {title}\n\
         unit: {unit}\n\
         kind: {kind}\n\
         language: sv\n\
         access: assigned\n\
         messaging: false\n\
         owners:            # at least two people who answer for the content\n\
         \x20 - forsta.agare@example.se\n\
         \x20 - andra.agare@example.se\n\
         {risk}\
         welcome: welcome.md\n\
         modules:\n\
         \x20 - modules/01-introduktion.md\n",
        title = serde_json::to_string(&spec.title).expect("a string serialises"),
        kind = spec.kind,
    );
    let welcome = format!(
        "Välkommen till {}.\n\nHär skriver du det första som en invånare ser. Berätta vad programmet är, vem det är till för och hur det går till.\n",
        spec.title
    );
    let module = "---\ntitle: Introduktion\nactivation: immediate\n---\n\
                  ## Om den här delen\n\nSkriv modulens text här. Använd korta meningar och vanliga ord.\n";
    let mut files = vec![
        ("moment.yaml".to_owned(), moment_yaml),
        ("welcome.md".to_owned(), welcome),
        ("modules/01-introduktion.md".to_owned(), module.to_owned()),
    ];
    if is_production {
        files.push((
            "docs/riskanalys.md".to_owned(),
            format!(
                "# Riskanalys\n\n{}\n\nBeskriv riskerna med programmet och hur de hanteras, innan det publiceras.\n",
                crate::publish::risk::TEMPLATE_MARKER
            ),
        ));
    }
    let mut written = Vec::new();
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        written.push(format!("moments/{id}/{rel}"));
    }
    Ok(written)
}
