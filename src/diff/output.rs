//! Diff reports: JSON for tools, text for a terminal, Markdown for a pull-request
//! comment, and Swedish release notes for care-provider administrators.

use std::fmt::Write;

use super::text::WordOp;
use super::{Bump, Change, Class, Diff, MomentDiff, Status};

fn bump_name(b: Bump) -> &'static str {
    match b {
        Bump::None => "none",
        Bump::Patch => "patch",
        Bump::Minor => "minor",
        Bump::Major => "major",
    }
}

fn class_name(c: Class) -> &'static str {
    match c {
        Class::Cosmetic => "cosmetic",
        Class::Content => "content",
        Class::Clinical => "clinical",
    }
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Changed => "changed",
        Status::Unchanged => "unchanged",
    }
}

fn versions(m: &MomentDiff) -> String {
    match (&m.from_version, &m.to_version) {
        (Some(a), Some(b)) => format!("{a} → {b}"),
        (None, Some(b)) => format!("new {b}"),
        (Some(a), None) => format!("{a} removed"),
        (None, None) => "–".to_owned(),
    }
}

/// The JSON report, as DESIGN.md shapes it.
pub fn json(diff: &Diff) -> String {
    let mut text = serde_json::to_string_pretty(diff).expect("a diff serialises");
    text.push('\n');
    text
}

fn count(m: &MomentDiff, class: Class) -> usize {
    m.changes.iter().filter(|c| c.class == class).count()
}

fn verdict(m: &MomentDiff) -> String {
    if m.status != Status::Changed {
        return String::new();
    }
    let actual = m.actual_bump.map_or("invalid version change", bump_name);
    let mut s = format!(
        "needs {}, version shows {actual}",
        bump_name(m.required_bump)
    );
    if !m.series_breaks_missing.is_empty() {
        let _ = write!(
            s,
            "; series_break missing on {}",
            m.series_breaks_missing.join(", ")
        );
    }
    s
}

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
    let mut shown = 0;
    for m in &diff.moments {
        if m.status == Status::Unchanged {
            continue;
        }
        shown += 1;
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
            versions(m),
            status_name(m.status)
        );
        if m.status == Status::Changed {
            let _ = writeln!(out, "  version: {} — {ok}", verdict(m));
        }
        for c in &m.changes {
            let class = match c.class {
                Class::Clinical => paint("1;31", "clinical"),
                Class::Content => paint("33", "content "),
                Class::Cosmetic => paint("2", "cosmetic"),
            };
            let _ = writeln!(out, "  {class} {} {}", c.kind, paint("2", &c.path));
            let _ = writeln!(out, "           {}", c.summary);
            if let (Some(b), Some(a)) = (&c.before, &c.after) {
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
        }
        out.push('\n');
    }
    if shown == 0 {
        out.push_str("no changes\n");
    }
    out
}

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

fn md_change(c: &Change) -> String {
    let mut line = format!(
        "- {} <sub>`{}` · `{}`</sub>",
        md(&c.summary),
        c.kind,
        c.path.replace('`', "")
    );
    if let (Some(b), Some(a)) = (&c.before, &c.after) {
        let _ = write!(
            line,
            "<br>{} → **{}**",
            if b.is_empty() {
                "–".to_owned()
            } else {
                format!("~~{}~~", md(b))
            },
            md(a)
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
    }
    line
}

/// Markdown for a pull-request comment: a summary table, then details per moment.
pub fn markdown(diff: &Diff, from: &str, to: &str) -> String {
    let mut out = format!(
        "## moment diff: `{}` → `{}`\n\n",
        from.replace('`', ""),
        to.replace('`', "")
    );
    let changed: Vec<&MomentDiff> = diff
        .moments
        .iter()
        .filter(|m| m.status != Status::Unchanged)
        .collect();
    if changed.is_empty() {
        out.push_str("No moment changed.\n");
        return out;
    }
    let clinical: usize = changed.iter().map(|m| count(m, Class::Clinical)).sum();
    let _ = writeln!(
        out,
        "{} moment(s) changed, {clinical} clinical change(s).\n",
        changed.len()
    );
    out.push_str("| Moment | Status | Version | Clinical | Content | Cosmetic | Required bump | Actual bump | OK |\n");
    out.push_str("| --- | --- | --- | ---: | ---: | ---: | --- | --- | :---: |\n");
    for m in &changed {
        let _ = writeln!(
            out,
            "| {} (`{}`) | {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&m.title),
            m.id,
            status_name(m.status),
            versions(m),
            count(m, Class::Clinical),
            count(m, Class::Content),
            count(m, Class::Cosmetic),
            bump_name(m.required_bump),
            m.actual_bump.map_or("–", bump_name),
            if m.bump_ok { "✅" } else { "❌" }
        );
    }
    out.push('\n');
    for m in &changed {
        let _ = writeln!(
            out,
            "<details{}><summary><strong>{}</strong> {} — {} clinical, {} content, {} cosmetic</summary>\n",
            if m.bump_ok { "" } else { " open" },
            md(&m.title),
            versions(m),
            count(m, Class::Clinical),
            count(m, Class::Content),
            count(m, Class::Cosmetic)
        );
        if !m.bump_ok && m.status == Status::Changed {
            let _ = writeln!(out, "> **Version policy:** {}.\n", md(&verdict(m)));
        }
        for class in [Class::Clinical, Class::Content, Class::Cosmetic] {
            let list: Vec<&Change> = m.changes.iter().filter(|c| c.class == class).collect();
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "**{}**\n", class_name(class));
            for c in list {
                out.push_str(&md_change(c));
                out.push('\n');
            }
            out.push('\n');
        }
        out.push_str("</details>\n\n");
    }
    out
}

/// Swedish release notes for care-provider administrators: what changes for citizens
/// already in each program.
pub fn release_notes(diff: &Diff) -> String {
    let mut out = String::from("# Versionsinformation\n\n");
    let changed: Vec<&MomentDiff> = diff
        .moments
        .iter()
        .filter(|m| m.status != Status::Unchanged)
        .collect();
    if changed.is_empty() {
        out.push_str("Inga stöd- och behandlingsprogram har ändrats.\n");
        return out;
    }
    for m in changed {
        let _ = writeln!(
            out,
            "## {} {}\n",
            m.title,
            match (&m.from_version, &m.to_version) {
                (None, Some(v)) => format!("{v} (nytt)"),
                (Some(v), None) => format!("{v} (tas bort)"),
                _ => versions(m),
            }
        );
        match m.status {
            Status::Added => {
                out.push_str(
                    "Ett nytt program. Det påverkar inga invånare som redan är inskrivna.\n\n",
                );
                continue;
            }
            Status::Removed => {
                out.push_str("Programmet tas bort ur katalogen. Kontakta utgivaren om hur pågående invånare ska avslutas.\n\n");
                continue;
            }
            _ => {}
        }
        let clinical: Vec<&Change> = m
            .changes
            .iter()
            .filter(|c| c.class == Class::Clinical)
            .collect();
        let content: Vec<&Change> = m
            .changes
            .iter()
            .filter(|c| c.class == Class::Content)
            .collect();
        if !clinical.is_empty() {
            out.push_str("**Viktigt för vården (kliniska ändringar):**\n\n");
            for c in &clinical {
                let _ = writeln!(out, "- {}", swedish(c));
            }
            if !m.series_breaks_missing.is_empty()
                || m.changes.iter().any(|c| c.kind == "series_break_changed")
            {
                out.push_str("- Resultat från före och efter den här versionen går inte att jämföra i personalens grafer.\n");
            }
            out.push('\n');
        }
        let (staff, citizens): (Vec<&&Change>, Vec<&&Change>) =
            content.iter().partition(|c| staff_only(c.kind));
        if !citizens.is_empty() {
            out.push_str("Det här ändras för invånare som redan går programmet:\n\n");
            for c in &citizens {
                let _ = writeln!(out, "- {}", swedish(c));
            }
            out.push('\n');
        }
        if !staff.is_empty() {
            out.push_str("Det här ändras för personalen:\n\n");
            for c in &staff {
                let _ = writeln!(out, "- {}", swedish(c));
            }
            out.push('\n');
        }
        if clinical.is_empty() && content.is_empty() {
            out.push_str("Bara tekniska ändringar som ingen ser.\n\n");
        }
    }
    out
}

/// Content changes only staff and administrators see.
fn staff_only(kind: &str) -> bool {
    matches!(
        kind,
        "alert_message_changed"
            | "score_title_changed"
            | "care_providers_changed"
            | "unit_changed"
            | "access_changed"
            | "open_to_changed"
            | "module_activation_changed"
            | "schedule_changed"
            | "form_kind_changed"
    )
}

/// A schedule such as `14 × every 1d` in Swedish.
fn schedule_sv(text: &str) -> String {
    let Some((times, every)) = text.split_once(" × every ") else {
        return text.to_owned();
    };
    let (n, unit) = every.split_at(every.len().saturating_sub(1));
    let every = match (n, unit) {
        ("1", "w") => "varje vecka".to_owned(),
        ("1", _) => "varje dag".to_owned(),
        (n, "w") => format!("var {n}:e vecka"),
        (n, _) => format!("var {n}:e dag"),
    };
    format!("{times} gånger, {every}")
}

fn swedish(c: &Change) -> String {
    let file = c.path.split('#').next().unwrap_or(&c.path);
    let short = |v: &str| !v.is_empty() && v.chars().count() < 80;
    let values = match (&c.before, &c.after) {
        (Some(b), Some(a)) if c.kind == "schedule_changed" => {
            format!(" (från {} till {})", schedule_sv(b), schedule_sv(a))
        }
        (Some(b), Some(a)) if short(b) && short(a) => format!(" (från ”{b}” till ”{a}”)"),
        _ => String::new(),
    };
    match c.kind {
        "text_changed" | "text_added" | "text_removed" | "formatting_changed" => {
            format!("Texten i {file} har ändrats.")
        }
        "module_added" => format!("En ny modul: {file}."),
        "module_removed" => format!("Modulen {file} tas bort."),
        "module_renamed" | "welcome_renamed" => {
            "En fil har bytt namn; innehållet är detsamma.".to_owned()
        }
        "modules_reordered" => "Modulerna kommer i en ny ordning.".to_owned(),
        "module_title_changed" => format!("En modul har fått ny rubrik{values}."),
        "module_activation_changed" => format!("Aktiveringen av {file} har ändrats{values}."),
        "media_changed"
        | "media_added"
        | "media_removed"
        | "media_title_changed"
        | "poster_changed" => {
            format!("Bild, film eller ljud i {file} har ändrats.")
        }
        "captions_changed" => format!("Undertexterna i {file} har ändrats."),
        "transcript_changed" => format!("Textversionen i {file} har ändrats."),
        "form_placement_changed" => format!("Formulären i {file} har flyttats."),
        "title_changed" => format!("Programmet har fått nytt namn{values}."),
        "description_changed" => "Beskrivningen av programmet har ändrats.".to_owned(),
        "kind_changed" => format!("Programmets typ har ändrats{values}."),
        "language_changed" => format!("Programmets språk har ändrats{values}."),
        "unit_changed" => format!("Programmet har flyttats till en annan utgivarenhet{values}."),
        "access_changed" => format!("Vem som kan starta programmet har ändrats{values}."),
        "open_to_changed" => {
            format!("Vilka regioner och kommuner programmet är öppet för har ändrats{values}.")
        }
        "care_providers_changed" => {
            "Vilka vårdgivare som har tillgång till programmet har ändrats.".to_owned()
        }
        "messaging_changed" => format!("Meddelandefunktionen har ändrats{values}."),
        "owners_changed" | "risk_analysis_changed" | "series_break_changed" => {
            "Administrativa uppgifter har ändrats.".to_owned()
        }
        "score_band_changed" | "score_band_added" | "score_band_removed" => {
            format!("Gränserna för hur poängen tolkas har ändrats{values}.")
        }
        "score_sum_changed" | "score_added" | "score_removed" => {
            "Hur poängen räknas har ändrats.".to_owned()
        }
        "score_title_changed" => "En poäng har fått nytt namn.".to_owned(),
        "alert_condition_changed" | "alert_added" | "alert_removed" => {
            format!("När personalen får larm har ändrats{values}.")
        }
        "alert_message_changed" => "Larmtexten till personalen har ändrats.".to_owned(),
        "item_removed" => "En fråga har tagits bort.".to_owned(),
        "item_added" => "En ny fråga har lagts till.".to_owned(),
        "item_text_changed" => "En fråga har fått ny formulering.".to_owned(),
        "item_help_changed" => "Hjälptexten till en fråga har ändrats.".to_owned(),
        "item_required_changed" => "Om en fråga måste besvaras har ändrats.".to_owned(),
        "item_type_changed" => "Hur en fråga besvaras har ändrats.".to_owned(),
        "item_range_changed" => format!("Vilka svar en fråga tar emot har ändrats{values}."),
        "item_labels_changed" => format!("Skalan till en fråga har fått nya ändpunkter{values}."),
        "item_unit_changed" => format!("Enheten till en fråga har ändrats{values}."),
        "items_reordered" => "Frågorna kommer i en ny ordning.".to_owned(),
        "option_value_changed" | "option_label_changed" | "option_added" | "option_removed" => {
            "Svarsalternativen till en fråga har ändrats.".to_owned()
        }
        "enable_when_changed" => "När en fråga visas har ändrats.".to_owned(),
        "schedule_changed" => format!("Hur ofta formuläret fylls i har ändrats{values}."),
        "form_title_changed" => format!("Ett formulär har fått nytt namn{values}."),
        "form_description_changed" => "Introduktionen till ett formulär har ändrats.".to_owned(),
        "form_kind_changed" => "Ett formulär har bytt typ.".to_owned(),
        "form_added" => "Ett nytt formulär har lagts till.".to_owned(),
        "form_removed" => "Ett formulär har tagits bort.".to_owned(),
        _ => "Innehållet har ändrats.".to_owned(),
    }
}
