//! One `execute` per subcommand; each returns how it ended and leaves exit codes to `main`.

pub mod build;
pub mod check;
pub mod diff;
pub mod new;
pub mod preview;
