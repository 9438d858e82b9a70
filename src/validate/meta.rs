//! Rules for `moment.yaml`: identity, version, unit, access, care providers, owners.

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
            format!(
                "id `{id}` does not match the folder name `{}`",
                moment.folder
            ),
        )
        .help(format!(
            "rename the folder to moments/{id} or set `id: {}`",
            moment.folder
        ));
    }
    if let Some(version) = text("version")
        && !is_semver(version)
    {
        sink.report(
            Code::Semver,
            at("version"),
            format!("`{version}` is not a semantic version"),
        )
        .help("write MAJOR.MINOR.PATCH, such as \"1.0.0\"");
    }
    if list("modules").is_some_and(<[Node]>::is_empty) {
        sink.report(Code::NoModules, at("modules"), "the moment has no modules")
            .help("list at least one module file under `modules:`, such as modules/01-introduktion.md");
    }
    duplicate_modules(node, &mut sink);
    if let (Some(units), Some(unit_id)) = (&repo.units, text("unit")) {
        match units.units.iter().find(|u| u.id == unit_id) {
            None => {
                let known: Vec<String> = units.units.iter().map(|u| u.id.clone()).collect();
                sink.report(
                    Code::UnknownUnit,
                    at("unit"),
                    format!("unit `{unit_id}` is not in units.yaml"),
                )
                .help(match crate::load::schema::closest(unit_id, &known) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("known units: {}", known.join(", ")),
                });
            }
            Some(unit)
                if unit.kind == UnitKind::Production && node.get("risk_analysis").is_none() =>
            {
                sink.report(
                Code::NoRiskAnalysis,
                node.pos,
                format!("`{}` belongs to production unit `{}` but has no risk analysis", id.unwrap_or(&moment.folder), unit.id),
            )
            .help("add `risk_analysis: docs/riskanalys.md` pointing at the risk analysis; publishing refuses without it");
            }
            Some(_) => {}
        }
    }
    if let Some(path) = text("risk_analysis")
        && let Err(problem) = crate::load::paths::resolve(&moment.dir, "", path)
    {
        let code = problem.code(Code::NoRiskAnalysis);
        let hint = if code == Code::NoRiskAnalysis {
            "write the risk analysis at that path, or correct the path; publishing refuses without it"
        } else {
            problem.hint().unwrap_or(
                "keep the risk analysis inside the moment's folder, such as docs/riskanalys.md",
            )
        };
        sink.report(code, at("risk_analysis"), problem.describe(path))
            .help(hint);
    }
    for item in list("care_providers").unwrap_or_default() {
        if let Value::Str(id) = &item.value
            && !is_hsa_id(id)
        {
            sink.report(Code::HsaId, item.pos, format!("`{id}` is not a well-formed HSA-id"))
                .help("an HSA-id is SE, the ten-digit organisation number, a hyphen and letters or digits, such as SE2321000131-E000000000001");
        }
    }
    let open_to_empty = match node.get("open_to").map(|n| &n.value) {
        None | Some(Value::Null) => true,
        Some(Value::Seq(items)) => items.is_empty(),
        Some(_) => false, // the schema reports the wrong type
    };
    if text("access") == Some("open") && open_to_empty {
        let pos = node.get("open_to").map_or(at("access"), |n| n.pos);
        sink.report(Code::OpenWithoutAudience, pos, "the moment is open but does not say to whom")
            .help("list region (two digits) or municipality (four digits) codes under `open_to:`, such as [\"01\"]");
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
        sink.report(
            Code::FewOwners,
            pos,
            format!("the moment has {count} owner{}", if count == 1 { "" } else { "s" }),
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
    crate::version::Version::parse(v).is_some()
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
