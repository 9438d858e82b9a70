//! Document symbols: the modules of `moment.yaml`; the items, scores (with bands) and
//! alerts of a form; the scenarios of form tests; the headings and blocks of a module.

use lsp_types::{DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, Range, SymbolKind};

use super::facts::{self, FormFacts};
use super::syntax::{self, Region};
use super::view::{Text, View};
use super::workspace::FileKind;
use crate::diagnostic::Pos;
use crate::load::yaml::Value;

#[allow(deprecated)] // `deprecated` is a field every DocumentSymbol must still name
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: Range,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: if name.is_empty() {
            "(unnamed)".to_owned()
        } else {
            name
        },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: range,
        children: (!children.is_empty()).then_some(children),
    }
}

fn line_range(text: &Text, pos: Pos) -> Range {
    let line = pos.line.saturating_sub(1) as usize;
    let (start, end) = text.index.line_span(&text.text, line);
    text.index.range(&text.text, start, end)
}

/// Answers `textDocument/documentSymbol`.
pub fn symbols(view: &View<'_>, params: &DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let text = view.text_of(&params.text_document.uri)?;
    let out = match text.kind() {
        FileKind::MomentYaml => {
            let node = facts::parse(&text.text)?;
            match node.get("modules").map(|m| &m.value) {
                Some(Value::Seq(list)) => list
                    .iter()
                    .filter_map(|m| match &m.value {
                        Value::Str(path) => Some(symbol(
                            path.clone(),
                            Some("module".into()),
                            SymbolKind::MODULE,
                            line_range(&text, m.pos),
                            Vec::new(),
                        )),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        }
        FileKind::Form => {
            let node = facts::parse(&text.text)?;
            let facts = FormFacts::of(&node);
            let mut out: Vec<DocumentSymbol> = facts
                .items
                .iter()
                .map(|i| {
                    symbol(
                        i.id.clone(),
                        Some(i.detail.clone()),
                        SymbolKind::FIELD,
                        line_range(&text, i.pos),
                        Vec::new(),
                    )
                })
                .collect();
            out.extend(facts.scores.iter().map(|(s, bands)| {
                let range = line_range(&text, s.pos);
                let children = bands
                    .iter()
                    .map(|b| {
                        symbol(
                            b.clone(),
                            Some("band".into()),
                            SymbolKind::ENUM_MEMBER,
                            range,
                            Vec::new(),
                        )
                    })
                    .collect();
                symbol(
                    s.id.clone(),
                    Some("score".into()),
                    SymbolKind::FUNCTION,
                    range,
                    children,
                )
            }));
            out.extend(facts.alerts.iter().map(|a| {
                symbol(
                    a.id.clone(),
                    Some("alert".into()),
                    SymbolKind::EVENT,
                    line_range(&text, a.pos),
                    Vec::new(),
                )
            }));
            out
        }
        FileKind::FormTests => {
            let node = facts::parse(&text.text)?;
            match &node.value {
                Value::Seq(scenarios) => scenarios
                    .iter()
                    .filter_map(|s| {
                        let name = s.get("name")?;
                        let Value::Str(n) = &name.value else {
                            return None;
                        };
                        Some(symbol(
                            n.clone(),
                            Some("scenario".into()),
                            SymbolKind::METHOD,
                            line_range(&text, name.pos),
                            Vec::new(),
                        ))
                    })
                    .collect(),
                _ => Vec::new(),
            }
        }
        FileKind::Markdown => {
            let lines = text.lines();
            let mut out = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                let pos = Pos::new(i as u32 + 1, 1);
                match syntax::region(&lines, i) {
                    Region::Prose => {
                        let hashes = line.chars().take_while(|&c| c == '#').count();
                        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
                            out.push(symbol(
                                line[hashes..].trim().to_owned(),
                                Some(format!("h{hashes}")),
                                SymbolKind::STRING,
                                line_range(&text, pos),
                                Vec::new(),
                            ));
                        }
                    }
                    Region::Block { kind, start } if start == i => {
                        let name = lines[i..]
                            .iter()
                            .take_while(|l| !l.trim_start().starts_with("```"))
                            .find_map(|l| {
                                l.trim()
                                    .strip_prefix("ref:")
                                    .or_else(|| l.trim().strip_prefix("src:"))
                            })
                            .map(|v| v.trim().to_owned())
                            .unwrap_or_default();
                        out.push(symbol(
                            name,
                            Some(kind),
                            SymbolKind::OBJECT,
                            line_range(&text, pos),
                            Vec::new(),
                        ));
                    }
                    _ => {}
                }
            }
            out
        }
        FileKind::Units | FileKind::Other => return None,
    };
    Some(DocumentSymbolResponse::Nested(out))
}
