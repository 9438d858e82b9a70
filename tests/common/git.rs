//! Git for tests: always hermetic (see [`super::hermetic`]), always checked.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::{hermetic, show};

/// A hermetic `git -C dir` command with stdin closed, to which the caller adds
/// arguments.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    hermetic(&mut cmd).arg("-C").arg(dir).stdin(Stdio::null());
    cmd
}

/// Runs git in `dir`; panics when it fails. Returns stdout without the final newline.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_output(dir, args);
    assert!(
        out.status.success(),
        "git {} failed:\n{}",
        args.join(" "),
        show(&out)
    );
    String::from_utf8_lossy(&out.stdout).trim_end().to_owned()
}

/// Runs git in `dir` and returns what happened.
pub fn git_output(dir: &Path, args: &[&str]) -> Output {
    git_command(dir).args(args).output().expect("run git")
}

/// Runs git in `dir` with `input` on stdin; panics when it fails.
pub fn git_stdin(dir: &Path, args: &[&str], input: &[u8]) -> String {
    let mut child = git_command(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run git");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), input).expect("feed git");
    let out = child.wait_with_output().expect("wait for git");
    assert!(
        out.status.success(),
        "git {} failed:\n{}",
        args.join(" "),
        show(&out)
    );
    String::from_utf8_lossy(&out.stdout).trim_end().to_owned()
}
