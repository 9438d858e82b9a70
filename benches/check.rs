//! `cargo bench --bench check`: how long `moment check` takes in process on a large
//! synthetic repository, without process start-up and report printing.
//!
//! Generates 50 moments × 10 modules (500 modules) with `scripts/gen-synthetic.py` into
//! a temporary folder, compiles the schemas once (as the binary does), then times
//! `load::load` + `validate::repository` over a warm-up and 10 measured iterations.
//!
//! Settings, all optional: `MOMENT_BENCH_MOMENTS` (50), `MOMENT_BENCH_MODULES` (10),
//! `MOMENT_BENCH_ITERS` (10), `MOMENT_BENCH_WARMUP` (3), `MOMENT_BENCH_REPO` (an
//! existing repository to time instead of generating one). `RAYON_NUM_THREADS=1` times
//! one thread.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use moment::load::{self, Target};
use moment::schema::Schemas;
use moment::validate;

fn setting(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a whole number")),
        Err(_) => default,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn generate(dir: &Path, moments: usize, modules: usize) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen-synthetic.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(dir)
        .args([
            "--moments",
            &moments.to_string(),
            "--modules",
            &modules.to_string(),
        ])
        .status()
        .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", script.display()));
    assert!(status.success(), "{} failed: {status}", script.display());
}

/// min, median and max of `times`.
fn stats(times: &mut [Duration]) -> (Duration, Duration, Duration) {
    times.sort();
    let n = times.len();
    let median = if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2
    };
    (times[0], median, times[n - 1])
}

fn main() {
    // `cargo test --benches` runs bench targets with `--test`-less arguments too; a
    // quick smoke run is enough there.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let smoke = !args.iter().any(|a| a == "--bench");
    let moments = setting("MOMENT_BENCH_MOMENTS", if smoke { 2 } else { 50 });
    let modules = setting("MOMENT_BENCH_MODULES", if smoke { 2 } else { 10 });
    let iters = setting("MOMENT_BENCH_ITERS", if smoke { 1 } else { 10 }).max(1);
    let warmup = setting("MOMENT_BENCH_WARMUP", if smoke { 0 } else { 3 });

    let temp;
    let root: PathBuf = match std::env::var_os("MOMENT_BENCH_REPO") {
        Some(repo) => PathBuf::from(repo),
        None => {
            temp = tempfile::tempdir().expect("temporary folder");
            let root = temp.path().join("repo");
            let started = Instant::now();
            generate(&root, moments, modules);
            eprintln!(
                "generated {moments} × {modules} modules in {:.0} ms",
                ms(started.elapsed())
            );
            root
        }
    };

    let started = Instant::now();
    let schemas = Schemas::compile();
    let compile = started.elapsed();

    let target = Target {
        root: root.clone(),
        only: Vec::new(),
    };
    let options = validate::Options::default();
    let mut total = Vec::with_capacity(iters);
    let mut loading = Vec::with_capacity(iters);
    let mut validating = Vec::with_capacity(iters);
    let mut found_modules = 0;
    for i in 0..warmup + iters {
        let t0 = Instant::now();
        let repo = load::load(&target, &schemas);
        let t1 = Instant::now();
        let diags = validate::repository(&repo, &options);
        let t2 = Instant::now();
        if !diags.is_empty() {
            for d in diags.iter().take(20) {
                eprintln!(
                    "{}:{}:{}: {} {}",
                    d.file, d.line, d.column, d.code, d.message
                );
            }
            panic!(
                "the benchmark repository is not clean: {} diagnostics (see above) in {}",
                diags.len(),
                root.display()
            );
        }
        found_modules = repo.moments.iter().map(|m| m.modules.len()).sum::<usize>();
        if i >= warmup {
            total.push(t2 - t0);
            loading.push(t1 - t0);
            validating.push(t2 - t1);
        }
    }

    let (min, median, max) = stats(&mut total);
    let (_, load_median, _) = stats(&mut loading);
    let (_, validate_median, _) = stats(&mut validating);
    let threads = rayon::current_num_threads();
    println!(
        "check (in process): {found_modules} modules, {iters} iterations after {warmup} warm-up, {threads} threads"
    );
    println!("  schemas compiled once: {:.2} ms", ms(compile));
    println!(
        "  load + validate: min {:.2} ms, median {:.2} ms, max {:.2} ms",
        ms(min),
        ms(median),
        ms(max)
    );
    println!(
        "  median split: load {:.2} ms, validate {:.2} ms",
        ms(load_median),
        ms(validate_median)
    );
    println!(
        "  throughput: {:.0} modules/second (median)",
        found_modules as f64 / median.as_secs_f64()
    );
}
