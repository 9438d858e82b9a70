//! Comparing two versions of one moment.

use super::kind::{ChangeKind as K, Subject};
use super::lang::{Lang, shorten};
use super::snapshot::{Media, ModuleSnapshot, MomentSnapshot};
use super::text::{self, ParagraphEdit};
use super::{Bump, Change, Class, MomentDiff, Status, actual_bump, bump_ok, form};
use crate::model::{Access, Activation, MomentKind, MomentMeta};

/// How alike two modules must be to count as one module renamed.
const RENAME_SIMILARITY: f64 = 0.5;

pub(super) fn moment(
    id: &str,
    old: Option<&MomentSnapshot>,
    new: Option<&MomentSnapshot>,
) -> MomentDiff {
    let version =
        |m: Option<&MomentSnapshot>| m.and_then(|m| m.meta.as_ref()).map(|x| x.version.clone());
    let title = new
        .or(old)
        .and_then(|m| m.meta.as_ref())
        .map_or_else(|| id.to_owned(), |x| x.title.clone());
    let lang = new
        .or(old)
        .and_then(|m| m.meta.as_ref())
        .map_or(Lang::Sv, |x| Lang::from_tag(&x.language));
    let mut diff = MomentDiff {
        id: id.to_owned(),
        title,
        language: lang,
        from_version: version(old),
        to_version: version(new),
        status: Status::Unchanged,
        required_bump: Bump::None,
        actual_bump: None,
        bump_ok: true,
        series_breaks_missing: Vec::new(),
        changes: Vec::new(),
    };
    let (old, new) = match (old, new) {
        (None, Some(_)) => {
            diff.status = Status::Added;
            return diff;
        }
        (Some(_), None) => {
            diff.status = Status::Removed;
            return diff;
        }
        (Some(o), Some(n)) => (o, n),
        (None, None) => return diff,
    };
    let mut changes = Vec::new();
    if let (Some(a), Some(b)) = (&old.meta, &new.meta) {
        meta(lang, a, b, &mut changes);
        // Reordered lists, comments or key order: moment.yaml changed, nobody sees it.
        // Changes to the module list or the welcome path are reported on their own.
        if changes.is_empty()
            && a.modules == b.modules
            && a.welcome == b.welcome
            && strip_version(&old.meta_text) != strip_version(&new.meta_text)
        {
            changes.push(Change::new(
                K::FormattingChanged,
                "moment.yaml",
                Subject::default().states(
                    "",
                    lang.pick("programmets inställningar", "the program's settings"),
                ),
            ));
        }
    }
    if old.welcome_path != new.welcome_path {
        changes.push(
            Change::new(
                K::WelcomeRenamed,
                new.welcome_path.clone(),
                Subject::default(),
            )
            .values(&old.welcome_path, &new.welcome_path),
        );
    }
    prose(
        "",
        &new.welcome_path,
        &old.welcome,
        &new.welcome,
        &old.welcome_body,
        &new.welcome_body,
        &mut changes,
    );
    modules(lang, &old.modules, &new.modules, &mut changes);
    for (form_id, (before, _)) in &old.forms {
        if !new.forms.contains_key(form_id) {
            changes.push(
                Change::new(
                    K::FormRemoved,
                    format!("forms/{form_id}.yaml"),
                    Subject::named(&before.title),
                )
                .effect(Some(super::Consequence::FormGone)),
            );
        }
    }
    for (form_id, (after, after_text)) in &new.forms {
        let file = format!("forms/{form_id}.yaml");
        match old.forms.get(form_id) {
            None => changes.push(
                Change::new(K::FormAdded, file, Subject::named(&after.title))
                    .shown(form::outline(after)),
            ),
            Some((before, before_text)) => {
                let (found, scored_changed) = form::compare(lang, &file, before, after);
                if found.is_empty() && before_text != after_text {
                    let what = match lang {
                        Lang::Sv => format!("formuläret {}", lang.quote(&after.title)),
                        Lang::En => format!("the form {}", lang.quote(&after.title)),
                    };
                    changes.push(Change::new(
                        K::FormattingChanged,
                        file.clone(),
                        Subject::default().states("", what),
                    ));
                }
                changes.extend(found);
                // The break must be declared in this very version: series_break turns true.
                let declared = after.series_break && !before.series_break;
                if scored_changed && after.schedule.is_some() && !declared {
                    diff.series_breaks_missing.push(form_id.clone());
                }
            }
        }
    }
    for c in &mut changes {
        c.write(lang);
    }
    changes.sort_by_key(|c| std::cmp::Reverse(c.class));
    diff.required_bump = changes
        .iter()
        .map(|c| c.class.bump())
        .max()
        .unwrap_or(Bump::None);
    diff.status = if changes.is_empty() {
        Status::Unchanged
    } else {
        Status::Changed
    };
    if let (Some(from), Some(to)) = (&diff.from_version, &diff.to_version) {
        diff.actual_bump = actual_bump(from, to);
        diff.bump_ok =
            bump_ok(diff.required_bump, diff.actual_bump) && diff.series_breaks_missing.is_empty();
    }
    diff.changes = changes;
    diff
}

fn strip_version(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("version:"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A kind of moment in words.
fn kind_words(lang: Lang, kind: MomentKind) -> &'static str {
    match kind {
        MomentKind::Education => lang.pick("patientutbildning", "patient education"),
        MomentKind::Course => lang.pick("kurs", "course"),
        MomentKind::Support => lang.pick("stödprogram", "support program"),
        MomentKind::Assessment => lang.pick("självskattning", "self-assessment"),
        MomentKind::Healthplan => lang.pick("hälsoplan", "health plan"),
        MomentKind::Treatment => lang.pick("behandlingsprogram", "treatment program"),
    }
}

fn meta(lang: Lang, a: &MomentMeta, b: &MomentMeta, out: &mut Vec<Change>) {
    let mut field = |kind: K, key: &str, before: String, after: String, subject: Subject| {
        if before != after {
            out.push(
                Change::new(kind, format!("moment.yaml#{key}"), subject).values(before, after),
            );
        }
    };
    // Order carries no meaning in these lists.
    let list = |v: &Vec<String>| {
        let mut sorted = v.clone();
        sorted.sort();
        if sorted.is_empty() {
            "–".to_owned()
        } else {
            sorted.join(", ")
        }
    };
    let words = |v: &Vec<String>| {
        if v.is_empty() {
            lang.pick("ingen", "no one").to_owned()
        } else {
            list(v)
        }
    };
    field(
        K::TitleChanged,
        "title",
        a.title.clone(),
        b.title.clone(),
        Subject::named(&b.title).states(&a.title, &b.title),
    );
    field(
        K::DescriptionChanged,
        "description",
        a.description.clone().unwrap_or_default(),
        b.description.clone().unwrap_or_default(),
        Subject::default(),
    );
    field(
        K::KindChanged,
        "kind",
        a.kind.as_str().to_owned(),
        b.kind.as_str().to_owned(),
        Subject::default().states(kind_words(lang, a.kind), kind_words(lang, b.kind)),
    );
    field(
        K::LanguageChanged,
        "language",
        a.language.clone(),
        b.language.clone(),
        Subject::default().states(&a.language, &b.language),
    );
    field(
        K::UnitChanged,
        "unit",
        a.unit.clone(),
        b.unit.clone(),
        Subject::default().states(&a.unit, &b.unit),
    );
    field(
        K::AccessChanged,
        "access",
        a.access.as_str().to_owned(),
        b.access.as_str().to_owned(),
        Subject::default().flag(b.access == Access::Open),
    );
    field(
        K::OpenToChanged,
        "open_to",
        list(&a.open_to),
        list(&b.open_to),
        Subject::default().states(words(&a.open_to), words(&b.open_to)),
    );
    field(
        K::CareProvidersChanged,
        "care_providers",
        list(&a.care_providers),
        list(&b.care_providers),
        Subject::default(),
    );
    field(
        K::MessagingChanged,
        "messaging",
        a.messaging.to_string(),
        b.messaging.to_string(),
        Subject::default().flag(b.messaging),
    );
    field(
        K::OwnersChanged,
        "owners",
        list(&a.owners),
        list(&b.owners),
        Subject::default(),
    );
    field(
        K::RiskAnalysisChanged,
        "risk_analysis",
        a.risk_analysis.clone().unwrap_or_default(),
        b.risk_analysis.clone().unwrap_or_default(),
        Subject::default(),
    );
}

/// Compares the paragraphs of one text; `title` names it (empty: the welcome text).
fn prose(
    title: &str,
    file: &str,
    old: &[String],
    new: &[String],
    old_body: &str,
    new_body: &str,
    out: &mut Vec<Change>,
) {
    let edits = text::paragraphs(old, new);
    let at = |n: usize| Subject::default().within(title).number(n);
    for edit in &edits {
        match *edit {
            ParagraphEdit::Changed(i, j) => {
                let mut change = Change::new(
                    K::TextChanged,
                    format!("{file}#paragraph/{}", j + 1),
                    at(j + 1),
                );
                change.words = Some(text::words(&old[i], &new[j]));
                out.push(change);
            }
            ParagraphEdit::Added(j) => {
                out.push(
                    Change::new(
                        K::TextAdded,
                        format!("{file}#paragraph/{}", j + 1),
                        at(j + 1),
                    )
                    .values("", new[j].clone()),
                );
            }
            ParagraphEdit::Removed(i) => {
                out.push(
                    Change::new(
                        K::TextRemoved,
                        format!("{file}#paragraph/{}", i + 1),
                        at(i + 1),
                    )
                    .values(old[i].clone(), ""),
                );
            }
        }
    }
    if edits.is_empty() && old_body != new_body {
        out.push(Change::new(
            K::FormattingChanged,
            file,
            Subject::default().within(title),
        ));
    }
}

/// The text of a module to show in full: its paragraphs, one a line.
fn module_text(m: &ModuleSnapshot) -> String {
    m.paragraphs.join("\n\n")
}

fn modules(lang: Lang, old: &[ModuleSnapshot], new: &[ModuleSnapshot], out: &mut Vec<Change>) {
    // Pairs (old index, new index): same identity first (an `id:` or the file stem),
    // then the same path, then similar content.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (j, m) in new.iter().enumerate() {
        let same = old
            .iter()
            .position(|o| o.id == m.id)
            .or_else(|| old.iter().position(|o| o.path == m.path));
        if let Some(i) = same
            && !pairs.iter().any(|p| p.0 == i)
        {
            pairs.push((i, j));
        }
    }
    let unpaired_new: Vec<usize> = (0..new.len())
        .filter(|j| !pairs.iter().any(|p| p.1 == *j))
        .collect();
    for j in unpaired_new {
        let best = (0..old.len())
            .filter(|i| !pairs.iter().any(|p| p.0 == *i))
            .map(|i| (text::similarity(&old[i].text(), &new[j].text()), i))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((score, i)) = best
            && score >= RENAME_SIMILARITY
        {
            pairs.push((i, j));
        }
    }
    for &(i, j) in &pairs {
        let (a, b) = (&old[i], &new[j]);
        if a.path != b.path {
            // The page a citizen has open is named after the file: content.
            let class = if crate::render::page_of(&a.path) == crate::render::page_of(&b.path) {
                Class::Cosmetic
            } else {
                Class::Content
            };
            let mut change = Change::new(
                K::ModuleRenamed,
                b.path.clone(),
                Subject::named(b.title()).flag(a.id == b.id),
            )
            .values(&a.path, &b.path);
            change.class = class;
            out.push(change);
        }
    }
    pairs.sort_by_key(|p| p.1);
    let order: Vec<usize> = pairs.iter().map(|p| p.0).collect();
    if order.windows(2).any(|w| w[0] > w[1]) {
        out.push(Change::new(
            K::ModulesReordered,
            "moment.yaml#modules",
            Subject::default(),
        ));
    }
    for (i, m) in old.iter().enumerate() {
        if !pairs.iter().any(|p| p.0 == i) {
            out.push(Change::new(
                K::ModuleRemoved,
                m.path.clone(),
                Subject::named(m.title()),
            ));
        }
    }
    for (j, m) in new.iter().enumerate() {
        if !pairs.iter().any(|p| p.1 == j) {
            out.push(
                Change::new(K::ModuleAdded, m.path.clone(), Subject::named(m.title()))
                    .shown(module_text(m)),
            );
        }
    }
    for &(i, j) in &pairs {
        let (a, b) = (&old[i], &new[j]);
        if let (Some(fa), Some(fb)) = (&a.front, &b.front) {
            if fa.title != fb.title {
                out.push(
                    Change::new(
                        K::ModuleTitleChanged,
                        format!("{}#title", b.path),
                        Subject::named(&fb.title).states(&fa.title, &fb.title),
                    )
                    .values(&fa.title, &fb.title),
                );
            }
            if fa.activation != fb.activation {
                out.push(
                    Change::new(
                        K::ModuleActivationChanged,
                        format!("{}#activation", b.path),
                        Subject::named(&fb.title).flag(fb.activation == Activation::Staff),
                    )
                    .values(fa.activation.as_str(), fb.activation.as_str()),
                );
            }
        }
        prose(
            b.title(),
            &b.path,
            &a.paragraphs,
            &b.paragraphs,
            &a.body,
            &b.body,
            out,
        );
        media(b.title(), &b.path, &a.media, &b.media, out);
        if a.forms != b.forms {
            out.push(
                Change::new(
                    K::FormPlacementChanged,
                    b.path.clone(),
                    Subject::named(b.title()),
                )
                .values(a.forms.join(", "), b.forms.join(", ")),
            );
        }
    }
    let _ = lang;
}

fn media(title: &str, file: &str, old: &[Media], new: &[Media], out: &mut Vec<Change>) {
    let subject = |m: &Media| {
        Subject::named(shorten(&m.title, 60))
            .within(title)
            .noun(m.kind)
    };
    for (k, m) in new.iter().enumerate() {
        let path = format!("{file}#{}/{}", m.kind, k + 1);
        let before = old
            .iter()
            .find(|o| o.kind == m.kind && o.title == m.title)
            .or_else(|| old.get(k).filter(|o| o.kind == m.kind));
        match before {
            None => out.push(Change::new(K::MediaAdded, path, subject(m))),
            Some(o) => {
                if o.digest != m.digest {
                    out.push(Change::new(K::MediaChanged, path.clone(), subject(m)));
                }
                if o.title != m.title {
                    out.push(
                        Change::new(
                            K::MediaTitleChanged,
                            path.clone(),
                            subject(m).states(&o.title, &m.title),
                        )
                        .values(&o.title, &m.title),
                    );
                }
                // The files that go with the media, compared by digest.
                let companions = [
                    (&o.captions, &m.captions, K::CaptionsChanged),
                    (&o.poster, &m.poster, K::PosterChanged),
                    (&o.transcript, &m.transcript, K::TranscriptChanged),
                ];
                for (before, after, kind) in companions {
                    if before != after {
                        out.push(Change::new(kind, path.clone(), subject(m)));
                    }
                }
            }
        }
    }
    for (k, m) in old.iter().enumerate() {
        let kept = new.iter().any(|n| n.kind == m.kind && n.title == m.title)
            || new.get(k).is_some_and(|n| n.kind == m.kind);
        if !kept {
            out.push(Change::new(
                K::MediaRemoved,
                format!("{file}#{}/{}", m.kind, k + 1),
                subject(m),
            ));
        }
    }
}
