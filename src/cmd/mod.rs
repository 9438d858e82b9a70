//! One `execute` per subcommand; each returns how it ended and leaves exit codes to `main`.

pub mod build;
pub mod catalog;
pub mod check;
pub mod codeowners;
pub mod diff;
pub mod explain;
pub mod export;
pub mod import;
pub mod init;
pub mod lsp;
pub mod new;
pub mod preview;
pub mod publish;
pub mod target;
