//! Running the `git` command line: the only code that runs git (revisions, trees and
//! archives, `cat-file`, commit times, reachability). Everything else calls these
//! functions.
//!
//! Every revision, ref and path that reaches git from a user is made unambiguous: a
//! name starting with `-` is refused before git sees it, revisions follow
//! `--end-of-options`, tags are named by their full ref `refs/tags/…`, and paths are
//! read as `REV:PATH` objects, never as command-line paths.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::Error;

/// Runs `git -C root ARGS…` and returns its standard output; a failure is an
/// [`Error::Git`] carrying git's own message. Callers pass user-given names only after
/// `--end-of-options`, checked with [`revision`].
pub fn run(root: &Path, args: &[&str]) -> Result<Vec<u8>, Error> {
    let out = output(root, args)?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(Error::Git {
            command: args.join(" "),
            message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }
}

fn output(root: &Path, args: &[&str]) -> Result<std::process::Output, Error> {
    Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| Error::io("git", e))
}

/// Standard output of a successful git command as trimmed text, or `None` when git
/// says no (a missing object, a ref that does not exist).
fn text(root: &Path, args: &[&str]) -> Result<Option<String>, Error> {
    let out = output(root, args)?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned()))
}

/// Refuses a user-given revision or tag name that git could read as an option (it
/// starts with `-`), is empty, or holds a control character.
pub fn revision(name: &str) -> Result<&str, Error> {
    if name.is_empty() {
        return Err(Error::Usage("an empty git revision".to_owned()));
    }
    if name.starts_with('-') {
        return Err(Error::Usage(format!(
            "`{name}` is not a git revision: names starting with `-` are refused, so that git never reads one as an option"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::Usage(format!(
            "`{}` is not a git revision: it holds a control character",
            name.escape_debug()
        )));
    }
    Ok(name)
}

/// The path of `root` inside its git repository (`""` at the top, else `dir/`).
pub fn prefix(root: &Path) -> Result<String, Error> {
    Ok(
        String::from_utf8_lossy(&run(root, &["rev-parse", "--show-prefix"])?)
            .trim()
            .to_owned(),
    )
}

/// The top folder of the repository that holds `root`.
pub fn toplevel(root: &Path) -> Result<PathBuf, Error> {
    Ok(PathBuf::from(
        String::from_utf8_lossy(&run(root, &["rev-parse", "--show-toplevel"])?).trim(),
    ))
}

/// The object id `spec` (already checked by [`revision`]) names, or `None`.
fn resolve(root: &Path, spec: &str) -> Result<Option<String>, Error> {
    text(
        root,
        &["rev-parse", "--verify", "--quiet", "--end-of-options", spec],
    )
}

/// The commit `rev` names, or `None` when it names none.
pub fn commit_of(root: &Path, rev: &str) -> Result<Option<String>, Error> {
    let rev = revision(rev)?;
    resolve(root, &format!("{rev}^{{commit}}"))
}

/// The tree id of a commit.
pub fn tree_of(root: &Path, commit: &str) -> Result<String, Error> {
    let commit = revision(commit)?;
    resolve(root, &format!("{commit}^{{tree}}"))?
        .ok_or_else(|| Error::Usage(format!("`{commit}` has no tree")))
}

/// The committer time of a commit, in seconds since 1970.
pub fn commit_time(root: &Path, commit: &str) -> Result<u64, Error> {
    let commit = revision(commit)?;
    let out = run(
        root,
        &["log", "-1", "--format=%ct", "--end-of-options", commit],
    )?;
    Ok(String::from_utf8_lossy(&out).trim().parse().unwrap_or(0))
}

/// The object type (`tag`, `commit`, …) of tag `name`, or `None` when there is no
/// such tag.
pub fn tag_type(root: &Path, name: &str) -> Result<Option<String>, Error> {
    let name = revision(name)?;
    text(
        root,
        &[
            "cat-file",
            "-t",
            "--end-of-options",
            &format!("refs/tags/{name}"),
        ],
    )
}

/// The raw bytes of the annotated tag object `refs/tags/<name>`, exactly as stored.
pub fn tag_object(root: &Path, name: &str) -> Result<Vec<u8>, Error> {
    let name = revision(name)?;
    run(
        root,
        &[
            "cat-file",
            "tag",
            "--end-of-options",
            &format!("refs/tags/{name}"),
        ],
    )
}

/// The names (without `refs/tags/`) of every tag under `refs/tags/<prefix>`.
pub fn tags_under(root: &Path, prefix: &str) -> Result<Vec<String>, Error> {
    let prefix = revision(prefix)?;
    let out = run(
        root,
        &[
            "for-each-ref",
            "--format=%(refname)",
            "--end-of-options",
            &format!("refs/tags/{prefix}"),
        ],
    )?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|l| l.strip_prefix("refs/tags/"))
        .map(str::to_owned)
        .collect())
}

/// The bytes of file `path` (relative to the repository's top) at commit `rev`, or
/// `None` when there is no such file.
pub fn file_at(root: &Path, rev: &str, path: &str) -> Result<Option<Vec<u8>>, Error> {
    let rev = revision(rev)?;
    let out = output(
        root,
        &[
            "cat-file",
            "blob",
            "--end-of-options",
            &format!("{rev}:{path}"),
        ],
    )?;
    Ok(out.status.success().then_some(out.stdout))
}

/// Whether commit `ancestor` is reachable from commit `descendant`.
pub fn is_ancestor(root: &Path, ancestor: &str, descendant: &str) -> Result<bool, Error> {
    let (ancestor, descendant) = (revision(ancestor)?, revision(descendant)?);
    let out = output(
        root,
        &[
            "merge-base",
            "--is-ancestor",
            "--end-of-options",
            ancestor,
            descendant,
        ],
    )?;
    match out.status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => Err(Error::Git {
            command: "merge-base".to_owned(),
            message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        }),
    }
}

/// The ref a symbolic ref points at (such as `refs/remotes/origin/main` for
/// `refs/remotes/origin/HEAD`), or `None` when it is not set.
pub fn symbolic_ref(root: &Path, name: &str) -> Result<Option<String>, Error> {
    let name = revision(name)?;
    text(root, &["symbolic-ref", "--quiet", "--end-of-options", name])
}

/// A tar archive of the moments repository (the part of the tree at `root`'s
/// prefix) at revision `rev`, never checking anything out.
pub fn tree_archive(root: &Path, rev: &str) -> Result<Vec<u8>, Error> {
    let (top, tree) = top_and_tree(root, rev)?;
    run(
        &top,
        &["archive", "--format=tar", "--end-of-options", &tree],
    )
}

/// `git ls-tree -r -z` of the same tree as [`tree_archive`]: every entry with its
/// mode, so that links and submodules can be refused before anything is unpacked.
pub fn tree_listing(root: &Path, rev: &str) -> Result<Vec<u8>, Error> {
    let (top, tree) = top_and_tree(root, rev)?;
    run(&top, &["ls-tree", "-r", "-z", "--end-of-options", &tree])
}

/// The repository's top folder and the tree object name of `rev` at `root`'s place in it.
fn top_and_tree(root: &Path, rev: &str) -> Result<(std::path::PathBuf, String), Error> {
    let rev = revision(rev)?;
    let prefix = prefix(root)?;
    let tree = if prefix.is_empty() {
        format!("{rev}^{{tree}}")
    } else {
        format!("{rev}:{prefix}")
    };
    resolve(root, &tree)?
        .ok_or_else(|| Error::Usage(format!("`{rev}` is not a revision of this git repository")))?;
    // `git archive` run inside a subfolder only archives that part of the tree, so
    // run it at the top with the full `rev:prefix` tree.
    Ok((toplevel(root)?, tree))
}

/// Whether `dir` is inside a git repository (a work tree or a bare one); git's own
/// complaint is swallowed: callers say in one sentence what that means for them.
pub fn in_repository(dir: &Path) -> bool {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--git-dir"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `git init` in `dir`, with `main` as the first branch (which the CI workflows
/// that `moment init` writes trust).
pub fn init(dir: &Path) -> Result<(), Error> {
    run(dir, &["init", "--quiet", "--initial-branch=main"]).map(drop)
}
