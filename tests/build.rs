//! End-to-end tests of `moment build`: the real binary, run on copies of the
//! repository's examples (and of the repositories under `tests/build_fixtures/`) in
//! temporary directories. Nothing is ever written into the source tree, except the
//! screenshots of the headless-browser test, which go to `target/screenshots/`.
//!
//! What is covered: the bundle schemas (`schemas/bundle-*.schema.json`), byte-identical
//! rebuilds, the manifest's digests against the files and the archive, hostile content,
//! failed builds that must leave `dist/` untouched, building some moments only, the
//! rendered pages of the `minimal` example (insta snapshots), theme overrides, English
//! UI strings, rendering in headless Chromium (found by `tests/common`: set
//! `MOMENT_CHROMIUM`), and accessibility basics of every page.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::{BIN, sha256_hex};
use serde_json::Value;

/// A fixed `SOURCE_DATE_EPOCH` (2023-11-14T22:13:20Z).
const EPOCH: u64 = 1_700_000_000;

// ---------------------------------------------------------------------------------
// Repositories in temporary directories
// ---------------------------------------------------------------------------------

/// The source tree.
fn source_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// How to copy a tree: in which order files are created, and which time they get.
#[derive(Clone, Copy)]
struct CopyStyle {
    /// Create entries in reverse name order.
    reverse: bool,
    /// Modification time given to every copied file.
    mtime: Option<SystemTime>,
}

const PLAIN: CopyStyle = CopyStyle {
    reverse: false,
    mtime: None,
};

/// Copies the tree under `from` to `to`, creating entries in the order `style` says.
fn copy_tree(from: &Path, to: &Path, style: CopyStyle) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("read {}: {e}", from.display()))
        .map(|e| e.expect("a directory entry"))
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    if style.reverse {
        entries.reverse();
    }
    for entry in entries {
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("a file type");
        if kind.is_dir() {
            copy_tree(&entry.path(), &target, style);
        } else {
            copy_file(&entry.path(), &target, style);
        }
    }
}

fn copy_file(from: &Path, to: &Path, style: CopyStyle) {
    std::fs::copy(from, to)
        .unwrap_or_else(|e| panic!("copy {} to {}: {e}", from.display(), to.display()));
    if let Some(time) = style.mtime {
        std::fs::File::options()
            .write(true)
            .open(to)
            .and_then(|f| f.set_modified(time))
            .unwrap_or_else(|e| panic!("set the time of {}: {e}", to.display()));
    }
}

/// A fresh repository holding the source tree's `units.yaml` and the given example
/// moments (all of `moments/` when `only` is empty).
fn examples(only: &[&str], style: CopyStyle) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let root = tmp.path();
    let moments = source_root().join("moments");
    let mut names: Vec<String> = std::fs::read_dir(&moments)
        .expect("read moments/")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .into_string()
                .expect("UTF-8")
        })
        .filter(|n| only.is_empty() || only.contains(&n.as_str()))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no example moments {only:?}");
    let mut steps: Vec<Box<dyn Fn()>> = Vec::new();
    let units = (source_root().join("units.yaml"), root.join("units.yaml"));
    steps.push(Box::new(move || copy_file(&units.0, &units.1, style)));
    for name in names {
        let (from, to) = (moments.join(&name), root.join("moments").join(&name));
        steps.push(Box::new(move || copy_tree(&from, &to, style)));
    }
    if style.reverse {
        steps.reverse();
    }
    for step in steps {
        step();
    }
    tmp
}

/// A fresh copy of `tests/build_fixtures/<name>`.
fn fixture(name: &str) -> tempfile::TempDir {
    let from = source_root().join("tests/build_fixtures").join(name);
    assert!(from.is_dir(), "no fixture {}", from.display());
    let tmp = tempfile::tempdir().expect("a temporary directory");
    copy_tree(&from, tmp.path(), PLAIN);
    tmp
}

/// Runs `moment` in `dir` with a fixed `SOURCE_DATE_EPOCH` and no colour.
fn moment(dir: &Path, args: &[&str]) -> Output {
    moment_with(dir, args, &[("SOURCE_DATE_EPOCH", &EPOCH.to_string())])
}

/// Runs `moment` in `dir` (a repository root) with exactly the given environment
/// additions. Git never looks above `dir`, so a temporary directory inside some other
/// checkout still counts as "not built from git".
fn moment_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null());
    if let Some(parent) = dir.parent() {
        cmd.env("GIT_CEILING_DIRECTORIES", parent);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run moment")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `moment build` in `dir` with the given extra arguments, and asserts success.
fn build_ok(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    let out = moment(dir, &all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "moment {all:?} failed\nstdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// The diagnostic codes in a human report, such as `W011` from `warning[W011]: …`.
fn codes(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            let rest = l
                .strip_prefix("error[")
                .or_else(|| l.strip_prefix("warning["))?;
            Some(rest.split(']').next()?.to_owned())
        })
        .collect()
}

/// What a reader of `dist/` sees under `dir`: every file and folder, through the
/// links a build writes, without the hidden `.builds`, `.current` and `.lock`:
/// `/`-separated relative path → content (`None` for a folder).
fn read_tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    if dir.exists() {
        read_tree_into(dir, "", &mut out);
    }
    out
}

fn read_tree_into(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let entry = entry.expect("an entry");
        let name = entry.file_name().into_string().expect("a UTF-8 name");
        if prefix.is_empty() && [".builds", ".cache", ".current", ".lock"].contains(&name.as_str())
        {
            continue;
        }
        let rel = format!("{prefix}{name}");
        if entry.path().is_dir() {
            out.insert(format!("{rel}/"), None);
            read_tree_into(&entry.path(), &format!("{rel}/"), out);
        } else {
            out.insert(rel, Some(std::fs::read(entry.path()).expect("read a file")));
        }
    }
}

/// The files only, without folders.
fn files_of(tree: &BTreeMap<String, Option<Vec<u8>>>) -> BTreeMap<String, Vec<u8>> {
    tree.iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
        .collect()
}

/// The bundles of a dist folder: `(id, version, dist/<id>/<version>)`.
fn bundles(dist: &Path) -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dist).expect("read dist") {
        let entry = entry.expect("an entry");
        let id = entry.file_name().into_string().expect("UTF-8");
        if !entry.path().is_dir() || id.starts_with('.') {
            continue;
        }
        for v in std::fs::read_dir(entry.path()).expect("read dist/<id>") {
            let v = v.expect("an entry");
            let version = v.file_name().into_string().expect("UTF-8");
            out.push((id.clone(), version, v.path()));
        }
    }
    out.sort();
    out
}

/// The only bundle of moment `id` in `dist`.
fn bundle_dir(dist: &Path, id: &str) -> PathBuf {
    let found: Vec<PathBuf> = bundles(dist)
        .into_iter()
        .filter(|(i, _, _)| i == id)
        .map(|(_, _, p)| p)
        .collect();
    assert_eq!(found.len(), 1, "one bundle of {id} in {}", dist.display());
    found.into_iter().next().expect("one bundle")
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------
// Archives
// ---------------------------------------------------------------------------------

/// One entry of a `.tar.gz`.
#[derive(Debug)]
struct Entry {
    path: String,
    mode: u32,
    uid: u64,
    gid: u64,
    username: Vec<u8>,
    groupname: Vec<u8>,
    mtime: u64,
    regular: bool,
    data: Vec<u8>,
}

fn read_archive(bytes: &[u8]) -> Vec<Entry> {
    let gz = flate2::read::GzDecoder::new(bytes);
    let mut archive = tar::Archive::new(gz);
    let mut out = Vec::new();
    for entry in archive.entries().expect("tar entries") {
        let mut entry = entry.expect("a tar entry");
        let header = entry.header().clone();
        let path = entry
            .path()
            .expect("an entry path")
            .to_str()
            .expect("a UTF-8 path")
            .to_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("read an entry");
        out.push(Entry {
            path,
            mode: header.mode().expect("a mode"),
            uid: header.uid().expect("a uid"),
            gid: header.gid().expect("a gid"),
            username: header.username_bytes().unwrap_or_default().to_vec(),
            groupname: header.groupname_bytes().unwrap_or_default().to_vec(),
            mtime: header.mtime().expect("an mtime"),
            regular: header.entry_type() == tar::EntryType::Regular,
            data,
        });
    }
    out
}

// ---------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------

fn schema(name: &str) -> Value {
    read_json(&source_root().join("schemas").join(name))
}

fn validator(name: &str) -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema(name))
        .unwrap_or_else(|e| panic!("schemas/{name} does not compile: {e}"))
}

/// The schema errors of `instance`, one line each.
fn schema_errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Validates every `moment.json` and `manifest.json` under `dist`; returns how many
/// bundles there were.
fn assert_bundles_follow_schemas(dist: &Path) -> usize {
    let moment_v = validator("bundle-moment.schema.json");
    let manifest_v = validator("bundle-manifest.schema.json");
    let all = bundles(dist);
    for (id, version, dir) in &all {
        for (file, v) in [("moment.json", &moment_v), ("manifest.json", &manifest_v)] {
            let doc = read_json(&dir.join(file));
            let errors = schema_errors(v, &doc);
            assert!(
                errors.is_empty(),
                "{id} {version}: {file} does not follow its schema:\n{}",
                errors.join("\n")
            );
        }
    }
    all.len()
}

#[test]
fn bundle_schemas_are_valid_draft_2020_12_with_titles() {
    for name in ["bundle-moment.schema.json", "bundle-manifest.schema.json"] {
        let s = schema(name);
        if let Err(e) = jsonschema::meta::validate(&s) {
            panic!("schemas/{name} is not a valid JSON Schema: {e}");
        }
        assert_eq!(
            s["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}: $schema"
        );
        let id = s["$id"].as_str().unwrap_or_default();
        assert!(
            id.starts_with("https://moment.example/schemas/v1/") && id.ends_with(name),
            "{name}: $id {id} is not like the other schemas'"
        );
        for key in ["title", "description"] {
            assert!(
                s[key].as_str().is_some_and(|t| !t.is_empty()),
                "{name}: no {key}"
            );
        }
        // The other schemas of the repository use the same $id scheme.
        let other = schema("moment.schema.json");
        let base = |v: &Value| {
            v["$id"]
                .as_str()
                .and_then(|s| s.rsplit_once('/'))
                .map(|(b, _)| b.to_owned())
        };
        assert_eq!(base(&s), base(&other), "{name}: $id base");
    }
}

/// A change to a JSON document.
type Mutation = Box<dyn Fn(&mut Value)>;

#[test]
fn bundle_schemas_reject_what_the_build_never_writes() {
    let dir = examples(&["somn"], PLAIN);
    build_ok(dir.path(), &[]);
    let bundle = bundle_dir(&dir.path().join("dist"), "somn");
    let moment_v = validator("bundle-moment.schema.json");
    let manifest_v = validator("bundle-manifest.schema.json");
    let good = read_json(&bundle.join("moment.json"));
    assert!(schema_errors(&moment_v, &good).is_empty());

    // Each of these changes must make moment.json invalid: the schema is as strict as
    // the serialisation, so that drift between the two shows up here.
    let mutations: Vec<(&str, Mutation)> = vec![
        (
            "an unknown top-level key",
            Box::new(|m| m["extra"] = 1.into()),
        ),
        (
            "no welcome",
            Box::new(|m| {
                m.as_object_mut().expect("an object").remove("welcome");
            }),
        ),
        ("format 2", Box::new(|m| m["format"] = 2.into())),
        (
            "kind misspelt",
            Box::new(|m| m["kind"] = "treatmint".into()),
        ),
        (
            "a block of an unknown type",
            Box::new(|m| m["modules"][0]["blocks"][0]["type"] = "iframe".into()),
        ),
        (
            "an html block with a video's src",
            Box::new(|m| {
                m["modules"][0]["blocks"][0]["src"] = "../assets/x.mp4".into();
            }),
        ),
        (
            "a video whose src is not an asset",
            Box::new(|m| {
                let video = m["modules"]
                    .as_array_mut()
                    .expect("modules")
                    .iter_mut()
                    .flat_map(|module| module["blocks"].as_array_mut().expect("blocks"))
                    .find(|b| b["type"] == "video")
                    .expect("a video in somn");
                video["src"] = "https://example.com/film.mp4".into();
            }),
        ),
        (
            "a form without series_break",
            Box::new(|m| {
                m["forms"][0]
                    .as_object_mut()
                    .expect("a form")
                    .remove("series_break");
            }),
        ),
        (
            "an item without required",
            Box::new(|m| {
                m["forms"][0]["items"][0]
                    .as_object_mut()
                    .expect("an item")
                    .remove("required");
            }),
        ),
        (
            "empty options on a choice",
            Box::new(|m| m["forms"][0]["items"][0]["options"] = Value::Array(vec![])),
        ),
        (
            "a score without its missing-answer rule",
            Box::new(|m| {
                let form = m["forms"]
                    .as_array_mut()
                    .expect("forms")
                    .iter_mut()
                    .find(|f| !f["scores"].as_array().expect("scores").is_empty())
                    .expect("a form with a score in somn");
                form["scores"][0]
                    .as_object_mut()
                    .expect("a score")
                    .remove("missing");
            }),
        ),
        (
            "no form tests",
            Box::new(|m| {
                m.as_object_mut().expect("an object").remove("form_tests");
            }),
        ),
        (
            "an alert on both an item and a score",
            Box::new(|m| m["forms"][0]["alerts"][0]["when"]["score"] = "x".into()),
        ),
    ];
    for (what, mutate) in mutations {
        let mut bad = good.clone();
        mutate(&mut bad);
        assert!(
            !schema_errors(&moment_v, &bad).is_empty(),
            "bundle-moment.schema.json accepts {what}"
        );
    }

    let manifest = read_json(&bundle.join("manifest.json"));
    assert!(schema_errors(&manifest_v, &manifest).is_empty());
    let manifest_mutations: Vec<(&str, Mutation)> = vec![
        (
            "a short digest",
            Box::new(|m| m["files"][0]["sha256"] = "abc".into()),
        ),
        (
            "a negative size",
            Box::new(|m| m["files"][0]["size"] = (-1).into()),
        ),
        (
            "a path outside the bundle",
            Box::new(|m| m["files"][0]["path"] = "../etc/passwd".into()),
        ),
        (
            "no source_commit key",
            Box::new(|m| {
                m.as_object_mut()
                    .expect("an object")
                    .remove("source_commit");
            }),
        ),
        ("an unknown key", Box::new(|m| m["signed"] = true.into())),
    ];
    for (what, mutate) in manifest_mutations {
        let mut bad = manifest.clone();
        mutate(&mut bad);
        assert!(
            !schema_errors(&manifest_v, &bad).is_empty(),
            "bundle-manifest.schema.json accepts {what}"
        );
    }
}

#[test]
fn every_example_bundle_follows_the_bundle_schemas() {
    let dir = examples(&[], PLAIN);
    build_ok(dir.path(), &[]);
    let count = assert_bundles_follow_schemas(&dir.path().join("dist"));
    let moments = std::fs::read_dir(source_root().join("moments"))
        .expect("moments/")
        .count();
    assert_eq!(count, moments, "one bundle per example");
}

// ---------------------------------------------------------------------------------
// Reproducible builds
// ---------------------------------------------------------------------------------

#[test]
fn rebuilds_are_byte_identical_and_archives_are_normalised() {
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let new = SystemTime::now();
    let a = examples(
        &[],
        CopyStyle {
            reverse: false,
            mtime: Some(old),
        },
    );
    let b = examples(
        &[],
        CopyStyle {
            reverse: true,
            mtime: Some(new),
        },
    );
    // Different output paths too: nothing of the output location may leak in.
    build_ok(a.path(), &["--out", "dist"]);
    build_ok(b.path(), &["--out", "elsewhere/out"]);
    let dist_a = a.path().join("dist");
    let dist_b = b.path().join("elsewhere/out");
    let tree_a = files_of(&read_tree(&dist_a));
    let tree_b = files_of(&read_tree(&dist_b));
    assert_eq!(
        tree_a.keys().collect::<Vec<_>>(),
        tree_b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    let archives: Vec<&String> = tree_a.keys().filter(|k| k.ends_with(".tar.gz")).collect();
    assert_eq!(
        archives.len(),
        bundles(&dist_a).len(),
        "one archive per bundle"
    );
    for (path, bytes) in &tree_a {
        assert!(
            tree_b[path] == *bytes,
            "{path} differs between two builds of the same sources"
        );
    }

    for name in archives {
        let bytes = &tree_a[name];
        // gzip header: no file name, no time, "unknown" operating system.
        assert_eq!(&bytes[..3], &[0x1f, 0x8b, 8], "{name}: a gzip stream");
        assert_eq!(bytes[3] & 0x08, 0, "{name}: gzip header holds a file name");
        assert_eq!(&bytes[4..8], &[0, 0, 0, 0], "{name}: gzip mtime is not 0");
        assert_eq!(bytes[9], 255, "{name}: gzip OS byte is not 255 (unknown)");

        let entries = read_archive(bytes);
        assert!(!entries.is_empty(), "{name}: empty archive");
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(paths, sorted, "{name}: entries are not sorted and unique");
        let prefix = format!("{}/", name.trim_end_matches(".tar.gz"));
        for e in &entries {
            assert!(
                e.path.starts_with(&prefix),
                "{name}: {} is not under {prefix}",
                e.path
            );
            assert!(e.regular, "{name}: {} is not a regular file", e.path);
            assert_eq!(e.mode, 0o644, "{name}: {} mode {:o}", e.path, e.mode);
            assert_eq!((e.uid, e.gid), (0, 0), "{name}: {} owner", e.path);
            assert!(
                e.username.is_empty() && e.groupname.is_empty(),
                "{name}: {} has owner names {:?}/{:?}",
                e.path,
                text(&e.username),
                text(&e.groupname)
            );
            assert_eq!(e.mtime, EPOCH, "{name}: {} mtime", e.path);
        }
    }

    // The archive time follows SOURCE_DATE_EPOCH; everything else stays the same.
    let other_epoch = EPOCH + 86_400;
    let out = moment_with(
        b.path(),
        &["build", "--out", "later"],
        &[("SOURCE_DATE_EPOCH", &other_epoch.to_string())],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let later = files_of(&read_tree(&b.path().join("later")));
    for (path, bytes) in &tree_a {
        if path.ends_with(".tar.gz") {
            let (x, y) = (read_archive(bytes), read_archive(&later[path]));
            assert_eq!(x.len(), y.len(), "{path}");
            for (x, y) in x.iter().zip(&y) {
                assert_eq!((&x.path, &x.data), (&y.path, &y.data), "{path}");
                assert_eq!(y.mtime, other_epoch, "{path}: {}", y.path);
            }
        } else {
            assert!(later[path] == *bytes, "{path} depends on SOURCE_DATE_EPOCH");
        }
    }
}

// ---------------------------------------------------------------------------------
// Manifest
// ---------------------------------------------------------------------------------

/// Whether `url` (as written in a page) leaves the bundle.
fn is_external(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http:")
        || lower.starts_with("https:")
        || lower.starts_with("//")
        || lower.starts_with("mailto:")
        || lower.starts_with("tel:")
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Resolves a relative URL of a page in `site/` to a path inside the bundle.
fn resolve_in_bundle(url: &str) -> Option<String> {
    let mut parts: Vec<&str> = vec!["site"];
    for seg in url.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[test]
fn manifest_lists_every_file_with_its_size_and_digest_and_matches_the_archive() {
    let dir = examples(&[], PLAIN);
    build_ok(dir.path(), &[]);
    let dist = dir.path().join("dist");
    let all = bundles(&dist);
    assert!(!all.is_empty());
    for (id, version, bundle) in all {
        let manifest = read_json(&bundle.join("manifest.json"));
        assert_eq!(manifest["id"], id.as_str(), "{id}: manifest id");
        assert_eq!(
            manifest["version"],
            version.as_str(),
            "{id}: manifest version"
        );
        assert_eq!(manifest["format"], 1, "{id}: manifest format");
        assert_eq!(
            manifest["tool"],
            format!("moment {}", env!("CARGO_PKG_VERSION")).as_str(),
            "{id}: manifest tool"
        );
        // Not a git checkout: no commit to name.
        assert_eq!(
            manifest["source_commit"],
            Value::Null,
            "{id}: source_commit"
        );
        let normal = read_json(&bundle.join("moment.json"));
        for key in ["id", "version", "title", "unit"] {
            assert_eq!(
                manifest[key], normal[key],
                "{id}: {key} of manifest and moment.json"
            );
        }

        let listed: Vec<(String, u64, String)> = manifest["files"]
            .as_array()
            .expect("files")
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().expect("path").to_owned(),
                    f["size"].as_u64().expect("size"),
                    f["sha256"].as_str().expect("sha256").to_owned(),
                )
            })
            .collect();
        let paths: Vec<&String> = listed.iter().map(|(p, _, _)| p).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(paths, sorted, "{id}: manifest files not sorted and unique");

        let on_disk = files_of(&read_tree(&bundle));
        for (path, size, sha) in &listed {
            let bytes = on_disk
                .get(path)
                .unwrap_or_else(|| panic!("{id}: {path} is listed but missing"));
            assert_eq!(bytes.len() as u64, *size, "{id}: size of {path}");
            assert_eq!(&sha256_hex(bytes), sha, "{id}: sha256 of {path}");
            if let Some(name) = path.strip_prefix("assets/") {
                let stem = name.split('.').next().unwrap_or_default();
                assert_eq!(stem, sha, "{id}: {path} is not named by its digest");
            }
        }
        let listed_set: BTreeSet<&str> = listed.iter().map(|(p, _, _)| p.as_str()).collect();
        let disk_set: BTreeSet<&str> = on_disk
            .keys()
            .map(String::as_str)
            .filter(|p| *p != "manifest.json")
            .collect();
        assert_eq!(listed_set, disk_set, "{id}: files on disk vs manifest");
        for required in [
            "moment.json",
            "site/index.html",
            "site/staff.html",
            "site/style.css",
        ] {
            assert!(listed_set.contains(required), "{id}: no {required}");
        }

        // The archive holds exactly the same files, with the same bytes.
        let archive_path = dist.join(format!("{id}-{version}.tar.gz"));
        let entries = read_archive(&std::fs::read(&archive_path).expect("the archive"));
        let prefix = format!("{id}-{version}/");
        let in_archive: BTreeMap<String, Vec<u8>> = entries
            .into_iter()
            .map(|e| {
                let rel = e
                    .path
                    .strip_prefix(&prefix)
                    .unwrap_or_else(|| panic!("{id}: {} not under {prefix}", e.path))
                    .to_owned();
                (rel, e.data)
            })
            .collect();
        assert_eq!(
            in_archive.keys().collect::<Vec<_>>(),
            on_disk.keys().collect::<Vec<_>>(),
            "{id}: archive vs folder"
        );
        for (path, bytes) in &in_archive {
            assert!(
                on_disk[path] == *bytes,
                "{id}: {path} differs in the archive"
            );
        }

        // The bundle is self-contained: every local URL of every page, and every asset
        // of moment.json, is a file of the bundle, and every #fragment is an id.
        let ids_of = |page: &str| -> BTreeSet<String> {
            let html = text(&on_disk[page]);
            parse_tags(&html)
                .into_iter()
                .filter_map(|t| t.attr("id").map(str::to_owned))
                .collect()
        };
        for page in on_disk.keys().filter(|p| p.ends_with(".html")) {
            let html = text(&on_disk[page]);
            for tag in parse_tags(&html) {
                for attr in ["href", "src", "poster"] {
                    let Some(url) = tag.attr(attr) else { continue };
                    if is_external(url) {
                        continue;
                    }
                    let (path, fragment) = url.split_once('#').unwrap_or((url, ""));
                    let target = if path.is_empty() {
                        page.clone()
                    } else {
                        resolve_in_bundle(&percent_decode(path))
                            .unwrap_or_else(|| panic!("{id}: {page}: {url} leaves the bundle"))
                    };
                    assert!(
                        on_disk.contains_key(&target),
                        "{id}: {page} refers to {url}, which is not in the bundle"
                    );
                    if !fragment.is_empty() && target.ends_with(".html") {
                        let fragment = percent_decode(fragment);
                        assert!(
                            ids_of(&target).contains(&fragment),
                            "{id}: {page} links to {url}, but {target} has no id {fragment}"
                        );
                    }
                }
            }
        }
        for module in normal["modules"].as_array().expect("modules") {
            let page = format!("site/{}", module["page"].as_str().expect("page"));
            assert!(on_disk.contains_key(&page), "{id}: no {page}");
            for block in module["blocks"].as_array().expect("blocks") {
                for key in ["src", "captions", "transcript", "poster"] {
                    if let Some(url) = block[key].as_str() {
                        let target = resolve_in_bundle(url).expect("inside");
                        assert!(on_disk.contains_key(&target), "{id}: {url} missing");
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// A tiny HTML tokenizer, enough for the generated pages
// ---------------------------------------------------------------------------------

/// A start or end tag.
#[derive(Debug)]
struct Tag {
    /// Lowercase name.
    name: String,
    /// `</name>`.
    end: bool,
    /// Lowercase attribute names and entity-decoded values.
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn start(&self, name: &str) -> bool {
        !self.end && self.name == name
    }
}

/// Decodes the character references of HTML text or an attribute value.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let decoded = rest.find(';').filter(|&e| e <= 12).and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "colon" => Some(':'),
                "sol" => Some('/'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                "nbsp" => Some('\u{a0}'),
                n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The tags of `html`, in order; comments and declarations are skipped.
fn parse_tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            i = start + rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            i = start + rest.find('>').map_or(rest.len(), |e| e + 1);
            continue;
        }
        let end = rest.starts_with("</");
        let name_start = start + if end { 2 } else { 1 };
        let mut j = name_start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
        }
        if j == name_start {
            i = start + 1;
            continue;
        }
        let name = html[name_start..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                j += 1;
                break;
            }
            let name_from = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            let attr = html[name_from..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let quote = b[j];
                    j += 1;
                    let from = j;
                    while j < b.len() && b[j] != quote {
                        j += 1;
                    }
                    value = decode_entities(&html[from..j.min(b.len())]);
                    j += 1;
                } else {
                    let from = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = decode_entities(&html[from..j]);
                }
            }
            attrs.push((attr, value));
        }
        out.push(Tag { name, end, attrs });
        i = j.min(html.len());
    }
    out
}

/// The level of a heading tag name (`h2` → 2).
fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------
// Hostile content
// ---------------------------------------------------------------------------------

/// Whether a URL (entity-decoded) runs script or shows an inline document.
fn dangerous_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let safe_data = ["png", "gif", "jpeg", "webp"]
        .iter()
        .any(|t| cleaned.starts_with(&format!("data:image/{t}")));
    cleaned.starts_with("javascript:")
        || cleaned.starts_with("vbscript:")
        || cleaned.starts_with("file:")
        || (cleaned.starts_with("data:") && !safe_data)
}

/// Elements that must never come out of content.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "svg", "math",
    "base", "template", "noscript",
];

/// Attributes whose value is a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "poster",
    "action",
    "formaction",
    "data",
    "cite",
    "background",
    "xlink:href",
    "srcset",
];

/// Every way `html` could run script, one line each.
fn script_risks(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    for needle in ["<script", "javascript:", "vbscript:", "data:text/html"] {
        if lower.contains(needle) {
            found.push(format!("contains `{needle}`"));
        }
    }
    // ` on…="` can only be markup: in text, `"` is always escaped.
    let mut at = 0;
    while let Some(p) = lower[at..].find(" on") {
        let from = at + p + 3;
        let letters = lower[from..]
            .bytes()
            .take_while(u8::is_ascii_lowercase)
            .count();
        let after = &lower[from + letters..];
        if letters > 0 && (after.starts_with("=\"") || after.starts_with("='")) {
            found.push(format!(
                "event handler markup ` on{}=`",
                &lower[from..from + letters]
            ));
        }
        at = from;
    }
    for tag in parse_tags(html) {
        if tag.end {
            continue;
        }
        if FORBIDDEN_ELEMENTS.contains(&tag.name.as_str()) {
            found.push(format!("element <{}>", tag.name));
        }
        if tag.name == "meta" && tag.attr("http-equiv").is_some() {
            found.push("<meta http-equiv>".to_owned());
        }
        for (name, value) in &tag.attrs {
            if name.starts_with("on") {
                found.push(format!("<{} {name}=…>", tag.name));
            }
            if matches!(name.as_str(), "srcdoc" | "style") {
                found.push(format!("<{} {name}=…>", tag.name));
            }
            if URL_ATTRIBUTES.contains(&name.as_str()) && dangerous_url(value) {
                found.push(format!("<{} {name}=\"{value}\">", tag.name));
            }
        }
    }
    found
}

#[test]
fn the_script_risk_checker_finds_what_it_looks_for() {
    // The hostile-content test is only as good as this checker.
    for bad in [
        "<p>x<script>alert(1)</script></p>",
        "<a href=\"java&#115;cript:alert(1)\">x</a>",
        "<a href='  JAVASCRIPT:alert(1)'>x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"x\" ONERROR=\"alert(1)\">",
        "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>",
        "<iframe src=\"https://e.example/\"></iframe>",
        "<svg><a href=\"x\">y</a></svg>",
        "<p style=\"background:url(x)\">x</p>",
    ] {
        assert!(!script_risks(bad).is_empty(), "missed: {bad}");
    }
    for good in [
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
        "<p title=\"a &quot; onmouseover=&quot;x\">&quot; onmouseover=&quot;alert(1)</p>",
        "<a href=\"https://www.1177.se/%22%20onmouseover=%22x\">x</a>",
        "<img src=\"../assets/ab.png\" alt=\"on=1\" />",
        "<!-- raw HTML omitted --><p>Text</p>",
    ] {
        assert_eq!(script_risks(good), Vec::<String>::new(), "{good}");
    }
}

#[test]
fn hostile_content_is_escaped_or_dropped_everywhere() {
    let dir = fixture("hostile");
    let out = build_ok(dir.path(), &[]);
    let stderr = text(&out.stderr);
    let found = codes(&stderr);
    assert!(
        found.iter().any(|c| c == "W011"),
        "raw HTML is reported as W011:\n{stderr}"
    );
    let unexpected: Vec<&String> = found.iter().filter(|c| *c != "W011").collect();
    assert!(
        unexpected.is_empty(),
        "only W011 expected, got {unexpected:?}:\n{stderr}"
    );
    let dist = dir.path().join("dist");
    assert_bundles_follow_schemas(&dist);
    let bundle = bundle_dir(&dist, "hostile");
    let site = bundle.join("site");

    let mut pages = BTreeMap::new();
    for entry in std::fs::read_dir(&site).expect("site/") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "html") {
            let name = path
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            pages.insert(name, read_text(&path));
        }
    }
    assert_eq!(
        pages.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "01-lankar.html",
            "02-formular.html",
            "index.html",
            "staff.html"
        ]
    );
    for (name, html) in &pages {
        let risks = script_risks(html);
        assert!(risks.is_empty(), "site/{name}:\n{}", risks.join("\n"));
    }

    // moment.json: every HTML field is as safe as the pages.
    let normal = read_json(&bundle.join("moment.json"));
    let mut html_fields = vec![(
        "welcome.html".to_owned(),
        normal["welcome"]["html"]
            .as_str()
            .expect("welcome html")
            .to_owned(),
    )];
    for (m, module) in normal["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .enumerate()
    {
        for (b, block) in module["blocks"]
            .as_array()
            .expect("blocks")
            .iter()
            .enumerate()
        {
            if let Some(h) = block["html"].as_str() {
                html_fields.push((format!("modules[{m}].blocks[{b}].html"), h.to_owned()));
            }
        }
    }
    for (field, html) in &html_fields {
        let risks = script_risks(html);
        assert!(
            risks.is_empty(),
            "moment.json {field}:\n{}",
            risks.join("\n")
        );
    }
    // The raw JSON holds `<script` only inside plain-text fields (titles, labels),
    // never in an HTML field: check the text fields are kept as the author wrote them.
    let item = &normal["forms"][0]["items"][0];
    assert_eq!(
        item["text"],
        "<script>alert(\"fråga\")</script> Hur mår du?"
    );
    assert_eq!(
        item["options"][1]["label"],
        "\" onmouseover=\"alert(29)\" x=\""
    );
    let video = normal["modules"][0]["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .find(|b| b["type"] == "video")
        .expect("a video block");
    assert_eq!(
        video["title"],
        "Film \"med citat\" <script>alert(24)</script> & 'apostrof' onmouseover=\"alert(25)\""
    );

    // The text is still there for the reader, escaped.
    let index = &pages["index.html"];
    for visible in [
        "Fientligt &lt;script&gt;alert(&quot;titel&quot;)",
        "Text med &lt;script&gt; som entiteter",
        "<code>&lt;script&gt;</code>",
        "Rubrik med ",
        " inuti</h2>",
        "Slut på välkomsttexten.",
        "title=\"titel &quot; onmouseover=&quot;alert(10)\"",
    ] {
        assert!(index.contains(visible), "index.html lacks {visible:?}");
    }
    // The tricky but harmless https link keeps its quotes percent-encoded.
    let hrefs: Vec<String> = parse_tags(index)
        .into_iter()
        .filter(|t| t.start("a"))
        .filter_map(|t| t.attr("href").map(str::to_owned))
        .collect();
    assert!(
        hrefs
            .iter()
            .any(|h| h.starts_with("https://www.1177.se/%22")),
        "{hrefs:?}"
    );
    let module = &pages["01-lankar.html"];
    for visible in [
        "<h1>Länkar &lt;script&gt;alert(&quot;modul&quot;)",
        "Rubrik &lt;script&gt;alert(19)",
        "<td>&lt;script&gt;alert(19)",
        "<figcaption>Film &quot;med citat&quot; &lt;script&gt;alert(24)",
        "aria-label=\"Film &quot;med citat&quot; &lt;script&gt;",
        "Ljud &lt;img src=x onerror=alert(26)&gt;",
        "Textversion med &lt;script&gt;alert(33)",
        "Sista stycket.",
    ] {
        assert!(module.contains(visible), "01-lankar.html lacks {visible:?}");
    }
    let form = &pages["02-formular.html"];
    for visible in [
        "<legend>&lt;script&gt;alert(&quot;fråga&quot;)",
        "&lt;script&gt;alert(&quot;svar&quot;)",
        "&quot; onmouseover=&quot;alert(29)&quot; x=&quot;",
        "&quot; onmouseover=&quot;alert(28)",
        "Fritext &quot; onfocus=&quot;alert(30)",
        "&lt;script&gt;alert(&quot;hjälp&quot;)",
        "&lt;b&gt;lite&lt;",
        "Formulär &lt;script&gt;alert(&quot;formulär&quot;)",
    ] {
        assert!(form.contains(visible), "02-formular.html lacks {visible:?}");
    }
    let staff = &pages["staff.html"];
    for visible in [
        "&lt;script&gt;alert(&quot;band&quot;)",
        "&lt;script&gt;alert(&quot;larm&quot;)",
        "Summa &lt;script&gt;alert(&quot;summa&quot;)",
    ] {
        assert!(staff.contains(visible), "staff.html lacks {visible:?}");
    }
}

#[test]
fn markdown_links_with_script_or_data_urls_are_errors_and_nothing_is_built() {
    let dir = fixture("hostile-links");
    let out = moment(dir.path(), &["build"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let found = codes(&stderr);
    // Every dangerous link of the fixture, including those hidden behind character
    // references, a reference definition, an autolink and a table cell.
    assert_eq!(
        found.iter().filter(|c| *c == "E027").count(),
        14,
        "one E027 per dangerous link:\n{stderr}"
    );
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(!dir.path().join("dist").exists(), "dist was created");
}

#[test]
fn linked_local_html_and_svg_files_are_not_published_as_active_content() {
    // A module links to media/sida.html and shows media/ritning.svg; both hold a
    // <script>. Copied into the bundle as assets/<sha>.html and .svg, they would run
    // in the site's origin when a citizen opens them: raw HTML in content, which the
    // Markdown renderer refuses, comes back in through a file. Either refuse the
    // build (an error at the link) or publish nothing that a browser runs.
    let dir = fixture("hostile-assets");
    let out = moment(dir.path(), &["build"]);
    let stderr = text(&out.stderr);
    match out.status.code() {
        Some(1) => {
            assert!(
                stderr.contains("01-filer.md"),
                "the error points at the link:\n{stderr}"
            );
            assert!(!dir.path().join("dist").exists());
        }
        Some(0) => {
            let bundle = bundle_dir(&dir.path().join("dist"), "assets");
            let active = ["html", "htm", "xhtml", "xht", "svg", "svgz", "xml", "mht"];
            let published: Vec<String> = files_of(&read_tree(&bundle))
                .into_iter()
                .filter(|(path, bytes)| {
                    let ext = path.rsplit('.').next().unwrap_or_default();
                    active.contains(&ext) && text(bytes).to_ascii_lowercase().contains("<script")
                })
                .map(|(path, _)| path)
                .collect();
            assert!(
                published.is_empty(),
                "the bundle publishes documents that run a <script> in the site's origin \
                 when opened (src/bundle/assets.rs collect() takes any linked local file, \
                 src/render/mod.rs links to it): {published:?}"
            );
        }
        code => panic!("exit {code:?}:\n{stderr}"),
    }
}

// ---------------------------------------------------------------------------------
// Failed builds
// ---------------------------------------------------------------------------------

fn append(path: &Path, extra: &str) {
    let mut text = read_text(path);
    text.push_str(extra);
    std::fs::write(path, text).expect("write");
}

#[test]
fn failed_builds_leave_dist_untouched() {
    let dir = examples(&[], PLAIN);
    let root = dir.path();
    build_ok(root, &[]);
    let dist = root.join("dist");
    let before = read_tree(&dist);
    assert!(before.keys().any(|k| k.ends_with(".tar.gz")));
    let store_names = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dist.join(".builds/store"))
            .expect("read dist/.builds/store")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    };
    let store_before = store_names();
    assert!(!store_before.is_empty(), "the bundles are in the store");

    let assert_untouched = |what: &str, out: &Output, code: &str| {
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: exit\n{stderr}");
        assert!(
            codes(&stderr).iter().any(|c| c == code),
            "{what}: stderr names {code}:\n{stderr}"
        );
        assert!(
            stderr.contains("nothing was written"),
            "{what}: says nothing was written:\n{stderr}"
        );
        assert!(
            !text(&out.stdout).contains("built "),
            "{what}: stdout claims a bundle:\n{}",
            text(&out.stdout)
        );
        let after = read_tree(&dist);
        let leftovers: Vec<String> = std::fs::read_dir(dist.join(".builds"))
            .expect("read dist/.builds")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name != "store" && !name.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        assert!(
            leftovers.is_empty(),
            "{what}: staging left behind: {leftovers:?}"
        );
        assert_eq!(
            store_names(),
            store_before,
            "{what}: bundles left behind in the store"
        );
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "{what}: the files of dist changed"
        );
        for (k, v) in &before {
            assert!(after[k] == *v, "{what}: {k} changed");
        }
    };

    // 1. A check error in one moment: unknown key.
    let yaml = root.join("moments/somn/moment.yaml");
    let original = read_text(&yaml);
    append(&yaml, "colour: blue\n");
    let out = moment(root, &["build"]);
    assert_untouched("an unknown key", &out, "E011");
    let out = moment(root, &["build", "--out", "fresh"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !root.join("fresh").exists(),
        "a failed build created its --out folder"
    );
    std::fs::write(&yaml, &original).expect("restore moment.yaml");

    // 2. An error found while rendering, after the check passed and bundles were
    // being staged: a theme template that includes a missing partial.
    std::fs::create_dir_all(root.join("themes/default")).expect("themes/default");
    std::fs::write(
        root.join("themes/default/module.html"),
        "{% extends \"builtin/module.html\" %}{% block content %}{% include \"partials/nosuch.html\" %}{% endblock %}",
    )
    .expect("write module.html");
    let out = moment(root, &["build"]);
    assert_untouched("a template error while rendering", &out, "E047");
    let out = moment(root, &["build", "--out", "fresh"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        !root.join("fresh").exists(),
        "a failed build left its --out folder behind: {:?}",
        read_tree(&root.join("fresh")).keys().collect::<Vec<_>>()
    );
    std::fs::remove_file(root.join("themes/default/module.html")).expect("remove");

    // And the repository builds again, to the same bytes.
    build_ok(root, &[]);
    assert_eq!(read_tree(&dist), before, "a rebuild gives the same bundles");
}

#[test]
fn a_rebuild_replaces_a_bundle_wholesale() {
    let dir = examples(&["minimal"], PLAIN);
    let root = dir.path();
    build_ok(root, &[]);
    let dist = root.join("dist");
    let before = read_tree(&dist);
    let bundle = bundle_dir(&dist, "minimal");
    // Leftovers of an older build of the same version, and a bundle of another moment.
    std::fs::write(bundle.join("site/old-module.html"), "old").expect("write");
    std::fs::write(bundle.join("site/index.html"), "edited by hand").expect("write");
    std::fs::create_dir_all(dist.join("other/9.9.9")).expect("mkdir");
    std::fs::write(dist.join("other/9.9.9/moment.json"), "{}").expect("write");
    build_ok(root, &[]);
    let mut after = read_tree(&dist);
    assert_eq!(
        after.remove("other/9.9.9/moment.json"),
        Some(Some(b"{}".to_vec())),
        "another moment's bundle is left alone"
    );
    after.remove("other/9.9.9/");
    after.remove("other/");
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "stale files of the old bundle are gone"
    );
    assert_eq!(after, before, "the bundle is rebuilt byte for byte");
}

/// Runs git in `dir` with a fixed identity and no user configuration.
fn git(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.se",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap_or(dir))
        .envs(env.iter().copied())
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    text(&out.stdout).trim().to_owned()
}

#[test]
fn in_a_git_checkout_the_manifest_names_the_commit_and_the_archive_takes_its_time() {
    if !common::starts("git", &["--version"]) {
        common::skip("git is not installed");
        return;
    }
    let dir = examples(&["minimal"], PLAIN);
    let root = dir.path();
    let commit_time: u64 = 1_600_000_000;
    let date = format!("@{commit_time} +0000");
    git(root, &["init", "-q"], &[]);
    git(root, &["add", "-A"], &[]);
    git(
        root,
        &["commit", "-q", "-m", "examples"],
        &[("GIT_AUTHOR_DATE", &date), ("GIT_COMMITTER_DATE", &date)],
    );
    let head = git(root, &["rev-parse", "HEAD"], &[]);
    let out = moment_with(root, &["build"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dist = root.join("dist");
    assert_bundles_follow_schemas(&dist);
    let bundle = bundle_dir(&dist, "minimal");
    let manifest = read_json(&bundle.join("manifest.json"));
    assert_eq!(manifest["source_commit"], head.as_str());
    let version = manifest["version"].as_str().expect("version");
    let archive = std::fs::read(dist.join(format!("minimal-{version}.tar.gz"))).expect("archive");
    for e in read_archive(&archive) {
        assert_eq!(e.mtime, commit_time, "{}: the commit's time", e.path);
    }
    // SOURCE_DATE_EPOCH wins over the commit time.
    let out = moment(root, &["build", "--out", "epoch"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let archive =
        std::fs::read(root.join(format!("epoch/minimal-{version}.tar.gz"))).expect("archive");
    for e in read_archive(&archive) {
        assert_eq!(e.mtime, EPOCH, "{}: SOURCE_DATE_EPOCH", e.path);
    }
}

#[test]
fn modules_with_the_same_file_name_in_different_folders_get_their_own_pages() {
    // moment.yaml may list modules from subfolders. Pages are named after the file
    // name alone (src/render/mod.rs page_of), so modules/01-start.md and
    // modules/extra/01-start.md would both become site/01-start.html: the second
    // overwrites the first, the manifest lists the path twice and the archive holds
    // two entries of the same name. Either refuse it in the check, or give each its
    // own page.
    let dir = examples(&["minimal"], PLAIN);
    let root = dir.path();
    let m = root.join("moments/minimal");
    std::fs::create_dir_all(m.join("modules/extra")).expect("mkdir");
    std::fs::write(
        m.join("modules/extra/01-start.md"),
        "---\ntitle: Andra delen\n---\nHär är en annan del med samma filnamn.\n",
    )
    .expect("write");
    let yaml = read_text(&m.join("moment.yaml"));
    assert!(yaml.contains("  - modules/01-start.md\n"));
    std::fs::write(
        m.join("moment.yaml"),
        yaml.replace(
            "  - modules/01-start.md\n",
            "  - modules/01-start.md\n  - modules/extra/01-start.md\n",
        ),
    )
    .expect("write");
    let out = moment(root, &["build"]);
    let stderr = text(&out.stderr);
    if out.status.code() == Some(1) {
        assert!(
            stderr.contains("01-start.md"),
            "names the module:\n{stderr}"
        );
        return;
    }
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let dist = root.join("dist");
    let bundle = bundle_dir(&dist, "minimal");
    let normal = read_json(&bundle.join("moment.json"));
    let pages: Vec<&str> = normal["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .map(|m| m["page"].as_str().expect("page"))
        .collect();
    let unique: BTreeSet<&&str> = pages.iter().collect();
    assert_eq!(
        unique.len(),
        pages.len(),
        "two modules share a page: {pages:?}"
    );
    for module in normal["modules"].as_array().expect("modules") {
        let page = read_text(
            &bundle
                .join("site")
                .join(module["page"].as_str().expect("page")),
        );
        let title = module["title"].as_str().expect("title");
        assert!(
            page.contains(&format!("<h1>{title}</h1>")),
            "the page of {title}"
        );
    }
    let manifest = read_json(&bundle.join("manifest.json"));
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    let unique: BTreeSet<&&str> = listed.iter().collect();
    assert_eq!(
        unique.len(),
        listed.len(),
        "the manifest lists a path twice"
    );
}

#[test]
fn build_with_ids_builds_only_those_and_unknown_ids_are_usage_errors() {
    let dir = examples(&[], PLAIN);
    let root = dir.path();
    let out = build_ok(root, &["somn", "--out", "one"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("built somn "), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let top: Vec<String> = std::fs::read_dir(root.join("one"))
        .expect("one/")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .into_string()
                .expect("UTF-8")
        })
        .filter(|name| !name.starts_with('.'))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(top.len(), 2, "{top:?}");
    assert_eq!(top[0], "somn");
    assert!(
        top[1].starts_with("somn-") && top[1].ends_with(".tar.gz"),
        "{top:?}"
    );

    let out = build_ok(root, &["minimal", "somn", "--out", "two"]);
    assert_eq!(text(&out.stdout).lines().count(), 2);
    let ids: Vec<String> = bundles(&root.join("two"))
        .into_iter()
        .map(|b| b.0)
        .collect();
    assert_eq!(ids, ["minimal", "somn"]);

    for args in [&["build", "nosuch"][..], &["build", "somn", "nosuch"][..]] {
        let mut all = args.to_vec();
        all.extend(["--out", "none"]);
        let out = moment(root, &all);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {stderr}");
        assert!(stderr.contains("nosuch"), "{all:?}: names the id: {stderr}");
        assert!(!root.join("none").exists(), "{all:?}: wrote something");
    }
}

// ---------------------------------------------------------------------------------
// Rendered pages
// ---------------------------------------------------------------------------------

/// A page with the tool's version replaced, so that a release does not change it.
fn redact_version(html: &str) -> String {
    html.replace(
        &format!("content=\"moment {}\"", env!("CARGO_PKG_VERSION")),
        "content=\"moment [version]\"",
    )
}

#[test]
fn minimal_example_pages_snapshot() {
    let dir = examples(&["minimal"], PLAIN);
    build_ok(dir.path(), &[]);
    let site = bundle_dir(&dir.path().join("dist"), "minimal").join("site");
    insta::assert_snapshot!(
        "minimal_index_html",
        redact_version(&read_text(&site.join("index.html")))
    );
    insta::assert_snapshot!(
        "minimal_01_start_html",
        redact_version(&read_text(&site.join("01-start.html")))
    );
}

#[test]
fn theme_files_in_the_repository_override_the_default_theme() {
    let dir = examples(&["minimal"], PLAIN);
    let root = dir.path();
    let theme = root.join("themes/default");
    std::fs::create_dir_all(&theme).expect("themes/default");
    let css = "/* a repository's own style */\nbody { color: #123456; }\n";
    std::fs::write(theme.join("style.css"), css).expect("style.css");
    std::fs::write(
        theme.join("module.html"),
        "{% extends \"builtin/module.html\" %}{% block title %}CUSTOM {{ module.title }}{% endblock %}",
    )
    .expect("module.html");
    build_ok(root, &[]);
    let bundle = bundle_dir(&root.join("dist"), "minimal");
    let site = bundle.join("site");
    assert_eq!(
        read_text(&site.join("style.css")),
        css,
        "the override's CSS"
    );
    let manifest = read_json(&bundle.join("manifest.json"));
    let listed = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == "site/style.css")
        .expect("style.css is listed");
    assert_eq!(listed["sha256"], sha256_hex(css.as_bytes()).as_str());

    let page = read_text(&site.join("01-start.html"));
    assert!(
        page.contains("<title>CUSTOM Första delen</title>"),
        "the overridden block:\n{page}"
    );
    for kept in [
        "<html lang=\"sv\">",
        "<link rel=\"stylesheet\" href=\"style.css\">",
        "<a class=\"skip\" href=\"#moment.main\">",
        "<h1>Första delen</h1>",
        "Här börjar innehållet.",
        "<nav class=\"modules\"",
        "<footer class=\"site-footer\">",
    ] {
        assert!(
            page.contains(kept),
            "the rest of the page is rendered: {kept:?}\n{page}"
        );
    }
    // Other templates are still the built-in ones.
    let index = read_text(&site.join("index.html"));
    assert!(
        index.contains("<title>Minsta möjliga moment</title>"),
        "{index}"
    );
}

#[test]
fn a_theme_template_with_a_syntax_error_is_e047_and_nothing_is_written() {
    let dir = examples(&["minimal"], PLAIN);
    let root = dir.path();
    let theme = root.join("themes/default");
    std::fs::create_dir_all(&theme).expect("themes/default");
    std::fs::write(
        theme.join("module.html"),
        "{% extends \"builtin/module.html\" %}\n{% block title %}{{ module.title {% endblock %}\n",
    )
    .expect("module.html");
    let out = moment(root, &["build"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(codes(&stderr).iter().any(|c| c == "E047"), "{stderr}");
    assert!(
        stderr.contains("themes/default/module.html"),
        "names the file:\n{stderr}"
    );
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(!root.join("dist").exists(), "dist was created");
}

#[test]
fn english_moments_get_english_ui_strings() {
    let dir = examples(&["minimal"], PLAIN);
    let root = dir.path();
    let moments = root.join("moments");
    let yaml = read_text(&moments.join("minimal/moment.yaml"));
    assert!(yaml.contains("language: sv\n"), "the example is Swedish");
    std::fs::write(
        moments.join("minimal/moment.yaml"),
        yaml.replace("language: sv\n", "language: en\n"),
    )
    .expect("write");
    // A regional variant uses the same strings.
    copy_tree(&moments.join("minimal"), &moments.join("minimal-gb"), PLAIN);
    std::fs::write(
        moments.join("minimal-gb/moment.yaml"),
        yaml.replace("language: sv\n", "language: en-GB\n")
            .replace("id: minimal\n", "id: minimal-gb\n"),
    )
    .expect("write");
    build_ok(root, &[]);
    let dist = root.join("dist");
    assert_bundles_follow_schemas(&dist);
    for (id, lang) in [("minimal", "en"), ("minimal-gb", "en-GB")] {
        let site = bundle_dir(&dist, id).join("site");
        let index = read_text(&site.join("index.html"));
        let module = read_text(&site.join("01-start.html"));
        let staff = read_text(&site.join("staff.html"));
        for page in [&index, &module, &staff] {
            assert!(
                page.contains(&format!("<html lang=\"{lang}\">")),
                "{id}: lang"
            );
            for s in ["Skip to content", "Citizen view", "Staff view"] {
                assert!(page.contains(s), "{id}: {s:?} missing");
            }
            for sv in ["Gå till innehållet", "Invånarens vy", "Personalens vy"] {
                assert!(!page.contains(sv), "{id}: Swedish UI string {sv:?}");
            }
        }
        assert!(index.contains("Start: "), "{id}: start button");
        assert!(
            module.contains("aria-label=\"Move between modules\""),
            "{id}: pager"
        );
        for s in ["Publisher unit", "Assigned by staff", "Patient education"] {
            assert!(staff.contains(s), "{id}: staff {s:?}");
        }
    }
}

// ---------------------------------------------------------------------------------
// Accessibility basics
// ---------------------------------------------------------------------------------

/// Accessibility problems of one page, one line each.
fn accessibility_problems(html: &str) -> Vec<String> {
    let tags = parse_tags(html);
    let mut problems = Vec::new();
    match tags.iter().find(|t| t.start("html")) {
        Some(t) if t.attr("lang").is_some_and(|l| !l.trim().is_empty()) => {}
        _ => problems.push("no <html lang>".to_owned()),
    }
    let title = html
        .split_once("<title>")
        .and_then(|(_, r)| r.split_once("</title>"))
        .map(|(t, _)| t.trim().to_owned());
    if title.is_none_or(|t| t.is_empty()) {
        problems.push("no <title>".to_owned());
    }
    let levels: Vec<u8> = tags
        .iter()
        .filter(|t| !t.end)
        .filter_map(|t| heading_level(&t.name))
        .collect();
    let h1 = levels.iter().filter(|l| **l == 1).count();
    if h1 != 1 {
        problems.push(format!("{h1} <h1> elements"));
    }
    let mut previous = 0;
    for level in &levels {
        if *level > previous + 1 {
            problems.push(format!("<h{level}> follows <h{previous}>"));
        }
        previous = *level;
    }
    let mut ids = BTreeSet::new();
    for t in tags.iter().filter(|t| !t.end) {
        if let Some(id) = t.attr("id")
            && !ids.insert(id.to_owned())
        {
            problems.push(format!("id {id:?} used twice"));
        }
    }
    let label_for: BTreeSet<&str> = tags
        .iter()
        .filter(|t| t.start("label"))
        .filter_map(|t| t.attr("for"))
        .collect();
    for target in &label_for {
        if !ids.contains(*target) {
            problems.push(format!("<label for={target:?}> names no element"));
        }
    }
    let mut in_label = 0i32;
    let mut fieldsets: Vec<bool> = Vec::new();
    let mut video: Option<bool> = None;
    for t in &tags {
        match (t.end, t.name.as_str()) {
            (false, "label") => in_label += 1,
            (true, "label") => in_label -= 1,
            (false, "fieldset") => fieldsets.push(false),
            (true, "fieldset") => {
                fieldsets.pop();
            }
            (false, "legend") => {
                if let Some(has) = fieldsets.last_mut() {
                    *has = true;
                }
            }
            (false, "video") => video = Some(false),
            (false, "track")
                if video.is_some()
                    && t.attr("kind") == Some("captions")
                    && t.attr("src").is_some_and(|s| !s.is_empty()) =>
            {
                video = Some(true);
            }
            (true, "video") => {
                if video == Some(false) {
                    problems.push("<video> without <track kind=\"captions\">".to_owned());
                }
                video = None;
            }
            (false, "input" | "textarea" | "select") => {
                let kind = t.attr("type").unwrap_or("text").to_ascii_lowercase();
                if matches!(
                    kind.as_str(),
                    "hidden" | "submit" | "button" | "reset" | "image"
                ) {
                    continue;
                }
                let labelled =
                    in_label > 0 || t.attr("id").is_some_and(|id| label_for.contains(id));
                if !labelled {
                    problems.push(format!(
                        "<{} name={:?}> has no label",
                        t.name,
                        t.attr("name").unwrap_or_default()
                    ));
                }
                if matches!(kind.as_str(), "radio" | "checkbox") && fieldsets.last() != Some(&true)
                {
                    problems.push(format!(
                        "{kind} {:?} is not in a <fieldset> with a <legend>",
                        t.attr("name").unwrap_or_default()
                    ));
                }
            }
            (false, "img") if t.attr("alt").is_none() => {
                problems.push(format!("<img src={:?}> without alt", t.attr("src")));
            }
            _ => {}
        }
        if !t.end {
            let resource = match t.name.as_str() {
                "link" => t.attr("href"),
                "script" | "img" | "source" | "track" | "audio" | "iframe" | "embed" => {
                    t.attr("src")
                }
                "video" => t.attr("poster").or(t.attr("src")),
                _ => None,
            };
            if let Some(url) = resource {
                let lower = url.trim().to_ascii_lowercase();
                if lower.starts_with("http:")
                    || lower.starts_with("https:")
                    || lower.starts_with("//")
                {
                    problems.push(format!("<{}> loads an external resource {url}", t.name));
                }
            }
        }
    }
    problems
}

#[test]
fn the_accessibility_checker_finds_what_it_looks_for() {
    let page = |body: &str| {
        format!(
            "<!doctype html><html lang=\"sv\"><head><title>T</title></head><body>{body}</body></html>"
        )
    };
    let good = page(
        "<h1>A</h1><h2>B</h2><h3>C</h3><h2>D</h2>\
         <label for=\"x\">X</label><input id=\"x\">\
         <fieldset><legend>L</legend><label><input type=\"radio\" name=\"r\"> R</label></fieldset>\
         <video><source src=\"../assets/a.mp4\"><track kind=\"captions\" src=\"../assets/a.vtt\"></video>",
    );
    assert_eq!(accessibility_problems(&good), Vec::<String>::new());
    for bad in [
        "<!doctype html><html><head><title>T</title></head><body><h1>A</h1></body></html>"
            .to_owned(),
        page("<h2>B</h2>"),
        page("<h1>A</h1><h1>B</h1>"),
        page("<h1>A</h1><h3>C</h3>"),
        page("<h1>A</h1><input id=\"x\">"),
        page("<h1>A</h1><textarea id=\"t\"></textarea>"),
        page("<h1>A</h1><label><input type=\"radio\" name=\"r\"></label>"),
        page("<h1>A</h1><fieldset><label><input type=\"radio\" name=\"r\"></label></fieldset>"),
        page("<h1>A</h1><video><source src=\"a.mp4\"></video>"),
        page("<h1 id=\"a\">A</h1><h2 id=\"a\">B</h2>"),
        page("<h1>A</h1><img src=\"https://cdn.example/x.png\" alt=\"x\">"),
        page("<h1>A</h1><link rel=\"stylesheet\" href=\"//cdn.example/x.css\">"),
    ] {
        assert!(!accessibility_problems(&bad).is_empty(), "missed: {bad}");
    }
}

#[test]
fn every_built_page_meets_accessibility_basics() {
    let examples = examples(&[], PLAIN);
    build_ok(examples.path(), &[]);
    let hostile = fixture("hostile");
    build_ok(hostile.path(), &[]);
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for dist in [examples.path().join("dist"), hostile.path().join("dist")] {
        for (id, version, bundle) in bundles(&dist) {
            for entry in std::fs::read_dir(bundle.join("site")).expect("site/") {
                let path = entry.expect("an entry").path();
                if path.extension().is_none_or(|e| e != "html") {
                    continue;
                }
                let html = read_text(&path);
                let name = path
                    .file_name()
                    .expect("a name")
                    .to_string_lossy()
                    .into_owned();
                for element in ["<video", "<fieldset", "<textarea", "type=\"radio\"", "<img"] {
                    if html.contains(element) {
                        seen.insert(element);
                    }
                }
                checked += 1;
                for p in accessibility_problems(&html) {
                    failures.push(format!("{id} {version} site/{name}: {p}"));
                }
            }
        }
    }
    assert!(checked > 10, "only {checked} pages");
    // The examples exercise every rule.
    assert_eq!(seen.len(), 5, "examples lack some elements: {seen:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn element_ids_stay_unique_when_headings_are_named_like_the_theme_ids() {
    // Heading ids are slugs of the heading text; the theme has fixed ids of its own
    // (`main`, `nav-modules`, `form-<id>`, `form-<id>-title`, `f-<form>-<item>`). A
    // heading that slugs to one of them gives a page two elements with the same id:
    // invalid HTML, and `#main` or `#form-dagbok` may go to the wrong place.
    let dir = examples(&["minimal"], PLAIN);
    let root = dir.path();
    let m = root.join("moments/minimal");
    std::fs::write(
        m.join("welcome.md"),
        "Välkommen! Det här är en kort text.\n\n## Main\n\nHär står det mer.\n\n## Nav modules\n\nOch lite till.\n",
    )
    .expect("welcome.md");
    std::fs::write(
        m.join("modules/01-start.md"),
        "---\ntitle: Första delen\n---\nHär börjar innehållet.\n\n## Form dagbok\n\nFyll i dagboken.\n\n```form\nref: dagbok\n```\n",
    )
    .expect("01-start.md");
    std::fs::create_dir_all(m.join("forms")).expect("forms/");
    std::fs::write(
        m.join("forms/dagbok.yaml"),
        "id: dagbok\ntitle: Dagbok\nkind: registration\nitems:\n  - id: natt\n    type: text\n    text: Hur var natten?\n",
    )
    .expect("dagbok.yaml");
    build_ok(root, &[]);
    let site = bundle_dir(&root.join("dist"), "minimal").join("site");
    let mut failures = Vec::new();
    for page in ["index.html", "01-start.html"] {
        let html = read_text(&site.join(page));
        let mut ids = BTreeSet::new();
        for t in parse_tags(&html).iter().filter(|t| !t.end) {
            if let Some(id) = t.attr("id")
                && !ids.insert(id.to_owned())
            {
                failures.push(format!("site/{page}: id {id:?} used twice"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "heading ids collide with the theme's ids (src/render/markdown.rs Headings::enter \
         takes the bare slug):\n{}",
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------
// Headless Chromium
// ---------------------------------------------------------------------------------

/// Where screenshots go: `<target>/screenshots/`.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| {
            if t.is_absolute() {
                t
            } else {
                source_root().join(t)
            }
        })
        .unwrap_or_else(|| source_root().join("target"));
    target.join("screenshots")
}

/// A running Chromium with its own profile folder.
struct Browser {
    what: String,
    child: std::process::Child,
    _profile: tempfile::TempDir,
    started: Instant,
}

fn chromium(exe: &Path, what: &str, args: &[String]) -> Browser {
    let profile = tempfile::tempdir().expect("a profile folder");
    let child = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", exe.display()));
    Browser {
        what: what.to_owned(),
        child,
        _profile: profile,
        started: Instant::now(),
    }
}

impl Browser {
    /// Waits (at most two minutes) and returns stdout.
    fn finish(mut self) -> String {
        let limit = Duration::from_secs(120);
        // Read stdout on a thread, so that a big DOM cannot fill the pipe and block.
        let mut stdout = self.child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stdout.read_to_string(&mut s);
            s
        });
        let mut stderr = self.child.stderr.take().expect("stderr");
        let err_reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        loop {
            match self.child.try_wait().expect("wait for chromium") {
                Some(status) => {
                    let out = reader.join().expect("stdout reader");
                    let err = err_reader.join().expect("stderr reader");
                    assert!(
                        status.success(),
                        "chromium ({}) failed: {status}\n{err}",
                        self.what
                    );
                    return out;
                }
                None if self.started.elapsed() > limit => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    panic!("chromium ({}) took more than {limit:?}", self.what);
                }
                None => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}

/// Checks a PNG's signature and size, and returns its width and height.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{} is not a PNG",
        path.display()
    );
    assert!(
        bytes.len() > 10_000,
        "{} is only {} bytes: an empty page?",
        path.display(),
        bytes.len()
    );
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[test]
fn pages_render_in_headless_chromium() {
    let Some(exe) = common::chromium_or_skip() else {
        return;
    };
    let dir = examples(&["somn"], PLAIN);
    build_ok(dir.path(), &[]);
    let site = bundle_dir(&dir.path().join("dist"), "somn").join("site");
    let url = |page: &str| format!("file://{}", site.join(page).display());
    let shots = screenshot_dir();
    std::fs::create_dir_all(&shots).expect("the screenshot folder");

    let dumps = [
        chromium(
            &exe,
            "dump index",
            &["--dump-dom".to_owned(), url("index.html")],
        ),
        chromium(
            &exe,
            "dump module",
            &["--dump-dom".to_owned(), url("02-somndagbok.html")],
        ),
    ];
    let shot_list = [
        ("somn-citizen-index.png", "index.html", 1200),
        ("somn-module-form.png", "02-somndagbok.html", 1200),
        ("somn-staff.png", "staff.html", 1200),
        ("somn-module-form-320px.png", "02-somndagbok.html", 320),
    ];
    let mut running = Vec::new();
    for (file, page, width) in shot_list {
        let png = shots.join(file);
        let _ = std::fs::remove_file(&png);
        running.push((
            png.clone(),
            width,
            chromium(
                &exe,
                file,
                &[
                    format!("--screenshot={}", png.display()),
                    format!("--window-size={width},1400"),
                    url(page),
                ],
            ),
        ));
    }

    let [index, module] = dumps.map(Browser::finish);
    for (what, dom, expected) in [
        (
            "index",
            &index,
            &[
                "<html lang=\"sv\">",
                "<h1>Sömn – steg för steg</h1>",
                "Välkommen! Här får du hjälp att sova bättre, ett steg i taget.",
                "Så går det till",
                "Personalens vy",
            ][..],
        ),
        (
            "02-somndagbok",
            &module,
            &[
                "<h1>Sömndagbok</h1>",
                "En sömndagbok visar hur du sover natt för natt.",
                "id=\"form.somndagbok\"",
                "Hur många timmar sov du ungefär?",
                "<legend>Vaknade du under natten?",
                "Vad händer sedan?",
            ][..],
        ),
    ] {
        for text in expected {
            assert!(
                dom.contains(text),
                "the {what} DOM in Chromium lacks {text:?}:\n{dom}"
            );
        }
        assert!(
            dom.trim_end().ends_with("</html>"),
            "the {what} DOM is complete"
        );
    }
    for (png, width, browser) in running {
        browser.finish();
        let (w, h) = png_size(&png);
        assert_eq!((w, h), (width, 1400), "{}", png.display());
    }
}

/// What an importing platform needs to score exactly as `moment` does: every score's
/// missing-answer rule (`null` when none, never left out) and the form tests with
/// their "not computed" expectations, in `moment.json`.
#[test]
fn bundle_carries_missing_answer_rules_and_form_tests() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/missing-rules-pass");
    copy_tree(&src, tmp.path(), PLAIN);
    build_ok(tmp.path(), &[]);
    let bundle = bundle_dir(&tmp.path().join("dist"), "stress");
    let moment = read_json(&bundle.join("moment.json"));
    let errors = schema_errors(&validator("bundle-moment.schema.json"), &moment);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let scores = &moment["forms"][0]["scores"];
    assert_eq!(
        scores[0]["missing"],
        serde_json::json!({"allow": 1, "method": "prorate", "round": "whole"}),
        "{scores}"
    );
    assert_eq!(
        scores[1]["missing"],
        serde_json::json!({"allow": 1, "method": "zero", "round": "whole"}),
        "{scores}"
    );
    assert!(
        scores[2]
            .as_object()
            .expect("a score")
            .contains_key("missing")
            && scores[2]["missing"].is_null(),
        "a strict score says so explicitly: {scores}"
    );
    let tests = moment["form_tests"]["stress"]
        .as_array()
        .expect("the form tests of `stress`");
    let empty = tests
        .iter()
        .find(|t| t["answers"] == serde_json::json!({}))
        .expect("the empty-answers scenario");
    assert_eq!(
        empty["expect"]["scores"],
        serde_json::json!({"total": null, "noll": null, "strikt": null}),
        "{empty}"
    );
    assert_eq!(empty["expect"]["bands"]["total"], Value::Null, "{empty}");
    assert!(
        empty["expect"].get("hidden").is_none(),
        "keys the scenario does not compare stay out: {empty}"
    );
    let text = std::fs::read_to_string(bundle.join("moment.json")).expect("moment.json");
    assert!(!text.contains("-0.0"), "no negative zero in moment.json");
}

/// The staff view speaks the moment's language: item types, conditions and
/// schedules in words, not YAML vocabulary or code.
#[test]
fn staff_view_names_types_conditions_and_schedules_in_words() {
    let dir = examples(&["somn", "stresskoll"], PLAIN);
    build_ok(dir.path(), &[]);
    let dist = dir.path().join("dist");
    let text = |id: &str| {
        let html = std::fs::read_to_string(bundle_dir(&dist, id).join("site/staff.html"))
            .expect("staff.html");
        // The text a reader sees: tags dropped (ids stay, as secondary references).
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.split("<body").nth(1).unwrap_or_default().chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    out.push(' ');
                }
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    };
    let stress = text("stresskoll");
    let somn = text("somn");
    for (id, page) in [("stresskoll", &stress), ("somn", &somn)] {
        for word in [
            " choice ",
            " multichoice ",
            " scale ",
            " boolean ",
            " number ",
            " text ",
            ">=",
            "<=",
            "!=",
            " = 1 ",
            "veckors mellanrum",
            "dagars mellanrum",
            "region-exempel ",
        ] {
            assert!(
                !page.contains(word),
                "{id}: staff view shows `{word}`:\n{page}"
            );
        }
        assert!(
            page.contains("Region Exempel utgivarenhet"),
            "{id}: the unit by name"
        );
    }
    for phrase in [
        "Ett svarsalternativ (obligatorisk)",
        "svaret på ”Arbetar eller studerar du just nu?” är ”Ja”",
        "när Total stresspoäng är 20 eller mer",
        "Räknas bara när alla frågor i summan är besvarade.",
    ] {
        assert!(
            stress.contains(phrase),
            "stresskoll: `{phrase}` missing:\n{stress}"
        );
    }
    for phrase in [
        "Upprepas: varje dag, 14 gånger",
        "Skala (obligatorisk)",
        "Ja eller nej (obligatorisk)",
        "när svaret på ”Hur många timmar sov du ungefär?” är mindre än 3",
    ] {
        assert!(somn.contains(phrase), "somn: `{phrase}` missing:\n{somn}");
    }
}

/// A media file whose content changes after its digest was taken (and gave its asset
/// its name) is refused at bundling, not bundled under a name that lies; one swapped
/// for a symbolic link is refused, not followed.
#[test]
fn media_changed_after_its_digest_is_refused_not_bundled() {
    use moment::bundle::{self, Provenance};
    use moment::load::refs::Digests;
    use moment::load::{Target, schema::Schemas};
    use moment::{pipeline, validate};

    let repo = common::example_repo();
    let root = repo.path().to_path_buf();
    let target = Target {
        root: root.clone(),
        only: vec!["somn".to_owned()],
    };
    let checked = pipeline::check(
        &target,
        &validate::Options::default(),
        &Schemas::compile(),
        moment::load::Reading::Whole,
    );
    assert!(!checked.failed(), "the example checks clean");
    let provenance = Provenance {
        source_commit: None,
        source_date_epoch: 0,
        tool_version: "test".to_owned(),
    };
    let media = root.join("moments/somn/media/andning.mp4");
    let original = std::fs::read(&media).expect("the example video");
    let outcome = |change: &(dyn Fn() + Sync)| {
        let results = pipeline::render(&checked, "test", &Digests::default(), &|_| true, |out| {
            change();
            Ok(
                bundle::assemble(out.rendered, &out.moment.dir, &out.assets, &provenance)
                    .map(|b| b.archive.len()),
            )
        });
        let (_, result) = results.into_iter().next().expect("somn is rendered");
        result.expect("media read").expect("templates render")
    };

    let kept = outcome(&|| {});
    assert!(kept.is_ok(), "unchanged media bundle: {kept:?}");

    let edited = outcome(&|| {
        let mut bytes = original.clone();
        bytes[100] ^= 0xff;
        std::fs::write(&media, &bytes).expect("change the video");
    });
    let message = edited.expect_err("a changed video is refused").to_string();
    assert!(
        message.contains("andning.mp4") && message.contains("changed during the build"),
        "{message}"
    );

    let secret = repo.path().join("secret.mp4");
    std::fs::write(&secret, b"not a part of the moment").expect("a file outside");
    let linked = outcome(&|| {
        std::fs::remove_file(&media).expect("remove the video");
        std::os::unix::fs::symlink(&secret, &media).expect("a link in its place");
    });
    let message = linked.expect_err("a link is refused").to_string();
    assert!(message.contains("symbolic link"), "{message}");
}

#[test]
fn a_warning_of_a_build_shows_the_line_it_is_about() {
    let repo = common::example_repo();
    let root = repo.path();
    let module = root.join("moments/minimal/modules/01-start.md");
    let mut text = std::fs::read_to_string(&module).expect("a module");
    text.push_str("\nLäs mer [här](https://example.org).\n");
    std::fs::write(&module, text).expect("edit a module");
    let out = common::moment(root, &["build", "--lang", "en"]);
    assert_eq!(common::code(&out), 0, "{}", common::stderr(&out));
    let all = format!("{}{}", common::stdout(&out), common::stderr(&out));
    assert!(all.contains("W005"), "no link text warning:\n{all}");
    // The build frees the texts of files without diagnostics before it renders; the
    // file with one keeps its text for the snippet.
    assert!(
        all.contains("| Läs mer [här](https://example.org)."),
        "the warning has no snippet of its line:\n{all}"
    );
}
