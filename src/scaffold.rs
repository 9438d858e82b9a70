//! `moment new`: the files of a new moment that `moment check` accepts as they are.

use std::path::Path;

use crate::error::Error;
use crate::load::yaml::Value;

/// What to scaffold.
#[derive(Clone, Debug)]
pub struct NewMoment {
    /// The moment's id (folder name).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Publisher unit; the first unit in units.yaml when `None`.
    pub unit: Option<String>,
    /// Kind, as written in moment.yaml.
    pub kind: String,
}

/// The first unit id in the repository's units.yaml, and whether it is a production unit.
fn first_unit(root: &Path) -> Option<(String, bool)> {
    let node = crate::load::units::node(root)?;
    let Value::Seq(units) = &node.get("units")?.value else {
        return None;
    };
    let unit = units.first()?;
    let Value::Str(id) = &unit.get("id")?.value else {
        return None;
    };
    let production =
        matches!(unit.get("kind").map(|k| &k.value), Some(Value::Str(k)) if k == "production");
    Some((id.clone(), production))
}

fn unit_ids(root: &Path) -> Vec<String> {
    let Some(node) = crate::load::units::node(root) else {
        return Vec::new();
    };
    let Some(Value::Seq(units)) = node.get("units").map(|u| &u.value) else {
        return Vec::new();
    };
    units
        .iter()
        .filter_map(|u| match u.get("id").map(|v| &v.value) {
            Some(Value::Str(id)) => Some(id.clone()),
            _ => None,
        })
        .collect()
}

fn production(root: &Path, unit: &str) -> bool {
    let Some(node) = crate::load::units::node(root) else {
        return false;
    };
    let Some(Value::Seq(units)) = node.get("units").map(|u| &u.value) else {
        return false;
    };
    units.iter().any(|u| {
        matches!(u.get("id").map(|v| &v.value), Some(Value::Str(id)) if id == unit)
            && matches!(u.get("kind").map(|v| &v.value), Some(Value::Str(k)) if k == "production")
    })
}

/// Writes `moments/<id>/` under `root`. Refuses an invalid id or an existing folder.
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
    if let Some(u) = &spec.unit {
        let known = unit_ids(root);
        if !known.is_empty() && !known.contains(u) {
            return Err(Error::Usage(format!(
                "unit `{u}` is not in units.yaml; known units: {}",
                known.join(", ")
            )));
        }
    }
    let (unit, is_production) = match &spec.unit {
        Some(u) => (u.clone(), production(root, u)),
        None => first_unit(root).unwrap_or_else(|| ("region-exempel".to_owned(), false)),
    };
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
