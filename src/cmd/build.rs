//! `moment build`: check, then write bundles; report to stderr, list bundles on stdout.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use moment::build::{self, BuildOptions};
use moment::error::{Error, Outcome};
use moment::{load, report, validate};

use crate::cli::BuildArgs;

/// Runs `moment build`.
pub fn execute(args: &BuildArgs) -> Result<Outcome, Error> {
    let mut target = load::find_target(&args.path).ok_or_else(|| {
        Error::Usage(format!(
            "{} is not a moments repository (with moments/ or units.yaml)",
            args.path.display()
        ))
    })?;
    for id in &args.ids {
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
    }
    if !args.ids.is_empty() {
        target.only = args.ids.clone();
    }
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
    if !built.diagnostics.is_empty() {
        let color = interactive && std::env::var_os("NO_COLOR").is_none();
        let text = if args.verbose {
            report::human(&built.diagnostics, &built.sources, color)
        } else {
            report::human_grouped(&built.diagnostics, &built.sources, color)
        };
        eprint!("{text}");
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
