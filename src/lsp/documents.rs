//! The documents the editor has open: their text as typed (unsaved), version and line
//! index, by repository-relative path.

use std::collections::BTreeMap;

use lsp_types::TextDocumentContentChangeEvent;

use super::position::LineIndex;
use crate::load::overlay::Overlay;

/// The largest document kept, in bytes; the loader refuses larger files anyway.
pub const MAX_DOCUMENT: usize = 8 * 1024 * 1024;

/// One open document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The text as in the editor.
    pub text: String,
    /// The editor's version number.
    pub version: i32,
    /// Line starts of `text`.
    pub index: LineIndex,
}

impl Document {
    /// A document with `text` at `version`.
    pub fn new(text: String, version: i32) -> Self {
        let index = LineIndex::new(&text);
        Document {
            text,
            version,
            index,
        }
    }

    /// Applies the editor's changes, in order, and takes the new version.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let start = self.index.offset(&self.text, range.start);
                    let end = self.index.offset(&self.text, range.end).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
            if self.text.len() > MAX_DOCUMENT {
                // Past the size limit the loader reports the file from disk; keep a
                // bounded copy so that memory stays bounded too.
                let mut cut = MAX_DOCUMENT;
                while !self.text.is_char_boundary(cut) {
                    cut -= 1;
                }
                self.text.truncate(cut);
            }
            self.index = LineIndex::new(&self.text);
        }
        self.version = version;
    }
}

/// Every open document, by repository-relative path.
#[derive(Debug, Default)]
pub struct Documents {
    docs: BTreeMap<String, Document>,
}

impl Documents {
    /// Opens (or reopens) `rel`.
    pub fn open(&mut self, rel: String, text: String, version: i32) {
        self.docs.insert(rel, Document::new(text, version));
    }

    /// Closes `rel`: the file on disk counts again.
    pub fn close(&mut self, rel: &str) {
        self.docs.remove(rel);
    }

    /// The open document `rel`.
    pub fn get(&self, rel: &str) -> Option<&Document> {
        self.docs.get(rel)
    }

    /// The open document `rel`, to change it.
    pub fn get_mut(&mut self, rel: &str) -> Option<&mut Document> {
        self.docs.get_mut(rel)
    }

    /// The text of `rel`: the open buffer, or the file on disk under `root`.
    pub fn text(&self, root: &std::path::Path, rel: &str) -> Option<String> {
        match self.docs.get(rel) {
            Some(doc) => Some(doc.text.clone()),
            None => {
                let bytes =
                    crate::load::fsread::read(root, rel, crate::load::fsread::MAX_TEXT_BYTES)
                        .ok()?;
                String::from_utf8(bytes).ok()
            }
        }
    }

    /// The buffers of the open documents under `prefix` (such as `moments/somn/`), as
    /// a loader overlay, with their versions.
    pub fn overlay(&self, prefix: &str) -> (Overlay, BTreeMap<String, i32>) {
        let mut overlay = Overlay::new();
        let mut versions = BTreeMap::new();
        for (rel, doc) in &self.docs {
            // A buffer past the loader's size limit is left to the loader, which reads
            // the file on disk and reports it as too large.
            let fits = doc.text.len() as u64 <= crate::load::fsread::MAX_TEXT_BYTES;
            if rel.starts_with(prefix) && fits {
                overlay.insert(rel.clone(), doc.text.clone());
                versions.insert(rel.clone(), doc.version);
            }
        }
        (overlay, versions)
    }

    /// The paths of the open documents.
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.docs.keys()
    }
}
