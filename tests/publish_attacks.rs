//! Attacks on publishing and on the catalog, run with the real binary in real git
//! repositories with real `ssh-keygen` keys: hostile tag objects (non-UTF-8 bytes, two
//! signature blocks, another SSH namespace, a key listed twice), four eyes, option
//! injection through revisions, provenance re-verified offline, and every
//! single-file tampering of a catalog.

mod common;
mod publish_support;

use publish_support::*;

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

// ================================================================ crash completion

/// Real SIGKILLs spread over a publish's run time. The three writes take far less
/// time than the build before them, so kills mostly land before or after them; the
/// states between two writes (a bundle alone, a generation without its copy) are
/// made directly by `re_running_a_cut_off_publish_completes_it` in tests/publish.rs.
#[test]
fn a_publish_killed_at_any_moment_is_completed_by_running_it_again() {
    let f = Fixture::new();
    f.sign_tag("anna", "somn/v1.0.0");
    // How long a whole publish takes here, to spread the kills over it.
    let start = Instant::now();
    assert_success(&f.publish_to("somn/v1.0.0", path_str(&f.tmp.path().join("timing")), &[]));
    let whole = start.elapsed();
    let mut states = std::collections::BTreeSet::new();
    for step in 0..12u32 {
        let catalog = f.tmp.path().join(format!("killed-{step}"));
        let mut child = spawn_moment(
            &f.root,
            &[
                "publish",
                "--tag",
                "somn/v1.0.0",
                "--catalog",
                path_str(&catalog),
            ],
        );
        // Up to twice the measured time: a loaded machine runs some publishes slower.
        std::thread::sleep(whole * step / 6);
        child.kill().ok();
        child.wait().ok();
        // What the kill left, in the catalog's own terms.
        let files: Vec<String> = catalog_files_under(&catalog);
        states.insert(files.len());
        let out = f.publish_to("somn/v1.0.0", path_str(&catalog), &[]);
        assert_success(&out);
        let (exit, report) = verify_json(&f.root, path_str(&catalog));
        assert_eq!(
            exit, 0,
            "killed after {step}/6 of a publish, then re-run: {report:#}"
        );
        assert_eq!(
            report["findings"],
            serde_json::json!([]),
            "step {step}: {report:#}"
        );
        assert_eq!(
            version_names(&versions_of(
                &list_json(&f.root, path_str(&catalog)),
                "somn"
            )),
            ["1.0.0"]
        );
    }
    eprintln!("file counts the kills left: {states:?}");
    assert!(
        states.len() > 1,
        "the kills all left the same state ({states:?}): spread them wider"
    );
}

fn catalog_files_under(root: &Path) -> Vec<String> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file() && !e.path().components().any(|c| c.as_os_str() == ".partial")
        })
        .map(|e| e.path().display().to_string())
        .collect()
}
