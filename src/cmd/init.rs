//! `moment init`: scaffold a moments repository.

use moment::error::{Error, Outcome};

use crate::cli::InitArgs;

/// Runs `moment init`.
pub fn execute(args: &InitArgs) -> Result<Outcome, Error> {
    std::fs::create_dir_all(&args.path).map_err(|e| Error::io(&args.path, e))?;
    for file in moment::init::create(&args.path)? {
        println!("created {file}");
    }
    println!("next: add the publishers' SSH keys to units.yaml, then run `moment check`");
    Ok(Outcome::Success)
}
