//! `moment diff`: compare two versions of the moments.

use std::io::{IsTerminal, Write};

use moment::diff::{self, output, source};
use moment::error::{Error, Outcome};
use moment::load;
use moment::schema::Schemas;

use crate::cli::{DiffArgs, DiffFormat};

/// Runs `moment diff`. Exits 0 whatever the differences.
pub fn execute(args: &DiffArgs) -> Result<Outcome, Error> {
    let target = load::find_target(&args.path).ok_or_else(|| {
        Error::Usage(format!(
            "{} is not a moments repository (with moments/ or units.yaml)",
            args.path.display()
        ))
    })?;
    let from = source::Side::parse(&args.from);
    let to = if args.worktree {
        source::Side::Worktree
    } else {
        source::Side::parse(&args.to)
    };
    let schemas = Schemas::compile();
    let old = source::load_side(&target.root, &from, &schemas)?;
    let new = source::load_side(&target.root, &to, &schemas)?;
    let result = diff::diff(&old.moments, &new.moments);
    let text = match args.format {
        DiffFormat::Json => output::json(&result),
        DiffFormat::Markdown => output::markdown(&result, &from.label(), &to.label()),
        DiffFormat::ReleaseNotes => output::release_notes(&result),
        DiffFormat::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            output::human(&result, color)
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(Outcome::Success)
}
