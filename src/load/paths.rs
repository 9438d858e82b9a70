//! Resolving paths written in moment files, so that none can leave the moment's folder.

use std::path::{Component, Path, PathBuf};

/// Why a written path was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathProblem {
    /// `/etc/passwd`, `C:\…` or a URL scheme.
    Absolute,
    /// Climbs above the moment's folder with `..`.
    Escapes,
    /// Is a symbolic link, or lies under one (links are never followed).
    Symlink,
    /// Stays inside but does not exist.
    Missing,
}

impl PathProblem {
    /// One sentence for a diagnostic.
    pub fn describe(&self, written: &str) -> String {
        match self {
            PathProblem::Absolute => format!("`{written}` is an absolute path"),
            PathProblem::Escapes => format!("`{written}` leaves the moment's folder"),
            PathProblem::Symlink => {
                format!(
                    "`{written}` is a symbolic link, or lies under one; moment never follows symbolic links"
                )
            }
            PathProblem::Missing => format!("`{written}` does not exist"),
        }
    }
}

/// A path that resolved inside a moment's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// Relative to the moment's folder, `/`-separated, normalised.
    pub rel: String,
    /// On disk.
    pub full: PathBuf,
}

/// Resolves `written`, relative to `base` (a folder relative to the moment's folder),
/// against `moment_dir`. Checks, in order: absolute, `..` escape, then for every
/// component on the way: existence and that it is not a symbolic link (wherever it
/// points: links are refused, never followed).
pub fn resolve(moment_dir: &Path, base: &str, written: &str) -> Result<Resolved, PathProblem> {
    let written_path = written.split(['#', '?']).next().unwrap_or_default();
    if written_path.starts_with('/') || written_path.starts_with('\\') || written_path.contains(':')
    {
        return Err(PathProblem::Absolute);
    }
    let mut parts: Vec<&str> = base
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for comp in Path::new(written_path).components() {
        match comp {
            Component::Normal(p) => parts.push(p.to_str().unwrap_or_default()),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err(PathProblem::Escapes);
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err(PathProblem::Absolute),
        }
    }
    let rel = parts.join("/");
    let full = moment_dir.join(&rel);
    // No symbolic link is followed, wherever it points: check every component.
    let mut on_the_way = moment_dir.to_path_buf();
    for part in &parts {
        on_the_way.push(part);
        match std::fs::symlink_metadata(&on_the_way) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(PathProblem::Symlink),
            Ok(_) => {}
            Err(_) => return Err(PathProblem::Missing),
        }
    }
    Ok(Resolved { rel, full })
}

/// The folder part of a `/`-separated relative path (`modules/a.md` → `modules`).
pub fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Whether a link target is external (a URL or e-mail) rather than a file of the moment.
pub fn is_external(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:", "tel:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("media")).unwrap();
        std::fs::write(dir.path().join("media/a.png"), b"x").unwrap();
        assert_eq!(
            resolve(dir.path(), "modules", "../media/a.png")
                .unwrap()
                .rel,
            "media/a.png"
        );
        assert_eq!(
            resolve(dir.path(), "modules", "../../x"),
            Err(PathProblem::Escapes)
        );
        assert_eq!(
            resolve(dir.path(), "", "/etc/passwd"),
            Err(PathProblem::Absolute)
        );
        assert_eq!(
            resolve(dir.path(), "", "media/b.png"),
            Err(PathProblem::Missing)
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc", dir.path().join("media/etc")).unwrap();
            assert_eq!(
                resolve(dir.path(), "", "media/etc/hostname"),
                Err(PathProblem::Symlink)
            );
            std::os::unix::fs::symlink("a.png", dir.path().join("media/inside.png")).unwrap();
            assert_eq!(
                resolve(dir.path(), "", "media/inside.png"),
                Err(PathProblem::Symlink)
            );
        }
    }
}
