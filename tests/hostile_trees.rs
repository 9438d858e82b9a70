//! Hostile file trees, as an adversary with push rights would commit them: symbolic
//! links to files of the machine, named pipes, devices, oversized files, and links
//! and submodules committed in git. Each test runs the real binary on a copy of the
//! example moment `somn` and checks what a user would check: the command finishes
//! promptly, refuses with a diagnostic naming the file, and nothing of the linked
//! file appears in the output, in `dist/` or in the catalog.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::{check_json, code, copy_tree, diag_lines, make_fifo, moment, stderr, stdout, write};

/// A line of a file outside the repository that must never show up anywhere.
const SECRET: &str = "aws_secret_access_key = HEMLIG-NYCKEL-1234";

/// No hostile tree may make a command take longer than this.
const PROMPT: Duration = Duration::from_secs(10);

/// A temporary folder with a secret file outside the repository and, in `repo/`,
/// the example moment `somn` and `units.yaml`.
struct Tree {
    tmp: tempfile::TempDir,
    root: PathBuf,
    secret: PathBuf,
}

impl Tree {
    fn new() -> Tree {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let root = tmp.path().join("repo");
        let source = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_tree(&source.join("moments/somn"), &root.join("moments/somn"));
        std::fs::copy(source.join("units.yaml"), root.join("units.yaml")).expect("units.yaml");
        let secret = tmp.path().join("credentials");
        std::fs::write(&secret, format!("[default]\n{SECRET}\n")).expect("the secret");
        Tree { tmp, root, secret }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Replaces `rel` by a symbolic link to `target`.
    fn link(&self, rel: &str, target: &Path) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        let _ = std::fs::remove_file(&path);
        std::os::unix::fs::symlink(target, &path).expect("make a symbolic link");
    }

    /// Replaces `rel` by a named pipe.
    fn fifo(&self, rel: &str) {
        let path = self.path(rel);
        std::fs::remove_file(&path).expect("remove the file");
        make_fifo(&path);
    }

    /// `moment check --format json`, timed: exit code, diagnostics, time taken.
    fn check(&self) -> (i32, Vec<String>, String) {
        let start = Instant::now();
        let (exit, report) = check_json(&self.root, &[]);
        assert!(
            start.elapsed() < PROMPT,
            "check took {:?}: a hostile file must not make it wait",
            start.elapsed()
        );
        let text = report.to_string();
        (exit, diag_lines(&report), text)
    }

    /// `moment build --out dist`: the output, with `dist/` checked to be absent.
    fn build_refused(&self) -> Output {
        let out = moment(&self.root, &["build", "--out", "dist"]);
        assert_eq!(code(&out), 1, "the build must fail:\n{}", show(&out));
        assert!(
            !self.path("dist").exists(),
            "a failed build writes nothing, yet dist/ exists"
        );
        out
    }
}

fn show(out: &Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", stdout(out), stderr(out))
}

fn assert_has(lines: &[String], want: &str, report: &str) {
    assert!(
        lines.iter().any(|l| l == want),
        "expected `{want}` among the diagnostics:\n{lines:#?}\n{report}"
    );
}

fn assert_no_secret(text: &str) {
    assert!(
        !text.contains("HEMLIG-NYCKEL") && !text.contains("root:x:0:0"),
        "the content of a file outside the repository leaked:\n{text}"
    );
}

/// Every file under `dir` as text (lossy), to search for leaks.
fn all_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).expect("read");
            text.push_str(&String::from_utf8_lossy(&bytes));
            // Bundles are gzipped tar archives: look inside.
            if entry.path().extension().is_some_and(|e| e == "gz") {
                let mut inner = Vec::new();
                let _ = std::io::Read::read_to_end(
                    &mut flate2::read::GzDecoder::new(bytes.as_slice()),
                    &mut inner,
                );
                text.push_str(&String::from_utf8_lossy(&inner));
            }
        }
    }
    text
}

// ---------------------------------------------------------------- the working tree

#[test]
fn the_example_is_clean_to_start_with() {
    let t = Tree::new();
    let (exit, lines, report) = t.check();
    assert_eq!(exit, 0, "{lines:#?}\n{report}");
}

#[test]
fn a_form_linked_to_a_file_outside_is_refused_and_not_read() {
    let t = Tree::new();
    t.link("moments/somn/forms/somndagbok.yaml", &t.secret);
    let (exit, lines, report) = t.check();
    assert_eq!(exit, 1, "{report}");
    assert_has(
        &lines,
        "E027 moments/somn/forms/somndagbok.yaml:1:1",
        &report,
    );
    assert_no_secret(&report);
    let out = t.build_refused();
    assert_no_secret(&show(&out));
}

#[test]
fn a_link_inside_the_moment_is_refused_too() {
    // Links are never followed, wherever they point: a tree is data.
    let t = Tree::new();
    t.link(
        "moments/somn/modules/05-framat.md",
        Path::new("04-dagen.md"),
    );
    let (exit, lines, report) = t.check();
    assert_eq!(exit, 1, "{report}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("E027 moments/somn/moment.yaml:")),
        "the listing of the linked module is refused: {lines:#?}"
    );
}

#[test]
fn a_theme_stylesheet_linked_to_etc_passwd_does_not_leak() {
    let t = Tree::new();
    t.link("themes/default/style.css", Path::new("/etc/passwd"));
    let out = t.build_refused();
    let text = show(&out);
    assert!(
        text.contains("themes/default/style.css") && text.contains("E027"),
        "the build names the linked theme file:\n{text}"
    );
    assert_no_secret(&text);
}

#[test]
fn a_theme_folder_that_is_a_link_does_not_leak() {
    let t = Tree::new();
    let outside = t.tmp.path().join("theme");
    std::fs::create_dir_all(&outside).expect("a folder");
    std::fs::copy(&t.secret, outside.join("style.css")).expect("copy");
    std::os::unix::fs::symlink(&outside, t.path("themes")).expect("link themes/");
    let out = t.build_refused();
    let text = show(&out);
    assert!(text.contains("E027"), "{text}");
    assert_no_secret(&text);
}

#[test]
fn named_pipes_are_refused_without_waiting() {
    for (rel, at) in [
        (
            "moments/somn/modules/03-rutiner.md",
            "moments/somn/modules/03-rutiner.md:1:1",
        ),
        ("moments/somn/welcome.md", "moments/somn/welcome.md:1:1"),
        (
            "moments/somn/forms/somndagbok.yaml",
            "moments/somn/forms/somndagbok.yaml:1:1",
        ),
        (
            "moments/somn/forms/somndagbok.tests.yaml",
            "moments/somn/forms/somndagbok.tests.yaml:1:1",
        ),
        ("moments/somn/moment.yaml", "moments/somn/moment.yaml:1:1"),
        ("units.yaml", "units.yaml:1:1"),
    ] {
        let t = Tree::new();
        t.fifo(rel);
        let (exit, lines, report) = t.check();
        assert_eq!(exit, 1, "{rel}: {report}");
        assert_has(&lines, &format!("E055 {at}"), &report);
        assert!(
            report.contains("fifo"),
            "{rel}: the message says what it is: {report}"
        );
    }
}

#[test]
fn a_named_pipe_as_media_is_an_error_at_the_reference() {
    let t = Tree::new();
    t.fifo("moments/somn/media/andning.txt");
    let (exit, lines, report) = t.check();
    assert_eq!(exit, 1, "{report}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("E055 moments/somn/modules/") && !l.ends_with(":1:1")),
        "the error is at the reference in the module: {lines:#?}"
    );
    t.build_refused();
}

#[test]
fn a_link_to_dev_zero_is_refused_at_once() {
    for rel in [
        "moments/somn/modules/01-om-somn.md",
        "moments/somn/media/sang.png",
        "units.yaml",
    ] {
        let t = Tree::new();
        t.link(rel, Path::new("/dev/zero"));
        let start = Instant::now();
        let (exit, lines, report) = t.check();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{rel}: /dev/zero was read for {:?}",
            start.elapsed()
        );
        assert_eq!(exit, 1, "{rel}: {report}");
        assert!(
            lines.iter().any(|l| l.starts_with("E027 ")),
            "{rel}: {lines:#?}"
        );
    }
}

#[test]
fn a_moment_folder_that_is_a_link_is_refused() {
    let t = Tree::new();
    let outside = t.tmp.path().join("annat");
    copy_tree(&t.path("moments/somn"), &outside);
    std::os::unix::fs::symlink(&outside, t.path("moments/lank")).expect("link");
    let (exit, lines, report) = t.check();
    assert_eq!(exit, 1, "{report}");
    assert_has(&lines, "E027 moments/lank:1:1", &report);
}

#[test]
fn oversized_files_are_refused_with_the_limit() {
    for rel in [
        "moments/somn/modules/04-dagen.md",
        "moments/somn/forms/somndagbok.yaml",
        "units.yaml",
    ] {
        let t = Tree::new();
        let text = format!("# {}\n", "a".repeat(1024 * 1024));
        write(&t.root, rel, &text);
        let (exit, lines, report) = t.check();
        assert_eq!(exit, 1, "{rel}: {report}");
        assert_has(&lines, &format!("E056 {rel}:1:1"), &report);
        assert!(report.contains("1 MiB"), "{rel}: names the limit: {report}");
    }
}

// ---------------------------------------------------------------- git revisions

fn git(dir: &Path, args: &[&str]) -> String {
    let out = common::git_command(dir)
        .args(["-c", "commit.gpgsign=false", "-c", "core.symlinks=true"])
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

impl Tree {
    /// Makes the tree a git repository with one commit, "clean".
    fn git_init(&self) {
        git(&self.root, &["init", "-q", "-b", "main"]);
        self.commit("clean");
    }

    /// Commits everything.
    fn commit(&self, message: &str) {
        git(&self.root, &["add", "-A"]);
        git(&self.root, &["commit", "-q", "-m", message]);
    }
}

/// A git repository of the tree: a first clean commit, then a commit that replaces
/// the form with a symbolic link to the secret; the working tree is clean again
/// (the link is replaced by the real file) so only the revision is hostile.
fn repo_with_committed_link(rel: &str) -> Tree {
    let t = Tree::new();
    t.git_init();
    let original = std::fs::read(t.path(rel)).expect("the file");
    t.link(rel, &t.secret);
    t.commit("a link");
    std::fs::remove_file(t.path(rel)).expect("remove the link");
    std::fs::write(t.path(rel), original).expect("restore the file");
    t
}

fn assert_tree_refused(out: &Output, rel: &str, what: &str) {
    let text = show(out);
    assert_eq!(
        code(out),
        1,
        "a hostile revision is refused (exit 1):\n{text}"
    );
    assert!(
        text.contains(rel) && text.contains(what),
        "the refusal names `{rel}` and says it is {what}:\n{text}"
    );
    assert_no_secret(&text);
}

#[test]
fn diff_refuses_a_committed_symbolic_link() {
    let rel = "moments/somn/forms/somndagbok.yaml";
    let t = repo_with_committed_link(rel);
    let out = moment(&t.root, &["diff", "HEAD~1", "HEAD"]);
    assert_tree_refused(&out, rel, "symbolic link");
    let out = moment(&t.root, &["diff", "HEAD", "."]);
    assert_tree_refused(&out, rel, "symbolic link");
}

#[test]
fn check_against_refuses_a_committed_symbolic_link() {
    let rel = "themes/default/style.css";
    let t = Tree::new();
    write(&t.root, rel, "body { color: black; }\n");
    let t = {
        t.git_init();
        t.link(rel, Path::new("/etc/passwd"));
        t.commit("a link");
        std::fs::remove_file(t.path(rel)).expect("remove the link");
        write(&t.root, rel, "body { color: black; }\n");
        t
    };
    let out = moment(&t.root, &["check", "--against", "HEAD"]);
    assert_tree_refused(&out, rel, "symbolic link");
    let out = moment(&t.root, &["check", "--against", "HEAD~1"]);
    assert_eq!(code(&out), 0, "the clean revision is fine:\n{}", show(&out));
}

#[test]
fn a_committed_submodule_is_refused() {
    let t = Tree::new();
    t.git_init();
    let head = git(&t.root, &["rev-parse", "HEAD"]);
    git(
        &t.root,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{head},moments/somn/media/extern"),
        ],
    );
    git(&t.root, &["commit", "-q", "-m", "a submodule"]);
    let out = moment(&t.root, &["diff", "HEAD~1", "HEAD"]);
    assert_tree_refused(&out, "moments/somn/media/extern", "submodule");
}

#[test]
fn a_committed_link_outside_what_moment_reads_is_left_out() {
    // A link in, say, docs/ of the repository is not read and does not stop a diff.
    let t = Tree::new();
    t.git_init();
    std::fs::create_dir_all(t.path("docs")).expect("docs/");
    t.link("docs/credentials", &t.secret);
    t.commit("a link elsewhere");
    let out = moment(&t.root, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert_no_secret(&show(&out));
}

// ---------------------------------------------------------------- publishing

/// Whether `ssh-keygen` is there; under CI it must be (`.ci/run` installs it).
fn have_ssh_keygen() -> bool {
    let ok = common::starts("ssh-keygen", &["-?"]);
    if !ok {
        common::skip("ssh-keygen is not installed (apt-get install openssh-client)");
    }
    ok
}

#[test]
fn publish_refuses_a_tag_whose_tree_holds_a_symbolic_link() {
    if !have_ssh_keygen() {
        return;
    }
    let rel = "moments/somn/forms/somndagbok.yaml";
    let t = Tree::new();
    let anna = common::Key::ed25519(t.tmp.path(), "anna");
    let (key, public) = (anna.path, anna.public);
    write(
        &t.root,
        "units.yaml",
        &format!(
            "units:\n  - id: region-exempel\n    name: Region Exempel\n    kind: production\n    publishers:\n      - name: Anna Andersson\n        key: \"{}\"\n",
            public.trim()
        ),
    );
    t.git_init();
    t.link(rel, &t.secret);
    t.commit("a link");
    git(
        &t.root,
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &format!("user.signingkey={}", key.display()),
            "tag",
            "-s",
            "-m",
            "Release somn/v1.0.0",
            "somn/v1.0.0",
        ],
    );
    let catalog = t.tmp.path().join("catalog");
    let out = moment(
        &t.root,
        &[
            "publish",
            "--tag",
            "somn/v1.0.0",
            "--catalog",
            catalog.to_str().expect("UTF-8"),
            "--trust",
            "main",
        ],
    );
    assert_tree_refused(&out, rel, "symbolic link");
    assert!(
        !catalog.exists() || all_text(&catalog).is_empty(),
        "nothing is published"
    );
    if catalog.exists() {
        assert_no_secret(&all_text(&catalog));
    }
}

// ---------------------------------------------------------------- linear work

#[test]
fn the_navigation_of_a_moment_of_many_modules_is_a_window() {
    let t = Tree::new();
    let dir = t.path("moments/somn");
    let meta = std::fs::read_to_string(dir.join("moment.yaml")).expect("moment.yaml");
    let mut listed = String::new();
    for i in 0..120 {
        write(
            &dir,
            &format!("modules/x{i:03}.md"),
            &format!("---\ntitle: Del {i}\n---\nDel {i}. Läs lugnt.\n"),
        );
        listed.push_str(&format!("  - modules/x{i:03}.md\n"));
    }
    std::fs::write(dir.join("moment.yaml"), format!("{meta}{listed}")).expect("write");
    let out = moment(&t.root, &["build", "--out", "dist"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    let site = t.path("dist/somn/1.0.0/site");
    let page = std::fs::read_to_string(site.join("x060.html")).expect("a module page");
    let nav = page
        .split("<nav class=\"modules\"")
        .nth(1)
        .and_then(|n| n.split("</nav>").next())
        .expect("the module navigation");
    assert_eq!(nav.matches("<li>").count(), 50, "a window of 50:\n{nav}");
    assert!(
        nav.contains("href=\"x060.html\" aria-current=\"page\""),
        "{nav}"
    );
    assert!(
        nav.contains("<ol start=\"41\">"),
        "numbered from the window's first module (x060 is module 66):\n{nav}"
    );
    assert_eq!(nav.matches("nav-more").count(), 2, "{nav}");
    let first = std::fs::read_to_string(site.join("01-om-somn.html")).expect("the first page");
    assert!(first.contains("<ol>") && first.matches("nav-more").count() == 1);
}

#[test]
fn a_form_of_more_than_10000_items_is_refused_at_its_items() {
    let t = Tree::new();
    let rel = "moments/somn/forms/somndagbok.yaml";
    let text = std::fs::read_to_string(t.path(rel)).expect("the form");
    let mut more = String::new();
    for i in 0..10_001 {
        more.push_str(&format!("  - id: x{i}\n    type: text\n    text: F{i}\n"));
    }
    let text = text.replacen("items:\n", &format!("items:\n{more}"), 1);
    assert!(
        text.len() < 1024 * 1024,
        "the form stays under the size limit"
    );
    write(&t.root, rel, &text);
    let (exit, lines, report) = t.check();
    assert_eq!(exit, 1, "{report}");
    let line = text.lines().position(|l| l == "items:").expect("items:") + 1;
    assert_has(&lines, &format!("E057 {rel}:{line}:1"), &report);
    assert!(report.contains("10000"), "names the limit: {report}");
}

#[test]
fn diff_of_a_working_tree_with_a_named_pipe_as_media_does_not_wait() {
    let t = Tree::new();
    t.git_init();
    t.fifo("moments/somn/media/andning.txt");
    let start = Instant::now();
    let out = moment(&t.root, &["diff", "HEAD", "."]);
    assert!(
        start.elapsed() < PROMPT,
        "diff waited on the pipe for {:?}",
        start.elapsed()
    );
    assert!(code(&out) <= 1, "diff ran to the end:\n{}", show(&out));
    assert!(
        stdout(&out).contains("transcript_changed"),
        "the changed transcript shows in the diff:\n{}",
        show(&out)
    );
}
