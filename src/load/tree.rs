//! Unpacking a git revision's tree (from `git archive`) as data: regular files and
//! folders only. A symbolic link, hard link, submodule or special entry where moment
//! reads (`moments/`, `themes/`, `units.yaml`) refuses the whole revision, naming the
//! path; elsewhere such entries are left out. Nothing of the host is ever followed.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use super::fsread::MAX_MEDIA_BYTES;
use crate::error::Error;

/// Whether moment reads files at `rel` (relative to the repository root).
fn read_by_moment(rel: &str) -> bool {
    rel == "units.yaml" || rel.starts_with("moments/") || rel.starts_with("themes/")
}

/// Refuses a revision whose tree holds a submodule or a symbolic link where moment
/// reads. `tree` is a tree-ish for `git ls-tree` run in `top`, the repository's top.
///
/// `git archive` leaves submodules out (or writes an empty folder), so they can only
/// be seen in the tree listing.
pub fn refuse_links_in_listing(listing: &[u8], rev: &str) -> Result<(), Error> {
    // Paths are relative to the tree object, that is to the repository root.
    for record in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let Some(tab) = record.iter().position(|&b| b == b'\t') else {
            continue;
        };
        let mode = &record[..record.iter().position(|&b| b == b' ').unwrap_or(0)];
        let rel = String::from_utf8_lossy(&record[tab + 1..]).into_owned();
        let what = match mode {
            b"160000" => "a submodule",
            b"120000" => "a symbolic link",
            _ => continue,
        };
        if read_by_moment(&rel) {
            return Err(refusal(rev, &rel, what));
        }
    }
    Ok(())
}

fn refusal(rev: &str, rel: &str, what: &str) -> Error {
    Error::Refused(format!(
        "E027 {rel}: in revision `{rev}` this is {what}; moment reads a git tree as data and never follows links or submodules (nothing was read from it). Commit the file itself instead"
    ))
}

/// Unpacks a tar archive of a revision into `dest`, which must be a new, empty folder.
pub fn unpack(archive: &[u8], dest: &Path, rev: &str) -> Result<(), Error> {
    let mut tar = tar::Archive::new(archive);
    let entries = tar.entries().map_err(|e| Error::io(dest, e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| Error::io(dest, e))?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
            || kind.is_gnu_longlink()
        {
            continue;
        }
        let raw = entry.path().map_err(|e| Error::io(dest, e))?.into_owned();
        let Some(rel) = relative(&raw) else {
            return Err(Error::Refused(format!(
                "revision `{rev}` holds an entry with an unsafe path `{}`; nothing was read",
                raw.display()
            )));
        };
        let rel_text = rel.to_string_lossy().replace('\\', "/");
        let target = dest.join(&rel);
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| Error::io(&target, e))?;
            continue;
        }
        let what = if kind.is_file() || kind.is_contiguous() {
            None
        } else if kind.is_symlink() {
            Some("a symbolic link")
        } else if kind.is_hard_link() {
            Some("a hard link")
        } else {
            Some("a special file (not a regular file)")
        };
        if let Some(what) = what {
            if read_by_moment(&rel_text) {
                return Err(refusal(rev, &rel_text, what));
            }
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
            .map_err(|e| Error::io(&target, e))?;
        // The loader bounds every read; this bounds what is written to the disk.
        let copied = std::io::copy(&mut (&mut entry).take(MAX_MEDIA_BYTES + 1), &mut out)
            .map_err(|e| Error::io(&target, e))?;
        if copied > MAX_MEDIA_BYTES {
            return Err(Error::Refused(format!(
                "E056 {rel_text}: in revision `{rev}` the file is larger than the limit of {}",
                super::source::human_size(MAX_MEDIA_BYTES)
            )));
        }
    }
    Ok(())
}

/// The path as plain, relative components; `None` for `..`, roots and prefixes.
fn relative(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}
