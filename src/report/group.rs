//! Human output at scale: warnings of one code after the first few are folded into
//! one line per code with a count and the files, so that a repository with thousands
//! of warnings still shows its errors. Errors are never folded; machine formats
//! (JSON, GitHub, SARIF) never fold anything.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic, Lang, Severity};
use crate::load::Sources;

/// How many warnings of one code are shown in full before the rest are folded.
pub const SHOWN_PER_CODE: usize = 3;

/// How many file names a folded line lists before it only counts the rest.
pub const FILES_LISTED: usize = 5;

/// Warnings of one code that are not shown in full.
#[derive(Debug, PartialEq, Eq)]
pub struct Folded<'a> {
    /// Their code.
    pub code: Code,
    /// How many were folded.
    pub count: usize,
    /// The files they are in, sorted, each once.
    pub files: Vec<&'a str>,
}

/// Diagnostics split into those shown in full, in their order, and the folded rest.
#[derive(Debug)]
pub struct Grouped<'a> {
    /// Shown in full: every error, and the first [`SHOWN_PER_CODE`] warnings of each
    /// code.
    pub shown: Vec<&'a Diagnostic>,
    /// One entry per code that had more warnings, by code.
    pub folded: Vec<Folded<'a>>,
}

/// Splits `diags` (in their order) into those shown and those folded.
pub fn group(diags: &[Diagnostic]) -> Grouped<'_> {
    let mut seen: BTreeMap<Code, usize> = BTreeMap::new();
    let mut folded: BTreeMap<Code, (usize, BTreeSet<&str>)> = BTreeMap::new();
    let mut shown = Vec::new();
    for d in diags {
        if d.severity == Severity::Error {
            shown.push(d);
            continue;
        }
        let n = seen.entry(d.code).or_default();
        *n += 1;
        if *n <= SHOWN_PER_CODE {
            shown.push(d);
        } else {
            let entry = folded.entry(d.code).or_default();
            entry.0 += 1;
            entry.1.insert(d.file.as_str());
        }
    }
    Grouped {
        shown,
        folded: folded
            .into_iter()
            .map(|(code, (count, files))| Folded {
                code,
                count,
                files: files.into_iter().collect(),
            })
            .collect(),
    }
}

/// The line of one folded code in `lang`, such as
/// `W009: 2722 more warnings like the above, in a.md, b.md, c.md, d.md, e.md and 2717 more files`.
pub fn folded_line(f: &Folded<'_>, lang: Lang) -> String {
    let listed: Vec<&str> = f.files.iter().take(FILES_LISTED).copied().collect();
    let rest = f.files.len() - listed.len();
    let code = f.code.as_str();
    let count = f.count;
    let files = listed.join(", ");
    match lang {
        Lang::En => {
            let more = match rest {
                0 => String::new(),
                1 => " and 1 more file".to_owned(),
                n => format!(" and {n} more files"),
            };
            let noun = if count == 1 { "warning" } else { "warnings" };
            format!("{code}: {count} more {noun} like the above, in {files}{more}")
        }
        Lang::Sv => {
            let more = match rest {
                0 => String::new(),
                1 => " och 1 fil till".to_owned(),
                n => format!(" och {n} filer till"),
            };
            let noun = if count == 1 { "varning" } else { "varningar" };
            format!("{code}: {count} {noun} till av samma slag, i {files}{more}")
        }
    }
}

/// Like [`super::human`], but after the first [`SHOWN_PER_CODE`] warnings of one code
/// the rest are folded into one line per code; the summary still counts them all.
pub fn human_grouped(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    human_grouped_in(diags, sources, color, Lang::En)
}

/// [`human_grouped`] in `lang`.
pub fn human_grouped_in(
    diags: &[Diagnostic],
    sources: &Sources,
    color: bool,
    lang: Lang,
) -> String {
    let grouped = group(diags);
    let mut out = String::new();
    for d in &grouped.shown {
        out.push_str(&super::human::one(d, sources, color, lang));
        out.push_str("\n\n");
    }
    for f in &grouped.folded {
        out.push_str(&folded_line(f, lang));
        out.push('\n');
    }
    if !grouped.folded.is_empty() {
        out.push_str(match lang {
            Lang::En => "(--verbose shows every warning)\n\n",
            Lang::Sv => "(--verbose visar alla varningar)\n\n",
        });
    }
    let (errors, warnings) = super::counts(diags);
    out.push_str(&super::human::summary_in(errors, warnings, lang));
    out
}
