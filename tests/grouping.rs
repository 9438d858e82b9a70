//! Human output at scale: repeated warnings of one code are folded after the first
//! few (with a count and the files), `--verbose` shows them all, and the machine
//! formats keep every diagnostic.

mod common;

use common::{code, moment, stdout};

/// Six generated moments that each promise messages without messaging (W026 once per
/// moment's welcome text).
fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    common::synthetic_repo(tmp.path(), 6, 2);
    for entry in std::fs::read_dir(tmp.path().join("moments")).expect("moments/") {
        let yaml = entry.expect("an entry").path().join("moment.yaml");
        let text = std::fs::read_to_string(&yaml).expect("moment.yaml");
        assert!(text.contains("messaging: true\n"), "the generator changed");
        std::fs::write(
            &yaml,
            text.replace("messaging: true\n", "messaging: false\n"),
        )
        .expect("write moment.yaml");
    }
    tmp
}

fn blocks(text: &str, code: &str) -> usize {
    text.matches(&format!("warning[{code}]")).count()
}

#[test]
fn repeated_warnings_are_folded_for_people_and_kept_for_machines() {
    let tmp = repo();
    let root = tmp.path();
    let json = moment(root, &["check", "--format", "json"]);
    assert_eq!(code(&json), 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    let w026 = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "W026")
        .count();
    assert!(
        w026 >= 6,
        "expected one W026 per moment at least, got {w026}"
    );

    let human = stdout(&moment(root, &["check"]));
    assert_eq!(blocks(&human, "W026"), 3, "not three in full:\n{human}");
    let folded = human
        .lines()
        .find(|l| l.starts_with("W026: "))
        .unwrap_or_else(|| panic!("no folded W026 line:\n{human}"));
    assert!(
        folded.starts_with(&format!(
            "W026: {} more warnings like the above, in moments/",
            w026 - 3
        )),
        "{folded}"
    );
    assert!(
        human.contains("--verbose"),
        "no word of --verbose:\n{human}"
    );
    assert!(
        human.contains(&format!("{w026} warning")),
        "the summary does not count every warning:\n{human}"
    );

    let verbose = stdout(&moment(root, &["check", "--verbose"]));
    assert_eq!(
        blocks(&verbose, "W026"),
        w026,
        "--verbose hides some:\n{verbose}"
    );
    assert!(!verbose.lines().any(|l| l.starts_with("W026: ")));

    let github = stdout(&moment(root, &["check", "--format", "github"]));
    assert_eq!(github.matches("title=W026::").count(), w026);
    let sarif = stdout(&moment(root, &["check", "--format", "sarif"]));
    assert!(sarif.matches("\"W026\"").count() >= w026);
}
