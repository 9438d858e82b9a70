//! The bundle side of a diff: a built bundle (`.tar.gz` archive or unpacked folder,
//! or a version in a catalog) read from its `moment.json`, so that an administrator
//! without the git repository sees the same classed report.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::snapshot::{Media, ModuleSnapshot, MomentSnapshot};
use crate::digest::sha256_hex;
use crate::error::Error;
use crate::model::{Access, Activation, Form, ModuleFront, MomentKind, MomentMeta, module_id};

/// The largest `moment.json` read from a bundle.
const MAX_MOMENT_JSON: u64 = 64 * 1024 * 1024;

/// The bundle format versions this reader knows.
const FORMATS: &[u32] = &[1];

/// `moment.json` as far as a diff needs it.
#[derive(Deserialize)]
struct Bundled {
    format: u32,
    id: String,
    version: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
    unit: String,
    kind: MomentKind,
    language: String,
    access: Access,
    #[serde(default)]
    open_to: Vec<String>,
    #[serde(default)]
    care_providers: Vec<String>,
    messaging: bool,
    #[serde(default)]
    owners: Vec<String>,
    welcome: Html,
    modules: Vec<BundledModule>,
    forms: Vec<Form>,
}

#[derive(Deserialize)]
struct Html {
    html: String,
}

#[derive(Deserialize)]
struct BundledModule {
    /// Absent in bundles built before module ids.
    #[serde(default)]
    id: Option<String>,
    source: String,
    title: String,
    activation: Activation,
    #[serde(default)]
    forms: Vec<String>,
    blocks: Vec<Block>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Block {
    Html {
        html: String,
    },
    Video {
        src: String,
        title: String,
        #[serde(default)]
        captions: Option<String>,
        #[serde(default)]
        transcript: Option<String>,
        #[serde(default)]
        poster: Option<String>,
    },
    Audio {
        src: String,
        title: String,
        #[serde(default)]
        transcript: Option<String>,
    },
    Form {},
}

/// Whether `arg` names a bundle: a `.tar.gz` file, or a folder with a `moment.json`.
pub fn is_bundle(arg: &str) -> bool {
    let path = Path::new(arg);
    (path.is_file() && (arg.ends_with(".tar.gz") || arg.ends_with(".tgz")))
        || path.join("moment.json").is_file()
}

/// Reads a bundle archive or folder.
pub fn read_path(path: &Path) -> Result<MomentSnapshot, Error> {
    if path.is_dir() {
        let file = path.join("moment.json");
        let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        return parse(&text, &path.display().to_string());
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    read_archive(&bytes, &path.display().to_string())
}

/// Reads the `moment.json` of a bundle archive.
pub fn read_archive(bytes: &[u8], name: &str) -> Result<MomentSnapshot, Error> {
    let not = |why: String| Error::Usage(format!("{name} is not a moment bundle: {why}"));
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let entries = archive.entries().map_err(|e| not(e.to_string()))?;
    for entry in entries {
        let entry = entry.map_err(|e| not(e.to_string()))?;
        let path = entry.path().map_err(|e| not(e.to_string()))?.into_owned();
        let parts: Vec<_> = path.components().collect();
        if parts.len() == 2 && path.file_name().is_some_and(|n| n == "moment.json") {
            let mut text = String::new();
            entry
                .take(MAX_MOMENT_JSON)
                .read_to_string(&mut text)
                .map_err(|e| not(e.to_string()))?;
            return parse(&text, name);
        }
    }
    Err(not("it holds no <id>-<version>/moment.json".to_owned()))
}

/// Reads version `version` of moment `id` from a catalog, checking the archive
/// against the digest the catalog's index records for it.
pub fn read_catalog(url: &str, id: &str, version: &str) -> Result<MomentSnapshot, Error> {
    let catalog = crate::publish::catalog::Catalog::open(url)?;
    let entry = catalog
        .index(id)?
        .and_then(|index| index.versions.into_iter().find(|v| v.version == version))
        .ok_or_else(|| {
            Error::Usage(format!(
                "the catalog {url} has no version {version} of `{id}`"
            ))
        })?;
    let bytes = catalog.bundle(id, version)?.ok_or_else(|| {
        Error::Usage(format!(
            "the catalog {url} lists {id} {version} but has no bundle for it"
        ))
    })?;
    let digest = sha256_hex(&bytes);
    if digest != entry.sha256 {
        return Err(Error::Usage(format!(
            "the bundle of {id} {version} in {url} does not match the digest in the catalog's index (run `moment catalog verify`)"
        )));
    }
    read_archive(&bytes, &format!("{id} {version} in {url}"))
}

/// The SHA-256 in a content-addressed asset URL (`../assets/<sha256>.<ext>`).
fn digest_of(url: &str) -> Option<String> {
    let name = url.strip_prefix("../assets/")?;
    let sha = name.split('.').next()?;
    (sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit())).then(|| sha.to_owned())
}

fn parse(text: &str, name: &str) -> Result<MomentSnapshot, Error> {
    let b: Bundled = serde_json::from_str(text)
        .map_err(|e| Error::Usage(format!("{name}: moment.json cannot be read: {e}")))?;
    if !FORMATS.contains(&b.format) {
        return Err(Error::Usage(format!(
            "{name}: bundle format {} is not known to this version of moment",
            b.format
        )));
    }
    let meta = MomentMeta {
        id: b.id.clone(),
        version: b.version,
        title: b.title,
        description: b.description,
        unit: b.unit,
        kind: b.kind,
        language: b.language,
        access: b.access,
        open_to: b.open_to,
        care_providers: b.care_providers,
        messaging: b.messaging,
        owners: b.owners,
        risk_analysis: None,
        welcome: "welcome.md".to_owned(),
        modules: b.modules.iter().map(|m| m.source.clone()).collect(),
    };
    let modules = b
        .modules
        .into_iter()
        .map(|m| {
            let mut html = String::new();
            let mut images = Vec::new();
            let mut media = Vec::new();
            for block in &m.blocks {
                match block {
                    Block::Html { html: h } => {
                        html.push_str(h);
                        images.extend(html_text::images(h));
                    }
                    Block::Video {
                        src,
                        title,
                        captions,
                        transcript,
                        poster,
                    } => media.push(Media {
                        kind: "video",
                        title: title.clone(),
                        digest: digest_of(src),
                        captions: captions.as_deref().and_then(digest_of),
                        transcript: transcript.as_deref().and_then(digest_of),
                        poster: poster.as_deref().and_then(digest_of),
                    }),
                    Block::Audio {
                        src,
                        title,
                        transcript,
                    } => media.push(Media {
                        kind: "audio",
                        title: title.clone(),
                        digest: digest_of(src),
                        captions: None,
                        transcript: transcript.as_deref().and_then(digest_of),
                        poster: None,
                    }),
                    Block::Form {} => {}
                }
            }
            // As the source side lists them: the images, then the media blocks.
            let mut all: Vec<Media> = images
                .into_iter()
                .filter_map(|(src, alt)| {
                    digest_of(&src).map(|d| Media {
                        kind: "image",
                        title: alt,
                        digest: Some(d),
                        captions: None,
                        transcript: None,
                        poster: None,
                    })
                })
                .collect();
            all.extend(media);
            let front = ModuleFront {
                id: None,
                title: m.title,
                activation: m.activation,
            };
            ModuleSnapshot {
                id: m.id.unwrap_or_else(|| module_id(None, &m.source)),
                path: m.source,
                front: Some(front),
                paragraphs: html_text::paragraphs(&html),
                media: all,
                forms: m.forms,
                body: html,
            }
        })
        .collect();
    let forms = b
        .forms
        .into_iter()
        .map(|f| {
            let text = serde_json::to_string(&f).unwrap_or_default();
            (f.id.clone(), (f, text))
        })
        .collect();
    Ok(MomentSnapshot {
        id: b.id.clone(),
        rel_dir: format!("moments/{}", b.id),
        meta: Some(meta),
        meta_text: String::new(),
        welcome_path: "welcome.md".to_owned(),
        welcome: html_text::paragraphs(&b.welcome.html),
        welcome_body: b.welcome.html,
        modules,
        forms,
    })
}

/// The text of rendered HTML, read as the loader reads Markdown: one entry per
/// paragraph, table cell and heading (`## Heading`), with images' alt text.
mod html_text {
    /// A tag or a piece of text.
    enum Token<'a> {
        Open(&'a str, &'a str),
        Close(&'a str),
        Text(&'a str),
    }

    fn tokens(html: &str) -> Vec<Token<'_>> {
        let mut out = Vec::new();
        let mut rest = html;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("<!--") {
                rest = after.find("-->").map_or("", |i| &after[i + 3..]);
                continue;
            }
            if rest.starts_with('<')
                && let Some(end) = rest.find('>')
            {
                let tag = &rest[1..end];
                rest = &rest[end + 1..];
                if let Some(name) = tag.strip_prefix('/') {
                    out.push(Token::Close(name.trim()));
                } else {
                    let tag = tag.trim_end_matches('/').trim_end();
                    let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
                    out.push(Token::Open(name, attrs));
                }
                continue;
            }
            let end = rest.find('<').unwrap_or(rest.len());
            let end = if end == 0 { 1 } else { end };
            out.push(Token::Text(&rest[..end]));
            rest = &rest[end..];
        }
        out
    }

    /// Decodes the entities comrak writes.
    pub fn decode(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            let Some(end) = rest.find(';').filter(|e| *e < 12) else {
                out.push('&');
                rest = &rest[1..];
                continue;
            };
            let entity = &rest[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            match c {
                Some(c) => {
                    out.push(c);
                    rest = &rest[end + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn attr(attrs: &str, name: &str) -> Option<String> {
        let key = format!("{name}=\"");
        let start = attrs.find(&key)? + key.len();
        let end = attrs[start..].find('"')? + start;
        Some(decode(&attrs[start..end]))
    }

    /// The images (src, alt) in order.
    pub fn images(html: &str) -> Vec<(String, String)> {
        tokens(html)
            .into_iter()
            .filter_map(|t| match t {
                Token::Open("img", attrs) => Some((
                    attr(attrs, "src").unwrap_or_default(),
                    attr(attrs, "alt").unwrap_or_default(),
                )),
                _ => None,
            })
            .collect()
    }

    fn fold(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// One open block that collects text.
    struct Open {
        tag: String,
        text: String,
        /// A list item whose text is in paragraphs of its own.
        loose: bool,
    }

    /// The paragraphs of rendered HTML.
    pub fn paragraphs(html: &str) -> Vec<String> {
        const TEXT: &[&str] = &["p", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "li"];
        const BLOCK: &[&str] = &[
            "p",
            "ul",
            "ol",
            "blockquote",
            "pre",
            "table",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "li",
            "hr",
            "div",
        ];
        let mut out = Vec::new();
        let mut stack: Vec<Open> = Vec::new();
        let mut in_pre = 0usize;
        let flush = |open: &mut Open, out: &mut Vec<String>| {
            if open.tag == "li" && open.loose {
                return;
            }
            let text = fold(&open.text);
            if open.tag == "li" && text.is_empty() {
                return;
            }
            match open.tag.as_bytes() {
                [b'h', level @ b'1'..=b'6'] => {
                    let n = usize::from(level - b'0');
                    out.push(format!("{} {text}", "#".repeat(n)));
                }
                _ => out.push(text),
            }
            open.text.clear();
        };
        for token in tokens(html) {
            match token {
                Token::Open(name, attrs) => {
                    if name == "pre" {
                        in_pre += 1;
                    }
                    if BLOCK.contains(&name)
                        && let Some(li) = stack.last_mut().filter(|o| o.tag == "li")
                    {
                        // A tight list item's text ends where a nested block starts.
                        if name == "p" {
                            li.loose = true;
                        } else {
                            flush(li, &mut out);
                            li.loose = true;
                        }
                    }
                    if TEXT.contains(&name) && in_pre == 0 {
                        stack.push(Open {
                            tag: name.to_owned(),
                            text: String::new(),
                            loose: false,
                        });
                    } else if name == "img" {
                        if let Some(open) = stack.last_mut() {
                            open.text.push_str(&attr(attrs, "alt").unwrap_or_default());
                        }
                    } else if name == "br"
                        && let Some(open) = stack.last_mut()
                    {
                        open.text.push(' ');
                    }
                }
                Token::Close(name) => {
                    if name == "pre" {
                        in_pre = in_pre.saturating_sub(1);
                    }
                    if TEXT.contains(&name)
                        && in_pre == 0
                        && stack.last().is_some_and(|o| o.tag == name)
                        && let Some(mut open) = stack.pop()
                    {
                        flush(&mut open, &mut out);
                    }
                }
                Token::Text(t) => {
                    if in_pre == 0
                        && let Some(open) = stack.last_mut()
                    {
                        open.text.push_str(&decode(t));
                    }
                }
            }
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn paragraphs_as_the_loader_reads_them() {
            let html = "<h2 id=\"a\">Så &amp; så</h2>\n<p>Ett\nstycke <em>med</em> <img src=\"../assets/x.png\" alt=\"bild\" /> text.</p>\n<ul>\n<li>tät</li>\n<li>punkt<ul>\n<li>inre</li>\n</ul>\n</li>\n</ul>\n<ol>\n<li>\n<p>lös</p>\n</li>\n</ol>\n<pre><code>kod\n</code></pre>\n<!-- raw HTML omitted -->\n<table><tr><th>A</th><td>B</td></tr></table>\n";
            assert_eq!(
                paragraphs(html),
                [
                    "## Så & så",
                    "Ett stycke med bild text.",
                    "tät",
                    "punkt",
                    "inre",
                    "lös",
                    "A",
                    "B"
                ]
            );
        }
    }
}
