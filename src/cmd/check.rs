//! `moment check`: load, validate and report.

use std::io::{IsTerminal, Write};

use moment::diagnostic::Lang;
use moment::error::{Error, Outcome};
use moment::load::schema::Schemas;
use moment::{diff, load, report, validate};

use crate::cli::{CheckArgs, Format};

/// Runs `moment check`.
pub fn execute(args: &CheckArgs, lang: Option<Lang>) -> Result<Outcome, Error> {
    let target = super::target::find(&args.path.get())?;
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
    let (diags, left_out) = validate::scope::narrow(diags, &target.only);
    let lang = Lang::choose(
        lang,
        repo.units_node.as_ref().and_then(load::units::language_of),
    );
    let text = match args.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut text = if args.verbose {
                report::human_in(&diags, &repo.sources, color, lang)
            } else {
                report::human_grouped_in(&diags, &repo.sources, color, lang)
            };
            if let Some(note) = validate::scope::note(left_out) {
                text.push_str(&note);
                text.push('\n');
            }
            text
        }
        Format::Json => report::json_in(&diags, lang),
        Format::Github => report::github_in(&diags, lang),
        Format::Sarif => report::sarif(&diags),
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    let (errors, _) = report::counts(&diags);
    // The process ends next: freeing every loaded text and tree one by one would
    // only keep a core busy for some 40 ms on 10,000 modules.
    std::mem::forget(repo);
    Ok(if errors > 0 {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}
