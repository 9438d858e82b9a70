//! Messages of the form rules: ids, item keys, conditions, scores, bands, alerts.

use crate::diagnostic::{Lang, Message};
use crate::t;

/// The part of a form an id belongs to.
#[derive(Clone, Copy, Debug)]
pub enum Part {
    /// A question or display item.
    Item,
    /// A score.
    Score,
    /// An alert.
    Alert,
}

impl Message for Part {
    fn text(&self, lang: Lang) -> String {
        match self {
            Part::Item => t!(lang, "item", "fråga"),
            Part::Score => t!(lang, "score", "poäng"),
            Part::Alert => t!(lang, "alert", "larm"),
        }
    }
}

/// Why a condition does not fit the item it tests.
#[derive(Clone, Debug)]
pub enum Misfit {
    /// A value that is none of the options.
    NotAnOption { value: String },
    /// A multichoice compared with an order.
    Multichoice { op: String },
    /// A boolean compared with an order.
    Boolean { op: String },
    /// Text compared with an order.
    Text { op: String },
    /// A display item.
    Display,
    /// A value of the wrong kind.
    Kind { item: &'static str, value: Value },
}

/// The kind of a condition's value.
#[derive(Clone, Copy, Debug)]
pub enum Value {
    /// `true`/`false`.
    Bool,
    /// A number.
    Number,
    /// Text.
    Text,
}

impl Message for Misfit {
    fn text(&self, lang: Lang) -> String {
        match self {
            Misfit::NotAnOption { value } => t!(
                lang,
                "{value} is not one of its option values",
                "{value} är inte ett av dess svarsalternativs värden"
            ),
            Misfit::Multichoice { op } => t!(
                lang,
                "a multichoice item only takes = (selected) or != (not selected), not {op}",
                "en multichoice-fråga tar bara = (vald) eller != (inte vald), inte {op}"
            ),
            Misfit::Boolean { op } => t!(
                lang,
                "a boolean answer cannot be {op} something",
                "ett ja/nej-svar (boolean) kan inte vara {op} något"
            ),
            Misfit::Text { op } => t!(
                lang,
                "a text answer can only be compared with = or !=, not {op}",
                "ett textsvar kan bara jämföras med = eller !=, inte {op}"
            ),
            Misfit::Display => t!(
                lang,
                "a display item has no answer",
                "en display-fråga har inget svar"
            ),
            Misfit::Kind { item, value } => {
                let value = match (value, lang) {
                    (Value::Bool, _) => t!(lang, "true or false", "true eller false"),
                    (Value::Number, _) => t!(lang, "a number", "ett tal"),
                    (Value::Text, _) => t!(lang, "text", "text"),
                };
                t!(
                    lang,
                    "a {item} answer cannot be compared with {value}",
                    "ett {item}-svar kan inte jämföras med {value}"
                )
            }
        }
    }
}

/// What the form rules report.
#[derive(Clone, Debug)]
pub enum FormMsg {
    /// E021 for a form.
    IdMismatch { id: String, stem: String },
    /// Hint.
    IdMismatchHint { id: String, stem: String },
    /// E032 on enable_when.
    EnableWhen { item: String, why: Misfit },
    /// E031: a display item.
    DisplayTarget { item: String },
    /// Hint.
    DisplayTargetHint,
    /// E031: itself.
    SelfTarget { item: String },
    /// Hint.
    SelfTargetHint,
    /// E031: later.
    LaterTarget { target: String, item: String },
    /// Hint.
    LaterTargetHint,
    /// E031: unknown.
    NoItem { item: String },
    /// Hint: close id.
    DidYouMean { close: String },
    /// Hint: known ids.
    KnownIds { list: String },
    /// E022 in a form.
    DuplicateId { part: Part, id: String },
    /// Hint.
    DuplicateIdHint { part: Part, id: String, line: u32 },
    /// E044: a key that does not fit.
    MisfitHint { key: String },
    /// E044: options.
    NoOptions { kind: &'static str },
    /// E044: min/max.
    NoRange {
        kind: &'static str,
        key: &'static str,
    },
    /// E044: labels.
    NoLabel {
        kind: &'static str,
        key: &'static str,
    },
    /// E044: unit.
    NoUnit { kind: &'static str },
    /// E044: min/max not a range.
    BadRange { min: String, max: String },
    /// Hint.
    BadRangeHint,
    /// E045.
    DuplicateOption { value: String, item: String },
    /// Hint.
    DuplicateOptionHint,
    /// Hint for a choice condition.
    CompareOption { item: String, values: String },
    /// Hint for a boolean condition.
    CompareBoolean,
    /// Hint for a text condition.
    CompareText,
    /// Hint for a date condition.
    CompareDate,
    /// Hint for a time condition.
    CompareTime,
    /// Hint for a number condition.
    CompareNumber,
    /// E033: not an item.
    ScoreNotItem { score: String, id: String },
    /// E033: not numeric.
    ScoreNotNumeric { id: String, kind: &'static str },
    /// Hint.
    ScoreNotNumericHint,
    /// E033: no range.
    ScoreNoRange { id: String },
    /// Hint.
    ScoreNoRangeHint { id: String },
    /// W016.
    OptionalScored { score: String, id: String },
    /// Hint.
    OptionalScoredHint { id: String },
    /// E051.
    MissingAllow { allow: u32, n: usize, score: String },
    /// Hint.
    MissingAllowHint { most: usize },
    /// E052.
    Prorate {
        score: String,
        id: String,
        kind: &'static str,
    },
    /// Hint.
    ProrateHint,
    /// E034: reversed band.
    BandReversed {
        label: String,
        min: String,
        max: String,
    },
    /// Hint.
    BandReversedHint,
    /// E034: overlap.
    BandOverlap {
        label: String,
        min: String,
        prev: String,
        prev_max: String,
    },
    /// E034: gap.
    BandGap {
        label: String,
        min: String,
        prev: String,
        prev_max: String,
    },
    /// Hint for whole-number scores.
    BandWholeHint { start: String },
    /// Hint for fractional scores.
    BandFractionHint { start: String },
    /// E035: low end.
    BandLow {
        score: String,
        lo: String,
        first: String,
    },
    /// Hint.
    BandLowHint { lo: String, hi: String },
    /// E035: high end.
    BandHigh {
        score: String,
        hi: String,
        last: String,
    },
    /// Hint.
    BandHighHint { lo: String, hi: String },
    /// E036: not an item.
    AlertNotItem { alert: String, id: String },
    /// E032 on an alert.
    AlertCondition {
        alert: String,
        id: String,
        why: Misfit,
    },
    /// E036: not a score.
    AlertNotScore { alert: String, id: String },
    /// E032: a score with a non-number.
    AlertScoreNumber { alert: String },
    /// Hint.
    AlertScoreNumberHint,
}

impl Message for FormMsg {
    fn text(&self, lang: Lang) -> String {
        use FormMsg::*;
        match self {
            IdMismatch { id, stem } => t!(
                lang,
                "form id `{id}` does not match the file name `{stem}.yaml`",
                "formulärets id `{id}` stämmer inte med filnamnet `{stem}.yaml`"
            ),
            IdMismatchHint { id, stem } => t!(
                lang,
                "set `id: {stem}` or rename the file to forms/{id}.yaml",
                "skriv `id: {stem}` eller byt namn på filen till forms/{id}.yaml"
            ),
            EnableWhen { item, why } => {
                let why = why.text(lang);
                t!(
                    lang,
                    "enable_when on `{item}`: {why}",
                    "enable_when på `{item}`: {why}"
                )
            }
            DisplayTarget { item } => t!(
                lang,
                "`{item}` is a display item and has no answer",
                "`{item}` är en display-fråga och har inget svar"
            ),
            DisplayTargetHint => t!(
                lang,
                "make the condition depend on a question",
                "låt villkoret bero på en fråga"
            ),
            SelfTarget { item } => t!(
                lang,
                "item `{item}` depends on itself",
                "frågan `{item}` beror på sig själv"
            ),
            SelfTargetHint => t!(
                lang,
                "an item can only depend on an earlier item",
                "en fråga kan bara bero på en tidigare fråga"
            ),
            LaterTarget { target, item } => t!(
                lang,
                "`{target}` comes after `{item}`; conditions may only refer to earlier items, which also rules out cycles",
                "`{target}` kommer efter `{item}`; villkor får bara hänvisa till tidigare frågor, vilket också utesluter cirklar"
            ),
            LaterTargetHint => t!(
                lang,
                "move the item after the one it depends on",
                "flytta frågan så att den kommer efter den den beror på"
            ),
            NoItem { item } => t!(
                lang,
                "no item `{item}` in this form",
                "ingen fråga `{item}` i det här formuläret"
            ),
            DidYouMean { close } => t!(lang, "did you mean `{close}`?", "menade du `{close}`?"),
            KnownIds { list } => t!(lang, "known ids: {list}", "kända id:n: {list}"),
            DuplicateId { part, id } => {
                let part = part.text(lang);
                t!(
                    lang,
                    "{part} id `{id}` is used twice",
                    "id:t `{id}` ({part}) används två gånger"
                )
            }
            DuplicateIdHint { part, id, line } => {
                let part = part.text(lang);
                t!(
                    lang,
                    "the first `{id}` is on line {line}; give each {part} its own id",
                    "det första `{id}` står på rad {line}; ge varje {part} ett eget id"
                )
            }
            MisfitHint { key } => t!(
                lang,
                "remove `{key}`, or change `type:`",
                "ta bort `{key}`, eller ändra `type:`"
            ),
            NoOptions { kind } => t!(
                lang,
                "a {kind} item has no options",
                "en {kind}-fråga har inga svarsalternativ"
            ),
            NoRange { kind, key } => t!(
                lang,
                "a {kind} item has no `{key}`; only scale and number items do",
                "en {kind}-fråga har ingen `{key}`; det har bara scale- och number-frågor"
            ),
            NoLabel { kind, key } => t!(
                lang,
                "a {kind} item has no `{key}`; only scale items do",
                "en {kind}-fråga har ingen `{key}`; det har bara scale-frågor"
            ),
            NoUnit { kind } => t!(
                lang,
                "a {kind} item has no `unit`; only number items do",
                "en {kind}-fråga har ingen `unit`; det har bara number-frågor"
            ),
            BadRange { min, max } => t!(
                lang,
                "`min` {min} and `max` {max} do not make a range",
                "`min` {min} och `max` {max} bildar inget intervall"
            ),
            BadRangeHint => t!(
                lang,
                "a scale runs over whole numbers from min up to a larger max; a number needs min ≤ max",
                "en skala går över heltal från min upp till ett större max; ett tal behöver min ≤ max"
            ),
            DuplicateOption { value, item } => t!(
                lang,
                "option value {value} is used twice in `{item}`",
                "svarsvärdet {value} används två gånger i `{item}`"
            ),
            DuplicateOptionHint => t!(
                lang,
                "give every option its own value; scores and conditions tell options apart by value",
                "ge varje svarsalternativ ett eget värde; poäng och villkor skiljer alternativen åt genom värdet"
            ),
            CompareOption { item, values } => t!(
                lang,
                "compare with one of the option values of `{item}`: {values}",
                "jämför med ett av värdena för svarsalternativen i `{item}`: {values}"
            ),
            CompareBoolean => t!(
                lang,
                "write `op: \"=\"` and `value: true` or `value: false`",
                "skriv `op: \"=\"` och `value: true` eller `value: false`"
            ),
            CompareText => t!(
                lang,
                "compare text with `op: \"=\"` or `op: \"!=\"`",
                "jämför text med `op: \"=\"` eller `op: \"!=\"`"
            ),
            CompareDate => t!(
                lang,
                "compare with a date written as text, such as \"2026-01-31\"",
                "jämför med ett datum skrivet som text, som \"2026-01-31\""
            ),
            CompareTime => t!(
                lang,
                "compare with a time written as text, such as \"22:30\"",
                "jämför med en tid skriven som text, som \"22:30\""
            ),
            CompareNumber => t!(lang, "compare with a number", "jämför med ett tal"),
            ScoreNotItem { score, id } => t!(
                lang,
                "score `{score}` sums `{id}`, which is not an item",
                "poängen `{score}` summerar `{id}`, som inte är en fråga"
            ),
            ScoreNotNumeric { id, kind } => t!(
                lang,
                "`{id}` is a {kind} item and has no numeric value",
                "`{id}` är en {kind}-fråga och har inget numeriskt värde"
            ),
            ScoreNotNumericHint => t!(
                lang,
                "scores sum choice, multichoice, scale, number and boolean items",
                "poäng summerar frågor av typen choice, multichoice, scale, number och boolean"
            ),
            ScoreNoRange { id } => t!(
                lang,
                "number item `{id}` has no `min` and `max`, so the score has no range",
                "number-frågan `{id}` har ingen `min` och `max`, så poängen har inget intervall"
            ),
            ScoreNoRangeHint { id } => t!(
                lang,
                "give `{id}` a `min:` and a `max:`",
                "ge `{id}` en `min:` och en `max:`"
            ),
            OptionalScored { score, id } => t!(
                lang,
                "score `{score}` sums `{id}`, which is not required: when it is skipped the score is not computed",
                "poängen `{score}` summerar `{id}`, som inte är obligatorisk: när den hoppas över räknas poängen inte ut"
            ),
            OptionalScoredHint { id } => t!(
                lang,
                "set `required: true` on `{id}`, or give the score a rule from the instrument's manual, such as `missing: {{allow: 1, method: prorate}}`",
                "sätt `required: true` på `{id}`, eller ge poängen en regel från instrumentets manual, som `missing: {{allow: 1, method: prorate}}`"
            ),
            MissingAllow { allow, n, score } => t!(
                lang,
                "`allow: {allow}` lets all {n} summed items of `{score}` be unanswered, so a score would be made up from no answers",
                "`allow: {allow}` låter alla {n} summerade frågor i `{score}` vara obesvarade, så en poäng skulle räknas fram utan några svar"
            ),
            MissingAllowHint { most } => t!(
                lang,
                "allow at most {most} unanswered items (the instrument's manual says how many)",
                "tillåt högst {most} obesvarade frågor (instrumentets manual säger hur många)"
            ),
            Prorate { score, id, kind } => t!(
                lang,
                "score `{score}` is prorated, but `{id}` is a {kind} item: prorating scales the mean of the answered items, which needs every item answered on one bounded scale",
                "poängen `{score}` viktas upp (prorate), men `{id}` är en {kind}-fråga: uppviktningen skalar medelvärdet av de besvarade frågorna, och det kräver att alla frågor besvaras på samma begränsade skala"
            ),
            ProrateHint => t!(
                lang,
                "prorate scores of choice, scale or boolean items, or use `method: zero` if the manual says so",
                "vikta bara upp poäng av choice-, scale- eller boolean-frågor, eller använd `method: zero` om manualen säger så"
            ),
            BandReversed { label, min, max } => t!(
                lang,
                "band `{label}` runs from {min} down to {max}",
                "intervallet `{label}` går från {min} ner till {max}"
            ),
            BandReversedHint => t!(
                lang,
                "a band's min must not be larger than its max",
                "ett intervalls min får inte vara större än dess max"
            ),
            BandOverlap {
                label,
                min,
                prev,
                prev_max,
            } => t!(
                lang,
                "band `{label}` starts at {min}: it overlaps band `{prev}`, which ends at {prev_max}",
                "intervallet `{label}` börjar på {min}: det överlappar intervallet `{prev}`, som slutar på {prev_max}"
            ),
            BandGap {
                label,
                min,
                prev,
                prev_max,
            } => t!(
                lang,
                "band `{label}` starts at {min}: it leaves a gap after band `{prev}`, which ends at {prev_max}",
                "intervallet `{label}` börjar på {min}: det lämnar en lucka efter intervallet `{prev}`, som slutar på {prev_max}"
            ),
            BandWholeHint { start } => t!(
                lang,
                "bands are in ascending order; for a whole-number score start this band at {start}",
                "intervallen står i stigande ordning; för en heltalspoäng ska det här intervallet börja på {start}"
            ),
            BandFractionHint { start } => t!(
                lang,
                "bands are in ascending order; this score can take fractional values, so start this band at {start} (the boundary belongs to the higher band)",
                "intervallen står i stigande ordning; poängen kan ha decimaler, så börja det här intervallet på {start} (gränsen hör till det högre intervallet)"
            ),
            BandLow { score, lo, first } => t!(
                lang,
                "score `{score}` can be as low as {lo}, but the first band starts at {first}",
                "poängen `{score}` kan bli så låg som {lo}, men det första intervallet börjar på {first}"
            ),
            BandLowHint { lo, hi } => t!(
                lang,
                "the score ranges from {lo} to {hi} (a hidden conditional item adds 0); let the bands cover all of it",
                "poängen går från {lo} till {hi} (en dold villkorad fråga ger 0); låt intervallen täcka hela det"
            ),
            BandHigh { score, hi, last } => t!(
                lang,
                "score `{score}` can be as high as {hi}, but the last band ends at {last}",
                "poängen `{score}` kan bli så hög som {hi}, men det sista intervallet slutar på {last}"
            ),
            BandHighHint { lo, hi } => t!(
                lang,
                "the score ranges from {lo} to {hi}; let the bands cover all of it",
                "poängen går från {lo} till {hi}; låt intervallen täcka hela det"
            ),
            AlertNotItem { alert, id } => t!(
                lang,
                "alert `{alert}` refers to `{id}`, which is not an item",
                "larmet `{alert}` hänvisar till `{id}`, som inte är en fråga"
            ),
            AlertCondition { alert, id, why } => {
                let why = why.text(lang);
                t!(
                    lang,
                    "alert `{alert}` on `{id}`: {why}",
                    "larmet `{alert}` på `{id}`: {why}"
                )
            }
            AlertNotScore { alert, id } => t!(
                lang,
                "alert `{alert}` refers to `{id}`, which is not a score",
                "larmet `{alert}` hänvisar till `{id}`, som inte är en poäng"
            ),
            AlertScoreNumber { alert } => t!(
                lang,
                "alert `{alert}`: a score is compared with a number",
                "larmet `{alert}`: en poäng jämförs med ett tal"
            ),
            AlertScoreNumberHint => t!(
                lang,
                "write a number, such as `value: 20`",
                "skriv ett tal, som `value: 20`"
            ),
        }
    }
}
