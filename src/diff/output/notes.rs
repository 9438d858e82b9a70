//! Release notes for care-provider administrators and staff, in each moment's
//! language: what citizens will notice, what staff must know (clinical changes first,
//! with their consequence) and what to do. No file paths, ids or YAML values. When the
//! version policy fails, the notes start with a warning.

use std::fmt::Write;

use super::super::kind::{Audience, ChangeKind as K};
use super::super::lang::Lang;
use super::super::{Change, Class, Diff, MomentDiff, Status};
use super::{changed, needed_version, report_lang, versions};

/// Release notes for every moment that changed.
pub fn release_notes(diff: &Diff) -> String {
    let moments = changed(diff);
    let lang = report_lang(diff);
    let mut out = format!(
        "# {}\n\n",
        lang.pick("Versionsinformation", "Release notes")
    );
    let failing: Vec<&&MomentDiff> = moments
        .iter()
        .filter(|m| m.status == Status::Changed && !m.bump_ok)
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(
            out,
            "> **{}**\n>",
            lang.pick(
                "⚠️ Varning: den här versionen följer inte versionsreglerna. Aktivera den inte.",
                "⚠️ Warning: this version breaks the version rules. Do not activate it."
            )
        );
        for m in &failing {
            let _ = writeln!(out, "> - {}", policy_line(m.language, m));
        }
        out.push('\n');
    }
    if moments.is_empty() {
        out.push_str(lang.pick(
            "Inga stöd- och behandlingsprogram har ändrats.\n",
            "No program has changed.\n",
        ));
        return out;
    }
    for m in moments {
        section(m, &mut out);
    }
    out
}

fn policy_line(lang: Lang, m: &MomentDiff) -> String {
    let version = m.to_version.as_deref().unwrap_or("?");
    let needed = needed_version(m);
    let mut line = match (lang, needed) {
        (Lang::Sv, Some(n)) => format!(
            "{}: ändringarna kräver minst version {n}, men versionen är {version}.",
            m.title
        ),
        (Lang::En, Some(n)) => format!(
            "{}: the changes need at least version {n}, but the version is {version}.",
            m.title
        ),
        (Lang::Sv, None) => format!("{}: versionsnumret {version} är ogiltigt.", m.title),
        (Lang::En, None) => format!("{}: the version number {version} is not valid.", m.title),
    };
    if !m.series_breaks_missing.is_empty() {
        line.push_str(lang.pick(
            " Ett upprepat formulär har ändrade poängfrågor utan att personalens grafer delas vid den här versionen.",
            " A repeated form's scored questions changed without splitting staff graphs at this version.",
        ));
    }
    line.push_str(lang.pick(
        " Be utgivaren rätta versionen.",
        " Ask the publisher to correct the version.",
    ));
    line
}

fn item(c: &Change) -> String {
    match &c.consequence {
        Some(effect) => format!("- {} {effect}\n", c.summary),
        None => format!("- {}\n", c.summary),
    }
}

fn section(m: &MomentDiff, out: &mut String) {
    let lang = m.language;
    let _ = writeln!(
        out,
        "## {} {}\n",
        m.title,
        match (&m.from_version, &m.to_version) {
            (None, Some(v)) => format!("{v} ({})", lang.pick("nytt", "new")),
            (Some(v), None) => format!("{v} ({})", lang.pick("tas bort", "withdrawn")),
            _ => versions(lang, m),
        }
    );
    match m.status {
        Status::Added => {
            out.push_str(lang.pick(
                "Ett nytt program. Det påverkar inga invånare som redan är inskrivna.\n\n",
                "A new program. It affects no citizen already enrolled.\n\n",
            ));
            return;
        }
        Status::Removed => {
            out.push_str(lang.pick(
                "Programmet tas bort ur katalogen. Kontakta utgivaren om hur pågående invånare ska avslutas.\n\n",
                "The program is withdrawn from the catalog. Ask the publisher how to end it for citizens who are in it.\n\n",
            ));
            return;
        }
        _ => {}
    }
    let citizens: Vec<&Change> = m
        .changes
        .iter()
        .filter(|c| c.class == Class::Content && c.kind.audience() == Audience::Citizens)
        .collect();
    let clinical: Vec<&Change> = m
        .changes
        .iter()
        .filter(|c| c.class == Class::Clinical)
        .collect();
    let staff: Vec<&Change> = m
        .changes
        .iter()
        .filter(|c| c.class == Class::Content && c.kind.audience() == Audience::Staff)
        .collect();
    if citizens.is_empty() && clinical.is_empty() && staff.is_empty() {
        out.push_str(lang.pick(
            "Bara tekniska ändringar som ingen ser. Inget behöver göras.\n\n",
            "Only technical changes no one sees. Nothing needs to be done.\n\n",
        ));
        return;
    }
    if !citizens.is_empty() {
        let _ = writeln!(
            out,
            "### {}\n",
            lang.pick("Det här märker invånarna", "What citizens will notice")
        );
        for c in &citizens {
            out.push_str(&item(c));
        }
        out.push('\n');
    }
    if !clinical.is_empty() || !staff.is_empty() {
        let _ = writeln!(
            out,
            "### {}\n",
            lang.pick("Det här behöver personalen veta", "What staff must know")
        );
        for c in &clinical {
            let _ = write!(
                out,
                "- **{}** {}",
                lang.pick("Klinisk ändring:", "Clinical change:"),
                item(c).trim_start_matches("- ")
            );
        }
        for c in &staff {
            out.push_str(&item(c));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### {}\n", lang.pick("Att göra", "What to do"));
    for todo in todos(m) {
        let _ = writeln!(out, "- {todo}");
    }
    out.push('\n');
}

/// What administrators and staff should do before and after activating the version.
fn todos(m: &MomentDiff) -> Vec<String> {
    let lang = m.language;
    let to = m.to_version.as_deref().unwrap_or("?");
    let mut out: Vec<String> = Vec::new();
    let has = |k: K| m.changes.iter().filter(move |c| c.kind == k);
    if m.changes.iter().any(|c| c.class == Class::Clinical) {
        out.push(
            lang.pick(
                "Gå igenom de kliniska ändringarna med medicinskt ansvarig innan ni aktiverar versionen.",
                "Go through the clinical changes with the clinician in charge before you activate the version.",
            )
            .to_owned(),
        );
    }
    let breaks = m.changes.iter().any(|c| {
        c.class == Class::Clinical && c.effect.as_ref().is_some_and(|e| e.breaks_comparison())
    }) || has(K::SeriesBreakChanged).next().is_some()
        || !m.series_breaks_missing.is_empty();
    if breaks {
        out.push(match lang {
            Lang::Sv => format!(
                "Resultat från före version {to} går inte att jämföra rakt av med resultat från version {to}; tänk på det när ni följer upp invånare som redan går programmet."
            ),
            Lang::En => format!(
                "Results from before version {to} are not directly comparable with results from version {to}; keep it in mind when you follow up citizens already in the program."
            ),
        });
    }
    if m.changes.iter().any(|c| {
        matches!(
            c.kind,
            K::AlertAdded | K::AlertRemoved | K::AlertConditionChanged | K::AlertMessageChanged
        )
    }) {
        out.push(
            lang.pick(
                "Berätta för personalen som tar emot larm att larmen har ändrats.",
                "Tell the staff who receive alerts that the alerts changed.",
            )
            .to_owned(),
        );
    }
    for c in has(K::ModuleActivationChanged).filter(|c| c.subject.flag) {
        out.push(match lang {
            Lang::Sv => format!(
                "Modulen {} aktiveras av personal: bestäm vem som aktiverar den för invånarna.",
                lang.quote(&c.subject.name)
            ),
            Lang::En => format!(
                "The module {} is activated by staff: decide who activates it for citizens.",
                lang.quote(&c.subject.name)
            ),
        });
    }
    for c in has(K::MessagingChanged) {
        out.push(
            if c.subject.flag {
                lang.pick(
                    "Se till att någon i personalen läser och svarar på meddelanden.",
                    "Make sure someone on staff reads and answers messages.",
                )
            } else {
                lang.pick(
                    "Berätta för invånarna att de inte längre kan skriva till er i programmet, och hur de når er i stället.",
                    "Tell citizens that they can no longer write to you in the program, and how to reach you instead.",
                )
            }
            .to_owned(),
        );
    }
    for c in has(K::ModuleRemoved) {
        out.push(match lang {
            Lang::Sv => format!(
                "Invånare som läser modulen {} ser den inte längre i den nya versionen.",
                lang.quote(&c.subject.name)
            ),
            Lang::En => format!(
                "Citizens reading the module {} no longer see it in the new version.",
                lang.quote(&c.subject.name)
            ),
        });
    }
    if out.is_empty() {
        out.push(
            lang.pick(
                "Inget särskilt behöver göras innan ni aktiverar versionen.",
                "Nothing in particular needs to be done before you activate the version.",
            )
            .to_owned(),
        );
    }
    out
}
