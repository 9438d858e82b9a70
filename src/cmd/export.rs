//! `moment export fhir [PATH]`: check, then write every form as a FHIR R4 Questionnaire
//! into `<out>/<moment>/<form>.json`.

use std::io::Write;

use moment::error::{Error, Outcome};
use moment::fhir::export::{self, Meta};
use moment::schema::Schemas;
use moment::{load, report, validate};

use crate::cli::{ExportArgs, ExportTarget};
use crate::cmd::import::render;

/// Runs `moment export`.
pub fn execute(args: &ExportArgs) -> Result<Outcome, Error> {
    let ExportTarget::Fhir { path, out, format } = &args.target;
    let target = load::find_target(path).ok_or_else(|| {
        Error::Usage(format!(
            "{} is neither a moments repository (with moments/ or units.yaml) nor a moment's folder",
            path.display()
        ))
    })?;
    let repo = load::load(&target, &Schemas::compile());
    let mut diags = validate::repository(&repo, &validate::Options::default());
    let (errors, _) = report::counts(&diags);
    if errors == 0 {
        diags.clear();
    }
    let mut files = Vec::new();
    if errors == 0 {
        for m in &repo.moments {
            let Some(meta) = &m.meta else { continue };
            let publisher = m.unit_name.clone().unwrap_or_else(|| meta.unit.clone());
            let info = Meta {
                language: &meta.language,
                version: &meta.version,
                publisher: &publisher,
            };
            for f in &m.forms {
                let Some(form) = &f.form else { continue };
                let e = export::export(form, &info, &f.rel);
                diags.extend(e.warnings);
                files.push((
                    out.join(&m.folder).join(format!("{}.json", form.id)),
                    e.json,
                ));
            }
        }
    }
    moment::diagnostic::sort(&mut diags);
    let mut stdout = std::io::stdout().lock();
    let text = render(*format, &diags, &repo.sources);
    stdout
        .write_all(text.as_bytes())
        .map_err(|e| Error::io("<stdout>", e))?;
    if errors > 0 {
        return Ok(Outcome::Failure);
    }
    for (file, json) in &files {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(file, json).map_err(|e| Error::io(file, e))?;
        eprintln!("wrote {}", file.display());
    }
    Ok(Outcome::Success)
}
