//! Verifying a release tag before anything is built: the trusted revision, the
//! signature over the raw tag bytes, the unit and its approvals (all read at the
//! trusted revision), the version and the risk analysis at the tagged tree.

use std::path::Path;

use crate::diagnostic::Severity;
use crate::digest::hex;
use crate::error::Error;
use crate::load::schema::Schemas;
use crate::load::{self, at::Side};
use crate::model::{MomentMeta, UnitKind};
use crate::validate;

use super::catalog::Approval;
use super::refusal::Stop;
use super::tag::{self, Signer};
use super::trust::{self, Trusted};
use super::{Refusal, approvals, parse_tag_name};
use crate::risk_analysis as risk;

/// A verified release: who signed and approved it, and its tree unpacked.
pub struct Verified {
    /// Moment id.
    pub id: String,
    /// Version.
    pub version: String,
    /// The tagged commit.
    pub commit: String,
    /// Its tree.
    pub tree_id: String,
    /// Who signed the release tag.
    pub signer: Signer,
    /// Further approvals.
    pub approvals: Vec<Approval>,
    /// Approvals the unit requires.
    pub required: u32,
    /// The unit (from the trusted revision).
    pub unit: String,
    /// moment.yaml at the tag.
    pub meta: MomentMeta,
    /// The release message.
    pub message: String,
    /// The raw tag object, hex.
    pub tag_object: String,
    /// The trusted revision.
    pub trusted: Trusted,
    /// The unpacked tree.
    pub tree: load::at::Files,
}

/// The most of a risk analysis that is read.
const MAX_RISK_BYTES: u64 = 1 << 20;

/// Verifies release tag `tag_name` in `root` against the trusted revision.
pub fn verify(
    root: &Path,
    tag_name: &str,
    trust: Option<&str>,
    schemas: &Schemas,
) -> Result<Verified, Stop> {
    crate::git::revision(tag_name)?;
    let Some((id, version)) = parse_tag_name(tag_name) else {
        return Err(Stop::Refused(Refusal::TagName(tag_name.to_owned())));
    };
    let trusted = trust::resolve(root, trust)?;
    let object = tag::read(root, tag_name)?;
    if object.name != tag_name.as_bytes() {
        return Err(Stop::Refused(Refusal::TagNameMismatch {
            ref_name: tag_name.to_owned(),
            inside: object.inner_name(),
        }));
    }
    if object.object_type != "commit" || crate::git::commit_of(root, &object.object)?.is_none() {
        return Err(Stop::Refused(Refusal::BadSignature(format!(
            "`{tag_name}` does not tag a commit"
        ))));
    }
    let commit = object.object.clone();
    let unit = trust::unit_for(root, &trusted, tag_name, &commit, id, schemas)?;
    let signer = tag::verify(&object, &unit.publishers, &unit.id)?;
    if unit.kind == UnitKind::Training {
        return Err(Stop::Refused(Refusal::Training(unit.id.clone())));
    }
    let required = approvals::required(&unit);
    let approvals = approvals::collect(root, tag_name, &commit, &unit, &signer)?;
    if approvals.len() + 1 < required as usize {
        let mut approved = vec![signer.name.clone()];
        approved.extend(approvals.iter().map(|a| a.signer.name.clone()));
        return Err(Stop::Refused(Refusal::ApprovalsMissing {
            tag: tag_name.to_owned(),
            required,
            approved,
        }));
    }
    let load::at::Loaded { repo, files: tree } = load::at::load(
        root,
        &Side::Revision(commit.clone()),
        &[id.to_owned()],
        schemas,
    )?;
    let found = repo.moments.iter().find(|m| m.folder == id);
    let Some((moment, meta)) = found.and_then(|m| m.meta.clone().map(|meta| (m, meta))) else {
        let errors: Vec<_> = validate::repository(&repo, &validate::Options::default())
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        return Err(Stop::Refused(if errors.is_empty() {
            Refusal::NoMomentAtTag(id.to_owned())
        } else {
            Refusal::CheckErrors(errors)
        }));
    };
    if meta.version != version {
        return Err(Stop::Refused(Refusal::VersionMismatch {
            tag: version.to_owned(),
            file: meta.version.clone(),
        }));
    }
    let Some(rel) = &meta.risk_analysis else {
        return Err(Stop::Refused(Refusal::NoRiskAnalysis(id.to_owned())));
    };
    let file = match crate::load::paths::resolve(&moment.dir, "", rel) {
        Ok(resolved) if std::fs::symlink_metadata(&resolved.full).is_ok_and(|m| m.is_file()) => {
            resolved.full
        }
        _ => return Err(Stop::Refused(Refusal::NoRiskAnalysis(id.to_owned()))),
    };
    let mut text = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(&file).map_err(|e| Error::io(&file, e))?,
            MAX_RISK_BYTES,
        ),
        &mut text,
    )
    .map_err(|e| Error::io(&file, e))?;
    if let Some(problem) = risk::problem(&String::from_utf8_lossy(&text)) {
        return Err(Stop::Refused(Refusal::RiskAnalysis {
            id: id.to_owned(),
            why: problem.describe(),
        }));
    }
    Ok(Verified {
        id: id.to_owned(),
        version: version.to_owned(),
        tree_id: crate::git::tree_of(root, &commit)?,
        commit,
        signer,
        approvals,
        required,
        unit: unit.id,
        meta,
        message: object.message(),
        tag_object: hex(&object.raw),
        trusted,
        tree,
    })
}
