//! Failures that stop a command before it can report diagnostics: usage, I/O, git,
//! the catalog store, files invalid at a revision, and internal failures.

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
    /// Running git failed (exit 2): the command and git's own message.
    Git {
        /// The git arguments, such as `cat-file tag refs/tags/somn/v1.0.0`.
        command: String,
        /// What git said on standard error.
        message: String,
    },
    /// A catalog store operation failed.
    Store {
        /// The catalog URL.
        url: String,
        /// The store's error.
        source: object_store::Error,
    },
    /// Another writer kept changing the catalog; trying again may succeed.
    Contended(String),
    /// A file that a command needs is not valid where it was read, such as
    /// `units.yaml` at the trusted revision.
    Invalid {
        /// Which file, and at which revision: `units.yaml at origin/main`.
        file: String,
        /// What is wrong with it.
        why: String,
    },
    /// A failure inside `moment` itself, such as a worker thread that panicked.
    Internal(String),
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

impl Error {
    /// A file that is not valid where it was read.
    pub fn invalid(file: impl Into<String>, why: impl Into<String>) -> Self {
        Error::Invalid {
            file: file.into(),
            why: why.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message)
            | Error::Refused(message)
            | Error::Contended(message)
            | Error::Internal(message) => f.write_str(message),
            Error::Git { command, message } => write!(f, "git {command}: {message}"),
            Error::Store { url, source } => write!(f, "{url}: {source}"),
            Error::Invalid { file, why } => write!(f, "{file}: {why}"),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Usage(_)
            | Error::Refused(_)
            | Error::Contended(_)
            | Error::Internal(_)
            | Error::Git { .. }
            | Error::Invalid { .. } => None,
            Error::Store { source, .. } => Some(source),
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
