//! A repository read from the working tree or from a git revision. A revision is
//! unpacked from git's object database into a temporary folder (never checked out,
//! links and submodules refused first) and then loaded like the working tree. Diff,
//! `check --against` and publish read a repository at a revision only through here.

use std::path::{Path, PathBuf};

use super::schema::Schemas;
use super::{Repository, Target};
use crate::error::Error;

/// Where a repository is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Side {
    /// The files as they are on disk.
    Worktree,
    /// A git revision: a branch, tag, commit or expression such as `HEAD~3`.
    Revision(String),
}

impl Side {
    /// Reads a command-line argument: `.` or `worktree` is the working tree.
    pub fn parse(arg: &str) -> Side {
        match arg {
            "." | "worktree" | "WORKTREE" => Side::Worktree,
            rev => Side::Revision(rev.to_owned()),
        }
    }

    /// How the side is named in reports.
    pub fn label(&self) -> String {
        match self {
            Side::Worktree => "working tree".to_owned(),
            Side::Revision(rev) => rev.clone(),
        }
    }
}

/// The files of a side on disk: the working tree itself, or a revision unpacked into
/// a temporary folder that lives as long as this value.
#[derive(Debug)]
pub struct Files {
    root: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Files {
    /// The folder holding the repository's files.
    pub fn path(&self) -> &Path {
        &self.root
    }
}

/// The files of the repository at `root` as `side` has them.
pub fn files(root: &Path, side: &Side) -> Result<Files, Error> {
    match side {
        Side::Worktree => Ok(Files {
            root: root.to_path_buf(),
            _dir: None,
        }),
        Side::Revision(rev) => {
            super::tree::refuse_links_in_listing(&crate::git::tree_listing(root, rev)?, rev)?;
            let archive = crate::git::tree_archive(root, rev)?;
            let dir = tempfile::tempdir().map_err(|e| Error::io("temporary folder", e))?;
            super::tree::unpack(&archive, dir.path(), rev)?;
            Ok(Files {
                root: dir.path().to_path_buf(),
                _dir: Some(dir),
            })
        }
    }
}

/// A repository loaded from a side, with its files (kept on disk while it lives).
#[derive(Debug)]
pub struct Loaded {
    /// The repository.
    pub repo: Repository,
    /// Where it was read from.
    pub files: Files,
}

/// Loads the repository at `root` as `side` has it; only the moments `only` (all
/// when empty).
pub fn load(root: &Path, side: &Side, only: &[String], schemas: &Schemas) -> Result<Loaded, Error> {
    let files = files(root, side)?;
    let repo = super::load(
        &Target {
            root: files.path().to_path_buf(),
            only: only.to_vec(),
        },
        schemas,
    );
    Ok(Loaded { repo, files })
}
