//! What a clinical change does: one sentence per change, computed from the two
//! versions of the form (which totals move to another band, which answers now raise
//! an alert, which answers no longer count).

use serde::Serialize;

use super::lang::Lang;
use crate::model::{AlertCondition, Form, ItemType, Op, Scalar, Score};
use crate::scoring::{self, Answer, fmt_num};

/// A range of totals whose band changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BandMove {
    /// The lowest total of the range.
    pub from: f64,
    /// The highest total of the range.
    pub to: f64,
    /// The band before, if any.
    pub was: Option<String>,
    /// The band now, if any.
    pub now: Option<String>,
}

/// What happens to a score when a question is left unanswered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unanswered {
    /// The score is not computed.
    NotComputed,
    /// The score is scaled up from the answered questions (up to `allow` unanswered).
    Prorated(u32),
    /// Unanswered questions count as 0 (up to `allow` unanswered).
    Zero(u32),
}

/// The consequence of one clinical change.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Consequence {
    /// Totals of `score` now fall in another band.
    BandsMoved {
        /// The score, by its title.
        score: String,
        /// The ranges that moved.
        moves: Vec<BandMove>,
    },
    /// An alert on a threshold now fires from another value.
    AlertThreshold {
        /// The first value that fired before.
        was: String,
        /// The first value that fires now.
        now: String,
        /// Values that now fire and did not.
        newly: Vec<String>,
        /// Values that fired and no longer do.
        no_longer: Vec<String>,
    },
    /// An alert fires for other values.
    AlertValues {
        /// Values that now fire and did not.
        newly: Vec<String>,
        /// Values that fired and no longer do.
        no_longer: Vec<String>,
    },
    /// Questions no longer count, or now count, in a score.
    Counts {
        /// The score, by its title.
        score: String,
        /// Questions that now count.
        added: Vec<String>,
        /// Questions that no longer count.
        removed: Vec<String>,
    },
    /// A scored question reads or is answered differently: results before and after
    /// may not be comparable.
    NotComparable,
    /// An answer gives another value.
    OptionValue {
        /// The option's label.
        label: String,
        /// The value before.
        was: String,
        /// The value now.
        now: String,
    },
    /// What an unanswered question now means for a score.
    Unanswered {
        /// The score, by its title.
        score: String,
        /// Whether the question must now be answered.
        required: bool,
        /// The rule of the score.
        rule: Unanswered,
    },
    /// The missing-answer rule of a score changed.
    MissingRule {
        /// The score, by its title.
        score: String,
        /// The rule before.
        was: Unanswered,
        /// The rule now.
        now: Unanswered,
    },
    /// A scored question is now shown on another condition; when hidden it adds nothing.
    HiddenNotCounted,
    /// A question is no longer asked.
    NoLongerAsked,
    /// Staff now see a score, or no longer do.
    ScoreShown {
        /// The score, by its title.
        score: String,
        /// Whether it is new (else removed).
        added: bool,
    },
    /// A form is no longer filled in.
    FormGone,
}

/// How an unanswered question counts, in words.
pub fn unanswered_words(lang: Lang, rule: Unanswered) -> String {
    let up_to = |n: u32| match (lang, n) {
        (Lang::Sv, 1) => "en obesvarad fråga".to_owned(),
        (Lang::Sv, n) => format!("upp till {n} obesvarade frågor"),
        (Lang::En, 1) => "one unanswered question".to_owned(),
        (Lang::En, n) => format!("up to {n} unanswered questions"),
    };
    match (lang, rule) {
        (Lang::Sv, Unanswered::NotComputed) => {
            "ingen poäng beräknas när en fråga är obesvarad".to_owned()
        }
        (Lang::Sv, Unanswered::Prorated(n)) => {
            format!("{} räknas upp från de besvarade", up_to(n))
        }
        (Lang::Sv, Unanswered::Zero(n)) => format!("{} räknas som 0", up_to(n)),
        (Lang::En, Unanswered::NotComputed) => {
            "no score is computed when a question is unanswered".to_owned()
        }
        (Lang::En, Unanswered::Prorated(n)) => {
            let verb = if n == 1 { "is" } else { "are" };
            format!("{} {verb} scaled up from the answered ones", up_to(n))
        }
        (Lang::En, Unanswered::Zero(n)) => {
            let verb = if n == 1 { "counts" } else { "count" };
            format!("{} {verb} as 0", up_to(n))
        }
    }
}

fn range(from: f64, to: f64) -> String {
    if from == to {
        fmt_num(from)
    } else {
        format!("{}–{}", fmt_num(from), fmt_num(to))
    }
}

impl Consequence {
    /// The sentence, in `lang`.
    pub fn sentence(&self, lang: Lang) -> String {
        let q = |t: &str| lang.quote(t);
        match (self, lang) {
            (Consequence::BandsMoved { score, moves }, _) => {
                let parts: Vec<String> = moves
                    .iter()
                    .map(|m| {
                        let one = m.from == m.to;
                        let was = m
                            .was
                            .clone()
                            .unwrap_or_else(|| lang.pick("utan band", "without a band").to_owned());
                        let now = m
                            .now
                            .clone()
                            .unwrap_or_else(|| lang.pick("utan band", "without a band").to_owned());
                        match (lang, one) {
                            (Lang::Sv, true) => format!(
                                "en poäng på {} i {} var {was} och är nu {now}",
                                range(m.from, m.to),
                                q(score)
                            ),
                            (Lang::Sv, false) => format!(
                                "poäng {} i {} var {was} och är nu {now}",
                                range(m.from, m.to),
                                q(score)
                            ),
                            (Lang::En, true) => format!(
                                "a total of {} on {} was {was} and is now {now}",
                                range(m.from, m.to),
                                q(score)
                            ),
                            (Lang::En, false) => format!(
                                "totals of {} on {} were {was} and are now {now}",
                                range(m.from, m.to),
                                q(score)
                            ),
                        }
                    })
                    .collect();
                sentence(&parts.join("; "))
            }
            (
                Consequence::AlertThreshold {
                    was,
                    now,
                    newly,
                    no_longer,
                },
                _,
            ) => {
                let head = match lang {
                    Lang::Sv => format!("larmet går nu från {now} i stället för {was}"),
                    Lang::En => format!("the alert now fires from {now} instead of {was}"),
                };
                let tail = values_words(lang, newly, no_longer);
                sentence(&format!("{head}: {tail}"))
            }
            (Consequence::AlertValues { newly, no_longer }, _) => {
                sentence(&values_words(lang, newly, no_longer))
            }
            (
                Consequence::Counts {
                    score,
                    added,
                    removed,
                },
                _,
            ) => {
                let list = |v: &Vec<String>| {
                    lang.and_list(&v.iter().map(|t| q(t)).collect::<Vec<_>>())
                };
                let mut parts = Vec::new();
                if !removed.is_empty() {
                    parts.push(match lang {
                        Lang::Sv => format!(
                            "svaren på {} räknas inte längre in i {}",
                            list(removed),
                            q(score)
                        ),
                        Lang::En => format!(
                            "answers to {} no longer count in {}",
                            list(removed),
                            q(score)
                        ),
                    });
                }
                if !added.is_empty() {
                    parts.push(match lang {
                        Lang::Sv => {
                            format!("svaren på {} räknas nu in i {}", list(added), q(score))
                        }
                        Lang::En => format!("answers to {} now count in {}", list(added), q(score)),
                    });
                }
                let tail = lang.pick(
                    ", så samma svar kan ge en annan poäng än förut",
                    ", so the same answers can give another total than before",
                );
                sentence(&format!("{}{tail}", parts.join("; ")))
            }
            (Consequence::NotComparable, Lang::Sv) => {
                "Resultat från före och efter den här versionen är kanske inte jämförbara.".to_owned()
            }
            (Consequence::NotComparable, Lang::En) => {
                "Results from before and after this version may not be comparable.".to_owned()
            }
            (Consequence::OptionValue { label, was, now }, Lang::Sv) => format!(
                "Svaret {} ger nu {now} poäng i stället för {was}, så poäng med det svaret ändras.",
                q(label)
            ),
            (Consequence::OptionValue { label, was, now }, Lang::En) => format!(
                "The answer {} now gives {now} points instead of {was}, so totals with that answer change.",
                q(label)
            ),
            (
                Consequence::Unanswered {
                    score,
                    required,
                    rule,
                },
                _,
            ) => {
                let s = q(score);
                let text = match (lang, required, rule) {
                    (Lang::Sv, true, _) => format!(
                        "invånaren måste nu svara, så {s} saknas inte längre för att frågan lämnats obesvarad"
                    ),
                    (Lang::En, true, _) => format!(
                        "citizens must now answer, so {s} is no longer missing because the question was skipped"
                    ),
                    (Lang::Sv, false, Unanswered::NotComputed) => format!(
                        "lämnas frågan obesvarad beräknas ingen poäng {s} och inget band"
                    ),
                    (Lang::En, false, Unanswered::NotComputed) => format!(
                        "when the question is left unanswered, no {s} and no band are computed"
                    ),
                    (Lang::Sv, false, Unanswered::Prorated(_)) => format!(
                        "lämnas frågan obesvarad räknas {s} upp från de besvarade frågorna"
                    ),
                    (Lang::En, false, Unanswered::Prorated(_)) => format!(
                        "when the question is left unanswered, {s} is scaled up from the answered questions"
                    ),
                    (Lang::Sv, false, Unanswered::Zero(_)) => format!(
                        "lämnas frågan obesvarad räknas den som 0 i {s}, vilket ger en lägre poäng"
                    ),
                    (Lang::En, false, Unanswered::Zero(_)) => format!(
                        "when the question is left unanswered it counts as 0 in {s}, which lowers the total"
                    ),
                };
                sentence(&text)
            }
            (Consequence::MissingRule { score, was, now }, Lang::Sv) => sentence(&format!(
                "för {}: {} (tidigare: {})",
                q(score),
                unanswered_words(lang, *now),
                unanswered_words(lang, *was)
            )),
            (Consequence::MissingRule { score, was, now }, Lang::En) => sentence(&format!(
                "for {}: {} (was: {})",
                q(score),
                unanswered_words(lang, *now),
                unanswered_words(lang, *was)
            )),
            (Consequence::HiddenNotCounted, Lang::Sv) => {
                "När frågan inte visas räknas den inte in i poängen, så poängen kan ändras för samma svar."
                    .to_owned()
            }
            (Consequence::HiddenNotCounted, Lang::En) => {
                "When the question is not shown it adds nothing to the score, so the same answers can give another total."
                    .to_owned()
            }
            (Consequence::NoLongerAsked, Lang::Sv) => {
                "Frågan ställs inte längre; nya resultat saknar svaret.".to_owned()
            }
            (Consequence::NoLongerAsked, Lang::En) => {
                "The question is no longer asked; new results lack its answer.".to_owned()
            }
            (Consequence::ScoreShown { score, added }, Lang::Sv) => {
                if *added {
                    format!("Personalen ser nu poängen {}.", q(score))
                } else {
                    format!(
                        "Personalen ser inte längre poängen {}, och dess band och larm finns inte kvar.",
                        q(score)
                    )
                }
            }
            (Consequence::ScoreShown { score, added }, Lang::En) => {
                if *added {
                    format!("Staff now see the score {}.", q(score))
                } else {
                    format!(
                        "Staff no longer see the score {}; its bands and alerts are gone.",
                        q(score)
                    )
                }
            }
            (Consequence::FormGone, Lang::Sv) => {
                "Formuläret fylls inte längre i; personalen får inga nya resultat från det.".to_owned()
            }
            (Consequence::FormGone, Lang::En) => {
                "The form is no longer filled in; staff get no new results from it.".to_owned()
            }
        }
    }

    /// Whether results before and after the change may not be comparable.
    pub fn breaks_comparison(&self) -> bool {
        !matches!(
            self,
            Consequence::AlertThreshold { .. }
                | Consequence::AlertValues { .. }
                | Consequence::ScoreShown { added: true, .. }
        )
    }
}

fn values_words(lang: Lang, newly: &[String], no_longer: &[String]) -> String {
    let mut parts = Vec::new();
    if !newly.is_empty() {
        parts.push(match lang {
            Lang::Sv => format!("{} ger nu larm", lang.and_list(newly)),
            Lang::En => format!("it now also fires for {}", lang.and_list(newly)),
        });
    }
    if !no_longer.is_empty() {
        parts.push(match lang {
            Lang::Sv => format!("{} ger inte längre larm", lang.and_list(no_longer)),
            Lang::En => format!("it no longer fires for {}", lang.and_list(no_longer)),
        });
    }
    if parts.is_empty() {
        return lang
            .pick(
                "larmet går för samma svar som förut",
                "the alert fires for the same answers as before",
            )
            .to_owned();
    }
    parts.join("; ")
}

/// The text with a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut out = super::kind::capital(text);
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// The name of a score as staff see it: its title, else its id.
pub fn score_name(score: &Score) -> String {
    score.title.clone().unwrap_or_else(|| score.id.clone())
}

/// The totals a score can take, for comparing bands: whole numbers over its range
/// when it only takes whole numbers, else the band edges.
fn score_points(form: &Form, score: &Score, other: &Score) -> Vec<f64> {
    let edges = || {
        let mut v: Vec<f64> = score
            .bands
            .iter()
            .chain(&other.bands)
            .flat_map(|b| [b.min, b.max])
            .collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    };
    match scoring::score_range(form, score) {
        Some((lo, hi, true)) if hi - lo <= 10_000.0 => {
            let mut v = Vec::new();
            let mut x = lo.ceil();
            while x <= hi {
                v.push(x);
                x += 1.0;
            }
            v
        }
        _ => edges(),
    }
}

/// The totals whose band differs between two versions of a score, as ranges.
pub fn bands_moved(old_form: &Form, old: &Score, new_form: &Form, new: &Score) -> Vec<BandMove> {
    let mut points = score_points(new_form, new, old);
    points.extend(score_points(old_form, old, new));
    points.sort_by(f64::total_cmp);
    points.dedup();
    let label = |s: &Score, v: f64| scoring::band_of(s, v).map(|b| b.label.clone());
    let mut moves: Vec<BandMove> = Vec::new();
    for v in points {
        let (was, now) = (label(old, v), label(new, v));
        if was == now {
            continue;
        }
        match moves.last_mut() {
            Some(last) if last.was == was && last.now == now && v - last.to <= 1.0 => last.to = v,
            _ => moves.push(BandMove {
                from: v,
                to: v,
                was,
                now,
            }),
        }
    }
    moves
}

/// A value an alert can be tested on, with its words.
struct Point {
    answer: Answer,
    value: f64,
    words: Option<String>,
}

fn alert_points(lang: Lang, form: &Form, when: &AlertCondition) -> (Vec<Point>, bool) {
    if let Some(id) = &when.score {
        let Some(score) = form.scores.iter().find(|s| &s.id == id) else {
            return (Vec::new(), true);
        };
        let points = score_points(form, score, score)
            .into_iter()
            .map(|v| Point {
                answer: Answer::Number(v),
                value: v,
                words: None,
            })
            .collect();
        return (points, true);
    }
    let Some(item) = when.item.as_deref().and_then(|id| form.item(id)) else {
        return (Vec::new(), true);
    };
    match item.kind {
        ItemType::Choice | ItemType::Multichoice => {
            let mut points: Vec<Point> = item
                .options
                .iter()
                .map(|o| Point {
                    answer: if item.kind == ItemType::Choice {
                        Answer::Number(o.value)
                    } else {
                        Answer::Many(vec![o.value])
                    },
                    value: o.value,
                    words: Some(format!("{} ({})", lang.quote(&o.label), fmt_num(o.value))),
                })
                .collect();
            points.sort_by(|a, b| a.value.total_cmp(&b.value));
            (points, false)
        }
        ItemType::Boolean => (
            [
                (false, lang.pick("nej", "no")),
                (true, lang.pick("ja", "yes")),
            ]
            .into_iter()
            .map(|(b, w)| Point {
                answer: Answer::Bool(b),
                value: f64::from(u8::from(b)),
                words: Some(lang.quote(w)),
            })
            .collect(),
            false,
        ),
        _ => match scoring::item_range(item) {
            Some((lo, hi, _)) if hi - lo <= 10_000.0 => {
                let mut v = Vec::new();
                let mut x = lo.floor();
                while x <= hi {
                    v.push(Point {
                        answer: Answer::Number(x),
                        value: x,
                        words: None,
                    });
                    x += 1.0;
                }
                (v, true)
            }
            _ => (Vec::new(), true),
        },
    }
}

/// Values grouped in words: labelled values listed, numbers as ranges.
fn group(points: &[&Point]) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Option<(f64, f64)> = None;
    for p in points {
        if let Some(w) = &p.words {
            out.push(w.clone());
            continue;
        }
        run = match run {
            Some((a, b)) if p.value - b <= 1.0 => Some((a, p.value)),
            Some((a, b)) => {
                out.push(range(a, b));
                Some((p.value, p.value))
            }
            None => Some((p.value, p.value)),
        };
    }
    if let Some((a, b)) = run {
        out.push(range(a, b));
    }
    out
}

/// What changes in when an alert fires. `None` for a side means the alert does not
/// exist there.
pub fn alert(
    lang: Lang,
    old_form: &Form,
    old: Option<&AlertCondition>,
    new_form: &Form,
    new: Option<&AlertCondition>,
) -> Option<Consequence> {
    let (points, _) = alert_points(lang, new_form, new.or(old)?);
    if points.is_empty() {
        return None;
    }
    let fires = |c: Option<&AlertCondition>, p: &Point| {
        c.is_some_and(|c| scoring::compare(&p.answer, c.op, &c.value))
    };
    let _ = old_form;
    let newly: Vec<&Point> = points
        .iter()
        .filter(|p| !fires(old, p) && fires(new, p))
        .collect();
    let gone: Vec<&Point> = points
        .iter()
        .filter(|p| fires(old, p) && !fires(new, p))
        .collect();
    if let (Some(a), Some(b)) = (old, new)
        && a.op == b.op
        && matches!(a.op, Op::Ge | Op::Gt)
        && matches!((&a.value, &b.value), (Scalar::Number(_), Scalar::Number(_)))
    {
        let first = |c: &AlertCondition| points.iter().find(|p| fires(Some(c), p));
        if let (Some(x), Some(y)) = (first(a), first(b)) {
            let word = |p: &Point| p.words.clone().unwrap_or_else(|| fmt_num(p.value));
            return Some(Consequence::AlertThreshold {
                was: word(x),
                now: word(y),
                newly: group(&newly),
                no_longer: group(&gone),
            });
        }
    }
    Some(Consequence::AlertValues {
        newly: group(&newly),
        no_longer: group(&gone),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_are_grouped_in_ranges() {
        let m = Consequence::BandsMoved {
            score: "Total".into(),
            moves: vec![BandMove {
                from: 8.0,
                to: 9.0,
                was: Some("Låg".into()),
                now: Some("Måttlig".into()),
            }],
        };
        assert_eq!(
            m.sentence(Lang::Sv),
            "Poäng 8–9 i ”Total” var Låg och är nu Måttlig."
        );
        assert_eq!(
            m.sentence(Lang::En),
            "Totals of 8–9 on “Total” were Låg and are now Måttlig."
        );
    }
}
