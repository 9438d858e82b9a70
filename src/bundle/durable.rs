//! Writes that survive power loss: a file's bytes are flushed to the disk with
//! `fsync` before the folder entry that names it is, and a folder is flushed after
//! every change to its entries that must last.

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Writes `bytes` to a new file at `path` and flushes the file to the disk.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

/// Flushes the entries of the folder `dir` (files created, renamed or removed in it)
/// to the disk.
#[cfg(unix)]
pub fn sync_dir(dir: &Path) -> Result<(), Error> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// Folders cannot be opened for flushing on this system; the file system's own
/// ordering is all there is.
#[cfg(not(unix))]
pub fn sync_dir(_dir: &Path) -> Result<(), Error> {
    Ok(())
}

/// Creates a symbolic link at `link` that points at the relative path `target`.
pub fn symlink(target: &Path, link: &Path, target_is_dir: bool) -> Result<(), Error> {
    #[cfg(unix)]
    let made = {
        let _ = target_is_dir;
        std::os::unix::fs::symlink(target, link)
    };
    #[cfg(windows)]
    let made = if target_is_dir {
        std::os::windows::fs::symlink_dir(target, link)
    } else {
        std::os::windows::fs::symlink_file(target, link)
    };
    made.map_err(|e| Error::io(link, e))
}
