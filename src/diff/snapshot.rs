//! What a moment looks like for comparison: metadata, the text of each module,
//! media by digest, and the forms.

use std::collections::BTreeMap;

use crate::digest::sha256_hex;
use crate::load::markdown::{BlockSpec, Markdown};
use crate::load::refs::{MediaBlock, MediaField};
use crate::load::{LoadedMoment, Repository, paths};
use crate::model::{Form, ModuleFront, MomentMeta};

/// A media reference with the digests of its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Media {
    /// `video`, `audio` or `image`.
    pub kind: &'static str,
    /// Title or alt text.
    pub title: String,
    /// Digest of the main file.
    pub digest: Option<String>,
    /// Digest of the captions.
    pub captions: Option<String>,
    /// Digest of the transcript.
    pub transcript: Option<String>,
    /// Digest of a video's poster image.
    pub poster: Option<String>,
}

/// A module for comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleSnapshot {
    /// Stable identity: front matter `id:`, else its path in `modules/`.
    pub id: String,
    /// Path in the moment's folder.
    pub path: String,
    /// Front matter.
    pub front: Option<ModuleFront>,
    /// Paragraph texts.
    pub paragraphs: Vec<String>,
    /// Media in order.
    pub media: Vec<Media>,
    /// Forms placed, in order.
    pub forms: Vec<String>,
    /// The raw body, to tell formatting changes apart.
    pub body: String,
}

impl ModuleSnapshot {
    /// All the module's text, for similarity.
    pub fn text(&self) -> String {
        self.paragraphs.join(" ")
    }

    /// The title citizens see, else the path.
    pub fn title(&self) -> &str {
        self.front
            .as_ref()
            .map_or(self.path.as_str(), |f| f.title.as_str())
    }
}

/// A moment for comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct MomentSnapshot {
    /// Folder name.
    pub id: String,
    /// The moment's folder in the repository, such as `moments/somn`.
    pub rel_dir: String,
    /// `moment.yaml`.
    pub meta: Option<MomentMeta>,
    /// The raw text of moment.yaml, to tell formatting changes apart.
    pub meta_text: String,
    /// Path of the welcome text.
    pub welcome_path: String,
    /// Welcome paragraphs.
    pub welcome: Vec<String>,
    /// Welcome raw text.
    pub welcome_body: String,
    /// Modules in order.
    pub modules: Vec<ModuleSnapshot>,
    /// Forms by id, with the raw text of their files.
    pub forms: BTreeMap<String, (Form, String)>,
}

fn digest(moment: &LoadedMoment, base: &str, written: &str) -> Option<String> {
    let resolved = paths::resolve(&moment.dir, base, written).ok()?;
    // The safe reader: a fifo or device in the working tree must not block the diff.
    let bytes = crate::load::fsread::read(
        &moment.dir,
        &resolved.rel,
        crate::load::fsread::MAX_MEDIA_BYTES,
    )
    .ok()?;
    Some(sha256_hex(bytes))
}

fn media(moment: &LoadedMoment, doc: &Markdown) -> Vec<Media> {
    let base = paths::parent(moment.within(&doc.rel));
    let file = |written: Option<&str>| written.and_then(|w| digest(moment, base, w));
    let mut out: Vec<Media> = doc
        .images
        .iter()
        .filter(|i| !paths::is_external(&i.url))
        .map(|i| Media {
            kind: "image",
            title: i.text.clone(),
            digest: digest(moment, base, &i.url),
            captions: None,
            transcript: None,
            poster: None,
        })
        .collect();
    for block in &doc.blocks {
        if let Some(m) = block.spec.as_ref().and_then(MediaBlock::of) {
            out.push(Media {
                kind: m.kind.as_str(),
                title: m.title.to_owned(),
                digest: file(m.get(MediaField::Src)),
                captions: file(m.get(MediaField::Captions)),
                transcript: file(m.get(MediaField::Transcript)),
                poster: file(m.get(MediaField::Poster)),
            });
        }
    }
    out
}

/// Snapshots of every moment of a loaded repository.
pub fn snapshots(repo: &Repository) -> Vec<MomentSnapshot> {
    repo.moments
        .iter()
        .map(|m| MomentSnapshot {
            id: m.folder.clone(),
            rel_dir: m.rel_dir.clone(),
            meta: m.meta.clone(),
            meta_text: repo.sources.get(&m.meta_rel()).cloned().unwrap_or_default(),
            welcome_path: m
                .welcome
                .as_ref()
                .map(|w| m.within(&w.rel).to_owned())
                .unwrap_or_else(|| "welcome.md".to_owned()),
            welcome: m
                .welcome
                .as_ref()
                .map(Markdown::paragraphs)
                .unwrap_or_default(),
            welcome_body: m
                .welcome
                .as_ref()
                .map(|w| w.body.clone())
                .unwrap_or_default(),
            modules: m
                .modules
                .iter()
                .map(|module| ModuleSnapshot {
                    id: crate::model::module_id(module.front.as_ref(), &module.path),
                    path: module.path.clone(),
                    front: module.front.clone(),
                    paragraphs: module.doc.paragraphs(),
                    media: media(m, &module.doc),
                    forms: module
                        .doc
                        .blocks
                        .iter()
                        .filter_map(|b| match &b.spec {
                            Some(BlockSpec::Form(f)) => Some(f.form.clone()),
                            _ => None,
                        })
                        .collect(),
                    body: module.doc.body.clone(),
                })
                .collect(),
            forms: m
                .forms
                .iter()
                .filter_map(|f| {
                    let form = f.form.clone()?;
                    Some((
                        f.stem.clone(),
                        (form, repo.sources.get(&f.rel).cloned().unwrap_or_default()),
                    ))
                })
                .collect(),
        })
        .collect()
}
