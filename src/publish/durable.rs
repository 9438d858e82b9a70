//! Durable writes to a catalog in a local folder: the bytes go to a scratch file that
//! is synced to disk, then linked (create-only) or renamed (overwrite) into place, the
//! parent folder is synced so that the new name survives a crash, and what was
//! written is read back and compared.

use std::fs::File;
use std::io::Write;
use std::path::Path;

/// Scratch files live here, outside `bundles/` and `index/`, so no listing sees them.
const SCRATCH: &str = ".partial";

fn scratch(root: &Path, bytes: &[u8]) -> std::io::Result<std::path::PathBuf> {
    let dir = root.join(SCRATCH);
    std::fs::create_dir_all(&dir)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = dir.join(format!("{}-{nanos}", std::process::id()));
    let mut file = File::options().write(true).create_new(true).open(&path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(path)
}

fn sync_parent(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(parent) => File::open(parent)?.sync_all(),
        None => Ok(()),
    }
}

fn read_back(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::read(path)? == bytes {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "{} does not hold what was written",
            path.display()
        )))
    }
}

/// Writes `bytes` at `root/rel` only if nothing is there; `false` when something was.
pub fn create(root: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<bool> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = scratch(root, bytes)?;
    let linked = std::fs::hard_link(&tmp, &path);
    std::fs::remove_file(&tmp)?;
    match linked {
        Ok(()) => {
            sync_parent(&path)?;
            read_back(&path, bytes)?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Replaces `root/rel` with `bytes` in one step.
pub fn overwrite(root: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = scratch(root, bytes)?;
    // Read back before the rename: once in place, a concurrent writer may already
    // have replaced it with a newer copy.
    read_back(&tmp, bytes)?;
    std::fs::rename(&tmp, &path)?;
    sync_parent(&path)
}
