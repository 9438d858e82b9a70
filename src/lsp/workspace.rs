//! The repository the editor opened: file URIs to repository-relative paths and back,
//! what kind of file a path is, and which moment it belongs to.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::load::schema::SchemaKind;
use crate::load::{self, Target};

/// Characters escaped in the path of a `file:` URI.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The moments repository being edited.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The repository root (holding `moments/` or `units.yaml`), canonical when possible.
    pub root: PathBuf,
}

/// What a file of a moments repository is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `moments/<id>/moment.yaml`.
    MomentYaml,
    /// `moments/<id>/forms/<form>.yaml`.
    Form,
    /// `moments/<id>/forms/<form>.tests.yaml`.
    FormTests,
    /// `moments/<id>/**/*.md`: a module or the welcome text.
    Markdown,
    /// `units.yaml`.
    Units,
    /// Anything else.
    Other,
}

impl FileKind {
    /// The kind of the repository-relative path `rel`.
    pub fn of(rel: &str) -> FileKind {
        if rel == "units.yaml" {
            return FileKind::Units;
        }
        let Some(rest) = rel.strip_prefix("moments/") else {
            return FileKind::Other;
        };
        let Some((_, inside)) = rest.split_once('/') else {
            return FileKind::Other;
        };
        if inside == "moment.yaml" {
            FileKind::MomentYaml
        } else if let Some(name) = inside.strip_prefix("forms/") {
            if name.contains('/') {
                FileKind::Other
            } else if name.ends_with(".tests.yaml") {
                FileKind::FormTests
            } else if name.ends_with(".yaml") {
                FileKind::Form
            } else {
                FileKind::Other
            }
        } else if inside.ends_with(".md") {
            FileKind::Markdown
        } else {
            FileKind::Other
        }
    }

    /// The schema a whole YAML file of this kind follows.
    pub fn schema(self) -> Option<SchemaKind> {
        match self {
            FileKind::MomentYaml => Some(SchemaKind::Moment),
            FileKind::Form => Some(SchemaKind::Form),
            FileKind::FormTests => Some(SchemaKind::FormTests),
            FileKind::Units => Some(SchemaKind::Units),
            FileKind::Markdown | FileKind::Other => None,
        }
    }
}

/// The moment folder name of `rel` (`moments/<id>/…`), if it is inside one.
pub fn moment_of(rel: &str) -> Option<&str> {
    let rest = rel.strip_prefix("moments/")?;
    let (id, _) = rest.split_once('/')?;
    (!id.is_empty()).then_some(id)
}

/// The form id (file stem) of a `forms/<id>.yaml` or `forms/<id>.tests.yaml` path.
pub fn form_stem(rel: &str) -> Option<&str> {
    let name = rel.rsplit('/').next()?;
    name.strip_suffix(".tests.yaml")
        .or_else(|| name.strip_suffix(".yaml"))
}

impl Workspace {
    /// The repository around `start`: `start` itself, or the nearest folder above it
    /// that is one; `start` when none is.
    pub fn find(start: &Path) -> Workspace {
        let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
        let mut at = Some(start.as_path());
        while let Some(dir) = at {
            if let Some(target) = load::find_target(dir)
                && target.only.is_empty()
            {
                return Workspace { root: target.root };
            }
            at = dir.parent();
        }
        Workspace { root: start }
    }

    /// A load target for one moment, or for every moment.
    pub fn target(&self, moment: Option<&str>) -> Target {
        Target {
            root: self.root.clone(),
            only: moment.map(|m| vec![m.to_owned()]).unwrap_or_default(),
        }
    }

    /// The repository-relative path of a `file:` URI inside the repository.
    pub fn rel(&self, uri: &Uri) -> Option<String> {
        let path = uri_to_path(uri)?;
        let rel = path.strip_prefix(&self.root).ok()?;
        let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        let joined = parts?.join("/");
        (!joined.is_empty()).then_some(joined)
    }

    /// The `file:` URI of a repository-relative path.
    pub fn uri(&self, rel: &str) -> Option<Uri> {
        path_to_uri(&self.root.join(rel))
    }
}

/// The path of a `file:` URI.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if rest[..i].eq_ignore_ascii_case("localhost") => &rest[i..],
        _ => return None,
    };
    let path = path.split(['?', '#']).next()?;
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    Some(PathBuf::from(decoded.as_ref()))
}

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    let encoded = utf8_percent_encode(text, PATH).to_string();
    Uri::from_str(&format!("file://{encoded}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_paths() {
        assert_eq!(
            FileKind::of("moments/somn/moment.yaml"),
            FileKind::MomentYaml
        );
        assert_eq!(FileKind::of("moments/somn/forms/a.yaml"), FileKind::Form);
        assert_eq!(
            FileKind::of("moments/somn/forms/a.tests.yaml"),
            FileKind::FormTests
        );
        assert_eq!(
            FileKind::of("moments/somn/modules/01.md"),
            FileKind::Markdown
        );
        assert_eq!(FileKind::of("units.yaml"), FileKind::Units);
        assert_eq!(FileKind::of("README.md"), FileKind::Other);
        assert_eq!(moment_of("moments/somn/welcome.md"), Some("somn"));
        assert_eq!(form_stem("moments/s/forms/phq9.tests.yaml"), Some("phq9"));
    }

    #[test]
    fn uris_round_trip_with_non_ascii_and_spaces() {
        let ws = Workspace {
            root: PathBuf::from("/tmp/mina moment"),
        };
        let uri = ws.uri("moments/sömn/moment.yaml").unwrap();
        assert!(uri.as_str().starts_with("file:///tmp/mina%20moment/"));
        assert_eq!(ws.rel(&uri).as_deref(), Some("moments/sömn/moment.yaml"));
        let other = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(ws.rel(&other), None);
    }
}
