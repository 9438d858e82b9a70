//! The reports of `moment diff` for reviewers and administrators, on the realistic
//! new versions of the user trials: a Swedish moment (`somn`: band edges moved, a
//! scored question reworded, a module added, a typo fixed) and an English one
//! (`worry`: an alert threshold lowered, an option relabelled, a module now activated
//! by staff, messaging off, a module renamed). Markdown, release notes and human
//! output are insta snapshots; the JSON is validated against `schemas/diff.schema.json`;
//! GitHub annotations point at the changed lines.

mod common;
mod diffkit;

use common::{code, stderr, stdout};
use diffkit::*;
use serde_json::Value;

fn somn() -> Repo {
    let repo = Repo::new();
    somn_v2(&repo);
    repo
}

fn worry() -> Repo {
    let repo = Repo::new();
    worry_v1(&repo);
    worry_v2(&repo);
    repo
}

/// `moment diff HEAD~1 HEAD --format FORMAT` with the exit code it must have.
fn report(repo: &Repo, format: &str, exit: i32) -> String {
    let out = repo.moment(&["diff", "HEAD~1", "HEAD", "--format", format]);
    assert_eq!(code(&out), exit, "--format {format}: {}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let text = stdout(&out);
    assert!(
        !text.contains(&*repo.top().to_string_lossy()),
        "no temporary paths"
    );
    text
}

/// Words that administrators must not meet in release notes: file paths, ids and
/// raw YAML values (`staff` is a plain English word, so it is looked for only in
/// Swedish notes).
fn assert_plain(notes: &str, swedish: bool) {
    let mut raw = vec![
        ".md",
        ".yaml",
        "true",
        "false",
        "immediate",
        "`",
        "forms/",
        "modules/",
        "somnkvalitet",
        "kvalitet,",
        "q1",
        "gad",
        "high",
    ];
    if swedish {
        raw.push("staff");
    }
    for raw in raw {
        assert!(
            !notes.contains(raw),
            "`{raw}` in the release notes:\n{notes}"
        );
    }
}

#[test]
fn swedish_markdown_for_the_reviewer() {
    let text = report(&somn(), "markdown", 0);
    assert!(
        !text.contains("\\`"),
        "ids are real code, not escaped backticks"
    );
    for expected in [
        "Frågan ”Hur nöjd är du med din sömn i natt?” har fått ny formulering.",
        "Band 1 för poängen ”Sömnkvalitet” är nu Dålig (1–1) (tidigare Dålig (1–2)).",
        "**Följd:** En poäng på 2 i ”Sömnkvalitet” var Dålig och är nu Godtagbar.",
        "En ny modul: ”Om sömnen blir sämre igen”.",
        "<details><summary>Visa texten</summary>",
    ] {
        assert!(text.contains(expected), "`{expected}` missing:\n{text}");
    }
    insta::assert_snapshot!("somn_markdown", text);
}

#[test]
fn swedish_release_notes_for_the_administrator() {
    let notes = report(&somn(), "release-notes", 0);
    assert_plain(&notes, true);
    assert!(!notes.contains("Varning"), "{notes}");
    insta::assert_snapshot!("somn_release_notes", notes);
}

#[test]
fn swedish_human_output() {
    insta::assert_snapshot!("somn_human", report(&somn(), "human", 0));
}

#[test]
fn english_markdown_for_the_reviewer() {
    let text = report(&worry(), "markdown", 0);
    for expected in [
        "Option 2 of the question “Feeling nervous, anxious or on edge?” is now worded “A few days” (was “Several days”).",
        "**Consequence:** The alert now fires from 4 instead of 5: it now also fires for 4.",
        "The module “About worry” is now activated by staff (it used to open at once).",
        "The module “Worry time” has a new page address (its file was renamed; its id is the same).",
        "> **Version policy:** the changes need a major version, the version shows a minor version.",
    ] {
        assert!(text.contains(expected), "`{expected}` missing:\n{text}");
    }
    insta::assert_snapshot!("worry_markdown", text);
}

#[test]
fn english_release_notes_warn_and_fail_when_the_version_is_too_low() {
    let notes = report(&worry(), "release-notes", 1);
    assert!(
        notes.starts_with("# Release notes\n\n> **⚠️ Warning: this version breaks the version rules. Do not activate it.**"),
        "{notes}"
    );
    assert!(
        notes.contains(
            "Worry less: the changes need at least version 2.0.0, but the version is 1.1.0."
        ),
        "{notes}"
    );
    assert_plain(&notes, false);
    insta::assert_snapshot!("worry_release_notes", notes);
}

#[test]
fn english_human_output() {
    insta::assert_snapshot!("worry_human", report(&worry(), "human", 0));
}

#[test]
fn the_json_report_follows_its_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/diff.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    for repo in [somn(), worry()] {
        let json: Value = serde_json::from_str(&report(&repo, "json", 0)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let changes = json["moments"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["changes"].as_array().unwrap().iter())
            .count();
        assert!(changes >= 5, "the scenario has changes");
    }
    // A document the schema must refuse: a kind that does not exist.
    let bad = serde_json::json!({"moments": [{"id": "x", "title": "X", "language": "sv",
        "from_version": "1.0.0", "to_version": "1.0.1", "status": "changed",
        "required_bump": "patch", "actual_bump": "patch", "bump_ok": true,
        "series_breaks_missing": [], "changes": [{"class": "cosmetic",
        "kind": "no_such_kind", "path": "moment.yaml", "summary": "x"}]}]});
    assert!(!validator.is_valid(&bad));
}

/// The 1-based line of the first line holding `needle` in `rel`.
fn line_of(repo: &Repo, rel: &str, needle: &str) -> usize {
    repo.read(rel)
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in {rel}"))
        + 1
}

#[test]
fn github_annotations_point_at_the_changed_lines() {
    let repo = somn();
    let text = report(&repo, "github", 0);
    let band = line_of(&repo, SLEEP_FORM, "{min: 1, max: 1, label: Dålig}");
    let question = line_of(&repo, SLEEP_FORM, "text: Hur nöjd är du");
    let typo = line_of(&repo, "moments/somn/modules/02-somndagbok.md", "lade dig");
    for expected in [
        format!("::warning file=moments/somn/forms/somndagbok.yaml,line={band},title=clinical score_band_changed::Band 1 för poängen ”Sömnkvalitet” är nu Dålig (1–1) (tidigare Dålig (1–2)).%0AEn poäng på 2 i ”Sömnkvalitet” var Dålig och är nu Godtagbar."),
        format!("::warning file=moments/somn/forms/somndagbok.yaml,line={question},title=clinical item_text_changed::"),
        format!("::notice file=moments/somn/modules/02-somndagbok.md,line={typo},title=content text_changed::"),
        "::notice file=moments/somn/modules/06-aterfall.md,line=1,title=content module_added::En ny modul: ”Om sömnen blir sämre igen”.".to_owned(),
    ] {
        assert!(text.contains(&expected), "`{expected}` missing:\n{text}");
    }
    // A version that is too low is an error on the version line.
    let repo = worry();
    let text = report(&repo, "github", 0);
    let version = line_of(&repo, "moments/worry/moment.yaml", "version:");
    assert!(
        text.contains(&format!("::error file=moments/worry/moment.yaml,line={version},title=worry%3A version policy::the changes need a major version, the version shows a minor version")),
        "{text}"
    );
}
