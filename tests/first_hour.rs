//! The first hour of a new user (#19): one CLI shape (a positional PATH everywhere,
//! `--path` kept hidden), scaffolds that cannot go wrong (`moment new` anywhere inside
//! a repository, and a clear refusal outside one; `moment init` makes a git
//! repository), and one clear sentence from `diff` and `publish` outside git.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.se"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

fn built_ids(out: &std::process::Output) -> Vec<String> {
    stdout(out)
        .lines()
        .filter_map(|l| l.strip_prefix("built "))
        .map(|l| l.split(' ').next().unwrap_or_default().to_owned())
        .collect()
}

/// A repository with two moments, `demo` and `andra`.
fn two_moments() -> tempfile::TempDir {
    let tmp = fixture_copy("valid-minimal");
    let out = moment(tmp.path(), &["new", "andra"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    tmp
}

#[test]
fn build_takes_a_moment_folder_as_its_path_like_check_does() {
    let tmp = two_moments();
    let out = moment(tmp.path(), &["build", "moments/demo", "--out", "d1"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(built_ids(&out), ["demo"], "{}", stdout(&out));
    assert!(tmp.path().join("d1/demo").is_dir());
    assert!(!tmp.path().join("d1/andra").exists());

    // The repository root as PATH builds every moment; ids narrow it.
    let out = moment(tmp.path(), &["build", ".", "--out", "d2"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(built_ids(&out), ["andra", "demo"]);
    let out = moment(tmp.path(), &["build", "andra", "--out", "d3"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(built_ids(&out), ["andra"]);

    // From inside moments/, a moment's folder name is its folder.
    let out = moment(
        &tmp.path().join("moments"),
        &["build", "demo", "--out", "../d4"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(built_ids(&out), ["demo"]);
}

#[test]
fn the_hidden_path_option_still_works_and_is_not_in_the_help() {
    let tmp = two_moments();
    let root = tmp.path().to_str().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = moment(
        elsewhere.path(),
        &["build", "--path", root, "demo", "--out", "d"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(built_ids(&out), ["demo"]);
    let out = moment(elsewhere.path(), &["check", "--path", root]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = moment(elsewhere.path(), &["new", "tredje", "--path", root]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(tmp.path().join("moments/tredje/moment.yaml").is_file());
    // Both spellings at once is a usage error.
    let out = moment(elsewhere.path(), &["check", root, "--path", root]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));

    for sub in [
        "build",
        "check",
        "new",
        "diff",
        "publish",
        "preview",
        "codeowners",
    ] {
        let help = stdout(&moment(elsewhere.path(), &[sub, "--help"]));
        assert!(help.contains("PATH"), "{sub}: {help}");
        assert!(!help.contains("--path"), "{sub} shows --path: {help}");
    }
}

#[test]
fn every_repository_command_takes_a_positional_path() {
    let tmp = two_moments();
    let root = tmp.path().to_str().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| moment(elsewhere.path(), args);
    assert_eq!(code(&run(&["check", root])), 0);
    let out = run(&["codeowners", root, "--check"]);
    assert!(
        !stderr(&out).contains("neither a moments repository"),
        "{out:?}"
    );
    let out = run(&["new", "fjarde", root]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(tmp.path().join("moments/fjarde/moment.yaml").is_file());
    let out = run(&["build", root, "--out", "d"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(built_ids(&out).len(), 3);

    git(tmp.path(), &["init", "--quiet", "--initial-branch=main"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "--quiet", "-m", "first"]);
    std::fs::remove_dir_all(tmp.path().join("moments/andra")).unwrap();
    // diff FROM TO PATH: the repository, or one moment's folder.
    let out = run(&["diff", "HEAD", ".", root, "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("andra"), "{}", stdout(&out));
    let demo = tmp.path().join("moments/demo");
    let out = run(&[
        "diff",
        "HEAD",
        ".",
        demo.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !stdout(&out).contains("andra"),
        "only demo: {}",
        stdout(&out)
    );
    // diff FROM PATH, as `moment build PATH`: the working tree of that moment.
    std::fs::remove_dir_all(tmp.path().join("moments/fjarde")).unwrap();
    let moments = tmp.path().join("moments");
    let out = moment(&moments, &["diff", "HEAD", "demo", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !stdout(&out).contains("fjarde"),
        "only demo: {}",
        stdout(&out)
    );
    let out = moment(&moments, &["diff", "HEAD", "..", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("fjarde"),
        "the repository: {}",
        stdout(&out)
    );
}

#[test]
fn new_inside_moments_writes_into_the_repository_not_a_nested_moments_folder() {
    let tmp = fixture_copy("valid-minimal");
    for (dir, id) in [("moments", "ett"), ("moments/demo", "tva")] {
        let out = moment(&tmp.path().join(dir), &["new", id]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(
            tmp.path()
                .join("moments")
                .join(id)
                .join("moment.yaml")
                .is_file(),
            "{}",
            stdout(&out)
        );
    }
    assert!(!tmp.path().join("moments/moments").exists());
    assert!(!tmp.path().join("moments/demo/moments").exists());
    let (exit, report) = check_json(tmp.path(), &[]);
    assert_eq!(exit, 0, "{report:#}");
}

#[test]
fn new_outside_a_repository_refuses_with_a_hint_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = moment(tmp.path(), &["new", "angest"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("not inside a moments repository"), "{err}");
    assert!(err.contains("moment init"), "{err}");
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "wrote {:?}",
        tree(tmp.path())
    );
}

#[test]
fn new_picks_the_only_production_unit_and_lists_the_units_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let out = moment(tmp.path(), &["init", "r"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let root = tmp.path().join("r");
    let out = moment(&root, &["new", "angest"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let meta = std::fs::read_to_string(root.join("moments/angest/moment.yaml")).unwrap();
    assert!(meta.contains("unit: min-region\n"), "{meta}");

    // Two production units: no guess; the error lists them and writes nothing.
    let units = std::fs::read_to_string(root.join("units.yaml")).unwrap();
    let two = units.replace("kind: training", "kind: production");
    write(&root, "units.yaml", &two);
    let before = tree(&root);
    let out = moment(&root, &["new", "oro"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--unit"), "{err}");
    assert!(err.contains("min-region (production)"), "{err}");
    assert!(err.contains("min-region-utbildning (production)"), "{err}");
    assert_eq!(tree(&root), before);
    let out = moment(&root, &["new", "oro", "--unit", "min-region-utbildning"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // A folder with moments/ but no units: no unit that does not exist.
    let bare = tempfile::tempdir().unwrap();
    std::fs::create_dir(bare.path().join("moments")).unwrap();
    let out = moment(bare.path(), &["new", "oro"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no publisher units"),
        "{}",
        stderr(&out)
    );
    assert!(!bare.path().join("moments/oro").exists());
}

#[test]
fn init_makes_a_git_repository_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = moment(tmp.path(), &["init", "my-moments"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("ran `git init`"), "{}", stdout(&out));
    let root = tmp.path().join("my-moments");
    assert!(root.join(".git").is_dir());
    let units = std::fs::read_to_string(root.join("units.yaml")).unwrap();
    assert!(units.contains("Your first edit: the publishers"), "{units}");
    assert!(
        units.contains("#     - {name: Anna Andersson, key: \"ssh-ed25519"),
        "{units}"
    );

    // Inside a git repository already: no second repository.
    let outer = tempfile::tempdir().unwrap();
    git(outer.path(), &["init", "--quiet"]);
    let out = moment(outer.path(), &["init", "sub"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stdout(&out).contains("ran `git init`"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("is inside the git repository"),
        "the outer repository is named: {}",
        stdout(&out)
    );
    assert!(!outer.path().join("sub/.git").exists());
    // At the top of a repository: nothing to say.
    let top = tempfile::tempdir().unwrap();
    git(top.path(), &["init", "--quiet"]);
    let out = moment(top.path(), &["init", "."]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !stdout(&out).contains("git init") && !stdout(&out).contains("git repository"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn diff_and_publish_outside_git_say_so_in_one_sentence() {
    let tmp = fixture_copy("valid-minimal");
    let out = moment(tmp.path(), &["diff", "main"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("is not in a git repository"), "{err}");
    assert!(!err.contains("fatal"), "git's own words leak: {err}");
    assert!(!err.contains("rev-parse"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let cat = tempfile::tempdir().unwrap();
    let out = moment(
        tmp.path(),
        &[
            "publish",
            "--tag",
            "demo/v1.0.0",
            "--catalog",
            cat.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("is not in a git repository"), "{err}");
    assert!(!err.contains("fatal"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let out = moment(
        tmp.path(),
        &[
            "catalog",
            "yank",
            "demo",
            "1.0.0",
            "--catalog",
            cat.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not in a git repository"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_dir(cat.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn unit_warnings_are_reported_once_at_the_root_and_not_for_a_single_moment() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(code(&moment(tmp.path(), &["init", "r"])), 0);
    let root = tmp.path().join("r");
    assert_eq!(code(&moment(&root, &["new", "andra"])), 0);
    let w008 = |report: &serde_json::Value| -> Vec<String> {
        diagnostics(report)
            .iter()
            .filter(|d| d["code"] == "W008")
            .map(diag_line)
            .collect()
    };
    // The whole repository: one W008, on units.yaml, however many moments.
    let (exit, report) = check_json(&root, &[]);
    assert_eq!(exit, 0, "{report:#}");
    let at_root = w008(&report);
    assert_eq!(at_root.len(), 1, "{report:#}");
    assert!(at_root[0].contains("units.yaml:"), "{at_root:?}");

    // One moment: its own warnings only, and a note that says what was left out.
    let one = root.join("moments/exempel");
    let (exit, report) = check_json(&one, &[]);
    assert_eq!(exit, 0, "{report:#}");
    assert!(w008(&report).is_empty(), "{report:#}");
    assert_eq!(codes(&report), ["W020"], "the moment's own warning stays");
    let out = moment(&root, &["check", "moments/exempel"]);
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).contains("note: 1 repository-level warning"),
        "{}",
        stdout(&out)
    );
    let out = moment(&root, &["build", "moments/exempel"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("W008"), "{}", stderr(&out));

    // --strict: nothing is left out, and it fails.
    let (exit, report) = check_json(&one, &["--strict"]);
    assert_eq!(exit, 1, "{report:#}");
    assert_eq!(w008(&report).len(), 1, "{report:#}");
}

/// Starts `moment preview --port 0` in `root`; returns the child and its address.
fn start_preview(root: &Path) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = Command::new(BIN)
        .args(["preview", "--port", "0"])
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start moment preview");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let first = lines.next().expect("a first line").expect("text");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in `{first}`"))
        .to_owned();
    // Keep draining stdout so that the preview never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

fn index_row(url: &str, id: &str) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into();
    let page = agent
        .get(url)
        .call()
        .and_then(|mut r| r.body_mut().read_to_string())
        .expect("GET the index");
    let start = page
        .find(&format!(r#"<a href="/m/{id}/site/index.html">"#))
        .unwrap_or_else(|| panic!("no {id} in {page}"));
    let row = &page[start..];
    row[..row.find("</tr>").expect("row end")].to_owned()
}

#[test]
fn the_preview_index_counts_warnings_in_swedish_singular_and_plural() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(code(&moment(tmp.path(), &["init", "r"])), 0);
    let root = tmp.path().join("r");
    // Two warnings: the template risk analysis (W020), and W008 on units.yaml.
    let (mut child, url) = start_preview(&root);
    let two = index_row(&url, "exempel");
    // A real risk analysis: one warning left.
    let words = "Risken är att en invånare missförstår ett råd och därför väntar för länge med att söka vård. ".repeat(4);
    write(
        &root,
        "moments/exempel/docs/riskanalys.md",
        &format!("# Riskanalys\n\n{words}\n"),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut one = index_row(&url, "exempel");
    while one == two && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
        one = index_row(&url, "exempel");
    }
    child.kill().ok();
    child.wait().ok();
    assert!(two.contains(">2 varningar<"), "{two}");
    assert!(one.contains(">1 varning<"), "{one}");
    assert!(one.contains(">0 fel<"), "{one}");
    assert!(!one.contains("1 varningar"), "{one}");
}

#[test]
fn a_folder_inside_a_repository_that_is_no_moment_names_the_repository() {
    let tmp = fixture_copy("valid-minimal");
    let root = tmp.path().canonicalize().unwrap();
    for args in [&["check"][..], &["build"], &["preview", "--port", "0"]] {
        let out = moment(&tmp.path().join("moments"), args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("it is inside the repository {}", root.display())),
            "{args:?}: {err}"
        );
    }
    let outside = tempfile::tempdir().unwrap();
    let out = moment(outside.path(), &["check"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("`moment init` creates a repository"),
        "{}",
        stderr(&out)
    );
}
