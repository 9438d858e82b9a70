//! Running form test scenarios through the scoring engine.

use std::collections::BTreeSet;

use crate::diagnostic::msg::{Expected, Failure, Shown, Tests};
use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::load::LoadedForm;
use crate::load::yaml::{Node, Seg};
use crate::model::{Form, Scenario};
use crate::scoring::{self, Answer, Answers, fmt_num};

pub(super) fn check(loaded: &LoadedForm, out: &mut Vec<Diagnostic>) {
    let (Some(form), Some(tests)) = (&loaded.form, &loaded.tests) else {
        return;
    };
    let Some(scenarios) = &tests.scenarios else {
        return;
    };
    let mut sink = Sink::new(&tests.rel, out);
    for (i, scenario) in scenarios.iter().enumerate() {
        run(form, scenario, i, &tests.node, &mut sink);
    }
}

fn path<'a>(i: usize, rest: &[&'a str]) -> Vec<Seg<'a>> {
    let mut p = vec![Seg::Index(i)];
    p.extend(rest.iter().map(|k| Seg::from(*k)));
    p
}

fn run(form: &Form, scenario: &Scenario, i: usize, node: &Node, sink: &mut Sink<'_>) {
    let name = &scenario.name;
    let mut answers = Answers::new();
    let mut broken = false;
    for (id, value) in &scenario.answers {
        let Some(item) = form.item(id) else {
            broken = true;
            sink.report(
                Code::FormTestReference,
                node.key_pos_at(&path(i, &["answers", id])),
                Tests::AnswerNotItem {
                    name: name.to_string(),
                    id: id.clone(),
                },
            )
            .help(Tests::ItemsOf {
                form: form.id.clone(),
                list: form
                    .items
                    .iter()
                    .map(|i| i.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
            continue;
        };
        match Answer::for_item(item, value) {
            Ok(a) => {
                answers.insert(id.clone(), a);
            }
            Err(why) => {
                broken = true;
                sink.report(
                    Code::FormTestReference,
                    node.pos_at(&path(i, &["answers", id])),
                    Tests::AnswerMisfit {
                        name: name.to_string(),
                        id: id.clone(),
                        why,
                    },
                )
                .help(Tests::ItemIs {
                    id: id.clone(),
                    kind: item.kind.name(),
                });
            }
        }
    }
    let expect = &scenario.expect;
    let score_ids: BTreeSet<&str> = form.scores.iter().map(|s| s.id.as_str()).collect();
    let mut unknown = |what: Expected, id: &str, p: Vec<Seg<'_>>, known: Vec<&str>| {
        sink.report(
            Code::FormTestReference,
            node.key_pos_at(&p),
            Tests::UnknownExpected {
                name: name.to_string(),
                what,
                id: id.to_owned(),
            },
        )
        .help(Tests::Known {
            list: known.join(", "),
        });
    };
    for id in expect.scores.iter().flat_map(|m| m.keys()) {
        if !score_ids.contains(id.as_str()) {
            broken = true;
            unknown(
                Expected::Score,
                id,
                path(i, &["expect", "scores", id]),
                score_ids.iter().copied().collect(),
            );
        }
    }
    for id in expect.bands.iter().flat_map(|m| m.keys()) {
        if !score_ids.contains(id.as_str()) {
            broken = true;
            unknown(
                Expected::Band,
                id,
                path(i, &["expect", "bands", id]),
                score_ids.iter().copied().collect(),
            );
        }
    }
    for (k, id) in expect.alerts.iter().flatten().enumerate() {
        if !form.alerts.iter().any(|a| &a.id == id) {
            broken = true;
            let mut p = path(i, &["expect", "alerts"]);
            p.push(Seg::Index(k));
            unknown(
                Expected::Alert,
                id,
                p,
                form.alerts.iter().map(|a| a.id.as_str()).collect(),
            );
        }
    }
    for (k, id) in expect.hidden.iter().flatten().enumerate() {
        if form.item(id).is_none() {
            broken = true;
            let mut p = path(i, &["expect", "hidden"]);
            p.push(Seg::Index(k));
            unknown(
                Expected::Hidden,
                id,
                p,
                form.items.iter().map(|i| i.id.as_str()).collect(),
            );
        }
    }
    for (k, id) in expect.unanswered.iter().flatten().enumerate() {
        if form.item(id).is_none() {
            broken = true;
            let mut p = path(i, &["expect", "unanswered"]);
            p.push(Seg::Index(k));
            unknown(
                Expected::Unanswered,
                id,
                p,
                form.items.iter().map(|i| i.id.as_str()).collect(),
            );
        }
    }
    if broken {
        return;
    }
    let got = scoring::evaluate(form, &answers);
    let mut fail = |p: Vec<Seg<'_>>, failure: Failure| {
        sink.report(
            Code::FormTestFailed,
            node.pos_at(&p),
            Tests::Fails {
                name: name.to_string(),
                failure,
            },
        )
        .help(Tests::FailsHint);
    };
    let score_text = |id: &str, value: Option<f64>| match value {
        Some(v) => Shown::Value(fmt_num(v)),
        None => match got.not_computed.get(id) {
            Some(missing) => Shown::NotComputedMissing(
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            None => Shown::NotComputed,
        },
    };
    for (id, want) in expect.scores.iter().flatten() {
        let actual = got.scores.get(id).copied();
        let same = match (actual, want) {
            (Some(a), Some(w)) => (a - w).abs() <= 1e-9,
            (None, None) => true,
            _ => false,
        };
        if !same {
            let want = want.map_or(Shown::NotComputed, |w| Shown::Value(fmt_num(w)));
            fail(
                path(i, &["expect", "scores", id]),
                Failure::Score {
                    id: id.clone(),
                    actual: score_text(id, actual),
                    want,
                },
            );
        }
    }
    for (id, want) in expect.bands.iter().flatten() {
        let actual = got.bands.get(id);
        if actual != want.as_ref() {
            let show =
                |b: Option<&String>| b.map_or(Shown::NoBand, |b| Shown::Value(format!("`{b}`")));
            fail(
                path(i, &["expect", "bands", id]),
                Failure::Band {
                    id: id.clone(),
                    actual: show(actual),
                    want: show(want.as_ref()),
                },
            );
        }
    }
    if let Some(want) = &expect.unanswered {
        let want: BTreeSet<&str> = want.iter().map(String::as_str).collect();
        let actual: BTreeSet<&str> = got.unanswered.iter().map(String::as_str).collect();
        if want != actual {
            fail(
                path(i, &["expect", "unanswered"]),
                Failure::Unanswered {
                    actual: list(&actual),
                    want: list(&want),
                },
            );
        }
    }
    if let Some(want) = &expect.alerts {
        let want: BTreeSet<&str> = want.iter().map(String::as_str).collect();
        let actual: BTreeSet<&str> = got.alerts.iter().map(String::as_str).collect();
        if want != actual {
            fail(
                path(i, &["expect", "alerts"]),
                Failure::Alerts {
                    actual: list(&actual),
                    want: list(&want),
                },
            );
        }
    }
    if let Some(want) = &expect.hidden {
        let want: BTreeSet<&str> = want.iter().map(String::as_str).collect();
        let actual: BTreeSet<&str> = got.hidden.iter().map(String::as_str).collect();
        if want != actual {
            fail(
                path(i, &["expect", "hidden"]),
                Failure::Hidden {
                    actual: list(&actual),
                    want: list(&want),
                },
            );
        }
    }
}

fn list(ids: &BTreeSet<&str>) -> Shown {
    Shown::Ids(ids.iter().map(|s| (*s).to_owned()).collect())
}
