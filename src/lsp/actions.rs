//! Quick fixes for the diagnostics the editor shows: apply a "did you mean" suggestion,
//! put an alt text placeholder into an image without one, set a skipped heading's level.

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, DocumentChanges,
    NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit,
    WorkspaceEdit,
};

use super::view::{Text, View};

/// The alt text put into an image without one: it says what the designer must do, and
/// `moment check` keeps warning (W001) until it is replaced by a real description.
pub use crate::validate::ALT_PLACEHOLDER;

/// Answers `textDocument/codeAction`.
pub fn actions(view: &View<'_>, params: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let text = view.text_of(&params.text_document.uri)?;
    let mut out = Vec::new();
    for d in &params.context.diagnostics {
        if d.source.as_deref() != Some("moment") {
            continue;
        }
        let code = match &d.code {
            Some(NumberOrString::String(c)) => c.as_str(),
            _ => continue,
        };
        let hint = d
            .data
            .as_ref()
            .and_then(|v| v.get("hint"))
            .and_then(|h| h.as_str())
            .map(str::to_owned)
            .or_else(|| d.message.split_once("\nhint: ").map(|(_, h)| h.to_owned()))
            .unwrap_or_default();
        let line = d.range.start.line as usize;
        let (_, column) = text.line_col(d.range.start);
        let fix = match code {
            "W001" => alt_text(&text, line, column),
            "W004" => heading_level(&text, line, &hint),
            _ => did_you_mean(&text, line, column, &d.message, &hint),
        };
        if let Some((title, edit)) = fix {
            // Versioned, so that the editor refuses the fix if the text changed since.
            let change = TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: params.text_document.uri.clone(),
                    version: view.docs.get(&text.rel).map(|d| d.version),
                },
                edits: vec![OneOf::Left(edit)],
            };
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(WorkspaceEdit {
                    document_changes: Some(DocumentChanges::Edits(vec![change])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..CodeAction::default()
            }));
        }
    }
    Some(out)
}

/// The text between the first pair of backticks.
fn quoted(text: &str) -> Option<&str> {
    let start = text.find('`')? + 1;
    let end = start + text[start..].find('`')?;
    Some(&text[start..end])
}

fn did_you_mean(
    text: &Text,
    line: usize,
    column: usize,
    message: &str,
    hint: &str,
) -> Option<(String, TextEdit)> {
    let at = hint.find("did you mean `")? + "did you mean ".len();
    let suggestion = quoted(&hint[at..])?;
    let message = message.split("\nhint: ").next().unwrap_or(message);
    let wrong = quoted(message)?;
    if wrong.is_empty() || wrong == suggestion {
        return None;
    }
    let current = text.lines().get(line).copied()?;
    let start = current
        .get(column..)
        .and_then(|rest| rest.find(wrong).map(|i| column + i))
        .or_else(|| current.find(wrong))?;
    let range = text.range(line, start, start + wrong.len());
    Some((
        format!("Change `{wrong}` to `{suggestion}`"),
        TextEdit::new(range, suggestion.to_owned()),
    ))
}

fn alt_text(text: &Text, line: usize, column: usize) -> Option<(String, TextEdit)> {
    let current = text.lines().get(line).copied()?;
    let start = current
        .get(column..)
        .and_then(|rest| rest.find("![]").map(|i| column + i))
        .or_else(|| current.find("![]"))?;
    let range = text.range(line, start + 2, start + 2);
    Some((
        "Add an alt text placeholder".to_owned(),
        TextEdit::new(range, ALT_PLACEHOLDER.to_owned()),
    ))
}

fn heading_level(text: &Text, line: usize, hint: &str) -> Option<(String, TextEdit)> {
    let want = hint.strip_prefix("use ")?.split_whitespace().next()?;
    if want.is_empty() || !want.chars().all(|c| c == '#') {
        return None;
    }
    let current = text.lines().get(line).copied()?;
    let indent = current.len() - current.trim_start().len();
    let hashes = current[indent..].chars().take_while(|&c| c == '#').count();
    if hashes == 0 {
        return None;
    }
    let range = text.range(line, indent, indent + hashes);
    Some((
        format!("Make it a level-{} heading", want.len()),
        TextEdit::new(range, want.to_owned()),
    ))
}
