//! YAML with source positions: a small, safe node tree built from saphyr's event parser.
//!
//! We build our own tree instead of using a generic loader so that every node keeps
//! its line and column, duplicate keys are caught, and anchors and aliases (the
//! "billion laughs" alias bomb) are refused before anything is expanded.

use std::borrow::Cow;
use std::collections::HashMap;

/// Maps with this many keys or more get an index of their keys for finding
/// duplicates; shorter ones (nearly all) are searched.
const MAP_INDEX_AT: usize = 16;

use saphyr::Scalar;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::diagnostic::msg::{Refusal, Yaml};
use crate::diagnostic::{Code, Diagnostic, Pos, yaml_advice};

/// Deepest nesting we accept; deeper documents are refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

/// A YAML node with the position of its first character.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The node's value.
    pub value: Value,
    /// Where the node starts.
    pub pos: Pos,
}

/// The value of a YAML node, resolved by the YAML 1.2 core schema.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction or exponent.
    Float(f64),
    /// Any other scalar, and every quoted one.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order.
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key as text.
    pub name: String,
    /// Where the key starts.
    pub pos: Pos,
}

/// One step of a path into a node tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg<'a> {
    /// A mapping key.
    Key(Cow<'a, str>),
    /// A sequence index.
    Index(usize),
}

impl From<usize> for Seg<'_> {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

impl<'a> From<&'a str> for Seg<'a> {
    fn from(k: &'a str) -> Self {
        Seg::Key(Cow::Borrowed(k))
    }
}

impl Node {
    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key and value under `key` when this node is a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.name == key)
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// Follows `path` as far as it goes and returns the deepest node reached.
    pub fn deepest<'s>(&self, path: &[Seg<'s>]) -> &Node {
        let mut node = self;
        for seg in path {
            let next = match (seg, &node.value) {
                (Seg::Key(k), Value::Map(_)) => node.get(k),
                (Seg::Index(i), Value::Seq(items)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }

    /// The position of the node at `path`, or of the deepest node on the way.
    pub fn pos_at(&self, path: &[Seg<'_>]) -> Pos {
        self.deepest(path).pos
    }

    /// The node exactly at `path`, if there is one.
    pub fn at(&self, path: &[Seg<'_>]) -> Option<&Node> {
        let mut node = self;
        for seg in path {
            node = match (seg, &node.value) {
                (Seg::Key(k), Value::Map(_)) => node.get(k)?,
                (Seg::Index(i), Value::Seq(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The position of the key that ends `path` (when it exists), else of the deepest node.
    pub fn key_pos_at(&self, path: &[Seg<'_>]) -> Pos {
        if let Some((Seg::Key(last), parent)) = path.split_last()
            && let Some((k, _)) = self.at(parent).and_then(|p| p.entry(last))
        {
            return k.pos;
        }
        self.pos_at(path)
    }

    /// Converts the tree to JSON for schema validation and typed decoding.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or_else(|| J::String(f.to_string())),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A short name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Where a YAML text sits in its file, so that positions are reported in file terms.
#[derive(Clone, Copy, Debug)]
pub struct Offset {
    /// Lines before the YAML text starts (0 for a whole file).
    pub lines: u32,
    /// Columns every line of the YAML text is indented by in the file (a fenced
    /// block inside a list item or a quote).
    pub columns: u32,
}

impl Offset {
    /// A whole file.
    pub const NONE: Offset = Offset {
        lines: 0,
        columns: 0,
    };

    /// A text that starts after `lines` lines, not indented.
    pub fn lines(lines: u32) -> Offset {
        Offset { lines, columns: 0 }
    }
}

/// Parses one YAML document, refusing it at its first problem.
///
/// Returns `Ok(None)` for a document without content (empty or only comments).
/// Errors are diagnostics without a file; the caller fills it in. Use
/// [`parse_recovering`] to learn every problem and keep what is still sound.
pub fn parse(text: &str, offset: Offset) -> Result<Option<Node>, Diagnostic> {
    let parsed = parse_recovering(text, offset);
    match parsed.problems.into_iter().next() {
        Some(first) => Err(first),
        None => Ok(parsed.node),
    }
}

/// The outcome of [`parse_recovering`].
#[derive(Debug)]
pub struct Parsed {
    /// The tree, unless a syntax error (or too deep a nesting) left none worth reading.
    pub node: Option<Node>,
    /// Every problem found, in document order, without a file.
    pub problems: Vec<Diagnostic>,
    /// Whether the tree says everything the text says. False when an alias or a tag
    /// was dropped (the tree holds `null` there), so that checking the tree's values
    /// would report problems that only follow from the refused construct.
    pub complete: bool,
    /// Where a list item indented too far was read as more text of the scalar
    /// before it: the scalar's position. It has been reported; checking that
    /// value against the schema would only report the same mistake again.
    pub merged: Vec<Pos>,
}

/// Parses one YAML document and recovers from the constructs `moment` refuses:
///
/// - a duplicate key is reported and its second value dropped (the first stays);
/// - an anchor (`&name`) is reported and ignored;
/// - an alias (`*name`) or a tag (`!tag`) is reported and the tree is marked
///   incomplete (an alias becomes `null`; a tagged value keeps its plain reading);
/// - a second document is reported and ignored.
///
/// A syntax error, or nesting deeper than the limit, ends the parse without a tree.
pub fn parse_recovering(text: &str, offset: Offset) -> Parsed {
    let mut builder = Builder {
        offset,
        stack: Vec::new(),
        root: None,
        documents: 0,
        problems: Vec::new(),
        complete: true,
        ignore_rest: false,
        reuse_count: 0,
        reuse_report: None,
        multiline: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let result = next
            .map_err(|e| {
                let m = e.marker();
                let pos = Pos::new(
                    m.line() as u32 + offset.lines,
                    m.col() as u32 + 1 + offset.columns,
                );
                yaml_advice::syntax_error(e.info(), text, m.line() as u32, m.col() as u32 + 1, pos)
            })
            .and_then(|(event, span)| builder.event(event, span));
        if let Err(fatal) = result {
            builder.finish();
            builder.problems.push(fatal);
            return Parsed {
                node: None,
                problems: builder.problems,
                complete: false,
                merged: Vec::new(),
            };
        }
    }
    builder.finish();
    let mut merged = Vec::new();
    for (start, end, pos, joined) in std::mem::take(&mut builder.multiline) {
        if let Some((line, column, d)) = yaml_advice::over_indented_item(text, start, end, &joined)
        {
            merged.push(pos);
            builder
                .problems
                .push(d.at_pos(Pos::new(line + offset.lines, column + offset.columns)));
        }
    }
    Parsed {
        node: builder.root,
        problems: builder.problems,
        complete: builder.complete,
        merged,
    }
}

/// A scanned string without the room it grew into (see the end of a frame).
fn compact(mut text: String) -> String {
    text.shrink_to_fit();
    text
}

enum Frame {
    Seq(Pos, Vec<Node>),
    /// The entries, what the next node is, and every key so far with its line (a
    /// hash map keeps duplicate detection linear in the mapping's size).
    Map(Pos, Vec<(Key, Node)>, Pending, HashMap<String, u32>),
}

/// A YAML construct that moment files do not use.
#[derive(Clone, Copy)]
enum Refused {
    Anchor,
    Alias,
    Tag,
    Document,
}

/// What the next node pushed into a mapping is.
enum Pending {
    /// A key.
    Key,
    /// The value of this key.
    Value(Key),
    /// The value of a refused key (a duplicate): dropped.
    Drop,
}

struct Builder {
    offset: Offset,
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
    /// Recoverable problems found so far.
    problems: Vec<Diagnostic>,
    /// See [`Parsed::complete`].
    complete: bool,
    /// After a second document starts: every further event is ignored.
    ignore_rest: bool,
    /// Anchors and aliases seen.
    reuse_count: usize,
    /// Index in `problems` of the one report of anchors and aliases.
    reuse_report: Option<usize>,
    /// Plain scalars that span lines: first and last line (1-based, within the
    /// text), position and text.
    multiline: Vec<(u32, u32, Pos, String)>,
}

impl Builder {
    fn pos(&self, span: Span) -> Pos {
        Pos::new(
            span.start.line() as u32 + self.offset.lines,
            span.start.col() as u32 + 1 + self.offset.columns,
        )
    }

    fn refuse(&self, span: Span, what: Refusal) -> Diagnostic {
        Diagnostic::new(Code::YamlAlias, what)
            .at_pos(self.pos(span))
            .with_hint(Yaml::RefusedHint)
    }

    /// Reports a refused construct and goes on. Anchors and aliases are reported once
    /// per document, at the first one (the hint counts them all): they are one
    /// problem, fixed by writing the values out.
    fn refused(&mut self, span: Span, construct: Refused) {
        let what = match construct {
            Refused::Anchor => Refusal::Anchor,
            Refused::Alias => Refusal::Alias,
            Refused::Tag => Refusal::Tag,
            Refused::Document => Refusal::Document,
        };
        if matches!(construct, Refused::Anchor | Refused::Alias) {
            self.reuse_count += 1;
            if self.reuse_report.is_some() {
                return;
            }
            self.reuse_report = Some(self.problems.len());
        }
        let d = self.refuse(span, what);
        self.problems.push(d);
    }

    /// Completes the hint of the anchor/alias report with how many there are.
    fn finish(&mut self) {
        if let Some(i) = self.reuse_report
            && self.reuse_count > 1
            && let Some(d) = self.problems.get_mut(i)
        {
            d.help(Yaml::RefusedHintCount {
                count: self.reuse_count,
            });
        }
    }

    /// Errors returned here end the parse (see [`parse_recovering`]).
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Diagnostic> {
        if self.ignore_rest {
            return Ok(());
        }
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    self.refused(span, Refused::Document);
                    self.ignore_rest = true;
                }
            }
            Event::Alias(_) => {
                self.refused(span, Refused::Alias);
                self.complete = false;
                let node = Node {
                    value: Value::Null,
                    pos: self.pos(span),
                };
                self.push(node)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 {
                    self.refused(span, Refused::Anchor);
                }
                if tag.is_some() {
                    self.refused(span, Refused::Tag);
                    self.complete = false;
                }
                if style == ScalarStyle::Plain && span.end.line() > span.start.line() {
                    self.multiline.push((
                        span.start.line() as u32,
                        span.end.line() as u32,
                        self.pos(span),
                        text.to_string(),
                    ));
                }
                let value = if style == ScalarStyle::Plain {
                    match Scalar::parse_from_cow(text) {
                        Scalar::Null => Value::Null,
                        Scalar::Boolean(b) => Value::Bool(b),
                        Scalar::Integer(i) => Value::Int(i),
                        Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
                        Scalar::String(s) => Value::Str(compact(s.into_owned())),
                    }
                } else {
                    Value::Str(compact(text.into_owned()))
                };
                let node = Node {
                    value,
                    pos: self.pos(span),
                };
                self.push(node)?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if anchor != 0 {
                    self.refused(span, Refused::Anchor);
                }
                if tag.is_some() {
                    self.refused(span, Refused::Tag);
                    self.complete = false;
                }
                if self.stack.len() >= MAX_DEPTH {
                    return Err(Diagnostic::new(
                        Code::YamlSyntax,
                        Yaml::TooDeep { limit: MAX_DEPTH },
                    )
                    .at_pos(self.pos(span))
                    .with_hint(Yaml::TooDeepHint));
                }
                let pos = self.pos(span);
                let frame = if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(pos, Vec::new())
                } else {
                    Frame::Map(pos, Vec::new(), Pending::Key, HashMap::new())
                };
                self.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                // Trees are kept for the whole run (every moment's files at once), so
                // the room a list grew into and did not use is given back.
                let node = match self.stack.pop() {
                    Some(Frame::Seq(pos, mut items)) => Node {
                        value: Value::Seq({
                            items.shrink_to_fit();
                            items
                        }),
                        pos,
                    },
                    Some(Frame::Map(pos, mut entries, ..)) => Node {
                        value: Value::Map({
                            entries.shrink_to_fit();
                            entries
                        }),
                        pos,
                    },
                    None => return Ok(()),
                };
                self.push(node)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn push(&mut self, node: Node) -> Result<(), Diagnostic> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending, seen)) => {
                match std::mem::replace(pending, Pending::Key) {
                    Pending::Value(key) => entries.push((key, node)),
                    Pending::Drop => {}
                    Pending::Key => {
                        let name = match node.value {
                            Value::Str(s) => s,
                            Value::Null => "null".to_owned(),
                            Value::Bool(b) => b.to_string(),
                            Value::Int(i) => i.to_string(),
                            Value::Float(f) => f.to_string(),
                            Value::Seq(_) | Value::Map(_) => {
                                return Err(Diagnostic::new(Code::YamlSyntax, Yaml::KeyNotText)
                                    .at_pos(node.pos)
                                    .with_hint(Yaml::KeyNotTextHint));
                            }
                        };
                        // A short map is searched; a long one (hostile input, say)
                        // gets an index, built once it is long.
                        let first = if entries.len() < MAP_INDEX_AT {
                            entries
                                .iter()
                                .find(|(k, _)| k.name == name)
                                .map(|(k, _)| k.pos.line)
                        } else {
                            if seen.is_empty() {
                                seen.extend(
                                    entries.iter().map(|(k, _)| (k.name.clone(), k.pos.line)),
                                );
                            }
                            seen.get(&name).copied()
                        };
                        if let Some(first_line) = first {
                            self.problems.push(
                                Diagnostic::new(
                                    Code::DuplicateKey,
                                    Yaml::DuplicateKey { key: name.clone() },
                                )
                                .at_pos(node.pos)
                                .with_hint(
                                    Yaml::DuplicateKeyHint {
                                        key: name.clone(),
                                        first: first_line,
                                    },
                                ),
                            );
                            *pending = Pending::Drop;
                        } else {
                            if !seen.is_empty() {
                                seen.insert(name.clone(), node.pos.line);
                            }
                            *pending = Pending::Value(Key {
                                name,
                                pos: node.pos,
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Option<Node>, Diagnostic> {
        parse(text, Offset::NONE)
    }

    #[test]
    fn positions_are_one_based() {
        let root = p("a: 1\nb:\n  - x\n  - 'y'\n").unwrap().unwrap();
        let b = root.get("b").unwrap();
        let Value::Seq(items) = &b.value else {
            panic!()
        };
        assert_eq!(items[1].pos, Pos::new(4, 5));
        assert_eq!(items[1].value, Value::Str("y".into()));
        assert_eq!(root.entry("b").unwrap().0.pos, Pos::new(2, 1));
    }

    #[test]
    fn refuses_duplicates_aliases_and_documents() {
        assert_eq!(p("a: 1\na: 2\n").unwrap_err().code, Code::DuplicateKey);
        assert_eq!(p("a: &x 1\nb: *x\n").unwrap_err().code, Code::YamlAlias);
        assert_eq!(p("a: 1\n---\nb: 2\n").unwrap_err().code, Code::YamlAlias);
        assert_eq!(p("a:\n\t- 1\n").unwrap_err().code, Code::YamlSyntax);
    }

    #[test]
    fn duplicates_are_found_in_short_and_long_maps_alike() {
        // Keys k0..k39, with k2 again on line 21 (searched: the map is short then)
        // and k30 again on the last line (through the index of a long map).
        let mut text: String = (0..20).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k2: again\n");
        text.extend((20..40).map(|i| format!("k{i}: {i}\n")));
        text.push_str("k30: again\n");
        let parsed = parse_recovering(&text, Offset::NONE);
        let found: Vec<(Code, Pos)> = parsed.problems.iter().map(|d| (d.code, d.pos())).collect();
        assert_eq!(
            found,
            [
                (Code::DuplicateKey, Pos::new(21, 1)),
                (Code::DuplicateKey, Pos::new(42, 1))
            ]
        );
        let root = parsed.node.unwrap();
        assert_eq!(root.get("k2").unwrap().value, Value::Int(2));
        assert_eq!(root.get("k30").unwrap().value, Value::Int(30));
        assert_eq!(root.get("k39").unwrap().value, Value::Int(39));
        // The hint names the line of the first one, searched or indexed.
        let hints: Vec<String> = parsed
            .problems
            .iter()
            .map(|d| d.hint.as_ref().expect("a hint").to_string())
            .collect();
        assert!(hints[0].contains("on line 3;"), "{}", hints[0]);
        assert!(hints[1].contains("on line 32;"), "{}", hints[1]);
    }

    #[test]
    fn recovers_from_duplicates_keeping_the_first() {
        let parsed = parse_recovering("a: 1\nb: 2\na: 3\nc: 4\n", Offset::NONE);
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].code, Code::DuplicateKey);
        assert_eq!(parsed.problems[0].pos(), Pos::new(3, 1));
        assert!(parsed.complete);
        let root = parsed.node.unwrap();
        assert_eq!(root.get("a").unwrap().value, Value::Int(1));
        assert_eq!(root.get("c").unwrap().value, Value::Int(4));
        assert_eq!(root.to_json(), serde_json::json!({"a": 1, "b": 2, "c": 4}));
    }

    #[test]
    fn anchors_and_aliases_are_one_problem_and_leave_the_tree_incomplete() {
        let parsed = parse_recovering("a: &x [1]\nb: *x\nc: *x\nd: 5\n", Offset::NONE);
        assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
        assert_eq!(parsed.problems[0].code, Code::YamlAlias);
        assert_eq!(parsed.problems[0].pos(), Pos::new(1, 4));
        assert!(
            parsed.problems[0]
                .hint
                .as_deref()
                .unwrap()
                .contains("3 anchors")
        );
        assert!(!parsed.complete);
        let root = parsed.node.unwrap();
        assert_eq!(root.get("b").unwrap().value, Value::Null);
        assert_eq!(root.get("d").unwrap().value, Value::Int(5));
        // An anchor alone loses nothing.
        let parsed = parse_recovering("a: &x 1\nb: 2\n", Offset::NONE);
        assert_eq!(parsed.problems.len(), 1);
        assert!(parsed.complete);
    }

    #[test]
    fn a_second_document_is_reported_once_and_ignored() {
        let parsed = parse_recovering("a: 1\n---\nb: 2\n---\nc: 3\n", Offset::NONE);
        assert_eq!(parsed.problems.len(), 1);
        let root = parsed.node.unwrap();
        assert!(root.get("b").is_none());
    }

    #[test]
    fn a_syntax_error_leaves_no_tree() {
        let parsed = parse_recovering("a: 1\na: 2\nb: [\n", Offset::NONE);
        assert!(parsed.node.is_none());
        let codes: Vec<Code> = parsed.problems.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::DuplicateKey, Code::YamlSyntax]);
    }

    #[test]
    fn empty_is_none() {
        assert!(p("").unwrap().is_none());
        assert!(p("# only a comment\n").unwrap().is_none());
    }

    #[test]
    fn core_schema_scalars() {
        let root = p("a: yes\nb: 1.2\nc: ~\nd: true\ne: '3'").unwrap().unwrap();
        assert_eq!(root.get("a").unwrap().value, Value::Str("yes".into()));
        assert_eq!(root.get("b").unwrap().value, Value::Float(1.2));
        assert_eq!(root.get("c").unwrap().value, Value::Null);
        assert_eq!(root.get("d").unwrap().value, Value::Bool(true));
        assert_eq!(root.get("e").unwrap().value, Value::Str("3".into()));
    }
}
