//! Sentences shared by several stages.

use crate::diagnostic::{Lang, Message};
use crate::t;

/// Shared sentences.
#[derive(Clone, Debug)]
pub enum Common {
    /// `… and N more`.
    AndMore(usize),
}

impl Message for Common {
    fn text(&self, lang: Lang) -> String {
        match self {
            Common::AndMore(n) => t!(lang, "and {n} more", "och {n} till"),
        }
    }
}
