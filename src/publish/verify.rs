//! Auditing a catalog: every bundle re-hashed against the index and its own
//! manifest, and the index history checked to be append-only.

use std::collections::BTreeMap;
use std::io::Read;

use sha2::{Digest, Sha256};

use crate::bundle::Manifest;
use crate::bundle::assets::hex;
use crate::error::Error;

use super::catalog::Catalog;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Tampered or missing: `verify` fails.
    Error,
    /// Left by an interrupted publish; harmless.
    Warning,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Moment id.
    pub id: String,
    /// Version, when the finding is about one.
    pub version: Option<String>,
    /// What is wrong.
    pub message: String,
}

fn finding(
    severity: Severity,
    id: &str,
    version: Option<&str>,
    message: impl Into<String>,
) -> Finding {
    Finding {
        severity,
        id: id.to_owned(),
        version: version.map(str::to_owned),
        message: message.into(),
    }
}

/// Checks the whole catalog. Returns every finding, and how many bundles were checked.
pub fn verify(catalog: &Catalog) -> Result<(Vec<Finding>, usize), Error> {
    let mut findings = Vec::new();
    let mut checked = 0;
    let mut indexed: BTreeMap<(String, String), ()> = BTreeMap::new();
    for id in catalog.ids()? {
        let Some(index) = catalog.index(&id)? else {
            continue;
        };
        for entry in &index.versions {
            indexed.insert((id.clone(), entry.version.clone()), ());
            checked += 1;
            let Some(bytes) = catalog.bundle(&id, &entry.version)? else {
                findings.push(finding(
                    Severity::Error,
                    &id,
                    Some(&entry.version),
                    "the bundle listed in the index is missing",
                ));
                continue;
            };
            let digest = hex(&Sha256::digest(&bytes));
            if digest != entry.sha256 || bytes.len() as u64 != entry.size {
                findings.push(finding(
                    Severity::Error,
                    &id,
                    Some(&entry.version),
                    format!("the bundle was changed: sha256 {digest} ({} bytes), the index says {} ({} bytes)", bytes.len(), entry.sha256, entry.size),
                ));
                continue;
            }
            if let Err(why) = check_manifest(&bytes) {
                findings.push(finding(
                    Severity::Error,
                    &id,
                    Some(&entry.version),
                    format!("the bundle does not match its manifest: {why}"),
                ));
            }
        }
        history(catalog, &id, &index, &mut findings)?;
    }
    for (id, version) in catalog.bundles()? {
        if !indexed.contains_key(&(id.clone(), version.clone())) {
            let highest = indexed
                .keys()
                .filter(|(i, _)| *i == id)
                .map(|(_, v)| v.clone())
                .max_by(|a, b| super::compare_versions(a, b));
            let message = match highest {
                Some(h) if super::compare_versions(&version, &h).is_lt() => format!(
                    "a bundle that no index lists: a publish refused because {h} was published first; it can be left alone"
                ),
                _ => "a bundle that no index lists (an interrupted publish); publishing the same tag again completes it".to_owned(),
            };
            findings.push(finding(Severity::Warning, &id, Some(&version), message));
        }
    }
    Ok((findings, checked))
}

/// Verifies every file of an archive against the manifest inside it.
pub fn check_manifest(archive: &[u8]) -> Result<(), String> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    for entry in tar.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry
            .path()
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .into_owned();
        let inner = path
            .split_once('/')
            .map_or(path.clone(), |(_, rest)| rest.to_owned());
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        files.insert(inner, bytes);
    }
    let manifest: Manifest =
        serde_json::from_slice(files.get("manifest.json").ok_or("no manifest.json")?)
            .map_err(|e| e.to_string())?;
    for file in &manifest.files {
        let bytes = files
            .get(&file.path)
            .ok_or_else(|| format!("{} is missing", file.path))?;
        if hex(&Sha256::digest(bytes)) != file.sha256 || bytes.len() as u64 != file.size {
            return Err(format!("{} differs from its manifest digest", file.path));
        }
    }
    if files.len() != manifest.files.len() + 1 {
        return Err("the archive holds files the manifest does not list".to_owned());
    }
    Ok(())
}

/// Checks that every index generation only added versions (or yanked them), and
/// that the convenience copy is one of the generations.
fn history(
    catalog: &Catalog,
    id: &str,
    latest: &super::catalog::Index,
    out: &mut Vec<Finding>,
) -> Result<(), Error> {
    let generations = catalog.generations(id)?;
    for pair in generations.windows(2) {
        let (old, new) = (&pair[0], &pair[1]);
        if new.generation != old.generation + 1 {
            out.push(finding(
                Severity::Error,
                id,
                None,
                format!(
                    "index generation {} follows {}",
                    new.generation, old.generation
                ),
            ));
        }
        for entry in &old.versions {
            match new.versions.iter().find(|v| v.version == entry.version) {
                None => out.push(finding(
                    Severity::Error,
                    id,
                    Some(&entry.version),
                    format!(
                        "generation {} dropped this version: the index was rewritten",
                        new.generation
                    ),
                )),
                Some(v) if v.sha256 != entry.sha256 => out.push(finding(
                    Severity::Error,
                    id,
                    Some(&entry.version),
                    format!(
                        "generation {} changed this version's digest: the index was rewritten",
                        new.generation
                    ),
                )),
                Some(v) if entry.yanked && !v.yanked => out.push(finding(
                    Severity::Error,
                    id,
                    Some(&entry.version),
                    format!("generation {} un-yanked this version", new.generation),
                )),
                Some(_) => {}
            }
        }
    }
    match catalog.index_copy(id)? {
        Some(copy) if copy != *latest && !generations.contains(&copy) => {
            out.push(finding(
                Severity::Error,
                id,
                None,
                format!("index/{id}.json matches no index generation"),
            ));
        }
        Some(copy) if copy != *latest => out.push(finding(
            Severity::Warning,
            id,
            None,
            format!(
                "index/{id}.json is generation {}, the latest is {} (an interrupted publish)",
                copy.generation, latest.generation
            ),
        )),
        None => out.push(finding(
            Severity::Warning,
            id,
            None,
            format!("index/{id}.json is missing (an interrupted publish)"),
        )),
        Some(_) => {}
    }
    Ok(())
}
