//! `units.yaml`, the one reader: strictly (valid against its schema, or an error) for
//! the commands that act on it, wherever it comes from (the working tree, a file
//! given on the command line, a git revision), and leniently as plain YAML for
//! suggestions. `moment check` reports its problems through the loader instead.

use std::path::Path;

use super::schema::{SchemaKind, Schemas};
use super::yaml::{self, Node, Offset};
use crate::error::Error;
use crate::model::UnitsFile;

/// Parses and validates the bytes of a units.yaml; `name` says which one in errors
/// (such as `units.yaml` or `units.yaml at origin/main`).
pub fn parse(bytes: Vec<u8>, name: &str, schemas: &Schemas) -> Result<UnitsFile, Error> {
    let text = String::from_utf8(bytes).map_err(|_| Error::invalid(name, "not UTF-8"))?;
    let node = yaml::parse(&text, Offset::NONE)
        .map_err(|d| Error::invalid(name, format!("{}; run `moment check`", d.message)))?
        .ok_or_else(|| Error::invalid(name, "empty"))?;
    let json = schemas
        .validate(SchemaKind::Units, &node, &mut Vec::new())
        .ok_or_else(|| Error::invalid(name, "not valid against its schema; run `moment check`"))?;
    serde_json::from_value(json).map_err(|e| Error::invalid(name, e.to_string()))
}

/// Reads, parses and validates the units.yaml file at `path`.
pub fn read(path: &Path, name: &str, schemas: &Schemas) -> Result<UnitsFile, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse(bytes, name, schemas)
}

/// The units.yaml of the repository at `root` as YAML, when it reads and parses;
/// for suggestions (such as a new moment's unit), never for decisions.
/// It is read through the safe reader, so a link or a special file there is not followed.
pub fn node(root: &Path) -> Option<Node> {
    let text = super::source::read_text(root, "units.yaml", &mut Vec::new())?;
    yaml::parse(&text, Offset::NONE).ok()?
}

/// The diagnostics language the repository at `root` asks for with `language:` in its
/// units.yaml, when it sets a valid one.
pub fn language(root: &Path) -> Option<crate::diagnostic::Lang> {
    language_of(&node(root)?)
}

/// The diagnostics language that a units.yaml already parsed as `node` asks for.
pub fn language_of(node: &Node) -> Option<crate::diagnostic::Lang> {
    match &node.get("language")?.value {
        yaml::Value::Str(value) => value.parse().ok(),
        _ => None,
    }
}
