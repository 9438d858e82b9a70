//! Where the cursor is in a YAML text, read from the text itself (which is often
//! broken while typing): the key path by indentation and flow brackets, the key being
//! typed or whose value is being typed; and which region of a Markdown file a line is
//! in (front matter, a `video`/`audio`/`form` block, or prose).

use super::position::is_word;

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// The value of a mapping key.
    Key(String),
    /// An element of a sequence.
    Item,
}

/// What the cursor is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The path of the mapping (or sequence) holding the cursor.
    pub path: Vec<Seg>,
    /// The key whose value is being typed, if any.
    pub key: Option<String>,
    /// Whether the cursor is where a key goes (and not a value).
    pub at_key: bool,
    /// The word before the cursor, being typed.
    pub partial: String,
    /// The byte column where `partial` starts on its line.
    pub partial_start: usize,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `line` without a trailing comment (a `#` after a space, outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return &line[..i],
            None => {}
        }
        prev = c;
    }
    line
}

/// The key of a block line `key: …` (after any `- ` markers), with its byte column.
fn block_key(content: &str, at: usize) -> Option<(String, usize)> {
    let key: String = content.chars().take_while(|&c| is_word(c)).collect();
    let rest = &content[key.len()..];
    if key.is_empty() || !(rest.starts_with(": ") || rest.trim_end() == ":") {
        return None;
    }
    Some((key, at))
}

/// Splits the `- ` markers off a line: the column where the content starts and the
/// columns of the dashes.
fn dashes(line: &str) -> (usize, Vec<usize>) {
    let mut at = indent(line);
    let mut found = Vec::new();
    loop {
        let rest = &line[at..];
        if rest.starts_with("- ") || rest == "-" {
            found.push(at);
            at += 1;
            at += line[at..].len() - line[at..].trim_start_matches(' ').len();
        } else {
            return (at, found);
        }
    }
}

/// The path of the block mapping whose keys start at column `column` on line `line`,
/// from the lines above it.
fn block_path(lines: &[&str], line: usize, column: usize) -> Vec<Seg> {
    let mut path = Vec::new();
    let mut limit = column;
    for above in lines[..line.min(lines.len())].iter().rev() {
        if limit == 0 {
            break;
        }
        let text = strip_comment(above);
        if text.trim().is_empty() || text.trim_start().starts_with("---") {
            continue;
        }
        let (content_at, marks) = dashes(text);
        let content = &text[content_at..];
        if let Some((key, _)) = block_key(content, content_at)
            && content_at < limit
        {
            path.push(Seg::Key(key));
            limit = content_at;
        }
        for &dash in marks.iter().rev() {
            if dash < limit {
                path.push(Seg::Item);
                limit = dash;
            }
        }
        if marks.is_empty() && indent(text) < limit && block_key(content, content_at).is_none() {
            // A continuation line of a longer value: no structure.
            continue;
        }
    }
    path.reverse();
    path
}

/// The context at byte column `column` of line `line` of a YAML text given as lines.
pub fn context(lines: &[&str], line: usize, column: usize) -> Context {
    let current = lines.get(line).copied().unwrap_or("");
    let mut column = column.min(current.len());
    while !current.is_char_boundary(column) {
        column -= 1;
    }
    let prefix = &current[..column];
    let partial_start = prefix
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(column, |(i, _)| i);
    let partial = prefix[partial_start..].to_owned();
    let (content_at, marks) = dashes(prefix);
    let content_at = content_at.min(partial_start);
    let mut path = block_path(lines, line, marks.first().copied().unwrap_or(content_at));
    path.extend(marks.iter().map(|_| Seg::Item));
    // Flow structure and keys on the current line, up to the word being typed.
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut pending: Option<String> = None;
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let chars: Vec<char> = prefix[content_at.min(prefix.len())..partial_start]
        .chars()
        .collect();
    for (i, &c) in chars.iter().enumerate() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' if word.is_empty() => quote = Some(c),
            ':' if chars.get(i + 1).is_none_or(|n| n.is_whitespace()) => {
                pending = Some(std::mem::take(&mut word));
            }
            '{' | '[' => {
                let depth = path.len();
                if let Some(key) = pending.take() {
                    path.push(Seg::Key(key));
                }
                if c == '[' {
                    path.push(Seg::Item);
                }
                stack.push((c, depth));
                word.clear();
            }
            '}' | ']' => {
                if let Some((_, depth)) = stack.pop() {
                    path.truncate(depth);
                }
                pending = None;
                word.clear();
            }
            ',' => {
                pending = None;
                word.clear();
            }
            c if is_word(c) => word.push(c),
            c if c.is_whitespace() => {}
            _ => word.clear(),
        }
    }
    let in_seq = matches!(stack.last(), Some(('[', _)));
    let at_key = pending.is_none() && !in_seq && (stack.is_empty() || word.is_empty());
    Context {
        path,
        key: pending,
        at_key: at_key && !(marks.is_empty() && stack.is_empty() && !word.is_empty()),
        partial,
        partial_start,
    }
}

/// The key name under byte column `column` of a line, with the path of its value.
pub fn key_at(lines: &[&str], line: usize, column: usize) -> Option<Vec<Seg>> {
    let current = *lines.get(line)?;
    let (start, end) = super::position::word_at(current, column);
    let word = current.get(start..end)?;
    if word.is_empty() || !current[end..].starts_with(':') {
        return None;
    }
    let mut ctx = context(lines, line, start);
    ctx.path.push(Seg::Key(word.to_owned()));
    Some(ctx.path)
}

/// A region of a Markdown file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Region {
    /// The YAML front matter, whose YAML starts on line `start` (0-based).
    FrontMatter {
        /// First YAML line.
        start: usize,
    },
    /// A fenced `video`, `audio` or `form` block.
    Block {
        /// The info string.
        kind: String,
        /// First YAML line.
        start: usize,
    },
    /// Markdown text.
    Prose,
}

/// The region of line `line` in a Markdown file.
pub fn region(lines: &[&str], line: usize) -> Region {
    let mut fence: Option<(String, usize, usize)> = None; // (info, start, width)
    for (i, text) in lines.iter().enumerate().take(line + 1) {
        let trimmed = text.trim_end();
        if i == 0 && trimmed == "---" {
            let end = lines
                .iter()
                .enumerate()
                .skip(1)
                .find(|(_, l)| l.trim_end() == "---")
                .map_or(usize::MAX, |(e, _)| e);
            if line > 0 && line < end {
                return Region::FrontMatter { start: 1 };
            }
            continue;
        }
        let stripped = trimmed.trim_start();
        let ticks = stripped.chars().take_while(|&c| c == '`').count();
        match &fence {
            Some((_, _, width)) if ticks >= *width && stripped[ticks..].trim().is_empty() => {
                if i == line {
                    return Region::Prose;
                }
                fence = None;
            }
            None if ticks >= 3 => {
                let info = stripped[ticks..].trim().to_owned();
                fence = Some((info, i + 1, ticks));
            }
            _ => {}
        }
    }
    match fence {
        Some((info, start, _))
            if line >= start && matches!(info.as_str(), "video" | "audio" | "form") =>
        {
            Region::Block { kind: info, start }
        }
        _ => Region::Prose,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, marker: char) -> Context {
        let offset = text.find(marker).unwrap();
        let text = text.replacen(marker, "", 1);
        let lines: Vec<&str> = text.split('\n').collect();
        let line = text[..offset].matches('\n').count();
        let column = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
        context(&lines, line, column)
    }

    fn keys(path: &[&str]) -> Vec<Seg> {
        path.iter()
            .map(|s| {
                if *s == "[]" {
                    Seg::Item
                } else {
                    Seg::Key((*s).to_owned())
                }
            })
            .collect()
    }

    #[test]
    fn block_keys_in_list_items() {
        let c = at("id: f\nitems:\n  - id: q1\n    te|", '|');
        assert_eq!(c.path, keys(&["items", "[]"]));
        assert!(c.at_key);
        assert_eq!(c.partial, "te");
        let c = at("items:\n  - |", '|');
        assert_eq!(c.path, keys(&["items", "[]"]));
        assert!(c.at_key);
    }

    #[test]
    fn values_in_flow_maps_and_lists() {
        let c = at("items:\n  - id: q2\n    enable_when: {item: q|", '|');
        assert_eq!(c.path, keys(&["items", "[]", "enable_when"]));
        assert_eq!(c.key.as_deref(), Some("item"));
        assert_eq!(c.partial, "q");
        let c = at("scores:\n  - id: t\n    sum: [q1, |", '|');
        assert_eq!(c.path, keys(&["scores", "[]", "sum", "[]"]));
        assert!(!c.at_key);
        let c = at("- name: x\n  expect:\n    bands: {total: M|", '|');
        assert_eq!(c.path, keys(&["[]", "expect", "bands"]));
        assert_eq!(c.key.as_deref(), Some("total"));
        let c = at("kind: |", '|');
        assert_eq!(c.key.as_deref(), Some("kind"));
        assert!(!c.at_key);
    }

    #[test]
    fn nested_block_maps() {
        let c = at("items:\n  - id: q2\n    enable_when:\n      item: |", '|');
        assert_eq!(c.path, keys(&["items", "[]", "enable_when"]));
        assert_eq!(c.key.as_deref(), Some("item"));
        let c = at("modules:\n  - |", '|');
        assert_eq!(c.path, keys(&["modules", "[]"]));
    }

    #[test]
    fn markdown_regions() {
        let lines = vec![
            "---", "title: x", "---", "text", "```form", "ref: a", "```", "after",
        ];
        assert_eq!(region(&lines, 1), Region::FrontMatter { start: 1 });
        assert_eq!(region(&lines, 3), Region::Prose);
        assert_eq!(
            region(&lines, 5),
            Region::Block {
                kind: "form".into(),
                start: 5
            }
        );
        assert_eq!(region(&lines, 6), Region::Prose);
        assert_eq!(region(&lines, 7), Region::Prose);
    }
}
