//! `moment catalog list|verify|yank`.

use moment::error::{Error, Outcome};
use moment::publish::{self, catalog::Catalog, verify};

use crate::cli::{CatalogAction, CatalogArgs, TableFormat};

/// Runs a `moment catalog` subcommand.
pub fn execute(args: &CatalogArgs) -> Result<Outcome, Error> {
    match &args.action {
        CatalogAction::List { catalog, format } => list(catalog, *format),
        CatalogAction::Verify { catalog, format } => verify_catalog(catalog, *format),
        CatalogAction::Yank {
            id,
            version,
            catalog,
            tag,
            trust,
            path,
        } => {
            let tag = tag
                .clone()
                .unwrap_or_else(|| format!("yank/{id}/v{version}"));
            match publish::yank(path, &tag, catalog, trust.as_deref())? {
                Ok(entry) => {
                    let by = entry
                        .yanked_by
                        .as_ref()
                        .map_or(String::new(), |y| format!(" by {}", y.signer.name));
                    println!(
                        "yanked {id} {version}{by}: hidden from new activations, its bytes stay in the catalog"
                    );
                    Ok(Outcome::Success)
                }
                Err(refusal) => {
                    eprintln!("refused: {refusal}");
                    Ok(Outcome::Failure)
                }
            }
        }
    }
}

fn list(url: &str, format: TableFormat) -> Result<Outcome, Error> {
    let catalog = Catalog::open(url)?;
    let mut indexes = Vec::new();
    for id in catalog.ids()? {
        if let Some(index) = catalog.index(&id)? {
            indexes.push(index);
        }
    }
    match format {
        TableFormat::Json => {
            let value = serde_json::json!({ "moments": indexes });
            println!(
                "{}",
                serde_json::to_string_pretty(&value).expect("an index serialises")
            );
        }
        TableFormat::Human => {
            if indexes.is_empty() {
                println!("the catalog is empty");
                return Ok(Outcome::Success);
            }
            println!(
                "{:<20} {:<10} {:<21} {:<24} {:<8} sha256",
                "moment", "version", "published", "signed by", "status"
            );
            for index in &indexes {
                for v in &index.versions {
                    println!(
                        "{:<20} {:<10} {:<21} {:<24} {:<8} {}",
                        index.id,
                        v.version,
                        v.published_at,
                        v.signer.name,
                        if v.yanked { "yanked" } else { "active" },
                        &v.sha256[..16.min(v.sha256.len())]
                    );
                }
            }
        }
    }
    Ok(Outcome::Success)
}

fn verify_catalog(url: &str, format: TableFormat) -> Result<Outcome, Error> {
    let catalog = Catalog::open(url)?;
    let (findings, checked) = verify::verify(&catalog)?;
    let errors = findings
        .iter()
        .filter(|f| f.severity == verify::Severity::Error)
        .count();
    match format {
        TableFormat::Json => {
            let value =
                serde_json::json!({ "checked": checked, "errors": errors, "findings": findings });
            println!(
                "{}",
                serde_json::to_string_pretty(&value).expect("findings serialise")
            );
        }
        TableFormat::Human => {
            for f in &findings {
                let level = match f.severity {
                    verify::Severity::Error => "error",
                    verify::Severity::Warning => "warning",
                };
                println!(
                    "{level}: {}{}: {}",
                    f.id,
                    f.version
                        .as_deref()
                        .map_or(String::new(), |v| format!(" {v}")),
                    f.message
                );
            }
            println!("checked {checked} bundle(s): {errors} tampered or missing");
        }
    }
    Ok(if errors > 0 {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}
