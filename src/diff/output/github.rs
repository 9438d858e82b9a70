//! GitHub workflow-command annotations: one per change, on its file, at the line of
//! the key that changed when it can be found, warning for clinical changes and
//! notice for the others; an error on `moment.yaml` when the version policy fails.

use super::super::{Class, Diff, Status};
use super::verdict;
use crate::report::{escape_data, escape_property};

/// Annotations for the changes of `diff`. `file_of` gives the repository path of a
/// moment's file, and `line_of` the line of a locator in the new version (or `None`).
pub fn github(
    diff: &Diff,
    file_of: &dyn Fn(&str, &str) -> String,
    line_of: &dyn Fn(&str, &str) -> Option<u32>,
) -> String {
    let mut out = String::new();
    for m in diff.moments.iter().filter(|m| m.status == Status::Changed) {
        if !m.bump_ok {
            let file = file_of(&m.id, "moment.yaml");
            let line = line_of(&m.id, "moment.yaml#version").unwrap_or(1);
            out.push_str(&format!(
                "::error file={},line={line},title={}::{}\n",
                escape_property(&file),
                escape_property(&format!("{}: version policy", m.id)),
                escape_data(&verdict(m.language, m))
            ));
        }
        for c in &m.changes {
            let rel = c.path.split('#').next().unwrap_or(&c.path);
            let file = file_of(&m.id, rel);
            let line = line_of(&m.id, &c.path).unwrap_or(1);
            let level = if c.class == Class::Clinical {
                "warning"
            } else {
                "notice"
            };
            let mut message = c.summary.clone();
            if let Some(effect) = &c.consequence {
                message.push('\n');
                message.push_str(effect);
            }
            out.push_str(&format!(
                "::{level} file={},line={line},title={}::{}\n",
                escape_property(&file),
                escape_property(&format!("{} {}", c.class.as_str(), c.kind.as_str())),
                escape_data(&message)
            ));
        }
    }
    out
}
