//! `moment preview`: serve the live preview.

use moment::error::{Error, Outcome};
use moment::preview::{self, PreviewOptions};

use crate::cli::PreviewArgs;

/// Runs `moment preview` until Ctrl-C.
pub fn execute(args: &PreviewArgs) -> Result<Outcome, Error> {
    let target = super::target::find(&args.path.get())?;
    if !args.host.is_loopback() {
        eprintln!(
            "warning: listening on {} makes unpublished content reachable from other machines",
            args.host
        );
    }
    preview::serve(&PreviewOptions {
        root: target.root,
        host: args.host,
        port: args.port,
        open: args.open,
    })?;
    Ok(Outcome::Success)
}
