//! The bundle stage: `dist/<id>/<version>/` and `dist/<id>-<version>.tar.gz`, with a
//! manifest of every file's size and SHA-256, written atomically.

pub mod archive;
pub mod assets;

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::render::{FORMAT_VERSION, Rendered};
use assets::{Assets, hex};

/// Where a build's inputs come from, for the manifest and the archive times.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// The commit the sources are at, when known.
    pub source_commit: Option<String>,
    /// Seconds since 1970 stamped on every archive entry.
    pub source_date_epoch: u64,
    /// `moment` version.
    pub tool_version: String,
}

impl Provenance {
    /// Reads `SOURCE_DATE_EPOCH`, else the commit time of `HEAD` in `root`, else 0.
    pub fn detect(root: &Path, tool_version: &str) -> Provenance {
        let git = |args: &[&str]| -> Option<String> {
            let out = crate::git::run(root, args).ok()?;
            Some(String::from_utf8_lossy(&out).trim().to_owned()).filter(|s| !s.is_empty())
        };
        let source_commit = git(&["rev-parse", "HEAD"]);
        let epoch = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .or_else(|| {
                source_commit
                    .as_ref()
                    .and_then(|_| git(&["log", "-1", "--format=%ct"])?.parse().ok())
            })
            .unwrap_or(0);
        Provenance {
            source_commit,
            source_date_epoch: epoch,
            tool_version: tool_version.to_owned(),
        }
    }
}

/// One file listed in the manifest.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Path inside the bundle.
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// Hex SHA-256.
    pub sha256: String,
}

/// `manifest.json`.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// Moment id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: String,
    /// Publisher unit.
    pub unit: String,
    /// Bundle format version.
    pub format: u32,
    /// `moment` version that built it.
    pub tool: String,
    /// Source commit, when built from git.
    pub source_commit: Option<String>,
    /// Every other file of the bundle, sorted by path.
    pub files: Vec<FileEntry>,
}

/// A bundle in memory, ready to be written.
#[derive(Debug)]
pub struct Bundle {
    /// Moment id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Every file (manifest included), sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
    /// The archive.
    pub archive: Vec<u8>,
}

/// Assembles the files of a bundle and its archive.
pub fn assemble(
    rendered: &Rendered,
    assets: &Assets,
    provenance: &Provenance,
) -> Result<Bundle, Error> {
    let m = &rendered.moment;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut json = serde_json::to_vec_pretty(m).expect("the normalised moment serialises");
    json.push(b'\n');
    files.push(("moment.json".to_owned(), json));
    for asset in assets.values() {
        let path = asset.bundle_path();
        if files.iter().any(|(p, _)| *p == path) {
            continue;
        }
        let bytes = std::fs::read(&asset.full).map_err(|e| Error::io(&asset.full, e))?;
        files.push((path, bytes));
    }
    for (name, text) in &rendered.site {
        files.push((format!("site/{name}"), text.clone().into_bytes()));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let manifest = Manifest {
        id: m.id.clone(),
        version: m.version.clone(),
        title: m.title.clone(),
        unit: m.unit.clone(),
        format: FORMAT_VERSION,
        tool: format!("moment {}", provenance.tool_version),
        source_commit: provenance.source_commit.clone(),
        files: files
            .iter()
            .map(|(path, bytes)| FileEntry {
                path: path.clone(),
                size: bytes.len() as u64,
                sha256: hex(&Sha256::digest(bytes)),
            })
            .collect(),
    };
    let mut manifest_json = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
    manifest_json.push(b'\n');
    files.push(("manifest.json".to_owned(), manifest_json));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let prefix = format!("{}-{}", m.id, m.version);
    let archive = archive::tar_gz(&prefix, &files, provenance.source_date_epoch)
        .map_err(|e| Error::io(format!("{prefix}.tar.gz"), e))?;
    Ok(Bundle {
        id: m.id.clone(),
        version: m.version.clone(),
        files,
        archive,
    })
}

/// Paths of a written bundle.
#[derive(Clone, Debug)]
pub struct Written {
    /// Moment id.
    pub id: String,
    /// Version.
    pub version: String,
    /// `dist/<id>/<version>`.
    pub dir: PathBuf,
    /// `dist/<id>-<version>.tar.gz`.
    pub archive: PathBuf,
}

/// A hidden folder inside the output folder where bundles are written first. Bundles
/// are moved into place by [`Staging::commit`] only when all are complete; dropping a
/// staging without committing removes it and leaves the output folder as it was.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    created_out: bool,
    dir: tempfile::TempDir,
    staged: std::sync::Mutex<Vec<(String, String)>>,
}

impl Staging {
    /// Creates the staging folder inside `out` (created when missing).
    pub fn new(out: &Path) -> Result<Staging, Error> {
        let created_out = !out.exists();
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        // Staging folders left by an interrupted build are of no use to anyone.
        if let Ok(entries) = std::fs::read_dir(out) {
            for entry in entries.filter_map(Result::ok) {
                if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".moment-build-")
                {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = tempfile::Builder::new()
            .prefix(".moment-build-")
            .tempdir_in(out)
            .map_err(|e| Error::io(out, e))?;
        Ok(Staging {
            out: out.to_path_buf(),
            created_out,
            dir,
            staged: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Writes one bundle into the staging folder. Safe to call from several threads.
    pub fn stage(&self, bundle: &Bundle) -> Result<(), Error> {
        let dir = self.dir.path().join(&bundle.id).join(&bundle.version);
        for (path, bytes) in &bundle.files {
            let file = dir.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            std::fs::write(&file, bytes).map_err(|e| Error::io(&file, e))?;
        }
        let archive = self
            .dir
            .path()
            .join(format!("{}-{}.tar.gz", bundle.id, bundle.version));
        std::fs::write(&archive, &bundle.archive).map_err(|e| Error::io(&archive, e))?;
        self.staged
            .lock()
            .map_err(|_| Error::Usage("a build thread failed".to_owned()))?
            .push((bundle.id.clone(), bundle.version.clone()));
        Ok(())
    }

    /// Throws the staged bundles away, and the output folder too when this build
    /// created it, so that a failed build leaves no trace.
    pub fn abandon(self) {
        let (out, created) = (self.out.clone(), self.created_out);
        drop(self.dir);
        if created {
            let _ = std::fs::remove_dir(out);
        }
    }

    /// Moves every staged bundle into place, replacing older copies of the same version.
    pub fn commit(self) -> Result<Vec<Written>, Error> {
        let mut staged = self
            .staged
            .into_inner()
            .map_err(|_| Error::Usage("a build thread failed".to_owned()))?;
        staged.sort();
        let root = self.dir.path();
        let mut written = Vec::new();
        for (id, version) in staged {
            let final_dir = self.out.join(&id).join(&version);
            let final_archive = self.out.join(format!("{id}-{version}.tar.gz"));
            std::fs::create_dir_all(self.out.join(&id))
                .map_err(|e| Error::io(self.out.join(&id), e))?;
            if final_dir.exists() {
                let old = root.join(format!(".old-{id}-{version}"));
                std::fs::rename(&final_dir, &old).map_err(|e| Error::io(&final_dir, e))?;
            }
            let staged_dir = root.join(&id).join(&version);
            std::fs::rename(&staged_dir, &final_dir).map_err(|e| Error::io(&final_dir, e))?;
            let staged_archive = root.join(format!("{id}-{version}.tar.gz"));
            std::fs::rename(&staged_archive, &final_archive)
                .map_err(|e| Error::io(&final_archive, e))?;
            written.push(Written {
                id,
                version,
                dir: final_dir,
                archive: final_archive,
            });
        }
        Ok(written)
    }
}
