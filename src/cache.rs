//! The build cache: which bundles of the current build in an output folder can be
//! kept as they are, because nothing that goes into them has changed.
//!
//! ```text
//! dist/.cache/moments/<folder>   one entry per moment folder, rewritten after each build
//! ```
//!
//! A moment's key is a SHA-256 over everything that affects its bundle and its check:
//! every file of its folder (path and bytes), `units.yaml`, every file under `themes/`,
//! the tool version, the bundle format version, the source commit and
//! `SOURCE_DATE_EPOCH` (or commit time), and the check settings. An entry records the
//! key, the bundle's id and version, the SHA-256 of its `manifest.json` and the size of
//! its archive, and ends with a SHA-256 of its own text. An entry is used only when its
//! header and checksum are right, its key equals the moment's key now, and the current
//! build still holds a bundle with exactly that manifest; anything else (a truncated,
//! edited or foreign entry, an entry of another `moment` version) is ignored and the
//! moment is built again. Only moments that had no diagnostic at all get an entry.
//! Deleting `.cache` is always safe: the next build is a cold one.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::bundle::Provenance;
use crate::digest::hex;
use crate::render::FORMAT_VERSION;
use crate::validate;

/// The cache folder inside an output folder.
pub const CACHE_DIR: &str = ".cache";

/// The first line of every entry.
const MAGIC: &str = "moment-build-cache 1";

/// A moment's key: the SHA-256 of its inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key(String);

/// What an entry records about a moment's bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Moment id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Hex SHA-256 of the bundle's `manifest.json`.
    pub manifest_sha256: String,
    /// Bytes of the bundle's archive.
    pub archive_size: u64,
}

/// The cache of one output folder.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    /// Digest of the inputs every moment shares.
    shared: String,
}

impl Cache {
    /// The cache of the output folder `out`, for a build of the repository at `root`
    /// with these settings. `None` when a shared input cannot be read as a plain file
    /// (the build then runs without the cache).
    pub fn open(
        out: &Path,
        root: &Path,
        provenance: &Provenance,
        options: &validate::Options,
    ) -> Option<Cache> {
        let mut h = Sha256::new();
        field(&mut h, MAGIC.as_bytes());
        field(&mut h, provenance.tool_version.as_bytes());
        field(&mut h, FORMAT_VERSION.to_string().as_bytes());
        field(
            &mut h,
            provenance.source_commit.as_deref().unwrap_or("").as_bytes(),
        );
        field(&mut h, provenance.source_date_epoch.to_string().as_bytes());
        field(&mut h, options.max_lix.to_bits().to_string().as_bytes());
        field(&mut h, [u8::from(options.strict)].as_slice());
        match std::fs::symlink_metadata(root.join("units.yaml")) {
            Ok(meta) if meta.is_file() => {
                field(&mut h, b"units.yaml");
                field(&mut h, &std::fs::read(root.join("units.yaml")).ok()?);
            }
            Ok(_) => return None,
            Err(_) => field(&mut h, b"no units.yaml"),
        }
        let themes = root.join("themes");
        if std::fs::symlink_metadata(&themes).is_ok() {
            tree(&mut h, &themes)?;
        }
        Some(Cache {
            dir: out.join(CACHE_DIR).join("moments"),
            shared: hex(&h.finalize()),
        })
    }

    /// The key of the moment in folder `dir` now; `None` when a file in it is not a
    /// plain file or folder (a link, say), which the check reports: no key, no cache.
    pub fn key(&self, dir: &Path) -> Option<Key> {
        let mut h = Sha256::new();
        field(&mut h, self.shared.as_bytes());
        tree(&mut h, dir)?;
        Some(Key(hex(&h.finalize())))
    }

    /// The entry of `folder` when it is sound and made for `key`.
    pub fn get(&self, folder: &str, key: &Key) -> Option<Entry> {
        let mut text = String::new();
        std::fs::File::open(self.dir.join(folder))
            .ok()?
            .take(4096)
            .read_to_string(&mut text)
            .ok()?;
        let (body, sum) = text.rsplit_once("sum ")?;
        if hex(&Sha256::digest(body.as_bytes())) != sum.trim_end() {
            return None;
        }
        let mut lines = body.lines();
        let mut next = |name: &str| -> Option<String> {
            let line = lines.next()?;
            Some(line.strip_prefix(name)?.strip_prefix(' ')?.to_owned())
        };
        (next("moment-build-cache")? == "1").then_some(())?;
        (next("folder")? == folder).then_some(())?;
        (next("key")? == key.0).then_some(())?;
        Some(Entry {
            id: next("id")?,
            version: next("version")?,
            manifest_sha256: next("manifest")?,
            archive_size: next("archive")?.parse().ok()?,
        })
    }

    /// Records `entry` for `folder` under `key` (written to a new file and renamed
    /// over the old one, so that a reader sees the old entry or the new one).
    pub fn put(&self, folder: &str, key: &Key, entry: &Entry) -> std::io::Result<()> {
        let body = format!(
            "{MAGIC}\nfolder {folder}\nkey {}\nid {}\nversion {}\nmanifest {}\narchive {}\n",
            key.0, entry.id, entry.version, entry.manifest_sha256, entry.archive_size
        );
        let text = format!("{body}sum {}\n", hex(&Sha256::digest(body.as_bytes())));
        let tmp = self.dir.join(format!(".{folder}.new"));
        // The folder is made by the first entry only: not one `mkdir` per moment.
        if let Err(e) = std::fs::write(&tmp, &text) {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(e);
            }
            std::fs::create_dir_all(&self.dir)?;
            std::fs::write(&tmp, &text)?;
        }
        std::fs::rename(&tmp, self.dir.join(folder))
    }

    /// Forgets the entry of `folder`.
    pub fn forget(&self, folder: &str) {
        let _ = std::fs::remove_file(self.dir.join(folder));
    }
}

/// Whether the build folder `build` (such as `dist/.builds/7`) holds the bundle that
/// `entry` describes: its `manifest.json` has that digest and its archive that size.
pub fn holds(build: &Path, entry: &Entry) -> bool {
    let dir = build.join(&entry.id).join(&entry.version);
    let manifest = match std::fs::read(dir.join("manifest.json")) {
        Ok(bytes) => bytes,
        Err(_) => return false,
    };
    let archive = build.join(crate::bundle::staging::archive_name(
        &entry.id,
        &entry.version,
    ));
    hex(&Sha256::digest(&manifest)) == entry.manifest_sha256
        && std::fs::symlink_metadata(archive)
            .is_ok_and(|m| m.is_file() && m.len() == entry.archive_size)
}

/// Adds one length-prefixed field, so that no two inputs hash alike.
fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// Adds every file under `dir` (its path relative to `dir` and its bytes), in sorted
/// order; `None` at anything that is neither a plain file nor a folder.
fn tree(h: &mut Sha256, dir: &Path) -> Option<()> {
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.ok()?;
        let kind = entry.file_type();
        let rel = entry.path().strip_prefix(dir).ok()?.to_str()?;
        if kind.is_dir() {
            field(h, b"dir");
            field(h, rel.as_bytes());
        } else if kind.is_file() {
            field(h, b"file");
            field(h, rel.as_bytes());
            field(h, &std::fs::read(entry.path()).ok()?);
        } else {
            return None;
        }
    }
    Some(())
}

/// The moment folders of the repository at `root` (those in `only`, when it is not
/// empty), sorted, each with its key now.
pub fn keys(cache: &Cache, root: &Path, only: &[String]) -> Vec<(String, Option<Key>)> {
    use rayon::prelude::*;
    let moments = root.join("moments");
    let mut folders: Vec<String> = std::fs::read_dir(&moments)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|name| !name.starts_with('.'))
        .filter(|name| only.is_empty() || only.contains(name))
        .collect();
    folders.sort();
    folders
        .into_par_iter()
        .map(|folder| {
            let key = cache.key(&moments.join(&folder));
            (folder, key)
        })
        .collect()
}

/// The entry that records `bundle`.
pub fn entry_of(bundle: &crate::bundle::Bundle) -> Entry {
    Entry {
        id: bundle.id.clone(),
        version: bundle.version.clone(),
        manifest_sha256: bundle
            .files
            .iter()
            .find(|(path, _)| path == "manifest.json")
            .map(|(_, bytes)| hex(&Sha256::digest(bytes)))
            .unwrap_or_default(),
        archive_size: bundle.archive.len() as u64,
    }
}
