//! Watching the sources: which saved files matter, and which moments they affect.

use std::path::{Component, Path};

use notify::EventKind;
use notify::event::ModifyKind;

use super::state::Scope;

/// Whether an event kind changes content (create, modify data or name, remove) rather
/// than merely reading it. Reads must never trigger a rebuild, or the preview's own
/// reads would retrigger it forever.
pub fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// Whether a file name is an editor's temporary or backup file.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with(".kate-swp")
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
        || name.starts_with(".goutputstream")
}

/// What a changed path (relative to the repository root) affects, if anything.
pub fn affected(rel: &Path) -> Option<Scope> {
    let name = rel.file_name()?.to_str()?;
    if is_editor_temp(name) {
        return None;
    }
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => p.to_str(),
            _ => None,
        })
        .collect();
    match parts.as_slice() {
        ["units.yaml"] => Some(Scope::All),
        ["themes", ..] | ["schemas", ..] => Some(Scope::All),
        ["moments", id, ..] if !id.starts_with('.') => Some(Scope::Moments(vec![(*id).to_owned()])),
        _ => None,
    }
}

/// Merges the scopes of several changes.
pub fn merge(scopes: impl IntoIterator<Item = Scope>) -> Option<Scope> {
    let mut ids: Vec<String> = Vec::new();
    let mut any = false;
    for scope in scopes {
        any = true;
        match scope {
            Scope::All => return Some(Scope::All),
            Scope::Moments(more) => {
                for id in more {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
        }
    }
    any.then(|| {
        ids.sort();
        Scope::Moments(ids)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths() {
        assert_eq!(
            affected(Path::new("moments/somn/welcome.md")),
            Some(Scope::Moments(vec!["somn".into()]))
        );
        assert_eq!(
            affected(Path::new("themes/default/style.css")),
            Some(Scope::All)
        );
        assert_eq!(affected(Path::new("units.yaml")), Some(Scope::All));
        assert_eq!(affected(Path::new("moments/somn/.welcome.md.swp")), None);
        assert_eq!(affected(Path::new("moments/somn/welcome.md~")), None);
        assert_eq!(affected(Path::new("dist/somn/1.0.0/site/index.html")), None);
        assert_eq!(affected(Path::new("README.md")), None);
    }

    #[test]
    fn merges() {
        let a = Scope::Moments(vec!["b".into()]);
        let b = Scope::Moments(vec!["a".into(), "b".into()]);
        assert_eq!(
            merge([a.clone(), b]),
            Some(Scope::Moments(vec!["a".into(), "b".into()]))
        );
        assert_eq!(merge([a, Scope::All]), Some(Scope::All));
        assert_eq!(merge([]), None);
    }
}
