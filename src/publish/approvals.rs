//! Four eyes: a unit may require `approvals: N` distinct publishers per release.
//!
//! The release tag `<id>/v<version>` is the first approval. Each further approval is
//! its own signed annotated tag `approve/<id>/v<version>/<name>` (any `<name>`, such
//! as the approver's handle) on the same commit, so every approval is a signature a
//! tool can verify with the key in units.yaml. A signer counts once however many
//! tags they sign.

use std::path::Path;

use crate::digest::hex;
use crate::error::Error;
use crate::model::Unit;

use super::Stop;
use super::catalog::Approval;
use super::tag::{self, Signer};

/// The tag prefix under which approvals of `release` (such as `somn/v1.2.0`) live.
pub fn prefix(release: &str) -> String {
    format!("approve/{release}/")
}

/// Every valid approval of `release` on `commit` by a publisher of `unit` other than
/// `release_signer`, one per signer; approvals that do not verify are not counted.
pub fn collect(
    root: &Path,
    release: &str,
    commit: &str,
    unit: &Unit,
    release_signer: &Signer,
) -> Result<Vec<Approval>, Error> {
    let mut out: Vec<Approval> = Vec::new();
    for name in crate::git::tags_under(root, &prefix(release))? {
        let Ok(object) = Stop::settle(tag::read(root, &name))? else {
            continue;
        };
        if object.object != commit {
            continue;
        }
        let Ok(signer) = tag::verify(&object, &unit.publishers, &unit.id) else {
            continue;
        };
        if signer.fingerprint == release_signer.fingerprint
            || out
                .iter()
                .any(|a| a.signer.fingerprint == signer.fingerprint)
        {
            continue;
        }
        out.push(Approval {
            tag: name,
            signer,
            tag_object: hex(&object.raw),
        });
    }
    Ok(out)
}

/// How many approvals `unit` requires (default 1).
pub fn required(unit: &Unit) -> u32 {
    unit.approvals.unwrap_or(1).max(1)
}
