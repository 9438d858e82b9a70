//! The two sides of a diff: the working tree or a git revision, read through
//! [`crate::load::at`] and turned into snapshots.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::load::at::Files;
use crate::load::schema::Schemas;

use super::snapshot::{MomentSnapshot, snapshots};

pub use crate::load::at::Side;

/// A side read into memory. A revision is unpacked into a temporary folder that
/// lives as long as this value.
pub struct Loaded {
    /// The moments.
    pub moments: Vec<MomentSnapshot>,
    /// The folder the side was read from (a temporary one for a revision).
    pub root: PathBuf,
    _files: Files,
}

/// Loads one side.
pub fn load_side(root: &Path, side: &Side, schemas: &Schemas) -> Result<Loaded, Error> {
    let loaded = crate::load::at::load(root, side, &[], schemas)?;
    Ok(Loaded {
        moments: snapshots(&loaded.repo),
        root: loaded.files.path().to_path_buf(),
        _files: loaded.files,
    })
}
