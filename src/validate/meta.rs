//! Rules for `moment.yaml`: identity, version, unit, access, care providers, owners.

use crate::diagnostic::{Code, Pos, Sink};
use crate::load::yaml::{Node, Value};
use crate::load::{LoadedMoment, Repository};
use crate::model::{Access, UnitKind};

pub(super) fn check(
    moment: &LoadedMoment,
    repo: &Repository,
    out: &mut Vec<crate::diagnostic::Diagnostic>,
) {
    let (Some(meta), Some(node)) = (&moment.meta, &moment.meta_node) else {
        return;
    };
    let rel = moment.meta_rel();
    let mut sink = Sink::new(&rel, out);
    let at = |key: &str| node.get(key).map_or(node.pos, |n| n.pos);
    let key_at = |key: &str| node.entry(key).map_or(node.pos, |(k, _)| k.pos);

    if meta.id != moment.folder {
        sink.report(
            Code::IdMismatch,
            at("id"),
            format!(
                "id `{}` does not match the folder name `{}`",
                meta.id, moment.folder
            ),
        )
        .help(format!(
            "rename the folder to moments/{} or set `id: {}`",
            meta.id, moment.folder
        ));
    }
    if !is_semver(&meta.version) {
        sink.report(
            Code::Semver,
            at("version"),
            format!("`{}` is not a semantic version", meta.version),
        )
        .help("write MAJOR.MINOR.PATCH, such as \"1.0.0\"");
    }
    if meta.modules.is_empty() {
        sink.report(Code::NoModules, at("modules"), "the moment has no modules")
            .help("list at least one module file under `modules:`, such as modules/01-introduktion.md");
    }
    duplicate_modules(node, &mut sink);
    if let Some(units) = &repo.units {
        match units.units.iter().find(|u| u.id == meta.unit) {
            None => {
                let known: Vec<String> = units.units.iter().map(|u| u.id.clone()).collect();
                sink.report(
                    Code::UnknownUnit,
                    at("unit"),
                    format!("unit `{}` is not in units.yaml", meta.unit),
                )
                .help(match crate::schema::closest(&meta.unit, &known) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("known units: {}", known.join(", ")),
                });
            }
            Some(unit) if unit.kind == UnitKind::Production && meta.risk_analysis.is_none() => {
                sink.report(
                Code::NoRiskAnalysis,
                node.pos,
                format!("`{}` belongs to production unit `{}` but has no risk analysis", meta.id, unit.id),
            )
            .help("add `risk_analysis: docs/riskanalys.md` pointing at the risk analysis; publishing refuses without it");
            }
            Some(_) => {}
        }
    }
    if let Some(path) = &meta.risk_analysis
        && let Err(problem) = crate::load::paths::resolve(&moment.dir, "", path)
    {
        let code = if problem == crate::load::paths::PathProblem::Missing {
            Code::NoRiskAnalysis
        } else {
            Code::PathEscapes
        };
        let hint = if code == Code::NoRiskAnalysis {
            "write the risk analysis at that path, or correct the path; publishing refuses without it"
        } else {
            "keep the risk analysis inside the moment's folder, such as docs/riskanalys.md"
        };
        sink.report(code, at("risk_analysis"), problem.describe(path))
            .help(hint);
    }
    if let Some(Value::Seq(items)) = node.get("care_providers").map(|n| &n.value) {
        for (item, id) in items.iter().zip(&meta.care_providers) {
            if !is_hsa_id(id) {
                sink.report(Code::HsaId, item.pos, format!("`{id}` is not a well-formed HSA-id"))
                    .help("an HSA-id is SE, the ten-digit organisation number, a hyphen and letters or digits, such as SE2321000131-E000000000001");
            }
        }
    }
    if meta.access == Access::Open && meta.open_to.is_empty() {
        let pos = node.get("open_to").map_or(at("access"), |n| n.pos);
        sink.report(Code::OpenWithoutAudience, pos, "the moment is open but does not say to whom")
            .help("list region (two digits) or municipality (four digits) codes under `open_to:`, such as [\"01\"]");
    }
    if meta.owners.len() < 2 {
        let pos = node.get("owners").map_or(Pos::START, |n| n.pos);
        let pos = if node.get("owners").is_some() {
            pos
        } else {
            key_at("id")
        };
        sink.report(
            Code::FewOwners,
            pos,
            format!("the moment has {} owner{}", meta.owners.len(), if meta.owners.len() == 1 { "" } else { "s" }),
        )
        .help("list at least two people under `owners:`, so that someone can always answer for the content");
    }
}

fn duplicate_modules(node: &Node, sink: &mut Sink<'_>) {
    let Some(Value::Seq(items)) = node.get("modules").map(|n| &n.value) else {
        return;
    };
    // The first listing of each path: one look-up per entry keeps this linear.
    let mut first_at: std::collections::HashMap<&str, &Node> =
        std::collections::HashMap::with_capacity(items.len());
    for item in items {
        if let Value::Str(s) = &item.value {
            let first = *first_at.entry(s.trim_start_matches("./")).or_insert(item);
            if !std::ptr::eq(first, item) {
                sink.report(
                    Code::DuplicateId,
                    item.pos,
                    format!("module `{s}` is listed twice"),
                )
                .help(format!(
                    "it is already listed on line {}; remove one",
                    first.pos.line
                ));
            }
        }
    }
}

/// Whether `v` is MAJOR.MINOR.PATCH with optional pre-release and build parts.
pub fn is_semver(v: &str) -> bool {
    let (core, build) = v.split_once('+').map_or((v, None), |(c, b)| (c, Some(b)));
    let (core, pre) = core
        .split_once('-')
        .map_or((core, None), |(c, p)| (c, Some(p)));
    let numbers: Vec<&str> = core.split('.').collect();
    let number_ok = |n: &str| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
    };
    let ident_ok = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    };
    numbers.len() == 3
        && numbers.iter().all(|n| number_ok(n))
        && pre.is_none_or(ident_ok)
        && build.is_none_or(ident_ok)
}

/// Whether `id` is a well-formed HSA-id: `SE`, ten digits, `-`, letters and digits, at most 31 characters.
pub fn is_hsa_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("SE") else {
        return false;
    };
    let Some((org, local)) = rest.split_once('-') else {
        return false;
    };
    id.len() <= 31
        && org.len() == 10
        && org.bytes().all(|b| b.is_ascii_digit())
        && !local.is_empty()
        && local.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver() {
        assert!(is_semver("1.2.0"));
        assert!(is_semver("1.0.0-rc.1+build.5"));
        assert!(!is_semver("1.2"));
        assert!(!is_semver("01.2.3"));
        assert!(!is_semver("v1.2.3"));
    }

    #[test]
    fn hsa() {
        assert!(is_hsa_id("SE2321000131-E000000000001"));
        assert!(!is_hsa_id("SE232100013-E1"));
        assert!(!is_hsa_id("2321000131-E1"));
        assert!(!is_hsa_id("SE2321000131-"));
    }
}
