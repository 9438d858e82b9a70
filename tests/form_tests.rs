//! Form tests (`forms/<id>.tests.yaml`) as `moment check` runs them: answers in,
//! expected scores, bands, alerts and hidden items out.

mod common;

use common::{check_json, diagnostics, fixture_copy, write};
use serde_json::Value;

/// A form with a chain of conditions: `b` shows when `a` is true, `c` when `b` ≥ 2.
/// `total` sums b, c and d (0 to 10); every item is required when shown, and the
/// score has no missing-answer rule, so it is computed only when every shown summed
/// item is answered.
const FORM: &str = r#"id: halsa
title: Hälsa
kind: questionnaire
items:
  - id: a
    type: boolean
    text: Har du ont?
    required: true
  - id: b
    type: choice
    text: Hur ont?
    required: true
    enable_when: {item: a, op: "=", value: true}
    options:
      - {value: 0, label: Inte alls}
      - {value: 1, label: Lite}
      - {value: 2, label: Mycket}
      - {value: 3, label: Väldigt mycket}
  - id: c
    type: choice
    text: Hindrar det dig?
    required: true
    enable_when: {item: b, op: ">=", value: 2}
    options:
      - {value: 0, label: Nej}
      - {value: 3, label: Ja}
  - id: d
    type: scale
    text: Hur trött är du?
    required: true
    min: 0
    max: 4
scores:
  - id: total
    sum: [b, c, d]
    bands:
      - {min: 0, max: 3, label: Låg}
      - {min: 4, max: 7, label: Mellan}
      - {min: 8, max: 10, label: Hög}
alerts:
  - id: mycket-ont
    when: {item: b, op: ">=", value: 3}
    message: Mycket ont.
  - id: hindrad
    when: {item: c, op: "=", value: 3}
    message: Hindras av smärtan.
  - id: hog-total
    when: {score: total, op: ">=", value: 8}
    message: Hög totalpoäng.
"#;

/// Runs `moment check` on a valid repository whose one module shows `FORM`, with
/// `tests` as its form tests. Returns the exit code and `(code, line, message)` of
/// every diagnostic.
fn run(tests: &str) -> (i32, Vec<(String, u64, String)>) {
    let tmp = fixture_copy("valid-minimal");
    let root = tmp.path();
    write(root, "moments/demo/forms/halsa.yaml", FORM);
    write(root, "moments/demo/forms/halsa.tests.yaml", tests);
    write(
        root,
        "moments/demo/modules/01-start.md",
        "---\ntitle: Start\n---\nSvara på frågorna.\n\n```form\nref: halsa\n```\n",
    );
    let (exit, report) = check_json(root, &[]);
    let diags = diagnostics(&report)
        .iter()
        .map(|d: &Value| {
            assert_eq!(
                d["file"], "moments/demo/forms/halsa.tests.yaml",
                "{report:#}"
            );
            (
                d["code"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (exit, diags)
}

fn assert_passes(tests: &str) {
    let (exit, diags) = run(tests);
    assert_eq!(
        (exit, diags),
        (0, vec![]),
        "the scenarios should pass:\n{tests}"
    );
}

/// Asserts exactly one E042 on `line` whose message contains every one of `words`.
fn assert_fails_at(tests: &str, line: u64, words: &[&str]) {
    let (exit, diags) = run(tests);
    assert_eq!(exit, 1, "{diags:#?}");
    assert_eq!(diags.len(), 1, "exactly one failure expected: {diags:#?}");
    let (code, at, message) = &diags[0];
    assert_eq!((code.as_str(), *at), ("E042", line), "{message}");
    for w in words {
        assert!(message.contains(w), "`{message}` should mention `{w}`");
    }
}

#[test]
fn passing_scenarios_give_nothing() {
    assert_passes(
        "- name: inget ont
  answers: {a: false, d: 1}
  expect: {scores: {total: 1}, bands: {total: Låg}, alerts: [], hidden: [b, c]}
- name: mycket ont
  answers: {a: true, b: 3, c: 3, d: 4}
  expect: {scores: {total: 10}, bands: {total: Hög}, alerts: [mycket-ont, hindrad, hog-total], hidden: []}
- name: bara det som anges jämförs
  answers: {a: true, b: 3, c: 3, d: 4}
  expect: {scores: {total: 10}}
- name: inga svar alls ger ingen poäng och inget band
  answers: {}
  expect: {scores: {total: null}, bands: {total: null}, alerts: [], hidden: [b, c], unanswered: [a, d]}
- name: en obesvarad fråga ger ingen poäng, men svarslarmen gäller
  answers: {a: true, b: 3, c: 3}
  expect: {scores: {total: null}, bands: {total: null}, alerts: [mycket-ont, hindrad], unanswered: [d]}
- name: en dold fråga saknas inte
  answers: {a: true, b: 1, d: 2}
  expect: {scores: {total: 3}, bands: {total: Låg}, hidden: [c], unanswered: []}
",
    );
}

#[test]
fn a_band_expected_where_the_rules_give_none_fails_with_both_sides() {
    // `d` is unanswered, so `total` is not computed: neither a value nor a band.
    assert_fails_at(
        "- name: halvt ifylld
  answers: {a: true, b: 1}
  expect:
    bands: {total: Låg}
",
        4,
        &["halvt ifylld", "no band", "Låg"],
    );
    assert_fails_at(
        "- name: halvt ifylld
  answers: {a: true, b: 1}
  expect:
    scores: {total: 1}
",
        4,
        &["not computed", "`d` unanswered", "expected 1"],
    );
    // And the other way round: a complete form has a score.
    assert_fails_at(
        "- name: komplett
  answers: {a: false, d: 1}
  expect:
    scores: {total: null}
",
        4,
        &["is 1", "expected not computed"],
    );
}

#[test]
fn unanswered_required_items_are_compared_as_a_complete_set() {
    assert_passes("- name: ingen\n  answers: {a: false, d: 1}\n  expect: {unanswered: []}\n");
    assert_fails_at(
        "- name: saknar d\n  answers: {a: true, b: 2}\n  expect:\n    unanswered: [c]\n",
        4,
        &["`c`", "`d`"],
    );
}

#[test]
fn a_wrong_score_fails_at_the_score() {
    assert_fails_at(
        "- name: fel summa
  answers: {a: true, b: 1, d: 2}
  expect:
    scores: {total: 4}
    bands: {total: Låg}
",
        4,
        &["fel summa", "total", "3", "4"],
    );
}

#[test]
fn a_wrong_band_fails_at_the_band() {
    // 4 is the lowest score of Mellan: a band's boundaries are inclusive.
    assert_fails_at(
        "- name: gränsen
  answers: {a: true, b: 1, d: 3}
  expect:
    scores: {total: 4}
    bands: {total: Låg}
",
        5,
        &["gränsen", "Mellan", "Låg"],
    );
    assert_passes(
        "- name: gränsen
  answers: {a: true, b: 1, d: 3}
  expect: {bands: {total: Mellan}}
",
    );
}

#[test]
fn alerts_are_compared_as_a_complete_set() {
    let fired = "{a: true, b: 3, c: 3, d: 4}";
    // The order does not matter.
    assert_passes(&format!(
        "- name: alla tre\n  answers: {fired}\n  expect:\n    alerts: [hog-total, hindrad, mycket-ont]\n"
    ));
    // One missing from the expectation.
    assert_fails_at(
        &format!(
            "- name: saknar ett\n  answers: {fired}\n  expect:\n    alerts: [mycket-ont, hindrad]\n"
        ),
        4,
        &["hog-total"],
    );
    // None expected, but some fire.
    assert_fails_at(
        &format!("- name: inga\n  answers: {fired}\n  expect:\n    alerts: []\n"),
        4,
        &["mycket-ont"],
    );
    // Expected, but does not fire.
    assert_fails_at(
        "- name: för många\n  answers: {a: true, b: 3, d: 0}\n  expect:\n    alerts: [mycket-ont, hog-total]\n",
        4,
        &["hog-total"],
    );
}

#[test]
fn hidden_items_are_compared_as_a_complete_set() {
    assert_passes("- name: dolda\n  answers: {a: true, b: 1, d: 0}\n  expect:\n    hidden: [c]\n");
    assert_fails_at(
        "- name: en för lite\n  answers: {a: false, d: 0}\n  expect:\n    hidden: [b]\n",
        4,
        &["`b`", "`c`"],
    );
    assert_fails_at(
        "- name: inga dolda\n  answers: {a: true, b: 1, d: 0}\n  expect:\n    hidden: []\n",
        4,
        &["`c`"],
    );
    assert_fails_at(
        "- name: en för mycket\n  answers: {a: true, b: 2, d: 0}\n  expect:\n    hidden: [c]\n",
        4,
        &["hidden"],
    );
}

#[test]
fn an_answer_to_a_hidden_item_does_not_count() {
    // `a` is false, so `b` is hidden and its answer 3 neither adds to the score nor
    // fires `mycket-ont`; `c` depends on the hidden `b`, so it is hidden too.
    assert_passes(
        "- name: dolda svar räknas inte
  answers: {a: false, b: 3, c: 3, d: 2}
  expect: {scores: {total: 2}, bands: {total: Låg}, alerts: [], hidden: [b, c]}
",
    );
    assert_fails_at(
        "- name: dolt svar räknat
  answers: {a: false, b: 3, c: 3, d: 2}
  expect: {scores: {total: 8}}
",
        3,
        &["total", "2", "8"],
    );
    assert_fails_at(
        "- name: larm på dolt svar
  answers: {a: false, b: 3, d: 2}
  expect: {alerts: [mycket-ont]}
",
        3,
        &["mycket-ont"],
    );
}

#[test]
fn every_failing_expectation_of_a_scenario_is_reported() {
    let (exit, diags) = run("- name: allt fel
  answers: {a: true, b: 3, c: 3, d: 4}
  expect:
    scores: {total: 1}
    bands: {total: Låg}
    alerts: []
    hidden: [b]
");
    assert_eq!(exit, 1);
    let at: Vec<(&str, u64)> = diags.iter().map(|(c, l, _)| (c.as_str(), *l)).collect();
    assert_eq!(
        at,
        [("E042", 4), ("E042", 5), ("E042", 6), ("E042", 7)],
        "{diags:#?}"
    );
}

#[test]
fn a_failing_scenario_does_not_stop_the_others() {
    let (exit, diags) = run("- name: fel ett
  answers: {a: false, d: 1}
  expect: {scores: {total: 2}}
- name: rätt
  answers: {a: false, d: 1}
  expect: {scores: {total: 1}}
- name: fel två
  answers: {a: false, d: 3}
  expect: {scores: {total: 2}}
");
    assert_eq!(exit, 1);
    let at: Vec<(&str, u64)> = diags.iter().map(|(c, l, _)| (c.as_str(), *l)).collect();
    assert_eq!(at, [("E042", 3), ("E042", 9)], "{diags:#?}");
    assert!(
        diags[0].2.contains("fel ett") && diags[1].2.contains("fel två"),
        "{diags:#?}"
    );
}

#[test]
fn an_answer_that_does_not_fit_its_item_is_a_reference_error_not_a_failure() {
    let (exit, diags) = run("- name: fel typ
  answers: {a: 1, d: 9}
  expect: {scores: {total: 9}}
");
    assert_eq!(exit, 1);
    let codes: Vec<&str> = diags.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(codes, ["E043", "E043"], "{diags:#?}");
}
