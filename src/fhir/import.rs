//! A FHIR R4 Questionnaire as a form: items, options with their scores, `enable_when`,
//! scores from recognised `calculatedExpression`s, and every element that could not
//! be carried over as a problem at its JSON path.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::expr::{self, Guard, Lit, Rule, ValueKind};
use super::ext;
use super::json::Doc;
use super::problem::Problem;
use crate::diagnostic::Code;
use crate::model::{
    Band, Choice, Condition, Form, FormKind, Item, ItemType, MissingMethod, MissingRule, Op,
    Rounding, Scalar, Score,
};

/// How deep items may nest: a group in a group holding questions.
pub const MAX_DEPTH: usize = 3;

/// A form made from a Questionnaire, with what was not carried over.
#[derive(Debug)]
pub struct Imported {
    /// The form.
    pub form: Form,
    /// Warnings: elements left out, renamed or left for the designer.
    pub problems: Vec<Problem>,
}

/// Maps the Questionnaire in `doc` to a form with id `id`. `Err` holds every problem
/// when at least one is an error.
pub fn import(doc: &Doc, id: &str) -> Result<Imported, Vec<Problem>> {
    let mut cx = Cx::default();
    let form = cx.questionnaire(&doc.root, id);
    if cx
        .problems
        .iter()
        .any(|p| p.code.severity() == crate::diagnostic::Severity::Error)
    {
        return Err(cx.problems);
    }
    match form {
        Some(form) => Ok(Imported {
            form,
            problems: cx.problems,
        }),
        None => Err(cx.problems),
    }
}

const R4_ROOT: &[&str] = &[
    "resourceType",
    "id",
    "meta",
    "implicitRules",
    "language",
    "text",
    "contained",
    "extension",
    "modifierExtension",
    "url",
    "identifier",
    "version",
    "name",
    "title",
    "derivedFrom",
    "status",
    "experimental",
    "subjectType",
    "date",
    "publisher",
    "contact",
    "description",
    "useContext",
    "jurisdiction",
    "purpose",
    "copyright",
    "approvalDate",
    "lastReviewDate",
    "effectivePeriod",
    "code",
    "item",
];
const REPORTED_ROOT: &[(&str, &str)] = &[
    (
        "copyright",
        "keep the instrument's licence terms with the moment (in docs/)",
    ),
    ("code", "forms carry no terminology codes"),
    ("contained", "contained resources are not read"),
    ("derivedFrom", "forms do not record what they derive from"),
    ("url", "the form's identity is its id in the moment"),
    ("identifier", "the form's identity is its id in the moment"),
];
const R4_ITEM: &[&str] = &[
    "id",
    "extension",
    "modifierExtension",
    "linkId",
    "definition",
    "code",
    "prefix",
    "text",
    "type",
    "enableWhen",
    "enableBehavior",
    "required",
    "repeats",
    "readOnly",
    "maxLength",
    "answerValueSet",
    "answerOption",
    "initial",
    "item",
];
const R4_TYPES: &[&str] = &[
    "group",
    "display",
    "boolean",
    "decimal",
    "integer",
    "date",
    "dateTime",
    "time",
    "string",
    "text",
    "url",
    "choice",
    "open-choice",
    "attachment",
    "reference",
    "quantity",
];

/// An imported choice option: how an `enableWhen` names it, and its value.
#[derive(Clone, Debug)]
struct Opt {
    code: Option<String>,
    string: Option<String>,
    integer: Option<f64>,
    value: f64,
}

/// A calculated item, a score candidate.
#[derive(Debug)]
struct Calc {
    path: String,
    link_id: String,
    text: Option<String>,
    expression: Option<(String, String)>,
    variables: BTreeMap<String, String>,
    bands: Vec<Band>,
    missing: Option<MissingRule>,
}

#[derive(Default)]
struct Cx {
    problems: Vec<Problem>,
    items: Vec<Item>,
    /// linkId -> (item id, JSON path of the item).
    ids: BTreeMap<String, (String, String)>,
    /// item id -> options, for choice items.
    options: BTreeMap<String, Vec<Opt>>,
    /// item id -> whether its options carry scores.
    weighted: BTreeMap<String, bool>,
    calcs: Vec<Calc>,
    variables: BTreeMap<String, String>,
    used_ids: std::collections::BTreeSet<String>,
}

fn str_at<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str)
}

impl Cx {
    fn err(&mut self, code: Code, path: &str, message: impl Into<String>) -> &mut Problem {
        self.problems.push(Problem::new(code, path, message));
        self.problems.last_mut().expect("pushed")
    }

    fn note(&mut self, path: &str, message: impl Into<String>) {
        self.problems
            .push(Problem::new(Code::FhirNotCarried, path, message));
    }

    fn questionnaire(&mut self, root: &Value, id: &str) -> Option<Form> {
        let Some(o) = root.as_object() else {
            self.err(
                Code::FhirNotQuestionnaire,
                "",
                "the file holds no JSON object",
            )
            .hint = Some(
                "a Questionnaire is one JSON object with \"resourceType\": \"Questionnaire\""
                    .into(),
            );
            return None;
        };
        match str_at(o, "resourceType") {
            Some("Questionnaire") => {}
            Some("Bundle") => {
                self.err(
                    Code::FhirNotQuestionnaire,
                    "resourceType",
                    "this is a Bundle, not a Questionnaire",
                )
                .hint = Some("save the Questionnaire of the bundle's entry[n].resource as a file of its own and import that".into());
                return None;
            }
            Some(other) => {
                let other = other.to_owned();
                self.err(
                    Code::FhirNotQuestionnaire,
                    "resourceType",
                    format!("this is a {other}, not a Questionnaire"),
                );
                return None;
            }
            None => {
                self.err(
                    Code::FhirNotQuestionnaire,
                    "",
                    "the object has no \"resourceType\"",
                )
                .hint = Some(
                    "a FHIR resource names its type: \"resourceType\": \"Questionnaire\"".into(),
                );
                return None;
            }
        }
        for key in o.keys() {
            if !R4_ROOT.contains(&key.as_str()) {
                self.err(
                    Code::FhirUnsupported,
                    key,
                    format!("`{key}` is not an element of an R4 Questionnaire"),
                );
            }
        }
        for (key, why) in REPORTED_ROOT {
            if o.get(*key).is_some_and(|v| !v.is_null()) {
                self.note(key, format!("`{key}` not carried over: {why}"));
            }
        }
        if o.get("implicitRules").is_some() {
            self.err(
                Code::FhirUnsupported,
                "implicitRules",
                "`implicitRules` may change what the content means and cannot be followed",
            );
        }
        self.modifiers(o, "");
        self.extensions(o, "", Level::Root);
        let items = match o.get("item") {
            Some(Value::Array(items)) if !items.is_empty() => items.clone(),
            _ => {
                self.err(
                    Code::FhirUnsupported,
                    "item",
                    "the Questionnaire has no items",
                )
                .hint = Some("a form needs at least one question or text".into());
                return None;
            }
        };
        self.walk(&items, "item", 1, None);
        let scores = self.scores();
        let title = str_at(o, "title")
            .or_else(|| str_at(o, "name"))
            .map_or_else(|| id.to_owned(), str::to_owned);
        Some(Form {
            id: id.to_owned(),
            title,
            description: str_at(o, "description").map(str::to_owned),
            kind: FormKind::Questionnaire,
            schedule: None,
            series_break: false,
            items: std::mem::take(&mut self.items),
            scores,
            alerts: Vec::new(),
        })
    }

    fn modifiers(&mut self, o: &Map<String, Value>, path: &str) {
        if o.get("modifierExtension").is_some() {
            let at = join(path, "modifierExtension");
            self.err(
                Code::FhirUnknownExtension,
                &at,
                "a modifier extension changes what the element means, and import cannot follow it",
            )
            .hint = Some("remove it only if you know the form means the same without it".into());
        }
    }

    /// Checks the extensions of `o`; returns the understood ones by URL.
    fn extensions(
        &mut self,
        o: &Map<String, Value>,
        path: &str,
        level: Level,
    ) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        let Some(list) = o.get("extension") else {
            return out;
        };
        let Some(list) = list.as_array() else {
            self.err(
                Code::FhirUnsupported,
                &join(path, "extension"),
                "`extension` must be a list",
            );
            return out;
        };
        for (i, e) in list.iter().enumerate() {
            let at = format!("{}[{i}]", join(path, "extension"));
            let url = e.get("url").and_then(Value::as_str).unwrap_or_default();
            if level.understands(url) {
                if url == ext::VARIABLE {
                    if let Some((name, text)) = e.get("valueExpression").and_then(expression) {
                        self.variables.insert(name, text);
                    }
                    continue;
                }
                out.push((url.to_owned(), e.clone()));
            } else if ext::PRESENTATION.contains(&url) {
                self.note(
                    &at,
                    format!("presentation extension {url} not carried over"),
                );
            } else {
                let p = self.err(
                    Code::FhirUnknownExtension,
                    &at,
                    format!(
                        "extension {} is not one import understands here",
                        if url.is_empty() { "without a url" } else { url }
                    ),
                );
                p.hint = Some(format!(
                    "it may change what the form means or how it scores; understood here: {}",
                    level.list().join(", ")
                ));
            }
        }
        out
    }

    fn item_id(&mut self, link_id: &str, path: &str) -> String {
        let mut id: String = link_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        id = id.trim_matches('_').to_owned();
        if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
            id.insert(0, 'q');
        }
        let base = id.clone();
        let mut n = 2;
        while self.used_ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        if id != link_id {
            self.problems.push(
                Problem::new(
                    Code::FhirRenamed,
                    join(path, "linkId"),
                    format!("linkId `{link_id}` is item id `{id}`"),
                )
                .hint("item ids start with a letter and hold letters, digits, `_` and `-`; rename it in the form if you like"),
            );
        }
        self.used_ids.insert(id.clone());
        id
    }

    fn walk(&mut self, items: &[Value], path: &str, depth: usize, guard: Option<Condition>) {
        for (i, v) in items.iter().enumerate() {
            let at = format!("{path}[{i}]");
            let Some(o) = v.as_object() else {
                self.err(Code::FhirUnsupported, &at, "an item must be a JSON object");
                continue;
            };
            self.item(o, &at, depth, guard.clone());
        }
    }

    fn item(&mut self, o: &Map<String, Value>, at: &str, depth: usize, guard: Option<Condition>) {
        if depth > MAX_DEPTH {
            self.err(
                Code::FhirTooDeep,
                at,
                format!("items nest {depth} levels deep; import flattens at most {MAX_DEPTH} (a group in a group)"),
            )
            .hint = Some("flatten the inner groups in the Questionnaire, or split it into several forms".into());
            return;
        }
        let errors_before = self.error_count();
        for key in o.keys() {
            let k = key.as_str();
            if matches!(
                k,
                "option"
                    | "options"
                    | "initialString"
                    | "initialCoding"
                    | "initialInteger"
                    | "initialBoolean"
                    | "initialDecimal"
                    | "initialDate"
            ) || (k.starts_with("initial") && k != "initial")
            {
                self.err(
                    Code::FhirVersion,
                    &join(at, k),
                    format!("`{k}` is FHIR STU3, not R4"),
                )
                .hint = Some(stu3_hint(k));
            } else if matches!(k, "answerConstraint" | "disabledDisplay") {
                self.err(
                    Code::FhirVersion,
                    &join(at, k),
                    format!("`{k}` is FHIR R5, not R4"),
                )
                .hint = Some(
                    "import reads R4 (4.0.1) Questionnaires; convert the R5 one to R4 first".into(),
                );
            } else if !R4_ITEM.contains(&k) {
                self.err(
                    Code::FhirUnsupported,
                    &join(at, k),
                    format!("`{k}` is not an element of an R4 Questionnaire item"),
                );
            }
        }
        self.modifiers(o, at);
        let Some(link_id) = str_at(o, "linkId").map(str::to_owned) else {
            self.err(Code::FhirUnsupported, at, "the item has no `linkId`");
            return;
        };
        if let Some((_, first)) = self.ids.get(&link_id) {
            let first = first.clone();
            self.err(
                Code::FhirDuplicateLinkId,
                &join(at, "linkId"),
                format!("linkId `{link_id}` is used twice (first at Questionnaire.{first})"),
            )
            .hint = Some("every item of a Questionnaire needs its own linkId".into());
            return;
        }
        let kind = str_at(o, "type").unwrap_or_default().to_owned();
        if matches!(kind.as_str(), "coding" | "question") {
            self.err(
                Code::FhirVersion,
                &join(at, "type"),
                format!("type `{kind}` is FHIR R5, not R4"),
            )
            .hint = Some("R4 has `choice` and `open-choice` for coded answers".into());
            return;
        }
        if !R4_TYPES.contains(&kind.as_str()) {
            self.err(
                Code::FhirUnsupported,
                &join(at, "type"),
                format!("`{kind}` is not an R4 item type"),
            );
            return;
        }
        let exts = self.extensions(o, at, Level::Item);
        let calc = exts.iter().find(|(u, _)| u == ext::CALCULATED_EXPRESSION);
        if let Some((_, e)) = calc {
            let c = Calc {
                path: at.to_owned(),
                link_id: link_id.clone(),
                text: str_at(o, "text").map(str::to_owned),
                expression: e.get("valueExpression").and_then(|x| {
                    Some((
                        x.get("language")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        x.get("expression")?.as_str()?.to_owned(),
                    ))
                }),
                variables: self.variables.clone(),
                bands: bands(&exts),
                missing: missing(&exts),
            };
            self.ids.insert(link_id, (String::new(), at.to_owned()));
            self.calcs.push(c);
            return;
        }
        let id = self.item_id(&link_id, at);
        self.ids
            .insert(link_id.clone(), (id.clone(), at.to_owned()));
        for key in [
            "prefix",
            "code",
            "definition",
            "maxLength",
            "initial",
            "readOnly",
        ] {
            if o.get(key)
                .is_some_and(|v| !v.is_null() && *v != Value::Bool(false))
            {
                self.note(&join(at, key), format!("`{key}` not carried over"));
            }
        }
        let mut condition = self.enable_when(o, at);
        if let Some((i, (_, e))) = exts
            .iter()
            .enumerate()
            .find(|(_, (u, _))| u == ext::ENABLE_WHEN_EXPRESSION)
        {
            let eat = format!("{}[{i}]", join(at, "extension"));
            if condition.is_some() || o.contains_key("enableWhen") {
                self.err(
                    Code::FhirUnsupported,
                    &eat,
                    "the item has both enableWhen and an enableWhenExpression; a form item has one condition",
                );
            } else {
                condition = self.enable_expression(e, &eat);
            }
        }
        match (&condition, guard) {
            (Some(_), Some(_)) => {
                self.err(
                    Code::FhirUnsupported,
                    &join(at, "enableWhen"),
                    "the item and its group both have an enableWhen; a form item has one condition",
                );
            }
            (None, Some(g)) => condition = Some(g),
            _ => {}
        }
        let text = str_at(o, "text").map(str::to_owned);
        let children: Vec<Value> = o
            .get("item")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if kind == "group" {
            if o.get("repeats").and_then(Value::as_bool) == Some(true) {
                self.err(Code::FhirUnsupported, &join(at, "repeats"), "a repeating group cannot be flattened into a form")
                    .hint = Some("forms have no repeating groups; ask the citizen a fixed number of times instead".into());
                return;
            }
            if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
                self.items
                    .push(item(id.clone(), ItemType::Display, text, condition.clone()));
            }
            self.walk(&children, &join(at, "item"), depth + 1, condition);
            return;
        }
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
            self.err(
                Code::FhirUnsupported,
                &join(at, "text"),
                "the item has no text",
            )
            .hint = Some("every form item shows a text".into());
            return;
        };
        let repeats = o.get("repeats").and_then(Value::as_bool) == Some(true);
        let ty = match kind.as_str() {
            "display" => ItemType::Display,
            "boolean" => ItemType::Boolean,
            "decimal" | "integer" => ItemType::Number,
            "date" => ItemType::Date,
            "dateTime" => {
                self.note(
                    &join(at, "type"),
                    "a dateTime item is a date item: the time of day is not asked",
                );
                ItemType::Date
            }
            "time" => ItemType::Time,
            "string" | "text" => ItemType::Text,
            "choice" | "open-choice" => {
                if kind == "open-choice" {
                    self.note(
                        &join(at, "type"),
                        "open-choice: the free-text answer is not carried over, only the options",
                    );
                }
                if repeats {
                    ItemType::Multichoice
                } else {
                    ItemType::Choice
                }
            }
            other => {
                self.err(
                    Code::FhirUnsupported,
                    &join(at, "type"),
                    format!("items of type `{other}` have no form equivalent"),
                )
                .hint =
                    Some("forms ask choice, number, text, date, time and yes/no questions".into());
                return;
            }
        };
        if repeats && !matches!(ty, ItemType::Multichoice) {
            self.err(
                Code::FhirUnsupported,
                &join(at, "repeats"),
                "only choice items may repeat (as multichoice)",
            );
            return;
        }
        let mut it = item(id.clone(), ty, text, condition);
        it.required = o.get("required").and_then(Value::as_bool).unwrap_or(false);
        if matches!(ty, ItemType::Choice | ItemType::Multichoice) {
            self.choice_options(o, at, &mut it);
        }
        if ty == ItemType::Number {
            it.min = ext_number(&exts, ext::MIN_VALUE);
            it.max = ext_number(&exts, ext::MAX_VALUE);
            it.unit = exts
                .iter()
                .find(|(u, _)| u == ext::UNIT)
                .and_then(|(_, e)| e.get("valueCoding"))
                .and_then(|c| c.get("display").or_else(|| c.get("code")))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let slider = exts.iter().any(|(u, e)| {
                u == ext::ITEM_CONTROL && control_code(e).as_deref() == Some("slider")
            });
            if slider
                && kind == "integer"
                && it.min.is_some()
                && it.max.is_some()
                && it.unit.is_none()
            {
                it.kind = ItemType::Scale;
                if let Some((_, e)) = exts.iter().find(|(u, _)| u == ext::MOMENT_SCALE_LABEL) {
                    it.min_label = sub_str(e, "min");
                    it.max_label = sub_str(e, "max");
                }
            }
        }
        for (i, child) in children.iter().enumerate() {
            let cat = format!("{}[{i}]", join(at, "item"));
            let help = child.as_object().filter(|c| {
                str_at(c, "type") == Some("display")
                    && c.get("extension")
                        .and_then(Value::as_array)
                        .is_some_and(|l| {
                            l.iter().any(|e| {
                                e.get("url").and_then(Value::as_str) == Some(ext::ITEM_CONTROL)
                                    && matches!(
                                        control_code(e).as_deref(),
                                        Some("help" | "flyover")
                                    )
                            })
                        })
            });
            if let Some(h) = help {
                it.help = str_at(h, "text").map(str::to_owned);
                if let Some(l) = str_at(h, "linkId") {
                    self.ids.insert(l.to_owned(), (String::new(), cat));
                }
            }
        }
        if self.error_count() > errors_before {
            return;
        }
        self.items.push(it);
        let rest: Vec<Value> = children
            .into_iter()
            .filter(|c| {
                !(c.get("type").and_then(Value::as_str) == Some("display")
                    && c.get("extension")
                        .and_then(Value::as_array)
                        .is_some_and(|l| {
                            l.iter().any(|e| {
                                matches!(control_code(e).as_deref(), Some("help" | "flyover"))
                            })
                        }))
            })
            .collect();
        if !rest.is_empty() {
            self.note(
                &join(at, "item"),
                "items nested under a question are asked after it, not inside it",
            );
            self.walk(&rest, &join(at, "item"), depth + 1, None);
        }
    }

    fn error_count(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.code.severity() == crate::diagnostic::Severity::Error)
            .count()
    }

    fn choice_options(&mut self, o: &Map<String, Value>, at: &str, it: &mut Item) {
        if o.contains_key("option") {
            return; // STU3, reported as such
        }
        if o.get("answerValueSet").is_some() {
            self.err(
                Code::FhirUnsupported,
                &join(at, "answerValueSet"),
                "options in a ValueSet are not read",
            )
            .hint =
                Some("list the options in the item as answerOption, with their itemWeight".into());
            return;
        }
        let Some(list) = o
            .get("answerOption")
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty())
        else {
            self.err(
                Code::FhirUnsupported,
                at,
                "a choice item without answerOption",
            )
            .hint = Some("list the answers as answerOption, with their itemWeight".into());
            return;
        };
        let mut opts = Vec::new();
        let mut weights = 0;
        for (i, opt) in list.iter().enumerate() {
            let oat = format!("{}[{i}]", join(at, "answerOption"));
            let Some(oo) = opt.as_object() else {
                self.err(
                    Code::FhirUnsupported,
                    &oat,
                    "an answerOption must be an object",
                );
                continue;
            };
            self.modifiers(oo, &oat);
            let exts = self.extensions(oo, &oat, Level::Option);
            if oo.get("initialSelected").is_some() {
                self.note(
                    &join(&oat, "initialSelected"),
                    "`initialSelected` not carried over",
                );
            }
            let mut weight = ext_number(&exts, ext::ITEM_WEIGHT);
            let (label, code, string, integer) =
                if let Some(c) = oo.get("valueCoding").and_then(Value::as_object) {
                    let cat = join(&oat, "valueCoding");
                    self.modifiers(c, &cat);
                    let cexts = self.extensions(c, &cat, Level::Option);
                    if weight.is_none() {
                        weight = ext_number(&cexts, ext::ORDINAL_VALUE);
                    }
                    let code = str_at(c, "code").map(str::to_owned);
                    let label = str_at(c, "display")
                        .map(str::to_owned)
                        .or_else(|| code.clone());
                    (label, code, None, None)
                } else if let Some(n) = oo.get("valueInteger").and_then(Value::as_f64) {
                    (Some(crate::scoring::fmt_num(n)), None, None, Some(n))
                } else if let Some(s) = oo.get("valueString").and_then(Value::as_str) {
                    (Some(s.to_owned()), None, Some(s.to_owned()), None)
                } else {
                    self.err(
                        Code::FhirUnsupported,
                        &oat,
                        "the option is not a valueCoding, valueInteger or valueString",
                    );
                    continue;
                };
            let Some(label) = label.filter(|l| !l.trim().is_empty()) else {
                self.err(
                    Code::FhirUnsupported,
                    &oat,
                    "the option has no text to show",
                );
                continue;
            };
            if weight.is_some() {
                weights += 1;
            }
            let value = weight.or(integer).unwrap_or((i + 1) as f64);
            if let Some(prev) = opts.iter().position(|p: &Opt| p.value == value) {
                self.err(
                    Code::FhirUnsupported,
                    &oat,
                    format!(
                        "the option has the same value, {}, as option {prev}; form options need their own values",
                        crate::scoring::fmt_num(value)
                    ),
                )
                .hint = Some("FHIR allows options with equal scores, forms do not (E045); give the options distinct weights or split the item".into());
                continue;
            }
            it.options.push(Choice { value, label });
            opts.push(Opt {
                code,
                string,
                integer,
                value,
            });
        }
        if weights > 0 && weights < opts.len() {
            self.err(
                Code::FhirUnsupported,
                &join(at, "answerOption"),
                format!("{weights} of {} options have a score (itemWeight or ordinalValue), the others none", opts.len()),
            )
            .hint = Some("give every option of a scored item its weight".into());
        }
        let ints = opts.iter().all(|o| o.integer.is_some());
        if weights == 0 && !ints && !opts.is_empty() {
            self.note(
                &join(at, "answerOption"),
                "the options carry no score; they are numbered 1, 2, 3… in order",
            );
        }
        self.weighted.insert(it.id.clone(), weights > 0 || ints);
        self.options.insert(it.id.clone(), opts);
    }

    fn enable_when(&mut self, o: &Map<String, Value>, at: &str) -> Option<Condition> {
        let list = o.get("enableWhen")?.as_array()?;
        let wat = join(at, "enableWhen");
        if list.len() > 1 {
            self.err(
                Code::FhirUnsupported,
                &wat,
                format!(
                    "{} enableWhen conditions; a form item has one condition",
                    list.len()
                ),
            )
            .hint = Some("split the item, or keep the one condition that decides".into());
            return None;
        }
        let w = list.first()?.as_object()?;
        let cat = format!("{wat}[0]");
        if w.contains_key("hasAnswer") {
            self.err(
                Code::FhirVersion,
                &join(&cat, "hasAnswer"),
                "`hasAnswer` is FHIR STU3, not R4",
            )
            .hint = Some("R4 writes it as \"operator\": \"exists\"".into());
            return None;
        }
        let question = str_at(w, "question").unwrap_or_default().to_owned();
        let Some((target, _)) = self
            .ids
            .get(&question)
            .cloned()
            .filter(|(id, _)| !id.is_empty())
        else {
            self.err(
                Code::FhirUnsupported,
                &join(&cat, "question"),
                format!("enableWhen refers to `{question}`, which is not an earlier question"),
            )
            .hint = Some("a condition may only refer to a question asked before it".into());
            return None;
        };
        let op = match str_at(w, "operator").unwrap_or_default() {
            "=" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            other => {
                self.err(
                    Code::FhirUnsupported,
                    &join(&cat, "operator"),
                    format!("operator `{other}` has no form equivalent (forms compare answers with = != < <= > >=)"),
                );
                return None;
            }
        };
        let opts = self.options.get(&target).cloned();
        let value = if let Some(c) = w.get("answerCoding") {
            let code = c.get("code").and_then(Value::as_str).unwrap_or_default();
            opts.as_ref()
                .and_then(|os| os.iter().find(|o| o.code.as_deref() == Some(code)))
                .map(|o| Scalar::Number(o.value))
        } else if let Some(n) = w
            .get("answerInteger")
            .or_else(|| w.get("answerDecimal"))
            .and_then(Value::as_f64)
        {
            match &opts {
                Some(os) => os
                    .iter()
                    .find(|o| o.integer == Some(n))
                    .map(|o| Scalar::Number(o.value)),
                None => Some(Scalar::Number(n)),
            }
        } else if let Some(b) = w.get("answerBoolean").and_then(Value::as_bool) {
            Some(Scalar::Bool(b))
        } else if let Some(s) = ["answerString", "answerDate", "answerTime", "answerDateTime"]
            .iter()
            .find_map(|k| w.get(*k).and_then(Value::as_str))
        {
            match &opts {
                Some(os) => os
                    .iter()
                    .find(|o| o.string.as_deref() == Some(s))
                    .map(|o| Scalar::Number(o.value)),
                None => Some(Scalar::Text(s.to_owned())),
            }
        } else {
            None
        };
        let Some(value) = value else {
            self.err(
                Code::FhirUnsupported,
                &cat,
                format!("the enableWhen answer is not one of the answers `{question}` takes"),
            );
            return None;
        };
        Some(Condition {
            item: target,
            op,
            value,
        })
    }

    /// An `enableWhenExpression` as a condition, when it compares one earlier item.
    fn enable_expression(&mut self, e: &Value, at: &str) -> Option<Condition> {
        let text = e
            .get("valueExpression")
            .and_then(|x| x.get("expression"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let condition = expr::recognise_guard(text).and_then(|g| {
            let (id, _) = self.ids.get(&g.item).filter(|(id, _)| !id.is_empty())?;
            let target = self.items.iter().find(|i| &i.id == id)?;
            let choice = matches!(target.kind, ItemType::Choice | ItemType::Multichoice);
            if choice != (g.kind == ValueKind::Ordinal) || g.kind == ValueKind::BoolAsNumber {
                return None;
            }
            let op = [Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge]
                .into_iter()
                .find(|o| o.symbol() == g.op)?;
            let value = match g.value {
                Lit::Num(n) => Scalar::Number(n),
                Lit::Bool(b) => Scalar::Bool(b),
                Lit::Str(s) => Scalar::Text(s),
            };
            Some(Condition {
                item: id.clone(),
                op,
                value,
            })
        });
        if condition.is_none() {
            self.err(
                Code::FhirUnsupported,
                at,
                format!("the enableWhenExpression `{text}` is not a comparison of one earlier item's answer"),
            )
            .hint = Some("a form item is shown when one earlier answer compares with a value: `=`, `!=`, `<`, `<=`, `>`, `>=`".into());
        }
        condition
    }

    fn scores(&mut self) -> Vec<Score> {
        let calcs = std::mem::take(&mut self.calcs);
        let mut scores = Vec::new();
        for c in calcs {
            let at = join(&c.path, "extension");
            let Some((language, text)) = c.expression.clone() else {
                self.gap(&c, "the calculatedExpression has no expression".into());
                continue;
            };
            if language != "text/fhirpath" {
                self.gap(
                    &c,
                    format!("the expression is in `{language}`, not FHIRPath"),
                );
                continue;
            }
            let Some(total) = expr::recognise(&text, &c.variables) else {
                self.gap(&c, format!("`{text}` is not a sum import recognises"));
                continue;
            };
            match self.score(&c, &total) {
                Ok(mut score) => {
                    if let Rule::AnsweredOnly = total.rule
                        && score.missing.is_none()
                    {
                        self.note(
                            &at,
                            format!(
                                "the FHIR total `{}` counts unanswered items as 0; the form computes it only when every shown item is answered",
                                c.link_id
                            ),
                        );
                        if let Some(p) = self.problems.last_mut() {
                            p.hint = Some("if the instrument's manual allows missing answers, add `missing:` to the score".into());
                        }
                    }
                    if score.bands.is_empty() {
                        self.problems.push(
                            Problem::new(
                                Code::FhirNoBands,
                                c.path.clone(),
                                format!("the score `{}` has no interpretation bands in the Questionnaire", score.id),
                            )
                            .hint("add `bands:` from the instrument's manual, and form tests for each band's edges"),
                        );
                    }
                    score.id = self.item_id(&c.link_id, &c.path);
                    scores.push(score);
                }
                Err(why) => self.gap(&c, why),
            }
        }
        scores
    }

    fn gap(&mut self, c: &Calc, why: String) {
        self.problems.push(
            Problem::new(
                Code::FhirScoreGap,
                c.path.clone(),
                format!("score `{}` left out: {why}", c.link_id),
            )
            .hint(
                "add the score by hand as `sum:` with the instrument's manual at hand, and test it",
            ),
        );
    }

    fn score(&self, c: &Calc, total: &expr::Total) -> Result<Score, String> {
        let mut sum = Vec::new();
        for (link, kind) in &total.terms {
            let id = self
                .ids
                .get(link)
                .map(|(id, _)| id.clone())
                .filter(|id| !id.is_empty())
                .ok_or_else(|| {
                    format!("it sums `{link}`, which is no question of the Questionnaire")
                })?;
            let item = self
                .items
                .iter()
                .find(|i| i.id == id)
                .ok_or("unknown item")?;
            let fits = match kind {
                ValueKind::Ordinal => {
                    matches!(item.kind, ItemType::Choice | ItemType::Multichoice)
                        && self.weighted.get(&id).copied().unwrap_or(false)
                }
                ValueKind::Plain => matches!(item.kind, ItemType::Number | ItemType::Scale),
                ValueKind::BoolAsNumber => item.kind == ItemType::Boolean,
            };
            if !fits {
                return Err(format!(
                    "it takes `{link}` in a way that does not fit a {} item{}",
                    item.kind.name(),
                    if *kind == ValueKind::Ordinal {
                        " with scored options"
                    } else {
                        ""
                    }
                ));
            }
            if sum.contains(&id) {
                return Err(format!("it adds `{link}` twice"));
            }
            sum.push(id);
        }
        if let Rule::AllAnswered(required) = &total.rule {
            let want: Vec<&String> = total.terms.iter().map(|(l, _)| l).collect();
            let have: Vec<&String> = required.keys().collect();
            let mut want_sorted = want.clone();
            want_sorted.sort();
            if want_sorted != have {
                return Err("it requires other items to be answered than it sums".into());
            }
            for (link, guard) in required {
                let id = &self.ids[link].0;
                let item = self
                    .items
                    .iter()
                    .find(|i| &i.id == id)
                    .ok_or("unknown item")?;
                match (guard, &item.enable_when) {
                    (None, None) => {}
                    (Some(g), Some(cond)) if self.guard_matches(g, cond) => {}
                    _ => {
                        return Err(format!(
                            "its rule for when `{link}` is shown differs from the item's enableWhen"
                        ));
                    }
                }
            }
        }
        Ok(Score {
            id: c.link_id.clone(),
            title: c.text.clone(),
            sum,
            bands: c.bands.clone(),
            missing: c.missing.clone(),
        })
    }

    fn guard_matches(&self, g: &Guard, cond: &Condition) -> bool {
        let same_item = self
            .ids
            .get(&g.item)
            .is_some_and(|(id, _)| *id == cond.item);
        let value = match (&g.value, &cond.value) {
            (Lit::Num(a), Scalar::Number(b)) => a == b,
            (Lit::Bool(a), Scalar::Bool(b)) => a == b,
            (Lit::Str(a), Scalar::Text(b)) => a == b,
            _ => false,
        };
        same_item && value && g.op == cond.op.symbol()
    }
}

/// Which extensions a level understands.
#[derive(Clone, Copy)]
enum Level {
    Root,
    Item,
    Option,
}

impl Level {
    fn list(self) -> Vec<&'static str> {
        match self {
            Level::Root => vec![ext::VARIABLE],
            Level::Item => vec![
                ext::CALCULATED_EXPRESSION,
                ext::ENABLE_WHEN_EXPRESSION,
                ext::VARIABLE,
                ext::MIN_VALUE,
                ext::MAX_VALUE,
                ext::ITEM_CONTROL,
                ext::UNIT,
                ext::SLIDER_STEP,
                ext::MOMENT_BAND,
                ext::MOMENT_MISSING,
                ext::MOMENT_SCALE_LABEL,
            ],
            Level::Option => vec![ext::ITEM_WEIGHT, ext::ORDINAL_VALUE],
        }
    }
    fn understands(self, url: &str) -> bool {
        self.list().contains(&url)
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn stu3_hint(key: &str) -> String {
    match key {
        "option" => "R4 calls it `answerOption`; convert the STU3 Questionnaire to R4 first".into(),
        "options" => "R4 calls it `answerValueSet`; convert the STU3 Questionnaire to R4 first".into(),
        _ => "R4 writes initial values as `initial: [{\"valueX\": …}]`; convert the STU3 Questionnaire to R4 first".into(),
    }
}

fn item(id: String, kind: ItemType, text: String, enable_when: Option<Condition>) -> Item {
    Item {
        id,
        kind,
        text,
        help: None,
        required: false,
        options: Vec::new(),
        min: None,
        max: None,
        min_label: None,
        max_label: None,
        unit: None,
        enable_when,
    }
}

fn expression(e: &Value) -> Option<(String, String)> {
    Some((
        e.get("name")?.as_str()?.to_owned(),
        e.get("expression")?.as_str()?.to_owned(),
    ))
}

fn number(e: &Value) -> Option<f64> {
    ["valueDecimal", "valueInteger"]
        .iter()
        .find_map(|k| e.get(*k).and_then(Value::as_f64))
}

fn ext_number(exts: &[(String, Value)], url: &str) -> Option<f64> {
    exts.iter()
        .find(|(u, _)| u == url)
        .and_then(|(_, e)| number(e))
}

fn control_code(e: &Value) -> Option<String> {
    e.get("valueCodeableConcept")?
        .get("coding")?
        .as_array()?
        .iter()
        .find_map(|c| c.get("code")?.as_str().map(str::to_owned))
}

fn sub(e: &Value, url: &str) -> Option<Value> {
    e.get("extension")?
        .as_array()?
        .iter()
        .find(|s| s.get("url").and_then(Value::as_str) == Some(url))
        .cloned()
}

fn sub_str(e: &Value, url: &str) -> Option<String> {
    sub(e, url)?.get("valueString")?.as_str().map(str::to_owned)
}

fn bands(exts: &[(String, Value)]) -> Vec<Band> {
    exts.iter()
        .filter(|(u, _)| u == ext::MOMENT_BAND)
        .filter_map(|(_, e)| {
            Some(Band {
                min: number(&sub(e, "min")?)?,
                max: number(&sub(e, "max")?)?,
                label: sub_str(e, "label")?,
            })
        })
        .collect()
}

fn missing(exts: &[(String, Value)]) -> Option<MissingRule> {
    let (_, e) = exts.iter().find(|(u, _)| u == ext::MOMENT_MISSING)?;
    let allow = sub(e, "allow")?.get("valueInteger")?.as_u64()?;
    let method = match sub(e, "method")?.get("valueCode")?.as_str()? {
        "prorate" => MissingMethod::Prorate,
        "zero" => MissingMethod::Zero,
        _ => return None,
    };
    let round = match sub(e, "round")
        .and_then(|r| r.get("valueCode")?.as_str().map(str::to_owned))
        .as_deref()
    {
        Some("none") => Rounding::None,
        _ => Rounding::Whole,
    };
    Some(MissingRule {
        allow: u32::try_from(allow).ok()?,
        method,
        round,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path of a JSON value, as a list of steps.
    fn paths(v: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(at.clone());
        match v {
            Value::Object(o) => {
                for (k, c) in o {
                    at.push(Value::String(k.clone()));
                    paths(c, at, out);
                    at.pop();
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    at.push(Value::from(i));
                    paths(c, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }

    fn node<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
        path.iter().fold(v, |v, step| match step {
            Value::String(k) => &mut v[k.as_str()],
            Value::Number(n) => &mut v[n.as_u64().unwrap_or(0) as usize],
            _ => v,
        })
    }

    const SAMPLES: &[&str] = &[
        include_str!("../../tests/fhir/valid/phq9-shaped.json"),
        include_str!("../../tests/fhir/valid/gad7-shaped.json"),
    ];

    proptest::proptest! {
        /// A Questionnaire with any one value replaced (by a number, a string, a list,
        /// an object, null) imports or is refused, never panics.
        #[test]
        fn damaged_questionnaires_never_panic(sample in 0..SAMPLES.len(), pick in 0usize..10_000, with in 0u8..6) {
            let doc = super::super::json::parse(SAMPLES[sample].to_owned()).expect("valid sample");
            let mut all = Vec::new();
            paths(&doc.root, &mut Vec::new(), &mut all);
            let mut root = doc.root.clone();
            let target = node(&mut root, &all[pick % all.len()]);
            *target = match with {
                0 => Value::from(-1.5),
                1 => Value::from("d1"),
                2 => Value::Array(vec![]),
                3 => serde_json::json!({"linkId": "d1", "type": "group"}),
                4 => Value::Null,
                _ => Value::from(true),
            };
            let text = serde_json::to_string_pretty(&root).expect("serialise");
            let doc = super::super::json::parse(text).expect("still JSON");
            if let Ok(imported) = import(&doc, "x") {
                let _ = crate::fhir::scenarios::generate(&imported.form);
                let _ = crate::fhir::yaml::form(&imported.form);
            }
        }
    }
}
