//! Failures that stop a command before it can report diagnostics: usage and I/O.

use std::fmt;
use std::path::PathBuf;

/// A failure of the command itself (exit status 2), as opposed to problems in the
/// sources, which are diagnostics.
#[derive(Debug)]
pub enum Error {
    /// The command line asks for something impossible.
    Usage(String),
    /// The input itself is refused, such as a git revision whose tree holds a
    /// symbolic link: a refusal of the content (exit 1), not a usage error.
    Refused(String),
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) | Error::Refused(message) => f.write_str(message),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Usage(_) | Error::Refused(_) => None,
            Error::Io { source, .. } => Some(source),
        }
    }
}

/// How a command ended, when it ran to the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything is fine (exit 0).
    Success,
    /// The sources have errors, or the command refused (exit 1).
    Failure,
}
