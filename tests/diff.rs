//! `moment diff` and `moment check --against` on real git repositories: versions of
//! the repository's example moments are committed in a temporary repository, edited,
//! and compared through the real binary. Each test makes one kind of change and checks
//! its class, kind, path and the version bump it needs; then the version policy (E048,
//! E049), the sides of a comparison (revisions, tags, the working tree, which is never
//! touched), and the Markdown and release-note reports (insta snapshots).

mod common;
mod diffkit;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{code, copy_tree, run_in, stderr, stdout};
use diffkit::*;
use serde_json::Value;

// ---------------------------------------------------------------- identical trees

#[test]
fn identical_trees_give_an_empty_diff() {
    let repo = Repo::new();
    for args in [
        &["HEAD"][..],
        &["HEAD", "HEAD"],
        &["HEAD", "."],
        &[".", "."],
    ] {
        let diff = repo.diff(args);
        let moments = diff["moments"].as_array().unwrap();
        let ids: Vec<&str> = moments.iter().map(|m| m["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            ["minimal", "ovning", "rora-dig", "somn", "stresskoll"],
            "every moment of both sides, by id"
        );
        for m in moments {
            assert_eq!(m["status"], "unchanged", "{args:?}: {m:#}");
            assert_eq!(m["required_bump"], "none", "{m:#}");
            assert_eq!(m["bump_ok"], true, "{m:#}");
            assert_eq!(m["changes"], Value::Array(vec![]), "{m:#}");
            assert_eq!(m["from_version"], m["to_version"], "{m:#}");
        }
        assert_eq!(repo.diff_text(args, "human"), "no changes\n");
        assert!(
            repo.diff_text(args, "markdown")
                .contains("Inget moment har ändrats."),
            "{args:?}"
        );
        assert!(
            repo.diff_text(args, "release-notes")
                .contains("Inga stöd- och behandlingsprogram har ändrats."),
            "{args:?}"
        );
    }
}

#[test]
fn a_version_bump_alone_is_no_change() {
    let repo = Repo::new();
    repo.set_version("somn", "1.0.1");
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "somn");
    assert_eq!(m["status"], "unchanged", "{m:#}");
    assert_eq!(m["changes"], Value::Array(vec![]));
    assert_eq!(
        (m["from_version"].as_str(), m["to_version"].as_str()),
        (Some("1.0.0"), Some("1.0.1"))
    );
    assert_eq!(m["actual_bump"], "patch");
    assert_eq!(m["bump_ok"], true);
}

#[test]
fn the_json_report_has_the_documented_shape() {
    let repo = Repo::new();
    repo.replace(
        STRESS_TEXT,
        "Stress är kroppens sätt att göra sig redo.",
        "Stress är kroppens eget sätt att bli redo.",
    );
    let diff = repo.diff(&["HEAD"]);
    let top: Vec<&String> = diff.as_object().unwrap().keys().collect();
    assert_eq!(top, ["moments"]);
    let m = moment(&diff, "stresskoll");
    for key in [
        "id",
        "title",
        "from_version",
        "to_version",
        "status",
        "required_bump",
        "actual_bump",
        "bump_ok",
        "series_breaks_missing",
        "changes",
    ] {
        assert!(m.get(key).is_some(), "`{key}` missing from {m:#}");
    }
    assert_eq!(m["title"], "Stresskoll");
    let c = &m["changes"][0];
    for key in ["class", "kind", "path", "summary", "words"] {
        assert!(c.get(key).is_some(), "`{key}` missing from {c:#}");
    }
    for w in c["words"].as_array().unwrap() {
        assert!(
            ["same", "removed", "added"].contains(&w["op"].as_str().unwrap()),
            "{w:#}"
        );
        assert!(w["text"].is_string(), "{w:#}");
    }
}

// ---------------------------------------------------------------- forms: clinical

#[test]
fn a_moved_band_edge_is_clinical_and_needs_a_major_bump() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "{min: 8, max: 15, label: Måttlig}",
        "{min: 8, max: 14, label: Måttlig}",
    );
    repo.replace(
        STRESS_FORM,
        "{min: 16, max: 24, label: Hög}",
        "{min: 15, max: 24, label: Hög}",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "major",
        &[
            (
                "clinical",
                "score_band_changed",
                "forms/stresskoll.yaml#scores/total/bands/1/max",
            ),
            (
                "clinical",
                "score_band_changed",
                "forms/stresskoll.yaml#scores/total/bands/2/min",
            ),
        ],
    );
    let m = moment(&diff, "stresskoll");
    let first = &m["changes"][0];
    assert_eq!(first["before"], "8–15 Måttlig", "{first:#}");
    assert_eq!(first["after"], "8–14 Måttlig", "{first:#}");
    assert_eq!(m["actual_bump"], "none");
    assert_eq!(m["bump_ok"], false);
    assert_eq!(
        m["series_breaks_missing"],
        Value::Array(vec![]),
        "no schedule, no series"
    );
}

#[test]
fn a_changed_option_value_is_clinical() {
    let repo = Repo::new();
    repo.replace_after(
        STRESS_FORM,
        "- id: jaktad",
        "{value: 3, label: Hela tiden}",
        "{value: 4, label: Hela tiden}",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "major",
        &[(
            "clinical",
            "option_value_changed",
            "forms/stresskoll.yaml#items/jaktad/options/3/value",
        )],
    );
    let c = change(moment(&diff, "stresskoll"), "option_value_changed");
    assert_eq!(
        (c["before"].as_str(), c["after"].as_str()),
        (Some("3"), Some("4"))
    );
}

#[test]
fn a_reworded_scored_item_is_clinical_with_a_word_diff() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "text: Har du känt dig jäktad, som om tiden inte räcker till?",
        "text: Har du ofta känt dig jäktad, som om dagen inte räcker till?",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "major",
        &[(
            "clinical",
            "item_text_changed",
            "forms/stresskoll.yaml#items/jaktad/text",
        )],
    );
    let c = change(moment(&diff, "stresskoll"), "item_text_changed");
    assert_eq!(
        words(c),
        [
            "same:Har du",
            "added:ofta",
            "same:känt dig jäktad, som om",
            "removed:tiden",
            "added:dagen",
            "same:inte räcker till?",
        ]
    );
}

#[test]
fn a_reworded_option_of_a_scored_item_is_clinical() {
    let repo = Repo::new();
    repo.replace_after(
        STRESS_FORM,
        "- id: minne",
        "{value: 2, label: Ofta}",
        "{value: 2, label: Ganska ofta}",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "major",
        &[(
            "clinical",
            "option_label_changed",
            "forms/stresskoll.yaml#items/minne/options/2/label",
        )],
    );
}

#[test]
fn a_reworded_item_that_a_condition_depends_on_is_clinical() {
    // `arbete` is not scored, but whether `koppla_av` is shown (and counted) depends
    // on its answer.
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "text: Arbetar eller studerar du just nu?",
        "text: Har du ett arbete just nu?",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "major",
        &[(
            "clinical",
            "item_text_changed",
            "forms/stresskoll.yaml#items/arbete/text",
        )],
    );
}

#[test]
fn a_changed_alert_condition_is_clinical() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "when: {item: nedstamd, op: \">=\", value: 2}",
        "when: {item: nedstamd, op: \">=\", value: 3}",
    );
    repo.replace(
        STRESS_FORM,
        "when: {score: total, op: \">=\", value: 20}",
        "when: {score: total, op: \">\", value: 18}",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "major",
        &[
            (
                "clinical",
                "alert_condition_changed",
                "forms/stresskoll.yaml#alerts/hog-stress/when/op",
            ),
            (
                "clinical",
                "alert_condition_changed",
                "forms/stresskoll.yaml#alerts/nedstamd-hog/when/value",
            ),
        ],
    );
    let m = moment(&diff, "stresskoll");
    let by_path: BTreeMap<&str, (&str, &str)> = m["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap(),
                (c["before"].as_str().unwrap(), c["after"].as_str().unwrap()),
            )
        })
        .collect();
    assert_eq!(
        by_path["forms/stresskoll.yaml#alerts/nedstamd-hog/when/value"],
        ("nedstamd >= 2", "nedstamd >= 3")
    );
    assert_eq!(
        by_path["forms/stresskoll.yaml#alerts/hog-stress/when/op"],
        ("total >= 20", "total > 18")
    );
}

#[test]
fn a_changed_enable_when_is_clinical() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "enable_when: {item: arbete, op: \"=\", value: 1}",
        "enable_when: {item: arbete, op: \"!=\", value: 1}",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "major",
        &[(
            "clinical",
            "enable_when_changed",
            "forms/stresskoll.yaml#items/koppla_av/enable_when",
        )],
    );
    let c = change(moment(&diff, "stresskoll"), "enable_when_changed");
    assert_eq!(
        (c["before"].as_str(), c["after"].as_str()),
        (Some("arbete = 1"), Some("arbete != 1"))
    );
}

#[test]
fn a_removed_item_is_clinical_even_when_it_is_not_scored() {
    let repo = Repo::new();
    // The free-text note of the sleep diary: not scored, not watched.
    repo.replace(
        SLEEP_FORM,
        "  - id: anteckning
    type: text
    text: Vill du skriva något mer om natten?
    help: Till exempel om du drack kaffe sent, hade ont eller var orolig.
",
        "",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "major",
        &[(
            "clinical",
            "item_removed",
            "forms/somndagbok.yaml#items/anteckning",
        )],
    );
    assert_eq!(
        moment(&diff, "somn")["series_breaks_missing"],
        Value::Array(vec![]),
        "an unscored item does not break the series of the scores"
    );
}

#[test]
fn a_removed_scored_item_changes_the_sum_too() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "  - id: minne
    type: choice
    text: Har du glömt saker som du brukar komma ihåg?
    required: true
    options:
      - {value: 0, label: Aldrig}
      - {value: 1, label: Ibland}
      - {value: 2, label: Ofta}
      - {value: 3, label: Hela tiden}
",
        "",
    );
    repo.replace(STRESS_FORM, "spanning, minne, undan", "spanning, undan");
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "major",
        &[
            (
                "clinical",
                "item_removed",
                "forms/stresskoll.yaml#items/minne",
            ),
            (
                "clinical",
                "score_sum_changed",
                "forms/stresskoll.yaml#scores/total/sum",
            ),
        ],
    );
}

#[test]
fn an_added_unscored_item_is_content() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "scores:\n",
        "  - id: annat
    type: text
    text: Vill du berätta något mer?
scores:
",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "minor",
        &[("content", "item_added", "forms/stresskoll.yaml#items/annat")],
    );
}

// ---------------------------------------------------------------- forms: content

#[test]
fn a_reworded_unscored_item_is_content() {
    let repo = Repo::new();
    repo.replace(
        SLEEP_FORM,
        "text: Vill du skriva något mer om natten?",
        "text: Vill du berätta något mer om natten?",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[(
            "content",
            "item_text_changed",
            "forms/somndagbok.yaml#items/anteckning/text",
        )],
    );
    let m = moment(&diff, "somn");
    assert_eq!(
        words(change(m, "item_text_changed")),
        [
            "same:Vill du",
            "removed:skriva",
            "added:berätta",
            "same:något mer om natten?"
        ]
    );
    assert_eq!(m["series_breaks_missing"], Value::Array(vec![]));
}

#[test]
fn a_reworded_display_item_is_content() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "items:\n",
        "items:
  - id: inledning
    type: display
    text: Svara på frågorna så gott du kan.
",
    );
    repo.commit("a display item");
    repo.replace(
        STRESS_FORM,
        "text: Svara på frågorna så gott du kan.",
        "text: Svara på frågorna så ärligt du kan.",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "minor",
        &[(
            "content",
            "item_text_changed",
            "forms/stresskoll.yaml#items/inledning/text",
        )],
    );
}

#[test]
fn a_changed_alert_message_is_content() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "message: Mycket hög stresspoäng. Kontakta personen för uppföljning.",
        "message: Mycket hög stresspoäng. Ring personen inom en vecka.",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "minor",
        &[(
            "content",
            "alert_message_changed",
            "forms/stresskoll.yaml#alerts/hog-stress/message",
        )],
    );
}

#[test]
fn a_changed_schedule_is_content() {
    let repo = Repo::new();
    repo.replace(
        SLEEP_FORM,
        "schedule: {every: 1d, times: 14}",
        "schedule: {every: 1d, times: 21}",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[(
            "content",
            "schedule_changed",
            "forms/somndagbok.yaml#schedule",
        )],
    );
    let c = change(moment(&diff, "somn"), "schedule_changed");
    assert_eq!(
        (c["before"].as_str(), c["after"].as_str()),
        (Some("14 × every 1d"), Some("21 × every 1d"))
    );
    assert_eq!(
        moment(&diff, "somn")["series_breaks_missing"],
        Value::Array(vec![])
    );
}

#[test]
fn form_title_and_help_are_content() {
    let repo = Repo::new();
    repo.replace(SLEEP_FORM, "title: Sömndagbok", "title: Min sömndagbok");
    repo.replace(
        SLEEP_FORM,
        "help: Räkna bara tiden du sov, inte tiden du låg vaken.",
        "help: Räkna bara tiden du sov.",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[
            (
                "content",
                "form_title_changed",
                "forms/somndagbok.yaml#title",
            ),
            (
                "content",
                "item_help_changed",
                "forms/somndagbok.yaml#items/timmar/help",
            ),
        ],
    );
}

// ---------------------------------------------------------------- prose and modules

#[test]
fn a_prose_edit_is_content_with_a_word_diff() {
    let repo = Repo::new();
    repo.replace(
        STRESS_TEXT,
        "Stress är kroppens sätt att göra sig redo.",
        "Stress är kroppens eget sätt att bli redo.",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "minor",
        &[(
            "content",
            "text_changed",
            "modules/02-om-stress.md#paragraph/1",
        )],
    );
    let w = words(change(moment(&diff, "stresskoll"), "text_changed"));
    assert_eq!(
        w[..5],
        [
            "same:Stress är kroppens",
            "added:eget",
            "same:sätt att",
            "removed:göra sig",
            "added:bli",
        ]
    );
    assert!(
        w[5].starts_with("same:redo. Pulsen går upp"),
        "the rest of the paragraph is the same: {w:?}"
    );
}

#[test]
fn a_welcome_edit_is_content() {
    let repo = Repo::new();
    repo.replace(
        "moments/stresskoll/welcome.md",
        "Det tar ungefär fem minuter.",
        "Det tar ungefär tio minuter.",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "minor",
        &[("content", "text_changed", "welcome.md#paragraph/1")],
    );
}

#[test]
fn added_and_removed_paragraphs_are_content() {
    let repo = Repo::new();
    repo.replace(
        STRESS_TEXT,
        "Du kan också få ont i nacke, mage eller huvud.\n",
        "Du kan också få ont i nacke, mage eller huvud.\n\nLång stress kan ge utmattning.\n",
    );
    repo.replace(
        STRESS_TEXT,
        "\nVill du se dina svar igen? Gå tillbaka till [frågorna i stresskollen](01-stresskoll.md#frågor-om-stress).\n",
        "",
    );
    let diff = repo.diff(&["HEAD"]);
    // Paragraphs count headings, list items and table cells, from 1.
    expect_changes(
        &diff,
        "stresskoll",
        "minor",
        &[
            (
                "content",
                "text_added",
                "modules/02-om-stress.md#paragraph/4",
            ),
            (
                "content",
                "text_removed",
                "modules/02-om-stress.md#paragraph/12",
            ),
        ],
    );
    let m = moment(&diff, "stresskoll");
    assert_eq!(
        change(m, "text_added")["after"],
        "Lång stress kan ge utmattning."
    );
    assert!(
        change(m, "text_removed")["before"]
            .as_str()
            .unwrap()
            .starts_with("Vill du se dina svar igen?")
    );
}

#[test]
fn a_module_title_and_activation_are_content() {
    let repo = Repo::new();
    repo.replace(
        "moments/somn/modules/03-rutiner.md",
        "activation: staff",
        "activation: immediate",
    );
    repo.replace(
        "moments/somn/modules/03-rutiner.md",
        "title: Rutiner för natten",
        "title: Rutiner för kvällen",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[
            (
                "content",
                "module_activation_changed",
                "modules/03-rutiner.md#activation",
            ),
            (
                "content",
                "module_title_changed",
                "modules/03-rutiner.md#title",
            ),
        ],
    );
}

#[test]
fn an_added_module_is_content() {
    let repo = Repo::new();
    repo.write(
        "moments/stresskoll/modules/03-mer.md",
        "---\ntitle: Mer om vila\n---\nVila är viktigt. Ta en paus varje timme.\n",
    );
    repo.replace(
        "moments/stresskoll/moment.yaml",
        "  - modules/02-om-stress.md\n",
        "  - modules/02-om-stress.md\n  - modules/03-mer.md\n",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "minor",
        &[("content", "module_added", "modules/03-mer.md")],
    );
    assert!(
        change(moment(&diff, "stresskoll"), "module_added")["summary"]
            .as_str()
            .unwrap()
            .contains("Mer om vila")
    );
}

#[test]
fn a_removed_module_is_content() {
    let repo = Repo::new();
    repo.git(&["rm", "--quiet", "moments/somn/modules/05-framat.md"]);
    repo.replace("moments/somn/moment.yaml", "  - modules/05-framat.md\n", "");
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[("content", "module_removed", "modules/05-framat.md")],
    );
}

#[test]
fn reordered_modules_are_content() {
    let repo = Repo::new();
    repo.replace(
        "moments/somn/moment.yaml",
        "  - modules/03-rutiner.md\n  - modules/04-dagen.md\n",
        "  - modules/04-dagen.md\n  - modules/03-rutiner.md\n",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[("content", "modules_reordered", "moment.yaml#modules")],
    );
}

#[test]
fn a_renamed_module_is_content_because_its_page_changes() {
    let repo = Repo::new();
    repo.git(&[
        "mv",
        "moments/somn/modules/05-framat.md",
        "moments/somn/modules/05-vagen-framat.md",
    ]);
    repo.replace(
        "moments/somn/moment.yaml",
        "  - modules/05-framat.md\n",
        "  - modules/05-vagen-framat.md\n",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[("content", "module_renamed", "modules/05-vagen-framat.md")],
    );
    let m = moment(&diff, "somn");
    let c = change(m, "module_renamed");
    assert_eq!(
        (c["before"].as_str(), c["after"].as_str()),
        (
            Some("modules/05-framat.md"),
            Some("modules/05-vagen-framat.md")
        )
    );
    assert!(
        c["summary"].as_str().unwrap().contains("”Vägen framåt”"),
        "the module is named by its title: {c:#}"
    );
    assert_eq!(
        m["bump_ok"], false,
        "the page a citizen has open changed: {m:#}"
    );
}

#[test]
fn a_renamed_and_edited_module_is_one_module_with_a_text_change() {
    let repo = Repo::new();
    let text = repo.read("moments/somn/modules/05-framat.md");
    std::fs::remove_file(repo.path("moments/somn/modules/05-framat.md")).unwrap();
    repo.write(
        "moments/somn/modules/05-plan.md",
        &text.replace(
            "Om det inte blir bättre efter några veckor, kontakta din vårdcentral.",
            "Om det inte blir bättre efter en månad, kontakta din vårdcentral.",
        ),
    );
    repo.replace(
        "moments/somn/moment.yaml",
        "  - modules/05-framat.md\n",
        "  - modules/05-plan.md\n",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[
            ("content", "text_changed", "modules/05-plan.md#paragraph/11"),
            ("content", "module_renamed", "modules/05-plan.md"),
        ],
    );
    assert_eq!(
        words(change(moment(&diff, "somn"), "text_changed")),
        [
            "same:Om det inte blir bättre efter",
            "removed:några veckor,",
            "added:en månad,",
            "same:kontakta din vårdcentral.",
        ]
    );
}

#[test]
fn a_module_placing_another_form_is_content() {
    let repo = Repo::new();
    repo.replace(
        STRESS_TEXT,
        "## Vad poängen betyder\n",
        "## Gör testet igen\n\n```form\nref: stresskoll\n```\n\n## Vad poängen betyder\n",
    );
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "stresskoll");
    assert!(
        changes(m).contains(&(
            "content".into(),
            "form_placement_changed".into(),
            "modules/02-om-stress.md".into()
        )),
        "{m:#}"
    );
    assert_eq!(m["required_bump"], "minor");
}

// ---------------------------------------------------------------- media

#[test]
fn changed_image_bytes_are_a_media_change() {
    let repo = Repo::new();
    repo.append_bytes("moments/somn/media/sang.png", b"\0");
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[("content", "media_changed", "modules/01-om-somn.md#image/1")],
    );
}

#[test]
fn changed_video_bytes_are_a_media_change() {
    let repo = Repo::new();
    repo.append_bytes("moments/somn/media/andning.mp4", b"\0");
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[("content", "media_changed", "modules/04-dagen.md#video/1")],
    );
}

#[test]
fn changed_captions_and_transcripts_are_content() {
    let repo = Repo::new();
    let vtt = repo.read("moments/somn/media/andning.sv.vtt");
    repo.write(
        "moments/somn/media/andning.sv.vtt",
        &format!("{vtt}\n00:59.000 --> 01:00.000\nBra jobbat.\n"),
    );
    let txt = repo.read("moments/somn/media/avslappning.txt");
    repo.write(
        "moments/somn/media/avslappning.txt",
        &format!("{txt}\nTack för att du lyssnade.\n"),
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[
            ("content", "captions_changed", "modules/04-dagen.md#video/1"),
            (
                "content",
                "transcript_changed",
                "modules/03-rutiner.md#audio/1",
            ),
        ],
    );
}

#[test]
fn a_renamed_media_file_with_the_same_bytes_is_cosmetic() {
    let repo = Repo::new();
    repo.git(&[
        "mv",
        "moments/somn/media/sang.png",
        "moments/somn/media/sovande.png",
    ]);
    repo.replace(
        "moments/somn/modules/01-om-somn.md",
        "(../media/sang.png)",
        "(../media/sovande.png)",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "patch",
        &[("cosmetic", "formatting_changed", "modules/01-om-somn.md")],
    );
}

#[test]
fn a_changed_video_poster_is_content() {
    // A poster is the first thing a citizen sees of a video.
    let repo = Repo::new();
    repo.replace(
        "moments/somn/modules/04-dagen.md",
        "captions: ../media/andning.sv.vtt\n",
        "captions: ../media/andning.sv.vtt\nposter: ../media/sang.png\n",
    );
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "somn");
    assert_eq!(
        m["required_bump"], "minor",
        "adding a poster to a video is visible to citizens, not formatting: {m:#}"
    );
}

// ---------------------------------------------------------------- metadata

#[test]
fn metadata_changes_are_content() {
    // (moment, edits of moment.yaml, expected (kind, path) changes, all content)
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static [(&'static str, &'static str)],
    );
    let cases: &[Case] = &[
        (
            "somn",
            &[("title: Sömn – steg för steg", "title: Sov bättre")],
            &[("title_changed", "moment.yaml#title")],
        ),
        (
            "somn",
            &[("messaging: true", "messaging: false")],
            &[("messaging_changed", "moment.yaml#messaging")],
        ),
        (
            "stresskoll",
            &[(
                "  - SE2321000131-E000000000001\n",
                "  - SE2321000131-E000000000001\n  - SE2321000131-E000000000002\n",
            )],
            &[("care_providers_changed", "moment.yaml#care_providers")],
        ),
        (
            "somn",
            &[("kind: treatment", "kind: support")],
            &[("kind_changed", "moment.yaml#kind")],
        ),
        (
            "rora-dig",
            &[
                ("access: open", "access: assigned"),
                ("open_to: [\"01\", \"0180\"]\n", ""),
            ],
            &[
                ("access_changed", "moment.yaml#access"),
                ("open_to_changed", "moment.yaml#open_to"),
            ],
        ),
        (
            "ovning",
            &[("unit: region-exempel-utbildning", "unit: region-exempel")],
            &[("unit_changed", "moment.yaml#unit")],
        ),
        (
            "ovning",
            &[(
                "description: En kort kurs om handtvätt.",
                "description: En kurs om handtvätt.",
            )],
            &[("description_changed", "moment.yaml#description")],
        ),
    ];
    for (id, edits, expected) in cases {
        let repo = Repo::new();
        let rel = format!("moments/{id}/moment.yaml");
        for (old, new) in *edits {
            repo.replace(&rel, old, new);
        }
        let diff = repo.diff(&["HEAD"]);
        let want: Vec<(&str, &str, &str)> =
            expected.iter().map(|(k, p)| ("content", *k, *p)).collect();
        expect_changes(&diff, id, "minor", &want);
    }
    // Before and after are shown for short values.
    let repo = Repo::new();
    repo.replace(
        "moments/somn/moment.yaml",
        "messaging: true",
        "messaging: false",
    );
    let diff = repo.diff(&["HEAD"]);
    let c = change(moment(&diff, "somn"), "messaging_changed");
    assert_eq!(
        (c["before"].as_str(), c["after"].as_str()),
        (Some("true"), Some("false"))
    );
}

#[test]
fn owners_are_cosmetic() {
    let repo = Repo::new();
    repo.replace(
        "moments/somn/moment.yaml",
        "  - bo@example.se\n",
        "  - bo@example.se\n  - cecilia@example.se\n",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "patch",
        &[("cosmetic", "owners_changed", "moment.yaml#owners")],
    );
    assert_eq!(moment(&diff, "somn")["bump_ok"], true);
}

#[test]
fn reordering_care_providers_is_not_content() {
    // The care providers granted a moment are a set: their order is seen by no one.
    let repo = Repo::new();
    repo.replace(
        "moments/somn/moment.yaml",
        "  - SE2321000131-E000000000001\n  - SE2321000131-E000000000002\n",
        "  - SE2321000131-E000000000002\n  - SE2321000131-E000000000001\n",
    );
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "somn");
    assert!(
        m["required_bump"] == "patch" || m["required_bump"] == "none",
        "the same care providers in another order need no minor bump: {m:#}"
    );
}

// ---------------------------------------------------------------- formatting

#[test]
fn reformatted_moment_yaml_is_cosmetic() {
    let repo = Repo::new();
    let rel = "moments/stresskoll/moment.yaml";
    // Key order, a comment, flow style for a list.
    repo.replace(rel, "title: Stresskoll\n", "");
    repo.replace(
        rel,
        "id: stresskoll\n",
        "# Stresskoll: a short self-assessment.\ntitle: Stresskoll\nid: stresskoll\n",
    );
    repo.replace(
        rel,
        "owners:\n  - bo@example.se\n  - anna@example.se\n",
        "owners: [bo@example.se, anna@example.se]  # two people\n",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "patch",
        &[("cosmetic", "formatting_changed", "moment.yaml")],
    );
    let m = moment(&diff, "stresskoll");
    assert_eq!(m["bump_ok"], true, "{m:#}");
    assert_eq!(m["actual_bump"], "none");
}

#[test]
fn reformatted_form_yaml_is_cosmetic() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "  - id: arbete\n    type: choice\n",
        "  # Whether the citizen works decides if `koppla_av` is asked.\n  - type: choice\n    id: arbete\n",
    );
    repo.replace_after(
        STRESS_FORM,
        "- id: nedstamd\n",
        "    options:
      - {value: 0, label: Aldrig}
      - {value: 1, label: Ibland}
      - {value: 2, label: Ofta}
      - {value: 3, label: Hela tiden}
",
        "    options:
      - value: 0
        label: Aldrig
      - {label: Ibland, value: 1}
      - {value: 2, label: 'Ofta'}
      - {value: 3, label: \"Hela tiden\"}
",
    );
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "stresskoll",
        "patch",
        &[("cosmetic", "formatting_changed", "forms/stresskoll.yaml")],
    );
}

#[test]
fn reflowed_markdown_is_cosmetic() {
    let repo = Repo::new();
    repo.replace(
        STRESS_TEXT,
        "Pulsen går upp och du blir mer vaken. Det hjälper",
        "Pulsen går upp och du blir mer vaken.\nDet hjälper",
    );
    repo.replace(STRESS_TEXT, "- Ta korta pauser", "* Ta korta pauser");
    repo.replace(STRESS_TEXT, "- Rör på dig", "* Rör på dig");
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "stresskoll");
    // Changing the bullet of only some items splits the list; the text stays the same.
    assert!(
        changes(m)
            .iter()
            .all(|(class, kind, _)| class == "cosmetic" && kind == "formatting_changed"),
        "{m:#}"
    );
    assert_eq!(m["required_bump"], "patch", "{m:#}");
}

#[test]
fn a_renamed_welcome_file_is_a_cosmetic_change() {
    // A file rename is cosmetic: it is reported, and needs no bump.
    let repo = Repo::new();
    repo.git(&[
        "mv",
        "moments/stresskoll/welcome.md",
        "moments/stresskoll/valkommen.md",
    ]);
    repo.replace(
        "moments/stresskoll/moment.yaml",
        "welcome: welcome.md",
        "welcome: valkommen.md",
    );
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "stresskoll");
    assert_eq!(
        m["status"], "changed",
        "a renamed welcome file is a change, if only a cosmetic one: {m:#}"
    );
    assert_eq!(m["required_bump"], "patch", "{m:#}");
}

#[test]
fn swapped_scale_anchors_of_a_scored_item_are_clinical() {
    // `kvalitet` is the score of the sleep diary: swapping the words at the ends of
    // the scale turns the meaning of every answer around.
    let repo = Repo::new();
    repo.replace(
        SLEEP_FORM,
        "min_label: Mycket dåligt",
        "min_label: Mycket bra",
    );
    repo.replace(
        SLEEP_FORM,
        "max_label: Mycket bra",
        "max_label: Mycket dåligt",
    );
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "somn");
    assert_eq!(m["required_bump"], "major", "{m:#}");
    assert!(
        changes(m).iter().any(|(class, _, path)| class == "clinical"
            && path.starts_with("forms/somndagbok.yaml#items/kvalitet")),
        "{m:#}"
    );
}

#[test]
fn a_changed_unit_of_a_number_item_is_content() {
    let repo = Repo::new();
    repo.replace(SLEEP_FORM, "unit: timmar", "unit: minuter");
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "somn");
    assert!(
        m["required_bump"] == "minor" || m["required_bump"] == "major",
        "the unit shown next to the answer is visible to citizens: {m:#}"
    );
}

// ---------------------------------------------------------------- moments added, removed

#[test]
fn an_added_moment() {
    let repo = Repo::new();
    copy_tree(&repo.path("moments/minimal"), &repo.path("moments/ny"));
    repo.replace("moments/ny/moment.yaml", "id: minimal", "id: ny");
    repo.replace(
        "moments/ny/moment.yaml",
        "title: Minsta möjliga moment",
        "title: Ett nytt moment",
    );
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "ny");
    assert_eq!(m["status"], "added", "{m:#}");
    assert_eq!(m["title"], "Ett nytt moment");
    assert_eq!(m["from_version"], Value::Null);
    assert_eq!(m["to_version"], "0.1.0");
    assert_eq!(m["bump_ok"], true);
    only_changed(&diff, &["ny"]);
    assert!(
        repo.diff_text(&["HEAD"], "human")
            .contains("ny (Ett nytt moment) new 0.1.0 added")
    );
}

#[test]
fn a_removed_moment() {
    let repo = Repo::new();
    repo.git(&["rm", "-r", "--quiet", "moments/ovning"]);
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "ovning");
    assert_eq!(m["status"], "removed", "{m:#}");
    assert_eq!(
        m["title"], "Rena händer",
        "a removed moment keeps its old title"
    );
    assert_eq!(m["from_version"], "0.2.0");
    assert_eq!(m["to_version"], Value::Null);
    only_changed(&diff, &["ovning"]);
    // And back: from the working tree to HEAD it was added.
    let back = repo.diff(&[".", "HEAD"]);
    assert_eq!(moment(&back, "ovning")["status"], "added");
}

// ---------------------------------------------------------------- version policy

#[test]
fn the_actual_bump_is_read_from_the_versions() {
    let repo = Repo::new();
    // A content change: needs minor.
    repo.replace(
        STRESS_TEXT,
        "Stress är kroppens sätt att göra sig redo.",
        "Stress är kroppens eget sätt att bli redo.",
    );
    for (version, actual, ok) in [
        ("1.0.0", Value::from("none"), false),
        ("1.0.1", Value::from("patch"), false),
        ("1.1.0", Value::from("minor"), true),
        ("1.1.0-rc.1", Value::from("minor"), true),
        ("1.2.5", Value::from("minor"), true),
        ("2.0.0", Value::from("major"), true),
        ("0.9.0", Value::Null, false),
    ] {
        repo.set_version("stresskoll", version);
        let diff = repo.diff(&["HEAD"]);
        let m = moment(&diff, "stresskoll");
        assert_eq!(m["required_bump"], "minor");
        assert_eq!(m["from_version"], "1.0.0");
        assert_eq!(m["to_version"], version);
        assert_eq!(m["actual_bump"], actual, "version {version}: {m:#}");
        assert_eq!(m["bump_ok"], ok, "version {version}: {m:#}");
    }
}

#[test]
fn a_clinical_change_needs_a_major_bump() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "when: {item: nedstamd, op: \">=\", value: 2}",
        "when: {item: nedstamd, op: \">=\", value: 3}",
    );
    for (version, ok) in [("1.0.1", false), ("1.1.0", false), ("2.0.0", true)] {
        repo.set_version("stresskoll", version);
        let m = moment(&repo.diff(&["HEAD"]), "stresskoll").clone();
        assert_eq!(m["required_bump"], "major");
        assert_eq!(m["bump_ok"], ok, "version {version}: {m:#}");
    }
}

/// The 1-based line of the first line of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> u64 {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("no line starts with `{prefix}`"))
}

fn diagnostics_with<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

#[test]
fn check_against_reports_e048_on_the_version_until_it_is_bumped() {
    let repo = Repo::new();
    let (exit, report) = repo.check_against("HEAD");
    assert_eq!(exit, 0, "nothing changed since HEAD: {report:#}");
    assert!(diagnostics_with(&report, "E048").is_empty());

    // A clinical change: a band edge moves.
    repo.replace(
        STRESS_FORM,
        "{min: 8, max: 15, label: Måttlig}",
        "{min: 8, max: 14, label: Måttlig}",
    );
    repo.replace(
        STRESS_FORM,
        "{min: 16, max: 24, label: Hög}",
        "{min: 15, max: 24, label: Hög}",
    );
    let version_line = line_of(&repo.read("moments/stresskoll/moment.yaml"), "version:");
    for version in ["1.0.0", "1.0.1", "1.1.0"] {
        repo.set_version("stresskoll", version);
        let (exit, report) = repo.check_against("HEAD");
        assert_eq!(exit, 1, "version {version} is not enough: {report:#}");
        let found = diagnostics_with(&report, "E048");
        assert_eq!(found.len(), 1, "{report:#}");
        let d = found[0];
        assert_eq!(d["severity"], "error");
        assert_eq!(d["file"], "moments/stresskoll/moment.yaml");
        assert_eq!(d["line"], version_line, "E048 points at `version:`: {d:#}");
        assert_eq!(d["column"], 10, "at the value of `version:`: {d:#}");
        let message = d["message"].as_str().unwrap();
        assert!(
            message.contains("stresskoll") && message.contains("clinical"),
            "{message}"
        );
        let hint = d["hint"].as_str().unwrap();
        assert!(
            hint.contains("2.0.0"),
            "the hint names the version needed: {hint}"
        );
        assert!(diagnostics_with(&report, "E049").is_empty(), "{report:#}");
    }
    // GitHub annotations carry the code too.
    let out = repo.moment(&["check", "--against", "HEAD", "--format", "github"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains(&format!(
            "::error file=moments/stresskoll/moment.yaml,line={version_line},"
        )) && stdout(&out).contains("title=E048"),
        "{}",
        stdout(&out)
    );

    repo.set_version("stresskoll", "2.0.0");
    let (exit, report) = repo.check_against("HEAD");
    assert_eq!(exit, 0, "a major bump covers clinical changes: {report:#}");
    assert_eq!(report["errors"], 0, "{report:#}");
}

#[test]
fn check_against_wants_a_minor_bump_for_content_and_none_for_cosmetics() {
    let repo = Repo::new();
    repo.replace(
        STRESS_TEXT,
        "Stress är kroppens sätt att göra sig redo.",
        "Stress är kroppens eget sätt att bli redo.",
    );
    let (exit, report) = repo.check_against("HEAD");
    assert_eq!(exit, 1, "{report:#}");
    let found = diagnostics_with(&report, "E048");
    assert_eq!(found.len(), 1, "{report:#}");
    assert!(
        found[0]["hint"].as_str().unwrap().contains("1.1.0"),
        "{report:#}"
    );
    repo.set_version("stresskoll", "1.1.0");
    let (exit, report) = repo.check_against("HEAD");
    assert_eq!(exit, 0, "{report:#}");

    // Cosmetic only: no bump needed.
    repo.commit("v1.1.0");
    repo.replace(
        "moments/minimal/moment.yaml",
        "owners: [anna@example.se, cecilia@example.se]\n",
        "owners:\n  - anna@example.se\n  - cecilia@example.se\n",
    );
    let (exit, report) = repo.check_against("HEAD");
    assert_eq!(exit, 0, "reformatting needs no bump: {report:#}");
}

#[test]
fn a_scored_item_of_a_repeated_form_needs_series_break() {
    let repo = Repo::new();
    // `kvalitet` is the scored item of the sleep diary, which is filled in every day.
    repo.replace(
        SLEEP_FORM,
        "text: Hur bra sov du?",
        "text: Hur bra har du sovit?",
    );
    repo.set_version("somn", "2.0.0");

    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "somn");
    assert_eq!(m["required_bump"], "major");
    assert_eq!(m["actual_bump"], "major");
    assert_eq!(
        m["series_breaks_missing"],
        serde_json::json!(["somndagbok"])
    );
    assert_eq!(
        m["bump_ok"], false,
        "a missing series break fails the policy: {m:#}"
    );
    assert!(
        repo.diff_text(&["HEAD"], "human")
            .contains("series_break missing on somndagbok"),
        "the human report says why"
    );

    let (exit, report) = repo.check_against("HEAD");
    assert_eq!(exit, 1, "{report:#}");
    let found = diagnostics_with(&report, "E049");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["file"], "moments/somn/forms/somndagbok.yaml");
    assert!(found[0]["line"].as_u64().unwrap() >= 1);
    assert!(
        found[0]["hint"]
            .as_str()
            .unwrap()
            .contains("series_break: true"),
        "{report:#}"
    );
    assert!(
        diagnostics_with(&report, "E048").is_empty(),
        "the version is bumped enough: {report:#}"
    );

    repo.replace(
        SLEEP_FORM,
        "kind: registration\n",
        "kind: registration\nseries_break: true\n",
    );
    let (exit, report) = repo.check_against("HEAD");
    assert_eq!(exit, 0, "series_break: true allows the change: {report:#}");
    let diff = repo.diff(&["HEAD"]);
    let m = moment(&diff, "somn");
    assert_eq!(m["series_breaks_missing"], Value::Array(vec![]));
    assert_eq!(m["bump_ok"], true, "{m:#}");
    assert_eq!(
        changes(m),
        [
            (
                "clinical".to_owned(),
                "item_text_changed".to_owned(),
                "forms/somndagbok.yaml#items/kvalitet/text".to_owned()
            ),
            (
                "content".to_owned(),
                "series_break_changed".to_owned(),
                "forms/somndagbok.yaml#series_break".to_owned()
            ),
        ]
    );
}

#[test]
fn a_scored_item_of_a_form_without_schedule_needs_no_series_break() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "text: Har du känt dig jäktad, som om tiden inte räcker till?",
        "text: Har du känt dig stressad?",
    );
    repo.set_version("stresskoll", "2.0.0");
    let m = moment(&repo.diff(&["HEAD"]), "stresskoll").clone();
    assert_eq!(m["series_breaks_missing"], Value::Array(vec![]));
    assert_eq!(m["bump_ok"], true, "{m:#}");
    let (exit, report) = repo.check_against("HEAD");
    assert_eq!(exit, 0, "{report:#}");
}

#[test]
fn enable_when_of_a_scored_item_in_a_repeated_form_needs_series_break() {
    // A hidden item is not counted, so when `koppla_av` is shown decides the total.
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "kind: questionnaire\n",
        "kind: questionnaire\nschedule: {every: 14d, times: 6}\n",
    );
    repo.commit("stresskoll is repeated");
    repo.replace(
        STRESS_FORM,
        "enable_when: {item: arbete, op: \"=\", value: 1}",
        "enable_when: {item: arbete, op: \"!=\", value: 1}",
    );
    repo.set_version("stresskoll", "2.0.0");
    let m = moment(&repo.diff(&["HEAD"]), "stresskoll").clone();
    assert_eq!(
        m["series_breaks_missing"],
        serde_json::json!(["stresskoll"]),
        "the same answers now give another total: {m:#}"
    );
}

// ---------------------------------------------------------------- sides of a diff

#[test]
fn two_revisions_ignore_the_working_tree() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "{min: 8, max: 15, label: Måttlig}",
        "{min: 8, max: 14, label: Måttlig}",
    );
    repo.replace(
        STRESS_FORM,
        "{min: 16, max: 24, label: Hög}",
        "{min: 15, max: 24, label: Hög}",
    );
    repo.set_version("stresskoll", "2.0.0");
    repo.commit("v2");
    // Uncommitted changes elsewhere must not show.
    repo.replace(
        "moments/somn/moment.yaml",
        "messaging: true",
        "messaging: false",
    );

    let diff = repo.diff(&["HEAD~1", "HEAD"]);
    let m = moment(&diff, "stresskoll");
    assert_eq!(m["status"], "changed");
    assert_eq!(m["bump_ok"], true, "{m:#}");
    assert_eq!(m["actual_bump"], "major");
    only_changed(&diff, &["stresskoll"]);

    // HEAD against the working tree: only the uncommitted change.
    let diff = repo.diff(&["HEAD"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[("content", "messaging_changed", "moment.yaml#messaging")],
    );
    // `--worktree` is the same as TO `.`.
    assert_eq!(repo.diff(&["HEAD", "--worktree"]), diff);
    assert_eq!(repo.diff(&["HEAD", "."]), diff);

    // HEAD~1 against the working tree: both.
    let diff = repo.diff(&["HEAD~1"]);
    only_changed(&diff, &["somn", "stresskoll"]);
    assert_eq!(moment(&diff, "somn")["status"], "changed");
    assert_eq!(moment(&diff, "stresskoll")["status"], "changed");

    // The other way round, the band moves back.
    let back = repo.diff(&["HEAD", "HEAD~1"]);
    let m = moment(&back, "stresskoll");
    assert_eq!(
        (m["from_version"].as_str(), m["to_version"].as_str()),
        (Some("2.0.0"), Some("1.0.0"))
    );
    assert_eq!(m["actual_bump"], Value::Null, "the version went down");
    assert_eq!(m["bump_ok"], false);
}

#[test]
fn a_revision_several_commits_back() {
    let repo = Repo::new();
    repo.replace(
        "moments/somn/moment.yaml",
        "messaging: true",
        "messaging: false",
    );
    repo.commit("2");
    repo.replace(
        STRESS_TEXT,
        "Ta korta pauser under dagen.",
        "Ta korta pauser.",
    );
    repo.commit("3");
    repo.append_bytes("moments/somn/media/sang.png", b"\0");
    repo.commit("4");
    let diff = repo.diff(&["HEAD~3", "HEAD"]);
    only_changed(&diff, &["somn", "stresskoll"]);
    let kinds = |id: &str| -> Vec<String> {
        changes(moment(&diff, id))
            .into_iter()
            .map(|(_, kind, _)| kind)
            .collect()
    };
    assert_eq!(kinds("somn"), ["media_changed", "messaging_changed"]);
    assert_eq!(kinds("stresskoll"), ["text_changed"]);
    let later = repo.diff(&["HEAD~1", "HEAD"]);
    only_changed(&later, &["somn"]);
}

#[test]
fn diff_between_release_tags() {
    let repo = Repo::new();
    repo.tag("somn/v1.0.0");
    repo.replace(
        SLEEP_FORM,
        "schedule: {every: 1d, times: 14}",
        "schedule: {every: 1d, times: 21}",
    );
    repo.set_version("somn", "1.1.0");
    repo.commit("somn 1.1.0");
    repo.tag("somn/v1.1.0");
    repo.replace(
        "moments/somn/moment.yaml",
        "messaging: true",
        "messaging: false",
    );
    repo.commit("later work");

    let diff = repo.diff(&["somn/v1.0.0", "somn/v1.1.0"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[(
            "content",
            "schedule_changed",
            "forms/somndagbok.yaml#schedule",
        )],
    );
    let m = moment(&diff, "somn");
    assert_eq!(
        (m["from_version"].as_str(), m["to_version"].as_str()),
        (Some("1.0.0"), Some("1.1.0"))
    );
    assert_eq!(m["bump_ok"], true);
    let markdown = repo.diff_text(&["somn/v1.0.0", "somn/v1.1.0"], "markdown");
    assert!(
        markdown.starts_with("## moment diff: `somn/v1.0.0` → `somn/v1.1.0`\n"),
        "{markdown}"
    );
    // A tag against a branch.
    let diff = repo.diff(&["somn/v1.1.0", "main"]);
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[("content", "messaging_changed", "moment.yaml#messaging")],
    );
    // And check --against a tag.
    let (exit, report) = repo.check_against("somn/v1.1.0");
    assert_eq!(
        exit, 1,
        "messaging changed since 1.1.0 without a bump: {report:#}"
    );
    assert_eq!(diagnostics_with(&report, "E048").len(), 1, "{report:#}");
}

#[test]
fn an_unknown_revision_is_a_usage_error() {
    let repo = Repo::new();
    let out = repo.moment(&["diff", "no-such-branch", "--format", "json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("no-such-branch"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let out = repo.moment(&["check", "--against", "no-such-branch"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn a_moments_repository_in_a_folder_of_the_git_repository() {
    let repo = Repo::in_folder("innehall");
    repo.replace(
        "moments/somn/moment.yaml",
        "messaging: true",
        "messaging: false",
    );
    // From the moments repository itself…
    let diff = repo.diff(&["HEAD"]);
    let statuses: Vec<String> = diff["moments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} {}",
                m["id"].as_str().unwrap(),
                m["status"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            "minimal unchanged",
            "ovning unchanged",
            "rora-dig unchanged",
            "somn changed",
            "stresskoll unchanged",
        ],
        "HEAD must be read from the folder innehall/ of the git repository"
    );
    expect_changes(
        &diff,
        "somn",
        "minor",
        &[("content", "messaging_changed", "moment.yaml#messaging")],
    );
    // …and from the top of the git repository with --path.
    let out = run_in(
        repo.top(),
        &["diff", "HEAD", "--path", "innehall", "--format", "json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let from_top: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(from_top, diff);
    // The version policy must not pass silently either.
    let (exit, report) = repo.check_against("HEAD");
    assert_eq!(exit, 1, "messaging changed without a bump: {report:#}");
    assert_eq!(diagnostics_with(&report, "E048").len(), 1, "{report:#}");
}

/// Everything git and the file system say about a working tree and its index.
fn fingerprint(repo: &Repo) -> String {
    let mut out = String::new();
    for args in [
        &["status", "--porcelain=v1", "--untracked-files=all"][..],
        &["diff"],
        &["diff", "--cached"],
        &["ls-files", "--stage"],
        &["rev-parse", "HEAD"],
        &["for-each-ref"],
        &["stash", "list"],
        &["worktree", "list", "--porcelain"],
    ] {
        out.push_str(&format!("$ git {}\n{}\n", args.join(" "), repo.git(args)));
    }
    let mut files = Vec::new();
    for entry in walk(repo.top()) {
        let rel = entry.strip_prefix(repo.top()).unwrap().to_path_buf();
        if rel.starts_with(".git") {
            continue;
        }
        let meta = std::fs::metadata(&entry).unwrap();
        let bytes = std::fs::read(&entry).unwrap();
        files.push(format!(
            "{} {} {:?} {:x}",
            rel.display(),
            bytes.len(),
            meta.modified().unwrap(),
            bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
            })
        ));
    }
    files.sort();
    out + &files.join("\n")
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn the_working_tree_and_the_index_are_never_touched() {
    let repo = Repo::new();
    repo.replace(
        STRESS_TEXT,
        "Ta korta pauser under dagen.",
        "Ta korta pauser.",
    );
    repo.set_version("stresskoll", "1.1.0");
    repo.commit("v2");
    // A staged change, an unstaged change, a deletion and an untracked file.
    repo.replace(
        "moments/somn/moment.yaml",
        "messaging: true",
        "messaging: false",
    );
    repo.git(&["add", "moments/somn/moment.yaml"]);
    repo.replace(
        "moments/somn/welcome.md",
        "Välkommen!",
        "Hej och välkommen!",
    );
    std::fs::remove_file(repo.path("moments/rora-dig/media/promenad.png")).unwrap();
    repo.write("moments/somn/anteckningar.txt", "inte incheckad\n");

    let before = fingerprint(&repo);
    assert!(before.contains(" M moments/somn/welcome.md"), "{before}");
    for args in [
        &["diff", "HEAD~1", "HEAD"][..],
        &["diff", "HEAD"],
        &["diff", "HEAD~1"],
        &["diff", "HEAD", "--worktree", "--format", "markdown"],
        &["diff", "main", "HEAD~1", "--format", "release-notes"],
        &["check", "--against", "HEAD~1"],
    ] {
        let out = repo.moment(args);
        assert!(code(&out) <= 1, "{args:?}: {}", stderr(&out));
        assert_eq!(
            fingerprint(&repo),
            before,
            "`moment {}` changed the working tree or the index",
            args.join(" ")
        );
    }
    // The deleted image is in HEAD: reading HEAD did not bring it back.
    assert!(!repo.path("moments/rora-dig/media/promenad.png").exists());
    let diff = repo.diff(&["HEAD"]);
    let rora = moment(&diff, "rora-dig");
    assert_eq!(
        rora["status"], "changed",
        "the working tree lacks the image: {rora:#}"
    );
}

// ---------------------------------------------------------------- reports

#[test]
fn human_output_in_a_pipe_has_no_colour() {
    let repo = Repo::new();
    repo.replace(
        STRESS_FORM,
        "{min: 8, max: 15, label: Måttlig}",
        "{min: 8, max: 14, label: Måttlig}",
    );
    repo.replace(
        STRESS_TEXT,
        "Stress är kroppens sätt att göra sig redo.",
        "Stress är kroppens eget sätt att bli redo.",
    );
    // run_in pipes stdout and removes NO_COLOR: colour is off only because of the pipe.
    let text = repo.diff_text(&["HEAD"], "human");
    assert!(!text.contains('\x1b'), "ANSI codes in a pipe:\n{text:?}");
    for expected in [
        "stresskoll (Stresskoll) 1.0.0 → 1.0.0 changed",
        "version: needs major, version shows none — NOT OK",
        "clinical score_band_changed forms/stresskoll.yaml#scores/total/bands/1/max",
        "8–15 Måttlig → 8–14 Måttlig",
        "content  text_changed modules/02-om-stress.md#paragraph/1",
        "Stress är kroppens {+eget+} sätt att [-göra sig-] {+bli+} redo.",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
    assert!(
        !text.contains("somn"),
        "unchanged moments are left out:\n{text}"
    );
    // The default format is human.
    let out = repo.moment(&["diff", "HEAD"]);
    assert_eq!(stdout(&out), text);
}

#[test]
fn release_notes_are_in_swedish() {
    // Care-provider administrators read the release notes: no English summaries.
    let repo = Repo::new();
    repo.replace(
        "moments/stresskoll/moment.yaml",
        "  - SE2321000131-E000000000001\n",
        "  - SE2321000131-E000000000001\n  - SE2321000131-E000000000002\n",
    );
    repo.replace(
        SLEEP_FORM,
        "help: Räkna bara tiden du sov, inte tiden du låg vaken.",
        "help: Räkna bara tiden du sov.",
    );
    repo.set_version("stresskoll", "1.1.0");
    repo.set_version("somn", "1.1.0");
    let notes = repo.diff_text(&["HEAD"], "release-notes");
    for english in [
        "the care providers granted the moment changed",
        "the help text of item",
    ] {
        assert!(
            !notes.contains(english),
            "an English summary in the Swedish release notes:\n{notes}"
        );
    }
}

/// One scenario with changes of every class in several moments, between two commits,
/// so that the reports hold no temporary paths.
fn multi_change_scenario() -> Repo {
    let repo = Repo::new();
    // stresskoll: clinical and content changes, bumped too little.
    repo.replace(
        STRESS_FORM,
        "{min: 8, max: 15, label: Måttlig}",
        "{min: 8, max: 14, label: Måttlig}",
    );
    repo.replace(
        STRESS_FORM,
        "{min: 16, max: 24, label: Hög}",
        "{min: 15, max: 24, label: Hög}",
    );
    repo.replace(
        STRESS_FORM,
        "message: Mycket hög stresspoäng. Kontakta personen för uppföljning.",
        "message: Mycket hög stresspoäng. Ring personen inom en vecka.",
    );
    repo.replace(
        STRESS_TEXT,
        "Stress är kroppens sätt att göra sig redo.",
        "Stress är kroppens eget sätt att bli redo.",
    );
    repo.set_version("stresskoll", "1.1.0");
    // somn: a reworded scored item of the diary with series_break, a new schedule,
    // new captions, a renamed module; bumped to 2.0.0.
    repo.replace(
        SLEEP_FORM,
        "text: Hur bra sov du?",
        "text: Hur bra har du sovit?",
    );
    repo.replace(
        SLEEP_FORM,
        "kind: registration\n",
        "kind: registration\nseries_break: true\n",
    );
    repo.replace(
        SLEEP_FORM,
        "schedule: {every: 1d, times: 14}",
        "schedule: {every: 1d, times: 21}",
    );
    let vtt = repo.read("moments/somn/media/andning.sv.vtt");
    repo.write(
        "moments/somn/media/andning.sv.vtt",
        &format!("{vtt}\n00:59.000 --> 01:00.000\nBra jobbat.\n"),
    );
    repo.git(&[
        "mv",
        "moments/somn/modules/05-framat.md",
        "moments/somn/modules/05-vagen-framat.md",
    ]);
    repo.replace(
        "moments/somn/moment.yaml",
        "  - modules/05-framat.md\n",
        "  - modules/05-vagen-framat.md\n",
    );
    repo.set_version("somn", "2.0.0");
    // rora-dig: a new title.
    repo.replace(
        "moments/rora-dig/moment.yaml",
        "title: Rör dig mer i vardagen",
        "title: Rör på dig varje dag",
    );
    repo.set_version("rora-dig", "1.2.0");
    // minimal: reformatted only.
    repo.replace(
        "moments/minimal/moment.yaml",
        "owners: [anna@example.se, cecilia@example.se]\n",
        "owners:\n  - anna@example.se\n  - cecilia@example.se\n",
    );
    // ovning is removed; a new moment is added.
    repo.git(&["rm", "-r", "--quiet", "moments/ovning"]);
    copy_tree(&repo.path("moments/minimal"), &repo.path("moments/ny"));
    repo.replace("moments/ny/moment.yaml", "id: minimal", "id: ny");
    repo.replace(
        "moments/ny/moment.yaml",
        "title: Minsta möjliga moment",
        "title: Ett nytt moment",
    );
    repo.commit("v2");
    repo
}

#[test]
fn snapshot_of_the_markdown_report() {
    let repo = multi_change_scenario();
    let text = repo.diff_text(&["HEAD~1", "HEAD"], "markdown");
    assert!(
        !text.contains(&*repo.top().to_string_lossy()),
        "no temporary paths"
    );
    insta::assert_snapshot!("markdown_report", text);
}

#[test]
fn snapshot_of_the_release_notes() {
    let repo = multi_change_scenario();
    let text = repo.diff_failing(&["HEAD~1", "HEAD"], "release-notes");
    assert!(
        !text.contains(&*repo.top().to_string_lossy()),
        "no temporary paths"
    );
    insta::assert_snapshot!("release_notes", text);
}

#[test]
fn the_multi_change_scenario_in_json() {
    let repo = multi_change_scenario();
    let diff = repo.diff(&["HEAD~1", "HEAD"]);
    let summary: Vec<(String, String, String, bool)> = diff["moments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_owned(),
                m["status"].as_str().unwrap().to_owned(),
                m["required_bump"].as_str().unwrap().to_owned(),
                m["bump_ok"].as_bool().unwrap(),
            )
        })
        .collect();
    let row = |id: &str, status: &str, bump: &str, ok: bool| {
        (id.to_owned(), status.to_owned(), bump.to_owned(), ok)
    };
    assert_eq!(
        summary,
        [
            row("minimal", "changed", "patch", true),
            row("ny", "added", "none", true),
            row("ovning", "removed", "none", true),
            row("rora-dig", "changed", "minor", true),
            row("somn", "changed", "major", true),
            row("stresskoll", "changed", "major", false),
        ]
    );
}
