//! The layout of an output folder, and who may write it.
//!
//! ```text
//! dist/
//!   .lock                    the one-writer lock (bundle::lock)
//!   .builds/store/5.somn/1.0.0/   somn's versions as build 5 wrote them, never changed
//!   .builds/7/               the current build: links, complete
//!   .builds/7/somn -> ../store/5.somn   (one link, hard-linked into later builds)
//!   .builds/7/somn-1.0.0.tar.gz         (one file, hard-linked into later builds)
//!   .builds/6/               the build before, kept for readers still in it
//!   .current -> .builds/7    switched by one rename when a build is complete
//!   somn -> .current/somn    one link per moment and per archive; they never change
//!   somn-1.0.0.tar.gz -> .current/somn-1.0.0.tar.gz
//! ```
//!
//! Every visible name goes through `.current`, so replacing that one link switches
//! the whole set of bundles from one complete build to the next. A moment's bundles
//! are written once, into the store, and every later build that keeps them links to
//! them: keeping a moment costs two hard links (of its link and of its archive), and
//! no new file. The store holds what the current and the previous build link to,
//! and nothing else.

use std::path::{Path, PathBuf};

use crate::bundle::lock::{LOCK_FILE, OutLock};
use crate::error::Error;

/// The folder inside the output folder that holds the builds.
pub const BUILDS: &str = ".builds";
/// The link to the current build.
pub const CURRENT: &str = ".current";
/// The new link to the current build, before it replaces [`CURRENT`].
pub const CURRENT_NEW: &str = ".current.new";
/// The folder of `.builds` that holds the bundles the builds link to.
pub const STORE: &str = "store";

/// An output folder, locked for writing by this process.
#[derive(Debug)]
pub struct Dist {
    out: PathBuf,
    /// What this build created: the output folder, `.builds`, `.lock`.
    created: [bool; 3],
    lock: OutLock,
    current: Option<u64>,
}

impl Dist {
    /// Creates `out` when missing, takes its lock (calling `waiting` with the
    /// holder's process id when another build holds it) and removes what interrupted
    /// builds left behind, which no reader can see.
    pub fn open(out: &Path, waiting: &dyn Fn(Option<u32>)) -> Result<Dist, Error> {
        let missing = |p: &Path| std::fs::symlink_metadata(p).is_err();
        let builds = out.join(BUILDS);
        let mut told = false;
        let (mut created, lock) = loop {
            let created = [missing(out), false, missing(&out.join(LOCK_FILE))];
            std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
            if let Some(lock) = OutLock::acquire(out, waiting, &mut told)? {
                break (created, lock);
            }
        };
        created[1] = missing(&builds);
        std::fs::create_dir_all(&builds).map_err(|e| Error::io(&builds, e))?;
        let current = read_current(out)?;
        let dist = Dist {
            out: out.to_path_buf(),
            created,
            lock,
            current,
        };
        dist.tidy()?;
        Ok(dist)
    }

    /// The output folder.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// `<out>/.builds`.
    pub fn builds(&self) -> PathBuf {
        self.out.join(BUILDS)
    }

    /// `<out>/.builds/store`.
    pub fn store(&self) -> PathBuf {
        self.builds().join(STORE)
    }

    /// The number of the current build, when there is one.
    pub fn current(&self) -> Option<u64> {
        self.current
    }

    /// The folder of the current build, when there is one.
    pub fn current_dir(&self) -> Option<PathBuf> {
        self.current.map(|n| self.builds().join(n.to_string()))
    }

    /// The number for the next build.
    pub fn next_generation(&self) -> Result<u64, Error> {
        let highest = self.generations()?.into_iter().max();
        Ok(highest.max(self.current).map_or(1, |n| n + 1))
    }

    /// The numbered builds in `.builds`.
    pub fn generations(&self) -> Result<Vec<u64>, Error> {
        let builds = self.builds();
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&builds).map_err(|e| Error::io(&builds, e))? {
            let entry = entry.map_err(|e| Error::io(&builds, e))?;
            if let Some(n) = generation_number(&entry.file_name().to_string_lossy()) {
                out.push(n);
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Refuses, before anything is written, when a name the build must link is taken
    /// by something that is not such a link (a folder or file written by an older
    /// `moment`, or by hand).
    pub fn check_names(&self, names: &[String]) -> Result<(), Error> {
        for name in names {
            let path = self.out.join(name);
            if std::fs::symlink_metadata(&path).is_ok() && !self.is_our_link(name) {
                return Err(Error::Usage(format!(
                    "{} is in the way: moment build writes it as a link into {}, and this \
                     is not one (bundles written by an older moment, or by hand?); move it \
                     away, or delete {} and build again",
                    path.display(),
                    self.out.join(CURRENT).display(),
                    self.out.display()
                )));
            }
        }
        Ok(())
    }

    /// Whether `<out>/<name>` is the link `.current/<name>` that builds write.
    pub fn is_our_link(&self, name: &str) -> bool {
        std::fs::read_link(self.out.join(name)).is_ok_and(|t| t == link_target(name))
    }

    /// After a failed build: removes what this build created (the output folder,
    /// `.builds`, the lock file) when nothing else was put there, and releases the
    /// lock. A build that waits for this lock notices that its file is gone and
    /// starts again with a new one.
    pub fn abandon(self) {
        let [out, builds, lock] = self.created;
        if builds || out {
            let _ = std::fs::remove_dir(self.builds());
        }
        if lock || out {
            let _ = std::fs::remove_file(self.lock.path());
        }
        drop(self.lock);
        if out {
            let _ = std::fs::remove_dir(&self.out);
        }
    }

    /// Removes staging folders, unswitched builds and their bundles in the store
    /// (left by interrupted builds), builds older than the one before the current
    /// one, and links to names the current build does not have (made by a build that
    /// was interrupted before its switch).
    fn tidy(&self) -> Result<(), Error> {
        let new = self.out.join(CURRENT_NEW);
        if std::fs::symlink_metadata(&new).is_ok() {
            std::fs::remove_file(&new).map_err(|e| Error::io(&new, e))?;
        }
        let previous = self
            .generations()?
            .into_iter()
            .filter(|&n| Some(n) < self.current)
            .max();
        let builds = self.builds();
        for entry in std::fs::read_dir(&builds).map_err(|e| Error::io(&builds, e))? {
            let entry = entry.map_err(|e| Error::io(&builds, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let n = generation_number(&name);
            if name != STORE && (n.is_none() || (n != self.current && n != previous)) {
                remove_any(&entry.path())?;
            }
        }
        let store = self.store();
        if let Ok(entries) = std::fs::read_dir(&store) {
            for entry in entries {
                let entry = entry.map_err(|e| Error::io(&store, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                // A bundle of a build that never became current, or a stray name.
                let n = name.split_once('.').and_then(|(n, _)| generation_number(n));
                if n.is_none() || n > self.current {
                    remove_any(&entry.path())?;
                }
            }
        }
        let current = self.current_dir();
        for entry in std::fs::read_dir(&self.out).map_err(|e| Error::io(&self.out, e))? {
            let entry = entry.map_err(|e| Error::io(&self.out, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let resolves = current
                .as_ref()
                .is_some_and(|c| std::fs::symlink_metadata(c.join(&name)).is_ok());
            if !name.starts_with('.') && !resolves && self.is_our_link(&name) {
                remove_any(&entry.path())?;
            }
        }
        Ok(())
    }
}

/// What the visible link `<out>/<name>` points at.
pub fn link_target(name: &str) -> PathBuf {
    Path::new(CURRENT).join(name)
}

/// What `<out>/.current` points at for build `n`.
pub fn current_target(n: u64) -> PathBuf {
    Path::new(BUILDS).join(n.to_string())
}

/// The name in the store of the set of versions of moment `id` that build `n` wrote.
pub fn store_name(n: u64, id: &str) -> String {
    format!("{n}.{id}")
}

/// What the link `.builds/<n>/<id>` points at for the store entry `name`.
pub fn store_target(name: &str) -> PathBuf {
    Path::new("..").join(STORE).join(name)
}

/// The store entry a link in a build points at, when it is one that builds write.
pub fn store_entry_of(target: &Path) -> Option<String> {
    let rest = target.strip_prefix("..").ok()?.strip_prefix(STORE).ok()?;
    let mut parts = rest.components();
    match (parts.next(), parts.next()) {
        (Some(std::path::Component::Normal(name)), None) => Some(name.to_str()?.to_owned()),
        _ => None,
    }
}

/// `Some(n)` for the name of build `n` in `.builds`.
fn generation_number(name: &str) -> Option<u64> {
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()))
        .then(|| name.parse().ok())
        .flatten()
}

/// The build `<out>/.current` points at; `None` when there is no such link or the
/// build it names is gone.
fn read_current(out: &Path) -> Result<Option<u64>, Error> {
    let link = out.join(CURRENT);
    let target = match std::fs::read_link(&link) {
        Ok(target) => target,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(_) => return Err(not_ours(&link)),
    };
    let n = target
        .strip_prefix(BUILDS)
        .ok()
        .and_then(|rest| generation_number(&rest.to_string_lossy()))
        .ok_or_else(|| not_ours(&link))?;
    Ok(out.join(&target).is_dir().then_some(n))
}

fn not_ours(link: &Path) -> Error {
    Error::Usage(format!(
        "{} is not the link to a build that moment build writes; delete the output \
         folder and build again",
        link.display()
    ))
}

/// Removes a file, link or folder tree.
pub fn remove_any(path: &Path) -> Result<(), Error> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
    .map_err(|e| Error::io(path, e))
}

/// Removes an old build (after the switch; nobody new can reach it). Its bundles are
/// removed in parallel, then the folder: an incremental build of 1,000 moments
/// removes about 21,000 names here.
pub fn remove_build(path: &Path) -> Result<(), Error> {
    use rayon::prelude::*;
    let entries: Vec<PathBuf> = match std::fs::read_dir(path) {
        Ok(entries) => entries
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(|e| Error::io(path, e))?,
        Err(_) => return remove_any(path),
    };
    entries.par_iter().try_for_each(|entry| remove_any(entry))?;
    std::fs::remove_dir(path).map_err(|e| Error::io(path, e))
}
