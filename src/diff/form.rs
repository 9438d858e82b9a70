//! Comparing two versions of a form: what changes the meaning of scores, bands,
//! alerts and enabled items is clinical, and each clinical change gets its computed
//! consequence.

use std::collections::BTreeSet;

use super::Change;
use super::consequence::{self, Consequence, Unanswered, score_name};
use super::kind::{ChangeKind as K, Subject};
use super::lang::{Lang, shorten};
use super::text;
use crate::model::{
    AlertCondition, Band, Condition, Form, Item, ItemType, MissingMethod, Op, Scalar, Score,
};
use crate::scoring::fmt_num;

/// How long a question's text may be in a sentence.
const QUESTION: usize = 60;

/// A question as people see it: its text, shortened.
fn question(item: &Item) -> String {
    shorten(&item.text, QUESTION)
}

/// The text of a new form to show in full: its questions, one a line.
pub fn outline(form: &Form) -> String {
    let mut out = Vec::new();
    if let Some(d) = &form.description {
        out.push(d.clone());
    }
    for (n, item) in form.items.iter().enumerate() {
        let options: Vec<&str> = item.options.iter().map(|o| o.label.as_str()).collect();
        if options.is_empty() {
            out.push(format!("{}. {}", n + 1, item.text));
        } else {
            out.push(format!(
                "{}. {} ({})",
                n + 1,
                item.text,
                options.join(" / ")
            ));
        }
    }
    out.join("\n")
}

/// The rule of a score for unanswered questions.
pub fn rule(score: &Score) -> Unanswered {
    match &score.missing {
        None => Unanswered::NotComputed,
        Some(r) => match r.method {
            MissingMethod::Prorate => Unanswered::Prorated(r.allow),
            MissingMethod::Zero => Unanswered::Zero(r.allow),
        },
    }
}

/// An operator in words, followed by the value.
fn op_words(lang: Lang, op: Op) -> &'static str {
    match op {
        Op::Eq => lang.pick("är", "is"),
        Op::Ne => lang.pick("inte är", "is not"),
        Op::Lt => lang.pick("är mindre än", "is less than"),
        Op::Le => lang.pick("är högst", "is at most"),
        Op::Gt => lang.pick("är mer än", "is more than"),
        Op::Ge => lang.pick("är minst", "is at least"),
    }
}

/// A compared value in words: an option's label where the item has one.
fn value_words(lang: Lang, item: Option<&Item>, value: &Scalar) -> String {
    match value {
        Scalar::Bool(b) => lang.quote(if *b {
            lang.pick("ja", "yes")
        } else {
            lang.pick("nej", "no")
        }),
        Scalar::Number(n) => item
            .and_then(|i| i.options.iter().find(|o| o.value == *n))
            .map_or_else(
                || fmt_num(*n),
                |o| format!("{} ({})", lang.quote(&o.label), fmt_num(*n)),
            ),
        Scalar::Text(t) => lang.quote(t),
    }
}

/// "when the answer to “…” is “Ja”", or "always".
fn condition_words(lang: Lang, form: &Form, c: Option<&Condition>) -> String {
    let Some(c) = c else {
        return lang.pick("alltid", "always").to_owned();
    };
    let item = form.item(&c.item);
    let name = item.map_or_else(|| c.item.clone(), question);
    format!(
        "{} {} {} {}",
        lang.pick("när svaret på", "when the answer to"),
        lang.quote(&name),
        op_words(lang, c.op),
        value_words(lang, item, &c.value)
    )
}

/// When an alert fires, in words.
fn alert_words(lang: Lang, form: &Form, a: &AlertCondition) -> String {
    if let Some(id) = &a.score {
        let name = form
            .scores
            .iter()
            .find(|s| &s.id == id)
            .map_or_else(|| id.clone(), score_name);
        return format!(
            "{} {} {} {}",
            lang.pick("när poängen", "when the score"),
            lang.quote(&name),
            op_words(lang, a.op),
            value_words(lang, None, &a.value)
        );
    }
    let id = a.item.clone().unwrap_or_default();
    let item = form.item(&id);
    let name = item.map_or(id, question);
    format!(
        "{} {} {} {}",
        lang.pick("när svaret på", "when the answer to"),
        lang.quote(&name),
        op_words(lang, a.op),
        value_words(lang, item, &a.value)
    )
}

/// A band in words: `Låg (0–7)`.
fn band_words(b: &Band) -> String {
    format!("{} ({}–{})", b.label, fmt_num(b.min), fmt_num(b.max))
}

/// A type of question in words.
fn type_words(lang: Lang, t: ItemType) -> &'static str {
    match t {
        ItemType::Choice => lang.pick("ett val", "one choice"),
        ItemType::Multichoice => lang.pick("flera val", "several choices"),
        ItemType::Scale => lang.pick("en skala", "a scale"),
        ItemType::Number => lang.pick("ett tal", "a number"),
        ItemType::Text => lang.pick("fritext", "free text"),
        ItemType::Date => lang.pick("ett datum", "a date"),
        ItemType::Time => lang.pick("ett klockslag", "a time of day"),
        ItemType::Boolean => lang.pick("ja eller nej", "yes or no"),
        ItemType::Display => lang.pick("text utan svar", "text without an answer"),
    }
}

/// The questions of a sum in words.
fn sum_words(lang: Lang, form: &Form, ids: &[String]) -> String {
    let names: Vec<String> = ids
        .iter()
        .map(|id| lang.quote(&form.item(id).map_or_else(|| id.clone(), question)))
        .collect();
    if names.is_empty() {
        lang.pick("inga frågor", "no questions").to_owned()
    } else {
        lang.and_list(&names)
    }
}

/// Context of one comparison.
struct Sides<'a> {
    lang: Lang,
    file: &'a str,
    old: &'a Form,
    new: &'a Form,
}

impl Sides<'_> {
    fn at(&self, rest: &str) -> String {
        format!("{}#{rest}", self.file)
    }

    /// The scores of either side that sum `item`.
    fn scores_of(&self, item: &str) -> Vec<&Score> {
        self.new
            .scores
            .iter()
            .chain(
                self.old
                    .scores
                    .iter()
                    .filter(|s| !self.new.scores.iter().any(|n| n.id == s.id)),
            )
            .filter(|s| s.sum.iter().any(|i| i == item))
            .collect()
    }
}

/// The changes between two versions of a form, and whether its scored items changed
/// (which breaks the comparability of repeated measurements).
pub fn compare(lang: Lang, file: &str, old: &Form, new: &Form) -> (Vec<Change>, bool) {
    let sides = Sides {
        lang,
        file,
        old,
        new,
    };
    let mut out = Vec::new();
    let mut scored_changed = header(&sides, &mut out);
    scored_changed |= all_items(&sides, &mut out);
    scored_changed |= scores(&sides, &mut out);
    alerts(&sides, &mut out);
    (out, scored_changed)
}

/// Title, introduction, kind, schedule and series break.
fn header(s: &Sides<'_>, out: &mut Vec<Change>) -> bool {
    let (old, new, lang) = (s.old, s.new, s.lang);
    let named = || Subject::named(&new.title);
    if old.title != new.title {
        out.push(
            Change::new(
                K::FormTitleChanged,
                s.at("title"),
                named().states(&old.title, &new.title),
            )
            .values(&old.title, &new.title),
        );
    }
    if old.description != new.description {
        out.push(Change::new(
            K::FormDescriptionChanged,
            s.at("description"),
            named(),
        ));
    }
    if old.kind != new.kind {
        let words = |f: &Form| match f.kind {
            crate::model::FormKind::Questionnaire => {
                lang.pick("ett frågeformulär", "a questionnaire")
            }
            crate::model::FormKind::Registration => lang.pick("en dagbok", "a diary"),
        };
        out.push(Change::new(
            K::FormKindChanged,
            s.at("kind"),
            named().states(words(old), words(new)),
        ));
    }
    if old.schedule != new.schedule {
        let show = |f: &Form| {
            f.schedule.as_ref().map_or("no schedule".to_owned(), |s| {
                format!("{} × every {}", s.times, s.every)
            })
        };
        let words = |f: &Form| {
            f.schedule.as_ref().map_or_else(
                || lang.pick("utan schema", "without a schedule").to_owned(),
                |sc| schedule_words(lang, sc.times, &sc.every),
            )
        };
        out.push(
            Change::new(
                K::ScheduleChanged,
                s.at("schedule"),
                named().states(words(old), words(new)),
            )
            .values(show(old), show(new)),
        );
    }
    if old.series_break != new.series_break {
        out.push(
            Change::new(
                K::SeriesBreakChanged,
                s.at("series_break"),
                named().flag(new.series_break),
            )
            .values(old.series_break.to_string(), new.series_break.to_string()),
        );
    }
    false
}

/// A schedule such as `14` times `every: 1d` in words.
pub fn schedule_words(lang: Lang, times: u32, every: &str) -> String {
    let (n, unit) = every.split_at(every.len().saturating_sub(1));
    let week = unit == "w";
    match lang {
        Lang::Sv => {
            let every = match (n, week) {
                ("1", true) => "varje vecka".to_owned(),
                ("1", false) => "varje dag".to_owned(),
                (n, true) => format!("var {n}:e vecka"),
                (n, false) => format!("var {n}:e dag"),
            };
            format!("{times} gånger, {every}")
        }
        Lang::En => {
            let every = match (n, week) {
                ("1", true) => "every week".to_owned(),
                ("1", false) => "every day".to_owned(),
                (n, true) => format!("every {n} weeks"),
                (n, false) => format!("every {n} days"),
            };
            format!("{times} times, {every}")
        }
    }
}

/// Questions added, removed, changed and reordered.
fn all_items(s: &Sides<'_>, out: &mut Vec<Change>) -> bool {
    let (old, new, lang) = (s.old, s.new, s.lang);
    let mut scored_changed = false;
    let scored: BTreeSet<&str> = old
        .scores
        .iter()
        .chain(&new.scores)
        .flat_map(|s| s.sum.iter().map(String::as_str))
        .collect();
    let watched: BTreeSet<&str> = old
        .alerts
        .iter()
        .chain(&new.alerts)
        .filter_map(|a| a.when.item.as_deref())
        .chain(
            old.items
                .iter()
                .chain(&new.items)
                .filter_map(|i| i.enable_when.as_ref().map(|c| c.item.as_str())),
        )
        .collect();
    for item in &old.items {
        if new.item(&item.id).is_none() {
            let is_scored = scored.contains(item.id.as_str());
            scored_changed |= is_scored;
            let effect = match s.scores_of(&item.id).first() {
                Some(score) if is_scored => Consequence::Counts {
                    score: score_name(score),
                    added: Vec::new(),
                    removed: vec![question(item)],
                },
                _ => Consequence::NoLongerAsked,
            };
            out.push(
                Change::new(
                    K::ItemRemoved,
                    s.at(&format!("items/{}", item.id)),
                    Subject::named(question(item)).within(&new.title),
                )
                .values(&item.text, "")
                .effect(Some(effect)),
            );
        }
    }
    for item in &new.items {
        let Some(before) = old.item(&item.id) else {
            let sums: Vec<&Score> = new
                .scores
                .iter()
                .filter(|s| s.sum.contains(&item.id))
                .collect();
            scored_changed |= !sums.is_empty();
            out.push(
                Change::new(
                    K::ItemAdded,
                    s.at(&format!("items/{}", item.id)),
                    Subject::named(question(item)).within(&new.title),
                )
                .clinical_if(!sums.is_empty())
                .shown(item.text.clone())
                .effect(sums.first().map(|score| Consequence::Counts {
                    score: score_name(score),
                    added: vec![question(item)],
                    removed: Vec::new(),
                })),
            );
            continue;
        };
        let is_scored = scored.contains(item.id.as_str());
        let sensitive = is_scored || watched.contains(item.id.as_str());
        scored_changed |= is_scored
            && (item_meaning_changed(before, item)
                || before.enable_when != item.enable_when
                || before.required != item.required);
        items(
            s,
            &s.at(&format!("items/{}", item.id)),
            before,
            item,
            sensitive,
            out,
        );
    }
    let order = |f: &Form| -> Vec<String> {
        f.items
            .iter()
            .map(|i| i.id.clone())
            .filter(|id| old.item(id).is_some() && new.item(id).is_some())
            .collect()
    };
    if order(old) != order(new) {
        out.push(Change::new(
            K::ItemsReordered,
            s.at("items"),
            Subject::named(&new.title),
        ));
    }
    let _ = lang;
    scored_changed
}

/// Scores, their sums, missing-answer rules and bands.
fn scores(s: &Sides<'_>, out: &mut Vec<Change>) -> bool {
    let (old, new) = (s.old, s.new);
    let mut scored_changed = false;
    for score in &old.scores {
        if !new.scores.iter().any(|x| x.id == score.id) {
            out.push(
                Change::new(
                    K::ScoreRemoved,
                    s.at(&format!("scores/{}", score.id)),
                    Subject::named(score_name(score)).within(&new.title),
                )
                .effect(Some(Consequence::ScoreShown {
                    score: score_name(score),
                    added: false,
                })),
            );
        }
    }
    for score in &new.scores {
        let path = |rest: &str| s.at(&format!("scores/{}{rest}", score.id));
        let name = score_name(score);
        let Some(before) = old.scores.iter().find(|x| x.id == score.id) else {
            out.push(
                Change::new(
                    K::ScoreAdded,
                    path(""),
                    Subject::named(&name).within(&new.title),
                )
                .effect(Some(Consequence::ScoreShown {
                    score: name.clone(),
                    added: true,
                })),
            );
            continue;
        };
        if before.title != score.title {
            out.push(
                Change::new(
                    K::ScoreTitleChanged,
                    path("/title"),
                    Subject::named(&name).states(score_name(before), &name),
                )
                .values(score_name(before), &name),
            );
        }
        let pair = ScorePair {
            before,
            score,
            name: &name,
        };
        scored_changed |= score_sum(s, &pair, out);
        scored_changed |= score_missing(s, &pair, out);
        score_bands(s, &pair, out);
    }
    scored_changed
}

/// A score on both sides, by the name citizens see.
#[derive(Clone, Copy)]
struct ScorePair<'a> {
    before: &'a Score,
    score: &'a Score,
    name: &'a str,
}

/// A score's sum: which questions it counts. Whether it changed.
fn score_sum(s: &Sides<'_>, pair: &ScorePair<'_>, out: &mut Vec<Change>) -> bool {
    let (old, new, lang) = (s.old, s.new, s.lang);
    let (before, score, name) = (pair.before, pair.score, pair.name);
    let path = |rest: &str| s.at(&format!("scores/{}{rest}", score.id));
    if before.sum == score.sum {
        return false;
    }
    let added: Vec<String> = score
        .sum
        .iter()
        .filter(|i| !before.sum.contains(i))
        .map(|i| new.item(i).map_or_else(|| i.clone(), question))
        .collect();
    let removed: Vec<String> = before
        .sum
        .iter()
        .filter(|i| !score.sum.contains(i))
        .map(|i| {
            old.item(i)
                .or_else(|| new.item(i))
                .map_or_else(|| i.clone(), question)
        })
        .collect();
    let effect = if added.is_empty() && removed.is_empty() {
        None
    } else {
        Some(Consequence::Counts {
            score: name.to_owned(),
            added,
            removed,
        })
    };
    out.push(
        Change::new(
            K::ScoreSumChanged,
            path("/sum"),
            Subject::named(name).states(
                sum_words(lang, old, &before.sum),
                sum_words(lang, new, &score.sum),
            ),
        )
        .values(before.sum.join(" + "), score.sum.join(" + "))
        .effect(effect),
    );
    true
}

/// A score's rule for unanswered questions. Whether it changed.
fn score_missing(s: &Sides<'_>, pair: &ScorePair<'_>, out: &mut Vec<Change>) -> bool {
    let lang = s.lang;
    let (before, score, name) = (pair.before, pair.score, pair.name);
    let path = |rest: &str| s.at(&format!("scores/{}{rest}", score.id));
    if before.missing == score.missing {
        return false;
    }
    let (was, now) = (rule(before), rule(score));
    let show = |x: &Score| {
        x.missing.as_ref().map_or("–".to_owned(), |r| {
            format!("allow {} {}", r.allow, r.method.as_str())
        })
    };
    out.push(
        Change::new(
            K::ScoreMissingChanged,
            path("/missing"),
            Subject::named(name).states(
                consequence::unanswered_words(lang, was),
                consequence::unanswered_words(lang, now),
            ),
        )
        .values(show(before), show(score))
        .effect(Some(Consequence::MissingRule {
            score: name.to_owned(),
            was,
            now,
        })),
    );
    true
}

/// A score's bands, band by band, with the answers that move between them.
fn score_bands(s: &Sides<'_>, pair: &ScorePair<'_>, out: &mut Vec<Change>) {
    let (old, new) = (s.old, s.new);
    let (before, score, name) = (pair.before, pair.score, pair.name);
    let path = |rest: &str| s.at(&format!("scores/{}{rest}", score.id));
    let moves = consequence::bands_moved(old, before, new, score);
    let moved_within = |lo: f64, hi: f64| -> Option<Consequence> {
        let list: Vec<_> = moves
            .iter()
            .filter(|m| m.to >= lo && m.from <= hi)
            .cloned()
            .collect();
        (!list.is_empty()).then(|| Consequence::BandsMoved {
            score: name.to_owned(),
            moves: list,
        })
    };
    let band = |b: &Band| format!("{}–{} {}", fmt_num(b.min), fmt_num(b.max), b.label);
    for k in 0..before.bands.len().max(score.bands.len()) {
        let at = path(&format!("/bands/{k}"));
        let subject = || Subject::default().within(name).number(k + 1);
        match (before.bands.get(k), score.bands.get(k)) {
            (Some(a), Some(b)) if a != b => {
                // The locator points at the key that changed.
                let key = if a.min != b.min {
                    "min"
                } else if a.max != b.max {
                    "max"
                } else {
                    "label"
                };
                out.push(
                    Change::new(
                        K::ScoreBandChanged,
                        format!("{at}/{key}"),
                        subject().states(band_words(a), band_words(b)),
                    )
                    .values(band(a), band(b))
                    .effect(moved_within(a.min.min(b.min), a.max.max(b.max))),
                );
            }
            (Some(a), None) => out.push(
                Change::new(K::ScoreBandRemoved, at, subject().states(band_words(a), ""))
                    .effect(moved_within(a.min, a.max)),
            ),
            (None, Some(b)) => out.push(
                Change::new(K::ScoreBandAdded, at, subject().states("", band_words(b)))
                    .effect(moved_within(b.min, b.max)),
            ),
            _ => {}
        }
    }
}

/// Alerts: conditions and messages.
fn alerts(s: &Sides<'_>, out: &mut Vec<Change>) {
    let (old, new, lang) = (s.old, s.new, s.lang);
    let cond = |a: &AlertCondition| {
        format!(
            "{} {} {}",
            a.item.as_deref().or(a.score.as_deref()).unwrap_or("?"),
            a.op.symbol(),
            scalar(&a.value)
        )
    };
    for alert in &old.alerts {
        if !new.alerts.iter().any(|a| a.id == alert.id) {
            out.push(
                Change::new(
                    K::AlertRemoved,
                    s.at(&format!("alerts/{}", alert.id)),
                    Subject::named(shorten(&alert.message, QUESTION))
                        .states(alert_words(lang, old, &alert.when), ""),
                )
                .effect(consequence::alert(
                    lang,
                    old,
                    Some(&alert.when),
                    old,
                    None,
                )),
            );
        }
    }
    for alert in &new.alerts {
        let path = |rest: &str| s.at(&format!("alerts/{}{rest}", alert.id));
        let named = || Subject::named(shorten(&alert.message, QUESTION));
        let Some(before) = old.alerts.iter().find(|a| a.id == alert.id) else {
            out.push(
                Change::new(
                    K::AlertAdded,
                    path(""),
                    named().states("", alert_words(lang, new, &alert.when)),
                )
                .effect(consequence::alert(
                    lang,
                    new,
                    None,
                    new,
                    Some(&alert.when),
                )),
            );
            continue;
        };
        if before.when != alert.when {
            let key = if before.when.value != alert.when.value
                && before.when.op == alert.when.op
                && before.when.item == alert.when.item
                && before.when.score == alert.when.score
            {
                "/when/value"
            } else if before.when.op != alert.when.op
                && before.when.item == alert.when.item
                && before.when.score == alert.when.score
            {
                "/when/op"
            } else {
                "/when"
            };
            out.push(
                Change::new(
                    K::AlertConditionChanged,
                    path(key),
                    Subject::named(shorten(&before.message, QUESTION)).states(
                        alert_words(lang, old, &before.when),
                        alert_words(lang, new, &alert.when),
                    ),
                )
                .values(cond(&before.when), cond(&alert.when))
                .effect(consequence::alert(
                    lang,
                    old,
                    Some(&before.when),
                    new,
                    Some(&alert.when),
                )),
            );
        }
        if before.message != alert.message {
            out.push(
                Change::new(K::AlertMessageChanged, path("/message"), named())
                    .values(&before.message, &alert.message),
            );
        }
    }
}

fn scalar(v: &Scalar) -> String {
    match v {
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(n) => fmt_num(*n),
        Scalar::Text(t) => format!("\"{t}\""),
    }
}

fn condition(c: &Option<Condition>) -> String {
    c.as_ref().map_or("always".to_owned(), |c| {
        format!("{} {} {}", c.item, c.op.symbol(), scalar(&c.value))
    })
}

/// Whether an item's answers would now add something else to a score.
fn item_meaning_changed(a: &Item, b: &Item) -> bool {
    a.kind != b.kind
        || a.text != b.text
        || a.min != b.min
        || a.max != b.max
        || a.min_label != b.min_label
        || a.max_label != b.max_label
        || a.options
            .iter()
            .map(|o| (o.value.to_bits(), &o.label))
            .collect::<Vec<_>>()
            != b.options
                .iter()
                .map(|o| (o.value.to_bits(), &o.label))
                .collect::<Vec<_>>()
}

fn items(s: &Sides<'_>, path: &str, a: &Item, b: &Item, sensitive: bool, out: &mut Vec<Change>) {
    let lang = s.lang;
    let scores = s.scores_of(&b.id);
    let is_scored = !scores.is_empty();
    // A scored question that reads or is answered differently.
    let wording = || is_scored.then_some(Consequence::NotComparable);
    let named = || Subject::named(question(b)).within(&s.new.title);
    if a.kind != b.kind {
        out.push(
            Change::new(
                K::ItemTypeChanged,
                format!("{path}/type"),
                named().states(type_words(lang, a.kind), type_words(lang, b.kind)),
            )
            .values(a.kind.name(), b.kind.name())
            .effect(Some(Consequence::NotComparable)),
        );
    }
    if a.text != b.text {
        let mut change = Change::new(K::ItemTextChanged, format!("{path}/text"), named())
            .clinical_if(sensitive)
            .effect(wording());
        change.words = Some(text::words(&a.text, &b.text));
        out.push(change);
    }
    if a.min_label != b.min_label || a.max_label != b.max_label {
        let ends = |i: &Item| {
            format!(
                "{} … {}",
                i.min_label.as_deref().unwrap_or("–"),
                i.max_label.as_deref().unwrap_or("–")
            )
        };
        let key = if a.min_label != b.min_label {
            "min_label"
        } else {
            "max_label"
        };
        out.push(
            Change::new(
                K::ItemLabelsChanged,
                format!("{path}/{key}"),
                named().states(lang.quote(&ends(a)), lang.quote(&ends(b))),
            )
            .values(ends(a), ends(b))
            .clinical_if(sensitive)
            .effect(wording()),
        );
    }
    if a.unit != b.unit {
        out.push(
            Change::new(
                K::ItemUnitChanged,
                format!("{path}/unit"),
                named().states(
                    a.unit.clone().unwrap_or_default(),
                    b.unit.clone().unwrap_or_default(),
                ),
            )
            .values(
                a.unit.clone().unwrap_or_default(),
                b.unit.clone().unwrap_or_default(),
            ),
        );
    }
    if a.help != b.help {
        out.push(Change::new(
            K::ItemHelpChanged,
            format!("{path}/help"),
            named(),
        ));
    }
    if a.required != b.required {
        // An optional summed question changes what its score means.
        let effect = scores.first().map(|score| Consequence::Unanswered {
            score: score_name(score),
            required: b.required,
            rule: rule(score),
        });
        out.push(
            Change::new(
                K::ItemRequiredChanged,
                format!("{path}/required"),
                named().flag(b.required),
            )
            .values(a.required.to_string(), b.required.to_string())
            .clinical_if(is_scored || sensitive)
            .effect(effect),
        );
    }
    if a.min != b.min || a.max != b.max {
        let range = |i: &Item| {
            format!(
                "{}–{}",
                i.min.map_or("?".into(), fmt_num),
                i.max.map_or("?".into(), fmt_num)
            )
        };
        let key = if a.min != b.min { "min" } else { "max" };
        out.push(
            Change::new(
                K::ItemRangeChanged,
                format!("{path}/{key}"),
                named().states(range(a), range(b)),
            )
            .values(range(a), range(b))
            .clinical_if(sensitive)
            .effect(wording()),
        );
    }
    if a.enable_when != b.enable_when {
        out.push(
            Change::new(
                K::EnableWhenChanged,
                format!("{path}/enable_when"),
                named().states(
                    condition_words(lang, s.old, a.enable_when.as_ref()),
                    condition_words(lang, s.new, b.enable_when.as_ref()),
                ),
            )
            .values(condition(&a.enable_when), condition(&b.enable_when))
            .effect(Some(if is_scored {
                Consequence::HiddenNotCounted
            } else {
                Consequence::NotComparable
            })),
        );
    }
    options(s, path, a, b, sensitive, out);
}

/// Options, matched by label first (a value change), then by value (a label change).
/// Options are numbered from 1, as a person counts them.
fn options(s: &Sides<'_>, path: &str, a: &Item, b: &Item, sensitive: bool, out: &mut Vec<Change>) {
    let lang = s.lang;
    let is_scored = !s.scores_of(&b.id).is_empty();
    let wording = || is_scored.then_some(Consequence::NotComparable);
    let within = question(b);
    for (k, option) in b.options.iter().enumerate() {
        let opt_path = format!("{path}/options/{k}");
        let subject = || Subject::named(&option.label).within(&within).number(k + 1);
        if let Some(before) = a.options.iter().find(|o| o.label == option.label) {
            if before.value != option.value {
                out.push(
                    Change::new(
                        K::OptionValueChanged,
                        format!("{opt_path}/value"),
                        subject().states(fmt_num(before.value), fmt_num(option.value)),
                    )
                    .values(fmt_num(before.value), fmt_num(option.value))
                    .effect(Some(Consequence::OptionValue {
                        label: option.label.clone(),
                        was: fmt_num(before.value),
                        now: fmt_num(option.value),
                    })),
                );
            }
        } else if let Some(before) = a.options.iter().find(|o| o.value == option.value) {
            out.push(
                Change::new(
                    K::OptionLabelChanged,
                    format!("{opt_path}/label"),
                    subject().states(&before.label, &option.label),
                )
                .values(&before.label, &option.label)
                .clinical_if(sensitive)
                .effect(wording()),
            );
        } else {
            out.push(
                Change::new(
                    K::OptionAdded,
                    opt_path,
                    subject().states("", fmt_num(option.value)),
                )
                .clinical_if(sensitive)
                .effect(wording()),
            );
        }
    }
    for option in &a.options {
        if !b
            .options
            .iter()
            .any(|o| o.label == option.label || o.value == option.value)
        {
            out.push(
                Change::new(
                    K::OptionRemoved,
                    format!("{path}/options"),
                    Subject::named(&option.label)
                        .within(&within)
                        .states(fmt_num(option.value), ""),
                )
                .clinical_if(sensitive)
                .effect(wording()),
            );
        }
    }
    let _ = lang;
}
