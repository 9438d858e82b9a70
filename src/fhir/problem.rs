//! One problem of an import or export: a code, the JSON path of the element it is
//! about, a message and a hint; turned into a [`Diagnostic`] at the element's line
//! and column.

use crate::diagnostic::{Code, Diagnostic, Pos};

use super::json::Doc;

/// A problem at a JSON path.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The code.
    pub code: Code,
    /// The JSON path, such as `item[2].answerOption[0]`; empty for the whole file.
    pub path: String,
    /// What is wrong or was not carried over.
    pub message: String,
    /// How to go on.
    pub hint: Option<String>,
    /// A known position (parse errors); otherwise the path's.
    pub pos: Option<Pos>,
}

impl Problem {
    /// A problem with `code` at `path`.
    pub fn new(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            code,
            path: path.into(),
            message: message.into(),
            hint: None,
            pos: None,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the position.
    pub fn at(mut self, pos: Pos) -> Self {
        self.pos = Some(pos);
        self
    }

    /// The path as FHIRPath-like text, `Questionnaire.item[2]`.
    pub fn display_path(&self) -> String {
        if self.path.is_empty() {
            "Questionnaire".to_owned()
        } else {
            format!("Questionnaire.{}", self.path)
        }
    }

    /// The diagnostic in `file`, positioned through `doc` when there is one.
    pub fn diagnostic(&self, file: &str, doc: Option<&Doc>) -> Diagnostic {
        let pos = self
            .pos
            .or_else(|| doc.map(|d| d.pos(&self.path)))
            .unwrap_or(Pos::START);
        let message = if self.path.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", self.display_path(), self.message)
        };
        let d = Diagnostic::new(self.code, message)
            .in_file(file)
            .at_pos(pos);
        match &self.hint {
            Some(h) => d.with_hint(h.clone()),
            None => d,
        }
    }
}
