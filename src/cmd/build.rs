//! `moment build`: check, then write bundles; report to stderr, list bundles on stdout.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};

use moment::build::{self, BuildOptions};
use moment::diagnostic::Lang;
use moment::error::{Error, Outcome};
use moment::load::{self, Target};
use moment::{report, validate};

use crate::cli::BuildArgs;

/// Whether a positional argument of `moment build` names a folder rather than an id:
/// it has a path separator, is `.` or `..`, or is a repository or a moment's folder.
fn is_path(arg: &str) -> bool {
    arg.contains('/')
        || arg.contains(std::path::MAIN_SEPARATOR)
        || arg == "."
        || arg == ".."
        || load::find_target(Path::new(arg)).is_some()
}

/// The repository and moments to build, from the positional `PATH|ID` arguments and
/// the hidden `--path`: one repository; moment folders and ids narrow it.
fn target(args: &BuildArgs) -> Result<Target, Error> {
    let (paths, ids): (Vec<&String>, Vec<&String>) = args.ids.iter().partition(|a| is_path(a));
    let mut given: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    given.extend(args.path.clone());
    if given.is_empty() {
        given.push(PathBuf::from("."));
    }
    let mut found: Option<Target> = None;
    let mut only: Vec<String> = Vec::new();
    for path in &given {
        let t = super::target::find(path)?;
        if let Some(first) = &found {
            let same = match (first.root.canonicalize(), t.root.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => first.root == t.root,
            };
            if !same {
                return Err(Error::Usage(format!(
                    "{} and {} are in different repositories: build one repository at a time",
                    first.root.display(),
                    t.root.display()
                )));
            }
        }
        only.extend(t.only.iter().cloned());
        found.get_or_insert(t);
    }
    let mut target = found.expect("at least one path");
    for id in &ids {
        if !target
            .root
            .join("moments")
            .join(id)
            .join("moment.yaml")
            .is_file()
        {
            return Err(Error::Usage(format!(
                "no moment `{id}` in {}",
                target.root.join("moments").display()
            )));
        }
        only.push((*id).clone());
    }
    // Nothing narrowing the repository (only.is_empty()) builds every moment.
    only.sort();
    only.dedup();
    target.only = only;
    Ok(target)
}

/// Runs `moment build`.
pub fn execute(args: &BuildArgs, lang: Option<Lang>) -> Result<Outcome, Error> {
    let target = target(args)?;
    let target_root = target.root.clone();
    let count = if target.only.is_empty() {
        std::fs::read_dir(target.root.join("moments")).map_or(0, |d| d.count())
    } else {
        target.only.len()
    };
    let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let bar = if interactive && count > 20 {
        let bar = ProgressBar::with_draw_target(Some(count as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} building {pos}/{len} moments {wide_bar} {elapsed}",
            )
            .expect("a valid progress template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let only = target.only.clone();
    let options = BuildOptions {
        target,
        out: args.out.clone(),
        check: validate::Options {
            max_lix: args.max_lix,
            strict: args.strict,
        },
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        provenance: None,
    };
    let out = args.out.display().to_string();
    let waiting = |pid: Option<u32>| {
        let who = pid.map_or_else(
            || "another build".to_owned(),
            |p| format!("another build (process {p})"),
        );
        bar.suspend(|| eprintln!("waiting for {who}, which is writing {out}, to finish"));
    };
    let result = build::run_with(
        &options,
        &build::Hooks {
            progress: &|| bar.inc(1),
            waiting: &waiting,
        },
    );
    bar.finish_and_clear();
    let built = result?;
    let (shown, left_out) = validate::scope::narrow(built.diagnostics.clone(), &only);
    if !shown.is_empty() {
        let color = interactive && std::env::var_os("NO_COLOR").is_none();
        let lang = Lang::choose(lang, load::units::language(&target_root));
        let text = if args.verbose {
            report::human_in(&shown, &built.sources, color, lang)
        } else {
            report::human_grouped_in(&shown, &built.sources, color, lang)
        };
        eprint!("{text}");
    }
    if let Some(note) = validate::scope::note(left_out) {
        eprintln!("{note}");
    }
    if built.failed() {
        eprintln!("nothing was written to {}", args.out.display());
        return Ok(Outcome::Failure);
    }
    for w in &built.written {
        println!(
            "built {} {} → {} and {}",
            w.id,
            w.version,
            w.dir.display(),
            w.archive.display()
        );
    }
    Ok(Outcome::Success)
}
