//! `moment diff`: what changed between two versions of the moments, classed by what
//! it means for citizens and for the meaning of scores, with the version bump it needs.

mod compare;
mod form;
pub mod output;
pub mod policy;
pub mod snapshot;
pub mod source;
pub mod text;

use std::collections::BTreeSet;

use serde::Serialize;

pub use snapshot::{MomentSnapshot, snapshots};
use text::WordOp;

/// How much a change matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// No one can see it (formatting, comments, key order, file names).
    Cosmetic,
    /// Citizens or staff can see it.
    Content,
    /// It can change what a score, band, alert or enabled item means.
    Clinical,
}

/// A version bump.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing changed.
    None,
    /// PATCH: cosmetic changes (no bump is needed for them).
    Patch,
    /// MINOR: content changes.
    Minor,
    /// MAJOR: clinical changes.
    Major,
}

impl Class {
    /// The bump a change of this class needs.
    pub fn bump(self) -> Bump {
        match self {
            Class::Cosmetic => Bump::Patch,
            Class::Content => Bump::Minor,
            Class::Clinical => Bump::Major,
        }
    }
}

/// The status of a moment between the two sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Only in TO.
    Added,
    /// Only in FROM.
    Removed,
    /// In both, with changes.
    Changed,
    /// In both, identical in meaning and form.
    Unchanged,
}

/// One change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// Its class.
    pub class: Class,
    /// A stable kind, such as `score_band_changed`.
    pub kind: &'static str,
    /// Where: a file of the moment, with a `#` path inside it.
    pub path: String,
    /// One sentence for people.
    pub summary: String,
    /// The old value, when it is short.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The new value, when it is short.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// A word-level difference of prose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<WordOp>>,
}

impl Change {
    fn new(
        class: Class,
        kind: &'static str,
        path: impl Into<String>,
        summary: impl Into<String>,
    ) -> Change {
        Change {
            class,
            kind,
            path: path.into(),
            summary: summary.into(),
            before: None,
            after: None,
            words: None,
        }
    }

    fn values(mut self, before: impl Into<String>, after: impl Into<String>) -> Change {
        self.before = Some(before.into());
        self.after = Some(after.into());
        self
    }
}

/// The differences of one moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MomentDiff {
    /// Moment id.
    pub id: String,
    /// Title in TO (or FROM when removed).
    pub title: String,
    /// Version in FROM.
    pub from_version: Option<String>,
    /// Version in TO.
    pub to_version: Option<String>,
    /// Added, removed, changed or unchanged.
    pub status: Status,
    /// The bump the changes need.
    pub required_bump: Bump,
    /// The bump the versions show.
    pub actual_bump: Option<Bump>,
    /// Whether the actual bump is enough.
    pub bump_ok: bool,
    /// Repeated forms whose scored items changed without `series_break: true`.
    pub series_breaks_missing: Vec<String>,
    /// Every change, clinical first.
    pub changes: Vec<Change>,
}

/// The whole difference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diff {
    /// Every moment on either side, by id.
    pub moments: Vec<MomentDiff>,
}

/// Compares two sets of moment snapshots.
pub fn diff(from: &[MomentSnapshot], to: &[MomentSnapshot]) -> Diff {
    let ids: BTreeSet<&str> = from.iter().chain(to).map(|m| m.id.as_str()).collect();
    let moments = ids
        .into_iter()
        .map(|id| {
            let old = from.iter().find(|m| m.id == id);
            let new = to.iter().find(|m| m.id == id);
            compare::moment(id, old, new)
        })
        .collect();
    Diff { moments }
}

/// The bump from one semantic version to another; `None` when either is not semver
/// or the version went down.
pub fn actual_bump(from: &str, to: &str) -> Option<Bump> {
    let parse = |v: &str| -> Option<(u64, u64, u64)> {
        let core = v.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        Some((parts.next()??, parts.next()??, parts.next()??))
    };
    let (a, b) = (parse(from)?, parse(to)?);
    if b < a {
        return None;
    }
    Some(if b.0 > a.0 {
        Bump::Major
    } else if b.1 > a.1 {
        Bump::Minor
    } else if b.2 > a.2 {
        Bump::Patch
    } else {
        Bump::None
    })
}

/// Whether `actual` satisfies `required`. Cosmetic changes need no bump.
pub fn bump_ok(required: Bump, actual: Option<Bump>) -> bool {
    match (required, actual) {
        (Bump::None | Bump::Patch, Some(_)) => true,
        (_, None) => false,
        (required, Some(actual)) => actual >= required,
    }
}
