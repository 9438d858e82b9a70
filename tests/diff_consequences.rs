//! The consequence sentence of each kind of clinical change, computed from the two
//! versions of a form and read from `moment diff --format json` on a real git
//! repository: which totals move to another band, from which answer an alert fires,
//! which answers no longer count, what an unanswered question now means.

mod common;
mod diffkit;

use diffkit::*;
use serde_json::Value;

/// The one change of `kind` in moment `id` of the diff against HEAD.
fn the_change(repo: &Repo, id: &str, kind: &str) -> Value {
    let diff = repo.diff(&["HEAD"]);
    change(moment(&diff, id), kind).clone()
}

/// The consequence of the one change of `kind`, which must be clinical.
fn consequence(repo: &Repo, id: &str, kind: &str) -> String {
    let c = the_change(repo, id, kind);
    assert_eq!(c["class"], "clinical", "{c:#}");
    c["consequence"]
        .as_str()
        .unwrap_or_else(|| panic!("a clinical change states its consequence: {c:#}"))
        .to_owned()
}

#[test]
fn a_moved_band_edge_says_which_totals_change_band() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "{min: 8, max: 15, label: Måttlig}",
        "{min: 8, max: 13, label: Måttlig}",
    );
    repo.replace(
        STRESS_FORM,
        "{min: 16, max: 24, label: Hög}",
        "{min: 14, max: 24, label: Hög}",
    );
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "stresskoll");
    for c in m["changes"].as_array().unwrap() {
        assert_eq!(
            c["consequence"], "Poäng 14–15 i ”Total stresspoäng” var Måttlig och är nu Hög.",
            "{c:#}"
        );
    }
}

#[test]
fn a_moved_alert_threshold_on_a_score_says_which_totals_now_raise_it() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "when: {score: total, op: \">=\", value: 20}",
        "when: {score: total, op: \">=\", value: 17}",
    );
    assert_eq!(
        consequence(&repo, "stresskoll", "alert_condition_changed"),
        "Larmet går nu från 17 i stället för 20: 17–19 ger nu larm."
    );
}

#[test]
fn a_moved_alert_threshold_on_a_question_names_the_answers() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "when: {item: nedstamd, op: \">=\", value: 2}",
        "when: {item: nedstamd, op: \">=\", value: 3}",
    );
    assert_eq!(
        consequence(&repo, "stresskoll", "alert_condition_changed"),
        "Larmet går nu från ”Hela tiden” (3) i stället för ”Ofta” (2): ”Ofta” (2) ger inte längre larm."
    );
}

#[test]
fn an_alert_on_other_answers_lists_them() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "when: {item: nedstamd, op: \">=\", value: 2}",
        "when: {item: nedstamd, op: \"=\", value: 1}",
    );
    assert_eq!(
        consequence(&repo, "stresskoll", "alert_condition_changed"),
        "”Ibland” (1) ger nu larm; ”Ofta” (2) och ”Hela tiden” (3) ger inte längre larm."
    );
}

#[test]
fn a_question_taken_out_of_the_sum_no_longer_counts() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "sum: [jaktad, koppla_av, irriterad, tankar, spanning, minne, undan, nedstamd]",
        "sum: [jaktad, koppla_av, irriterad, tankar, spanning, undan, nedstamd]",
    );
    assert_eq!(
        consequence(&repo, "stresskoll", "score_sum_changed"),
        "Svaren på ”Har du glömt saker som du brukar komma ihåg?” räknas inte längre in i ”Total stresspoäng”, så samma svar kan ge en annan poäng än förut."
    );
}

#[test]
fn a_reworded_scored_question_may_not_be_comparable() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "text: Har du glömt saker som du brukar komma ihåg?",
        "text: Har du glömt saker?",
    );
    let c = the_change(&repo, "stresskoll", "item_text_changed");
    assert_eq!(
        c["summary"],
        "Frågan ”Har du glömt saker?” har fått ny formulering."
    );
    assert_eq!(
        c["consequence"],
        "Resultat från före och efter den här versionen är kanske inte jämförbara."
    );
}

#[test]
fn a_changed_option_value_says_what_the_answer_now_gives() {
    let repo = Repo::new();
    repo.replace_after(
        STRESS_FORM,
        "id: jaktad",
        "{value: 3, label: Hela tiden}",
        "{value: 4, label: Hela tiden}",
    );
    let c = the_change(&repo, "stresskoll", "option_value_changed");
    assert_eq!(
        c["summary"],
        "Svarsalternativ 4, ”Hela tiden”, på frågan ”Har du känt dig jäktad, som om tiden inte räcker till?” har värdet 4 (tidigare 3)."
    );
    assert_eq!(
        c["consequence"],
        "Svaret ”Hela tiden” ger nu 4 poäng i stället för 3, så poäng med det svaret ändras."
    );
}

#[test]
fn an_optional_scored_question_is_clinical_and_says_no_score_is_computed() {
    let repo = Repo::new();
    repo.replace_after(
        STRESS_FORM,
        "id: jaktad",
        "required: true",
        "required: false",
    );
    let c = the_change(&repo, "stresskoll", "item_required_changed");
    assert_eq!(c["class"], "clinical", "{c:#}");
    assert_eq!(
        c["summary"],
        "Frågan ”Har du känt dig jäktad, som om tiden inte räcker till?” går nu att lämna obesvarad."
    );
    assert_eq!(
        c["consequence"],
        "Lämnas frågan obesvarad beräknas ingen poäng ”Total stresspoäng” och inget band."
    );
}

#[test]
fn an_optional_question_is_clinical_only_when_scored_or_watched() {
    let repo = Repo::new();
    repo.replace_after(
        SLEEP_FORM,
        "id: sanggaende",
        "required: true",
        "required: false",
    );
    let c = the_change(&repo, "somn", "item_required_changed");
    assert_eq!(c["class"], "content", "neither scored nor watched: {c:#}");
    let repo = Repo::new();
    repo.replace_after(
        SLEEP_FORM,
        "id: vaknade",
        "required: true",
        "required: false",
    );
    let c = the_change(&repo, "somn", "item_required_changed");
    assert_eq!(c["class"], "clinical", "a watched question: {c:#}");
    let repo = Repo::new();
    repo.replace_after(
        SLEEP_FORM,
        "id: timmar",
        "required: true",
        "required: false",
    );
    let c = the_change(&repo, "somn", "item_required_changed");
    assert_eq!(c["class"], "clinical", "an alert watches it: {c:#}");
    assert!(c.get("consequence").is_none(), "not scored: {c:#}");
}

#[test]
fn a_new_missing_answer_rule_says_what_unanswered_questions_now_do() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "    title: Total stresspoäng\n",
        "    title: Total stresspoäng\n    missing: {allow: 1, method: prorate}\n",
    );
    let c = the_change(&repo, "stresskoll", "score_missing_changed");
    assert_eq!(c["class"], "clinical", "{c:#}");
    assert_eq!(
        c["consequence"],
        "För ”Total stresspoäng”: en obesvarad fråga räknas upp från de besvarade (tidigare: ingen poäng beräknas när en fråga är obesvarad)."
    );
}

#[test]
fn a_scored_question_shown_on_another_condition_may_count_otherwise() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "enable_when: {item: arbete, op: \"=\", value: 1}",
        "enable_when: {item: arbete, op: \"=\", value: 0}",
    );
    let c = the_change(&repo, "stresskoll", "enable_when_changed");
    assert_eq!(
        c["summary"],
        "Frågan ”Har du haft svårt att koppla av efter arbete eller studier?” visas nu när svaret på ”Arbetar eller studerar du just nu?” är ”Nej” (0) (tidigare när svaret på ”Arbetar eller studerar du just nu?” är ”Ja” (1))."
    );
    assert_eq!(
        c["consequence"],
        "När frågan inte visas räknas den inte in i poängen, så poängen kan ändras för samma svar."
    );
}

#[test]
fn a_removed_question_is_no_longer_asked() {
    let repo = Repo::new();
    repo.replace(
        SLEEP_FORM,
        "  - id: anteckning\n    type: text\n    text: Vill du skriva något mer om natten?\n    help: Till exempel om du drack kaffe sent, hade ont eller var orolig.\n",
        "",
    );
    assert_eq!(
        consequence(&repo, "somn", "item_removed"),
        "Frågan ställs inte längre; nya resultat saknar svaret."
    );
}

#[test]
fn a_new_score_is_shown_to_staff() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "alerts:\n",
        "  - id: kropp\n    title: Kroppslig stress\n    sum: [spanning, tankar]\n    bands:\n      - {min: 0, max: 6, label: Någon}\nalerts:\n",
    );
    let c = the_change(&repo, "stresskoll", "score_added");
    assert_eq!(
        c["summary"],
        "En ny poäng i ”Stresskoll”: ”Kroppslig stress”."
    );
    assert_eq!(
        c["consequence"],
        "Personalen ser nu poängen ”Kroppslig stress”."
    );
}

#[test]
fn a_new_alert_says_which_answers_raise_it() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "alerts:\n",
        "alerts:\n  - id: undan\n    when: {item: undan, op: \">=\", value: 3}\n    message: Personen drar sig undan hela tiden.\n",
    );
    let c = the_change(&repo, "stresskoll", "alert_added");
    assert_eq!(
        c["summary"],
        "Ett nytt larm till personalen när svaret på ”Har du dragit dig undan från vänner eller familj?” är minst ”Hela tiden” (3): ”Personen drar sig undan hela tiden.”"
    );
    assert_eq!(c["consequence"], "”Hela tiden” (3) ger nu larm.");
}

#[test]
fn a_removed_form_is_no_longer_filled_in() {
    let repo = Repo::new();
    std::fs::remove_file(repo.path(SLEEP_FORM)).unwrap();
    let module = repo.read("moments/somn/modules/02-somndagbok.md");
    let start = module.find("```form").expect("a form block");
    let end = start + module[start..].find("\n```\n").expect("its end") + 5;
    repo.write(
        "moments/somn/modules/02-somndagbok.md",
        &format!("{}{}", &module[..start], &module[end..]),
    );
    let c = the_change(&repo, "somn", "form_removed");
    assert_eq!(c["summary"], "Formuläret ”Sömndagbok” har tagits bort.");
    assert_eq!(
        c["consequence"],
        "Formuläret fylls inte längre i; personalen får inga nya resultat från det."
    );
}
