//! Completion: the keys and values the schema allows, and the domain's names: form ids
//! in a `form` block's `ref:`, earlier item ids in `enable_when`, numeric items in
//! `sum`, ids and band labels in form tests, files under `media/` in links and blocks,
//! module files in `moment.yaml`.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    Documentation, MarkupContent, MarkupKind, TextEdit,
};

use super::facts::{self, FormFacts};
use super::syntax::{self, Context, Region, Seg};
use super::view::{Text, View};
use super::workspace::{FileKind, form_stem, moment_of};
use crate::load::schema::SchemaKind;

/// One candidate before it becomes an LSP item.
struct Candidate {
    label: String,
    detail: String,
    doc: Option<String>,
    kind: CompletionItemKind,
}

fn candidate(
    label: impl Into<String>,
    detail: impl Into<String>,
    kind: CompletionItemKind,
) -> Candidate {
    Candidate {
        label: label.into(),
        detail: detail.into(),
        doc: None,
        kind,
    }
}

/// The YAML part of a file the cursor is in: its schema, its lines and the cursor's
/// line within them.
pub(super) struct Yaml<'t> {
    pub(super) schema: SchemaKind,
    pub(super) lines: Vec<&'t str>,
    pub(super) line: usize,
    /// The first line of the YAML in the file.
    start: usize,
    /// A Markdown block's info string, for blocks.
    block: Option<String>,
}

pub(super) fn yaml_part<'t>(text: &'t Text, lines: &[&'t str], line: usize) -> Option<Yaml<'t>> {
    match text.kind() {
        FileKind::Markdown => {
            let (schema, start, block) = match syntax::region(lines, line) {
                Region::FrontMatter { start } => (SchemaKind::Module, start, None),
                Region::Block { kind, start } => {
                    let schema = match kind.as_str() {
                        "video" => SchemaKind::Video,
                        "audio" => SchemaKind::Audio,
                        _ => SchemaKind::FormBlock,
                    };
                    (schema, start, Some(kind))
                }
                Region::Prose => return None,
            };
            Some(Yaml {
                schema,
                lines: lines[start..].to_vec(),
                line: line - start,
                start,
                block,
            })
        }
        kind => Some(Yaml {
            schema: kind.schema()?,
            lines: lines.to_vec(),
            line,
            start: 0,
            block: None,
        }),
    }
}

/// Answers `textDocument/completion`.
pub fn complete(view: &View<'_>, params: &CompletionParams) -> Option<CompletionResponse> {
    let at = &params.text_document_position;
    let text = view.text_of(&at.text_document.uri)?;
    let lines = text.lines();
    let (line, column) = text.line_col(at.position);
    let (candidates, partial_start) = match yaml_part(&text, &lines, line) {
        Some(yaml) => {
            let ctx = syntax::context(&yaml.lines, yaml.line, column);
            let mut found = domain(view, &text, &yaml, &ctx);
            if found.is_empty() {
                found = schema_candidates(view, &yaml, &ctx);
            }
            (found, ctx.partial_start)
        }
        None => {
            let prefix = &lines[line][..column.min(lines[line].len())];
            let start = prefix.rfind("](").map(|i| i + 2);
            match start {
                Some(s) if !prefix[s..].contains(')') && !prefix[s..].contains(' ') => {
                    (media(view, &text.rel), s)
                }
                _ => return None,
            }
        }
    };
    let range = text.range(line, partial_start, column);
    let items = candidates
        .into_iter()
        .map(|c| CompletionItem {
            label: c.label.clone(),
            kind: Some(c.kind),
            detail: (!c.detail.is_empty()).then_some(c.detail),
            documentation: c.doc.map(|d| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: d,
                })
            }),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, c.label))),
            ..CompletionItem::default()
        })
        .collect();
    Some(CompletionResponse::Array(items))
}

fn schema_candidates(view: &View<'_>, yaml: &Yaml<'_>, ctx: &Context) -> Vec<Candidate> {
    let Some(schema) = view.schemas.get(yaml.schema) else {
        return Vec::new();
    };
    if ctx.at_key && schema.is_object(&ctx.path) {
        let present: Vec<&str> = yaml
            .lines
            .iter()
            .map(|l| l.trim_start().trim_start_matches("- "))
            .collect();
        return schema
            .keys(&ctx.path)
            .into_iter()
            .filter(|k| {
                !present
                    .iter()
                    .any(|l| l.starts_with(&format!("{}:", k.name)))
                    || ctx.path.last() == Some(&Seg::Item)
            })
            .map(|k| Candidate {
                detail: if k.required {
                    "required".into()
                } else {
                    String::new()
                },
                doc: (!k.doc.is_empty()).then_some(k.doc),
                label: k.name,
                kind: CompletionItemKind::PROPERTY,
            })
            .collect();
    }
    let mut path = ctx.path.clone();
    if let Some(key) = &ctx.key {
        path.push(Seg::Key(key.clone()));
    }
    schema
        .values(&path)
        .into_iter()
        .map(|v| candidate(v, "", CompletionItemKind::ENUM_MEMBER))
        .collect()
}

fn key_is(ctx: &Context, key: &str) -> bool {
    ctx.key.as_deref() == Some(key)
}

fn path_is(ctx: &Context, want: &[&str]) -> bool {
    ctx.path.len() == want.len()
        && ctx.path.iter().zip(want).all(|(seg, w)| match seg {
            Seg::Key(k) => k == w,
            Seg::Item => *w == "[]",
        })
}

/// The current YAML of the form `rel` (the buffer when open, else the file; the last
/// check's tree when the text does not parse now).
fn form_facts(view: &View<'_>, rel: &str) -> FormFacts {
    let node = view
        .text(rel)
        .and_then(|t| facts::parse(&t.text))
        .or_else(|| {
            let moment = view.moment(rel)?;
            moment
                .forms
                .iter()
                .find(|f| f.rel == rel)
                .map(|f| f.node.clone())
        });
    node.map(|n| FormFacts::of(&n)).unwrap_or_default()
}

fn domain(view: &View<'_>, text: &Text, yaml: &Yaml<'_>, ctx: &Context) -> Vec<Candidate> {
    let rel = text.rel.as_str();
    let Some(moment) = moment_of(rel) else {
        return Vec::new();
    };
    let dir = format!("moments/{moment}");
    match text.kind() {
        FileKind::Markdown => match yaml.block.as_deref() {
            Some("form") if key_is(ctx, "ref") => view
                .files_under(&format!("{dir}/forms"))
                .into_iter()
                .filter(|f| f.ends_with(".yaml") && !f.ends_with(".tests.yaml") && !f.contains('/'))
                .map(|f| {
                    let id = f.trim_end_matches(".yaml").to_owned();
                    let title = form_facts_title(view, &format!("{dir}/forms/{f}"));
                    candidate(id, title, CompletionItemKind::REFERENCE)
                })
                .collect(),
            Some("video" | "audio")
                if ctx
                    .key
                    .as_deref()
                    .is_some_and(|k| matches!(k, "src" | "captions" | "transcript" | "poster")) =>
            {
                media(view, rel)
            }
            _ => Vec::new(),
        },
        FileKind::Form => {
            let facts = form_facts(view, rel);
            let cursor_line = (yaml.start + yaml.line) as u32 + 1;
            let in_condition = ctx
                .path
                .iter()
                .any(|s| *s == Seg::Key("enable_when".into()));
            let in_alert = ctx.path.first() == Some(&Seg::Key("alerts".into()));
            if key_is(ctx, "item") && in_condition {
                // Items before the one whose condition this is (the last one starting
                // at or above the cursor).
                let mut earlier: Vec<_> = facts
                    .items
                    .iter()
                    .filter(|i| i.pos.line <= cursor_line)
                    .collect();
                earlier.pop();
                earlier
                    .into_iter()
                    .filter(|i| i.detail != "display")
                    .map(|i| candidate(i.id.clone(), i.detail.clone(), CompletionItemKind::FIELD))
                    .collect()
            } else if key_is(ctx, "item") && in_alert {
                facts
                    .items
                    .iter()
                    .map(|i| candidate(i.id.clone(), i.detail.clone(), CompletionItemKind::FIELD))
                    .collect()
            } else if key_is(ctx, "score") && in_alert {
                facts
                    .scores
                    .iter()
                    .map(|(s, _)| {
                        candidate(s.id.clone(), s.detail.clone(), CompletionItemKind::VALUE)
                    })
                    .collect()
            } else if path_is(ctx, &["scores", "[]", "sum", "[]"]) {
                facts
                    .items
                    .iter()
                    .filter(|i| FormFacts::numeric(&i.detail))
                    .map(|i| candidate(i.id.clone(), i.detail.clone(), CompletionItemKind::FIELD))
                    .collect()
            } else {
                Vec::new()
            }
        }
        FileKind::FormTests => {
            let Some(stem) = form_stem(rel) else {
                return Vec::new();
            };
            let facts = form_facts(view, &format!("{dir}/forms/{stem}.yaml"));
            let items = || {
                facts
                    .items
                    .iter()
                    .filter(|i| i.detail != "display")
                    .map(|i| candidate(i.id.clone(), i.detail.clone(), CompletionItemKind::FIELD))
                    .collect()
            };
            let scores = || {
                facts
                    .scores
                    .iter()
                    .map(|(s, _)| {
                        candidate(s.id.clone(), s.detail.clone(), CompletionItemKind::VALUE)
                    })
                    .collect()
            };
            if (path_is(ctx, &["[]", "answers"]) && ctx.at_key)
                || path_is(ctx, &["[]", "expect", "hidden", "[]"])
            {
                items()
            } else if (path_is(ctx, &["[]", "expect", "scores"])
                || path_is(ctx, &["[]", "expect", "bands"]))
                && ctx.at_key
            {
                scores()
            } else if path_is(ctx, &["[]", "expect", "bands"]) && ctx.key.is_some() {
                let score = ctx.key.as_deref().unwrap_or_default();
                facts
                    .scores
                    .iter()
                    .filter(|(s, _)| s.id == score)
                    .flat_map(|(_, labels)| labels.iter())
                    .map(|l| {
                        candidate(
                            l.clone(),
                            format!("band of {score}"),
                            CompletionItemKind::ENUM_MEMBER,
                        )
                    })
                    .collect()
            } else if path_is(ctx, &["[]", "expect", "alerts", "[]"]) {
                facts
                    .alerts
                    .iter()
                    .map(|a| candidate(a.id.clone(), a.detail.clone(), CompletionItemKind::EVENT))
                    .collect()
            } else {
                Vec::new()
            }
        }
        FileKind::MomentYaml => {
            if path_is(ctx, &["modules", "[]"]) {
                view.files_under(&format!("{dir}/modules"))
                    .into_iter()
                    .filter(|f| f.ends_with(".md"))
                    .map(|f| candidate(format!("modules/{f}"), "", CompletionItemKind::FILE))
                    .collect()
            } else if key_is(ctx, "welcome") || key_is(ctx, "risk_analysis") {
                view.files_under(&dir)
                    .into_iter()
                    .filter(|f| f.ends_with(".md") && !f.starts_with("modules/"))
                    .map(|f| candidate(f, "", CompletionItemKind::FILE))
                    .collect()
            } else {
                Vec::new()
            }
        }
        FileKind::Units | FileKind::Other => Vec::new(),
    }
}

fn form_facts_title(view: &View<'_>, rel: &str) -> String {
    view.text(rel)
        .and_then(|t| facts::parse(&t.text))
        .and_then(|n| match n.get("title").map(|t| &t.value) {
            Some(crate::load::yaml::Value::Str(s)) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The files under the moment's `media/`, as paths relative to the file `rel`.
fn media(view: &View<'_>, rel: &str) -> Vec<Candidate> {
    let Some(moment) = moment_of(rel) else {
        return Vec::new();
    };
    let inside = &rel[format!("moments/{moment}/").len()..];
    let up = "../".repeat(inside.matches('/').count());
    view.files_under(&format!("moments/{moment}/media"))
        .into_iter()
        .map(|f| candidate(format!("{up}media/{f}"), "", CompletionItemKind::FILE))
        .collect()
}
