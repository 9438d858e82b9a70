//! `moment lsp`: a language server (LSP 3.17 over stdio) that runs the same checks as
//! `moment check` on the buffers as typed, and knows the domain: form ids, item ids,
//! bands and media.
//!
//! The message loop ([`server`]) keeps the open documents ([`documents`]) and hands
//! checks to a worker thread ([`worker`]), which runs the library's `load` + `validate`
//! for the moment that changed with the unsaved buffers as an overlay; stale results
//! are dropped by document version. Features read the buffers and the last check.

pub mod actions;
pub mod completion;
pub mod definition;
pub mod diagnostics;
pub mod documents;
pub mod facts;
pub mod hover;
pub mod position;
pub mod rename;
pub mod schemas;
pub mod server;
pub mod symbols;
pub mod syntax;
pub mod transport;
pub mod view;
pub mod worker;
pub mod workspace;

pub use server::{Ending, Settings};

/// Serves the editor over stdin and stdout until `exit` or the end of stdin.
pub fn serve_stdio(settings: Settings) -> std::io::Result<Ending> {
    let (out, inbox, threads) = transport::start(std::io::stdin(), std::io::stdout())?;
    let ending = server::run(settings, out, inbox);
    threads.join()?;
    Ok(ending)
}
