//! What a feature may read: the workspace, the open buffers, the last check of each
//! moment and the diagnostics published; plus the parsed schemas.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use lsp_types::{Position, Range, Uri};

use super::documents::Document;
use super::position::LineIndex;
use super::schemas::SchemaDoc;
use super::workspace::{self, FileKind, Workspace};
use crate::diagnostic::Diagnostic;
use crate::load::schema::SchemaKind;
use crate::load::{LoadedMoment, Repository};

/// The schemas, parsed once, by kind.
#[derive(Debug, Default)]
pub struct SchemaDocs {
    docs: Vec<(SchemaKind, SchemaDoc)>,
}

impl SchemaDocs {
    /// Parses every built-in schema.
    pub fn new() -> Self {
        SchemaDocs {
            docs: SchemaKind::ALL
                .iter()
                .filter_map(|&k| SchemaDoc::of(k).map(|d| (k, d)))
                .collect(),
        }
    }

    /// The schema of `kind`.
    pub fn get(&self, kind: SchemaKind) -> Option<&SchemaDoc> {
        self.docs.iter().find(|(k, _)| *k == kind).map(|(_, d)| d)
    }
}

/// A read-only view of the server's state for one request.
pub struct View<'a> {
    /// The repository.
    pub workspace: &'a Workspace,
    /// The open buffers.
    pub docs: &'a super::documents::Documents,
    /// The last check of each moment, by folder name.
    pub snapshots: &'a HashMap<String, Arc<Repository>>,
    /// The diagnostics last published, by file.
    pub published: &'a BTreeMap<String, Vec<Diagnostic>>,
    /// The schemas.
    pub schemas: &'a SchemaDocs,
}

/// A file's text with its line index, from the buffer or the disk.
pub struct Text {
    /// Repository-relative path.
    pub rel: String,
    /// The text.
    pub text: String,
    /// Its lines.
    pub index: LineIndex,
}

impl Text {
    /// The lines of the text, without line breaks.
    pub fn lines(&self) -> Vec<&str> {
        (0..self.index.lines())
            .map(|l| self.index.line(&self.text, l))
            .collect()
    }

    /// Line and byte column of an LSP position.
    pub fn line_col(&self, pos: Position) -> (usize, usize) {
        let offset = self.index.offset(&self.text, pos);
        let line = self.index.position(&self.text, offset).line as usize;
        let (start, _) = self.index.line_span(&self.text, line);
        (line, offset - start)
    }

    /// The LSP range of byte columns `start..end` on line `line`.
    pub fn range(&self, line: usize, start: usize, end: usize) -> Range {
        let (line_start, _) = self.index.line_span(&self.text, line);
        self.index
            .range(&self.text, line_start + start, line_start + end)
    }

    /// The kind of file.
    pub fn kind(&self) -> FileKind {
        FileKind::of(&self.rel)
    }
}

impl<'a> View<'a> {
    /// The repository-relative path of `uri`.
    pub fn rel(&self, uri: &Uri) -> Option<String> {
        self.workspace.rel(uri)
    }

    /// The text of `rel`: the open buffer, else the file on disk.
    pub fn text(&self, rel: &str) -> Option<Text> {
        let text = match self.docs.get(rel) {
            Some(Document { text, .. }) => text.clone(),
            None => self.docs.text(&self.workspace.root, rel)?,
        };
        Some(Text {
            rel: rel.to_owned(),
            index: LineIndex::new(&text),
            text,
        })
    }

    /// The text of the document `uri`.
    pub fn text_of(&self, uri: &Uri) -> Option<Text> {
        self.text(&self.rel(uri)?)
    }

    /// The last check of the moment `rel` belongs to.
    pub fn moment(&self, rel: &str) -> Option<&LoadedMoment> {
        let id = workspace::moment_of(rel)?;
        let repo = self.snapshots.get(id)?;
        repo.moments.iter().find(|m| m.folder == id)
    }

    /// The URI of `rel`.
    pub fn uri(&self, rel: &str) -> Option<Uri> {
        self.workspace.uri(rel)
    }

    /// The files under `dir` (repository-relative), recursively, sorted; at most 2,000.
    pub fn files_under(&self, dir: &str) -> Vec<String> {
        let base = self.workspace.root.join(dir);
        let mut out: Vec<String> = walkdir::WalkDir::new(&base)
            .follow_links(false)
            .max_depth(6)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                let rel = e.path().strip_prefix(&base).ok()?;
                let parts: Option<Vec<&str>> =
                    rel.components().map(|c| c.as_os_str().to_str()).collect();
                Some(parts?.join("/"))
            })
            .take(2000)
            .collect();
        out.sort();
        out
    }
}
