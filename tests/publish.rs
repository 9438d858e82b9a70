//! `moment publish`, `moment catalog` and the repository scaffolding around them, run
//! as a publisher and CI run them: the real binary, real git repositories in temporary
//! folders, tags signed by `git tag -s` with freshly generated SSH keys, and catalogs
//! in local folders. Where git can judge a signature itself (`git verify-tag` with an
//! allowed-signers file), the test asks git too, so that `moment` is compared with an
//! independent oracle rather than with itself.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_moment");

/// No single command may take longer than this; a hang fails the test instead.
const TIMEOUT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------- processes

/// Makes git ignore the machine's configuration and gives it an identity.
fn hermetic(cmd: &mut Command) -> &mut Command {
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

fn wait_with_timeout(mut child: Child, what: &str) -> Output {
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
fn spawn_moment(cwd: &Path, args: &[&str]) -> Child {
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
fn moment(cwd: &Path, args: &[&str]) -> Output {
    wait_with_timeout(
        spawn_moment(cwd, args),
        &format!("moment {}", args.join(" ")),
    )
}

fn code(out: &Output) -> i32 {
    out.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {:?}", out.status))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    )
}

/// Runs git in `dir`; panics when it fails.
fn git(dir: &Path, args: &[&str]) -> String {
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
fn git_output(dir: &Path, args: &[&str]) -> Output {
    hermetic(&mut Command::new("git"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run git")
}

/// Runs git in `dir` with `input` on stdin.
fn git_stdin(dir: &Path, args: &[&str], input: &[u8]) -> String {
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

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// Asserts a refusal: exit 1 and a single line on stderr, `refused: …`, containing `needle`.
fn assert_refused(out: &Output, needle: &str) {
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

fn assert_success(out: &Output) {
    assert_eq!(code(out), 0, "expected success:\n{}", show(out));
}

// ---------------------------------------------------------------- keys

/// An SSH key pair made for one test.
struct Key {
    /// The private key file (its public half is next to it as `.pub`).
    path: PathBuf,
    /// The `.pub` line.
    public: String,
}

impl Key {
    fn generate(dir: &Path, name: &str, kind: &[&str]) -> Key {
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

    fn ed25519(dir: &Path, name: &str) -> Key {
        Key::generate(dir, name, &["-t", "ed25519"])
    }

    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    fn fingerprint(&self) -> String {
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

    fn key_path(&self) -> &str {
        path_str(&self.path)
    }
}

// ---------------------------------------------------------------- the test repository

/// A moments repository in a temporary folder with the worked example `somn` (unit
/// region-exempel, publishers Anna and Bo), `ovning` (training unit, publisher
/// Cecilia), a second production unit region-annan (publisher Dora), keys for all of
/// them and for Eve, who is in no unit; and an empty catalog folder next to it.
struct Fixture {
    tmp: tempfile::TempDir,
    root: PathBuf,
    catalog: PathBuf,
    keys: BTreeMap<&'static str, Key>,
}

/// A risk analysis long enough to be a real one (the template of `moment new` is not).
const REAL_RISK_ANALYSIS: &str = "# Riskanalys\n\n\
Programmet ger råd om sömn till vuxna. Risken är att en person med allvarlig sjukdom \
söker råd här i stället för vård. Därför säger välkomsttexten att den som mår mycket \
dåligt ska ringa 1177 eller 112, och formuläret flaggar svar som tyder på självmordstankar \
till behandlaren samma dag. Behandlaren läser varje svar inom två arbetsdagar. \
Texten är granskad av två psykologer.\n";

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/moments");

fn copy_tree(from: &Path, to: &Path) {
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

fn units_yaml(keys: &BTreeMap<&'static str, Key>) -> String {
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
    fn new() -> Fixture {
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

    fn key(&self, name: &str) -> &Key {
        &self.keys[name]
    }

    fn catalog_arg(&self) -> &str {
        path_str(&self.catalog)
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("write a file");
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).expect("read a file")
    }

    /// Replaces `from` by `to` in `rel` (which must contain it).
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn set_version(&self, id: &str, version: &str) {
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
    fn commit(&self, message: &str) -> String {
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
    fn origin(&self) -> PathBuf {
        self.tmp.path().join("origin.git")
    }

    /// `git tag -s` with an SSH key, as a publisher does it.
    fn sign_tag(&self, key: &str, name: &str) {
        self.sign_tag_at(key, name, "HEAD");
    }

    fn sign_tag_at(&self, key: &str, name: &str, rev: &str) {
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
    fn git_verifies(&self, tag: &str, signers: &[&str]) -> bool {
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

    fn publish(&self, tag: &str) -> Output {
        self.publish_to(tag, self.catalog_arg(), &[])
    }

    fn publish_to(&self, tag: &str, catalog: &str, extra: &[&str]) -> Output {
        let mut args = vec!["publish", "--tag", tag, "--catalog", catalog];
        args.extend_from_slice(extra);
        moment(&self.root, &args)
    }

    fn list_json(&self) -> Value {
        list_json(&self.root, self.catalog_arg())
    }

    fn verify(&self) -> Output {
        moment(
            &self.root,
            &["catalog", "verify", "--catalog", self.catalog_arg()],
        )
    }

    fn verify_json(&self) -> (i32, Value) {
        verify_json(&self.root, self.catalog_arg())
    }

    /// The versions of `id` in the catalog, as `catalog list --format json` shows them.
    fn versions(&self, id: &str) -> Vec<Value> {
        versions_of(&self.list_json(), id)
    }

    fn tag_commit(&self, tag: &str) -> String {
        git(&self.root, &["rev-parse", &format!("{tag}^{{commit}}")])
    }
}

fn list_json(cwd: &Path, catalog: &str) -> Value {
    let out = moment(
        cwd,
        &["catalog", "list", "--catalog", catalog, "--format", "json"],
    );
    assert_success(&out);
    serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("catalog list printed no JSON ({e}):\n{}", show(&out)))
}

fn verify_json(cwd: &Path, catalog: &str) -> (i32, Value) {
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

fn versions_of(list: &Value, id: &str) -> Vec<Value> {
    list["moments"]
        .as_array()
        .expect("moments is a list")
        .iter()
        .find(|m| m["id"] == id)
        .map(|m| m["versions"].as_array().expect("versions").clone())
        .unwrap_or_default()
}

fn version_names(versions: &[Value]) -> Vec<String> {
    versions
        .iter()
        .map(|v| v["version"].as_str().expect("a version").to_owned())
        .collect()
}

/// Every file under `root` with its bytes, for before/after comparisons.
fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
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

fn names(snapshot: &[(String, Vec<u8>)]) -> Vec<&str> {
    snapshot.iter().map(|(n, _)| n.as_str()).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files of a `.tar.gz`, by their path inside the archive's top folder.
fn untar(archive: &[u8]) -> BTreeMap<String, Vec<u8>> {
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
fn archive_contains(archive: &[u8], needle: &str) -> bool {
    untar(archive)
        .values()
        .any(|b| String::from_utf8_lossy(b).contains(needle))
}

// ================================================================ publishing

#[test]
fn a_signed_tag_is_published_listed_and_verified() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    assert!(
        f.git_verifies("somn/v1.0.0", &["anna", "bo"]),
        "git itself accepts the signature"
    );

    let out = f.publish("somn/v1.0.0");
    assert_success(&out);
    assert!(
        stdout(&out).contains("published somn/v1.0.0") && stdout(&out).contains("Anna Andersson"),
        "{}",
        show(&out)
    );
    let files = snapshot(&f.catalog);
    let mut layout = names(&files);
    layout.sort_unstable();
    assert_eq!(
        layout,
        [
            "bundles/somn/1.0.0.tar.gz",
            "index/somn.json",
            "index/somn/0000000001.json"
        ],
        "the catalog layout"
    );
    let bundle = std::fs::read(f.catalog.join("bundles/somn/1.0.0.tar.gz")).expect("bundle");

    // list --format json: every field of the entry, checked against the sources.
    let list = f.list_json();
    let moments = list["moments"].as_array().expect("moments");
    assert_eq!(moments.len(), 1);
    assert_eq!(moments[0]["id"], "somn");
    assert_eq!(moments[0]["generation"], 1);
    let v = &moments[0]["versions"][0];
    assert_eq!(v["version"], "1.0.0");
    assert_eq!(v["sha256"], sha256_hex(&bundle));
    assert_eq!(v["size"], bundle.len() as u64);
    assert_eq!(v["commit"], f.tag_commit("somn/v1.0.0"));
    assert_eq!(v["tag"], "somn/v1.0.0");
    assert_eq!(v["signer"]["name"], "Anna Andersson");
    assert_eq!(v["signer"]["fingerprint"], f.key("anna").fingerprint());
    assert_eq!(v["yanked"], false);
    let at = v["published_at"].as_str().expect("published_at");
    assert!(
        at.len() == 20 && at.ends_with('Z') && at.as_bytes()[10] == b'T',
        "published_at is RFC 3339 UTC: {at}"
    );
    // The convenience copy is the latest generation.
    let copy: Value = serde_json::from_slice(
        &std::fs::read(f.catalog.join("index/somn.json")).expect("index copy"),
    )
    .expect("JSON");
    let generation: Value = serde_json::from_slice(
        &std::fs::read(f.catalog.join("index/somn/0000000001.json")).expect("generation"),
    )
    .expect("JSON");
    assert_eq!(copy, generation);
    assert_eq!(copy, moments[0].clone());

    // The bundle is the moment at the tag, with its manifest naming the commit.
    let files = untar(&bundle);
    let manifest: Value =
        serde_json::from_slice(&files["manifest.json"]).expect("manifest.json is JSON");
    assert_eq!(manifest["id"], "somn");
    assert_eq!(manifest["version"], "1.0.0");
    assert_eq!(manifest["source_commit"], f.tag_commit("somn/v1.0.0"));

    // list as a table.
    let out = moment(&f.root, &["catalog", "list", "--catalog", f.catalog_arg()]);
    assert_success(&out);
    let table = stdout(&out);
    let mut lines = table.lines();
    let header = lines.next().expect("a header");
    for column in [
        "moment",
        "version",
        "published",
        "signed by",
        "status",
        "title",
        "message",
    ] {
        assert!(header.contains(column), "header lacks {column}: {table}");
    }
    let row = lines.next().expect("a row");
    for cell in [
        "somn",
        "1.0.0",
        at,
        "Anna Andersson",
        "active",
        "Sömn – steg för steg",
        "Release somn/v1.0.0",
    ] {
        assert!(row.contains(cell), "row lacks {cell}: {table}");
    }
    assert_eq!(lines.next(), None, "one row per version: {table}");

    // verify: clean.
    let out = f.verify();
    assert_success(&out);
    assert!(
        stdout(&out).contains("checked 1 bundle(s): 0 tampered or missing"),
        "{}",
        show(&out)
    );
    let (exit, report) = f.verify_json();
    assert_eq!(exit, 0);
    assert_eq!(report["checked"], 1);
    assert_eq!(report["errors"], 0);
    assert_eq!(report["findings"], serde_json::json!([]));
}

#[test]
fn the_catalog_can_come_from_the_environment() {
    let f = Fixture::new();
    f.sign_tag("bo", "somn/v1.0.0");
    let out = wait_with_timeout(
        hermetic(&mut Command::new(BIN))
            .args(["publish", "--tag", "somn/v1.0.0"])
            .env("MOMENT_CATALOG", &f.catalog)
            .current_dir(&f.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moment"),
        "moment publish with MOMENT_CATALOG",
    );
    assert_success(&out);
    assert_eq!(version_names(&f.versions("somn")), ["1.0.0"]);
    assert_eq!(f.versions("somn")[0]["signer"]["name"], "Bo Berg");
    // --path instead of the current folder; file:// URLs too.
    f.set_version("somn", "1.1.0");
    f.commit("1.1.0");
    f.sign_tag("anna", "somn/v1.1.0");
    let url = format!("file://{}", f.catalog_arg());
    let out = moment(
        f.tmp.path(),
        &[
            "publish",
            "--tag",
            "somn/v1.1.0",
            "--catalog",
            &url,
            "--path",
            path_str(&f.root),
        ],
    );
    assert_success(&out);
    assert_eq!(version_names(&f.versions("somn")), ["1.0.0", "1.1.0"]);
}

#[test]
fn a_lightweight_tag_is_refused() {
    let f = Fixture::new();
    git(&f.root, &["tag", "somn/v1.0.0"]);
    let out = f.publish("somn/v1.0.0");
    assert_refused(&out, "lightweight tag");
    assert!(snapshot(&f.catalog).is_empty(), "nothing was written");
}

#[test]
fn an_unsigned_annotated_tag_is_refused() {
    let f = Fixture::new();
    git(&f.root, &["tag", "-a", "-m", "release", "somn/v1.0.0"]);
    assert!(!f.git_verifies("somn/v1.0.0", &["anna", "bo"]));
    let out = f.publish("somn/v1.0.0");
    assert_refused(&out, "is not signed");
    assert!(snapshot(&f.catalog).is_empty());
}

#[test]
fn a_tag_that_is_not_a_release_tag_is_refused() {
    let f = Fixture::new();
    f.sign_tag("anna", "release-1");
    let out = f.publish("release-1");
    assert_refused(&out, "not a release tag");
    let out = f.publish("no-such/v9.9.9");
    assert_eq!(
        code(&out),
        2,
        "a tag that does not exist is a usage error:\n{}",
        show(&out)
    );
}

/// Rewrites the signed tag `name` by hand (`git mktag`) with `change` applied to its
/// text, and points `refs/tags/<name>` at the result.
fn tamper(f: &Fixture, name: &str, change: impl Fn(&str) -> String) {
    let raw = git(&f.root, &["cat-file", "tag", name]) + "\n";
    let forged = change(&raw);
    assert_ne!(raw, forged, "the change must change something");
    let id = git_stdin(&f.root, &["mktag"], forged.as_bytes());
    git(&f.root, &["update-ref", &format!("refs/tags/{name}"), &id]);
}

#[test]
fn a_signature_that_does_not_match_the_tag_is_refused() {
    // The message changed after signing.
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    tamper(&f, "somn/v1.0.0", |raw| {
        raw.replace("Release somn/v1.0.0", "Release somn/v1.0.0 (approved)")
    });
    assert!(
        !f.git_verifies("somn/v1.0.0", &["anna", "bo"]),
        "git rejects it as well"
    );
    assert_refused(&f.publish("somn/v1.0.0"), "signature is not valid");
    assert!(snapshot(&f.catalog).is_empty());

    // The signed tag moved to another commit: the signature no longer covers it.
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    let signed_commit = f.tag_commit("somn/v1.0.0");
    f.edit(
        "moments/somn/welcome.md",
        "Välkommen!",
        "Välkommen! Ändrat utan granskning.",
    );
    let other = f.commit("an unreviewed change");
    tamper(&f, "somn/v1.0.0", |raw| raw.replace(&signed_commit, &other));
    assert_eq!(f.tag_commit("somn/v1.0.0"), other);
    assert!(!f.git_verifies("somn/v1.0.0", &["anna", "bo"]));
    assert_refused(&f.publish("somn/v1.0.0"), "signature is not valid");
    assert!(snapshot(&f.catalog).is_empty());

    // A signature that is not even readable.
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    tamper(&f, "somn/v1.0.0", |raw| {
        let at = raw
            .find("-----BEGIN SSH SIGNATURE-----\n")
            .expect("an SSH signature")
            + "-----BEGIN SSH SIGNATURE-----\n".len();
        format!("{}AAAA{}", &raw[..at], &raw[at + 4..])
    });
    assert!(!f.git_verifies("somn/v1.0.0", &["anna", "bo"]));
    assert_refused(&f.publish("somn/v1.0.0"), "signature is not valid");
}

#[test]
fn a_pgp_signature_is_refused() {
    let f = Fixture::new();
    git(
        &f.root,
        &["tag", "-a", "-m", "Release somn/v1.0.0", "somn/v1.0.0"],
    );
    tamper(&f, "somn/v1.0.0", |raw| {
        format!(
            "{raw}-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n"
        )
    });
    assert_refused(&f.publish("somn/v1.0.0"), "PGP");
}

#[test]
fn a_signer_who_is_not_a_publisher_of_the_unit_is_refused() {
    // Dora publishes for another production unit, Cecilia for the training unit, and
    // Eve is in no unit at all. None of them may publish somn (unit region-exempel).
    for signer in ["dora", "cecilia", "eve"] {
        let f = Fixture::new();
        f.sign_tag(signer, "somn/v1.0.0");
        assert!(
            f.git_verifies("somn/v1.0.0", &[signer]),
            "the signature itself is good"
        );
        assert!(
            !f.git_verifies("somn/v1.0.0", &["anna", "bo"]),
            "but not by a publisher of the unit"
        );
        let out = f.publish("somn/v1.0.0");
        assert_refused(&out, "not a publisher of unit `region-exempel`");
        assert!(
            stderr(&out).contains(&f.key(signer).fingerprint()),
            "the refusal names the signing key:\n{}",
            show(&out)
        );
        assert!(snapshot(&f.catalog).is_empty());
    }
}

#[test]
fn a_training_unit_never_publishes() {
    let f = Fixture::new();
    let version = f
        .read("moments/ovning/moment.yaml")
        .lines()
        .find_map(|l| l.strip_prefix("version:"))
        .expect("a version")
        .trim()
        .trim_matches('"')
        .to_owned();
    let tag = format!("ovning/v{version}");
    f.sign_tag("cecilia", &tag);
    assert!(f.git_verifies(&tag, &["cecilia"]));
    let out = f.publish(&tag);
    assert_refused(&out, "training unit");
    assert!(
        stderr(&out).contains("region-exempel-utbildning"),
        "{}",
        show(&out)
    );
    assert!(snapshot(&f.catalog).is_empty());
}

#[test]
fn the_version_in_moment_yaml_must_equal_the_tag() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.1");
    let out = f.publish("somn/v1.0.1");
    assert_refused(
        &out,
        "the tag says version 1.0.1 but moment.yaml at the tag says 1.0.0",
    );
    assert!(snapshot(&f.catalog).is_empty());
    // Bumping the version in the working tree afterwards does not help: the tag decides.
    f.set_version("somn", "1.0.1");
    assert_refused(
        &f.publish("somn/v1.0.1"),
        "moment.yaml at the tag says 1.0.0",
    );
}

#[test]
fn a_version_must_be_greater_than_every_published_version() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    f.set_version("somn", "1.2.0");
    f.commit("1.2.0");
    f.sign_tag("anna", "somn/v1.2.0");
    f.set_version("somn", "1.1.5");
    f.commit("a late fix for the 1.1 line");
    f.sign_tag("anna", "somn/v1.1.5");
    f.set_version("somn", "1.2.0-rc.1");
    f.commit("a release candidate");
    f.sign_tag("anna", "somn/v1.2.0-rc.1");

    assert_success(&f.publish("somn/v1.2.0"));
    let before = snapshot(&f.catalog);
    let out = f.publish("somn/v1.1.5");
    assert_refused(
        &out,
        "version 1.1.5 is not greater than the published version 1.2.0",
    );
    // A pre-release sorts before its release.
    assert_refused(
        &f.publish("somn/v1.2.0-rc.1"),
        "version 1.2.0-rc.1 is not greater than the published version 1.2.0",
    );
    // An older version that was never published cannot be slipped in either.
    assert_refused(
        &f.publish("somn/v1.0.0"),
        "version 1.0.0 is not greater than the published version 1.2.0",
    );
    assert_eq!(snapshot(&f.catalog), before, "a refusal writes nothing");
}

#[test]
fn pre_releases_are_ordered_as_semver_orders_them() {
    // SemVer 2.0.0 §11: numeric identifiers compare as numbers, so rc.10 follows rc.9;
    // alpha < alpha.1 < beta < rc.9 < rc.10 < the release.
    let f = Fixture::new();
    for version in [
        "2.0.0-alpha",
        "2.0.0-alpha.1",
        "2.0.0-beta",
        "2.0.0-rc.9",
        "2.0.0-rc.10",
        "2.0.0",
    ] {
        f.set_version("somn", version);
        f.commit(version);
        let tag = format!("somn/v{version}");
        f.sign_tag("anna", &tag);
        let out = f.publish(&tag);
        assert_eq!(
            code(&out),
            0,
            "{tag} follows the previous one:\n{}",
            show(&out)
        );
    }
}

#[test]
fn check_errors_at_the_tag_are_refused() {
    // A module that is listed but missing.
    let f = Fixture::new();
    f.edit(
        "moments/somn/moment.yaml",
        "  - modules/05-framat.md",
        "  - modules/05-framat.md\n  - modules/06-finns-inte.md",
    );
    f.commit("a module that does not exist");
    f.sign_tag("anna", "somn/v1.0.0");
    let out = f.publish("somn/v1.0.0");
    assert_refused(&out, "`moment check` finds");
    assert!(
        stderr(&out).contains("moments/somn/moment.yaml"),
        "{}",
        show(&out)
    );
    // Fixing the working tree without a new tag does not help.
    f.edit(
        "moments/somn/moment.yaml",
        "\n  - modules/06-finns-inte.md",
        "",
    );
    let check = moment(&f.root, &["check"]);
    assert_success(&check);
    assert_refused(&f.publish("somn/v1.0.0"), "`moment check` finds");
    assert!(snapshot(&f.catalog).is_empty());

    // moment.yaml itself broken at the tag.
    let f = Fixture::new();
    f.edit(
        "moments/somn/moment.yaml",
        "kind: treatment",
        "kind: [treatment]",
    );
    f.commit("a broken moment.yaml");
    f.sign_tag("anna", "somn/v1.0.0");
    assert_refused(&f.publish("somn/v1.0.0"), "`moment check` finds");

    // A failing form test at the tag is an error too.
    let f = Fixture::new();
    let tests = f.read("moments/somn/forms/somndagbok.tests.yaml");
    assert!(tests.contains("name:"), "the example has form tests");
    f.write(
        "moments/somn/forms/somndagbok.tests.yaml",
        "- name: a scenario that cannot hold\n  answers: {}\n  expect: {alerts: [no-such-alert]}\n",
    );
    f.commit("a failing form test");
    f.sign_tag("anna", "somn/v1.0.0");
    assert_refused(&f.publish("somn/v1.0.0"), "`moment check` finds");
}

#[test]
fn a_moment_without_risk_analysis_is_refused() {
    // No risk_analysis at all.
    let f = Fixture::new();
    f.edit(
        "moments/somn/moment.yaml",
        "risk_analysis: docs/riskanalys.md\n",
        "",
    );
    f.commit("no risk analysis");
    f.sign_tag("anna", "somn/v1.0.0");
    let out = f.publish("somn/v1.0.0");
    assert_refused(&out, "`somn` has no risk analysis at the tag");
    assert!(snapshot(&f.catalog).is_empty());

    // risk_analysis names a file that is not there.
    let f = Fixture::new();
    git(&f.root, &["rm", "-q", "moments/somn/docs/riskanalys.md"]);
    f.commit("the risk analysis was deleted");
    f.sign_tag("anna", "somn/v1.0.0");
    assert_refused(&f.publish("somn/v1.0.0"), "has no risk analysis");
    // It exists in the working tree, but not at the tag.
    copy_tree(
        &Path::new(EXAMPLES).join("somn/docs"),
        &f.root.join("moments/somn/docs"),
    );
    assert_refused(&f.publish("somn/v1.0.0"), "has no risk analysis");
    assert!(snapshot(&f.catalog).is_empty());
}

#[test]
fn a_re_pointed_tag_is_refused() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    // An attacker bumps the version without review and points a new tag ref at the
    // object of the signed 1.0.0 tag, hoping its signature carries over.
    f.set_version("somn", "2.0.0");
    f.edit(
        "moments/somn/welcome.md",
        "Välkommen!",
        "Välkommen! Ogranskad text.",
    );
    f.commit("unreviewed 2.0.0");
    let object = git(&f.root, &["rev-parse", "refs/tags/somn/v1.0.0"]);
    git(&f.root, &["update-ref", "refs/tags/somn/v2.0.0", &object]);
    assert_eq!(
        git(&f.root, &["cat-file", "-t", "somn/v2.0.0"]),
        "tag",
        "the ref names an annotated, signed tag object"
    );
    // git itself still says "good signature": the signature is over the 1.0.0 tag.
    assert!(f.git_verifies("somn/v2.0.0", &["anna"]));
    let out = f.publish("somn/v2.0.0");
    assert_refused(&out, "re-pointed");
    assert!(stderr(&out).contains("somn/v1.0.0"), "{}", show(&out));
    assert!(snapshot(&f.catalog).is_empty());
    // The genuine tag is still fine.
    assert_success(&f.publish("somn/v1.0.0"));
    assert_eq!(version_names(&f.versions("somn")), ["1.0.0"]);

    // The same trick for a yank: a signed yank tag of one version re-pointed to another.
    f.set_version("somn", "1.1.0");
    f.commit("1.1.0");
    f.sign_tag("anna", "somn/v1.1.0");
    assert_success(&f.publish("somn/v1.1.0"));
    f.sign_tag("bo", "yank/somn/v1.0.0");
    let object = git(&f.root, &["rev-parse", "refs/tags/yank/somn/v1.0.0"]);
    git(
        &f.root,
        &["update-ref", "refs/tags/yank/somn/v1.1.0", &object],
    );
    let out = moment(
        &f.root,
        &[
            "catalog",
            "yank",
            "somn",
            "1.1.0",
            "--catalog",
            f.catalog_arg(),
        ],
    );
    assert_refused(&out, "re-pointed");
    assert!(f.versions("somn").iter().all(|v| v["yanked"] == false));
}

#[test]
fn publish_builds_from_the_tag_never_from_the_working_tree() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    let tagged = f.tag_commit("somn/v1.0.0");
    // Move on: a newer commit, and on top of it uncommitted and untracked changes.
    f.edit(
        "moments/somn/moment.yaml",
        "title: Sömn – steg för steg",
        "title: Sömn – COMMITTED-LATER",
    );
    f.commit("a later commit");
    f.edit(
        "moments/somn/welcome.md",
        "Välkommen!",
        "Välkommen! DIRTY-WORKTREE",
    );
    f.write("moments/somn/media/UNTRACKED.txt", "UNTRACKED-FILE");
    std::fs::remove_file(f.root.join("moments/somn/modules/05-framat.md")).expect("remove");

    let out = f.publish("somn/v1.0.0");
    assert_success(&out);
    let published = std::fs::read(f.catalog.join("bundles/somn/1.0.0.tar.gz")).expect("the bundle");
    for leak in ["COMMITTED-LATER", "DIRTY-WORKTREE", "UNTRACKED-FILE"] {
        assert!(
            !archive_contains(&published, leak),
            "{leak} leaked into the bundle"
        );
    }

    // The oracle: `moment build` in a clean checkout of the tag, with the commit's time.
    let clean = f.tmp.path().join("clean");
    git(
        f.tmp.path(),
        &["clone", "-q", path_str(&f.root), path_str(&clean)],
    );
    git(&clean, &["checkout", "-q", "--detach", &tagged]);
    let epoch = git(&clean, &["log", "-1", "--format=%ct", "HEAD"]);
    let dist = f.tmp.path().join("dist");
    let out = wait_with_timeout(
        hermetic(&mut Command::new(BIN))
            .args(["build", "somn", "--out", path_str(&dist)])
            .env("SOURCE_DATE_EPOCH", &epoch)
            .current_dir(&clean)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moment build"),
        "moment build",
    );
    assert_success(&out);
    let built = std::fs::read(dist.join("somn-1.0.0.tar.gz")).expect("the built archive");
    assert!(
        published == built,
        "the published bundle ({} bytes, {}) differs from a clean build of the tag ({} bytes, {})",
        published.len(),
        sha256_hex(&published),
        built.len(),
        sha256_hex(&built)
    );
}

#[test]
fn publishing_the_same_tag_again_changes_nothing() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    assert_success(&f.publish("somn/v1.0.0"));
    let before = snapshot(&f.catalog);
    std::thread::sleep(Duration::from_millis(1100)); // a new published_at would show
    let out = f.publish("somn/v1.0.0");
    assert_success(&out);
    assert!(
        stdout(&out).contains("already published with the same content"),
        "{}",
        show(&out)
    );
    assert_eq!(snapshot(&f.catalog), before, "not one byte changed");

    // Also after a newer version is out: re-running CI for an old tag is harmless.
    f.set_version("somn", "1.1.0");
    f.commit("1.1.0");
    f.sign_tag("anna", "somn/v1.1.0");
    assert_success(&f.publish("somn/v1.1.0"));
    let before = snapshot(&f.catalog);
    let out = f.publish("somn/v1.0.0");
    assert_success(&out);
    assert!(stdout(&out).contains("already published"), "{}", show(&out));
    assert_eq!(snapshot(&f.catalog), before);
}

#[test]
fn the_same_version_with_other_content_is_refused() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    assert_success(&f.publish("somn/v1.0.0"));
    let before = snapshot(&f.catalog);
    // Someone deletes the tag, changes the content without bumping, and signs again.
    git(&f.root, &["tag", "-d", "somn/v1.0.0"]);
    f.edit("moments/somn/welcome.md", "Välkommen!", "Välkommen igen!");
    f.commit("changed content, same version");
    f.sign_tag("bo", "somn/v1.0.0");
    let out = f.publish("somn/v1.0.0");
    assert_refused(
        &out,
        "version 1.0.0 is already in the catalog with other content",
    );
    assert_eq!(snapshot(&f.catalog), before);
}

#[test]
fn every_key_type_the_units_schema_accepts_can_sign() {
    // units.schema.json accepts ssh-ed25519, ssh-rsa and ecdsa-sha2-nistp256/384/521
    // keys, `moment check` raises nothing for them, and git signs and verifies with
    // all of them. A publisher with such a key must be able to publish.
    let kinds: &[(&str, &[&str])] = &[
        ("ed25519", &["-t", "ed25519"]),
        ("ecdsa256", &["-t", "ecdsa", "-b", "256"]),
        ("ecdsa384", &["-t", "ecdsa", "-b", "384"]),
        ("ecdsa521", &["-t", "ecdsa", "-b", "521"]),
        ("rsa", &["-t", "rsa", "-b", "3072"]),
    ];
    let mut failures = Vec::new();
    for (name, args) in kinds {
        let mut f = Fixture::new();
        let key = Key::generate(&f.tmp.path().join("keys"), name, args);
        f.edit(
            "units.yaml",
            "    groups:\n      - name: psykiatri",
            &format!(
                "      - name: Frida {name}\n        key: \"{}\"\n    groups:\n      - name: psykiatri",
                key.public
            ),
        );
        f.keys.insert(*name, key);
        f.commit(&format!("add a {name} publisher"));
        let check = moment(&f.root, &["check", "--format", "json"]);
        assert_success(&check);
        f.sign_tag(name, "somn/v1.0.0");
        assert!(
            f.git_verifies("somn/v1.0.0", &[name]),
            "git verifies {name}"
        );
        let out = f.publish("somn/v1.0.0");
        if code(&out) != 0 {
            failures.push(format!("{name}: {}", stderr(&out).trim()));
        }
    }
    assert!(
        failures.is_empty(),
        "valid signatures refused:\n{}",
        failures.join("\n")
    );
}

/// Eve, in no unit, adds her own key to units.yaml on a branch and signs a release.
fn eve_on_a_branch(f: &Fixture) {
    git(&f.root, &["checkout", "-q", "-b", "eve-was-here"]);
    f.edit(
        "units.yaml",
        "    groups:\n      - name: psykiatri",
        &format!(
            "      - name: Eve Evil\n        key: \"{}\"\n    groups:\n      - name: psykiatri",
            f.key("eve").public
        ),
    );
    f.commit("add me");
    f.sign_tag("eve", "somn/v1.0.0");
    git(
        &f.root,
        &[
            "push",
            "-q",
            "origin",
            "eve-was-here",
            "refs/tags/somn/v1.0.0",
        ],
    );
}

/// A fresh clone of the git host, as CI makes it: origin/HEAD is set by `git clone`.
fn ci_clone(f: &Fixture, name: &str) -> PathBuf {
    let clone = f.tmp.path().join(name);
    git(
        f.tmp.path(),
        &["clone", "-q", path_str(&f.origin()), path_str(&clone)],
    );
    assert_eq!(
        git(&clone, &["symbolic-ref", "refs/remotes/origin/HEAD"]),
        "refs/remotes/origin/main"
    );
    clone
}

#[test]
fn eve_on_a_branch_is_refused_by_the_default_command_line() {
    let f = Fixture::new();
    eve_on_a_branch(&f);
    let clone = ci_clone(&f, "ci");
    git(&clone, &["checkout", "-q", "--detach", "somn/v1.0.0"]);
    let out = moment(
        &clone,
        &[
            "publish",
            "--tag",
            "somn/v1.0.0",
            "--catalog",
            f.catalog_arg(),
        ],
    );
    // The tagged commit is not on main, and Eve's key is only on her branch.
    assert_refused(&out, "is not on origin/main: merge the change first");
    assert!(snapshot(&f.catalog).is_empty());
    // In her own checkout (HEAD on her branch) the default still trusts origin/main.
    let out = f.publish("somn/v1.0.0");
    assert_refused(&out, "is not on origin/main");
    assert!(snapshot(&f.catalog).is_empty());
}

#[test]
fn an_unmerged_commit_signed_by_a_real_publisher_is_refused() {
    let f = Fixture::new();
    git(&f.root, &["checkout", "-q", "-b", "unreviewed"]);
    f.edit(
        "moments/somn/welcome.md",
        "Välkommen",
        "Obehörigt välkommen",
    );
    f.commit("an unreviewed change");
    f.sign_tag("anna", "somn/v1.0.0");
    let out = f.publish("somn/v1.0.0");
    assert_refused(&out, "that is not on origin/main: merge the change first");
    // With --trust main too.
    let out = f.publish_to("somn/v1.0.0", f.catalog_arg(), &["--trust", "main"]);
    assert_refused(&out, "that is not on main: merge the change first");
    assert!(snapshot(&f.catalog).is_empty());
    // Merged, the same tag publishes.
    git(&f.root, &["checkout", "-q", "main"]);
    git(&f.root, &["merge", "-q", "--ff-only", "unreviewed"]);
    git(&f.root, &["push", "-q", "origin", "main"]);
    assert_success(&f.publish("somn/v1.0.0"));
}

#[test]
fn without_origin_head_or_trust_publish_refuses_and_says_how() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    git(&f.root, &["remote", "set-head", "origin", "--delete"]);
    let out = f.publish("somn/v1.0.0");
    assert_refused(
        &out,
        "pass the reviewed branch, such as `--trust origin/main`",
    );
    assert!(snapshot(&f.catalog).is_empty());
    assert_success(&f.publish_to("somn/v1.0.0", f.catalog_arg(), &["--trust", "origin/main"]));
}

#[test]
fn a_moment_relabelled_to_another_unit_is_refused() {
    // Dora publishes for region-annan. She relabels somn (region-exempel) as hers.
    let f = Fixture::new();
    git(&f.root, &["checkout", "-q", "-b", "hijack"]);
    f.edit(
        "moments/somn/moment.yaml",
        "unit: region-exempel",
        "unit: region-annan",
    );
    f.commit("somn is ours now");
    f.sign_tag("dora", "somn/v1.0.0");
    assert_refused(&f.publish("somn/v1.0.0"), "is not on origin/main");
    // Even merged, the unit at the tag must equal the unit on the trusted branch at
    // the time of publishing: a later commit on main moves it back.
    git(&f.root, &["checkout", "-q", "main"]);
    git(&f.root, &["merge", "-q", "--ff-only", "hijack"]);
    f.edit(
        "moments/somn/moment.yaml",
        "unit: region-annan",
        "unit: region-exempel",
    );
    f.commit("revert the hijack");
    assert_refused(
        &f.publish("somn/v1.0.0"),
        "names unit `region-annan` at the tag but `region-exempel` on origin/main",
    );
    assert!(snapshot(&f.catalog).is_empty());
}

#[test]
fn a_publisher_removed_on_main_can_no_longer_sign_an_old_commit() {
    let f = Fixture::new();
    let first = git(&f.root, &["rev-parse", "HEAD"]);
    let units = f.read("units.yaml");
    let anna_line = format!(
        "      - name: Anna Andersson\n        key: \"{}\"\n",
        f.key("anna").public
    );
    assert!(units.contains(&anna_line));
    f.write("units.yaml", &units.replace(&anna_line, ""));
    f.commit("Anna left");
    f.sign_tag_at("anna", "somn/v1.0.0", &first);
    assert_refused(&f.publish("somn/v1.0.0"), "not a publisher");
    // Bo, still a publisher on main, signs the same commit instead.
    git(&f.root, &["tag", "-d", "somn/v1.0.0"]);
    f.sign_tag_at("bo", "somn/v1.0.0", &first);
    assert_success(&f.publish("somn/v1.0.0"));
}

#[test]
fn an_empty_aws_endpoint_url_means_aws_itself_not_a_crash() {
    // The GitHub workflow template passes `AWS_ENDPOINT_URL: ${{ vars.AWS_ENDPOINT_URL }}`
    // and tells AWS users to leave the variable unset, which makes it an empty string.
    // An empty value must mean "no custom endpoint" (AWS itself), not a panic. The
    // request would go to AWS; a proxy on a closed port keeps it on this machine, so
    // `moment` either fails with an ordinary error or is still retrying after a while.
    let f = Fixture::new();
    let mut child = hermetic(&mut Command::new(BIN))
        .args([
            "catalog",
            "list",
            "--catalog",
            "s3://innehallskatalog/moments",
        ])
        .env("AWS_ENDPOINT_URL", "")
        .env("AWS_REGION", "eu-north-1")
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "not-a-secret")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .current_dir(&f.root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start moment");
    let start = Instant::now();
    let finished = loop {
        if child.try_wait().expect("wait").is_some() {
            break true;
        }
        if start.elapsed() > Duration::from_secs(5) {
            child.kill().ok();
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().expect("output");
    if finished {
        assert_ne!(
            out.status.code(),
            Some(101),
            "moment panicked on an empty AWS_ENDPOINT_URL:\n{}",
            show(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{}", show(&out));
    }
}

// ================================================================ catalog verify

fn published_fixture() -> Fixture {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    assert_success(&f.publish("somn/v1.0.0"));
    f
}

#[test]
fn verify_reports_a_flipped_byte() {
    let f = published_fixture();
    let path = f.catalog.join("bundles/somn/1.0.0.tar.gz");
    let mut bytes = std::fs::read(&path).expect("bundle");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, bytes).expect("tamper");

    let out = f.verify();
    assert_eq!(code(&out), 1, "{}", show(&out));
    let text = stdout(&out);
    assert!(
        text.contains("error: somn 1.0.0: the bundle was changed"),
        "verify names the tampered bundle:\n{text}"
    );
    assert!(text.contains("1 tampered or missing"), "{text}");
    let (exit, report) = f.verify_json();
    assert_eq!(exit, 1);
    assert_eq!(report["errors"], 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["id"], "somn");
    assert_eq!(finding["version"], "1.0.0");
}

#[test]
fn verify_reports_a_deleted_bundle() {
    let f = published_fixture();
    std::fs::remove_file(f.catalog.join("bundles/somn/1.0.0.tar.gz")).expect("delete");
    let out = f.verify();
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stdout(&out).contains("error: somn 1.0.0: the bundle listed in the index is missing"),
        "{}",
        show(&out)
    );
}

#[test]
fn verify_reports_a_rewritten_index() {
    // The convenience copy edited by hand: it matches no generation.
    let f = published_fixture();
    let copy = f.catalog.join("index/somn.json");
    let text = std::fs::read_to_string(&copy).expect("copy");
    std::fs::write(&copy, text.replace("Anna Andersson", "Mallory")).expect("rewrite");
    let out = f.verify();
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stdout(&out).contains("index/somn.json matches no index generation"),
        "{}",
        show(&out)
    );

    // A later generation that drops a published version.
    let f = published_fixture();
    f.set_version("somn", "1.1.0");
    f.commit("1.1.0");
    f.sign_tag("anna", "somn/v1.1.0");
    assert_success(&f.publish("somn/v1.1.0"));
    let second = f.catalog.join("index/somn/0000000002.json");
    let mut index: Value =
        serde_json::from_slice(&std::fs::read(&second).expect("gen 2")).expect("JSON");
    index["versions"]
        .as_array_mut()
        .expect("versions")
        .remove(0);
    let text = serde_json::to_string_pretty(&index).expect("JSON") + "\n";
    std::fs::write(&second, &text).expect("rewrite gen 2");
    std::fs::write(f.catalog.join("index/somn.json"), &text).expect("rewrite copy");
    let out = f.verify();
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stdout(&out).contains("error: somn 1.0.0: generation 2 dropped or moved this version"),
        "{}",
        show(&out)
    );
}

#[test]
fn re_running_a_cut_off_publish_completes_it() {
    // 1. The bundle was written, the index never: a warning, and publishing the same
    //    tag again completes it.
    let f = published_fixture();
    let crashed = f.tmp.path().join("crashed");
    copy_tree(&f.catalog.join("bundles"), &crashed.join("bundles"));
    let crashed_arg = path_str(&crashed);
    let out = moment(&f.root, &["catalog", "verify", "--catalog", crashed_arg]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("warning: somn 1.0.0: a bundle that no index lists"),
        "{}",
        show(&out)
    );
    let (exit, report) = verify_json(&f.root, crashed_arg);
    assert_eq!(exit, 0);
    assert_eq!(report["errors"], 0);
    assert_eq!(report["findings"][0]["severity"], "warning");
    let out = f.publish_to("somn/v1.0.0", crashed_arg, &[]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("published somn/v1.0.0"),
        "{}",
        show(&out)
    );
    let (exit, report) = verify_json(&f.root, crashed_arg);
    assert_eq!(exit, 0);
    assert_eq!(report["findings"], serde_json::json!([]), "completed");

    // 2. The next index generation was written, the copy index/<id>.json not updated.
    //    Readers of the copy would see the old state (a rollback), so verify fails and
    //    says how to complete it; re-running the same publish completes it.
    let f = published_fixture();
    let copy = f.catalog.join("index/somn.json");
    let old_copy = std::fs::read(&copy).expect("copy");
    f.set_version("somn", "1.1.0");
    f.commit("1.1.0");
    f.sign_tag("anna", "somn/v1.1.0");
    assert_success(&f.publish("somn/v1.1.0"));
    std::fs::write(&copy, &old_copy).expect("roll the copy back");
    let out = f.verify();
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stdout(&out).contains(
            "error: somn: index/somn.json is generation 1, the head is 2: re-run the latest publish or yank to complete it"
        ),
        "{}",
        show(&out)
    );
    assert_eq!(
        version_names(&f.versions("somn")),
        ["1.0.0", "1.1.0"],
        "list reads the latest generation, not the stale copy"
    );
    let out = f.publish("somn/v1.1.0");
    assert_success(&out);
    assert!(stdout(&out).contains("already published"), "{}", show(&out));
    let (exit, report) = f.verify_json();
    assert_eq!(exit, 0, "{report}");
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(
        std::fs::read(&copy).expect("copy"),
        std::fs::read(f.catalog.join("index/somn/0000000002.json")).expect("head")
    );

    // 3. The copy is missing altogether (cut off after the first generation).
    let f = published_fixture();
    std::fs::remove_file(f.catalog.join("index/somn.json")).expect("delete the copy");
    let out = f.verify();
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stdout(&out).contains("index/somn.json is missing"),
        "{}",
        show(&out)
    );
    assert_eq!(version_names(&f.versions("somn")), ["1.0.0"]);
    assert_success(&f.publish("somn/v1.0.0"));
    assert_success(&f.verify());
}

#[test]
fn verify_advice_for_a_bundle_no_index_lists_holds() {
    // Two publishes of one moment race: 1.0.0 writes its bundle, then finds 1.1.0 in the
    // index and is refused (the version rule). Its bundle stays (append-only). This test
    // makes that state directly: 1.1.0 published, 1.0.0's bundle next to it, no entry.
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    let scratch = f.tmp.path().join("scratch");
    assert_success(&f.publish_to("somn/v1.0.0", path_str(&scratch), &[]));
    f.set_version("somn", "1.1.0");
    f.commit("1.1.0");
    f.sign_tag("anna", "somn/v1.1.0");
    assert_success(&f.publish("somn/v1.1.0"));
    std::fs::copy(
        scratch.join("bundles/somn/1.0.0.tar.gz"),
        f.catalog.join("bundles/somn/1.0.0.tar.gz"),
    )
    .expect("the refused publish's bundle");

    let out = f.verify();
    assert_success(&out);
    let text = stdout(&out);
    assert!(
        text.contains("warning: somn 1.0.0: a bundle that no index lists"),
        "{text}"
    );
    // Whatever verify advises must work: if it says that publishing the tag again
    // completes it, publishing the tag again must complete it.
    if text.contains("publishing the same tag again completes it") {
        let again = f.publish("somn/v1.0.0");
        assert_eq!(
            code(&again),
            0,
            "verify said re-publishing completes somn 1.0.0, but:\n{}",
            show(&again)
        );
    }
}

#[test]
fn list_and_verify_on_an_empty_catalog() {
    let f = Fixture::new();
    let out = moment(&f.root, &["catalog", "list", "--catalog", f.catalog_arg()]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("the catalog is empty"),
        "{}",
        show(&out)
    );
    assert_eq!(f.list_json(), serde_json::json!({"moments": []}));
    let (exit, report) = f.verify_json();
    assert_eq!(exit, 0);
    assert_eq!(report["checked"], 0);
}

// ================================================================ yank

#[test]
fn a_publisher_yanks_a_version_with_a_signed_tag() {
    let f = published_fixture();
    f.set_version("somn", "1.1.0");
    f.commit("1.1.0");
    f.sign_tag("anna", "somn/v1.1.0");
    assert_success(&f.publish("somn/v1.1.0"));
    let bundle_before = std::fs::read(f.catalog.join("bundles/somn/1.0.0.tar.gz")).expect("b");

    f.sign_tag("bo", "yank/somn/v1.0.0");
    assert!(f.git_verifies("yank/somn/v1.0.0", &["bo"]));
    let out = moment(
        &f.root,
        &[
            "catalog",
            "yank",
            "somn",
            "1.0.0",
            "--catalog",
            f.catalog_arg(),
        ],
    );
    assert_success(&out);
    assert!(
        stdout(&out).contains("yanked somn 1.0.0 by Bo Berg"),
        "{}",
        show(&out)
    );

    let versions = f.versions("somn");
    assert_eq!(version_names(&versions), ["1.0.0", "1.1.0"]);
    assert_eq!(versions[0]["yanked"], true);
    assert_eq!(versions[0]["yanked_by"]["tag"], "yank/somn/v1.0.0");
    assert_eq!(versions[0]["yanked_by"]["signer"]["name"], "Bo Berg");
    assert_eq!(
        versions[0]["yanked_by"]["signer"]["fingerprint"],
        f.key("bo").fingerprint()
    );
    assert_eq!(versions[0]["signer"]["name"], "Anna Andersson", "kept");
    assert_eq!(versions[1]["yanked"], false);

    let out = moment(&f.root, &["catalog", "list", "--catalog", f.catalog_arg()]);
    let table = stdout(&out);
    let row = |v: &str| {
        table
            .lines()
            .find(|l| l.starts_with("somn") && l.contains(&format!(" {v} ")))
            .unwrap_or_else(|| panic!("no row for {v}:\n{table}"))
            .to_owned()
    };
    assert!(row("1.0.0").contains("yanked"), "{table}");
    assert!(row("1.1.0").contains("active"), "{table}");

    // The bytes stay, and the catalog still verifies.
    assert_eq!(
        std::fs::read(f.catalog.join("bundles/somn/1.0.0.tar.gz")).expect("b"),
        bundle_before
    );
    let (exit, report) = f.verify_json();
    assert_eq!(exit, 0, "{report:#}");
    assert_eq!(report["findings"], serde_json::json!([]));

    // Yanking again is harmless and writes nothing.
    let before = snapshot(&f.catalog);
    let out = moment(
        &f.root,
        &[
            "catalog",
            "yank",
            "somn",
            "1.0.0",
            "--catalog",
            f.catalog_arg(),
        ],
    );
    assert_success(&out);
    assert_eq!(snapshot(&f.catalog), before);

    // A yanked version still counts: it cannot be published again, nor undercut.
    assert!(stdout(&f.publish("somn/v1.0.0")).contains("already published"));
}

#[test]
fn a_yank_must_be_signed_by_a_publisher_of_the_unit() {
    let f = published_fixture();
    let before = snapshot(&f.catalog);
    let yank = |tag: Option<&str>| {
        let mut args = vec![
            "catalog",
            "yank",
            "somn",
            "1.0.0",
            "--catalog",
            f.catalog_arg(),
        ];
        if let Some(tag) = tag {
            args.extend(["--tag", tag]);
        }
        moment(&f.root, &args)
    };

    f.sign_tag("dora", "yank/somn/v1.0.0");
    assert_refused(&yank(None), "not a publisher of unit `region-exempel`");
    git(&f.root, &["tag", "-d", "yank/somn/v1.0.0"]);

    f.sign_tag("eve", "yank/somn/v1.0.0");
    assert_refused(&yank(None), "not a publisher");
    git(&f.root, &["tag", "-d", "yank/somn/v1.0.0"]);

    git(&f.root, &["tag", "-a", "-m", "yank", "yank/somn/v1.0.0"]);
    assert_refused(&yank(None), "is not signed");
    git(&f.root, &["tag", "-d", "yank/somn/v1.0.0"]);

    git(&f.root, &["tag", "yank/somn/v1.0.0"]);
    assert_refused(&yank(None), "lightweight");
    git(&f.root, &["tag", "-d", "yank/somn/v1.0.0"]);

    // A release tag is not a yank tag, even when signed by a publisher.
    f.sign_tag("anna", "somn/v1.0.0-other");
    assert_refused(&yank(Some("somn/v1.0.0-other")), "not a release tag");

    assert_eq!(snapshot(&f.catalog), before, "nothing was yanked");
    assert!(f.versions("somn").iter().all(|v| v["yanked"] == false));

    // A version that was never published cannot be yanked.
    f.sign_tag("anna", "yank/somn/v9.0.0");
    let out = moment(
        &f.root,
        &[
            "catalog",
            "yank",
            "somn",
            "9.0.0",
            "--catalog",
            f.catalog_arg(),
        ],
    );
    assert_refused(&out, "somn 9.0.0 is not in the catalog");
}

// ================================================================ concurrency

#[test]
fn eight_moments_published_at_once_all_arrive() {
    let f = Fixture::new();
    let ids: Vec<String> = (1..=8).map(|i| format!("samtidig-{i}")).collect();
    for id in &ids {
        let out = moment(&f.root, &["new", id, "--unit", "region-exempel"]);
        assert_success(&out);
        f.write(
            &format!("moments/{id}/docs/riskanalys.md"),
            REAL_RISK_ANALYSIS,
        );
    }
    f.commit("eight moments");
    let version = |id: &str| {
        f.read(&format!("moments/{id}/moment.yaml"))
            .lines()
            .find_map(|l| l.strip_prefix("version:"))
            .expect("a version")
            .trim()
            .trim_matches('"')
            .to_owned()
    };
    let tags: Vec<String> = ids
        .iter()
        .map(|id| format!("{id}/v{}", version(id)))
        .collect();
    for (i, tag) in tags.iter().enumerate() {
        f.sign_tag(if i % 2 == 0 { "anna" } else { "bo" }, tag);
    }

    let children: Vec<(String, Child)> = tags
        .iter()
        .map(|tag| {
            (
                tag.clone(),
                spawn_moment(
                    &f.root,
                    &["publish", "--tag", tag, "--catalog", f.catalog_arg()],
                ),
            )
        })
        .collect();
    for (tag, child) in children {
        let out = wait_with_timeout(child, &format!("moment publish --tag {tag}"));
        assert_success(&out);
    }

    let list = f.list_json();
    assert_eq!(list["moments"].as_array().expect("moments").len(), 8);
    for (id, tag) in ids.iter().zip(&tags) {
        let versions = versions_of(&list, id);
        assert_eq!(versions.len(), 1, "{id}: {versions:?}");
        assert_eq!(versions[0]["tag"], tag.as_str());
        let copy: Value = serde_json::from_slice(
            &std::fs::read(f.catalog.join(format!("index/{id}.json"))).expect("copy"),
        )
        .expect("JSON");
        assert_eq!(copy["generation"], 1);
        assert_eq!(copy["versions"], Value::Array(versions));
    }
    let (exit, report) = f.verify_json();
    assert_eq!(exit, 0, "{report:#}");
    assert_eq!(report["checked"], 8);
    assert_eq!(report["findings"], serde_json::json!([]));
}

/// The generations of `id` in a local catalog, oldest first.
fn generations(catalog: &Path, id: &str) -> Vec<Value> {
    snapshot(&catalog.join("index").join(id))
        .iter()
        .map(|(_, b)| serde_json::from_slice(b).expect("a generation is JSON"))
        .collect()
}

#[test]
fn two_versions_of_one_moment_published_at_once_lose_nothing() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    f.set_version("somn", "1.1.0");
    f.commit("1.1.0");
    f.sign_tag("bo", "somn/v1.1.0");

    let mut orders = BTreeMap::new();
    for round in 0..4 {
        let catalog = f.tmp.path().join(format!("race-{round}"));
        let catalog_arg = path_str(&catalog);
        let children: Vec<(&str, Child)> = ["somn/v1.0.0", "somn/v1.1.0"]
            .into_iter()
            .map(|tag| {
                (
                    tag,
                    spawn_moment(
                        &f.root,
                        &["publish", "--tag", tag, "--catalog", catalog_arg],
                    ),
                )
            })
            .collect();
        let outs: Vec<(&str, Output)> = children
            .into_iter()
            .map(|(tag, child)| (tag, wait_with_timeout(child, tag)))
            .collect();
        let listed = version_names(&versions_of(&list_json(&f.root, catalog_arg), "somn"));
        // Every publish that said yes is in the index: nothing was lost.
        for (tag, out) in &outs {
            let version = tag.trim_start_matches("somn/v");
            if code(out) == 0 {
                assert!(
                    listed.iter().any(|v| v == version),
                    "round {round}: {tag} succeeded but the index lists {listed:?}\n{}",
                    show(out)
                );
            } else {
                // The only acceptable refusal: 1.1.0 got there first, and 1.0.0 is not
                // greater than it (the version rule, not a lost update).
                assert_eq!(*tag, "somn/v1.0.0", "round {round}: {}", show(out));
                assert_refused(
                    out,
                    "version 1.0.0 is not greater than the published version 1.1.0",
                );
            }
        }
        assert!(
            listed.iter().any(|v| v == "1.1.0"),
            "round {round}: {listed:?}"
        );
        // The generations are contiguous, each one adds exactly one version.
        let gens = generations(&catalog, "somn");
        for (i, g) in gens.iter().enumerate() {
            assert_eq!(g["generation"], i as u64 + 1, "round {round}");
            assert_eq!(
                g["versions"].as_array().expect("versions").len(),
                i + 1,
                "round {round}"
            );
        }
        let (exit, report) = verify_json(&f.root, catalog_arg);
        assert_eq!(exit, 0, "round {round}: {report:#}");
        assert_eq!(report["errors"], 0, "round {round}: {report:#}");
        *orders.entry(listed.join(",")).or_insert(0) += 1;
    }
    eprintln!("outcomes over the rounds: {orders:?}");
}

#[test]
fn a_yank_and_a_publish_at_once_both_arrive() {
    // Unlike two releases, a yank of 1.0.0 and a publish of 1.1.0 never exclude each
    // other: whichever writes its index generation second must retry on top of the
    // first, and both changes must be in the final index.
    let f = published_fixture();
    f.set_version("somn", "1.1.0");
    f.commit("1.1.0");
    f.sign_tag("anna", "somn/v1.1.0");
    f.sign_tag("bo", "yank/somn/v1.0.0");
    let published_only = snapshot(&f.catalog);

    for round in 0..4 {
        let catalog = f.tmp.path().join(format!("yank-race-{round}"));
        for (rel, bytes) in &published_only {
            let path = catalog.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
            std::fs::write(path, bytes).expect("copy the catalog");
        }
        let catalog_arg = path_str(&catalog);
        let publish = spawn_moment(
            &f.root,
            &["publish", "--tag", "somn/v1.1.0", "--catalog", catalog_arg],
        );
        let yank = spawn_moment(
            &f.root,
            &["catalog", "yank", "somn", "1.0.0", "--catalog", catalog_arg],
        );
        assert_success(&wait_with_timeout(publish, "publish"));
        assert_success(&wait_with_timeout(yank, "yank"));
        let versions = versions_of(&list_json(&f.root, catalog_arg), "somn");
        assert_eq!(
            version_names(&versions),
            ["1.0.0", "1.1.0"],
            "round {round}"
        );
        assert_eq!(versions[0]["yanked"], true, "round {round}: {versions:?}");
        assert_eq!(versions[1]["yanked"], false, "round {round}");
        assert_eq!(generations(&catalog, "somn").len(), 3, "round {round}");
        let (exit, report) = verify_json(&f.root, catalog_arg);
        assert_eq!(exit, 0, "round {round}: {report:#}");
        assert_eq!(report["errors"], 0, "round {round}: {report:#}");
    }
}

#[test]
fn eight_yanks_of_one_moment_at_once_all_arrive() {
    // Yanks of different versions never exclude each other, so every one of them must
    // be in the final index: eight writers of one index at the same moment, each
    // retrying on the generation another wrote first.
    let f = Fixture::new();
    let versions: Vec<String> = (0..8).map(|i| format!("1.{i}.0")).collect();
    for v in &versions {
        f.set_version("somn", v);
        f.commit(v);
        let tag = format!("somn/v{v}");
        f.sign_tag("anna", &tag);
        assert_success(&f.publish(&tag));
        f.sign_tag("bo", &format!("yank/{tag}"));
    }
    let children: Vec<(String, Child)> = versions
        .iter()
        .map(|v| {
            (
                v.clone(),
                spawn_moment(
                    &f.root,
                    &["catalog", "yank", "somn", v, "--catalog", f.catalog_arg()],
                ),
            )
        })
        .collect();
    for (v, child) in children {
        assert_success(&wait_with_timeout(child, &format!("yank {v}")));
    }
    let listed = f.versions("somn");
    let not_yanked: Vec<&Value> = listed.iter().filter(|v| v["yanked"] != true).collect();
    assert!(
        not_yanked.is_empty(),
        "every yank said yes, but these are not yanked: {not_yanked:?}"
    );
    let gens = generations(&f.catalog, "somn");
    assert_eq!(
        gens.len(),
        16,
        "8 publishes and 8 yanks, one generation each"
    );
    let (exit, report) = f.verify_json();
    assert_eq!(exit, 0, "{report:#}");
    assert_eq!(report["errors"], 0, "{report:#}");
}

#[test]
fn the_same_tag_published_twice_at_once_is_one_entry() {
    // CI re-run while the first run is still publishing: both succeed, one entry.
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    let children: Vec<Child> = (0..3)
        .map(|_| {
            spawn_moment(
                &f.root,
                &[
                    "publish",
                    "--tag",
                    "somn/v1.0.0",
                    "--catalog",
                    f.catalog_arg(),
                ],
            )
        })
        .collect();
    for child in children {
        assert_success(&wait_with_timeout(child, "publish"));
    }
    assert_eq!(version_names(&f.versions("somn")), ["1.0.0"]);
    assert_eq!(generations(&f.catalog, "somn").len(), 1);
    let (exit, report) = f.verify_json();
    assert_eq!(exit, 0, "{report:#}");
    assert_eq!(report["findings"], serde_json::json!([]));
}

// ================================================================ init, codeowners

#[test]
fn init_makes_a_repository_that_checks_clean() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("nytt");
    let out = moment(tmp.path(), &["init", path_str(&dir)]);
    assert_success(&out);
    for file in [
        "units.yaml",
        ".github/workflows/moment.yml",
        ".gitlab-ci.yml",
        ".github/CODEOWNERS",
        "schemas/units.schema.json",
        "moments/exempel/moment.yaml",
        "moments/exempel/docs/riskanalys.md",
    ] {
        assert!(dir.join(file).is_file(), "init writes {file}");
    }
    let out = moment(tmp.path(), &["check", path_str(&dir), "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(report["errors"], 0, "{report:#}");
    // The workflows publish with the default trust (origin/HEAD), which they set.
    let workflow = std::fs::read_to_string(dir.join(".github/workflows/moment.yml")).expect("wf");
    assert!(
        workflow.contains("moment publish --tag \"${{ github.ref_name }}\"\n"),
        "{workflow}"
    );
    assert!(
        workflow.contains("git remote set-head origin --auto"),
        "{workflow}"
    );
    assert!(!workflow.contains("--trust"), "{workflow}");
    let gitlab = std::fs::read_to_string(dir.join(".gitlab-ci.yml")).expect("gitlab");
    assert!(
        gitlab.contains("git remote set-head origin \"$CI_DEFAULT_BRANCH\""),
        "{gitlab}"
    );
    assert!(
        gitlab.contains("moment publish --tag \"$CI_COMMIT_TAG\"\n"),
        "{gitlab}"
    );
    // Four eyes: production units need two publishers' signatures.
    let units = std::fs::read_to_string(dir.join("units.yaml")).expect("units");
    assert!(
        units.contains("kind: production\n    approvals: 2\n"),
        "{units}"
    );
    // The risk analysis is detectably the template: check warns (W020).
    assert!(
        report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .any(|d| d["code"] == "W020"),
        "{report:#}"
    );
    // A second init into the same folder refuses rather than overwrite.
    let out = moment(tmp.path(), &["init", path_str(&dir)]);
    assert_eq!(code(&out), 2, "{}", show(&out));
}

#[test]
fn codeowners_is_written_from_the_groups_and_check_warns_when_stale() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("repo");
    assert_success(&moment(tmp.path(), &["init", path_str(&dir)]));
    let codeowners = dir.join(".github/CODEOWNERS");
    std::fs::remove_file(&codeowners).expect("start without CODEOWNERS");

    let out = moment(&dir, &["codeowners"]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("wrote .github/CODEOWNERS"),
        "{}",
        show(&out)
    );
    let text = std::fs::read_to_string(&codeowners).expect("CODEOWNERS");
    assert!(
        text.starts_with("# Generated by `moment codeowners`"),
        "{text}"
    );
    assert!(
        text.contains("/moments/exempel/ @din-anvandare\n"),
        "{text}"
    );
    assert_success(&moment(&dir, &["codeowners", "--check"]));
    let w015 = |dir: &Path| {
        let out = moment(dir, &["check", "--format", "json"]);
        let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
        report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["code"] == "W015")
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(w015(&dir).is_empty());

    // A new member in the group: CODEOWNERS is now out of date.
    let units = dir.join("units.yaml");
    let text = std::fs::read_to_string(&units).expect("units");
    std::fs::write(
        &units,
        text.replace(
            "members: [\"@din-anvandare\"]",
            "members: [\"@din-anvandare\", \"@ny-designer\"]",
        ),
    )
    .expect("edit units.yaml");
    let found = w015(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["severity"], "warning");
    assert_eq!(found[0]["file"], ".github/CODEOWNERS");
    let check = moment(&dir, &["check"]);
    assert_eq!(code(&check), 0, "a warning does not fail the check");
    let out = moment(&dir, &["codeowners", "--check"]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(stderr(&out).contains("out of date"), "{}", show(&out));

    assert_success(&moment(&dir, &["codeowners"]));
    let text = std::fs::read_to_string(&codeowners).expect("CODEOWNERS");
    assert!(
        text.contains("/moments/exempel/ @din-anvandare @ny-designer\n"),
        "{text}"
    );
    assert!(w015(&dir).is_empty());

    // A hand edit is caught too, wherever the host looks for the file.
    std::fs::remove_file(&codeowners).expect("move");
    std::fs::write(dir.join("CODEOWNERS"), "/moments/ @someone\n").expect("hand-written");
    let found = w015(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["file"], "CODEOWNERS");
    assert_success(&moment(&dir, &["codeowners"]));
    assert!(w015(&dir).is_empty());
    assert!(
        !codeowners.exists(),
        "codeowners updates the file where it is"
    );
}

/// The publishing chapter of the book, step by step.
#[test]
fn the_publisher_chapter_end_to_end() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = tmp.path().join("vardprogram");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");

    // moment init
    assert_success(&moment(tmp.path(), &["init", path_str(&repo)]));

    // Each publisher makes a key (ssh-keygen -t ed25519) and sends the .pub line.
    let anna = Key::ed25519(&home, "anna");
    let bo = Key::ed25519(&home, "bo");
    let units = repo.join("units.yaml");
    let text = std::fs::read_to_string(&units).expect("units");
    let text = text.replacen(
        "    publishers: []\n",
        &format!(
            "    publishers:\n      - name: Anna Andersson\n        key: \"{}\"\n      - name: Bo Berg\n        key: \"{}\"\n",
            anna.public, bo.public
        ),
        1,
    );
    std::fs::write(&units, text).expect("add the keys");
    // The designer writes the real risk analysis in place of the template.
    std::fs::write(
        repo.join("moments/exempel/docs/riskanalys.md"),
        REAL_RISK_ANALYSIS,
    )
    .expect("risk analysis");
    let out = moment(&repo, &["check", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(report["errors"], 0, "{report:#}");
    assert_eq!(
        report["warnings"], 0,
        "two publishers, no warning: {report:#}"
    );

    // git init, commit, push to the git host (here a bare repository); the clone's
    // origin/HEAD is the trusted revision.
    let host = tmp.path().join("host.git");
    git(
        tmp.path(),
        &["init", "-q", "--bare", "-b", "main", path_str(&host)],
    );
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "Ny repository med exempel"]);
    git(&repo, &["remote", "add", "origin", path_str(&host)]);
    git(&repo, &["push", "-q", "origin", "main"]);
    git(&repo, &["remote", "set-head", "origin", "--auto"]);

    // One-time git set-up, as the chapter tells it (per repository here; --global on a
    // publisher's own machine): sign with SSH, with the public key's path.
    git(&repo, &["config", "gpg.format", "ssh"]);
    git(
        &repo,
        &[
            "config",
            "user.signingkey",
            path_str(&anna.path.with_extension("pub")),
        ],
    );

    // The version policy: the first release of exempel is its version in moment.yaml.
    let yaml = std::fs::read_to_string(repo.join("moments/exempel/moment.yaml")).expect("yaml");
    assert!(yaml.contains("version: \"0.1.0\""), "{yaml}");
    git(
        &repo,
        &["tag", "-s", "exempel/v0.1.0", "-m", "Exempel 0.1.0"],
    );
    let allowed = tmp.path().join("allowed_signers");
    std::fs::write(&allowed, format!("anna@example.se {}\n", anna.public)).expect("allowed");
    git(
        &repo,
        &[
            "-c",
            &format!("gpg.ssh.allowedSignersFile={}", path_str(&allowed)),
            "verify-tag",
            "exempel/v0.1.0",
        ],
    );

    // What CI does after the push: publish, trusting origin/HEAD. The unit requires
    // two approvals (`moment init` writes `approvals: 2`): Anna's alone is refused.
    let catalog = tmp.path().join("innehallskatalog");
    let publish = |tag: &str| {
        moment(
            &repo,
            &["publish", "--tag", tag, "--catalog", path_str(&catalog)],
        )
    };
    assert_refused(
        &publish("exempel/v0.1.0"),
        "needs 2 approvals by distinct publishers and has 1 (Anna Andersson): 1 more must sign",
    );
    assert!(!catalog.join("bundles").exists());
    // Anna cannot approve twice.
    git(
        &repo,
        &[
            "tag",
            "-s",
            "approve/exempel/v0.1.0/anna",
            "-m",
            "Godkänd",
            "exempel/v0.1.0^{}",
        ],
    );
    assert_refused(&publish("exempel/v0.1.0"), "has 1 (Anna Andersson)");
    // Bo approves: a signed tag on the same commit.
    let sign_as = |key: &Key| {
        git(
            &repo,
            &[
                "config",
                "user.signingkey",
                path_str(&key.path.with_extension("pub")),
            ],
        );
    };
    sign_as(&bo);
    git(
        &repo,
        &[
            "tag",
            "-s",
            "approve/exempel/v0.1.0/bo",
            "-m",
            "Slutgranskad",
            "exempel/v0.1.0^{}",
        ],
    );
    sign_as(&anna);
    let out = publish("exempel/v0.1.0");
    assert_success(&out);
    let out = moment(
        &repo,
        &["catalog", "verify", "--catalog", path_str(&catalog)],
    );
    assert_success(&out);
    assert!(stdout(&out).contains("checked 1 bundle(s): 0 tampered or missing"));
    let list = list_json(&repo, path_str(&catalog));
    let versions = versions_of(&list, "exempel");
    assert_eq!(version_names(&versions), ["0.1.0"]);
    assert_eq!(versions[0]["signer"]["name"], "Anna Andersson");
    assert_eq!(versions[0]["approvals"][0]["signer"]["name"], "Bo Berg");
    assert_eq!(
        versions[0]["approvals"][0]["tag"],
        "approve/exempel/v0.1.0/bo"
    );

    // The next release: bump, commit, sign, publish; then yank the first.
    let yaml = yaml.replace("version: \"0.1.0\"", "version: \"0.2.0\"");
    std::fs::write(repo.join("moments/exempel/moment.yaml"), yaml).expect("bump");
    git(&repo, &["commit", "-q", "-am", "exempel 0.2.0"]);
    git(&repo, &["push", "-q", "origin", "main"]);
    git(
        &repo,
        &["tag", "-s", "exempel/v0.2.0", "-m", "Exempel 0.2.0"],
    );
    sign_as(&bo);
    git(
        &repo,
        &[
            "tag",
            "-s",
            "approve/exempel/v0.2.0/bo",
            "-m",
            "Slutgranskad",
            "exempel/v0.2.0^{}",
        ],
    );
    let catalog_arg = path_str(&catalog);
    assert_success(&publish("exempel/v0.2.0"));
    git(
        &repo,
        &[
            "config",
            "user.signingkey",
            path_str(&bo.path.with_extension("pub")),
        ],
    );
    git(
        &repo,
        &["tag", "-s", "yank/exempel/v0.1.0", "-m", "Fel i texten"],
    );
    assert_success(&moment(
        &repo,
        &[
            "catalog",
            "yank",
            "exempel",
            "0.1.0",
            "--catalog",
            catalog_arg,
        ],
    ));
    let versions = versions_of(&list_json(&repo, catalog_arg), "exempel");
    assert_eq!(version_names(&versions), ["0.1.0", "0.2.0"]);
    assert_eq!(versions[0]["yanked"], true);
    assert_eq!(versions[0]["yanked_by"]["signer"]["name"], "Bo Berg");
    assert_eq!(versions[0]["yanked_by"]["reason"], "Fel i texten");
    assert_success(&moment(
        &repo,
        &["catalog", "verify", "--catalog", catalog_arg],
    ));
}

// ================================================================ hostile tags

/// Replaces the object of tag `name` by `forged` bytes, written as they are (git's
/// `hash-object --literally`, so that even objects `git mktag` would refuse exist).
fn forge_tag(f: &Fixture, name: &str, forged: &[u8]) {
    let id = git_stdin(
        &f.root,
        &["hash-object", "-t", "tag", "-w", "--stdin", "--literally"],
        forged,
    );
    git(&f.root, &["update-ref", &format!("refs/tags/{name}"), &id]);
}

fn raw_tag(f: &Fixture, name: &str) -> Vec<u8> {
    git_output(&f.root, &["cat-file", "tag", name]).stdout
}

fn signature_at(raw: &[u8]) -> usize {
    raw.windows(29)
        .position(|w| w == b"-----BEGIN SSH SIGNATURE-----")
        .expect("an SSH signature")
}

#[test]
fn a_latin1_release_message_verifies_over_its_raw_bytes() {
    let f = Fixture::new();
    let message = f.tmp.path().join("message");
    std::fs::write(&message, b"R\xe4ttad version f\xf6r s\xf6mn\n").expect("message");
    git(
        &f.root,
        &[
            "-c",
            "i18n.commitEncoding=ISO-8859-1",
            "-c",
            "gpg.format=ssh",
            "-c",
            &format!("user.signingkey={}", f.key("anna").key_path()),
            "tag",
            "-s",
            "-F",
            path_str(&message),
            "somn/v1.0.0",
        ],
    );
    let raw = raw_tag(&f, "somn/v1.0.0");
    assert!(
        std::str::from_utf8(&raw).is_err(),
        "the tag object is not UTF-8"
    );
    assert!(f.git_verifies("somn/v1.0.0", &["anna"]), "git accepts it");
    let out = f.publish("somn/v1.0.0");
    assert_success(&out);
    let entry = &f.versions("somn")[0];
    // The release message is shown lossily; the stored object is the exact bytes.
    assert_eq!(
        entry["message"],
        "R\u{fffd}ttad version f\u{fffd}r s\u{fffd}mn"
    );
    let stored = entry["tag_object"].as_str().expect("hex");
    assert_eq!(
        stored,
        raw.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    assert_success(&moment(
        &f.root,
        &[
            "catalog",
            "verify",
            "--signatures",
            "--catalog",
            f.catalog_arg(),
        ],
    ));
}

#[test]
fn non_utf8_tag_bytes_are_refused_never_a_panic() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    let raw = raw_tag(&f, "somn/v1.0.0");
    let at = signature_at(&raw);
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("message", [&raw[..at], b"\xff\xfe\n", &raw[at..]].concat()),
        (
            "armour",
            [&raw[..at + 30], b"\xc3\x28", &raw[at + 30..]].concat(),
        ),
        ("tag name", {
            let text = raw.clone();
            let pos = text
                .windows(4)
                .position(|w| w == b"tag ")
                .expect("tag header");
            [&text[..pos + 4], b"\xffsomn", &text[pos + 4..]].concat()
        }),
        ("truncated signature", raw[..at + 40].to_vec()),
    ];
    for (what, bytes) in variants {
        forge_tag(&f, "somn/v1.0.0", &bytes);
        let out = f.publish("somn/v1.0.0");
        assert_eq!(
            code(&out),
            1,
            "{what}: a refusal, not a crash:\n{}",
            show(&out)
        );
        assert!(
            stderr(&out).starts_with("refused: "),
            "{what}:\n{}",
            show(&out)
        );
        assert!(
            !stderr(&out).contains("panicked"),
            "{what}:\n{}",
            show(&out)
        );
    }
    assert!(snapshot(&f.catalog).is_empty());
}

#[test]
fn a_tag_with_two_signature_blocks_is_refused() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    let raw = raw_tag(&f, "somn/v1.0.0");
    let at = signature_at(&raw);
    // Bo's valid signature hidden in front of Anna's, or Anna's twice.
    let twice = [&raw[..], &raw[at..]].concat();
    forge_tag(&f, "somn/v1.0.0", &twice);
    assert_refused(&f.publish("somn/v1.0.0"), "holds 2 signature blocks");
    assert!(snapshot(&f.catalog).is_empty());
}

#[test]
fn a_signature_in_another_ssh_namespace_is_refused() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    let raw = raw_tag(&f, "somn/v1.0.0");
    let payload = &raw[..signature_at(&raw)];
    let file = f.tmp.path().join("payload");
    std::fs::write(&file, payload).expect("payload");
    // Anna signed these very bytes, but for `file`, not for git.
    let out = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "file", "-f"])
        .arg(&f.key("anna").path)
        .arg(&file)
        .output()
        .expect("ssh-keygen -Y sign");
    assert!(out.status.success(), "{}", show(&out));
    let sig = std::fs::read(file.with_extension("sig")).expect("signature");
    forge_tag(&f, "somn/v1.0.0", &[payload, &sig].concat());
    assert!(
        !f.git_verifies("somn/v1.0.0", &["anna"]),
        "git refuses it too"
    );
    assert_refused(
        &f.publish("somn/v1.0.0"),
        "the signature is for `file`, not for git",
    );
    assert!(snapshot(&f.catalog).is_empty());
}

#[test]
fn a_unit_listing_one_key_twice_is_refused() {
    let f = Fixture::new();
    f.edit(
        "units.yaml",
        "      - name: Bo Berg\n",
        &format!(
            "      - name: Anna igen\n        key: \"{}\"\n      - name: Bo Berg\n",
            f.key("anna").public
        ),
    );
    f.commit("Anna twice");
    f.sign_tag("anna", "somn/v1.0.0");
    assert_refused(
        &f.publish("somn/v1.0.0"),
        "lists the key of Anna igen for two publishers",
    );
    let (exit, report) = check_report(&f.root);
    assert_eq!(exit, 1);
    assert!(report.to_string().contains("E060"), "{report}");
}

fn check_report(root: &Path) -> (i32, Value) {
    let out = moment(root, &["check", "--format", "json"]);
    (
        code(&out),
        serde_json::from_str(&stdout(&out)).expect("JSON"),
    )
}

#[test]
fn a_two_approval_unit_publishes_only_after_two_distinct_publishers_sign() {
    let f = Fixture::new();
    f.edit(
        "units.yaml",
        "    kind: production\n    publishers:\n      - name: Anna",
        "    kind: production\n    approvals: 2\n    publishers:\n      - name: Anna",
    );
    f.commit("four eyes");
    f.sign_tag("anna", "somn/v1.0.0");
    assert_refused(
        &f.publish("somn/v1.0.0"),
        "needs 2 approvals by distinct publishers and has 1 (Anna Andersson): 1 more must sign",
    );
    // Anna approving her own release, Eve approving, an approval on another commit:
    // none counts.
    f.sign_tag_at("anna", "approve/somn/v1.0.0/anna", "somn/v1.0.0^{}");
    f.sign_tag_at("eve", "approve/somn/v1.0.0/eve", "somn/v1.0.0^{}");
    f.commit("another commit");
    f.sign_tag_at("bo", "approve/somn/v1.0.0/bo-elsewhere", "HEAD");
    assert_refused(&f.publish("somn/v1.0.0"), "has 1 (Anna Andersson)");
    assert!(snapshot(&f.catalog).is_empty());
    f.sign_tag_at("bo", "approve/somn/v1.0.0/bo", "somn/v1.0.0^{}");
    assert_success(&f.publish("somn/v1.0.0"));
    let entry = &f.versions("somn")[0];
    assert_eq!(entry["approvals"].as_array().expect("approvals").len(), 1);
    assert_eq!(entry["approvals"][0]["signer"]["name"], "Bo Berg");
    assert_eq!(entry["approvals_required"], 2);
    // Offline, against the units.yaml of main: both signatures hold.
    let units = f.tmp.path().join("units-main.yaml");
    std::fs::write(&units, f.read("units.yaml")).expect("units");
    let out = moment(
        &f.root,
        &[
            "catalog",
            "verify",
            "--units",
            path_str(&units),
            "--catalog",
            f.catalog_arg(),
        ],
    );
    assert_success(&out);
    // An approvals rule the unit cannot meet is an error in check (E061).
    f.edit("units.yaml", "approvals: 2", "approvals: 3");
    let (exit, report) = check_report(&f.root);
    assert_eq!(exit, 1);
    assert!(report.to_string().contains("E061"), "{report}");
}

// ================================================================ option injection

#[test]
fn revisions_that_look_like_options_never_reach_git() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    let victim = f.tmp.path().join("written-by-git");
    let inject = format!("--output={}", path_str(&victim));
    let runs: Vec<Vec<String>> = vec![
        vec![
            "publish".into(),
            format!("--tag={inject}"),
            "--catalog".into(),
            f.catalog_arg().into(),
        ],
        vec![
            "publish".into(),
            "--tag".into(),
            "somn/v1.0.0".into(),
            format!("--trust={inject}"),
            "--catalog".into(),
            f.catalog_arg().into(),
        ],
        vec!["check".into(), format!("--against={inject}")],
        vec!["diff".into(), "--".into(), inject.clone()],
        vec!["diff".into(), "--".into(), "HEAD".into(), inject.clone()],
        vec![
            "catalog".into(),
            "yank".into(),
            "somn".into(),
            "1.0.0".into(),
            format!("--tag={inject}"),
            "--catalog".into(),
            f.catalog_arg().into(),
        ],
        vec![
            "catalog".into(),
            "yank".into(),
            "somn".into(),
            "1.0.0".into(),
            format!("--trust={inject}"),
            "--catalog".into(),
            f.catalog_arg().into(),
        ],
    ];
    for args in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = moment(&f.root, &args);
        assert_eq!(code(&out), 2, "{args:?} is a usage error:\n{}", show(&out));
        assert!(
            stderr(&out).contains("names starting with `-` are refused"),
            "{args:?}:\n{}",
            show(&out)
        );
        assert!(
            !victim.exists(),
            "{args:?} made git write {}",
            victim.display()
        );
    }
}

// ================================================================ provenance

/// Rewrites the one generation of `somn` and the copy to `index` (a consistent forgery
/// by someone with write access to the bucket).
fn rewrite_first_generation(f: &Fixture, change: impl Fn(&mut Value)) {
    let first = f.catalog.join("index/somn/0000000001.json");
    let mut index: Value =
        serde_json::from_slice(&std::fs::read(&first).expect("gen 1")).expect("JSON");
    change(&mut index);
    let text = serde_json::to_string_pretty(&index).expect("JSON") + "\n";
    std::fs::write(&first, &text).expect("gen 1");
    std::fs::write(f.catalog.join("index/somn.json"), &text).expect("copy");
}

#[test]
fn catalog_show_prints_one_entry_in_full_in_swedish() {
    let f = published_fixture();
    let out = moment(
        &f.root,
        &[
            "catalog",
            "show",
            "somn",
            "1.0.0",
            "--catalog",
            f.catalog_arg(),
        ],
    );
    assert_success(&out);
    let text = stdout(&out);
    for needle in [
        "Titel:",
        "Sömn – steg för steg",
        "Signerad av:",
        "Anna Andersson (SHA256:",
        "Releasemeddelande:",
        "Release somn/v1.0.0",
        "Status:",
        "aktiv",
        "Commit:",
        &f.tag_commit("somn/v1.0.0"),
    ] {
        assert!(text.contains(needle), "show lacks {needle}:\n{text}");
    }
    // A yank's reason is its tag's message.
    git(
        &f.root,
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &format!("user.signingkey={}", f.key("bo").key_path()),
            "tag",
            "-s",
            "-m",
            "Fel dos i modul 2",
            "yank/somn/v1.0.0",
        ],
    );
    assert_success(&moment(
        &f.root,
        &[
            "catalog",
            "yank",
            "somn",
            "1.0.0",
            "--catalog",
            f.catalog_arg(),
        ],
    ));
    let text = stdout(&moment(
        &f.root,
        &["catalog", "show", "somn", "--catalog", f.catalog_arg()],
    ));
    assert!(text.contains("indragen (Bo Berg"), "{text}");
    assert!(
        text.contains("Skäl:              Fel dos i modul 2"),
        "{text}"
    );
    let list = stdout(&moment(
        &f.root,
        &["catalog", "list", "--catalog", f.catalog_arg()],
    ));
    assert!(list.contains("yanked: Fel dos i modul 2"), "{list}");
    // Unknown versions are a plain failure.
    let out = moment(
        &f.root,
        &[
            "catalog",
            "show",
            "somn",
            "9.9.9",
            "--catalog",
            f.catalog_arg(),
        ],
    );
    assert_eq!(code(&out), 1, "{}", show(&out));
}

#[test]
fn verify_signatures_works_on_a_copied_catalog_without_the_repository() {
    let f = published_fixture();
    let elsewhere = tempfile::tempdir().expect("tmp");
    let copy = elsewhere.path().join("katalog");
    copy_tree(&f.catalog, &copy);
    let units = elsewhere.path().join("units.yaml");
    std::fs::write(&units, f.read("units.yaml")).expect("units");
    let verify = |extra: &[&str]| {
        let mut args = vec!["catalog", "verify", "--catalog", path_str(&copy)];
        args.extend_from_slice(extra);
        moment(elsewhere.path(), &args)
    };
    assert_success(&verify(&["--signatures"]));
    assert_success(&verify(&["--units", path_str(&units)]));
    // Against another region's units.yaml (Anna is not a publisher there): refused.
    let other = elsewhere.path().join("other-units.yaml");
    std::fs::write(
        &other,
        f.read("units.yaml")
            .replace(&f.key("anna").public, &f.key("eve").public),
    )
    .expect("other");
    let out = verify(&["--units", path_str(&other)]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(stdout(&out).contains("does not verify"), "{}", show(&out));

    // A consistent forgery of the record (the message changed in the stored tag):
    // the bytes and the chain hold, the signature does not.
    let f = published_fixture();
    rewrite_first_generation(&f, |index| {
        let entry = &mut index["versions"][0];
        let hex = entry["tag_object"].as_str().expect("hex").to_owned();
        let forged = hex.replacen(
            &"Release"
                .bytes()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            &"Rxlease"
                .bytes()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            1,
        );
        assert_ne!(hex, forged);
        entry["tag_object"] = Value::String(forged);
    });
    assert_success(&f.verify());
    let out = moment(
        &f.root,
        &[
            "catalog",
            "verify",
            "--signatures",
            "--catalog",
            f.catalog_arg(),
        ],
    );
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stdout(&out).contains("error: somn 1.0.0: the stored tag `somn/v1.0.0` does not verify"),
        "{}",
        show(&out)
    );
}

#[test]
fn verify_rebuild_detects_a_bundle_that_differs_from_its_source() {
    let f = published_fixture();
    let rebuild = |f: &Fixture| {
        moment(
            f.tmp.path(),
            &[
                "catalog",
                "verify",
                "--rebuild",
                path_str(&f.root),
                "--catalog",
                f.catalog_arg(),
            ],
        )
    };
    let out = rebuild(&f);
    assert_success(&out);
    assert!(stdout(&out).contains("rebuilt 1"), "{}", show(&out));
    // Someone with bucket access swaps in a self-consistent bundle of other content
    // and fixes the index to match: bytes, manifest and chain all hold.
    f.edit(
        "moments/somn/welcome.md",
        "Välkommen!",
        "Välkommen! Ändrat i hinken.",
    );
    let dist = f.tmp.path().join("dist");
    assert_success(&moment(&f.root, &["build", "--out", path_str(&dist)]));
    let forged = walkdir::WalkDir::new(&dist)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| {
            e.file_name().to_string_lossy().starts_with("somn")
                && e.file_name().to_string_lossy().ends_with(".tar.gz")
        })
        .expect("a built bundle")
        .into_path();
    let bytes = std::fs::read(&forged).expect("bundle");
    std::fs::write(f.catalog.join("bundles/somn/1.0.0.tar.gz"), &bytes).expect("swap");
    rewrite_first_generation(&f, |index| {
        index["versions"][0]["sha256"] = Value::String(sha256_hex(&bytes));
        index["versions"][0]["size"] = Value::from(bytes.len());
    });
    assert_success(&f.verify());
    let out = rebuild(&f);
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stdout(&out).contains("differs from the one built from `somn/v1.0.0`"),
        "{}",
        show(&out)
    );
    // One moment only: another id rebuilds nothing.
    let out = moment(
        f.tmp.path(),
        &[
            "catalog",
            "verify",
            "--rebuild",
            path_str(&f.root),
            "--only",
            "ovning",
            "--catalog",
            f.catalog_arg(),
        ],
    );
    assert_success(&out);
    assert!(stdout(&out).contains("rebuilt 0"), "{}", show(&out));
}

// ================================================================ tamper evidence

/// A catalog with two versions of somn and a yank: three index generations, a copy
/// and two bundles.
fn history_fixture() -> Fixture {
    let f = published_fixture();
    f.set_version("somn", "1.1.0");
    f.commit("1.1.0");
    f.sign_tag("bo", "somn/v1.1.0");
    assert_success(&f.publish("somn/v1.1.0"));
    f.sign_tag("bo", "yank/somn/v1.0.0");
    assert_success(&moment(
        &f.root,
        &[
            "catalog",
            "yank",
            "somn",
            "1.0.0",
            "--catalog",
            f.catalog_arg(),
        ],
    ));
    assert_success(&f.verify());
    f
}

/// Runs `catalog verify` on a tampered copy; it must fail with exit 1 (never 0 or 2).
fn assert_tamper_caught(f: &Fixture, what: &str, tamper: impl FnOnce(&Path)) {
    let scratch = tempfile::tempdir().expect("tmp");
    let copy = scratch.path().join("c");
    copy_tree(&f.catalog, &copy);
    tamper(&copy);
    let out = moment(
        scratch.path(),
        &["catalog", "verify", "--catalog", path_str(&copy)],
    );
    assert_eq!(code(&out), 1, "{what} was not caught:\n{}", show(&out));
    assert!(
        stdout(&out).contains("error: somn"),
        "{what}: names the moment:\n{}",
        show(&out)
    );
}

fn catalog_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(root).expect("under").to_path_buf())
        .collect();
    files.sort();
    files
}

#[test]
fn every_single_file_tampering_of_a_catalog_is_caught() {
    let f = history_fixture();
    let files = catalog_files(&f.catalog);
    assert_eq!(files.len(), 6, "{files:?}");
    for rel in &files {
        let name = rel.display().to_string();
        assert_tamper_caught(&f, &format!("deleting {name}"), |c| {
            std::fs::remove_file(c.join(rel)).expect("rm")
        });
        assert_tamper_caught(&f, &format!("truncating {name}"), |c| {
            let bytes = std::fs::read(c.join(rel)).expect("read");
            std::fs::write(c.join(rel), &bytes[..bytes.len() / 2]).expect("write");
        });
        for at in [0.0, 0.5, 0.999] {
            assert_tamper_caught(&f, &format!("flipping a byte of {name} at {at}"), |c| {
                let mut bytes = std::fs::read(c.join(rel)).expect("read");
                let i = ((bytes.len() as f64) * at) as usize;
                bytes[i] ^= 0x20;
                std::fs::write(c.join(rel), &bytes).expect("write");
            });
        }
    }
    let generation = |c: &Path, n: u32| c.join(format!("index/somn/{n:010}.json"));
    assert_tamper_caught(&f, "deleting the whole history, keeping the copy", |c| {
        std::fs::remove_dir_all(c.join("index/somn")).expect("rm");
    });
    assert_tamper_caught(&f, "swapping two generations", |c| {
        std::fs::rename(generation(c, 1), c.join("tmp")).expect("mv");
        std::fs::rename(generation(c, 2), generation(c, 1)).expect("mv");
        std::fs::rename(c.join("tmp"), generation(c, 2)).expect("mv");
    });
    assert_tamper_caught(&f, "renumbering the head", |c| {
        std::fs::rename(generation(c, 3), generation(c, 4)).expect("mv")
    });
    assert_tamper_caught(&f, "a misnamed generation file", |c| {
        std::fs::copy(generation(c, 3), c.join("index/somn/3.json"))
            .map(drop)
            .expect("cp")
    });
    assert_tamper_caught(&f, "the head copied as a fourth generation", |c| {
        std::fs::copy(generation(c, 3), generation(c, 4))
            .map(drop)
            .expect("cp")
    });
    assert_tamper_caught(&f, "the copy rolled back to an earlier generation", |c| {
        std::fs::copy(generation(c, 1), c.join("index/somn.json"))
            .map(drop)
            .expect("cp")
    });
    assert_tamper_caught(&f, "an appended generation rewriting the signer", |c| {
        let mut head: Value =
            serde_json::from_slice(&std::fs::read(generation(c, 3)).expect("head")).expect("JSON");
        head["previous"] =
            Value::String(sha256_hex(&std::fs::read(generation(c, 3)).expect("head")));
        head["generation"] = Value::from(4);
        head["versions"][1]["signer"]["name"] = Value::String("Mallory".into());
        let text = serde_json::to_string_pretty(&head).expect("JSON") + "\n";
        std::fs::write(generation(c, 4), &text).expect("gen 4");
        std::fs::write(c.join("index/somn.json"), &text).expect("copy");
    });
    assert_tamper_caught(
        &f,
        "an appended generation yanking without a signed record",
        |c| {
            let mut head: Value =
                serde_json::from_slice(&std::fs::read(generation(c, 3)).expect("head"))
                    .expect("JSON");
            head["previous"] =
                Value::String(sha256_hex(&std::fs::read(generation(c, 3)).expect("head")));
            head["generation"] = Value::from(4);
            head["versions"][1]["yanked"] = Value::Bool(true);
            let text = serde_json::to_string_pretty(&head).expect("JSON") + "\n";
            std::fs::write(generation(c, 4), &text).expect("gen 4");
            std::fs::write(c.join("index/somn.json"), &text).expect("copy");
        },
    );
}

#[test]
fn random_byte_changes_of_a_catalog_are_caught() {
    use proptest::prelude::*;
    let f = history_fixture();
    let files = catalog_files(&f.catalog);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(24));
    let strategy = (
        any::<proptest::sample::Index>(),
        any::<proptest::sample::Index>(),
        1u8..=255,
    );
    runner
        .run(&strategy, |(file, at, by)| {
            let rel = file.get(&files).clone();
            assert_tamper_caught(&f, &format!("changing a byte of {}", rel.display()), |c| {
                let mut bytes = std::fs::read(c.join(&rel)).expect("read");
                let i = at.index(bytes.len());
                bytes[i] ^= by;
                std::fs::write(c.join(&rel), &bytes).expect("write");
            });
            Ok(())
        })
        .expect("every random change is caught");
}

#[test]
fn a_yank_tag_on_an_unmerged_commit_is_refused() {
    let f = published_fixture();
    git(&f.root, &["checkout", "-q", "-b", "quiet-yank"]);
    f.commit("nobody reviewed this");
    f.sign_tag("bo", "yank/somn/v1.0.0");
    let out = moment(
        &f.root,
        &[
            "catalog",
            "yank",
            "somn",
            "1.0.0",
            "--catalog",
            f.catalog_arg(),
        ],
    );
    assert_refused(&out, "`yank/somn/v1.0.0` points at commit");
    assert_refused(&out, "that is not on origin/main: merge the change first");
    assert_eq!(f.versions("somn")[0]["yanked"], false);
    // A tag name that git would read as an option never reaches it.
    let out = moment(
        &f.root,
        &[
            "catalog",
            "yank",
            "somn",
            "1.0.0",
            "--tag=-x/somn/v1.0.0",
            "--catalog",
            f.catalog_arg(),
        ],
    );
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(
        stderr(&out).contains("names starting with `-` are refused"),
        "{}",
        show(&out)
    );
}
