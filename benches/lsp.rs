//! `cargo bench --bench lsp`: keystroke-to-diagnostics latency of `moment lsp` on a
//! 100-module moment, driving the real binary over stdio as an editor does, and its
//! memory (RSS) over 10,000 edits.
//!
//! Generates one moment of 100 modules with `scripts/gen-synthetic.py`, opens a module,
//! then types: each keystroke is an incremental `didChange` (a character added, then
//! removed), and the latency is the time until `publishDiagnostics` for that version
//! arrives. The figure to watch is the median (target: under 50 ms). Then 10,000 edits
//! are sent and the server's RSS is read from `/proc` after the first 1,000 and at the
//! end: it should stay flat.
//!
//! Settings, all optional: `MOMENT_BENCH_MODULES` (100), `MOMENT_BENCH_KEYS` (200
//! keystrokes timed), `MOMENT_BENCH_EDITS` (10,000), `MOMENT_BENCH_PAUSE_MS` (0: the
//! next keystroke is sent as soon as the diagnostics of the last one arrived).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn read_frame(out: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    out.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn send(stdin: &mut impl Write, message: &Value) {
    let body = serde_json::to_vec(message).expect("JSON");
    write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("write to moment lsp");
    stdin.write_all(&body).expect("write to moment lsp");
    stdin.flush().expect("flush");
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let modules = setting("MOMENT_BENCH_MODULES", 100);
    let keys = setting("MOMENT_BENCH_KEYS", 200);
    let edits = setting("MOMENT_BENCH_EDITS", 10_000);
    let pause = Duration::from_millis(setting("MOMENT_BENCH_PAUSE_MS", 0) as u64);

    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path().join("repo");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen-synthetic.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(&root)
        .args(["--moments", "1", "--modules", &modules.to_string()])
        .status()
        .expect("run python3 scripts/gen-synthetic.py");
    assert!(status.success(), "gen-synthetic.py failed");
    let root = root.canonicalize().expect("canonical root");
    let module_dir = root.join("moments/syn-0001/modules");
    let mut names: Vec<String> = std::fs::read_dir(&module_dir)
        .expect("modules")
        .filter_map(|e| e.ok()?.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    let rel = format!("moments/syn-0001/modules/{}", names[names.len() / 2]);
    let uri = format!("file://{}/{rel}", root.display());
    let text = std::fs::read_to_string(root.join(&rel)).expect("read the module");

    let mut child = Command::new(env!("CARGO_BIN_EXE_moment"))
        .arg("lsp")
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start moment lsp");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel::<(Instant, Value)>();
    std::thread::spawn(move || {
        let mut out = BufReader::new(stdout);
        while let Some(m) = read_frame(&mut out) {
            if tx.send((Instant::now(), m)).is_err() {
                return;
            }
        }
    });
    let wait_version = |rx: &mpsc::Receiver<(Instant, Value)>, version: i64| -> Instant {
        loop {
            let (at, m) = rx
                .recv_timeout(Duration::from_secs(120))
                .expect("diagnostics from moment lsp");
            if m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["version"].as_i64() == Some(version)
            {
                return at;
            }
        }
    };

    let started = Instant::now();
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {}}}),
    );
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}}),
    );
    wait_version(&rx, 1);
    println!(
        "lsp: {modules}-module moment, first diagnostics after open: {:.1} ms",
        ms(started.elapsed())
    );

    // A keystroke at the end of the first body line: add a letter, then remove it.
    let line = text
        .lines()
        .position(|l| !l.is_empty() && !l.starts_with("---") && !l.contains(':'))
        .unwrap_or(0);
    let column = text
        .lines()
        .nth(line)
        .map_or(0, |l| l.encode_utf16().count());
    let keystroke = |version: i64| -> Value {
        let (range, new) = if version % 2 == 0 {
            (
                json!({"start": {"line": line, "character": column}, "end": {"line": line, "character": column}}),
                "x",
            )
        } else {
            (
                json!({"start": {"line": line, "character": column}, "end": {"line": line, "character": column + 1}}),
                "",
            )
        };
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": range, "text": new}]}})
    };
    let mut version = 1i64;
    let mut latencies = Vec::with_capacity(keys);
    for _ in 0..keys {
        version += 1;
        let sent = Instant::now();
        send(&mut stdin, &keystroke(version));
        let got = wait_version(&rx, version);
        latencies.push(got.duration_since(sent));
        std::thread::sleep(pause);
    }
    latencies.sort();
    let pct = |p: f64| ms(latencies[((latencies.len() - 1) as f64 * p) as usize]);
    println!(
        "lsp: keystroke -> diagnostics over {keys} keystrokes: median {:.1} ms, p90 {:.1} ms, max {:.1} ms (target: median < 50 ms)",
        pct(0.5),
        pct(0.9),
        pct(1.0)
    );

    // Memory over many edits: RSS after the first 1,000 and after all of them.
    let mut rss_early = None;
    let mut waited = version;
    for i in 0..edits {
        version += 1;
        send(&mut stdin, &keystroke(version));
        if i % 500 == 499 {
            wait_version(&rx, version);
            waited = version;
            if i + 1 == 1000 {
                rss_early = rss_kib(pid);
            }
        }
    }
    if waited != version {
        wait_version(&rx, version);
    }
    let rss_end = rss_kib(pid);
    match (rss_early, rss_end) {
        (Some(a), Some(b)) => println!(
            "lsp: RSS after 1,000 edits {:.1} MiB, after {edits} edits {:.1} MiB ({:+.1} MiB)",
            a as f64 / 1024.0,
            b as f64 / 1024.0,
            (b as f64 - a as f64) / 1024.0
        ),
        _ => println!("lsp: RSS not available (no /proc)"),
    }
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null}),
    );
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "exit", "params": null}),
    );
    drop(stdin);
    let status = child.wait().expect("wait for moment lsp");
    assert!(status.success(), "moment lsp ended with {status}");
}
