//! `moment lsp`: the language server over stdio.

use std::time::Duration;

use moment::error::{Error, Outcome};
use moment::lsp::{self, Ending, Settings};

use crate::cli::LspArgs;

/// Runs `moment lsp` until the editor says `exit`.
pub fn execute(args: &LspArgs) -> Result<Outcome, Error> {
    let settings = Settings {
        debounce: Duration::from_millis(args.debounce_ms),
        fallback_root: std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    match lsp::serve_stdio(settings).map_err(|e| Error::io("<stdio>", e))? {
        Ending::Clean => Ok(Outcome::Success),
        Ending::Abrupt => Ok(Outcome::Failure),
    }
}
