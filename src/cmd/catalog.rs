//! `moment catalog list|show|verify|yank`.

use std::path::Path;

use moment::error::{Error, Outcome};
use moment::publish::catalog::{Catalog, Index, IndexEntry};
use moment::publish::{self, rebuild, verify};

use crate::cli::{CatalogAction, CatalogArgs, TableFormat};

/// Runs a `moment catalog` subcommand.
pub fn execute(args: &CatalogArgs) -> Result<Outcome, Error> {
    match &args.action {
        CatalogAction::List { catalog, format } => list(catalog, *format),
        CatalogAction::Show {
            id,
            version,
            catalog,
            format,
        } => show(catalog, id, version.as_deref(), *format),
        CatalogAction::Verify {
            catalog,
            format,
            signatures,
            units,
            rebuild,
            only,
        } => {
            let options = verify::VerifyOptions {
                signatures: *signatures,
                units: units.as_deref().map(read_units).transpose()?,
            };
            let rebuild = rebuild.as_deref().map(|repo| (repo, only.as_deref()));
            verify_catalog(catalog, *format, &options, rebuild)
        }
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
            let root = path.get();
            if !moment::init::in_git_repository(&root) {
                return Err(Error::Refused(format!(
                    "{} is not in a git repository: a yank needs a signed yank tag, so run it in a clone of the moments repository",
                    root.display()
                )));
            }
            match publish::yank(&root, &tag, catalog, trust.as_deref())? {
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

/// Reads a units.yaml given with `--units`, validated against its schema.
fn read_units(path: &Path) -> Result<moment::model::UnitsFile, Error> {
    moment::load::units::read(
        path,
        &path.display().to_string(),
        &moment::load::schema::Schemas::compile(),
    )
}

fn indexes(catalog: &Catalog) -> Result<Vec<Index>, Error> {
    let mut out = Vec::new();
    for id in catalog.ids()? {
        if let Some(index) = catalog.index(&id)? {
            out.push(index);
        }
    }
    Ok(out)
}

fn signers(v: &IndexEntry) -> String {
    std::iter::once(v.signer.name.as_str())
        .chain(v.approvals.iter().map(|a| a.signer.name.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn status(v: &IndexEntry) -> String {
    match (&v.yanked, &v.yanked_by) {
        (false, _) => "active".to_owned(),
        (true, Some(y)) if !y.reason.is_empty() => {
            format!("yanked: {}", y.reason.lines().next().unwrap_or_default())
        }
        (true, _) => "yanked".to_owned(),
    }
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

fn list(url: &str, format: TableFormat) -> Result<Outcome, Error> {
    let catalog = Catalog::open(url)?;
    let indexes = indexes(&catalog)?;
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
                "{:<16} {:<24} {:<10} {:<20} {:<28} {:<32} message",
                "moment", "title", "version", "published", "signed by", "status"
            );
            for index in &indexes {
                for v in &index.versions {
                    println!(
                        "{:<16} {:<24} {:<10} {:<20} {:<28} {:<32} {}",
                        index.id,
                        cut(&v.title, 24),
                        v.version,
                        v.published_at,
                        cut(&signers(v), 28),
                        cut(&status(v), 32),
                        v.message.lines().next().unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(Outcome::Success)
}

/// Labels of `catalog show`, in Swedish for a Swedish moment.
struct Labels {
    title: &'static str,
    version: &'static str,
    published: &'static str,
    signed: &'static str,
    approved: &'static str,
    unit: &'static str,
    commit: &'static str,
    tree: &'static str,
    tag: &'static str,
    sha256: &'static str,
    status: &'static str,
    active: &'static str,
    yanked: &'static str,
    reason: &'static str,
    message: &'static str,
}

const SV: Labels = Labels {
    title: "Titel",
    version: "Version",
    published: "Publicerad",
    signed: "Signerad av",
    approved: "Godkänd av",
    unit: "Utgivarenhet",
    commit: "Commit",
    tree: "Träd",
    tag: "Tagg",
    sha256: "SHA-256",
    status: "Status",
    active: "aktiv",
    yanked: "indragen",
    reason: "Skäl",
    message: "Releasemeddelande",
};

const EN: Labels = Labels {
    title: "Title",
    version: "Version",
    published: "Published",
    signed: "Signed by",
    approved: "Approved by",
    unit: "Unit",
    commit: "Commit",
    tree: "Tree",
    tag: "Tag",
    sha256: "SHA-256",
    status: "Status",
    active: "active",
    yanked: "yanked",
    reason: "Reason",
    message: "Release message",
};

fn show(url: &str, id: &str, version: Option<&str>, format: TableFormat) -> Result<Outcome, Error> {
    let catalog = Catalog::open(url)?;
    let Some(index) = catalog.index(id)? else {
        eprintln!("`{id}` is not in the catalog");
        return Ok(Outcome::Failure);
    };
    let entries: Vec<&IndexEntry> = index
        .versions
        .iter()
        .filter(|v| version.is_none_or(|want| v.version == want))
        .collect();
    if entries.is_empty() {
        eprintln!("{id} {} is not in the catalog", version.unwrap_or_default());
        return Ok(Outcome::Failure);
    }
    if format == TableFormat::Json {
        let value = serde_json::json!({ "id": id, "versions": entries });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).expect("an entry serialises")
        );
        return Ok(Outcome::Success);
    }
    for (i, v) in entries.iter().enumerate() {
        let l = if v.language == "sv" { &SV } else { &EN };
        if i > 0 {
            println!();
        }
        println!("{id} {}", v.version);
        let row = |label: &str, value: &str| println!("  {:<18} {value}", format!("{label}:"));
        row(l.title, &v.title);
        row(l.version, &v.version);
        row(l.published, &v.published_at);
        row(l.unit, &v.unit);
        row(
            l.signed,
            &format!("{} ({})", v.signer.name, v.signer.fingerprint),
        );
        for a in &v.approvals {
            row(
                l.approved,
                &format!("{} ({}, {})", a.signer.name, a.signer.fingerprint, a.tag),
            );
        }
        row(l.tag, &v.tag);
        row(l.commit, &v.commit);
        row(l.tree, &v.tree);
        row(l.sha256, &v.sha256);
        match &v.yanked_by {
            Some(y) if v.yanked => {
                row(
                    l.status,
                    &format!("{} ({}, {})", l.yanked, y.signer.name, y.at),
                );
                row(l.reason, &y.reason);
            }
            _ if v.yanked => row(l.status, l.yanked),
            _ => row(l.status, l.active),
        }
        println!("  {}:", l.message);
        for line in v.message.lines() {
            println!("    {line}");
        }
    }
    Ok(Outcome::Success)
}

fn verify_catalog(
    url: &str,
    format: TableFormat,
    options: &verify::VerifyOptions,
    rebuild_from: Option<(&Path, Option<&str>)>,
) -> Result<Outcome, Error> {
    let catalog = Catalog::open(url)?;
    let (mut findings, checked) = verify::verify(&catalog, options)?;
    let rebuilt = match rebuild_from {
        Some((repo, only)) => {
            let (more, n) = rebuild::rebuild(&catalog, repo, only)?;
            findings.extend(more);
            Some(n)
        }
        None => None,
    };
    let errors = findings
        .iter()
        .filter(|f| f.severity == verify::Severity::Error)
        .count();
    match format {
        TableFormat::Json => {
            let value = serde_json::json!({
                "checked": checked,
                "rebuilt": rebuilt,
                "errors": errors,
                "findings": findings,
            });
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
            let extra = rebuilt.map_or(String::new(), |n| format!(", rebuilt {n}"));
            println!("checked {checked} bundle(s){extra}: {errors} tampered or missing");
        }
    }
    Ok(if errors > 0 {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}
