//! FHIR R4 Questionnaire import and export, through the real binary on real files:
//! PHQ-9- and GAD-7-shaped Questionnaires of our own become forms whose generated
//! tests pass; every example form exports as a Questionnaire that an independent
//! implementation (`fhir.resources`, scripts/fhir/validate.py) accepts, byte for byte
//! the same on a re-run, and imports back as the same form; every bad input is a
//! diagnostic at its JSON path with exit 1 and nothing written.
//!
//! Cases live in `tests/fhir/cases/<code>-<name>/`: a `questionnaire.json` to import
//! (or a `form.yaml` to export) and an `expected.txt` listing, one per line, every
//! FHIR diagnostic as `CODE line:column` (in the Questionnaire) or `CODE
//! file:line:column`, with notes ` | text` the message or hint must contain.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{code, fixture_copy, moment, stdout, tree};
use serde_json::Value;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fhir/cases")
}

fn valid(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fhir/valid")
        .join(name)
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(out), common::stderr(out)))
}

fn import(root: &Path, file: &Path, id: &str) -> std::process::Output {
    moment(
        root,
        &[
            "import",
            "fhir",
            file.to_str().expect("UTF-8 path"),
            "--moment",
            "demo",
            "--id",
            id,
            "--format",
            "json",
        ],
    )
}

/// The FHIR codes in a report as `CODE line:col` (in the Questionnaire) or `CODE file:line:col`.
fn fhir_lines(report: &Value, questionnaire: &str) -> Vec<(String, String)> {
    let codes: BTreeSet<&str> = moment::fhir::CODES.iter().map(|c| c.as_str()).collect();
    let mut out: Vec<(String, String)> = common::diagnostics(report)
        .iter()
        .filter(|d| codes.contains(d["code"].as_str().unwrap_or_default()))
        .map(|d| {
            let file = d["file"].as_str().unwrap_or_default();
            let at = if file == questionnaire {
                format!("{}:{}", d["line"], d["column"])
            } else {
                format!("{file}:{}:{}", d["line"], d["column"])
            };
            (
                format!("{} {at}", d["code"].as_str().unwrap_or_default()),
                format!(
                    "{} {}",
                    d["message"].as_str().unwrap_or_default(),
                    d["hint"].as_str().unwrap_or_default()
                ),
            )
        })
        .collect();
    out.sort();
    out
}

fn run_case(name: &str) {
    let dir = cases_dir().join(name);
    let tmp = fixture_copy("valid-minimal");
    let root = tmp.path();
    let expected_text = std::fs::read_to_string(dir.join("expected.txt")).expect("expected.txt");
    let expected: Vec<(String, Vec<String>)> = expected_text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.split(" | ");
            let at = parts.next().unwrap_or_default().trim().to_owned();
            (at, parts.map(|p| p.trim().to_owned()).collect())
        })
        .collect();
    let errors = expected.iter().any(|(at, _)| at.starts_with('E'));
    let (out, q) = if dir.join("form.yaml").is_file() {
        let form = std::fs::read_to_string(dir.join("form.yaml")).expect("form.yaml");
        let id = form
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .expect("form id");
        common::write(root, &format!("moments/demo/forms/{id}.yaml"), &form);
        let out = moment(root, &["export", "fhir", ".", "--format", "json"]);
        (out, String::new())
    } else {
        let mut q = root.join("questionnaire.json");
        std::fs::copy(dir.join("questionnaire.json"), &q).expect("copy the Questionnaire");
        if let Ok(n) = std::fs::read_to_string(dir.join("pad-to-bytes.txt")) {
            let n: usize = n.trim().parse().expect("a byte count");
            let mut text = std::fs::read_to_string(&q).expect("read");
            text.push_str(&" ".repeat(n.saturating_sub(text.len())));
            std::fs::write(&q, text).expect("pad");
        }
        if let Ok(existing) = std::fs::read_to_string(dir.join("existing.txt")) {
            common::write(root, existing.trim(), "# a form that is there already\n");
        }
        let before = tree(root);
        // Import from outside the repository, as a downloaded file would be.
        let outside = tempfile::tempdir().expect("tempdir");
        let moved = outside.path().join("questionnaire.json");
        std::fs::rename(&q, &moved).expect("move");
        q = moved;
        let before: Vec<_> = before
            .into_iter()
            .filter(|(p, _)| p != "questionnaire.json")
            .collect();
        let out = import(root, &q, "imp");
        if errors {
            assert_eq!(
                tree(root),
                before,
                "{name}: an import with errors wrote files"
            );
        } else {
            assert!(
                root.join("moments/demo/forms/imp.yaml").is_file(),
                "{name}: no form written"
            );
        }
        (out, q.to_str().expect("UTF-8").to_owned())
    };
    let report = json(&out);
    let actual = fhir_lines(&report, &q);
    let actual_at: Vec<&str> = actual.iter().map(|(a, _)| a.as_str()).collect();
    let mut expected_at: Vec<&str> = expected.iter().map(|(a, _)| a.as_str()).collect();
    expected_at.sort();
    assert_eq!(
        actual_at, expected_at,
        "{name}: diagnostics differ\n{report:#}"
    );
    for (at, notes) in &expected {
        let texts: Vec<&String> = actual
            .iter()
            .filter(|(a, _)| a == at)
            .map(|(_, t)| t)
            .collect();
        for note in notes {
            assert!(
                texts.iter().any(|t| t.contains(note.as_str())),
                "{name}: `{at}` lacks `{note}`: {texts:?}"
            );
        }
    }
    assert_eq!(
        code(&out),
        i32::from(errors),
        "{name}: exit code\n{report:#}"
    );
}

macro_rules! cases {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_case($name);
            }
        )*

        /// Every case folder has a test, and every FHIR code has a case.
        #[test]
        fn every_fhir_code_has_a_case() {
            let listed: BTreeSet<&str> = [$($name),*].into_iter().collect();
            let on_disk: BTreeSet<String> = std::fs::read_dir(cases_dir())
                .expect("read tests/fhir/cases")
                .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
                .collect();
            let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
            assert_eq!(listed, on_disk, "add the case to the list in tests/fhir.rs");
            for code in moment::fhir::CODES {
                let prefix = code.as_str().to_lowercase();
                assert!(
                    listed.iter().any(|n| n.starts_with(&prefix)),
                    "no case under tests/fhir/cases/ for {code}"
                );
                assert!(
                    moment::diagnostic::explain::entry(*code).is_some(),
                    "{code} has no entry in book/src/diagnostics.md"
                );
            }
        }
    };
}

cases! {
    e080_not_json => "e080-not-json",
    e081_bundle => "e081-bundle",
    e082_r5_coding => "e082-r5-coding",
    e082_stu3_option => "e082-stu3-option",
    e083_duplicate_linkid => "e083-duplicate-linkid",
    e084_too_deep => "e084-too-deep",
    e085_too_large => "e085-too-large",
    e086_modifier_extension => "e086-modifier-extension",
    e086_unknown_extension => "e086-unknown-extension",
    e087_attachment => "e087-attachment",
    e087_two_conditions => "e087-two-conditions",
    e088_target_exists => "e088-target-exists",
    e089_bands_with_a_gap => "e089-bands-with-a-gap",
    w030_not_carried => "w030-not-carried",
    w031_unrecognised_score => "w031-unrecognised-score",
    w032_loinc_linkid => "w032-loinc-linkid",
    w033_no_bands => "w033-no-bands",
    w034_alerts_not_exported => "w034-alerts-not-exported",
}

/// The generated scenarios of `id` in the demo moment.
fn scenarios(root: &Path, id: &str) -> String {
    std::fs::read_to_string(root.join(format!("moments/demo/forms/{id}.tests.yaml")))
        .expect("tests written")
}

fn check_clean(root: &Path) {
    let (exit, report) = common::check_json(root, &[]);
    let codes = common::codes(&report);
    assert_eq!(exit, 0, "moment check fails after import: {report:#}");
    assert!(
        !codes.iter().any(|c| c == "E042" || c == "E043"),
        "{report:#}"
    );
}

#[test]
fn phq9_shaped_questionnaire_imports_with_passing_tests() {
    let tmp = fixture_copy("valid-minimal");
    let out = import(tmp.path(), &valid("phq9-shaped.json"), "nio");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let form =
        std::fs::read_to_string(tmp.path().join("moments/demo/forms/nio.yaml")).expect("form");
    assert!(
        form.contains("sum: [d1, d2, d3, d4, d5, d6, d7, d8, d9]"),
        "{form}"
    );
    assert!(
        form.contains("- {value: 3, label: Nästan varje dag}"),
        "{form}"
    );
    let tests = scenarios(tmp.path(), "nio");
    assert!(tests.contains("scores: {summa: 0}"), "{tests}");
    assert!(tests.contains("scores: {summa: 27}"), "{tests}");
    assert!(tests.contains("scores: {summa: 18}"), "{tests}");
    let report = json(&out);
    assert!(
        common::codes(&report).contains(&"W033".to_owned()),
        "no bands is a warning"
    );
    check_clean(tmp.path());
}

#[test]
fn gad7_shaped_questionnaire_with_variables_imports_with_passing_tests() {
    let tmp = fixture_copy("valid-minimal");
    let out = import(tmp.path(), &valid("gad7-shaped.json"), "sju");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let form =
        std::fs::read_to_string(tmp.path().join("moments/demo/forms/sju.yaml")).expect("form");
    assert!(form.contains("sum: [o1, o2, o3, o4, o5, o6, o7]"), "{form}");
    let tests = scenarios(tmp.path(), "sju");
    assert!(tests.contains("scores: {total: 21}"), "{tests}");
    check_clean(tmp.path());
}

/// The example moments of the project, copied.
fn examples() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::copy_tree(&src.join("moments"), &tmp.path().join("moments"));
    std::fs::copy(src.join("units.yaml"), tmp.path().join("units.yaml")).expect("units.yaml");
    tmp
}

fn export_all(root: &Path) -> Vec<(String, Vec<u8>)> {
    let out = moment(root, &["export", "fhir", ".", "--out", "dist/fhir"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), common::stderr(&out));
    tree(&root.join("dist/fhir"))
}

#[test]
fn export_is_deterministic_valid_r4_with_canonical_urls() {
    let tmp = examples();
    let first = export_all(tmp.path());
    let files: Vec<PathBuf> = first
        .iter()
        .filter(|(p, _)| p.ends_with(".json"))
        .map(|(p, _)| tmp.path().join("dist/fhir").join(p))
        .collect();
    assert!(
        files.len() >= 2,
        "every example form is exported: {first:?}"
    );
    let second = export_all(tmp.path());
    assert_eq!(first, second, "a re-run gives other bytes");
    for f in &files {
        let q: Value = serde_json::from_slice(&std::fs::read(f).expect("read")).expect("JSON");
        assert_eq!(q["resourceType"], "Questionnaire");
        assert_eq!(q["language"], "sv");
        assert!(
            q["version"].is_string() && q["publisher"].is_string(),
            "{q:#}"
        );
        let text = q.to_string();
        assert!(text.contains(
            "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
        ));
    }
    let any = std::fs::read_to_string(tmp.path().join("dist/fhir/stresskoll/stresskoll.json"))
        .expect("stresskoll");
    assert!(any.contains("\"http://hl7.org/fhir/StructureDefinition/itemWeight\""));
    assert!(any.contains("\"http://hl7.org/fhir/StructureDefinition/ordinalValue\""));
    validate_independently(&files);
}

/// scripts/fhir/validate.py with fhir.resources from /opt/fhir (installed by .ci/run).
fn validate_independently(files: &[PathBuf]) {
    let python = Path::new("/opt/fhir/bin/python");
    let ok = python.is_file()
        && std::process::Command::new(python)
            .args(["-c", "import fhir.resources.R4B.questionnaire"])
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none_or(|v| v != "true"),
            "CI=true but /opt/fhir (fhir.resources) is missing: .ci/run installs it"
        );
        eprintln!(
            "skipped the independent FHIR validation: /opt/fhir/bin/python with fhir.resources is not installed (.ci/run installs it)"
        );
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fhir/validate.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .args(files)
        .output()
        .expect("run validate.py");
    assert!(
        out.status.success(),
        "the exported Questionnaires are not valid R4:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn validator_refuses_a_broken_questionnaire() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let f = tmp.path().join("q.json");
    std::fs::write(&f, r#"{"resourceType": "Questionnaire", "status": "active", "item": [{"linkId": "a", "type": "choise", "text": "x"}], "bogus": 1}"#).expect("write");
    let python = Path::new("/opt/fhir/bin/python");
    if !python.is_file() {
        assert!(
            std::env::var_os("CI").is_none_or(|v| v != "true"),
            "CI=true but /opt/fhir is missing"
        );
        eprintln!("skipped: /opt/fhir/bin/python is not installed (.ci/run installs it)");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fhir/validate.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(&f)
        .output()
        .expect("run");
    assert!(
        !out.status.success(),
        "the validator accepted a broken Questionnaire"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("choise") && text.contains("bogus"), "{text}");
}

#[test]
fn export_then_import_gives_the_same_form_for_every_example() {
    let tmp = examples();
    export_all(tmp.path());
    let schemas = moment::schema::Schemas::compile();
    let load =
        |root: &Path| moment::load::load(&moment::load::find_target(root).expect("repo"), &schemas);
    let repo = load(tmp.path());
    let mut pairs = Vec::new();
    for m in &repo.moments {
        for f in &m.forms {
            let form = f.form.clone().expect("example forms are valid");
            let file = tmp
                .path()
                .join(format!("dist/fhir/{}/{}.json", m.folder, form.id));
            let id = format!("rt-{}", form.id);
            let out = moment(
                tmp.path(),
                &[
                    "import",
                    "fhir",
                    file.to_str().expect("UTF-8"),
                    "--moment",
                    &m.folder,
                    "--id",
                    &id,
                    "--format",
                    "json",
                ],
            );
            assert_eq!(code(&out), 0, "{}", stdout(&out));
            pairs.push((m.folder.clone(), form, id));
        }
    }
    assert!(pairs.len() >= 2);
    let again = load(tmp.path());
    for (folder, before, id) in pairs {
        let m = again
            .moments
            .iter()
            .find(|m| m.folder == folder)
            .expect("moment");
        let after = m
            .form(&id)
            .and_then(|f| f.form.clone())
            .expect("imported form loads");
        assert_eq!(after.title, before.title);
        assert_eq!(after.items, before.items, "items of {}", before.id);
        assert_eq!(after.scores, before.scores, "scores of {}", before.id);
    }
    check_clean_examples(tmp.path());
}

fn check_clean_examples(root: &Path) {
    let (exit, report) = common::check_json(root, &[]);
    assert_eq!(exit, 0, "{report:#}");
}

#[test]
fn export_refuses_a_repository_with_errors_and_writes_nothing() {
    let tmp = fixture_copy("valid-minimal");
    common::write(
        tmp.path(),
        "moments/demo/forms/trasig.yaml",
        "id: trasig\ntitle: x\nkind: questionnaire\nitems: []\n",
    );
    let out = moment(tmp.path(), &["export", "fhir", "."]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        !tmp.path().join("dist").exists(),
        "export wrote files despite errors"
    );
}

/// A form with every item type, both condition kinds, a missing-answer rule and bands
/// survives export and import; its export validates, and its generated tests pass.
#[test]
fn every_item_type_round_trips() {
    let tmp = fixture_copy("valid-minimal");
    let form = std::fs::read_to_string(valid("allt.yaml")).expect("allt.yaml");
    common::write(tmp.path(), "moments/demo/forms/allt.yaml", &form);
    let out = moment(tmp.path(), &["export", "fhir", ".", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let report = json(&out);
    let warnings = common::codes(&report);
    assert_eq!(
        warnings,
        ["W034"],
        "only the missing rule is not standard FHIR: {report:#}"
    );
    let exported = tmp.path().join("dist/fhir/demo/allt.json");
    let q = std::fs::read_to_string(&exported).expect("exported");
    assert!(q.contains("sdc-questionnaire-enableWhenExpression"), "{q}");
    assert!(q.contains("\"repeats\": true"), "{q}");
    validate_independently(std::slice::from_ref(&exported));
    let out = import(tmp.path(), &exported, "allt-igen");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let schemas = moment::schema::Schemas::compile();
    let repo = moment::load::load(
        &moment::load::find_target(tmp.path()).expect("repo"),
        &schemas,
    );
    let demo = &repo.moments[0];
    let before = demo
        .form("allt")
        .and_then(|f| f.form.clone())
        .expect("allt loads");
    let after = demo
        .form("allt-igen")
        .and_then(|f| f.form.clone())
        .expect("allt-igen loads");
    assert_eq!(after.title, before.title);
    assert_eq!(after.description, before.description);
    assert_eq!(after.items, before.items);
    assert_eq!(after.scores, before.scores);
    check_clean(tmp.path());
}

#[test]
fn a_failing_forced_import_keeps_the_form_it_would_replace() {
    let tmp = fixture_copy("valid-minimal");
    let old = "# the designer's own form\n";
    common::write(tmp.path(), "moments/demo/forms/imp.yaml", old);
    let before = tree(tmp.path());
    let q = cases_dir().join("e089-bands-with-a-gap/questionnaire.json");
    let out = moment(
        tmp.path(),
        &[
            "import",
            "fhir",
            q.to_str().expect("UTF-8"),
            "--moment",
            "demo",
            "--id",
            "imp",
            "--force",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("E089"), "{}", stdout(&out));
    assert_eq!(
        tree(tmp.path()),
        before,
        "a failed import changed the repository"
    );
}

#[test]
fn ids_that_are_not_slugs_are_usage_errors() {
    let tmp = fixture_copy("valid-minimal");
    let q = valid("phq9-shaped.json");
    let q = q.to_str().expect("UTF-8");
    for (m, id) in [("../demo", "x"), ("demo", "../../etc"), ("demo", "Nio")] {
        let out = moment(
            tmp.path(),
            &["import", "fhir", q, "--moment", m, "--id", id],
        );
        assert_eq!(
            code(&out),
            2,
            "--moment {m} --id {id}: {}",
            common::stderr(&out)
        );
    }
    let out = moment(
        tmp.path(),
        &[
            "import",
            "fhir",
            "saknas.json",
            "--moment",
            "demo",
            "--id",
            "x",
        ],
    );
    assert_eq!(code(&out), 2, "a missing file is an I/O error");
    assert!(
        common::stderr(&out).contains("saknas.json"),
        "{}",
        common::stderr(&out)
    );
}
