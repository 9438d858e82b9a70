//! W020: a production moment's risk analysis that is empty or still the template of
//! `moment new` (publishing refuses it, and also one shorter than a real analysis).

use std::io::Read;

use crate::diagnostic::msg::{Risk, Rules};
use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::load::{LoadedMoment, Repository};
use crate::model::UnitKind;
use crate::risk_analysis::{self as risk, RiskProblem};

/// The most of a risk analysis that is read.
const MAX_BYTES: u64 = 1 << 20;

pub(super) fn check(moment: &LoadedMoment, repo: &Repository, out: &mut Vec<Diagnostic>) {
    let (Some(meta), Some(units)) = (&moment.meta, &repo.units) else {
        return;
    };
    let production = units
        .units
        .iter()
        .any(|u| u.id == meta.unit && u.kind == UnitKind::Production);
    let Some(written) = &meta.risk_analysis else {
        return;
    };
    let Ok(resolved) = crate::load::paths::resolve(&moment.dir, "", written) else {
        return;
    };
    if !production || !std::fs::symlink_metadata(&resolved.full).is_ok_and(|m| m.is_file()) {
        return;
    }
    let mut bytes = Vec::new();
    let read =
        std::fs::File::open(&resolved.full).and_then(|f| f.take(MAX_BYTES).read_to_end(&mut bytes));
    if read.is_err() {
        return;
    }
    let problem = match risk::problem(&String::from_utf8_lossy(&bytes)) {
        Some(p @ (RiskProblem::Empty | RiskProblem::Template(_))) => p,
        _ => return,
    };
    out.push(
        Diagnostic::new(
            Code::RiskAnalysisTemplate,
            Rules::RiskTemplate {
                problem: match problem {
                    risk::RiskProblem::Empty => Risk::Empty,
                    risk::RiskProblem::Template(_) => Risk::Template,
                    risk::RiskProblem::Short(words) => Risk::Short {
                        words,
                        min: risk::MIN_WORDS,
                    },
                },
            },
        )
        .in_file(format!("{}/{}", moment.rel_dir, resolved.rel))
        .at_pos(Pos::new(problem.line() as u32, 1))
        .with_hint(Rules::RiskTemplateHint {
            min: risk::MIN_WORDS,
        }),
    );
}
