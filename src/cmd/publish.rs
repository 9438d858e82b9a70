//! `moment publish`: verify a signed release tag and publish its bundle.

use moment::error::{Error, Outcome};
use moment::publish::{self, PublishOptions, Published};

use crate::cli::PublishArgs;

/// Runs `moment publish`: exit 0 published (or already there), 1 refused.
pub fn execute(args: &PublishArgs) -> Result<Outcome, Error> {
    let options = PublishOptions {
        root: args.path.clone(),
        tag: args.tag.clone(),
        catalog: args.catalog.clone(),
        trust: args.trust.clone(),
    };
    match publish::publish(&options)? {
        Ok(Published::New(entry)) => {
            println!(
                "published {} ({} bytes, sha256 {}) signed by {} to {}",
                args.tag, entry.size, entry.sha256, entry.signer.name, args.catalog
            );
            Ok(Outcome::Success)
        }
        Ok(Published::AlreadyThere(entry)) => {
            println!(
                "{} is already published with the same content (sha256 {}); nothing to do",
                args.tag, entry.sha256
            );
            Ok(Outcome::Success)
        }
        Err(refusal) => {
            eprintln!("refused: {refusal}");
            Ok(Outcome::Failure)
        }
    }
}
