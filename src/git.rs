//! Running the `git` command line: the one place that talks to git's object database.

use std::path::Path;
use std::process::Command;

use crate::error::Error;

/// Runs `git -C root ARGS…` and returns its standard output; a failure is a usage
/// error carrying git's own message.
pub fn run(root: &Path, args: &[&str]) -> Result<Vec<u8>, Error> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| Error::io("git", e))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(Error::Usage(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// The path of `root` inside its git repository (`""` at the top, else `dir/`).
pub fn prefix(root: &Path) -> Result<String, Error> {
    Ok(
        String::from_utf8_lossy(&run(root, &["rev-parse", "--show-prefix"])?)
            .trim()
            .to_owned(),
    )
}
