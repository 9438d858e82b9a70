//! The vocabulary of changes: every kind a diff reports, with its class, who notices
//! it, and its sentences in Swedish and English.

use serde::{Serialize, Serializer};

use super::Class;
use super::lang::Lang;

macro_rules! kinds {
    ($($variant:ident => $name:literal, $class:ident;)*) => {
        /// A kind of change. Its JSON name (`as_str`) is stable.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ChangeKind {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl ChangeKind {
            /// Every kind.
            pub const ALL: &'static [ChangeKind] = &[$(ChangeKind::$variant,)*];

            /// The stable machine name, as in the JSON report.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ChangeKind::$variant => $name,)*
                }
            }

            /// The class of the change when nothing about its context makes it more
            /// serious (a reworded question is clinical only when it is scored).
            pub fn class(self) -> Class {
                match self {
                    $(ChangeKind::$variant => Class::$class,)*
                }
            }
        }
    };
}

kinds! {
    TitleChanged => "title_changed", Content;
    DescriptionChanged => "description_changed", Content;
    KindChanged => "kind_changed", Content;
    LanguageChanged => "language_changed", Content;
    UnitChanged => "unit_changed", Content;
    AccessChanged => "access_changed", Content;
    OpenToChanged => "open_to_changed", Content;
    CareProvidersChanged => "care_providers_changed", Content;
    MessagingChanged => "messaging_changed", Content;
    OwnersChanged => "owners_changed", Cosmetic;
    RiskAnalysisChanged => "risk_analysis_changed", Cosmetic;
    FormattingChanged => "formatting_changed", Cosmetic;
    WelcomeRenamed => "welcome_renamed", Cosmetic;
    TextChanged => "text_changed", Content;
    TextAdded => "text_added", Content;
    TextRemoved => "text_removed", Content;
    ModuleAdded => "module_added", Content;
    ModuleRemoved => "module_removed", Content;
    ModuleRenamed => "module_renamed", Content;
    ModulesReordered => "modules_reordered", Content;
    ModuleTitleChanged => "module_title_changed", Content;
    ModuleActivationChanged => "module_activation_changed", Content;
    FormPlacementChanged => "form_placement_changed", Content;
    MediaAdded => "media_added", Content;
    MediaRemoved => "media_removed", Content;
    MediaChanged => "media_changed", Content;
    MediaTitleChanged => "media_title_changed", Content;
    CaptionsChanged => "captions_changed", Content;
    PosterChanged => "poster_changed", Content;
    TranscriptChanged => "transcript_changed", Content;
    FormAdded => "form_added", Content;
    FormRemoved => "form_removed", Clinical;
    FormTitleChanged => "form_title_changed", Content;
    FormDescriptionChanged => "form_description_changed", Content;
    FormKindChanged => "form_kind_changed", Content;
    ScheduleChanged => "schedule_changed", Content;
    SeriesBreakChanged => "series_break_changed", Content;
    ItemAdded => "item_added", Content;
    ItemRemoved => "item_removed", Clinical;
    ItemTextChanged => "item_text_changed", Content;
    ItemTypeChanged => "item_type_changed", Clinical;
    ItemLabelsChanged => "item_labels_changed", Content;
    ItemUnitChanged => "item_unit_changed", Content;
    ItemHelpChanged => "item_help_changed", Content;
    ItemRequiredChanged => "item_required_changed", Content;
    ItemRangeChanged => "item_range_changed", Content;
    EnableWhenChanged => "enable_when_changed", Clinical;
    ItemsReordered => "items_reordered", Content;
    OptionValueChanged => "option_value_changed", Clinical;
    OptionLabelChanged => "option_label_changed", Content;
    OptionAdded => "option_added", Content;
    OptionRemoved => "option_removed", Content;
    ScoreAdded => "score_added", Clinical;
    ScoreRemoved => "score_removed", Clinical;
    ScoreTitleChanged => "score_title_changed", Content;
    ScoreSumChanged => "score_sum_changed", Clinical;
    ScoreMissingChanged => "score_missing_changed", Clinical;
    ScoreBandChanged => "score_band_changed", Clinical;
    ScoreBandAdded => "score_band_added", Clinical;
    ScoreBandRemoved => "score_band_removed", Clinical;
    AlertAdded => "alert_added", Clinical;
    AlertRemoved => "alert_removed", Clinical;
    AlertConditionChanged => "alert_condition_changed", Clinical;
    AlertMessageChanged => "alert_message_changed", Content;
}

impl Serialize for ChangeKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Who notices a change once the new version is active.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Citizens see it (and staff, who see what citizens see).
    Citizens,
    /// Only staff and administrators see it.
    Staff,
    /// No one.
    Nobody,
}

/// What a change is about, as people see it: texts, not ids.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subject {
    /// The thing itself: a question's text (shortened), an option's label, a module's
    /// or a form's title, a band such as `Låg (0–7)`, a media title.
    pub name: String,
    /// What it belongs to: the question of an option, the score of a band, the module
    /// of a paragraph (empty: the welcome text), the form of a question.
    pub within: String,
    /// A number counted from 1, where a person counts (paragraph, option, band).
    pub number: Option<usize>,
    /// A media kind (`video`, `audio`, `image`) where the sentence names one.
    pub noun: Option<&'static str>,
    /// The new state of an on/off setting: messaging on, activated by staff,
    /// required, open access, series break declared.
    pub flag: bool,
    /// The old state, in words.
    pub was: String,
    /// The new state, in words.
    pub now: String,
}

impl Subject {
    /// A subject named `name`.
    pub fn named(name: impl Into<String>) -> Subject {
        Subject {
            name: name.into(),
            ..Subject::default()
        }
    }

    /// Sets what the subject belongs to.
    pub fn within(mut self, within: impl Into<String>) -> Subject {
        self.within = within.into();
        self
    }

    /// Sets the number, counted from 1.
    pub fn number(mut self, n: usize) -> Subject {
        self.number = Some(n);
        self
    }

    /// Sets the flag.
    pub fn flag(mut self, flag: bool) -> Subject {
        self.flag = flag;
        self
    }

    /// Sets the old and new state, in words.
    pub fn states(mut self, was: impl Into<String>, now: impl Into<String>) -> Subject {
        self.was = was.into();
        self.now = now.into();
        self
    }

    /// Sets the media kind.
    pub fn noun(mut self, noun: &'static str) -> Subject {
        self.noun = Some(noun);
        self
    }
}

/// A media kind in words: (Swedish indefinite, Swedish definite, English).
fn media_words(noun: Option<&str>) -> (&'static str, &'static str, &'static str) {
    match noun {
        Some("video") => ("en film", "filmen", "video"),
        Some("audio") => ("en ljudfil", "ljudfilen", "audio recording"),
        _ => ("en bild", "bilden", "image"),
    }
}

impl ChangeKind {
    /// Who notices the change.
    pub fn audience(self) -> Audience {
        use ChangeKind as K;
        match self.class() {
            Class::Cosmetic => return Audience::Nobody,
            Class::Clinical => return Audience::Staff,
            Class::Content => {}
        }
        match self {
            K::AlertMessageChanged
            | K::ScoreTitleChanged
            | K::CareProvidersChanged
            | K::UnitChanged
            | K::AccessChanged
            | K::OpenToChanged
            | K::FormKindChanged
            | K::SeriesBreakChanged => Audience::Staff,
            _ => Audience::Citizens,
        }
    }

    /// One sentence for people, in `lang`, naming things by their text.
    pub fn summary(self, lang: Lang, s: &Subject) -> String {
        use ChangeKind as K;
        let q = |t: &str| lang.quote(t);
        let (name, within) = (q(&s.name), q(&s.within));
        let n = s.number.unwrap_or(0);
        let (sv_a, sv_the, en) = media_words(s.noun);
        let place_sv = if s.within.is_empty() {
            "välkomsttexten".to_owned()
        } else {
            format!("modulen {within}")
        };
        let place_en = if s.within.is_empty() {
            "the welcome text".to_owned()
        } else {
            format!("the module {within}")
        };
        let sv = |t: String| t;
        match lang {
            Lang::Sv => sv(match self {
                K::TitleChanged => format!("Programmet heter nu {name} (tidigare {}).", q(&s.was)),
                K::DescriptionChanged => "Beskrivningen av programmet har ändrats.".to_owned(),
                K::KindChanged => {
                    format!("Programmet är nu av typen {} (tidigare {}).", s.now, s.was)
                }
                K::LanguageChanged => {
                    format!("Programmets språk är nu {} (tidigare {}).", s.now, s.was)
                }
                K::UnitChanged => format!(
                    "Programmet ges nu ut av enheten {} (tidigare {}).",
                    s.now, s.was
                ),
                K::AccessChanged => {
                    if s.flag {
                        "Invånare kan nu själva starta programmet.".to_owned()
                    } else {
                        "Programmet kan nu bara startas av personal.".to_owned()
                    }
                }
                K::OpenToChanged => {
                    format!("Programmet är nu öppet för {} (tidigare {}).", s.now, s.was)
                }
                K::CareProvidersChanged => {
                    "Vilka vårdgivare som har tillgång till programmet har ändrats.".to_owned()
                }
                K::MessagingChanged => {
                    if s.flag {
                        "Meddelandefunktionen slås på: invånaren kan skriva till personalen."
                            .to_owned()
                    } else {
                        "Meddelandefunktionen stängs av: invånaren kan inte längre skriva till personalen.".to_owned()
                    }
                }
                K::OwnersChanged => "Programmets ägare har ändrats.".to_owned(),
                K::RiskAnalysisChanged => "Riskanalysen ligger i en annan fil.".to_owned(),
                K::FormattingChanged => format!(
                    "{} har formaterats om; ingen ser någon skillnad.",
                    capital(if s.now.is_empty() { &place_sv } else { &s.now })
                ),
                K::WelcomeRenamed => {
                    "Välkomsttexten ligger i en annan fil; texten är densamma.".to_owned()
                }
                K::TextChanged => format!("Stycke {n} i {place_sv} har ändrats."),
                K::TextAdded => format!("Ett nytt stycke {n} i {place_sv}."),
                K::TextRemoved => format!("Stycke {n} i {place_sv} har tagits bort."),
                K::ModuleAdded => format!("En ny modul: {name}."),
                K::ModuleRemoved => format!("Modulen {name} har tagits bort."),
                K::ModuleRenamed => {
                    if s.flag {
                        format!(
                            "Modulen {name} har fått en ny sidadress (filen har bytt namn, modulens id är detsamma)."
                        )
                    } else {
                        format!(
                            "Modulen {name} har fått en ny sidadress och ett nytt id (filen har bytt namn)."
                        )
                    }
                }
                K::ModulesReordered => "Modulerna kommer i en ny ordning.".to_owned(),
                K::ModuleTitleChanged => format!("Modulen {} heter nu {name}.", q(&s.was)),
                K::ModuleActivationChanged => {
                    if s.flag {
                        format!(
                            "Modulen {name} aktiveras nu av personal (tidigare öppnades den direkt)."
                        )
                    } else {
                        format!(
                            "Modulen {name} öppnas nu direkt (tidigare aktiverades den av personal)."
                        )
                    }
                }
                K::FormPlacementChanged => format!("Modulen {name} visar andra formulär än förut."),
                K::MediaAdded => format!(
                    "{} i {within}: {name}.",
                    capital(&format!("ny {}", sv_a.trim_start_matches("en ")))
                ),
                K::MediaRemoved => {
                    format!("{} {name} i {within} har tagits bort.", capital(sv_the))
                }
                K::MediaChanged => format!("{} {name} i {within} har bytts ut.", capital(sv_the)),
                K::MediaTitleChanged => format!(
                    "{} i {within} heter nu {name} (tidigare {}).",
                    capital(sv_the),
                    q(&s.was)
                ),
                K::CaptionsChanged => {
                    format!("Undertexterna till {sv_the} {name} i {within} har ändrats.")
                }
                K::PosterChanged => {
                    format!("Startbilden till {sv_the} {name} i {within} har bytts ut.")
                }
                K::TranscriptChanged => {
                    format!("Textversionen av {sv_the} {name} i {within} har ändrats.")
                }
                K::FormAdded => format!("Ett nytt formulär: {name}."),
                K::FormRemoved => format!("Formuläret {name} har tagits bort."),
                K::FormTitleChanged => format!("Formuläret {} heter nu {name}.", q(&s.was)),
                K::FormDescriptionChanged => {
                    format!("Introduktionen till formuläret {name} har ändrats.")
                }
                K::FormKindChanged => {
                    format!("Formuläret {name} är nu {} (tidigare {}).", s.now, s.was)
                }
                K::ScheduleChanged => format!(
                    "Formuläret {name} fylls nu i {} (tidigare {}).",
                    s.now, s.was
                ),
                K::SeriesBreakChanged => {
                    if s.flag {
                        format!(
                            "Personalens grafer för {name} visar resultat före och efter den här versionen var för sig."
                        )
                    } else {
                        format!("Personalens grafer för {name} visar åter resultaten i en följd.")
                    }
                }
                K::ItemAdded => format!("En ny fråga i {within}: {name}."),
                K::ItemRemoved => format!("Frågan {name} i {within} har tagits bort."),
                K::ItemTextChanged => format!("Frågan {name} har fått ny formulering."),
                K::ItemTypeChanged => format!(
                    "Frågan {name} besvaras nu som {} (tidigare {}).",
                    s.now, s.was
                ),
                K::ItemLabelsChanged => format!(
                    "Skalan till frågan {name} har nya ändpunkter: {} (tidigare {}).",
                    s.now, s.was
                ),
                K::ItemUnitChanged => format!(
                    "Enheten till frågan {name} är nu {} (tidigare {}).",
                    q(&s.now),
                    q(&s.was)
                ),
                K::ItemHelpChanged => format!("Hjälptexten till frågan {name} har ändrats."),
                K::ItemRequiredChanged => {
                    if s.flag {
                        format!("Frågan {name} måste nu besvaras.")
                    } else {
                        format!("Frågan {name} går nu att lämna obesvarad.")
                    }
                }
                K::ItemRangeChanged => format!(
                    "Frågan {name} tar nu emot svar {} (tidigare {}).",
                    s.now, s.was
                ),
                K::EnableWhenChanged => {
                    format!("Frågan {name} visas nu {} (tidigare {}).", s.now, s.was)
                }
                K::ItemsReordered => format!("Frågorna i {name} kommer i en ny ordning."),
                K::OptionValueChanged => format!(
                    "Svarsalternativ {n}, {name}, på frågan {within} har värdet {} (tidigare {}).",
                    s.now, s.was
                ),
                K::OptionLabelChanged => format!(
                    "Svarsalternativ {n} på frågan {within} heter nu {name} (tidigare {}).",
                    q(&s.was)
                ),
                K::OptionAdded => format!(
                    "Frågan {within} har fått svarsalternativ {n}, {name} (värde {}).",
                    s.now
                ),
                K::OptionRemoved => format!(
                    "Svarsalternativet {name} (värde {}) på frågan {within} har tagits bort.",
                    s.was
                ),
                K::ScoreAdded => format!("En ny poäng i {within}: {name}."),
                K::ScoreRemoved => format!("Poängen {name} i {within} har tagits bort."),
                K::ScoreTitleChanged => format!("Poängen {} heter nu {name}.", q(&s.was)),
                K::ScoreSumChanged => format!(
                    "Poängen {name} räknas nu på andra frågor: {} (tidigare {}).",
                    s.now, s.was
                ),
                K::ScoreMissingChanged => format!(
                    "Obesvarade frågor i poängen {name}: {} (tidigare: {}).",
                    s.now, s.was
                ),
                K::ScoreBandChanged => format!(
                    "Band {n} för poängen {within} är nu {} (tidigare {}).",
                    s.now, s.was
                ),
                K::ScoreBandAdded => {
                    format!("Poängen {within} har fått ett nytt band {n}: {}.", s.now)
                }
                K::ScoreBandRemoved => {
                    format!("Band {n} för poängen {within}, {}, har tagits bort.", s.was)
                }
                K::AlertAdded => format!("Ett nytt larm till personalen {}: {name}.", s.now),
                K::AlertRemoved => format!("Larmet {name} har tagits bort (det gick {}).", s.was),
                K::AlertConditionChanged => {
                    format!("Larmet {name} går nu {} (tidigare {}).", s.now, s.was)
                }
                K::AlertMessageChanged => format!("Larmtexten till personalen är nu {name}."),
            }),
            Lang::En => match self {
                K::TitleChanged => format!("The program is now called {name} (was {}).", q(&s.was)),
                K::DescriptionChanged => "The program's description changed.".to_owned(),
                K::KindChanged => {
                    format!("The program is now of the kind {} (was {}).", s.now, s.was)
                }
                K::LanguageChanged => {
                    format!("The program's language is now {} (was {}).", s.now, s.was)
                }
                K::UnitChanged => format!(
                    "The program is now published by the unit {} (was {}).",
                    s.now, s.was
                ),
                K::AccessChanged => {
                    if s.flag {
                        "Citizens can now start the program themselves.".to_owned()
                    } else {
                        "Only staff can now start the program.".to_owned()
                    }
                }
                K::OpenToChanged => {
                    format!("The program is now open to {} (was {}).", s.now, s.was)
                }
                K::CareProvidersChanged => {
                    "The care providers granted the program changed.".to_owned()
                }
                K::MessagingChanged => {
                    if s.flag {
                        "Messaging is switched on: citizens can write to staff.".to_owned()
                    } else {
                        "Messaging is switched off: citizens can no longer write to staff."
                            .to_owned()
                    }
                }
                K::OwnersChanged => "The program's owners changed.".to_owned(),
                K::RiskAnalysisChanged => "The risk analysis is in another file.".to_owned(),
                K::FormattingChanged => format!(
                    "{} was reformatted; no one sees a difference.",
                    capital(if s.now.is_empty() { &place_en } else { &s.now })
                ),
                K::WelcomeRenamed => {
                    "The welcome text is in another file; the text is the same.".to_owned()
                }
                K::TextChanged => format!("Paragraph {n} of {place_en} was edited."),
                K::TextAdded => format!("A new paragraph {n} in {place_en}."),
                K::TextRemoved => format!("Paragraph {n} of {place_en} was removed."),
                K::ModuleAdded => format!("A new module: {name}."),
                K::ModuleRemoved => format!("The module {name} was removed."),
                K::ModuleRenamed => {
                    if s.flag {
                        format!(
                            "The module {name} has a new page address (its file was renamed; its id is the same)."
                        )
                    } else {
                        format!(
                            "The module {name} has a new page address and a new id (its file was renamed)."
                        )
                    }
                }
                K::ModulesReordered => "The modules come in a new order.".to_owned(),
                K::ModuleTitleChanged => format!("The module {} is now called {name}.", q(&s.was)),
                K::ModuleActivationChanged => {
                    if s.flag {
                        format!(
                            "The module {name} is now activated by staff (it used to open at once)."
                        )
                    } else {
                        format!(
                            "The module {name} now opens at once (it used to be activated by staff)."
                        )
                    }
                }
                K::FormPlacementChanged => {
                    format!("The module {name} shows other forms than before.")
                }
                K::MediaAdded => format!("A new {en} in {within}: {name}."),
                K::MediaRemoved => format!("The {en} {name} in {within} was removed."),
                K::MediaChanged => format!("The {en} {name} in {within} was replaced."),
                K::MediaTitleChanged => format!(
                    "The {en} in {within} is now called {name} (was {}).",
                    q(&s.was)
                ),
                K::CaptionsChanged => {
                    format!("The captions of the {en} {name} in {within} changed.")
                }
                K::PosterChanged => {
                    format!("The poster image of the {en} {name} in {within} was replaced.")
                }
                K::TranscriptChanged => {
                    format!("The transcript of the {en} {name} in {within} changed.")
                }
                K::FormAdded => format!("A new form: {name}."),
                K::FormRemoved => format!("The form {name} was removed."),
                K::FormTitleChanged => format!("The form {} is now called {name}.", q(&s.was)),
                K::FormDescriptionChanged => {
                    format!("The introduction of the form {name} changed.")
                }
                K::FormKindChanged => format!("The form {name} is now {} (was {}).", s.now, s.was),
                K::ScheduleChanged => format!(
                    "The form {name} is now filled in {} (was {}).",
                    s.now, s.was
                ),
                K::SeriesBreakChanged => {
                    if s.flag {
                        format!(
                            "Staff graphs of {name} show results before and after this version apart."
                        )
                    } else {
                        format!("Staff graphs of {name} show the results as one series again.")
                    }
                }
                K::ItemAdded => format!("A new question in {within}: {name}."),
                K::ItemRemoved => format!("The question {name} in {within} was removed."),
                K::ItemTextChanged => format!("The question {name} is worded differently."),
                K::ItemTypeChanged => format!(
                    "The question {name} is now answered as {} (was {}).",
                    s.now, s.was
                ),
                K::ItemLabelsChanged => format!(
                    "The scale of the question {name} has new end labels: {} (was {}).",
                    s.now, s.was
                ),
                K::ItemUnitChanged => format!(
                    "The unit of the question {name} is now {} (was {}).",
                    q(&s.now),
                    q(&s.was)
                ),
                K::ItemHelpChanged => format!("The help text of the question {name} changed."),
                K::ItemRequiredChanged => {
                    if s.flag {
                        format!("The question {name} must now be answered.")
                    } else {
                        format!("The question {name} can now be left unanswered.")
                    }
                }
                K::ItemRangeChanged => format!(
                    "The question {name} now takes answers {} (was {}).",
                    s.now, s.was
                ),
                K::EnableWhenChanged => format!(
                    "The question {name} is now shown {} (was {}).",
                    s.now, s.was
                ),
                K::ItemsReordered => format!("The questions of {name} come in a new order."),
                K::OptionValueChanged => format!(
                    "Option {n}, {name}, of the question {within} has the value {} (was {}).",
                    s.now, s.was
                ),
                K::OptionLabelChanged => format!(
                    "Option {n} of the question {within} is now worded {name} (was {}).",
                    q(&s.was)
                ),
                K::OptionAdded => format!(
                    "The question {within} has a new option {n}, {name} (value {}).",
                    s.now
                ),
                K::OptionRemoved => format!(
                    "The option {name} (value {}) of the question {within} was removed.",
                    s.was
                ),
                K::ScoreAdded => format!("A new score in {within}: {name}."),
                K::ScoreRemoved => format!("The score {name} in {within} was removed."),
                K::ScoreTitleChanged => format!("The score {} is now called {name}.", q(&s.was)),
                K::ScoreSumChanged => format!(
                    "The score {name} now sums other questions: {} (was {}).",
                    s.now, s.was
                ),
                K::ScoreMissingChanged => format!(
                    "Unanswered questions in the score {name}: {} (was: {}).",
                    s.now, s.was
                ),
                K::ScoreBandChanged => format!(
                    "Band {n} of the score {within} is now {} (was {}).",
                    s.now, s.was
                ),
                K::ScoreBandAdded => format!("The score {within} has a new band {n}: {}.", s.now),
                K::ScoreBandRemoved => {
                    format!("Band {n} of the score {within}, {}, was removed.", s.was)
                }
                K::AlertAdded => format!("A new alert to staff {}: {name}.", s.now),
                K::AlertRemoved => format!("The alert {name} was removed (it fired {}).", s.was),
                K::AlertConditionChanged => {
                    format!("The alert {name} now fires {} (was {}).", s.now, s.was)
                }
                K::AlertMessageChanged => format!("The alert text to staff is now {name}."),
            },
        }
    }
}

/// The text with its first letter in upper case.
pub fn capital(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() => c.to_uppercase().chain(chars).collect(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_snake_case() {
        let mut names: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ChangeKind::ALL.len());
    }

    #[test]
    fn every_kind_has_a_sentence_in_both_languages_without_ids() {
        let s = Subject::named("Hur bra sov du?")
            .within("Sömndagbok")
            .number(2);
        for kind in ChangeKind::ALL {
            for lang in [Lang::Sv, Lang::En] {
                let text = kind.summary(lang, &s);
                assert!(text.ends_with('.'), "{kind:?} {lang:?}: {text}");
                assert!(!text.contains('`'), "{kind:?} {lang:?}: {text}");
                assert!(!text.contains(" 0 "), "{kind:?} {lang:?}: {text}");
            }
        }
    }

    #[test]
    fn a_media_sentence() {
        let s = Subject::named("Andas lugnt")
            .within("Om sömn")
            .noun("video");
        assert_eq!(
            ChangeKind::MediaAdded.summary(Lang::Sv, &s),
            "Ny film i ”Om sömn”: ”Andas lugnt”."
        );
    }
}

#[cfg(test)]
mod schema_tests {
    use super::ChangeKind;

    #[test]
    fn the_json_schema_lists_every_kind() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schemas/diff.schema.json")).unwrap();
        let listed: Vec<&str> = schema["$defs"]["change"]["properties"]["kind"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        let all: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            listed, all,
            "schemas/diff.schema.json and ChangeKind differ"
        );
    }
}
