//! Writes an imported form and its scenarios as YAML in the repository's style: block
//! lists of items, flow mappings for options, bands and conditions, and quotes only
//! where YAML would read a value otherwise.

use std::fmt::Write;

use crate::model::{Condition, Form, Item, Scalar, Scenario};
use crate::scoring::fmt_num;

/// A scalar string, plain when that is safe inside a flow mapping, else quoted.
pub fn scalar(s: &str) -> String {
    plain_or_quoted(s, "{}[],")
}

/// A block value (`text: …`), where commas and brackets after the start are fine.
fn block(s: &str) -> String {
    if s.starts_with(['{', '[', ',']) {
        return scalar(s);
    }
    plain_or_quoted(s, "")
}

fn plain_or_quoted(s: &str, flow: &str) -> String {
    let reserved = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"];
    let safe = !s.is_empty()
        && s.trim() == s
        && s.chars().next().is_some_and(char::is_alphabetic)
        && !s
            .chars()
            .any(|c| "&*!|>'\"%@`#:\\".contains(c) || flow.contains(c) || c.is_control())
        && !reserved.contains(&s.to_ascii_lowercase().as_str());
    if safe {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

fn value(v: &Scalar) -> String {
    match v {
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(n) => fmt_num(*n),
        Scalar::Text(t) => serde_json::to_string(t).unwrap_or_default(),
    }
}

fn condition(c: &Condition) -> String {
    format!(
        "{{item: {}, op: \"{}\", value: {}}}",
        scalar(&c.item),
        c.op.symbol(),
        value(&c.value)
    )
}

fn item(out: &mut String, it: &Item) {
    let _ = writeln!(out, "  - id: {}", scalar(&it.id));
    let _ = writeln!(out, "    type: {}", it.kind.name());
    let _ = writeln!(out, "    text: {}", block(&it.text));
    if let Some(h) = &it.help {
        let _ = writeln!(out, "    help: {}", block(h));
    }
    if it.required {
        out.push_str("    required: true\n");
    }
    if let Some(c) = &it.enable_when {
        let _ = writeln!(out, "    enable_when: {}", condition(c));
    }
    for (key, v) in [("min", it.min), ("max", it.max)] {
        if let Some(v) = v {
            let _ = writeln!(out, "    {key}: {}", fmt_num(v));
        }
    }
    for (key, v) in [
        ("min_label", &it.min_label),
        ("max_label", &it.max_label),
        ("unit", &it.unit),
    ] {
        if let Some(v) = v {
            let _ = writeln!(out, "    {key}: {}", scalar(v));
        }
    }
    if !it.options.is_empty() {
        out.push_str("    options:\n");
        for o in &it.options {
            let _ = writeln!(
                out,
                "      - {{value: {}, label: {}}}",
                fmt_num(o.value),
                scalar(&o.label)
            );
        }
    }
}

/// `forms/<id>.yaml`.
pub fn form(f: &Form) -> String {
    let mut out =
        String::from("# yaml-language-server: $schema=../../../schemas/form.schema.json\n");
    let _ = writeln!(out, "id: {}", f.id);
    let _ = writeln!(out, "title: {}", block(&f.title));
    if let Some(d) = &f.description {
        let _ = writeln!(out, "description: {}", block(d));
    }
    out.push_str("kind: questionnaire\nitems:\n");
    for it in &f.items {
        item(&mut out, it);
    }
    if !f.scores.is_empty() {
        out.push_str("scores:\n");
    }
    for s in &f.scores {
        let _ = writeln!(out, "  - id: {}", scalar(&s.id));
        if let Some(t) = &s.title {
            let _ = writeln!(out, "    title: {}", block(t));
        }
        let ids: Vec<String> = s.sum.iter().map(|i| scalar(i)).collect();
        let _ = writeln!(out, "    sum: [{}]", ids.join(", "));
        if let Some(m) = &s.missing {
            let _ = writeln!(
                out,
                "    missing: {{allow: {}, method: {}, round: {}}}",
                m.allow,
                m.method.as_str(),
                m.round.as_str()
            );
        }
        if !s.bands.is_empty() {
            out.push_str("    bands:\n");
            for b in &s.bands {
                let _ = writeln!(
                    out,
                    "      - {{min: {}, max: {}, label: {}}}",
                    fmt_num(b.min),
                    fmt_num(b.max),
                    scalar(&b.label)
                );
            }
        }
    }
    out
}

fn json_flow(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        serde_json::Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), fmt_num),
        other => other.to_string(),
    }
}

fn ids(list: &[String]) -> String {
    let v: Vec<String> = list.iter().map(|s| scalar(s)).collect();
    format!("[{}]", v.join(", "))
}

/// `forms/<id>.tests.yaml`.
pub fn scenarios(list: &[Scenario]) -> String {
    let mut out =
        String::from("# yaml-language-server: $schema=../../../schemas/form-tests.schema.json\n");
    for s in list {
        let _ = writeln!(out, "- name: {}", scalar(&s.name));
        let answers: Vec<String> = s
            .answers
            .iter()
            .map(|(k, v)| format!("{}: {}", scalar(k), json_flow(v)))
            .collect();
        let _ = writeln!(out, "  answers: {{{}}}", answers.join(", "));
        out.push_str("  expect:\n");
        if let Some(scores) = &s.expect.scores {
            let v: Vec<String> = scores
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), v.map_or("null".into(), fmt_num)))
                .collect();
            let _ = writeln!(out, "    scores: {{{}}}", v.join(", "));
        }
        if let Some(bands) = &s.expect.bands {
            let v: Vec<String> = bands
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        scalar(k),
                        v.as_deref().map_or("null".into(), scalar)
                    )
                })
                .collect();
            let _ = writeln!(out, "    bands: {{{}}}", v.join(", "));
        }
        if let Some(a) = &s.expect.alerts {
            let _ = writeln!(out, "    alerts: {}", ids(a));
        }
        if let Some(h) = &s.expect.hidden {
            let _ = writeln!(out, "    hidden: {}", ids(h));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::scalar;

    #[test]
    fn quotes_what_yaml_would_misread() {
        assert_eq!(scalar("Inte alls"), "Inte alls");
        assert_eq!(scalar("Nästan varje dag"), "Nästan varje dag");
        for s in [
            "yes",
            "1",
            "a: b",
            "[x]",
            "x, y",
            " x",
            "",
            "#",
            "Vad? (1–3)x,",
        ] {
            assert!(scalar(s).starts_with('"'), "{s}");
        }
    }
}
