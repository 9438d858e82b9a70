//! The one way `moment` opens a source file: inside a folder it trusts, never through
//! a symbolic link, only regular files, and never more than a size limit.
//!
//! Every path is checked component by component with `symlink_metadata` before the
//! file is opened, so a fifo, device or socket is refused without being opened and a
//! link is refused wherever it points. The file is then opened with `O_NOFOLLOW` and
//! `O_NONBLOCK` and the open descriptor is checked again (`fstat`), which closes the
//! gap between the check and the open: a file swapped for a fifo or a link in between
//! is refused too. Reads stop at the limit.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

/// The largest text file `moment` reads: modules, the welcome text, YAML, theme files.
pub const MAX_TEXT_BYTES: u64 = 1024 * 1024;

/// The largest media file a bundle may hold.
pub const MAX_MEDIA_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// What kind of thing stands where a regular file was expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// A folder.
    Folder,
    /// A named pipe.
    Fifo,
    /// A character or block device, such as `/dev/zero`.
    Device,
    /// A Unix socket.
    Socket,
    /// Anything else the file system reports.
    Other,
}

impl Special {
    /// The kind in words, such as "a named pipe (fifo)".
    pub fn describe(self) -> &'static str {
        match self {
            Special::Folder => "a folder",
            Special::Fifo => "a named pipe (fifo)",
            Special::Device => "a device",
            Special::Socket => "a socket",
            Special::Other => "not a regular file",
        }
    }

    /// The kind for a diagnostic, in every language.
    pub fn word(self) -> crate::diagnostic::msg::Special {
        use crate::diagnostic::msg::Special as W;
        match self {
            Special::Folder => W::Folder,
            Special::Fifo => W::Fifo,
            Special::Device => W::Device,
            Special::Socket => W::Socket,
            Special::Other => W::Other,
        }
    }

    fn of(meta: &Metadata) -> Option<Special> {
        let kind = meta.file_type();
        if kind.is_file() {
            return None;
        }
        if kind.is_dir() {
            return Some(Special::Folder);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_fifo() {
                return Some(Special::Fifo);
            }
            if kind.is_char_device() || kind.is_block_device() {
                return Some(Special::Device);
            }
            if kind.is_socket() {
                return Some(Special::Socket);
            }
        }
        Some(Special::Other)
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub enum Refusal {
    /// Nothing is there.
    Missing,
    /// The file, or a folder on the way to it, is a symbolic link.
    Symlink,
    /// Not a regular file; it was not opened.
    NotRegular(Special),
    /// Larger than the limit; at most `limit + 1` bytes were read.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The operating system refused.
    Io(std::io::Error),
}

/// What `lstat` said of the paths one reader already looked at: loading and checking
/// a moment looks at the same few folders and files tens of times, and asking the
/// file system once per path instead saves most of the `lstat` calls of a large
/// repository.
///
/// A memo lives for one build or one check of one moment: the load fills it, and
/// the checks and the render of that moment start from a copy of it
/// ([`crate::load::LoadedMoment::seen`]). Reading a file never
/// trusts it alone: the file is opened with `O_NOFOLLOW` and checked once more when
/// open (see [`read`]).
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// foldhash, seeded per process like std's SipHash but quicker on short keys:
    /// hashing paths was a visible part of a large check. Keyed by the path's bytes,
    /// not its components (`Path`'s hash walks them): the readers spell each path
    /// one way, and another spelling only asks `lstat` once more.
    meta: foldhash::HashMap<std::ffi::OsString, Metadata>,
}

impl Seen {
    /// `symlink_metadata` of `path`, asked once.
    pub fn lstat(&mut self, path: &Path) -> Result<Metadata, Refusal> {
        if let Some(meta) = self.meta.get(path.as_os_str()) {
            return Ok(meta.clone());
        }
        let meta = symlink_meta(path)?;
        self.meta.insert(path.as_os_str().to_owned(), meta.clone());
        Ok(meta)
    }

    /// Remembers what `lstat` said of `path` just now (a walk of a folder reads it
    /// for every entry anyway).
    pub fn remember(&mut self, path: &Path, meta: Metadata) {
        self.meta.insert(path.as_os_str().to_owned(), meta);
    }

    /// Takes in what another memo of the same moment learnt.
    pub fn absorb(&mut self, other: Seen) {
        self.meta.extend(other.meta);
    }

    /// What this memo knows of real folders, for a reader on another thread (files
    /// are left out: each is read once, and there may be many).
    pub fn folders(&self) -> Seen {
        Seen {
            meta: self
                .meta
                .iter()
                .filter(|(_, meta)| meta.is_dir())
                .map(|(path, meta)| (path.clone(), meta.clone()))
                .collect(),
        }
    }

    /// Whether `path` is a real folder; a link there is refused.
    pub fn is_real_folder(&mut self, path: &Path) -> Result<bool, Refusal> {
        let meta = self.lstat(path)?;
        if meta.file_type().is_symlink() {
            return Err(Refusal::Symlink);
        }
        Ok(meta.is_dir())
    }
}

/// Checks that `rel` (a `/`-separated path with no `.` or `..`) names a regular file
/// inside `root` without any symbolic link on the way, without opening anything.
pub fn check_file(root: &Path, rel: &str) -> Result<Metadata, Refusal> {
    check_file_in(root, rel, &mut Seen::default())
}

/// [`check_file`], asking `seen` first.
pub fn check_file_in(root: &Path, rel: &str, seen: &mut Seen) -> Result<Metadata, Refusal> {
    let mut path = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    let Some((last, on_the_way)) = parts.split_last() else {
        return Err(Refusal::NotRegular(Special::Folder));
    };
    for part in on_the_way {
        if *part == ".." || *part == "." {
            return Err(Refusal::Missing);
        }
        path.push(part);
        if !seen.is_real_folder(&path)? {
            return Err(Refusal::Missing);
        }
    }
    if *last == ".." || *last == "." {
        return Err(Refusal::Missing);
    }
    path.push(last);
    let meta = seen.lstat(&path)?;
    if meta.file_type().is_symlink() {
        return Err(Refusal::Symlink);
    }
    if let Some(kind) = Special::of(&meta) {
        return Err(Refusal::NotRegular(kind));
    }
    Ok(meta)
}

fn symlink_meta(path: &Path) -> Result<Metadata, Refusal> {
    std::fs::symlink_metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => Refusal::Missing,
        _ => Refusal::Io(e),
    })
}

/// Reads the regular file `rel` inside `root` (see [`check_file`]), at most `limit`
/// bytes.
pub fn read(root: &Path, rel: &str, limit: u64) -> Result<Vec<u8>, Refusal> {
    read_in(root, rel, limit, &mut Seen::default())
}

/// [`read`], asking `seen` first.
pub fn read_in(root: &Path, rel: &str, limit: u64, seen: &mut Seen) -> Result<Vec<u8>, Refusal> {
    let (file, opened) = open_in(root, rel, limit, seen)?;
    let mut bytes = Vec::with_capacity(opened.len().min(limit) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(Refusal::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Refusal::TooLarge { limit });
    }
    Ok(bytes)
}

/// Opens the regular file `rel` inside `root` as [`read_in`] does (no link on the way,
/// opened with `O_NOFOLLOW` and checked again once open), for a reader that streams
/// it. Returns the file and what `fstat` said of it. The file may still grow while it
/// is read: a reader stops at `limit` bytes.
pub fn open_in(
    root: &Path,
    rel: &str,
    limit: u64,
    seen: &mut Seen,
) -> Result<(File, Metadata), Refusal> {
    let meta = check_file_in(root, rel, seen)?;
    if meta.len() > limit {
        return Err(Refusal::TooLarge { limit });
    }
    let file = open_no_follow(&root.join(rel))?;
    let opened = file.metadata().map_err(Refusal::Io)?;
    if let Some(kind) = Special::of(&opened) {
        return Err(Refusal::NotRegular(kind));
    }
    if opened.len() > limit {
        return Err(Refusal::TooLarge { limit });
    }
    Ok((file, opened))
}

/// What tells one version of a file from another: its device, inode, size, and
/// modification and change times (the change time moves with every write, and a
/// user cannot set it back). Readers that remember something about a file's content
/// key it by this.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileVersion {
    device: u64,
    inode: u64,
    size: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

/// How long after its last change a file's version is trusted to name its content:
/// file times tick coarsely (a few ms), so two writes within one tick can leave the
/// same version behind (git's "racy clean" files).
pub const SETTLED: std::time::Duration = std::time::Duration::from_secs(1);

impl FileVersion {
    /// The version `meta` describes; `None` where there is no change time.
    #[cfg(unix)]
    pub fn of(meta: &Metadata) -> Option<FileVersion> {
        use std::os::unix::fs::MetadataExt;
        Some(FileVersion {
            device: meta.dev(),
            inode: meta.ino(),
            size: meta.len(),
            modified: (meta.mtime(), meta.mtime_nsec()),
            changed: (meta.ctime(), meta.ctime_nsec()),
        })
    }

    /// Without a change time that users cannot set, no version is trusted.
    #[cfg(not(unix))]
    pub fn of(_meta: &Metadata) -> Option<FileVersion> {
        None
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The version as one line of numbers, for a file that remembers it.
    pub fn to_text(&self) -> String {
        let FileVersion {
            device,
            inode,
            size,
            modified,
            changed,
        } = self;
        format!(
            "{device} {inode} {size} {} {} {} {}",
            modified.0, modified.1, changed.0, changed.1
        )
    }

    /// The version that [`FileVersion::to_text`] wrote.
    pub fn from_text(text: &str) -> Option<FileVersion> {
        fn next<T: std::str::FromStr>(parts: &mut std::str::Split<'_, char>) -> Option<T> {
            parts.next()?.parse().ok()
        }
        let mut parts = text.split(' ');
        let version = FileVersion {
            device: next(&mut parts)?,
            inode: next(&mut parts)?,
            size: next(&mut parts)?,
            modified: (next(&mut parts)?, next(&mut parts)?),
            changed: (next(&mut parts)?, next(&mut parts)?),
        };
        parts.next().is_none().then_some(version)
    }

    /// Whether the file described by `meta` last changed at least [`SETTLED`] ago,
    /// so that what is remembered of this version can be trusted later.
    pub fn settled(meta: &Metadata) -> bool {
        #[cfg(unix)]
        let changed = {
            use std::os::unix::fs::MetadataExt;
            std::time::UNIX_EPOCH
                .checked_add(std::time::Duration::new(
                    u64::try_from(meta.ctime()).unwrap_or(0),
                    u32::try_from(meta.ctime_nsec()).unwrap_or(0),
                ))
                .unwrap_or(std::time::UNIX_EPOCH)
        };
        #[cfg(not(unix))]
        let changed = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
        std::time::SystemTime::now()
            .duration_since(changed)
            .is_ok_and(|age| age >= SETTLED)
    }
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> Result<File, Refusal> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: a fifo swapped in after the check must not block the open.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => Refusal::Symlink,
            _ => Refusal::Io(e),
        })
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> Result<File, Refusal> {
    File::open(path).map_err(Refusal::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_links_and_limits() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/f.txt"), b"hello").unwrap();
        assert_eq!(read(dir.path(), "a/f.txt", 5).unwrap(), b"hello");
        assert!(matches!(
            read(dir.path(), "a/f.txt", 4),
            Err(Refusal::TooLarge { limit: 4 })
        ));
        assert!(matches!(
            read(dir.path(), "a/g.txt", 4),
            Err(Refusal::Missing)
        ));
        assert!(matches!(
            read(dir.path(), "a", 4),
            Err(Refusal::NotRegular(Special::Folder))
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("f.txt", dir.path().join("a/l.txt")).unwrap();
            std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
            assert!(matches!(
                read(dir.path(), "a/l.txt", 10),
                Err(Refusal::Symlink)
            ));
            assert!(matches!(
                read(dir.path(), "b/f.txt", 10),
                Err(Refusal::Symlink)
            ));
            assert!(matches!(
                open_no_follow(&dir.path().join("a/l.txt")),
                Err(Refusal::Symlink)
            ));
        }
    }
}
