//! The bundle stage: `dist/<id>/<version>/` and `dist/<id>-<version>.tar.gz`, with a
//! manifest of every file's size and SHA-256, written atomically.

pub mod archive;
pub mod assets;
pub mod dist;
pub mod durable;
pub mod lock;
pub mod staging;
pub mod steps;

pub use staging::Staging;

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
        let source_commit = crate::git::commit_of(root, "HEAD").ok().flatten();
        let epoch = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .or_else(|| {
                source_commit
                    .as_ref()
                    .and_then(|c| crate::git::commit_time(root, c).ok())
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

/// Assembles the files of a bundle and its archive. The pages move into the bundle
/// (no copy). Media are read from the moment's folder `dir` as the check read them
/// (no link followed), and each must still have the digest its name was given.
pub fn assemble(
    rendered: Rendered,
    dir: &Path,
    assets: &Assets,
    provenance: &Provenance,
) -> Result<Bundle, Error> {
    let Rendered { moment: m, site } = rendered;
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(site.len() + assets.len() + 2);
    let mut json = serde_json::to_vec_pretty(&m).expect("the normalised moment serialises");
    json.push(b'\n');
    files.push(("moment.json".to_owned(), json));
    // (path in the bundle, path in the moment's folder, the digest its name has)
    let mut digests: Vec<(String, &str, &str)> = Vec::new();
    for (rel, asset) in assets {
        let path = asset.bundle_path();
        if files.iter().any(|(p, _)| *p == path) {
            continue;
        }
        let bytes = crate::load::fsread::read(dir, rel, crate::load::fsread::MAX_MEDIA_BYTES)
            .map_err(|refusal| {
                let words = crate::load::source::refusal_diagnostic(&refusal, rel).message;
                changed(&dir.join(rel), &words)
            })?;
        digests.push((path.clone(), rel, &asset.sha256));
        files.push((path, bytes));
    }
    for (name, text) in site {
        files.push((format!("site/{name}"), text.into_bytes()));
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
    // The manifest hashed every file anyway: a media file that changed since its
    // digest was taken (and named its asset) is refused, never bundled under a
    // name that lies.
    for (at, rel, expected) in digests {
        let entry = manifest.files.iter().find(|f| f.path == at);
        if entry.is_none_or(|f| f.sha256 != expected) {
            return Err(changed(&dir.join(rel), "its content changed"));
        }
    }
    let mut manifest_json = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
    manifest_json.push(b'\n');
    files.push(("manifest.json".to_owned(), manifest_json));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let prefix = format!("{}-{}", m.id, m.version);
    let archive = archive::tar_gz(&prefix, &files, provenance.source_date_epoch)
        .map_err(|e| Error::io(format!("{prefix}.tar.gz"), e))?;
    Ok(Bundle {
        id: m.id,
        version: m.version,
        files,
        archive,
    })
}

/// A media file that changed, or became unreadable, while its moment was built.
fn changed(file: &Path, why: &str) -> Error {
    Error::Refused(format!(
        "{} changed during the build ({why}); build again",
        file.display()
    ))
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
