//! `moment import fhir FILE --moment ID --id FORM`: a FHIR Questionnaire as a form and
//! its tests, a report of everything not carried over, and `moment check` on the result.

use std::io::{IsTerminal, Write};

use moment::diagnostic::{Code, Diagnostic, Severity};
use moment::error::{Error, Outcome};
use moment::fhir::{self, json::ReadError};
use moment::load::Sources;
use moment::schema::Schemas;
use moment::{load, report, validate};

use crate::cli::{Format, ImportArgs, ImportSource};

/// Runs `moment import`.
pub fn execute(args: &ImportArgs) -> Result<Outcome, Error> {
    let ImportSource::Fhir {
        file,
        moment: moment_id,
        id,
        path,
        force,
        format,
    } = &args.source;
    for (what, value) in [("form id", id), ("moment id", moment_id)] {
        if !is_slug(value) {
            return Err(Error::Usage(format!(
                "`{value}` is not a {what}: lowercase letters a-z, digits and single hyphens"
            )));
        }
    }
    let moment_dir = path.join("moments").join(moment_id);
    if !moment_dir.join("moment.yaml").is_file() {
        return Err(Error::Usage(format!(
            "no moment `{moment_id}` in {} (give the repository root with --path)",
            path.join("moments").display()
        )));
    }
    let shown = file.display().to_string();
    let mut sources = Sources::new();
    let doc = match fhir::json::read(file) {
        Ok(doc) => doc,
        Err(ReadError::Io(e)) => return Err(Error::io(file, e)),
        Err(ReadError::Refused(p)) => {
            if let Ok(text) = std::fs::read_to_string(file)
                && text.len() as u64 <= fhir::json::MAX_BYTES
            {
                sources.insert(shown.clone(), text);
            }
            return finish(*format, &[p.diagnostic(&shown, None)], &sources, None);
        }
    };
    sources.insert(shown.clone(), doc.text.clone());
    let imported = match fhir::import::import(&doc, id) {
        Ok(i) => i,
        Err(problems) => {
            let diags: Vec<Diagnostic> = problems
                .iter()
                .map(|p| p.diagnostic(&shown, Some(&doc)))
                .collect();
            return finish(*format, &diags, &sources, None);
        }
    };
    let mut diags: Vec<Diagnostic> = imported
        .problems
        .iter()
        .map(|p| p.diagnostic(&shown, Some(&doc)))
        .collect();
    let forms = moment_dir.join("forms");
    let form_path = forms.join(format!("{id}.yaml"));
    let tests_path = forms.join(format!("{id}.tests.yaml"));
    let rel = format!("moments/{moment_id}/forms/{id}.yaml");
    let tests_rel = format!("moments/{moment_id}/forms/{id}.tests.yaml");
    if !force {
        for (p, r) in [(&form_path, &rel), (&tests_path, &tests_rel)] {
            if p.exists() {
                diags.push(
                    Diagnostic::new(Code::FhirTargetExists, format!("{r} exists already"))
                        .in_file(r.clone())
                        .with_hint("import under another --id, or give --force to replace it"),
                );
            }
        }
        if diags.iter().any(|d| d.code == Code::FhirTargetExists) {
            return finish(*format, &diags, &sources, None);
        }
    }
    let scenarios = fhir::scenarios::generate(&imported.form);
    let form_text = fhir::yaml::form(&imported.form);
    let tests_text = fhir::yaml::scenarios(&scenarios);
    let created_dir = !forms.exists();
    // What --force replaces, to put back if the result does not pass `moment check`.
    let old_form = std::fs::read(&form_path).ok();
    let old_tests = std::fs::read(&tests_path).ok();
    std::fs::create_dir_all(&forms).map_err(|e| Error::io(&forms, e))?;
    std::fs::write(&form_path, &form_text).map_err(|e| Error::io(&form_path, e))?;
    std::fs::write(&tests_path, &tests_text).map_err(|e| Error::io(&tests_path, e))?;

    // `moment check` on the moment: the new files must pass, and their tests with them.
    let target = load::Target {
        root: path.clone(),
        only: vec![moment_id.clone()],
    };
    let repo = load::load(&target, &Schemas::compile());
    let checked = validate::repository(&repo, &validate::Options::default());
    let ours: Vec<Diagnostic> = checked
        .into_iter()
        .filter(|d| d.file == rel || d.file == tests_rel)
        .collect();
    sources.extend(repo.sources);
    if ours.iter().any(|d| d.severity == Severity::Error) {
        for (p, old) in [(&form_path, &old_form), (&tests_path, &old_tests)] {
            match old {
                Some(bytes) => std::fs::write(p, bytes).map_err(|e| Error::io(p, e))?,
                None => std::fs::remove_file(p).map_err(|e| Error::io(p, e))?,
            }
        }
        if created_dir {
            let _ = std::fs::remove_dir(&forms);
        }
        diags.push(
            Diagnostic::new(
                Code::FhirImportFails,
                "the imported form does not pass `moment check`, so nothing was written (a form it would replace is kept as it was)",
            )
            .in_file(shown.clone())
            .with_hint(
                "the errors below name the generated form; fix the Questionnaire and import again",
            ),
        );
        diags.extend(ours);
        return finish(*format, &diags, &sources, None);
    }
    diags.extend(ours);
    let wrote = format!(
        "wrote {rel} ({} items, {} scores) and {tests_rel} ({} scenarios); place the form in a module with a ```form block, `ref: {id}`\n",
        imported.form.items.len(),
        imported.form.scores.len(),
        scenarios.len()
    );
    finish(*format, &diags, &sources, Some(&wrote))
}

/// Whether `s` is a slug (as `moment check` requires of ids; that check is private
/// to the validator).
fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Prints the report (and what was written) and decides the outcome.
fn finish(
    format: Format,
    diags: &[Diagnostic],
    sources: &Sources,
    wrote: Option<&str>,
) -> Result<Outcome, Error> {
    let mut diags = diags.to_vec();
    moment::diagnostic::sort(&mut diags);
    let text = render(format, &diags, sources);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| match (format, wrote) {
            (Format::Human, Some(w)) => stdout.write_all(format!("\n{w}").as_bytes()),
            _ => Ok(()),
        })
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    if let (false, Some(w)) = (format == Format::Human, wrote) {
        eprint!("{w}");
    }
    let (errors, _) = report::counts(&diags);
    Ok(if errors > 0 || wrote.is_none() {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}

/// The diagnostics in `format`.
pub fn render(format: Format, diags: &[Diagnostic], sources: &Sources) -> String {
    match format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            report::human(diags, sources, color)
        }
        Format::Json => report::json(diags),
        Format::Github => report::github(diags),
        Format::Sarif => report::sarif(diags),
    }
}
