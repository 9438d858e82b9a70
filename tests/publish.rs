//! `moment publish`, `moment catalog` and the repository scaffolding around them, run
//! as a publisher and CI run them: the real binary, real git repositories in temporary
//! folders, tags signed by `git tag -s` with freshly generated SSH keys, and catalogs
//! in local folders. Where git can judge a signature itself (`git verify-tag` with an
//! allowed-signers file), the test asks git too, so that `moment` is compared with an
//! independent oracle rather than with itself.

mod common;
mod publish_support;

use publish_support::*;

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
