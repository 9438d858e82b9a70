//! Comparing two versions of one moment.

use super::snapshot::{Media, ModuleSnapshot, MomentSnapshot};
use super::text::{self, ParagraphEdit};
use super::{Bump, Change, Class, MomentDiff, Status, actual_bump, bump_ok, form};
use crate::model::MomentMeta;

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
    let mut diff = MomentDiff {
        id: id.to_owned(),
        title,
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
        meta(a, b, &mut changes);
        // Reordered lists, comments or key order: moment.yaml changed, nobody sees it.
        // Changes to the module list or the welcome path are reported on their own.
        if changes.is_empty()
            && a.modules == b.modules
            && a.welcome == b.welcome
            && strip_version(&old.meta_text) != strip_version(&new.meta_text)
        {
            changes.push(Change::new(
                Class::Cosmetic,
                "formatting_changed",
                "moment.yaml",
                "moment.yaml was reformatted",
            ));
        }
    }
    if old.welcome_path != new.welcome_path {
        changes.push(
            Change::new(
                Class::Cosmetic,
                "welcome_renamed",
                new.welcome_path.clone(),
                "the welcome text moved to another file",
            )
            .values(&old.welcome_path, &new.welcome_path),
        );
    }
    prose(
        &new.welcome_path,
        &old.welcome,
        &new.welcome,
        &old.welcome_body,
        &new.welcome_body,
        &mut changes,
    );
    modules(&old.modules, &new.modules, &mut changes);
    for form_id in old.forms.keys() {
        if !new.forms.contains_key(form_id) {
            changes.push(Change::new(
                Class::Clinical,
                "form_removed",
                format!("forms/{form_id}.yaml"),
                format!("form `{form_id}` was removed"),
            ));
        }
    }
    for (form_id, (after, after_text)) in &new.forms {
        let file = format!("forms/{form_id}.yaml");
        match old.forms.get(form_id) {
            None => changes.push(Change::new(
                Class::Content,
                "form_added",
                file,
                format!("form `{form_id}` was added: {}", after.title),
            )),
            Some((before, before_text)) => {
                let (found, scored_changed) = form::compare(&file, before, after);
                if found.is_empty() && before_text != after_text {
                    changes.push(Change::new(
                        Class::Cosmetic,
                        "formatting_changed",
                        file.clone(),
                        format!("form `{form_id}` was reformatted"),
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

fn meta(a: &MomentMeta, b: &MomentMeta, out: &mut Vec<Change>) {
    let mut field =
        |class: Class, kind: &'static str, key: &str, before: String, after: String, what: &str| {
            if before != after {
                out.push(
                    Change::new(class, kind, format!("moment.yaml#{key}"), what.to_owned())
                        .values(before, after),
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
    field(
        Class::Content,
        "title_changed",
        "title",
        a.title.clone(),
        b.title.clone(),
        "the title changed",
    );
    field(
        Class::Content,
        "description_changed",
        "description",
        a.description.clone().unwrap_or_default(),
        b.description.clone().unwrap_or_default(),
        "the description changed",
    );
    field(
        Class::Content,
        "kind_changed",
        "kind",
        format!("{:?}", a.kind).to_lowercase(),
        format!("{:?}", b.kind).to_lowercase(),
        "the kind of moment changed",
    );
    field(
        Class::Content,
        "language_changed",
        "language",
        a.language.clone(),
        b.language.clone(),
        "the language changed",
    );
    field(
        Class::Content,
        "unit_changed",
        "unit",
        a.unit.clone(),
        b.unit.clone(),
        "the publisher unit changed",
    );
    field(
        Class::Content,
        "access_changed",
        "access",
        format!("{:?}", a.access).to_lowercase(),
        format!("{:?}", b.access).to_lowercase(),
        "who can start the moment changed",
    );
    field(
        Class::Content,
        "open_to_changed",
        "open_to",
        list(&a.open_to),
        list(&b.open_to),
        "the regions the moment is open to changed",
    );
    field(
        Class::Content,
        "care_providers_changed",
        "care_providers",
        list(&a.care_providers),
        list(&b.care_providers),
        "the care providers granted the moment changed",
    );
    field(
        Class::Content,
        "messaging_changed",
        "messaging",
        a.messaging.to_string(),
        b.messaging.to_string(),
        if b.messaging {
            "messaging was switched on"
        } else {
            "messaging was switched off"
        },
    );
    field(
        Class::Cosmetic,
        "owners_changed",
        "owners",
        list(&a.owners),
        list(&b.owners),
        "the owners changed",
    );
    field(
        Class::Cosmetic,
        "risk_analysis_changed",
        "risk_analysis",
        a.risk_analysis.clone().unwrap_or_default(),
        b.risk_analysis.clone().unwrap_or_default(),
        "the risk analysis moved",
    );
}

fn prose(
    file: &str,
    old: &[String],
    new: &[String],
    old_body: &str,
    new_body: &str,
    out: &mut Vec<Change>,
) {
    let edits = text::paragraphs(old, new);
    for edit in &edits {
        match *edit {
            ParagraphEdit::Changed(i, j) => {
                let mut change = Change::new(
                    Class::Content,
                    "text_changed",
                    format!("{file}#paragraph/{}", j + 1),
                    format!("paragraph {} was edited", j + 1),
                );
                change.words = Some(text::words(&old[i], &new[j]));
                out.push(change);
            }
            ParagraphEdit::Added(j) => {
                out.push(
                    Change::new(
                        Class::Content,
                        "text_added",
                        format!("{file}#paragraph/{}", j + 1),
                        format!("paragraph {} was added", j + 1),
                    )
                    .values("", new[j].clone()),
                );
            }
            ParagraphEdit::Removed(i) => {
                out.push(
                    Change::new(
                        Class::Content,
                        "text_removed",
                        format!("{file}#paragraph/{}", i + 1),
                        format!("paragraph {} was removed", i + 1),
                    )
                    .values(old[i].clone(), ""),
                );
            }
        }
    }
    if edits.is_empty() && old_body != new_body {
        out.push(Change::new(
            Class::Cosmetic,
            "formatting_changed",
            file,
            "the Markdown was reformatted; the text is the same",
        ));
    }
}

fn modules(old: &[ModuleSnapshot], new: &[ModuleSnapshot], out: &mut Vec<Change>) {
    // Pairs (old index, new index): same path first, then by similar content.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (j, m) in new.iter().enumerate() {
        if let Some(i) = old.iter().position(|o| o.path == m.path) {
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
            out.push(
                Change::new(
                    Class::Cosmetic,
                    "module_renamed",
                    new[j].path.clone(),
                    format!("module `{}` was renamed to `{}`", old[i].path, new[j].path),
                )
                .values(&old[i].path, &new[j].path),
            );
        }
    }
    pairs.sort_by_key(|p| p.1);
    let order: Vec<usize> = pairs.iter().map(|p| p.0).collect();
    if order.windows(2).any(|w| w[0] > w[1]) {
        out.push(Change::new(
            Class::Content,
            "modules_reordered",
            "moment.yaml#modules",
            "the modules come in a new order",
        ));
    }
    for (i, m) in old.iter().enumerate() {
        if !pairs.iter().any(|p| p.0 == i) {
            let title = m
                .front
                .as_ref()
                .map_or(m.path.as_str(), |f| f.title.as_str());
            out.push(Change::new(
                Class::Content,
                "module_removed",
                m.path.clone(),
                format!("module `{title}` was removed"),
            ));
        }
    }
    for (j, m) in new.iter().enumerate() {
        if !pairs.iter().any(|p| p.1 == j) {
            let title = m
                .front
                .as_ref()
                .map_or(m.path.as_str(), |f| f.title.as_str());
            out.push(Change::new(
                Class::Content,
                "module_added",
                m.path.clone(),
                format!("module `{title}` was added"),
            ));
        }
    }
    for &(i, j) in &pairs {
        let (a, b) = (&old[i], &new[j]);
        if let (Some(fa), Some(fb)) = (&a.front, &b.front) {
            if fa.title != fb.title {
                out.push(
                    Change::new(
                        Class::Content,
                        "module_title_changed",
                        format!("{}#title", b.path),
                        "the module's title changed",
                    )
                    .values(&fa.title, &fb.title),
                );
            }
            if fa.activation != fb.activation {
                let name = |x: crate::model::Activation| format!("{x:?}").to_lowercase();
                out.push(
                    Change::new(
                        Class::Content,
                        "module_activation_changed",
                        format!("{}#activation", b.path),
                        format!(
                            "module `{}` is now activated {}",
                            fb.title,
                            if name(fb.activation) == "staff" {
                                "by staff"
                            } else {
                                "immediately"
                            }
                        ),
                    )
                    .values(name(fa.activation), name(fb.activation)),
                );
            }
        }
        prose(&b.path, &a.paragraphs, &b.paragraphs, &a.body, &b.body, out);
        media(&b.path, &a.media, &b.media, out);
        if a.forms != b.forms {
            out.push(
                Change::new(
                    Class::Content,
                    "form_placement_changed",
                    b.path.clone(),
                    "the module places other forms",
                )
                .values(a.forms.join(", "), b.forms.join(", ")),
            );
        }
    }
}

fn media(file: &str, old: &[Media], new: &[Media], out: &mut Vec<Change>) {
    for (k, m) in new.iter().enumerate() {
        let path = format!("{file}#{}/{}", m.kind, k + 1);
        let before = old
            .iter()
            .find(|o| o.kind == m.kind && o.title == m.title)
            .or_else(|| old.get(k).filter(|o| o.kind == m.kind));
        match before {
            None => out.push(Change::new(
                Class::Content,
                "media_added",
                path,
                format!("{} `{}` was added", m.kind, m.title),
            )),
            Some(o) => {
                if o.digest != m.digest {
                    out.push(Change::new(
                        Class::Content,
                        "media_changed",
                        path.clone(),
                        format!("the {} file of `{}` changed", m.kind, m.title),
                    ));
                }
                if o.title != m.title {
                    out.push(
                        Change::new(
                            Class::Content,
                            "media_title_changed",
                            path.clone(),
                            format!("the {} `{}` has a new title or alt text", m.kind, m.title),
                        )
                        .values(&o.title, &m.title),
                    );
                }
                // The files that go with the media, compared by digest.
                let companions = [
                    (&o.captions, &m.captions, "captions_changed", "captions"),
                    (&o.poster, &m.poster, "poster_changed", "poster image"),
                    (
                        &o.transcript,
                        &m.transcript,
                        "transcript_changed",
                        "transcript",
                    ),
                ];
                for (before, after, kind, what) in companions {
                    if before != after {
                        out.push(Change::new(
                            Class::Content,
                            kind,
                            path.clone(),
                            format!("the {what} of `{}` changed", m.title),
                        ));
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
                Class::Content,
                "media_removed",
                format!("{file}#{}/{}", m.kind, k + 1),
                format!("{} `{}` was removed", m.kind, m.title),
            ));
        }
    }
}
