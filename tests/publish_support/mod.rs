//! What the publish test suites share: running the real binary and git hermetically,
//! SSH keys made with `ssh-keygen`, and a moments repository with a bare `origin`
//! whose `main` is the trusted revision.

#![allow(dead_code)] // each test crate uses a different part of this module

pub use std::collections::BTreeMap;
pub use std::io::Read;
pub use std::path::{Path, PathBuf};
pub use std::process::{Child, Command, Output, Stdio};
pub use std::time::{Duration, Instant};

pub use serde_json::Value;
pub use sha2::{Digest, Sha256};

pub const BIN: &str = env!("CARGO_BIN_EXE_moment");

/// No single command may take longer than this; a hang fails the test instead.
pub const TIMEOUT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------- processes

/// Makes git ignore the machine's configuration and gives it an identity.
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
}

pub fn wait_with_timeout(mut child: Child, what: &str) -> Output {
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stdout.read_to_end(&mut buf).map(|_| buf)
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stderr.read_to_end(&mut buf).map(|_| buf)
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for a child") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            child.kill().ok();
            child.wait().ok();
            panic!("`{what}` did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: out.join().expect("stdout reader").expect("read stdout"),
        stderr: err.join().expect("stderr reader").expect("read stderr"),
    }
}

/// Starts `moment args…` in `cwd` without waiting.
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

/// Runs `moment args…` in `cwd`.
pub fn moment(cwd: &Path, args: &[&str]) -> Output {
    wait_with_timeout(
        spawn_moment(cwd, args),
        &format!("moment {}", args.join(" ")),
    )
}

pub fn code(out: &Output) -> i32 {
    out.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {:?}", out.status))
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    )
}

/// Runs git in `dir`; panics when it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_output(dir, args);
    assert!(
        out.status.success(),
        "git {} failed:\n{}",
        args.join(" "),
        show(&out)
    );
    stdout(&out).trim_end().to_owned()
}

/// Runs git in `dir` and returns what happened.
pub fn git_output(dir: &Path, args: &[&str]) -> Output {
    hermetic(&mut Command::new("git"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run git")
}

/// Runs git in `dir` with `input` on stdin.
pub fn git_stdin(dir: &Path, args: &[&str], input: &[u8]) -> String {
    let mut child = hermetic(&mut Command::new("git"))
        .arg("-C")
        .arg(dir)
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
    stdout(&out).trim_end().to_owned()
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// Asserts a refusal: exit 1 and a single line on stderr, `refused: …`, containing `needle`.
pub fn assert_refused(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(code(out), 1, "expected a refusal (exit 1):\n{}", show(out));
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

pub fn assert_success(out: &Output) {
    assert_eq!(code(out), 0, "expected success:\n{}", show(out));
}

// ---------------------------------------------------------------- keys

/// An SSH key pair made for one test.
pub struct Key {
    /// The private key file (its public half is next to it as `.pub`).
    pub path: PathBuf,
    /// The `.pub` line.
    pub public: String,
}

impl Key {
    pub fn generate(dir: &Path, name: &str, kind: &[&str]) -> Key {
        let path = dir.join(name);
        let out = Command::new("ssh-keygen")
            .args(["-q", "-N", "", "-C", &format!("{name}@example.se")])
            .args(kind)
            .arg("-f")
            .arg(&path)
            .stdin(Stdio::null())
            .output()
            .expect("run ssh-keygen (the tests need OpenSSH)");
        assert!(out.status.success(), "ssh-keygen: {}", show(&out));
        let public = std::fs::read_to_string(path.with_extension("pub"))
            .expect("read the public key")
            .trim()
            .to_owned();
        Key { path, public }
    }

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
        stdout(&out)
            .split_whitespace()
            .nth(1)
            .expect("a fingerprint")
            .to_owned()
    }

    pub fn key_path(&self) -> &str {
        path_str(&self.path)
    }
}

// ---------------------------------------------------------------- the test repository

/// A moments repository in a temporary folder with the worked example `somn` (unit
/// region-exempel, publishers Anna and Bo), `ovning` (training unit, publisher
/// Cecilia), a second production unit region-annan (publisher Dora), keys for all of
/// them and for Eve, who is in no unit; and an empty catalog folder next to it.
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub catalog: PathBuf,
    pub keys: BTreeMap<&'static str, Key>,
}

/// A risk analysis long enough to be a real one (the template of `moment new` is not).
pub const REAL_RISK_ANALYSIS: &str = "# Riskanalys\n\n\
Programmet ger råd om sömn till vuxna. Risken är att en person med allvarlig sjukdom \
söker råd här i stället för vård. Därför säger välkomsttexten att den som mår mycket \
dåligt ska ringa 1177 eller 112, och formuläret flaggar svar som tyder på självmordstankar \
till behandlaren samma dag. Behandlaren läser varje svar inom två arbetsdagar. \
Texten är granskad av två psykologer.\n";

pub const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/moments");

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk the example");
        let rel = entry.path().strip_prefix(from).expect("under from");
        let dst = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dst).expect("create a folder");
        } else {
            std::fs::copy(entry.path(), &dst).expect("copy a file");
        }
    }
}

pub fn units_yaml(keys: &BTreeMap<&'static str, Key>) -> String {
    format!(
        r#"# yaml-language-server: $schema=./schemas/units.schema.json
units:
  - id: region-exempel
    name: Region Exempel utgivarenhet
    kind: production
    publishers:
      - name: Anna Andersson
        key: "{anna}"
      - name: Bo Berg
        key: "{bo}"
    groups:
      - name: psykiatri
        members: ["@anna", "@bo"]
        moments: [somn]
  - id: region-annan
    name: Region Annan utgivarenhet
    kind: production
    publishers:
      - name: Dora Dahl
        key: "{dora}"
  - id: region-exempel-utbildning
    name: Region Exempel utbildningsutgivarenhet
    kind: training
    publishers:
      - name: Cecilia Carlsson
        key: "{cecilia}"
"#,
        anna = keys["anna"].public,
        bo = keys["bo"].public,
        dora = keys["dora"].public,
        cecilia = keys["cecilia"].public,
    )
}

impl Fixture {
    pub fn new() -> Fixture {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let root = tmp.path().join("repo");
        let catalog = tmp.path().join("catalog");
        let key_dir = tmp.path().join("keys");
        std::fs::create_dir_all(&key_dir).expect("a key folder");
        let mut keys = BTreeMap::new();
        for name in ["anna", "bo", "cecilia", "dora", "eve"] {
            keys.insert(name, Key::ed25519(&key_dir, name));
        }
        std::fs::create_dir_all(root.join("moments")).expect("moments/");
        for id in ["somn", "ovning"] {
            copy_tree(
                &Path::new(EXAMPLES).join(id),
                &root.join("moments").join(id),
            );
        }
        std::fs::write(root.join("units.yaml"), units_yaml(&keys)).expect("units.yaml");
        // The reviewed history lives in a bare `origin` (as on a git host), whose
        // default branch main is the trusted revision `origin/HEAD`.
        let origin = tmp.path().join("origin.git");
        git(
            tmp.path(),
            &["init", "-q", "--bare", "-b", "main", path_str(&origin)],
        );
        git(&root, &["init", "-q", "-b", "main"]);
        git(&root, &["remote", "add", "origin", path_str(&origin)]);
        let fixture = Fixture {
            tmp,
            root,
            catalog,
            keys,
        };
        fixture.commit("the first version");
        git(&fixture.root, &["remote", "set-head", "origin", "main"]);
        fixture
    }

    pub fn key(&self, name: &str) -> &Key {
        &self.keys[name]
    }

    pub fn catalog_arg(&self) -> &str {
        path_str(&self.catalog)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("write a file");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).expect("read a file")
    }

    /// Replaces `from` by `to` in `rel` (which must contain it).
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    pub fn set_version(&self, id: &str, version: &str) {
        let rel = format!("moments/{id}/moment.yaml");
        let text = self.read(&rel);
        let line = text
            .lines()
            .find(|l| l.starts_with("version:"))
            .expect("a version line")
            .to_owned();
        self.write(
            &rel,
            &text.replacen(&line, &format!("version: \"{version}\""), 1),
        );
    }

    /// Commits everything; on main the commit is pushed (merged, reviewed), on any
    /// other branch it stays unmerged.
    pub fn commit(&self, message: &str) -> String {
        git(&self.root, &["add", "-A"]);
        git(
            &self.root,
            &["commit", "-q", "--allow-empty", "-m", message],
        );
        if git(&self.root, &["branch", "--show-current"]) == "main" {
            git(&self.root, &["push", "-q", "origin", "main"]);
        }
        git(&self.root, &["rev-parse", "HEAD"])
    }

    /// The bare repository standing for the git host.
    pub fn origin(&self) -> PathBuf {
        self.tmp.path().join("origin.git")
    }

    /// `git tag -s` with an SSH key, as a publisher does it.
    pub fn sign_tag(&self, key: &str, name: &str) {
        self.sign_tag_at(key, name, "HEAD");
    }

    pub fn sign_tag_at(&self, key: &str, name: &str, rev: &str) {
        git(
            &self.root,
            &[
                "-c",
                "gpg.format=ssh",
                "-c",
                &format!("user.signingkey={}", self.key(key).key_path()),
                "tag",
                "-s",
                "-m",
                &format!("Release {name}"),
                name,
                rev,
            ],
        );
    }

    /// The independent oracle: does `git verify-tag` accept `tag` when only `signers`
    /// are allowed?
    pub fn git_verifies(&self, tag: &str, signers: &[&str]) -> bool {
        let file = self.tmp.path().join("allowed_signers");
        let lines: String = signers
            .iter()
            .map(|s| format!("{s}@example.se {}\n", self.key(s).public))
            .collect();
        std::fs::write(&file, lines).expect("allowed signers");
        git_output(
            &self.root,
            &[
                "-c",
                &format!("gpg.ssh.allowedSignersFile={}", path_str(&file)),
                "verify-tag",
                tag,
            ],
        )
        .status
        .success()
    }

    pub fn publish(&self, tag: &str) -> Output {
        self.publish_to(tag, self.catalog_arg(), &[])
    }

    pub fn publish_to(&self, tag: &str, catalog: &str, extra: &[&str]) -> Output {
        let mut args = vec!["publish", "--tag", tag, "--catalog", catalog];
        args.extend_from_slice(extra);
        moment(&self.root, &args)
    }

    pub fn list_json(&self) -> Value {
        list_json(&self.root, self.catalog_arg())
    }

    pub fn verify(&self) -> Output {
        moment(
            &self.root,
            &["catalog", "verify", "--catalog", self.catalog_arg()],
        )
    }

    pub fn verify_json(&self) -> (i32, Value) {
        verify_json(&self.root, self.catalog_arg())
    }

    /// The versions of `id` in the catalog, as `catalog list --format json` shows them.
    pub fn versions(&self, id: &str) -> Vec<Value> {
        versions_of(&self.list_json(), id)
    }

    pub fn tag_commit(&self, tag: &str) -> String {
        git(&self.root, &["rev-parse", &format!("{tag}^{{commit}}")])
    }
}

pub fn list_json(cwd: &Path, catalog: &str) -> Value {
    let out = moment(
        cwd,
        &["catalog", "list", "--catalog", catalog, "--format", "json"],
    );
    assert_success(&out);
    serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("catalog list printed no JSON ({e}):\n{}", show(&out)))
}

pub fn verify_json(cwd: &Path, catalog: &str) -> (i32, Value) {
    let out = moment(
        cwd,
        &[
            "catalog",
            "verify",
            "--catalog",
            catalog,
            "--format",
            "json",
        ],
    );
    let json = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("catalog verify printed no JSON ({e}):\n{}", show(&out)));
    (code(&out), json)
}

pub fn versions_of(list: &Value, id: &str) -> Vec<Value> {
    list["moments"]
        .as_array()
        .expect("moments is a list")
        .iter()
        .find(|m| m["id"] == id)
        .map(|m| m["versions"].as_array().expect("versions").clone())
        .unwrap_or_default()
}

pub fn version_names(versions: &[Value]) -> Vec<String> {
    versions
        .iter()
        .map(|v| v["version"].as_str().expect("a version").to_owned())
        .collect()
}

/// Every file under `root` with its bytes, for before/after comparisons.
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

pub fn names(snapshot: &[(String, Vec<u8>)]) -> Vec<&str> {
    snapshot.iter().map(|(n, _)| n.as_str()).collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files of a `.tar.gz`, by their path inside the archive's top folder.
pub fn untar(archive: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    for entry in tar.entries().expect("a tar archive") {
        let mut entry = entry.expect("an entry");
        let path = entry.path().expect("a path").to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read an entry");
        let inner = path
            .split_once('/')
            .map_or(path.clone(), |(_, r)| r.to_owned());
        out.insert(inner, bytes);
    }
    out
}

/// Whether any file of `archive` contains `needle`.
pub fn archive_contains(archive: &[u8], needle: &str) -> bool {
    untar(archive)
        .values()
        .any(|b| String::from_utf8_lossy(b).contains(needle))
}

/// A fixture with somn 1.0.0 signed by Anna and published.
pub fn published_fixture() -> Fixture {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    assert_success(&f.publish("somn/v1.0.0"));
    f
}
