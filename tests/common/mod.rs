//! The one harness of the integration tests: run the real `moment` binary on real
//! files in temporary directories ([`run_in`], [`fixture_copy`], [`example_repo`]),
//! hermetic git ([`git`]), real SSH keys ([`Key`]), time limits
//! ([`wait_with_limit`]) and external tools that fail under `CI=true` and say why
//! they skip elsewhere ([`skip`], [`chromium`], [`tool`]).
//!
//! A test crate uses it with `mod common;`.

#![allow(dead_code)] // each test crate uses a different part of this module
#![allow(unused_imports)] // the re-exports below, likewise

mod git;
mod keys;
mod process;
mod tools;

pub use git::{git, git_command, git_output, git_stdin};
pub use keys::Key;
pub use process::{
    LONG_TIMEOUT, assert_refused, assert_success, hermetic, path_str, show, spawn_moment,
    wait_with_limit, wait_with_timeout,
};
pub use tools::{
    CHROMIUM_VAR, chromium, chromium_or_skip, in_ci, or_skip, runs, skip, starts, tool,
    tool_or_skip,
};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_moment");

/// No run of `moment` on a small fixture may take longer than this (an alias bomb
/// that is expanded instead of refused would hang; the test must fail, not hang).
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The source tree (`CARGO_MANIFEST_DIR`).
pub fn source_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the project's example repository (`units.yaml` and `moments/`) into `to`.
pub fn copy_examples(to: &Path) {
    let src = source_root();
    copy_tree(&src.join("moments"), &to.join("moments"));
    std::fs::copy(src.join("units.yaml"), to.join("units.yaml")).expect("copy units.yaml");
}

/// A temporary copy of the example repository (`units.yaml` and `moments/`).
pub fn example_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("create a temporary directory");
    copy_examples(tmp.path());
    tmp
}

/// `tests/fixtures` in the source tree.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// `tests/fixtures/<name>` in the source tree (never run `moment` there: copy it first).
pub fn fixture_source(name: &str) -> PathBuf {
    let dir = fixtures_dir().join(name);
    assert!(dir.is_dir(), "no fixture {}", dir.display());
    dir
}

/// Copies a fixture into a fresh temporary directory and returns it. Symbolic links
/// are copied as links (with the same target), so that a fixture can hold a link
/// that leaves a moment's folder.
///
/// Files git cannot hold are made from `special.txt` in the fixture, one per line:
/// `fifo PATH` makes a named pipe, `big PATH BYTES` a text file of that size.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("create a temporary directory");
    copy_tree(&fixture_source(name), tmp.path());
    make_special_files(tmp.path());
    tmp
}

/// Creates the files listed in `root/special.txt` (see [`fixture_copy`]).
pub fn make_special_files(root: &Path) {
    let Ok(list) = std::fs::read_to_string(root.join("special.txt")) else {
        return;
    };
    for line in list.lines().filter(|l| !l.trim().is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["fifo", path] => make_fifo(&root.join(path)),
            ["big", path, bytes] => {
                let bytes: usize = bytes.parse().expect("a byte count in special.txt");
                let text = "Hej. ".repeat(bytes / 5 + 1);
                std::fs::write(root.join(path), &text[..bytes]).expect("write a big file");
            }
            _ => panic!("special.txt: cannot read `{line}`"),
        }
    }
}

/// Makes a named pipe at `path` with the system's `mkfifo`.
pub fn make_fifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {} failed", path.display());
}

/// Copies the tree under `from` into `to`, keeping symbolic links as links.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the target folder");
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("read {}: {e}", from.display()))
        .map(|e| e.expect("read a directory entry"))
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_symlink() {
            let target = std::fs::read_link(&src).expect("read a symbolic link");
            make_symlink(&target, &dst);
        } else if kind.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
        }
    }
}

#[cfg(unix)]
fn make_symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("create a symbolic link");
}

#[cfg(not(unix))]
fn make_symlink(_target: &Path, link: &Path) {
    panic!(
        "these tests need symbolic links (unix) for {}",
        link.display()
    );
}

/// Runs `moment` with `args` in `cwd` ([`hermetic`], stdin closed), with the time
/// limit [`TIMEOUT`], and returns its output.
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    wait_with_limit(
        spawn_moment(cwd, args),
        &format!("moment {}", args.join(" ")),
        TIMEOUT,
    )
}

/// Runs `moment` with `args` in `cwd`.
pub fn moment(cwd: &Path, args: &[&str]) -> Output {
    run_in(cwd, args)
}

/// The exit code (a signal counts as a failure with a clear message).
pub fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .unwrap_or_else(|| panic!("moment was killed by a signal: {:?}", output.status))
}

/// Stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// Stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Runs `moment check <root> --format json [extra…]` and returns the exit code and
/// the parsed report.
pub fn check_json(root: &Path, extra: &[&str]) -> (i32, Value) {
    let root_arg = root.to_str().expect("temporary paths are UTF-8");
    let mut args = vec!["check", root_arg, "--format", "json"];
    args.extend_from_slice(extra);
    let output = moment(root, &args);
    let text = stdout(&output);
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "`moment {}` did not print JSON ({e}); exit {:?}\nstdout:\n{text}\nstderr:\n{}",
            args.join(" "),
            output.status.code(),
            stderr(&output)
        )
    });
    assert_eq!(
        stderr(&output),
        "",
        "check wrote to stderr although it could report its diagnostics"
    );
    (code(&output), json)
}

/// The diagnostics of a JSON report.
pub fn diagnostics(report: &Value) -> &Vec<Value> {
    report["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("`diagnostics` is not a list in {report:#}"))
}

/// One diagnostic as `CODE file:line:column`.
pub fn diag_line(d: &Value) -> String {
    format!(
        "{} {}:{}:{}",
        d["code"].as_str().expect("code is text"),
        d["file"].as_str().expect("file is text"),
        d["line"].as_u64().expect("line is a number"),
        d["column"].as_u64().expect("column is a number"),
    )
}

/// Every diagnostic of a report as `CODE file:line:column`, sorted (duplicates kept).
pub fn diag_lines(report: &Value) -> Vec<String> {
    let mut lines: Vec<String> = diagnostics(report).iter().map(diag_line).collect();
    lines.sort();
    lines
}

/// The codes in a report, in report order.
pub fn codes(report: &Value) -> Vec<String> {
    diagnostics(report)
        .iter()
        .map(|d| d["code"].as_str().expect("code is text").to_owned())
        .collect()
}

/// Writes `text` to `root/rel`, creating folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create folders");
    std::fs::write(&path, text).expect("write a file");
}

/// Every file under `root` with its bytes (links as `-> target`), for before/after
/// comparisons.
pub fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.expect("walk the tree");
        let rel = entry
            .path()
            .strip_prefix(root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        if entry.path_is_symlink() {
            let target = std::fs::read_link(entry.path()).expect("read link");
            out.push((rel, format!("-> {}", target.display()).into_bytes()));
        } else if entry.file_type().is_file() {
            out.push((rel, std::fs::read(entry.path()).expect("read a file")));
        } else {
            out.push((rel + "/", Vec::new()));
        }
    }
    out
}

/// Every regular file under `root` with its bytes (empty when `root` does not exist),
/// for before/after comparisons of a catalog or output folder.
pub fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    if !root.exists() {
        return Vec::new();
    }
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

/// The SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes a generated repository of `moments` moments of `modules` modules each
/// into `dir` (`scripts/gen-synthetic.py`, which the benchmarks use too).
pub fn synthetic_repo(dir: &Path, moments: usize, modules: usize) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen-synthetic.py");
    let done = std::process::Command::new("python3")
        .arg(&script)
        .arg(dir)
        .args([
            "--moments",
            &moments.to_string(),
            "--modules",
            &modules.to_string(),
        ])
        .arg("--force")
        .output()
        .expect("run python3 scripts/gen-synthetic.py");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
}
