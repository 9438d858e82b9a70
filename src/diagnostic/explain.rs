//! `moment explain CODE`: each code's entry in the diagnostics chapter of the book,
//! which is compiled into the binary, so the command and the book never drift.

use super::Code;

/// The diagnostics chapter, `book/src/diagnostics.md`, as built into the binary.
pub const CHAPTER: &str = include_str!("../../book/src/diagnostics.md");

/// The chapter's entry for `code`: from its `## CODE — title` heading up to the
/// next code's heading, trimmed. `None` when the chapter has no entry (a test
/// makes sure every code has one).
pub fn entry(code: Code) -> Option<&'static str> {
    let heading = format!("## {} — ", code.as_str());
    let start = line_starts(CHAPTER).find(|&i| CHAPTER[i..].starts_with(&heading))?;
    let end = line_starts(CHAPTER)
        .filter(|&i| i > start)
        .find(|&i| is_code_heading(&CHAPTER[i..]))
        .unwrap_or(CHAPTER.len());
    Some(CHAPTER[start..end].trim_end())
}

/// The title an entry's heading gives, such as `value has the wrong type`.
pub fn heading_title(code: Code) -> Option<&'static str> {
    let text = entry(code)?;
    let first = text.lines().next()?;
    first.split_once(" — ").map(|(_, title)| title.trim())
}

/// The code a written name stands for, case-insensitive (`e012`, `W001`).
pub fn parse(name: &str) -> Option<Code> {
    Code::ALL
        .iter()
        .copied()
        .find(|c| c.as_str().eq_ignore_ascii_case(name.trim()))
}

/// Byte offsets where lines start.
fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1))
}

/// Whether `rest` starts with a code's heading, `## E012 — `. Other level-2 headings
/// (inside examples) do not end an entry.
fn is_code_heading(rest: &str) -> bool {
    let b = rest.as_bytes();
    rest.starts_with("## ")
        && b.len() > 10
        && matches!(b[3], b'E' | b'W')
        && b[4..7].iter().all(u8::is_ascii_digit)
        && rest[7..].starts_with(" — ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_entry_whose_heading_is_its_title() {
        for &code in Code::ALL {
            let text = entry(code)
                .unwrap_or_else(|| panic!("book/src/diagnostics.md has no `## {code} — …` entry"));
            assert_eq!(
                heading_title(code),
                Some(code.title()),
                "the heading of {code} in book/src/diagnostics.md differs from its title in src/diagnostic/code.rs"
            );
            assert!(
                text.lines().count() > 3,
                "the entry of {code} says almost nothing"
            );
            assert!(text.contains("```"), "the entry of {code} has no example");
        }
    }

    #[test]
    fn entries_end_at_the_next_code_not_at_a_heading_in_an_example() {
        let w004 = entry(Code::HeadingSkip).unwrap();
        assert!(w004.contains("## Varför sover vi?"), "{w004}");
        assert!(!w004.contains("## W005"));
    }

    #[test]
    fn parse_is_case_insensitive() {
        assert_eq!(parse("e012"), Some(Code::WrongType));
        assert_eq!(parse("W001"), Some(Code::ImageNoAlt));
        assert_eq!(parse("E999"), None);
    }
}
