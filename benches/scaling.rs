//! `cargo bench --bench scaling`: how the time of `check` and `build` grows with the
//! size of hostile inputs, at three sizes per shape, so the growth rate is visible
//! (a ratio near 2 per doubling is linear; near 4 is quadratic).
//!
//! Shapes: a form with a mapping of N keys; a moment of N one-line modules (built);
//! a module of N `**bold**` pairs; a table of N columns; N-deep `>` nesting; a form
//! of N items. Each input is generated into a temporary folder and timed in process
//! (load, check and, for modules, render and bundle), best of `MOMENT_BENCH_ITERS`
//! (3) runs. `MOMENT_BENCH_KEEP=<dir>` writes the inputs there instead, to time the
//! binary on them (`time moment check <dir>/<shape>-<n>`).
//!
//! Under `cargo test --benches` (no `--bench` argument) only the smallest size of
//! each shape runs, once.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use moment::build::{self, BuildOptions};
use moment::load::{self, Target};
use moment::schema::Schemas;
use moment::validate;

/// One shape of input: a name, three sizes, and a generator.
struct Shape {
    name: &'static str,
    sizes: [usize; 3],
    /// Whether the time is of a build (otherwise of a check).
    build: bool,
    generate: fn(&Path, usize),
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "mapping-keys",
        sizes: [25_000, 50_000, 100_000],
        build: false,
        generate: mapping_keys,
    },
    Shape {
        name: "modules-built",
        sizes: [1_000, 2_000, 4_000],
        build: true,
        generate: many_modules,
    },
    Shape {
        name: "bold-pairs",
        sizes: [7_500, 15_000, 30_000],
        build: true,
        generate: bold_pairs,
    },
    Shape {
        name: "table-columns",
        sizes: [1_250, 2_500, 5_000],
        build: true,
        generate: table_columns,
    },
    Shape {
        name: "quote-depth",
        sizes: [5_000, 10_000, 20_000],
        build: true,
        generate: quote_depth,
    },
    Shape {
        name: "form-items",
        sizes: [2_500, 5_000, 10_000],
        build: false,
        generate: form_items,
    },
];

const UNITS: &str = "units:\n  - id: region-test\n    name: Region Test\n    kind: training\n";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
    std::fs::write(path, text).expect("write a file");
}

/// A repository with one moment `m` whose modules have the given bodies.
fn moment_with(root: &Path, bodies: &[String]) {
    write(&root.join("units.yaml"), UNITS);
    let dir = root.join("moments/m");
    let mut meta = String::from(
        "id: m\nversion: \"1.0.0\"\ntitle: Test\nunit: region-test\nkind: education\nlanguage: sv\nowners: [a@example.se, b@example.se]\nmodules:\n",
    );
    for (i, body) in bodies.iter().enumerate() {
        let _ = writeln!(meta, "  - modules/{i:05}.md");
        write(
            &dir.join(format!("modules/{i:05}.md")),
            &format!("---\ntitle: Del {i}\n---\n{body}\n"),
        );
    }
    write(&dir.join("moment.yaml"), &meta);
    write(&dir.join("welcome.md"), "Välkommen. Här börjar det.\n");
}

fn mapping_keys(root: &Path, n: usize) {
    moment_with(root, &["Text.".to_owned()]);
    let mut form = String::from(
        "id: stor\ntitle: Stor\nkind: questionnaire\nitems:\n  - id: q\n    type: text\n    text: Hur mår du?\n",
    );
    // Four base-36 digits keep 100,000 keys under the 1 MiB limit of a file.
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    for i in 0..n {
        let key: String = [46_656, 1_296, 36, 1]
            .iter()
            .map(|d| char::from(DIGITS[i / d % 36]))
            .collect();
        let _ = writeln!(form, "k{key}: 1");
    }
    write(&root.join("moments/m/forms/stor.yaml"), &form);
}

fn many_modules(root: &Path, n: usize) {
    let bodies: Vec<String> = (0..n)
        .map(|i| format!("Del {i}. Läs [nästa](#) del."))
        .collect();
    moment_with(root, &bodies);
}

fn bold_pairs(root: &Path, n: usize) {
    moment_with(root, &["**a** ".repeat(n)]);
}

fn table_columns(root: &Path, n: usize) {
    let head = format!("|{}\n", " a |".repeat(n));
    let rule = format!("|{}\n", "---|".repeat(n));
    let row = format!("|{}\n", " 1 |".repeat(n));
    moment_with(root, &[format!("{head}{rule}{row}")]);
}

fn quote_depth(root: &Path, n: usize) {
    moment_with(root, &[format!("{} text\n", ">".repeat(n))]);
}

fn form_items(root: &Path, n: usize) {
    moment_with(root, &["```form\nref: stor\n```".to_owned()]);
    let mut form = String::from("id: stor\ntitle: Stor\nkind: questionnaire\nitems:\n");
    for i in 0..n {
        let _ = write!(form, "  - id: q{i}\n    type: text\n    text: Fråga {i}\n");
    }
    write(&root.join("moments/m/forms/stor.yaml"), &form);
}

/// Checks (and, for a build shape, builds) the repository once; returns the time.
fn run_once(root: &Path, shape: &Shape, schemas: &Schemas, out: &Path) -> Duration {
    let target = Target {
        root: root.to_path_buf(),
        only: Vec::new(),
    };
    let start = Instant::now();
    if shape.build {
        let _ = std::fs::remove_dir_all(out);
        let options = BuildOptions {
            target,
            out: out.to_path_buf(),
            check: validate::Options::default(),
            tool_version: "bench".to_owned(),
            provenance: None,
        };
        let report = build::run(&options, &|| {}).expect("the build runs");
        std::hint::black_box(report.failed());
    } else {
        let repo = load::load(&target, schemas);
        std::hint::black_box(validate::repository(&repo, &validate::Options::default()));
    }
    start.elapsed()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let smoke = !args.iter().any(|a| a == "--bench");
    let iters: usize = std::env::var("MOMENT_BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 1 } else { 3 })
        .max(1);
    let keep = std::env::var_os("MOMENT_BENCH_KEEP").map(PathBuf::from);
    let schemas = Schemas::compile();
    println!("{:<14} {:>8} {:>10} {:>7}", "shape", "size", "ms", "ratio");
    for shape in SHAPES {
        let mut previous: Option<f64> = None;
        let sizes = if smoke {
            &shape.sizes[..1]
        } else {
            &shape.sizes[..]
        };
        for &n in sizes {
            let temp = tempfile::tempdir().expect("temporary folder");
            let root = match &keep {
                Some(dir) => dir.join(format!("{}-{n}", shape.name)),
                None => temp.path().join("repo"),
            };
            let _ = std::fs::remove_dir_all(&root);
            (shape.generate)(&root, n);
            if keep.is_some() {
                // Only the inputs are wanted.
                println!("{:<14} {n:>8} written to {}", shape.name, root.display());
                continue;
            }
            let out = temp.path().join("dist");
            let best = (0..iters)
                .map(|_| run_once(&root, shape, &schemas, &out))
                .min()
                .expect("one run");
            let ms = best.as_secs_f64() * 1000.0;
            let ratio = previous.map_or(String::from("-"), |p| format!("{:.2}", ms / p));
            println!("{:<14} {n:>8} {ms:>10.1} {ratio:>7}", shape.name);
            previous = Some(ms);
        }
    }
}
