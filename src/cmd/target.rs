//! The repository a command reads, from the PATH on its command line, with one
//! message for a path that is neither a repository nor a moment's folder.

use std::path::Path;

use moment::error::Error;
use moment::load::{self, Target};
use moment::scaffold;

/// The repository at `path` (its root, or a moment's folder), or a usage error that
/// says where the repository is when `path` is some other folder inside one.
pub fn find(path: &Path) -> Result<Target, Error> {
    if !path.exists() {
        return Err(Error::Usage(format!("{} does not exist", path.display())));
    }
    load::find_target(path).ok_or_else(|| {
        let around = scaffold::find_root(path).map_or_else(
            || "; `moment init` creates a repository".to_owned(),
            |root| {
                format!(
                    "; it is inside the repository {}: give that folder, or a moment's folder",
                    root.display()
                )
            },
        );
        Error::Usage(format!(
            "{} is neither a moments repository (with moments/ or units.yaml) nor a moment's folder{around}",
            path.display()
        ))
    })
}
