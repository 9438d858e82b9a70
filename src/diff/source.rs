//! The two sides of a diff: the working tree, a git revision read straight from the
//! object database (never checking anything out), or a built bundle.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::load::schema::Schemas;
use crate::load::{self, Target};

use super::snapshot::{MomentSnapshot, snapshots};

/// One side of a comparison.
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

/// A side read into memory. A revision is unpacked into a temporary folder that
/// lives as long as this value.
pub struct Loaded {
    /// The moments.
    pub moments: Vec<MomentSnapshot>,
    /// The folder the side was read from (a temporary one for a revision).
    pub root: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

/// Extracts the repository at `rev` into a new temporary folder.
pub fn extract(root: &Path, rev: &str) -> Result<(tempfile::TempDir, PathBuf), Error> {
    crate::load::tree::refuse_links_in_listing(&crate::git::tree_listing(root, rev)?, rev)?;
    let archive = crate::git::tree_archive(root, rev)?;
    let dir = tempfile::tempdir().map_err(|e| Error::io("temporary folder", e))?;
    crate::load::tree::unpack(&archive, dir.path(), rev)?;
    let path = dir.path().to_path_buf();
    Ok((dir, path))
}

/// Loads one side.
pub fn load_side(root: &Path, side: &Side, schemas: &Schemas) -> Result<Loaded, Error> {
    let (dir, path) = match side {
        Side::Worktree => (None, root.to_path_buf()),
        Side::Revision(rev) => {
            let (dir, path) = extract(root, rev)?;
            (Some(dir), path)
        }
    };
    let repo = load::load(
        &Target {
            root: path.clone(),
            only: Vec::new(),
        },
        schemas,
    );
    Ok(Loaded {
        moments: snapshots(&repo),
        root: path,
        _dir: dir,
    })
}
