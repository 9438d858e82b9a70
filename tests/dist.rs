//! The output folder under attack: builds killed with `kill -9` at every step that
//! puts a build in place and at random moments, two builds at once into one `dist/`,
//! a build waiting for another one's lock, names in the way, and the order of
//! `fsync` and `rename` seen by `strace`.
//!
//! After every kill, a reader of `dist/` must see the previous complete build or the
//! new complete build, and the next build must give what a clean build gives.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, mpsc};
use std::time::{Duration, Instant};

use common::{BIN, copy_tree};
use sha2::Digest;

/// What a reader sees: path → content (`None` for a folder).
type View = BTreeMap<String, Option<Vec<u8>>>;

/// The longest any single build of the examples may take in these tests.
const LIMIT: Duration = Duration::from_secs(60);

/// A repository with the example moments `only` (all when empty) and `units.yaml`.
fn examples(only: &[&str]) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("a temporary directory");
    std::fs::copy(src.join("units.yaml"), tmp.path().join("units.yaml")).expect("units.yaml");
    for entry in std::fs::read_dir(src.join("moments")).expect("moments/") {
        let entry = entry.expect("an entry");
        let name = entry.file_name().into_string().expect("UTF-8");
        if only.is_empty() || only.contains(&name.as_str()) {
            copy_tree(&entry.path(), &tmp.path().join("moments").join(&name));
        }
    }
    tmp
}

/// A `moment build` command in `root`, with a fixed time stamp.
fn build_cmd(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("build")
        .args(args)
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("MOMENT_TEST_PAUSE_AT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs a build to the end and asserts that it succeeded.
fn build_ok(root: &Path, args: &[&str]) {
    let child = build_cmd(root, args).spawn().expect("start moment");
    let out = child.wait_with_output().expect("wait for moment");
    assert_eq!(
        out.status.code(),
        Some(0),
        "moment build {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What a reader of `dist` sees, through the links, without the hidden entries.
/// A link that leads nowhere is not seen (opening it fails as for a missing name).
fn view(dist: &Path) -> View {
    let mut out = View::new();
    if dist.exists() {
        view_into(dist, "", &mut out);
    }
    out
}

fn view_into(dir: &Path, prefix: &str, out: &mut View) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let entry = entry.expect("an entry");
        let name = entry.file_name().into_string().expect("UTF-8");
        if prefix.is_empty() && name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let rel = format!("{prefix}{name}");
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            out.insert(format!("{rel}/"), None);
            view_into(&path, &format!("{rel}/"), out);
        } else {
            let bytes =
                std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            out.insert(rel, Some(bytes));
        }
    }
}

/// A short description of how two views differ.
fn differences(a: &View, b: &View) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            None => out.push(format!("only in the first: {k}")),
            Some(w) if w != v => out.push(format!("differs: {k}")),
            _ => {}
        }
    }
    out.extend(
        b.keys()
            .filter(|k| !a.contains_key(*k))
            .map(|k| format!("only in the second: {k}")),
    );
    out.truncate(10);
    out
}

/// Asserts that `dist` holds one whole build and nothing an interrupted build left:
/// at most two numbered builds, no staging folder, no half-made link, and no bundle
/// in the store that no build links to.
fn assert_tidy(dist: &Path) {
    let names = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .into_string()
                    .expect("UTF-8")
            })
            .collect()
    };
    let builds: Vec<String> = names(&dist.join(".builds"))
        .into_iter()
        .filter(|b| b != "store")
        .collect();
    assert!(
        builds.iter().all(|b| b.bytes().all(|c| c.is_ascii_digit())),
        "leftovers in .builds: {builds:?}"
    );
    assert!(builds.len() <= 2, "old builds kept: {builds:?}");
    let mut linked = BTreeSet::new();
    for build in &builds {
        let build = dist.join(".builds").join(build);
        for id in names(&build) {
            // A link per moment into the store (a folder in place is a moment an
            // older `moment` wrote).
            if let Ok(target) = std::fs::read_link(build.join(&id)) {
                let name = target.file_name().expect("a name").to_owned();
                linked.insert(name.into_string().expect("UTF-8"));
            }
        }
    }
    let store: BTreeSet<String> = names(&dist.join(".builds/store")).into_iter().collect();
    assert_eq!(
        store, linked,
        "the store holds other bundles than the builds link to"
    );
    assert!(!dist.join(".current.new").exists(), ".current.new left");
    for entry in std::fs::read_dir(dist).expect("dist") {
        let path = entry.expect("an entry").path();
        assert!(
            path.exists(),
            "a link that leads nowhere: {}",
            path.display()
        );
    }
}

/// Copies a `dist` folder, links as links.
fn copy_dist(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).expect("remove the old copy");
    }
    copy_tree(from, to);
}

/// How a build started with a pause point ended.
enum Run {
    /// It printed the pause line with this step description and now sleeps.
    Paused(Child, String),
    /// It ran to the end without reaching the pause point.
    Finished(std::process::Output),
}

/// Starts `cmd` and waits until it pauses (test-only hook) or ends.
fn run_until_paused(mut cmd: Command) -> Run {
    let mut child = cmd.spawn().expect("start moment");
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = String::new();
        let mut lines = BufReader::new(stderr).lines();
        while let Some(Ok(line)) = lines.next() {
            if let Some(rest) = line.strip_prefix("moment-test: paused before ") {
                let _ = tx.send(Ok(rest.to_owned()));
                // Keep reading, so that a build that goes on can still write.
                lines.for_each(drop);
                return;
            }
            seen.push_str(&line);
            seen.push('\n');
        }
        let _ = tx.send(Err(seen));
    });
    match rx
        .recv_timeout(LIMIT)
        .expect("the build paused or ended in time")
    {
        Ok(step) => Run::Paused(child, step),
        Err(stderr) => {
            let mut out = child.wait_with_output().expect("wait for moment");
            out.stderr = stderr.into_bytes();
            Run::Finished(out)
        }
    }
}

/// `kill -9` and reap.
fn kill9(mut child: Child) {
    child.kill().expect("kill -9 the build");
    child.wait().expect("reap the build");
}

/// Edits a moment so that a new build differs from the previous one.
fn edit(root: &Path) {
    let welcome = root.join("moments/somn/welcome.md");
    let mut text = std::fs::read_to_string(&welcome).expect("welcome.md");
    text.push_str("\nEn ny mening i den nya versionen.\n");
    std::fs::write(&welcome, text).expect("write welcome.md");
}

/// The states for the kill tests: `before` is a `dist/` that two builds of `minimal`
/// and `somn` made (so the next build also removes an old build), `old` what it
/// shows; the sources are then edited, and `new` is what a clean build of every
/// moment shows.
struct Scene {
    repo: tempfile::TempDir,
    before: PathBuf,
    old: View,
    new: View,
}

fn scene() -> Scene {
    let repo = examples(&[]);
    let root = repo.path();
    build_ok(root, &["minimal", "somn", "--out", "before"]);
    build_ok(root, &["minimal", "somn", "--out", "before"]);
    let before = root.join("before");
    let old = view(&before);
    assert!(old.contains_key("somn-1.0.0.tar.gz"), "{:?}", old.keys());
    edit(root);
    build_ok(root, &["--out", "clean"]);
    let new = view(&root.join("clean"));
    assert!(new.contains_key("stresskoll-1.0.0.tar.gz"));
    assert_ne!(old, new);
    Scene {
        repo,
        before,
        old,
        new,
    }
}

#[test]
fn a_build_killed_at_any_step_leaves_the_previous_or_the_new_build() {
    let s = scene();
    let root = s.repo.path();
    let dist = root.join("dist");
    let mut step = 1;
    let mut switched = false;
    loop {
        copy_dist(&s.before, &dist);
        let mut cmd = build_cmd(root, &[]);
        cmd.env("MOMENT_TEST_PAUSE_AT", format!("step:{step}"));
        match run_until_paused(cmd) {
            Run::Paused(child, what) => {
                kill9(child);
                let seen = view(&dist);
                // Paused *before* this step: the switch has happened when an earlier
                // step was the rename of `.current.new`.
                let expected = if switched { &s.new } else { &s.old };
                assert!(
                    seen == *expected,
                    "killed before {what}: dist shows neither the expected build \
                     (switched: {switched}): {:?}",
                    differences(&seen, expected)
                );
                switched |= what.contains(".current.new to ");
                build_ok(root, &[]);
                let seen = view(&dist);
                assert!(
                    seen == s.new,
                    "after a kill before {what}, the next build differs from a clean one: {:?}",
                    differences(&seen, &s.new)
                );
                assert_tidy(&dist);
            }
            Run::Finished(out) => {
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                break;
            }
        }
        step += 1;
    }
    // Rename to .builds/N, two links (folder, archive) per moment that is new,
    // .current.new, the switch, the removal of the oldest build, and the removal of
    // the bundle that only the oldest build linked to (the second build of `before`
    // wrote somn again, so its first bundle is in the oldest build alone).
    let ids = |v: &View| v.keys().filter(|k| k.matches('/').count() == 1).count();
    let added = ids(&s.new) - ids(&s.old);
    assert!(added >= 2, "the new build adds moments");
    assert!(switched, "no step switched .current");
    assert_eq!(
        step - 1,
        1 + 2 * added + 3 + 1,
        "the number of steps that put a build in place"
    );
    assert_eq!(view(&dist), s.new);
    assert_tidy(&dist);
}

/// A small random number generator (xorshift), seeded from the clock and printed, so
/// that a failure can be replayed with `MOMENT_TEST_SEED`.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("MOMENT_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .expect("a clock after 1970")
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("random kills: MOMENT_TEST_SEED={seed}");
        Rng(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn builds_killed_at_random_moments_leave_the_previous_or_the_new_build() {
    let s = scene();
    let root = s.repo.path();
    let dist = root.join("dist");
    // How long a whole build takes here, to spread the kills over it.
    copy_dist(&s.before, &dist);
    let start = Instant::now();
    build_ok(root, &[]);
    let whole = start.elapsed().as_millis() as u64;
    let mut rng = Rng::new();
    let budget = Duration::from_secs(20);
    let start = Instant::now();
    let (mut rounds, mut old_seen, mut new_seen) = (0, 0, 0);
    while start.elapsed() < budget || rounds < 5 {
        copy_dist(&s.before, &dist);
        let mut child = build_cmd(root, &[]).spawn().expect("start moment");
        // Half the kills anywhere in the build, half in its last third, where the
        // bundles are written and switched.
        let delay = if rounds % 2 == 0 {
            rng.below(whole + whole / 4)
        } else {
            whole * 2 / 3 + rng.below(whole / 2)
        };
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().expect("reap the build");
        let seen = view(&dist);
        if seen == s.old {
            old_seen += 1;
        } else if seen == s.new {
            new_seen += 1;
        } else {
            panic!(
                "killed after {delay} ms: dist shows neither build: old {:?} new {:?}",
                differences(&seen, &s.old),
                differences(&seen, &s.new)
            );
        }
        build_ok(root, &[]);
        assert!(
            view(&dist) == s.new,
            "after a kill at {delay} ms the next build differs from a clean one"
        );
        assert_tidy(&dist);
        rounds += 1;
    }
    eprintln!("{rounds} kills: {old_seen} left the old build, {new_seen} the new one");
}

#[test]
fn two_builds_at_once_into_one_dist_both_succeed_and_leave_one_whole_build() {
    let repo = examples(&[]);
    let root = repo.path();
    build_ok(root, &["--out", "clean"]);
    let clean = view(&root.join("clean"));
    let dist = root.join("dist");
    let stop = Arc::new(AtomicBool::new(false));
    // The test removes dist between some rounds; the reader does not read meanwhile.
    let removing = Arc::new(RwLock::new(()));
    let reader = {
        let (dist, stop, removing) = (dist.clone(), Arc::clone(&stop), Arc::clone(&removing));
        std::thread::spawn(move || {
            let mut checked = 0;
            while !stop.load(Ordering::Relaxed) {
                let _reading = removing.read().expect("the lock");
                checked += check_bundles(&dist);
            }
            checked
        })
    };
    let budget = Duration::from_secs(15);
    let start = Instant::now();
    let mut rounds = 0;
    while start.elapsed() < budget || rounds < 5 {
        if rounds % 2 == 0 && dist.exists() {
            let _removing = removing.write().expect("the lock");
            std::fs::remove_dir_all(&dist).expect("remove dist");
        }
        let a = build_cmd(root, &[]).spawn().expect("start build a");
        let b = build_cmd(root, &["somn", "minimal"])
            .spawn()
            .expect("start build b");
        for (name, child) in [("all", a), ("somn minimal", b)] {
            let out = child.wait_with_output().expect("wait");
            assert_eq!(
                out.status.code(),
                Some(0),
                "round {rounds}: build {name}:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("built somn 1.0.0"),
                "round {rounds}: build {name} lists its bundles"
            );
        }
        let seen = view(&dist);
        assert!(
            seen == clean,
            "round {rounds}: dist differs from a clean build: {:?}",
            differences(&seen, &clean)
        );
        assert_tidy(&dist);
        rounds += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let checked = reader.join().expect("the reader found every bundle whole");
    assert!(checked > 0, "the reader never saw a bundle");
    eprintln!("{rounds} rounds; a reader checked {checked} bundles while they ran");
}

/// Reads `dist` as a program would while builds run: every bundle it can see must
/// be whole (every file its manifest lists, with that size and digest) and have its
/// archive. Returns the number of bundles checked; panics on a broken one.
fn check_bundles(dist: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dist) else {
        return 0;
    };
    let mut checked = 0;
    for entry in entries {
        let Ok(entry) = entry else { continue };
        let id = entry.file_name().to_string_lossy().into_owned();
        // A name that leads nowhere (a link of a build that has not switched yet) is
        // absent, not broken.
        let Ok(versions) = std::fs::read_dir(entry.path()) else {
            continue;
        };
        if id.starts_with('.') {
            continue;
        }
        for version in versions {
            let Ok(version) = version else { continue };
            let bundle = version.path();
            let v = version.file_name().to_string_lossy().into_owned();
            let text = std::fs::read(bundle.join("manifest.json"))
                .unwrap_or_else(|e| panic!("{}: no manifest.json: {e}", bundle.display()));
            let manifest: serde_json::Value =
                serde_json::from_slice(&text).expect("manifest.json is JSON");
            for file in manifest["files"].as_array().expect("files") {
                let path = bundle.join(file["path"].as_str().expect("a path"));
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(bytes.len() as u64, file["size"].as_u64().expect("a size"));
                let digest = format!("{:x}", sha2::Sha256::digest(&bytes));
                assert_eq!(digest, file["sha256"], "{}", path.display());
            }
            let archive = dist.join(format!("{id}-{v}.tar.gz"));
            assert!(archive.is_file(), "{} is missing", archive.display());
            checked += 1;
        }
    }
    checked
}

#[test]
fn a_second_build_waits_for_the_first_names_its_process_and_then_builds() {
    let repo = examples(&["minimal", "somn"]);
    let root = repo.path();
    build_ok(root, &["--out", "clean"]);
    let clean = view(&root.join("clean"));
    let mut first = build_cmd(root, &[]);
    first.env("MOMENT_TEST_PAUSE_AT", "step:1");
    let Run::Paused(first, _) = run_until_paused(first) else {
        panic!("the first build did not pause");
    };
    let pid = first.id();
    let mut second = build_cmd(root, &[])
        .spawn()
        .expect("start the second build");
    let stderr = second.stderr.take().expect("piped stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stderr).lines();
        if let Some(Ok(line)) = lines.next() {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(LIMIT)
        .expect("the second build says it waits");
    assert_eq!(
        line,
        format!("waiting for another build (process {pid}), which is writing dist, to finish")
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        second.try_wait().expect("poll").is_none(),
        "the second build did not wait"
    );
    // The lock goes with the process, however it ends.
    kill9(first);
    let out = second
        .wait_with_output()
        .expect("wait for the second build");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("built somn 1.0.0"));
    let dist = root.join("dist");
    assert_eq!(view(&dist), clean);
    assert_tidy(&dist);
}

/// Sends `signal` (such as `-CONT`) to process `pid`.
fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {signal} {pid}");
}

#[test]
fn a_build_waiting_for_a_failed_build_that_made_the_folder_builds_into_a_new_one() {
    // The first build renders with a theme error, so it fails after taking the
    // lock, and removes the output folder it created, lock file included.
    let bad = examples(&["minimal"]);
    common::write(
        bad.path(),
        "themes/default/module.html",
        "{% extends \"builtin/module.html\" %}{% block content %}{% include \"nosuch.html\" %}{% endblock %}",
    );
    let good = examples(&["minimal"]);
    let shared = tempfile::tempdir().expect("a temporary directory");
    let out = shared.path().join("dist");
    let out_arg = out.to_str().expect("a UTF-8 path");
    let mut first = build_cmd(bad.path(), &["--out", out_arg]);
    first.env("MOMENT_TEST_PAUSE_AT", "step:1");
    let Run::Paused(first, what) = run_until_paused(first) else {
        panic!("the failing build did not pause");
    };
    assert!(what.contains("failed build"), "{what}");
    let mut second = build_cmd(good.path(), &["--out", out_arg])
        .spawn()
        .expect("start the second build");
    let stderr = second.stderr.take().expect("piped stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(LIMIT)
        .expect("the second build says it waits");
    assert!(line.starts_with("waiting for another build"), "{line}");
    // Now let the first build fail and remove the folder under the waiting one.
    signal(first.id(), "-CONT");
    let first = first.wait_with_output().expect("wait for the first build");
    assert_eq!(first.status.code(), Some(1), "the first build fails");
    let status = second.wait().expect("wait for the second build");
    let rest: Vec<String> = rx.try_iter().collect();
    assert_eq!(status.code(), Some(0), "{rest:?}");
    assert!(out.join("minimal/0.1.0/site/index.html").is_file());
    assert!(out.join(".lock").is_file(), "the build held no lock file");
    assert_tidy(&out);
}

#[test]
fn a_new_version_keeps_the_old_one_through_later_builds() {
    let repo = examples(&["minimal", "somn"]);
    let root = repo.path();
    let dist = root.join("dist");
    build_ok(root, &[]);
    let first = view(&dist);
    assert!(first.contains_key("minimal/0.1.0/manifest.json"));
    let yaml = root.join("moments/minimal/moment.yaml");
    let text = std::fs::read_to_string(&yaml).expect("moment.yaml");
    std::fs::write(
        &yaml,
        text.replace("version: \"0.1.0\"", "version: \"0.2.0\""),
    )
    .expect("bump the version");
    build_ok(root, &[]);
    // Edit the new version twice more: each build makes a new set of minimal's
    // versions, into which the old version is carried.
    for round in 0..2 {
        let welcome = root.join("moments/minimal/welcome.md");
        let mut text = std::fs::read_to_string(&welcome).expect("welcome.md");
        text.push_str(&format!("\nRunda {round}.\n"));
        std::fs::write(&welcome, text).expect("write welcome.md");
        build_ok(root, &[]);
        let seen = view(&dist);
        for (name, bytes) in &first {
            if name.starts_with("minimal/0.1.0/") || name == "minimal-0.1.0.tar.gz" {
                assert!(
                    seen.get(name) == Some(bytes),
                    "round {round}: {name} of the old version changed or went"
                );
            }
        }
        assert!(seen.contains_key("minimal/0.2.0/manifest.json"));
        assert!(seen.contains_key("minimal-0.2.0.tar.gz"));
        assert_tidy(&dist);
    }
}

#[test]
fn bundles_an_older_moment_wrote_in_place_are_carried_into_the_store() {
    let repo = examples(&["minimal", "somn"]);
    let root = repo.path();
    build_ok(root, &[]);
    build_ok(root, &["--out", "clean"]);
    let dist = root.join("dist");
    // An older `moment` wrote each bundle as a folder inside the build, not as a link
    // into the store: turn the current build back into that layout.
    let current = dist.join(".current").canonicalize().expect("dist/.current");
    for id in ["minimal", "somn"] {
        let link = current.join(id);
        let set = link.canonicalize().expect("the versions in the store");
        std::fs::remove_file(&link).expect("remove the link");
        copy_tree(&set, &link);
        std::fs::remove_dir_all(&set).expect("remove them from the store");
    }
    std::fs::remove_dir(dist.join(".builds/store")).expect("an empty store");
    std::fs::remove_dir_all(dist.join(".cache")).expect("no cache");
    let old = view(&dist);
    // One moment is built; the other is kept from the old layout.
    build_ok(root, &["somn"]);
    let seen = view(&dist);
    assert!(
        seen == old,
        "the bundles changed: {:?}",
        differences(&seen, &old)
    );
    assert!(
        seen == view(&root.join("clean")),
        "dist differs from a clean build"
    );
    let kept = dist.join(".current").canonicalize().expect("dist/.current");
    for id in ["minimal", "somn"] {
        assert!(
            std::fs::symlink_metadata(kept.join(id)).is_ok_and(|m| m.is_symlink()),
            "{id} is not a link into the store"
        );
    }
    assert_tidy(&dist);
}

#[test]
fn a_folder_or_file_in_the_way_of_a_link_is_refused_and_left_alone() {
    let repo = examples(&["minimal"]);
    let root = repo.path();
    for (name, is_dir) in [("minimal", true), ("minimal-0.1.0.tar.gz", false)] {
        let dist = root.join("dist");
        let _ = std::fs::remove_dir_all(&dist);
        if is_dir {
            common::write(&dist, "minimal/0.1.0/moment.json", "{}");
        } else {
            common::write(&dist, "minimal-0.1.0.tar.gz", "old");
        }
        let before = common::tree(&dist);
        let out = common::run_in(root, &["build"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("dist/{name} is in the way")),
            "names {name}: {stderr}"
        );
        assert!(stdout_is_empty(&out), "claims a bundle");
        assert_eq!(common::tree(&dist), before, "{name}: dist changed");
    }
    // With the folder out of the way, the build writes the new layout.
    std::fs::remove_dir_all(root.join("dist")).expect("remove dist");
    build_ok(root, &[]);
    assert!(root.join("dist/minimal/0.1.0/site/index.html").is_file());
    assert_eq!(
        std::fs::read_link(root.join("dist/minimal")).expect("a link"),
        Path::new(".current/minimal")
    );
}

fn stdout_is_empty(out: &std::process::Output) -> bool {
    out.stdout.is_empty()
}

/// One system call from an `strace -f -y` log.
#[derive(Debug)]
struct Call {
    name: String,
    /// The paths in its arguments (`-y` prints a descriptor's path in `<…>`).
    paths: Vec<String>,
}

/// Runs `moment <args>` in `root` under `strace -e trace=<calls>`, asserts success,
/// and returns the calls it made.
fn traced_build(root: &Path, calls: &str, args: &[&str]) -> Vec<Call> {
    let log = root.join("strace.log");
    let out = Command::new("strace")
        .args(["-f", "-y", "-qq", "-s", "4096", "-o"])
        .arg(&log)
        .args(["-e", &format!("trace={calls}")])
        .arg(BIN)
        .args(args)
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run strace");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cwd = root.canonicalize().expect("the repository");
    parse_strace(
        &std::fs::read_to_string(&log).expect("the strace log"),
        &cwd,
    )
}

/// Parses the log; relative paths are made absolute from `cwd`, and the working
/// folder that `-y` prints after `AT_FDCWD` is not a path argument.
fn parse_strace(log: &str, cwd: &Path) -> Vec<Call> {
    let mut calls = Vec::new();
    for line in log.lines() {
        // "1234 fsync(3</tmp/…>) = 0", or "… <unfinished ...>"; skip "<... resumed>".
        let rest = line.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
        if rest.starts_with("<...") || rest.starts_with("+++") || rest.starts_with("---") {
            continue;
        }
        let Some(open) = rest.find('(') else { continue };
        let name = rest[..open].to_owned();
        let args = &rest[open + 1..];
        let mut paths = Vec::new();
        let mut chars = args.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let close = match c {
                '"' => '"',
                '<' => '>',
                _ => continue,
            };
            if let Some(len) = args[i + 1..].find(close) {
                let text = &args[i + 1..i + 1 + len];
                if !(c == '<' && args[..i].ends_with("AT_FDCWD")) {
                    paths.push(cwd.join(text).to_string_lossy().into_owned());
                }
                while chars.peek().is_some_and(|&(j, _)| j <= i + 1 + len) {
                    chars.next();
                }
            }
        }
        calls.push(Call { name, paths });
    }
    calls
}

#[test]
fn bundles_and_the_switch_are_fsynced_before_the_renames_that_show_them() {
    if !common::starts("strace", &["-V"]) {
        common::skip("strace is not installed (apt-get install strace)");
        return;
    }
    let repo = examples(&["minimal", "somn", "stresskoll"]);
    let root = repo.path();
    build_ok(root, &[]);
    build_ok(root, &[]);
    edit(root);
    let dist = root.join("dist").canonicalize().expect("dist");
    let calls = traced_build(
        root,
        "fsync,fdatasync,syncfs,rename,renameat,renameat2,symlink,symlinkat,link,linkat",
        &["build", "somn"],
    );
    let d = dist.to_string_lossy().into_owned();
    let is_rename = |c: &Call| c.name.starts_with("rename");
    // Flushed: an fsync of the path itself, or one syncfs of the file system through
    // the staging folder after every bundle was staged (it flushes everything on it,
    // the bundle store included).
    let builds = format!("{d}/.builds/");
    let synced = |upto: usize, path: &str| {
        calls[..upto].iter().any(|c| {
            (c.name == "fsync" && c.paths.first().is_some_and(|p| p == path))
                || (c.name == "syncfs"
                    && c.paths
                        .first()
                        .is_some_and(|p| p.contains("/.builds/.staging-"))
                    && path.starts_with(&builds))
        })
    };
    // 1. The staging folder becomes .builds/N by one rename.
    let (stage_at, staging, generation) = calls
        .iter()
        .enumerate()
        .find_map(|(i, c)| {
            (is_rename(c) && c.paths.len() == 2 && c.paths[0].contains("/.builds/.staging-"))
                .then(|| (i, c.paths[0].clone(), c.paths[1].clone()))
        })
        .expect("a rename of the staging folder");
    // Before that rename: every folder of the build flushed, every link into the store
    // made, every file of the new somn bundle (in the store) and its archive flushed,
    // and the carried-over archives hard-linked.
    let gen_path = PathBuf::from(&generation);
    let mut files = 0;
    let mut links = 0;
    for entry in walk(&gen_path) {
        let rel = entry.strip_prefix(&gen_path).expect("under the build");
        let before = format!("{staging}/{}", rel.display())
            .trim_end_matches('/')
            .to_owned();
        let meta = std::fs::symlink_metadata(&entry).expect("an entry of the build");
        if meta.is_symlink() {
            links += 1;
            let made = |name: &str| {
                calls[..stage_at]
                    .iter()
                    .any(|c| c.name.starts_with(name) && c.paths.contains(&before))
            };
            if rel == Path::new("somn") {
                // The new set of somn's versions: made, and every file flushed.
                assert!(made("symlink"), "{before} not made before the rename");
                let set = entry.canonicalize().expect("the link leads to the store");
                assert!(
                    set.starts_with(&builds),
                    "{} is outside .builds",
                    set.display()
                );
                for file in walk(&set) {
                    let path = file.to_string_lossy().into_owned();
                    if file.is_file() {
                        files += 1;
                    }
                    assert!(
                        synced(stage_at, &path),
                        "{path} not flushed before the rename"
                    );
                }
            } else {
                // A kept moment: its link, hard-linked.
                assert!(made("link"), "{before} not hard-linked before the rename");
            }
        } else if meta.is_dir() {
            assert!(
                synced(stage_at, &before),
                "folder {before} not flushed before the rename"
            );
        } else if rel == Path::new("somn-1.0.0.tar.gz") {
            files += 1;
            assert!(
                synced(stage_at, &before),
                "file {before} not flushed before the rename"
            );
        } else {
            assert!(
                calls[..stage_at]
                    .iter()
                    .any(|c| c.name.starts_with("link") && c.paths.get(1) == Some(&before)),
                "{before} not linked before the rename"
            );
        }
    }
    assert_eq!(links, 3, "one link into the store per moment");
    assert!(files > 10, "only {files} files of somn checked");
    assert!(synced(stage_at, &staging), "the staging folder not flushed");
    // 2. .builds is flushed after that rename, before the switch.
    let switch_at = calls
        .iter()
        .position(|c| {
            is_rename(c)
                && c.paths
                    .first()
                    .is_some_and(|p| p.ends_with("/.current.new"))
        })
        .expect("the switch of .current");
    assert_eq!(calls[switch_at].paths[1], format!("{d}/.current"));
    assert!(stage_at < switch_at);
    assert!(
        calls[stage_at..switch_at]
            .iter()
            .any(|c| c.name == "fsync" && c.paths[0] == format!("{d}/.builds")),
        ".builds not flushed between the rename and the switch"
    );
    // 3. dist itself is flushed after the switch.
    assert!(
        calls[switch_at..]
            .iter()
            .any(|c| c.name == "fsync" && c.paths[0] == d),
        "dist not flushed after the switch"
    );
}

#[test]
fn a_build_of_many_files_flushes_them_with_one_syncfs_before_the_rename() {
    if !common::starts("strace", &["-V"]) {
        common::skip("strace is not installed (apt-get install strace)");
        return;
    }
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let root = tmp.path();
    common::synthetic_repo(root, 10, 10);
    let calls = traced_build(root, "fsync,syncfs,rename,renameat,renameat2", &["build"]);
    let stage_at = calls
        .iter()
        .position(|c| {
            c.name.starts_with("rename")
                && c.paths
                    .first()
                    .is_some_and(|p| p.contains("/.builds/.staging-"))
        })
        .expect("a rename of the staging folder");
    let file_syncs = calls[..stage_at]
        .iter()
        .filter(|c| {
            c.name == "fsync"
                && c.paths
                    .first()
                    .is_some_and(|p| p.contains("/.builds/store/"))
        })
        .count();
    assert_eq!(
        file_syncs, 0,
        "a build of many files flushed them one by one"
    );
    assert!(
        calls[..stage_at].iter().any(|c| c.name == "syncfs"
            && c.paths
                .first()
                .is_some_and(|p| p.contains("/.builds/.staging-"))),
        "no syncfs before the staging folder was renamed"
    );
}

/// Every path under `dir`, folders included (the folder itself first); links are
/// listed, not followed.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read a folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
