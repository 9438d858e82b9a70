//! Turns a YAML parser error into what a clinician can do about it: which line is
//! indented wrongly and where it belongs, which value needs quotes, which list or
//! quote is not closed. Only the words change; code and position stay the parser's.

use super::msg::Yaml;
use super::{Code, Diagnostic, Pos};

/// A syntax error `info` at `pos`, where `line` and `column` are 1-based within
/// `text` (the YAML text alone, without any offset in its file).
pub fn syntax_error(info: &str, text: &str, line: u32, column: u32, pos: Pos) -> Diagnostic {
    let (message, hint) = advise(info, text, line, column);
    Diagnostic::new(Code::YamlSyntax, message)
        .at_pos(pos)
        .with_hint(hint)
}

/// A list item (`- item`) indented further than the line above it, which YAML reads
/// as more text of the scalar that starts on line `start` (both 1-based within `text`),
/// with its position within `text`, or `None` when the continuation lines hold none.
pub fn over_indented_item(
    text: &str,
    start: u32,
    end: u32,
    joined: &str,
) -> Option<(u32, u32, Diagnostic)> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.get(start as usize - 1)?;
    for number in start + 1..=end {
        let line = lines.get(number as usize - 1)?;
        let trimmed = line.trim_start();
        let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| (trimmed == "-").then_some(""))
        else {
            continue;
        };
        let column = (line.chars().count() - trimmed.chars().count()) as u32 + 1;
        let lead = first.trim_start();
        let hint = if lead.starts_with("- ") {
            Yaml::ItemOverIndentedHint {
                column: (first.chars().count() - lead.chars().count()) as u32 + 1,
            }
        } else {
            let key = lead.split(':').next().unwrap_or_default().trim().to_owned();
            Yaml::ItemUnderValueHint { key }
        };
        let d = Diagnostic::new(
            Code::YamlSyntax,
            Yaml::ItemOverIndented {
                item: item.trim().to_owned(),
                joined: joined.to_owned(),
            },
        )
        .with_hint(hint)
        .spanning(trimmed.trim_end().chars().count());
        return Some((number, column, d));
    }
    None
}

fn indent(line: &str) -> u32 {
    (line.len() - line.trim_start_matches(' ').len()) as u32
}

fn advise(info: &str, text: &str, line: u32, column: u32) -> (Yaml, Yaml) {
    let lines: Vec<&str> = text.lines().collect();
    let here = lines
        .get((line as usize).wrapping_sub(1))
        .copied()
        .unwrap_or_default();
    let previous = (1..line)
        .rev()
        .filter_map(|n| lines.get(n as usize - 1).map(|l| (n, *l)))
        .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    if info.contains("tab") {
        return (
            Yaml::Other {
                info: info.to_owned(),
            },
            Yaml::TabsHint,
        );
    }
    if let Some((open, open_line)) = unclosed_flow(&lines, line) {
        let close = if open == '[' { ']' } else { '}' };
        return (
            Yaml::UnclosedFlow {
                open,
                line: open_line,
            },
            Yaml::UnclosedFlowHint { open, close },
        );
    }
    let at: String = here
        .chars()
        .skip(column.saturating_sub(1) as usize)
        .collect();
    if info.contains("quoted scalar")
        || info.contains("end of stream") && at.starts_with(['"', '\''])
    {
        let quote = at
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .unwrap_or('"');
        return (
            Yaml::UnclosedQuote { quote },
            Yaml::UnclosedQuoteHint { quote },
        );
    }
    if info.contains("mapping values are not allowed") {
        let before: String = here
            .chars()
            .take(column.saturating_sub(1) as usize)
            .collect();
        if let Some((key, value)) = here.trim_start().split_once(": ")
            && before.contains(':')
        {
            return (
                Yaml::ColonInValue {
                    key: key.to_owned(),
                },
                Yaml::QuoteValue {
                    key: key.to_owned(),
                    quoted: quote(value.trim()),
                },
            );
        }
        if let Some((_, prev)) = previous
            && indent(here) > indent(prev)
        {
            let key = here.trim().split(':').next().unwrap_or_default().to_owned();
            let above = prev.trim().split(':').next().unwrap_or_default().to_owned();
            return (
                Yaml::KeyIndented {
                    key: key.clone(),
                    line,
                },
                Yaml::KeyIndentedHint {
                    key,
                    column: indent(prev) + 1,
                    above: format!("{above}:"),
                },
            );
        }
    }
    if info.contains("block sequence entries are not allowed")
        && let Some((key, item)) = here.trim_start().split_once(':')
    {
        let item = item.trim().trim_start_matches('-').trim().to_owned();
        return (
            Yaml::ItemAfterKey,
            Yaml::ItemAfterKeyHint {
                key: key.to_owned(),
                item,
            },
        );
    }
    if info.contains("did not find expected key") || info.contains("did not find expected '-'") {
        if here.trim_start().starts_with('-') {
            let items_above = (1..line)
                .rev()
                .filter_map(|n| lines.get(n as usize - 1))
                .find(|l| l.trim_start().starts_with("- ") && indent(l) != indent(here));
            if let Some(item) = items_above {
                let above = indent(item) + 1;
                return (
                    Yaml::ItemMisaligned {
                        column: indent(here) + 1,
                        above,
                    },
                    Yaml::ItemMisalignedHint { above },
                );
            }
        }
        return (
            Yaml::Misaligned {
                line,
                column: indent(here) + 1,
            },
            Yaml::MisalignedHint,
        );
    }
    if info.contains("simple key expect ':'") || info.contains("illegal placement of ':'") {
        return (Yaml::NotKeyValue { line }, Yaml::NotKeyValueHint);
    }
    if let Some(ch) = at.chars().next().filter(|c| matches!(c, '@' | '`' | '%'))
        && let Some((key, value)) = here.trim_start().split_once(':')
    {
        return (
            Yaml::ReservedStart { ch },
            Yaml::QuoteValue {
                key: key.to_owned(),
                quoted: quote(value.trim()),
            },
        );
    }
    (
        Yaml::Other {
            info: info.to_owned(),
        },
        Yaml::GeneralHint,
    )
}

/// `"text"`, or `'text'` when the text holds a double quote.
fn quote(value: &str) -> String {
    if value.contains('"') {
        format!("'{}'", value.replace('\'', "''"))
    } else {
        format!("\"{value}\"")
    }
}

/// A `[` or `{` opened on a line before `line` (or on it) and never closed on its own
/// line, outside quotes: the opening character and its line.
fn unclosed_flow(lines: &[&str], line: u32) -> Option<(char, u32)> {
    for n in (1..line).rev() {
        let text = lines.get(n as usize - 1)?;
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut depth: Vec<char> = Vec::new();
        let mut quote: Option<char> = None;
        for c in text.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => depth.push(c),
                (None, ']' | '}') => {
                    depth.pop();
                }
                _ => {}
            }
        }
        return depth.first().map(|&open| (open, n));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Lang;

    fn advice(info: &str, text: &str, line: u32, column: u32) -> (String, String) {
        let (m, h) = advise(info, text, line, column);
        (
            crate::diagnostic::Message::text(&m, Lang::En),
            crate::diagnostic::Message::text(&h, Lang::En),
        )
    }

    #[test]
    fn over_indented_key() {
        let (m, h) = advice(
            "mapping values are not allowed in this context",
            "a: 1\nunit: x\n  kind: y\n",
            3,
            7,
        );
        assert_eq!(
            m,
            "`kind:` on line 3 is indented further than the line above it"
        );
        assert!(
            h.starts_with("start `kind:` in column 1, under `unit:`"),
            "{h}"
        );
    }

    #[test]
    fn colon_in_value() {
        let (m, h) = advice(
            "mapping values are not allowed in this context",
            "title: Sömn: en guide\n",
            1,
            12,
        );
        assert!(m.contains("`title` contains `: `"), "{m}");
        assert_eq!(h, "put the value in quotes: `title: \"Sömn: en guide\"`");
    }

    #[test]
    fn unclosed_list() {
        let (m, _) = advice(
            "illegal placement of ':' indicator",
            "a: [x, y\nb: 1\n",
            2,
            2,
        );
        assert_eq!(m, "the `[` opened on line 1 is not closed");
    }
}
