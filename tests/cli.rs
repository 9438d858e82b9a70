//! The command line as a user meets it: `moment check` options, output formats,
//! exit codes, `moment new`, and the repository's own examples.

mod common;

use std::path::Path;

use common::{
    check_json, code, codes, diag_line, diag_lines, diagnostics, fixture_copy, moment, stderr,
    stdout, tree, write,
};
use serde_json::Value;

fn path_arg(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

// ---------------------------------------------------------------- --strict, --max-lix

#[test]
fn strict_turns_a_warnings_only_repository_into_a_failure() {
    let tmp = fixture_copy("w007-few-owners");
    let (exit, report) = check_json(tmp.path(), &[]);
    assert_eq!(
        exit, 0,
        "warnings alone must not fail the check:\n{report:#}"
    );
    assert_eq!(report["errors"], 0);
    assert_eq!(report["warnings"], 2);
    let plain = diag_lines(&report);

    let (exit, strict) = check_json(tmp.path(), &["--strict"]);
    assert_eq!(exit, 1, "--strict must fail on warnings:\n{strict:#}");
    assert_eq!(strict["errors"], 2);
    assert_eq!(strict["warnings"], 0);
    assert_eq!(
        diag_lines(&strict),
        plain,
        "--strict changes severities, not what is found"
    );
    for d in diagnostics(&strict) {
        assert_eq!(d["severity"], "error", "{d:#}");
        assert!(
            d["code"].as_str().unwrap().starts_with('W'),
            "codes stay stable under --strict: {d:#}"
        );
    }
}

#[test]
fn strict_on_a_clean_repository_still_passes() {
    let tmp = fixture_copy("valid-minimal");
    let (exit, report) = check_json(tmp.path(), &["--strict"]);
    assert_eq!(exit, 0, "{report:#}");
    assert!(diagnostics(&report).is_empty(), "{report:#}");
}

#[test]
fn max_lix_sets_the_readability_limit() {
    // The module of `lix-moderate` has a LIX of about 22.
    let tmp = fixture_copy("lix-moderate");
    let (exit, report) = check_json(tmp.path(), &[]);
    assert_eq!(
        (exit, diag_lines(&report)),
        (0, vec![]),
        "LIX 22 is fine at the default limit of 50"
    );

    let (exit, report) = check_json(tmp.path(), &["--max-lix", "20"]);
    assert_eq!(exit, 0, "W009 is a warning");
    assert_eq!(
        diag_lines(&report),
        ["W009 moments/lagom/modules/01-start.md:4:1"]
    );
    let message = diagnostics(&report)[0]["message"].as_str().unwrap();
    assert!(
        message.contains("22") && message.contains("20"),
        "the message gives the index and the limit: {message}"
    );

    let (_, report) = check_json(tmp.path(), &["--max-lix", "25"]);
    assert_eq!(diag_lines(&report), Vec::<String>::new(), "22 is below 25");

    let (exit, report) = check_json(tmp.path(), &["--max-lix", "20", "--strict"]);
    assert_eq!((exit, codes(&report)), (1, vec!["W009".to_owned()]));
}

#[test]
fn max_lix_can_silence_the_readability_warning() {
    let tmp = fixture_copy("w009-readability");
    let (exit, report) = check_json(tmp.path(), &[]);
    assert_eq!(
        (exit, diag_lines(&report)),
        (
            0,
            vec!["W009 moments/svar/modules/01-start.md:4:1".to_owned()]
        )
    );
    let (exit, report) = check_json(tmp.path(), &["--max-lix", "200"]);
    assert_eq!((exit, diag_lines(&report)), (0, vec![]));
}

#[test]
fn max_lix_must_be_a_number() {
    let tmp = fixture_copy("valid-minimal");
    let out = moment(tmp.path(), &["check", ".", "--max-lix", "lagom"]);
    assert_eq!(code(&out), 2, "stderr: {}", stderr(&out));
}

// ---------------------------------------------------------------- output formats

/// `several-files` has errors and warnings in five files.
const SEVERAL: &str = "several-files";

#[test]
fn human_output_in_a_pipe() {
    let tmp = fixture_copy(SEVERAL);
    let out = moment(tmp.path(), &["check"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes when stdout is a pipe:\n{text}"
    );
    assert!(
        text.ends_with("4 errors, 4 warnings\n"),
        "summary line last:\n{text}"
    );
    insta::assert_snapshot!("human_several_files", text);
}

#[test]
fn human_output_of_a_clean_repository() {
    let tmp = fixture_copy("valid-minimal");
    let out = moment(tmp.path(), &["check"]);
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), "no problems found\n");
    assert_eq!(stderr(&out), "");
}

#[test]
fn json_has_the_documented_shape() {
    let tmp = fixture_copy(SEVERAL);
    let (exit, report) = check_json(tmp.path(), &[]);
    assert_eq!(exit, 1);
    let top = report.as_object().expect("the report is a JSON object");
    for key in ["diagnostics", "errors", "warnings"] {
        assert!(top.contains_key(key), "missing `{key}` in {report:#}");
    }
    let diags = diagnostics(&report);
    assert_eq!(diags.len(), 8);
    let mut errors = 0;
    for d in diags {
        let d = d.as_object().expect("a diagnostic is an object");
        let severity = d["severity"].as_str().expect("severity is text");
        let code = d["code"].as_str().expect("code is text");
        assert!(
            code.len() == 4 && code[1..].bytes().all(|b| b.is_ascii_digit()),
            "code `{code}` is E0xx or W0xx"
        );
        match severity {
            "error" => {
                errors += 1;
                assert!(code.starts_with('E'), "{code} is an error code");
            }
            "warning" => assert!(code.starts_with('W'), "{code} is a warning code"),
            other => panic!("severity `{other}` is neither error nor warning"),
        }
        assert!(!d["message"].as_str().expect("message is text").is_empty());
        let file = d["file"].as_str().expect("file is text");
        assert!(
            !file.starts_with('/') && !file.contains('\\'),
            "file `{file}` is relative with / separators"
        );
        assert!(
            tmp.path().join(file).exists(),
            "file `{file}` exists in the repository"
        );
        assert!(d["line"].as_u64().expect("line is a whole number") >= 1);
        assert!(d["column"].as_u64().expect("column is a whole number") >= 1);
        if let Some(hint) = d.get("hint") {
            assert!(!hint.as_str().expect("hint is text").is_empty());
        }
    }
    assert_eq!(report["errors"], errors);
    assert_eq!(report["warnings"], diags.len() - errors);

    // One diagnostic in full, as a tool reading the report sees it.
    let semver = diags
        .iter()
        .find(|d| d["code"] == "E039")
        .expect("E039 reported");
    assert_eq!(semver["severity"], "error");
    assert_eq!(semver["file"], "moments/somn/moment.yaml");
    assert_eq!(semver["line"], 2);
    assert_eq!(semver["column"], 10);
    assert!(
        semver["message"].as_str().unwrap().contains("1.0"),
        "{semver:#}"
    );
    assert!(
        semver["hint"].as_str().unwrap().contains("1.0.0"),
        "{semver:#}"
    );
}

#[test]
fn json_of_a_clean_repository() {
    let tmp = fixture_copy("valid-minimal");
    let (exit, report) = check_json(tmp.path(), &[]);
    assert_eq!(exit, 0);
    assert_eq!(report["diagnostics"], Value::Array(vec![]));
    assert_eq!(report["errors"], 0);
    assert_eq!(report["warnings"], 0);
}

/// `%`, CR and LF escaped as GitHub workflow commands require.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[test]
fn github_format_gives_one_annotation_per_diagnostic() {
    let tmp = fixture_copy(SEVERAL);
    let (_, report) = check_json(tmp.path(), &[]);
    let out = moment(tmp.path(), &["check", ".", "--format", "github"]);
    assert_eq!(code(&out), 1, "same exit code as the other formats");
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let diags = diagnostics(&report);
    assert_eq!(lines.len(), diags.len(), "one line per diagnostic:\n{text}");
    for (line, d) in lines.iter().zip(diags) {
        let prefix = format!(
            "::{} file={},line={},col={},title={}::{}",
            d["severity"].as_str().unwrap(),
            escape_property(d["file"].as_str().unwrap()),
            d["line"],
            d["column"],
            d["code"].as_str().unwrap(),
            escape_data(d["message"].as_str().unwrap()),
        );
        assert!(
            line.starts_with(&prefix),
            "expected `{prefix}…`, got `{line}`"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error file=moments/somn/moment.yaml,line=2,col=10,title=E039::`1.0` is not a semantic version")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::warning file=units.yaml,line=5,col=5,title=W008::")),
        "{text}"
    );
}

#[test]
fn github_format_escapes_the_file_property() {
    // A folder name with a comma: the id does not match it (E021), and the annotation's
    // file property must escape the comma or GitHub cuts the property there.
    let tmp = fixture_copy("valid-minimal");
    std::fs::rename(
        tmp.path().join("moments/demo"),
        tmp.path().join("moments/demo,2"),
    )
    .unwrap();
    let out = moment(tmp.path(), &["check", ".", "--format", "github"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        text.starts_with("::error file=moments/demo%2C2/moment.yaml,line=1,col=5,title=E021::"),
        "{text}"
    );
}

#[test]
fn github_format_of_a_clean_repository_is_empty() {
    let tmp = fixture_copy("valid-minimal");
    let out = moment(tmp.path(), &["check", ".", "--format", "github"]);
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), "");
}

#[test]
fn diagnostics_are_sorted_by_file_and_line() {
    for fixture in [
        SEVERAL,
        "e022-duplicate-id",
        "e042-form-test-failed",
        "w006-broken-link",
    ] {
        let tmp = fixture_copy(fixture);
        let (_, report) = check_json(tmp.path(), &[]);
        let keys: Vec<(String, u64, u64)> = diagnostics(&report)
            .iter()
            .map(|d| {
                (
                    d["file"].as_str().unwrap().to_owned(),
                    d["line"].as_u64().unwrap(),
                    d["column"].as_u64().unwrap(),
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{fixture}: diagnostics out of order");
        assert!(
            keys.len() >= 3,
            "{fixture}: too few diagnostics to show an order"
        );
    }
}

#[test]
fn every_problem_in_every_file_is_reported_in_one_run() {
    let tmp = fixture_copy(SEVERAL);
    let (_, report) = check_json(tmp.path(), &[]);
    let files_with_errors: std::collections::BTreeSet<&str> = diagnostics(&report)
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files_with_errors.into_iter().collect::<Vec<_>>(),
        [
            "moments/somn/forms/enkat.yaml",
            "moments/somn/modules/01-start.md",
            "moments/somn/moment.yaml",
        ]
    );
    // Two errors in moment.yaml: the first does not hide the second.
    let in_meta: Vec<String> = diagnostics(&report)
        .iter()
        .filter(|d| d["file"] == "moments/somn/moment.yaml")
        .map(diag_line)
        .collect();
    assert_eq!(
        in_meta,
        [
            "E039 moments/somn/moment.yaml:2:10",
            "E038 moments/somn/moment.yaml:10:46"
        ]
    );
}

#[test]
fn unknown_format_is_a_usage_error() {
    let tmp = fixture_copy("valid-minimal");
    let out = moment(tmp.path(), &["check", ".", "--format", "xml"]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("xml"), "{}", stderr(&out));
}

// ---------------------------------------------------------------- paths and exit codes

#[test]
fn nonexistent_path_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("finns-inte");
    let out = moment(tmp.path(), &["check", path_arg(&missing)]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("finns-inte"),
        "the message names the path: {}",
        stderr(&out)
    );
    let out = moment(
        tmp.path(),
        &["check", path_arg(&missing), "--format", "json"],
    );
    assert_eq!(code(&out), 2);
}

#[test]
fn a_folder_that_is_not_a_repository_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "notes/readme.md", "Inget här.\n");
    let out = moment(tmp.path(), &["check", "notes"]);
    assert_eq!(
        code(&out),
        2,
        "stdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    assert!(!stderr(&out).is_empty());
}

#[test]
fn default_path_is_the_current_directory() {
    let tmp = fixture_copy("e039-semver");
    let out = moment(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        diag_lines(&report),
        ["E039 moments/semver/moment.yaml:2:10"]
    );
}

#[test]
fn checking_one_moments_folder() {
    let tmp = fixture_copy("valid-minimal");
    let root = tmp.path();
    write(
        root,
        "moments/trasig/moment.yaml",
        &std::fs::read_to_string(root.join("moments/demo/moment.yaml"))
            .unwrap()
            .replace("id: demo", "id: trasig")
            .replace("\"1.0.0\"", "\"1.0\""),
    );
    for file in ["welcome.md", "modules/01-start.md", "docs/riskanalys.md"] {
        std::fs::create_dir_all(root.join("moments/trasig").join(file).parent().unwrap()).unwrap();
        std::fs::copy(
            root.join("moments/demo").join(file),
            root.join("moments/trasig").join(file),
        )
        .unwrap();
    }

    // The whole repository: only the broken moment has a problem.
    let (exit, report) = check_json(root, &[]);
    assert_eq!(
        (exit, diag_lines(&report)),
        (1, vec!["E039 moments/trasig/moment.yaml:2:10".to_owned()])
    );

    // The clean moment alone, by a relative path from the repository root.
    let out = moment(root, &["check", "moments/demo", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(diagnostics(&report).is_empty(), "{report:#}");

    // The broken moment alone, by an absolute path, from elsewhere: file names stay
    // relative to the repository root.
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = root.join("moments/trasig");
    let out = moment(
        elsewhere.path(),
        &["check", path_arg(&folder), "--format", "json"],
    );
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        diag_lines(&report),
        ["E039 moments/trasig/moment.yaml:2:10"]
    );

    // A moment's folder with a trailing slash, as shell completion writes it.
    let out = moment(root, &["check", "moments/trasig/", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn the_repositorys_own_examples_check_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (exit, report) = check_json(root, &[]);
    assert_eq!(report["diagnostics"], Value::Array(vec![]), "{report:#}");
    assert_eq!(exit, 0);
    let out = moment(root, &["check", ".", "--strict"]);
    assert_eq!(
        (code(&out), stdout(&out)),
        (0, "no problems found\n".to_owned())
    );
}

#[test]
fn check_writes_nothing() {
    let tmp = fixture_copy(SEVERAL);
    let before = tree(tmp.path());
    for format in ["human", "json", "github"] {
        moment(tmp.path(), &["check", ".", "--format", format]);
    }
    assert_eq!(tree(tmp.path()), before);
}

// ---------------------------------------------------------------- moment new

#[test]
fn new_scaffolds_a_moment_that_checks_clean() {
    let tmp = fixture_copy("valid-minimal");
    let root = tmp.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = moment(
        elsewhere.path(),
        &[
            "new",
            "test-program",
            "--title",
            "Test",
            "--path",
            path_arg(root),
        ],
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("moments/test-program/moment.yaml"),
        "{}",
        stdout(&out)
    );
    assert!(
        elsewhere.path().read_dir().unwrap().next().is_none(),
        "nothing is written outside --path"
    );

    let dir = root.join("moments/test-program");
    for file in ["moment.yaml", "welcome.md", "modules/01-introduktion.md"] {
        assert!(dir.join(file).is_file(), "{file} created");
    }
    let meta = std::fs::read_to_string(dir.join("moment.yaml")).unwrap();
    assert!(meta.lines().any(|l| l == "id: test-program"), "{meta}");
    assert!(
        meta.lines()
            .any(|l| l == "title: \"Test\"" || l == "title: Test"),
        "{meta}"
    );
    assert!(
        meta.lines().any(|l| l == "unit: region-test"),
        "the first unit by default:\n{meta}"
    );

    let (exit, report) = check_json(root, &[]);
    assert_eq!(exit, 0, "{report:#}");
    // Clean but for W020: the risk analysis is still the template, which the
    // designer must replace before publishing.
    assert_eq!(
        codes(&report),
        ["W020"],
        "a new moment is clean, warnings included, but for its template risk analysis:\n{report:#}"
    );
}

#[test]
fn new_in_the_current_directory_with_a_title_that_needs_quoting() {
    let tmp = fixture_copy("valid-minimal");
    let out = moment(
        tmp.path(),
        &[
            "new",
            "somn-2",
            "--title",
            "Sömn: steg \"för\" steg # 2",
            "--kind",
            "treatment",
        ],
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let (exit, report) = check_json(tmp.path(), &[]);
    assert_eq!(exit, 0, "{report:#}");
    assert_eq!(
        codes(&report),
        ["W020"],
        "only the template risk analysis: {report:#}"
    );
    let meta = std::fs::read_to_string(tmp.path().join("moments/somn-2/moment.yaml")).unwrap();
    assert!(meta.contains("kind: treatment"), "{meta}");
}

#[test]
fn new_for_a_training_unit() {
    let tmp = fixture_copy("valid-minimal");
    let units = std::fs::read_to_string(tmp.path().join("units.yaml")).unwrap();
    write(
        tmp.path(),
        "units.yaml",
        &format!("{units}  - id: kurs\n    name: Kursenheten\n    kind: training\n"),
    );
    let out = moment(tmp.path(), &["new", "ovning", "--unit", "kurs"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let (exit, report) = check_json(tmp.path(), &[]);
    assert_eq!((exit, diag_lines(&report)), (0, vec![]), "{report:#}");
}

#[test]
fn new_refuses_an_invalid_id_and_writes_nothing() {
    let tmp = fixture_copy("valid-minimal");
    let before = tree(tmp.path());
    for id in ["Bad_Id", "två", "a--b", "slut-", "../utanfor"] {
        let out = moment(tmp.path(), &["new", id]);
        assert_eq!(
            code(&out),
            2,
            "`moment new {id}`: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(id),
            "the message names the id: {}",
            stderr(&out)
        );
        assert_eq!(
            tree(tmp.path()),
            before,
            "`moment new {id}` wrote something"
        );
    }
}

#[test]
fn new_refuses_an_existing_id_and_writes_nothing() {
    let tmp = fixture_copy("valid-minimal");
    let before = tree(tmp.path());
    let out = moment(tmp.path(), &["new", "demo", "--title", "Annan"]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("demo"), "{}", stderr(&out));
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn new_refuses_an_unknown_unit_and_writes_nothing() {
    // `moment new` promises "a new moment that `moment check` accepts as it is"; with
    // a unit that units.yaml does not list, check would fail with E037.
    let tmp = fixture_copy("valid-minimal");
    let before = tree(tmp.path());
    let out = moment(tmp.path(), &["new", "ny", "--unit", "region-tset"]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("region-tset"), "{}", stderr(&out));
    assert_eq!(tree(tmp.path()), before);
}

// ---------------------------------------------------------------- --format sarif

/// The SARIF 2.1.0 JSON Schema (see tests/schemas/README.md).
fn sarif_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-2.1.0-rtm.5.json");
    let text = std::fs::read_to_string(&path).expect("read the SARIF schema");

    // The published schema has one typo, a stray `]` in the pattern of
    // `run.language` (`…{2}]?$`), which a strict regex engine refuses to compile.
    // Only that pattern is mended; nothing this test checks depends on it.
    let typo = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(
        text.contains(typo),
        "the SARIF schema changed: review the mend below"
    );
    let text = text.replace(typo, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}?$""#);
    let schema: Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    jsonschema::draft4::new(&schema).expect("the SARIF schema compiles")
}

fn check_sarif(root: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", path_arg(root), "--format", "sarif"];
    args.extend_from_slice(extra);
    let out = moment(root, &args);
    let log: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}{}", stdout(&out), stderr(&out)));
    (code(&out), log)
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema_and_matches_json() {
    let validator = sarif_validator();
    for fixture in [
        "multi-duplicate-key-in-moment",
        "e069-colon-in-name",
        "w026-messaging-mentioned",
        "e046-no-moments",
        "valid-minimal",
    ] {
        let tmp = fixture_copy(fixture);
        let (exit, log) = check_sarif(tmp.path(), &[]);
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "{fixture}: SARIF invalid: {errors:#?}\n{log:#}"
        );
        assert_eq!(log["version"], "2.1.0");
        // The schema is live: the same log with a level SARIF does not know fails.
        let mut broken = log.clone();
        if let Some(r) = broken["runs"][0]["results"].get_mut(0) {
            r["level"] = "fatal".into();
            assert!(
                !validator.is_valid(&broken),
                "{fixture}: the schema accepts anything"
            );
        }

        let (json_exit, report) = check_json(tmp.path(), &[]);
        assert_eq!(
            exit, json_exit,
            "{fixture}: same exit code as --format json"
        );
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        let results = run["results"].as_array().expect("results");
        let diags = diagnostics(&report);
        assert_eq!(
            results.len(),
            diags.len(),
            "{fixture}: one result per diagnostic"
        );
        for (r, d) in results.iter().zip(diags) {
            assert_eq!(r["ruleId"], d["code"], "{fixture}");
            assert_eq!(r["level"], d["severity"], "{fixture}");
            let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], d["code"], "{fixture}: ruleIndex");
            assert!(
                r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with(d["message"].as_str().unwrap()),
                "{fixture}"
            );
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["region"]["startLine"], d["line"], "{fixture}");
            assert_eq!(loc["region"]["startColumn"], d["column"], "{fixture}");
            let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
            let file = d["file"].as_str().unwrap();
            assert!(!uri.contains(':') && !uri.contains(' '), "{fixture}: {uri}");
            if file.is_ascii() && !file.contains(':') {
                assert_eq!(uri, file, "{fixture}");
            }
        }
        for rule in rules {
            let help = rule["help"]["markdown"]
                .as_str()
                .expect("help from the book");
            assert!(help.starts_with(&format!("## {}", rule["id"].as_str().unwrap())));
        }
    }
}

#[test]
fn sarif_levels_follow_strict() {
    let tmp = fixture_copy("w007-few-owners");
    let (exit, log) = check_sarif(tmp.path(), &["--strict"]);
    assert_eq!(exit, 1);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results.iter().all(|r| r["level"] == "error"), "{log:#}");
}

// ---------------------------------------------------------------- moment explain

/// The entry of `code` in book/src/diagnostics.md, read from disk here (the binary
/// has it built in): from its heading to the next code's heading.
fn book_entry(code: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/diagnostics.md");
    let text = std::fs::read_to_string(path).expect("read the diagnostics chapter");
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with(&format!("## {code} — ")));
    let mut out = vec![lines.next().expect("an entry").to_owned()];
    let is_code_heading = |l: &str| {
        l.len() > 10
            && l.starts_with("## ")
            && (l[3..].starts_with('E') || l[3..].starts_with('W'))
            && l[4..7].chars().all(|c| c.is_ascii_digit())
    };
    out.extend(lines.take_while(|l| !is_code_heading(l)).map(str::to_owned));
    out.join("\n").trim_end().to_owned() + "\n"
}

#[test]
fn explain_prints_the_books_entry_for_every_code() {
    let tmp = tempfile::tempdir().unwrap();
    for c in moment::diagnostic::Code::ALL {
        let out = moment(tmp.path(), &["explain", c.as_str()]);
        assert_eq!(code(&out), 0, "explain {c}: {}", stderr(&out));
        assert_eq!(stdout(&out), book_entry(c.as_str()), "explain {c}");
        assert!(stdout(&out).contains("```"), "explain {c} shows no example");
    }
    let lower = moment(tmp.path(), &["explain", "w026"]);
    assert_eq!(code(&lower), 0);
    assert!(stdout(&lower).contains("meddelanden"));
}

#[test]
fn explain_refuses_an_unknown_code_with_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    let out = moment(tmp.path(), &["explain", "E12"]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("did you mean E012?"),
        "{}",
        stderr(&out)
    );
    let out = moment(tmp.path(), &["explain", "hello"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("W001"), "{}", stderr(&out));
}
