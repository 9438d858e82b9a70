//! The JSON Schemas of every YAML file, compiled once per command (each command
//! compiles them once and passes them down), and the mapping of
//! schema errors onto the YAML node that caused them.

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use serde_json::Value as Json;

use crate::diagnostic::msg::{Name, Reads, Schema, Why};
use crate::diagnostic::{Code, Diagnostic};
use crate::load::yaml::{Node, Seg, Value};

/// Which schema a YAML document follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// `moment.yaml`.
    Moment,
    /// A module's front matter.
    Module,
    /// The body of a ```` ```video ```` block.
    Video,
    /// The body of an ```` ```audio ```` block.
    Audio,
    /// The body of a ```` ```form ```` block.
    FormBlock,
    /// `forms/<id>.yaml`.
    Form,
    /// `forms/<id>.tests.yaml`.
    FormTests,
    /// `units.yaml`.
    Units,
}

impl SchemaKind {
    /// Every schema.
    pub const ALL: [SchemaKind; 8] = [
        SchemaKind::Moment,
        SchemaKind::Module,
        SchemaKind::Video,
        SchemaKind::Audio,
        SchemaKind::FormBlock,
        SchemaKind::Form,
        SchemaKind::FormTests,
        SchemaKind::Units,
    ];

    /// The schema's file name under `schemas/`.
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaKind::Moment => "moment.schema.json",
            SchemaKind::Module => "module.schema.json",
            SchemaKind::Video => "video.schema.json",
            SchemaKind::Audio => "audio.schema.json",
            SchemaKind::FormBlock => "form-block.schema.json",
            SchemaKind::Form => "form.schema.json",
            SchemaKind::FormTests => "form-tests.schema.json",
            SchemaKind::Units => "units.schema.json",
        }
    }

    /// The schema's text, baked into the binary.
    pub fn text(self) -> &'static str {
        match self {
            SchemaKind::Moment => include_str!("../../schemas/moment.schema.json"),
            SchemaKind::Module => include_str!("../../schemas/module.schema.json"),
            SchemaKind::Video => include_str!("../../schemas/video.schema.json"),
            SchemaKind::Audio => include_str!("../../schemas/audio.schema.json"),
            SchemaKind::FormBlock => include_str!("../../schemas/form-block.schema.json"),
            SchemaKind::Form => include_str!("../../schemas/form.schema.json"),
            SchemaKind::FormTests => include_str!("../../schemas/form-tests.schema.json"),
            SchemaKind::Units => include_str!("../../schemas/units.schema.json"),
        }
    }
}

/// All schemas, compiled.
pub struct Schemas {
    compiled: Vec<(SchemaKind, Json, Validator)>,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schemas").finish_non_exhaustive()
    }
}

impl Schemas {
    /// Compiles every baked-in schema. The schemas are part of the binary, so a failure
    /// here is a bug caught by the test suite.
    pub fn compile() -> Self {
        let compiled = SchemaKind::ALL
            .iter()
            .map(|&kind| {
                let json: Json =
                    serde_json::from_str(kind.text()).expect("baked-in schema is JSON");
                let validator =
                    jsonschema::draft202012::new(&json).expect("baked-in schema compiles");
                (kind, json, validator)
            })
            .collect();
        Schemas { compiled }
    }

    /// Validates `node` against the schema `kind`; every problem becomes a diagnostic
    /// (without a file) in `out`. Returns the JSON value when the node is valid.
    pub fn validate(
        &self,
        kind: SchemaKind,
        node: &Node,
        out: &mut Vec<Diagnostic>,
    ) -> Option<Json> {
        let (_, schema, validator) = self
            .compiled
            .iter()
            .find(|(k, _, _)| *k == kind)
            .expect("every kind is compiled");
        let json = node.to_json();
        let before = out.len();
        // Missing and unknown keys, by the mapping they are in, to merge a typo with
        // the required key it misspells: (index in `out`, key, mapping's path).
        let mut missing: Vec<(usize, String, String)> = Vec::new();
        let mut unknown: Vec<(usize, String, String)> = Vec::new();
        for error in validator.iter_errors(&json) {
            let at = error.instance_path().to_string();
            if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
                // One diagnostic per unknown key, each at its key.
                let first = describe(&error, node, schema);
                let found = unknown_keys(&error, node, schema, unexpected);
                for (d, key) in found.into_iter().zip(unexpected) {
                    unknown.push((out.len(), key.clone(), at.clone()));
                    out.push(d.unwrap_or_else(|| first.clone()));
                }
            } else {
                if let ValidationErrorKind::Required { property } = error.kind() {
                    let key = property.as_str().unwrap_or_default().to_owned();
                    missing.push((out.len(), key, at));
                }
                out.push(describe(&error, node, schema));
            }
        }
        // `modles:` where `modules:` is required is one mistake: report it once, at
        // the misspelt key, with the fix.
        let mut merged = Vec::new();
        for (i, key, at) in &missing {
            let typo = unknown
                .iter()
                .find(|(_, u, u_at)| u_at == at && closest(u, std::slice::from_ref(key)).is_some());
            if let Some((j, _, _)) = typo {
                out[*j].help(Schema::DidYouMeanRequired { close: key.clone() });
                merged.push(*i);
            }
        }
        merged.sort_unstable();
        for i in merged.into_iter().rev() {
            out.remove(i);
        }
        (out.len() == before).then_some(json)
    }
}

/// One diagnostic per unknown key of the mapping `error` is about, each at its key
/// (`None` where the key cannot be found). The mapping is looked up and indexed once,
/// so a mapping of many unknown keys costs time in proportion to its size.
/// Where in the document `error` is, as a path of keys and indexes.
fn instance_path<'e>(error: &'e ValidationError<'_>) -> Vec<Seg<'e>> {
    error
        .instance_path()
        .iter()
        .map(|seg| match seg {
            LocationSegment::Property(p) => Seg::Key(p.into_owned().into()),
            LocationSegment::Index(i) => Seg::Index(i),
        })
        .collect()
}

fn unknown_keys(
    error: &ValidationError<'_>,
    root: &Node,
    schema: &Json,
    unexpected: &[String],
) -> Vec<Option<Diagnostic>> {
    let path = instance_path(error);
    let Some(node) = root.at(&path) else {
        return vec![None; unexpected.len()];
    };
    let known: Vec<String> = schema_at(schema, error.schema_path())
        .and_then(|s| s.get("properties"))
        .and_then(Json::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let positions: std::collections::HashMap<&str, crate::diagnostic::Pos> = match &node.value {
        crate::load::yaml::Value::Map(entries) => {
            let mut map = std::collections::HashMap::with_capacity(entries.len());
            for (k, _) in entries {
                map.entry(k.name.as_str()).or_insert(k.pos);
            }
            map
        }
        _ => std::collections::HashMap::new(),
    };
    let allowed = known.join(", ");
    unexpected
        .iter()
        .map(|key| {
            let pos = *positions.get(key.as_str())?;
            let hint = match closest(key, &known) {
                Some(close) => Schema::DidYouMean {
                    close: close.to_owned(),
                },
                None => Schema::AllowedKeys {
                    list: allowed.clone(),
                },
            };
            Some(
                Diagnostic::new(Code::UnknownKey, Schema::UnknownKey { key: key.clone() })
                    .at_pos(pos)
                    .spanning(key.chars().count())
                    .with_hint(hint),
            )
        })
        .collect()
}

fn describe(error: &ValidationError<'_>, root: &Node, schema: &Json) -> Diagnostic {
    let path = instance_path(error);
    let node = root.deepest(&path);
    let name = match path.last() {
        Some(Seg::Key(k)) => Name::Key(k.to_string()),
        Some(Seg::Index(i)) => Name::Entry(i + 1),
        None => Name::Document,
    };
    let subschema = schema_at(schema, error.schema_path());
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let key = property.as_str().unwrap_or_default();
            let about = subschema
                .and_then(|s| s.get("properties"))
                .and_then(|p| p.get(key))
                .and_then(describe_field);
            Diagnostic::new(
                Code::MissingKey,
                Schema::MissingKey {
                    key: key.to_owned(),
                },
            )
            .at_pos(node.pos)
            .with_hint(Schema::AddKey {
                key: key.to_owned(),
                about,
            })
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known: Vec<String> = subschema
                .and_then(|s| s.get("properties"))
                .and_then(Json::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            let key = unexpected.first().cloned().unwrap_or_default();
            let pos = node.entry(&key).map_or(node.pos, |(k, _)| k.pos);
            let hint = match closest(&key, &known) {
                Some(close) => Schema::DidYouMean {
                    close: close.to_owned(),
                },
                None => Schema::AllowedKeys {
                    list: known.join(", "),
                },
            };
            Diagnostic::new(Code::UnknownKey, Schema::UnknownKey { key })
                .at_pos(pos)
                .with_hint(hint)
        }
        ValidationErrorKind::Type { .. } => {
            let expected = subschema
                .and_then(|s| s.get("type"))
                .map(type_names)
                .unwrap_or_else(|| vec!["another type".to_owned()]);
            let mut d = Diagnostic::new(
                Code::WrongType,
                Schema::WrongType {
                    name,
                    expected,
                    got: node.type_name().to_owned(),
                },
            )
            .at_pos(node.pos)
            .spanning(value_length(node));
            if let Some(hint) = type_hint(schema, error.schema_path(), node, &path) {
                d.help(hint);
            } else if let Some(text) = subschema.and_then(describe_field) {
                d.help(Schema::About { text });
            }
            d
        }
        ValidationErrorKind::Enum { options } => {
            let list = options
                .as_array()
                .map(|o| {
                    o.iter()
                        .map(|v| v.to_string().replace('"', ""))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            let got = node_text(node);
            let mut d = Diagnostic::new(
                Code::InvalidValue,
                Schema::CannotBe {
                    name,
                    got: got.clone(),
                },
            )
            .at_pos(node.pos)
            .spanning(value_length(node))
            .with_hint(Schema::UseOneOf { list: list.clone() });
            if let Some(close) = closest(
                &got.replace('`', ""),
                &options
                    .as_array()
                    .map(|o| {
                        o.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default(),
            ) {
                d.help(Schema::DidYouMeanAllowed {
                    close: close.to_owned(),
                    list,
                });
            }
            d
        }
        ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. } => {
            Diagnostic::new(Code::InvalidValue, Schema::ItemOrScore { name })
                .at_pos(node.pos)
                .with_hint(Schema::ItemOrScoreHint)
        }
        ValidationErrorKind::MinItems { limit } => {
            let d = Diagnostic::new(
                Code::InvalidValue,
                Schema::MinItems {
                    name,
                    limit: *limit,
                },
            )
            .at_pos(node.pos);
            match subschema_parent_description(schema, error) {
                Some(text) => d.with_hint(Schema::About { text }),
                None => d.with_hint(Schema::AddEntry),
            }
        }
        _ => {
            let mut d = Diagnostic::new(
                Code::InvalidValue,
                Schema::NotAllowed {
                    name,
                    why: plain_message(error),
                },
            )
            .at_pos(node.pos)
            .spanning(value_length(node));
            let about = subschema_parent_description(schema, error).or_else(|| {
                // An entry of a list: what the list holds.
                schema_chain(schema, error.schema_path())
                    .iter()
                    .rev()
                    .find_map(|s| describe_field(s))
            });
            if let Some(text) = about {
                d.help(Schema::About { text });
            }
            d
        }
    }
}

/// A hint for a value of the wrong type, with an example from the field's own schema
/// (its `examples`, or the "such as …" of its description), never another field's.
fn type_hint(
    schema: &Json,
    location: &jsonschema::paths::Location,
    node: &Node,
    path: &[Seg<'_>],
) -> Option<Schema> {
    let chain = schema_chain(schema, location);
    // The failing keyword is `type`; the schema that holds it is the field's.
    let field = *chain.last()?;
    let types: Vec<&str> = match field.get("type") {
        Some(Json::String(t)) => vec![t.as_str()],
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    };
    let key = path.iter().rev().find_map(|s| match s {
        Seg::Key(k) => Some(k.as_ref()),
        Seg::Index(_) => None,
    });
    let scalar = !matches!(node.value, Value::Seq(_) | Value::Map(_));
    if types.contains(&"array") && scalar {
        let items = field.get("items").map(|i| resolve_ref(schema, i));
        let examples = items.map(examples_of).unwrap_or_default();
        let examples = if examples.is_empty() {
            vec![yaml_text(node)]
        } else {
            examples
        };
        let key = key.unwrap_or("key");
        return Some(Schema::ListHint {
            key: key.to_owned(),
            examples,
        });
    }
    if types.contains(&"string") && scalar && !matches!(node.value, Value::Null) {
        let mut examples = examples_of(field);
        if examples.is_empty() {
            examples.extend(such_as(field).map(|e| format!("\"{e}\"")));
        }
        let reads = match &node.value {
            Value::Int(i) => Reads::Number(i.to_string()),
            Value::Float(f) => Reads::Number(f.to_string()),
            Value::Bool(b) => Reads::Bool(*b),
            _ => Reads::Text,
        };
        return Some(Schema::QuoteHint { examples, reads });
    }
    if types.contains(&"boolean") && matches!(node.value, Value::Str(_)) {
        return Some(Schema::TrueFalse);
    }
    if (types.contains(&"integer") || types.contains(&"number"))
        && matches!(node.value, Value::Str(_))
    {
        let whole = types.contains(&"integer") && !types.contains(&"number");
        if let Value::Str(text) = &node.value
            && text.trim().parse::<f64>().is_ok()
        {
            return Some(Schema::Unquote {
                text: text.trim().to_owned(),
            });
        }
        return Some(match examples_of(field).into_iter().next() {
            Some(example) => Schema::NumberSuchAs { example },
            None if whole => Schema::WholeNumber,
            None => Schema::Number,
        });
    }
    None
}

/// The `examples` of a schema, as YAML text (strings quoted).
fn examples_of(schema: &Json) -> Vec<String> {
    schema
        .get("examples")
        .and_then(Json::as_array)
        .map(|es| es.iter().map(Json::to_string).collect())
        .unwrap_or_default()
}

/// The example a description gives after "such as".
fn such_as(schema: &Json) -> Option<String> {
    let text = schema.get("description")?.as_str()?;
    let (_, rest) = text.split_once("such as ")?;
    let word = rest
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()?
        .trim_end_matches(['.', ')', ';'])
        .trim_matches('`');
    (!word.is_empty()).then(|| word.to_owned())
}

/// A scalar as YAML text for an example, quoted when it is text.
fn yaml_text(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => format!("{s:?}"),
        Value::Int(i) => format!("\"{i}\""),
        Value::Float(f) => format!("\"{f}\""),
        Value::Bool(b) => format!("\"{b}\""),
        _ => "…".to_owned(),
    }
}

/// Every schema object on the way to the failing keyword, root first, with local
/// `$ref`s followed.
fn schema_chain<'s>(root: &'s Json, location: &jsonschema::paths::Location) -> Vec<&'s Json> {
    let segs: Vec<_> = location.iter().collect();
    let Some((_, parent)) = segs.split_last() else {
        return vec![root];
    };
    let mut chain = vec![root];
    let mut node = root;
    for seg in parent {
        let next = match seg {
            LocationSegment::Property(p) if p.as_ref() == "$ref" => Some(resolve_ref(root, node)),
            LocationSegment::Property(p) => node.get(p.as_ref()),
            LocationSegment::Index(i) => node.get(*i),
        };
        match next {
            Some(n) => {
                node = n;
                chain.push(n);
            }
            None => break,
        }
    }
    chain
}

/// The schema object that holds the failing keyword.
fn schema_at<'s>(schema: &'s Json, location: &jsonschema::paths::Location) -> Option<&'s Json> {
    let segs: Vec<_> = location.iter().collect();
    let (_, parent) = segs.split_last()?;
    let mut node = schema;
    for seg in parent {
        node = match seg {
            LocationSegment::Property(p) => node.get(p.as_ref())?,
            LocationSegment::Index(i) => node.get(*i)?,
        };
        // A `$ref` is followed by the keyword path, which we don't track here.
    }
    Some(resolve_ref(schema, node))
}

fn resolve_ref<'s>(root: &'s Json, node: &'s Json) -> &'s Json {
    match node
        .get("$ref")
        .and_then(Json::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(pointer) => root.pointer(pointer).unwrap_or(node),
        None => node,
    }
}

fn subschema_parent_description(schema: &Json, error: &ValidationError<'_>) -> Option<String> {
    schema_at(schema, error.schema_path()).and_then(describe_field)
}

fn describe_field(schema: &Json) -> Option<String> {
    schema
        .get("description")
        .and_then(Json::as_str)
        .map(str::to_owned)
}

/// The JSON Schema type names of a `type` keyword (see [`crate::diagnostic::msg::type_word`]).
fn type_names(types: &Json) -> Vec<String> {
    match types {
        Json::String(t) => vec![t.clone()],
        Json::Array(ts) => ts
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_owned)
            .collect(),
        _ => vec!["another type".to_owned()],
    }
}

/// How many characters a scalar's value spans on its line, for the underline
/// (`None` for lists, mappings and values over several lines: the reporter then
/// underlines the first word).
fn value_length(node: &Node) -> usize {
    let text = match &node.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return 0,
    };
    if text.contains('\n') {
        0
    } else {
        text.chars().count()
    }
}

fn node_text(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => format!("`{s}`"),
        Value::Int(i) => format!("`{i}`"),
        Value::Float(f) => format!("`{f}`"),
        Value::Bool(b) => format!("`{b}`"),
        _ => node.type_name().to_owned(),
    }
}

fn plain_message(error: &ValidationError<'_>) -> Why {
    match error.kind() {
        ValidationErrorKind::Pattern { .. } => Why::Pattern,
        ValidationErrorKind::MinLength { .. } => Why::Empty,
        ValidationErrorKind::UniqueItems => Why::Twice,
        ValidationErrorKind::Minimum { limit } => Why::Below(limit.to_string()),
        ValidationErrorKind::Maximum { limit } => Why::Above(limit.to_string()),
        _ => Why::Other(error.to_string()),
    }
}

/// The known word closest to `word`, when it is a plausible typo of it.
pub fn closest<'k>(word: &str, known: &'k [String]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(word, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) && *d < k.len())
        .min()
        .map(|(_, k)| k.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
