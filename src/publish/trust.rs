//! The trusted revision: where publish and yank read everything that decides trust
//! (the publishers' keys, the moment's unit, the unit's kind and its approvals rule).
//!
//! It is `--trust REV` when given, else the remote's default branch
//! (`refs/remotes/origin/HEAD`). Nothing is ever read from the tagged tree for this,
//! and there is no setting for it inside the repository: a `trust:` line in
//! units.yaml would be read from a tree the tagger chose (the tag's own tree, or the
//! tag checked out in CI), which is self-trust.

use std::path::Path;

use crate::error::Error;
use crate::load::schema::Schemas;
use crate::load::yaml::{self, Offset};
use crate::model::{Unit, UnitsFile};

use super::Refusal;
use super::refusal::Stop;

/// A resolved trusted revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trusted {
    /// How it is named to people, such as `origin/main`.
    pub name: String,
    /// The commit it points at.
    pub commit: String,
}

/// Resolves `--trust` (or, without it, `origin/HEAD`) to a commit.
pub fn resolve(root: &Path, trust: Option<&str>) -> Result<Trusted, Stop> {
    let name = match trust {
        Some(rev) => crate::git::revision(rev)?.to_owned(),
        None => match crate::git::symbolic_ref(root, "refs/remotes/origin/HEAD")? {
            Some(target) => target
                .strip_prefix("refs/remotes/")
                .unwrap_or(&target)
                .to_owned(),
            None => return Err(Stop::Refused(Refusal::NoTrustedRevision)),
        },
    };
    match crate::git::commit_of(root, &name)? {
        Some(commit) => Ok(Trusted { name, commit }),
        None => Err(Stop::Failed(Error::Usage(format!(
            "`{name}` is not a commit of this repository, so it cannot be the trusted revision"
        )))),
    }
}

/// Reads and validates units.yaml at the trusted revision.
pub fn units(root: &Path, trusted: &Trusted, schemas: &Schemas) -> Result<UnitsFile, Error> {
    let prefix = crate::git::prefix(root)?;
    let at = &trusted.name;
    let bytes = crate::git::file_at(root, &trusted.commit, &format!("{prefix}units.yaml"))?
        .ok_or_else(|| Error::invalid(format!("units.yaml at {at}"), "there is no such file"))?;
    crate::load::units::parse(bytes, &format!("units.yaml at {at}"), schemas)
}

/// The `unit:` of moment `id` at revision `rev`, or `None` when the moment is not
/// there or names no unit.
pub fn moment_unit(root: &Path, rev: &str, id: &str) -> Result<Option<String>, Error> {
    let prefix = crate::git::prefix(root)?;
    let Some(bytes) = crate::git::file_at(root, rev, &format!("{prefix}moments/{id}/moment.yaml"))?
    else {
        return Ok(None);
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(None);
    };
    let node = yaml::parse(&text, Offset::NONE).ok().flatten();
    Ok(
        match node.as_ref().and_then(|n| n.get("unit")).map(|n| &n.value) {
            Some(yaml::Value::Str(u)) => Some(u.clone()),
            _ => None,
        },
    )
}

/// The unit that decides about moment `id` tagged at `commit`: read at the trusted
/// revision, which must contain the commit, and equal to the unit at the tag.
pub fn unit_for(
    root: &Path,
    trusted: &Trusted,
    tag: &str,
    commit: &str,
    id: &str,
    schemas: &Schemas,
) -> Result<Unit, Stop> {
    if !crate::git::is_ancestor(root, commit, &trusted.commit)? {
        return Err(Stop::Refused(Refusal::NotMerged {
            tag: tag.to_owned(),
            commit: commit.chars().take(12).collect(),
            branch: trusted.name.clone(),
        }));
    }
    let Some(trusted_unit) = moment_unit(root, &trusted.commit, id)? else {
        return Err(Stop::Refused(Refusal::NotOnTrusted {
            id: id.to_owned(),
            branch: trusted.name.clone(),
        }));
    };
    let tagged_unit = moment_unit(root, commit, id)?;
    if tagged_unit.as_deref() != Some(trusted_unit.as_str()) {
        return Err(Stop::Refused(Refusal::UnitChanged {
            id: id.to_owned(),
            tagged: tagged_unit.unwrap_or_default(),
            trusted: trusted_unit,
            branch: trusted.name.clone(),
        }));
    }
    let units = units(root, trusted, schemas)?;
    let Some(unit) = units.units.into_iter().find(|u| u.id == trusted_unit) else {
        return Err(Stop::Refused(Refusal::UnknownUnit(trusted_unit)));
    };
    if let Some(name) = duplicate_key(&unit) {
        return Err(Stop::Refused(Refusal::DuplicateKey {
            unit: unit.id.clone(),
            name,
        }));
    }
    Ok(unit)
}

/// The name of a publisher whose key another publisher of `unit` also lists.
pub fn duplicate_key(unit: &Unit) -> Option<String> {
    let mut seen = std::collections::BTreeSet::new();
    unit.publishers.iter().find_map(|p| {
        let fp = super::tag::fingerprint(&p.key).unwrap_or_else(|| p.key.trim().to_owned());
        (!seen.insert(fp)).then(|| p.name.clone())
    })
}
