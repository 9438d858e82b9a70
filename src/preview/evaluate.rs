//! The preview's form evaluation answer: the scoring engine's result for the answers
//! a page sends, with the names people read (score titles, alert messages) beside
//! the ids, and a refusal for answers that do not fit their item.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::model::Form;
use crate::scoring::{self, Answer, Answers};

/// Why an evaluation request was not evaluated: item id to the reason.
pub type Invalid = BTreeMap<String, String>;

/// Reads the answers a page sent. An unknown item, or an answer that does not fit
/// its item (not an option, out of range, wrong type), is refused with the reason:
/// the engine never guesses what a wrong answer meant.
pub fn answers(form: &Form, raw: &BTreeMap<String, Value>) -> Result<Answers, Invalid> {
    let mut answers = Answers::new();
    let mut invalid = Invalid::new();
    for (id, value) in raw {
        let Some(item) = form.item(id) else {
            invalid.insert(id.clone(), "is not an item of this form".to_owned());
            continue;
        };
        match Answer::for_item(item, value) {
            Ok(a) => {
                answers.insert(id.clone(), a);
            }
            Err(why) => {
                invalid.insert(id.clone(), why);
            }
        }
    }
    if invalid.is_empty() {
        Ok(answers)
    } else {
        Err(invalid)
    }
}

/// The evaluation of `answers` as the preview page reads it: the engine's fields
/// (`hidden`, `scores`, `bands`, `alerts`, `unanswered`, `not_computed`) plus
/// `score_titles`, `alert_messages` and `item_texts` for what it shows.
pub fn response(form: &Form, answers: &Answers) -> Value {
    let evaluation = scoring::evaluate(form, answers);
    let mut body = serde_json::to_value(&evaluation).unwrap_or_else(|_| json!({}));
    let score_titles: BTreeMap<&str, &str> = form
        .scores
        .iter()
        .map(|s| (s.id.as_str(), s.title.as_deref().unwrap_or(s.id.as_str())))
        .collect();
    let alert_messages: BTreeMap<&str, &str> = form
        .alerts
        .iter()
        .map(|a| (a.id.as_str(), a.message.as_str()))
        .collect();
    let item_texts: BTreeMap<&str, &str> = form
        .items
        .iter()
        .map(|i| (i.id.as_str(), i.text.as_str()))
        .collect();
    if let Value::Object(map) = &mut body {
        map.insert("score_titles".into(), json!(score_titles));
        map.insert("alert_messages".into(), json!(alert_messages));
        map.insert("item_texts".into(), json!(item_texts));
    }
    body
}
