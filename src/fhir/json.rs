//! Reading a FHIR JSON file within limits, and knowing the line and column of every
//! value by its JSON path (`item[2].answerOption[0].valueCoding`), so that every
//! problem points at the element it is about.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::problem::Problem;
use crate::diagnostic::{Code, Pos};

/// The largest FHIR file import reads: large published instruments are a few hundred
/// kilobytes.
pub const MAX_BYTES: u64 = 2 * 1024 * 1024;

/// A parsed JSON file with the position of every value.
#[derive(Debug)]
pub struct Doc {
    /// The file's text.
    pub text: String,
    /// The parsed value.
    pub root: Value,
    positions: HashMap<String, Pos>,
}

impl Doc {
    /// Where the value at `path` starts (the start of the file when unknown).
    pub fn pos(&self, path: &str) -> Pos {
        let mut p = path;
        loop {
            if let Some(pos) = self.positions.get(p) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return Pos::START,
            }
        }
    }
}

/// Why a file could not be read at all.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be opened or read (exit 2).
    Io(std::io::Error),
    /// The content is refused, with a diagnostic (exit 1).
    Refused(Problem),
}

/// Reads and parses `path`, refusing files over [`MAX_BYTES`], non-files and
/// anything that is not UTF-8 JSON.
pub fn read(path: &Path) -> Result<Doc, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(ReadError::Refused(
            Problem::new(
                Code::FhirTooLarge,
                "",
                format!(
                    "the file is larger than {} MiB, the most import reads",
                    MAX_BYTES / 1024 / 1024
                ),
            )
            .hint("a Questionnaire is a few hundred kilobytes at most; is this a Bundle or an export of a whole server?"),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        ReadError::Refused(Problem::new(
            Code::FhirNotJson,
            "",
            format!(
                "the file is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ))
    })?;
    parse(text).map_err(ReadError::Refused)
}

/// Parses `text` as JSON and indexes the position of every value.
pub fn parse(text: String) -> Result<Doc, Problem> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let root: Value = serde_json::from_str(body).map_err(|e| {
        let line = u32::try_from(e.line()).unwrap_or(u32::MAX);
        let column = u32::try_from(e.column()).unwrap_or(u32::MAX);
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_owned();
        Problem::new(Code::FhirNotJson, "", format!("not JSON: {message}"))
            .at(Pos::new(line, column))
            .hint("a FHIR Questionnaire is one JSON object starting with {\"resourceType\": \"Questionnaire\"; XML and Turtle are not read")
    })?;
    let mut positions = HashMap::new();
    let offset = text.len() - body.len();
    Scanner::new(&text, offset).value(String::new(), &mut positions);
    Ok(Doc {
        text,
        root,
        positions,
    })
}

/// Walks JSON text already known to be valid and records where each value starts.
struct Scanner<'a> {
    bytes: &'a [u8],
    text: &'a str,
    i: usize,
    line: u32,
    line_start: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, start: usize) -> Self {
        Scanner {
            bytes: text.as_bytes(),
            text,
            i: start,
            line: 1,
            line_start: 0,
        }
    }

    fn pos(&self) -> Pos {
        let column = self.text[self.line_start..self.i].chars().count() + 1;
        Pos::new(self.line, u32::try_from(column).unwrap_or(u32::MAX))
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.i) {
            match b {
                b'\n' => {
                    self.i += 1;
                    self.line += 1;
                    self.line_start = self.i;
                }
                b' ' | b'\t' | b'\r' => self.i += 1,
                _ => break,
            }
        }
    }

    fn string(&mut self) -> String {
        let start = self.i;
        self.i += 1;
        while let Some(&b) = self.bytes.get(self.i) {
            self.i += 1;
            match b {
                b'\\' => self.i += 1,
                b'"' => break,
                _ => {}
            }
        }
        serde_json::from_str(&self.text[start..self.i]).unwrap_or_default()
    }

    fn value(&mut self, path: String, out: &mut HashMap<String, Pos>) {
        self.skip_ws();
        out.insert(path.clone(), self.pos());
        match self.bytes.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                loop {
                    self.skip_ws();
                    match self.bytes.get(self.i) {
                        Some(b'}') | None => {
                            self.i += 1;
                            break;
                        }
                        Some(b',') => self.i += 1,
                        Some(b'"') => {
                            let key = self.string();
                            self.skip_ws();
                            self.i += 1; // ':'
                            let child = if path.is_empty() {
                                key
                            } else {
                                format!("{path}.{key}")
                            };
                            self.value(child, out);
                        }
                        Some(_) => self.i += 1,
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut n = 0;
                loop {
                    self.skip_ws();
                    match self.bytes.get(self.i) {
                        Some(b']') | None => {
                            self.i += 1;
                            break;
                        }
                        Some(b',') => self.i += 1,
                        Some(_) => {
                            self.value(format!("{path}[{n}]"), out);
                            n += 1;
                        }
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(&b) = self.bytes.get(self.i) {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.i += 1;
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_by_path() {
        let doc = parse("{\n  \"a\": [1,\n    {\"b\": \"x\\\"y\"}],\n  \"c\": true\n}".into())
            .expect("valid");
        assert_eq!(doc.pos("a"), Pos::new(2, 8));
        assert_eq!(doc.pos("a[1].b"), Pos::new(3, 11));
        assert_eq!(doc.pos("c"), Pos::new(4, 8));
        assert_eq!(doc.pos("c.nothing[3]"), Pos::new(4, 8));
    }
}
