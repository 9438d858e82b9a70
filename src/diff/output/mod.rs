//! Diff reports: JSON for tools, text for a terminal, Markdown for a pull-request
//! comment, GitHub annotations, and release notes for care-provider administrators.

mod github;
mod human;
mod markdown;
mod notes;

pub use github::github;
pub use human::human;
pub use markdown::markdown;
pub use notes::release_notes;

use super::kind::ChangeKind;
use super::lang::Lang;
use super::{Bump, Class, Diff, MomentDiff, Status};

fn bump_name(b: Bump) -> &'static str {
    b.as_str()
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Changed => "changed",
        Status::Unchanged => "unchanged",
    }
}

fn versions(lang: Lang, m: &MomentDiff) -> String {
    match (&m.from_version, &m.to_version) {
        (Some(a), Some(b)) => format!("{a} → {b}"),
        (None, Some(b)) => format!("{} {b}", lang.pick("ny", "new")),
        (Some(a), None) => format!("{a} {}", lang.pick("borttagen", "removed")),
        (None, None) => "–".to_owned(),
    }
}

/// The JSON report, as `docs/design.md` shapes it (with extra fields; see `schemas/diff.schema.json`).
pub fn json(diff: &Diff) -> String {
    let mut text = serde_json::to_string_pretty(diff).expect("a diff serialises");
    text.push('\n');
    text
}

fn count(m: &MomentDiff, class: Class) -> usize {
    m.changes.iter().filter(|c| c.class == class).count()
}

/// The moments that changed, were added or were removed.
fn changed(diff: &Diff) -> Vec<&MomentDiff> {
    diff.moments
        .iter()
        .filter(|m| m.status != Status::Unchanged)
        .collect()
}

/// The language of a whole report: the moments' language when they share one,
/// Swedish when they do not.
fn report_lang(diff: &Diff) -> Lang {
    let moments = changed(diff);
    let mut langs: Box<dyn Iterator<Item = Lang>> = if moments.is_empty() {
        Box::new(diff.moments.iter().map(|m| m.language))
    } else {
        Box::new(moments.into_iter().map(|m| m.language))
    };
    match langs.next() {
        Some(first) if langs.all(|l| l == first) => first,
        _ => Lang::Sv,
    }
}

/// Whether a change's before and after are values people read (not paths, booleans
/// or YAML words that the summary already says in words).
fn readable_values(kind: ChangeKind) -> bool {
    use ChangeKind as K;
    !matches!(
        kind,
        K::MessagingChanged
            | K::ModuleActivationChanged
            | K::AccessChanged
            | K::ModuleRenamed
            | K::WelcomeRenamed
            | K::RiskAnalysisChanged
            | K::ItemRequiredChanged
            | K::SeriesBreakChanged
            | K::KindChanged
            | K::ScheduleChanged
            | K::ScoreMissingChanged
            | K::ScoreSumChanged
            | K::EnableWhenChanged
            | K::AlertConditionChanged
            | K::ItemTypeChanged
            | K::ItemRemoved
    )
}

/// The verdict on the version of a changed moment, in `lang`.
fn verdict(lang: Lang, m: &MomentDiff) -> String {
    if m.status != Status::Changed {
        return String::new();
    }
    let need = |b: Bump| match (lang, b) {
        (Lang::Sv, Bump::Major) => "en ny huvudversion (major)",
        (Lang::Sv, Bump::Minor) => "en ny delversion (minor)",
        (Lang::Sv, Bump::Patch) => "en rättelseversion (patch)",
        (Lang::Sv, Bump::None) => "ingen ny version",
        (Lang::En, Bump::Major) => "a major version",
        (Lang::En, Bump::Minor) => "a minor version",
        (Lang::En, Bump::Patch) => "a patch version",
        (Lang::En, Bump::None) => "no new version",
    };
    let required = match m.required_bump {
        Bump::Patch | Bump::None => need(Bump::None),
        b => need(b),
    };
    let actual = m.actual_bump.map_or(
        lang.pick("en ogiltig versionsändring", "an invalid version change"),
        need,
    );
    let mut s = match lang {
        Lang::Sv => format!("ändringarna kräver {required}, versionen visar {actual}"),
        Lang::En => format!("the changes need {required}, the version shows {actual}"),
    };
    if !m.series_breaks_missing.is_empty() {
        s.push_str(lang.pick(
            "; en upprepad mätning har ändrade poängfrågor utan serieavbrott (series_break)",
            "; a repeated form's scored questions changed without a series break (series_break)",
        ));
    }
    s
}

/// The lowest version that satisfies the required bump.
fn needed_version(m: &MomentDiff) -> Option<String> {
    let from = crate::version::Version::parse(m.from_version.as_deref()?)?;
    from.lowest_after(m.required_bump).map(|v| v.to_string())
}

/// Whether any moment fails the version policy.
pub fn policy_failed(diff: &Diff) -> bool {
    diff.moments
        .iter()
        .any(|m| m.status == Status::Changed && !m.bump_ok)
}
