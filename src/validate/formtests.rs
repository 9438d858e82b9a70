//! Running form test scenarios through the scoring engine.

use std::collections::BTreeSet;

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
                format!("scenario `{name}` answers `{id}`, which is not an item"),
            )
            .help(format!(
                "items of `{}`: {}",
                form.id,
                form.items
                    .iter()
                    .map(|i| i.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
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
                    format!("scenario `{name}`: the answer to `{id}` {why}"),
                )
                .help(format!("`{id}` is a {} item", item.kind.name()));
            }
        }
    }
    let expect = &scenario.expect;
    let score_ids: BTreeSet<&str> = form.scores.iter().map(|s| s.id.as_str()).collect();
    let mut unknown = |what: &str, id: &str, p: Vec<Seg<'_>>, known: Vec<&str>| {
        sink.report(
            Code::FormTestReference,
            node.key_pos_at(&p),
            format!("scenario `{name}` expects {what} `{id}`, which the form does not have"),
        )
        .help(format!("known: {}", known.join(", ")));
    };
    for id in expect.scores.iter().flat_map(|m| m.keys()) {
        if !score_ids.contains(id.as_str()) {
            broken = true;
            unknown(
                "score",
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
                "a band of score",
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
                "alert",
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
                "hidden item",
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
                "unanswered item",
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
    let mut fail = |p: Vec<Seg<'_>>, message: String| {
        sink.report(Code::FormTestFailed, node.pos_at(&p), format!("scenario `{name}` fails: {message}"))
            .help("fix the form or the expectation; the scoring engine is the same one the preview and the platform use");
    };
    let score_text = |id: &str, value: Option<f64>| match value {
        Some(v) => fmt_num(v),
        None => match got.not_computed.get(id) {
            Some(missing) => format!(
                "not computed ({} unanswered)",
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "not computed".to_owned(),
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
            let want_text = want.map_or_else(|| "not computed".to_owned(), fmt_num);
            fail(
                path(i, &["expect", "scores", id]),
                format!(
                    "score `{id}` is {}, expected {want_text}",
                    score_text(id, actual)
                ),
            );
        }
    }
    for (id, want) in expect.bands.iter().flatten() {
        let actual = got.bands.get(id);
        if actual != want.as_ref() {
            let show = |b: Option<&String>| b.map_or("no band".to_owned(), |b| format!("`{b}`"));
            fail(
                path(i, &["expect", "bands", id]),
                format!(
                    "band of `{id}` is {}, expected {}",
                    show(actual),
                    show(want.as_ref())
                ),
            );
        }
    }
    if let Some(want) = &expect.unanswered {
        let want: BTreeSet<&str> = want.iter().map(String::as_str).collect();
        let actual: BTreeSet<&str> = got.unanswered.iter().map(String::as_str).collect();
        if want != actual {
            fail(
                path(i, &["expect", "unanswered"]),
                format!(
                    "unanswered required items: {}, expected: {}",
                    list(&actual),
                    list(&want)
                ),
            );
        }
    }
    if let Some(want) = &expect.alerts {
        let want: BTreeSet<&str> = want.iter().map(String::as_str).collect();
        let actual: BTreeSet<&str> = got.alerts.iter().map(String::as_str).collect();
        if want != actual {
            fail(
                path(i, &["expect", "alerts"]),
                format!("alerts fired: {}, expected: {}", list(&actual), list(&want)),
            );
        }
    }
    if let Some(want) = &expect.hidden {
        let want: BTreeSet<&str> = want.iter().map(String::as_str).collect();
        let actual: BTreeSet<&str> = got.hidden.iter().map(String::as_str).collect();
        if want != actual {
            fail(
                path(i, &["expect", "hidden"]),
                format!("hidden items: {}, expected: {}", list(&actual), list(&want)),
            );
        }
    }
}

fn list(ids: &BTreeSet<&str>) -> String {
    if ids.is_empty() {
        "none".to_owned()
    } else {
        ids.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
