//! Form tests for an imported form: the lowest, the highest and a middle answer to
//! every question, with the outcome our scoring engine computes, so that a designer
//! starts from tests that pass and checks them against the instrument's manual.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::model::{Expect, Form, Item, ItemType, Scenario};
use crate::scoring::{self, Answer, Answers};

/// Which answer each scenario gives.
#[derive(Clone, Copy)]
enum Pick {
    Low,
    Middle,
    High,
}

fn answer(item: &Item, pick: Pick) -> Option<Value> {
    let mid = |lo: f64, hi: f64, whole: bool| {
        let m = (lo + hi) / 2.0;
        if whole { m.floor() } else { m }
    };
    Some(match item.kind {
        ItemType::Choice => {
            let mut values: Vec<f64> = item.options.iter().map(|o| o.value).collect();
            values.sort_by(f64::total_cmp);
            let v = match pick {
                Pick::Low => *values.first()?,
                Pick::High => *values.last()?,
                Pick::Middle => *values.get(values.len() / 2)?,
            };
            json!(v)
        }
        ItemType::Multichoice => {
            let values: Vec<f64> = item.options.iter().map(|o| o.value).collect();
            let chosen: Vec<f64> = match pick {
                Pick::Low => values.into_iter().filter(|v| *v < 0.0).collect(),
                Pick::High => values.into_iter().filter(|v| *v > 0.0).collect(),
                Pick::Middle => values.into_iter().take(1).collect(),
            };
            json!(chosen)
        }
        ItemType::Scale | ItemType::Number => {
            let lo = item.min.unwrap_or(0.0);
            let hi = item.max.unwrap_or(lo.max(0.0));
            let v = match pick {
                Pick::Low => lo,
                Pick::High => hi,
                Pick::Middle => mid(lo, hi, item.kind == ItemType::Scale),
            };
            json!(v)
        }
        ItemType::Boolean => json!(matches!(pick, Pick::High)),
        ItemType::Text => json!("svar"),
        ItemType::Date => json!("2026-01-15"),
        ItemType::Time => json!("12:00"),
        ItemType::Display => return None,
    })
}

fn scenario(form: &Form, name: &str, pick: Pick) -> Scenario {
    let mut raw = BTreeMap::new();
    let mut answers = Answers::new();
    for item in &form.items {
        if let Some(v) = answer(item, pick)
            && let Ok(a) = Answer::for_item(item, &v)
        {
            raw.insert(item.id.clone(), v);
            answers.insert(item.id.clone(), a);
        }
    }
    let eval = scoring::evaluate(form, &answers);
    let scores = form
        .scores
        .iter()
        .map(|s| (s.id.clone(), eval.scores.get(&s.id).copied()))
        .collect();
    let bands = form
        .scores
        .iter()
        .filter(|s| !s.bands.is_empty())
        .map(|s| (s.id.clone(), eval.bands.get(&s.id).cloned()))
        .collect::<BTreeMap<_, _>>();
    Scenario {
        name: name.to_owned(),
        answers: raw,
        expect: Expect {
            scores: (!form.scores.is_empty()).then_some(scores),
            bands: (!bands.is_empty()).then_some(bands),
            alerts: Some(eval.alerts),
            hidden: Some(eval.hidden.into_iter().collect()),
            unanswered: None,
        },
    }
}

/// The lowest, a middle and the highest answers, with what the engine computes.
pub fn generate(form: &Form) -> Vec<Scenario> {
    vec![
        scenario(
            form,
            "lägsta svaren (importerat, kontrollera mot manualen)",
            Pick::Low,
        ),
        scenario(
            form,
            "mittensvar (importerat, kontrollera mot manualen)",
            Pick::Middle,
        ),
        scenario(
            form,
            "högsta svaren (importerat, kontrollera mot manualen)",
            Pick::High,
        ),
    ]
}
