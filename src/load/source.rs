//! Reading source files as text: through the safe reader, UTF-8 only, no binary junk,
//! byte order marks dropped.

use std::path::Path;

use super::fsread::{self, MAX_TEXT_BYTES, Refusal};
use crate::diagnostic::msg::Files;
use crate::diagnostic::{Code, Diagnostic, Pos};

/// Reads the text file `rel` (relative to `root`, `/`-separated) through the safe
/// reader ([`super::fsread`]): no symbolic links, only regular files, at most
/// [`MAX_TEXT_BYTES`]. `rel` is also the name reported in diagnostics.
///
/// A byte order mark is removed with a warning; unreadable, special, oversized,
/// non-UTF-8 and binary files give an error and `None`.
pub fn read_text(root: &Path, rel: &str, out: &mut Vec<Diagnostic>) -> Option<String> {
    read_text_in(root, rel, &mut fsread::Seen::default(), out)
}

/// [`read_text`], asking `seen` first.
pub fn read_text_in(
    root: &Path,
    rel: &str,
    seen: &mut fsread::Seen,
    out: &mut Vec<Diagnostic>,
) -> Option<String> {
    match fsread::read_in(root, rel, MAX_TEXT_BYTES, seen) {
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
        Refusal::Missing => {
            Diagnostic::new(Code::Unreadable, Files::FileMissing).with_hint(Files::CheckReadable)
        }
        Refusal::Symlink => {
            Diagnostic::new(Code::PathEscapes, Files::SymlinkFile).with_hint(Files::ReplaceLink)
        }
        Refusal::NotRegular(kind) => Diagnostic::new(
            Code::NotRegularFile,
            Files::NotRegular { kind: kind.word() },
        )
        .with_hint(Files::NotRegularHint),
        Refusal::TooLarge { limit } => Diagnostic::new(
            Code::FileTooLarge,
            Files::TooLarge {
                limit: human_size(*limit),
            },
        )
        .with_hint(Files::TooLargeHint),
        Refusal::Io(e) => Diagnostic::new(
            Code::Unreadable,
            Files::Io {
                error: e.to_string(),
            },
        )
        .with_hint(Files::CheckReadable),
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
            Diagnostic::new(Code::ByteOrderMark, Files::Bom)
                .in_file(rel)
                .with_hint(Files::BomHint),
        );
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let pos = position_of_byte(&bytes, at);
        out.push(
            Diagnostic::new(Code::Unreadable, Files::Nul)
                .in_file(rel)
                .at_pos(pos)
                .with_hint(Files::NulHint),
        );
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let pos = position_of_byte(e.as_bytes(), at);
            out.push(
                Diagnostic::new(Code::Unreadable, Files::NotUtf8)
                    .in_file(rel)
                    .at_pos(pos)
                    .with_hint(Files::NotUtf8Hint),
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
