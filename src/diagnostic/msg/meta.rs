//! Messages of the rules on `moment.yaml`: ids, versions, units, owners, HSA-ids.

use crate::diagnostic::{Lang, Message};
use crate::t;

/// What the `moment.yaml` rules report.
#[derive(Clone, Debug)]
pub enum Meta {
    /// E021.
    IdMismatch { id: String, folder: String },
    /// Hint.
    IdMismatchHint { id: String, folder: String },
    /// E039.
    Semver { version: String },
    /// Hint.
    SemverHint,
    /// E025.
    NoModules,
    /// Hint.
    NoModulesHint,
    /// E037.
    UnknownUnit { unit: String },
    /// Hint: a close unit id.
    DidYouMean { close: String },
    /// Hint: the known units.
    KnownUnits { list: String },
    /// W013.
    NoRiskAnalysis { id: String, unit: String },
    /// Hint.
    NoRiskAnalysisHint,
    /// The risk analysis path does not exist.
    RiskMissingHint,
    /// The risk analysis path leaves the folder.
    RiskInsideHint,
    /// E038.
    HsaId { id: String },
    /// Hint.
    HsaIdHint,
    /// E040.
    OpenWithoutAudience,
    /// Hint.
    OpenWithoutAudienceHint,
    /// W007.
    FewOwners { count: usize },
    /// Hint.
    FewOwnersHint,
    /// E022 for a module listed twice.
    ModuleTwice { path: String },
    /// Hint.
    ModuleTwiceHint { line: u32 },
}

impl Message for Meta {
    fn text(&self, lang: Lang) -> String {
        use Meta::*;
        match self {
            IdMismatch { id, folder } => t!(
                lang,
                "id `{id}` does not match the folder name `{folder}`",
                "id `{id}` stämmer inte med mappnamnet `{folder}`"
            ),
            IdMismatchHint { id, folder } => t!(
                lang,
                "rename the folder to moments/{id} or set `id: {folder}`",
                "byt namn på mappen till moments/{id} eller skriv `id: {folder}`"
            ),
            Semver { version } => t!(
                lang,
                "`{version}` is not a semantic version",
                "`{version}` är inte ett semantiskt versionsnummer"
            ),
            SemverHint => t!(
                lang,
                "write MAJOR.MINOR.PATCH, such as \"1.0.0\"",
                "skriv MAJOR.MINOR.PATCH, som \"1.0.0\""
            ),
            NoModules => t!(
                lang,
                "the moment has no modules",
                "momentet har inga moduler"
            ),
            NoModulesHint => t!(
                lang,
                "list at least one module file under `modules:`, such as modules/01-introduktion.md",
                "ange minst en modulfil under `modules:`, som modules/01-introduktion.md"
            ),
            UnknownUnit { unit } => t!(
                lang,
                "unit `{unit}` is not in units.yaml",
                "enheten `{unit}` finns inte i units.yaml"
            ),
            DidYouMean { close } => t!(lang, "did you mean `{close}`?", "menade du `{close}`?"),
            KnownUnits { list } => t!(lang, "known units: {list}", "kända enheter: {list}"),
            NoRiskAnalysis { id, unit } => t!(
                lang,
                "`{id}` belongs to production unit `{unit}` but has no risk analysis",
                "`{id}` hör till produktionsenheten `{unit}` men har ingen riskanalys"
            ),
            NoRiskAnalysisHint => t!(
                lang,
                "add `risk_analysis: docs/riskanalys.md` pointing at the risk analysis; publishing refuses without it",
                "lägg till `risk_analysis: docs/riskanalys.md` som pekar på riskanalysen; utan den vägrar publiceringen"
            ),
            RiskMissingHint => t!(
                lang,
                "write the risk analysis at that path, or correct the path; publishing refuses without it",
                "skriv riskanalysen på den sökvägen, eller rätta sökvägen; utan den vägrar publiceringen"
            ),
            RiskInsideHint => t!(
                lang,
                "keep the risk analysis inside the moment's folder, such as docs/riskanalys.md",
                "ha riskanalysen i momentets mapp, som docs/riskanalys.md"
            ),
            HsaId { id } => t!(
                lang,
                "`{id}` is not a well-formed HSA-id",
                "`{id}` är inte ett giltigt HSA-id"
            ),
            HsaIdHint => t!(
                lang,
                "an HSA-id is SE, the ten-digit organisation number, a hyphen and letters or digits, such as SE2321000131-E000000000001",
                "ett HSA-id är SE, det tiosiffriga organisationsnumret, ett bindestreck och bokstäver eller siffror, som SE2321000131-E000000000001"
            ),
            OpenWithoutAudience => t!(
                lang,
                "the moment is open but does not say to whom",
                "momentet är öppet men säger inte för vilka"
            ),
            OpenWithoutAudienceHint => t!(
                lang,
                "list region (two digits) or municipality (four digits) codes under `open_to:`, such as [\"01\"]",
                "ange regionkoder (två siffror) eller kommunkoder (fyra siffror) under `open_to:`, som [\"01\"]"
            ),
            FewOwners { count } => match (lang, count) {
                (Lang::En, 1) => "the moment has 1 owner".to_owned(),
                (Lang::En, n) => format!("the moment has {n} owners"),
                (Lang::Sv, 1) => "momentet har 1 ägare".to_owned(),
                (Lang::Sv, n) => format!("momentet har {n} ägare"),
            },
            FewOwnersHint => t!(
                lang,
                "list at least two people under `owners:`, so that someone can always answer for the content",
                "ange minst två personer under `owners:`, så att någon alltid kan svara för innehållet"
            ),
            ModuleTwice { path } => t!(
                lang,
                "module `{path}` is listed twice",
                "modulen `{path}` står två gånger"
            ),
            ModuleTwiceHint { line } => t!(
                lang,
                "it is already listed on line {line}; remove one",
                "den står redan på rad {line}; ta bort en av dem"
            ),
        }
    }
}
