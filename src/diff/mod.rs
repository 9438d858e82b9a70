//! `moment diff`: what changed between two versions of the moments, classed by what
//! it means for citizens and for the meaning of scores, with the version bump it needs.

pub mod bundle;
mod compare;
pub mod consequence;
mod form;
pub mod kind;
pub mod lang;
pub mod locate;
pub mod output;
pub mod policy;
pub mod snapshot;
pub mod source;
pub mod text;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::version::Version;

pub use consequence::Consequence;
pub use kind::{Audience, ChangeKind, Subject};
pub use lang::Lang;
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

pub use crate::version::Bump;

impl Class {
    /// The class as written in reports: `clinical`, `content` or `cosmetic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Cosmetic => "cosmetic",
            Class::Content => "content",
            Class::Clinical => "clinical",
        }
    }

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
    pub kind: ChangeKind,
    /// Where: a file of the moment, with a `#` path inside it to the key that changed.
    pub path: String,
    /// One sentence for people, in the moment's language, naming things by their text.
    pub summary: String,
    /// For a clinical change, one sentence on its effect, in the moment's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consequence: Option<String>,
    /// The old value, when it is short.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The new value, when it is short.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// A word-level difference of prose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<WordOp>>,
    /// The text of an added module or question, to read in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown: Option<String>,
    /// What the change is about, for its sentences.
    #[serde(skip)]
    pub subject: Subject,
    /// Its effect, for its consequence sentence.
    #[serde(skip)]
    pub effect: Option<Consequence>,
}

impl Change {
    fn new(kind: ChangeKind, path: impl Into<String>, subject: Subject) -> Change {
        Change {
            class: kind.class(),
            kind,
            path: path.into(),
            summary: String::new(),
            consequence: None,
            before: None,
            after: None,
            words: None,
            shown: None,
            subject,
            effect: None,
        }
    }

    fn values(mut self, before: impl Into<String>, after: impl Into<String>) -> Change {
        self.before = Some(before.into());
        self.after = Some(after.into());
        self
    }

    /// Makes the change clinical when `sensitive` (a scored or watched question).
    fn clinical_if(mut self, sensitive: bool) -> Change {
        if sensitive {
            self.class = Class::Clinical;
        }
        self
    }

    fn effect(mut self, effect: Option<Consequence>) -> Change {
        self.effect = effect;
        self
    }

    fn shown(mut self, text: impl Into<String>) -> Change {
        self.shown = Some(text.into());
        self
    }

    /// Writes the sentences in `lang`. A consequence is stated for clinical changes.
    fn write(&mut self, lang: Lang) {
        self.summary = tidy(self.kind.summary(lang, &self.subject));
        if self.class != Class::Clinical {
            self.effect = None;
        }
        self.consequence = self.effect.as_ref().map(|e| e.sentence(lang));
    }
}

/// Drops a full stop after a quotation that already ends a sentence (`”Ring mig.”.`).
fn tidy(mut sentence: String) -> String {
    for end in [".”.", "?”.", "!”.", "…”."] {
        if sentence.ends_with(end) {
            sentence.pop();
            break;
        }
    }
    sentence
}

/// The differences of one moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MomentDiff {
    /// Moment id.
    pub id: String,
    /// Title in TO (or FROM when removed).
    pub title: String,
    /// The language of its summaries: the moment's `language`.
    pub language: Lang,
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
    Version::parse(from)?.bump_to(&Version::parse(to)?)
}

/// Whether `actual` satisfies `required`. Cosmetic changes need no bump.
pub fn bump_ok(required: Bump, actual: Option<Bump>) -> bool {
    match (required, actual) {
        (Bump::None | Bump::Patch, Some(_)) => true,
        (_, None) => false,
        (required, Some(actual)) => actual >= required,
    }
}
