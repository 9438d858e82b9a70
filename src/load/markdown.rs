//! Markdown files: front matter, CommonMark + GFM structure, and the fenced
//! `video`, `audio` and `form` blocks with their YAML bodies.

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options};

use super::schema::{SchemaKind, Schemas};
use crate::diagnostic::msg::Markdown as Msg;
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::load::yaml::{self, Node, Offset};
use crate::model::{AudioBlock, FormBlock, VideoBlock};

/// Deepest nesting of block quotes and lists in a Markdown text.
pub const MAX_NESTING: usize = 100;

/// The comrak options every stage uses: GFM extensions on, raw HTML never rendered.
pub fn options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.table = true;
    o.extension.strikethrough = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    // Columns are counted in bytes by comrak and converted to characters by
    // [`Columns`] only where a position is reported: comrak's own conversion
    // (`sourcepos_chars`) rescans the line for every node, which is quadratic in
    // the length of a line full of emphasis or table cells.
    o.render.r#unsafe = false;
    o
}

/// A heading.
#[derive(Clone, Debug, PartialEq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Plain text.
    pub text: String,
    /// GitHub-style anchor.
    pub slug: String,
    /// Where it is.
    pub pos: Pos,
}

/// A link or an image.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Destination as written.
    pub url: String,
    /// Link text, or an image's alt text.
    pub text: String,
    /// Where it is.
    pub pos: Pos,
    /// How many characters its markup spans from `pos` (0 when it spans lines).
    pub length: usize,
}

/// The kind of a fenced block with a YAML body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// ```` ```video ````.
    Video,
    /// ```` ```audio ````.
    Audio,
    /// ```` ```form ````.
    Form,
}

impl BlockKind {
    fn from_info(info: &str) -> Option<BlockKind> {
        match info.split_whitespace().next()? {
            "video" => Some(BlockKind::Video),
            "audio" => Some(BlockKind::Audio),
            "form" => Some(BlockKind::Form),
            _ => None,
        }
    }

    /// The info string.
    pub fn name(self) -> &'static str {
        match self {
            BlockKind::Video => "video",
            BlockKind::Audio => "audio",
            BlockKind::Form => "form",
        }
    }
}

/// A decoded fenced block.
#[derive(Clone, Debug, PartialEq)]
pub enum BlockSpec {
    /// A video.
    Video(VideoBlock),
    /// An audio recording.
    Audio(AudioBlock),
    /// A form.
    Form(FormBlock),
}

/// A fenced block with a YAML body.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// Its kind.
    pub kind: BlockKind,
    /// The fence line.
    pub pos: Pos,
    /// The YAML body, when it parsed.
    pub node: Option<Node>,
    /// The decoded body, when it is valid.
    pub spec: Option<BlockSpec>,
}

/// Word and sentence counts for the LIX readability index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProseCounts {
    /// Words.
    pub words: usize,
    /// Words longer than six letters.
    pub long_words: usize,
    /// Sentences.
    pub sentences: usize,
}

/// What the checks need to know about a Markdown text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Markdown {
    /// The file, relative to the repository root.
    pub rel: String,
    /// The Markdown after any front matter.
    pub body: String,
    /// Lines before the body in the file.
    pub line_offset: u32,
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// Links.
    pub links: Vec<Link>,
    /// Images (text is the alt text).
    pub images: Vec<Link>,
    /// Fenced media and form blocks.
    pub blocks: Vec<Block>,
    /// Where raw HTML appears.
    pub raw_html: Vec<Pos>,
    /// Prose statistics.
    pub prose: ProseCounts,
    /// The HTML, when the loader was asked to format it (see [`Format`]).
    pub formatted: Option<Formatted>,
}

/// Formats a parsed Markdown text (whose first line is line `line_offset + 1` of its
/// file) while its tree is at hand, so that the render stage need not parse it
/// again. The render stage supplies it; `None` leaves the text to be parsed again.
/// It is given the arena that holds the tree, for the nodes it makes.
pub type Format = for<'a> fn(&'a Arena<'a>, &'a AstNode<'a>, u32) -> Option<Formatted>;

/// A Markdown text formatted as HTML before its links could be resolved: each link's
/// and image's URL is a numbered slot that the render stage fills.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Formatted {
    /// The pieces of the text, in order.
    pub pieces: Vec<Piece>,
    /// The URL of each slot, as written.
    pub urls: Vec<String>,
}

/// A piece of a formatted Markdown text.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    /// Sanitised HTML, with slots.
    Html(String),
    /// A fenced media or form block, by the line of its fence in the file.
    Block(BlockKind, u32),
}

impl Markdown {
    /// The text of each paragraph, heading (as `## text`) and table cell, in order,
    /// with white space folded: what a reader reads, for comparing versions. Parsed
    /// again from the body when asked: only `moment diff` asks, and keeping them for
    /// every module made a check of 10,000 modules hold another copy of all its text.
    pub fn paragraphs(&self) -> Vec<String> {
        let arena = Arena::new();
        let root = comrak::parse_document(&arena, &self.body, &options());
        let mut out = Vec::new();
        for node in root.descendants() {
            match &node.data.borrow().value {
                NodeValue::Paragraph | NodeValue::TableCell => {
                    out.push(fold_space(&plain_text(node)));
                }
                NodeValue::Heading(h) => out.push(format!(
                    "{} {}",
                    "#".repeat(usize::from(h.level)),
                    fold_space(&plain_text(node))
                )),
                _ => {}
            }
        }
        out
    }
}

/// The characters a node spans on its line, from its start column `start` (in
/// characters); 0 when it spans lines.
fn span_length(columns: &mut Columns<'_>, at: &comrak::nodes::Sourcepos, start: usize) -> usize {
    if at.end.line != at.start.line {
        return 0;
    }
    (columns.char_column(at.end.line, at.end.column) + 1).saturating_sub(start)
}

/// Splits a module file into front matter and body.
///
/// Returns the front matter text, the body, and the line count before the body.
pub fn split_front_matter(text: &str) -> Result<(&str, &str, u32), Diagnostic> {
    let first = text.split_inclusive('\n').next().unwrap_or_default();
    if first.trim_end() != "---" {
        return Err(Diagnostic::new(Code::FrontMatter, Msg::NoFrontMatter)
            .with_hint(Msg::NoFrontMatterHint)
            .spanning(first.trim_end().chars().count()));
    }
    let start = first.len();
    let mut offset = start;
    for (n, line) in text[start..].split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let front = &text[start..offset];
            let body = &text[offset + line.len()..];
            return Ok((front, body, n as u32 + 2));
        }
        offset += line.len();
    }
    Err(Diagnostic::new(Code::FrontMatter, Msg::FrontMatterOpen)
        .with_hint(Msg::FrontMatterOpenHint)
        .spanning(3))
}

/// Parses `body` (whose first line is line `line_offset + 1` of `rel`), and formats
/// it with `format` when given. Problems in fenced block bodies go to `out`.
pub fn parse(
    rel: &str,
    body: &str,
    line_offset: u32,
    schemas: &Schemas,
    format: Option<Format>,
    out: &mut Vec<Diagnostic>,
) -> Markdown {
    let arena = Arena::new();
    let root = comrak::parse_document(&arena, body, &options());
    let mut md = Markdown {
        rel: rel.to_owned(),
        body: body.to_owned(),
        line_offset,
        ..Markdown::default()
    };
    let mut anchorizer = comrak::Anchorizer::new();
    let mut columns = Columns::new(body);
    let mut too_deep = false;
    // Depth-first in document order, counting nested block quotes and lists.
    let mut stack = vec![(root, 0usize)];
    while let Some((node, nesting)) = stack.pop() {
        let nesting = nesting
            + usize::from(matches!(
                node.data.borrow().value,
                NodeValue::BlockQuote | NodeValue::List(_)
            ));
        stack.extend(node.reverse_children().map(|c| (c, nesting)));
        let data = node.data.borrow();
        let char_column =
            columns.char_column(data.sourcepos.start.line, data.sourcepos.start.column);
        let pos = Pos::new(
            data.sourcepos.start.line as u32 + line_offset,
            char_column as u32,
        );
        if nesting > MAX_NESTING && !too_deep {
            too_deep = true;
            out.push(
                Diagnostic::new(Code::BeyondLimit, Msg::TooDeep { limit: MAX_NESTING })
                    .in_file(rel)
                    .at_pos(pos)
                    .with_hint(Msg::TooDeepHint),
            );
        }
        match &data.value {
            NodeValue::Heading(h) => {
                let text = plain_text(node);
                md.headings.push(Heading {
                    level: h.level,
                    slug: anchorizer.anchorize(&text),
                    text,
                    pos,
                });
            }
            NodeValue::Link(link) => md.links.push(Link {
                url: link.url.clone(),
                text: plain_text(node),
                pos,
                length: span_length(&mut columns, &data.sourcepos, char_column),
            }),
            NodeValue::Image(link) => md.images.push(Link {
                url: link.url.clone(),
                text: plain_text(node),
                pos,
                length: span_length(&mut columns, &data.sourcepos, char_column),
            }),
            NodeValue::HtmlBlock(_) | NodeValue::HtmlInline(_) => md.raw_html.push(pos),
            NodeValue::CodeBlock(code) if code.fenced => {
                if let Some(kind) = BlockKind::from_info(&code.info) {
                    let body_offset = Offset {
                        lines: data.sourcepos.start.line as u32 + line_offset,
                        columns: char_column.saturating_sub(1) as u32,
                    };
                    md.blocks.push(block(
                        kind,
                        pos,
                        &code.literal,
                        body_offset,
                        rel,
                        schemas,
                        out,
                    ));
                }
            }
            NodeValue::Paragraph | NodeValue::TableCell => {
                count_prose(&plain_text(node), &mut md.prose);
            }
            _ => {}
        }
        if let NodeValue::Heading(_) = data.value
            && let Some(heading) = md.headings.last()
        {
            count_prose(&heading.text, &mut md.prose);
        }
    }
    md.formatted = format.and_then(|f| f(&arena, root, line_offset));
    md
}

/// Converts comrak's 1-based byte columns to 1-based character columns.
///
/// Nodes are visited in document order, so positions only grow: a cursor remembers
/// the last conversion and counts on from there, which keeps the total work linear
/// in the size of the text.
struct Columns<'t> {
    text: &'t str,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// The last conversion: line, byte column, character column.
    cursor: (usize, usize, usize),
}

impl<'t> Columns<'t> {
    fn new(text: &'t str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Columns {
            text,
            line_starts,
            cursor: (0, 1, 1),
        }
    }

    fn char_column(&mut self, line: usize, byte_column: usize) -> usize {
        let Some(&start) = line.checked_sub(1).and_then(|l| self.line_starts.get(l)) else {
            return byte_column.max(1);
        };
        let (last_line, last_byte, last_char) = self.cursor;
        let (from_byte, from_char) = if last_line == line && last_byte <= byte_column {
            (last_byte, last_char)
        } else {
            (1, 1)
        };
        let end = (start + byte_column.saturating_sub(1)).min(self.text.len());
        let begin = (start + from_byte - 1).min(end);
        let counted = self
            .text
            .get(begin..end)
            .map_or(end - begin, |part| part.chars().count());
        let char_column = from_char + counted;
        self.cursor = (line, byte_column, char_column);
        char_column
    }
}

fn block(
    kind: BlockKind,
    pos: Pos,
    literal: &str,
    offset: Offset,
    rel: &str,
    schemas: &Schemas,
    out: &mut Vec<Diagnostic>,
) -> Block {
    let mut block = Block {
        kind,
        pos,
        node: None,
        spec: None,
    };
    let parsed = yaml::parse_recovering(literal, offset);
    let refused = !parsed.problems.is_empty();
    out.extend(parsed.problems.into_iter().map(|d| d.in_file(rel)));
    let node = match parsed.node {
        Some(node) => node,
        None if refused => return block,
        None => {
            out.push(
                Diagnostic::new(Code::EmptyFile, Msg::EmptyBlock { kind: kind.name() })
                    .in_file(rel)
                    .at_pos(pos)
                    .with_hint(match kind {
                        BlockKind::Form => Msg::EmptyFormBlockHint,
                        _ => Msg::EmptyMediaBlockHint,
                    }),
            );
            return block;
        }
    };
    if !parsed.complete {
        block.node = Some(node);
        return block;
    }
    let schema = match kind {
        BlockKind::Video => SchemaKind::Video,
        BlockKind::Audio => SchemaKind::Audio,
        BlockKind::Form => SchemaKind::FormBlock,
    };
    let mut found = Vec::new();
    if let Some(json) = schemas.validate(schema, &node, &mut found) {
        block.spec = match kind {
            BlockKind::Video => serde_json::from_value(json).ok().map(BlockSpec::Video),
            BlockKind::Audio => serde_json::from_value(json).ok().map(BlockSpec::Audio),
            BlockKind::Form => serde_json::from_value(json).ok().map(BlockSpec::Form),
        };
    }
    out.extend(found.into_iter().map(|d| d.in_file(rel)));
    block.node = Some(node);
    block
}

/// Folds runs of white space into single spaces and trims.
pub fn fold_space(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        folded.push_str(word);
    }
    folded
}

/// The text of a node and its descendants, as a reader hears it.
pub fn plain_text<'a>(node: &'a AstNode<'a>) -> String {
    let mut text = String::new();
    for d in node.descendants() {
        match &d.data.borrow().value {
            NodeValue::Text(t) => text.push_str(t),
            NodeValue::Code(c) => text.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

/// A letter or digit: part of a word.
const WORD: u8 = 1;
/// White space: ends a sentence after an end mark.
const WHITE: u8 = 2;
/// `.`, `!`, `?` or `:`: ends a sentence before white space or the end.
const END: u8 = 4;

/// The class of each ASCII byte, so that counting needs no branch per byte.
static ASCII_CLASS: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0u8;
    while b < 128 {
        table[b as usize] = if b.is_ascii_alphanumeric() {
            WORD
        } else if matches!(b, b'\t'..=b'\r' | b' ') {
            WHITE
        } else if matches!(b, b'.' | b'!' | b'?' | b':') {
            END
        } else {
            0
        };
        b += 1;
    }
    table
};

/// Adds the words and sentences of one block of text.
///
/// A word is a run of letters and digits; a sentence ends at `.`, `!`, `?` or `:`
/// before white space or the end, and a text that does not end so still counts as
/// one. One pass over the bytes, looking ASCII up in a table and decoding only the
/// characters outside it: this runs on every paragraph of every module.
pub fn count_prose(text: &str, counts: &mut ProseCounts) {
    let text = text.trim_end();
    let bytes = text.as_bytes();
    let (mut words, mut long_words, mut sentences) = (0usize, 0usize, 0usize);
    let mut word_len = 0usize;
    let mut pending_end = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let class = if let Some(&class) = ASCII_CLASS.get(usize::from(b)) {
            i += 1;
            class
        } else {
            let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            i += c.len_utf8();
            if is_word_char(c) {
                WORD
            } else if c.is_whitespace() {
                WHITE
            } else {
                0
            }
        };
        sentences += usize::from(pending_end && class & WHITE != 0);
        pending_end = class & END != 0;
        let in_word = usize::from(class & WORD != 0);
        let ended = (1 - in_word) & usize::from(word_len > 0);
        words += ended;
        long_words += ended & usize::from(word_len > 6);
        word_len = (word_len + 1) * in_word;
    }
    if word_len > 0 {
        words += 1;
        long_words += usize::from(word_len > 6);
    }
    if words == 0 {
        return;
    }
    // The last sentence: ended by its mark, or by the end of the text.
    sentences += 1;
    counts.words += words;
    counts.long_words += long_words;
    counts.sentences += sentences;
}

/// `char::is_alphanumeric` of a character outside ASCII (ASCII is in
/// [`ASCII_CLASS`]), answered without Unicode tables for the letters of Swedish.
#[inline]
fn is_word_char(c: char) -> bool {
    matches!(c, 'å' | 'ä' | 'ö' | 'Å' | 'Ä' | 'Ö' | 'é' | 'ü') || c.is_alphanumeric()
}

/// The LIX readability index of the counts, when there is text enough to judge.
pub fn lix(counts: &ProseCounts) -> Option<f64> {
    if counts.words < 40 || counts.sentences == 0 {
        return None;
    }
    let words = counts.words as f64;
    Some(words / counts.sentences as f64 + 100.0 * counts.long_words as f64 / words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_split() {
        let (front, body, offset) = split_front_matter("---\ntitle: A\n---\nHej\n").unwrap();
        assert_eq!(front, "title: A\n");
        assert_eq!(body, "Hej\n");
        assert_eq!(offset, 3);
        assert!(split_front_matter("title: A\n").is_err());
        assert!(split_front_matter("---\ntitle: A\n").is_err());
    }

    #[test]
    fn columns_count_characters() {
        let schemas = Schemas::compile();
        let mut out = Vec::new();
        let md = parse(
            "x.md",
            "Åäö **ö** [a](a.md) ![b](b.png)\n> ö [c](c.md)\n",
            0,
            &schemas,
            None,
            &mut out,
        );
        assert_eq!(md.links[0].pos, Pos::new(1, 11));
        assert_eq!(md.images[0].pos, Pos::new(1, 21));
        assert_eq!(md.links[1].pos, Pos::new(2, 5));
    }

    /// The first, plainer implementation of [`count_prose`], kept as its reference.
    fn count_prose_reference(text: &str, counts: &mut ProseCounts) {
        let mut words = 0;
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            words += 1;
            if word.chars().count() > 6 {
                counts.long_words += 1;
            }
        }
        if words == 0 {
            return;
        }
        counts.words += words;
        let chars: Vec<char> = text.trim_end().chars().collect();
        let mut sentences = 0;
        for (i, c) in chars.iter().enumerate() {
            let ends = matches!(c, '.' | '!' | '?' | ':');
            if ends && chars.get(i + 1).is_none_or(|n| n.is_whitespace()) {
                sentences += 1;
            }
        }
        if !matches!(chars.last(), Some('.' | '!' | '?' | ':')) {
            sentences += 1;
        }
        counts.sentences += sentences.max(1);
    }

    #[test]
    fn prose_counts_agree_with_the_reference() {
        let texts = [
            "",
            "   ",
            "...",
            "Hej",
            "Hej.",
            "Hej. ",
            "Hej.Då",
            "Ring 112 om det är akut. Sömnbesvär påverkar: allt!",
            "Vad?  Nu!\tJa:\nNej",
            "Långaord överallt, överraskningar.  ",
            "emoji 😴 sömn… slut",
            "a.b.c. d",
            ": :",
            "Åäöåäöå ÅÄÖÅÄÖ",
            "Slut.\u{a0}Nästa.\u{2028}Sista.\u{3000}",
            "Ja.\u{b}Nej.\u{c}Kanske\r\nSå:\u{1c}inte",
            "Ordet ÉLAN, ŸÆØ œuvre. ١٢٣ ٤ ½ ⅓.",
        ];
        for text in texts {
            let (mut fast, mut plain) = (ProseCounts::default(), ProseCounts::default());
            count_prose(text, &mut fast);
            count_prose_reference(text, &mut plain);
            assert_eq!(fast, plain, "{text:?}");
        }
    }

    #[test]
    fn lix_of_plain_swedish() {
        let mut c = ProseCounts::default();
        count_prose("Jag sover bra. Du sover också bra på natten.", &mut c);
        assert_eq!(c.words, 9);
        assert_eq!(c.sentences, 2);
        assert_eq!(c.long_words, 0);
    }
}
