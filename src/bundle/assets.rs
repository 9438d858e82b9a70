//! Media of a moment, content-addressed: `assets/<sha256>.<ext>`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::load::LoadedMoment;
use crate::load::markdown::BlockSpec;
use crate::load::{fsread, paths};

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

/// Every local file that content refers to: images, link targets other than
/// modules, and the files of video and audio blocks.
pub fn collect(moment: &LoadedMoment) -> Result<Assets, Error> {
    let mut assets = Assets::new();
    let docs = moment
        .welcome
        .iter()
        .chain(moment.modules.iter().map(|m| &m.doc));
    for doc in docs {
        let here = doc
            .rel
            .strip_prefix(&format!("{}/", moment.rel_dir))
            .unwrap_or(&doc.rel);
        let base = paths::parent(here);
        let mut written: Vec<&str> = Vec::new();
        written.extend(doc.images.iter().map(|i| i.url.as_str()));
        written.extend(
            doc.links
                .iter()
                .map(|l| l.url.as_str())
                .filter(|u| !u.split('#').next().unwrap_or_default().ends_with(".md")),
        );
        for block in &doc.blocks {
            match &block.spec {
                Some(BlockSpec::Video(v)) => {
                    written.push(&v.src);
                    written.extend(v.captions.as_deref());
                    written.extend(v.transcript.as_deref());
                    written.extend(v.poster.as_deref());
                }
                Some(BlockSpec::Audio(a)) => {
                    written.push(&a.src);
                    written.extend(a.transcript.as_deref());
                }
                _ => {}
            }
        }
        for w in written {
            if paths::is_external(w) || w.starts_with('#') {
                continue;
            }
            let Ok(resolved) = paths::resolve(&moment.dir, base, w) else {
                continue;
            };
            if assets.contains_key(&resolved.rel) || !allowed(&resolved.rel) {
                continue;
            }
            let bytes = match fsread::read(&moment.dir, &resolved.rel, fsread::MAX_MEDIA_BYTES) {
                Ok(bytes) => bytes,
                Err(fsread::Refusal::NotRegular(fsread::Special::Folder)) => continue,
                Err(refusal) => {
                    // `check` reports these at the reference; a build never gets here
                    // with them, but a file changed since then is refused, not read.
                    let d = crate::load::source::refusal_diagnostic(
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
                    sha256: hex(&Sha256::digest(&bytes)),
                    ext,
                    full: resolved.full,
                },
            );
        }
    }
    Ok(assets)
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// File types content may refer to. Anything a browser could run as a page or script
/// (HTML, SVG, JavaScript, XML…) is left out, because bundles and previews serve
/// assets next to the pages.
pub const ALLOWED_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "mp4", "m4v", "webm", "ogv", "mp3", "m4a", "ogg",
    "oga", "opus", "wav", "vtt", "txt", "md", "pdf",
];

/// Whether content may refer to a file with this name.
pub fn allowed(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| ALLOWED_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// The MIME type of a media extension, for `<source type>`.
pub fn mime(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "ogv" => "video/ogg",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "m4a" => "audio/mp4",
        "wav" => "audio/wav",
        _ => return None,
    })
}
