//! `moment init`: scaffold a moments repository.

use moment::error::{Error, Outcome};

use crate::cli::InitArgs;

/// Runs `moment init`.
pub fn execute(args: &InitArgs) -> Result<Outcome, Error> {
    let path = args.path.get();
    std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
    for file in moment::init::create(&path)? {
        println!("created {file}");
    }
    if moment::init::ensure_git(&path)? {
        println!(
            "ran `git init` in {}: it was not a git repository",
            path.display()
        );
    }
    println!("next: add the publishers' SSH keys to units.yaml, then run `moment check`");
    Ok(Outcome::Success)
}
