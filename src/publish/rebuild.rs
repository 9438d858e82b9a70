//! `catalog verify --rebuild REPO`: rebuild each published version from its signed
//! tag in a source repository and compare the archive byte for byte.

use std::path::Path;

use crate::digest::sha256_hex;
use crate::error::Error;
use crate::load::at::{Side, files};
use crate::load::schema::Schemas;

use super::Stop;
use super::catalog::Catalog;
use super::verify::{Finding, Severity};

/// Rebuilds every version in the catalog (or only `only`, an id) from `repo`.
/// Returns the findings and how many versions were rebuilt.
pub fn rebuild(
    catalog: &Catalog,
    repo: &Path,
    only: Option<&str>,
) -> Result<(Vec<Finding>, usize), Error> {
    let mut findings = Vec::new();
    let mut rebuilt = 0;
    let schemas = Schemas::compile();
    let mut error = |id: &str, version: &str, message: String| {
        findings.push(Finding {
            severity: Severity::Error,
            id: id.to_owned(),
            version: Some(version.to_owned()),
            message,
        });
    };
    for id in catalog.ids()? {
        if only.is_some_and(|o| o != id) {
            continue;
        }
        let Some(index) = catalog.index(&id)? else {
            continue;
        };
        for entry in &index.versions {
            rebuilt += 1;
            let v = entry.version.as_str();
            let commit = crate::git::commit_of(repo, &format!("refs/tags/{}", entry.tag))?;
            if commit.as_deref() != Some(entry.commit.as_str()) {
                error(
                    &id,
                    v,
                    format!(
                        "the tag `{}` in {} does not point at the published commit {}",
                        entry.tag,
                        repo.display(),
                        entry.commit
                    ),
                );
                continue;
            }
            let tree = files(repo, &Side::Revision(entry.commit.clone()))?;
            let bytes = match Stop::settle(super::build_bundle(
                repo,
                tree.path(),
                &id,
                &entry.commit,
                &schemas,
            ))? {
                Ok(bytes) => bytes,
                Err(refusal) => {
                    error(&id, v, format!("the tag does not build: {refusal}"));
                    continue;
                }
            };
            drop(tree);
            let Some(stored) = catalog.bundle(&id, v)? else {
                error(&id, v, "the catalog's bundle is missing".to_owned());
                continue;
            };
            if bytes != stored {
                error(
                    &id,
                    v,
                    format!(
                        "the catalog's bundle (sha256 {}) differs from the one built from `{}` (sha256 {})",
                        sha256_hex(&stored),
                        entry.tag,
                        sha256_hex(&bytes)
                    ),
                );
            }
        }
    }
    Ok((findings, rebuilt))
}
