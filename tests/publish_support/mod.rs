//! What the publish test suites share on top of `tests/common` (the binary, git,
//! keys and time limits come from there): a moments repository with a bare `origin`
//! whose `main` is the trusted revision.

#![allow(dead_code)] // each test crate uses a different part of this module
#![allow(unused_imports)] // the re-exports, likewise

pub use std::collections::BTreeMap;
pub use std::io::Read;
pub use std::path::{Path, PathBuf};
pub use std::process::{Child, Command, Output, Stdio};
pub use std::time::{Duration, Instant};

pub use serde_json::Value;
pub use sha2::{Digest, Sha256};

pub use crate::common::{
    BIN, Key, assert_refused, assert_success, copy_tree, git, git_output, git_stdin, hermetic,
    path_str, sha256_hex, show, snapshot, spawn_moment, wait_with_timeout,
};

/// No single command may take longer than this; a hang fails the test instead.
pub const TIMEOUT: Duration = crate::common::LONG_TIMEOUT;

// ---------------------------------------------------------------- processes

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

pub fn names(snapshot: &[(String, Vec<u8>)]) -> Vec<&str> {
    snapshot.iter().map(|(n, _)| n.as_str()).collect()
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
