//! Diagnostics: what went wrong, where, and how to fix it, as structured data.
//!
//! Every stage reports problems as [`Diagnostic`] values; only the report stage turns
//! them into text, and only `main` turns them into an exit code.

mod code;
pub mod explain;
mod lang;
pub mod msg;
mod text;
pub mod yaml_advice;

pub use code::{Code, Severity};
pub use lang::Lang;
pub use text::{Message, Text};

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Line, starting at 1.
    pub line: u32,
    /// Column in characters, starting at 1.
    pub column: u32,
}

impl Pos {
    /// A position at `line`, `column` (both 1-based).
    pub fn new(line: u32, column: u32) -> Self {
        Pos { line, column }
    }

    /// The start of a file.
    pub const START: Pos = Pos { line: 1, column: 1 };
}

/// One problem found in the sources.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Diagnostic {
    /// Error or warning (after `--strict`, warnings may have become errors).
    pub severity: Severity,
    /// The stable code.
    #[serde(serialize_with = "code_str")]
    pub code: Code,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The file, relative to the repository root, with `/` separators.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// How to fix it, when that helps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// How many characters, from `column` on the same line, the offending text
    /// spans, when the stage knows; reports underline exactly that much.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// The message and hint in Swedish, when the catalogue has them (`message` and
    /// `hint` are English). Boxed: most diagnostics are made and dropped in English.
    #[serde(skip)]
    pub sv: Option<Box<Swedish>>,
}

/// The Swedish texts of a diagnostic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Swedish {
    /// The message.
    pub message: Option<String>,
    /// The hint.
    pub hint: Option<String>,
}

fn code_str<S: serde::Serializer>(code: &Code, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.as_str())
}

impl Diagnostic {
    /// A diagnostic with the code's own severity, at the start of no file yet.
    pub fn new(code: Code, message: impl Into<Text>) -> Self {
        let message = message.into();
        Diagnostic {
            severity: code.severity(),
            code,
            message: message.en,
            file: String::new(),
            line: 1,
            column: 1,
            hint: None,
            length: None,
            sv: message.sv.map(|m| {
                Box::new(Swedish {
                    message: Some(m),
                    hint: None,
                })
            }),
        }
    }

    /// Sets the file.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = file.into();
        self
    }

    /// Sets the position.
    pub fn at_pos(mut self, pos: Pos) -> Self {
        self.line = pos.line.max(1);
        self.column = pos.column.max(1);
        self
    }

    /// Sets the hint.
    pub fn with_hint(mut self, hint: impl Into<Text>) -> Self {
        self.help(hint);
        self
    }

    /// Sets how many characters from the column the offending text spans.
    pub fn spanning(mut self, length: usize) -> Self {
        self.length = u32::try_from(length).ok().filter(|&n| n > 0);
        self
    }

    /// Replaces the message, in every language.
    pub fn set_message(&mut self, message: impl Into<Text>) {
        let message = message.into();
        self.message = message.en;
        self.sv.get_or_insert_default().message = message.sv;
    }

    /// The message in `lang` (English when it has no translation).
    pub fn message_in(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => self
                .sv
                .as_ref()
                .and_then(|sv| sv.message.as_deref())
                .unwrap_or(&self.message),
            Lang::En => &self.message,
        }
    }

    /// The hint in `lang` (English when it has no translation).
    pub fn hint_in(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Sv => self
                .sv
                .as_ref()
                .and_then(|sv| sv.hint.as_deref())
                .or(self.hint.as_deref()),
            Lang::En => self.hint.as_deref(),
        }
    }

    /// The position as a [`Pos`].
    pub fn pos(&self) -> Pos {
        Pos::new(self.line, self.column)
    }
}

/// Sorts diagnostics by file, line and column, and drops exact duplicates.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.code, &b.message))
    });
    diags.dedup();
}

/// Collects diagnostics for one file, filling in its path.
#[derive(Debug)]
pub struct Sink<'a> {
    file: &'a str,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    /// A sink that files diagnostics under `file` into `out`.
    pub fn new(file: &'a str, out: &'a mut Vec<Diagnostic>) -> Self {
        Sink { file, out }
    }

    /// Reports a diagnostic at `pos` in this sink's file.
    pub fn report(&mut self, code: Code, pos: Pos, message: impl Into<Text>) -> &mut Diagnostic {
        self.out.push(
            Diagnostic::new(code, message)
                .in_file(self.file)
                .at_pos(pos),
        );
        self.out.last_mut().expect("just pushed")
    }

    /// Reports a ready diagnostic, filing it under this sink's file.
    pub fn push(&mut self, diag: Diagnostic) {
        self.out.push(diag.in_file(self.file));
    }
}

impl Diagnostic {
    /// Sets the hint on a diagnostic already filed (see [`Sink::report`]).
    pub fn help(&mut self, hint: impl Into<Text>) {
        let hint = hint.into();
        self.hint = Some(hint.en);
        self.sv.get_or_insert_default().hint = hint.sv;
    }

    /// Sets how many characters from the column the offending text spans, on a
    /// diagnostic already filed (see [`Sink::report`]).
    pub fn span(&mut self, length: usize) -> &mut Self {
        self.length = u32::try_from(length).ok().filter(|&n| n > 0);
        self
    }

    /// Removes the hint, in every language.
    pub fn clear_hint(&mut self) {
        self.hint = None;
        if let Some(sv) = &mut self.sv {
            sv.hint = None;
        }
    }
}
