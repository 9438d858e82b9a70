//! A temporary git repository of the example moments for the diff tests, and
//! readers of a JSON diff.

#![allow(dead_code)] // each test crate uses a different part of this module

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{code, run_in, stderr, stdout};

// ---------------------------------------------------------------- a git repository

/// A temporary git repository holding a copy of the example moments.
pub struct Repo {
    pub dir: tempfile::TempDir,
    /// The moments repository: the git root, or a folder in it.
    pub root: PathBuf,
}

impl Repo {
    /// A repository whose first commit ("v1") holds the example moments and units.yaml.
    pub fn new() -> Repo {
        Repo::in_folder("")
    }

    /// Like [`Repo::new`], with the moments repository in `folder` of the git
    /// repository (`""` for its root).
    pub fn in_folder(folder: &str) -> Repo {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let root = if folder.is_empty() {
            dir.path().to_path_buf()
        } else {
            dir.path().join(folder)
        };
        crate::common::copy_examples(&root);
        let repo = Repo { dir, root };
        repo.git(&["init", "--quiet"]);
        repo.commit("v1");
        repo
    }

    /// The top of the git repository.
    pub fn top(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the top folder with a fixed identity and no user or system
    /// configuration; panics unless it succeeds. Returns its output.
    pub fn git(&self, args: &[&str]) -> String {
        let out = git_command(self.top())
            .args(args)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("git prints UTF-8")
    }

    /// Commits everything.
    pub fn commit(&self, message: &str) {
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
    }

    /// An annotated tag on HEAD.
    pub fn tag(&self, name: &str) {
        self.git(&["tag", "-a", "-m", name, name]);
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {rel}: {e}"));
    }

    /// Replaces the one occurrence of `old` in `rel` with `new`.
    pub fn replace(&self, rel: &str, old: &str, new: &str) {
        let text = self.read(rel);
        assert_eq!(
            text.matches(old).count(),
            1,
            "{rel} should hold `{old}` exactly once (did the example moments change?)"
        );
        self.write(rel, &text.replacen(old, new, 1));
    }

    /// Replaces the first occurrence of `old` after the one occurrence of `anchor`.
    pub fn replace_after(&self, rel: &str, anchor: &str, old: &str, new: &str) {
        let text = self.read(rel);
        assert_eq!(
            text.matches(anchor).count(),
            1,
            "{rel} should hold `{anchor}` exactly once (did the example moments change?)"
        );
        let start = text.find(anchor).expect("anchor found") + anchor.len();
        let at = start
            + text[start..]
                .find(old)
                .unwrap_or_else(|| panic!("no `{old}` after `{anchor}` in {rel}"));
        let edited = format!("{}{new}{}", &text[..at], &text[at + old.len()..]);
        self.write(rel, &edited);
    }

    /// Sets `version:` in a moment's moment.yaml.
    pub fn set_version(&self, moment: &str, version: &str) {
        let rel = format!("moments/{moment}/moment.yaml");
        let text = self.read(&rel);
        let edited: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with("version:") {
                    format!("version: \"{version}\"")
                } else {
                    l.to_owned()
                }
            })
            .collect();
        self.write(&rel, &(edited.join("\n") + "\n"));
    }

    /// Appends bytes to a (media) file.
    pub fn append_bytes(&self, rel: &str, bytes: &[u8]) {
        let mut data = std::fs::read(self.path(rel)).expect("read a media file");
        data.extend_from_slice(bytes);
        std::fs::write(self.path(rel), data).expect("write a media file");
    }

    /// Runs `moment` in the moments repository.
    pub fn moment(&self, args: &[&str]) -> Output {
        run_in(&self.root, args)
    }

    /// Runs `moment diff ARGS --format FORMAT`, which must exit `exit` with nothing
    /// on stderr, and returns its output.
    pub fn diff_exit(&self, args: &[&str], format: &str, exit: i32) -> String {
        let mut all = vec!["diff"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", format]);
        let out = self.moment(&all);
        assert_eq!(
            code(&out),
            exit,
            "`moment {}` exits {exit}; stderr:\n{}",
            all.join(" "),
            stderr(&out)
        );
        assert_eq!(
            stderr(&out),
            "",
            "`moment {}` wrote to stderr",
            all.join(" ")
        );
        stdout(&out)
    }

    /// `moment diff ARGS --format FORMAT`, which exits 0 whatever the differences.
    pub fn diff_text(&self, args: &[&str], format: &str) -> String {
        self.diff_exit(args, format, 0)
    }

    /// `moment diff ARGS --format FORMAT` that must exit 1 (release notes when the
    /// version policy fails).
    pub fn diff_failing(&self, args: &[&str], format: &str) -> String {
        self.diff_exit(args, format, 1)
    }

    /// `moment diff ARGS --format json`, parsed.
    pub fn diff(&self, args: &[&str]) -> Value {
        let text = self.diff_text(args, "json");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
    }

    /// `moment check --against REV --format json`: the exit code and the report.
    pub fn check_against(&self, rev: &str) -> (i32, Value) {
        let out = self.moment(&["check", "--against", rev, "--format", "json"]);
        let text = stdout(&out);
        let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "check --against {rev} did not print JSON ({e}):\n{text}\n{}",
                stderr(&out)
            )
        });
        (code(&out), report)
    }
}

/// `tests/common`'s hermetic git in `dir`, with this suite's identity, a fixed date
/// and no line-ending conversion.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = crate::common::git_command(dir);
    cmd.env("GIT_AUTHOR_NAME", "Test Person")
        .env("GIT_COMMITTER_NAME", "Test Person")
        .env("GIT_AUTHOR_DATE", "2024-01-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-01-01T12:00:00Z")
        .args([
            "-c",
            "user.name=Test Person",
            "-c",
            "user.email=test@example.se",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            "-c",
            "core.autocrlf=false",
        ]);
    cmd
}

// ---------------------------------------------------------------- reading a diff

/// The entry of moment `id` in a JSON diff.
pub fn moment<'a>(diff: &'a Value, id: &str) -> &'a Value {
    diff["moments"]
        .as_array()
        .expect("`moments` is a list")
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no moment `{id}` in {diff:#}"))
}

/// The changes of a moment as `(class, kind, path)`, sorted.
pub fn changes(m: &Value) -> Vec<(String, String, String)> {
    let mut list: Vec<(String, String, String)> = m["changes"]
        .as_array()
        .expect("`changes` is a list")
        .iter()
        .map(|c| {
            (
                c["class"].as_str().expect("class").to_owned(),
                c["kind"].as_str().expect("kind").to_owned(),
                c["path"].as_str().expect("path").to_owned(),
            )
        })
        .collect();
    list.sort();
    list
}

/// The one change of `kind` of a moment.
pub fn change<'a>(m: &'a Value, kind: &str) -> &'a Value {
    let found: Vec<&Value> = m["changes"]
        .as_array()
        .expect("`changes` is a list")
        .iter()
        .filter(|c| c["kind"] == kind)
        .collect();
    assert_eq!(found.len(), 1, "one `{kind}` change expected in {m:#}");
    found[0]
}

/// The word operations of a change as `op:text`.
pub fn words(c: &Value) -> Vec<String> {
    c["words"]
        .as_array()
        .unwrap_or_else(|| panic!("no word diff in {c:#}"))
        .iter()
        .map(|w| {
            format!(
                "{}:{}",
                w["op"].as_str().unwrap(),
                w["text"].as_str().unwrap()
            )
        })
        .collect()
}

/// Asserts that moment `id` changed with exactly `expected` changes (as `(class,
/// kind, path)`) needing `bump`, and that every other moment is unchanged.
pub fn expect_changes(diff: &Value, id: &str, bump: &str, expected: &[(&str, &str, &str)]) {
    let m = moment(diff, id);
    let mut want: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect();
    want.sort();
    assert_eq!(changes(m), want, "the changes of `{id}`:\n{m:#}");
    assert_eq!(m["status"], "changed", "{m:#}");
    assert_eq!(m["required_bump"], bump, "the bump `{id}` needs:\n{m:#}");
    assert_clinical_first(m);
    for c in m["changes"].as_array().unwrap() {
        assert!(
            c["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "every change has a summary: {c:#}"
        );
    }
    only_changed(diff, &[id]);
}

/// Asserts that the moments other than `ids` are unchanged.
pub fn only_changed(diff: &Value, ids: &[&str]) {
    for m in diff["moments"].as_array().unwrap() {
        if !ids.contains(&m["id"].as_str().unwrap()) {
            assert_eq!(m["status"], "unchanged", "{m:#}");
            assert_eq!(m["changes"], Value::Array(vec![]), "{m:#}");
        }
    }
}

pub fn assert_clinical_first(m: &Value) {
    let rank = |c: &Value| match c["class"].as_str().unwrap() {
        "clinical" => 0,
        "content" => 1,
        "cosmetic" => 2,
        other => panic!("unknown class {other}"),
    };
    let ranks: Vec<i32> = m["changes"].as_array().unwrap().iter().map(rank).collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "changes are listed clinical first: {m:#}"
    );
}

/// The stress questionnaire of the examples.
pub const STRESS_FORM: &str = "moments/stresskoll/forms/stresskoll.yaml";
/// The sleep diary of the examples.
pub const SLEEP_FORM: &str = "moments/somn/forms/somndagbok.yaml";
/// A module of the stress example.
pub const STRESS_TEXT: &str = "moments/stresskoll/modules/02-om-stress.md";

/// The realistic new version of `somn` from the user trials, committed as "v2" on
/// top of "v1": band edges of the sleep-quality score moved, its scored question
/// reworded (with `series_break: true`), a new module, a typo fixed in a module, and
/// the version bumped to 2.0.0.
pub fn somn_v2(repo: &Repo) {
    repo.replace(
        SLEEP_FORM,
        "{min: 1, max: 2, label: Dålig}",
        "{min: 1, max: 1, label: Dålig}",
    );
    repo.replace(
        SLEEP_FORM,
        "{min: 3, max: 3, label: Godtagbar}",
        "{min: 2, max: 3, label: Godtagbar}",
    );
    repo.replace(
        SLEEP_FORM,
        "text: Hur bra sov du?",
        "text: Hur nöjd är du med din sömn i natt?",
    );
    repo.replace(
        SLEEP_FORM,
        "kind: registration\n",
        "kind: registration\nseries_break: true\n",
    );
    repo.replace(
        "moments/somn/modules/02-somndagbok.md",
        "- Skriv när du gick och la dig.",
        "- Skriv när du gick och lade dig.",
    );
    repo.write(
        "moments/somn/modules/06-aterfall.md",
        "---\ntitle: Om sömnen blir sämre igen\nactivation: staff\n---\nDet är vanligt att sömnen blir sämre ibland, till exempel vid stress eller sjukdom.\n\nGör då som förut: gå upp samma tid varje dag och fyll i dagboken en vecka.\n",
    );
    repo.replace(
        "moments/somn/moment.yaml",
        "  - modules/05-framat.md\n",
        "  - modules/05-framat.md\n  - modules/06-aterfall.md\n",
    );
    // The form test that the band move broke, updated as the designer would.
    repo.replace(
        "moments/somn/forms/somndagbok.tests.yaml",
        "    scores: {somnkvalitet: 2}\n    bands: {somnkvalitet: Dålig}",
        "    scores: {somnkvalitet: 2}\n    bands: {somnkvalitet: Godtagbar}",
    );
    repo.set_version("somn", "2.0.0");
    repo.commit("v2");
}

/// Runs `moment build --out OUT somn` in the repository, which must succeed.
pub fn build(repo: &Repo, out: &str) {
    let o = repo.moment(&["build", "--out", out]);
    assert_eq!(code(&o), 0, "moment build: {}", stderr(&o));
}

/// An English moment `worry` (version 1.0.0), committed as "worry v1".
pub fn worry_v1(repo: &Repo) {
    let m = "moments/worry";
    repo.write(
        &format!("{m}/moment.yaml"),
        "id: worry\nversion: \"1.0.0\"\ntitle: Worry less\nunit: region-exempel-utbildning\nkind: support\nlanguage: en\nowners: [anna@example.se, cecilia@example.se]\nmessaging: true\nwelcome: welcome.md\nmodules:\n  - modules/01-about.md\n  - modules/02-worry.md\n",
    );
    repo.write(
        &format!("{m}/welcome.md"),
        "Welcome. This program helps you worry less, one step at a time.\n",
    );
    repo.write(
        &format!("{m}/modules/01-about.md"),
        "---\ntitle: About worry\n---\nEveryone worries sometimes. Answer the questions to see how much worry affects you.\n\n```form\nref: gad\n```\n",
    );
    repo.write(
        &format!("{m}/modules/02-worry.md"),
        "---\ntitle: Worry time\nactivation: staff\n---\nSet aside fifteen minutes a day for your worries. Write them down and put the paper away.\n",
    );
    repo.write(
        &format!("{m}/forms/gad.yaml"),
        "id: gad\ntitle: Worry check\nkind: questionnaire\nitems:\n  - id: q1\n    type: choice\n    text: Feeling nervous, anxious or on edge?\n    required: true\n    options:\n      - {value: 0, label: Not at all}\n      - {value: 1, label: Several days}\n      - {value: 2, label: More than half the days}\n      - {value: 3, label: Nearly every day}\n  - id: q2\n    type: choice\n    text: Not being able to stop or control worrying?\n    required: true\n    options:\n      - {value: 0, label: Not at all}\n      - {value: 1, label: Several days}\n      - {value: 2, label: More than half the days}\n      - {value: 3, label: Nearly every day}\nscores:\n  - id: total\n    title: Worry score\n    sum: [q1, q2]\n    bands:\n      - {min: 0, max: 2, label: Mild}\n      - {min: 3, max: 6, label: Marked}\nalerts:\n  - id: high\n    when: {score: total, op: \">=\", value: 5}\n    message: High worry score. Call the person within a week.\n",
    );
    repo.commit("worry v1");
}

/// The realistic new version of `worry`, committed as "worry v2": the alert
/// threshold lowered, an option relabelled, the first module activated by staff,
/// messaging off, the second module renamed (keeping its id) with a small edit; the
/// version bumped too little (1.1.0).
pub fn worry_v2(repo: &Repo) {
    let m = "moments/worry";
    repo.replace(
        &format!("{m}/forms/gad.yaml"),
        "when: {score: total, op: \">=\", value: 5}",
        "when: {score: total, op: \">=\", value: 4}",
    );
    repo.replace_after(
        &format!("{m}/forms/gad.yaml"),
        "id: q1",
        "{value: 1, label: Several days}",
        "{value: 1, label: A few days}",
    );
    repo.replace(
        &format!("{m}/modules/01-about.md"),
        "title: About worry\n",
        "title: About worry\nactivation: staff\n",
    );
    repo.replace(
        &format!("{m}/moment.yaml"),
        "messaging: true",
        "messaging: false",
    );
    let text = repo.read(&format!("{m}/modules/02-worry.md"));
    std::fs::remove_file(repo.path(&format!("{m}/modules/02-worry.md"))).unwrap();
    repo.write(
        &format!("{m}/modules/02-worry-time.md"),
        &text
            .replace("---\ntitle:", "---\nid: 02-worry\ntitle:")
            .replace("fifteen minutes", "twenty minutes"),
    );
    repo.replace(
        &format!("{m}/moment.yaml"),
        "  - modules/02-worry.md\n",
        "  - modules/02-worry-time.md\n",
    );
    repo.set_version("worry", "1.1.0");
    repo.commit("worry v2");
}
