//! Property tests of the loaders: whatever the input, the YAML loader, the front-matter
//! split and the Markdown loader never panic, every position they report lies inside the
//! text, and a whole `moment check` over a damaged repository ends with exit code 0 or 1,
//! never 2, a panic or a crash.
//!
//! Inputs are arbitrary strings, arbitrary bytes (through `source::decode`), strings made
//! of YAML and Markdown tokens, and structured mutations of the real example files under
//! `moments/`: lines deleted, duplicated, swapped or re-indented, tabs, anchors and
//! aliases, `---` lines, fences and random Unicode inserted.
//!
//! The number of cases is modest by default (256 in process, 32 for runs of the binary);
//! set `PROPTEST_CASES` to run more, such as `PROPTEST_CASES=5000 cargo test --test
//! loader_props --release`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use moment::diagnostic::{Diagnostic, Pos};
use moment::load::markdown;
use moment::load::source;
use moment::load::yaml::{self, Node, Offset, Value};
use moment::schema::Schemas;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestCaseError;

// ------------------------------------------------------------------ settings

/// Cases per property: `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default),
        ..ProptestConfig::default()
    }
}

fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(Schemas::compile)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every text file (YAML and Markdown) of the example moments, plus `units.yaml`,
/// by repository-relative path.
fn examples() -> &'static Vec<(String, String)> {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut files = vec![(
            "units.yaml".to_owned(),
            std::fs::read_to_string(root().join("units.yaml")).expect("units.yaml"),
        )];
        let mut paths = Vec::new();
        collect(&root().join("moments"), &mut paths);
        paths.sort();
        for path in paths {
            let is_text = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "md"));
            if is_text {
                let rel = path
                    .strip_prefix(root())
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((
                    rel,
                    std::fs::read_to_string(&path).expect("example is UTF-8"),
                ));
            }
        }
        assert!(files.len() > 5, "the example moments are missing");
        files
    })
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

// ------------------------------------------------------------------ positions

/// The number of lines of `text` as the parsers see them: `\n`, `\r\n` and a lone `\r`
/// all end a line.
fn line_count(text: &str) -> u32 {
    let bytes = text.as_bytes();
    let mut lines = 1;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            lines += 1;
        }
    }
    lines
}

/// Checks that `pos` lies inside a text of `lines` lines (one past the end is allowed).
fn in_text(pos: Pos, lines: u32, what: &str, input: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        pos.line >= 1 && pos.line <= lines + 1,
        "{what} at line {} outside a text of {lines} lines: {input:?}",
        pos.line
    );
    prop_assert!(
        pos.column >= 1,
        "{what} at column {} (must be ≥ 1): {input:?}",
        pos.column
    );
    Ok(())
}

fn node_in_text(node: &Node, lines: u32, input: &str) -> Result<(), TestCaseError> {
    in_text(node.pos, lines, "YAML node", input)?;
    match &node.value {
        Value::Seq(items) => {
            for item in items {
                node_in_text(item, lines, input)?;
            }
        }
        Value::Map(entries) => {
            for (key, value) in entries {
                in_text(key.pos, lines, "YAML key", input)?;
                node_in_text(value, lines, input)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn diags_in_text(diags: &[Diagnostic], lines: u32, input: &str) -> Result<(), TestCaseError> {
    for d in diags {
        in_text(
            d.pos(),
            lines,
            &format!("diagnostic {} `{}`", d.code, d.message),
            input,
        )?;
    }
    Ok(())
}

fn markdown_in_text(md: &markdown::Markdown, lines: u32, input: &str) -> Result<(), TestCaseError> {
    for h in &md.headings {
        in_text(h.pos, lines, "heading", input)?;
    }
    for l in md.links.iter().chain(&md.images) {
        in_text(l.pos, lines, "link or image", input)?;
    }
    for b in &md.blocks {
        in_text(b.pos, lines, "fenced block", input)?;
        if let Some(node) = &b.node {
            node_in_text(node, lines, input)?;
        }
    }
    for &p in &md.raw_html {
        in_text(p, lines, "raw HTML", input)?;
    }
    Ok(())
}

// ------------------------------------------------------------------ the pipeline

/// Runs a text through every loader the way `moment check` does: as a whole YAML file,
/// as a module (front matter + Markdown) and as a welcome text (Markdown only), and
/// checks every reported position.
fn run_loaders(text: &str) -> Result<(), TestCaseError> {
    let lines = line_count(text);

    match yaml::parse(text, Offset::NONE) {
        Ok(Some(node)) => {
            node_in_text(&node, lines, text)?;
            let mut found = Vec::new();
            let _ = schemas().validate(moment::schema::SchemaKind::Moment, &node, &mut found);
            let _ = schemas().validate(moment::schema::SchemaKind::Form, &node, &mut found);
            diags_in_text(&found, lines, text)?;
        }
        Ok(None) => {}
        Err(d) => diags_in_text(&[d], lines, text)?,
    }

    if let Ok((front, body, offset)) = markdown::split_front_matter(text) {
        prop_assert!(
            offset >= 2 && offset <= lines + 1,
            "body offset {offset} of {lines} lines: {text:?}"
        );
        prop_assert!(
            text.ends_with(body),
            "the body is not the end of the text: {text:?}"
        );
        match yaml::parse(
            front,
            Offset {
                lines: 1,
                ..Offset::NONE
            },
        ) {
            Ok(Some(node)) => node_in_text(&node, lines, text)?,
            Ok(None) => {}
            Err(d) => diags_in_text(&[d], lines, text)?,
        }
        let mut out = Vec::new();
        let md = markdown::parse("m.md", body, offset, schemas(), None, &mut out);
        markdown_in_text(&md, lines, text)?;
        diags_in_text(&out, lines, text)?;
    }

    let mut out = Vec::new();
    let md = markdown::parse("welcome.md", text, 0, schemas(), None, &mut out);
    markdown_in_text(&md, lines, text)?;
    diags_in_text(&out, lines, text)?;
    let _ = markdown::lix(&md.prose);
    Ok(())
}

// ------------------------------------------------------------------ inputs

/// Pieces of YAML and Markdown syntax, including the troublesome ones.
const TOKENS: &[&str] = &[
    "\n",
    "\n",
    "\n",
    "\r\n",
    "\r",
    " ",
    "  ",
    "    ",
    "\t",
    "- ",
    "-",
    ": ",
    ":",
    "key",
    "title",
    "id: x",
    "ref: ",
    "items:",
    "modules:",
    "&a ",
    "*a",
    "&",
    "*",
    "!",
    "!!str ",
    "!tag ",
    "---",
    "---\n",
    "...",
    "? ",
    "|",
    "|-",
    ">",
    ">-",
    "#",
    "# ",
    "'",
    "\"",
    "\\",
    "[",
    "]",
    "{",
    "}",
    ",",
    "~",
    "null",
    "true",
    "1",
    "-1",
    "0x1F",
    "1.5",
    "1e400",
    ".nan",
    ".inf",
    "%YAML 1.2\n",
    "%TAG ! x\n",
    "<<: ",
    "```",
    "```form\n",
    "```video\n",
    "```audio\n",
    "~~~",
    "## ",
    "### ",
    "###### ",
    "####### ",
    "> ",
    "* ",
    "1. ",
    "[l](",
    "](02.md#x)",
    "![",
    "![alt](../media/a.png)",
    "[x](#ankare)",
    "<div>",
    "</div>",
    "<!-- ",
    " -->",
    "|a|b|\n|-|-|\n",
    "|",
    "`",
    "**",
    "_",
    "\\`",
    "&amp;",
    "&#0;",
    "é",
    "ö",
    "Å",
    "ß",
    "🙂",
    "👩‍⚕️",
    "\u{feff}",
    "\u{200b}",
    "\u{2028}",
    "\u{85}",
    "\u{a0}",
    "\u{3000}",
    "\u{1}",
    "\u{7f}",
    "\u{fffd}",
    "\u{10ffff}",
    "ﬃ",
    "İ",
];

fn token_text() -> impl Strategy<Value = String> {
    prop::collection::vec(select(TOKENS), 0..160).prop_map(|parts| parts.concat())
}

fn char_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..400).prop_map(String::from_iter)
}

fn mixed_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![3 => select(TOKENS).prop_map(str::to_owned), 1 => ".{0,6}"],
        0..120,
    )
    .prop_map(|parts| parts.concat())
}

fn snippet() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(TOKENS).prop_map(str::to_owned),
        1 => ".{1,6}",
        1 => "\\PC{1,4}",
    ]
}

/// A structured change to a text.
#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    MoveLine(Index, Index),
    InsertLine(Index, String),
    Insert(Index, Index, String),
    Indent(Index, usize),
    Dedent(Index),
    TabIndent(Index),
    ReplaceChar(Index, char),
    DeleteChars(Index, usize),
    Truncate(Index),
    CrLf,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::DeleteLine),
        3 => any::<Index>().prop_map(Mutation::DuplicateLine),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::MoveLine(a, b)),
        3 => (any::<Index>(), snippet()).prop_map(|(a, s)| Mutation::InsertLine(a, s)),
        5 => (any::<Index>(), any::<Index>(), snippet()).prop_map(|(a, b, s)| Mutation::Insert(a, b, s)),
        2 => (any::<Index>(), 1usize..6).prop_map(|(a, n)| Mutation::Indent(a, n)),
        2 => any::<Index>().prop_map(Mutation::Dedent),
        2 => any::<Index>().prop_map(Mutation::TabIndent),
        2 => (any::<Index>(), any::<char>()).prop_map(|(a, c)| Mutation::ReplaceChar(a, c)),
        2 => (any::<Index>(), 1usize..20).prop_map(|(a, n)| Mutation::DeleteChars(a, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => Just(Mutation::CrLf),
    ]
}

fn char_start(s: &str, at: &Index) -> usize {
    let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    bounds[at.index(bounds.len())]
}

/// Applies `m` to `text`. Lines keep their endings.
fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let pick = |lines: &Vec<String>, i: &Index| (!lines.is_empty()).then(|| i.index(lines.len()));
    match m {
        Mutation::DeleteLine(i) => {
            if let Some(i) = pick(&lines, i) {
                lines.remove(i);
            }
        }
        Mutation::DuplicateLine(i) => {
            if let Some(i) = pick(&lines, i) {
                let mut line = lines[i].clone();
                if !line.ends_with('\n') {
                    line.push('\n');
                }
                lines.insert(i, line);
            }
        }
        Mutation::SwapLines(a, b) => {
            if let (Some(a), Some(b)) = (pick(&lines, a), pick(&lines, b)) {
                lines.swap(a, b);
            }
        }
        Mutation::MoveLine(a, b) => {
            if let Some(a) = pick(&lines, a) {
                let line = lines.remove(a);
                let b = b.index(lines.len() + 1);
                lines.insert(b, line);
            }
        }
        Mutation::InsertLine(i, s) => {
            let i = i.index(lines.len() + 1);
            lines.insert(i, format!("{s}\n"));
        }
        Mutation::Insert(i, at, s) => match pick(&lines, i) {
            Some(i) => {
                let at = char_start(&lines[i], at);
                lines[i].insert_str(at, s);
            }
            None => lines.push(s.clone()),
        },
        Mutation::Indent(i, n) => {
            if let Some(i) = pick(&lines, i) {
                lines[i].insert_str(0, &" ".repeat(*n));
            }
        }
        Mutation::Dedent(i) => {
            if let Some(i) = pick(&lines, i) {
                let trimmed = lines[i].trim_start_matches(' ').to_owned();
                lines[i] = trimmed;
            }
        }
        Mutation::TabIndent(i) => {
            if let Some(i) = pick(&lines, i) {
                let rest = lines[i].trim_start_matches(' ').to_owned();
                lines[i] = format!("\t{rest}");
            }
        }
        Mutation::ReplaceChar(at, c) => {
            let whole = lines.concat();
            let start = char_start(&whole, at);
            let end = whole[start..]
                .chars()
                .next()
                .map_or(start, |ch| start + ch.len_utf8());
            let mut whole = whole;
            whole.replace_range(start..end, &c.to_string());
            return whole;
        }
        Mutation::DeleteChars(at, n) => {
            let whole = lines.concat();
            let start = char_start(&whole, at);
            let end = whole[start..]
                .char_indices()
                .nth(*n)
                .map_or(whole.len(), |(i, _)| start + i);
            let mut whole = whole;
            whole.replace_range(start..end, "");
            return whole;
        }
        Mutation::Truncate(at) => {
            let whole = lines.concat();
            let end = char_start(&whole, at);
            return whole[..end].to_owned();
        }
        Mutation::CrLf => return lines.concat().replace("\r\n", "\n").replace('\n', "\r\n"),
    }
    lines.concat()
}

/// An example file and a few mutations of it.
fn mutated_example() -> impl Strategy<Value = (String, String)> {
    (any::<Index>(), prop::collection::vec(mutation(), 1..8)).prop_map(|(file, ms)| {
        let files = examples();
        let (rel, text) = &files[file.index(files.len())];
        let mutated = ms.iter().fold(text.clone(), |t, m| apply(&t, m));
        (rel.clone(), mutated)
    })
}

/// Damage at the byte level: a byte order mark, NUL bytes, broken UTF-8.
#[derive(Clone, Debug)]
enum ByteDamage {
    None,
    Bom,
    InsertByte(Index, u8),
    Utf16,
    Latin1,
}

fn byte_damage() -> impl Strategy<Value = ByteDamage> {
    prop_oneof![
        6 => Just(ByteDamage::None),
        1 => Just(ByteDamage::Bom),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteDamage::InsertByte(i, b)),
        1 => Just(ByteDamage::Utf16),
        1 => Just(ByteDamage::Latin1),
    ]
}

fn damage(text: &str, d: &ByteDamage) -> Vec<u8> {
    match d {
        ByteDamage::None => text.as_bytes().to_vec(),
        ByteDamage::Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        ByteDamage::InsertByte(i, b) => {
            let mut bytes = text.as_bytes().to_vec();
            let at = i.index(bytes.len() + 1);
            bytes.insert(at, *b);
            bytes
        }
        ByteDamage::Utf16 => {
            let mut bytes = vec![0xFF, 0xFE];
            for unit in text.encode_utf16() {
                bytes.extend(unit.to_le_bytes());
            }
            bytes
        }
        ByteDamage::Latin1 => text
            .chars()
            .map(|c| if (c as u32) < 256 { c as u8 } else { b'?' })
            .collect(),
    }
}

/// Decodes like `source::read_text` and checks the positions of its diagnostics.
fn decode_checked(bytes: Vec<u8>) -> Result<Option<String>, TestCaseError> {
    let lossy = String::from_utf8_lossy(&bytes).into_owned();
    let lines = line_count(&lossy);
    let mut out = Vec::new();
    let text = source::decode(bytes, "x.yaml", &mut out);
    diags_in_text(&out, lines, &lossy)?;
    Ok(text)
}

// ------------------------------------------------------------------ in-process properties

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn loaders_survive_arbitrary_strings(text in char_text()) {
        run_loaders(&text)?;
    }

    #[test]
    fn loaders_survive_token_soup(text in token_text()) {
        run_loaders(&text)?;
    }

    #[test]
    fn loaders_survive_mixed_text(text in mixed_text()) {
        run_loaders(&text)?;
    }

    #[test]
    fn loaders_survive_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Some(text) = decode_checked(bytes)? {
            run_loaders(&text)?;
        }
    }

    #[test]
    fn loaders_survive_damaged_bytes(text in mixed_text(), d in byte_damage()) {
        if let Some(text) = decode_checked(damage(&text, &d))? {
            run_loaders(&text)?;
        }
    }

    #[test]
    fn loaders_survive_mutated_examples((_rel, text) in mutated_example(), d in byte_damage()) {
        if let Some(text) = decode_checked(damage(&text, &d))? {
            run_loaders(&text)?;
        }
    }
}

// ------------------------------------------------------------------ line endings

/// Every position the loaders report for `text`, as it would be loaded as a module (or
/// as a YAML file when it has no front matter), with what it belongs to.
fn positions(text: &str) -> Vec<(String, Pos)> {
    fn walk(node: &Node, out: &mut Vec<(String, Pos)>) {
        out.push(("node".into(), node.pos));
        match &node.value {
            Value::Seq(items) => items.iter().for_each(|n| walk(n, out)),
            Value::Map(entries) => {
                for (k, v) in entries {
                    out.push((format!("key {}", k.name), k.pos));
                    walk(v, out);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    let mut diags = Vec::new();
    match markdown::split_front_matter(text) {
        Ok((front, body, offset)) => {
            match yaml::parse(
                front,
                Offset {
                    lines: 1,
                    ..Offset::NONE
                },
            ) {
                Ok(Some(node)) => walk(&node, &mut found),
                Ok(None) => {}
                Err(d) => diags.push(d),
            }
            let md = markdown::parse("m.md", body, offset, schemas(), None, &mut diags);
            found.extend(
                md.headings
                    .iter()
                    .map(|h| (format!("heading {}", h.text), h.pos)),
            );
            found.extend(
                md.links
                    .iter()
                    .chain(&md.images)
                    .map(|l| (format!("link {}", l.url), l.pos)),
            );
            found.extend(
                md.blocks
                    .iter()
                    .map(|b| (format!("block {}", b.kind.name()), b.pos)),
            );
        }
        Err(_) => {
            match yaml::parse(text, Offset::NONE) {
                Ok(Some(node)) => walk(&node, &mut found),
                Ok(None) => {}
                Err(d) => diags.push(d),
            }
            let md = markdown::parse("welcome.md", text, 0, schemas(), None, &mut diags);
            found.extend(
                md.headings
                    .iter()
                    .map(|h| (format!("heading {}", h.text), h.pos)),
            );
            found.extend(
                md.links
                    .iter()
                    .chain(&md.images)
                    .map(|l| (format!("link {}", l.url), l.pos)),
            );
        }
    }
    found.extend(
        diags
            .iter()
            .map(|d| (format!("diagnostic {}", d.code), d.pos())),
    );
    found
}

/// A file saved with Windows line endings (`\r\n`) must report the same lines and
/// columns as the same file with `\n`.
#[test]
fn crlf_line_endings_keep_positions() {
    let mut wrong = Vec::new();
    for (rel, text) in examples() {
        let crlf = text.replace('\n', "\r\n");
        let (lf, cr) = (positions(text), positions(&crlf));
        if lf != cr {
            let first = lf.iter().zip(&cr).find(|(a, b)| a != b);
            wrong.push(format!("{rel}: {first:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "positions change with CRLF line endings:\n{}",
        wrong.join("\n")
    );
}

// ------------------------------------------------------------------ whole runs of the binary

/// The example moment copied into each temporary repository, with `units.yaml`.
const TINY_MOMENT: &str = "somn";

/// The files of the tiny repository: `units.yaml` and every file of one example moment.
fn tiny_repo() -> &'static BTreeMap<String, Vec<u8>> {
    static FILES: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut files = BTreeMap::new();
        files.insert(
            "units.yaml".to_owned(),
            std::fs::read(root().join("units.yaml")).unwrap(),
        );
        let mut paths = Vec::new();
        collect(&root().join("moments").join(TINY_MOMENT), &mut paths);
        for path in paths {
            let rel = path
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, std::fs::read(&path).unwrap());
        }
        files
    })
}

/// The text files of the tiny repository that a case may replace.
fn tiny_targets() -> Vec<String> {
    tiny_repo()
        .keys()
        .filter(|k| k.ends_with(".yaml") || k.ends_with(".md"))
        .cloned()
        .collect()
}

/// What one run of `moment check` gave.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Writes the tiny repository with `replace` applied and runs `moment check` on it.
fn check_repo(replace: &BTreeMap<String, Vec<u8>>, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temporary folder");
    for (rel, bytes) in tiny_repo() {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, replace.get(rel).unwrap_or(bytes)).unwrap();
    }
    let child = Command::new(common::BIN)
        .arg("check")
        .arg(dir.path())
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("moment runs");
    let out = common::wait_with_limit(
        child,
        &format!("moment check {args:?} on {replace:?}"),
        common::LONG_TIMEOUT,
    );
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Checks one run: exit 0 or 1, no panic, and (for JSON) every position inside its file.
fn assert_clean_exit(
    run: &Run,
    args: &[&str],
    replace: &BTreeMap<String, Vec<u8>>,
) -> Result<(), TestCaseError> {
    let shown: BTreeMap<&String, String> = replace
        .iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(v).into_owned()))
        .collect();
    prop_assert!(
        !run.stderr.contains("panicked"),
        "moment check {args:?} panicked:\n{}\ninput: {shown:?}",
        run.stderr
    );
    prop_assert!(
        matches!(run.code, Some(0 | 1)),
        "moment check {args:?} exited with {:?} (0 or 1 expected):\n{}\ninput: {shown:?}",
        run.code,
        run.stderr
    );
    if args.contains(&"json") {
        let report: serde_json::Value = serde_json::from_str(&run.stdout).map_err(|e| {
            TestCaseError::fail(format!(
                "--format json printed no JSON ({e}): {}",
                run.stdout
            ))
        })?;
        let diags = report["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let errors = diags.iter().filter(|d| d["severity"] == "error").count();
        prop_assert_eq!(
            run.code == Some(1),
            errors > 0,
            "exit code {:?} with {} errors",
            run.code,
            errors
        );
        for d in &diags {
            let file = d["file"].as_str().unwrap_or_default();
            let line = d["line"].as_u64().unwrap_or(0) as u32;
            let column = d["column"].as_u64().unwrap_or(0) as u32;
            prop_assert!(
                line >= 1 && column >= 1,
                "diagnostic at {line}:{column}: {d}"
            );
            let text = replace.get(file).or_else(|| tiny_repo().get(file));
            if let Some(bytes) = text {
                let lines = line_count(&String::from_utf8_lossy(bytes));
                prop_assert!(
                    line <= lines + 1,
                    "diagnostic at line {line} of a {lines}-line file: {d}\ninput: {shown:?}"
                );
            }
        }
    }
    Ok(())
}

/// A replacement for one file of the tiny repository: a mutation of that file, or of
/// another example file, or arbitrary text.
fn replacement() -> impl Strategy<Value = (String, Vec<u8>)> {
    let targets = tiny_targets();
    let target = select(targets);
    let mutations = prop_oneof![
        6 => prop::collection::vec(mutation(), 1..6),
        1 => Just(Vec::new()),
    ];
    (
        target,
        any::<Index>(),
        mutations,
        any::<bool>(),
        mixed_text(),
        byte_damage(),
    )
        .prop_map(|(target, source, ms, own, noise, d)| {
            let base = if ms.is_empty() {
                noise
            } else if own {
                String::from_utf8(tiny_repo()[&target].clone()).unwrap()
            } else {
                let files = examples();
                files[source.index(files.len())].1.clone()
            };
            let text = ms.iter().fold(base, |t, m| apply(&t, m));
            (target, damage(&text, &d))
        })
}

#[test]
fn unmutated_tiny_repo_is_accepted() {
    let run = check_repo(&BTreeMap::new(), &["--format", "json"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
}

/// Deep nesting must neither overflow the stack nor be refused with exit code 2. (Comrak's
/// parser takes quadratic time on deeply nested block quotes and long runs of emphasis
/// markers: 20,000 levels take over a second in a release build, so the Markdown cases
/// stay smaller than the YAML ones, which the loader cuts off at 64 levels.)
#[test]
fn deep_nesting_does_not_crash() {
    let module = tiny_targets()
        .into_iter()
        .find(|t| t.contains("/modules/"))
        .expect("a module");
    let (md, yaml) = (3_000, 50_000);
    let deep = [
        format!("---\ntitle: Djup\n---\n{}\n", "> ".repeat(md)),
        format!("---\ntitle: Djup\n---\n{}\n", "* ".repeat(md)),
        format!(
            "---\ntitle: Djup\n---\n{}\n",
            (0..md)
                .map(|i| format!("{}- x\n", "  ".repeat(i)))
                .collect::<String>()
        ),
        format!(
            "---\ntitle: Djup\n---\n{}x{}\n",
            "[".repeat(md),
            "](a.md)".repeat(md)
        ),
        format!(
            "---\ntitle: Djup\n---\n{}x{}\n",
            "*".repeat(md),
            "*".repeat(md)
        ),
        format!("---\ntitle: {}\n---\nHej\n", "[".repeat(yaml)),
        format!("---\ntitle: {}\n---\nHej\n", "{a: ".repeat(yaml)),
        format!(
            "---\ntitle: Djup\n---\n```form\n{}\n```\n",
            "- ".repeat(yaml)
        ),
    ];
    for text in deep {
        let replace = BTreeMap::from([(module.clone(), text.into_bytes())]);
        for args in [["--format", "json"], ["--format", "human"]] {
            let run = check_repo(&replace, &args);
            assert_clean_exit(&run, &args, &replace).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn check_exits_0_or_1_on_damaged_repositories(
        (target, bytes) in replacement(),
        (second, more) in replacement(),
        human in any::<bool>(),
        strict in any::<bool>(),
    ) {
        let mut replace = BTreeMap::from([(target, bytes)]);
        replace.entry(second).or_insert(more);
        let mut args = vec!["--format", if human { "human" } else { "github" }];
        if strict {
            args.push("--strict");
        }
        let run = check_repo(&replace, &args);
        assert_clean_exit(&run, &args, &replace)?;
        let json = ["--format", "json"];
        let run = check_repo(&replace, &json);
        assert_clean_exit(&run, &json, &replace)?;
    }
}

// ------------------------------------------------------------------ formatted Markdown

/// Pieces of Markdown links, images, tables and of the slots `@N@` that the loader of a
/// build writes for URLs (see `render::markdown`), for texts that try to forge one.
const LINK_TOKENS: &[&str] = &[
    "\n",
    "\n\n",
    " ",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](",
    "]: ",
    "<",
    ">",
    "\"",
    "'",
    "\\",
    " href=\"",
    " src=\"",
    "href=",
    "=\"@",
    "@",
    "@0@",
    "@1@",
    "@12@",
    "&quot;",
    "&#34;",
    "&amp;",
    "%40",
    "a.md",
    "b.png",
    "a b.md",
    "#rubrik",
    "https://x.se/?a=b&c",
    "www.x.se",
    "javascript:x",
    "data:text/html,x",
    "|",
    "|---|",
    "---",
    "# ",
    "> ",
    "- ",
    "1. ",
    "*",
    "`",
    "```\n",
    "```form\n",
    "ref: f\n",
    " \"titel\"",
    "ö",
    "![@0@](b.png)",
    "[x](a.md \"@1@\")",
    "[@0@]: a.md \"@0@\"\n",
];

/// A text filled in by the render gives the same HTML as the text formatted with
/// the rewriting of its URLs directly.
fn formatted_equals_direct(body: &str) -> Result<(), TestCaseError> {
    use moment::render::markdown::{Rewrite, format, render};
    let rewrite: Rewrite = std::sync::Arc::new(|u: &str| format!("../x/{u}?'&\"ä"));
    let mut out = Vec::new();
    let slotted = markdown::parse("m.md", body, 3, schemas(), Some(format), &mut out);
    let direct = markdown::parse("m.md", body, 3, schemas(), None, &mut out);
    prop_assert!(slotted.formatted.is_some(), "not formatted: {body:?}");
    prop_assert_eq!(render(&slotted, &rewrite), render(&direct, &rewrite));
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn filled_slots_equal_direct_rewriting(
        parts in prop::collection::vec(select(LINK_TOKENS), 0..80)
    ) {
        formatted_equals_direct(&parts.concat())?;
    }

    #[test]
    fn filled_slots_equal_direct_rewriting_of_any_text(text in mixed_text()) {
        formatted_equals_direct(&text)?;
    }
}
