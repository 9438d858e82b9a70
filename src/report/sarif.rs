//! SARIF 2.1.0 (Static Analysis Results Interchange Format), for code-scanning
//! dashboards such as GitHub's: one run, one rule per code that occurs (with its
//! entry of the diagnostics chapter as help), one result per diagnostic.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::diagnostic::{Code, Diagnostic, Severity, explain};

/// The SARIF log for `diags`, pretty-printed, with a final newline.
pub fn sarif(diags: &[Diagnostic]) -> String {
    let codes: Vec<Code> = diags
        .iter()
        .map(|d| d.code)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rules: Vec<Value> = codes.iter().map(|&c| rule(c)).collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let index = codes.iter().position(|&c| c == d.code).unwrap_or_default();
            result(d, index)
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "moment",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://moment.example/",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("a SARIF log serialises");
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule(code: Code) -> Value {
    let mut rule = json!({
        "id": code.as_str(),
        "name": format!("{code:?}"),
        "shortDescription": {"text": code.title()},
        "defaultConfiguration": {"level": level(code.severity())},
    });
    if let Some(entry) = explain::entry(code) {
        rule["help"] = json!({"text": entry, "markdown": entry});
    }
    rule
}

fn result(d: &Diagnostic, rule_index: usize) -> Value {
    let mut text = d.message.clone();
    if let Some(hint) = &d.hint {
        text.push_str("\nhelp: ");
        text.push_str(hint);
    }
    let mut result = json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": {"text": text},
    });
    if !d.file.is_empty() {
        result["locations"] = json!([{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(&d.file), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": d.line, "startColumn": d.column},
            }
        }]);
    }
    result
}

/// A repository-relative path as a relative URI reference: every byte outside the
/// unreserved set and `/` percent-encoded (so `två` and `del:två` stay paths).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("moments/somn/moment.yaml"), "moments/somn/moment.yaml");
        assert_eq!(
            uri("moments/x/modules/02-del:två.md"),
            "moments/x/modules/02-del%3Atv%C3%A5.md"
        );
        assert_eq!(uri("a b"), "a%20b");
    }
}
