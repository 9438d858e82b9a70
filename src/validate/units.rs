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
        let mut seen: Vec<String> = Vec::new();
        for (j, publisher) in unit.publishers.iter().enumerate() {
            let key = crate::keys::fingerprint(&publisher.key)
                .unwrap_or_else(|| publisher.key.trim().to_owned());
            if let Some(first) = seen.iter().position(|k| *k == key) {
                let pos = node.pos_at(&[
                    "units".into(),
                    i.into(),
                    "publishers".into(),
                    j.into(),
                    "key".into(),
                ]);
                out.push(
                    Diagnostic::new(
                        Code::DuplicatePublisherKey,
                        format!(
                            "unit `{}` lists the key of {} again for {}",
                            unit.id, unit.publishers[first].name, publisher.name
                        ),
                    )
                    .in_file("units.yaml")
                    .at_pos(pos)
                    .with_hint("each publisher signs with their own key; a shared key would count one person twice"),
                );
            }
            seen.push(key);
        }
        if let Some(n) = unit.approvals
            && !unit.publishers.is_empty()
            && n as usize > unit.publishers.len()
        {
            let pos = node.pos_at(&["units".into(), i.into(), "approvals".into()]);
            out.push(
                Diagnostic::new(
                    Code::ApprovalsExceedPublishers,
                    format!(
                        "unit `{}` requires {n} approvals but has {} publisher{}",
                        unit.id,
                        unit.publishers.len(),
                        if unit.publishers.len() == 1 { "" } else { "s" }
                    ),
                )
                .in_file("units.yaml")
                .at_pos(pos)
                .with_hint("add publishers or lower `approvals:`; nothing of this unit could ever be published"),
            );
        }
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
