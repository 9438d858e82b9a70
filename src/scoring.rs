//! The one scoring engine: which items show, what each score is, which band it falls
//! in and which alerts fire, for a set of answers. Form tests and the preview both use it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{Band, Form, Item, ItemType, MissingMethod, Op, Rounding, Scalar, Score};

/// An answer to one item.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// Choice (the option's value), scale or number.
    Number(f64),
    /// Text, date or time.
    Text(String),
    /// Boolean.
    Bool(bool),
    /// Multichoice: the chosen options' values.
    Many(Vec<f64>),
}

impl Answer {
    /// Reads an answer from JSON, as written in a form test or sent by the preview.
    pub fn from_json(value: &serde_json::Value) -> Option<Answer> {
        use serde_json::Value as J;
        match value {
            J::Number(n) => n.as_f64().map(Answer::Number),
            J::String(s) => Some(Answer::Text(s.clone())),
            J::Bool(b) => Some(Answer::Bool(*b)),
            J::Array(items) => items
                .iter()
                .map(J::as_f64)
                .collect::<Option<Vec<_>>>()
                .map(Answer::Many),
            _ => None,
        }
    }

    /// Reads `value` as an answer to `item`; `Err` says why it is not one.
    pub fn for_item(item: &Item, value: &serde_json::Value) -> Result<Answer, String> {
        let answer = Answer::from_json(value)
            .ok_or_else(|| "must be a number, text, true/false or a list".to_owned())?;
        answer.fits(item)?;
        Ok(answer)
    }

    /// Whether this answer fits `item`; `Err` says why not.
    pub fn fits(&self, item: &Item) -> Result<(), String> {
        let is_option = |v: f64| item.options.iter().any(|o| o.value == v);
        let in_range = |v: f64| item.min.is_none_or(|m| v >= m) && item.max.is_none_or(|m| v <= m);
        match (item.kind, self) {
            (ItemType::Choice, Answer::Number(v)) if is_option(*v) => Ok(()),
            (ItemType::Choice, _) => Err(format!(
                "must be one of the option values {}",
                option_list(item)
            )),
            (ItemType::Multichoice, Answer::Many(vs)) if vs.iter().all(|v| is_option(*v)) => Ok(()),
            (ItemType::Multichoice, _) => Err(format!(
                "must be a list of option values from {}",
                option_list(item)
            )),
            (ItemType::Scale | ItemType::Number, Answer::Number(v)) if in_range(*v) => Ok(()),
            (ItemType::Scale | ItemType::Number, _) => Err(format!(
                "must be a number from {} to {}",
                item.min.map_or("-∞".into(), fmt_num),
                item.max.map_or("∞".into(), fmt_num)
            )),
            (ItemType::Boolean, Answer::Bool(_)) => Ok(()),
            (ItemType::Boolean, _) => Err("must be true or false".into()),
            (ItemType::Text | ItemType::Date | ItemType::Time, Answer::Text(_)) => Ok(()),
            (ItemType::Text | ItemType::Date | ItemType::Time, _) => Err("must be text".into()),
            (ItemType::Display, _) => Err("is a display item and takes no answer".into()),
        }
    }

    /// The answer's numeric value for scores.
    pub fn numeric(&self) -> Option<f64> {
        match self {
            Answer::Number(v) => Some(*v),
            Answer::Bool(b) => Some(f64::from(u8::from(*b))),
            Answer::Many(vs) => Some(vs.iter().sum()),
            Answer::Text(_) => None,
        }
    }
}

fn option_list(item: &Item) -> String {
    let values: Vec<String> = item.options.iter().map(|o| fmt_num(o.value)).collect();
    values.join(", ")
}

/// Formats a number without a needless `.0`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Answers by item id.
pub type Answers = BTreeMap<String, Answer>;

/// The outcome of evaluating a form.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Evaluation {
    /// Items hidden because their `enable_when` does not hold.
    pub hidden: BTreeSet<String>,
    /// Score id to value, for the scores that could be computed. A score whose
    /// missing-answer rule does not allow it is absent: it has no value, no band and
    /// raises no alert.
    pub scores: BTreeMap<String, f64>,
    /// Score id to band label, for computed scores with a matching band.
    pub bands: BTreeMap<String, String>,
    /// Ids of the alerts that fire, in form order.
    pub alerts: Vec<String>,
    /// Required items that are shown and have no (valid) answer, in form order.
    pub unanswered: Vec<String>,
    /// Scores that could not be computed, with the shown summed items that have no
    /// answer, in the score's order.
    pub not_computed: BTreeMap<String, Vec<String>>,
}

/// Evaluates `answers` against `form`.
///
/// Answers to hidden items, and answers that do not fit their item (a value that is
/// not an option, out of range, of the wrong type), count as no answer. A score is
/// computed from the shown items it sums; an item hidden by its `enable_when` was not
/// asked and adds nothing. When shown summed items are unanswered, the score's
/// `missing:` rule decides: without one the score is not computed.
pub fn evaluate(form: &Form, answers: &Answers) -> Evaluation {
    let mut eval = Evaluation::default();
    for item in &form.items {
        if let Some(cond) = &item.enable_when {
            let shown = !eval.hidden.contains(&cond.item)
                && answers
                    .get(&cond.item)
                    .filter(|a| form.item(&cond.item).is_some_and(|i| a.fits(i).is_ok()))
                    .is_some_and(|a| compare(a, cond.op, &cond.value));
            if !shown {
                eval.hidden.insert(item.id.clone());
            }
        }
    }
    let hidden = &eval.hidden;
    let answer = |id: &str| -> Option<&Answer> {
        if hidden.contains(id) {
            return None;
        }
        let item = form.item(id)?;
        answers.get(id).filter(|a| a.fits(item).is_ok())
    };
    let unanswered: Vec<String> = form
        .items
        .iter()
        .filter(|i| i.required && i.kind != ItemType::Display && !hidden.contains(&i.id))
        .filter(|i| answer(&i.id).is_none())
        .map(|i| i.id.clone())
        .collect();
    let mut scores = BTreeMap::new();
    let mut bands = BTreeMap::new();
    let mut not_computed = BTreeMap::new();
    for score in &form.scores {
        match score_value(score, |id| {
            if hidden.contains(id) {
                Presence::Hidden
            } else {
                answer(id)
                    .and_then(Answer::numeric)
                    .map_or(Presence::Unanswered, Presence::Answered)
            }
        }) {
            Ok(value) => {
                if let Some(band) = band_of(score, value) {
                    bands.insert(score.id.clone(), band.label.clone());
                }
                scores.insert(score.id.clone(), value);
            }
            Err(missing) => {
                not_computed.insert(score.id.clone(), missing);
            }
        }
    }
    let mut alerts = Vec::new();
    for alert in &form.alerts {
        let fired = match (&alert.when.item, &alert.when.score) {
            (Some(item), _) => {
                answer(item).is_some_and(|a| compare(a, alert.when.op, &alert.when.value))
            }
            (None, Some(score)) => scores
                .get(score)
                .is_some_and(|v| compare(&Answer::Number(*v), alert.when.op, &alert.when.value)),
            (None, None) => false,
        };
        if fired {
            alerts.push(alert.id.clone());
        }
    }
    eval.unanswered = unanswered;
    eval.scores = scores;
    eval.bands = bands;
    eval.alerts = alerts;
    eval.not_computed = not_computed;
    eval
}

/// Whether a summed item was asked and answered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Presence {
    /// Hidden by its `enable_when`: not asked, adds nothing, is not missing.
    Hidden,
    /// Shown, without a numeric answer.
    Unanswered,
    /// Shown and answered with this value.
    Answered(f64),
}

/// The value of `score` given each summed item's presence, or the ids of the shown
/// items without an answer when the score's missing-answer rule does not allow a
/// value. This is the one place that applies `missing:`.
pub fn score_value(score: &Score, presence: impl Fn(&str) -> Presence) -> Result<f64, Vec<String>> {
    let mut shown = 0usize;
    let mut answered = 0usize;
    let mut total = 0.0;
    let mut missing = Vec::new();
    for id in &score.sum {
        match presence(id) {
            Presence::Hidden => {}
            Presence::Unanswered => {
                shown += 1;
                missing.push(id.clone());
            }
            Presence::Answered(v) => {
                shown += 1;
                answered += 1;
                total += v;
            }
        }
    }
    if missing.is_empty() {
        return Ok(normal(total));
    }
    let Some(rule) = &score.missing else {
        return Err(missing);
    };
    if missing.len() > rule.allow as usize || answered == 0 {
        return Err(missing);
    }
    let value = match rule.method {
        MissingMethod::Zero => total,
        MissingMethod::Prorate => {
            let scaled = total * shown as f64 / answered as f64;
            match rule.round {
                Rounding::Whole => scaled.round(),
                Rounding::None => scaled,
            }
        }
    };
    Ok(normal(value))
}

/// Turns `-0.0` into `0.0`, so that no negative zero reaches a person or a file.
fn normal(v: f64) -> f64 {
    v + 0.0
}

/// The band that `value` falls in. On a shared boundary the higher band wins.
pub fn band_of(score: &Score, value: f64) -> Option<&Band> {
    score
        .bands
        .iter()
        .rev()
        .find(|b| value >= b.min && value <= b.max)
}

/// Compares an answer with a condition's value.
pub fn compare(answer: &Answer, op: Op, value: &Scalar) -> bool {
    use std::cmp::Ordering;
    let ordering = match (answer, value) {
        (Answer::Many(vs), Scalar::Number(v)) => {
            let has = vs.contains(v);
            return match op {
                Op::Eq => has,
                Op::Ne => !has,
                _ => false,
            };
        }
        (Answer::Number(a), Scalar::Number(v)) => a.partial_cmp(v),
        (Answer::Bool(a), Scalar::Bool(v)) => Some(a.cmp(v)),
        (Answer::Text(a), Scalar::Text(v)) => Some(a.as_str().cmp(v.as_str())),
        _ => None,
    };
    let Some(ord) = ordering else { return false };
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
    }
}

/// The lowest and highest value an item can add to a score, and whether its
/// values are whole numbers. `None` when the item has no bounded numeric value.
pub fn item_range(item: &Item) -> Option<(f64, f64, bool)> {
    let values: Vec<f64> = item.options.iter().map(|o| o.value).collect();
    let (lo, hi) = match item.kind {
        ItemType::Choice => (
            values.iter().copied().fold(f64::INFINITY, f64::min),
            values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ),
        ItemType::Multichoice => (
            values.iter().filter(|v| **v < 0.0).sum(),
            values.iter().filter(|v| **v > 0.0).sum(),
        ),
        ItemType::Scale | ItemType::Number => (item.min?, item.max?),
        ItemType::Boolean => (0.0, 1.0),
        _ => return None,
    };
    if !lo.is_finite() || !hi.is_finite() {
        return None;
    }
    let whole = match item.kind {
        ItemType::Number => false,
        ItemType::Scale => lo.fract() == 0.0 && hi.fract() == 0.0,
        _ => values.iter().all(|v| v.fract() == 0.0),
    };
    Some((lo, hi, whole))
}

/// The possible range of a computed score and whether it only takes whole numbers.
///
/// An item hidden by its `enable_when` adds nothing, and so does an unanswered item
/// under `missing: {method: zero}`; a prorated score stays within the items' range
/// and is whole only when rounded.
pub fn score_range(form: &Form, score: &Score) -> Option<(f64, f64, bool)> {
    let zero_fill = score
        .missing
        .as_ref()
        .is_some_and(|m| m.method == MissingMethod::Zero && m.allow > 0);
    let mut acc = (0.0, 0.0, true);
    for id in &score.sum {
        let item = form.item(id)?;
        let (mut lo, mut hi, whole) = item_range(item)?;
        if item.enable_when.is_some() || zero_fill {
            (lo, hi) = (lo.min(0.0), hi.max(0.0));
        }
        acc = (acc.0 + lo, acc.1 + hi, acc.2 && whole);
    }
    if let Some(rule) = &score.missing
        && rule.method == MissingMethod::Prorate
        && rule.allow > 0
    {
        acc.2 = acc.2 && rule.round == Rounding::Whole;
    }
    Some(acc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Choice, FormKind, MissingRule};

    fn form(missing: Option<MissingRule>) -> Form {
        let item = |id: &str| Item {
            id: id.into(),
            kind: ItemType::Choice,
            text: id.into(),
            help: None,
            required: true,
            options: (0..4)
                .map(|v| Choice {
                    value: f64::from(v),
                    label: v.to_string(),
                })
                .collect(),
            min: None,
            max: None,
            min_label: None,
            max_label: None,
            unit: None,
            enable_when: None,
        };
        Form {
            id: "f".into(),
            title: "F".into(),
            description: None,
            kind: FormKind::Questionnaire,
            schedule: None,
            series_break: false,
            items: vec![item("a"), item("b"), item("c")],
            scores: vec![Score {
                id: "t".into(),
                title: None,
                sum: vec!["a".into(), "b".into(), "c".into()],
                bands: vec![Band {
                    min: 0.0,
                    max: 9.0,
                    label: "Alla".into(),
                }],
                missing,
            }],
            alerts: vec![],
        }
    }

    fn answers(pairs: &[(&str, f64)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Answer::Number(*v)))
            .collect()
    }

    #[test]
    fn no_answers_give_no_score_and_never_negative_zero() {
        let e = evaluate(&form(None), &Answers::new());
        assert!(e.scores.is_empty() && e.bands.is_empty(), "{e:?}");
        assert_eq!(e.unanswered, ["a", "b", "c"]);
        assert_eq!(e.not_computed["t"], ["a", "b", "c"]);
        let all_zero = evaluate(&form(None), &answers(&[("a", 0.0), ("b", 0.0), ("c", 0.0)]));
        let v = all_zero.scores["t"];
        assert!(v == 0.0 && v.is_sign_positive(), "{v:?}");
        assert_eq!(
            serde_json::to_string(&all_zero.scores).unwrap(),
            r#"{"t":0.0}"#
        );
    }

    #[test]
    fn prorating_scales_the_answered_mean_and_rounds_halves_away_from_zero() {
        let rule = |round| {
            Some(MissingRule {
                allow: 1,
                method: MissingMethod::Prorate,
                round,
            })
        };
        let two = answers(&[("a", 3.0), ("b", 2.0)]);
        // 5 * 3/2 = 7.5
        assert_eq!(
            evaluate(&form(rule(Rounding::Whole)), &two).scores["t"],
            8.0
        );
        assert_eq!(evaluate(&form(rule(Rounding::None)), &two).scores["t"], 7.5);
        // Two unanswered of three: more than allowed.
        let one = answers(&[("a", 3.0)]);
        assert!(
            evaluate(&form(rule(Rounding::Whole)), &one)
                .scores
                .is_empty()
        );
    }

    #[test]
    fn zero_fill_counts_unanswered_items_as_nothing_within_the_allowance() {
        let rule = Some(MissingRule {
            allow: 1,
            method: MissingMethod::Zero,
            round: Rounding::Whole,
        });
        let two = answers(&[("a", 3.0), ("b", 2.0)]);
        assert_eq!(evaluate(&form(rule.clone()), &two).scores["t"], 5.0);
        assert!(
            evaluate(&form(rule), &answers(&[("a", 3.0)]))
                .scores
                .is_empty()
        );
    }

    #[test]
    fn an_answer_that_does_not_fit_counts_as_no_answer() {
        let e = evaluate(&form(None), &answers(&[("a", 7.0), ("b", 1.0), ("c", 1.0)]));
        assert!(e.scores.is_empty(), "{e:?}");
        assert_eq!(e.unanswered, ["a"]);
    }
}
