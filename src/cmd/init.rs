//! `moment init`: scaffold a moments repository.

use moment::error::{Error, Outcome};
use moment::init::Git;

use crate::cli::InitArgs;

/// Runs `moment init`.
pub fn execute(args: &InitArgs) -> Result<Outcome, Error> {
    let path = args.path.as_path();
    std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
    for file in moment::init::create(path)? {
        println!("created {file}");
    }
    match moment::init::ensure_git(path)? {
        Git::Initialised => println!(
            "ran `git init` in {}: it was not a git repository",
            path.display()
        ),
        Git::Existing => {}
        Git::Inside(top) => println!(
            "note: {} is inside the git repository {}, which now holds it; for a repository of its own, run `git init` in {}",
            path.display(),
            top.display(),
            path.display()
        ),
    }
    println!("next: add the publishers' SSH keys to units.yaml, then run `moment check`");
    Ok(Outcome::Success)
}
