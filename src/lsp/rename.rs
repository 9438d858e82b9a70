//! Rename a form id or an item id across the moment: a form's `id:`, its file (and its
//! tests' file) and every `ref:` to it; an item's `id:`, the conditions, sums and alerts
//! that name it, and the answers and hidden items of the form's tests.

use std::collections::BTreeMap;

use lsp_types::{
    DocumentChangeOperation, DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier,
    PrepareRenameResponse, Range, RenameFile, RenameParams, ResourceOp, TextDocumentEdit,
    TextDocumentPositionParams, TextEdit, WorkspaceEdit,
};

use super::facts::{self, FormFacts};
use super::position::word_at;
use super::view::{Text, View};
use super::workspace::{FileKind, form_stem, moment_of};
use crate::diagnostic::Pos;

/// What is renamed.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// A form: its id and the moment folder.
    Form { moment: String, id: String },
    /// An item of the form `form_rel`.
    Item { form_rel: String, id: String },
}

/// What the cursor is on, with the range of the name.
fn target(
    view: &View<'_>,
    text: &Text,
    at: &TextDocumentPositionParams,
) -> Option<(Target, Range)> {
    let moment = moment_of(&text.rel)?.to_owned();
    let lines = text.lines();
    let (line, column) = text.line_col(at.position);
    let current = lines.get(line).copied()?;
    let (ws, we) = word_at(current, column);
    let word = current.get(ws..we)?;
    if word.is_empty() {
        return None;
    }
    let range = text.range(line, ws, we);
    match text.kind() {
        FileKind::Markdown => {
            let (_, _, id) = facts::form_refs(&lines)
                .into_iter()
                .find(|(l, _, id)| *l == line && id == word)?;
            Some((Target::Form { moment, id }, range))
        }
        FileKind::Form | FileKind::FormTests => {
            let stem = form_stem(&text.rel)?;
            let form_rel = format!("moments/{moment}/forms/{stem}.yaml");
            if text.kind() == FileKind::Form && word == stem && current.starts_with("id:") {
                return Some((
                    Target::Form {
                        moment,
                        id: stem.to_owned(),
                    },
                    range,
                ));
            }
            let form = facts::parse(&view.text(&form_rel)?.text)?;
            FormFacts::of(&form)
                .items
                .iter()
                .any(|i| i.id == word)
                .then(|| {
                    (
                        Target::Item {
                            form_rel,
                            id: word.to_owned(),
                        },
                        range,
                    )
                })
        }
        _ => None,
    }
}

/// Answers `textDocument/prepareRename`.
pub fn prepare(
    view: &View<'_>,
    params: &TextDocumentPositionParams,
) -> Option<PrepareRenameResponse> {
    let text = view.text_of(&params.text_document.uri)?;
    let (_, range) = target(view, &text, params)?;
    Some(PrepareRenameResponse::Range(range))
}

fn valid_slug(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn valid_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The range of the id `old` written at `pos` (after a quote, if quoted).
fn id_range(text: &Text, pos: Pos, old: &str) -> Range {
    let start = text.index.offset_of_pos(&text.text, pos);
    let start = start + usize::from(text.text[start..].starts_with(['"', '\'']));
    text.index.range(&text.text, start, start + old.len())
}

/// Answers `textDocument/rename`.
pub fn rename(view: &View<'_>, params: &RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let at = &params.text_document_position;
    let Some(text) = view.text_of(&at.text_document.uri) else {
        return Ok(None);
    };
    let Some((target, _)) = target(view, &text, at) else {
        return Err("only a form id or an item id can be renamed here".to_owned());
    };
    let new = params.new_name.trim();
    let mut edits: BTreeMap<String, Vec<TextEdit>> = BTreeMap::new();
    let mut moves: Vec<(String, String)> = Vec::new();
    match &target {
        Target::Form { moment, id } => {
            if !valid_slug(new) {
                return Err(format!(
                    "`{new}` is not a form id: use lowercase letters, digits and single hyphens"
                ));
            }
            let dir = format!("moments/{moment}");
            let form_rel = format!("{dir}/forms/{id}.yaml");
            if view
                .workspace
                .root
                .join(format!("{dir}/forms/{new}.yaml"))
                .exists()
            {
                return Err(format!("the form `{new}` exists already"));
            }
            if let Some(form) = view.text(&form_rel)
                && let Some(node) = facts::parse(&form.text)
                && let Some(id_node) = node.get("id")
            {
                edits
                    .entry(form_rel.clone())
                    .or_default()
                    .push(TextEdit::new(
                        id_range(&form, id_node.pos, id),
                        new.to_owned(),
                    ));
            }
            for md in view
                .files_under(&dir)
                .into_iter()
                .filter(|f| f.ends_with(".md"))
            {
                let rel = format!("{dir}/{md}");
                let Some(doc) = view.text(&rel) else { continue };
                let lines = doc.lines();
                for (line, column, found) in facts::form_refs(&lines) {
                    if &found == id {
                        edits.entry(rel.clone()).or_default().push(TextEdit::new(
                            doc.range(line, column, column + id.len()),
                            new.to_owned(),
                        ));
                    }
                }
            }
            moves.push((form_rel, format!("{dir}/forms/{new}.yaml")));
            let tests = format!("{dir}/forms/{id}.tests.yaml");
            if view.workspace.root.join(&tests).exists() {
                moves.push((tests, format!("{dir}/forms/{new}.tests.yaml")));
            }
        }
        Target::Item { form_rel, id } => {
            if !valid_ident(new) {
                return Err(format!(
                    "`{new}` is not an item id: start with a letter, then letters, digits, _ or -"
                ));
            }
            let form = view.text(form_rel).ok_or("the form cannot be read")?;
            let node =
                facts::parse(&form.text).ok_or("the form does not parse; fix its YAML first")?;
            if FormFacts::of(&node).items.iter().any(|i| i.id == new) {
                return Err(format!("the form has an item `{new}` already"));
            }
            let list = edits.entry(form_rel.clone()).or_default();
            for pos in facts::item_refs_in_form(&node, id) {
                list.push(TextEdit::new(id_range(&form, pos, id), new.to_owned()));
            }
            let tests_rel = format!("{}.tests.yaml", form_rel.trim_end_matches(".yaml"));
            if let Some(tests) = view.text(&tests_rel)
                && let Some(node) = facts::parse(&tests.text)
            {
                for pos in facts::item_refs_in_tests(&node, id) {
                    edits
                        .entry(tests_rel.clone())
                        .or_default()
                        .push(TextEdit::new(id_range(&tests, pos, id), new.to_owned()));
                }
            }
        }
    }
    let mut ops = Vec::new();
    for (rel, list) in edits {
        if list.is_empty() {
            continue;
        }
        let Some(uri) = view.uri(&rel) else { continue };
        let version = view.docs.get(&rel).map(|d| d.version);
        ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
            edits: list.into_iter().map(OneOf::Left).collect(),
        }));
    }
    for (from, to) in moves {
        let (Some(old_uri), Some(new_uri)) = (view.uri(&from), view.uri(&to)) else {
            continue;
        };
        ops.push(DocumentChangeOperation::Op(ResourceOp::Rename(
            RenameFile {
                old_uri,
                new_uri,
                options: None,
                annotation_id: None,
            },
        )));
    }
    Ok(Some(WorkspaceEdit {
        changes: None,
        document_changes: Some(DocumentChanges::Operations(ops)),
        change_annotations: None,
    }))
}
