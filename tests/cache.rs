//! The build cache (`dist/.cache`): an incremental build keeps the bundles that
//! nothing changed, writes the same bytes as a clean build, and never serves a
//! corrupted or foreign cache entry.

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use common::{code, copy_tree, moment, stderr, write};

/// The example moments used here: two of them, so that one changes and one does not.
const CHANGED: &str = "minimal";
const UNCHANGED: &str = "ovning";

/// A repository of two example moments in a temporary folder.
fn repo() -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("a temporary directory");
    std::fs::copy(src.join("units.yaml"), tmp.path().join("units.yaml")).expect("units.yaml");
    for id in [CHANGED, UNCHANGED] {
        copy_tree(
            &src.join("moments").join(id),
            &tmp.path().join("moments").join(id),
        );
    }
    // A build remembers the versions of files that changed at least a second before
    // it ran (`fsread::SETTLED`): the tests see the same entries every time.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    tmp
}

/// `moment build --out <out>` in `root`; asserts success.
fn build(root: &Path, out: &str) {
    let done = moment(root, &["build", "--out", out]);
    assert_eq!(code(&done), 0, "build failed:\n{}", stderr(&done));
}

/// The current build of an output folder as a reader sees it (through the links
/// into the bundle store), as a tree of files.
fn current(dist: &Path) -> Vec<(String, Vec<u8>)> {
    let root = dist.join(".current").canonicalize().expect("dist/.current");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.expect("walk the build");
        let rel = entry.path().strip_prefix(&root).expect("under the build");
        let rel = rel.to_string_lossy().into_owned();
        if entry.file_type().is_file() {
            out.push((rel, std::fs::read(entry.path()).expect("read a file")));
        } else {
            out.push((rel + "/", Vec::new()));
        }
    }
    out
}

/// The inode of a bundle's manifest: the same inode means the bundle was kept.
fn manifest_inode(dist: &Path, id: &str) -> u64 {
    let dir = dist.join(id);
    let version = std::fs::read_dir(&dir)
        .expect("dist/<id>")
        .next()
        .expect("a version")
        .expect("an entry")
        .path();
    std::fs::metadata(version.join("manifest.json"))
        .expect("manifest.json")
        .ino()
}

/// The first module file of moment `id`.
fn first_module(root: &Path, id: &str) -> PathBuf {
    let mut modules: Vec<PathBuf> =
        std::fs::read_dir(root.join("moments").join(id).join("modules"))
            .expect("modules/")
            .map(|e| e.expect("an entry").path())
            .collect();
    modules.sort();
    modules.remove(0)
}

/// Appends `text` to the file at `path`.
fn append(path: &Path, text: &str) {
    let mut old = std::fs::read_to_string(path).expect("a module");
    old.push_str(text);
    std::fs::write(path, old).expect("edit a module");
}

/// Asserts that the current build of `dist` equals a clean build of the same sources.
fn assert_equals_clean_build(root: &Path, dist: &Path) {
    let _ = std::fs::remove_dir_all(root.join("clean"));
    build(root, "clean");
    let (incremental, clean) = (current(dist), current(&root.join("clean")));
    assert_eq!(
        incremental.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        clean.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        "the incremental build has other files than a clean build"
    );
    for ((path, a), (_, b)) in incremental.iter().zip(&clean) {
        assert!(a == b, "{path} differs from a clean build's");
    }
}

/// Builds into `dist` and asserts that the moment that is not meant to change was
/// built again (its manifest had the inode `before`), and that the build equals a
/// clean one.
fn assert_rebuilt(root: &Path, dist: &Path, before: u64, why: &str) {
    build(root, "dist");
    assert_ne!(manifest_inode(dist, UNCHANGED), before, "{why}");
    assert_equals_clean_build(root, dist);
}

#[test]
fn an_incremental_build_keeps_unchanged_bundles_and_equals_a_clean_build() {
    let tmp = repo();
    let root = tmp.path();
    let dist = root.join("dist");
    build(root, "dist");
    assert!(
        dist.join(".cache/moments").join(UNCHANGED).is_file(),
        "no cache entry was written for {UNCHANGED}"
    );
    let (changed_before, unchanged_before) = (
        manifest_inode(&dist, CHANGED),
        manifest_inode(&dist, UNCHANGED),
    );
    let module = first_module(root, CHANGED);
    append(&module, "\nEn ny mening i slutet.\n");
    build(root, "dist");
    assert_eq!(
        manifest_inode(&dist, UNCHANGED),
        unchanged_before,
        "the unchanged moment was built again instead of kept"
    );
    assert_ne!(
        manifest_inode(&dist, CHANGED),
        changed_before,
        "the changed moment was not built again"
    );
    let changed_page = current(&dist).into_iter().any(|(p, bytes)| {
        p.starts_with(&format!("{CHANGED}/"))
            && p.contains("/site/")
            && String::from_utf8_lossy(&bytes).contains("En ny mening i slutet.")
    });
    assert!(
        changed_page,
        "the edit is not in the changed moment's pages"
    );
    assert_equals_clean_build(root, &dist);
}

#[test]
fn a_change_to_a_shared_input_rebuilds_every_moment() {
    let tmp = repo();
    let root = tmp.path();
    let dist = root.join("dist");
    build(root, "dist");
    let before = manifest_inode(&dist, UNCHANGED);
    write(
        root,
        "themes/default/style.css",
        "body { font-family: serif; }\n",
    );
    assert_rebuilt(
        root,
        &dist,
        before,
        "a theme change did not rebuild the moment",
    );
}

#[test]
fn a_corrupted_or_foreign_cache_entry_is_ignored_and_the_bundle_rebuilt() {
    let tmp = repo();
    let root = tmp.path();
    let dist = root.join("dist");
    build(root, "dist");
    let entry = dist.join(".cache/moments").join(UNCHANGED);
    let sound = std::fs::read_to_string(&entry).expect("a cache entry");
    let tampered = [
        // One character of the recorded manifest digest changed (the checksum no
        // longer matches).
        sound.replacen("manifest ", "manifest 0", 1),
        // Another cache format.
        sound.replacen("moment-build-cache 2", "moment-build-cache 9", 1),
        // Not an entry at all.
        "garbage\n".to_owned(),
        // Empty.
        String::new(),
    ];
    for bad in tampered {
        let before = manifest_inode(&dist, UNCHANGED);
        std::fs::write(&entry, &bad).expect("tamper with the entry");
        build(root, "dist");
        assert_ne!(
            manifest_inode(&dist, UNCHANGED),
            before,
            "a tampered entry was served:\n{bad}"
        );
        assert_eq!(
            std::fs::read_to_string(&entry).expect("the rewritten entry"),
            sound,
            "the tampered entry was not replaced by a sound one"
        );
        assert_equals_clean_build(root, &dist);
    }
}

#[test]
fn a_sound_entry_for_a_bundle_the_output_no_longer_holds_is_not_served() {
    let tmp = repo();
    let root = tmp.path();
    let dist = root.join("dist");
    build(root, "dist");
    // The entry is sound, but the bundle in the current build was changed by hand:
    // its manifest no longer has the recorded digest.
    let manifest = dist
        .join(".current")
        .canonicalize()
        .expect("dist/.current")
        .join(UNCHANGED);
    let version = std::fs::read_dir(&manifest)
        .expect("a version")
        .next()
        .expect("a version")
        .expect("an entry")
        .path()
        .join("manifest.json");
    let text = std::fs::read_to_string(&version).expect("manifest.json");
    std::fs::remove_file(&version).expect("unlink the manifest");
    std::fs::write(&version, text.replace('"', "'")).expect("write a changed manifest");
    build(root, "dist");
    assert_equals_clean_build(root, &dist);
}

#[test]
fn deleting_the_cache_gives_a_cold_build_with_the_same_bytes() {
    let tmp = repo();
    let root = tmp.path();
    let dist = root.join("dist");
    build(root, "dist");
    let first = current(&dist);
    std::fs::remove_dir_all(dist.join(".cache")).expect("delete the cache");
    build(root, "dist");
    assert!(
        current(&dist) == first,
        "the bytes changed without the cache"
    );
}

#[test]
fn a_same_size_edit_under_the_old_modification_time_is_built_again() {
    let tmp = repo();
    let root = tmp.path();
    let dist = root.join("dist");
    build(root, "dist");
    let entry = std::fs::read_to_string(dist.join(".cache/moments").join(UNCHANGED))
        .expect("a cache entry");
    assert!(
        entry.lines().any(|l| l.starts_with("tree ")),
        "the entry remembers no file versions:\n{entry}"
    );
    // Same size, same modification time: only the change time (which no user can
    // set back) and the bytes tell it from the file the entry remembers.
    let module = first_module(root, UNCHANGED);
    let modified = std::fs::metadata(&module)
        .and_then(|m| m.modified())
        .expect("the module's time");
    let text = std::fs::read_to_string(&module).expect("a module");
    assert!(text.contains("Vanlig tvål"), "the module the test edits");
    let edited = text.replacen("Vanlig tvål", "Vanlik tvål", 1);
    assert_eq!(edited.len(), text.len());
    std::fs::write(&module, &edited).expect("edit the module");
    std::fs::File::options()
        .write(true)
        .open(&module)
        .and_then(|f| f.set_modified(modified))
        .expect("set the old modification time");
    let before = manifest_inode(&dist, UNCHANGED);
    assert_rebuilt(
        root,
        &dist,
        before,
        "the edited moment was kept from the cache",
    );
}

#[test]
fn a_kept_moment_is_not_read_again() {
    if !common::starts("strace", &["-V"]) {
        common::skip("strace is not installed (apt-get install strace)");
        return;
    }
    let tmp = repo();
    let root = tmp.path();
    build(root, "dist");
    let module = first_module(root, CHANGED);
    append(&module, "\nEn ny mening.\n");
    let log = root.join("strace.log");
    let out = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=open,openat", "-o"])
        .arg(&log)
        .arg(common::BIN)
        .args(["build", "--out", "dist"])
        .current_dir(root)
        .output()
        .expect("run strace");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log = std::fs::read_to_string(&log).expect("the strace log");
    let opened = |id: &str| {
        log.lines()
            .filter(|l| l.contains(&format!("moments/{id}/")) && !l.contains("O_DIRECTORY"))
            .count()
    };
    assert!(
        opened(CHANGED) > 0,
        "the changed moment was not read:\n{log}"
    );
    assert_eq!(
        opened(UNCHANGED),
        0,
        "files of the kept moment were opened: its cache entry knew their versions"
    );
}

#[test]
fn an_edit_made_while_a_build_runs_is_built_by_the_next_build() {
    use std::io::BufRead;
    let tmp = repo();
    let root = tmp.path();
    let dist = root.join("dist");
    // Paused after every moment was read, checked and rendered, before the bundles
    // are put in place (the test-only hook of `bundle::steps`).
    let mut first = common::hermetic(&mut std::process::Command::new(common::BIN))
        .args(["build", "--out", "dist"])
        .current_dir(root)
        .env("MOMENT_TEST_PAUSE_AT", "step:1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the build");
    let mut lines = std::io::BufReader::new(first.stderr.take().expect("piped stderr")).lines();
    let paused = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.starts_with("moment-test: paused"));
    assert!(paused, "the build did not pause");
    // Keep reading, so that the build can still write when it goes on.
    let reader = std::thread::spawn(move || lines.for_each(drop));
    // The build stops itself just after it says so: wait until it has.
    let stat = format!("/proc/{}/stat", first.id());
    let stopped = || {
        std::fs::read_to_string(&stat)
            .ok()
            .and_then(|s| Some(s.rsplit_once(") ")?.1.starts_with('T')))
            .unwrap_or(false)
    };
    let waited = std::time::Instant::now();
    while !stopped() {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(60),
            "the build did not stop"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let module = first_module(root, UNCHANGED);
    append(&module, "\nSkrivet medan bygget pågick.\n");
    let status = std::process::Command::new("kill")
        .args(["-CONT", &first.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -CONT");
    assert!(first.wait().expect("wait for the build").success());
    reader.join().expect("read the build's messages");
    let shows = |dist: &Path| {
        current(dist).into_iter().any(|(p, bytes)| {
            p.starts_with(&format!("{UNCHANGED}/"))
                && String::from_utf8_lossy(&bytes).contains("Skrivet medan bygget pågick.")
        })
    };
    assert!(
        !shows(&dist),
        "the build shows a text written after it read the module"
    );
    // Its cache entry describes what it read, so the next build builds the edit.
    // (Another moment changes too: a build with nothing else to load would load
    // this one anyway, for the checks of the whole repository.)
    let other = first_module(root, CHANGED);
    append(&other, "\nEn ny mening.\n");
    build(root, "dist");
    assert!(
        shows(&dist),
        "the next build kept the bundle made before the edit"
    );
    assert_equals_clean_build(root, &dist);
}

#[test]
fn a_cold_build_reads_each_text_once_for_its_key_and_its_check() {
    if !common::starts("strace", &["-V"]) {
        common::skip("strace is not installed (apt-get install strace)");
        return;
    }
    let tmp = repo();
    let root = tmp.path();
    let log = root.join("strace.log");
    let out = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=open,openat", "-o"])
        .arg(&log)
        .arg(common::BIN)
        .args(["build", "--out", "dist"])
        .current_dir(root)
        .output()
        .expect("run strace");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        root.join("dist/.cache/moments").join(UNCHANGED).is_file(),
        "the cold build wrote no cache entry"
    );
    let log = std::fs::read_to_string(&log).expect("the strace log");
    let mut opened: std::collections::BTreeMap<String, usize> = Default::default();
    for line in log.lines().filter(|l| !l.contains("O_DIRECTORY")) {
        let Some(path) = line.split('"').nth(1) else {
            continue;
        };
        if path.contains("moments/") && (path.ends_with(".md") || path.ends_with(".yaml")) {
            *opened.entry(path.to_owned()).or_default() += 1;
        }
    }
    assert!(opened.len() >= 6, "too few texts were read: {opened:?}");
    let twice: Vec<_> = opened.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "texts opened more than once in one build: {twice:?}"
    );
}
