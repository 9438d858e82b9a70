//! Human-readable diagnostics with source snippets, coloured on a terminal.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::diagnostic::{Diagnostic, Lang, Severity};
use crate::load::Sources;
use crate::t;

/// Renders every diagnostic with its snippet and hint, then a summary line, in English.
pub fn human(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    human_in(diags, sources, color, Lang::En)
}

/// Renders every diagnostic with its snippet and hint, then a summary line, in `lang`.
/// Codes, files, lines and columns are the same in every language.
pub fn human_in(diags: &[Diagnostic], sources: &Sources, color: bool, lang: Lang) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags {
        out.push_str(&renderer.render(&[group(d, sources, lang)]));
        out.push_str("\n\n");
    }
    let (errors, warnings) = super::counts(diags);
    out.push_str(&summary_in(errors, warnings, lang));
    out
}

/// One diagnostic with its snippet and hint in `lang`, as [`human_in`] shows it (for
/// [`super::group`]).
pub(super) fn one(d: &Diagnostic, sources: &Sources, color: bool, lang: Lang) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(&[group(d, sources, lang)])
}

/// `2 errors, 1 warning` or `no problems found` in `lang` (`2 fel, 1 varning` or
/// `inga problem hittades` in Swedish).
pub fn summary_in(errors: usize, warnings: usize, lang: Lang) -> String {
    if errors == 0 && warnings == 0 {
        return t!(lang, "no problems found\n", "inga problem hittades\n");
    }
    let e = match (lang, errors) {
        (Lang::En, 1) => "1 error".to_owned(),
        (Lang::En, n) => format!("{n} errors"),
        (Lang::Sv, n) => format!("{n} fel"),
    };
    let w = match (lang, warnings) {
        (Lang::En, 1) => "1 warning".to_owned(),
        (Lang::En, n) => format!("{n} warnings"),
        (Lang::Sv, 1) => "1 varning".to_owned(),
        (Lang::Sv, n) => format!("{n} varningar"),
    };
    format!("{e}, {w}\n")
}

/// The byte range of the underline on `line`: `length` characters from the column
/// when the diagnostic says, else the word at the column.
fn underline(line: &str, column: u32, length: Option<u32>) -> std::ops::Range<usize> {
    let start = line
        .char_indices()
        .nth(column as usize - 1)
        .map_or(line.len(), |(i, _)| i);
    if start >= line.len() {
        return line.len()..line.len();
    }
    let rest = &line[start..];
    // A quoted value's length counts its text: underline its quotes too.
    let quoted = rest.starts_with(['"', '\'']);
    let len = match length.map(|n| if quoted { n + 2 } else { n }) {
        Some(n) => rest
            .char_indices()
            .nth(n as usize)
            .map_or(rest.len(), |(i, _)| i),
        None => rest
            .char_indices()
            .find(|(_, c)| c.is_whitespace() || *c == ':')
            .map_or(rest.len(), |(i, _)| i),
    }
    .max(rest.chars().next().map_or(0, char::len_utf8));
    start..start + len
}

fn group<'a>(d: &'a Diagnostic, sources: &'a Sources, lang: Lang) -> Group<'a> {
    let (level, help) = match lang {
        Lang::En => (
            match d.severity {
                Severity::Error => Level::ERROR,
                Severity::Warning => Level::WARNING,
            },
            Level::HELP,
        ),
        Lang::Sv => (
            match d.severity {
                Severity::Error => Level::ERROR.with_name("fel"),
                Severity::Warning => Level::WARNING.with_name("varning"),
            },
            Level::HELP.with_name("tips"),
        ),
    };
    let title = level.primary_title(d.message_in(lang)).id(d.code.as_str());
    let line_text = sources
        .get(&d.file)
        .and_then(|text| text.lines().nth(d.line as usize - 1));
    let mut group = match line_text {
        Some(line) if !line.trim().is_empty() => {
            let span = underline(line, d.column, d.length);
            title.element(
                Snippet::source(line)
                    .line_start(d.line as usize)
                    .path(d.file.as_str())
                    .annotation(AnnotationKind::Primary.span(span)),
            )
        }
        _ => title.element(
            Origin::path(d.file.as_str())
                .line(d.line as usize)
                .char_column(d.column as usize),
        ),
    };
    if let Some(hint) = d.hint_in(lang) {
        group = group.element(help.message(hint));
    }
    group
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underline_spans_the_length_or_the_word() {
        let line = "  image: media/a b.png # note";
        assert_eq!(
            &line[underline(line, 10, Some(11))],
            "media/a b.png"[..11].to_owned()
        );
        assert_eq!(&line[underline(line, 10, None)], "media/a");
        assert_eq!(
            &line[underline(line, 10, Some(500))],
            "media/a b.png # note"
        );
        assert_eq!(underline(line, 100, None), line.len()..line.len());
    }

    #[test]
    fn swedish_plurals() {
        assert_eq!(summary_in(1, 1, Lang::Sv), "1 fel, 1 varning\n");
        assert_eq!(summary_in(2, 2, Lang::Sv), "2 fel, 2 varningar\n");
        assert_eq!(summary_in(0, 0, Lang::Sv), "inga problem hittades\n");
        assert_eq!(summary_in(1, 2, Lang::En), "1 error, 2 warnings\n");
    }
}
