//! Markdown for a pull-request comment: a summary table, then each moment's changes
//! in its language, clinical first with their consequences; added text collapsed.

use std::fmt::Write;

use super::super::lang::Lang;
use super::super::text::WordOp;
use super::super::{Change, Class, Diff, MomentDiff, Status};
use super::{bump_name, changed, count, readable_values, report_lang, verdict, versions};

/// Escapes text for a Markdown table cell or list item.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Inline code that shows `text` literally, whatever backticks it holds.
fn code(text: &str) -> String {
    let text = text.replace('\n', " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

fn class_heading(lang: Lang, c: Class) -> &'static str {
    match c {
        Class::Clinical => lang.pick(
            "Kliniska ändringar (kan ändra vad en poäng, ett band eller ett larm betyder)",
            "Clinical changes (can change what a score, band or alert means)",
        ),
        Class::Content => lang.pick(
            "Innehåll (invånare eller personal ser det)",
            "Content (citizens or staff see it)",
        ),
        Class::Cosmetic => lang.pick("Kosmetiskt (ingen ser det)", "Cosmetic (no one sees it)"),
    }
}

fn md_change(lang: Lang, c: &Change) -> String {
    let mut line = format!(
        "- {} <sub>{} · {}</sub>",
        md(&c.summary),
        code(c.kind.as_str()),
        code(&c.path)
    );
    if let Some(effect) = &c.consequence {
        let _ = write!(
            line,
            "<br>**{}** {}",
            lang.pick("Följd:", "Consequence:"),
            md(effect)
        );
    }
    if let Some(words) = &c.words {
        let text: Vec<String> = words
            .iter()
            .map(|w| match w {
                WordOp::Same(t) => md(t),
                WordOp::Removed(t) => format!("~~{}~~", md(t)),
                WordOp::Added(t) => format!("**{}**", md(t)),
            })
            .collect();
        let _ = write!(line, "<br>{}", text.join(" "));
    } else if readable_values(c.kind)
        && let (Some(b), Some(a)) = (&c.before, &c.after)
    {
        let _ = write!(
            line,
            "<br>{} → {}",
            if b.is_empty() {
                "–".to_owned()
            } else {
                format!("~~{}~~", md(b))
            },
            if a.is_empty() {
                "–".to_owned()
            } else {
                format!("**{}**", md(a))
            }
        );
    }
    if let Some(text) = &c.shown {
        let _ = write!(
            line,
            "\n\n  <details><summary>{}</summary>\n\n",
            lang.pick("Visa texten", "Show the text")
        );
        let quoted: Vec<String> = text
            .split('\n')
            .filter(|p| !p.trim().is_empty())
            .map(|p| format!("  > {}\n", md(p)))
            .collect();
        line.push_str(&quoted.join("  >\n"));
        line.push_str("\n  </details>\n");
    }
    line
}

fn table_row(lang: Lang, m: &MomentDiff) -> String {
    let status = match (lang, m.status) {
        (Lang::Sv, Status::Added) => "ny",
        (Lang::Sv, Status::Removed) => "borttagen",
        (Lang::Sv, _) => "ändrad",
        (Lang::En, Status::Added) => "added",
        (Lang::En, Status::Removed) => "removed",
        (Lang::En, _) => "changed",
    };
    format!(
        "| {} ({}) | {status} | {} | {} | {} | {} | {} | {} | {} |",
        md(&m.title),
        code(&m.id),
        versions(lang, m),
        count(m, Class::Clinical),
        count(m, Class::Content),
        count(m, Class::Cosmetic),
        bump_name(m.required_bump),
        m.actual_bump.map_or("–", bump_name),
        if m.bump_ok { "✅" } else { "❌" }
    )
}

/// Markdown for a pull-request comment: a summary table, then details per moment.
pub fn markdown(diff: &Diff, from: &str, to: &str) -> String {
    let moments = changed(diff);
    let lang = report_lang(diff);
    let mut out = format!("## moment diff: {} → {}\n\n", code(from), code(to));
    if moments.is_empty() {
        out.push_str(lang.pick("Inget moment har ändrats.\n", "No moment changed.\n"));
        return out;
    }
    let clinical: usize = moments.iter().map(|m| count(m, Class::Clinical)).sum();
    let _ = writeln!(
        out,
        "{}\n",
        match lang {
            Lang::Sv => format!(
                "{} moment har ändrats, {clinical} kliniska ändringar.",
                moments.len()
            ),
            Lang::En => format!(
                "{} moment(s) changed, {clinical} clinical change(s).",
                moments.len()
            ),
        }
    );
    out.push_str(lang.pick(
        "| Moment | Status | Version | Kliniska | Innehåll | Kosmetiska | Krävs | Visar | OK |\n",
        "| Moment | Status | Version | Clinical | Content | Cosmetic | Required bump | Actual bump | OK |\n",
    ));
    out.push_str("| --- | --- | --- | ---: | ---: | ---: | --- | --- | :---: |\n");
    for m in &moments {
        out.push_str(&table_row(lang, m));
        out.push('\n');
    }
    out.push('\n');
    for m in &moments {
        let l = m.language;
        let _ = writeln!(
            out,
            "<details{}><summary><strong>{}</strong> {} — {}</summary>\n",
            if m.bump_ok { "" } else { " open" },
            md(&m.title),
            versions(l, m),
            match l {
                Lang::Sv => format!(
                    "{} kliniska, {} innehåll, {} kosmetiska",
                    count(m, Class::Clinical),
                    count(m, Class::Content),
                    count(m, Class::Cosmetic)
                ),
                Lang::En => format!(
                    "{} clinical, {} content, {} cosmetic",
                    count(m, Class::Clinical),
                    count(m, Class::Content),
                    count(m, Class::Cosmetic)
                ),
            }
        );
        if !m.bump_ok && m.status == Status::Changed {
            let _ = writeln!(
                out,
                "> **{}** {}.\n",
                l.pick("Versionsregeln:", "Version policy:"),
                md(&verdict(l, m))
            );
        }
        for class in [Class::Clinical, Class::Content, Class::Cosmetic] {
            let list: Vec<&Change> = m.changes.iter().filter(|c| c.class == class).collect();
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "**{}**\n", class_heading(l, class));
            for c in list {
                out.push_str(&md_change(l, c));
                out.push('\n');
            }
            out.push('\n');
        }
        out.push_str("</details>\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("q1"), "`q1`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
    }
}
