//! Typed data of a moments repository, decoded from YAML after schema validation.
//!
//! The structs mirror `schemas/*.schema.json`; both reject unknown keys.

mod form;

pub use form::{
    Alert, AlertCondition, Band, Choice, Condition, Expect, Form, FormKind, Item, ItemType,
    MissingMethod, MissingRule, Op, Rounding, Scalar, Scenario, Schedule, Score,
};

use serde::{Deserialize, Serialize};

/// `moment.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MomentMeta {
    /// Slug; equals the folder name.
    pub id: String,
    /// Semantic version.
    pub version: String,
    /// Title shown to citizens and staff.
    pub title: String,
    /// Short summary for the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Id of the publisher unit.
    pub unit: String,
    /// What sort of program this is.
    pub kind: MomentKind,
    /// BCP 47 language tag.
    pub language: String,
    /// Assigned by staff, or open to citizens of some regions.
    #[serde(default)]
    pub access: Access,
    /// Region or municipality codes, for open moments.
    #[serde(default)]
    pub open_to: Vec<String>,
    /// HSA-ids of the care providers granted the moment.
    #[serde(default)]
    pub care_providers: Vec<String>,
    /// Whether secure messaging is on.
    #[serde(default)]
    pub messaging: bool,
    /// People who manage the moment.
    #[serde(default)]
    pub owners: Vec<String>,
    /// Path of the risk analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_analysis: Option<String>,
    /// Path of the welcome text.
    #[serde(default = "default_welcome")]
    pub welcome: String,
    /// Module files in order.
    pub modules: Vec<String>,
}

fn default_welcome() -> String {
    "welcome.md".to_owned()
}

/// The kind of a moment (also the values of `moment new --kind`).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum MomentKind {
    /// Patient education.
    Education,
    /// A course.
    Course,
    /// A support program.
    Support,
    /// A self-assessment.
    Assessment,
    /// A health plan.
    Healthplan,
    /// A treatment program.
    Treatment,
}

impl MomentKind {
    /// The name as written in YAML and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MomentKind::Education => "education",
            MomentKind::Course => "course",
            MomentKind::Support => "support",
            MomentKind::Assessment => "assessment",
            MomentKind::Healthplan => "healthplan",
            MomentKind::Treatment => "treatment",
        }
    }
}

/// Who can start a moment.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Staff start it for a citizen.
    #[default]
    Assigned,
    /// Citizens of the listed regions start it themselves.
    Open,
}

impl Access {
    /// The name as written in YAML and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Assigned => "assigned",
            Access::Open => "open",
        }
    }
}

/// A module's front matter.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModuleFront {
    /// The module's stable identity; derived from the file's path when absent (see
    /// [`module_id`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The module's title.
    pub title: String,
    /// When the module opens.
    #[serde(default)]
    pub activation: Activation,
}

/// A module's stable identity: its front matter `id:`, else its path inside `modules/`
/// without `.md` (`modules/01-om-somn.md` → `01-om-somn`), which is unique.
pub fn module_id(front: Option<&ModuleFront>, path: &str) -> String {
    if let Some(id) = front.and_then(|f| f.id.as_ref()) {
        return id.clone();
    }
    let name = path.strip_prefix("modules/").unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name).to_owned()
}

/// When a module opens for the citizen.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// As soon as the moment starts.
    #[default]
    Immediate,
    /// When staff activate it.
    Staff,
}

impl Activation {
    /// The name as written in YAML and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Activation::Immediate => "immediate",
            Activation::Staff => "staff",
        }
    }
}

/// A ```` ```video ```` block.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VideoBlock {
    /// Video file, relative to the module.
    pub src: String,
    /// What it shows.
    pub title: String,
    /// WebVTT captions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captions: Option<String>,
    /// Text transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    /// Poster image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poster: Option<String>,
}

/// An ```` ```audio ```` block.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AudioBlock {
    /// Audio file, relative to the module.
    pub src: String,
    /// What the recording is.
    pub title: String,
    /// Text transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
}

/// A ```` ```form ```` block.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FormBlock {
    /// Id of the form.
    #[serde(rename = "ref")]
    pub form: String,
}

/// `units.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UnitsFile {
    /// The language of `moment check`'s diagnostics in this repository (`sv` or
    /// `en`), unless `--lang` or `MOMENT_LANG` says otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Every publisher unit.
    pub units: Vec<Unit>,
}

/// A publisher unit (utgivarenhet).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Slug.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Production or training.
    pub kind: UnitKind,
    /// Who may sign release tags.
    #[serde(default)]
    pub publishers: Vec<Publisher>,
    /// How many distinct publishers must sign each release (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals: Option<u32>,
    /// User groups.
    #[serde(default)]
    pub groups: Vec<Group>,
}

/// The kind of a publisher unit.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    /// May publish.
    Production,
    /// May build and preview, never publish.
    Training,
}

impl UnitKind {
    /// The name as written in YAML and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Production => "production",
            UnitKind::Training => "training",
        }
    }
}

/// A publisher (utgivare) and their signing key.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Publisher {
    /// Name.
    pub name: String,
    /// SSH public key.
    pub key: String,
}

/// A user group (användargrupp).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Name.
    pub name: String,
    /// Git host handles.
    pub members: Vec<String>,
    /// Moments the group may edit.
    pub moments: Vec<String>,
}
