//! Why a publish or yank was refused: each refusal is one clear sentence.

use std::fmt;

use crate::diagnostic::Diagnostic;
use crate::error::Error;

/// Why a publish (or yank) was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    /// The tag name is not `<moment-id>/v<version>`.
    TagName(String),
    /// A lightweight tag carries no signature.
    Lightweight(String),
    /// An annotated tag without a signature.
    Unsigned(String),
    /// Signed with PGP (or X.509) rather than SSH.
    PgpSignature(String),
    /// The signature does not verify, or the signature block is malformed.
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
    CheckErrors(Vec<Diagnostic>),
    /// There is no moment of the tag's name at the tag.
    NoMomentAtTag(String),
    /// No risk analysis at the tag.
    NoRiskAnalysis(String),
    /// The risk analysis at the tag is empty, too short or the template.
    RiskAnalysis {
        /// The moment.
        id: String,
        /// What is wrong.
        why: String,
    },
    /// The same version was published with other bytes.
    DigestConflict(String),
    /// Yanking a version that was never published.
    NotPublished(String),
    /// Neither `--trust` nor `origin/HEAD`.
    NoTrustedRevision,
    /// The tagged commit is not on the trusted branch.
    NotMerged {
        /// The tag.
        tag: String,
        /// Its commit, abbreviated.
        commit: String,
        /// The trusted branch.
        branch: String,
    },
    /// The moment does not exist (or names no unit) at the trusted revision.
    NotOnTrusted {
        /// The moment.
        id: String,
        /// The trusted branch.
        branch: String,
    },
    /// The moment's unit at the tag differs from the trusted revision's.
    UnitChanged {
        /// The moment.
        id: String,
        /// Its unit at the tag.
        tagged: String,
        /// Its unit at the trusted revision.
        trusted: String,
        /// The trusted branch.
        branch: String,
    },
    /// A unit lists one key for two publishers.
    DuplicateKey {
        /// The unit.
        unit: String,
        /// The second publisher with that key.
        name: String,
    },
    /// Fewer distinct publishers approved than the unit requires.
    ApprovalsMissing {
        /// The release tag.
        tag: String,
        /// Required.
        required: u32,
        /// Who approved so far.
        approved: Vec<String>,
    },
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
                "the tag is signed by key {fingerprint}, which is not a publisher of unit `{unit}` in the trusted units.yaml"
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
            Refusal::CheckErrors(errors) => {
                write!(
                    f,
                    "`moment check` finds {} error(s) at the tag",
                    errors.len()
                )?;
                match errors.first() {
                    Some(d) => write!(f, ", first: {}:{} {} {}", d.file, d.line, d.code, d.message),
                    None => Ok(()),
                }
            }
            Refusal::NoMomentAtTag(id) => write!(
                f,
                "`moment check` finds 1 error(s) at the tag, first: there is no moment `{id}` at the tag"
            ),
            Refusal::NoRiskAnalysis(id) => write!(
                f,
                "`{id}` has no risk analysis at the tag: add one and point `risk_analysis:` at it"
            ),
            Refusal::RiskAnalysis { id, why } => write!(
                f,
                "`{id}` cannot be published: {why}; write the real analysis before releasing"
            ),
            Refusal::DigestConflict(v) => write!(
                f,
                "version {v} is already in the catalog with other content; published versions never change, so bump the version"
            ),
            Refusal::NotPublished(v) => write!(f, "{v} is not in the catalog"),
            Refusal::NoTrustedRevision => write!(
                f,
                "there is no trusted branch to read the publishers from (this clone has no origin/HEAD): pass the reviewed branch, such as `--trust origin/main`"
            ),
            Refusal::NotMerged {
                tag,
                commit,
                branch,
            } => write!(
                f,
                "`{tag}` points at commit {commit} that is not on {branch}: merge the change first"
            ),
            Refusal::NotOnTrusted { id, branch } => write!(
                f,
                "moment `{id}` (with its unit) is not on {branch}: merge it first"
            ),
            Refusal::UnitChanged {
                id,
                tagged,
                trusted,
                branch,
            } => write!(
                f,
                "moment `{id}` names unit `{tagged}` at the tag but `{trusted}` on {branch}: a moment's unit is decided on the trusted branch"
            ),
            Refusal::DuplicateKey { unit, name } => write!(
                f,
                "unit `{unit}` lists the key of {name} for two publishers in the trusted units.yaml: each publisher needs their own key"
            ),
            Refusal::ApprovalsMissing {
                tag,
                required,
                approved,
            } => {
                let missing = (*required as usize).saturating_sub(approved.len());
                write!(
                    f,
                    "`{tag}` needs {required} approvals by distinct publishers and has {} ({}): {missing} more must sign `git tag -s approve/{tag}/<name> {tag}^{{}}`",
                    approved.len(),
                    if approved.is_empty() {
                        "none".to_owned()
                    } else {
                        approved.join(", ")
                    }
                )
            }
        }
    }
}

/// Why a publish or yank flow stopped: refused (exit 1) or failed (exit 2). The flows
/// return it so that both stop with `?`; the public functions hand back
/// `Result<Result<T, Refusal>, Error>` through [`Stop::settle`].
#[derive(Debug)]
pub enum Stop {
    /// Refused: the release is not acceptable.
    Refused(Refusal),
    /// The command failed.
    Failed(Error),
}

impl From<Refusal> for Stop {
    fn from(r: Refusal) -> Self {
        Stop::Refused(r)
    }
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Failed(e)
    }
}

impl Stop {
    /// Splits a flow's result into a failure and a refusal.
    pub fn settle<T>(result: Result<T, Stop>) -> Result<Result<T, Refusal>, Error> {
        match result {
            Ok(v) => Ok(Ok(v)),
            Err(Stop::Refused(r)) => Ok(Err(r)),
            Err(Stop::Failed(e)) => Err(e),
        }
    }
}
