//! The catalog of stable diagnostic codes: one variant per problem `moment` can report.

use std::fmt;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops `check` from passing and `build` from writing anything.
    Error,
    /// Reported, but does not fail `check` unless `--strict` is given.
    Warning,
}

macro_rules! codes {
    ($( $variant:ident = $code:literal, $sev:ident, $title:literal; )*) => {
        /// A stable diagnostic code. Codes never change meaning once released.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( #[doc = $title] $variant, )* }

        impl Code {
            /// Every code, in catalog order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed, such as `E012`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The severity the code has without `--strict`.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// A one-line title of the problem, used in the diagnostics reference.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

codes! {
    Unreadable = "E001", Error, "file cannot be read as UTF-8 text";
    YamlSyntax = "E002", Error, "YAML syntax error";
    DuplicateKey = "E003", Error, "duplicate key in a mapping";
    YamlAlias = "E004", Error, "YAML anchors, aliases, tags or multiple documents are not allowed";
    EmptyFile = "E005", Error, "file is empty";
    MissingKey = "E010", Error, "required key missing";
    UnknownKey = "E011", Error, "unknown key";
    WrongType = "E012", Error, "value has the wrong type";
    InvalidValue = "E013", Error, "value not allowed";
    MissingMomentFile = "E020", Error, "moment folder without moment.yaml";
    IdMismatch = "E021", Error, "id does not match its folder or file name";
    DuplicateId = "E022", Error, "id used twice";
    WelcomeMissing = "E023", Error, "welcome text missing";
    WelcomeEmpty = "E024", Error, "welcome text empty";
    NoModules = "E025", Error, "moment has no modules";
    ModuleMissing = "E026", Error, "listed module file does not exist";
    PathEscapes = "E027", Error, "path leaves the moment's folder";
    MediaMissing = "E028", Error, "referenced file does not exist";
    FormUnresolved = "E029", Error, "form reference does not resolve";
    FrontMatter = "E030", Error, "module front matter missing or unterminated";
    ConditionTarget = "E031", Error, "condition refers to an unknown, later or non-answerable item";
    ConditionType = "E032", Error, "condition does not fit the item's type";
    ScoreItem = "E033", Error, "score sums an unknown or non-numeric item";
    BandsGap = "E034", Error, "score bands overlap, leave gaps or are out of order";
    BandsRange = "E035", Error, "score bands do not cover the score's possible range";
    AlertTarget = "E036", Error, "alert refers to an unknown item or score";
    UnknownUnit = "E037", Error, "unit not found in units.yaml";
    HsaId = "E038", Error, "malformed HSA-id";
    Semver = "E039", Error, "version is not a semantic version";
    OpenWithoutAudience = "E040", Error, "open moment does not say whom it is open to";
    UnitsMissing = "E041", Error, "units.yaml missing";
    FormTestFailed = "E042", Error, "form test scenario fails";
    FormTestReference = "E043", Error, "form test refers to an unknown item, score or alert";
    ItemMisfit = "E044", Error, "item keys do not fit its type";
    DuplicateOption = "E045", Error, "two options of an item share a value";
    NoMoments = "E046", Error, "no moments found";
    ThemeTemplate = "E047", Error, "theme template cannot be compiled or rendered";
    VersionPolicy = "E048", Error, "version not bumped enough for the changes";
    SeriesBreak = "E049", Error, "scored items of a repeated form changed without series_break";
    FileType = "E050", Error, "linked file type is not allowed in content";
    MissingAllow = "E051", Error, "missing-answer rule allows every summed item to be unanswered";
    ProrateItems = "E052", Error, "prorating needs items answered on one bounded scale";
    DuplicatePublisherKey = "E060", Error, "a unit lists the same publisher key twice";
    ApprovalsExceedPublishers = "E061", Error, "a unit requires more approvals than it has publishers";
    DuplicateModuleId = "E070", Error, "two modules of a moment share an id";
    OpenNeedsStaff = "E068", Error, "open moment relies on staff (staff-activated modules or messaging)";
    NotPortable = "E069", Error, "file name is not portable (holds `:`)";
    NotRegularFile = "E055", Error, "file is a fifo, device, socket or folder, not a regular file";
    FileTooLarge = "E056", Error, "file is larger than the size limit";
    BeyondLimit = "E057", Error, "content nested too deep or too many items";
    ImageNoAlt = "W001", Warning, "image without alt text";
    VideoNoCaptions = "W002", Warning, "video without captions";
    AudioNoTranscript = "W003", Warning, "audio without transcript";
    HeadingSkip = "W004", Warning, "heading level skipped";
    VagueLink = "W005", Warning, "vague link text";
    BrokenLink = "W006", Warning, "broken link to a module or anchor";
    FewOwners = "W007", Warning, "fewer than two owners";
    FewPublishers = "W008", Warning, "production unit with fewer than two publishers";
    Readability = "W009", Warning, "hard to read (LIX above the limit)";
    ByteOrderMark = "W010", Warning, "file starts with a byte order mark";
    RawHtml = "W011", Warning, "raw HTML in Markdown is dropped";
    UnusedForm = "W012", Warning, "form not used by any module";
    NoRiskAnalysis = "W013", Warning, "production moment without a risk analysis";
    WelcomeBlock = "W014", Warning, "media or form block in the welcome text is not shown";
    CodeownersStale = "W015", Warning, "CODEOWNERS does not match the user groups in units.yaml";
    OptionalScored = "W016", Warning, "score sums an optional item without a missing-answer rule";
    RiskAnalysisTemplate = "W020", Warning, "risk analysis is empty or still the template";
    SecondTitle = "W022", Warning, "level-1 heading in a page that already has its title as level 1";
    AllModulesStaff = "W023", Warning, "every module waits for staff to activate it";
    ScheduleUnused = "W024", Warning, "form with a schedule is placed in no module";
    AlertNoMessage = "W025", Warning, "alert without a message staff can read";
    MessagingMentioned = "W026", Warning, "text mentions messages while messaging is off";
    FhirNotJson = "E080", Error, "FHIR file is not JSON";
    FhirNotQuestionnaire = "E081", Error, "FHIR resource is not a Questionnaire";
    FhirVersion = "E082", Error, "FHIR Questionnaire uses STU3 or R5 elements, not R4";
    FhirDuplicateLinkId = "E083", Error, "two FHIR items share a linkId";
    FhirTooDeep = "E084", Error, "FHIR items nested deeper than import supports";
    FhirTooLarge = "E085", Error, "FHIR file is larger than the import limit";
    FhirUnknownExtension = "E086", Error, "FHIR extension that import does not understand";
    FhirUnsupported = "E087", Error, "FHIR element that cannot be carried over faithfully";
    FhirTargetExists = "E088", Error, "import would overwrite an existing form";
    FhirImportFails = "E089", Error, "imported form does not pass moment check";
    FhirNotCarried = "W030", Warning, "FHIR element not carried over";
    FhirScoreGap = "W031", Warning, "FHIR score expression not recognised; score left out";
    FhirRenamed = "W032", Warning, "FHIR linkId renamed to fit an item id";
    FhirNoBands = "W033", Warning, "imported score has no bands";
    FhirExportLoss = "W034", Warning, "part of a form has no FHIR equivalent and is left out of the export";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
