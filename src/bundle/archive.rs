//! Deterministic `.tar.gz` archives: sorted entries, fixed owners, modes and times,
//! and a compressor whose backend and level are pinned in Cargo.toml and here.

use std::io::Write;

use flate2::{Compression, GzBuilder};

/// The gzip level. Changing it changes every archive's bytes (not what they hold), so
/// it changes only with a new version of moment, as does the back end (zlib-rs,
/// pinned in Cargo.toml and Cargo.lock). Level 1 compresses the tar of a 10-module
/// moment (143 KB) in 0.53 ms to 26 KB; miniz_oxide, the back end before, took
/// 0.67 ms for 30 KB, and level 3 of either took twice as long for 17–18 KB. The
/// pages and `moment.json` are all that compresses in a bundle (media are compressed
/// already), and compressing was still an eighth of a cold build's CPU time.
/// zlib-rs compares strings and computes the checksum with vector instructions
/// where the processor has them (`runtime_detection`); they give the same bytes as
/// its portable code, and a cold build takes 4 % less CPU time with them.
const LEVEL: u32 = 1;

/// Writes `files` (path inside the archive, content) under `prefix/` as a gzip'd tar.
/// Entries are sorted by path; every entry has mode 0644, owner 0:0 and time `mtime`.
pub fn tar_gz(prefix: &str, files: &[(String, Vec<u8>)], mtime: u64) -> std::io::Result<Vec<u8>> {
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let gz = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::new(LEVEL));
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for (path, data) in sorted {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, format!("{prefix}/{path}"), data.as_slice())?;
    }
    let mut gz = tar.into_inner()?;
    gz.flush()?;
    gz.finish()
}
