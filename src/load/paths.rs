//! Resolving paths written in moment files, so that none can leave the moment's folder.

use std::path::{Component, Path, PathBuf};

use super::fsread::{Refusal, Seen};
use crate::diagnostic::msg::{Files, PathWrong};

/// Why a written path was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathProblem {
    /// `/etc/passwd` or `\\server\share`.
    Absolute,
    /// `C:\…` or `C:/…`: a Windows drive.
    DriveLetter,
    /// `file:///…`, `https://…`: an address, not a file of the moment.
    Url,
    /// A name holding `:`, such as `02-del:två.md`, which Windows cannot check out.
    NotPortable,
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
            PathProblem::DriveLetter => format!("`{written}` names a Windows drive"),
            PathProblem::Url => format!("`{written}` is an address, not a file of the moment"),
            PathProblem::NotPortable => {
                format!("`{written}` has a `:` in a file name")
            }
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

impl PathProblem {
    /// [`PathProblem::describe`] in every language.
    pub fn message(&self, written: &str) -> Files {
        let wrong = match self {
            PathProblem::Absolute => PathWrong::Absolute,
            PathProblem::DriveLetter => PathWrong::DriveLetter,
            PathProblem::Url => PathWrong::Url,
            PathProblem::NotPortable => PathWrong::NotPortable,
            PathProblem::Escapes => PathWrong::Escapes,
            PathProblem::Symlink => PathWrong::Symlink,
            PathProblem::Missing => PathWrong::Missing,
        };
        Files::Path {
            wrong,
            written: written.to_owned(),
        }
    }

    /// [`PathProblem::hint`] in every language.
    pub fn advice(&self) -> Option<Files> {
        match self {
            PathProblem::DriveLetter => Some(Files::DriveLetterHint),
            PathProblem::Url => Some(Files::UrlHint),
            PathProblem::NotPortable => Some(Files::NotPortableHint),
            _ => None,
        }
    }

    /// The code to report: `missing` for [`PathProblem::Missing`], E069 for a name
    /// that is not portable, E027 for every way of leaving the moment's folder.
    pub fn code(&self, missing: crate::diagnostic::Code) -> crate::diagnostic::Code {
        use crate::diagnostic::Code;
        match self {
            PathProblem::Missing => missing,
            PathProblem::NotPortable => Code::NotPortable,
            _ => Code::PathEscapes,
        }
    }

    /// A hint that fits this problem whatever refers to the path, when there is one.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            PathProblem::DriveLetter => Some(
                "refer to files of the moment relatively, with `/`, such as ../media/bild.png; a drive letter only exists on one computer",
            ),
            PathProblem::Url => Some(
                "put the file in the moment's folder and refer to it relatively; links to web pages use https://",
            ),
            PathProblem::NotPortable => Some(
                "rename the file without `:` (such as 02-del-tva.md) and refer to the new name: Windows cannot check out a file whose name holds `:`, and macOS shows it as `/`",
            ),
            _ => None,
        }
    }
}

/// Whether `path` starts with a URL scheme and `//` or is a `file:`/`data:` address,
/// read as a browser reads it: tabs and line breaks anywhere, and control characters
/// and spaces in front, are dropped first (so `java&#9;script:` is `javascript:`).
fn is_url(path: &str) -> bool {
    let cleaned: String = path
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let Some(scheme) = url_scheme(&cleaned) else {
        return false;
    };
    let rest = &cleaned[scheme.len() + 1..];
    rest.starts_with("//")
        || ["file", "data", "javascript", "mailto", "tel"]
            .contains(&scheme.to_ascii_lowercase().as_str())
}

/// The scheme `text` starts with, when it starts with one and a `:` (RFC 3986: a
/// letter, then letters, digits, `+`, `-` or `.`).
pub fn url_scheme(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once(':')?;
    let ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then_some(scheme)
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
    resolve_in(moment_dir, base, written, &mut Seen::default())
}

/// [`resolve`], asking `seen` first.
pub fn resolve_in(
    moment_dir: &Path,
    base: &str,
    written: &str,
    seen: &mut Seen,
) -> Result<Resolved, PathProblem> {
    let rel = lexical(base, written)?;
    let full = moment_dir.join(&rel);
    // No symbolic link is followed, wherever it points: check every component.
    let mut on_the_way = moment_dir.to_path_buf();
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        on_the_way.push(part);
        // The target may be a file; every folder on the way must be a real one.
        let checked = if i + 1 == parts.len() {
            seen.lstat(&on_the_way).and_then(|meta| {
                if meta.file_type().is_symlink() {
                    Err(Refusal::Symlink)
                } else {
                    Ok(())
                }
            })
        } else {
            seen.is_real_folder(&on_the_way).map(|_| ())
        };
        match checked {
            Ok(()) => {}
            Err(Refusal::Symlink) => return Err(PathProblem::Symlink),
            Err(_) => return Err(PathProblem::Missing),
        }
    }
    Ok(Resolved { rel, full })
}

/// The path `written` names relative to the moment's folder, from `base` (a folder
/// relative to it), by its text alone: the same refusals as [`resolve`] for absolute,
/// drive-letter, URL, non-portable and escaping paths, without asking the disk. For
/// rendering, where every reference was resolved by the check already and only its
/// name is needed to find the page or asset.
pub fn lexical(base: &str, written: &str) -> Result<String, PathProblem> {
    let written_path = written.split(['#', '?']).next().unwrap_or_default();
    if written_path.starts_with('/') || written_path.starts_with('\\') {
        return Err(PathProblem::Absolute);
    }
    let bytes = written_path.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(PathProblem::DriveLetter);
    }
    if is_url(written_path) {
        return Err(PathProblem::Url);
    }
    if written_path.contains(':') {
        return Err(PathProblem::NotPortable);
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
    Ok(parts.join("/"))
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
    fn lexical_names_what_resolve_names_and_refuses_what_it_refuses() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("media")).unwrap();
        std::fs::write(dir.path().join("media/a.png"), b"x").unwrap();
        let cases = [
            ("modules", "../media/a.png"),
            ("modules", "./../media/a.png#top"),
            ("", "media/a.png?x=1"),
            ("modules", "../../x"),
            ("", "/etc/passwd"),
            ("", "C:\\media\\a.png"),
            ("", "https://example.se/a.png"),
            ("", "del:två.md"),
            ("", " \u{1}JavaScript:alert(1)"),
        ];
        for (base, written) in cases {
            match resolve(dir.path(), base, written) {
                Ok(resolved) => assert_eq!(lexical(base, written), Ok(resolved.rel)),
                Err(PathProblem::Missing | PathProblem::Symlink) => {
                    assert!(lexical(base, written).is_ok(), "{written}")
                }
                Err(problem) => assert_eq!(lexical(base, written), Err(problem), "{written}"),
            }
        }
        // Only the disk knows that a file is missing.
        assert_eq!(lexical("", "media/b.png").as_deref(), Ok("media/b.png"));
    }

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
        assert_eq!(
            resolve(dir.path(), "", "C:\\media\\a.png"),
            Err(PathProblem::DriveLetter)
        );
        assert_eq!(
            resolve(dir.path(), "", "c:/media/a.png"),
            Err(PathProblem::DriveLetter)
        );
        assert_eq!(
            resolve(dir.path(), "", "file:///etc/passwd"),
            Err(PathProblem::Url)
        );
        assert_eq!(
            resolve(dir.path(), "", "https://example.se/a.png"),
            Err(PathProblem::Url)
        );
        assert_eq!(
            resolve(dir.path(), "", "modules/02-del:två.md"),
            Err(PathProblem::NotPortable)
        );
        assert_eq!(
            resolve(dir.path(), "", "del:två.md"),
            Err(PathProblem::NotPortable)
        );
        assert_eq!(
            resolve(dir.path(), "", "java\tscript:alert(1)"),
            Err(PathProblem::Url)
        );
        assert_eq!(
            resolve(dir.path(), "", " \u{1}JavaScript:alert(1)"),
            Err(PathProblem::Url)
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
