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
//!
//! The folder's digest is [`folder::read`]'s, taken by the load from the very bytes
//! it parses, before anything else of the moment is read (see [`crate::load::folder`]):
//! a moment is read once per build, not once for its key and again for its check.
//!
//! An entry also remembers the version (device, inode, size, modification and
//! change time: [`FileVersion`]) of every file of the folder when it was hashed, and
//! the folder's digest. When every file still has that version, the digest is taken
//! from the entry instead of reading the files again, as git's index does; a file
//! changed less than [`crate::load::fsread::SETTLED`] before it was hashed is not
//! remembered. A folder without an entry is not walked at all before its load.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::bundle::Provenance;
use crate::digest::hex;
use crate::load::folder::{self, Contents, Stamp, field};
use crate::load::fsread::{FileVersion, Seen};
use crate::render::FORMAT_VERSION;
use crate::validate;

/// The cache folder inside an output folder.
pub const CACHE_DIR: &str = ".cache";

/// The first line of every entry.
const MAGIC: &str = "moment-build-cache 2";

/// The most bytes of an entry that are read (an entry lists every file of its folder).
const MAX_ENTRY: u64 = 1 << 20;

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

/// A moment folder's cache entry, when it is sound, and whether the moment can be
/// kept as it is.
#[derive(Debug)]
pub enum Lookup {
    /// Its key now is the one its entry was made for.
    Hit {
        /// The key now.
        key: Key,
        /// The entry.
        entry: Entry,
        /// The folder now, when every version can be remembered.
        stamps: Option<Contents>,
        /// Whether the entry remembers other versions than `stamps` (rewrite it when
        /// the bundle is kept, so that the next build need not read the files).
        restamp: bool,
    },
    /// No sound entry, or one for another key (or something in the folder is not a
    /// plain file or folder): the moment is loaded, and its key taken then.
    Miss,
}

/// What an entry holds.
struct Record {
    key: String,
    entry: Entry,
    stamps: Option<Contents>,
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
        if std::fs::symlink_metadata(root.join("themes")).is_ok() {
            field(&mut h, tree_of(root, "themes", None)?.digest.as_bytes());
        }
        Some(Cache {
            dir: out.join(CACHE_DIR).join("moments"),
            shared: hex(&h.finalize()),
        })
    }

    /// Whether the moment in folder `folder` (at `moments/<folder>` under `root`) can
    /// be kept: its entry, when it has one, against its files now. A folder without
    /// an entry is a miss at once, without reading anything.
    pub fn lookup(&self, root: &Path, folder: &str) -> Lookup {
        let Some(record) = self.record(folder) else {
            return Lookup::Miss;
        };
        let rel_dir = format!("moments/{folder}");
        let Some(now) = tree_of(root, &rel_dir, record.stamps.as_ref()) else {
            return Lookup::Miss;
        };
        let key = self.key(&now);
        if record.key != key.0 {
            return Lookup::Miss;
        }
        let stamps = now.remembered().then_some(now);
        Lookup::Hit {
            key,
            restamp: record.stamps != stamps,
            stamps,
            entry: record.entry,
        }
    }

    /// The key of a moment whose folder holds `contents`.
    pub fn key(&self, contents: &Contents) -> Key {
        let mut h = Sha256::new();
        field(&mut h, self.shared.as_bytes());
        field(&mut h, contents.digest.as_bytes());
        Key(hex(&h.finalize()))
    }

    /// The entry of `folder`, when it is sound.
    fn record(&self, folder: &str) -> Option<Record> {
        let mut text = String::new();
        std::fs::File::open(self.dir.join(folder))
            .ok()?
            .take(MAX_ENTRY)
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
        (next("moment-build-cache")? == "2").then_some(())?;
        (next("folder")? == folder).then_some(())?;
        let key = next("key")?;
        let entry = Entry {
            id: next("id")?,
            version: next("version")?,
            manifest_sha256: next("manifest")?,
            archive_size: next("archive")?.parse().ok()?,
        };
        let stamps = next("tree").and_then(|digest| {
            let stamps = lines
                .map(|line| match line.split_once(' ')? {
                    ("d", rel) => Some(Stamp::Dir(rel.to_owned())),
                    ("f", rest) => {
                        let mut parts = rest.splitn(8, ' ');
                        let version: Vec<&str> = parts.by_ref().take(7).collect();
                        let version = FileVersion::from_text(&version.join(" "))?;
                        Some(Stamp::File(parts.next()?.to_owned(), Some(version)))
                    }
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?;
            Some(Contents { digest, stamps })
        });
        Some(Record { key, entry, stamps })
    }

    /// Records `entry` for `folder` under `key`, with the versions of its files
    /// when known (written to a new file and renamed over the old one, so that a
    /// reader sees the old entry or the new one).
    pub fn put(
        &self,
        folder: &str,
        key: &Key,
        entry: &Entry,
        stamps: Option<&Contents>,
    ) -> std::io::Result<()> {
        use std::fmt::Write as _;
        let mut body = format!(
            "{MAGIC}\nfolder {folder}\nkey {}\nid {}\nversion {}\nmanifest {}\narchive {}\n",
            key.0, entry.id, entry.version, entry.manifest_sha256, entry.archive_size
        );
        if let Some(stamps) = stamps.filter(|s| s.remembered()) {
            let _ = writeln!(body, "tree {}", stamps.digest);
            for stamp in &stamps.stamps {
                let _ = match stamp {
                    Stamp::Dir(rel) => writeln!(body, "d {rel}"),
                    Stamp::File(rel, Some(version)) => {
                        writeln!(body, "f {} {rel}", version.to_text())
                    }
                    Stamp::File(..) => Ok(()),
                };
            }
        }
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

/// What the folder `rel_dir` under `root` holds now. When `known` lists the same
/// entries with the same versions, its digest is taken and no file is read. `None`
/// at anything that is neither a plain file nor a folder.
fn tree_of(root: &Path, rel_dir: &str, known: Option<&Contents>) -> Option<Contents> {
    let mut seen = Seen::default();
    let stamps = folder::stamps(root, rel_dir, &mut seen)?;
    if let Some(known) = known
        && known.stamps == stamps
        && known.remembered()
    {
        return Some(known.clone());
    }
    let digest = folder::digest(root, rel_dir, &stamps, &mut seen, None)?;
    Some(Contents { digest, stamps })
}

/// The moment folders of the repository at `root` (those in `only`, when it is not
/// empty), sorted, each with its [`Lookup`].
pub fn keys(cache: &Cache, root: &Path, only: &[String]) -> Vec<(String, Lookup)> {
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
            let lookup = cache.lookup(root, &folder);
            (folder, lookup)
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
