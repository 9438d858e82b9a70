//! External tools the tests need (servers, a browser, checkers): where they are, and
//! what happens when one is missing. Under `CI=true` a missing tool fails the test
//! (`.ci/run` installs every one); elsewhere the test says on the terminal why it is
//! skipped, past the test harness's output capture, and returns.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The one environment variable that names the Chromium to use.
pub const CHROMIUM_VAR: &str = "MOMENT_CHROMIUM";

/// Whether this run is CI: `CI` is set to anything but empty, `0` or `false`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// A tool is missing: under CI this panics (the test fails, naming `why`); otherwise
/// it prints `skipped <test>: <why>` to the real stderr, which `cargo test` shows
/// even for a passing test, and the caller returns.
#[track_caller]
pub fn skip(why: &str) {
    if in_ci() {
        panic!("{why}; CI=true, so this test must run (.ci/run installs what it needs)");
    }
    let current = std::thread::current();
    let test = current.name().unwrap_or("a test");
    // Not eprintln!: the harness captures that, and a skip must be seen.
    let _ = writeln!(std::io::stderr(), "skipped {test}: {why}");
}

/// `Some(value)` when a tool is there; otherwise [`skip`]s with `why` and gives `None`.
#[track_caller]
pub fn or_skip<T>(found: Option<T>, why: &str) -> Option<T> {
    if found.is_none() {
        skip(why);
    }
    found
}

/// Whether `program probe…` starts and exits 0 (stdout and stderr discarded).
pub fn runs(program: impl Into<OsString>, probe: &[&str]) -> bool {
    Command::new(program.into())
        .args(probe)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether `program` can be started at all (whatever its exit code).
pub fn starts(program: impl Into<OsString>, probe: &[&str]) -> bool {
    Command::new(program.into())
        .args(probe)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// The program named by the environment variable `var`, else `default` (found on
/// `PATH`), if `program probe…` exits 0.
pub fn tool(var: &str, default: &str, probe: &[&str]) -> Option<PathBuf> {
    let candidate = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    runs(&candidate, probe).then_some(candidate)
}

/// [`tool`], or a [`skip`] saying how to install it.
#[track_caller]
pub fn tool_or_skip(var: &str, default: &str, probe: &[&str], install: &str) -> Option<PathBuf> {
    or_skip(
        tool(var, default, probe),
        &format!("`{default}` is not installed (or set {var} to its path): {install}"),
    )
}

/// The Chromium to use: `$MOMENT_CHROMIUM` when set (then nothing else is tried);
/// else `$CHROMIUM`, the older name `tests/build.rs` documented; else the first of
/// `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable` on `PATH`
/// or in `/usr/bin`.
pub fn chromium() -> Option<PathBuf> {
    for var in [CHROMIUM_VAR, "CHROMIUM"] {
        if let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) {
            let path = PathBuf::from(path);
            return path.is_file().then_some(path);
        }
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .flat_map(|dir| names.map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// [`chromium`], or a [`skip`] saying how to get one.
#[track_caller]
pub fn chromium_or_skip() -> Option<PathBuf> {
    or_skip(
        chromium(),
        &format!(
            "no Chromium found (apt-get install chromium, or set {CHROMIUM_VAR}=/path/to/chromium)"
        ),
    )
}
