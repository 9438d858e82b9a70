//! `moment diff` of two built bundles (archives and unpacked folders) and of two
//! versions in a catalog: the same classed report as between the two git revisions
//! the bundles were built from, without the repository.

mod common;
mod diffkit;

use common::{code, run_in, stderr, stdout};
use diffkit::*;
use serde_json::Value;

/// Builds v1 into `dist1` and the realistic v2 into `dist2`.
fn two_builds() -> Repo {
    let repo = Repo::new();
    build(&repo, "dist1");
    somn_v2(&repo);
    build(&repo, "dist2");
    repo
}

fn json(out: &std::process::Output) -> Value {
    assert_eq!(code(out), 0, "{}", stderr(out));
    serde_json::from_str(&stdout(out)).expect("JSON")
}

#[test]
fn bundle_against_bundle_equals_git_against_git() {
    let repo = two_builds();
    let git = repo.diff(&["HEAD~1", "HEAD"]);
    let from_git = moment(&git, "somn").clone();
    assert_eq!(from_git["required_bump"], "major", "{from_git:#}");
    let a = repo.path("dist1/somn-1.0.0.tar.gz");
    let b = repo.path("dist2/somn-2.0.0.tar.gz");
    let elsewhere = tempfile::tempdir().unwrap();
    // No repository is needed: run it in an empty folder.
    let archives = json(&run_in(
        elsewhere.path(),
        &[
            "diff",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        archives["moments"].as_array().unwrap().len(),
        1,
        "{archives:#}"
    );
    assert_eq!(moment(&archives, "somn"), &from_git);
    let folders = json(&run_in(
        elsewhere.path(),
        &[
            "diff",
            repo.path("dist1/somn/1.0.0").to_str().unwrap(),
            repo.path("dist2/somn/2.0.0").to_str().unwrap(),
            "--format",
            "json",
        ],
    ));
    assert_eq!(moment(&folders, "somn"), &from_git);
}

#[test]
fn bundles_of_different_moments_are_refused() {
    let repo = two_builds();
    let out = run_in(
        &repo.root,
        &[
            "diff",
            "dist1/somn-1.0.0.tar.gz",
            "dist2/stresskoll-1.0.0.tar.gz",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "a bundle of `somn` but dist2/stresskoll-1.0.0.tar.gz is a bundle of `stresskoll`"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    let out = run_in(&repo.root, &["diff", "dist1/somn-1.0.0.tar.gz", "HEAD"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("HEAD is not a bundle"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_that_is_not_a_bundle_is_refused() {
    let repo = Repo::new();
    repo.write("a.tar.gz", "not gzip");
    repo.write("b.tar.gz", "not gzip");
    let out = run_in(&repo.root, &["diff", "a.tar.gz", "b.tar.gz"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a.tar.gz is not a moment bundle"),
        "{}",
        stderr(&out)
    );
}

/// A catalog folder holding the two builds of `somn` as published versions, with the
/// digests of `digests` (the real ones when `None`).
fn catalog(repo: &Repo, digests: Option<[&str; 2]>) -> tempfile::TempDir {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("bundles/somn")).unwrap();
    std::fs::create_dir_all(dir.path().join("index/somn")).unwrap();
    let mut versions = Vec::new();
    for (k, (build, version)) in [("dist1", "1.0.0"), ("dist2", "2.0.0")].iter().enumerate() {
        let bytes = std::fs::read(repo.path(&format!("{build}/somn-{version}.tar.gz"))).unwrap();
        std::fs::write(
            dir.path().join(format!("bundles/somn/{version}.tar.gz")),
            &bytes,
        )
        .unwrap();
        let real: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let sha = digests.map_or(real, |d| d[k].to_owned());
        versions.push(serde_json::json!({
            "version": version, "sha256": sha, "size": bytes.len(),
            "commit": "0".repeat(40), "tag": format!("somn/v{version}"),
            "signer": {"name": "Anna Andersson", "fingerprint": "SHA256:x"},
            "published_at": "2026-12-01T12:00:00Z", "yanked": false
        }));
    }
    let index = serde_json::json!({"id": "somn", "generation": 2, "versions": versions});
    std::fs::write(
        dir.path().join("index/somn/0000000002.json"),
        serde_json::to_vec_pretty(&index).unwrap(),
    )
    .unwrap();
    dir
}

#[test]
fn two_versions_in_a_catalog_give_the_same_report() {
    let repo = two_builds();
    let git = repo.diff(&["HEAD~1", "HEAD"]);
    let cat = catalog(&repo, None);
    let url = cat.path().to_str().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let report = json(&run_in(
        elsewhere.path(),
        &[
            "diff",
            "--catalog",
            url,
            "somn",
            "1.0.0",
            "2.0.0",
            "--format",
            "json",
        ],
    ));
    assert_eq!(moment(&report, "somn"), moment(&git, "somn"));
    // Release notes for the administrator who only has the catalog.
    let out = run_in(
        elsewhere.path(),
        &[
            "diff",
            "--catalog",
            url,
            "somn",
            "1.0.0",
            "2.0.0",
            "--format",
            "release-notes",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("## Sömn – steg för steg 1.0.0 → 2.0.0"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_catalog_bundle_that_does_not_match_its_digest_is_refused() {
    let repo = two_builds();
    let wrong = "0".repeat(64);
    let cat = catalog(&repo, Some([&wrong, &wrong]));
    let out = run_in(
        &repo.root,
        &[
            "diff",
            "--catalog",
            cat.path().to_str().unwrap(),
            "somn",
            "1.0.0",
            "2.0.0",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("does not match the digest in the catalog's index"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    let cat = catalog(&repo, None);
    let out = run_in(
        &repo.root,
        &[
            "diff",
            "--catalog",
            cat.path().to_str().unwrap(),
            "somn",
            "1.0.0",
            "3.0.0",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("has no version 3.0.0 of `somn`"),
        "{}",
        stderr(&out)
    );
}
