//! `moment new`: scaffold a moment, in the repository around the given folder.

use moment::error::{Error, Outcome};
use moment::scaffold::{self, NewMoment};

use crate::cli::NewArgs;

/// Runs `moment new`: refuses (exit 1, nothing written) outside a moments repository.
pub fn execute(args: &NewArgs) -> Result<Outcome, Error> {
    let start = args.path.get();
    if !start.is_dir() {
        return Err(Error::Usage(format!("{} is not a folder", start.display())));
    }
    let Some(root) = scaffold::find_root(&start) else {
        return Err(Error::Refused(format!(
            "{} is not inside a moments repository (no units.yaml or moments/ in it or any folder above it), so nothing was written; create one with `moment init my-moments`, then run `moment new` inside it",
            start.canonicalize().unwrap_or(start.clone()).display()
        )));
    };
    let kind = args.kind.as_str().to_owned();
    let spec = NewMoment {
        id: args.id.clone(),
        title: args
            .title
            .clone()
            .unwrap_or_else(|| args.id.replace('-', " ")),
        unit: args.unit.clone(),
        kind,
    };
    let here = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    let files = scaffold::create(&root, &spec)?;
    if here.as_deref() != Some(root.as_path()) {
        println!("in the repository {}:", root.display());
    }
    for file in files {
        println!("created {file}");
    }
    println!("next: edit the files, then run `moment check`");
    Ok(Outcome::Success)
}
