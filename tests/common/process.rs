//! Running programs in tests: a hermetic environment (no user or system git
//! configuration, a fixed identity, no colour, no catalog or agent from the machine)
//! and a time limit, so that a hang fails the test instead of blocking the suite.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::BIN;

/// The default limit for one command started by a test (a publish over a real
/// server included); [`super::run_in`] uses the shorter [`super::TIMEOUT`].
pub const LONG_TIMEOUT: Duration = Duration::from_secs(120);

/// Makes `cmd` ignore the machine's configuration: git reads no system or global
/// configuration and gets a fixed identity; nothing from the environment selects
/// a catalog, an SSH agent, a build time, colour or logging.
pub fn hermetic(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test Testsson")
        .env("GIT_AUTHOR_EMAIL", "test@example.se")
        .env("GIT_COMMITTER_NAME", "Test Testsson")
        .env("GIT_COMMITTER_EMAIL", "test@example.se")
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("MOMENT_CATALOG")
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_LOG")
        // Diagnostics in English whatever the machine's locale (tests of the language
        // choice set these themselves).
        .env_remove("MOMENT_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
}

/// Starts `moment args…` in `cwd` (hermetic, stdin closed, output piped) without
/// waiting.
pub fn spawn_moment(cwd: &Path, args: &[&str]) -> Child {
    hermetic(&mut Command::new(BIN))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the moment binary")
}

/// Waits for `child` (whose stdout and stderr are piped) at most [`LONG_TIMEOUT`];
/// kills it and panics naming `what` when it takes longer.
pub fn wait_with_timeout(child: Child, what: &str) -> Output {
    wait_with_limit(child, what, LONG_TIMEOUT)
}

/// Waits for `child` at most `limit`, reading its pipes on other threads so that a
/// large output cannot block it; kills it and panics naming `what` on a timeout.
pub fn wait_with_limit(mut child: Child, what: &str, limit: Duration) -> Output {
    let stdout = child.stdout.take().map(read_on_a_thread);
    let stderr = child.stderr.take().map(read_on_a_thread);
    let start = Instant::now();
    // Poll often at first (most runs take milliseconds), then every 10 ms.
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for a child") {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("`{what}` did not finish within {limit:?}");
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    };
    let join = |reader: Option<std::thread::JoinHandle<std::io::Result<Vec<u8>>>>| {
        reader.map_or_else(Vec::new, |r| {
            r.join().expect("a pipe reader").expect("read a pipe")
        })
    };
    Output {
        status,
        stdout: join(stdout),
        stderr: join(stderr),
    }
}

fn read_on_a_thread(
    mut pipe: impl Read + Send + 'static,
) -> std::thread::JoinHandle<std::io::Result<Vec<u8>>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        pipe.read_to_end(&mut buf).map(|_| buf)
    })
}

/// Exit code, stdout and stderr of a finished command, for failure messages.
pub fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `p` as text (temporary paths are UTF-8).
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// Asserts a refusal: exit 1 and a single line on stderr, `refused: …`, containing
/// `needle`.
pub fn assert_refused(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected a refusal (exit 1):\n{}",
        show(out)
    );
    assert!(
        err.starts_with("refused: "),
        "a refusal starts with `refused:`:\n{}",
        show(out)
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "a refusal is one sentence on one line:\n{}",
        show(out)
    );
    assert!(
        err.contains(needle),
        "the refusal should say `{needle}`:\n{}",
        show(out)
    );
}

/// Asserts exit 0, showing the output otherwise.
pub fn assert_success(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "expected success:\n{}",
        show(out)
    );
}
