//! `moment codeowners`: write CODEOWNERS from the user groups.

use moment::error::{Error, Outcome};
use moment::load::schema::Schemas;
use moment::{codeowners, load};

use crate::cli::CodeownersArgs;

/// Runs `moment codeowners`.
pub fn execute(args: &CodeownersArgs) -> Result<Outcome, Error> {
    let target = super::target::find(&args.path.get())?;
    let units = load::units::read(
        &target.root.join("units.yaml"),
        "units.yaml",
        &Schemas::compile(),
    )?;
    let text = codeowners::render(&units);
    let (rel, path) = codeowners::find(&target.root).unwrap_or_else(|| {
        (
            ".github/CODEOWNERS".to_owned(),
            target.root.join(".github/CODEOWNERS"),
        )
    });
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if args.check {
        if current == text {
            println!("{rel} is up to date");
            return Ok(Outcome::Success);
        }
        eprintln!("{rel} is out of date; run `moment codeowners`");
        return Ok(Outcome::Failure);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(&path, &text).map_err(|e| Error::io(&path, e))?;
    println!("wrote {rel}");
    Ok(Outcome::Success)
}
