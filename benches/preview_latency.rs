//! Reload latency of `moment preview` (register with `harness = false`).
//!
//! Generates a moment with 100 modules in a temporary repository, starts the
//! release binary `moment preview --port 0` on it, and then, 50 times, appends a
//! unique marker line to one module file and measures the time from the write
//! until
//!
//! (a) the server-sent `reload` event naming the moment arrives, and
//! (b) the module's page as served contains the marker.
//!
//! Prints the median, 95th percentile, minimum and maximum of both in ms. The goal
//! (DESIGN.md, Preview): median under 100 ms, debounce included.
//!
//! Uses only the standard library, so that it also builds without Cargo:
//! `rustc --edition 2024 -O benches/preview_latency.rs` (see
//! `scripts/bench-preview.sh`). The binary under test is `$MOMENT_BIN`, else the
//! one Cargo built for this bench, else `target/release/moment`.
//!
//! Options: `--runs N` (default 50), `--modules N` (default 100), `--strict`
//! (exit 1 when the median of (a) or (b) misses the goal), `--repo DIR --moment ID`
//! (measure an existing repository instead, such as one written by
//! `scripts/gen-synthetic.py`, editing the modules of moment ID). Cargo's own
//! `--bench` argument is ignored.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The goal for the median, in ms.
const GOAL_MS: f64 = 100.0;
/// Longest wait for one reload before the run is declared failed.
const LIMIT: Duration = Duration::from_secs(10);

struct Options {
    runs: usize,
    modules: usize,
    strict: bool,
    repo: Option<PathBuf>,
    moment: String,
}

fn options() -> Options {
    let mut options = Options {
        runs: 50,
        modules: 100,
        strict: false,
        repo: None,
        moment: "bench".to_owned(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => options.runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(50),
            "--modules" => {
                options.modules = args.next().and_then(|v| v.parse().ok()).unwrap_or(100);
            }
            "--strict" => options.strict = true,
            "--repo" => options.repo = args.next().map(PathBuf::from),
            "--moment" => options.moment = args.next().unwrap_or(options.moment),
            _ => {} // `--bench` from `cargo bench`, filters
        }
    }
    options.runs = options.runs.max(1);
    options.modules = options.modules.max(1);
    options
}

/// The `moment` binary to measure.
fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("MOMENT_BIN") {
        return PathBuf::from(path);
    }
    if let Some(path) = option_env!("CARGO_BIN_EXE_moment") {
        return PathBuf::from(path);
    }
    PathBuf::from("target/release/moment")
}

/// A temporary folder, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "moment-preview-latency-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process killed on drop.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create a folder");
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// File name (without `.md`) of module `n` (1-based).
fn module_name(n: usize) -> String {
    format!("{n:03}-del-{n}")
}

/// Writes a repository with one moment, `bench`, of `modules` modules.
fn generate(root: &Path, modules: usize) {
    write(
        &root.join("units.yaml"),
        "units:\n  - id: bench-enhet\n    name: Mätenhet\n    kind: training\n    publishers:\n      - {name: Anna Andersson, key: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKbQkJcTs2UM3fIxlL6HP2Tq/OVt8jvLw9EZfFTrq6UJ anna@example.se\"}\n    groups: []\n",
    );
    let dir = root.join("moments/bench");
    let mut yaml = String::from(
        "id: bench\nversion: \"1.0.0\"\ntitle: Mätning av förhandsvisningen\nunit: bench-enhet\nkind: course\nlanguage: sv\nowners: [anna@example.se, bo@example.se]\nwelcome: welcome.md\nmodules:\n",
    );
    for n in 1..=modules {
        yaml.push_str(&format!("  - modules/{}.md\n", module_name(n)));
    }
    write(&dir.join("moment.yaml"), &yaml);
    write(
        &dir.join("welcome.md"),
        "Välkommen. Här finns många delar. Läs en del i taget.\n",
    );
    for n in 1..=modules {
        let mut text =
            format!("---\ntitle: Del {n}\n---\nDet här är del {n}. Läs i lugn och ro.\n");
        for section in 1..=4 {
            text.push_str(&format!(
                "\n## Avsnitt {section}\n\nHär står lite text om del {n}. Den är kort. Orden är enkla. Du kan läsa den i dag eller i morgon.\n\n- Första punkten.\n- Andra punkten.\n- Tredje punkten.\n\n| Dag | Vad du gör |\n| --- | --- |\n| Måndag | Går en promenad |\n| Tisdag | Vilar |\n"
            ));
        }
        write(&dir.join(format!("modules/{}.md", module_name(n))), &text);
    }
}

/// One GET on a fresh connection; returns the status and the body.
fn get(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(LIMIT)).expect("set a timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_owned());
    (status, body)
}

/// Reload events with their arrival time. HTTP/1.0 so that the stream comes
/// without chunk framing. Returns once the server has answered the request.
fn events(port: u16) -> Receiver<(Instant, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET /_moment/events HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("send");
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).expect("read the event stream");
        assert!(n > 0, "the event stream closed before its headers ended");
        if line == "\r\n" || line == "\n" {
            break;
        }
    }
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut event = String::new();
        for line in reader.lines() {
            let Ok(line) = line else { break };
            if let Some(name) = line.strip_prefix("event:") {
                event = name.trim().to_owned();
            } else if let Some(data) = line.strip_prefix("data:") {
                if event == "reload" && tx.send((Instant::now(), data.trim().to_owned())).is_err() {
                    break;
                }
            } else if line.is_empty() {
                event.clear();
            }
        }
    });
    rx
}

/// The generation in a reload event's JSON data (no JSON parser: std only).
fn generation(data: &str) -> u64 {
    data.split("\"generation\":")
        .nth(1)
        .map(|r| {
            r.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

struct Stats {
    median: f64,
    p95: f64,
    min: f64,
    max: f64,
}

fn stats(samples: &[f64]) -> Stats {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    // Nearest rank.
    let rank = ((0.95 * n as f64).ceil() as usize).clamp(1, n);
    Stats {
        median,
        p95: sorted[rank - 1],
        min: sorted[0],
        max: sorted[n - 1],
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let options = options();
    let bin = binary();
    assert!(
        bin.is_file(),
        "no moment binary at {} (build it with `cargo build --release`, or set MOMENT_BIN)",
        bin.display()
    );
    let generated = TempDir::new();
    let root = match &options.repo {
        Some(repo) => repo.clone(),
        None => {
            generate(&generated.0, options.modules);
            generated.0.clone()
        }
    };
    let id = options.moment.clone();
    // Module files of the moment, by name; the page of `NN-x.md` is `NN-x.html`.
    let mut modules: Vec<String> = std::fs::read_dir(root.join(format!("moments/{id}/modules")))
        .unwrap_or_else(|e| panic!("list the modules of {id}: {e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".md").map(str::to_owned))
        .collect();
    modules.sort();
    assert!(!modules.is_empty(), "moment {id} has no modules");

    let mut child = Command::new(&bin)
        .arg("preview")
        .arg(&root)
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let server = Killed(child);
    let mut first = String::new();
    stdout.read_line(&mut first).expect("read the first line");
    thread::spawn(move || {
        // Keep draining stdout.
        let mut sink = String::new();
        while stdout.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    let port: u16 = first
        .trim_end()
        .trim_end_matches('/')
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or_else(|| panic!("no address in: {first}"));
    println!("binary: {}", bin.display());
    println!("{}", first.trim_end());
    let (status, body) = get(port, "/_moment/status");
    let clean = body
        .split("\"errors\":")
        .skip(1)
        .all(|rest| rest.starts_with('0') && !rest[1..].starts_with(|c: char| c.is_ascii_digit()));
    assert!(
        status == 200 && body.contains("\"errors\":") && clean,
        "the moments must build without errors: {body}"
    );

    let reloads = events(port);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let warmup = 3;
    let mut event_ms = Vec::new();
    let mut page_ms = Vec::new();
    let mut last_generation = 0;
    let mut extra_events = 0;
    for run in 0..warmup + options.runs {
        let name = &modules[(run * 37) % modules.len()];
        let file = root.join(format!("moments/{id}/modules/{name}.md"));
        let page = format!("/m/{id}/site/{name}.html");
        let marker = format!("Markör-{run}-{nanos}");
        // Drain anything left over (there should be nothing).
        while let Ok((_, data)) = reloads.try_recv() {
            extra_events += 1;
            last_generation = last_generation.max(generation(&data));
        }

        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .expect("open a module");
        let line = format!("\n{marker} är en ny rad.\n");
        let start = Instant::now();
        f.write_all(line.as_bytes()).expect("append the marker");
        drop(f);

        // (b) The page as served contains the marker.
        let served = loop {
            let (status, body) = get(port, &page);
            assert_eq!(status, 200, "{page} answered {status} during a rebuild");
            if body.contains(&marker) {
                break start.elapsed();
            }
            assert!(start.elapsed() < LIMIT, "{page} never showed {marker}");
            thread::sleep(Duration::from_millis(1));
        };
        // (a) The reload event (stamped on arrival by the reader thread).
        let announced = loop {
            let (at, data) = reloads
                .recv_timeout(LIMIT)
                .unwrap_or_else(|_| panic!("no reload event for run {run}"));
            let g = generation(&data);
            if g > last_generation && data.contains(&format!("\"{id}\"")) {
                last_generation = g;
                break at.duration_since(start);
            }
            extra_events += 1;
        };
        if run >= warmup {
            event_ms.push(ms(announced));
            page_ms.push(ms(served));
        }
        // Let the watcher settle so that runs do not share a debounce window.
        thread::sleep(Duration::from_millis(60));
    }
    drop(server);

    let a = stats(&event_ms);
    let b = stats(&page_ms);
    println!(
        "\n{} edits of a {}-module moment ({} warm-up edits not counted)",
        options.runs,
        modules.len(),
        warmup
    );
    println!(
        "{:<34} {:>8} {:>8} {:>8} {:>8}",
        "ms from write until", "median", "p95", "min", "max"
    );
    for (label, s) in [
        ("(a) reload event arrives", &a),
        ("(b) page serves the marker", &b),
    ] {
        println!(
            "{label:<34} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
            s.median, s.p95, s.min, s.max
        );
    }
    if extra_events > 0 {
        println!("note: {extra_events} reload events beyond one per edit");
    }
    let met = a.median < GOAL_MS && b.median < GOAL_MS;
    println!(
        "goal (median under {GOAL_MS} ms, debounce included): {}",
        if met { "met" } else { "MISSED" }
    );
    if options.strict && !met {
        std::process::exit(1);
    }
}
