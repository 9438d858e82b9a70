//! The publish stage: verify a signed release tag, build its moment from the tagged
//! commit (never from the working tree), and append the bundle to the catalog.

pub mod approvals;
pub mod catalog;
mod durable;
mod flow;
pub mod rebuild;
mod refusal;
pub mod release;
pub mod tag;
pub mod trust;
pub mod verify;
mod yank;

use std::path::PathBuf;

pub use crate::risk_analysis as risk;
use catalog::IndexEntry;
pub use flow::{build_bundle, publish};
pub use refusal::{Refusal, Stop};
pub use yank::yank;

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
