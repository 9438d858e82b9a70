//! The numbered steps that put a staged build in place (renames, links, removals),
//! with a hook for the kill tests.
//!
//! TEST-ONLY: when the environment variable `MOMENT_TEST_PAUSE_AT` is `step:N`, the
//! build prints `moment-test: paused before step N: <what>` to standard error just
//! before its N-th step and stops itself with SIGSTOP (a test then sends SIGKILL, or
//! SIGCONT to let it go on). `tests/dist.rs` uses it to `kill -9` a build at every
//! step deterministically. It is not a user feature and is not documented in the
//! book.

use std::io::Write;

/// The variable that holds the test-only pause point.
const PAUSE_VAR: &str = "MOMENT_TEST_PAUSE_AT";

/// Counts the steps of one build.
#[derive(Debug)]
pub struct Steps {
    pause_at: Option<usize>,
    done: usize,
}

impl Steps {
    /// Reads the test-only pause point from the environment.
    pub fn from_env() -> Steps {
        let pause_at = std::env::var(PAUSE_VAR)
            .ok()
            .and_then(|v| v.strip_prefix("step:")?.trim().parse().ok());
        Steps { pause_at, done: 0 }
    }

    /// Called just before each step; `what` says what the step does.
    pub fn next(&mut self, what: &dyn std::fmt::Display) {
        self.done += 1;
        if self.pause_at == Some(self.done) {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "moment-test: paused before step {}: {what}", self.done);
            let _ = err.flush();
            drop(err);
            // `sh` is this process's child, so `$PPID` is this process.
            let stopped = std::process::Command::new("sh")
                .args(["-c", "kill -STOP $PPID"])
                .status()
                .is_ok_and(|s| s.success());
            if !stopped {
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                }
            }
        }
    }
}
