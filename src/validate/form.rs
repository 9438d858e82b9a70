//! Rules for forms: ids, item types, conditions, scores, bands and alerts.

use std::collections::BTreeMap;

use crate::diagnostic::msg::{FormMsg, Misfit, Part, Value as Kind};
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
            FormMsg::IdMismatch {
                id: form.id.clone(),
                stem: loaded.stem.clone(),
            },
        )
        .help(FormMsg::IdMismatchHint {
            id: form.id.clone(),
            stem: loaded.stem.clone(),
        });
    }
    unique_ids(
        node,
        "items",
        form.items.iter().map(|i| i.id.as_str()),
        Part::Item,
        &mut sink,
    );
    unique_ids(
        node,
        "scores",
        form.scores.iter().map(|s| s.id.as_str()),
        Part::Score,
        &mut sink,
    );
    unique_ids(
        node,
        "alerts",
        form.alerts.iter().map(|a| a.id.as_str()),
        Part::Alert,
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
                    if let Err(why) = condition_misfit(&form.items[j], cond.op, &cond.value) {
                        sink.report(
                            Code::ConditionType,
                            at("value"),
                            FormMsg::EnableWhen {
                                item: cond.item.clone(),
                                why,
                            },
                        )
                        .help(condition_hint(&form.items[j]));
                    }
                }
                Some(j) if j < i => {
                    sink.report(
                        Code::ConditionTarget,
                        at("item"),
                        FormMsg::DisplayTarget {
                            item: cond.item.clone(),
                        },
                    )
                    .help(FormMsg::DisplayTargetHint);
                }
                Some(j) if j == i => {
                    sink.report(
                        Code::ConditionTarget,
                        at("item"),
                        FormMsg::SelfTarget {
                            item: item.id.clone(),
                        },
                    )
                    .help(FormMsg::SelfTargetHint);
                }
                Some(_) => {
                    sink.report(
                        Code::ConditionTarget,
                        at("item"),
                        FormMsg::LaterTarget {
                            target: cond.item.clone(),
                            item: item.id.clone(),
                        },
                    )
                    .help(FormMsg::LaterTargetHint);
                }
                None => {
                    sink.report(
                        Code::ConditionTarget,
                        at("item"),
                        FormMsg::NoItem {
                            item: cond.item.clone(),
                        },
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

fn suggest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> FormMsg {
    let known: Vec<String> = known.map(str::to_owned).collect();
    match crate::load::schema::closest(word, &known) {
        Some(c) => FormMsg::DidYouMean {
            close: c.to_owned(),
        },
        None => FormMsg::KnownIds {
            list: known.join(", "),
        },
    }
}

fn unique_ids<'a>(
    node: &Node,
    list: &str,
    ids: impl Iterator<Item = &'a str>,
    what: Part,
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
                FormMsg::DuplicateId {
                    part: what,
                    id: id.to_owned(),
                },
            )
            .help(FormMsg::DuplicateIdHint {
                part: what,
                id: id.to_owned(),
                line: first_line,
            });
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
    let mut misfit = |key: &str, why: FormMsg| {
        sink.report(Code::ItemMisfit, node.key_pos_at(&at(key)), why)
            .help(FormMsg::MisfitHint {
                key: key.to_owned(),
            });
    };
    let t = item.kind.name();
    if !item.options.is_empty() && !choice {
        misfit("options", FormMsg::NoOptions { kind: t });
    }
    for key in ["min", "max"] {
        let given = if key == "min" {
            item.min.is_some()
        } else {
            item.max.is_some()
        };
        if given && !ranged {
            misfit(key, FormMsg::NoRange { kind: t, key });
        }
    }
    if (item.min_label.is_some() || item.max_label.is_some()) && item.kind != ItemType::Scale {
        let key = if item.min_label.is_some() {
            "min_label"
        } else {
            "max_label"
        };
        misfit(key, FormMsg::NoLabel { kind: t, key });
    }
    if item.unit.is_some() && item.kind != ItemType::Number {
        misfit("unit", FormMsg::NoUnit { kind: t });
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
                FormMsg::BadRange {
                    min: fmt_num(min),
                    max: fmt_num(max),
                },
            )
            .help(FormMsg::BadRangeHint);
        }
    }
    let mut values: Vec<f64> = Vec::new();
    for (j, option) in item.options.iter().enumerate() {
        if values.contains(&option.value) {
            sink.report(
                Code::DuplicateOption,
                node.pos_at(&[
                    "items".into(),
                    i.into(),
                    "options".into(),
                    j.into(),
                    "value".into(),
                ]),
                FormMsg::DuplicateOption {
                    value: fmt_num(option.value),
                    item: item.id.clone(),
                },
            )
            .help(FormMsg::DuplicateOptionHint);
        }
        values.push(option.value);
    }
}

/// Whether a condition `op value` can be tested against answers to `item`.
pub fn condition_misfit(item: &Item, op: Op, value: &Scalar) -> Result<(), Misfit> {
    let t = item.kind.name();
    match (item.kind, value) {
        (ItemType::Choice | ItemType::Multichoice, Scalar::Number(v)) => {
            if !item.options.iter().any(|o| o.value == *v) {
                return Err(Misfit::NotAnOption { value: fmt_num(*v) });
            }
            if item.kind == ItemType::Multichoice && !op.is_equality() {
                return Err(Misfit::Multichoice {
                    op: op.symbol().to_string(),
                });
            }
            Ok(())
        }
        (ItemType::Scale | ItemType::Number, Scalar::Number(_)) => Ok(()),
        (ItemType::Boolean, Scalar::Bool(_)) if op.is_equality() => Ok(()),
        (ItemType::Boolean, Scalar::Bool(_)) => Err(Misfit::Boolean {
            op: op.symbol().to_string(),
        }),
        (ItemType::Text, Scalar::Text(_)) if op.is_equality() => Ok(()),
        (ItemType::Text, Scalar::Text(_)) => Err(Misfit::Text {
            op: op.symbol().to_string(),
        }),
        (ItemType::Date | ItemType::Time, Scalar::Text(_)) => Ok(()),
        (ItemType::Display, _) => Err(Misfit::Display),
        (_, v) => Err(Misfit::Kind {
            item: t,
            value: match v {
                Scalar::Bool(_) => Kind::Bool,
                Scalar::Number(_) => Kind::Number,
                Scalar::Text(_) => Kind::Text,
            },
        }),
    }
}

fn condition_hint(item: &Item) -> FormMsg {
    match item.kind {
        ItemType::Choice | ItemType::Multichoice => FormMsg::CompareOption {
            item: item.id.clone(),
            values: item
                .options
                .iter()
                .map(|o| fmt_num(o.value))
                .collect::<Vec<_>>()
                .join(", "),
        },
        ItemType::Boolean => FormMsg::CompareBoolean,
        ItemType::Text => FormMsg::CompareText,
        ItemType::Date => FormMsg::CompareDate,
        ItemType::Time => FormMsg::CompareTime,
        _ => FormMsg::CompareNumber,
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
                        FormMsg::ScoreNotItem {
                            score: score.id.clone(),
                            id: id.clone(),
                        },
                    )
                    .help(suggest(id, form.items.iter().map(|i| i.id.as_str())));
                }
                Some(item) if !item.kind.is_numeric() => {
                    complete = false;
                    sink.report(
                        Code::ScoreItem,
                        pos,
                        FormMsg::ScoreNotNumeric {
                            id: id.clone(),
                            kind: item.kind.name(),
                        },
                    )
                    .help(FormMsg::ScoreNotNumericHint);
                }
                Some(item) if scoring::item_range(item).is_none() => {
                    complete = false;
                    sink.report(
                        Code::ScoreItem,
                        pos,
                        FormMsg::ScoreNoRange { id: id.clone() },
                    )
                    .help(FormMsg::ScoreNoRangeHint { id: id.clone() });
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
                FormMsg::OptionalScored {
                    score: score.id.clone(),
                    id: id.clone(),
                },
            )
            .help(FormMsg::OptionalScoredHint { id: id.clone() });
        }
        return;
    };
    let n = score.sum.len();
    if rule.allow as usize >= n {
        sink.report(
            Code::MissingAllow,
            at(&["missing".into(), "allow".into()]),
            FormMsg::MissingAllow {
                allow: rule.allow,
                n,
                score: score.id.clone(),
            },
        )
        .help(FormMsg::MissingAllowHint {
            most: n.saturating_sub(1),
        });
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
            FormMsg::Prorate {
                score: score.id.clone(),
                id: id.clone(),
                kind: item.kind.name(),
            },
        )
        .help(FormMsg::ProrateHint);
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
                FormMsg::BandReversed {
                    label: band.label.clone(),
                    min: fmt_num(band.min),
                    max: fmt_num(band.max),
                },
            )
            .help(FormMsg::BandReversedHint);
        }
        if b == 0 {
            continue;
        }
        let prev = &score.bands[b - 1];
        let expected = if whole { prev.max + 1.0 } else { prev.max };
        if band.min != expected {
            ok = false;
            let (label, min, prev, prev_max) = (
                band.label.clone(),
                fmt_num(band.min),
                prev.label.clone(),
                fmt_num(prev.max),
            );
            let message = if band.min < expected {
                FormMsg::BandOverlap {
                    label,
                    min,
                    prev,
                    prev_max,
                }
            } else {
                FormMsg::BandGap {
                    label,
                    min,
                    prev,
                    prev_max,
                }
            };
            let start = fmt_num(expected);
            sink.report(Code::BandsGap, band_pos(b, "min"), message)
                .help(if whole {
                    FormMsg::BandWholeHint { start }
                } else {
                    FormMsg::BandFractionHint { start }
                });
        }
    }
    if !ok {
        return;
    }
    let (first, last) = (&score.bands[0], &score.bands[score.bands.len() - 1]);
    let (lo_text, hi_text) = (fmt_num(lo), fmt_num(hi));
    if first.min > lo {
        sink.report(
            Code::BandsRange,
            band_pos(0, "min"),
            FormMsg::BandLow {
                score: score.id.clone(),
                lo: lo_text.clone(),
                first: fmt_num(first.min),
            },
        )
        .help(FormMsg::BandLowHint {
            lo: lo_text.clone(),
            hi: hi_text.clone(),
        });
    }
    if last.max < hi {
        sink.report(
            Code::BandsRange,
            band_pos(score.bands.len() - 1, "max"),
            FormMsg::BandHigh {
                score: score.id.clone(),
                hi: hi_text.clone(),
                last: fmt_num(last.max),
            },
        )
        .help(FormMsg::BandHighHint {
            lo: lo_text,
            hi: hi_text,
        });
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
                        FormMsg::AlertNotItem {
                            alert: alert.id.clone(),
                            id: id.clone(),
                        },
                    )
                    .help(suggest(id, form.items.iter().map(|i| i.id.as_str())));
                }
                Some(item) => {
                    if let Err(why) = condition_misfit(item, alert.when.op, &alert.when.value) {
                        sink.report(
                            Code::ConditionType,
                            at("value"),
                            FormMsg::AlertCondition {
                                alert: alert.id.clone(),
                                id: id.clone(),
                                why,
                            },
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
                    FormMsg::AlertNotScore {
                        alert: alert.id.clone(),
                        id: id.clone(),
                    },
                )
                .help(suggest(id, form.scores.iter().map(|s| s.id.as_str())));
            } else if !matches!(alert.when.value, Scalar::Number(_)) {
                sink.report(
                    Code::ConditionType,
                    at("value"),
                    FormMsg::AlertScoreNumber {
                        alert: alert.id.clone(),
                    },
                )
                .help(FormMsg::AlertScoreNumberHint);
            }
        }
    }
}
