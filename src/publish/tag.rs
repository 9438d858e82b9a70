//! Release tags: reading an annotated tag object from git as raw bytes and verifying
//! its SSH signature over exactly the bytes git signed. Text is decoded (lossily)
//! only for display, never for verification.

use std::path::Path;

use ssh_key::{HashAlg, PublicKey, SshSig};

pub use crate::keys::fingerprint;

use crate::error::Error;
use crate::model::Publisher;

use super::Refusal;
use super::refusal::Stop;

/// The namespace git uses for SSH signatures of commits and tags.
const GIT_NAMESPACE: &str = "git";
const SSH_BEGIN: &[u8] = b"-----BEGIN SSH SIGNATURE-----";
const SSH_END: &[u8] = b"-----END SSH SIGNATURE-----";
/// Every line git takes as the start of a signature block (SSH, PGP, X.509).
const SIGNATURE_STARTS: &[&[u8]] = &[
    SSH_BEGIN,
    b"-----BEGIN PGP SIGNATURE-----",
    b"-----BEGIN PGP MESSAGE-----",
    b"-----BEGIN SIGNED MESSAGE-----",
];

/// An annotated tag, as stored by git.
#[derive(Clone, Debug)]
pub struct TagObject {
    /// The ref name asked for, such as `somn/v1.2.0`.
    pub ref_name: String,
    /// The name written inside the signed object, as bytes.
    pub name: Vec<u8>,
    /// The tagged object.
    pub object: String,
    /// The tagged object's type (`commit` for a release).
    pub object_type: String,
    /// The whole object, exactly as git stores it.
    pub raw: Vec<u8>,
    /// The signed bytes: the object up to the signature.
    pub payload: Vec<u8>,
    /// The signature block, when there is one.
    pub signature: Option<Vec<u8>>,
    /// How many signature blocks the object holds.
    pub signature_blocks: usize,
    /// Whether the signature block is not an SSH one (PGP, X.509).
    pub foreign_signature: bool,
}

/// Who signed a tag.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signer {
    /// The publisher's name from units.yaml.
    pub name: String,
    /// SHA-256 fingerprint of the key.
    pub fingerprint: String,
    /// The publisher's public key, as in units.yaml (without its comment).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
}

impl TagObject {
    /// The release message: the text after the header, up to the signature, decoded
    /// lossily for display.
    pub fn message(&self) -> String {
        let body = self
            .payload
            .windows(2)
            .position(|w| w == b"\n\n")
            .map_or(&[][..], |at| &self.payload[at + 2..]);
        String::from_utf8_lossy(body).trim().to_owned()
    }

    /// The name inside the object, decoded lossily for display.
    pub fn inner_name(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }
}

/// Reads tag `name` from the repository at `root`.
pub fn read(root: &Path, name: &str) -> Result<TagObject, Stop> {
    match crate::git::tag_type(root, name)? {
        None => Err(Stop::Failed(Error::Usage(format!(
            "there is no tag `{name}` in this repository"
        )))),
        Some(kind) if kind != "tag" => Err(Stop::Refused(Refusal::Lightweight(name.to_owned()))),
        Some(_) => {
            let raw = crate::git::tag_object(root, name)?;
            Ok(parse(name, &raw))
        }
    }
}

/// Splits `bytes` into lines, each with its position and without its `\n`.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        let end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| at + p);
        at = end + 1;
        Some((start, &bytes[start..end]))
    })
}

/// Parses a raw tag object. Never fails: what is missing stays empty and is refused
/// by [`verify`].
pub fn parse(ref_name: &str, raw: &[u8]) -> TagObject {
    let header_end = raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(raw.len());
    let header = &raw[..header_end];
    let field = |key: &[u8]| -> Vec<u8> {
        lines(header)
            .find_map(|(_, l)| {
                l.strip_prefix(key)
                    .and_then(|v| v.strip_prefix(b" "))
                    .map(<[u8]>::to_vec)
            })
            .unwrap_or_default()
    };
    // Like git, the signature starts at the last line that opens a signature block.
    let starts: Vec<(usize, &[u8])> = lines(raw)
        .filter(|(at, l)| *at >= header_end && SIGNATURE_STARTS.iter().any(|s| l.starts_with(s)))
        .collect();
    let (payload, signature, foreign) = match starts.last() {
        Some(&(at, line)) => (
            raw[..at].to_vec(),
            Some(raw[at..].to_vec()),
            !line.starts_with(SSH_BEGIN),
        ),
        None => (raw.to_vec(), None, false),
    };
    TagObject {
        ref_name: ref_name.to_owned(),
        name: field(b"tag"),
        object: String::from_utf8_lossy(&field(b"object")).into_owned(),
        object_type: String::from_utf8_lossy(&field(b"type")).into_owned(),
        raw: raw.to_vec(),
        payload,
        signature,
        signature_blocks: starts.len(),
        foreign_signature: foreign,
    }
}

/// The SSH signature of `tag`, read from its armour; refuses anything but exactly
/// one well-formed SSH signature block at the end of the object.
fn ssh_signature(tag: &TagObject) -> Result<SshSig, Refusal> {
    let Some(block) = &tag.signature else {
        return Err(Refusal::Unsigned(tag.ref_name.clone()));
    };
    if tag.foreign_signature {
        return Err(Refusal::PgpSignature(tag.ref_name.clone()));
    }
    if tag.signature_blocks > 1 {
        return Err(Refusal::BadSignature(format!(
            "`{}` holds {} signature blocks, and a release tag carries exactly one",
            tag.ref_name, tag.signature_blocks
        )));
    }
    let trimmed = block.strip_suffix(b"\n").unwrap_or(block);
    if !trimmed.ends_with(SSH_END) {
        return Err(Refusal::BadSignature(
            "the signature block does not end the tag".to_owned(),
        ));
    }
    let armour = std::str::from_utf8(trimmed)
        .map_err(|_| Refusal::BadSignature("the signature block is not ASCII armour".to_owned()))?;
    let sig = SshSig::from_pem(armour)
        .map_err(|e| Refusal::BadSignature(format!("the signature cannot be read: {e}")))?;
    // Only the encoding ssh-keygen writes: a re-encoded blob (lenient length or
    // version fields, other line breaks) is not the signature that was made.
    let canonical = sig
        .to_pem(ssh_key::LineEnding::LF)
        .map_err(|e| Refusal::BadSignature(format!("the signature cannot be encoded: {e}")))?;
    if canonical.trim_end() != armour.trim_end() {
        return Err(Refusal::BadSignature(
            "the signature block is not in the encoding ssh-keygen writes".to_owned(),
        ));
    }
    Ok(sig)
}

/// Verifies that `tag` is signed by one of `publishers`, tags a commit, and names
/// itself as its ref.
pub fn verify(tag: &TagObject, publishers: &[Publisher], unit: &str) -> Result<Signer, Refusal> {
    if tag.name != tag.ref_name.as_bytes() {
        return Err(Refusal::TagNameMismatch {
            ref_name: tag.ref_name.clone(),
            inside: tag.inner_name(),
        });
    }
    let sig = ssh_signature(tag)?;
    if tag.object_type != "commit" {
        return Err(Refusal::BadSignature(format!(
            "`{}` tags a {}, not a commit",
            tag.ref_name, tag.object_type
        )));
    }
    if sig.namespace() != GIT_NAMESPACE {
        return Err(Refusal::BadSignature(format!(
            "the signature is for `{}`, not for git",
            sig.namespace().escape_debug()
        )));
    }
    let signer_key = PublicKey::from(sig.public_key().clone());
    let fingerprint = signer_key.fingerprint(HashAlg::Sha256).to_string();
    for publisher in publishers {
        let Ok(key) = PublicKey::from_openssh(publisher.key.trim()) else {
            continue;
        };
        if key.key_data() != sig.public_key() {
            continue;
        }
        return match key.verify(GIT_NAMESPACE, &tag.payload, &sig) {
            Ok(()) => Ok(Signer {
                name: publisher.name.clone(),
                fingerprint,
                key: key_line(&key),
            }),
            Err(_) => Err(Refusal::BadSignature(format!(
                "the signature by {} ({fingerprint}) does not match the tag's content",
                publisher.name
            ))),
        };
    }
    Err(Refusal::NotPublisher {
        fingerprint,
        unit: unit.to_owned(),
    })
}

/// `ssh-ed25519 AAAA…` without a comment.
fn key_line(key: &PublicKey) -> String {
    let mut key = key.clone();
    key.set_comment("");
    key.to_openssh().unwrap_or_default().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latin1_message_keeps_its_bytes() {
        let raw = b"object 0123\ntype commit\ntag a/v1\ntagger T <t@e> 1 +0000\n\nR\xe4ksm\xf6rg\xe5s\n-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n";
        let tag = parse("a/v1", raw);
        assert_eq!(tag.name, b"a/v1");
        assert!(tag.payload.ends_with(b"R\xe4ksm\xf6rg\xe5s\n"));
        assert_eq!(tag.signature_blocks, 1);
        assert!(tag.message().starts_with('R'));
    }

    #[test]
    fn a_marker_inside_a_line_is_not_a_signature() {
        let raw = b"object 0\ntype commit\ntag a/v1\n\nsee -----BEGIN SSH SIGNATURE----- here\n";
        assert!(parse("a/v1", raw).signature.is_none());
    }
}
