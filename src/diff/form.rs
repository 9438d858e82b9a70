//! Comparing two versions of a form: what changes the meaning of scores, bands,
//! alerts and enabled items is clinical.

use std::collections::BTreeSet;

use super::text;
use super::{Change, Class};
use crate::model::{Condition, Form, Item};
use crate::scoring::fmt_num;

/// The changes between two versions of a form, and whether its scored items changed
/// (which breaks the comparability of repeated measurements).
pub fn compare(file: &str, old: &Form, new: &Form) -> (Vec<Change>, bool) {
    let mut out = Vec::new();
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
    let at = |rest: &str| format!("{file}#{rest}");
    if old.title != new.title {
        out.push(
            Change::new(
                Class::Content,
                "form_title_changed",
                at("title"),
                format!("form `{}` has a new title", new.id),
            )
            .values(&old.title, &new.title),
        );
    }
    if old.description != new.description {
        out.push(Change::new(
            Class::Content,
            "form_description_changed",
            at("description"),
            format!("the introduction of form `{}` changed", new.id),
        ));
    }
    if old.kind != new.kind {
        out.push(Change::new(
            Class::Content,
            "form_kind_changed",
            at("kind"),
            format!("form `{}` changed kind", new.id),
        ));
    }
    if old.schedule != new.schedule {
        let show = |f: &Form| {
            f.schedule.as_ref().map_or("no schedule".to_owned(), |s| {
                format!("{} × every {}", s.times, s.every)
            })
        };
        out.push(
            Change::new(
                Class::Content,
                "schedule_changed",
                at("schedule"),
                format!("the schedule of form `{}` changed", new.id),
            )
            .values(show(old), show(new)),
        );
    }
    if old.series_break != new.series_break {
        out.push(Change::new(
            Class::Cosmetic,
            "series_break_changed",
            at("series_break"),
            format!("series_break of `{}` is now {}", new.id, new.series_break),
        ));
    }
    // Items.
    for item in &old.items {
        if new.item(&item.id).is_none() {
            let is_scored = scored.contains(item.id.as_str());
            scored_changed |= is_scored;
            out.push(Change::new(
                Class::Clinical,
                "item_removed",
                at(&format!("items/{}", item.id)),
                format!("item `{}` was removed: {}", item.id, item.text),
            ));
        }
    }
    for item in &new.items {
        let Some(before) = old.item(&item.id) else {
            let is_scored = new.scores.iter().any(|s| s.sum.contains(&item.id));
            scored_changed |= is_scored;
            let class = if is_scored {
                Class::Clinical
            } else {
                Class::Content
            };
            out.push(Change::new(
                class,
                "item_added",
                at(&format!("items/{}", item.id)),
                format!("item `{}` was added: {}", item.id, item.text),
            ));
            continue;
        };
        let is_scored = scored.contains(item.id.as_str());
        let sensitive = is_scored || watched.contains(item.id.as_str());
        scored_changed |= is_scored
            && (item_meaning_changed(before, item) || before.enable_when != item.enable_when);
        items(
            &at(&format!("items/{}", item.id)),
            before,
            item,
            sensitive,
            &mut out,
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
            Class::Content,
            "items_reordered",
            at("items"),
            format!("the items of `{}` come in a new order", new.id),
        ));
    }
    // Scores and bands.
    for score in &old.scores {
        if !new.scores.iter().any(|s| s.id == score.id) {
            out.push(Change::new(
                Class::Clinical,
                "score_removed",
                at(&format!("scores/{}", score.id)),
                format!("score `{}` was removed", score.id),
            ));
        }
    }
    for score in &new.scores {
        let path = |rest: &str| at(&format!("scores/{}{rest}", score.id));
        let Some(before) = old.scores.iter().find(|s| s.id == score.id) else {
            out.push(Change::new(
                Class::Clinical,
                "score_added",
                path(""),
                format!("score `{}` was added", score.id),
            ));
            continue;
        };
        if before.title != score.title {
            out.push(Change::new(
                Class::Content,
                "score_title_changed",
                path("/title"),
                format!("score `{}` has a new title", score.id),
            ));
        }
        if before.sum != score.sum {
            scored_changed = true;
            out.push(
                Change::new(
                    Class::Clinical,
                    "score_sum_changed",
                    path("/sum"),
                    format!("score `{}` sums other items", score.id),
                )
                .values(before.sum.join(" + "), score.sum.join(" + ")),
            );
        }
        let band =
            |b: &crate::model::Band| format!("{}–{} {}", fmt_num(b.min), fmt_num(b.max), b.label);
        for k in 0..before.bands.len().max(score.bands.len()) {
            match (before.bands.get(k), score.bands.get(k)) {
                (Some(a), Some(b)) if a != b => out.push(
                    Change::new(
                        Class::Clinical,
                        "score_band_changed",
                        path(&format!("/bands/{k}")),
                        format!("band {} of score `{}` changed", k + 1, score.id),
                    )
                    .values(band(a), band(b)),
                ),
                (Some(a), None) => out.push(Change::new(
                    Class::Clinical,
                    "score_band_removed",
                    path(&format!("/bands/{k}")),
                    format!("band `{}` of score `{}` was removed", a.label, score.id),
                )),
                (None, Some(b)) => out.push(Change::new(
                    Class::Clinical,
                    "score_band_added",
                    path(&format!("/bands/{k}")),
                    format!("band `{}` was added to score `{}`", b.label, score.id),
                )),
                _ => {}
            }
        }
    }
    // Alerts.
    let cond = |a: &crate::model::AlertCondition| {
        format!(
            "{} {} {}",
            a.item.as_deref().or(a.score.as_deref()).unwrap_or("?"),
            a.op.symbol(),
            scalar(&a.value)
        )
    };
    for alert in &old.alerts {
        if !new.alerts.iter().any(|a| a.id == alert.id) {
            out.push(Change::new(
                Class::Clinical,
                "alert_removed",
                at(&format!("alerts/{}", alert.id)),
                format!("alert `{}` was removed: {}", alert.id, alert.message),
            ));
        }
    }
    for alert in &new.alerts {
        let path = |rest: &str| at(&format!("alerts/{}{rest}", alert.id));
        let Some(before) = old.alerts.iter().find(|a| a.id == alert.id) else {
            out.push(Change::new(
                Class::Clinical,
                "alert_added",
                path(""),
                format!("alert `{}` was added: {}", alert.id, alert.message),
            ));
            continue;
        };
        if before.when != alert.when {
            out.push(
                Change::new(
                    Class::Clinical,
                    "alert_condition_changed",
                    path("/when"),
                    format!("alert `{}` fires on another condition", alert.id),
                )
                .values(cond(&before.when), cond(&alert.when)),
            );
        }
        if before.message != alert.message {
            out.push(
                Change::new(
                    Class::Content,
                    "alert_message_changed",
                    path("/message"),
                    format!("alert `{}` tells staff something else", alert.id),
                )
                .values(&before.message, &alert.message),
            );
        }
    }
    (out, scored_changed)
}

fn scalar(v: &crate::model::Scalar) -> String {
    match v {
        crate::model::Scalar::Bool(b) => b.to_string(),
        crate::model::Scalar::Number(n) => fmt_num(*n),
        crate::model::Scalar::Text(t) => format!("\"{t}\""),
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

fn items(path: &str, a: &Item, b: &Item, sensitive: bool, out: &mut Vec<Change>) {
    let wording = if sensitive {
        Class::Clinical
    } else {
        Class::Content
    };
    if a.kind != b.kind {
        out.push(
            Change::new(
                Class::Clinical,
                "item_type_changed",
                format!("{path}/type"),
                format!("item `{}` changed type", b.id),
            )
            .values(a.kind.name(), b.kind.name()),
        );
    }
    if a.text != b.text {
        let mut change = Change::new(
            wording,
            "item_text_changed",
            format!("{path}/text"),
            format!("the wording of item `{}` changed", b.id),
        );
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
        out.push(
            Change::new(
                wording,
                "item_labels_changed",
                format!("{path}/min_label"),
                format!("the scale labels of item `{}` changed", b.id),
            )
            .values(ends(a), ends(b)),
        );
    }
    if a.unit != b.unit {
        out.push(
            Change::new(
                Class::Content,
                "item_unit_changed",
                format!("{path}/unit"),
                format!("the unit of item `{}` changed", b.id),
            )
            .values(
                a.unit.clone().unwrap_or_default(),
                b.unit.clone().unwrap_or_default(),
            ),
        );
    }
    if a.help != b.help {
        out.push(Change::new(
            Class::Content,
            "item_help_changed",
            format!("{path}/help"),
            format!("the help text of item `{}` changed", b.id),
        ));
    }
    if a.required != b.required {
        out.push(Change::new(
            Class::Content,
            "item_required_changed",
            format!("{path}/required"),
            format!(
                "item `{}` is {} required",
                b.id,
                if b.required { "now" } else { "no longer" }
            ),
        ));
    }
    if a.min != b.min || a.max != b.max {
        let range = |i: &Item| {
            format!(
                "{}–{}",
                i.min.map_or("?".into(), fmt_num),
                i.max.map_or("?".into(), fmt_num)
            )
        };
        out.push(
            Change::new(
                wording,
                "item_range_changed",
                format!("{path}/min"),
                format!("the range of item `{}` changed", b.id),
            )
            .values(range(a), range(b)),
        );
    }
    if a.enable_when != b.enable_when {
        out.push(
            Change::new(
                Class::Clinical,
                "enable_when_changed",
                format!("{path}/enable_when"),
                format!("item `{}` is shown on another condition", b.id),
            )
            .values(condition(&a.enable_when), condition(&b.enable_when)),
        );
    }
    // Options, matched by label first (a value change), then by value (a label change).
    for (k, option) in b.options.iter().enumerate() {
        let opt_path = format!("{path}/options/{k}");
        if let Some(before) = a.options.iter().find(|o| o.label == option.label) {
            if before.value != option.value {
                out.push(
                    Change::new(
                        Class::Clinical,
                        "option_value_changed",
                        opt_path,
                        format!(
                            "option `{}` of item `{}` has another value",
                            option.label, b.id
                        ),
                    )
                    .values(fmt_num(before.value), fmt_num(option.value)),
                );
            }
        } else if let Some(before) = a.options.iter().find(|o| o.value == option.value) {
            out.push(
                Change::new(
                    wording,
                    "option_label_changed",
                    opt_path,
                    format!(
                        "option {} of item `{}` is worded differently",
                        fmt_num(option.value),
                        b.id
                    ),
                )
                .values(&before.label, &option.label),
            );
        } else {
            out.push(Change::new(
                wording,
                "option_added",
                opt_path,
                format!(
                    "item `{}` got the option `{}` ({})",
                    b.id,
                    option.label,
                    fmt_num(option.value)
                ),
            ));
        }
    }
    for option in &a.options {
        if !b
            .options
            .iter()
            .any(|o| o.label == option.label || o.value == option.value)
        {
            out.push(Change::new(
                wording,
                "option_removed",
                format!("{path}/options"),
                format!(
                    "item `{}` lost the option `{}` ({})",
                    b.id,
                    option.label,
                    fmt_num(option.value)
                ),
            ));
        }
    }
}
