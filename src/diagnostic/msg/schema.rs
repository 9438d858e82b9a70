//! Messages of schema validation: unknown and missing keys, types, allowed values.

use crate::diagnostic::{Lang, Message};
use crate::t;

/// What a message is about: a key, an entry of a list, or the whole document.
#[derive(Clone, Debug)]
pub enum Name {
    /// `` `key` ``.
    Key(String),
    /// The entry at this 1-based position.
    Entry(usize),
    /// The document itself.
    Document,
}

impl Message for Name {
    fn text(&self, lang: Lang) -> String {
        match self {
            Name::Key(k) => format!("`{k}`"),
            Name::Entry(n) => t!(lang, "entry {n}", "post {n}"),
            Name::Document => t!(lang, "the document", "dokumentet"),
        }
    }
}

/// Why a value is not allowed.
#[derive(Clone, Debug)]
pub enum Why {
    /// It does not match the field's pattern.
    Pattern,
    /// It is empty.
    Empty,
    /// A list holds a value twice.
    Twice,
    /// Below the minimum.
    Below(String),
    /// Above the maximum.
    Above(String),
    /// The validator's own words.
    Other(String),
}

impl Message for Why {
    fn text(&self, lang: Lang) -> String {
        match self {
            Why::Pattern => t!(
                lang,
                "it does not have the expected form",
                "det har inte den form som krävs"
            ),
            Why::Empty => t!(lang, "it is empty", "det är tomt"),
            Why::Twice => t!(
                lang,
                "it lists the same value twice",
                "samma värde står två gånger"
            ),
            Why::Below(limit) => t!(lang, "it is below {limit}", "det är mindre än {limit}"),
            Why::Above(limit) => t!(lang, "it is above {limit}", "det är större än {limit}"),
            Why::Other(text) => text.clone(),
        }
    }
}

/// How YAML read a value that should have been text.
#[derive(Clone, Debug)]
pub enum Reads {
    /// Plain text (the value was something else).
    Text,
    /// A number.
    Number(String),
    /// `true` or `false`.
    Bool(bool),
}

/// A JSON Schema type name (`string`, `array`, …) or a YAML node's kind, in words.
pub fn type_word(json_type: &str, lang: Lang) -> String {
    let (en, sv) = match json_type {
        "string" => ("text", "text"),
        "number" => ("a number", "ett tal"),
        "integer" => ("a whole number", "ett heltal"),
        "boolean" => ("true or false", "true eller false"),
        "array" => ("a list", "en lista"),
        "object" => ("a mapping", "en grupp av nycklar"),
        "null" => ("empty", "tomt"),
        "nothing (null)" => ("nothing (null)", "ingenting (null)"),
        "a boolean" => ("a boolean", "ett sanningsvärde (true/false)"),
        "text" => ("text", "text"),
        "a list" => ("a list", "en lista"),
        "a mapping" => ("a mapping", "en grupp av nycklar"),
        "a number" => ("a number", "ett tal"),
        other => (other, other),
    };
    match lang {
        Lang::En => en.to_owned(),
        Lang::Sv => sv.to_owned(),
    }
}

/// What schema validation reports.
#[derive(Clone, Debug)]
pub enum Schema {
    /// A key the schema does not know.
    UnknownKey { key: String },
    /// Hint: the known key it is close to.
    DidYouMean { close: String },
    /// Hint when the close key is also required and missing (one mistake, one report).
    DidYouMeanRequired { close: String },
    /// Hint: the keys allowed in this mapping.
    AllowedKeys { list: String },
    /// A required key is missing.
    MissingKey { key: String },
    /// Hint: add the key, with what it holds.
    AddKey { key: String, about: Option<String> },
    /// A value of the wrong type.
    WrongType {
        name: Name,
        expected: Vec<String>,
        got: String,
    },
    /// A value outside an enumeration.
    CannotBe { name: Name, got: String },
    /// Hint: the allowed values.
    UseOneOf { list: String },
    /// Hint: the allowed value it is close to.
    DidYouMeanAllowed { close: String, list: String },
    /// Neither or both of `item` and `score`.
    ItemOrScore { name: Name },
    /// Hint for [`Schema::ItemOrScore`].
    ItemOrScoreHint,
    /// A list with too few entries.
    MinItems { name: Name, limit: u64 },
    /// Hint: add an entry.
    AddEntry,
    /// A value that breaks another rule.
    NotAllowed { name: Name, why: Why },
    /// Hint: how to write a list.
    ListHint { key: String, examples: Vec<String> },
    /// Hint: quote a value that must be text.
    QuoteHint { examples: Vec<String>, reads: Reads },
    /// Hint: write true or false.
    TrueFalse,
    /// Hint: a number in quotes.
    Unquote { text: String },
    /// Hint: a number, with an example.
    NumberSuchAs { example: String },
    /// Hint: a whole number.
    WholeNumber,
    /// Hint: a number.
    Number,
    /// Hint: the field's description from its JSON Schema (written in English).
    About { text: String },
    /// The valid tree cannot be read into the model.
    CannotRead { error: String },
}

impl Message for Schema {
    fn text(&self, lang: Lang) -> String {
        use Schema::*;
        match self {
            UnknownKey { key } => t!(lang, "unknown key `{key}`", "okänd nyckel `{key}`"),
            DidYouMean { close } => t!(lang, "did you mean `{close}`?", "menade du `{close}`?"),
            DidYouMeanRequired { close } => t!(
                lang,
                "did you mean `{close}`? `{close}` is required here and is missing: rename the key to `{close}`",
                "menade du `{close}`? `{close}` krävs här och saknas: byt namn på nyckeln till `{close}`"
            ),
            AllowedKeys { list } => t!(
                lang,
                "allowed keys here: {list}",
                "tillåtna nycklar här: {list}"
            ),
            MissingKey { key } => t!(
                lang,
                "missing required key `{key}`",
                "nyckeln `{key}` krävs men saknas"
            ),
            AddKey {
                key,
                about: Some(about),
            } => t!(
                lang,
                "add `{key}:` here: {about}",
                "lägg till `{key}:` här: {about}"
            ),
            AddKey { key, about: None } => t!(lang, "add `{key}:` here", "lägg till `{key}:` här"),
            WrongType {
                name,
                expected,
                got,
            } => {
                let name = name.text(lang);
                let or = t!(lang, " or ", " eller ");
                let expected = expected
                    .iter()
                    .map(|e| type_word(e, lang))
                    .collect::<Vec<_>>()
                    .join(&or);
                let got = type_word(got, lang);
                t!(
                    lang,
                    "{name} should be {expected}, not {got}",
                    "{name} ska vara {expected}, inte {got}"
                )
            }
            CannotBe { name, got } => {
                let name = name.text(lang);
                let got = type_word(got, lang);
                t!(lang, "{name} cannot be {got}", "{name} kan inte vara {got}")
            }
            UseOneOf { list } => t!(lang, "use one of: {list}", "använd något av: {list}"),
            DidYouMeanAllowed { close, list } => t!(
                lang,
                "did you mean `{close}`? Allowed: {list}",
                "menade du `{close}`? Tillåtna: {list}"
            ),
            ItemOrScore { name } => {
                let name = name.text(lang);
                t!(
                    lang,
                    "{name} must name exactly one of `item` or `score`",
                    "{name} ska ange exakt en av `item` och `score`"
                )
            }
            ItemOrScoreHint => t!(
                lang,
                "write either `item: <item id>` or `score: <score id>`, not both",
                "skriv antingen `item: <frågans id>` eller `score: <poängens id>`, inte båda"
            ),
            MinItems { name, limit } => {
                let name = name.text(lang);
                match (lang, limit) {
                    (Lang::En, 1) => format!("{name} needs at least 1 entry"),
                    (Lang::En, n) => format!("{name} needs at least {n} entries"),
                    (Lang::Sv, 1) => format!("{name} behöver minst 1 post"),
                    (Lang::Sv, n) => format!("{name} behöver minst {n} poster"),
                }
            }
            AddEntry => t!(lang, "add an entry", "lägg till en post"),
            NotAllowed { name, why } => {
                let name = name.text(lang);
                let why = why.text(lang);
                t!(
                    lang,
                    "{name} is not allowed: {why}",
                    "{name} är inte tillåtet: {why}"
                )
            }
            ListHint { key, examples } => {
                let first = examples.first().cloned().unwrap_or_else(|| "…".to_owned());
                let all = examples.join(", ");
                t!(
                    lang,
                    "write a list: one `- ` line per entry under `{key}:`, each `-` in the same column,\n  {key}:\n    - {first}\n    - …\nor on one line: `{key}: [{all}]`",
                    "skriv en lista: en rad med `- ` per post under `{key}:`, med alla `-` i samma kolumn,\n  {key}:\n    - {first}\n    - …\neller på en rad: `{key}: [{all}]`"
                )
            }
            QuoteHint { examples, reads } => {
                let reads = match (reads, lang) {
                    (Reads::Text, Lang::En) => "text".to_owned(),
                    (Reads::Text, Lang::Sv) => "text".to_owned(),
                    (Reads::Number(n), Lang::En) => format!("text, not as the number {n}"),
                    (Reads::Number(n), Lang::Sv) => format!("text och inte som talet {n}"),
                    (Reads::Bool(b), Lang::En) => format!("text, not as {b}"),
                    (Reads::Bool(b), Lang::Sv) => format!("text och inte som {b}"),
                };
                if examples.is_empty() {
                    t!(
                        lang,
                        "put the value in quotes, so that YAML reads it as {reads}",
                        "sätt värdet inom citattecken, så att YAML läser det som {reads}"
                    )
                } else {
                    let or = t!(lang, " or ", " eller ");
                    let examples = examples.join(&or);
                    t!(
                        lang,
                        "put the value in quotes, such as {examples}, so that YAML reads it as {reads}",
                        "sätt värdet inom citattecken, som {examples}, så att YAML läser det som {reads}"
                    )
                }
            }
            TrueFalse => t!(
                lang,
                "write true or false, without quotes",
                "skriv true eller false, utan citattecken"
            ),
            Unquote { text } => t!(
                lang,
                "write {text} without quotes, so that YAML reads it as a number",
                "skriv {text} utan citattecken, så att YAML läser det som ett tal"
            ),
            NumberSuchAs { example } => t!(
                lang,
                "write the number without quotes, such as {example}",
                "skriv talet utan citattecken, som {example}"
            ),
            WholeNumber => t!(
                lang,
                "write a whole number without quotes, such as 1",
                "skriv ett heltal utan citattecken, som 1"
            ),
            Number => t!(
                lang,
                "write the number without quotes",
                "skriv talet utan citattecken"
            ),
            About { text } => t!(
                lang,
                "{text}",
                "så beskriver formatet fältet (på engelska): {text}"
            ),
            CannotRead { error } => t!(
                lang,
                "cannot read the document: {error}",
                "dokumentet kan inte läsas: {error}"
            ),
        }
    }
}
