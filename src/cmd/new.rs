//! `moment new`: scaffold a moment.

use moment::error::{Error, Outcome};
use moment::scaffold::{self, NewMoment};

use crate::cli::NewArgs;

/// Runs `moment new`.
pub fn execute(args: &NewArgs) -> Result<Outcome, Error> {
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
    for file in scaffold::create(&args.path, &spec)? {
        println!("created {file}");
    }
    println!("next: edit the files, then run `moment check`");
    Ok(Outcome::Success)
}
