//! Messages of form tests (`forms/<id>.tests.yaml`) and of the version policy
//! (`check --against`), and of theme templates.

use crate::diagnostic::{Lang, Message};
use crate::t;

/// A value shown in a failing form test.
#[derive(Clone, Debug)]
pub enum Shown {
    /// A number or a band label, as written.
    Value(String),
    /// A score that was not computed.
    NotComputed,
    /// A score that was not computed, with the unanswered items.
    NotComputedMissing(String),
    /// No band.
    NoBand,
    /// A list of ids (empty: none).
    Ids(Vec<String>),
}

impl Message for Shown {
    fn text(&self, lang: Lang) -> String {
        match self {
            Shown::Value(v) => v.clone(),
            Shown::NotComputed => t!(lang, "not computed", "inte uträknad"),
            Shown::NotComputedMissing(list) => t!(
                lang,
                "not computed ({list} unanswered)",
                "inte uträknad ({list} obesvarade)"
            ),
            Shown::NoBand => t!(lang, "no band", "inget intervall"),
            Shown::Ids(ids) if ids.is_empty() => t!(lang, "none", "inga"),
            Shown::Ids(ids) => ids
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// What a form test expects that the form does not have.
#[derive(Clone, Copy, Debug)]
pub enum Expected {
    /// A score.
    Score,
    /// A band of a score.
    Band,
    /// An alert.
    Alert,
    /// A hidden item.
    Hidden,
    /// An unanswered item.
    Unanswered,
}

/// How a scenario fails.
#[derive(Clone, Debug)]
pub enum Failure {
    /// A score.
    Score {
        id: String,
        actual: Shown,
        want: Shown,
    },
    /// A band.
    Band {
        id: String,
        actual: Shown,
        want: Shown,
    },
    /// Unanswered required items.
    Unanswered { actual: Shown, want: Shown },
    /// Alerts fired.
    Alerts { actual: Shown, want: Shown },
    /// Hidden items.
    Hidden { actual: Shown, want: Shown },
}

/// What form tests, the version policy and themes report.
#[derive(Clone, Debug)]
pub enum Tests {
    /// E043: an answer to a non-item.
    AnswerNotItem { name: String, id: String },
    /// Hint: the items.
    ItemsOf { form: String, list: String },
    /// E043: an answer that does not fit (the reason is the scoring engine's, in English).
    AnswerMisfit {
        name: String,
        id: String,
        why: String,
    },
    /// Hint: the item's type.
    ItemIs { id: String, kind: &'static str },
    /// E043: an expectation about something the form lacks.
    UnknownExpected {
        name: String,
        what: Expected,
        id: String,
    },
    /// Hint: what is known.
    Known { list: String },
    /// E042.
    Fails { name: String, failure: Failure },
    /// Hint for E042.
    FailsHint,
    /// E049.
    SeriesBreak { form: String, against: String },
    /// Hint for E049.
    SeriesBreakHint,
    /// E048.
    VersionPolicy {
        id: String,
        class: Class,
        from: String,
        to: String,
        against: String,
    },
    /// Hint for E048.
    VersionPolicyHint {
        needed: String,
        example: Option<String>,
        against: String,
    },
    /// E047.
    Theme { detail: String },
    /// Hint for E047.
    ThemeHint,
}

/// The class of the largest change since a revision.
#[derive(Clone, Copy, Debug)]
pub enum Class {
    /// Clinical (major).
    Clinical,
    /// Content (minor).
    Content,
    /// Cosmetic (patch).
    Cosmetic,
}

impl Message for Tests {
    fn text(&self, lang: Lang) -> String {
        use Tests::*;
        match self {
            AnswerNotItem { name, id } => t!(
                lang,
                "scenario `{name}` answers `{id}`, which is not an item",
                "scenariot `{name}` svarar på `{id}`, som inte är en fråga"
            ),
            ItemsOf { form, list } => t!(
                lang,
                "items of `{form}`: {list}",
                "frågor i `{form}`: {list}"
            ),
            AnswerMisfit { name, id, why } => t!(
                lang,
                "scenario `{name}`: the answer to `{id}` {why}",
                "scenariot `{name}`: svaret på `{id}` är fel ({why})"
            ),
            ItemIs { id, kind } => t!(lang, "`{id}` is a {kind} item", "`{id}` är en {kind}-fråga"),
            UnknownExpected { name, what, id } => {
                let what = match (what, lang) {
                    (Expected::Score, Lang::En) => "score",
                    (Expected::Band, Lang::En) => "a band of score",
                    (Expected::Alert, Lang::En) => "alert",
                    (Expected::Hidden, Lang::En) => "hidden item",
                    (Expected::Unanswered, Lang::En) => "unanswered item",
                    (Expected::Score, Lang::Sv) => "poängen",
                    (Expected::Band, Lang::Sv) => "ett intervall för poängen",
                    (Expected::Alert, Lang::Sv) => "larmet",
                    (Expected::Hidden, Lang::Sv) => "den dolda frågan",
                    (Expected::Unanswered, Lang::Sv) => "den obesvarade frågan",
                };
                t!(
                    lang,
                    "scenario `{name}` expects {what} `{id}`, which the form does not have",
                    "scenariot `{name}` förväntar sig {what} `{id}`, som formuläret inte har"
                )
            }
            Known { list } => t!(lang, "known: {list}", "kända: {list}"),
            Fails { name, failure } => {
                let failure = match failure {
                    Failure::Score { id, actual, want } => {
                        let (actual, want) = (actual.text(lang), want.text(lang));
                        t!(
                            lang,
                            "score `{id}` is {actual}, expected {want}",
                            "poängen `{id}` är {actual}, förväntat {want}"
                        )
                    }
                    Failure::Band { id, actual, want } => {
                        let (actual, want) = (actual.text(lang), want.text(lang));
                        t!(
                            lang,
                            "band of `{id}` is {actual}, expected {want}",
                            "intervallet för `{id}` är {actual}, förväntat {want}"
                        )
                    }
                    Failure::Unanswered { actual, want } => {
                        let (actual, want) = (actual.text(lang), want.text(lang));
                        t!(
                            lang,
                            "unanswered required items: {actual}, expected: {want}",
                            "obesvarade obligatoriska frågor: {actual}, förväntat: {want}"
                        )
                    }
                    Failure::Alerts { actual, want } => {
                        let (actual, want) = (actual.text(lang), want.text(lang));
                        t!(
                            lang,
                            "alerts fired: {actual}, expected: {want}",
                            "utlösta larm: {actual}, förväntat: {want}"
                        )
                    }
                    Failure::Hidden { actual, want } => {
                        let (actual, want) = (actual.text(lang), want.text(lang));
                        t!(
                            lang,
                            "hidden items: {actual}, expected: {want}",
                            "dolda frågor: {actual}, förväntat: {want}"
                        )
                    }
                };
                t!(
                    lang,
                    "scenario `{name}` fails: {failure}",
                    "scenariot `{name}` misslyckas: {failure}"
                )
            }
            FailsHint => t!(
                lang,
                "fix the form or the expectation; the scoring engine is the same one the preview and the platform use",
                "rätta formuläret eller förväntan; poängberäkningen är densamma som förhandsvisningen och plattformen använder"
            ),
            SeriesBreak { form, against } => t!(
                lang,
                "the scored items of repeated form `{form}` changed since {against}, so staff graphs would compare different things",
                "de poänggivande frågorna i det upprepade formuläret `{form}` har ändrats sedan {against}, så personalens grafer skulle jämföra olika saker"
            ),
            SeriesBreakHint => t!(
                lang,
                "set `series_break: true` on the form in this version (it must turn true in the version whose scored items change), so that staff see results before and after this version apart",
                "sätt `series_break: true` på formuläret i den här versionen (det ska bli true i den version där de poänggivande frågorna ändras), så att personalen ser resultaten före och efter versionen åtskilda"
            ),
            VersionPolicy {
                id,
                class,
                from,
                to,
                against,
            } => {
                let class = match (class, lang) {
                    (Class::Clinical, Lang::En) => "clinical",
                    (Class::Content, Lang::En) => "content",
                    (Class::Cosmetic, Lang::En) => "cosmetic",
                    (Class::Clinical, Lang::Sv) => "kliniska",
                    (Class::Content, Lang::Sv) => "innehållsmässiga",
                    (Class::Cosmetic, Lang::Sv) => "kosmetiska",
                };
                t!(
                    lang,
                    "`{id}` has {class} changes since {against} but its version went {from} → {to}",
                    "`{id}` har {class} ändringar sedan {against}, men versionen gick {from} → {to}"
                )
            }
            VersionPolicyHint {
                needed,
                example,
                against,
            } => {
                let example = match example {
                    Some(e) => t!(lang, " (for example: {e})", " (till exempel: {e})"),
                    None => String::new(),
                };
                t!(
                    lang,
                    "set `version: \"{needed}\"` or higher{example}; run `moment diff {against}` to see every change",
                    "skriv `version: \"{needed}\"` eller högre{example}; kör `moment diff {against}` för att se alla ändringar"
                )
            }
            Theme { detail } => t!(
                lang,
                "theme template error: {detail}",
                "fel i temamallen: {detail}"
            ),
            ThemeHint => t!(
                lang,
                "fix the template; to change one block, extend the built-in template: {{% extends \"builtin/module.html\" %}}",
                "rätta mallen; för att ändra ett block, bygg vidare på den inbyggda mallen: {{% extends \"builtin/module.html\" %}}"
            ),
        }
    }
}
