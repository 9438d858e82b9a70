//! Rules and lints for Markdown content: references, media, forms, links, headings,
//! accessibility and readability.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::{Code, Diagnostic, Pos, Sink};
use crate::load::LoadedMoment;
use crate::load::markdown::{self, BlockSpec, Markdown};
use crate::load::paths::{self, PathProblem};
use crate::load::refs::MediaBlock;
use crate::load::{fsread, source};

use super::Options;

/// Link texts that say nothing out of context (screen readers list links alone).
const VAGUE_LINK_TEXTS: &[&str] = &[
    "klicka här",
    "klicka",
    "här",
    "läs mer",
    "mer",
    "länk",
    "denna länk",
    "click here",
    "here",
    "read more",
    "more",
    "link",
    "this link",
];

pub(super) fn check(moment: &LoadedMoment, options: &Options, out: &mut Vec<Diagnostic>) {
    let docs: Vec<&Markdown> = moment
        .welcome
        .iter()
        .chain(moment.modules.iter().map(|m| &m.doc))
        .collect();
    // Link targets by file: one look-up per link, not a scan of every module.
    let by_rel: HashMap<&str, &Markdown> = docs.iter().map(|d| (d.rel.as_str(), *d)).collect();
    let mut used_forms = BTreeSet::new();
    if let Some(welcome) = &moment.welcome {
        for block in &welcome.blocks {
            out.push(
                Diagnostic::new(
                    Code::WelcomeBlock,
                    format!(
                        "a {} block in the welcome text is not shown",
                        block.kind.name()
                    ),
                )
                .in_file(&welcome.rel)
                .at_pos(block.pos)
                .with_hint(
                    "the welcome text is plain prose; put videos, audio and forms in a module",
                ),
            );
        }
    }
    for doc in &docs {
        let mut sink = Sink::new(&doc.rel, out);
        let base = paths::parent(moment.within(&doc.rel));
        headings(doc, &mut sink);
        for image in &doc.images {
            if image.text.trim().is_empty() {
                sink.report(Code::ImageNoAlt, image.pos, "image without alt text")
                    .help("describe what the image shows between the brackets: ![Person som sover](../media/somn.png)");
            }
            if let Some(scheme) = unsafe_scheme(&image.url) {
                sink.report(
                    Code::PathEscapes,
                    image.pos,
                    format!("`{scheme}:` images are not allowed and are removed from the output"),
                )
                .help("put the image in the moment's media/ folder and refer to it relatively");
            } else if !paths::is_external(&image.url) {
                file_ref(moment, base, &image.url, image.pos, &mut sink);
            }
        }
        for link in &doc.links {
            let text = link
                .text
                .trim()
                .trim_end_matches(['.', '!', ':'])
                .to_lowercase();
            if VAGUE_LINK_TEXTS.contains(&text.as_str()) {
                sink.report(Code::VagueLink, link.pos, format!("the link text `{}` does not say where it leads", link.text.trim()))
                    .help("use words that make sense on their own, such as [Sömndagboken](02-somndagbok.md)");
            }
            if let Some(scheme) = unsafe_scheme(&link.url) {
                sink.report(
                    Code::PathEscapes,
                    link.pos,
                    format!("`{scheme}:` links are not allowed and are removed from the output"),
                )
                .help("link to a module of this moment, or to a full https:// address");
            } else if !paths::is_external(&link.url) {
                internal_link(moment, &by_rel, doc, base, &link.url, link.pos, &mut sink);
            }
        }
        for pos in &doc.raw_html {
            sink.report(Code::RawHtml, *pos, "raw HTML is dropped from the output")
                .help("use Markdown instead; HTML in content is never shown, for the citizens' safety");
        }
        for block in &doc.blocks {
            if let Some(media) = block.spec.as_ref().and_then(MediaBlock::of) {
                for field in media.kind.fields() {
                    if let Some((path, pos)) = block_value(block, field.key()) {
                        file_ref(moment, base, &path, pos, &mut sink);
                    }
                }
            }
            match &block.spec {
                Some(BlockSpec::Video(video)) => {
                    if video.captions.is_none() {
                        sink.report(Code::VideoNoCaptions, block.pos, format!("video `{}` has no captions", video.title))
                            .help("add `captions: ../media/<name>.sv.vtt` with WebVTT captions, for people who cannot hear the sound");
                    }
                }
                Some(BlockSpec::Audio(audio)) => {
                    if audio.transcript.is_none() {
                        sink.report(Code::AudioNoTranscript, block.pos, format!("audio `{}` has no transcript", audio.title))
                            .help("add `transcript: ../media/<name>.txt` with the spoken words, for people who cannot hear them");
                    }
                }
                Some(BlockSpec::Form(_)) | None => {}
            }
            // A form block that breaks its schema still names its form: the reference
            // is checked, and the form counts as used (no false W012).
            let form_ref = match &block.spec {
                Some(BlockSpec::Form(form)) => Some(form.form.clone()),
                _ if block.kind == markdown::BlockKind::Form => {
                    block_value(block, "ref").map(|(id, _)| id)
                }
                _ => None,
            };
            if let Some(id) = form_ref {
                used_forms.insert(id.clone());
                let exists =
                    moment.form(&id).is_some() || moment.is_unloaded(&format!("forms/{id}.yaml"));
                if !exists {
                    let known: Vec<String> = moment.forms.iter().map(|f| f.stem.clone()).collect();
                    let close = crate::load::schema::closest(&id, &known);
                    sink.report(
                        Code::FormUnresolved,
                        block_value(block, "ref").map_or(block.pos, |v| v.1),
                        format!("no form `{id}` in forms/"),
                    )
                    .help(match close {
                        Some(c) => format!("did you mean `{c}`?"),
                        None => format!("create forms/{id}.yaml"),
                    });
                    // The form the typo meant is not "unused": that would only
                    // follow from this diagnostic.
                    if let Some(c) = close {
                        used_forms.insert(c.to_owned());
                    }
                }
            }
        }
        if let Some(value) = markdown::lix(&doc.prose)
            && value > options.max_lix
        {
            sink.report(
                    Code::Readability,
                    Pos::new(doc.line_offset + 1, 1),
                    format!("LIX readability index is {value:.0}, above the limit of {:.0}", options.max_lix),
                )
                .help("use shorter sentences and shorter words; below 40 is easy to read for most citizens");
        }
    }
    // Without a parsed moment.yaml the module list is a guess: "unused" would be too.
    let listing_known = moment.listing_known();
    for form in moment.forms.iter().filter(|_| listing_known) {
        if !used_forms.contains(&form.stem) && form.node.get("schedule").is_some() {
            out.push(
                Diagnostic::new(
                    Code::ScheduleUnused,
                    format!(
                        "form `{}` has a schedule, but no module places it: no measurement is ever made",
                        form.stem
                    ),
                )
                .in_file(&form.rel)
                .at_pos(form.node.key_pos_at(&["schedule".into()]))
                .with_hint(format!(
                    "place it in the module where the measurement starts, with a block ```form / ref: {} / ```, or delete the form",
                    form.stem
                )),
            );
        } else if !used_forms.contains(&form.stem) {
            out.push(
                Diagnostic::new(
                    Code::UnusedForm,
                    format!("form `{}` is not used by any module", form.stem),
                )
                .in_file(&form.rel)
                .with_hint(format!(
                    "place it in a module with a block ```form / ref: {} / ```, or delete it",
                    form.stem
                )),
            );
        }
    }
}

/// The text and position of a key's value in a fenced block's YAML.
fn block_value(block: &crate::load::markdown::Block, key: &str) -> Option<(String, Pos)> {
    let node = block.node.as_ref()?.get(key)?;
    match &node.value {
        crate::load::yaml::Value::Str(s) => Some((s.clone(), node.pos)),
        _ => None,
    }
}

/// The scheme of a URL that is neither relative nor one of the allowed schemes.
fn unsafe_scheme(url: &str) -> Option<String> {
    let scheme = paths::url_scheme(url)?;
    // One letter is a Windows drive (`C:/…`), reported as such by the path check.
    (scheme.len() > 1 && !paths::is_external(url)).then(|| scheme.to_ascii_lowercase())
}

fn headings(doc: &Markdown, sink: &mut Sink<'_>) {
    let mut previous = 1;
    for h in &doc.headings {
        if h.level > previous + 1 {
            sink.report(
                Code::HeadingSkip,
                h.pos,
                format!("heading level {} follows level {previous}", h.level),
            )
            .help(format!(
                "use {} here; the page title is the level-1 heading and each level goes one step deeper",
                "#".repeat(usize::from(previous) + 1)
            ));
        }
        previous = h.level;
    }
}

/// Checks a reference to a file of the moment (image, media, captions, transcript).
fn file_ref(moment: &LoadedMoment, base: &str, written: &str, pos: Pos, sink: &mut Sink<'_>) {
    let resolved = match paths::resolve(&moment.dir, base, written) {
        Ok(resolved) => resolved,
        Err(problem) => {
            let code = problem.code(Code::MediaMissing);
            sink.report(code, pos, problem.describe(written)).help(match problem {
                PathProblem::Missing => "check the file name; paths in a module are relative to the module's file, such as ../media/bild.png",
                PathProblem::Symlink => "replace the link with the file itself (a copy) inside the moment's folder",
                _ => problem.hint().unwrap_or("keep media inside the moment's folder, such as media/, and refer to it relatively"),
            });
            return;
        }
    };
    if !media_is_regular(moment, &resolved.rel, written, pos, sink) {
        return;
    }
    let path = written.split(['#', '?']).next().unwrap_or(written);
    if !crate::file_types::allowed(path) {
        let ext = path.rsplit_once('.').map_or("(none)", |(_, e)| e);
        sink.report(
            Code::FileType,
            pos,
            format!("`{written}`: files of type .{ext} are not published"),
        )
        .help(format!(
            "browsers can run scripts in some file types; use one of: {}",
            crate::file_types::ALLOWED_EXTENSIONS.join(", ")
        ));
    }
}

/// Checks, without opening it, that a referenced media file is a regular file within
/// the size limit; reports at the reference otherwise.
fn media_is_regular(
    moment: &LoadedMoment,
    rel: &str,
    written: &str,
    pos: Pos,
    sink: &mut Sink<'_>,
) -> bool {
    match fsread::check_file(&moment.dir, rel) {
        Ok(meta) if meta.len() > fsread::MAX_MEDIA_BYTES => {
            sink.report(
                Code::FileTooLarge,
                pos,
                format!(
                    "`{written}` is larger than the limit of {} for a media file",
                    source::human_size(fsread::MAX_MEDIA_BYTES)
                ),
            )
            .help("make the file smaller (a lower resolution or bit rate), or split it");
            false
        }
        Ok(_) => true,
        Err(fsread::Refusal::NotRegular(kind)) => {
            sink.report(
                Code::NotRegularFile,
                pos,
                format!("`{written}` is {}, not a regular file", kind.describe()),
            )
            .help("media must be ordinary files in the moment's folder; replace it with the file itself");
            false
        }
        Err(fsread::Refusal::Symlink) => {
            sink.report(
                Code::PathEscapes,
                pos,
                PathProblem::Symlink.describe(written),
            )
            .help("replace the link with the file itself (a copy) inside the moment's folder");
            false
        }
        Err(_) => {
            sink.report(
                Code::MediaMissing,
                pos,
                PathProblem::Missing.describe(written),
            )
            .help("check the file name; paths in a module are relative to the module's file, such as ../media/bild.png");
            false
        }
    }
}

fn internal_link(
    moment: &LoadedMoment,
    docs: &HashMap<&str, &Markdown>,
    doc: &Markdown,
    base: &str,
    url: &str,
    pos: Pos,
    sink: &mut Sink<'_>,
) {
    let (path, anchor) = url
        .split_once('#')
        .map_or((url, None), |(p, a)| (p, Some(a)));
    let target = if path.is_empty() {
        Some(doc)
    } else if path.ends_with(".md") {
        match paths::resolve(&moment.dir, base, path) {
            Ok(resolved) => {
                let rel = format!("{}/{}", moment.rel_dir, resolved.rel);
                let found = docs.get(rel.as_str()).copied();
                // A listed module that failed to load was reported already.
                if found.is_none() && !moment.is_unloaded(&resolved.rel) && moment.listing_known() {
                    sink.report(Code::BrokenLink, pos, format!("`{path}` is not a module of this moment"))
                        .help("link to a file listed under `modules:` in moment.yaml, or to the welcome text");
                }
                found
            }
            Err(PathProblem::Missing) => {
                sink.report(Code::BrokenLink, pos, format!("the link target `{path}` does not exist"))
                    .help("links between modules are relative to the module's file, such as 02-somndagbok.md");
                None
            }
            Err(problem) => {
                sink.report(problem.code(Code::BrokenLink), pos, problem.describe(path))
                    .help(problem.hint().unwrap_or(
                        "link only to modules of this moment, or to a full https:// address",
                    ));
                None
            }
        }
    } else {
        file_ref(moment, base, path, pos, sink);
        None
    };
    if let (Some(target), Some(anchor)) = (target, anchor)
        && !anchor.is_empty()
        && !target.headings.iter().any(|h| h.slug == anchor)
    {
        let slugs: Vec<String> = target.headings.iter().map(|h| h.slug.clone()).collect();
        sink.report(
            Code::BrokenLink,
            pos,
            format!("no heading with the anchor `#{anchor}`"),
        )
        .help(match crate::load::schema::closest(anchor, &slugs) {
            Some(c) => format!("did you mean `#{c}`?"),
            None if slugs.is_empty() => "the target has no headings".to_owned(),
            None => format!(
                "anchors there: {}",
                slugs
                    .iter()
                    .map(|s| format!("#{s}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
}
