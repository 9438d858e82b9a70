//! The normalised moment, as written to `moment.json`: its types, and how a loaded
//! moment becomes one (Markdown rendered and sanitised, links and media resolved).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use rayon::prelude::*;

use super::FORMAT_VERSION;
use super::href;
use super::markdown::{self, Rewrite, Segment};
use crate::load::fsread::MAX_TEXT_BYTES;
use crate::load::markdown::{BlockSpec, Markdown};
use crate::load::refs::{Asset, Assets, MediaBlock, MediaKind};
use crate::load::{LoadedMoment, paths};
use crate::media_type::mime_of_path;
use crate::model::{Access, Activation, Form, MomentKind, MomentMeta, Scenario};

/// The normalised moment, as written to `moment.json`. URLs in HTML are relative to
/// the bundle's `site/` folder.
#[derive(Clone, Debug, Serialize)]
pub struct NormalMoment {
    /// Bundle format version.
    pub format: u32,
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: String,
    /// Summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Publisher unit.
    pub unit: String,
    /// The publisher unit's name from `units.yaml`, shown as the sender of the pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
    /// Kind.
    pub kind: MomentKind,
    /// Language.
    pub language: String,
    /// Access.
    pub access: Access,
    /// Regions and municipalities, for open moments.
    pub open_to: Vec<String>,
    /// Care providers.
    pub care_providers: Vec<String>,
    /// Messaging.
    pub messaging: bool,
    /// Owners.
    pub owners: Vec<String>,
    /// Welcome text.
    pub welcome: NormalText,
    /// Modules in order.
    pub modules: Vec<NormalModule>,
    /// Forms, by id order.
    pub forms: Vec<Form>,
    /// The form tests of each form that has them (`forms/<id>.tests.yaml`), so that a
    /// platform that scores forms itself can check that it scores as `moment` does.
    pub form_tests: BTreeMap<String, Vec<Scenario>>,
}

/// Rendered text.
#[derive(Clone, Debug, Serialize)]
pub struct NormalText {
    /// Sanitised HTML.
    pub html: String,
}

/// A module.
#[derive(Clone, Debug, Serialize)]
pub struct NormalModule {
    /// Its stable identity: front matter `id:`, else its path in `modules/` without `.md`. It
    /// survives a file rename, so an importer can keep activation state across versions.
    pub id: String,
    /// Its page in `site/`.
    pub page: String,
    /// Source path in the moment's folder.
    pub source: String,
    /// Title.
    pub title: String,
    /// Activation.
    pub activation: Activation,
    /// Ids of the forms it holds.
    pub forms: Vec<String>,
    /// Content in order.
    pub blocks: Vec<NormalBlock>,
}

/// A typed block of module content.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum NormalBlock {
    /// Sanitised HTML.
    Html {
        /// The HTML.
        html: String,
    },
    /// A video.
    Video {
        /// Asset URL.
        src: String,
        /// MIME type.
        #[serde(skip_serializing_if = "Option::is_none")]
        mime: Option<&'static str>,
        /// Title.
        title: String,
        /// Captions asset URL.
        #[serde(skip_serializing_if = "Option::is_none")]
        captions: Option<String>,
        /// Transcript asset URL.
        #[serde(skip_serializing_if = "Option::is_none")]
        transcript: Option<String>,
        /// Transcript text.
        #[serde(skip_serializing_if = "Option::is_none")]
        transcript_text: Option<String>,
        /// Poster asset URL.
        #[serde(skip_serializing_if = "Option::is_none")]
        poster: Option<String>,
    },
    /// An audio recording.
    Audio {
        /// Asset URL.
        src: String,
        /// MIME type.
        #[serde(skip_serializing_if = "Option::is_none")]
        mime: Option<&'static str>,
        /// Title.
        title: String,
        /// Transcript asset URL.
        #[serde(skip_serializing_if = "Option::is_none")]
        transcript: Option<String>,
        /// Transcript text.
        #[serde(skip_serializing_if = "Option::is_none")]
        transcript_text: Option<String>,
    },
    /// A form, by id.
    Form {
        /// Form id.
        #[serde(rename = "ref")]
        form: String,
    },
}

/// Page names of module files, in order: named after the file, with a number added
/// when two modules in different folders share a file name.
pub fn page_names(paths: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(paths.len());
    let mut taken = std::collections::HashSet::with_capacity(paths.len());
    for path in paths {
        let base = page_of(path);
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{}-{n}.html", base.trim_end_matches(".html"));
            n += 1;
        }
        taken.insert(name.clone());
        names.push(name);
    }
    names
}

/// The page name of a module file (`modules/01-om-somn.md` → `01-om-somn.html`).
pub fn page_of(module_path: &str) -> String {
    let stem = module_path.rsplit('/').next().unwrap_or(module_path);
    let stem = stem.strip_suffix(".md").unwrap_or(stem);
    if stem == "index" || stem == "staff" {
        format!("module-{stem}.html")
    } else {
        format!("{stem}.html")
    }
}

struct Links {
    base: String,
    /// Shared by every page's rewriter (one copy per moment, not per page).
    pages: Arc<BTreeMap<String, String>>,
    assets: Arc<BTreeMap<String, String>>,
}

impl Links {
    fn rewrite(&self, url: &str) -> String {
        if paths::is_external(url) || url.starts_with('#') || url.is_empty() {
            return url.to_owned();
        }
        let (path, anchor) = url
            .split_once('#')
            .map_or((url, None), |(p, a)| (p, Some(a)));
        // Every link was resolved on disk by the check; its name finds the page.
        let Ok(rel) = paths::lexical(&self.base, path) else {
            return url.to_owned();
        };
        let target = self
            .pages
            .get(&rel)
            .map(|page| href(page))
            .or_else(|| self.assets.get(&rel).cloned())
            .unwrap_or_else(|| url.to_owned());
        match anchor {
            Some(a) => format!("{target}#{a}"),
            None => target,
        }
    }
}

fn asset_url(asset: &Asset) -> String {
    format!("../{}", asset.bundle_path())
}

/// Normalises a valid moment. `meta` and every module's front matter must be present
/// (the check stage guarantees it).
pub fn normalise(loaded: &LoadedMoment, meta: &MomentMeta, assets: &Assets) -> NormalMoment {
    let module_paths: Vec<String> = loaded.modules.iter().map(|m| m.path.clone()).collect();
    let page_list = page_names(&module_paths);
    let mut pages: BTreeMap<String, String> = module_paths
        .iter()
        .cloned()
        .zip(page_list.iter().cloned())
        .collect();
    if let Some(welcome) = &loaded.welcome {
        let rel = loaded.within(&welcome.rel);
        pages.insert(rel.to_owned(), "index.html".to_owned());
    }
    let asset_urls: Arc<BTreeMap<String, String>> = Arc::new(
        assets
            .iter()
            .map(|(k, a)| (k.clone(), asset_url(a)))
            .collect(),
    );
    let pages = Arc::new(pages);
    let links = |doc: &Markdown| -> Rewrite {
        let here = loaded.within(&doc.rel);
        let l = Links {
            base: paths::parent(here).to_owned(),
            pages: Arc::clone(&pages),
            assets: Arc::clone(&asset_urls),
        };
        Arc::new(move |u: &str| l.rewrite(u))
    };
    let welcome_html = loaded
        .welcome
        .as_ref()
        .map(|doc| {
            markdown::render(doc, &links(doc))
                .into_iter()
                .filter_map(|s| match s {
                    Segment::Html(h) => Some(h),
                    Segment::Block(..) => None,
                })
                .collect::<String>()
        })
        .unwrap_or_default();
    // Modules are rendered in parallel: the preview rebuilds one moment at a time,
    // and a moment of many modules would otherwise keep one core busy.
    let modules: Vec<NormalModule> = loaded
        .modules
        .par_iter()
        .zip(page_list.par_iter())
        .map(|(m, page)| {
            let front = m
                .front
                .clone()
                .unwrap_or_else(|| crate::model::ModuleFront {
                    id: None,
                    title: m.path.clone(),
                    activation: Activation::Immediate,
                });
            let here = m.path.as_str();
            let base = paths::parent(here);
            // Media were resolved on disk by the check and collected in `assets`; a
            // transcript is read through the safe reader, which checks its path again.
            let find = |written: &str| -> Option<String> {
                assets
                    .get(&paths::lexical(base, written).ok()?)
                    .map(asset_url)
            };
            let text_of = |written: &str| -> Option<String> {
                let rel = paths::lexical(base, written).ok()?;
                let bytes = crate::load::fsread::read(&loaded.dir, &rel, MAX_TEXT_BYTES).ok()?;
                String::from_utf8(bytes).ok()
            };
            let mut blocks = Vec::new();
            let mut forms = Vec::new();
            for segment in markdown::render(&m.doc, &links(&m.doc)) {
                match segment {
                    Segment::Html(html) => blocks.push(NormalBlock::Html { html }),
                    Segment::Block(kind, line) => {
                        let spec = m
                            .doc
                            .blocks
                            .iter()
                            .find(|b| b.kind == kind && b.pos.line == line)
                            .and_then(|b| b.spec.as_ref());
                        match spec {
                            Some(spec @ (BlockSpec::Video(_) | BlockSpec::Audio(_))) => {
                                let Some(media) = MediaBlock::of(spec) else {
                                    continue;
                                };
                                let src = find(media.src).unwrap_or_default();
                                let mime = mime_of_path(media.src);
                                let title = media.title.to_owned();
                                let transcript = media.transcript.and_then(find);
                                let transcript_text = media.transcript.and_then(text_of);
                                blocks.push(match media.kind {
                                    MediaKind::Video => NormalBlock::Video {
                                        src,
                                        mime,
                                        title,
                                        captions: media.captions.and_then(find),
                                        transcript,
                                        transcript_text,
                                        poster: media.poster.and_then(find),
                                    },
                                    MediaKind::Audio => NormalBlock::Audio {
                                        src,
                                        mime,
                                        title,
                                        transcript,
                                        transcript_text,
                                    },
                                });
                            }
                            Some(BlockSpec::Form(f)) => {
                                forms.push(f.form.clone());
                                blocks.push(NormalBlock::Form {
                                    form: f.form.clone(),
                                });
                            }
                            None => {}
                        }
                    }
                }
            }
            NormalModule {
                id: crate::model::module_id(m.front.as_ref(), &m.path),
                page: page.clone(),
                source: m.path.clone(),
                title: front.title,
                activation: front.activation,
                forms,
                blocks,
            }
        })
        .collect();
    NormalMoment {
        format: FORMAT_VERSION,
        id: meta.id.clone(),
        version: meta.version.clone(),
        title: meta.title.clone(),
        description: meta.description.clone(),
        unit: meta.unit.clone(),
        unit_name: loaded.unit_name.clone(),
        kind: meta.kind,
        language: meta.language.clone(),
        access: meta.access,
        open_to: meta.open_to.clone(),
        care_providers: meta.care_providers.clone(),
        messaging: meta.messaging,
        owners: meta.owners.clone(),
        welcome: NormalText { html: welcome_html },
        modules,
        forms: loaded.forms.iter().filter_map(|f| f.form.clone()).collect(),
        form_tests: loaded
            .forms
            .iter()
            .filter_map(|f| {
                let form = f.form.as_ref()?;
                let scenarios = f.tests.as_ref()?.scenarios.clone()?;
                Some((form.id.clone(), scenarios))
            })
            .collect(),
    }
}
