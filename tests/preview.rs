//! `moment preview` over real HTTP: the real binary serves a temporary copy of the
//! repository's example moments, and the tests talk to it as a browser would.
//!
//! Every test starts its own server on a free port (`--port 0`), reads the address
//! from the first line of stdout, and kills the server when the test ends (the
//! [`Preview`] guard kills on drop, also when an assertion fails). Waits are polls
//! or event reads with time limits; a fixed pause only ever opens a window in
//! which something must *not* happen, and is followed by a positive check.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use saphyr::LoadableYamlNode;
use serde_json::{Value, json};

/// The binary under test.
use common::BIN;

/// Longest wait for the server to start, a reload event or a condition. Generous:
/// the tests run in parallel on small CI machines with a debug build.
const WAIT: Duration = Duration::from_secs(15);

/// A window in which nothing may happen (several debounce periods of the watcher).
const QUIET: Duration = Duration::from_millis(400);

/// The example moments of the repository, with what the index must show of them.
const EXAMPLES: &[(&str, &str, &str, &str, &str)] = &[
    // id, title, version, unit, kind
    (
        "minimal",
        "Minsta möjliga moment",
        "0.1.0",
        "region-exempel-utbildning",
        "education",
    ),
    (
        "ovning",
        "Rena händer",
        "0.2.0",
        "region-exempel-utbildning",
        "course",
    ),
    (
        "rora-dig",
        "Rör dig mer i vardagen",
        "1.1.0",
        "region-exempel",
        "education",
    ),
    (
        "somn",
        "Sömn – steg för steg",
        "1.0.0",
        "region-exempel",
        "treatment",
    ),
    (
        "stresskoll",
        "Stresskoll",
        "1.0.0",
        "region-exempel",
        "assessment",
    ),
];

// ---------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------

/// Lines of a child's output, collected on a thread so that the pipe never fills.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    fn collect(pipe: impl Read + Send + 'static) -> Lines {
        let lines = Lines::default();
        let sink = lines.clone();
        thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                sink.0.lock().expect("output lock").push(line);
            }
        });
        lines
    }

    fn text(&self) -> String {
        self.0.lock().expect("output lock").join("\n")
    }

    /// Waits until a line satisfies `pred` and returns it.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> Option<String> {
        let start = Instant::now();
        loop {
            if let Some(line) = self.0.lock().expect("output lock").iter().find(|l| pred(l)) {
                return Some(line.clone());
            }
            if start.elapsed() > WAIT {
                eprintln!("no line with {what} within {WAIT:?}");
                return None;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

/// A temporary moments repository: the project's `units.yaml`, `moments/` and
/// `themes/`, copied (the originals are never touched).
fn example_repo() -> tempfile::TempDir {
    let tmp = common::example_repo();
    common::copy_tree(
        &common::source_root().join("themes"),
        &tmp.path().join("themes"),
    );
    tmp
}

/// A running `moment preview`; killed on drop.
struct Preview {
    child: Child,
    /// `http://127.0.0.1:PORT/`
    url: String,
    port: u16,
    stdout: Lines,
    stderr: Lines,
    agent: ureq::Agent,
    /// The repository served (kept alive as long as the server).
    root: PathBuf,
    _repo: Option<tempfile::TempDir>,
}

impl Preview {
    /// Serves a fresh copy of the example moments.
    fn examples() -> Preview {
        let repo = example_repo();
        let root = repo.path().to_path_buf();
        let mut preview = Preview::start(&root, &[]);
        preview._repo = Some(repo);
        preview
    }

    /// Starts `moment preview <root> --port 0 [extra…]` and waits for its address.
    fn start(root: &Path, extra: &[&str]) -> Preview {
        let mut child = Command::new(BIN)
            .arg("preview")
            .arg(root)
            .args(["--port", "0"])
            .args(extra)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moment preview");
        let stdout = Lines::collect(child.stdout.take().expect("piped stdout"));
        let stderr = Lines::collect(child.stderr.take().expect("piped stderr"));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(WAIT))
            .build()
            .into();
        let mut preview = Preview {
            child,
            url: String::new(),
            port: 0,
            stdout,
            stderr,
            agent,
            root: root.to_path_buf(),
            _repo: None,
        };
        let Some(first) = preview
            .stdout
            .wait_for("the address", |l| l.contains("http://"))
        else {
            panic!(
                "moment preview printed no address; stdout:\n{}\nstderr:\n{}",
                preview.stdout.text(),
                preview.stderr.text()
            );
        };
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("a URL on the first line")
            .to_owned();
        let port = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {url}"));
        preview.url = url;
        preview.port = port;
        // Answering HTTP means the watcher is installed too (it is set up before
        // the server starts accepting); see `edits_right_after_the_ready_line_are_seen`
        // for the window between the printed line and the watcher.
        assert_eq!(preview.get("/_moment/status").status, 200);
        preview
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// GET `path` (starting with `/`): status, content type and body.
    fn get(&self, path: &str) -> Reply {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let mut response = self
            .agent
            .get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        Reply::read(&mut response)
    }

    /// The body of a page that must answer 200.
    fn page(&self, path: &str) -> String {
        let reply = self.get(path);
        assert_eq!(reply.status, 200, "GET {path}:\n{}", reply.body);
        reply.body
    }

    /// POST a JSON body.
    fn post(&self, path: &str, body: &Value) -> Reply {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let mut response = self
            .agent
            .post(&url)
            .send_json(body)
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        Reply::read(&mut response)
    }

    fn status(&self) -> Value {
        serde_json::from_str(&self.page("/_moment/status")).expect("status is JSON")
    }

    fn generation(&self) -> u64 {
        self.status()["generation"]
            .as_u64()
            .expect("generation is a number")
    }

    /// Subscribes to the reload events. Returns once the server has answered, so
    /// every change made afterwards is announced on this stream.
    fn events(&self) -> Events {
        Events::connect(self.port)
    }

    /// Sends SIGINT (what Ctrl-C sends) and waits up to `limit` for the exit.
    fn interrupt(&mut self, limit: Duration) -> Option<(ExitStatus, Duration)> {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -INT failed");
        let start = Instant::now();
        loop {
            if let Some(exit) = self.child.try_wait().expect("wait for preview") {
                return Some((exit, start.elapsed()));
            }
            if start.elapsed() > limit {
                return None;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Polls `cond` until it holds; panics with `what` after [`WAIT`].
    fn wait_until(&self, what: &str, mut cond: impl FnMut() -> bool) {
        let start = Instant::now();
        while !cond() {
            if start.elapsed() > WAIT {
                panic!(
                    "{what}: not within {WAIT:?}; the server's status: {}\nstderr:\n{}",
                    self.get("/_moment/status").body,
                    self.stderr.text()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP answer.
struct Reply {
    status: u16,
    content_type: String,
    cache_control: String,
    body: String,
}

impl Reply {
    fn read(response: &mut ureq::http::Response<ureq::Body>) -> Reply {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (content_type, cache_control) = (header("content-type"), header("cache-control"));
        Reply {
            status: response.status().as_u16(),
            content_type,
            cache_control,
            body: String::from_utf8_lossy(
                &response.body_mut().read_to_vec().expect("read the body"),
            )
            .into_owned(),
        }
    }
}

/// A request written byte for byte on a fresh connection, so that no client can
/// normalise `..` or decode `%2e` before the server sees it. Returns the status
/// code and the whole answer (head and body).
fn raw_get(port: u16, target: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("set a timeout");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read the answer");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in answer to {target}:\n{answer}"));
    (status, answer)
}

/// The server-sent reload events, read on a thread.
struct Events {
    rx: Receiver<Value>,
}

impl Events {
    fn connect(port: u16) -> Events {
        // No global timeout: the stream stays open for the whole test.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let response = agent
            .get(&format!("http://127.0.0.1:{port}/_moment/events"))
            .header("Accept", "text/event-stream")
            .call()
            .expect("open the event stream");
        assert_eq!(response.status().as_u16(), 200, "event stream status");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("text/event-stream"),
            "event stream content type: {content_type}"
        );
        let (tx, rx) = mpsc::channel();
        let reader = BufReader::new(response.into_body().into_reader());
        thread::spawn(move || {
            let (mut event, mut data) = (String::new(), String::new());
            for line in reader.lines() {
                let Ok(line) = line else { break };
                if line.is_empty() {
                    if event == "reload" {
                        let value: Value = serde_json::from_str(&data)
                            .unwrap_or_else(|e| panic!("reload data is not JSON ({e}): {data}"));
                        if tx.send(value).is_err() {
                            break;
                        }
                    }
                    event.clear();
                    data.clear();
                } else if let Some(rest) = line.strip_prefix("event:") {
                    event = rest.trim().to_owned();
                } else if let Some(rest) = line.strip_prefix("data:") {
                    data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
                }
            }
        });
        Events { rx }
    }

    /// The next reload event; panics after [`WAIT`].
    fn next(&self, after: &str) -> Value {
        match self.rx.recv_timeout(WAIT) {
            Ok(v) => v,
            Err(RecvTimeoutError::Timeout) => panic!("no reload event within {WAIT:?} {after}"),
            Err(RecvTimeoutError::Disconnected) => panic!("event stream closed {after}"),
        }
    }

    /// The next event, if one arrives within `window`.
    fn within(&self, window: Duration) -> Option<Value> {
        self.rx.recv_timeout(window).ok()
    }
}

/// The moments named by a reload event.
fn named(event: &Value) -> Vec<String> {
    event["moments"]
        .as_array()
        .unwrap_or_else(|| panic!("`moments` is not a list in {event}"))
        .iter()
        .map(|m| m.as_str().expect("moment ids are text").to_owned())
        .collect()
}

fn generation_of(event: &Value) -> u64 {
    event["generation"]
        .as_u64()
        .unwrap_or_else(|| panic!("`generation` is not a number in {event}"))
}

/// Appends text to a file in one write, as an editor saving in place does.
fn append(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    file.write_all(text.as_bytes())
        .unwrap_or_else(|e| panic!("append to {}: {e}", path.display()));
}

/// Replaces a file by writing a sibling and renaming it over the original, as
/// many editors save.
fn replace_atomically(path: &Path, text: &str) {
    let tmp = path.with_extension("moment-test.tmp");
    std::fs::write(&tmp, text).expect("write the new version");
    std::fs::rename(&tmp, path).expect("rename it over the original");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------
// Start-up, binding, shutdown
// ---------------------------------------------------------------------------------

/// A non-loopback address of this machine, if it has one (no packet is sent).
fn outward_address() -> Option<IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn binds_loopback_by_default_and_prints_its_address() {
    let preview = Preview::examples();
    let first = preview.stdout.0.lock().expect("lock")[0].clone();
    let rest = first
        .strip_prefix("moment preview: 5 moments (0 errors) ready in ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"));
    let (ms, at) = rest
        .split_once(" ms at ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"));
    assert!(ms.parse::<u64>().is_ok(), "time is not a number: {first}");
    assert_eq!(at, format!("http://127.0.0.1:{}/", preview.port));
    assert_ne!(
        preview.port, 0,
        "--port 0 must print the port actually bound"
    );
    assert_eq!(preview.url, format!("http://127.0.0.1:{}/", preview.port));
    // Reachable on loopback…
    assert_eq!(preview.get("/").status, 200);
    // …and not from other machines.
    if let Some(ip) = outward_address() {
        let reached =
            TcpStream::connect_timeout(&SocketAddr::new(ip, preview.port), Duration::from_secs(2));
        assert!(
            reached.is_err(),
            "the preview answers on {ip}:{}; it must listen on 127.0.0.1 only",
            preview.port
        );
    } else {
        eprintln!("no non-loopback address on this machine; skipping the outside check");
    }
}

#[test]
fn port_in_use_is_a_clear_usage_error() {
    let taken = TcpListener::bind(("127.0.0.1", 0)).expect("bind a port");
    let port = taken.local_addr().expect("local address").port();
    let repo = example_repo();
    let mut child = Command::new(BIN)
        .arg("preview")
        .arg(repo.path())
        .args(["--port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start moment preview");
    let stdout = Lines::collect(child.stdout.take().expect("stdout"));
    let stderr = Lines::collect(child.stderr.take().expect("stderr"));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > WAIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("moment preview kept running on a taken port {port}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    // Let the readers reach the end of the pipes.
    let _ = stderr.wait_for("the error", |l| l.contains("in use"));
    assert_eq!(
        status.code(),
        Some(2),
        "exit code; stderr:\n{}",
        stderr.text()
    );
    let message = stderr.text();
    assert!(
        message.contains("already in use") && message.contains(&port.to_string()),
        "stderr should name the port and say it is in use:\n{message}"
    );
    assert!(
        message.contains("--port"),
        "stderr should say how to choose another port:\n{message}"
    );
    assert!(
        !stdout.text().contains("http://"),
        "no address may be printed when binding failed:\n{}",
        stdout.text()
    );
    drop(taken);
}

#[test]
fn non_loopback_host_warns() {
    let repo = example_repo();
    let preview = Preview::start(repo.path(), &["--host", "0.0.0.0"]);
    let warning = preview
        .stderr
        .wait_for("a warning", |l| l.contains("warning"))
        .unwrap_or_else(|| panic!("no warning on stderr for --host 0.0.0.0"));
    assert!(
        warning.contains("0.0.0.0") && warning.contains("other machines"),
        "the warning should name the address and the risk: {warning}"
    );
    assert_eq!(preview.get("/").status, 200, "still serves on loopback");
}

#[test]
fn sigint_stops_promptly_with_exit_0() {
    let mut preview = Preview::examples();
    // An open event stream never ends by itself; shutdown must not wait for it.
    let _events = preview.events();
    assert_eq!(preview.get("/").status, 200);
    let (status, took) = preview
        .interrupt(Duration::from_secs(2))
        .expect("moment preview still running 2 s after SIGINT");
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGINT: {status:?}; stderr:\n{}",
        preview.stderr.text()
    );
    eprintln!("stopped {} ms after SIGINT", took.as_millis());
    let _ = preview
        .stdout
        .wait_for("the goodbye", |l| l.contains("stopped"));
    assert!(
        preview.stdout.text().contains("moment preview stopped"),
        "stdout:\n{}",
        preview.stdout.text()
    );
    assert!(
        !preview.stderr.text().contains("warning"),
        "no warning for the default (loopback) host; stderr:\n{}",
        preview.stderr.text()
    );
}

// ---------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------

#[test]
fn index_lists_every_moment_with_its_facts_and_counts() {
    let repo = example_repo();
    // One owner only: a warning (W007) on `minimal`, so the index shows counts.
    let yaml = repo.path().join("moments/minimal/moment.yaml");
    let text = read(&yaml).replace(
        "owners: [anna@example.se, cecilia@example.se]",
        "owners: [anna@example.se]",
    );
    std::fs::write(&yaml, text).expect("edit minimal");
    let preview = Preview::start(repo.path(), &[]);

    let index = preview.get("/");
    assert_eq!(index.status, 200);
    assert!(
        index.content_type.starts_with("text/html"),
        "{}",
        index.content_type
    );
    assert_eq!(
        index.cache_control, "no-store",
        "the index must never be cached"
    );
    for (id, title, version, unit, kind) in EXAMPLES {
        let row_start = index
            .body
            .find(&format!(r#"<a href="/m/{id}/site/index.html">"#))
            .unwrap_or_else(|| panic!("no link to {id} in the index:\n{}", index.body));
        let row = &index.body[row_start..];
        let row = &row[..row.find("</tr>").expect("row end")];
        for fact in [title, version, unit, kind] {
            assert!(row.contains(fact), "row of {id} lacks {fact}: {row}");
        }
        assert!(
            row.contains(&format!("/m/{id}/site/staff.html")),
            "row of {id} lacks the staff view: {row}"
        );
        if *id == "minimal" {
            assert!(
                row.contains("0 fel") && row.contains("1 varning<"),
                "minimal has one warning, in the singular: {row}"
            );
        } else {
            assert!(row.contains("inga problem"), "{id} is clean: {row}");
        }
    }
    assert!(
        index.body.contains("/_moment/client.js"),
        "the index reloads too"
    );

    let status = preview.status();
    assert_eq!(status["generation"], 1, "{status}");
    for (id, _, version, _, _) in EXAMPLES {
        let m = &status["moments"][id];
        assert_eq!(m["version"], *version, "{id} in {status}");
        assert_eq!(m["errors"], 0, "{id} in {status}");
        let warnings = if *id == "minimal" { 1 } else { 0 };
        assert_eq!(m["warnings"], warnings, "{id} in {status}");
    }
}

#[test]
fn citizen_and_staff_views_of_every_moment() {
    let preview = Preview::examples();
    for (id, title, version, _, _) in EXAMPLES {
        let citizen = preview.get(&format!("/m/{id}/site/index.html"));
        assert_eq!(citizen.status, 200, "{id} citizen view:\n{}", citizen.body);
        assert!(
            citizen.content_type.starts_with("text/html"),
            "{id}: {}",
            citizen.content_type
        );
        assert_eq!(
            citizen.cache_control, "no-store",
            "{id}: pages must not be cached"
        );
        let body = &citizen.body;
        assert!(
            body.contains(r#"<body class="citizen">"#),
            "{id}: not the citizen view"
        );
        assert!(
            body.contains(&format!("<h1>{title}</h1>")),
            "{id}: no title:\n{body}"
        );
        assert!(
            body.contains(&format!("Version {version}")),
            "{id}: no version"
        );
        assert!(
            body.contains(&format!(r#"id="moment-preview" data-moment="{id}""#)),
            "{id}: no preview toolbar"
        );
        assert!(body.contains(r#"<script src="/_moment/client.js" defer></script>"#));
        assert!(
            !body.contains("moment-overlay"),
            "{id}: overlay on a clean moment"
        );
        assert!(
            body.trim_end().ends_with("</html>"),
            "{id}: page is cut off"
        );

        let staff = preview.get(&format!("/m/{id}/site/staff.html"));
        assert_eq!(staff.status, 200, "{id} staff view:\n{}", staff.body);
        assert!(
            staff.body.contains(r#"<body class="staff">"#),
            "{id}: not the staff view"
        );
        assert!(
            staff.body.contains(&format!("Personalens vy: {title}")),
            "{id}: staff heading:\n{}",
            staff.body
        );
        assert!(staff.body.contains("data-activation="), "{id}: module rows");
        assert!(
            staff.body.contains(r#"data-moment=""#),
            "{id}: toolbar on staff view"
        );

        let css = preview.get(&format!("/m/{id}/site/style.css"));
        assert_eq!(css.status, 200, "{id} style.css");
        assert_eq!(
            css.content_type, "text/css; charset=utf-8",
            "{id} style.css"
        );
        assert!(!css.body.contains("<script"), "nothing injected into CSS");

        // /m/<id> and /m/<id>/ lead to the citizen view.
        for short in [format!("/m/{id}"), format!("/m/{id}/")] {
            let (status, answer) = raw_get(preview.port, &short);
            assert!((300..400).contains(&status), "{short}: {status}\n{answer}");
            assert!(
                answer
                    .to_ascii_lowercase()
                    .contains(&format!("location: /m/{id}/site/index.html")),
                "{short}:\n{answer}"
            );
        }
    }

    // A module page with a form carries what the client needs.
    let module = preview.page("/m/stresskoll/site/01-stresskoll.html");
    assert!(module.contains(r#"data-form="stresskoll""#));
    assert!(
        module.contains(r#"data-item="koppla_av" data-type="choice" data-enable-when="arbete""#)
    );
    let staff = preview.page("/m/somn/site/staff.html");
    assert!(staff.contains(r#"<section class="staff-form" data-form="somndagbok""#));
    assert!(staff.contains(r#"data-page="02-somndagbok.html" data-activation="immediate""#));

    // Media are served from the content-addressed asset path with their type.
    let page = preview.page("/m/somn/site/01-om-somn.html");
    let at = page.find("assets/").expect("an image in 01-om-somn");
    let asset = &page[at..];
    let asset = &asset[..asset.find('"').expect("end of the attribute")];
    assert!(asset.ends_with(".png"), "{asset}");
    let image = preview.get(&format!("/m/somn/{asset}"));
    assert_eq!(image.status, 200, "{asset}");
    assert_eq!(image.content_type, "image/png", "{asset}");

    let client = preview.get("/_moment/client.js");
    assert_eq!(client.status, 200);
    assert!(
        client.content_type.starts_with("text/javascript"),
        "{}",
        client.content_type
    );
    assert!(client.body.contains("EventSource(\"/_moment/events\")"));
}

#[test]
fn unknown_paths_answer_404_with_a_helpful_page() {
    let preview = Preview::examples();
    for path in [
        "/nope",
        "/m/nope/site/index.html",
        "/m/stresskoll/site/nope.html",
        "/m/stresskoll/site/modules/01-stresskoll.md",
        "/m/stresskoll/assets/0000.png",
        "/m/stresskoll/moment.yaml",
        "/_moment/nope",
        "/favicon.ico",
    ] {
        let reply = preview.get(path);
        assert_eq!(reply.status, 404, "{path}:\n{}", reply.body);
        assert!(
            reply.content_type.starts_with("text/html"),
            "{path}: {}",
            reply.content_type
        );
        assert!(
            reply.body.contains("Sidan finns inte"),
            "{path}:\n{}",
            reply.body
        );
        assert!(
            reply.body.contains(r#"<a href="/">"#),
            "{path}: the 404 page should lead back to the index:\n{}",
            reply.body
        );
        assert!(
            reply.body.contains(&format!("<code>{path}</code>")),
            "{path}: the 404 page should show the path asked for:\n{}",
            reply.body
        );
    }
    // The path is shown escaped, never as markup.
    let reply = preview.get("/%3Cscript%3Ealert(1)%3C/script%3E");
    assert_eq!(reply.status, 404);
    assert!(!reply.body.contains("<script>alert"), "{}", reply.body);

    let reply = preview.post("/_moment/evaluate/stresskoll/nope", &json!({"answers": {}}));
    assert_eq!(reply.status, 404, "{}", reply.body);
    let reply = preview.post("/_moment/evaluate/nope/stresskoll", &json!({"answers": {}}));
    assert_eq!(reply.status, 404, "{}", reply.body);
    let reply = preview.post("/_moment/graph/somn/nope", &json!({"occasions": []}));
    assert_eq!(reply.status, 404, "{}", reply.body);
}

// ---------------------------------------------------------------------------------
// Safety: nothing outside the build output
// ---------------------------------------------------------------------------------

const SECRET: &str = "TOPSECRET-c3f1e0a9";

/// What no answer may contain: the contents of files that are not build output.
fn assert_leaks_nothing(target: &str, answer: &str) {
    for (needle, what) in [
        ("root:", "/etc/passwd"),
        (SECRET, "a file outside the repository"),
        ("risk_analysis:", "moment.yaml (a source file)"),
        ("publishers:", "units.yaml"),
        ("[package]", "a Cargo.toml"),
    ] {
        assert!(
            !answer.contains(needle),
            "GET {target} served {what}:\n{answer}"
        );
    }
}

#[test]
fn traversal_is_refused_raw_and_encoded() {
    let repo = example_repo();
    let outside = tempfile::tempdir().expect("a folder outside the repository");
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, SECRET).expect("write the secret");
    std::fs::write(repo.path().join("secret.txt"), SECRET).expect("write the secret");
    // Links in a moment's media folder, referred to by nothing.
    let media = repo.path().join("moments/stresskoll/media");
    std::fs::create_dir_all(&media).expect("media folder");
    std::os::unix::fs::symlink("/etc/passwd", media.join("passwd")).expect("symlink");
    std::os::unix::fs::symlink(&secret, media.join("secret.txt")).expect("symlink");
    std::os::unix::fs::symlink(outside.path(), media.join("ut")).expect("symlink");
    let preview = Preview::start(repo.path(), &[]);
    let port = preview.port;

    let targets = [
        // Raw `..`, as a client that does not normalise sends them.
        "/../../../../../../etc/passwd",
        "/m/stresskoll/site/../../../../../../../etc/passwd",
        "/m/stresskoll/site/../../../units.yaml",
        "/m/stresskoll/site/../moment.yaml",
        "/m/stresskoll/site/../../../secret.txt",
        "/m/stresskoll/assets/../moment.yaml",
        "/m/../units.yaml",
        "/m/stresskoll/../../secret.txt",
        // Encoded dots and slashes, in every spelling.
        "/m/stresskoll/site/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/m/stresskoll/site/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/m/stresskoll/site/..%2f..%2f..%2fsecret.txt",
        "/m/stresskoll/site/..%2F..%2Fmoment.yaml",
        "/m/stresskoll/site/%2e%2e%2fmoment.yaml",
        "/m/stresskoll/site/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/m/stresskoll/site/..%5c..%5cmoment.yaml",
        "/m/stresskoll/site/%252e%252e/%252e%252e/secret.txt",
        "/m/stresskoll/site/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt",
        "/m/stresskoll/assets/..%2fmoment.yaml",
        "/m/stresskoll/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt",
        "/m/%2e%2e/site/units.yaml",
        "/m/..%2f..%2f/site/secret.txt",
        "/m/stresskoll/site//etc/passwd",
        "/m/stresskoll/site/%2fetc%2fpasswd",
        "/m/stresskoll/assets/%2fetc%2fpasswd",
        "//etc/passwd",
        // The media folder and its links are sources, not build output.
        "/m/stresskoll/media/passwd",
        "/m/stresskoll/media/secret.txt",
        "/m/stresskoll/media/ut/secret.txt",
        "/m/stresskoll/site/../media/passwd",
        "/m/stresskoll/site/media/passwd",
        "/m/stresskoll/site/../media/ut/secret.txt",
        "/m/stresskoll/assets/passwd",
        "/m/stresskoll/assets/secret.txt",
        "/m/stresskoll/assets/..%2fmedia%2fpasswd",
        "/m/stresskoll/assets/..%2f..%2fmedia%2fsecret.txt",
        "/m/somn/media/sang.png",
        "/secret.txt",
        "/units.yaml",
        "/moments/stresskoll/moment.yaml",
    ];
    for target in targets {
        let (status, answer) = raw_get(port, target);
        assert!(
            status == 404 || status == 400,
            "GET {target} answered {status} (want 404 or 400):\n{answer}"
        );
        assert_leaks_nothing(target, &answer);
        if status == 404 {
            assert!(
                answer.contains("Sidan finns inte"),
                "GET {target}:\n{answer}"
            );
        }
    }
    // Still healthy afterwards.
    assert_eq!(raw_get(port, "/m/stresskoll/site/index.html").0, 200);
}

/// A media file that was served after a good build is replaced by a link to a
/// file outside the moment (here /etc/passwd, and a secret file next to the
/// repository). The moment now has an error, so the preview keeps showing the last
/// good build; serving that build's assets must not follow the new links.
#[test]
fn media_swapped_for_a_symlink_after_a_good_build_is_not_served() {
    let repo = example_repo();
    let outside = tempfile::tempdir().expect("a folder outside the repository");
    let secret = outside.path().join("secret.vtt");
    std::fs::write(&secret, SECRET).expect("write the secret");
    let preview = Preview::start(repo.path(), &[]);
    let mut assets = Vec::new();
    for page in ["01-om-somn.html", "03-rutiner.html", "04-dagen.html"] {
        // Attribute values may spell the slash as `&#x2f;`.
        let body = preview
            .page(&format!("/m/somn/site/{page}"))
            .replace("&#x2f;", "/");
        for (at, _) in body.match_indices("assets/") {
            let rest = &body[at..];
            let end = rest
                .find(['"', '\'', ')', ' '])
                .expect("end of the asset path");
            let asset = format!("/m/somn/{}", &rest[..end]);
            if !assets.contains(&asset) {
                assets.push(asset);
            }
        }
    }
    assert!(
        assets.iter().any(|a| a.ends_with(".png")) && assets.iter().any(|a| a.ends_with(".vtt")),
        "the sleep example has an image and captions: {assets:?}"
    );
    for asset in &assets {
        assert_eq!(preview.get(asset).status, 200, "{asset} before the swap");
    }

    // Swap every media file for a link leaving the moment.
    let media = preview.path("moments/somn/media");
    for entry in std::fs::read_dir(&media).expect("list media") {
        let path = entry.expect("entry").path();
        std::fs::remove_file(&path).expect("remove a media file");
        if path.extension().is_some_and(|e| e == "png") {
            std::os::unix::fs::symlink("/etc/passwd", &path).expect("link to /etc/passwd");
        } else {
            std::os::unix::fs::symlink(&secret, &path).expect("link to the secret");
        }
    }
    preview.wait_until("the links are reported as errors", || {
        preview.status()["moments"]["somn"]["errors"] != 0
    });
    let page = preview.page("/m/somn/site/01-om-somn.html");
    assert!(
        page.contains(r#"id="moment-overlay""#),
        "the error shows:\n{page}"
    );

    for asset in &assets {
        let (status, answer) = raw_get(preview.port, asset);
        assert_leaks_nothing(asset, &answer);
        assert!(
            status == 404 || status == 200,
            "GET {asset} after the swap answered {status}"
        );
    }
}

/// A referenced image that is a link to /etc/passwd from the start: the moment has
/// an error, shows it, and nothing of the linked file is served.
#[test]
fn media_symlink_leaving_the_moment_is_refused_from_the_start() {
    let repo = example_repo();
    let image = repo.path().join("moments/somn/media/sang.png");
    std::fs::remove_file(&image).expect("remove the image");
    std::os::unix::fs::symlink("/etc/passwd", &image).expect("link the image");
    let preview = Preview::start(repo.path(), &[]);
    let status = preview.status();
    assert!(
        status["moments"]["somn"]["errors"].as_u64() >= Some(1),
        "a link leaving the moment must be an error: {status}"
    );
    for page in ["index.html", "01-om-somn.html", "staff.html"] {
        let target = format!("/m/somn/site/{page}");
        let (code, answer) = raw_get(preview.port, &target);
        assert_eq!(code, 200, "{target} shows the errors");
        assert_leaks_nothing(&target, &answer);
        assert!(
            answer.contains(r#"id="moment-overlay""#),
            "{target}:\n{answer}"
        );
        assert!(
            answer.contains("moments/somn/modules/01-om-somn.md:"),
            "{target}:\n{answer}"
        );
    }
}

// ---------------------------------------------------------------------------------
// Form evaluation and staff graphs
// ---------------------------------------------------------------------------------

fn as_number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// A YAML value as JSON (the form tests file uses plain scalars, lists and maps).
fn yaml_to_json(yaml: &saphyr::Yaml) -> Value {
    use saphyr::{Scalar, Yaml};
    match yaml {
        Yaml::Value(Scalar::Null) => Value::Null,
        Yaml::Value(Scalar::Boolean(b)) => json!(b),
        Yaml::Value(Scalar::Integer(i)) => json!(i),
        Yaml::Value(Scalar::FloatingPoint(f)) => json!(f.0),
        Yaml::Value(Scalar::String(s)) => json!(s),
        Yaml::Sequence(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Mapping(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match yaml_to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        other => panic!("unexpected YAML in the form tests: {other:?}"),
    }
}

#[test]
fn evaluation_agrees_with_the_form_tests() {
    let preview = Preview::examples();
    let tests_file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("moments/stresskoll/forms/stresskoll.tests.yaml");
    let docs = saphyr::Yaml::load_from_str(&read(&tests_file)).expect("the form tests parse");
    let scenarios = yaml_to_json(docs.first().expect("one YAML document"));
    let scenarios = scenarios.as_array().expect("a list of scenarios");
    assert!(scenarios.len() >= 5, "the example has several scenarios");
    for scenario in scenarios {
        let name = scenario["name"].as_str().expect("a name");
        let reply = preview.post(
            "/_moment/evaluate/stresskoll/stresskoll",
            &json!({"answers": scenario["answers"]}),
        );
        assert_eq!(reply.status, 200, "{name}: {}", reply.body);
        assert!(reply.content_type.starts_with("application/json"), "{name}");
        let got: Value = serde_json::from_str(&reply.body).expect("JSON");
        let expect = &scenario["expect"];
        for (score, value) in expect["scores"].as_object().expect("scores") {
            if value.is_null() {
                // Not computed: no value at all, never a zero.
                assert!(
                    got["scores"][score].is_null(),
                    "{name}: score {score} in {got}"
                );
                continue;
            }
            assert_eq!(
                as_number(&got["scores"][score]),
                as_number(value),
                "{name}: score {score} in {got}"
            );
        }
        for (score, band) in expect["bands"].as_object().into_iter().flatten() {
            assert_eq!(
                &got["bands"][score], band,
                "{name}: band of {score} in {got}"
            );
        }
        assert_eq!(got["alerts"], expect["alerts"], "{name}: alerts in {got}");
        let hidden = |v: &Value| -> BTreeSet<String> {
            v.as_array()
                .unwrap_or_else(|| panic!("{name}: hidden is not a list: {v}"))
                .iter()
                .map(|s| s.as_str().expect("ids").to_owned())
                .collect()
        };
        assert_eq!(
            hidden(&got["hidden"]),
            hidden(&expect["hidden"]),
            "{name}: hidden"
        );
    }

    // An empty form: no score, no band, no score alert, and the required questions
    // still to answer, by id and text.
    let reply = preview.post(
        "/_moment/evaluate/stresskoll/stresskoll",
        &json!({"answers": {}}),
    );
    assert!(
        !reply.body.contains("-0"),
        "no negative zero: {}",
        reply.body
    );
    let got: Value = serde_json::from_str(&reply.body).expect("JSON");
    assert_eq!(got["scores"], json!({}), "{got}");
    assert_eq!(got["bands"], json!({}), "{got}");
    assert_eq!(got["hidden"], json!(["koppla_av"]), "{got}");
    assert_eq!(got["alerts"], json!([]), "{got}");
    assert_eq!(got["unanswered"][0], "arbete", "{got}");
    assert_eq!(got["score_titles"]["total"], "Total stresspoäng", "{got}");
    // Half-filled with the worst answers: still no score, but the item alert fires.
    let reply = preview.post(
        "/_moment/evaluate/stresskoll/stresskoll",
        &json!({"answers": {"arbete": 0, "jaktad": 3, "nedstamd": 3}}),
    );
    let got: Value = serde_json::from_str(&reply.body).expect("JSON");
    assert_eq!(got["scores"], json!({}), "{got}");
    assert_eq!(got["bands"], json!({}), "{got}");
    assert_eq!(got["alerts"], json!(["nedstamd-hog"]), "{got}");
    assert!(
        got["not_computed"]["total"]
            .as_array()
            .is_some_and(|m| m.iter().any(|i| i == "irriterad")),
        "{got}"
    );
    // Answers that do not fit their item (no such option, wrong type, unknown item)
    // are refused with the reasons, never counted or quietly dropped.
    let reply = preview.post(
        "/_moment/evaluate/stresskoll/stresskoll",
        &json!({"answers": {"arbete": 1, "jaktad": 9, "irriterad": "3", "okand": 3, "nedstamd": 3}}),
    );
    assert_eq!(reply.status, 422, "{}", reply.body);
    let got: Value = serde_json::from_str(&reply.body).expect("JSON");
    for id in ["jaktad", "irriterad", "okand"] {
        assert!(got["invalid"][id].is_string(), "{id} in {got}");
    }
    assert!(got["invalid"]["arbete"].is_null(), "{got}");
    // A body that is not JSON is refused, not a crash.
    let url = format!(
        "http://127.0.0.1:{}/_moment/evaluate/stresskoll/stresskoll",
        preview.port
    );
    let response = preview
        .agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send("{not json")
        .expect("POST");
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(preview.get("/").status, 200, "still serving");

    // The diary of the sleep program: a scale score and the short-sleep alert.
    let reply = preview.post(
        "/_moment/evaluate/somn/somndagbok",
        &json!({"answers": {"sanggaende": "23:15", "timmar": 2.5, "kvalitet": 4, "vaknade": false}}),
    );
    let got: Value = serde_json::from_str(&reply.body).expect("JSON");
    assert_eq!(as_number(&got["scores"]["somnkvalitet"]), 4.0, "{got}");
    assert_eq!(got["bands"]["somnkvalitet"], "God", "{got}");
    assert_eq!(got["alerts"], json!(["kort-somn"]), "{got}");
    assert_eq!(got["hidden"], json!(["antal_uppvak"]), "{got}");
}

#[test]
fn graph_endpoint_draws_an_accessible_svg() {
    let preview = Preview::examples();
    let reply = preview.post(
        "/_moment/graph/somn/somndagbok",
        &json!({"occasions": [
            {"sanggaende": "23:00", "timmar": 5, "kvalitet": 2, "vaknade": true, "antal_uppvak": 3},
            {"sanggaende": "22:30", "timmar": 7, "kvalitet": 4, "vaknade": false},
            {"sanggaende": "22:45", "timmar": 8, "kvalitet": 5, "vaknade": false}
        ]}),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, "image/svg+xml");
    let svg = reply.body.trim_start();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
    assert!(
        svg.contains(r#"xmlns="http://www.w3.org/2000/svg""#),
        "{svg}"
    );
    assert!(svg.contains(r#"role="img""#), "{svg}");
    let title_at = svg.find("<title").expect("an SVG <title>");
    let title = &svg[title_at
        ..svg[title_at..]
            .find("</title>")
            .map(|e| title_at + e)
            .expect("</title>")];
    assert!(title.contains("Sömndagbok"), "{title}");
    assert!(
        svg.contains("<desc"),
        "a description for screen readers: {svg}"
    );

    // No occasions yet, and the stress questionnaire: still an SVG.
    let reply = preview.post("/_moment/graph/somn/somndagbok", &json!({"occasions": []}));
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("<title"), "{}", reply.body);
    let reply = preview.post(
        "/_moment/graph/stresskoll/stresskoll",
        &json!({"occasions": [{"arbete": 1, "jaktad": 3}, {"arbete": 0, "jaktad": 1}]}),
    );
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("Stresskoll"), "{}", reply.body);

    // An occasion whose score was not computed is a gap in the line, not a zero.
    let reply = preview.post(
        "/_moment/graph/somn/somndagbok",
        &json!({"occasions": [
            {"sanggaende": "23:00", "timmar": 5, "kvalitet": 2, "vaknade": false},
            {"sanggaende": "23:00", "timmar": 6},
            {"sanggaende": "22:45", "timmar": 8, "kvalitet": 5, "vaknade": false},
            {"sanggaende": "22:45", "timmar": 8, "kvalitet": 4, "vaknade": false}
        ]}),
    );
    let svg = &reply.body;
    assert_eq!(
        svg.matches("<circle").count(),
        3,
        "a point per computed occasion: {svg}"
    );
    assert!(
        svg.contains(r#"data-occasion="1""#) && !svg.contains(r#"data-occasion="2""#),
        "{svg}"
    );
    assert_eq!(
        svg.matches("<polyline").count(),
        1,
        "only occasions 3 and 4 are joined: {svg}"
    );
    assert!(
        svg.contains("2, ej beräknad, 5, 4"),
        "the description says so: {svg}"
    );
}

// ---------------------------------------------------------------------------------
// Live reload
// ---------------------------------------------------------------------------------

/// One edit of a module: one event naming only that moment, and the new text is
/// served as soon as the event arrives (the build is swapped in before the event
/// is sent). Other moments are not rebuilt: a change written to another moment
/// through a hard link outside the watched folders stays invisible until that
/// moment's own file is touched.
#[test]
fn module_edit_reloads_only_its_moment() {
    let preview = Preview::examples();
    let g0 = preview.generation();
    // Change `minimal` without the watcher seeing it.
    let hidden_dir = preview.path("elsewhere");
    std::fs::create_dir_all(&hidden_dir).expect("a folder outside moments/");
    let link = hidden_dir.join("welcome.md");
    std::fs::hard_link(preview.path("moments/minimal/welcome.md"), &link).expect("hard link");
    let events = preview.events();
    append(&link, "\nUnnoticed-minimal-change-5b2.\n");

    append(
        &preview.path("moments/stresskoll/modules/02-om-stress.md"),
        "\nEn ny mening om stress 7f3a.\n",
    );
    let event = events.next("after editing a module of stresskoll");
    assert_eq!(named(&event), ["stresskoll"], "{event}");
    assert_eq!(generation_of(&event), g0 + 1, "one rebuild: {event}");
    // Served at once, without polling: the swap precedes the announcement.
    let page = preview.page("/m/stresskoll/site/02-om-stress.html");
    assert!(page.contains("En ny mening om stress 7f3a."), "{page}");
    assert!(
        page.contains(&format!(r#"data-generation="{}""#, g0 + 1)),
        "{page}"
    );
    assert_eq!(preview.generation(), g0 + 1);
    // Not rebuilt: still the text from before.
    let minimal = preview.page("/m/minimal/site/index.html");
    assert!(
        !minimal.contains("Unnoticed-minimal-change-5b2"),
        "minimal was rebuilt"
    );

    // The server's own reads of the sources must not retrigger a rebuild.
    assert!(
        events.within(QUIET).is_none(),
        "a rebuild without a change (the preview's own reads?)"
    );
    assert_eq!(preview.generation(), g0 + 1, "no rebuild without a change");

    // Touching minimal's file rebuilds minimal, which now shows the change.
    append(&preview.path("moments/minimal/welcome.md"), "\n");
    let event = events.next("after editing minimal");
    assert_eq!(named(&event), ["minimal"], "{event}");
    assert_eq!(generation_of(&event), g0 + 2, "{event}");
    let minimal = preview.page("/m/minimal/site/index.html");
    assert!(
        minimal.contains("Unnoticed-minimal-change-5b2"),
        "{minimal}"
    );
}

#[test]
fn broken_moment_shows_overlay_over_last_good_build_until_fixed() {
    let preview = Preview::examples();
    let events = preview.events();
    append(
        &preview.path("moments/stresskoll/welcome.md"),
        "\nSenaste fungerande text 91c.\n",
    );
    let event = events.next("after a good edit");
    assert_eq!(named(&event), ["stresskoll"]);

    // Break moment.yaml: an unknown kind on line 9.
    let yaml_path = preview.path("moments/stresskoll/moment.yaml");
    let good = read(&yaml_path);
    assert_eq!(
        good.lines().nth(8),
        Some("kind: assessment"),
        "line 9 of the example"
    );
    replace_atomically(
        &yaml_path,
        &good.replace("kind: assessment", "kind: nonsense"),
    );
    let event = events.next("after breaking moment.yaml");
    assert_eq!(named(&event), ["stresskoll"], "{event}");
    for page in [
        "index.html",
        "01-stresskoll.html",
        "02-om-stress.html",
        "staff.html",
    ] {
        let path = format!("/m/stresskoll/site/{page}");
        let body = preview.page(&path);
        let overlay_at = body
            .find(r#"<div id="moment-overlay""#)
            .unwrap_or_else(|| panic!("{path}: no overlay:\n{body}"));
        let overlay = &body[overlay_at..];
        let overlay = &overlay[..overlay.find("</div>").expect("overlay end")];
        assert!(
            overlay.contains("moments/stresskoll/moment.yaml:9:"),
            "{path}: file:line in the overlay: {overlay}"
        );
        assert!(
            overlay.contains("E013"),
            "{path}: the code in the overlay: {overlay}"
        );
        assert!(
            overlay.contains("nonsense"),
            "{path}: the message: {overlay}"
        );
        assert!(
            overlay.contains(r#"role="alert""#),
            "{path}: announced: {overlay}"
        );
        // The last good build is still underneath.
        assert!(body.contains(r#"id="moment-preview""#), "{path}: toolbar");
        assert!(body.contains("</main>"), "{path}: last good page is whole");
    }
    let welcome = preview.page("/m/stresskoll/site/index.html");
    assert!(
        welcome.contains("Senaste fungerande text 91c."),
        "last good content:\n{welcome}"
    );
    assert!(welcome.contains("Version 1.0.0"), "{welcome}");
    let module = preview.page("/m/stresskoll/site/01-stresskoll.html");
    assert!(
        module.contains(r#"data-form="stresskoll""#),
        "last good form"
    );
    // The last good form still evaluates.
    let reply = preview.post(
        "/_moment/evaluate/stresskoll/stresskoll",
        &json!({"answers": {"arbete": 1, "jaktad": 3}}),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    // The index and the status count the error; other moments are untouched.
    let status = preview.status();
    assert_eq!(status["moments"]["stresskoll"]["errors"], 1, "{status}");
    assert_eq!(status["moments"]["somn"]["errors"], 0, "{status}");
    let index = preview.page("/");
    assert!(index.contains("1 fel"), "{index}");
    assert!(
        !preview
            .page("/m/somn/site/index.html")
            .contains("moment-overlay")
    );

    // A YAML syntax error: another code, still file:line.
    replace_atomically(
        &yaml_path,
        &good.replace("kind: assessment", "kind: assessment\n  bad: ["),
    );
    let event = events.next("after a syntax error");
    assert_eq!(named(&event), ["stresskoll"], "{event}");
    let body = preview.page("/m/stresskoll/site/index.html");
    assert!(
        body.contains("moments/stresskoll/moment.yaml:10:"),
        "{body}"
    );
    assert!(body.contains("E002"), "{body}");
    assert!(body.contains("Senaste fungerande text 91c."), "{body}");

    // Fixed: the overlay is gone and the new build is served.
    replace_atomically(&yaml_path, &good);
    let event = events.next("after fixing moment.yaml");
    assert_eq!(named(&event), ["stresskoll"], "{event}");
    for page in ["index.html", "01-stresskoll.html", "staff.html"] {
        let body = preview.page(&format!("/m/stresskoll/site/{page}"));
        assert!(
            !body.contains("moment-overlay"),
            "{page}: overlay after the fix:\n{body}"
        );
    }
    assert_eq!(preview.status()["moments"]["stresskoll"]["errors"], 0);
    assert!(!preview.page("/").contains("1 fel"));
}

#[test]
fn moment_that_never_built_shows_its_errors_not_a_404() {
    let repo = example_repo();
    let yaml = repo.path().join("moments/stresskoll/moment.yaml");
    let text = read(&yaml).replace("kind: assessment", "kind: nonsense");
    std::fs::write(&yaml, text).expect("break stresskoll");
    let preview = Preview::start(repo.path(), &[]);
    assert!(
        preview.stdout.text().contains("5 moments (1 error)"),
        "{}",
        preview.stdout.text()
    );
    let body = preview.page("/m/stresskoll/site/index.html");
    assert!(body.contains(r#"id="moment-overlay""#), "{body}");
    assert!(body.contains("E013"), "{body}");
    assert!(body.contains("moments/stresskoll/moment.yaml:9:"), "{body}");
    // Fixing it builds it.
    let events = preview.events();
    replace_atomically(
        &yaml,
        &read(&yaml).replace("kind: nonsense", "kind: assessment"),
    );
    let event = events.next("after fixing the moment");
    assert_eq!(named(&event), ["stresskoll"]);
    let body = preview.page("/m/stresskoll/site/index.html");
    assert!(!body.contains("moment-overlay"), "{body}");
    assert!(body.contains("<h1>Stresskoll</h1>"), "{body}");
}

#[test]
fn units_schemas_and_theme_changes_reload_every_moment() {
    let preview = Preview::examples();
    let events = preview.events();

    // units.yaml, saved by rename as many editors do.
    let units = preview.path("units.yaml");
    replace_atomically(&units, &format!("{}\n# ändrad\n", read(&units)));
    let event = events.next("after saving units.yaml");
    assert_eq!(named(&event), ["*"], "{event}");

    // A theme's stylesheet: every moment serves the new rule.
    append(
        &preview.path("themes/default/style.css"),
        "\n.moment-test-rule-4d1 { color: red; }\n",
    );
    let event = events.next("after editing the theme's CSS");
    assert_eq!(named(&event), ["*"], "{event}");
    for (id, ..) in EXAMPLES {
        let css = preview.page(&format!("/m/{id}/site/style.css"));
        assert!(
            css.contains(".moment-test-rule-4d1"),
            "{id}: old stylesheet"
        );
    }

    // A theme template.
    let base = preview.path("themes/default/staff.html");
    replace_atomically(
        &base,
        &read(&base).replace(
            "<h2>{{ t.modules }}</h2>",
            "<h2>{{ t.modules }} (mall-8e2)</h2>",
        ),
    );
    let event = events.next("after editing a theme template");
    assert_eq!(named(&event), ["*"], "{event}");
    for (id, ..) in EXAMPLES {
        let staff = preview.page(&format!("/m/{id}/site/staff.html"));
        assert!(staff.contains("(mall-8e2)"), "{id}: old template");
    }
    assert!(events.within(QUIET).is_none(), "no further rebuilds");
}

#[test]
fn editor_temp_files_and_reads_trigger_nothing() {
    let preview = Preview::examples();
    let events = preview.events();
    let g0 = preview.generation();
    let modules = preview.path("moments/stresskoll/modules");
    for name in [
        ".02-om-stress.md.swp",
        ".02-om-stress.md.swx",
        "02-om-stress.md~",
        "4913",
        ".#02-om-stress.md",
        "#02-om-stress.md#",
        "02-om-stress.md.tmp",
    ] {
        let path = modules.join(name);
        std::fs::write(&path, "temporary").expect("write a temporary file");
        append(&path, " more");
        std::fs::remove_file(&path).expect("remove it");
    }
    // Reading sources is not a change.
    for entry in std::fs::read_dir(&modules).expect("list modules") {
        let _ = std::fs::read(entry.expect("entry").path());
    }
    assert!(
        events.within(QUIET).is_none(),
        "editor temporary files or reads triggered a rebuild"
    );
    // The watcher is alive: a real change is the very next event.
    append(&modules.join("02-om-stress.md"), "\n");
    let event = events.next("after a real edit");
    assert_eq!(named(&event), ["stresskoll"], "{event}");
    assert_eq!(generation_of(&event), g0 + 1, "{event}");
}

#[test]
fn new_and_removed_moments_come_and_go() {
    let preview = Preview::examples();
    let src = preview.path("moments/minimal");
    let staging = preview.path("staging-kopia");
    common::copy_tree(&src, &staging);
    let yaml = staging.join("moment.yaml");
    std::fs::write(
        &yaml,
        read(&yaml)
            .replace("id: minimal", "id: kopia")
            .replace("title: Minsta möjliga moment", "title: En kopia"),
    )
    .expect("edit the copy");
    std::fs::rename(&staging, preview.path("moments/kopia")).expect("move the copy in");
    preview.wait_until("the new moment builds", || {
        preview.status()["moments"]["kopia"]["errors"] == 0
    });
    assert!(preview.page("/").contains("En kopia"));
    assert!(
        preview
            .page("/m/kopia/site/index.html")
            .contains("<h1>En kopia</h1>")
    );

    std::fs::remove_dir_all(preview.path("moments/kopia")).expect("remove the copy");
    preview.wait_until("the removed moment disappears", || {
        preview.status()["moments"].get("kopia").is_none()
    });
    assert!(!preview.page("/").contains("En kopia"));
    assert_eq!(preview.get("/m/kopia/site/index.html").status, 404);
}

/// The first line of stdout says the preview is ready; a change saved right after
/// it must be seen. A tree with many folders makes the watcher's set-up take long
/// enough for the window to show: `serve` prints the line before it starts
/// watching.
#[test]
fn edits_right_after_the_ready_line_are_seen() {
    let repo = example_repo();
    // Many folders (media of a big moment): recursive watching takes a while.
    let media = repo.path().join("moments/somn/media/arkiv");
    for i in 0..20 {
        for j in 0..20 {
            std::fs::create_dir_all(media.join(format!("{i:02}/{j:02}"))).expect("a folder");
        }
    }
    let mut child = Command::new(BIN)
        .arg("preview")
        .arg(repo.path())
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moment preview");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("read the ready line");
    // Saved the moment the preview says it is ready.
    append(
        &repo
            .path()
            .join("moments/stresskoll/modules/02-om-stress.md"),
        "\nSparad direkt efter startraden 3e9.\n",
    );
    let guard = Preview {
        child,
        url: String::new(),
        port: first
            .trim_end()
            .trim_end_matches('/')
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {first}")),
        stdout: Lines::collect(stdout),
        stderr: Lines::default(),
        agent: ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(WAIT))
            .build()
            .into(),
        root: repo.path().to_path_buf(),
        _repo: None,
    };
    guard.wait_until(
        "the change saved right after the ready line is built",
        || {
            guard
                .get("/m/stresskoll/site/02-om-stress.html")
                .body
                .contains("Sparad direkt efter startraden 3e9.")
        },
    );
}

/// While edits (good and bad) are rebuilt, a reader hammering the pages never
/// gets an error status, an empty answer or a page cut in half.
#[test]
fn never_an_error_or_half_page_while_rebuilding() {
    let preview = Preview::examples();
    let events = preview.events();
    let port = preview.port;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_reader = Arc::clone(&stop);
    let reader = thread::spawn(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(WAIT))
            .build()
            .into();
        let pages = [
            "/m/stresskoll/site/index.html",
            "/m/stresskoll/site/02-om-stress.html",
            "/m/stresskoll/site/staff.html",
            "/m/stresskoll/site/style.css",
            "/",
        ];
        let mut count = 0usize;
        let mut problems = Vec::new();
        while !stop_reader.load(std::sync::atomic::Ordering::Relaxed) {
            for page in pages {
                let url = format!("http://127.0.0.1:{port}{page}");
                match agent.get(&url).call() {
                    Ok(mut r) => {
                        let status = r.status().as_u16();
                        let body = r.body_mut().read_to_string().unwrap_or_default();
                        let whole = if page.ends_with(".css") {
                            body.contains("body")
                        } else {
                            body.trim_end().ends_with("</html>")
                        };
                        if status != 200 || !whole {
                            problems.push(format!("{page}: {status}, {} bytes", body.len()));
                        }
                    }
                    Err(e) => problems.push(format!("{page}: {e}")),
                }
                count += 1;
            }
        }
        (count, problems)
    });
    let module = preview.path("moments/stresskoll/modules/02-om-stress.md");
    let yaml = preview.path("moments/stresskoll/moment.yaml");
    let good = read(&yaml);
    for round in 0..6 {
        append(&module, &format!("\nRunda {round}.\n"));
        events.next("after a good edit");
        replace_atomically(&yaml, &good.replace("kind: assessment", "kind: nonsense"));
        events.next("after a bad edit");
        replace_atomically(&yaml, &good);
        events.next("after the fix");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (count, problems) = reader.join().expect("the reader thread");
    assert!(count >= 20, "only {count} requests were made");
    assert!(
        problems.is_empty(),
        "{} of {count} answers during rebuilds were bad:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        preview
            .page("/m/stresskoll/site/02-om-stress.html")
            .contains("Runda 5.")
    );
}

#[test]
fn help_names_the_loopback_default() {
    let output = Command::new(BIN)
        .args(["preview", "--help"])
        .output()
        .expect("run --help");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("[default: 127.0.0.1]"), "{help}");
    assert!(help.contains("--port"), "{help}");
}
