//! Media files of the preview, streamed from disk with `Range`, `ETag` and
//! `Last-Modified`. A file is served only while its content has the digest its name
//! claims; the digest is computed once per version of the file (device, inode, size,
//! modification and change times), so a file swapped since the build — for a link to
//! somewhere else, say — is refused without reading every file on every request. A
//! version the render already hashed (its [`Digests`]) is not read again at all.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncSeekExt, ReadBuf};
use tokio::sync::OnceCell;

use super::listen::Activity;
use crate::load::fsread::FileVersion;
use crate::load::refs::Digests;

/// Bytes read from disk per body frame.
const CHUNK: usize = 256 * 1024;

/// Versions remembered; beyond this the memory is cleared (and files hashed again).
const REMEMBERED: usize = 4096;

/// One version of a file, as `fstat` sees the opened file, with the digest its name
/// claims.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Version {
    file: FileVersion,
    /// The digest the file must have.
    expected: String,
}

/// Which file versions have been found to have their expected digest.
#[derive(Clone, Debug)]
pub struct Verified {
    seen: Arc<Mutex<HashMap<Version, Arc<OnceCell<bool>>>>>,
    /// The digests the render took, by file version.
    digests: Arc<Digests>,
}

impl Verified {
    /// Checks files against their names, taking the digest of a version from
    /// `digests` when the render hashed it.
    pub fn new(digests: Arc<Digests>) -> Verified {
        Verified {
            seen: Arc::default(),
            digests,
        }
    }

    fn cell(&self, version: &Version) -> Arc<OnceCell<bool>> {
        let mut seen = match self.seen.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if seen.len() >= REMEMBERED && !seen.contains_key(version) {
            seen.clear();
        }
        Arc::clone(seen.entry(version.clone()).or_default())
    }

    /// Whether the opened file has digest `expected`: hashed on first sight of this
    /// version, shared by concurrent requests for it, remembered afterwards.
    async fn matches(
        &self,
        file: &File,
        meta: &std::fs::Metadata,
        expected: &str,
        activity: Option<&Activity>,
    ) -> io::Result<bool> {
        // A file changed a moment ago, or without a version to go by, is hashed at
        // every request (see `FileVersion::settled`).
        let cell = match FileVersion::of(meta) {
            Some(file) if FileVersion::settled(meta) => {
                // A 2 GB video the render hashed a moment ago is not read again
                // before its first byte is sent.
                if let Some(digest) = self.digests.known(&file) {
                    return Ok(digest == expected);
                }
                self.cell(&Version {
                    file,
                    expected: expected.to_owned(),
                })
            }
            _ => Arc::default(),
        };
        if let Some(known) = cell.get() {
            return Ok(*known);
        }
        let copy = file.try_clone()?;
        let expected = expected.to_owned();
        // On a task of its own, so that a browser that gives up (and asks again) does
        // not waste the work: the next request finds the answer.
        let hashing = tokio::spawn(async move {
            cell.get_or_try_init(|| async move {
                tokio::task::spawn_blocking(move || digest(&copy).map(|d| d == expected))
                    .await
                    .map_err(io::Error::other)?
            })
            .await
            .copied()
        });
        tokio::pin!(hashing);
        // Hashing a long video takes a while: it counts as work, not as an idle client.
        loop {
            tokio::select! {
                result = &mut hashing => return result.map_err(io::Error::other)?,
                () = tokio::time::sleep(Duration::from_secs(1)) => {
                    if let Some(activity) = activity {
                        activity.touch();
                    }
                }
            }
        }
    }
}

/// Lowercase hex SHA-256 of a file, read from its start without moving its offset.
fn digest(file: &File) -> io::Result<String> {
    crate::digest::sha256_of_reader(At { file, at: 0 }).map(|(digest, _)| digest)
}

/// Reads a file from `at` on without moving its offset (which a clone of it shares).
struct At<'a> {
    file: &'a File,
    at: u64,
}

impl io::Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let n = self.file.read_at(buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

/// Opens a regular file without blocking on a FIFO or device that replaced it.
fn open_regular(path: &Path) -> io::Result<(File, std::fs::Metadata)> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    Ok((file, meta))
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// The whole file (no `Range`, one that is not understood, or several ranges).
    Whole,
    /// Bytes `start..=end`.
    Part(u64, u64),
    /// A range that starts past the end.
    Unsatisfiable,
}

/// Reads a `Range` header value (`bytes=0-99`, `bytes=100-`, `bytes=-100`).
pub fn wanted(range: &str, size: u64) -> Wanted {
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (first.trim(), last.trim()) {
        ("", suffix) => match number(suffix) {
            Some(0) => Wanted::Unsatisfiable,
            Some(n) if size > 0 => Wanted::Part(size.saturating_sub(n), size - 1),
            Some(_) => Wanted::Unsatisfiable,
            None => Wanted::Whole,
        },
        (start, "") => match number(start) {
            Some(s) if s < size => Wanted::Part(s, size - 1),
            Some(_) => Wanted::Unsatisfiable,
            None => Wanted::Whole,
        },
        (start, end) => match (number(start), number(end)) {
            (Some(s), Some(e)) if s > e => Wanted::Whole,
            (Some(s), Some(_)) if s >= size => Wanted::Unsatisfiable,
            (Some(s), Some(e)) => Wanted::Part(s, e.min(size - 1)),
            _ => Wanted::Whole,
        },
    }
}

/// A media request: the file the snapshot names, the digest its name claims, and its
/// content type.
pub struct Media<'a> {
    /// On disk.
    pub path: PathBuf,
    /// Hex SHA-256 the content must have.
    pub digest: &'a str,
    /// `Content-Type`.
    pub content_type: &'static str,
}

/// Serves a media file, or `None` when it is missing or no longer has its digest.
pub async fn serve(
    media: Media<'_>,
    headers: &HeaderMap,
    verified: &Verified,
    activity: Option<&Activity>,
) -> Option<Response> {
    let path = media.path.clone();
    let (file, meta) = tokio::task::spawn_blocking(move || open_regular(&path))
        .await
        .ok()?
        .ok()?;
    if !verified
        .matches(&file, &meta, media.digest, activity)
        .await
        .ok()?
    {
        return None;
    }
    let size = meta.len();
    let etag = format!("\"{}\"", media.digest);
    let modified = meta.modified().ok().map(httpdate::fmt_http_date);
    let mut common = HeaderMap::new();
    let mut put = |name: header::HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            common.insert(name, v);
        }
    };
    put(header::ETAG, &etag);
    if let Some(m) = &modified {
        put(header::LAST_MODIFIED, m);
    }
    put(header::ACCEPT_RANGES, "bytes");
    put(header::CACHE_CONTROL, "no-cache");
    put(header::CONTENT_TYPE, media.content_type);

    if not_modified(headers, &etag, meta.modified().ok()) {
        return Some((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|_| range_applies(headers, &etag, modified.as_deref()));
    let (status, start, len) = match range.map_or(Wanted::Whole, |r| wanted(r, size)) {
        Wanted::Whole => (StatusCode::OK, 0, size),
        Wanted::Part(start, end) => {
            let content_range = format!("bytes {start}-{end}/{size}");
            if let Ok(v) = HeaderValue::from_str(&content_range) {
                common.insert(header::CONTENT_RANGE, v);
            }
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        Wanted::Unsatisfiable => {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                common.insert(header::CONTENT_RANGE, v);
            }
            return Some((StatusCode::RANGE_NOT_SATISFIABLE, common).into_response());
        }
    };
    let mut file = tokio::fs::File::from_std(file);
    file.seek(io::SeekFrom::Start(start)).await.ok()?;
    common.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    let body = Body::new(FileBody {
        file,
        remaining: len,
        buf: vec![0; CHUNK],
    });
    Some((status, common, body).into_response())
}

/// `If-None-Match` (or, without it, `If-Modified-Since`) says the client's copy is current.
fn not_modified(headers: &HeaderMap, etag: &str, modified: Option<SystemTime>) -> bool {
    if let Some(tags) = headers.get(header::IF_NONE_MATCH) {
        return tags.to_str().is_ok_and(|tags| {
            tags.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == etag)
        });
    }
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    match (since, modified) {
        // HTTP dates have whole seconds.
        (Some(since), Some(modified)) => match modified.duration_since(since) {
            Err(_) => true,
            Ok(newer) => newer < Duration::from_secs(1),
        },
        _ => false,
    }
}

/// `If-Range` (when sent) still names this version, so a part of it may be sent.
fn range_applies(headers: &HeaderMap, etag: &str, modified: Option<&str>) -> bool {
    match headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(v) => v == etag || Some(v) == modified,
    }
}

/// A response body read from an open file, a chunk at a time, so that memory stays
/// flat whatever the file's size.
struct FileBody {
    file: tokio::fs::File,
    remaining: u64,
    buf: Vec<u8>,
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = usize::try_from(this.remaining).map_or(CHUNK, |r| r.min(CHUNK));
        let mut read = ReadBuf::new(&mut this.buf[..want]);
        match Pin::new(&mut this.file).poll_read(cx, &mut read) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) => {
                let filled = read.filled();
                if filled.is_empty() {
                    // The file shrank while it was sent.
                    return Poll::Ready(Some(Err(io::ErrorKind::UnexpectedEof.into())));
                }
                this.remaining -= filled.len() as u64;
                Poll::Ready(Some(Ok(Frame::data(Bytes::copy_from_slice(filled)))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(wanted("bytes=0-99", 1000), Wanted::Part(0, 99));
        assert_eq!(wanted("bytes=990-2000", 1000), Wanted::Part(990, 999));
        assert_eq!(wanted("bytes=100-", 1000), Wanted::Part(100, 999));
        assert_eq!(wanted("bytes=-100", 1000), Wanted::Part(900, 999));
        assert_eq!(wanted("bytes=-5000", 1000), Wanted::Part(0, 999));
        assert_eq!(wanted("bytes=1000-", 1000), Wanted::Unsatisfiable);
        assert_eq!(wanted("bytes=-0", 1000), Wanted::Unsatisfiable);
        assert_eq!(wanted("bytes=0-", 0), Wanted::Unsatisfiable);
        assert_eq!(wanted("bytes=5-1", 1000), Wanted::Whole);
        assert_eq!(wanted("bytes=0-1,5-6", 1000), Wanted::Whole);
        assert_eq!(wanted("items=0-1", 1000), Wanted::Whole);
        assert_eq!(wanted("bytes=+1-2", 1000), Wanted::Whole);
        assert_eq!(wanted("bytes=99999999999999999999-", 1000), Wanted::Whole);
    }

    #[test]
    fn digest_reads_without_moving_the_offset() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"abc").expect("write");
        let (mut file, _) = open_regular(&path).expect("open");
        assert_eq!(
            digest(&file).expect("hash"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mut text = String::new();
        file.read_to_string(&mut text).expect("read");
        assert_eq!(text, "abc");
    }

    #[test]
    fn fifo_is_not_opened() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("p");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("run mkfifo");
        assert!(made.success());
        assert!(open_regular(&path).is_err());
    }
}
