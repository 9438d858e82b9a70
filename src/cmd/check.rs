//! `moment check`: load, validate and report.

use std::io::{IsTerminal, Write};

use moment::error::{Error, Outcome};
use moment::schema::Schemas;
use moment::{diff, load, report, validate};

use crate::cli::{CheckArgs, Format};

/// Runs `moment check`.
pub fn execute(args: &CheckArgs) -> Result<Outcome, Error> {
    if !args.path.exists() {
        return Err(Error::Usage(format!(
            "{} does not exist",
            args.path.display()
        )));
    }
    let target = load::find_target(&args.path).ok_or_else(|| {
        Error::Usage(format!(
            "{} is neither a moments repository (with moments/ or units.yaml) nor a moment's folder",
            args.path.display()
        ))
    })?;
    let schemas = Schemas::compile();
    let repo = load::load(&target, &schemas);
    let options = validate::Options {
        max_lix: args.max_lix,
        strict: args.strict,
    };
    let mut diags = validate::repository(&repo, &options);
    if let Some(rev) = &args.against {
        let base = diff::source::load_side(
            &target.root,
            &diff::source::Side::Revision(rev.clone()),
            &schemas,
        )?;
        let changes = diff::diff(&base.moments, &diff::snapshots(&repo));
        diags.extend(diff::policy::diagnostics(&changes, &repo, rev));
        moment::diagnostic::sort(&mut diags);
    }
    let text = match args.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            if args.verbose {
                report::human(&diags, &repo.sources, color)
            } else {
                report::human_grouped(&diags, &repo.sources, color)
            }
        }
        Format::Json => report::json(&diags),
        Format::Github => report::github(&diags),
        Format::Sarif => report::sarif(&diags),
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    let (errors, _) = report::counts(&diags);
    Ok(if errors > 0 {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}
