//! What a form and its tests say, read from their current text (the buffer when open):
//! item, score, band and alert ids with where they are written, and every place an item
//! id or a form id is referred to.

use crate::diagnostic::Pos;
use crate::load::yaml::{self, Node, Offset, Value};

/// An id written at a position.
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    /// The id.
    pub id: String,
    /// Where the id's value is written.
    pub pos: Pos,
    /// What it is: an item's type, a score's title.
    pub detail: String,
}

/// The ids a form defines.
#[derive(Clone, Debug, Default)]
pub struct FormFacts {
    /// Items, in order.
    pub items: Vec<Named>,
    /// Scores, with their band labels.
    pub scores: Vec<(Named, Vec<String>)>,
    /// Alerts.
    pub alerts: Vec<Named>,
}

/// Parses YAML text leniently (the tree as far as it is sound).
pub fn parse(text: &str) -> Option<Node> {
    yaml::parse_recovering(text, Offset::NONE).node
}

fn str_of(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

fn seq(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

fn named(node: &Node, detail_key: &str) -> Option<Named> {
    let id = node.get("id")?;
    Some(Named {
        id: str_of(id)?.to_owned(),
        pos: id.pos,
        detail: node
            .get(detail_key)
            .and_then(str_of)
            .unwrap_or_default()
            .to_owned(),
    })
}

impl FormFacts {
    /// The ids in a form's YAML.
    pub fn of(form: &Node) -> FormFacts {
        FormFacts {
            items: seq(form.get("items"))
                .iter()
                .filter_map(|i| named(i, "type"))
                .collect(),
            scores: seq(form.get("scores"))
                .iter()
                .filter_map(|s| {
                    let labels = seq(s.get("bands"))
                        .iter()
                        .filter_map(|b| b.get("label").and_then(str_of).map(str::to_owned))
                        .collect();
                    Some((named(s, "title")?, labels))
                })
                .collect(),
            alerts: seq(form.get("alerts"))
                .iter()
                .filter_map(|a| named(a, "message"))
                .collect(),
        }
    }

    /// Whether an item type can be summed in a score.
    pub fn numeric(kind: &str) -> bool {
        matches!(kind, "choice" | "scale" | "number" | "boolean")
    }
}

/// Every string node in a form's YAML that names the item `id`: its definition, the
/// `item:` of conditions (`enable_when`, alert `when`), the elements of `sum`.
pub fn item_refs_in_form(form: &Node, id: &str) -> Vec<Pos> {
    let mut out = Vec::new();
    let is = |n: &Node| str_of(n) == Some(id);
    for item in seq(form.get("items")) {
        if let Some(n) = item.get("id").filter(|n| is(n)) {
            out.push(n.pos);
        }
        if let Some(n) = item
            .get("enable_when")
            .and_then(|c| c.get("item"))
            .filter(|n| is(n))
        {
            out.push(n.pos);
        }
    }
    for score in seq(form.get("scores")) {
        out.extend(
            seq(score.get("sum"))
                .iter()
                .filter(|n| is(n))
                .map(|n| n.pos),
        );
    }
    for alert in seq(form.get("alerts")) {
        if let Some(n) = alert
            .get("when")
            .and_then(|c| c.get("item"))
            .filter(|n| is(n))
        {
            out.push(n.pos);
        }
    }
    out
}

/// Every place in a form's tests that names the item `id`: keys of `answers`, elements
/// of `expect.hidden`.
pub fn item_refs_in_tests(tests: &Node, id: &str) -> Vec<Pos> {
    let mut out = Vec::new();
    for scenario in seq(Some(tests)) {
        if let Some(Value::Map(answers)) = scenario.get("answers").map(|a| &a.value) {
            out.extend(
                answers
                    .iter()
                    .filter(|(k, _)| k.name == id)
                    .map(|(k, _)| k.pos),
            );
        }
        if let Some(expect) = scenario.get("expect") {
            out.extend(
                seq(expect.get("hidden"))
                    .iter()
                    .filter(|n| str_of(n) == Some(id))
                    .map(|n| n.pos),
            );
        }
    }
    out
}

/// The `ref:` values of `form` blocks in a Markdown text: (0-based line, byte column,
/// form id).
pub fn form_refs(lines: &[&str]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix("ref:") else {
            continue;
        };
        if !matches!(super::syntax::region(lines, i), super::syntax::Region::Block { ref kind, .. } if kind == "form")
        {
            continue;
        }
        let value = rest.trim_start().trim_end();
        let value = strip_comment_value(value);
        let (value, quoted) = unquote(value);
        if value.is_empty() {
            continue;
        }
        let column = line.len() - trimmed.len()
            + 4
            + (rest.len() - rest.trim_start().len())
            + usize::from(quoted);
        out.push((i, column, value.to_owned()));
    }
    out
}

fn strip_comment_value(value: &str) -> &str {
    match value.find(" #") {
        Some(i) => value[..i].trim_end(),
        None => value,
    }
}

fn unquote(value: &str) -> (&str, bool) {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return (inner, true);
        }
    }
    (value, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_and_references_of_a_form() {
        let form = parse(
            "id: f\nitems:\n  - {id: q1, type: scale}\n  - id: q2\n    type: choice\n    enable_when: {item: q1, op: '=', value: 1}\nscores:\n  - id: t\n    sum: [q1, q2]\n    bands: [{min: 0, max: 1, label: Låg}]\nalerts:\n  - {id: a, when: {item: q1, op: '>', value: 0}, message: m}\n",
        )
        .unwrap();
        let facts = FormFacts::of(&form);
        assert_eq!(facts.items.len(), 2);
        assert_eq!(facts.scores[0].1, ["Låg"]);
        let refs = item_refs_in_form(&form, "q1");
        assert_eq!(refs.len(), 4, "{refs:?}");
        let tests = parse("- name: x\n  answers: {q1: 1}\n  expect: {hidden: [q1]}\n").unwrap();
        assert_eq!(item_refs_in_tests(&tests, "q1").len(), 2);
    }

    #[test]
    fn form_refs_in_blocks_only() {
        let text = "---\ntitle: t\n---\nref: not-this\n```form\nref: \"dagbok\"\n```\n";
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(form_refs(&lines), vec![(5, 6, "dagbok".to_owned())]);
    }
}
