//! Messages of the repository-wide rules: units, owners, consistency between a
//! moment's parts, risk analyses and module ids.

use crate::diagnostic::{Lang, Message};
use crate::t;

/// What is wrong with a risk analysis (see `publish::risk::RiskProblem`).
#[derive(Clone, Debug)]
pub enum Risk {
    /// No text.
    Empty,
    /// Still the template.
    Template,
    /// Too few words.
    Short { words: usize, min: usize },
}

impl Message for Risk {
    fn text(&self, lang: Lang) -> String {
        match self {
            Risk::Empty => t!(lang, "the risk analysis is empty", "riskanalysen är tom"),
            Risk::Template => t!(
                lang,
                "the risk analysis is still the template of `moment new` (its marker line is there)",
                "riskanalysen är fortfarande mallen från `moment new` (markeringsraden finns kvar)"
            ),
            Risk::Short { words, min } => t!(
                lang,
                "the risk analysis has {words} word(s), fewer than the {min} a real one needs",
                "riskanalysen har {words} ord, färre än de {min} som en verklig riskanalys behöver"
            ),
        }
    }
}

/// What the repository-wide rules report.
#[derive(Clone, Debug)]
pub enum Rules {
    /// W022.
    SecondTitle { text: String },
    /// Hint for W022.
    SecondTitleHint,
    /// W025.
    AlertNoMessage { id: String },
    /// Hint for W025.
    AlertNoMessageHint,
    /// E068, a staff-activated module.
    OpenStaffModule,
    /// Hint.
    OpenStaffModuleHint,
    /// E068, messaging on.
    OpenMessaging,
    /// Hint.
    OpenMessagingHint,
    /// W023.
    AllModulesStaff,
    /// Hint.
    AllModulesStaffHint,
    /// W026.
    MessagingMentioned { word: String },
    /// Hint.
    MessagingMentionedHint,
    /// W015.
    CodeownersStale { file: String },
    /// Hint.
    CodeownersStaleHint,
    /// E060.
    DuplicatePublisherKey {
        unit: String,
        first: String,
        again: String,
    },
    /// Hint.
    DuplicatePublisherKeyHint,
    /// E061.
    ApprovalsExceed {
        unit: String,
        approvals: u32,
        publishers: usize,
    },
    /// Hint.
    ApprovalsExceedHint,
    /// W008.
    FewPublishers { unit: String, publishers: usize },
    /// Hint.
    FewPublishersHint,
    /// W020.
    RiskTemplate { problem: Risk },
    /// Hint.
    RiskTemplateHint { min: usize },
    /// E070.
    DuplicateModuleId {
        module: String,
        first: String,
        id: String,
    },
    /// Hint.
    DuplicateModuleIdHint { id: String },
}

impl Message for Rules {
    fn text(&self, lang: Lang) -> String {
        use Rules::*;
        match self {
            SecondTitle { text } => t!(
                lang,
                "`# {text}` is a second level-1 heading on the page",
                "`# {text}` är en andra rubrik på nivå 1 på sidan"
            ),
            SecondTitleHint => t!(
                lang,
                "the page title is already the level-1 heading: start the text's headings at ## (and set the title in the front matter or moment.yaml)",
                "sidans titel är redan rubriken på nivå 1: börja textens rubriker med ## (och ange titeln i front matter eller moment.yaml)"
            ),
            AlertNoMessage { id } => t!(
                lang,
                "alert `{id}` has no message staff can act on",
                "larmet `{id}` har inget meddelande som personalen kan agera på"
            ),
            AlertNoMessageHint => t!(
                lang,
                "write what staff must know or do, such as: Svar på fråga 9 kräver bedömning inom en arbetsdag",
                "skriv vad personalen behöver veta eller göra, som: Svar på fråga 9 kräver bedömning inom en arbetsdag"
            ),
            OpenStaffModule => t!(
                lang,
                "this module of an open moment waits for staff to activate it, but no one is assigned to the citizen",
                "den här modulen i ett öppet moment väntar på att personal aktiverar den, men ingen är tilldelad invånaren"
            ),
            OpenStaffModuleHint => t!(
                lang,
                "in an open moment every module opens by itself: write `activation: immediate`, or make the moment `access: assigned`",
                "i ett öppet moment öppnas varje modul av sig själv: skriv `activation: immediate`, eller gör momentet `access: assigned`"
            ),
            OpenMessaging => t!(
                lang,
                "an open moment has messaging on, but no one is assigned to answer",
                "ett öppet moment har meddelanden påslagna, men ingen är tilldelad att svara"
            ),
            OpenMessagingHint => t!(
                lang,
                "write `messaging: false` for an open moment, or make it `access: assigned` so that staff answer the messages",
                "skriv `messaging: false` för ett öppet moment, eller gör det `access: assigned` så att personal svarar på meddelandena"
            ),
            AllModulesStaff => t!(
                lang,
                "every module waits for staff to activate it: the citizen has nothing to open at the start",
                "varje modul väntar på att personal aktiverar den: invånaren har inget att öppna från början"
            ),
            AllModulesStaffHint => t!(
                lang,
                "let the first module open at once: `activation: immediate` (the default) in its front matter",
                "låt den första modulen öppnas direkt: `activation: immediate` (standard) i dess front matter"
            ),
            MessagingMentioned { word } => t!(
                lang,
                "the text mentions `{word}`, but the moment has no messaging",
                "texten nämner `{word}`, men momentet har inga meddelanden"
            ),
            MessagingMentionedHint => t!(
                lang,
                "the citizen cannot send or receive messages in this moment: remove the promise, or switch messaging on with `messaging: true` in moment.yaml",
                "invånaren kan inte skicka eller ta emot meddelanden i det här momentet: ta bort löftet, eller slå på meddelanden med `messaging: true` i moment.yaml"
            ),
            CodeownersStale { file } => t!(
                lang,
                "{file} does not match the user groups in units.yaml",
                "{file} stämmer inte med användargrupperna i units.yaml"
            ),
            CodeownersStaleHint => t!(
                lang,
                "run `moment codeowners` and commit the result",
                "kör `moment codeowners` och checka in resultatet"
            ),
            DuplicatePublisherKey { unit, first, again } => t!(
                lang,
                "unit `{unit}` lists the key of {first} again for {again}",
                "enheten `{unit}` anger nyckeln för {first} en gång till för {again}"
            ),
            DuplicatePublisherKeyHint => t!(
                lang,
                "each publisher signs with their own key; a shared key would count one person twice",
                "varje utgivare signerar med sin egen nyckel; en delad nyckel skulle räkna en person två gånger"
            ),
            ApprovalsExceed {
                unit,
                approvals,
                publishers,
            } => match (lang, publishers) {
                (Lang::En, 1) => {
                    format!("unit `{unit}` requires {approvals} approvals but has 1 publisher")
                }
                (Lang::En, n) => {
                    format!("unit `{unit}` requires {approvals} approvals but has {n} publishers")
                }
                (Lang::Sv, 1) => {
                    format!("enheten `{unit}` kräver {approvals} godkännanden men har 1 utgivare")
                }
                (Lang::Sv, n) => {
                    format!("enheten `{unit}` kräver {approvals} godkännanden men har {n} utgivare")
                }
            },
            ApprovalsExceedHint => t!(
                lang,
                "add publishers or lower `approvals:`; nothing of this unit could ever be published",
                "lägg till utgivare eller sänk `approvals:`; annars kan inget från den här enheten någonsin publiceras"
            ),
            FewPublishers { unit, publishers } => match (lang, publishers) {
                (Lang::En, 1) => format!("production unit `{unit}` has 1 publisher"),
                (Lang::En, n) => format!("production unit `{unit}` has {n} publishers"),
                (Lang::Sv, n) => format!("produktionsenheten `{unit}` har {n} utgivare"),
            },
            FewPublishersHint => t!(
                lang,
                "list at least two publishers, so that a version can be approved when one is away",
                "ange minst två utgivare, så att en version kan godkännas när en av dem är borta"
            ),
            RiskTemplate { problem } => {
                let problem = problem.text(lang);
                t!(
                    lang,
                    "{problem}: `moment publish` refuses it",
                    "{problem}: `moment publish` vägrar publicera"
                )
            }
            RiskTemplateHint { min } => t!(
                lang,
                "write the real risk analysis (at least {min} words) and remove the template's marker line",
                "skriv den verkliga riskanalysen (minst {min} ord) och ta bort mallens markeringsrad"
            ),
            DuplicateModuleId { module, first, id } => t!(
                lang,
                "module {module} has the id `{id}`, which {first} already has",
                "modulen {module} har id:t `{id}`, som {first} redan har"
            ),
            DuplicateModuleIdHint { id } => t!(
                lang,
                "give one of them another `id:` in its front matter; keep the id of the module that was published with `{id}`, so citizens keep their place",
                "ge en av dem ett annat `id:` i dess front matter; behåll id:t för den modul som publicerades med `{id}`, så att invånarna behåller sin plats"
            ),
        }
    }
}
