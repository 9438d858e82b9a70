//! Positions: `moment`'s 1-based line and character column, LSP's 0-based line and
//! UTF-16 code unit, and byte offsets into a document, for LF and CRLF files alike.

use lsp_types::{Position, Range};

use crate::diagnostic::Pos;

/// Where each line of a text starts, to convert between offsets and positions.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text`. Lines end at `\n`; a `\r` before it belongs to the line break.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The number of lines (a text ending in a newline has an empty last line).
    pub fn lines(&self) -> usize {
        self.starts.len()
    }

    /// The byte range of line `line` (0-based) without its line break; clamped.
    pub fn line_span(&self, text: &str, line: usize) -> (usize, usize) {
        let line = line.min(self.starts.len() - 1);
        let start = self.starts[line];
        let mut end = self.starts.get(line + 1).map_or(self.len, |next| next - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end.max(start).min(text.len()))
    }

    /// The text of line `line` (0-based) without its line break.
    pub fn line<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let (start, end) = self.line_span(text, line);
        text.get(start..end).unwrap_or("")
    }

    /// The byte offset of an LSP position, clamped to the line's end and the text.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let (start, end) = self.line_span(text, pos.line as usize);
        let mut units = 0u32;
        for (i, c) in text[start..end].char_indices() {
            if units >= pos.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        end
    }

    /// The LSP position of a byte offset (moved back to a character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let (start, end) = self.line_span(text, line);
        let upto = offset.min(end).max(start);
        let character = text[start..upto].encode_utf16().count() as u32;
        Position::new(line as u32, character)
    }

    /// The LSP position of a diagnostic's 1-based line and character column.
    pub fn from_pos(&self, text: &str, pos: Pos) -> Position {
        let line = (pos.line.max(1) - 1) as usize;
        if line >= self.starts.len() {
            return self.position(text, text.len());
        }
        let content = self.line(text, line);
        let character = content
            .chars()
            .take((pos.column.max(1) - 1) as usize)
            .map(char::len_utf16)
            .sum::<usize>() as u32;
        Position::new(line as u32, character)
    }

    /// The byte offset of a diagnostic's 1-based line and character column.
    pub fn offset_of_pos(&self, text: &str, pos: Pos) -> usize {
        self.offset(text, self.from_pos(text, pos))
    }

    /// The LSP range of a byte range.
    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range::new(self.position(text, start), self.position(text, end))
    }
}

/// The characters of a name: ids, slugs, keys and file paths.
pub fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')
}

/// The byte range of the word (see [`is_word`]) around `offset` in `text`, which may be
/// empty.
pub fn word_at(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|&(_, c)| !is_word(c))
        .map_or(text.len(), |(i, _)| offset + i);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_emoji_as_two_units() {
        let text = "title: Sömn 😴 här: x\nnext";
        let index = LineIndex::new(text);
        // `här` starts after "title: Sömn 😴 " = 14 chars, 15 UTF-16 units.
        let p = index.from_pos(text, Pos::new(1, 15));
        assert_eq!(p, Position::new(0, 15));
        let off = index.offset(text, p);
        assert!(text[off..].starts_with("här"));
        assert_eq!(index.position(text, off), p);
    }

    #[test]
    fn crlf_line_breaks_are_not_part_of_lines() {
        let text = "a: 1\r\nbb: 2\r\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line(text, 0), "a: 1");
        assert_eq!(index.line(text, 1), "bb: 2");
        assert_eq!(index.offset(text, Position::new(1, 99)), 11);
        assert_eq!(index.position(text, 5), Position::new(0, 4));
        assert_eq!(index.from_pos(text, Pos::new(2, 5)), Position::new(1, 4));
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "å";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, Position::new(7, 7)), text.len());
        assert_eq!(index.position(text, 1), Position::new(0, 0));
        assert_eq!(index.from_pos(text, Pos::new(9, 9)), Position::new(0, 1));
    }

    #[test]
    fn words_are_ids_and_paths() {
        let text = "ref: somn-dagbok.v2 x";
        assert_eq!(word_at(text, 8), (5, 19));
        assert_eq!(word_at(text, 4), (4, 4));
    }
}
