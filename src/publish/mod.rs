//! The publish stage: verify a signed release tag, build its moment from the tagged
//! commit (never from the working tree), and append the bundle to the catalog.

pub mod catalog;
pub mod tag;
pub mod verify;

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::build::{self, BuildOptions};
use crate::bundle::Provenance;
use crate::bundle::assets::hex;
use crate::diagnostic::{Code, Severity};
use crate::error::Error;
use crate::load::yaml::{self, Offset};
use crate::load::{self, Target};
use crate::model::{UnitKind, UnitsFile};
use crate::schema::{SchemaKind, Schemas};
use crate::validate;
use catalog::{Catalog, IndexEntry, Put, YankRecord};
use tag::Signer;

/// Why a publish (or yank) was refused. Each is one clear sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The tag name is not `<moment-id>/v<version>`.
    TagName(String),
    /// A lightweight tag carries no signature.
    Lightweight(String),
    /// An annotated tag without a signature.
    Unsigned(String),
    /// Signed with PGP rather than SSH.
    PgpSignature(String),
    /// The signature does not verify.
    BadSignature(String),
    /// The ref names another tag than the signed object (a re-pointed ref).
    TagNameMismatch {
        /// The ref.
        ref_name: String,
        /// The name inside the signed tag.
        inside: String,
    },
    /// The signer is not a publisher of the moment's unit.
    NotPublisher {
        /// The signer's key.
        fingerprint: String,
        /// The unit.
        unit: String,
    },
    /// The moment's unit is not in the trusted units.yaml.
    UnknownUnit(String),
    /// Training units never publish.
    Training(String),
    /// moment.yaml at the tag says another version.
    VersionMismatch {
        /// From the tag.
        tag: String,
        /// From moment.yaml.
        file: String,
    },
    /// The version is not above every published version.
    NotNewer {
        /// The version.
        version: String,
        /// The highest published.
        published: String,
    },
    /// `check` finds errors at the tag.
    CheckErrors(usize, String),
    /// No risk analysis at the tag.
    NoRiskAnalysis(String),
    /// The same version was published with other bytes.
    DigestConflict(String),
    /// Yanking a version that was never published.
    NotPublished(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::TagName(t) => write!(
                f,
                "`{t}` is not a release tag: release tags are named <moment-id>/v<version>, such as somn/v1.2.0"
            ),
            Refusal::Lightweight(t) => write!(
                f,
                "`{t}` is a lightweight tag and cannot carry a signature: a publisher must create it with `git tag -s`"
            ),
            Refusal::Unsigned(t) => write!(
                f,
                "`{t}` is not signed: a publisher must sign it with their SSH key (`git tag -s`)"
            ),
            Refusal::PgpSignature(t) => write!(
                f,
                "`{t}` is signed with PGP, but publishers sign with the SSH keys listed in units.yaml"
            ),
            Refusal::BadSignature(why) => write!(f, "the tag's signature is not valid: {why}"),
            Refusal::TagNameMismatch { ref_name, inside } => write!(
                f,
                "the ref `{ref_name}` points at the signed tag `{inside}`: a tag must not be re-pointed to another name"
            ),
            Refusal::NotPublisher { fingerprint, unit } => write!(
                f,
                "the tag is signed by key {fingerprint}, which is not a publisher of unit `{unit}` in units.yaml"
            ),
            Refusal::UnknownUnit(u) => write!(f, "unit `{u}` is not in the trusted units.yaml"),
            Refusal::Training(u) => write!(
                f,
                "unit `{u}` is a training unit (utbildningsutgivarenhet), and training units never publish"
            ),
            Refusal::VersionMismatch { tag, file } => write!(
                f,
                "the tag says version {tag} but moment.yaml at the tag says {file}"
            ),
            Refusal::NotNewer { version, published } => write!(
                f,
                "version {version} is not greater than the published version {published}"
            ),
            Refusal::CheckErrors(n, first) => write!(
                f,
                "`moment check` finds {n} error(s) at the tag, first: {first}"
            ),
            Refusal::NoRiskAnalysis(id) => write!(
                f,
                "`{id}` has no risk analysis at the tag: add one and point `risk_analysis:` at it"
            ),
            Refusal::DigestConflict(v) => write!(
                f,
                "version {v} is already in the catalog with other content; published versions never change, so bump the version"
            ),
            Refusal::NotPublished(v) => write!(f, "{v} is not in the catalog"),
        }
    }
}

/// What to publish.
#[derive(Clone, Debug)]
pub struct PublishOptions {
    /// The git repository (moments repository root).
    pub root: PathBuf,
    /// The release tag.
    pub tag: String,
    /// The catalog URL.
    pub catalog: String,
    /// Where to read the publishers from: a git revision (default: the tagged commit).
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

/// Reads and validates units.yaml at a git revision.
fn trusted_units(root: &Path, rev: &str) -> Result<UnitsFile, Error> {
    let prefix = crate::git::prefix(root)?;
    let text = crate::git::run(root, &["show", &format!("{rev}:{prefix}units.yaml")])
        .map_err(|_| Error::Usage(format!("there is no units.yaml at {rev}")))?;
    let text = String::from_utf8_lossy(&text).into_owned();
    let node = yaml::parse(&text, Offset::NONE)
        .map_err(|d| Error::Usage(format!("units.yaml at {rev}: {}", d.message)))?
        .ok_or_else(|| Error::Usage(format!("units.yaml at {rev} is empty")))?;
    let mut problems = Vec::new();
    let json = Schemas::compile()
        .validate(SchemaKind::Units, &node, &mut problems)
        .ok_or_else(|| {
            Error::Usage(format!(
                "units.yaml at {rev} is not valid: run `moment check`"
            ))
        })?;
    serde_json::from_value(json).map_err(|e| Error::Usage(format!("units.yaml at {rev}: {e}")))
}

/// Compares two semantic versions as semver orders them: numbers numerically, a
/// pre-release before its release, pre-release parts numbers before words.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn split(v: &str) -> (Vec<u64>, Option<&str>) {
        let v = v.split('+').next().unwrap_or(v);
        let (core, pre) = v.split_once('-').map_or((v, None), |(c, p)| (c, Some(p)));
        (
            core.split('.').map(|p| p.parse().unwrap_or(0)).collect(),
            pre,
        )
    }
    let ((ca, pa), (cb, pb)) = (split(a), split(b));
    ca.cmp(&cb).then_with(|| match (pa, pb) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => {
            let (xs, ys): (Vec<&str>, Vec<&str>) = (x.split('.').collect(), y.split('.').collect());
            for (p, q) in xs.iter().zip(&ys) {
                let order = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => p.cmp(q),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
            xs.len().cmp(&ys.len())
        }
    })
}

/// The verified tag, the moment's unit and the extracted tree.
struct Verified {
    id: String,
    version: String,
    commit: String,
    signer: Signer,
    tree: tempfile::TempDir,
}

fn verify_tag(
    root: &Path,
    tag_name: &str,
    trust: Option<&str>,
) -> Result<Result<Verified, Refusal>, Error> {
    let Some((id, version)) = parse_tag_name(tag_name) else {
        return Ok(Err(Refusal::TagName(tag_name.to_owned())));
    };
    let tag = match tag::read(root, tag_name)? {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    let commit = String::from_utf8_lossy(&crate::git::run(
        root,
        &["rev-parse", &format!("refs/tags/{tag_name}^{{commit}}")],
    )?)
    .trim()
    .to_owned();
    let (tree, path) = crate::diff::source::extract(root, &commit)?;
    let schemas = Schemas::compile();
    let repo = load::load(
        &Target {
            root: path,
            only: vec![id.to_owned()],
        },
        &schemas,
    );
    let meta = repo
        .moments
        .iter()
        .find(|m| m.folder == id)
        .and_then(|m| m.meta.clone());
    let Some(meta) = meta else {
        let errors = validate::repository(&repo, &validate::Options::default());
        let first = errors.iter().find(|d| d.severity == Severity::Error);
        return Ok(Err(match first {
            Some(d) => Refusal::CheckErrors(
                errors
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count(),
                format!("{}:{} {} {}", d.file, d.line, d.code, d.message),
            ),
            None => Refusal::CheckErrors(1, format!("there is no moment `{id}` at the tag")),
        }));
    };
    let units = trusted_units(root, trust.unwrap_or(&commit))?;
    let Some(unit) = units.units.iter().find(|u| u.id == meta.unit) else {
        return Ok(Err(Refusal::UnknownUnit(meta.unit.clone())));
    };
    let signer = match tag::verify(&tag, &unit.publishers, &unit.id) {
        Ok(s) => s,
        Err(r) => return Ok(Err(r)),
    };
    if unit.kind == UnitKind::Training {
        return Ok(Err(Refusal::Training(unit.id.clone())));
    }
    if meta.version != version {
        return Ok(Err(Refusal::VersionMismatch {
            tag: version.to_owned(),
            file: meta.version.clone(),
        }));
    }
    Ok(Ok(Verified {
        id: id.to_owned(),
        version: version.to_owned(),
        commit,
        signer,
        tree,
    }))
}

/// Verifies, builds and publishes one release tag.
pub fn publish(options: &PublishOptions) -> Result<Result<Published, Refusal>, Error> {
    let verified = match verify_tag(&options.root, &options.tag, options.trust.as_deref())? {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    let catalog = Catalog::open(&options.catalog)?;
    let published = catalog.index(&verified.id)?.unwrap_or_default();
    // Build from the tagged tree, with the commit's time, into a scratch folder.
    let out = tempfile::tempdir().map_err(|e| Error::io("temporary folder", e))?;
    let epoch: u64 = String::from_utf8_lossy(&crate::git::run(
        &options.root,
        &["log", "-1", "--format=%ct", &verified.commit],
    )?)
    .trim()
    .parse()
    .unwrap_or(0);
    let report = build::run(
        &BuildOptions {
            target: Target {
                root: verified.tree.path().to_path_buf(),
                only: vec![verified.id.clone()],
            },
            out: out.path().join("dist"),
            check: validate::Options::default(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            provenance: Some(Provenance {
                source_commit: Some(verified.commit.clone()),
                source_date_epoch: epoch,
                tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            }),
        },
        &|| {},
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
    if report
        .diagnostics
        .iter()
        .any(|d| d.code == Code::NoRiskAnalysis)
    {
        return Ok(Err(Refusal::NoRiskAnalysis(verified.id.clone())));
    }
    let written = report
        .written
        .iter()
        .find(|w| w.id == verified.id)
        .ok_or_else(|| Error::Usage(format!("the build wrote no bundle for `{}`", verified.id)))?;
    let bytes = std::fs::read(&written.archive).map_err(|e| Error::io(&written.archive, e))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    if let Some(existing) = published
        .versions
        .iter()
        .find(|v| v.version == verified.version)
    {
        return Ok(if existing.sha256 == sha256 {
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
        sha256: sha256.clone(),
        size: bytes.len() as u64,
        commit: verified.commit.clone(),
        tag: options.tag.clone(),
        signer: verified.signer.clone(),
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

fn highest(versions: &[IndexEntry]) -> Option<String> {
    versions
        .iter()
        .map(|v| v.version.clone())
        .max_by(|a, b| compare_versions(a, b))
}

/// Yanks a published version: verified like a release, with a signed tag named
/// `yank/<moment-id>/v<version>` by a publisher of the moment's unit. The bytes stay.
pub fn yank(
    root: &Path,
    tag_name: &str,
    catalog_url: &str,
    trust: Option<&str>,
) -> Result<Result<IndexEntry, Refusal>, Error> {
    let Some(release) = tag_name.strip_prefix("yank/") else {
        return Ok(Err(Refusal::TagName(tag_name.to_owned())));
    };
    let Some((id, version)) = parse_tag_name(release) else {
        return Ok(Err(Refusal::TagName(tag_name.to_owned())));
    };
    let tag = match tag::read(root, tag_name)? {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    let catalog = Catalog::open(catalog_url)?;
    let Some(index) = catalog.index(id)? else {
        return Ok(Err(Refusal::NotPublished(format!("{id} {version}"))));
    };
    let Some(entry) = index.versions.iter().find(|v| v.version == version) else {
        return Ok(Err(Refusal::NotPublished(format!("{id} {version}"))));
    };
    let rev = trust.map_or_else(|| entry.commit.clone(), str::to_owned);
    let units = trusted_units(root, &rev)?;
    let unit_id = moment_unit(root, &rev, id)?;
    let Some(unit) = units.units.iter().find(|u| u.id == unit_id) else {
        return Ok(Err(Refusal::UnknownUnit(unit_id)));
    };
    let signer = match tag::verify(&tag, &unit.publishers, &unit.id) {
        Ok(s) => s,
        Err(r) => return Ok(Err(r)),
    };
    let record = YankRecord {
        tag: tag_name.to_owned(),
        signer,
        at: catalog::now_rfc3339(),
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

fn moment_unit(root: &Path, rev: &str, id: &str) -> Result<String, Error> {
    let prefix = crate::git::prefix(root)?;
    let text = crate::git::run(
        root,
        &["show", &format!("{rev}:{prefix}moments/{id}/moment.yaml")],
    )?;
    let text = String::from_utf8_lossy(&text).into_owned();
    let node = yaml::parse(&text, Offset::NONE)
        .ok()
        .flatten()
        .ok_or_else(|| Error::Usage(format!("moments/{id}/moment.yaml at {rev} cannot be read")))?;
    match node.get("unit").map(|n| &n.value) {
        Some(yaml::Value::Str(u)) => Ok(u.clone()),
        _ => Err(Error::Usage(format!(
            "moments/{id}/moment.yaml at {rev} names no unit"
        ))),
    }
}
