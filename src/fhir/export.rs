//! A form as a FHIR R4 Questionnaire with SDC scoring: option scores as `itemWeight`
//! (and `ordinalValue` on the coding), totals as `calculatedExpression`, conditions as
//! `enableWhen`. Deterministic: the same form gives the same bytes.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::expr::{self, Guard, Lit, ValueKind};
use super::ext;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Condition, Form, Item, ItemType, Scalar, Score};
use crate::scoring::fmt_num;

/// What the Questionnaire says about its origin.
#[derive(Clone, Debug)]
pub struct Meta<'a> {
    /// The moment's language (BCP 47).
    pub language: &'a str,
    /// The moment's version.
    pub version: &'a str,
    /// The publisher unit's name.
    pub publisher: &'a str,
}

/// A Questionnaire and what could not be said in FHIR.
#[derive(Debug)]
pub struct Exported {
    /// The Questionnaire as pretty JSON ending in a newline.
    pub json: String,
    /// W034 warnings, filed under the form's file.
    pub warnings: Vec<Diagnostic>,
}

fn num(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn control(code: &str) -> Value {
    json!({"url": ext::ITEM_CONTROL, "valueCodeableConcept": {"coding": [
        {"system": ext::ITEM_CONTROL_SYSTEM, "code": code}]}})
}

fn kind_of(item: &Item) -> ValueKind {
    match item.kind {
        ItemType::Choice | ItemType::Multichoice => ValueKind::Ordinal,
        ItemType::Boolean => ValueKind::BoolAsNumber,
        _ => ValueKind::Plain,
    }
}

/// Exports `form` (at `file`, for warnings).
pub fn export(form: &Form, meta: &Meta<'_>, file: &str) -> Exported {
    let mut warnings = Vec::new();
    let mut warn = |message: String| {
        warnings.push(Diagnostic::new(Code::FhirExportLoss, message).in_file(file));
    };
    let mut q = Map::new();
    q.insert("resourceType".into(), json!("Questionnaire"));
    q.insert("id".into(), json!(form.id));
    q.insert("language".into(), json!(meta.language));
    q.insert("version".into(), json!(meta.version));
    q.insert("title".into(), json!(form.title));
    q.insert("status".into(), json!("active"));
    q.insert("publisher".into(), json!(meta.publisher));
    if let Some(d) = &form.description {
        q.insert("description".into(), json!(d));
    }
    let mut items = Vec::new();
    for item in &form.items {
        items.push(export_item(form, item, &mut warn));
    }
    for score in &form.scores {
        if form.item(&score.id).is_some() {
            warn(format!(
                "score `{}` has the id of an item; FHIR linkIds are unique, so it is left out",
                score.id
            ));
            continue;
        }
        items.push(export_score(form, score, &mut warn));
    }
    q.insert("item".into(), Value::Array(items));
    if !form.alerts.is_empty() {
        let ids: Vec<&str> = form.alerts.iter().map(|a| a.id.as_str()).collect();
        warn(format!(
            "alerts ({}) have no FHIR Questionnaire equivalent and are left out",
            ids.join(", ")
        ));
    }
    if form.schedule.is_some() {
        warn("the schedule belongs to a care plan, not to a Questionnaire, and is left out".into());
    }
    let mut json = serde_json::to_string_pretty(&Value::Object(q)).unwrap_or_default();
    json.push('\n');
    Exported { json, warnings }
}

fn answer_key(form: &Form, cond: &Condition) -> Option<(&'static str, Value)> {
    let target = form.item(&cond.item)?;
    Some(match (target.kind, &cond.value) {
        (ItemType::Choice | ItemType::Multichoice, Scalar::Number(v)) => {
            ("answerCoding", json!({"code": fmt_num(*v)}))
        }
        (ItemType::Boolean, Scalar::Bool(b)) => ("answerBoolean", json!(b)),
        (ItemType::Scale, Scalar::Number(v)) => ("answerInteger", num(*v)),
        (ItemType::Number, Scalar::Number(v)) => ("answerDecimal", num(*v)),
        (ItemType::Text, Scalar::Text(t)) => ("answerString", json!(t)),
        (ItemType::Date, Scalar::Text(t)) => ("answerDate", json!(t)),
        (ItemType::Time, Scalar::Text(t)) => ("answerTime", json!(t)),
        _ => return None,
    })
}

fn guard_of(form: &Form, cond: &Condition) -> Option<Guard> {
    let target = form.item(&cond.item)?;
    Some(Guard {
        item: cond.item.clone(),
        kind: match target.kind {
            ItemType::Choice | ItemType::Multichoice => ValueKind::Ordinal,
            _ => ValueKind::Plain,
        },
        op: cond.op.symbol().to_owned(),
        value: match &cond.value {
            Scalar::Number(n) => Lit::Num(*n),
            Scalar::Bool(b) => Lit::Bool(*b),
            Scalar::Text(t) => Lit::Str(t.clone()),
        },
    })
}

fn export_item(form: &Form, item: &Item, warn: &mut impl FnMut(String)) -> Value {
    let mut o = Map::new();
    let mut exts = Vec::new();
    o.insert("linkId".into(), json!(item.id));
    o.insert("text".into(), json!(item.text));
    let ty = match item.kind {
        ItemType::Choice | ItemType::Multichoice => "choice",
        ItemType::Scale => "integer",
        ItemType::Number => "decimal",
        ItemType::Text => "text",
        ItemType::Date => "date",
        ItemType::Time => "time",
        ItemType::Boolean => "boolean",
        ItemType::Display => "display",
    };
    o.insert("type".into(), json!(ty));
    if let Some(cond) = &item.enable_when {
        let choice_order = form
            .item(&cond.item)
            .is_some_and(|t| matches!(t.kind, ItemType::Choice | ItemType::Multichoice))
            && !cond.op.is_equality();
        match answer_key(form, cond) {
            Some((key, value)) if !choice_order => {
                o.insert(
                    "enableWhen".into(),
                    json!([{"question": cond.item, "operator": cond.op.symbol(), key: value}]),
                );
            }
            _ => {
                let guard = guard_of(form, cond);
                match guard {
                    Some(g) => exts.push(json!({
                        "url": ext::ENABLE_WHEN_EXPRESSION,
                        "valueExpression": {"language": "text/fhirpath", "expression": expr::guard_text(&g)}
                    })),
                    None => warn(format!("the enable_when of `{}` cannot be written in FHIR", item.id)),
                }
            }
        }
    }
    if item.required {
        o.insert("required".into(), json!(true));
    }
    if item.kind == ItemType::Multichoice {
        o.insert("repeats".into(), json!(true));
    }
    match item.kind {
        ItemType::Scale => {
            exts.push(json!({"url": ext::MIN_VALUE, "valueInteger": num(item.min.unwrap_or(0.0))}));
            exts.push(json!({"url": ext::MAX_VALUE, "valueInteger": num(item.max.unwrap_or(0.0))}));
            exts.push(control("slider"));
            if item.min_label.is_some() || item.max_label.is_some() {
                let mut subs = Vec::new();
                if let Some(l) = &item.min_label {
                    subs.push(json!({"url": "min", "valueString": l}));
                }
                if let Some(l) = &item.max_label {
                    subs.push(json!({"url": "max", "valueString": l}));
                }
                exts.push(json!({"url": ext::MOMENT_SCALE_LABEL, "extension": subs}));
            }
        }
        ItemType::Number => {
            if let Some(v) = item.min {
                exts.push(json!({"url": ext::MIN_VALUE, "valueDecimal": num(v)}));
            }
            if let Some(v) = item.max {
                exts.push(json!({"url": ext::MAX_VALUE, "valueDecimal": num(v)}));
            }
            if let Some(u) = &item.unit {
                exts.push(json!({"url": ext::UNIT, "valueCoding": {"display": u}}));
            }
        }
        _ => {}
    }
    if !item.options.is_empty() {
        let opts: Vec<Value> = item
            .options
            .iter()
            .map(|c| {
                json!({
                    "extension": [{"url": ext::ITEM_WEIGHT, "valueDecimal": num(c.value)}],
                    "valueCoding": {
                        "extension": [{"url": ext::ORDINAL_VALUE, "valueDecimal": num(c.value)}],
                        "code": fmt_num(c.value),
                        "display": c.label
                    }
                })
            })
            .collect();
        o.insert("answerOption".into(), Value::Array(opts));
    }
    if let (Some(_), ItemType::Display) = (&item.help, item.kind) {
        warn(format!(
            "the help of display item `{}` is left out: FHIR display items hold no items",
            item.id
        ));
    } else if let Some(h) = &item.help {
        o.insert(
            "item".into(),
            json!([{"extension": [control("help")], "linkId": format!("{}-help", item.id), "text": h, "type": "display"}]),
        );
    }
    if !exts.is_empty() {
        let mut with = Map::new();
        with.insert("extension".into(), Value::Array(exts));
        with.extend(o);
        o = with;
    }
    Value::Object(o)
}

fn export_score(form: &Form, score: &Score, warn: &mut impl FnMut(String)) -> Value {
    let terms: Vec<(String, ValueKind)> = score
        .sum
        .iter()
        .filter_map(|id| form.item(id).map(|i| (id.clone(), kind_of(i))))
        .collect();
    let guards: BTreeMap<String, Guard> = score
        .sum
        .iter()
        .filter_map(|id| {
            let cond = form.item(id)?.enable_when.as_ref()?;
            Some((id.clone(), guard_of(form, cond)?))
        })
        .collect();
    let expression = match &score.missing {
        None => expr::strict_total(&terms, &guards),
        Some(_) => {
            warn(format!(
                "the missing-answer rule of score `{}` is kept in a moment extension; other FHIR renderers compute the total from the answered items",
                score.id
            ));
            expr::plain_total(&terms)
        }
    };
    let mut exts = vec![json!({
        "url": ext::CALCULATED_EXPRESSION,
        "valueExpression": {"language": "text/fhirpath", "expression": expression}
    })];
    for b in &score.bands {
        exts.push(json!({"url": ext::MOMENT_BAND, "extension": [
            {"url": "min", "valueDecimal": num(b.min)},
            {"url": "max", "valueDecimal": num(b.max)},
            {"url": "label", "valueString": b.label}
        ]}));
    }
    if let Some(m) = &score.missing {
        exts.push(json!({"url": ext::MOMENT_MISSING, "extension": [
            {"url": "allow", "valueInteger": m.allow},
            {"url": "method", "valueCode": m.method.as_str()},
            {"url": "round", "valueCode": m.round.as_str()}
        ]}));
    }
    let mut o = Map::new();
    o.insert("extension".into(), Value::Array(exts));
    o.insert("linkId".into(), json!(score.id));
    if let Some(t) = &score.title {
        o.insert("text".into(), json!(t));
    }
    o.insert("type".into(), json!("decimal"));
    o.insert("readOnly".into(), json!(true));
    Value::Object(o)
}
