//! `moment lsp` driven over stdio by a scripted client, as an editor drives it: the
//! life cycle, diagnostics with UTF-16 positions (Swedish letters and an emoji before
//! the problem, a CRLF file), completion, hover, definition, quick fixes, symbols and
//! rename; and garbled input that must never crash it.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

/// A scripted LSP client around a running `moment lsp`.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    inbox: Receiver<Value>,
    stderr: std::thread::JoinHandle<String>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    notes: Vec<Value>,
    root: PathBuf,
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

impl Client {
    fn start(root: &Path) -> Client {
        Client::start_with(root, &[])
    }

    fn start_with(root: &Path, env: &[(&str, &str)]) -> Client {
        let mut child = Command::new(common::BIN)
            .arg("lsp")
            .envs(env.iter().copied())
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moment lsp");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let (tx, inbox) = mpsc::channel();
        std::thread::spawn(move || {
            let mut out = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut out) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Client {
            stdin: child.stdin.take(),
            child,
            inbox,
            stderr,
            next_id: 1,
            notes: Vec::new(),
            root: root.to_path_buf(),
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        if let Some(stdin) = &mut self.stdin {
            // The server may have ended already (a test of garbage checks that later).
            let _ = stdin.write_all(bytes).and_then(|()| stdin.flush());
        }
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend(body);
        self.send_raw(&frame);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (the whole response object).
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.inbox.recv_timeout(left) {
                Ok(m) if m.get("id") == Some(&json!(id)) && m.get("method").is_none() => return m,
                Ok(m) => self.notes.push(m),
                Err(e) => panic!("no answer to {method} ({e:?}); got {:#?}", self.notes),
            }
        }
    }

    /// Sends a request and returns its `result`, failing on an error.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    fn uri(&self, rel: &str) -> String {
        format!("file://{}/{rel}", self.root.display())
    }

    /// Waits for diagnostics of `rel` published for document version `version`.
    fn diagnostics(&mut self, rel: &str, version: Option<i64>) -> Vec<Value> {
        let uri = self.uri(rel);
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && (version.is_none() || m["params"]["version"] == json!(version))
        };
        if let Some(i) = self.notes.iter().rposition(matches) {
            let m = self.notes.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.inbox.recv_timeout(left) {
                Ok(m) if matches(&m) => {
                    return m["params"]["diagnostics"].as_array().unwrap().clone();
                }
                Ok(m) => self.notes.push(m),
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no diagnostics for {rel} version {version:?}; got {:#?}",
                        self.notes
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server ended; stderr: {}", self.finish().1)
                }
            }
        }
    }

    fn initialize(&mut self) -> Value {
        let root = self.uri("");
        let result = self.request(
            "initialize",
            json!({"processId": null, "rootUri": root.trim_end_matches('/'), "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, rel: &str, text: &str, version: i64) {
        let uri = self.uri(rel);
        let language = if rel.ends_with(".md") {
            "markdown"
        } else {
            "yaml"
        };
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}),
        );
    }

    fn at(&self, rel: &str, line: u32, character: u32) -> Value {
        json!({"textDocument": {"uri": self.uri(rel)}, "position": {"line": line, "character": character}})
    }

    /// Closes stdin and waits for the server to end: exit code and stderr.
    fn finish(&mut self) -> (Option<i32>, String) {
        self.stdin = None;
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                self.child.kill().ok();
                panic!("moment lsp did not end after stdin closed");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stderr = std::mem::replace(&mut self.stderr, std::thread::spawn(String::new));
        (status.code(), stderr.join().unwrap_or_default())
    }
}

/// The UTF-16 length of the first `chars` characters of `line`.
fn utf16(line: &str, chars: usize) -> u32 {
    line.chars().take(chars).map(char::len_utf16).sum::<usize>() as u32
}

/// Applies LSP text edits (UTF-16 positions) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, ch) in text[start..].char_indices() {
            if units >= p["character"].as_u64().unwrap() as usize {
                return start + i;
            }
            units += ch.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_owned();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

/// A repository with `units.yaml` and the worked example `somn`.
fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(src.join("units.yaml"), tmp.path().join("units.yaml")).unwrap();
    common::copy_tree(&src.join("moments/somn"), &tmp.path().join("moments/somn"));
    tmp
}

const MODULE: &str = "moments/somn/modules/01-om-somn.md";
const DIARY: &str = "moments/somn/modules/02-somndagbok.md";
const FORM: &str = "moments/somn/forms/somndagbok.yaml";
const TESTS: &str = "moments/somn/forms/somndagbok.tests.yaml";

/// The labels of a completion answer.
fn completion_labels(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect()
}

fn line_of(text: &str, needle: &str) -> (u32, String) {
    let (i, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap();
    (i as u32, line.to_owned())
}

#[test]
fn a_scripted_editor_session_uses_every_feature() {
    let repo = repository();
    let root = repo.path().canonicalize().unwrap();
    // An image without alt text after Swedish letters and an emoji, on disk, so that
    // `moment check` sees the same file.
    let module_path = root.join(MODULE);
    let mut module = std::fs::read_to_string(&module_path).unwrap();
    module = module.replacen(
        "Alla sover dåligt ibland.",
        "Sömn är viktig för både kropp och själ 😴 ![](../media/sang.png) Alla sover dåligt ibland.",
        1,
    );
    std::fs::write(&module_path, &module).unwrap();
    let (_, report) = common::check_json(&root, &[]);
    let w001 = common::diagnostics(&report)
        .iter()
        .find(|d| d["code"] == "W001" && d["file"] == MODULE)
        .expect("moment check reports W001")
        .clone();

    let mut c = Client::start(&root);
    let init = c.initialize();
    let caps = &init["capabilities"];
    for cap in [
        "completionProvider",
        "hoverProvider",
        "definitionProvider",
        "codeActionProvider",
        "documentSymbolProvider",
        "renameProvider",
    ] {
        assert!(!caps[cap].is_null(), "no {cap} in {caps}");
    }

    // Diagnostics: the same code, line and hint as `moment check`, the column in UTF-16.
    c.open(MODULE, &module, 1);
    let diags = c.diagnostics(MODULE, Some(1));
    let d = diags
        .iter()
        .find(|d| d["code"] == "W001")
        .expect("W001 in the editor");
    let check_line = w001["line"].as_u64().unwrap() as u32;
    let check_column = w001["column"].as_u64().unwrap() as usize;
    let text_line = module.lines().nth(check_line as usize - 1).unwrap();
    assert_eq!(d["range"]["start"]["line"], check_line - 1);
    let want = utf16(text_line, check_column - 1);
    assert_eq!(d["range"]["start"]["character"], want, "{d}");
    // Before `![` are 39 characters of which one (😴) is two UTF-16 units.
    let before: &str = &text_line[..text_line.find("![").unwrap()];
    assert_eq!(want as usize, before.chars().count() + 1);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains(w001["hint"].as_str().unwrap())
    );
    assert_eq!(d["severity"], 2);

    // The quick fix for the alt text puts a placeholder between the brackets.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": c.uri(MODULE)}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let edit = &actions[0]["edit"]["documentChanges"][0]["edits"][0];
    assert_eq!(edit["range"]["start"]["character"], want + 2, "{actions}");
    assert!(edit["newText"].as_str().unwrap().starts_with("Beskriv"));

    // An edit in the editor, unsaved: a form reference with a typo.
    let diary = std::fs::read_to_string(root.join(DIARY)).unwrap();
    c.open(DIARY, &diary, 1);
    assert!(c.diagnostics(DIARY, Some(1)).is_empty());
    let (ref_line, ref_text) = line_of(&diary, "ref: somndagbok");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": c.uri(DIARY), "version": 2},
               "contentChanges": [{"range": {"start": {"line": ref_line, "character": 14}, "end": {"line": ref_line, "character": 15}}, "text": ""}]}),
    );
    let diags = c.diagnostics(DIARY, Some(2));
    let e029 = diags
        .iter()
        .find(|d| d["code"] == "E029")
        .unwrap_or_else(|| panic!("{diags:#?}"));
    assert_eq!(
        e029["range"]["start"],
        json!({"line": ref_line, "character": 5})
    );
    assert_eq!(
        e029["range"]["end"],
        json!({"line": ref_line, "character": 14})
    );
    assert!(
        e029["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `somndagbok`?")
    );
    // The file on disk is unchanged: the buffer was checked.
    assert!(
        std::fs::read_to_string(root.join(DIARY))
            .unwrap()
            .contains(&ref_text)
    );

    // Did-you-mean quick fix.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": c.uri(DIARY)}, "range": e029["range"], "context": {"diagnostics": [e029]}}),
    );
    let edit = &actions[0]["edit"]["documentChanges"][0]["edits"][0];
    assert_eq!(edit["newText"], "somndagbok", "{actions}");
    assert_eq!(edit["range"], e029["range"]);

    // Hover on the diagnostic: its `moment explain` text.
    let hover = c.request("textDocument/hover", c.at(DIARY, ref_line, 7));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        shown.contains("## E029 — form reference does not resolve"),
        "{shown}"
    );

    // Completion of form ids in `ref:`.
    let items = c.request("textDocument/completion", c.at(DIARY, ref_line, 9));
    let labels = completion_labels(&items);
    assert_eq!(labels, ["somndagbok"]);
    assert_eq!(items[0]["textEdit"]["range"]["start"]["character"], 5);

    // Hover on a front matter key: the schema's description.
    let hover = c.request("textDocument/hover", c.at(DIARY, 2, 3));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("staff"),
        "{hover}"
    );

    // Definition: from the ref to the form; from a link to the module.
    let restored = diary.clone();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": c.uri(DIARY), "version": 3}, "contentChanges": [{"text": restored}]}),
    );
    assert!(c.diagnostics(DIARY, Some(3)).is_empty());
    let def = c.request("textDocument/definition", c.at(DIARY, ref_line, 8));
    assert_eq!(def["uri"], c.uri(FORM));
    let (link_line, link_text) = line_of(&diary, "](03-rutiner.md)");
    let col = utf16(
        &link_text,
        link_text.chars().position(|ch| ch == ']').unwrap() + 3,
    );
    let def = c.request("textDocument/definition", c.at(DIARY, link_line, col));
    assert_eq!(def["uri"], c.uri("moments/somn/modules/03-rutiner.md"));

    // Completion in a form: earlier item ids in enable_when; numeric items in sum.
    let form = std::fs::read_to_string(root.join(FORM)).unwrap();
    c.open(FORM, &form, 1);
    let (cond_line, cond_text) = line_of(&form, "enable_when:");
    let item_col = cond_text.find("item: ").unwrap() + "item: ".len();
    let items = c.request(
        "textDocument/completion",
        c.at(FORM, cond_line, item_col as u32),
    );
    let labels = completion_labels(&items);
    assert!(
        labels.contains(&"vaknade") && !labels.contains(&"antal_uppvak"),
        "{labels:?}"
    );
    let (sum_line, sum_text) = line_of(&form, "sum: [");
    let items = c.request(
        "textDocument/completion",
        c.at(FORM, sum_line, (sum_text.find('[').unwrap() + 1) as u32),
    );
    let labels = completion_labels(&items);
    assert!(
        labels.contains(&"kvalitet") && !labels.contains(&"sanggaende"),
        "{labels:?}"
    );
    // Schema keys in an item.
    let items = c.request("textDocument/completion", c.at(FORM, cond_line, 4));
    let labels = completion_labels(&items);
    assert!(
        labels.contains(&"enable_when") && labels.contains(&"required"),
        "{labels:?}"
    );

    // Definition of an item id used in a condition.
    let def = c.request(
        "textDocument/definition",
        c.at(FORM, cond_line, (item_col + 1) as u32),
    );
    let (vaknade_line, _) = line_of(&form, "- id: vaknade");
    assert_eq!(def["range"]["start"]["line"], vaknade_line);

    // Symbols of the form.
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": c.uri(FORM)}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"kvalitet")
            && names.contains(&"somnkvalitet")
            && names.contains(&"kort-somn"),
        "{names:?}"
    );

    // Band labels in form tests.
    let tests = std::fs::read_to_string(root.join(TESTS)).unwrap();
    c.open(TESTS, &tests, 1);
    let (band_line, band_text) = line_of(&tests, "bands: {somnkvalitet: ");
    let col = band_text.find("somnkvalitet: ").unwrap() + "somnkvalitet: ".len();
    let items = c.request(
        "textDocument/completion",
        c.at(TESTS, band_line, col as u32),
    );
    let labels = completion_labels(&items);
    assert!(
        labels.contains(&"God") && labels.contains(&"Dålig"),
        "{labels:?}"
    );

    // Rename an item id across the form and its tests.
    let (q_line, q_text) = line_of(&form, "- id: kvalitet");
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": c.uri(FORM)}, "position": {"line": q_line, "character": q_text.find("kvalitet").unwrap() + 2}, "newName": "somnbetyg"}),
    );
    let ops = edit["documentChanges"].as_array().unwrap();
    let count = |rel: &str| -> usize {
        ops.iter()
            .filter(|o| o["textDocument"]["uri"] == c.uri(rel))
            .map(|o| o["edits"].as_array().unwrap().len())
            .sum()
    };
    // The item's `id:` and the score's `sum: [kvalitet]`; one answer per scenario.
    assert_eq!(count(FORM), 2, "{edit:#}");
    assert_eq!(
        count(TESTS),
        tests.matches(" kvalitet:").count(),
        "{edit:#}"
    );
    let edits_of = |rel: &str| -> Vec<Value> {
        ops.iter()
            .filter(|o| o["textDocument"]["uri"] == c.uri(rel))
            .flat_map(|o| o["edits"].as_array().unwrap().clone())
            .collect()
    };
    let renamed = apply(&form, &edits_of(FORM));
    assert!(
        renamed.contains("  - id: somnbetyg\n") && renamed.contains("sum: [somnbetyg]"),
        "{renamed}"
    );
    assert!(renamed.contains("title: Sömnkvalitet"), "{renamed}");
    let renamed = apply(&tests, &edits_of(TESTS));
    assert_eq!(renamed.matches(" somnbetyg: ").count(), 5, "{renamed}");

    // Rename a form id: its id, the ref in the module, the files.
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": c.uri(DIARY)}, "position": {"line": ref_line, "character": 7}, "newName": "dagbok"}),
    );
    let ops = edit["documentChanges"].as_array().unwrap();
    assert!(
        ops.iter().any(|o| o["textDocument"]["uri"] == c.uri(DIARY)),
        "{edit:#}"
    );
    assert!(
        ops.iter().any(
            |o| o["kind"] == "rename" && o["newUri"] == c.uri("moments/somn/forms/dagbok.yaml")
        ),
        "{edit:#}"
    );
    assert!(
        ops.iter().any(|o| o["kind"] == "rename"
            && o["newUri"] == c.uri("moments/somn/forms/dagbok.tests.yaml")),
        "{edit:#}"
    );
    let refused = c.call(
        "textDocument/rename",
        json!({"textDocument": {"uri": c.uri(DIARY)}, "position": {"line": ref_line, "character": 7}, "newName": "Not A Slug"}),
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a form id"),
        "{refused}"
    );

    // Symbols of moment.yaml: its modules.
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": c.uri("moments/somn/moment.yaml")}}),
    );
    assert_eq!(symbols.as_array().unwrap().len(), 5, "{symbols}");

    // Definition from moment.yaml's module list to the file.
    let meta = std::fs::read_to_string(root.join("moments/somn/moment.yaml")).unwrap();
    let (m_line, _) = line_of(&meta, "- modules/04-dagen.md");
    let def = c.request(
        "textDocument/definition",
        c.at("moments/somn/moment.yaml", m_line, 8),
    );
    assert_eq!(def["uri"], c.uri("moments/somn/modules/04-dagen.md"));

    // Media completion in a link.
    let (img_line, img_text) = line_of(&module, "😴 ![](");
    let col = utf16(
        &img_text,
        img_text.chars().position(|ch| ch == '(').unwrap() + 1,
    );
    let items = c.request("textDocument/completion", c.at(MODULE, img_line, col));
    let labels = completion_labels(&items);
    assert!(
        labels.contains(&"../media/sang.png") && labels.contains(&"../media/andning.mp4"),
        "{labels:?}"
    );

    // A skipped heading level, typed in the editor: the quick fix sets the level.
    let skipped = module.replacen(
        "### Hur mycket sömn behöver du?",
        "#### Hur mycket sömn behöver du?",
        1,
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": c.uri(MODULE), "version": 2}, "contentChanges": [{"text": skipped}]}),
    );
    let diags = c.diagnostics(MODULE, Some(2));
    let w004 = diags
        .iter()
        .find(|d| d["code"] == "W004")
        .unwrap_or_else(|| panic!("{diags:#?}"));
    let (h_line, _) = line_of(&skipped, "#### Hur mycket");
    assert_eq!(w004["range"]["start"]["line"], h_line);
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": c.uri(MODULE)}, "range": w004["range"], "context": {"diagnostics": [w004]}}),
    );
    let change = &actions[0]["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 2, "{actions}");
    let fixed = apply(&skipped, change["edits"].as_array().unwrap());
    assert_eq!(fixed, module);

    // Shutdown, exit: a clean end.
    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    c.notify("exit", Value::Null);
    let (code, stderr) = c.finish();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_crlf_file_gets_positions_without_the_carriage_returns() {
    let repo = repository();
    let root = repo.path().canonicalize().unwrap();
    let form = std::fs::read_to_string(root.join(FORM)).unwrap();
    let broken = form
        .replacen("\ntitle: Sömndagbok\n", "\ntitel: Sömndagbok\n", 1)
        .replace('\n', "\r\n");
    std::fs::write(root.join(FORM), &broken).unwrap();
    let (_, report) = common::check_json(&root, &[]);
    let e011 = common::diagnostics(&report)
        .iter()
        .find(|d| d["code"] == "E011" && d["file"] == FORM)
        .expect("moment check reports the unknown key")
        .clone();
    let mut c = Client::start(&root);
    c.initialize();
    c.open(FORM, &broken, 7);
    let diags = c.diagnostics(FORM, Some(7));
    let d = diags
        .iter()
        .find(|d| d["code"] == "E011")
        .unwrap_or_else(|| panic!("{diags:#?}"));
    assert_eq!(
        d["range"]["start"],
        json!({"line": e011["line"].as_u64().unwrap() - 1, "character": 0})
    );
    assert_eq!(
        d["range"]["end"],
        json!({"line": e011["line"].as_u64().unwrap() - 1, "character": 5})
    );
    // The quick fix replaces the key only, and completion at the end of a CRLF line
    // does not count the carriage return.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": c.uri(FORM)}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let edit = &actions[0]["edit"]["documentChanges"][0]["edits"][0];
    assert_eq!(edit["newText"], "title", "{actions}");
    assert_eq!(edit["range"], d["range"]);
    let (kind_line, _) = line_of(&broken, "kind: registration");
    let items = c.request("textDocument/completion", c.at(FORM, kind_line, 6));
    let labels = completion_labels(&items);
    assert!(labels.contains(&"questionnaire"), "{labels:?}");
    assert_eq!(
        items[0]["textEdit"]["range"]["end"],
        json!({"line": kind_line, "character": 6})
    );
    c.notify("exit", Value::Null);
    let (code, stderr) = c.finish();
    assert_eq!(
        code,
        Some(1),
        "exit without shutdown is exit code 1; {stderr}"
    );
}

#[test]
fn stale_results_are_dropped_and_only_the_newest_version_is_published() {
    let repo = repository();
    let root = repo.path().canonicalize().unwrap();
    let diary = std::fs::read_to_string(root.join(DIARY)).unwrap();
    // A second moment with a problem on disk: edits in `somn` must not re-check it.
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::copy_tree(&src.join("moments/minimal"), &root.join("moments/minimal"));
    let welcome = root.join("moments/minimal/welcome.md");
    std::fs::write(&welcome, "Se ![](bild.png)\n").unwrap();
    let mut c = Client::start_with(&root, &[("MOMENT_LSP_TRACE", "1")]);
    c.initialize();
    c.open(DIARY, &diary, 1);
    for v in 2..=40 {
        let text = if v % 2 == 0 {
            diary.replace("ref: somndagbok", "ref: x")
        } else {
            diary.clone()
        };
        c.notify("textDocument/didChange", json!({"textDocument": {"uri": c.uri(DIARY), "version": v}, "contentChanges": [{"text": text}]}));
    }
    let last = c.diagnostics(DIARY, Some(40));
    assert!(last.iter().any(|d| d["code"] == "E029"), "{last:#?}");
    // Nothing published for this file after version 40 came in was older than 40.
    c.request("shutdown", Value::Null);
    let versions: Vec<i64> = c
        .notes
        .iter()
        .filter(|m| m["params"]["uri"] == c.uri(DIARY).as_str())
        .filter_map(|m| m["params"]["version"].as_i64())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{versions:?}");
    let other = c.uri("moments/minimal/welcome.md");
    let about_other = c
        .notes
        .iter()
        .filter(|m| m["params"]["uri"] == other.as_str())
        .count();
    assert_eq!(
        about_other, 1,
        "only the first check of the whole repository reports minimal"
    );
    c.notify("exit", Value::Null);
    let (code, stderr) = c.finish();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr.matches("checked Repository").count(), 1, "{stderr}");
    assert!(stderr.contains("checked Moment(\"somn\")"), "{stderr}");
    assert!(!stderr.contains("Moment(\"minimal\")"), "{stderr}");
}

/// Random JSON values with the keys LSP messages use.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop::sample::select(vec![
        "textDocument",
        "uri",
        "position",
        "line",
        "character",
        "text",
        "version",
        "contentChanges",
        "range",
        "start",
        "end",
        "newName",
        "context",
        "diagnostics",
        "code",
        "source",
        "data",
        "hint",
        "message",
        "capabilities",
        "rootUri",
        "languageId",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u32..5000).prop_map(Value::from),
        "[a-zåäö😴\\r\\n :{}\\[\\]#!()`-]{0,40}".prop_map(Value::from),
        Just(Value::from("file:///nowhere/moments/x/forms/a.yaml")),
        Just(Value::from("moment")),
        Just(Value::from("E029")),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

/// One frame of input: a message with a real method and random params, or garbage.
fn frame(root: String) -> impl Strategy<Value = Vec<u8>> {
    let method = prop::sample::select(vec![
        "initialize",
        "initialized",
        "textDocument/didOpen",
        "textDocument/didChange",
        "textDocument/didClose",
        "textDocument/didSave",
        "textDocument/completion",
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/codeAction",
        "textDocument/documentSymbol",
        "textDocument/rename",
        "textDocument/prepareRename",
        "$/cancelRequest",
        "shutdown",
        "unknown/x",
    ]);
    let files = prop::sample::select(vec![
        MODULE,
        DIARY,
        FORM,
        TESTS,
        "moments/somn/moment.yaml",
        "units.yaml",
    ]);
    let message = (method, json_value(), prop::option::of(0i64..100), files, any::<u16>(), any::<u16>(), "[a-z:{}\\[\\] \\n😴å-]{0,30}")
        .prop_map(move |(method, params, id, file, line, ch, text)| {
            let uri = format!("file://{root}/{file}");
            // Half of the messages carry well-formed document params, so that the
            // handlers get past parsing.
            let params = if line % 2 == 0 {
                json!({"textDocument": {"uri": uri, "version": ch, "text": text, "languageId": "x"},
                       "position": {"line": line % 40, "character": ch % 90},
                       "contentChanges": [{"range": {"start": {"line": line % 50, "character": ch}, "end": {"line": 1, "character": 0}}, "text": text}],
                       "range": {"start": {"line": line % 40, "character": 0}, "end": {"line": line % 40, "character": ch % 90}},
                       "context": {"diagnostics": [{"range": {"start": {"line": line % 40, "character": ch % 50}, "end": {"line": 0, "character": 0}}, "message": text, "code": "W004", "source": "moment", "data": {"hint": text}}]},
                       "newName": text, "rootUri": format!("file://{root}"), "capabilities": {}})
            } else {
                params
            };
            let mut m = json!({"jsonrpc": "2.0", "method": method, "params": params});
            if let Some(id) = id {
                m["id"] = json!(id);
            }
            let body = serde_json::to_vec(&m).unwrap();
            let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
            out.extend(body);
            out
        });
    let garbage = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        "[{}\\[\\]\":,a-z0-9 ]{0,60}".prop_map(|s| format!(
            "Content-Length: {}\r\n\r\n{s}",
            s.len()
        )
        .into_bytes()),
        Just(b"Content-Length: 18446744073709551616\r\n\r\n".to_vec()),
        Just(b"Content-Length: -1\r\n\r\n{}".to_vec()),
        Just(b"Content-Type: x\r\n\r\n".to_vec()),
    ];
    prop_oneof![4 => message, 1 => garbage]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random and garbled JSON-RPC never crashes the server: it ends when stdin ends,
    /// without a panic, and while it runs it still answers a well-formed request.
    #[test]
    fn garbled_messages_never_crash_the_server(frames in prop::collection::vec(frame(String::new()), 1..30)) {
        let repo = repository();
        let root = repo.path().canonicalize().unwrap();
        // Re-point the URIs of the generated frames at this repository.
        let mut c = Client::start(&root);
        c.initialize();
        for f in &frames {
            let bytes = String::from_utf8(f.clone())
                .map(|s| s.replace("file:///", &format!("file://{}/", root.display())).into_bytes())
                .map(|b| {
                    // Keep Content-Length right after re-pointing.
                    match b.windows(4).position(|w| w == b"\r\n\r\n") {
                        Some(i) if b.starts_with(b"Content-Length: ") && b.len() > i + 4 && f.starts_with(b"Content-Length: ") && serde_json::from_slice::<Value>(&b[i + 4..]).is_ok() => {
                            let body = &b[i + 4..];
                            let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
                            out.extend_from_slice(body);
                            out
                        }
                        _ => f.clone(),
                    }
                })
                .unwrap_or_else(|_| f.clone());
            c.send_raw(&bytes);
        }
        // A frame cut in the middle would swallow what follows: end it first.
        c.send_raw(b"\r\n\r\n");
        c.send_raw(b"Content-Length: 2\r\n\r\n{}");
        let _ = c.call("textDocument/documentSymbol", json!({"textDocument": {"uri": c.uri(FORM)}}));
        let (code, stderr) = c.finish();
        prop_assert!(!stderr.contains("panicked"), "{}", stderr);
        prop_assert!(code.is_some(), "killed by a signal; {}", stderr);
    }
}
