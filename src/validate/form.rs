//! Rules for forms: ids, item types, conditions, scores, bands and alerts.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::load::yaml::{Node, Seg};
use crate::load::{LoadedForm, LoadedMoment};
use crate::model::{Form, Item, ItemType, MissingMethod, Op, Scalar, Score};
use crate::scoring::{self, fmt_num};

pub(super) fn check(loaded: &LoadedForm, _moment: &LoadedMoment, out: &mut Vec<Diagnostic>) {
    let Some(form) = &loaded.form else { return };
    let node = &loaded.node;
    let mut sink = Sink::new(&loaded.rel, out);
    if form.id != loaded.stem {
        sink.report(
            Code::IdMismatch,
            node.pos_at(&["id".into()]),
            format!(
                "form id `{}` does not match the file name `{}.yaml`",
                form.id, loaded.stem
            ),
        )
        .help(format!(
            "set `id: {}` or rename the file to forms/{}.yaml",
            loaded.stem, form.id
        ));
    }
    unique_ids(
        node,
        "items",
        form.items.iter().map(|i| i.id.as_str()),
        "item",
        &mut sink,
    );
    unique_ids(
        node,
        "scores",
        form.scores.iter().map(|s| s.id.as_str()),
        "score",
        &mut sink,
    );
    unique_ids(
        node,
        "alerts",
        form.alerts.iter().map(|a| a.id.as_str()),
        "alert",
        &mut sink,
    );
    for (i, item) in form.items.iter().enumerate() {
        item_keys(item, i, node, &mut sink);
        if let Some(cond) = &item.enable_when {
            let at = |key: &str| {
                node.pos_at(&["items".into(), i.into(), "enable_when".into(), key.into()])
            };
            match form.item_index(&cond.item) {
                Some(j) if j < i && form.items[j].kind != ItemType::Display => {
                    if let Err(why) = condition_fits(&form.items[j], cond.op, &cond.value) {
                        sink.report(
                            Code::ConditionType,
                            at("value"),
                            format!("enable_when on `{}`: {why}", cond.item),
                        )
                        .help(condition_hint(&form.items[j]));
                    }
                }
                Some(j) if j < i => {
                    sink.report(
                        Code::ConditionTarget,
                        at("item"),
                        format!("`{}` is a display item and has no answer", cond.item),
                    )
                    .help("make the condition depend on a question");
                }
                Some(j) if j == i => {
                    sink.report(
                        Code::ConditionTarget,
                        at("item"),
                        format!("item `{}` depends on itself", item.id),
                    )
                    .help("an item can only depend on an earlier item");
                }
                Some(_) => {
                    sink.report(
                        Code::ConditionTarget,
                        at("item"),
                        format!("`{}` comes after `{}`; conditions may only refer to earlier items, which also rules out cycles", cond.item, item.id),
                    )
                    .help("move the item after the one it depends on");
                }
                None => {
                    sink.report(
                        Code::ConditionTarget,
                        at("item"),
                        format!("no item `{}` in this form", cond.item),
                    )
                    .help(suggest(
                        &cond.item,
                        form.items.iter().map(|i| i.id.as_str()),
                    ));
                }
            }
        }
    }
    scores(form, node, &mut sink);
    alerts(form, node, &mut sink);
}

fn suggest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> String {
    let known: Vec<String> = known.map(str::to_owned).collect();
    match crate::load::schema::closest(word, &known) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!("known ids: {}", known.join(", ")),
    }
}

fn unique_ids<'a>(
    node: &Node,
    list: &str,
    ids: impl Iterator<Item = &'a str>,
    what: &str,
    sink: &mut Sink<'_>,
) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, id) in ids.enumerate() {
        let pos = node.pos_at(&[list.into(), i.into(), "id".into()]);
        if let Some(first) = seen.get(id) {
            let first_line = node
                .pos_at(&[list.into(), (*first).into(), "id".into()])
                .line;
            sink.report(
                Code::DuplicateId,
                pos,
                format!("{what} id `{id}` is used twice"),
            )
            .help(format!(
                "the first `{id}` is on line {first_line}; give each {what} its own id"
            ));
        } else {
            seen.insert(id, i);
        }
    }
}

fn item_keys(item: &Item, i: usize, node: &Node, sink: &mut Sink<'_>) {
    let at = |key: &str| -> Vec<Seg<'static>> {
        vec!["items".into(), i.into(), Seg::Key(key.to_owned().into())]
    };
    let choice = matches!(item.kind, ItemType::Choice | ItemType::Multichoice);
    let ranged = matches!(item.kind, ItemType::Scale | ItemType::Number);
    let mut misfit = |key: &str, why: String| {
        sink.report(Code::ItemMisfit, node.key_pos_at(&at(key)), why)
            .help(format!("remove `{key}`, or change `type:`"));
    };
    let t = item.kind.name();
    if !item.options.is_empty() && !choice {
        misfit("options", format!("a {t} item has no options"));
    }
    for key in ["min", "max"] {
        let given = if key == "min" {
            item.min.is_some()
        } else {
            item.max.is_some()
        };
        if given && !ranged {
            misfit(
                key,
                format!("a {t} item has no `{key}`; only scale and number items do"),
            );
        }
    }
    if (item.min_label.is_some() || item.max_label.is_some()) && item.kind != ItemType::Scale {
        let key = if item.min_label.is_some() {
            "min_label"
        } else {
            "max_label"
        };
        misfit(
            key,
            format!("a {t} item has no `{key}`; only scale items do"),
        );
    }
    if item.unit.is_some() && item.kind != ItemType::Number {
        misfit(
            "unit",
            format!("a {t} item has no `unit`; only number items do"),
        );
    }
    if let (Some(min), Some(max)) = (item.min, item.max) {
        let bad = match item.kind {
            ItemType::Scale => min >= max || min.fract() != 0.0 || max.fract() != 0.0,
            _ => min > max,
        };
        if bad && ranged {
            sink.report(
                Code::ItemMisfit,
                node.pos_at(&at("max")),
                format!("`min` {} and `max` {} do not make a range", fmt_num(min), fmt_num(max)),
            )
            .help("a scale runs over whole numbers from min up to a larger max; a number needs min ≤ max");
        }
    }
    let mut values: Vec<f64> = Vec::new();
    for (j, option) in item.options.iter().enumerate() {
        if values.contains(&option.value) {
            sink.report(
                Code::DuplicateOption,
                node.pos_at(&["items".into(), i.into(), "options".into(), j.into(), "value".into()]),
                format!("option value {} is used twice in `{}`", fmt_num(option.value), item.id),
            )
            .help("give every option its own value; scores and conditions tell options apart by value");
        }
        values.push(option.value);
    }
}

/// Whether a condition `op value` can be tested against answers to `item`.
pub fn condition_fits(item: &Item, op: Op, value: &Scalar) -> Result<(), String> {
    let t = item.kind.name();
    match (item.kind, value) {
        (ItemType::Choice | ItemType::Multichoice, Scalar::Number(v)) => {
            if !item.options.iter().any(|o| o.value == *v) {
                return Err(format!("{} is not one of its option values", fmt_num(*v)));
            }
            if item.kind == ItemType::Multichoice && !op.is_equality() {
                return Err(format!(
                    "a multichoice item only takes = (selected) or != (not selected), not {}",
                    op.symbol()
                ));
            }
            Ok(())
        }
        (ItemType::Scale | ItemType::Number, Scalar::Number(_)) => Ok(()),
        (ItemType::Boolean, Scalar::Bool(_)) if op.is_equality() => Ok(()),
        (ItemType::Boolean, Scalar::Bool(_)) => Err(format!(
            "a boolean answer cannot be {} something",
            op.symbol()
        )),
        (ItemType::Text, Scalar::Text(_)) if op.is_equality() => Ok(()),
        (ItemType::Text, Scalar::Text(_)) => Err(format!(
            "a text answer can only be compared with = or !=, not {}",
            op.symbol()
        )),
        (ItemType::Date | ItemType::Time, Scalar::Text(_)) => Ok(()),
        (ItemType::Display, _) => Err("a display item has no answer".to_owned()),
        (_, v) => Err(format!(
            "a {t} answer cannot be compared with {}",
            scalar_kind(v)
        )),
    }
}

fn scalar_kind(v: &Scalar) -> &'static str {
    match v {
        Scalar::Bool(_) => "true or false",
        Scalar::Number(_) => "a number",
        Scalar::Text(_) => "text",
    }
}

fn condition_hint(item: &Item) -> String {
    match item.kind {
        ItemType::Choice | ItemType::Multichoice => format!(
            "compare with one of the option values of `{}`: {}",
            item.id,
            item.options
                .iter()
                .map(|o| fmt_num(o.value))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ItemType::Boolean => "write `op: \"=\"` and `value: true` or `value: false`".to_owned(),
        ItemType::Text => "compare text with `op: \"=\"` or `op: \"!=\"`".to_owned(),
        ItemType::Date => "compare with a date written as text, such as \"2026-01-31\"".to_owned(),
        ItemType::Time => "compare with a time written as text, such as \"22:30\"".to_owned(),
        _ => "compare with a number".to_owned(),
    }
}

fn scores(form: &Form, node: &Node, sink: &mut Sink<'_>) {
    for (s, score) in form.scores.iter().enumerate() {
        let mut complete = true;
        for (k, id) in score.sum.iter().enumerate() {
            let pos = node.pos_at(&["scores".into(), s.into(), "sum".into(), k.into()]);
            match form.item(id) {
                None => {
                    complete = false;
                    sink.report(
                        Code::ScoreItem,
                        pos,
                        format!("score `{}` sums `{id}`, which is not an item", score.id),
                    )
                    .help(suggest(id, form.items.iter().map(|i| i.id.as_str())));
                }
                Some(item) if !item.kind.is_numeric() => {
                    complete = false;
                    sink.report(
                        Code::ScoreItem,
                        pos,
                        format!(
                            "`{id}` is a {} item and has no numeric value",
                            item.kind.name()
                        ),
                    )
                    .help("scores sum choice, multichoice, scale, number and boolean items");
                }
                Some(item) if scoring::item_range(item).is_none() => {
                    complete = false;
                    sink.report(
                        Code::ScoreItem,
                        pos,
                        format!(
                            "number item `{id}` has no `min` and `max`, so the score has no range"
                        ),
                    )
                    .help(format!("give `{id}` a `min:` and a `max:`"));
                }
                Some(_) => {}
            }
        }
        if complete {
            missing_rule(form, score, s, node, sink);
        }
        if !complete || score.bands.is_empty() {
            continue;
        }
        let Some((lo, hi, whole)) = scoring::score_range(form, score) else {
            continue;
        };
        bands(score, s, lo, hi, whole, node, sink);
    }
}

/// The missing-answer rule of score number `s`, and optional items summed without one.
fn missing_rule(form: &Form, score: &Score, s: usize, node: &Node, sink: &mut Sink<'_>) {
    let at = |rest: &[Seg<'_>]| {
        let mut p: Vec<Seg<'_>> = vec!["scores".into(), s.into()];
        p.extend_from_slice(rest);
        node.pos_at(&p)
    };
    let Some(rule) = &score.missing else {
        for (k, id) in score.sum.iter().enumerate() {
            let Some(item) = form.item(id) else { continue };
            if item.required {
                continue;
            }
            sink.report(
                Code::OptionalScored,
                at(&["sum".into(), k.into()]),
                format!(
                    "score `{}` sums `{id}`, which is not required: when it is skipped the score is not computed",
                    score.id
                ),
            )
            .help(format!(
                "set `required: true` on `{id}`, or give the score a rule from the instrument's manual, such as `missing: {{allow: 1, method: prorate}}`"
            ));
        }
        return;
    };
    let n = score.sum.len();
    if rule.allow as usize >= n {
        sink.report(
            Code::MissingAllow,
            at(&["missing".into(), "allow".into()]),
            format!(
                "`allow: {}` lets all {n} summed items of `{}` be unanswered, so a score would be made up from no answers",
                rule.allow, score.id
            ),
        )
        .help(format!(
            "allow at most {} unanswered items (the instrument's manual says how many)",
            n.saturating_sub(1)
        ));
    }
    if rule.method != MissingMethod::Prorate {
        return;
    }
    for (k, id) in score.sum.iter().enumerate() {
        let Some(item) = form.item(id) else { continue };
        if matches!(
            item.kind,
            ItemType::Choice | ItemType::Scale | ItemType::Boolean
        ) {
            continue;
        }
        sink.report(
            Code::ProrateItems,
            at(&["sum".into(), k.into()]),
            format!(
                "score `{}` is prorated, but `{id}` is a {} item: prorating scales the mean of the answered items, which needs every item answered on one bounded scale",
                score.id,
                item.kind.name()
            ),
        )
        .help("prorate scores of choice, scale or boolean items, or use `method: zero` if the manual says so");
    }
}

fn bands(
    score: &crate::model::Score,
    s: usize,
    lo: f64,
    hi: f64,
    whole: bool,
    node: &Node,
    sink: &mut Sink<'_>,
) {
    let band_pos = |b: usize, key: &str| {
        node.pos_at(&[
            "scores".into(),
            s.into(),
            "bands".into(),
            b.into(),
            key.into(),
        ])
    };
    let mut ok = true;
    for (b, band) in score.bands.iter().enumerate() {
        if band.min > band.max {
            ok = false;
            sink.report(
                Code::BandsGap,
                band_pos(b, "min"),
                format!(
                    "band `{}` runs from {} down to {}",
                    band.label,
                    fmt_num(band.min),
                    fmt_num(band.max)
                ),
            )
            .help("a band's min must not be larger than its max");
        }
        if b == 0 {
            continue;
        }
        let prev = &score.bands[b - 1];
        let expected = if whole { prev.max + 1.0 } else { prev.max };
        if band.min != expected {
            ok = false;
            let what = if band.min < expected {
                "overlaps"
            } else {
                "leaves a gap after"
            };
            sink.report(
                Code::BandsGap,
                band_pos(b, "min"),
                format!("band `{}` starts at {}: it {what} band `{}`, which ends at {}", band.label, fmt_num(band.min), prev.label, fmt_num(prev.max)),
            )
            .help(if whole {
                format!("bands are in ascending order; for a whole-number score start this band at {}", fmt_num(expected))
            } else {
                format!("bands are in ascending order; this score can take fractional values, so start this band at {} (the boundary belongs to the higher band)", fmt_num(expected))
            });
        }
    }
    if !ok {
        return;
    }
    let (first, last) = (&score.bands[0], &score.bands[score.bands.len() - 1]);
    let range = format!("{} to {}", fmt_num(lo), fmt_num(hi));
    if first.min > lo {
        sink.report(
            Code::BandsRange,
            band_pos(0, "min"),
            format!("score `{}` can be as low as {}, but the first band starts at {}", score.id, fmt_num(lo), fmt_num(first.min)),
        )
        .help(format!("the score ranges from {range} (a hidden conditional item adds 0); let the bands cover all of it"));
    }
    if last.max < hi {
        sink.report(
            Code::BandsRange,
            band_pos(score.bands.len() - 1, "max"),
            format!(
                "score `{}` can be as high as {}, but the last band ends at {}",
                score.id,
                fmt_num(hi),
                fmt_num(last.max)
            ),
        )
        .help(format!(
            "the score ranges from {range}; let the bands cover all of it"
        ));
    }
}

fn alerts(form: &Form, node: &Node, sink: &mut Sink<'_>) {
    for (a, alert) in form.alerts.iter().enumerate() {
        let at = |key: &str| node.pos_at(&["alerts".into(), a.into(), "when".into(), key.into()]);
        if let Some(id) = &alert.when.item {
            match form.item(id) {
                None => {
                    sink.report(
                        Code::AlertTarget,
                        at("item"),
                        format!(
                            "alert `{}` refers to `{id}`, which is not an item",
                            alert.id
                        ),
                    )
                    .help(suggest(id, form.items.iter().map(|i| i.id.as_str())));
                }
                Some(item) => {
                    if let Err(why) = condition_fits(item, alert.when.op, &alert.when.value) {
                        sink.report(
                            Code::ConditionType,
                            at("value"),
                            format!("alert `{}` on `{id}`: {why}", alert.id),
                        )
                        .help(condition_hint(item));
                    }
                }
            }
        }
        if let Some(id) = &alert.when.score {
            if !form.scores.iter().any(|s| &s.id == id) {
                sink.report(
                    Code::AlertTarget,
                    at("score"),
                    format!(
                        "alert `{}` refers to `{id}`, which is not a score",
                        alert.id
                    ),
                )
                .help(suggest(id, form.scores.iter().map(|s| s.id.as_str())));
            } else if !matches!(alert.when.value, Scalar::Number(_)) {
                sink.report(
                    Code::ConditionType,
                    at("value"),
                    format!("alert `{}`: a score is compared with a number", alert.id),
                )
                .help("write a number, such as `value: 20`");
            }
        }
    }
}
