//! The report stage: diagnostics as text for people, JSON for tools, GitHub
//! workflow commands for CI annotations, or SARIF for code-scanning dashboards.

pub mod group;
mod human;
mod sarif;

pub use group::{human_grouped, human_grouped_in};
pub use human::{human, human_in, summary_in};

pub use sarif::sarif;

use crate::diagnostic::{Diagnostic, Lang, Severity};

/// Counts of errors and warnings.
pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diags.len() - errors)
}

/// `{"diagnostics": [...], "errors": N, "warnings": N}`, as `docs/design.md` shapes it.
pub fn json(diags: &[Diagnostic]) -> String {
    json_in(diags, Lang::En)
}

/// [`json`], with each diagnostic's message and hint also in `lang` when that is not
/// English: `message` and `hint` stay English (tools match on them), and
/// `message_localized`, `hint_localized` and `lang` are added.
pub fn json_in(diags: &[Diagnostic], lang: Lang) -> String {
    let (errors, warnings) = counts(diags);
    let list: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let mut value = serde_json::to_value(d).expect("diagnostics serialise");
            if lang != Lang::En
                && let Some(map) = value.as_object_mut()
            {
                map.insert("lang".into(), lang.tag().into());
                map.insert("message_localized".into(), d.message_in(lang).into());
                if let Some(hint) = d.hint_in(lang) {
                    map.insert("hint_localized".into(), hint.into());
                }
            }
            value
        })
        .collect();
    let value = serde_json::json!({
        "diagnostics": list,
        "errors": errors,
        "warnings": warnings,
    });
    let mut text = serde_json::to_string_pretty(&value).expect("diagnostics serialise");
    text.push('\n');
    text
}

/// One GitHub workflow command per diagnostic, such as
/// `::error file=F,line=L,col=C,title=E012::message`.
pub fn github(diags: &[Diagnostic]) -> String {
    github_in(diags, Lang::En)
}

/// [`github`] with messages and hints in `lang`: annotations are read by the people
/// reviewing the pull request.
pub fn github_in(diags: &[Diagnostic], lang: Lang) -> String {
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message_in(lang).to_owned();
        if let Some(hint) = d.hint_in(lang) {
            message.push('\n');
            message.push_str(hint);
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},title={}::{}\n",
            escape_property(&d.file),
            d.line,
            d.column,
            d.code,
            escape_data(&message)
        ));
    }
    out
}

/// Escapes a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Code, Pos};

    #[test]
    fn github_escapes() {
        let d = Diagnostic::new(Code::UnknownKey, "unknown key `a,b`\n100%")
            .in_file("moments/x:y/moment.yaml")
            .at_pos(Pos::new(3, 5));
        assert_eq!(
            github(&[d]),
            "::error file=moments/x%3Ay/moment.yaml,line=3,col=5,title=E011::unknown key `a,b`%0A100%25\n"
        );
    }
}
