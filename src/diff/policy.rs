//! The version policy as diagnostics, for `moment check --against REV`.

use crate::diagnostic::msg::{Class, Tests};
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::load::Repository;

use super::{Diff, Status};

/// Diagnostics for every moment of `repo` whose version does not cover its changes
/// since the other side of `diff`, and every repeated form whose scored items changed
/// without `series_break: true`.
pub fn diagnostics(diff: &Diff, repo: &Repository, against: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for m in diff.moments.iter().filter(|m| m.status == Status::Changed) {
        let Some(moment) = repo.moments.iter().find(|x| x.folder == m.id) else {
            continue;
        };
        if !m.series_breaks_missing.is_empty() {
            for form in &m.series_breaks_missing {
                let rel = format!("{}/forms/{form}.yaml", moment.rel_dir);
                let pos = moment.form(form).map_or(Pos::START, |f| f.node.pos);
                out.push(
                    Diagnostic::new(
                        Code::SeriesBreak,
                        Tests::SeriesBreak {
                            form: form.to_string(),
                            against: against.to_string(),
                        },
                    )
                    .in_file(rel)
                    .at_pos(pos)
                    .with_hint(Tests::SeriesBreakHint),
                );
            }
        }
        let bump_only_ok = super::bump_ok(m.required_bump, m.actual_bump);
        if bump_only_ok {
            continue;
        }
        let pos = moment
            .meta_node
            .as_ref()
            .map_or(Pos::START, |n| n.get("version").map_or(n.pos, |v| v.pos));
        let first = m.changes.iter().find(|c| c.class.bump() == m.required_bump);
        let needed = match (m.required_bump, &m.from_version) {
            (super::Bump::Major, Some(v)) => next(v, 0),
            (super::Bump::Minor, Some(v)) => next(v, 1),
            (_, Some(v)) => v.clone(),
            _ => String::new(),
        };
        out.push(
            Diagnostic::new(
                Code::VersionPolicy,
                Tests::VersionPolicy {
                    id: m.id.to_string(),
                    class: match m.required_bump {
                        super::Bump::Major => Class::Clinical,
                        super::Bump::Minor => Class::Content,
                        _ => Class::Cosmetic,
                    },
                    from: m.from_version.as_deref().unwrap_or("?").to_owned(),
                    to: m.to_version.as_deref().unwrap_or("?").to_owned(),
                    against: against.to_string(),
                },
            )
            .in_file(moment.meta_rel())
            .at_pos(pos)
            .with_hint(Tests::VersionPolicyHint {
                needed,
                example: first.map(|c| c.summary.trim_end_matches('.').to_owned()),
                against: against.to_string(),
            }),
        );
    }
    out
}

/// The version after `v` with part `index` (0 major, 1 minor) increased.
fn next(v: &str, index: usize) -> String {
    let core = v.split(['-', '+']).next().unwrap_or(v);
    let mut parts: Vec<u64> = core.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    parts.resize(3, 0);
    parts[index] += 1;
    for p in parts.iter_mut().skip(index + 1) {
        *p = 0;
    }
    format!("{}.{}.{}", parts[0], parts[1], parts[2])
}
