//! One test per fixture under `tests/fixtures/<case>/`: a small, complete moments
//! repository and an `expected.txt` listing every diagnostic `moment check` must give,
//! one per line as `CODE file:line:column`.
//!
//! Each test copies its fixture into a temporary directory (nothing is ever written
//! into the source tree), runs the real binary with `--format json`, and asserts that
//! the diagnostics are exactly the expected ones and that the exit code is 1 when an
//! error is expected and 0 otherwise.
//!
//! A line may carry notes after the position, each ` | text` (the diagnostic's
//! message or hint contains `text`) or ` | !text` (neither contains it), so that a
//! fixture can pin a hint: `E012 moments/x/moment.yaml:8:11 | "01" | !1.2.0`.
//! `multi-*` fixtures hold several independent breaks at once and list the exact set
//! of diagnostics: each break reported once, nothing that only follows from another.
//!
//! A note ` | sv:text` (or ` | sv:!text`) is about the Swedish report: when a fixture
//! has such notes, it is also checked with `--lang sv`, where the codes, files and
//! positions must be the same and `message_localized`/`hint_localized` must (not)
//! contain `text`.
//!
//! To regenerate the expectations after a deliberate change, run
//! `UPDATE_EXPECT=1 cargo test --test fixtures` and review every changed
//! `expected.txt` by hand (`git diff tests/fixtures`): the code, file and position
//! must be the node the rule is about. Never regenerate to make a failing fixture
//! pass: some expectations record the right behaviour for a bug not yet fixed.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{check_json, diag_lines, fixture_copy, fixture_source, fixtures_dir};

/// One line of `expected.txt`: `CODE file:line:column`, optionally followed by notes
/// ` | text` (the message or hint must contain `text`) or ` | !text` (neither may).
#[derive(Debug)]
struct Expected {
    /// `CODE file:line:column`.
    at: String,
    /// The notes, as written.
    notes: Vec<String>,
}

/// The lines of `expected.txt`, sorted by position (blank lines ignored).
fn expected_entries(dir: &Path) -> Vec<Expected> {
    let path = dir.join("expected.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_EXPECT=1 to create it)",
            path.display()
        )
    });
    let mut entries: Vec<Expected> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.split(" | ");
            Expected {
                at: parts.next().unwrap_or_default().trim().to_owned(),
                notes: parts.map(|n| n.trim().to_owned()).collect(),
            }
        })
        .collect();
    entries.sort_by(|a, b| a.at.cmp(&b.at));
    entries
}

/// The `CODE file:line:column` lines of `expected.txt`, sorted.
fn expected_lines(dir: &Path) -> Vec<String> {
    expected_entries(dir).into_iter().map(|e| e.at).collect()
}

fn check_fixture(name: &str) {
    let tmp = fixture_copy(name);
    let (exit, report) = check_json(tmp.path(), &[]);
    let actual = diag_lines(&report);

    if std::env::var_os("UPDATE_EXPECT").is_some() {
        // Keep the notes of lines that are still expected.
        let old = std::fs::read_to_string(fixture_source(name).join("expected.txt"))
            .map(|_| expected_entries(&fixture_source(name)))
            .unwrap_or_default();
        let mut text = String::new();
        for line in &actual {
            text.push_str(line);
            if let Some(e) = old.iter().find(|e| &e.at == line) {
                for note in &e.notes {
                    text.push_str(" | ");
                    text.push_str(note);
                }
            }
            text.push('\n');
        }
        std::fs::write(fixture_source(name).join("expected.txt"), text)
            .expect("write expected.txt");
    }

    let entries = expected_entries(&fixture_source(name));
    let expected: Vec<String> = entries.iter().map(|e| e.at.clone()).collect();
    for line in &expected {
        let ok = line
            .split_once(' ')
            .is_some_and(|(code, at)| code.len() == 4 && at.rsplitn(3, ':').count() == 3);
        assert!(
            ok,
            "{name}/expected.txt: `{line}` is not `CODE file:line:column`"
        );
    }
    assert_eq!(
        actual, expected,
        "fixture {name}: the diagnostics differ from expected.txt\nfull report:\n{report:#}"
    );
    for entry in &entries {
        let texts: Vec<String> = common::diagnostics(&report)
            .iter()
            .filter(|d| common::diag_line(d) == entry.at)
            .map(|d| {
                format!(
                    "{} {}",
                    d["message"].as_str().unwrap_or_default(),
                    d["hint"].as_str().unwrap_or_default()
                )
            })
            .collect();
        for note in entry.notes.iter().filter(|n| !n.starts_with("sv:")) {
            let ok = match note.strip_prefix('!') {
                Some(absent) => texts.iter().all(|t| !t.contains(absent)),
                None => texts.iter().any(|t| t.contains(note.as_str())),
            };
            assert!(
                ok,
                "fixture {name}: `{}` does not satisfy the note `{note}`: {texts:?}",
                entry.at
            );
        }
    }

    if entries
        .iter()
        .any(|e| e.notes.iter().any(|n| n.starts_with("sv:")))
    {
        check_swedish(name, tmp.path(), &entries, &report);
    }

    let errors = expected.iter().filter(|l| l.starts_with('E')).count();
    let warnings = expected.iter().filter(|l| l.starts_with('W')).count();
    assert_eq!(report["errors"], errors, "fixture {name}: error count");
    assert_eq!(
        report["warnings"], warnings,
        "fixture {name}: warning count"
    );
    let want_exit = if errors > 0 { 1 } else { 0 };
    assert_eq!(exit, want_exit, "fixture {name}: exit code\n{report:#}");
}

/// Runs the fixture with `--lang sv`: the same diagnostics at the same places, the
/// English `message` and `hint` unchanged, and the `sv:` notes met by the Swedish texts.
fn check_swedish(name: &str, root: &Path, entries: &[Expected], english: &serde_json::Value) {
    let (_, report) = check_json(root, &["--lang", "sv"]);
    let plain = |r: &serde_json::Value| -> Vec<String> {
        common::diagnostics(r)
            .iter()
            .map(|d| format!("{} {} {}", common::diag_line(d), d["message"], d["hint"]))
            .collect()
    };
    assert_eq!(
        plain(&report),
        plain(english),
        "fixture {name}: --lang sv changed codes, positions or the English message and hint"
    );
    for entry in entries {
        let found: Vec<&serde_json::Value> = common::diagnostics(&report)
            .iter()
            .filter(|d| common::diag_line(d) == entry.at)
            .collect();
        for d in &found {
            assert_eq!(d["lang"], "sv", "fixture {name}: {d}");
            assert!(d["message_localized"].is_string(), "fixture {name}: {d}");
        }
        let texts: Vec<String> = found
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    d["message_localized"].as_str().unwrap_or_default(),
                    d["hint_localized"].as_str().unwrap_or_default()
                )
            })
            .collect();
        for note in entry.notes.iter().filter_map(|n| n.strip_prefix("sv:")) {
            let ok = match note.strip_prefix('!') {
                Some(absent) => texts.iter().all(|t| !t.contains(absent)),
                None => texts.iter().any(|t| t.contains(note)),
            };
            assert!(
                ok,
                "fixture {name}: `{}` in Swedish does not satisfy the note `{note}`: {texts:?}",
                entry.at
            );
        }
    }
}

/// Codes of the catalog that a plain `moment check` of a folder cannot give, with the
/// reason. Every other code must be expected by some fixture.
const NOT_FROM_CHECK: &[(&str, &str)] = &[
    (
        "E047",
        "theme templates are only compiled and rendered by `moment build`, never by `check`",
    ),
    (
        "E048",
        "only `check --against REV` compares with a git revision; a fixture folder has no history",
    ),
    (
        "E049",
        "only `check --against REV` compares with a git revision; a fixture folder has no history",
    ),
];

macro_rules! fixtures {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_fixture($name);
            }
        )*

        /// Every fixture folder has a test above, and every test has a folder.
        #[test]
        fn every_fixture_folder_is_tested() {
            let listed: BTreeSet<&str> = [$($name),*].into_iter().collect();
            let on_disk: BTreeSet<String> = std::fs::read_dir(fixtures_dir())
                .expect("read tests/fixtures")
                .map(|e| e.expect("entry"))
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.file_name().into_string().expect("UTF-8 name"))
                .collect();
            let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
            assert_eq!(listed, on_disk, "add the fixture to the list in tests/fixtures.rs");
        }

        /// Every message and hint that any fixture gives is written in Swedish too:
        /// with `--lang sv` each differs from the English one.
        #[test]
        fn every_fixture_diagnostic_is_in_swedish() {
            let mut untranslated = Vec::new();
            for name in [$($name),*] {
                let tmp = fixture_copy(name);
                let (_, report) = check_json(tmp.path(), &["--lang", "sv"]);
                for d in common::diagnostics(&report) {
                    if d["message_localized"] == d["message"] {
                        untranslated.push(format!("{name}: {} message: {}", common::diag_line(d), d["message"]));
                    }
                    if d.get("hint").is_some() && d["hint_localized"] == d["hint"] {
                        untranslated.push(format!("{name}: {} hint: {}", common::diag_line(d), d["hint"]));
                    }
                }
            }
            assert!(untranslated.is_empty(), "not in Swedish:\n{}", untranslated.join("\n"));
        }

        /// Every code of the catalog is expected by at least one fixture, and every
        /// `E0xx`/`W0xx` fixture expects its own code.
        #[test]
        fn every_code_has_a_fixture() {
            let mut expected = BTreeSet::new();
            for name in [$($name),*] {
                let lines = expected_lines(&fixture_source(name));
                let codes: BTreeSet<String> = lines
                    .iter()
                    .filter_map(|l| l.split(' ').next())
                    .map(str::to_owned)
                    .collect();
                let prefix = name[..4].to_uppercase();
                if name.starts_with(['e', 'w']) && name.as_bytes()[1].is_ascii_digit() {
                    assert!(codes.contains(&prefix), "fixture {name} does not expect {prefix}");
                }
                if name.starts_with("valid") || name.starts_with("form-tests-pass") {
                    assert!(lines.is_empty(), "fixture {name} must be clean");
                }
                expected.extend(codes);
            }
            for code in moment::diagnostic::Code::ALL {
                // FHIR import and export codes: tests/fhir.rs has a case for each.
                if NOT_FROM_CHECK.iter().any(|(c, _)| *c == code.as_str()) || moment::fhir::CODES.contains(code) {
                    continue;
                }
                assert!(expected.contains(code.as_str()), "no fixture expects {code} ({})", code.title());
            }
            for (code, why) in NOT_FROM_CHECK {
                assert!(
                    moment::diagnostic::Code::ALL.iter().any(|c| c.as_str() == *code),
                    "{code} is listed as not from check ({why}) but is not in the catalog"
                );
                assert!(!expected.contains(*code), "{code} is listed as not from check, yet a fixture expects it");
            }
            let known: BTreeSet<&str> = moment::diagnostic::Code::ALL.iter().map(|c| c.as_str()).collect();
            for code in &expected {
                assert!(known.contains(code.as_str()), "a fixture expects {code}, which is not in the catalog");
            }
        }
    };
}

fixtures! {
    crlf_positions => "crlf-positions",
    e001_latin1 => "e001-latin1",
    e001_nul_binary => "e001-nul-binary",
    e002_syntax => "e002-syntax",
    e002_tabs => "e002-tabs",
    e002_too_deep => "e002-too-deep",
    e002_indentation => "e002-indentation",
    e003_duplicate_key => "e003-duplicate-key",
    e004_alias_bomb => "e004-alias-bomb",
    e004_anchor => "e004-anchor",
    e004_multiple_documents => "e004-multiple-documents",
    e004_tag => "e004-tag",
    e005_empty_block_and_form => "e005-empty-block-and-form",
    e005_empty_file => "e005-empty-file",
    e010_missing_key => "e010-missing-key",
    e011_two_unknown_keys_in_one_mapping => "e011-two-unknown-keys-in-one-mapping",
    e011_key_in_indented_block => "e011-key-in-indented-block",
    e011_unknown_key => "e011-unknown-key",
    e011_misspelt_required_key => "e011-misspelt-required-key",
    e012_wrong_type => "e012-wrong-type",
    e012_list_hint => "e012-list-hint",
    e013_invalid_value => "e013-invalid-value",
    e020_folder_without_moment_yaml => "e020-folder-without-moment-yaml",
    e021_id_mismatch => "e021-id-mismatch",
    e022_duplicate_id => "e022-duplicate-id",
    e023_welcome_missing => "e023-welcome-missing",
    e024_welcome_empty => "e024-welcome-empty",
    e025_no_modules => "e025-no-modules",
    e026_module_missing => "e026-module-missing",
    e027_absolute => "e027-absolute",
    e027_dotdot => "e027-dotdot",
    e027_symlink => "e027-symlink",
    e028_media_missing => "e028-media-missing",
    e029_form_unresolved => "e029-form-unresolved",
    e030_front_matter => "e030-front-matter",
    e031_condition_target => "e031-condition-target",
    e032_condition_type => "e032-condition-type",
    e033_score_item => "e033-score-item",
    e034_bands_gap => "e034-bands-gap",
    e035_bands_range => "e035-bands-range",
    e036_alert_target => "e036-alert-target",
    e037_unknown_unit => "e037-unknown-unit",
    e038_hsa_id => "e038-hsa-id",
    e039_semver => "e039-semver",
    e040_open_without_audience => "e040-open-without-audience",
    e041_units_missing => "e041-units-missing",
    e042_form_test_failed => "e042-form-test-failed",
    e043_form_test_reference => "e043-form-test-reference",
    e044_item_misfit => "e044-item-misfit",
    e045_duplicate_option => "e045-duplicate-option",
    e046_no_moments => "e046-no-moments",
    form_tests_pass => "form-tests-pass",
    lix_moderate => "lix-moderate",
    multi_broken_forms_still_exist => "multi-broken-forms-still-exist",
    multi_duplicate_key_in_moment => "multi-duplicate-key-in-moment",
    multi_moment_yaml_unparsed => "multi-moment-yaml-unparsed",
    multi_modules_not_a_list => "multi-modules-not-a-list",
    multi_open_to_and_hsa_id => "multi-open-to-and-hsa-id",
    multi_unreadable_module_still_listed => "multi-unreadable-module-still-listed",
    several_files => "several-files",
    valid_crlf => "valid-crlf",
    valid_minimal => "valid-minimal",
    w001_image_without_alt => "w001-image-without-alt",
    w002_video_without_captions => "w002-video-without-captions",
    w003_audio_without_transcript => "w003-audio-without-transcript",
    w004_heading_skip => "w004-heading-skip",
    w005_vague_link => "w005-vague-link",
    w006_broken_link => "w006-broken-link",
    w007_few_owners => "w007-few-owners",
    w008_few_publishers => "w008-few-publishers",
    w009_readability => "w009-readability",
    w010_byte_order_mark => "w010-byte-order-mark",
    w011_raw_html => "w011-raw-html",
    w012_unused_form => "w012-unused-form",
    w013_no_risk_analysis => "w013-no-risk-analysis",
    w014_welcome_block => "w014-welcome-block",
    w015_codeowners_stale => "w015-codeowners-stale",
    e050_file_type => "e050-file-type",
    e051_missing_allow => "e051-missing-allow",
    e052_prorate_items => "e052-prorate-items",
    e070_duplicate_module_id => "e070-duplicate-module-id",
    w016_optional_scored => "w016-optional-scored",
    missing_rules_pass => "missing-rules-pass",
    e060_duplicate_publisher_key => "e060-duplicate-publisher-key",
    e061_approvals_exceed_publishers => "e061-approvals-exceed-publishers",
    w020_risk_analysis_template => "w020-risk-analysis-template",
    e069_colon_in_name => "e069-colon-in-name",
    w026_messaging_mentioned => "w026-messaging-mentioned",
    w025_alert_without_message => "w025-alert-without-message",
    w024_schedule_unused => "w024-schedule-unused",
    e068_open_needs_staff => "e068-open-needs-staff",
    w023_all_modules_staff => "w023-all-modules-staff",
    w022_second_title => "w022-second-title",
    e055_fifo_media => "e055-fifo-media",
    e056_module_too_large => "e056-module-too-large",
    e057_nesting_too_deep => "e057-nesting-too-deep",
}
