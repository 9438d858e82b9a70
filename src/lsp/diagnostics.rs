//! `moment` diagnostics as LSP diagnostics: the same code, message, position and hint
//! as `moment check`, with the position in UTF-16 and a range over the word there.

use std::collections::BTreeMap;

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range,
};

use super::position::{LineIndex, word_at};
use super::workspace::Workspace;
use crate::diagnostic::{Code, Diagnostic, Severity};

/// The diagnostics of one check, by file.
pub fn by_file(diags: &[Diagnostic]) -> BTreeMap<String, Vec<Diagnostic>> {
    let mut out: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
    for d in diags {
        out.entry(d.file.clone()).or_default().push(d.clone());
    }
    out
}

/// The range a diagnostic covers in `text`: from its position over the word there, or
/// one character when there is no word.
pub fn range_of(d: &Diagnostic, text: &str, index: &LineIndex) -> Range {
    let start = index.offset_of_pos(text, d.pos());
    let (word_start, word_end) = word_at(text, start);
    let end = if word_start == start && word_end > start {
        word_end
    } else {
        let (_, line_end) = index.line_span(text, index.position(text, start).line as usize);
        text[start..line_end]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8())
    };
    index.range(text, start, end)
}

/// One diagnostic for the editor; `text` is the file's text (buffer or disk) when known.
pub fn to_lsp(d: &Diagnostic, text: Option<&str>, workspace: &Workspace) -> lsp_types::Diagnostic {
    let range = match text {
        Some(text) => range_of(d, text, &LineIndex::new(text)),
        None => {
            let at = Position::new(d.line.saturating_sub(1), d.column.saturating_sub(1));
            Range::new(at, at)
        }
    };
    let mut message = d.message.clone();
    if let Some(hint) = &d.hint {
        message.push_str("\nhint: ");
        message.push_str(hint);
    }
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_owned())),
        code_description: None,
        source: Some("moment".to_owned()),
        message,
        related_information: related(d, workspace),
        tags: None,
        data: Some(serde_json::json!({ "hint": d.hint })),
    }
}

/// The other file a diagnostic is about, when there is one: the form of a failing form
/// test, the moment.yaml of an unused form.
fn related(d: &Diagnostic, workspace: &Workspace) -> Option<Vec<DiagnosticRelatedInformation>> {
    let (rel, message) = match d.code {
        Code::FormTestFailed | Code::FormTestReference => {
            let form = d.file.strip_suffix(".tests.yaml")?;
            (format!("{form}.yaml"), "the form these scenarios test")
        }
        Code::UnusedForm | Code::ScheduleUnused => {
            let moment = super::workspace::moment_of(&d.file)?;
            (
                format!("moments/{moment}/moment.yaml"),
                "the modules listed here place forms with ```form blocks",
            )
        }
        _ => return None,
    };
    let uri = workspace.uri(&rel)?;
    Some(vec![DiagnosticRelatedInformation {
        location: Location::new(uri, Range::default()),
        message: message.to_owned(),
    }])
}
