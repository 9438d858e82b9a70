//! Writing a build: every new bundle is written into the store, a hidden folder of
//! `.builds` collects a link to each (and to every bundle of the current build that
//! this build does not replace), and the complete folder becomes the current build
//! by two renames. The layout is in [`crate::bundle::dist`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::bundle::dist::{self, CURRENT, CURRENT_NEW, Dist};
use crate::bundle::durable::{self, sync_dir};
use crate::bundle::steps::Steps;
use crate::bundle::{Bundle, Written};
use crate::error::Error;

/// A build being written. Dropping it without [`Staging::commit`] removes the staged
/// bundles and leaves the output folder as it was.
#[derive(Debug)]
pub struct Staging {
    dist: Dist,
    dir: tempfile::TempDir,
    /// The number this build will have; its bundles in the store carry it.
    generation: u64,
    /// Started once the build has staged more than [`FEW_FILES`] files.
    flusher: Mutex<Option<durable::Flusher>>,
    /// Files staged so far.
    files: AtomicUsize,
    staged: Mutex<Vec<(String, String)>>,
    kept: Vec<(String, String)>,
}

/// Up to this many staged files, a build flushes each file and folder it wrote
/// (`fsync`), so that it waits for its own files alone; beyond, it starts a
/// [`durable::Flusher`] and ends with one `syncfs`, which costs one journal commit
/// for all of them but also waits for anything else written to the file system
/// (an incremental build of one moment took 1.5 s instead of 0.23 s right after
/// another program wrote 300 MB).
const FEW_FILES: usize = 128;

/// Bundles that will be written: `(id, version)`.
pub type Planned = [(String, String)];

impl Staging {
    /// Opens and locks `out` (see [`Dist::open`]), refuses when a name of a planned
    /// bundle is taken by something else, and creates the staging folder.
    pub fn new(
        out: &Path,
        planned: &Planned,
        waiting: &dyn Fn(Option<u32>),
    ) -> Result<Staging, Error> {
        let dist = Dist::open(out, waiting)?;
        let mut names: Vec<String> = Vec::new();
        for (id, version) in planned {
            names.push(id.clone());
            names.push(archive_name(id, version));
        }
        if let Err(e) = dist.check_names(&names) {
            dist.abandon();
            return Err(e);
        }
        let builds = dist.builds();
        let store = dist.store();
        let made = dist.next_generation().and_then(|generation| {
            std::fs::create_dir_all(&store).map_err(|e| Error::io(&store, e))?;
            let dir = tempfile::Builder::new()
                .prefix(".staging-")
                .tempdir_in(&builds)
                .map_err(|e| Error::io(&builds, e))?;
            Ok((generation, dir))
        });
        let (generation, dir) = match made {
            Ok(made) => made,
            Err(e) => {
                let _ = std::fs::remove_dir(&store);
                dist.abandon();
                return Err(e);
            }
        };
        Ok(Staging {
            dist,
            flusher: Mutex::new(None),
            files: AtomicUsize::new(0),
            dir,
            generation,
            staged: Mutex::new(Vec::new()),
            kept: Vec::new(),
        })
    }

    /// The folder of the current build of the output folder, when there is one (it
    /// does not change while this staging exists: this build holds the lock).
    pub fn current_dir(&self) -> Option<PathBuf> {
        self.dist.current_dir()
    }

    /// Keeps the bundle `id` `version` of the current build as it is (the build cache
    /// found nothing changed): it is linked into the new build like any bundle this
    /// build does not write, and listed among the written ones.
    pub fn keep(&mut self, id: &str, version: &str) {
        self.kept.push((id.to_owned(), version.to_owned()));
    }

    /// Writes one bundle into the store, into this build's new set of versions of its
    /// moment (which no build links to yet), and its archive into the staging
    /// folder. Safe to call from several threads. Nothing is flushed here:
    /// [`Staging::commit`] flushes everything before anything a reader can reach
    /// names it.
    pub fn stage(&self, bundle: &Bundle) -> Result<(), Error> {
        let store = self.dist.store();
        let set = dist::store_name(self.generation, &bundle.id);
        let dir = Path::new(&set).join(&bundle.version);
        make_dirs(&store, &dir, &mut BTreeSet::new())?;
        let dir = store.join(dir);
        let mut made = BTreeSet::new();
        for (path, bytes) in &bundle.files {
            let file = Path::new(path);
            if let Some(parent) = file.parent() {
                make_dirs(&dir, parent, &mut made)?;
            }
            durable::write_unsynced(&dir.join(file), bytes)?;
        }
        let archive = self
            .dir
            .path()
            .join(archive_name(&bundle.id, &bundle.version));
        durable::write_unsynced(&archive, &bundle.archive)?;
        let files = self
            .files
            .fetch_add(bundle.files.len() + 1, Ordering::Relaxed)
            + bundle.files.len()
            + 1;
        if files > FEW_FILES {
            let mut flusher = self
                .flusher
                .lock()
                .map_err(|_| Error::Internal("a build thread failed".to_owned()))?;
            if flusher.is_none() {
                *flusher = Some(durable::Flusher::start(self.dir.path()));
            }
        }
        self.staged
            .lock()
            .map_err(|_| Error::Internal("a build thread failed".to_owned()))?
            .push((bundle.id.clone(), bundle.version.clone()));
        Ok(())
    }

    /// Throws the staged bundles away, and the output folder too when this build
    /// created it, so that a failed build leaves no trace.
    pub fn abandon(self) {
        Steps::from_env().next(&"remove the staging folder of a failed build");
        drop(self.flusher);
        drop(self.dir);
        let store = self.dist.store();
        remove_generation(&store, self.generation);
        let _ = std::fs::remove_dir(&store);
        self.dist.abandon();
    }

    /// Puts the build in place: links in the bundles of the current build that were
    /// not rebuilt, flushes everything written, renames the staging folder to the
    /// next numbered build, links every name, switches `.current` to it by one
    /// rename, and removes what no build links to any more. Every change is on the
    /// disk before this returns.
    pub fn commit(self) -> Result<Vec<Written>, Error> {
        let mut steps = Steps::from_env();
        let mut staged = self
            .staged
            .into_inner()
            .map_err(|_| Error::Internal("a build thread failed".to_owned()))?;
        staged.sort();
        // Stopped (after its last `syncfs`) before the flush that counts.
        drop(self.flusher);
        let few = self.files.into_inner() <= FEW_FILES;
        let mut written = staged.clone();
        written.extend(self.kept);
        written.sort();
        let dist = self.dist;
        let n = self.generation;
        let store = dist.store();
        let root = self.dir.keep();
        let put = (|| {
            // The moments with a new set of versions in the store: those with a new
            // bundle, and those an older `moment` wrote in place (see `carry_over`).
            let mut sets: BTreeSet<String> = staged.iter().map(|(id, _)| id.clone()).collect();
            let mut in_use = BTreeSet::new();
            if let Some(current) = dist.current_dir() {
                let carried = carry_over(&current, &root, &store, n, &staged)?;
                in_use.extend(carried.linked);
                sets.extend(carried.copied);
            }
            let mut fresh = Vec::new();
            for id in &sets {
                let name = dist::store_name(n, id);
                durable::symlink(&dist::store_target(&name), &root.join(id), true)?;
                fresh.push(store.join(&name));
                in_use.insert(name);
            }
            // Every bundle written and every link made, on the disk.
            if few {
                for set in &fresh {
                    durable::sync_each(set)?;
                }
                for (id, version) in &staged {
                    durable::sync_each(&root.join(archive_name(id, version)))?;
                }
                sync_dir(&store)?;
                sync_dir(&root)?;
            } else {
                durable::sync_trees(&root, &fresh)?;
            }
            let generation = dist.builds().join(n.to_string());
            steps.next(&format_args!(
                "rename the staging folder to {}",
                generation.display()
            ));
            std::fs::rename(&root, &generation).map_err(|e| Error::io(&generation, e))?;
            Ok::<_, Error>((generation, in_use))
        })();
        let (generation, in_use) = match put {
            Ok(done) => done,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&root);
                remove_generation(&store, n);
                return Err(e);
            }
        };
        sync_dir(&dist.builds())?;
        switch(&dist, n, &generation, &mut steps)?;
        remove_unused(&store, &in_use, &mut steps)?;
        let out = dist.out();
        Ok(written
            .into_iter()
            .map(|(id, version)| Written {
                dir: out.join(&id).join(&version),
                archive: out.join(archive_name(&id, &version)),
                id,
                version,
            })
            .collect())
    }
}

/// `<id>-<version>.tar.gz`.
pub fn archive_name(id: &str, version: &str) -> String {
    format!("{id}-{version}.tar.gz")
}

/// Makes build `n` current: links the names it adds, replaces `.current`, and
/// removes builds older than the one it replaces.
fn switch(dist: &Dist, n: u64, generation: &Path, steps: &mut Steps) -> Result<(), Error> {
    let out = dist.out();
    let mut names: Vec<(String, bool)> = Vec::new();
    for entry in std::fs::read_dir(generation).map_err(|e| Error::io(generation, e))? {
        let entry = entry.map_err(|e| Error::io(generation, e))?;
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        names.push((entry.file_name().to_string_lossy().into_owned(), is_dir));
    }
    names.sort();
    let mut linked = false;
    for (name, is_dir) in &names {
        if dist.is_our_link(name) {
            continue;
        }
        let link = out.join(name);
        steps.next(&format_args!("link {}", link.display()));
        durable::symlink(&dist::link_target(name), &link, *is_dir)?;
        linked = true;
    }
    if linked {
        sync_dir(out)?;
    }
    let new = out.join(CURRENT_NEW);
    steps.next(&format_args!("link {}", new.display()));
    durable::symlink(&dist::current_target(n), &new, true)?;
    let current = out.join(CURRENT);
    steps.next(&format_args!(
        "rename {} to {}",
        new.display(),
        current.display()
    ));
    std::fs::rename(&new, &current).map_err(|e| Error::io(&current, e))?;
    sync_dir(out)?;
    let builds = dist.builds();
    for old in dist.generations()? {
        if old != n && Some(old) != dist.current() {
            let path = builds.join(old.to_string());
            steps.next(&format_args!("remove {}", path.display()));
            dist::remove_build(&path)?;
        }
    }
    Ok(())
}

/// What [`carry_over`] found in the current build and did in the new one.
#[derive(Default)]
struct Carried {
    /// Store entries the current build links to (it becomes the previous build, so
    /// they stay), the kept ones among them.
    linked: Vec<String>,
    /// Moments whose other versions were copied into this build's new set (by hard
    /// links), because the moment has a new bundle or an older `moment` wrote it in
    /// place: each needs its link to that set.
    copied: Vec<String>,
}

/// Carries into `to` every moment and archive of the build `from` that this build
/// does not replace, so that a build of some moments keeps the others:
///
/// - a moment with no new bundle keeps its set of versions: its link is hard-linked
///   (no new inode: one `link` per moment, the cheapest name a file system makes);
/// - a moment with a new bundle gets its other versions, if any, hard-linked file by
///   file into this build's new set (`store/<n>.<id>`);
/// - an archive not rebuilt is hard-linked.
fn carry_over(
    from: &Path,
    to: &Path,
    store: &Path,
    n: u64,
    staged: &[(String, String)],
) -> Result<Carried, Error> {
    use rayon::prelude::*;
    let archives: BTreeSet<String> = staged
        .iter()
        .map(|(id, version)| archive_name(id, version))
        .collect();
    let ids: BTreeSet<&str> = staged.iter().map(|(id, _)| id.as_str()).collect();
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(from)
        .map_err(|e| Error::io(from, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| Error::io(from, e))?;
    // In parallel: an incremental build of 1,000 moments makes 2,000 links here.
    let parts: Vec<Carried> = entries
        .par_iter()
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
            let mut carried = Carried::default();
            let rebuilt = ids.contains(name.as_str());
            let versions = if kind.is_symlink() {
                let target = std::fs::read_link(&path).map_err(|e| Error::io(&path, e))?;
                let set = dist::store_entry_of(&target).ok_or_else(|| {
                    Error::Usage(format!(
                        "{} is not a link that moment build writes; delete the output \
                         folder and build again",
                        path.display()
                    ))
                })?;
                carried.linked.push(set.clone());
                if !rebuilt {
                    link_name(&path, &target, &to.join(&name))?;
                    return Ok(carried);
                }
                // The moment has a new bundle: its other versions go into the new set.
                store.join(set)
            } else if kind.is_dir() {
                path
            } else {
                if kind.is_file() && !archives.contains(&name) {
                    link_file(&path, &to.join(&name))?;
                }
                return Ok(carried);
            };
            let set = store.join(dist::store_name(n, &name));
            let mut any = false;
            for version in std::fs::read_dir(&versions).map_err(|e| Error::io(&versions, e))? {
                let version = version.map_err(|e| Error::io(&versions, e))?;
                let v = version.file_name().to_string_lossy().into_owned();
                if staged.iter().any(|(i, s)| *i == name && *s == v) {
                    continue;
                }
                if !any {
                    std::fs::create_dir_all(&set).map_err(|e| Error::io(&set, e))?;
                    any = true;
                }
                link_tree(&version.path(), &set.join(&v))?;
            }
            if any && !rebuilt {
                carried.copied.push(name);
            }
            Ok(carried)
        })
        .collect::<Result<_, Error>>()?;
    let mut all = Carried::default();
    for part in parts {
        all.linked.extend(part.linked);
        all.copied.extend(part.copied);
    }
    Ok(all)
}

/// Gives the link `from` (which points at `target`) a second name `to`: a hard link
/// of the link itself where the system allows it, else a new link.
fn link_name(from: &Path, target: &Path, to: &Path) -> Result<(), Error> {
    if std::fs::hard_link(from, to).is_ok() {
        // Linux never follows the link here (`linkat` without AT_SYMLINK_FOLLOW);
        // elsewhere, make sure.
        if cfg!(target_os = "linux")
            || std::fs::symlink_metadata(to).is_ok_and(|m| m.file_type().is_symlink())
        {
            return Ok(());
        }
        let _ = std::fs::remove_file(to);
    }
    durable::symlink(target, to, true)
}

/// Hard-links the files of the folder `from` into a new folder `to`.
fn link_tree(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir(to).map_err(|e| Error::io(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let kind = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
        let target: PathBuf = to.join(entry.file_name());
        if kind.is_dir() {
            link_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            link_file(&entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Hard-links `from` to `to`, or copies it where links are not possible (flushed
/// with the rest of the staging folder).
fn link_file(from: &Path, to: &Path) -> Result<(), Error> {
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    let bytes = std::fs::read(from).map_err(|e| Error::io(from, e))?;
    durable::write_unsynced(to, &bytes)
}

/// Removes the bundles that build `n` wrote into the store (after it failed).
fn remove_generation(store: &Path, n: u64) {
    let prefix = format!("{n}.");
    for entry in std::fs::read_dir(store).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = dist::remove_any(&entry.path());
        }
    }
}

/// Removes every bundle of the store that neither the new build nor the one before
/// it links to (`in_use`): what the removed builds alone linked to, and what an
/// interrupted build left.
fn remove_unused(store: &Path, in_use: &BTreeSet<String>, steps: &mut Steps) -> Result<(), Error> {
    use rayon::prelude::*;
    let unused: Vec<PathBuf> = std::fs::read_dir(store)
        .map_err(|e| Error::io(store, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::io(store, e))?
        .into_iter()
        .filter(|e| !in_use.contains(&*e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    if unused.is_empty() {
        return Ok(());
    }
    steps.next(&format_args!(
        "remove {} bundles of {} that no build links to",
        unused.len(),
        store.display()
    ));
    unused
        .par_iter()
        .try_for_each(|path| dist::remove_any(path))
}

/// Creates the folders of `rel` (relative to `root`, which exists) from the top down,
/// once each: `create_dir_all` first fails on every missing level, and on the 2-core
/// machines we measure on, a failed `mkdir` costs about as much as one that makes a
/// folder (0.5 ms), thousands of times in a large build.
fn make_dirs(root: &Path, rel: &Path, made: &mut BTreeSet<PathBuf>) -> Result<(), Error> {
    let mut at = PathBuf::new();
    for part in rel.components() {
        at.push(part);
        if made.contains(&at) {
            continue;
        }
        let full = root.join(&at);
        match std::fs::create_dir(&full) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(&full, e)),
        }
        made.insert(at.clone());
    }
    Ok(())
}
