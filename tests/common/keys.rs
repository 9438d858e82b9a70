//! SSH keys made with the real `ssh-keygen`, one set per test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{path_str, show};

/// An SSH key pair made for one test.
pub struct Key {
    /// The private key file (its public half is next to it as `.pub`).
    pub path: PathBuf,
    /// The `.pub` line.
    pub public: String,
}

impl Key {
    /// A key `dir/name` of the type `kind` (`ssh-keygen` arguments such as
    /// `["-t", "ed25519"]`), commented `name@example.se`.
    pub fn generate(dir: &Path, name: &str, kind: &[&str]) -> Key {
        Key::with_comment(dir, name, &format!("{name}@example.se"), kind)
    }

    /// A key `dir/name` of the type `kind` with the comment `comment`.
    pub fn with_comment(dir: &Path, name: &str, comment: &str, kind: &[&str]) -> Key {
        let path = dir.join(name);
        let out = Command::new("ssh-keygen")
            .args(["-q", "-N", "", "-C", comment])
            .args(kind)
            .arg("-f")
            .arg(&path)
            .stdin(Stdio::null())
            .output()
            .expect("run ssh-keygen (the tests need OpenSSH; .ci/run installs it)");
        assert!(out.status.success(), "ssh-keygen: {}", show(&out));
        let public = std::fs::read_to_string(path.with_extension("pub"))
            .expect("read the public key")
            .trim()
            .to_owned();
        Key { path, public }
    }

    /// An Ed25519 key `dir/name`.
    pub fn ed25519(dir: &Path, name: &str) -> Key {
        Key::generate(dir, name, &["-t", "ed25519"])
    }

    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        let out = Command::new("ssh-keygen")
            .args(["-l", "-E", "sha256", "-f"])
            .arg(self.path.with_extension("pub"))
            .output()
            .expect("run ssh-keygen -l");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .nth(1)
            .expect("a fingerprint")
            .to_owned()
    }

    /// The private key's path as text.
    pub fn key_path(&self) -> &str {
        path_str(&self.path)
    }
}
