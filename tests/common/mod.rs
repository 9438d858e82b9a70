//! Helpers shared by the integration tests: run the real `moment` binary on real
//! files in temporary directories.

#![allow(dead_code)] // each test crate uses a different part of this module

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_moment");

/// No run of `moment` on a small fixture may take longer than this (an alias bomb
/// that is expanded instead of refused would hang; the test must fail, not hang).
const TIMEOUT: Duration = Duration::from_secs(60);

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

/// Runs `moment` with `args` in `cwd`, with a time limit, and returns its output.
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_LOG")
        // Diagnostics in English whatever the machine's locale (tests of the
        // language choice set these themselves).
        .env_remove("MOMENT_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the moment binary");
    // Read the pipes on other threads so that a large output cannot block the child.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).map(|_| buf)
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).map(|_| buf)
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for moment") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            child.kill().ok();
            child.wait().ok();
            panic!(
                "`moment {}` did not finish within {TIMEOUT:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: out_reader
            .join()
            .expect("stdout reader")
            .expect("read stdout"),
        stderr: err_reader
            .join()
            .expect("stderr reader")
            .expect("read stderr"),
    }
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
