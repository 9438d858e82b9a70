//! Rules for `moment.yaml`: identity, version, unit, access, care providers, owners.

use crate::diagnostic::msg::Meta;
use crate::diagnostic::{Code, Sink};
use crate::load::yaml::{Node, Value};
use crate::load::{LoadedMoment, Repository};
use crate::model::UnitKind;

/// Checks `moment.yaml`.
///
/// Every rule reads the YAML tree, not the typed metadata, and runs when the fields
/// it reads are well-formed: a schema error in one field (reported by the schema)
/// never hides the rules about the others.
pub(super) fn check(
    moment: &LoadedMoment,
    repo: &Repository,
    out: &mut Vec<crate::diagnostic::Diagnostic>,
) {
    let Some(node) = &moment.meta_node else {
        return;
    };
    if !matches!(node.value, Value::Map(_)) {
        return; // the schema reports it
    }
    let rel = moment.meta_rel();
    let mut sink = Sink::new(&rel, out);
    let at = |key: &str| node.get(key).map_or(node.pos, |n| n.pos);
    let key_at = |key: &str| node.entry(key).map_or(node.pos, |(k, _)| k.pos);
    let text = |key: &str| match node.get(key).map(|n| &n.value) {
        Some(Value::Str(s)) => Some(s.as_str()),
        _ => None,
    };
    let list = |key: &str| match node.get(key).map(|n| &n.value) {
        Some(Value::Seq(items)) => Some(items.as_slice()),
        _ => None,
    };
    let id = text("id");

    // A malformed id is reported by the schema; that it then differs from the
    // folder name only follows from it.
    if let Some(id) = id
        && is_slug(id)
        && id != moment.folder
    {
        sink.report(
            Code::IdMismatch,
            at("id"),
            Meta::IdMismatch {
                id: id.to_string(),
                folder: moment.folder.to_string(),
            },
        )
        .help(Meta::IdMismatchHint {
            id: id.to_string(),
            folder: moment.folder.to_string(),
        });
    }
    if let Some(version) = text("version")
        && !is_semver(version)
    {
        sink.report(
            Code::Semver,
            at("version"),
            Meta::Semver {
                version: version.to_string(),
            },
        )
        .help(Meta::SemverHint);
    }
    if list("modules").is_some_and(<[Node]>::is_empty) {
        sink.report(Code::NoModules, at("modules"), Meta::NoModules)
            .help(Meta::NoModulesHint);
    }
    duplicate_modules(node, &mut sink);
    if let (Some(units), Some(unit_id)) = (&repo.units, text("unit")) {
        match units.units.iter().find(|u| u.id == unit_id) {
            None => {
                let known: Vec<String> = units.units.iter().map(|u| u.id.clone()).collect();
                sink.report(
                    Code::UnknownUnit,
                    at("unit"),
                    Meta::UnknownUnit {
                        unit: unit_id.to_string(),
                    },
                )
                .help(match crate::load::schema::closest(unit_id, &known) {
                    Some(c) => Meta::DidYouMean {
                        close: c.to_owned(),
                    },
                    None => Meta::KnownUnits {
                        list: known.join(", "),
                    },
                });
            }
            Some(unit)
                if unit.kind == UnitKind::Production && node.get("risk_analysis").is_none() =>
            {
                sink.report(
                    Code::NoRiskAnalysis,
                    node.pos,
                    Meta::NoRiskAnalysis {
                        id: id.unwrap_or(&moment.folder).to_string(),
                        unit: unit.id.clone(),
                    },
                )
                .help(Meta::NoRiskAnalysisHint);
            }
            Some(_) => {}
        }
    }
    if let Some(path) = text("risk_analysis")
        && let Err(problem) = crate::load::paths::resolve(&moment.dir, "", path)
    {
        let code = problem.code(Code::NoRiskAnalysis);
        let hint: crate::diagnostic::Text = if code == Code::NoRiskAnalysis {
            Meta::RiskMissingHint.into()
        } else {
            match problem.advice() {
                Some(advice) => advice.into(),
                None => Meta::RiskInsideHint.into(),
            }
        };
        sink.report(code, at("risk_analysis"), problem.message(path))
            .help(hint);
    }
    for item in list("care_providers").unwrap_or_default() {
        if let Value::Str(id) = &item.value
            && !is_hsa_id(id)
        {
            sink.report(Code::HsaId, item.pos, Meta::HsaId { id: id.clone() })
                .help(Meta::HsaIdHint);
        }
    }
    let open_to_empty = match node.get("open_to").map(|n| &n.value) {
        None | Some(Value::Null) => true,
        Some(Value::Seq(items)) => items.is_empty(),
        Some(_) => false, // the schema reports the wrong type
    };
    if text("access") == Some("open") && open_to_empty {
        let pos = node.get("open_to").map_or(at("access"), |n| n.pos);
        sink.report(Code::OpenWithoutAudience, pos, Meta::OpenWithoutAudience)
            .help(Meta::OpenWithoutAudienceHint);
    }
    let owners = match node.get("owners").map(|n| &n.value) {
        None => Some(0),
        Some(Value::Seq(items)) => Some(items.len()),
        Some(_) => None, // the schema reports the wrong type
    };
    if let Some(count) = owners
        && count < 2
    {
        let pos = match node.get("owners") {
            Some(n) => n.pos,
            None => key_at("id"),
        };
        sink.report(Code::FewOwners, pos, Meta::FewOwners { count })
            .help(Meta::FewOwnersHint);
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
                    Meta::ModuleTwice {
                        path: s.to_string(),
                    },
                )
                .help(Meta::ModuleTwiceHint {
                    line: first.pos.line,
                });
            }
        }
    }
}

/// Whether `id` is a slug: lowercase letters and digits in groups joined by `-`.
fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|g| {
            !g.is_empty()
                && g.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
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
    fn slug() {
        assert!(is_slug("somn"));
        assert!(is_slug("rora-dig-2"));
        assert!(!is_slug("Somn"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("-a"));
    }

    #[test]
    fn hsa() {
        assert!(is_hsa_id("SE2321000131-E000000000001"));
        assert!(!is_hsa_id("SE232100013-E1"));
        assert!(!is_hsa_id("2321000131-E1"));
        assert!(!is_hsa_id("SE2321000131-"));
    }
}
