//! Forms, their items, scores, bands and alerts, and form test scenarios.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `forms/<id>.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// Equals the file name.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Introductory text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Questionnaire or registration.
    pub kind: FormKind,
    /// Repeated measurement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// Results are not comparable with earlier versions.
    #[serde(default)]
    pub series_break: bool,
    /// Items in order.
    pub items: Vec<Item>,
    /// Scores.
    #[serde(default)]
    pub scores: Vec<Score>,
    /// Alerts for staff.
    #[serde(default)]
    pub alerts: Vec<Alert>,
}

impl Form {
    /// The item with id `id`.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The index of the item with id `id`.
    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|i| i.id == id)
    }
}

/// The kind of a form.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FormKind {
    /// Answered as a whole.
    Questionnaire,
    /// A diary entry.
    Registration,
}

/// How often a form is repeated.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Such as `7d` or `2w`.
    pub every: String,
    /// Number of occasions.
    pub times: u32,
}

/// One question or display text.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Unique within the form.
    pub id: String,
    /// The answer's type.
    #[serde(rename = "type")]
    pub kind: ItemType,
    /// The question.
    pub text: String,
    /// Extra explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Must be answered.
    #[serde(default)]
    pub required: bool,
    /// Choices, for choice and multichoice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// Smallest answer, for scale and number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest answer, for scale and number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Meaning of the smallest value, for scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_label: Option<String>,
    /// Meaning of the largest value, for scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_label: Option<String>,
    /// Unit, for number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Shown only when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_when: Option<Condition>,
}

/// The type of an item's answer.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ItemType {
    /// One option.
    Choice,
    /// Several options.
    Multichoice,
    /// A whole number from min to max.
    Scale,
    /// Any number.
    Number,
    /// Free text.
    Text,
    /// A date (YYYY-MM-DD).
    Date,
    /// A time of day (HH:MM).
    Time,
    /// Yes or no.
    Boolean,
    /// Text only; no answer.
    Display,
}

impl ItemType {
    /// Whether answers have a numeric value that can be summed into a score.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            ItemType::Choice
                | ItemType::Multichoice
                | ItemType::Scale
                | ItemType::Number
                | ItemType::Boolean
        )
    }

    /// The type's name as written in YAML.
    pub fn name(self) -> &'static str {
        match self {
            ItemType::Choice => "choice",
            ItemType::Multichoice => "multichoice",
            ItemType::Scale => "scale",
            ItemType::Number => "number",
            ItemType::Text => "text",
            ItemType::Date => "date",
            ItemType::Time => "time",
            ItemType::Boolean => "boolean",
            ItemType::Display => "display",
        }
    }
}

/// One option of a choice item.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Value in scores and conditions.
    pub value: f64,
    /// Text.
    pub label: String,
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum Op {
    /// Equal.
    #[serde(rename = "=")]
    Eq,
    /// Not equal.
    #[serde(rename = "!=")]
    Ne,
    /// Less than.
    #[serde(rename = "<")]
    Lt,
    /// Less than or equal.
    #[serde(rename = "<=")]
    Le,
    /// Greater than.
    #[serde(rename = ">")]
    Gt,
    /// Greater than or equal.
    #[serde(rename = ">=")]
    Ge,
}

impl Op {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    /// Whether the operator only tests (in)equality.
    pub fn is_equality(self) -> bool {
        matches!(self, Op::Eq | Op::Ne)
    }
}

/// A literal in a condition.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Scalar {
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// Text.
    Text(String),
}

/// A condition on an earlier item's answer.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Item id.
    pub item: String,
    /// Operator.
    pub op: Op,
    /// Compared value.
    pub value: Scalar,
}

/// A sum of numeric items.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Score {
    /// Unique within the form.
    pub id: String,
    /// Name shown to staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Summed item ids.
    pub sum: Vec<String>,
    /// Named ranges.
    #[serde(default)]
    pub bands: Vec<Band>,
    /// What happens when summed items are unanswered. Without a rule the score is
    /// not computed unless every summed item that is shown has an answer. Written as
    /// `null` in `moment.json` then, so that an importer never has to guess.
    #[serde(default)]
    pub missing: Option<MissingRule>,
}

/// How a score treats unanswered summed items (`missing:` on a score).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MissingRule {
    /// How many shown summed items may be unanswered while the score is still computed.
    pub allow: u32,
    /// How the unanswered items are accounted for.
    pub method: MissingMethod,
    /// How a prorated total is rounded (only for `prorate`).
    #[serde(default)]
    pub round: Rounding,
}

/// How unanswered items of a score are accounted for.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MissingMethod {
    /// The answered items' sum scaled by shown items / answered items.
    Prorate,
    /// Unanswered items count as 0 (only where the instrument's manual says so).
    Zero,
}

impl MissingMethod {
    /// The method as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            MissingMethod::Prorate => "prorate",
            MissingMethod::Zero => "zero",
        }
    }
}

/// How a prorated score is rounded.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Rounding {
    /// To the nearest whole number, halves away from zero (PHQ-9, GAD-7 manuals).
    #[default]
    Whole,
    /// Not rounded: the score may take fractional values.
    None,
}

impl Rounding {
    /// The rounding as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Rounding::Whole => "whole",
            Rounding::None => "none",
        }
    }
}

/// A named range of a score, inclusive at both ends.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Smallest score.
    pub min: f64,
    /// Largest score.
    pub max: f64,
    /// Name.
    pub label: String,
}

/// An alert that staff see.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// Unique within the form.
    pub id: String,
    /// When it fires.
    pub when: AlertCondition,
    /// What staff are told.
    pub message: String,
}

/// The condition of an alert: on an item or on a score.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AlertCondition {
    /// Item id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Score id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
    /// Operator.
    pub op: Op,
    /// Compared value.
    pub value: Scalar,
}

/// One form test scenario.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What it shows.
    pub name: String,
    /// Item id to answer.
    pub answers: BTreeMap<String, serde_json::Value>,
    /// Expected outcome.
    pub expect: Expect,
}

/// What a scenario expects.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Score id to value; `null` expects the score not to be computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<BTreeMap<String, Option<f64>>>,
    /// Score id to band label; `null` expects no band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands: Option<BTreeMap<String, Option<String>>>,
    /// Every alert that fires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Vec<String>>,
    /// Every hidden item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Vec<String>>,
    /// Every required, shown item still unanswered, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unanswered: Option<Vec<String>>,
}
