//! The language of diagnostics: `--lang`, then `MOMENT_LANG`, then `language:` in
//! units.yaml, then the locale, English by default; the same codes and positions in
//! every language; JSON keeps English and adds the localised text; the human report
//! underlines the whole offending value.

mod common;

use std::path::Path;
use std::process::Command;

use common::{BIN, diagnostics, fixture_copy};
use serde_json::Value;

/// Runs `moment check <root> [args]` with exactly these language variables set.
fn check_with(root: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(BIN);
    cmd.arg("check").arg(root).args(args);
    for var in ["MOMENT_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "NO_COLOR"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run moment");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("UTF-8"),
    )
}

fn json(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, text) = check_with(root, &all, env);
    assert_eq!(code, 1, "{text}");
    serde_json::from_str(&text).expect("JSON report")
}

/// The language the first diagnostic of a JSON report was written in.
fn lang_of(report: &Value) -> String {
    let d = &diagnostics(report)[0];
    d["lang"].as_str().unwrap_or("en").to_owned()
}

#[test]
fn the_language_is_chosen_in_order() {
    let tmp = fixture_copy("e030-front-matter");
    let root = tmp.path();
    assert_eq!(lang_of(&json(root, &[], &[])), "en", "default");
    assert_eq!(
        lang_of(&json(root, &[], &[("LANG", "sv_SE.UTF-8")])),
        "sv",
        "locale"
    );
    assert_eq!(
        lang_of(&json(root, &[], &[("LANG", "de_DE.UTF-8")])),
        "en",
        "other locale"
    );
    assert_eq!(
        lang_of(&json(
            root,
            &[],
            &[("LC_ALL", "sv_SE.UTF-8"), ("LANG", "en_GB.UTF-8")]
        )),
        "sv",
        "LC_ALL before LANG"
    );
    assert_eq!(
        lang_of(&json(
            root,
            &[],
            &[("MOMENT_LANG", "sv"), ("LANG", "en_GB.UTF-8")]
        )),
        "sv"
    );
    assert_eq!(
        lang_of(&json(root, &["--lang", "en"], &[("MOMENT_LANG", "sv")])),
        "en",
        "flag first"
    );

    // The repository's choice beats the locale, not MOMENT_LANG or the flag.
    let units = root.join("units.yaml");
    let text = std::fs::read_to_string(&units).expect("units.yaml");
    std::fs::write(&units, format!("language: sv\n{text}")).expect("write units.yaml");
    assert_eq!(
        lang_of(&json(root, &[], &[("LANG", "en_GB.UTF-8")])),
        "sv",
        "units.yaml"
    );
    assert_eq!(lang_of(&json(root, &[], &[("MOMENT_LANG", "en")])), "en");
    assert_eq!(lang_of(&json(root, &["--lang", "en"], &[])), "en");
    std::fs::write(&units, format!("language: en\n{text}")).expect("write units.yaml");
    assert_eq!(lang_of(&json(root, &[], &[("LANG", "sv_SE.UTF-8")])), "en");
}

#[test]
fn a_wrong_language_is_refused() {
    let tmp = fixture_copy("valid-minimal");
    let out = Command::new(BIN)
        .args(["check", "--lang", "de"])
        .arg(tmp.path())
        .output()
        .expect("run moment");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use `sv` or `en`"));

    let units = tmp.path().join("units.yaml");
    let text = std::fs::read_to_string(&units).expect("units.yaml");
    std::fs::write(&units, format!("language: de\n{text}")).expect("write units.yaml");
    let report = json(tmp.path(), &[], &[]);
    let d = &diagnostics(&report)[0];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64()),
        (Some("E013"), Some(1)),
        "{d}"
    );
    assert!(
        d["hint"].as_str().unwrap_or_default().contains("sv, en"),
        "{d}"
    );
}

#[test]
fn json_keeps_english_and_adds_the_localised_text() {
    let tmp = fixture_copy("e030-front-matter");
    let en = json(tmp.path(), &["--lang", "en"], &[]);
    let sv = json(tmp.path(), &["--lang", "sv"], &[]);
    for d in diagnostics(&en) {
        assert!(
            d.get("lang").is_none() && d.get("message_localized").is_none(),
            "{d}"
        );
    }
    assert_eq!(diagnostics(&en).len(), diagnostics(&sv).len());
    for (e, s) in diagnostics(&en).iter().zip(diagnostics(&sv)) {
        for key in ["code", "file", "line", "column", "message", "hint"] {
            assert_eq!(e[key], s[key], "{key}");
        }
        assert_eq!(s["lang"], "sv");
        assert_ne!(s["message_localized"], s["message"], "{s}");
        assert_ne!(s["hint_localized"], s["hint"], "{s}");
    }
    assert_eq!(
        diagnostics(&sv)[0]["message_localized"],
        "modulen saknar front matter (inledande `---`-block)"
    );
}

#[test]
fn the_human_report_speaks_swedish() {
    let tmp = fixture_copy("e030-front-matter");
    let (code, text) = check_with(tmp.path(), &["--lang", "sv"], &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("fel[E030]: modulen saknar front matter"),
        "{text}"
    );
    assert!(
        text.contains("= tips: börja filen med en rad `---`"),
        "{text}"
    );
    assert!(text.ends_with("2 fel, 0 varningar\n"), "{text}");
    let (_, english) = check_with(tmp.path(), &[], &[]);
    assert!(
        english.contains("error[E030]: the module has no front matter"),
        "{english}"
    );
    assert!(english.ends_with("2 errors, 0 warnings\n"), "{english}");
}

#[test]
fn the_whole_offending_value_is_underlined() {
    let tmp = fixture_copy("e028-media-missing");
    let report = json(tmp.path(), &[], &[]);
    let lengths: Vec<(u64, u64)> = diagnostics(&report)
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["length"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // `![Glad person](../media/saknas.png)` and `../media/film.mp4`.
    assert_eq!(lengths, [(6, 35), (9, 17)]);
    let (_, text) = check_with(tmp.path(), &[], &[]);
    assert!(
        text.contains(&format!("  | {}\n", "^".repeat(35))),
        "{text}"
    );
    assert!(
        text.contains(&format!("  |      {}\n", "^".repeat(17))),
        "{text}"
    );

    let tmp = fixture_copy("e030-front-matter");
    let (_, text) = check_with(tmp.path(), &[], &[]);
    assert!(text.contains("1 | # Start\n  | ^^^^^^^\n"), "{text}");
}

#[test]
fn looking_for_the_language_never_opens_a_special_units_yaml() {
    // Reading `language:` must use the loader's safe reader: a units.yaml that is a
    // named pipe would otherwise block the run for ever.
    let tmp = fixture_copy("valid-minimal");
    let units = tmp.path().join("units.yaml");
    std::fs::remove_file(&units).expect("remove units.yaml");
    common::make_fifo(&units);
    let start = std::time::Instant::now();
    let report = json(tmp.path(), &[], &[("LANG", "sv_SE.UTF-8")]);
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    assert!(
        diagnostics(&report).iter().any(|d| d["code"] == "E055"),
        "{report}"
    );
    assert_eq!(lang_of(&report), "sv", "the locale still applies");
}
