//! Every page `moment build` writes for the example moments, checked by tools we did
//! not write: axe-core in Debian's Chromium at 1280 px, at a phone's 390 px and at 320 px (WCAG 2.1
//! SC 1.4.10, reflow), and the Nu Html Checker (vnu). Both must report nothing.
//!
//! Full-page screenshots of every page at each width go to
//! `target/screenshots/pages/<moment>-<page>-<width>.png`.
//!
//! The tools live in `scripts/a11y/` (`npm ci --prefix scripts/a11y`, which
//! `.ci/run` does; vnu needs Java). Without them the test fails under `CI=true` and
//! is skipped with a note otherwise.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The tools' folder and the Chromium to use, or why they cannot run.
fn tools() -> Result<(PathBuf, PathBuf), String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/a11y");
    let Some(chromium) = common::chromium() else {
        return Err(format!(
            "no Chromium found (apt-get install chromium, or set {})",
            common::CHROMIUM_VAR
        ));
    };
    for needed in ["axe-core", "playwright-core", "vnu-jar"] {
        if !dir.join("node_modules").join(needed).is_dir() {
            return Err(format!(
                "{needed} is not installed: run `npm ci --prefix scripts/a11y`"
            ));
        }
    }
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|o| o.status.success()) {
        return Err("no Java for the Nu Html Checker".into());
    }
    Ok((dir, chromium))
}

/// The tools, or `None` when the test should be skipped (never under CI).
fn tools_or_skip() -> Option<(PathBuf, PathBuf)> {
    match tools() {
        Ok(found) => Some(found),
        Err(why) => {
            common::skip(&format!("the accessibility checks cannot run: {why}"));
            None
        }
    }
}

/// Builds every example moment into a temporary folder; returns it and its pages.
fn built_pages() -> (tempfile::TempDir, Vec<PathBuf>) {
    let tmp = common::example_repo();
    let out = common::moment(tmp.path(), &["build"]);
    assert_eq!(common::code(&out), 0, "{}", common::stderr(&out));
    let dist = tmp.path().join("dist");
    let mut pages: Vec<PathBuf> = walkdir::WalkDir::new(&dist)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        // What a reader of dist/ sees, not hidden work folders.
        .filter(|p| {
            !p.strip_prefix(&dist)
                .unwrap_or(p)
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        })
        .collect();
    pages.sort();
    assert!(pages.len() >= 15, "the examples have many pages: {pages:?}");
    (tmp, pages)
}

#[test]
fn axe_core_finds_nothing_at_1280_390_and_320_px() {
    let Some((dir, chromium)) = tools_or_skip() else {
        return;
    };
    let (_tmp, pages) = built_pages();
    let out = Command::new("node")
        .env(common::CHROMIUM_VAR, &chromium)
        .arg(dir.join("axe.mjs"))
        .args(["--width", "1280", "--width", "390", "--width", "320"])
        .arg("--screenshots")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots/pages"))
        .args(&pages)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "axe.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("axe report is JSON");
    assert_eq!(
        report["runs"],
        pages.len() * 3,
        "every page at every width: {report}"
    );
    let violations = report["violations"].as_array().expect("violations");
    assert!(
        violations.is_empty(),
        "axe-core violations:\n{}",
        serde_json::to_string_pretty(violations).unwrap_or_default()
    );
}

#[test]
fn the_nu_html_checker_finds_no_error() {
    let Some((dir, _)) = tools_or_skip() else {
        return;
    };
    let (_tmp, pages) = built_pages();
    let out = Command::new("java")
        .arg("-jar")
        .arg(dir.join("node_modules/vnu-jar/build/dist/vnu.jar"))
        .args(["--errors-only", "--format", "json"])
        .args(&pages)
        .output()
        .expect("run java");
    // vnu writes its JSON report to standard error.
    let report: Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!(
            "vnu's report is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let messages = report["messages"].as_array().expect("messages");
    assert!(
        messages.is_empty(),
        "vnu errors:\n{}",
        serde_json::to_string_pretty(messages).unwrap_or_default()
    );
    assert!(out.status.success(), "vnu exit status {}", out.status);
}
