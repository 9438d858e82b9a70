//! `moment preview` attacked as a hostile web page, a slow or greedy client and an odd
//! file name would: forged `Host` and `Origin` headers, ranged and repeated requests
//! for a 2 GB sparse video (memory and reads measured from `/proc`), half-sent
//! requests, stalled uploads, too many connections, random request lines, and module
//! files named with `%`, spaces and non-ASCII letters.
//!
//! Every request here is written byte for byte on a raw TCP connection, so that no
//! client library fixes a header or a path before the server sees it.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Longest wait for an answer or a condition.
const WAIT: Duration = Duration::from_secs(20);

/// The server's header-read timeout (`HEADER_TIMEOUT` in src/preview/listen.rs).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The server's idle timeout (`IDLE_TIMEOUT` in src/preview/listen.rs).
const IDLE_TIMEOUT: Duration = Duration::from_secs(20);

/// The server's connection cap (`MAX_CONNECTIONS` in src/preview/listen.rs).
const MAX_CONNECTIONS: usize = 128;

// ---------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------

/// A temporary copy of the repository's example moments.
fn example_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("create a temporary directory");
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(src.join("units.yaml"), tmp.path().join("units.yaml")).expect("copy units");
    common::copy_tree(&src.join("moments"), &tmp.path().join("moments"));
    common::copy_tree(&src.join("themes"), &tmp.path().join("themes"));
    tmp
}

/// A running `moment preview`; killed on drop.
struct Preview {
    child: Child,
    port: u16,
    /// The address listened on, as printed (`127.0.0.1`).
    address: String,
    root: PathBuf,
    _repo: Option<tempfile::TempDir>,
}

impl Preview {
    fn examples() -> Preview {
        let repo = example_repo();
        let mut preview = Preview::start(repo.path(), WAIT);
        preview._repo = Some(repo);
        preview
    }

    /// Starts `moment preview <root> --port 0` and waits up to `limit` for its address.
    fn start(root: &Path, limit: Duration) -> Preview {
        Preview::start_with(root, limit, &[])
    }

    /// Like [`Preview::start`], with more arguments.
    fn start_with(root: &Path, limit: Duration, extra: &[&str]) -> Preview {
        let mut child = Command::new(common::BIN)
            .arg("preview")
            .arg(root)
            .args(["--port", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moment preview");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let mut preview = Preview {
            child,
            port: 0,
            address: String::new(),
            root: root.to_path_buf(),
            _repo: None,
        };
        let first = rx
            .recv_timeout(limit)
            .unwrap_or_else(|_| panic!("moment preview printed no address within {limit:?}"));
        let (address, port) = first
            .split_whitespace()
            .find_map(|w| {
                w.strip_prefix("http://")?
                    .trim_end_matches('/')
                    .rsplit_once(':')
            })
            .and_then(|(a, p)| Some((a.to_owned(), p.parse().ok()?)))
            .unwrap_or_else(|| panic!("no address in {first}"));
        (preview.address, preview.port) = (address, port);
        preview
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn host(&self) -> String {
        format!("{}:{}", self.address, self.port)
    }

    /// GET with the right `Host` and the given extra header lines.
    fn get(&self, target: &str, extra: &[&str]) -> Answer {
        self.request("GET", target, extra, "")
    }

    fn request(&self, method: &str, target: &str, extra: &[&str], body: &str) -> Answer {
        let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", self.host());
        for line in extra {
            head.push_str(line);
            head.push_str("\r\n");
        }
        if !body.is_empty() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("Connection: close\r\n\r\n");
        head.push_str(body);
        send(self.port, head.as_bytes())
    }

    fn errors_of(&self, id: &str) -> u64 {
        let answer = self.get("/_moment/status", &[]);
        let status: serde_json::Value =
            serde_json::from_slice(&answer.body).expect("status is JSON");
        status["moments"][id]["errors"]
            .as_u64()
            .expect("an error count")
    }

    fn wait_until(&self, what: &str, mut cond: impl FnMut() -> bool) {
        let start = Instant::now();
        while !cond() {
            assert!(start.elapsed() < WAIT, "{what}: not within {WAIT:?}");
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// The asset paths (`/m/<id>/assets/…`) the pages of a moment refer to.
    fn assets(&self, id: &str, pages: &[&str]) -> Vec<String> {
        let mut found = Vec::new();
        for page in pages {
            let answer = self.get(&format!("/m/{id}/site/{page}"), &[]);
            assert_eq!(answer.status, 200, "{page}");
            let body = answer.text().replace("&#x2f;", "/");
            for (at, _) in body.match_indices("assets/") {
                let rest = &body[at..];
                let end = rest.find(['"', '\'', ')', ' ']).expect("end of a path");
                let asset = format!("/m/{id}/{}", &rest[..end]);
                if !found.contains(&asset) {
                    found.push(asset);
                }
            }
        }
        found
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One answer, read to the end of the connection.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn parse(raw: &[u8]) -> Option<Answer> {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let status = head
            .strip_prefix("HTTP/1.1 ")
            .or_else(|| head.strip_prefix("HTTP/1.0 "))
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())?;
        Some(Answer {
            status,
            head,
            body: raw[split + 4..].to_vec(),
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Writes `request` on a fresh connection and reads the answer to its end.
fn send(port: u16, request: &[u8]) -> Answer {
    let raw = exchange(port, request);
    Answer::parse(&raw).unwrap_or_else(|| {
        panic!(
            "no HTTP answer to {:?}: {:?}",
            String::from_utf8_lossy(&request[..request.len().min(200)]),
            String::from_utf8_lossy(&raw)
        )
    })
}

fn exchange(port: u16, request: &[u8]) -> Vec<u8> {
    exchange_at("127.0.0.1", port, request)
}

fn exchange_at(address: &str, port: u16, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect((address, port)).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("set a timeout");
    // The server may answer (and close) before a long request is written in full.
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    raw
}

/// How long until the server closes `stream` (reading and dropping whatever comes).
fn time_to_close(mut stream: TcpStream, limit: Duration) -> Duration {
    stream.set_read_timeout(Some(limit)).expect("set a timeout");
    let start = Instant::now();
    let mut buf = [0; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return start.elapsed(),
            Ok(_) => {}
        }
    }
}

/// A line of `/proc/<pid>/status` or `/proc/<pid>/io`, in its unit (kB or bytes).
fn proc_value(pid: u32, file: &str, key: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).expect("read /proc");
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {key} in /proc/{pid}/{file}"))
}

// ---------------------------------------------------------------------------------
// Host and Origin
// ---------------------------------------------------------------------------------

/// A page on the web that rebinds its own name to 127.0.0.1 sends its own name as
/// `Host`: the preview refuses it and everything else that does not name the preview.
#[test]
fn forged_host_headers_are_refused_with_421() {
    let preview = Preview::examples();
    let port = preview.port;
    let other = if port == 65535 { 1 } else { port + 1 };
    let assets = preview.assets("somn", &["04-dagen.html"]);
    let mut targets = vec![
        "/".to_owned(),
        "/_moment/status".to_owned(),
        "/_moment/events".to_owned(),
        "/m/somn/site/index.html".to_owned(),
        "/nowhere".to_owned(),
    ];
    targets.extend(assets);
    let forged = [
        format!("Host: evil.example:{port}"),
        "Host: evil.example".to_owned(),
        "Host: 127.0.0.1".to_owned(),
        format!("Host: 127.0.0.1:{other}"),
        format!("Host: localhost:{other}"),
        format!("Host: 127.0.0.1:{port}.evil.example"),
        format!("Host: localhost.:{port}"),
        format!("Host: 127.0.0.2:{port}"),
        format!("Host: 127.0.0.1:{port}\r\nHost: evil.example"),
        String::new(),
    ];
    for target in &targets {
        for host in &forged {
            let host_lines = if host.is_empty() {
                String::new()
            } else {
                format!("{host}\r\n")
            };
            let request = format!("GET {target} HTTP/1.1\r\n{host_lines}Connection: close\r\n\r\n");
            let answer = send(port, request.as_bytes());
            assert!(
                answer.status == 421 || (host.is_empty() && answer.status == 400),
                "GET {target} with {host:?} answered {}",
                answer.status
            );
            let text = answer.text();
            assert!(
                !text.contains("Sömn") && !text.contains("generation") && !text.contains("somn"),
                "GET {target} with {host:?} leaked content:\n{text}"
            );
            assert!(
                text.contains(&format!("http://{}/", preview.host())),
                "the refusal names the right address:\n{text}"
            );
        }
    }
    // HTTP/1.0 without Host, and an absolute target naming another host.
    for request in [
        "GET /_moment/status HTTP/1.0\r\n\r\n".to_owned(),
        format!(
            "GET http://evil.example:{port}/_moment/status HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            preview.host()
        ),
    ] {
        let answer = send(port, request.as_bytes());
        assert_eq!(answer.status, 421, "{request:?}");
    }
    // The names of the preview itself are answered.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let request =
            format!("GET /_moment/status HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let answer = send(port, request.as_bytes());
        assert_eq!(answer.status, 200, "Host: {host}");
        assert!(answer.text().contains("generation"), "Host: {host}");
    }
}

/// Another site's page may send a form or a `fetch` to the preview (its `Host` is
/// right): a request that is not a GET or HEAD from any origin but the preview's own
/// is refused.
#[test]
fn cross_origin_posts_are_refused_with_403() {
    let preview = Preview::examples();
    let port = preview.port;
    let other = if port == 65535 { 1 } else { port + 1 };
    let evaluate = "/_moment/evaluate/stresskoll/stresskoll";
    let graph = "/_moment/graph/stresskoll/stresskoll";
    let body = r#"{"answers": {}, "occasions": []}"#;
    let refused = [
        vec!["Origin: http://evil.example".to_owned()],
        vec!["Origin: null".to_owned()],
        vec![format!("Origin: http://127.0.0.1:{other}")],
        vec![format!("Origin: https://127.0.0.1:{port}")],
        vec![format!("Origin: http://127.0.0.1:{port}.evil.example")],
        vec![
            format!("Origin: http://127.0.0.1:{port}"),
            "Origin: http://evil.example".to_owned(),
        ],
        vec!["Sec-Fetch-Site: cross-site".to_owned()],
        vec![
            format!("Origin: http://127.0.0.1:{port}"),
            "Sec-Fetch-Site: same-site".to_owned(),
        ],
    ];
    for target in [evaluate, graph] {
        for headers in &refused {
            let extra: Vec<&str> = headers.iter().map(String::as_str).collect();
            let answer = preview.request("POST", target, &extra, body);
            assert_eq!(answer.status, 403, "POST {target} with {headers:?}");
            assert!(!answer.text().contains("scores"), "{}", answer.text());
        }
    }
    let accepted = [
        vec![],
        vec![format!("Origin: http://127.0.0.1:{port}")],
        vec![format!("Origin: http://localhost:{port}")],
        vec![
            format!("Origin: http://127.0.0.1:{port}"),
            "Sec-Fetch-Site: same-origin".to_owned(),
        ],
    ];
    for headers in &accepted {
        let extra: Vec<&str> = headers.iter().map(String::as_str).collect();
        let answer = preview.request("POST", evaluate, &extra, body);
        assert_eq!(answer.status, 200, "POST {evaluate} with {headers:?}");
        assert!(answer.text().contains("scores"), "{}", answer.text());
        let answer = preview.request("POST", graph, &extra, body);
        assert_eq!(answer.status, 200, "POST {graph} with {headers:?}");
    }
    // Reading is allowed from anywhere, but nothing invites another site to read it,
    // frame it or sniff it as something else.
    for target in ["/_moment/status", "/m/somn/site/index.html", "/nowhere"] {
        let answer = preview.get(target, &["Origin: http://evil.example"]);
        assert_eq!(
            answer.header("access-control-allow-origin"),
            None,
            "{target}"
        );
        assert_eq!(
            answer.header("x-frame-options"),
            Some("SAMEORIGIN"),
            "{target}"
        );
        assert_eq!(
            answer.header("x-content-type-options"),
            Some("nosniff"),
            "{target}"
        );
    }
    assert_eq!(preview.get("/_moment/status", &[]).status, 200);
}

/// With `--host`, the address given is a name of the preview too (here 127.0.0.2,
/// another loopback address); other names still are not.
#[test]
fn the_host_given_is_answered() {
    let repo = example_repo();
    let preview = Preview::start_with(repo.path(), WAIT, &["--host", "127.0.0.2"]);
    assert_eq!(preview.address, "127.0.0.2");
    let port = preview.port;
    for (host, status) in [
        (format!("127.0.0.2:{port}"), 200),
        (format!("localhost:{port}"), 200),
        (format!("evil.example:{port}"), 421),
        (format!("127.0.0.3:{port}"), 421),
    ] {
        let request =
            format!("GET /_moment/status HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let raw = exchange_at("127.0.0.2", port, request.as_bytes());
        let answer = Answer::parse(&raw).expect("an answer");
        assert_eq!(answer.status, status, "Host: {host}");
    }
}

// ---------------------------------------------------------------------------------
// Media
// ---------------------------------------------------------------------------------

/// A video as a browser fetches it: whole, in ranges, revalidated, and by HEAD.
#[test]
fn media_is_streamed_with_ranges_and_validators() {
    let preview = Preview::examples();
    let assets = preview.assets("somn", &["04-dagen.html", "01-om-somn.html"]);
    let video = assets
        .iter()
        .find(|a| a.ends_with(".mp4"))
        .expect("the sleep example has a video");
    let digest = video.rsplit('/').next().and_then(|f| f.split('.').next());
    let etag = format!("\"{}\"", digest.expect("a digest"));
    let bytes =
        std::fs::read(preview.root.join("moments/somn/media/andning.mp4")).expect("read the video");
    let len = bytes.len();
    assert!(len > 200, "a real video");

    let whole = preview.get(video, &[]);
    assert_eq!(whole.status, 200);
    assert_eq!(whole.body, bytes);
    assert_eq!(
        whole.header("content-length"),
        Some(len.to_string().as_str())
    );
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    assert_eq!(whole.header("content-type"), Some("video/mp4"));
    assert_eq!(whole.header("etag"), Some(etag.as_str()));
    let modified = whole
        .header("last-modified")
        .expect("Last-Modified")
        .to_owned();
    assert!(modified.ends_with(" GMT"), "{modified}");

    let ranges = [
        ("bytes=0-9", 0, 9),
        ("bytes=100-", 100, len - 1),
        ("bytes=-7", len - 7, len - 1),
        ("bytes=150-99999999", 150, len - 1),
    ];
    for (range, first, last) in ranges {
        let part = preview.get(video, &[&format!("Range: {range}")]);
        assert_eq!(part.status, 206, "{range}");
        assert_eq!(part.body, &bytes[first..=last], "{range}");
        assert_eq!(
            part.header("content-range"),
            Some(format!("bytes {first}-{last}/{len}").as_str()),
            "{range}"
        );
        assert_eq!(
            part.header("content-length"),
            Some((last - first + 1).to_string().as_str())
        );
    }
    let past = preview.get(video, &[&format!("Range: bytes={len}-")]);
    assert_eq!(past.status, 416);
    assert_eq!(
        past.header("content-range"),
        Some(format!("bytes */{len}").as_str())
    );
    // Several ranges, or a range for another version, get the whole file.
    for extra in [
        vec!["Range: bytes=0-1,4-5".to_owned()],
        vec![
            "Range: bytes=0-9".to_owned(),
            "If-Range: \"0000\"".to_owned(),
        ],
    ] {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let answer = preview.get(video, &extra);
        assert_eq!((answer.status, answer.body.len()), (200, len), "{extra:?}");
    }
    let if_range = format!("If-Range: {etag}");
    let answer = preview.get(video, &["Range: bytes=0-9", &if_range]);
    assert_eq!((answer.status, answer.body.len()), (206, 10));

    for validator in [
        format!("If-None-Match: {etag}"),
        format!("If-None-Match: \"other\", W/{etag}"),
        format!("If-Modified-Since: {modified}"),
    ] {
        let answer = preview.get(video, &[&validator]);
        assert_eq!(answer.status, 304, "{validator}");
        assert!(answer.body.is_empty());
    }
    let answer = preview.get(video, &["If-None-Match: \"other\""]);
    assert_eq!(answer.status, 200);

    let head = preview.request("HEAD", video, &[], "");
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(len.to_string().as_str())
    );
    assert!(head.body.is_empty());
}

/// A moment with an error keeps serving its last good build. A media file of that
/// build rewritten in place (same path, same size, other bytes) no longer has the
/// digest its name claims and is not served; written back, it is served again. So the
/// digest is remembered per version of the file, not per path.
#[test]
fn media_changed_in_place_is_refused_until_it_is_restored() {
    let preview = Preview::examples();
    let assets = preview.assets("somn", &["01-om-somn.html"]);
    let image = assets
        .iter()
        .find(|a| a.ends_with(".png"))
        .expect("an image");
    let path = preview.root.join("moments/somn/media/sang.png");
    let original = std::fs::read(&path).expect("read the image");
    assert_eq!(preview.get(image, &[]).body, original);

    let meta = preview.root.join("moments/somn/moment.yaml");
    let text = std::fs::read_to_string(&meta).expect("read moment.yaml");
    std::fs::write(
        &meta,
        text.replace("version: \"1.0.0\"", "version: \"ett\""),
    )
    .expect("break moment.yaml");
    preview.wait_until("the error is found", || preview.errors_of("somn") > 0);
    assert_eq!(
        preview.get(image, &[]).body,
        original,
        "the last good build's image is still served"
    );

    let mut changed = original.clone();
    let last = changed.len() - 1;
    changed[last] ^= 0xff;
    // Rewritten through the same inode, as an editor saving in place would.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open the image");
    file.write_all(&changed).expect("change the image");
    drop(file);
    let answer = preview.get(image, &[]);
    assert_eq!(answer.status, 404, "a changed file is not served");
    assert_ne!(answer.body, changed);

    std::fs::write(&path, &original).expect("restore the image");
    let answer = preview.get(image, &[]);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, original);
}

/// A 2 GiB (sparse) video, downloaded whole by three clients at once while a fourth
/// seeks near its end: the server's peak memory stays flat. The start-up hashes the
/// file once, and requests do not read it again to check its digest; a version of it
/// the start-up did not see (its mode changed, which moves the change time and is no
/// reason to rebuild) is hashed once, by the first request, for all of them.
#[test]
fn two_gigabyte_video_streams_to_three_clients_with_flat_memory() {
    const SIZE: u64 = 2 * 1024 * 1024 * 1024;
    let repo = example_repo();
    let video = repo.path().join("moments/somn/media/andning.mp4");
    std::fs::File::create(&video)
        .and_then(|f| f.set_len(SIZE))
        .expect("make a sparse 2 GiB video");
    // A file changed less than a second ago is hashed at every request (file times
    // tick coarsely): let it settle, as a video a designer added long ago has.
    thread::sleep(moment::load::fsread::SETTLED + Duration::from_millis(100));
    // The build digests every media file at start; give it time on a busy machine.
    let mut preview = Preview::start(repo.path(), Duration::from_secs(300));
    preview._repo = Some(repo);
    let pid = preview.pid();
    let target = preview
        .assets("somn", &["04-dagen.html", "01-om-somn.html"])
        .into_iter()
        .find(|a| a.ends_with(".mp4"))
        .expect("the video's asset path");

    // Start measuring after the start-up (which reads the whole file once).
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("reset the peak RSS");
    let before_kb = proc_value(pid, "status", "VmHWM");

    let ranged = |range: &str| {
        let request = format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\nRange: {range}\r\nConnection: close\r\n\r\n",
            preview.host()
        );
        let mut stream = TcpStream::connect(("127.0.0.1", preview.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(300)))
            .expect("timeout");
        stream.write_all(request.as_bytes()).expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        Answer::parse(&raw).expect("an answer")
    };
    let read = || proc_value(pid, "io", "rchar");
    // The start-up hashed this version of the file: the first request does not.
    let at_start = read();
    let first = ranged("bytes=0-0");
    assert_eq!((first.status, first.body.as_slice()), (206, &[0u8][..]));
    let reread = read() - at_start;
    assert!(
        reread < 64 * 1024 * 1024,
        "the first request read {reread} bytes: the digest the start-up took was not used"
    );

    // A version the start-up never saw.
    let mode = std::fs::metadata(&video).expect("stat").permissions();
    std::fs::set_permissions(&video, std::fs::Permissions::from_mode(0o600))
        .expect("change the mode");
    std::fs::set_permissions(&video, mode).expect("change the mode back");
    thread::sleep(moment::load::fsread::SETTLED + Duration::from_millis(100));
    // The first request digests it; a client that gives up meanwhile does not make
    // the next one start over.
    let read_at_start = read();
    let quitter = TcpStream::connect(("127.0.0.1", preview.port)).expect("connect");
    (&quitter)
        .write_all(
            format!(
                "GET {target} HTTP/1.1\r\nHost: {}\r\nRange: bytes=0-0\r\n\r\n",
                preview.host()
            )
            .as_bytes(),
        )
        .expect("send");
    thread::sleep(Duration::from_millis(300));
    drop(quitter);
    let first = ranged("bytes=0-0");
    assert_eq!((first.status, first.body.as_slice()), (206, &[0u8][..]));
    let read_before = read();
    let hashed = read_before - read_at_start;
    assert!(
        (SIZE..SIZE + SIZE / 2).contains(&hashed),
        "the first requests read {hashed} bytes: the file is digested once"
    );
    for range in ["bytes=1000-1999", "bytes=-10", "bytes=0-0"] {
        let answer = ranged(range);
        assert_eq!(answer.status, 206, "{range}");
    }
    let reread = read() - read_before;
    assert!(
        reread < 64 * 1024 * 1024,
        "later requests read {reread} bytes: the digest is computed per request"
    );

    let started = Instant::now();
    let clients: Vec<_> = (0..3)
        .map(|_| {
            let (port, host, target) = (preview.port, preview.host(), target.clone());
            thread::spawn(move || {
                let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
                stream
                    .set_read_timeout(Some(Duration::from_secs(120)))
                    .expect("timeout");
                let request =
                    format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
                stream.write_all(request.as_bytes()).expect("send");
                let mut reader = BufReader::with_capacity(1 << 20, stream);
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).expect("read the head");
                    if line == "\r\n" || line.is_empty() {
                        break;
                    }
                    head.push_str(&line);
                }
                let mut total: u64 = 0;
                let mut nonzero = false;
                let mut buf = vec![0; 1 << 20];
                loop {
                    let n = reader.read(&mut buf).expect("read the body");
                    if n == 0 {
                        break;
                    }
                    // Sample: a sparse file is all zeros.
                    nonzero |= buf[0] != 0 || buf[n - 1] != 0;
                    total += n as u64;
                }
                (head, total, nonzero)
            })
        })
        .collect();
    let seek = ranged(&format!("bytes={}-", SIZE - 1024 * 1024));
    assert_eq!(seek.status, 206);
    assert_eq!(seek.body.len(), 1024 * 1024);
    for client in clients {
        let (head, total, nonzero) = client.join().expect("a client");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("content-length: {SIZE}")),
            "{head}"
        );
        assert_eq!(total, SIZE, "the whole video arrives");
        assert!(!nonzero, "the content is the file's");
    }
    let after_kb = proc_value(pid, "status", "VmHWM");
    let grew_mb = after_kb.saturating_sub(before_kb) / 1024;
    eprintln!(
        "3 × 2 GiB in {:.1} s; peak RSS {} MB before, {} MB after (+{grew_mb} MB)",
        started.elapsed().as_secs_f64(),
        before_kb / 1024,
        after_kb / 1024
    );
    assert!(
        grew_mb < 100,
        "peak memory grew by {grew_mb} MB serving three 2 GiB downloads"
    );
}

// ---------------------------------------------------------------------------------
// Timeouts and limits
// ---------------------------------------------------------------------------------

/// A client that sends half a request, nothing at all, or its head a byte a second,
/// is cut off after the header timeout; a stalled upload after the idle timeout.
#[test]
fn slow_clients_are_cut_off() {
    let preview = Preview::examples();
    let port = preview.port;
    let host = preview.host();
    let limit = HEADER_TIMEOUT + Duration::from_secs(8);

    let half = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    (&half)
        .write_all(format!("GET / HTTP/1.1\r\nHost: {host}\r\n").as_bytes())
        .expect("send half a request");
    let silent = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let drip = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let dripper = {
        let mut drip = drip.try_clone().expect("clone");
        let host = host.clone();
        thread::spawn(move || {
            for byte in format!(
                "GET / HTTP/1.1\r\nHost: {host}\r\nX-Slow: {}",
                "a".repeat(40)
            )
            .bytes()
            {
                if drip.write_all(&[byte]).is_err() {
                    break;
                }
                thread::sleep(Duration::from_millis(700));
            }
        })
    };
    let upload = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    (&upload)
        .write_all(
            format!(
                "POST /_moment/evaluate/stresskoll/stresskoll HTTP/1.1\r\nHost: {host}\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
            )
            .as_bytes(),
        )
        .expect("start an upload");

    // One answered request, then silence on the kept-alive connection.
    let idle = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    (&idle)
        .write_all(format!("GET /_moment/status HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
        .expect("send a request");

    let waits: Vec<_> = [half, silent, drip, idle]
        .into_iter()
        .map(|s| thread::spawn(move || time_to_close(s, limit)))
        .collect();
    let upload_wait =
        thread::spawn(move || time_to_close(upload, IDLE_TIMEOUT + Duration::from_secs(10)));
    for (what, wait) in [
        "half a request",
        "nothing",
        "a byte at a time",
        "nothing after an answer",
    ]
    .into_iter()
    .zip(waits)
    {
        let took = wait.join().expect("a waiting thread");
        assert!(
            took >= HEADER_TIMEOUT - Duration::from_secs(2) && took < limit,
            "a client sending {what} was closed after {took:?}"
        );
    }
    let took = upload_wait.join().expect("a waiting thread");
    assert!(
        took >= IDLE_TIMEOUT - Duration::from_secs(2)
            && took < IDLE_TIMEOUT + Duration::from_secs(10),
        "a stalled upload was closed after {took:?}"
    );
    let _ = dripper.join();
    // Meanwhile, and afterwards, the preview answers everyone else.
    assert_eq!(preview.get("/_moment/status", &[]).status, 200);
}

/// The timeouts leave alone what a browser does: several requests on one kept-alive
/// connection, and the reload event stream, which stays open past the idle timeout
/// and still announces a change.
#[test]
fn keep_alive_and_the_event_stream_outlive_the_timeouts() {
    let preview = Preview::examples();
    let events = TcpStream::connect(("127.0.0.1", preview.port)).expect("connect");
    (&events)
        .write_all(
            format!(
                "GET /_moment/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
                preview.host()
            )
            .as_bytes(),
        )
        .expect("subscribe");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(events).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
        let _ = tx.send("<closed>".to_owned());
    });

    // Two requests on one connection, the second after a pause.
    let mut conn = TcpStream::connect(("127.0.0.1", preview.port)).expect("connect");
    conn.set_read_timeout(Some(WAIT)).expect("timeout");
    for round in 0..2 {
        write!(
            conn,
            "GET /_moment/status HTTP/1.1\r\nHost: {}\r\n\r\n",
            preview.host()
        )
        .expect("send");
        let mut reader = BufReader::new(&conn);
        let mut status = String::new();
        reader.read_line(&mut status).expect("status line");
        assert!(
            status.starts_with("HTTP/1.1 200"),
            "round {round}: {status}"
        );
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("a header");
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).expect("the body");
        thread::sleep(Duration::from_secs(2));
    }

    thread::sleep(IDLE_TIMEOUT + Duration::from_secs(5));
    let module = preview.root.join("moments/minimal/modules/01-start.md");
    let mut text = std::fs::read_to_string(&module).expect("read a module");
    text.push_str("\nEn rad till.\n");
    std::fs::write(&module, text).expect("edit a module");
    let start = Instant::now();
    loop {
        let line = rx
            .recv_timeout(WAIT.saturating_sub(start.elapsed()))
            .expect("the event stream announces the change");
        assert_ne!(line, "<closed>", "the event stream was closed");
        if line.starts_with("event:") && line.contains("reload") {
            break;
        }
    }
}

/// With every connection slot taken, one more client waits (it is not refused, and
/// nothing breaks); as soon as a slot frees up, it is served.
#[test]
fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let preview = Preview::examples();
    let mut held: Vec<TcpStream> = (0..MAX_CONNECTIONS)
        .map(|_| TcpStream::connect(("127.0.0.1", preview.port)).expect("connect"))
        .collect();
    thread::sleep(Duration::from_millis(300));
    let mut extra = TcpStream::connect(("127.0.0.1", preview.port)).expect("connect");
    write!(
        extra,
        "GET /_moment/status HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        preview.host()
    )
    .expect("send");
    extra
        .set_read_timeout(Some(Duration::from_millis(1500)))
        .expect("timeout");
    let mut buf = [0; 64];
    match extra.read(&mut buf) {
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) => {}
        other => panic!("a connection beyond the cap was served at once: {other:?}"),
    }
    held.truncate(MAX_CONNECTIONS - 4);
    extra.set_read_timeout(Some(WAIT)).expect("timeout");
    let mut raw = Vec::new();
    extra.read_to_end(&mut raw).expect("read the answer");
    let answer = Answer::parse(&raw).expect("an answer");
    assert_eq!(answer.status, 200);
    drop(held);
}

/// Paths that once gave 500 (a NUL byte in a moment id became a bad redirect header),
/// and the shapes around them.
#[test]
fn odd_paths_answer_4xx() {
    let preview = Preview::examples();
    let overlong = format!("/m/{}", "a".repeat(200_000));
    for target in [
        "/m/%00",
        "/m/%00/",
        "/m/%00/site",
        "/m/%00/site/index.html",
        "/m/%ff",
        "/m/%ff/site/index.html",
        "/m/somn/site/%00",
        "/m/somn/site/%ff%fe.html",
        "/m/somn/assets/%00",
        "/m/somn/assets/..%2f..%2fmoment.yaml",
        "/m/%0d%0aSet-Cookie:%20x=1",
        "/m/nope",
        "/%",
        "/m/%zz",
        overlong.as_str(),
    ] {
        let answer = preview.get(target, &[]);
        assert!(
            (400..500).contains(&answer.status),
            "GET {} answered {}",
            &target[..target.len().min(60)],
            answer.status
        );
        assert_eq!(answer.header("set-cookie"), None);
    }
    let answer = preview.get("/m/%00", &[]);
    assert_eq!(answer.status, 404);
    let answer = preview.get("/m/somn", &[]);
    assert_eq!(answer.status, 307);
    assert_eq!(answer.header("location"), Some("/m/somn/site/index.html"));
}

fn request_line() -> impl Strategy<Value = Vec<u8>> {
    let method = prop_oneof![
        Just(b"GET".to_vec()),
        Just(b"HEAD".to_vec()),
        Just(b"POST".to_vec()),
        Just(b"PUT".to_vec()),
        Just(b"DELETE".to_vec()),
        Just(b"OPTIONS".to_vec()),
        proptest::collection::vec(b'A'..=b'Z', 1..12),
    ];
    let prefix = prop_oneof![
        Just(b"/".to_vec()),
        Just(b"/m/".to_vec()),
        Just(b"/m/somn/".to_vec()),
        Just(b"/m/somn/site/".to_vec()),
        Just(b"/m/somn/assets/".to_vec()),
        Just(b"/m/stresskoll/site/".to_vec()),
        Just(b"/_moment/".to_vec()),
        Just(b"/_moment/evaluate/stresskoll/".to_vec()),
        Just(b"/_moment/graph/".to_vec()),
        Just(b"/_moment/status".to_vec()),
    ];
    let piece = prop_oneof![
        Just(b"%00".to_vec()),
        Just(b"%ff".to_vec()),
        Just(b"%c3%28".to_vec()),
        Just(b"%2e%2e".to_vec()),
        Just(b"%2f".to_vec()),
        Just(b"%".to_vec()),
        Just(b"%zz".to_vec()),
        Just(b"..".to_vec()),
        Just(b"/".to_vec()),
        Just(b"?".to_vec()),
        Just(b"#".to_vec()),
        Just(b"index.html".to_vec()),
        Just(b"stresskoll".to_vec()),
        // Raw bytes, valid or not as UTF-8, but no space or line break.
        proptest::collection::vec(
            any::<u8>().prop_filter("no separators", |b| !b" \r\n".contains(b)),
            1..8
        ),
        (1usize..70_000).prop_map(|n| vec![b'a'; n]),
    ];
    let path = (prefix, proptest::collection::vec(piece, 0..6))
        .prop_map(|(prefix, pieces)| [prefix, pieces.concat()].concat());
    let body = prop_oneof![
        Just(Vec::new()),
        Just(br#"{"answers": {"q1": 2}}"#.to_vec()),
        proptest::collection::vec(any::<u8>(), 0..64),
    ];
    (method, path, body).prop_map(|(method, path, body)| {
        let mut request = [method, b" ".to_vec(), path, b" HTTP/1.1\r\n".to_vec()].concat();
        request.extend_from_slice(b"Host: 127.0.0.1:PORT\r\nConnection: close\r\n");
        if !body.is_empty() {
            request.extend_from_slice(
                format!(
                    "Content-Type: application/json\r\nContent-Length: {}\r\n",
                    body.len()
                )
                .as_bytes(),
            );
        }
        request.extend_from_slice(b"\r\n");
        request.extend_from_slice(&body);
        request
    })
}

/// Random request lines (methods, paths with NUL, invalid UTF-8, bad escapes, and
/// paths of up to 400 kB; bodies of garbage) never get a 5xx, and always an answer.
#[test]
fn no_request_line_answers_5xx() {
    let preview = Preview::examples();
    let port = preview.port;
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&request_line(), |request| {
            let request = String::from_utf8_lossy(&request).replace("PORT", &port.to_string());
            let bytes = request.into_bytes();
            let raw = exchange(port, &bytes);
            let answer = Answer::parse(&raw);
            prop_assert!(
                answer.as_ref().is_some_and(|a| a.status < 500),
                "{:?} answered {:?}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(120)]),
                String::from_utf8_lossy(&raw[..raw.len().min(200)])
            );
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(preview.get("/_moment/status", &[]).status, 200);
}

// ---------------------------------------------------------------------------------
// File names
// ---------------------------------------------------------------------------------

const ODD_MODULES: &[(&str, &str)] = &[
    ("modules/01 två ord.md", "Två ord"),
    ("modules/02-procent%41.md", "Procent fyrtioett"),
    ("modules/02-procentA.md", "Bokstaven A"),
    ("modules/03-åäö ÅÄÖ.md", "Svenska bokstäver"),
];

/// A moment whose module files are named with a space, `%`, and Swedish letters —
/// and one whose `%41` a careless link would read as `A`, the name of another module.
fn odd_names_repo() -> tempfile::TempDir {
    let repo = tempfile::tempdir().expect("a folder");
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(src.join("units.yaml"), repo.path().join("units.yaml")).expect("copy units");
    let listed: String = ODD_MODULES
        .iter()
        .map(|(path, _)| format!("  - \"{path}\"\n"))
        .collect();
    common::write(
        repo.path(),
        "moments/namn/moment.yaml",
        &format!(
            "id: namn\nversion: \"0.1.0\"\ntitle: Konstiga filnamn\nunit: region-exempel-utbildning\n\
             kind: education\nlanguage: sv\nowners: [anna@example.se, bo@example.se]\n\
             welcome: welcome.md\nmodules:\n{listed}"
        ),
    );
    common::write(
        repo.path(),
        "moments/namn/welcome.md",
        "Välkommen. Börja med [första delen](<modules/01 två ord.md>) eller \
         [procentdelen](modules/02-procent%41.md).\n",
    );
    for (path, title) in ODD_MODULES {
        common::write(
            repo.path(),
            &format!("moments/namn/{path}"),
            &format!("---\ntitle: {title}\n---\nDet här är modulen {title}. Skriv kort.\n"),
        );
    }
    repo
}

/// The relative page links (`href="….html"`) of a page.
fn page_links(html: &str) -> Vec<String> {
    let mut links: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.ends_with(".html") && !h.contains(':') && !h.starts_with('/'))
        .map(str::to_owned)
        .collect();
    links.sort();
    links.dedup();
    links
}

/// Every module is reached by its own link, in the preview and in the built site.
#[test]
fn odd_file_names_link_to_their_own_pages() {
    let repo = odd_names_repo();
    let check = common::moment(repo.path(), &["check"]);
    assert_eq!(common::code(&check), 0, "{}", common::stdout(&check));

    let preview = Preview::start(repo.path(), WAIT);
    let index = preview.get("/m/namn/site/index.html", &[]);
    assert_eq!(index.status, 200);
    let index = index.text();
    let links = page_links(&index);
    let mut reached = Vec::new();
    for link in &links {
        // Written byte for byte, as a browser sends an already encoded link.
        assert!(link.is_ascii(), "a link is percent-encoded: {link}");
        let page = preview.get(&format!("/m/namn/site/{link}"), &[]);
        assert_eq!(page.status, 200, "{link}");
        let text = page.text();
        if let Some((_, title)) = ODD_MODULES
            .iter()
            .find(|(_, t)| text.contains(&format!("Det här är modulen {t}.")))
        {
            assert!(
                !reached.contains(title),
                "two links open {title}: {links:?}"
            );
            reached.push(*title);
        }
    }
    assert_eq!(
        reached.len(),
        ODD_MODULES.len(),
        "each module is reached by its own link: {links:?} reached {reached:?}"
    );
    for (_, title) in ODD_MODULES {
        assert!(index.contains(title), "the index lists {title}");
    }
    // The Markdown links of the welcome text are encoded the same way.
    assert!(
        index.contains("href=\"01%20tv%C3%A5%20ord.html\""),
        "{index}"
    );
    assert!(index.contains("href=\"02-procent%2541.html\""), "{index}");
    drop(preview);

    let build = common::moment(repo.path(), &["build"]);
    assert_eq!(common::code(&build), 0, "{}", common::stderr(&build));
    let site = repo.path().join("dist/namn/0.1.0/site");
    let built = std::fs::read_to_string(site.join("index.html")).expect("the built index");
    let mut found = 0;
    for link in page_links(&built) {
        let name = percent_encoding::percent_decode_str(&link)
            .decode_utf8()
            .expect("UTF-8")
            .into_owned();
        let page = std::fs::read_to_string(site.join(&name))
            .unwrap_or_else(|e| panic!("{link} → {name}: {e}"));
        found += usize::from(ODD_MODULES.iter().any(|(path, title)| {
            page.contains(&format!("Det här är modulen {title}."))
                && name
                    == format!(
                        "{}.html",
                        path.trim_start_matches("modules/").trim_end_matches(".md")
                    )
        }));
    }
    assert_eq!(
        found,
        ODD_MODULES.len(),
        "every built link opens its own file"
    );
}

/// `#` and `?` end the path of a link, so no link can name a file called
/// `03-hash#del.md` or `04-fråga?.md`: `check` refuses such a module (E026, at the
/// line that lists it) and nothing is built.
#[test]
fn hash_and_question_mark_names_are_refused_by_check() {
    let repo = odd_names_repo();
    let meta = repo.path().join("moments/namn/moment.yaml");
    let mut text = std::fs::read_to_string(&meta).expect("read moment.yaml");
    for (path, title) in [
        ("modules/04-hash#del.md", "Hash"),
        ("modules/05-fråga?.md", "Fråga"),
    ] {
        text.push_str(&format!("  - \"{path}\"\n"));
        common::write(
            repo.path(),
            &format!("moments/namn/{path}"),
            &format!("---\ntitle: {title}\n---\nDet här är modulen {title}. Skriv kort.\n"),
        );
    }
    std::fs::write(&meta, text).expect("list the modules");
    let (code, report) = common::check_json(repo.path(), &[]);
    assert_eq!(code, 1, "{report}");
    let lines = common::diag_lines(&report);
    for line in ["14", "15"] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("E026 moments/namn/moment.yaml:{line}:"))),
            "{lines:?}"
        );
    }
    let build = common::moment(repo.path(), &["build"]);
    assert_eq!(common::code(&build), 1);
    assert!(!repo.path().join("dist").exists(), "nothing is built");
}
