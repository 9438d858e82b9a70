//! The book's getting-started chapter, run: every command of its `console` blocks in a
//! fresh temporary folder with the real `moment` on `PATH`, asserting the output lines
//! the chapter shows, so that the chapter cannot drift from the program. Also the
//! toolchain truth: `rust-version` in Cargo.toml covers every locked dependency, and
//! the book and the README state the same version.
//!
//! The chapter's markup (HTML comments, invisible in the book), each on the line
//! before a fenced block:
//! - `<!-- test: not run (why) -->` before an `sh` block the test cannot run; every
//!   `sh` block needs one, so nothing escapes the test unannounced;
//! - `<!-- test: write FILE -->`: the block is the whole new content of FILE;
//! - `<!-- test: set FILE -->`: each `key: value` line of the block replaces the line
//!   of FILE that starts with `key:`;
//! - `<!-- test: preview shows "TEXT" -->` before a block that runs `moment preview`:
//!   the test starts it on a free port, fetches the index page, requires TEXT on it,
//!   and stops it.
//!
//! In a `console` block, `$ COMMAND` lines are run with `sh -c` (`cd DIR` moves the
//! test's folder), and the lines up to the next `$` are expected output: each must be
//! a line of the command's output (stdout, then stderr), in that order; a trailing `…`
//! matches the rest of a line. `# exits with status N` at the end of a command
//! expects that status; otherwise 0.

mod common;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHAPTER: &str = include_str!("../book/src/getting-started.md");

/// One fenced block with the marker before it, if any.
#[derive(Debug)]
struct Block {
    info: String,
    marker: Option<String>,
    body: String,
    line: usize,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    let mut previous: Option<&str> = None;
    while let Some((n, line)) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let marker = previous
                .and_then(|p| p.trim().strip_prefix("<!-- test:"))
                .and_then(|p| p.strip_suffix("-->"))
                .map(|m| m.trim().to_owned());
            let mut body = String::new();
            for (_, inner) in lines.by_ref() {
                if inner.starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            out.push(Block {
                info: info.trim().to_owned(),
                marker,
                body,
                line: n + 1,
            });
            previous = None;
        } else {
            previous = (!line.trim().is_empty()).then_some(line);
        }
    }
    out
}

/// GETs a page of the local preview: no proxy, and a time limit instead of a hang.
fn fetch(url: &str) -> Result<String, ureq::Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    agent.get(url).call()?.body_mut().read_to_string()
}

/// One `$ COMMAND` of a console block, with the output lines it must print.
#[derive(Debug)]
struct Step {
    command: String,
    status: i32,
    expected: Vec<String>,
}

fn steps(body: &str) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    for line in body.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            let (command, status) = match command.split_once("# exits with status ") {
                Some((c, n)) => (c.trim(), n.trim().parse().expect("a status number")),
                None => (command.trim(), 0),
            };
            out.push(Step {
                command: command.to_owned(),
                status,
                expected: Vec::new(),
            });
        } else if !line.trim().is_empty() {
            out.last_mut()
                .expect("a console block starts with a `$ ` command")
                .expected
                .push(line.to_owned());
        }
    }
    out
}

fn matches(expected: &str, actual: &str) -> bool {
    match expected.strip_suffix('…') {
        Some(prefix) => actual.starts_with(prefix.trim_end()),
        None => actual.trim_end() == expected.trim_end(),
    }
}

/// Each expected line, in order, among the output lines.
fn assert_lines(step: &Step, output: &str) {
    let mut rest = output.lines();
    for want in &step.expected {
        assert!(
            rest.any(|got| matches(want, got)),
            "`{}`: no line `{want}` (in this order) in its output:\n{output}",
            step.command
        );
    }
}

/// The world the chapter's commands run in: a fresh folder, a fresh HOME, the real
/// binary first on PATH, git's identity from the environment, English messages.
struct Shell {
    _tmp: tempfile::TempDir,
    home: PathBuf,
    cwd: PathBuf,
    path: String,
}

impl Shell {
    fn new() -> Shell {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let home = tmp.path().join("home");
        let cwd = tmp.path().join("work");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&cwd).unwrap();
        let bin = Path::new(common::BIN)
            .parent()
            .expect("the binary's folder");
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Shell {
            _tmp: tmp,
            home,
            cwd,
            path,
        }
    }

    fn command(&self, line: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(line)
            .current_dir(&self.cwd)
            .env("PATH", &self.path)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Dana Designer")
            .env("GIT_AUTHOR_EMAIL", "dana@example.se")
            .env("GIT_COMMITTER_NAME", "Dana Designer")
            .env("GIT_COMMITTER_EMAIL", "dana@example.se")
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .env("NO_COLOR", "1")
            .env_remove("MOMENT_LANG")
            .env_remove("MOMENT_CATALOG")
            .env_remove("CI")
            .stdin(Stdio::null());
        c
    }

    fn run(&mut self, step: &Step) {
        if let Some(dir) = step.command.strip_prefix("cd ") {
            self.cwd = self.cwd.join(dir.trim());
            assert!(self.cwd.is_dir(), "`{}`: no such folder", step.command);
            return;
        }
        let out = self
            .command(&step.command)
            .output()
            .unwrap_or_else(|e| panic!("run `{}`: {e}", step.command));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            out.status.code(),
            Some(step.status),
            "`{}` exited with {:?}:\n{text}",
            step.command,
            out.status
        );
        assert_lines(step, &text);
    }

    /// Starts `moment preview` on a free port, waits for its address, fetches the
    /// index page, requires `shows` on it, and stops it.
    fn preview(&mut self, step: &Step, shows: &str) {
        let line = if step.command.contains("--port") {
            step.command.clone()
        } else {
            format!("exec {} --port 0", step.command)
        };
        let mut child = self
            .command(&line)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moment preview");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut printed = String::new();
        let url = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    printed.push_str(&line);
                    printed.push('\n');
                    if line.starts_with("watching") {
                        let url = printed
                            .split_whitespace()
                            .find(|w| w.starts_with("http://127.0.0.1:"))
                            .map(str::to_owned);
                        break url;
                    }
                }
                Err(_) => break None,
            }
        };
        let page = url.as_deref().map(fetch);
        child.kill().ok();
        child.wait().ok();
        let url = url.unwrap_or_else(|| panic!("`{line}` printed no address:\n{printed}"));
        assert_lines(step, &printed);
        let page = page
            .expect("fetched")
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        assert!(
            page.contains(shows),
            "the preview's index at {url} does not show `{shows}`:\n{page}"
        );
    }

    fn edit(&self, marker: &str, body: &str) {
        let (what, file) = marker.split_once(' ').expect("`write FILE` or `set FILE`");
        let path = self.cwd.join(file.trim());
        match what {
            "write" => std::fs::write(&path, body).expect("write the file"),
            "set" => {
                let mut text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
                for line in body.lines().filter(|l| !l.trim().is_empty()) {
                    let key = format!("{}:", line.split(':').next().expect("a key"));
                    let old = text
                        .lines()
                        .find(|l| l.starts_with(&key))
                        .unwrap_or_else(|| panic!("no line `{key}` in {}", path.display()))
                        .to_owned();
                    text = text.replacen(&old, line, 1);
                }
                std::fs::write(&path, text).expect("write the file");
            }
            other => panic!("unknown edit marker `{other}`"),
        }
    }
}

#[test]
fn every_command_of_the_getting_started_chapter_does_what_the_chapter_shows() {
    let mut shell = Shell::new();
    let mut ran = 0;
    for block in blocks(CHAPTER) {
        let marker = block.marker.as_deref().unwrap_or("");
        match block.info.as_str() {
            "console" => {
                let preview = marker
                    .strip_prefix("preview shows ")
                    .map(|s| s.trim().trim_matches('"').to_owned());
                for step in steps(&block.body) {
                    match &preview {
                        Some(shows) if step.command.starts_with("moment preview") => {
                            shell.preview(&step, shows);
                        }
                        _ => shell.run(&step),
                    }
                    ran += 1;
                }
            }
            "sh" | "bash" | "shell" => assert!(
                marker.starts_with("not run ("),
                "line {}: a {} block that the test does not run needs `<!-- test: not run (why) -->` before it (or make it a `console` block)",
                block.line,
                block.info
            ),
            _ if marker.starts_with("write ") || marker.starts_with("set ") => {
                shell.edit(marker, &block.body);
            }
            _ => assert!(
                marker.is_empty(),
                "line {}: marker `{marker}` on a {} block",
                block.line,
                block.info
            ),
        }
    }
    assert!(ran >= 15, "only {ran} commands ran: is the markup intact?");
}

#[test]
fn the_chapter_walks_the_newcomers_path_in_order() {
    let commands: Vec<String> = blocks(CHAPTER)
        .iter()
        .filter(|b| b.info == "console")
        .flat_map(|b| steps(&b.body))
        .map(|s| s.command)
        .collect();
    let path = [
        "moment init",
        "moment new",
        "moment check",
        "moment preview",
        "git commit",
    ];
    let mut at = 0;
    for want in path {
        let found = commands[at..]
            .iter()
            .position(|c| c.starts_with(want))
            .unwrap_or_else(|| panic!("no `{want}` after step {at} in {commands:?}"));
        at += found + 1;
    }
    assert!(
        CHAPTER.contains("pull request"),
        "the chapter ends with a pull request"
    );
}

/// `rust-version` of Cargo.toml's `[package]`, such as `1.91`.
fn declared_rust_version() -> String {
    let toml = include_str!("../Cargo.toml");
    toml.lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .map(|v| v.trim().trim_matches('"').to_owned())
        .expect("Cargo.toml declares rust-version")
}

fn parse_version(v: &str) -> Vec<u32> {
    v.split('.')
        .map(|p| p.parse().unwrap_or_else(|_| panic!("a version: {v}")))
        .collect()
}

#[test]
fn rust_version_covers_every_locked_dependency() {
    let declared = declared_rust_version();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--locked", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata --locked: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut needs: Vec<(Vec<u32>, String)> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["name"] != "moment")
        .filter_map(|p| {
            let v = p["rust_version"].as_str()?;
            Some((
                parse_version(v),
                format!("{} {} needs {v}", p["name"], p["version"]),
            ))
        })
        .collect();
    needs.sort();
    let (highest, who) = needs.last().expect("dependencies declare rust-version");
    let mut mine = parse_version(&declared);
    mine.resize(highest.len().max(mine.len()), 0);
    let mut theirs = highest.clone();
    theirs.resize(mine.len(), 0);
    assert!(
        mine >= theirs,
        "Cargo.toml says rust-version = \"{declared}\", but {who}: raise rust-version (and the book and README)"
    );
}

#[test]
fn the_book_and_the_readme_state_the_same_rust_version_and_install_locked() {
    let declared = declared_rust_version();
    let readme = include_str!("../README.md");
    let claim = format!("Rust **{declared} or later**");
    assert!(CHAPTER.contains(&claim), "the chapter says `{claim}`");
    assert!(readme.contains(&claim), "README says `{claim}`");
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src");
    for entry in std::fs::read_dir(&book).expect("book/src") {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for line in text.lines().chain(readme.lines()) {
            if line.contains("cargo install") && !line.contains("--locked") {
                panic!("{}: `{line}` installs without --locked", path.display());
            }
        }
    }
}
