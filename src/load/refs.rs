//! Which files a moment refers to: images, link targets other than modules, and the
//! files of video and audio blocks. The one walker over a media block's files, and
//! the moment's media, read and content-addressed (`assets/<sha256>.<ext>`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::markdown::{BlockSpec, Markdown};
use super::{LoadedMoment, fsread, paths};
use crate::error::Error;

/// A video or an audio block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    /// A ```` ```video ```` block.
    Video,
    /// An ```` ```audio ```` block.
    Audio,
}

impl MediaKind {
    /// `video` or `audio`.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
        }
    }

    /// The keys of this kind of block that name a file, in the order they are read.
    pub fn fields(self) -> &'static [MediaField] {
        match self {
            MediaKind::Video => &[
                MediaField::Src,
                MediaField::Captions,
                MediaField::Transcript,
                MediaField::Poster,
            ],
            MediaKind::Audio => &[MediaField::Src, MediaField::Transcript],
        }
    }
}

/// A key of a media block that names a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaField {
    /// `src:`, the video or the recording.
    Src,
    /// `captions:`, WebVTT.
    Captions,
    /// `transcript:`, text.
    Transcript,
    /// `poster:`, an image.
    Poster,
}

impl MediaField {
    /// The key as written in the block.
    pub fn key(self) -> &'static str {
        match self {
            MediaField::Src => "src",
            MediaField::Captions => "captions",
            MediaField::Transcript => "transcript",
            MediaField::Poster => "poster",
        }
    }
}

/// A video or audio block, seen as the files it names.
#[derive(Clone, Copy, Debug)]
pub struct MediaBlock<'a> {
    /// Video or audio.
    pub kind: MediaKind,
    /// What it shows.
    pub title: &'a str,
    /// The video or the recording.
    pub src: &'a str,
    /// WebVTT captions (video only).
    pub captions: Option<&'a str>,
    /// Text transcript.
    pub transcript: Option<&'a str>,
    /// Poster image (video only).
    pub poster: Option<&'a str>,
}

impl<'a> MediaBlock<'a> {
    /// The media block of a decoded block; `None` for forms.
    pub fn of(spec: &'a BlockSpec) -> Option<Self> {
        match spec {
            BlockSpec::Video(v) => Some(MediaBlock {
                kind: MediaKind::Video,
                title: &v.title,
                src: &v.src,
                captions: v.captions.as_deref(),
                transcript: v.transcript.as_deref(),
                poster: v.poster.as_deref(),
            }),
            BlockSpec::Audio(a) => Some(MediaBlock {
                kind: MediaKind::Audio,
                title: &a.title,
                src: &a.src,
                captions: None,
                transcript: a.transcript.as_deref(),
                poster: None,
            }),
            BlockSpec::Form(_) => None,
        }
    }

    /// The file written at `field`, when there is one.
    pub fn get(&self, field: MediaField) -> Option<&'a str> {
        match field {
            MediaField::Src => Some(self.src),
            MediaField::Captions => self.captions,
            MediaField::Transcript => self.transcript,
            MediaField::Poster => self.poster,
        }
    }

    /// The files the block names, in field order.
    pub fn files(&self) -> impl Iterator<Item = (MediaField, &'a str)> + '_ {
        self.kind
            .fields()
            .iter()
            .filter_map(|&f| self.get(f).map(|w| (f, w)))
    }
}

/// Every reference a document writes to a file other than a module, as written:
/// images, link targets that are not `.md`, and the files of media blocks. External
/// addresses and `#anchors` are included; callers skip what they do not resolve.
pub fn written(doc: &Markdown) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    out.extend(doc.images.iter().map(|i| i.url.as_str()));
    out.extend(
        doc.links
            .iter()
            .map(|l| l.url.as_str())
            .filter(|u| !u.split('#').next().unwrap_or_default().ends_with(".md")),
    );
    for block in &doc.blocks {
        if let Some(media) = block.spec.as_ref().and_then(MediaBlock::of) {
            out.extend(media.files().map(|(_, w)| w));
        }
    }
    out
}

/// One media file.
#[derive(Clone, Debug)]
pub struct Asset {
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Lowercase extension, without the dot (may be empty).
    pub ext: String,
    /// On disk.
    pub full: PathBuf,
}

impl Asset {
    /// The path inside the bundle, such as `assets/ab12….png`.
    pub fn bundle_path(&self) -> String {
        if self.ext.is_empty() {
            format!("assets/{}", self.sha256)
        } else {
            format!("assets/{}.{}", self.sha256, self.ext)
        }
    }
}

/// Media files by their path relative to the moment's folder.
pub type Assets = BTreeMap<String, Asset>;

/// Every local file that content refers to, read and hashed: images, link targets
/// other than modules, and the files of video and audio blocks. Files of a type that
/// is not published ([`crate::file_types::allowed`]) are left out. A file whose
/// version `digests` knows is not read again.
pub fn collect(moment: &LoadedMoment, digests: &Digests) -> Result<Assets, Error> {
    let mut assets = Assets::new();
    let mut seen = moment.seen.clone();
    let docs = moment
        .welcome
        .iter()
        .chain(moment.modules.iter().map(|m| &m.doc));
    for doc in docs {
        let base = paths::parent(moment.within(&doc.rel));
        for w in written(doc) {
            if paths::is_external(w) || w.starts_with('#') {
                continue;
            }
            let Ok(resolved) = paths::resolve_in(&moment.dir, base, w, &mut seen) else {
                continue;
            };
            if assets.contains_key(&resolved.rel) || !crate::file_types::allowed(&resolved.rel) {
                continue;
            }
            let sha256 = match digests.of(&moment.dir, &resolved.rel, &mut seen) {
                Ok(sha256) => sha256,
                Err(fsread::Refusal::NotRegular(fsread::Special::Folder)) => continue,
                Err(refusal) => {
                    // `check` reports these at the reference; a build never gets here
                    // with them, but a file changed since then is refused, not read.
                    let d = super::source::refusal_diagnostic(
                        &refusal,
                        &format!("{}/{}", moment.rel_dir, resolved.rel),
                    );
                    return Err(Error::Usage(format!(
                        "{}: {} {}",
                        d.file, d.code, d.message
                    )));
                }
            };
            let ext = resolved
                .rel
                .rsplit_once('.')
                .map(|(_, e)| e.to_ascii_lowercase())
                .filter(|e| e.len() <= 8 && e.bytes().all(|b| b.is_ascii_alphanumeric()))
                .unwrap_or_default();
            assets.insert(
                resolved.rel.clone(),
                Asset {
                    sha256,
                    ext,
                    full: resolved.full,
                },
            );
        }
    }
    Ok(assets)
}

/// The SHA-256 of media files, remembered by the version of each file: its device,
/// inode, size, modification and change times. The preview keeps one across rebuilds,
/// so that saving a module of a moment with a long video does not read and hash the
/// video again (200 MB took about 180 ms a save); a build starts with an empty one.
/// A file is always opened as [`fsread::open_in`] opens it, so a link or a special
/// file swapped in is refused even when its old version is known; and the change
/// time moves with every write, which a user cannot set back.
#[derive(Debug, Default)]
pub struct Digests {
    known: std::sync::Mutex<std::collections::HashMap<fsread::FileVersion, String>>,
}

/// Versions remembered at most; past this the memo starts again (a long preview
/// session that saves media files over and over).
const MAX_KNOWN: usize = 10_000;

impl Digests {
    /// The digest remembered for this version of a file, if it was hashed whole
    /// and had settled (see [`Digests::of`]).
    pub fn known(&self, version: &fsread::FileVersion) -> Option<String> {
        self.known.lock().ok().and_then(|k| k.get(version).cloned())
    }

    /// The hex SHA-256 of the regular file `rel` inside `root`, read in pieces (a
    /// video is never held in memory whole), at most [`fsread::MAX_MEDIA_BYTES`].
    pub fn of(
        &self,
        root: &Path,
        rel: &str,
        seen: &mut fsread::Seen,
    ) -> Result<String, fsread::Refusal> {
        use std::io::Read;
        let limit = fsread::MAX_MEDIA_BYTES;
        let (file, opened) = fsread::open_in(root, rel, limit, seen)?;
        let version = fsread::FileVersion::of(&opened);
        if let Some(known) = version.as_ref().and_then(|v| self.known(v)) {
            return Ok(known);
        }
        let (sha256, total) = crate::digest::sha256_of_reader((&file).take(limit + 1))
            .map_err(fsread::Refusal::Io)?;
        if total > limit {
            return Err(fsread::Refusal::TooLarge { limit });
        }
        // Remembered only when the file did not change while it was read, and had
        // settled before (see `fsread::SETTLED`).
        if let Some(v) = version
            && total == v.size()
            && fsread::FileVersion::settled(&opened)
            && file
                .metadata()
                .ok()
                .as_ref()
                .and_then(fsread::FileVersion::of)
                .as_ref()
                == Some(&v)
            && let Ok(mut known) = self.known.lock()
        {
            if known.len() >= MAX_KNOWN {
                known.clear();
            }
            known.insert(v, sha256.clone());
        }
        Ok(sha256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_of(digests: &Digests, root: &Path, rel: &str) -> Result<String, fsread::Refusal> {
        digests.of(root, rel, &mut fsread::Seen::default())
    }

    #[test]
    fn digests_follow_every_change_of_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("media")).unwrap();
        let file = root.join("media/film.mp4");
        let first: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&file, &first).unwrap();
        let digests = Digests::default();
        let a = digest_of(&digests, root, "media/film.mp4").unwrap();
        assert_eq!(
            a,
            crate::digest::sha256_hex(&first),
            "read in pieces, hashed whole"
        );
        assert!(
            digests.known.lock().unwrap().is_empty(),
            "a file changed a moment ago is not remembered"
        );
        std::thread::sleep(fsread::SETTLED + std::time::Duration::from_millis(100));
        assert_eq!(digest_of(&digests, root, "media/film.mp4").unwrap(), a);
        assert_eq!(
            digests.known.lock().unwrap().len(),
            1,
            "the version is remembered"
        );
        assert_eq!(digest_of(&digests, root, "media/film.mp4").unwrap(), a);

        // The same size, other bytes: the change time moves, so the digest does too.
        let mut second = first.clone();
        second[300_000] ^= 0xff;
        std::fs::write(&file, &second).unwrap();
        let b = digest_of(&digests, root, "media/film.mp4").unwrap();
        assert_eq!(b, crate::digest::sha256_hex(&second));
        assert_ne!(a, b);

        // A link swapped in for a known file is refused, not served from the memo.
        std::fs::rename(&file, root.join("media/elsewhere.mp4")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("elsewhere.mp4", &file).unwrap();
            assert!(matches!(
                digest_of(&digests, root, "media/film.mp4"),
                Err(fsread::Refusal::Symlink)
            ));
        }
    }
}
