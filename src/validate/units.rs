//! Rules for `units.yaml`.

use crate::diagnostic::msg::Rules;
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
                    Rules::CodeownersStale {
                        file: rel.to_string(),
                    },
                )
                .in_file(rel)
                .with_hint(Rules::CodeownersStaleHint),
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
                        Rules::DuplicatePublisherKey {
                            unit: unit.id.clone(),
                            first: unit.publishers[first].name.clone(),
                            again: publisher.name.clone(),
                        },
                    )
                    .in_file("units.yaml")
                    .at_pos(pos)
                    .with_hint(Rules::DuplicatePublisherKeyHint),
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
                    Rules::ApprovalsExceed {
                        unit: unit.id.clone(),
                        approvals: n,
                        publishers: unit.publishers.len(),
                    },
                )
                .in_file("units.yaml")
                .at_pos(pos)
                .with_hint(Rules::ApprovalsExceedHint),
            );
        }
        if unit.kind == UnitKind::Production && unit.publishers.len() < 2 {
            let pos = node.key_pos_at(&["units".into(), i.into(), "publishers".into()]);
            out.push(
                Diagnostic::new(
                    Code::FewPublishers,
                    Rules::FewPublishers {
                        unit: unit.id.clone(),
                        publishers: unit.publishers.len(),
                    },
                )
                .in_file("units.yaml")
                .at_pos(pos)
                .with_hint(Rules::FewPublishersHint),
            );
        }
    }
}
