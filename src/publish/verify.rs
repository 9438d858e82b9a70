//! Auditing a catalog without the source repository: every bundle re-hashed against
//! the index and its own manifest; the index generations checked to be one unbroken
//! hash chain (each names the SHA-256 of the one before) that only ever appends
//! versions or yanks them; the copy `index/<id>.json` equal to the chain's head; and,
//! with `--signatures`, every stored tag object re-verified.
//!
//! Everything wrong with the catalog's content is a finding (exit 1), never an
//! error of the command: a file that does not parse is tampering like any other.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use crate::bundle::Manifest;
use crate::digest::sha256_hex;
use crate::error::Error;
use crate::model::{Publisher, UnitsFile};

use super::catalog::{Catalog, Index, IndexEntry};
use super::tag;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Tampered, missing or incomplete: `verify` fails.
    Error,
    /// Harmless leftovers (a bundle no index lists).
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

/// What to check besides the bytes and the chain.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Re-verify every stored signature against the key recorded with it.
    pub signatures: bool,
    /// Also require every signer to be a publisher of the entry's unit here, and the
    /// unit's approvals rule to hold.
    pub units: Option<UnitsFile>,
}

struct Findings {
    out: Vec<Finding>,
}

impl Findings {
    fn error(&mut self, id: &str, version: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Error, id, version, message);
    }

    fn push(
        &mut self,
        severity: Severity,
        id: &str,
        version: Option<&str>,
        message: impl Into<String>,
    ) {
        self.out.push(Finding {
            severity,
            id: id.to_owned(),
            version: version.map(str::to_owned),
            message: message.into(),
        });
    }
}

/// Checks the whole catalog. Returns every finding, and how many bundles were checked.
pub fn verify(catalog: &Catalog, options: &VerifyOptions) -> Result<(Vec<Finding>, usize), Error> {
    let mut findings = Findings { out: Vec::new() };
    let mut checked = 0;
    let mut indexed: BTreeSet<(String, String)> = BTreeSet::new();
    let bundles = catalog.bundles()?;
    let mut ids: BTreeSet<String> = catalog.ids()?.into_iter().collect();
    ids.extend(bundles.iter().map(|(id, _)| id.clone()));
    for id in &ids {
        let Some(head) = chain(catalog, id, &mut findings)? else {
            continue;
        };
        for entry in &head.versions {
            indexed.insert((id.clone(), entry.version.clone()));
            checked += 1;
            bundle(catalog, id, entry, &mut findings)?;
            records(id, entry, &mut findings);
            if options.signatures || options.units.is_some() {
                signatures(id, entry, options.units.as_ref(), &mut findings);
            }
        }
    }
    for (id, version) in bundles {
        if !indexed.contains(&(id.clone(), version.clone())) {
            let highest = indexed
                .iter()
                .filter(|(i, _)| *i == id)
                .map(|(_, v)| v.clone())
                .max_by(|a, b| super::compare_versions(a, b));
            let message = match highest {
                Some(h) if super::compare_versions(&version, &h).is_lt() => format!(
                    "a bundle that no index lists: a publish refused because {h} was published first; it can be left alone"
                ),
                _ => "a bundle that no index lists (an interrupted publish); publishing the same tag again completes it".to_owned(),
            };
            findings.push(Severity::Warning, &id, Some(&version), message);
        }
    }
    Ok((findings.out, checked))
}

/// The generation number in `index/<id>/<generation>.json`, when the name is one.
fn generation_number(id: &str, path: &str) -> Option<u64> {
    let name = path.strip_prefix(&format!("index/{id}/"))?;
    let digits = name.strip_suffix(".json")?;
    (digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Checks the hash chain of `id`'s index generations and the copy; returns the head.
fn chain(catalog: &Catalog, id: &str, out: &mut Findings) -> Result<Option<Index>, Error> {
    let mut generations: Vec<(u64, Index, Vec<u8>)> = Vec::new();
    for (path, bytes) in catalog.generation_files(id)? {
        let Some(number) = generation_number(id, &path) else {
            out.error(
                id,
                None,
                format!("{path} is not an index generation's name (index/{id}/<10 digits>.json)"),
            );
            continue;
        };
        let index: Index = match serde_json::from_slice(&bytes) {
            Ok(index) => index,
            Err(e) => {
                out.error(
                    id,
                    None,
                    format!("{path} is not a readable index generation: {e}"),
                );
                continue;
            }
        };
        if index.id != id || index.generation != number {
            out.error(
                id,
                None,
                format!(
                    "{path} holds generation {} of `{}`, not generation {number} of `{id}`",
                    index.generation, index.id
                ),
            );
            continue;
        }
        generations.push((number, index, bytes));
    }
    generations.sort_by_key(|(n, _, _)| *n);
    let copy = catalog.index_copy_bytes(id)?;
    let Some((_, head, head_bytes)) = generations.last() else {
        if copy.is_some() {
            out.error(
                id,
                None,
                format!("index/{id}.json lists versions but the history index/{id}/ is missing"),
            );
        }
        return Ok(None);
    };
    let mut expected = 1;
    let mut previous: Option<&(u64, Index, Vec<u8>)> = None;
    for generation in &generations {
        let (number, index, _) = generation;
        if *number != expected {
            out.error(
                id,
                None,
                format!("index generation {expected} is missing (the next is {number})"),
            );
        }
        let digest = previous.map(|(_, _, bytes)| sha256_hex(bytes));
        match previous {
            Some(prev) if *number == prev.0 + 1 => {
                if index.previous != digest {
                    out.error(id, None, format!("index generation {number} does not chain onto generation {}: the history was rewritten", prev.0));
                }
                append_only(id, &prev.1, index, out);
            }
            None if *number == 1 && index.previous.is_some() => {
                out.error(id, None, "index generation 1 names a previous generation: the start of the history was removed");
            }
            _ => {}
        }
        expected = number + 1;
        previous = Some(generation);
    }
    match copy {
        None => out.error(
            id,
            None,
            format!("index/{id}.json is missing: re-run the latest publish or yank to complete it"),
        ),
        Some(bytes) if bytes != *head_bytes => {
            let older = generations.iter().find(|(_, _, b)| *b == bytes);
            out.error(id, None, match older {
                Some((n, _, _)) => format!("index/{id}.json is generation {n}, the head is {}: re-run the latest publish or yank to complete it", head.generation),
                None => format!("index/{id}.json matches no index generation: it was changed"),
            });
        }
        Some(_) => {}
    }
    Ok(Some(head.clone()))
}

/// A generation may add versions at the end and yank one; nothing else changes.
fn append_only(id: &str, old: &Index, new: &Index, out: &mut Findings) {
    let n = new.generation;
    for (i, entry) in old.versions.iter().enumerate() {
        let v = Some(entry.version.as_str());
        let Some(now) = new.versions.get(i).filter(|e| e.version == entry.version) else {
            out.error(
                id,
                v,
                format!("generation {n} dropped or moved this version: the index was rewritten"),
            );
            continue;
        };
        let mut same = now.clone();
        same.yanked = entry.yanked;
        same.yanked_by.clone_from(&entry.yanked_by);
        if same != *entry {
            out.error(
                id,
                v,
                format!(
                    "generation {n} rewrote this version's record (signer, commit, tag or digest)"
                ),
            );
        }
        if entry.yanked && !now.yanked {
            out.error(id, v, format!("generation {n} un-yanked this version"));
        }
        if entry.yanked_by.is_some() && now.yanked_by != entry.yanked_by {
            out.error(
                id,
                v,
                format!("generation {n} rewrote this version's yank record"),
            );
        }
    }
}

/// Every entry carries its signed records.
fn records(id: &str, entry: &IndexEntry, out: &mut Findings) {
    let v = Some(entry.version.as_str());
    if entry.tag_object.is_empty() {
        out.error(id, v, "the entry carries no signed tag object");
    }
    if entry.yanked
        && entry
            .yanked_by
            .as_ref()
            .is_none_or(|y| y.tag_object.is_empty())
    {
        out.error(id, v, "the version is yanked without a signed yank record");
    }
}

fn bundle(
    catalog: &Catalog,
    id: &str,
    entry: &IndexEntry,
    out: &mut Findings,
) -> Result<(), Error> {
    let v = Some(entry.version.as_str());
    let Some(bytes) = catalog.bundle(id, &entry.version)? else {
        out.error(id, v, "the bundle listed in the index is missing");
        return Ok(());
    };
    let digest = sha256_hex(&bytes);
    if digest != entry.sha256 || bytes.len() as u64 != entry.size {
        out.error(
            id,
            v,
            format!(
                "the bundle was changed: sha256 {digest} ({} bytes), the index says {} ({} bytes)",
                bytes.len(),
                entry.sha256,
                entry.size
            ),
        );
    } else if let Err(why) = check_manifest(&bytes) {
        out.error(
            id,
            v,
            format!("the bundle does not match its manifest: {why}"),
        );
    }
    Ok(())
}

/// Re-verifies one stored tag object: it names `name`, tags `commit`, and is signed
/// by one of `keys`. Returns the signer's fingerprint, or why not.
fn check_tag(
    stored: &str,
    name: &str,
    commit: &str,
    keys: &[Publisher],
    unit: &str,
) -> Result<String, String> {
    let raw = crate::digest::unhex(stored).ok_or("the stored tag object is not hex")?;
    let object = tag::parse(name, &raw);
    if object.object != commit {
        return Err(format!(
            "the stored tag `{name}` tags {}, the entry says {commit}",
            object.object
        ));
    }
    tag::verify(&object, keys, unit)
        .map(|s| s.fingerprint)
        .map_err(|r| format!("the stored tag `{name}` does not verify: {r}"))
}

fn signatures(id: &str, entry: &IndexEntry, units: Option<&UnitsFile>, out: &mut Findings) {
    let v = Some(entry.version.as_str());
    let unit = units.and_then(|u| u.units.iter().find(|u| u.id == entry.unit));
    if units.is_some() && unit.is_none() {
        out.error(
            id,
            v,
            format!("unit `{}` is not in the given units.yaml", entry.unit),
        );
        return;
    }
    let keys = |name: &str, key: &str| -> Vec<Publisher> {
        match unit {
            Some(unit) => unit.publishers.clone(),
            None => vec![Publisher {
                name: name.to_owned(),
                key: key.to_owned(),
            }],
        }
    };
    let mut check =
        |stored: &str, tag_name: &str, commit: &str, name: &str, key: &str, recorded: &str| {
            match check_tag(stored, tag_name, commit, &keys(name, key), &entry.unit) {
                Ok(fp) if fp == recorded => Some(fp),
                Ok(fp) => {
                    out.error(
                        id,
                        v,
                        format!("`{tag_name}` is signed by {fp}, the entry records {recorded}"),
                    );
                    None
                }
                Err(why) => {
                    out.error(id, v, why);
                    None
                }
            }
        };
    let s = &entry.signer;
    let mut signers = BTreeSet::new();
    signers.extend(check(
        &entry.tag_object,
        &entry.tag,
        &entry.commit,
        &s.name,
        &s.key,
        &s.fingerprint,
    ));
    for a in &entry.approvals {
        signers.extend(check(
            &a.tag_object,
            &a.tag,
            &entry.commit,
            &a.signer.name,
            &a.signer.key,
            &a.signer.fingerprint,
        ));
    }
    if let Some(y) = &entry.yanked_by {
        check(
            &y.tag_object,
            &y.tag,
            &y.commit,
            &y.signer.name,
            &y.signer.key,
            &y.signer.fingerprint,
        );
    }
    let required = unit.map_or(entry.approvals_required, super::approvals::required);
    if (signers.len() as u32) < required {
        out.error(
            id,
            v,
            format!(
                "{} distinct publisher(s) signed this version, the unit requires {required}",
                signers.len()
            ),
        );
    }
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
        if sha256_hex(bytes) != file.sha256 || bytes.len() as u64 != file.size {
            return Err(format!("{} differs from its manifest digest", file.path));
        }
    }
    if files.len() != manifest.files.len() + 1 {
        return Err("the archive holds files the manifest does not list".to_owned());
    }
    Ok(())
}
