//! The yank flow: mark a published version as withdrawn, verified like a release.

use std::path::Path;

use crate::digest::hex;
use crate::error::Error;
use crate::load::schema::Schemas;
use crate::model::UnitKind;

use super::catalog::{self, Catalog, IndexEntry, YankRecord};
use super::refusal::{Refusal, Stop};
use super::{parse_tag_name, tag, trust};

/// Yanks a published version: verified like a release, with a signed tag named
/// `yank/<moment-id>/v<version>` by a publisher of the moment's unit (read at the
/// trusted revision, which must contain the yank tag's commit). The bytes stay; the
/// yank tag's message is kept as the reason.
pub fn yank(
    root: &Path,
    tag_name: &str,
    catalog_url: &str,
    trust: Option<&str>,
) -> Result<Result<IndexEntry, Refusal>, Error> {
    Stop::settle(run(root, tag_name, catalog_url, trust))
}

fn run(
    root: &Path,
    tag_name: &str,
    catalog_url: &str,
    trust: Option<&str>,
) -> Result<IndexEntry, Stop> {
    crate::git::revision(tag_name)?;
    let Some(release) = tag_name.strip_prefix("yank/") else {
        return Err(Refusal::TagName(tag_name.to_owned()).into());
    };
    let Some((id, version)) = parse_tag_name(release) else {
        return Err(Refusal::TagName(tag_name.to_owned()).into());
    };
    let trusted = trust::resolve(root, trust)?;
    let object = tag::read(root, tag_name)?;
    if object.object_type != "commit" || crate::git::commit_of(root, &object.object)?.is_none() {
        return Err(Refusal::BadSignature(format!("`{tag_name}` does not tag a commit")).into());
    }
    let catalog = Catalog::open(catalog_url)?;
    let Some(index) = catalog.index(id)? else {
        return Err(Refusal::NotPublished(format!("{id} {version}")).into());
    };
    if !index.versions.iter().any(|v| v.version == version) {
        return Err(Refusal::NotPublished(format!("{id} {version}")).into());
    }
    let unit = trust::unit_for(
        root,
        &trusted,
        tag_name,
        &object.object,
        id,
        &Schemas::compile(),
    )?;
    let signer = tag::verify(&object, &unit.publishers, &unit.id)?;
    if unit.kind == UnitKind::Training {
        return Err(Refusal::Training(unit.id.clone()).into());
    }
    let record = YankRecord {
        tag: tag_name.to_owned(),
        signer,
        at: catalog::now_rfc3339(),
        reason: object.message(),
        commit: object.object.clone(),
        tag_object: hex(&object.raw),
    };
    let index = catalog.update_index(id, |index| {
        let Some(e) = index.versions.iter_mut().find(|v| v.version == version) else {
            return Err(Refusal::NotPublished(format!("{id} {version}")));
        };
        if e.yanked {
            return Ok(false);
        }
        e.yanked = true;
        e.yanked_by = Some(record.clone());
        Ok(true)
    })??;
    Ok(index
        .versions
        .into_iter()
        .find(|v| v.version == version)
        .ok_or_else(|| Refusal::NotPublished(format!("{id} {version}")))?)
}
