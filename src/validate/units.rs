//! Rules for `units.yaml`.

use crate::diagnostic::{Code, Diagnostic};
use crate::load::{Repository, fsread};
use crate::model::UnitKind;

pub(super) fn check(repo: &Repository, out: &mut Vec<Diagnostic>) {
    let (Some(units), Some(node)) = (&repo.units, &repo.units_node) else {
        return;
    };
    if let Some((rel, _)) = crate::codeowners::find(&repo.root) {
        let expected = crate::codeowners::render(units);
        // Through the safe reader: a link or special file reads as empty (stale).
        let actual = fsread::read(&repo.root, &rel, fsread::MAX_TEXT_BYTES)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        if actual.replace("\r\n", "\n") != expected {
            out.push(
                Diagnostic::new(
                    Code::CodeownersStale,
                    format!("{rel} does not match the user groups in units.yaml"),
                )
                .in_file(rel)
                .with_hint("run `moment codeowners` and commit the result"),
            );
        }
    }
    for (i, unit) in units.units.iter().enumerate() {
        if unit.kind == UnitKind::Production && unit.publishers.len() < 2 {
            let pos = node.key_pos_at(&["units".into(), i.into(), "publishers".into()]);
            out.push(
                Diagnostic::new(
                    Code::FewPublishers,
                    format!(
                        "production unit `{}` has {} publisher{}",
                        unit.id,
                        unit.publishers.len(),
                        if unit.publishers.len() == 1 { "" } else { "s" }
                    ),
                )
                .in_file("units.yaml")
                .at_pos(pos)
                .with_hint("list at least two publishers, so that a version can be approved when one is away"),
            );
        }
    }
}
