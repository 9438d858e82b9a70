//! Unsaved editor buffers that stand in for files on disk while loading, so that
//! `moment lsp` checks what the designer sees, not what was last saved.

use std::collections::BTreeMap;

/// Texts by repository-relative path (`/`-separated), read instead of the file on disk.
///
/// Only the text is replaced: which files exist is still decided by the disk (a module
/// listed in `moment.yaml` must exist there), so an unsaved new file is not seen until
/// it is saved once.
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    texts: BTreeMap<String, String>,
}

impl Overlay {
    /// An overlay without buffers: every file is read from disk.
    pub fn new() -> Self {
        Overlay::default()
    }

    /// Uses `text` for the file `rel` from now on.
    pub fn insert(&mut self, rel: impl Into<String>, text: impl Into<String>) {
        self.texts.insert(rel.into(), text.into());
    }

    /// Reads `rel` from disk again.
    pub fn remove(&mut self, rel: &str) {
        self.texts.remove(rel);
    }

    /// The buffer standing in for `rel`, if any.
    pub fn get(&self, rel: &str) -> Option<&str> {
        self.texts.get(rel).map(String::as_str)
    }

    /// Whether no file is overridden.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}
