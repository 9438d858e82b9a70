//! Human-readable diagnostics with source snippets, coloured on a terminal.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::Sources;

/// Renders every diagnostic with its snippet and hint, then a summary line.
pub fn human(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags {
        out.push_str(&renderer.render(&[group(d, sources)]));
        out.push_str("\n\n");
    }
    let (errors, warnings) = super::counts(diags);
    out.push_str(&summary(errors, warnings));
    out
}

/// One diagnostic with its snippet and hint, as [`human`] shows it (for
/// [`super::group`]).
pub(super) fn one(d: &Diagnostic, sources: &Sources, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(&[group(d, sources)])
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `2 errors, 1 warning` or `no problems found`.
pub fn summary(errors: usize, warnings: usize) -> String {
    if errors == 0 && warnings == 0 {
        "no problems found\n".to_owned()
    } else {
        format!(
            "{}, {}\n",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }
}

fn group<'a>(d: &'a Diagnostic, sources: &'a Sources) -> Group<'a> {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
    let line_text = sources
        .get(&d.file)
        .and_then(|text| text.lines().nth(d.line as usize - 1));
    let mut group = match line_text {
        Some(line) if !line.trim().is_empty() => {
            let start = line
                .char_indices()
                .nth(d.column as usize - 1)
                .map_or(line.len(), |(i, _)| i);
            let rest = &line[start..];
            let len = rest
                .char_indices()
                .find(|(_, c)| c.is_whitespace() || *c == ':')
                .map_or(rest.len(), |(i, _)| i)
                .max(rest.chars().next().map_or(0, char::len_utf8));
            let span = if start >= line.len() {
                line.len()..line.len()
            } else {
                start..start + len
            };
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
    if let Some(hint) = &d.hint {
        group = group.element(Level::HELP.message(hint.as_str()));
    }
    group
}
