//! The version policy as diagnostics, for `moment check --against REV`.

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
                        format!("the scored items of repeated form `{form}` changed since {against}, so staff graphs would compare different things"),
                    )
                    .in_file(rel)
                    .at_pos(pos)
                    .with_hint("set `series_break: true` on the form in this version (it must turn true in the version whose scored items change), so that staff see results before and after this version apart"),
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
                format!(
                    "`{}` has {} changes since {against} but its version went {} → {}",
                    m.id,
                    match m.required_bump {
                        super::Bump::Major => "clinical",
                        super::Bump::Minor => "content",
                        _ => "cosmetic",
                    },
                    m.from_version.as_deref().unwrap_or("?"),
                    m.to_version.as_deref().unwrap_or("?"),
                ),
            )
            .in_file(moment.meta_rel())
            .at_pos(pos)
            .with_hint(format!(
                "set `version: \"{needed}\"` or higher{}; run `moment diff {against}` to see every change",
                first.map_or(String::new(), |c| format!(" (for example: {})", c.summary.trim_end_matches('.')))
            )),
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
