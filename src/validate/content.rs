//! Rules and lints for Markdown content: references, media, forms, links, headings,
//! accessibility and readability.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::msg::{Content, Files};
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

/// A moment and what the file system said of the paths its references name.
struct Within<'m> {
    moment: &'m LoadedMoment,
    seen: fsread::Seen,
}

pub(super) fn check(moment: &LoadedMoment, options: &Options, out: &mut Vec<Diagnostic>) {
    let mut within = Within {
        moment,
        seen: moment.seen.clone(),
    };
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
                    Content::WelcomeBlock {
                        kind: block.kind.name(),
                    },
                )
                .in_file(&welcome.rel)
                .at_pos(block.pos)
                .with_hint(Content::WelcomeBlockHint),
            );
        }
    }
    for doc in &docs {
        let mut sink = Sink::new(&doc.rel, out);
        let base = paths::parent(moment.within(&doc.rel));
        headings(doc, &mut sink);
        for image in &doc.images {
            if image.text.trim().is_empty() {
                sink.report(Code::ImageNoAlt, image.pos, Content::ImageNoAlt)
                    .span(image.length)
                    .help(Content::ImageNoAltHint);
            } else if is_alt_placeholder(&image.text) {
                sink.report(Code::ImageNoAlt, image.pos, Content::ImageAltPlaceholder)
                    .span(image.length)
                    .help(Content::ImageNoAltHint);
            }
            if let Some(scheme) = unsafe_scheme(&image.url) {
                sink.report(
                    Code::PathEscapes,
                    image.pos,
                    Content::ImageScheme {
                        scheme: scheme.to_string(),
                    },
                )
                .span(image.length)
                .help(Content::ImageSchemeHint);
            } else if !paths::is_external(&image.url) {
                file_ref(
                    &mut within,
                    base,
                    &image.url,
                    (image.pos, image.length),
                    &mut sink,
                );
            }
        }
        for link in &doc.links {
            let text = link
                .text
                .trim()
                .trim_end_matches(['.', '!', ':'])
                .to_lowercase();
            if VAGUE_LINK_TEXTS.contains(&text.as_str()) {
                sink.report(
                    Code::VagueLink,
                    link.pos,
                    Content::VagueLink {
                        text: link.text.trim().to_owned(),
                    },
                )
                .span(link.length)
                .help(Content::VagueLinkHint);
            }
            if let Some(scheme) = unsafe_scheme(&link.url) {
                sink.report(
                    Code::PathEscapes,
                    link.pos,
                    Content::LinkScheme {
                        scheme: scheme.to_string(),
                    },
                )
                .span(link.length)
                .help(Content::LinkSchemeHint);
            } else if !paths::is_external(&link.url) {
                internal_link(
                    &mut within,
                    &by_rel,
                    doc,
                    base,
                    &link.url,
                    (link.pos, link.length),
                    &mut sink,
                );
            }
        }
        for pos in &doc.raw_html {
            sink.report(Code::RawHtml, *pos, Content::RawHtml)
                .help(Content::RawHtmlHint);
        }
        for block in &doc.blocks {
            if let Some(media) = block.spec.as_ref().and_then(MediaBlock::of) {
                for field in media.kind.fields() {
                    if let Some((path, pos)) = block_value(block, field.key()) {
                        file_ref(
                            &mut within,
                            base,
                            &path,
                            (pos, path.chars().count()),
                            &mut sink,
                        );
                    }
                }
            }
            match &block.spec {
                Some(BlockSpec::Video(video)) => {
                    if video.captions.is_none() {
                        sink.report(
                            Code::VideoNoCaptions,
                            block.pos,
                            Content::VideoNoCaptions {
                                title: video.title.clone(),
                            },
                        )
                        .help(Content::VideoNoCaptionsHint);
                    }
                }
                Some(BlockSpec::Audio(audio)) => {
                    if audio.transcript.is_none() {
                        sink.report(
                            Code::AudioNoTranscript,
                            block.pos,
                            Content::AudioNoTranscript {
                                title: audio.title.clone(),
                            },
                        )
                        .help(Content::AudioNoTranscriptHint);
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
                        Content::NoForm { id: id.clone() },
                    )
                    .span(id.chars().count())
                    .help(match close {
                        Some(c) => Content::DidYouMean {
                            close: c.to_owned(),
                        },
                        None => Content::CreateForm { id: id.clone() },
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
                Content::Lix {
                    value: format!("{value:.0}"),
                    limit: format!("{:.0}", options.max_lix),
                },
            )
            .help(Content::LixHint);
        }
    }
    // Without a parsed moment.yaml the module list is a guess: "unused" would be too.
    let listing_known = moment.listing_known();
    for form in moment.forms.iter().filter(|_| listing_known) {
        if !used_forms.contains(&form.stem) && form.node.get("schedule").is_some() {
            out.push(
                Diagnostic::new(
                    Code::ScheduleUnused,
                    Content::ScheduleUnused {
                        form: form.stem.clone(),
                    },
                )
                .in_file(&form.rel)
                .at_pos(form.node.key_pos_at(&["schedule".into()]))
                .with_hint(Content::ScheduleUnusedHint {
                    form: form.stem.clone(),
                }),
            );
        } else if !used_forms.contains(&form.stem) {
            out.push(
                Diagnostic::new(
                    Code::UnusedForm,
                    Content::UnusedForm {
                        form: form.stem.clone(),
                    },
                )
                .in_file(&form.rel)
                .with_hint(Content::UnusedFormHint {
                    form: form.stem.clone(),
                }),
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
                Content::HeadingSkip {
                    level: h.level,
                    previous,
                },
            )
            .help(Content::HeadingSkipHint {
                hashes: "#".repeat(usize::from(previous) + 1),
            });
        }
        previous = h.level;
    }
}

/// Checks a reference to a file of the moment (image, media, captions, transcript).
/// `at` is the reference's position and how many characters it spans there.
fn file_ref(
    within: &mut Within<'_>,
    base: &str,
    written: &str,
    at: (Pos, usize),
    sink: &mut Sink<'_>,
) {
    let (pos, length) = at;
    let moment = within.moment;
    let resolved = match paths::resolve_in(&moment.dir, base, written, &mut within.seen) {
        Ok(resolved) => resolved,
        Err(problem) => {
            let code = problem.code(Code::MediaMissing);
            sink.report(code, pos, problem.message(written))
                .span(length)
                .help(match problem {
                    PathProblem::Missing => Files::MediaPathHint,
                    PathProblem::Symlink => Files::ReplaceLink,
                    _ => problem.advice().unwrap_or(Files::KeepMediaInside),
                });
            return;
        }
    };
    if !media_is_regular(within, &resolved.rel, written, at, sink) {
        return;
    }
    let path = written.split(['#', '?']).next().unwrap_or(written);
    if !crate::file_types::allowed(path) {
        let ext = path.rsplit_once('.').map_or("(none)", |(_, e)| e);
        sink.report(
            Code::FileType,
            pos,
            Content::FileType {
                written: written.to_owned(),
                ext: ext.to_owned(),
            },
        )
        .span(length)
        .help(Content::FileTypeHint {
            allowed: crate::file_types::ALLOWED_EXTENSIONS.join(", "),
        });
    }
}

/// Checks, without opening it, that a referenced media file is a regular file within
/// the size limit; reports at the reference otherwise.
fn media_is_regular(
    within: &mut Within<'_>,
    rel: &str,
    written: &str,
    at: (Pos, usize),
    sink: &mut Sink<'_>,
) -> bool {
    let (pos, length) = at;
    match fsread::check_file_in(&within.moment.dir, rel, &mut within.seen) {
        Ok(meta) if meta.len() > fsread::MAX_MEDIA_BYTES => {
            sink.report(
                Code::FileTooLarge,
                pos,
                Files::MediaTooLarge {
                    written: written.to_owned(),
                    limit: source::human_size(fsread::MAX_MEDIA_BYTES),
                },
            )
            .span(length)
            .help(Files::MediaTooLargeHint);
            false
        }
        Ok(_) => true,
        Err(fsread::Refusal::NotRegular(kind)) => {
            sink.report(
                Code::NotRegularFile,
                pos,
                Files::MediaNotRegular {
                    written: written.to_owned(),
                    kind: kind.word(),
                },
            )
            .span(length)
            .help(Files::MediaNotRegularHint);
            false
        }
        Err(fsread::Refusal::Symlink) => {
            sink.report(
                Code::PathEscapes,
                pos,
                PathProblem::Symlink.message(written),
            )
            .span(length)
            .help(Files::ReplaceLink);
            false
        }
        Err(_) => {
            sink.report(
                Code::MediaMissing,
                pos,
                PathProblem::Missing.message(written),
            )
            .span(length)
            .help(Files::MediaPathHint);
            false
        }
    }
}

fn internal_link(
    within: &mut Within<'_>,
    docs: &HashMap<&str, &Markdown>,
    doc: &Markdown,
    base: &str,
    url: &str,
    at: (Pos, usize),
    sink: &mut Sink<'_>,
) {
    let (pos, length) = at;
    let (path, anchor) = url
        .split_once('#')
        .map_or((url, None), |(p, a)| (p, Some(a)));
    let target = if path.is_empty() {
        Some(doc)
    } else if path.ends_with(".md") {
        let moment = within.moment;
        match paths::resolve_in(&moment.dir, base, path, &mut within.seen) {
            Ok(resolved) => {
                let rel = format!("{}/{}", moment.rel_dir, resolved.rel);
                let found = docs.get(rel.as_str()).copied();
                // A listed module that failed to load was reported already.
                if found.is_none() && !moment.is_unloaded(&resolved.rel) && moment.listing_known() {
                    sink.report(
                        Code::BrokenLink,
                        pos,
                        Content::NotAModule {
                            path: path.to_owned(),
                        },
                    )
                    .span(length)
                    .help(Content::NotAModuleHint);
                }
                found
            }
            Err(PathProblem::Missing) => {
                sink.report(
                    Code::BrokenLink,
                    pos,
                    Content::LinkMissing {
                        path: path.to_owned(),
                    },
                )
                .span(length)
                .help(Content::LinkMissingHint);
                None
            }
            Err(problem) => {
                let hint: crate::diagnostic::Text = match problem.advice() {
                    Some(advice) => advice.into(),
                    None => Content::LinkInsideHint.into(),
                };
                sink.report(problem.code(Code::BrokenLink), pos, problem.message(path))
                    .span(length)
                    .help(hint);
                None
            }
        }
    } else {
        file_ref(within, base, path, (pos, length), sink);
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
            Content::NoAnchor {
                anchor: anchor.to_owned(),
            },
        )
        .span(length)
        .help(match crate::load::schema::closest(anchor, &slugs) {
            Some(c) => Content::DidYouMeanAnchor {
                close: c.to_owned(),
            },
            None if slugs.is_empty() => Content::NoHeadings,
            None => Content::AnchorsThere {
                list: slugs
                    .iter()
                    .map(|s| format!("#{s}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
        });
    }
}

/// The alt text that the editor's quick fix inserts for an image without one: it
/// marks where a description is needed and still counts as no description (W001),
/// so that a placeholder never reaches citizens as if it described the image.
pub const ALT_PLACEHOLDER: &str = "Beskriv vad bilden visar";

/// Whether an image's alt text is still [`ALT_PLACEHOLDER`].
fn is_alt_placeholder(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case(ALT_PLACEHOLDER)
}
