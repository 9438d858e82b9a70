//! `moment publish`: verify a signed release tag and publish its bundle.

use moment::error::{Error, Outcome};
use moment::publish::{self, PublishOptions, Published};

use crate::cli::PublishArgs;

/// Runs `moment publish`: exit 0 published (or already there), 1 refused.
pub fn execute(args: &PublishArgs) -> Result<Outcome, Error> {
    let root = args.path.get();
    if !root.is_dir() {
        return Err(Error::Usage(format!("{} is not a folder", root.display())));
    }
    if !moment::init::in_git_repository(&root) {
        return Err(Error::Refused(format!(
            "{} is not in a git repository: publishing verifies a signed release tag, so run it in a clone of the moments repository",
            root.display()
        )));
    }
    let options = PublishOptions {
        root,
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
