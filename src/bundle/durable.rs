//! Writes that survive power loss: a file's bytes are flushed to the disk with
//! `fsync` before the folder entry that names it is, and a folder is flushed after
//! every change to its entries that must last.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Writes `bytes` to a new file at `path` and flushes the file to the disk.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

/// Writes `bytes` to a new file at `path` without flushing it: the caller flushes a
/// whole staged tree at once with [`sync_tree`] before anything names it.
pub fn write_unsynced(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// Flushes every file and folder under `dir` (written with [`write_unsynced`]) to
/// the disk. On Linux this is one `syncfs` of the file system that holds `dir`,
/// which costs one journal commit instead of one per file; elsewhere each file and
/// then each folder (deepest first) is flushed.
#[cfg(target_os = "linux")]
pub fn sync_tree(dir: &Path) -> Result<(), Error> {
    use std::os::fd::AsRawFd;
    let folder = std::fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
    // SAFETY: `folder` is an open file descriptor for the duration of the call.
    if unsafe { libc::syncfs(folder.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(Error::io(dir, std::io::Error::last_os_error()))
    }
}

/// Flushes `dir` and the folders `more` (on the same file system) with
/// [`sync_tree`]: on Linux one `syncfs` covers them all.
pub fn sync_trees(dir: &Path, more: &[PathBuf]) -> Result<(), Error> {
    sync_tree(dir)?;
    if cfg!(not(target_os = "linux")) {
        for other in more {
            sync_tree(other)?;
        }
    }
    Ok(())
}

/// Writes staged files out to the disk while a build goes on, so that the flush
/// before the switch ([`sync_tree`]) finds little left to do: a cold build of 10,000
/// pages writes about 190 MB, and waiting for all of it at the end took half a
/// second on the 2-core machines we measure on. One thread asks the file system to
/// write back (one `syncfs`, which merges neighbouring writes) over and over until
/// it is stopped; the other threads go on rendering meanwhile. It guarantees
/// nothing by itself: [`sync_tree`] still flushes everything before anything names
/// the staged files. Elsewhere than Linux it does nothing.
#[derive(Debug)]
pub struct Flusher {
    #[cfg(target_os = "linux")]
    running: Option<(
        std::sync::Arc<std::sync::atomic::AtomicBool>,
        std::thread::JoinHandle<()>,
    )>,
}

impl Flusher {
    /// Starts writing back the file system that holds `dir`.
    pub fn start(dir: &Path) -> Flusher {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            use std::sync::Arc;
            use std::sync::atomic::{AtomicBool, Ordering};
            let Ok(folder) = std::fs::File::open(dir) else {
                return Flusher { running: None };
            };
            let stop = Arc::new(AtomicBool::new(false));
            let stopped = Arc::clone(&stop);
            let thread = std::thread::Builder::new()
                .name("moment-flush".to_owned())
                .spawn(move || {
                    while !stopped.load(Ordering::Relaxed) {
                        // SAFETY: `folder` is an open file descriptor while the thread runs.
                        unsafe { libc::syncfs(folder.as_raw_fd()) };
                        std::thread::park_timeout(std::time::Duration::from_millis(25));
                    }
                });
            Flusher {
                running: thread.ok().map(|t| (stop, t)),
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = dir;
            Flusher {}
        }
    }
}

/// Dropping a flusher stops its thread and waits for it (its last `syncfs`
/// included).
impl Drop for Flusher {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if let Some((stop, thread)) = self.running.take() {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// Flushes every file and folder under `dir` to the disk, files first, then folders
/// deepest first.
#[cfg(not(target_os = "linux"))]
pub fn sync_tree(dir: &Path) -> Result<(), Error> {
    sync_each(dir)
}

/// Flushes every file and folder under `dir` to the disk, one by one: files first,
/// then folders deepest first. For a few files this waits for them alone, where
/// one `syncfs` ([`sync_tree`]) also waits for whatever else is being written to the
/// same file system.
pub fn sync_each(dir: &Path) -> Result<(), Error> {
    let mut folders = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| Error::io(dir, e.into()))?;
        if entry.file_type().is_dir() {
            folders.push(entry.path().to_path_buf());
        } else if entry.file_type().is_file() {
            std::fs::File::open(entry.path())
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    for folder in folders.iter().rev() {
        sync_dir(folder)?;
    }
    Ok(())
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
