//! The publish stage: verify a signed release tag, build its moment from the tagged
//! commit (never from the working tree), and append the bundle to the catalog.

pub mod approvals;
pub mod catalog;
mod durable;
pub mod rebuild;
mod refusal;
pub mod release;
pub mod risk;
pub mod tag;
pub mod trust;
pub mod verify;

use std::path::{Path, PathBuf};

use crate::build::{self, BuildOptions};
use crate::bundle::Provenance;
use crate::diagnostic::Severity;
use crate::digest::{hex, sha256_hex};
use crate::error::Error;
use crate::load::Target;
use crate::load::schema::Schemas;
use crate::model::UnitKind;
use crate::validate;
use catalog::{Catalog, IndexEntry, Put, YankRecord};
pub use refusal::Refusal;

/// What to publish.
#[derive(Clone, Debug)]
pub struct PublishOptions {
    /// The git repository (moments repository root).
    pub root: PathBuf,
    /// The release tag.
    pub tag: String,
    /// The catalog URL.
    pub catalog: String,
    /// The trusted revision to read the publishers and units from (default:
    /// `origin/HEAD`; never the tagged tree).
    pub trust: Option<String>,
}

/// What a publish did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Published {
    /// Appended to the catalog.
    New(IndexEntry),
    /// The same bytes were already published: nothing changed.
    AlreadyThere(IndexEntry),
}

/// Splits `somn/v1.2.0` into (`somn`, `1.2.0`).
pub fn parse_tag_name(tag: &str) -> Option<(&str, &str)> {
    let (id, version) = tag.rsplit_once('/')?;
    let version = version.strip_prefix('v')?;
    (!id.is_empty() && !version.is_empty()).then_some((id, version))
}

/// Compares two semantic versions as semver orders them (see [`crate::version`]).
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    crate::version::compare(a, b)
}

macro_rules! refuse {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return Ok(Err(r)),
        }
    };
}

/// Verifies, builds and publishes one release tag.
pub fn publish(options: &PublishOptions) -> Result<Result<Published, Refusal>, Error> {
    let schemas = Schemas::compile();
    let verified = refuse!(release::verify(
        &options.root,
        &options.tag,
        options.trust.as_deref(),
        &schemas
    )?);
    let catalog = Catalog::open(&options.catalog)?;
    let published = catalog.index(&verified.id)?.unwrap_or_default();
    let bytes = refuse!(build_bundle(
        &options.root,
        verified.tree.path(),
        &verified.id,
        &verified.commit,
        &schemas
    )?);
    let sha256 = sha256_hex(&bytes);
    if let Some(existing) = published
        .versions
        .iter()
        .find(|v| v.version == verified.version)
    {
        return Ok(if existing.sha256 == sha256 {
            // Complete what an interrupted publish may have left undone.
            catalog.refresh_copy(&verified.id)?;
            Ok(Published::AlreadyThere(existing.clone()))
        } else {
            Err(Refusal::DigestConflict(verified.version.clone()))
        });
    }
    if let Some(highest) = highest(&published.versions)
        && compare_versions(&verified.version, &highest) != std::cmp::Ordering::Greater
    {
        return Ok(Err(Refusal::NotNewer {
            version: verified.version.clone(),
            published: highest,
        }));
    }
    match catalog.put_bundle(&verified.id, &verified.version, &bytes)? {
        Put::Created | Put::Same => {}
        Put::Different => return Ok(Err(Refusal::DigestConflict(verified.version.clone()))),
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
    let result = catalog.update_index(&verified.id, |index| {
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
    })?;
    Ok(match result {
        Err(r) => Err(r),
        Ok(_) => Ok(match already {
            Some(e) => Published::AlreadyThere(e),
            None => Published::New(entry),
        }),
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
) -> Result<Result<Vec<u8>, Refusal>, Error> {
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
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if let Some(first) = errors.first() {
        return Ok(Err(Refusal::CheckErrors(
            errors.len(),
            format!(
                "{}:{} {} {}",
                first.file, first.line, first.code, first.message
            ),
        )));
    }
    let written = report
        .written
        .iter()
        .find(|w| w.id == id)
        .ok_or_else(|| Error::Usage(format!("the build wrote no bundle for `{id}`")))?;
    std::fs::read(&written.archive)
        .map(Ok)
        .map_err(|e| Error::io(&written.archive, e))
}

fn highest(versions: &[IndexEntry]) -> Option<String> {
    versions
        .iter()
        .map(|v| v.version.clone())
        .max_by(|a, b| compare_versions(a, b))
}

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
    crate::git::revision(tag_name)?;
    let Some(release) = tag_name.strip_prefix("yank/") else {
        return Ok(Err(Refusal::TagName(tag_name.to_owned())));
    };
    let Some((id, version)) = parse_tag_name(release) else {
        return Ok(Err(Refusal::TagName(tag_name.to_owned())));
    };
    let trusted = refuse!(trust::resolve(root, trust)?);
    let object = refuse!(tag::read(root, tag_name)?);
    if object.object_type != "commit" || crate::git::commit_of(root, &object.object)?.is_none() {
        return Ok(Err(Refusal::BadSignature(format!(
            "`{tag_name}` does not tag a commit"
        ))));
    }
    let catalog = Catalog::open(catalog_url)?;
    let Some(index) = catalog.index(id)? else {
        return Ok(Err(Refusal::NotPublished(format!("{id} {version}"))));
    };
    if !index.versions.iter().any(|v| v.version == version) {
        return Ok(Err(Refusal::NotPublished(format!("{id} {version}"))));
    }
    let unit = refuse!(trust::unit_for(
        root,
        &trusted,
        tag_name,
        &object.object,
        id,
        &Schemas::compile()
    )?);
    let signer = refuse!(tag::verify(&object, &unit.publishers, &unit.id));
    if unit.kind == UnitKind::Training {
        return Ok(Err(Refusal::Training(unit.id.clone())));
    }
    let record = YankRecord {
        tag: tag_name.to_owned(),
        signer,
        at: catalog::now_rfc3339(),
        reason: object.message(),
        commit: object.object.clone(),
        tag_object: hex(&object.raw),
    };
    let result = catalog.update_index(id, |index| {
        let Some(e) = index.versions.iter_mut().find(|v| v.version == version) else {
            return Err(Refusal::NotPublished(format!("{id} {version}")));
        };
        if e.yanked {
            return Ok(false);
        }
        e.yanked = true;
        e.yanked_by = Some(record.clone());
        Ok(true)
    })?;
    Ok(result.and_then(|index| {
        index
            .versions
            .into_iter()
            .find(|v| v.version == version)
            .ok_or_else(|| Refusal::NotPublished(format!("{id} {version}")))
    }))
}
