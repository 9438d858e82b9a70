//! The publish flow: verify the release tag, build its moment from the tagged
//! commit, and append the bundle to the catalog unless the same or a higher version
//! is there.

use std::path::Path;

use crate::build::{self, BuildOptions};
use crate::bundle::Provenance;
use crate::diagnostic::Severity;
use crate::digest::sha256_hex;
use crate::error::Error;
use crate::load::Target;
use crate::load::schema::Schemas;
use crate::validate;

use super::catalog::{self, Catalog, IndexEntry, Put};
use super::refusal::{Refusal, Stop};
use super::{PublishOptions, Published, compare_versions, release};

/// Verifies, builds and publishes one release tag.
pub fn publish(options: &PublishOptions) -> Result<Result<Published, Refusal>, Error> {
    Stop::settle(run(options))
}

fn run(options: &PublishOptions) -> Result<Published, Stop> {
    let schemas = Schemas::compile();
    let verified = release::verify(
        &options.root,
        &options.tag,
        options.trust.as_deref(),
        &schemas,
    )?;
    let catalog = Catalog::open(&options.catalog)?;
    let published = catalog.index(&verified.id)?.unwrap_or_default();
    let bytes = build_bundle(
        &options.root,
        verified.tree.path(),
        &verified.id,
        &verified.commit,
        &schemas,
    )?;
    let sha256 = sha256_hex(&bytes);
    if let Some(existing) = published
        .versions
        .iter()
        .find(|v| v.version == verified.version)
    {
        if existing.sha256 != sha256 {
            return Err(Refusal::DigestConflict(verified.version.clone()).into());
        }
        // Complete what an interrupted publish may have left undone.
        catalog.refresh_copy(&verified.id)?;
        return Ok(Published::AlreadyThere(existing.clone()));
    }
    if let Some(highest) = highest(&published.versions)
        && compare_versions(&verified.version, &highest) != std::cmp::Ordering::Greater
    {
        return Err(Refusal::NotNewer {
            version: verified.version.clone(),
            published: highest,
        }
        .into());
    }
    match catalog.put_bundle(&verified.id, &verified.version, &bytes)? {
        Put::Created | Put::Same => {}
        Put::Different => return Err(Refusal::DigestConflict(verified.version.clone()).into()),
    }
    let entry = IndexEntry {
        version: verified.version.clone(),
        sha256,
        size: bytes.len() as u64,
        commit: verified.commit.clone(),
        tree: verified.tree_id.clone(),
        tag: options.tag.clone(),
        signer: verified.signer.clone(),
        title: verified.meta.title.clone(),
        language: verified.meta.language.clone(),
        unit: verified.unit.clone(),
        message: verified.message.clone(),
        tag_object: verified.tag_object.clone(),
        approvals: verified.approvals.clone(),
        approvals_required: verified.required,
        published_at: catalog::now_rfc3339(),
        yanked: false,
        yanked_by: None,
    };
    let mut already = None;
    catalog.update_index(&verified.id, |index| {
        if let Some(existing) = index.versions.iter().find(|v| v.version == entry.version) {
            if existing.sha256 == entry.sha256 {
                already = Some(existing.clone());
                return Ok(false);
            }
            return Err(Refusal::DigestConflict(entry.version.clone()));
        }
        if let Some(highest) = highest(&index.versions)
            && compare_versions(&entry.version, &highest) != std::cmp::Ordering::Greater
        {
            return Err(Refusal::NotNewer {
                version: entry.version.clone(),
                published: highest,
            });
        }
        index.versions.push(entry.clone());
        Ok(true)
    })??;
    Ok(match already {
        Some(e) => Published::AlreadyThere(e),
        None => Published::New(entry),
    })
}

/// Builds moment `id` from a tree unpacked at `tree` (the commit `commit` of the
/// repository at `root`), with the commit's time, and returns the archive's bytes.
pub fn build_bundle(
    root: &Path,
    tree: &Path,
    id: &str,
    commit: &str,
    schemas: &Schemas,
) -> Result<Vec<u8>, Stop> {
    let out = tempfile::tempdir().map_err(|e| Error::io("temporary folder", e))?;
    let epoch = crate::git::commit_time(root, commit)?;
    let report = build::run_compiled(
        &BuildOptions {
            target: Target {
                root: tree.to_path_buf(),
                only: vec![id.to_owned()],
            },
            out: out.path().join("dist"),
            check: validate::Options::default(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            provenance: Some(Provenance {
                source_commit: Some(commit.to_owned()),
                source_date_epoch: epoch,
                tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            }),
        },
        &build::Hooks {
            progress: &|| {},
            waiting: &|_| {},
        },
        schemas,
    )?;
    let errors: Vec<_> = report
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(Refusal::CheckErrors(errors).into());
    }
    let written = report
        .written
        .iter()
        .find(|w| w.id == id)
        .ok_or_else(|| Error::Internal(format!("the build wrote no bundle for `{id}`")))?;
    Ok(std::fs::read(&written.archive).map_err(|e| Error::io(&written.archive, e))?)
}

fn highest(versions: &[IndexEntry]) -> Option<String> {
    versions
        .iter()
        .map(|v| v.version.clone())
        .max_by(|a, b| compare_versions(a, b))
}
