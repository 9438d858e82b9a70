//! A moment's folder read once, whole: the version of every file in it and one digest
//! of all its paths and bytes (the build cache, a later stage, keys a moment by
//! it), with the small files kept so that the loader takes their bytes
//! instead of reading them a second time.
//!
//! Files are opened as [`fsread`] opens them (no link followed, regular files only),
//! and the `lstat` of each entry is handed to the loader's [`fsread::Seen`]. Because
//! the digest is taken from the very bytes the loader then parses, and before anything
//! else of the moment is read (media and transcripts are read later, by the render),
//! a file that changes during a build gives a digest that the next build does not
//! find again: it is built again, never served stale.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::fsread::{self, FileVersion, MAX_MEDIA_BYTES, MAX_TEXT_BYTES, Seen};
use crate::digest::hex;

/// One entry of a moment's folder, by its `/`-separated path relative to the folder
/// (the folder itself is the empty path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// A folder.
    Dir(String),
    /// A regular file, with its version when it can be remembered (it has one and it
    /// had settled, see [`fsread::SETTLED`]).
    File(String, Option<FileVersion>),
}

/// What a moment's folder holds: every entry, sorted by path, and the digest of all
/// their paths and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contents {
    /// Hex SHA-256 over every entry's kind, path and (for a file) bytes.
    pub digest: String,
    /// Every entry, in the order they were hashed.
    pub stamps: Vec<Stamp>,
}

impl Contents {
    /// Whether every file has a version that can be remembered, and every path fits on
    /// one line of a cache entry.
    pub fn remembered(&self) -> bool {
        self.stamps.iter().all(|s| match s {
            Stamp::Dir(rel) => !rel.contains(['\n', '\r']),
            Stamp::File(rel, version) => version.is_some() && !rel.contains(['\n', '\r']),
        })
    }
}

/// The bytes of the small files of a folder that [`read`] kept, by repository-relative
/// path, for the loader to take (each once).
pub type Kept = HashMap<String, Vec<u8>>;

/// The entries of the folder `rel_dir` inside `root` and their versions, without
/// reading any file; `None` at anything that is neither a regular file nor a folder
/// (a link, say). The `lstat` of each entry goes into `seen`.
pub fn stamps(root: &Path, rel_dir: &str, seen: &mut Seen) -> Option<Vec<Stamp>> {
    let dir = root.join(rel_dir);
    let mut stamps = Vec::new();
    // No link is followed, the folder itself included: a link is neither a file
    // nor a folder here.
    let walk = walkdir::WalkDir::new(&dir)
        .follow_root_links(false)
        .sort_by_file_name();
    for entry in walk {
        let entry = entry.ok()?;
        let rel = relative(entry.path().strip_prefix(&dir).ok()?)?;
        let kind = entry.file_type();
        if kind.is_dir() {
            // Folders are not asked about here: the file type is in the listing, and
            // a reader asks once, when it opens a file in one.
            stamps.push(Stamp::Dir(rel));
        } else if kind.is_file() {
            let meta = entry.metadata().ok()?;
            let version = FileVersion::of(&meta).filter(|_| FileVersion::settled(&meta));
            seen.remember(entry.path(), meta);
            stamps.push(Stamp::File(rel, version));
        } else {
            return None;
        }
    }
    Some(stamps)
}

/// Reads the folder `rel_dir` inside `root` whole: every file through the safe reader,
/// its digest, and, when `keep` is given, the bytes of every file of at most
/// [`MAX_TEXT_BYTES`] (the most the loader reads). `None` at anything that is neither a
/// regular file nor a folder, at a file that cannot be read, or at one that shrank
/// while it was read.
pub fn read(
    root: &Path,
    rel_dir: &str,
    seen: &mut Seen,
    keep: Option<&mut Kept>,
) -> Option<Contents> {
    let stamps = stamps(root, rel_dir, seen)?;
    let digest = digest(root, rel_dir, &stamps, seen, keep)?;
    Some(Contents { digest, stamps })
}

/// The digest of the entries `stamps` of the folder `rel_dir` (from [`stamps`]),
/// reading each file as [`read`] does.
pub fn digest(
    root: &Path,
    rel_dir: &str,
    stamps: &[Stamp],
    seen: &mut Seen,
    mut keep: Option<&mut Kept>,
) -> Option<String> {
    let mut h = Sha256::new();
    for stamp in stamps {
        match stamp {
            Stamp::Dir(rel) => {
                field(&mut h, b"dir");
                field(&mut h, rel.as_bytes());
            }
            Stamp::File(rel, _) => {
                field(&mut h, b"file");
                field(&mut h, rel.as_bytes());
                let path = format!("{rel_dir}/{rel}");
                let (file, opened) = fsread::open_in(root, &path, MAX_MEDIA_BYTES, seen).ok()?;
                let len = opened.len();
                if len <= MAX_TEXT_BYTES {
                    let mut bytes = Vec::with_capacity(len as usize);
                    (&file)
                        .take(MAX_TEXT_BYTES + 1)
                        .read_to_end(&mut bytes)
                        .ok()?;
                    field(&mut h, &bytes);
                    // One that grew past the limit meanwhile is left to the loader,
                    // which refuses it.
                    if let Some(kept) = keep.as_deref_mut()
                        && bytes.len() as u64 <= MAX_TEXT_BYTES
                    {
                        kept.insert(path, bytes);
                    }
                } else {
                    // A large media file is hashed in pieces, never held whole: as
                    // many bytes as it had when opened (a file that grew since is
                    // described by its start, which its next version will not match).
                    h.update(len.to_le_bytes());
                    let copied = std::io::copy(&mut (&file).take(len), &mut Hashing(&mut h));
                    (copied.ok()? == len).then_some(())?;
                }
            }
        }
    }
    Some(hex(&h.finalize()))
}

/// Adds one length-prefixed field, so that no two inputs hash alike.
pub fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// A relative path with `/` between its parts, on every system.
fn relative(path: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = path.iter().map(|p| p.to_str()).collect();
    Some(parts?.join("/"))
}

/// Feeds what is written into a hash.
struct Hashing<'a>(&'a mut Sha256);

impl std::io::Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (rel, bytes) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        dir
    }

    #[test]
    fn the_digest_follows_paths_and_bytes_and_small_files_are_kept() {
        let a = tree(&[("m/a.md", b"hej"), ("m/sub/b.yaml", b"x: 1")]);
        let mut kept = Kept::new();
        let first = read(a.path(), "m", &mut Seen::default(), Some(&mut kept)).unwrap();
        assert_eq!(kept.get("m/a.md").map(Vec::as_slice), Some(&b"hej"[..]));
        assert_eq!(
            kept.get("m/sub/b.yaml").map(Vec::as_slice),
            Some(&b"x: 1"[..])
        );
        let names: Vec<&str> = first
            .stamps
            .iter()
            .map(|s| match s {
                Stamp::Dir(r) | Stamp::File(r, _) => r.as_str(),
            })
            .collect();
        assert_eq!(names, ["", "a.md", "sub", "sub/b.yaml"]);
        // Same paths and bytes elsewhere: the same digest, kept or not.
        let b = tree(&[("m/a.md", b"hej"), ("m/sub/b.yaml", b"x: 1")]);
        let again = read(b.path(), "m", &mut Seen::default(), None).unwrap();
        assert_eq!(again.digest, first.digest);
        // One byte, or one name, changed: another digest.
        let c = tree(&[("m/a.md", b"hej!"), ("m/sub/b.yaml", b"x: 1")]);
        let d = tree(&[("m/a.md", b"hej"), ("m/sub/c.yaml", b"x: 1")]);
        for other in [&c, &d] {
            let other = read(other.path(), "m", &mut Seen::default(), None).unwrap();
            assert_ne!(other.digest, first.digest);
        }
    }

    #[test]
    fn a_large_file_is_hashed_not_kept_and_a_link_gives_no_digest() {
        let big = vec![b'a'; MAX_TEXT_BYTES as usize + 1];
        let a = tree(&[("m/big.bin", &big)]);
        let mut kept = Kept::new();
        let first = read(a.path(), "m", &mut Seen::default(), Some(&mut kept)).unwrap();
        assert!(kept.is_empty());
        let mut bigger = big.clone();
        *bigger.last_mut().unwrap() = b'b';
        let b = tree(&[("m/big.bin", &bigger)]);
        let second = read(b.path(), "m", &mut Seen::default(), None).unwrap();
        assert_ne!(second.digest, first.digest);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/hostname", a.path().join("m/link")).unwrap();
            assert!(read(a.path(), "m", &mut Seen::default(), None).is_none());
            assert!(stamps(a.path(), "m", &mut Seen::default()).is_none());
            // Nor is a folder that is itself a link.
            let b = tree(&[("m/a.md", b"hej")]);
            std::os::unix::fs::symlink(b.path().join("m"), b.path().join("n")).unwrap();
            assert!(stamps(b.path(), "m", &mut Seen::default()).is_some());
            assert!(stamps(b.path(), "n", &mut Seen::default()).is_none());
        }
    }
}
