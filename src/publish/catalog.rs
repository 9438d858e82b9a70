//! The content catalog (innehållskatalog): an append-only store of bundles and an
//! index per moment, on a local folder or S3-compatible object storage.
//!
//! Layout: `bundles/<id>/<version>.tar.gz`, the index generations
//! `index/<id>/<generation>.json` (each written create-only, so concurrent publishes
//! never lose an entry), and `index/<id>.json`, a copy of the latest generation.

use std::sync::Arc;

use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};
use tokio_stream::StreamExt;

use crate::digest::sha256_hex;
use crate::error::Error;

use super::tag::Signer;

/// How often a publish retries when another one wrote the next index generation first.
const MAX_RETRIES: usize = 200;

/// One published version, with what a third party needs to re-verify it without the
/// source repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// Version.
    pub version: String,
    /// SHA-256 of the archive.
    pub sha256: String,
    /// Bytes of the archive.
    pub size: u64,
    /// Source commit.
    pub commit: String,
    /// The source commit's tree.
    #[serde(default)]
    pub tree: String,
    /// The signed tag.
    pub tag: String,
    /// Who signed it.
    pub signer: Signer,
    /// The moment's title at the tag.
    #[serde(default)]
    pub title: String,
    /// The moment's language at the tag (`sv`, `en`, …).
    #[serde(default)]
    pub language: String,
    /// The publisher unit, as the trusted revision names it.
    #[serde(default)]
    pub unit: String,
    /// The release message: the tag's message, decoded for display.
    #[serde(default)]
    pub message: String,
    /// The raw signed tag object, hex-encoded byte for byte as git stores it.
    #[serde(default)]
    pub tag_object: String,
    /// Further approvals (signed `approve/…` tags on the same commit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<Approval>,
    /// How many distinct publishers the unit required when it was published.
    #[serde(default = "one")]
    pub approvals_required: u32,
    /// When, in UTC (RFC 3339).
    pub published_at: String,
    /// Hidden from new activations; the bytes stay.
    pub yanked: bool,
    /// Who yanked it, and with which tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yanked_by: Option<YankRecord>,
}

fn one() -> u32 {
    1
}

/// A further approval of a release: a signed tag on the same commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The approval tag, such as `approve/somn/v1.2.0/bo`.
    pub tag: String,
    /// Who signed it.
    pub signer: Signer,
    /// The raw signed tag object, hex-encoded.
    pub tag_object: String,
}

/// Who yanked a version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct YankRecord {
    /// The signed yank tag.
    pub tag: String,
    /// Who signed it.
    pub signer: Signer,
    /// When.
    pub at: String,
    /// Why: the yank tag's message.
    #[serde(default)]
    pub reason: String,
    /// The commit the yank tag points at.
    #[serde(default)]
    pub commit: String,
    /// The raw signed yank tag object, hex-encoded.
    #[serde(default)]
    pub tag_object: String,
}

/// The index of one moment: one generation of its hash chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Moment id.
    pub id: String,
    /// Generation number; each change writes the next one.
    pub generation: u64,
    /// SHA-256 of the previous generation's file, byte for byte (none for the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// Every published version, in publishing order.
    pub versions: Vec<IndexEntry>,
}

/// What putting a bundle found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Put {
    /// Written now.
    Created,
    /// Already there with the same bytes.
    Same,
    /// Already there with other bytes.
    Different,
}

/// A catalog.
pub struct Catalog {
    store: Arc<dyn ObjectStore>,
    prefix: StorePath,
    runtime: tokio::runtime::Runtime,
    /// The folder of a local catalog, written with [`super::durable`].
    local: Option<std::path::PathBuf>,
    /// The URL it was opened from.
    pub url: String,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

fn store_error(url: &str, e: object_store::Error) -> Error {
    Error::Store {
        url: url.to_owned(),
        source: e,
    }
}

impl Catalog {
    /// Opens a catalog: `s3://bucket/prefix` (endpoint and credentials from the AWS
    /// environment variables), `file:///path`, or a plain folder path (created when missing).
    pub fn open(url: &str) -> Result<Catalog, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io("tokio runtime", e))?;
        let mut local = None;
        let (store, prefix): (Arc<dyn ObjectStore>, StorePath) = if let Some(rest) =
            url.strip_prefix("s3://")
        {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let endpoint = std::env::var("AWS_ENDPOINT_URL")
                .or_else(|_| std::env::var("AWS_ENDPOINT"))
                .unwrap_or_default();
            // Like `from_env`, but an empty variable (a CI template's unset value)
            // counts as unset.
            let mut builder = object_store::aws::AmazonS3Builder::new().with_bucket_name(bucket);
            for (key, value) in std::env::vars() {
                if key.starts_with("AWS_")
                    && !value.is_empty()
                    && let Ok(config) = key
                        .to_ascii_lowercase()
                        .parse::<object_store::aws::AmazonS3ConfigKey>()
                {
                    builder = builder.with_config(config, value);
                }
            }
            if !endpoint.is_empty() {
                builder = builder
                    .with_endpoint(&endpoint)
                    .with_allow_http(endpoint.starts_with("http://"))
                    .with_virtual_hosted_style_request(false);
            }
            let store = builder.build().map_err(|e| store_error(url, e))?;
            (Arc::new(store), StorePath::from(prefix))
        } else {
            let path = url.strip_prefix("file://").unwrap_or(url);
            if url.contains("://") && !url.starts_with("file://") {
                return Err(Error::Usage(format!(
                    "unsupported catalog URL `{url}`: use a folder, file:// or s3://"
                )));
            }
            std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
            local = Some(std::path::PathBuf::from(path));
            let store = object_store::local::LocalFileSystem::new_with_prefix(path)
                .map_err(|e| store_error(url, e))?;
            (Arc::new(store), StorePath::from(""))
        };
        Ok(Catalog {
            store,
            prefix,
            runtime,
            local,
            url: url.to_owned(),
        })
    }

    fn path(&self, rel: &str) -> StorePath {
        let mut path = self.prefix.clone();
        for part in rel.split('/') {
            path = path.clone().join(part);
        }
        path
    }

    fn get(&self, rel: &str) -> Result<Option<Vec<u8>>, Error> {
        let path = self.path(rel);
        self.runtime.block_on(async {
            match self.store.get(&path).await {
                Ok(result) => result
                    .bytes()
                    .await
                    .map(|b| Some(b.to_vec()))
                    .map_err(|e| store_error(&self.url, e)),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(store_error(&self.url, e)),
            }
        })
    }

    /// Writes `bytes` at `rel` only if nothing is there; `false` when something was.
    fn create(&self, rel: &str, bytes: Vec<u8>) -> Result<bool, Error> {
        if let Some(root) = &self.local {
            return super::durable::create(root, rel, &bytes).map_err(|e| Error::io(rel, e));
        }
        let path = self.path(rel);
        let options = PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        self.runtime.block_on(async {
            match self
                .store
                .put_opts(&path, PutPayload::from(bytes), options)
                .await
            {
                Ok(_) => Ok(true),
                Err(
                    object_store::Error::AlreadyExists { .. }
                    | object_store::Error::Precondition { .. },
                ) => Ok(false),
                Err(e) => Err(store_error(&self.url, e)),
            }
        })
    }

    fn overwrite(&self, rel: &str, bytes: Vec<u8>) -> Result<(), Error> {
        if let Some(root) = &self.local {
            return super::durable::overwrite(root, rel, &bytes).map_err(|e| Error::io(rel, e));
        }
        let path = self.path(rel);
        self.runtime.block_on(async {
            self.store
                .put(&path, PutPayload::from(bytes))
                .await
                .map(|_| ())
                .map_err(|e| store_error(&self.url, e))
        })
    }

    /// Paths (relative to the catalog) of every object under `rel`.
    fn list(&self, rel: &str) -> Result<Vec<String>, Error> {
        let prefix = self.path(rel);
        let base = self.prefix.to_string();
        self.runtime.block_on(async {
            let mut stream = self.store.list(Some(&prefix));
            let mut out = Vec::new();
            while let Some(item) = stream.next().await {
                match item {
                    Ok(meta) => {
                        let full = meta.location.to_string();
                        let rel = full
                            .strip_prefix(&base)
                            .unwrap_or(&full)
                            .trim_start_matches('/')
                            .to_owned();
                        out.push(rel);
                    }
                    Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(store_error(&self.url, e)),
                }
            }
            out.sort();
            Ok(out)
        })
    }

    /// Ids of every moment with an index.
    pub fn ids(&self) -> Result<Vec<String>, Error> {
        let mut ids: Vec<String> = self
            .list("index")?
            .iter()
            .filter_map(|p| p.strip_prefix("index/"))
            .filter_map(|p| {
                p.split_once('/')
                    .map(|(id, _)| id)
                    .or_else(|| p.strip_suffix(".json"))
                    .map(str::to_owned)
            })
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// The latest index generation of `id`, if it has been published.
    pub fn index(&self, id: &str) -> Result<Option<Index>, Error> {
        Ok(self.latest(id)?.map(|(index, _)| index))
    }

    /// The latest index generation of `id` and its file's bytes.
    fn latest(&self, id: &str) -> Result<Option<(Index, Vec<u8>)>, Error> {
        let generations = self.list(&format!("index/{id}"))?;
        let Some(latest) = generations
            .iter()
            .filter(|p| is_generation_name(id, p))
            .max()
        else {
            return Ok(None);
        };
        let bytes = self.get(latest)?.unwrap_or_default();
        let index = serde_json::from_slice(&bytes)
            .map_err(|e| Error::io(latest, std::io::Error::other(e)))?;
        Ok(Some((index, bytes)))
    }

    /// Every index generation file of `id`, oldest first, as (path, bytes).
    pub fn generation_files(&self, id: &str) -> Result<Vec<(String, Vec<u8>)>, Error> {
        let mut out = Vec::new();
        for path in self.list(&format!("index/{id}"))? {
            if let Some(bytes) = self.get(&path)? {
                out.push((path, bytes));
            }
        }
        Ok(out)
    }

    /// The bytes of the convenience copy `index/<id>.json`.
    pub fn index_copy_bytes(&self, id: &str) -> Result<Option<Vec<u8>>, Error> {
        self.get(&format!("index/{id}.json"))
    }

    /// The bytes of a published bundle.
    pub fn bundle(&self, id: &str, version: &str) -> Result<Option<Vec<u8>>, Error> {
        self.get(&bundle_path(id, version))
    }

    /// Writes a bundle create-only.
    pub fn put_bundle(&self, id: &str, version: &str, bytes: &[u8]) -> Result<Put, Error> {
        let rel = bundle_path(id, version);
        if self.create(&rel, bytes.to_vec())? {
            return Ok(Put::Created);
        }
        // Another writer may still be putting it: wait a little for its bytes.
        for _ in 0..50 {
            if let Some(existing) = self.get(&rel)? {
                return Ok(if existing == bytes {
                    Put::Same
                } else {
                    Put::Different
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Err(Error::Contended(format!(
            "{rel} exists but cannot be read; try again"
        )))
    }

    /// Applies `change` to the latest index of `id` and writes the result as the next
    /// generation, retrying when a concurrent writer got there first. `change` returns
    /// `Ok(false)` when nothing needs writing.
    pub fn update_index<R>(
        &self,
        id: &str,
        mut change: impl FnMut(&mut Index) -> Result<bool, R>,
    ) -> Result<Result<Index, R>, Error> {
        for _ in 0..MAX_RETRIES {
            let (current, previous) = match self.latest(id)? {
                Some((index, bytes)) => (index, Some(sha256_hex(&bytes))),
                None => (
                    Index {
                        id: id.to_owned(),
                        ..Index::default()
                    },
                    None,
                ),
            };
            let mut next = current.clone();
            match change(&mut next) {
                Err(refusal) => return Ok(Err(refusal)),
                Ok(false) => {
                    self.refresh_copy(id)?;
                    return Ok(Ok(current));
                }
                Ok(true) => {}
            }
            next.generation = current.generation + 1;
            next.previous = previous;
            if self.create(&generation_path(id, next.generation), to_bytes(&next))? {
                self.refresh_copy(id)?;
                return Ok(Ok(next));
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        Err(Error::Contended(format!(
            "the index of `{id}` kept changing; try again"
        )))
    }

    /// Makes the convenience copy `index/<id>.json` equal the head of the chain. A
    /// concurrent writer may overwrite it with an older generation, so this writes
    /// until it holds the latest one.
    pub fn refresh_copy(&self, id: &str) -> Result<(), Error> {
        for _ in 0..10 {
            let Some((_, latest)) = self.latest(id)? else {
                return Ok(());
            };
            if self.index_copy_bytes(id)?.as_deref() == Some(latest.as_slice()) {
                return Ok(());
            }
            self.overwrite(&format!("index/{id}.json"), latest.clone())?;
            if self.latest(id)?.map(|(_, b)| b) == Some(latest) {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Every bundle file in the catalog, as (id, version).
    pub fn bundles(&self) -> Result<Vec<(String, String)>, Error> {
        Ok(self
            .list("bundles")?
            .iter()
            .filter_map(|p| p.strip_prefix("bundles/"))
            .filter_map(|p| p.split_once('/'))
            .filter_map(|(id, file)| {
                file.strip_suffix(".tar.gz")
                    .map(|v| (id.to_owned(), v.to_owned()))
            })
            .collect())
    }
}

/// Whether `path` is named `index/<id>/<10 digits>.json`.
fn is_generation_name(id: &str, path: &str) -> bool {
    path.strip_prefix(&format!("index/{id}/"))
        .and_then(|n| n.strip_suffix(".json"))
        .is_some_and(|d| d.len() == 10 && d.bytes().all(|b| b.is_ascii_digit()))
}

fn to_bytes(index: &Index) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(index).expect("an index serialises");
    bytes.push(b'\n');
    bytes
}

fn bundle_path(id: &str, version: &str) -> String {
    format!("bundles/{id}/{version}.tar.gz")
}

fn generation_path(id: &str, generation: u64) -> String {
    format!("index/{id}/{generation:010}.json")
}

/// Now in UTC as RFC 3339, such as `2026-11-23T10:51:14Z`.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since 1970 as RFC 3339 in UTC.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_431_074), "2026-11-23T10:51:14Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
