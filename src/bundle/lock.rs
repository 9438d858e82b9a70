//! One writer per output folder: an advisory lock on `<out>/.lock`, held from the
//! moment a build looks at the output folder until its bundles are in place. The
//! operating system releases it when the process ends, however it ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The name of the lock file inside the output folder.
pub const LOCK_FILE: &str = ".lock";

/// The lock on an output folder, released when dropped.
#[derive(Debug)]
pub struct OutLock {
    _file: File,
    path: PathBuf,
}

impl OutLock {
    /// Takes the lock on the existing folder `out`. When another process holds it,
    /// calls `waiting` with that process's id (when the lock file names one), unless
    /// `told` says it was called already, and waits until it is released. `None`
    /// when the lock file was removed while this process waited (a failed build that
    /// had created the folder removes it, lock file included): create the folder
    /// again and call this again.
    pub fn acquire(
        out: &Path,
        waiting: &dyn Fn(Option<u32>),
        told: &mut bool,
    ) -> Result<Option<OutLock>, Error> {
        let path = out.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                if !*told {
                    waiting(holder(&mut file));
                    *told = true;
                }
                file.lock().map_err(|e| Error::io(&path, e))?;
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        if !still_there(&file, &path) {
            return Ok(None);
        }
        let stamp = format!("{}\n", std::process::id());
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(stamp.as_bytes()))
            .map_err(|e| Error::io(&path, e))?;
        Ok(Some(OutLock { _file: file, path }))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The process id written in the lock file by the process that holds it.
fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn still_there(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether `path` still names the open `file` (a file that is open cannot be
/// removed on this system).
#[cfg(not(unix))]
fn still_there(_file: &File, path: &Path) -> bool {
    path.exists()
}
