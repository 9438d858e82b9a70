//! Reading source files as text: UTF-8 only, no binary junk, byte order marks dropped.

use std::path::Path;

use crate::diagnostic::{Code, Diagnostic, Pos};

/// Reads `path` as UTF-8 text. `rel` is the name reported in diagnostics.
///
/// A byte order mark is removed with a warning; unreadable, non-UTF-8 and binary
/// files give an error and `None`.
pub fn read_text(path: &Path, rel: &str, out: &mut Vec<Diagnostic>) -> Option<String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            out.push(
                Diagnostic::new(Code::Unreadable, format!("cannot read the file: {e}"))
                    .in_file(rel)
                    .with_hint("check that the file exists and is readable"),
            );
            return None;
        }
    };
    decode(bytes, rel, out)
}

/// Decodes bytes read from `rel` (see [`read_text`]).
pub fn decode(mut bytes: Vec<u8>, rel: &str, out: &mut Vec<Diagnostic>) -> Option<String> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
        out.push(
            Diagnostic::new(
                Code::ByteOrderMark,
                "the file starts with a UTF-8 byte order mark",
            )
            .in_file(rel)
            .with_hint("save the file as UTF-8 without BOM; the mark is ignored"),
        );
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let pos = position_of_byte(&bytes, at);
        out.push(
            Diagnostic::new(
                Code::Unreadable,
                "the file contains NUL bytes: it looks like binary data, not text",
            )
            .in_file(rel)
            .at_pos(pos)
            .with_hint("moment sources are UTF-8 text; put binary files under media/"),
        );
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let pos = position_of_byte(e.as_bytes(), at);
            out.push(
                Diagnostic::new(Code::Unreadable, "the file is not valid UTF-8 text")
                    .in_file(rel)
                    .at_pos(pos)
                    .with_hint(
                        "save the file as UTF-8 (files saved as Latin-1 or UTF-16 show this)",
                    ),
            );
            None
        }
    }
}

fn position_of_byte(bytes: &[u8], at: usize) -> Pos {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u32
        + 1;
    Pos::new(line, column)
}
