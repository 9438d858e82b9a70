//! Hover: on a diagnostic, its `moment explain` text; on a key, the field's title and
//! description from the schema.

use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use super::completion::yaml_part;
use super::diagnostics::range_of;
use super::syntax;
use super::view::View;
use crate::diagnostic::explain;

/// Answers `textDocument/hover`.
pub fn hover(view: &View<'_>, params: &HoverParams) -> Option<Hover> {
    let at = &params.text_document_position_params;
    let text = view.text_of(&at.text_document.uri)?;
    let pos = at.position;
    let mut parts: Vec<String> = Vec::new();
    for d in view.published.get(&text.rel).into_iter().flatten() {
        let range = range_of(d, &text.text, &text.index);
        let inside = range.start <= pos
            && (pos <= range.end || (range.start.line == pos.line && range.end == range.start));
        if inside {
            let mut entry = format!("**{}** {}", d.code, d.message);
            if let Some(hint) = &d.hint {
                entry.push_str(&format!("\n\n*hint:* {hint}"));
            }
            if let Some(explained) = explain::entry(d.code) {
                entry.push_str("\n\n");
                entry.push_str(explained);
            }
            parts.push(entry);
        }
    }
    if parts.is_empty() {
        let lines = text.lines();
        let (line, column) = text.line_col(pos);
        let yaml = yaml_part(&text, &lines, line)?;
        let path = syntax::key_at(&yaml.lines, yaml.line, column)?;
        parts.push(view.schemas.get(yaml.schema)?.describe(&path)?);
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range: None,
    })
}
