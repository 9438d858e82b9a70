//! `moment diff`: compare two versions of the moments.

use std::io::{IsTerminal, Write};

use moment::diff::{self, locate, output, source};
use moment::error::{Error, Outcome};
use moment::load;
use moment::schema::Schemas;

use crate::cli::{DiffArgs, DiffFormat};

/// Runs `moment diff`. Exits 0 whatever the differences, except that release notes
/// exit 1 when the version policy fails (the notes then start with a warning).
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
    let mut outcome = Outcome::Success;
    let text = match args.format {
        DiffFormat::Json => output::json(&result),
        DiffFormat::Markdown => output::markdown(&result, &from.label(), &to.label()),
        DiffFormat::ReleaseNotes => {
            if output::policy_failed(&result) {
                outcome = Outcome::Failure;
            }
            output::release_notes(&result)
        }
        DiffFormat::Github => {
            let prefix = moment::git::prefix(&target.root).unwrap_or_default();
            let dir_of = |id: &str| {
                new.moments
                    .iter()
                    .chain(&old.moments)
                    .find(|m| m.id == id)
                    .map_or_else(|| format!("moments/{id}"), |m| m.rel_dir.clone())
            };
            let file_of = |id: &str, rel: &str| format!("{prefix}{}/{rel}", dir_of(id));
            let line_of = |id: &str, locator: &str| {
                let (rel, inner) = locator.split_once('#').unwrap_or((locator, ""));
                let text = std::fs::read_to_string(new.root.join(dir_of(id)).join(rel)).ok()?;
                if inner.is_empty() {
                    return Some(1);
                }
                locate::line(&text, rel.ends_with(".md"), inner)
            };
            output::github(&result, &file_of, &line_of)
        }
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
    Ok(outcome)
}
