//! Text for a terminal: each change with its class, kind and locator, its summary in
//! the moment's language, its consequence, and the word-level change.

use std::fmt::Write;

use super::super::text::WordOp;
use super::super::{Class, Diff, Status};
use super::{bump_name, changed, readable_values, status_name, versions};

/// Text for a terminal; `color` adds ANSI colours.
pub fn human(diff: &Diff, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    let moments = changed(diff);
    for m in &moments {
        let ok = if m.bump_ok {
            paint("32", "ok")
        } else {
            paint("1;31", "NOT OK")
        };
        let _ = writeln!(
            out,
            "{} ({}) {} {}",
            paint("1", &m.id),
            m.title,
            versions(super::Lang::En, m),
            status_name(m.status)
        );
        if m.status == Status::Changed {
            let actual = m.actual_bump.map_or("invalid version change", bump_name);
            let mut line = format!(
                "needs {}, version shows {actual}",
                bump_name(m.required_bump)
            );
            if !m.series_breaks_missing.is_empty() {
                let _ = write!(
                    line,
                    "; series_break missing on {}",
                    m.series_breaks_missing.join(", ")
                );
            }
            let _ = writeln!(out, "  version: {line} — {ok}");
        }
        for c in &m.changes {
            let class = match c.class {
                Class::Clinical => paint("1;31", "clinical"),
                Class::Content => paint("33", "content "),
                Class::Cosmetic => paint("2", "cosmetic"),
            };
            let _ = writeln!(out, "  {class} {} {}", c.kind.as_str(), paint("2", &c.path));
            let _ = writeln!(out, "           {}", c.summary);
            if let Some(effect) = &c.consequence {
                let _ = writeln!(out, "           → {}", paint("1", effect));
            }
            if readable_values(c.kind)
                && c.words.is_none()
                && let (Some(b), Some(a)) = (&c.before, &c.after)
            {
                let _ = writeln!(out, "           {} → {}", paint("31", b), paint("32", a));
            }
            if let Some(words) = &c.words {
                let line: Vec<String> = words
                    .iter()
                    .map(|w| match w {
                        WordOp::Same(t) => t.clone(),
                        WordOp::Removed(t) => {
                            if color {
                                paint("31;9", t)
                            } else {
                                format!("[-{t}-]")
                            }
                        }
                        WordOp::Added(t) => {
                            if color {
                                paint("32;4", t)
                            } else {
                                format!("{{+{t}+}}")
                            }
                        }
                    })
                    .collect();
                let _ = writeln!(out, "           {}", line.join(" "));
            }
            if let Some(text) = &c.shown {
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    let _ = writeln!(out, "           │ {line}");
                }
            }
        }
        out.push('\n');
    }
    if moments.is_empty() {
        out.push_str("no changes\n");
    }
    out
}
