//! `moment diff`: compare two versions of the moments: git revisions or the working
//! tree of a repository, two bundles, or two versions in a catalog.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use moment::diff::{self, MomentSnapshot, bundle, locate, output, source};
use moment::error::{Error, Outcome};
use moment::load;
use moment::load::schema::Schemas;

use crate::cli::{DiffArgs, DiffFormat};

/// The two sides, read.
struct Sides {
    old: Vec<MomentSnapshot>,
    new: Vec<MomentSnapshot>,
    from: String,
    to: String,
    /// Where the files of the new side are, and the repository prefix, for locating
    /// annotations (a repository only).
    files: Option<(PathBuf, String)>,
    /// Keeps an unpacked revision alive.
    _kept: Vec<source::Loaded>,
}

/// Refuses two bundles of different moments.
fn same_moment(
    old: &MomentSnapshot,
    new: &MomentSnapshot,
    from: &str,
    to: &str,
) -> Result<(), Error> {
    if old.id == new.id {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{from} is a bundle of `{}` but {to} is a bundle of `{}`: a bundle diff compares two versions of one moment",
        old.id, new.id
    )))
}

fn read(args: &DiffArgs) -> Result<Sides, Error> {
    if let Some(url) = &args.catalog {
        let to = args.version.as_deref().ok_or_else(|| {
            Error::Usage("with --catalog give the moment's id and two versions: `moment diff --catalog URL ID FROM TO`".to_owned())
        })?;
        let (id, from) = (args.from.as_str(), args.to.as_str());
        let old = bundle::read_catalog(url, id, from)?;
        let new = bundle::read_catalog(url, id, to)?;
        return Ok(Sides {
            old: vec![old],
            new: vec![new],
            from: format!("{id} {from}"),
            to: format!("{id} {to}"),
            files: None,
            _kept: Vec::new(),
        });
    }
    // Without --catalog the third positional is the PATH.
    if args.version.is_some() && args.path.is_some() {
        return Err(Error::Usage(
            "the repository is given twice (as PATH and as --path): give it once".to_owned(),
        ));
    }
    // `moment diff main moments/somn`: a TO that is a repository or a moment's folder
    // (and no bundle) is the PATH, compared with the working tree, as in check and build.
    let to_is_path = args.version.is_none()
        && args.path.is_none()
        && args.to != "."
        && !bundle::is_bundle(&args.to)
        && load::find_target(Path::new(&args.to)).is_some();
    let path = args
        .version
        .as_deref()
        .or(to_is_path.then_some(args.to.as_str()))
        .map(PathBuf::from)
        .or_else(|| args.path.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    let (from_bundle, to_bundle) = (bundle::is_bundle(&args.from), bundle::is_bundle(&args.to));
    if from_bundle || to_bundle {
        if !(from_bundle && to_bundle) {
            let other = if from_bundle { &args.to } else { &args.from };
            return Err(Error::Usage(format!(
                "{other} is not a bundle: compare a bundle (.tar.gz or unpacked folder with moment.json) with another bundle"
            )));
        }
        let old = bundle::read_path(Path::new(&args.from))?;
        let new = bundle::read_path(Path::new(&args.to))?;
        same_moment(&old, &new, &args.from, &args.to)?;
        return Ok(Sides {
            old: vec![old],
            new: vec![new],
            from: args.from.clone(),
            to: args.to.clone(),
            files: None,
            _kept: Vec::new(),
        });
    }
    let target = super::target::find(&path)?;
    let from = source::Side::parse(&args.from);
    let to = if args.worktree || to_is_path {
        source::Side::Worktree
    } else {
        source::Side::parse(&args.to)
    };
    if let Some(rev) = [&from, &to].into_iter().find_map(|side| match side {
        source::Side::Revision(rev) => Some(rev),
        source::Side::Worktree => None,
    }) && !moment::init::in_git_repository(&target.root)
    {
        return Err(Error::Usage(format!(
            "{} is not in a git repository, so there is no revision `{rev}` to compare with: run `git init` and commit there, or compare two bundles",
            target.root.display()
        )));
    }
    let schemas = Schemas::compile();
    let old = source::load_side(&target.root, &from, &schemas)?;
    let new = source::load_side(&target.root, &to, &schemas)?;
    let prefix = moment::git::prefix(&target.root).unwrap_or_default();
    // A moment's folder as PATH compares that moment only.
    let narrow = |moments: &[MomentSnapshot]| -> Vec<MomentSnapshot> {
        moments
            .iter()
            .filter(|m| target.only.is_empty() || target.only.contains(&m.id))
            .cloned()
            .collect()
    };
    Ok(Sides {
        old: narrow(&old.moments),
        new: narrow(&new.moments),
        from: from.label(),
        to: to.label(),
        files: Some((new.root.clone(), prefix)),
        _kept: vec![old, new],
    })
}

/// Runs `moment diff`. Exits 0 whatever the differences, except that release notes
/// exit 1 when the version policy fails (the notes then start with a warning).
pub fn execute(args: &DiffArgs) -> Result<Outcome, Error> {
    let sides = read(args)?;
    let result = diff::diff(&sides.old, &sides.new);
    let mut outcome = Outcome::Success;
    let text = match args.format {
        DiffFormat::Json => output::json(&result),
        DiffFormat::Markdown => output::markdown(&result, &sides.from, &sides.to),
        DiffFormat::ReleaseNotes => {
            if output::policy_failed(&result) {
                outcome = Outcome::Failure;
            }
            output::release_notes(&result)
        }
        DiffFormat::Github => {
            let dir_of = |id: &str| {
                sides
                    .new
                    .iter()
                    .chain(&sides.old)
                    .find(|m| m.id == id)
                    .map_or_else(|| format!("moments/{id}"), |m| m.rel_dir.clone())
            };
            let prefix = sides.files.as_ref().map_or("", |f| f.1.as_str());
            let file_of = |id: &str, rel: &str| format!("{prefix}{}/{rel}", dir_of(id));
            let line_of = |id: &str, locator: &str| {
                let (root, _) = sides.files.as_ref()?;
                let (rel, inner) = locator.split_once('#').unwrap_or((locator, ""));
                let text = std::fs::read_to_string(root.join(dir_of(id)).join(rel)).ok()?;
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
