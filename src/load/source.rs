//! Reading source files as text: through the safe reader, UTF-8 only, no binary junk,
//! byte order marks dropped.

use std::path::Path;

use super::fsread::{self, MAX_TEXT_BYTES, Refusal};
use crate::diagnostic::{Code, Diagnostic, Pos};

/// Reads the text file `rel` (relative to `root`, `/`-separated) through the safe
/// reader ([`super::fsread`]): no symbolic links, only regular files, at most
/// [`MAX_TEXT_BYTES`]. `rel` is also the name reported in diagnostics.
///
/// A byte order mark is removed with a warning; unreadable, special, oversized,
/// non-UTF-8 and binary files give an error and `None`.
pub fn read_text(root: &Path, rel: &str, out: &mut Vec<Diagnostic>) -> Option<String> {
    match fsread::read(root, rel, MAX_TEXT_BYTES) {
        Ok(bytes) => decode(bytes, rel, out),
        Err(refusal) => {
            out.push(refusal_diagnostic(&refusal, rel));
            None
        }
    }
}

/// The diagnostic for a file the safe reader refused, in file `rel` at its start.
pub fn refusal_diagnostic(refusal: &Refusal, rel: &str) -> Diagnostic {
    let d = match refusal {
        Refusal::Missing => Diagnostic::new(Code::Unreadable, "the file does not exist")
            .with_hint("check that the file exists and is readable"),
        Refusal::Symlink => Diagnostic::new(
            Code::PathEscapes,
            "the file, or a folder on the way to it, is a symbolic link, which moment never follows",
        )
        .with_hint("replace the link with the file itself (a copy), inside the moment's folder"),
        Refusal::NotRegular(kind) => Diagnostic::new(
            Code::NotRegularFile,
            format!("the file is {}, not a regular file; it was not opened", kind.describe()),
        )
        .with_hint("sources and media must be ordinary files; replace it with the file's content"),
        Refusal::TooLarge { limit } => Diagnostic::new(
            Code::FileTooLarge,
            format!("the file is larger than the limit of {}", human_size(*limit)),
        )
        .with_hint("split the text into several files (modules), or make the media file smaller"),
        Refusal::Io(e) => Diagnostic::new(Code::Unreadable, format!("cannot read the file: {e}"))
            .with_hint("check that the file exists and is readable"),
    };
    d.in_file(rel)
}

/// A byte count for people: `1 MiB`, `256 MiB`, `512 bytes`.
pub fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
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
