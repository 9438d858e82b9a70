//! SSH public keys as units.yaml lists them.

use ssh_key::{HashAlg, PublicKey};

/// The SHA-256 fingerprint of an OpenSSH public key line, or `None` when it does
/// not parse.
pub fn fingerprint(key: &str) -> Option<String> {
    PublicKey::from_openssh(key.trim())
        .ok()
        .map(|k| k.fingerprint(HashAlg::Sha256).to_string())
}
