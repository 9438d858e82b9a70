//! Release tags: reading an annotated tag object from git and verifying its SSH
//! signature against the publishers' keys.

use std::path::Path;

use ssh_key::{HashAlg, PublicKey, SshSig};

use crate::error::Error;
use crate::model::Publisher;

use super::Refusal;

/// The namespace git uses for SSH signatures of commits and tags.
const GIT_NAMESPACE: &str = "git";

/// An annotated tag, as stored by git.
#[derive(Clone, Debug)]
pub struct TagObject {
    /// The ref name asked for, such as `somn/v1.2.0`.
    pub ref_name: String,
    /// The name written inside the signed object.
    pub name: String,
    /// The tagged commit.
    pub commit: String,
    /// The signed bytes: the object up to the signature.
    pub payload: Vec<u8>,
    /// The armoured SSH signature, when there is one.
    pub signature: Option<String>,
    /// Whether the tag carries a PGP signature instead.
    pub pgp: bool,
}

/// Who signed a tag.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signer {
    /// The publisher's name from units.yaml.
    pub name: String,
    /// SHA-256 fingerprint of the key.
    pub fingerprint: String,
}

/// Reads tag `name` from the repository at `root`.
pub fn read(root: &Path, name: &str) -> Result<Result<TagObject, Refusal>, Error> {
    let full = format!("refs/tags/{name}");
    let kind = crate::git::run(root, &["cat-file", "-t", &full])
        .map_err(|_| Error::Usage(format!("there is no tag `{name}` in this repository")))?;
    if String::from_utf8_lossy(&kind).trim() != "tag" {
        return Ok(Err(Refusal::Lightweight(name.to_owned())));
    }
    let raw = crate::git::run(root, &["cat-file", "tag", &full])?;
    Ok(Ok(parse(name, &raw)))
}

/// Parses a raw tag object.
pub fn parse(ref_name: &str, raw: &[u8]) -> TagObject {
    let text = String::from_utf8_lossy(raw);
    let header_end = text.find("\n\n").unwrap_or(text.len());
    let header = &text[..header_end];
    let field = |key: &str| {
        header
            .lines()
            .find_map(|l| l.strip_prefix(key).and_then(|v| v.strip_prefix(' ')))
            .unwrap_or_default()
            .to_owned()
    };
    let ssh_at = text.find("-----BEGIN SSH SIGNATURE-----");
    let pgp = text.contains("-----BEGIN PGP SIGNATURE-----");
    let (payload, signature) = match ssh_at {
        Some(at) => {
            let end = text[at..]
                .find("-----END SSH SIGNATURE-----")
                .map_or(text.len(), |e| at + e + "-----END SSH SIGNATURE-----".len());
            (raw[..at].to_vec(), Some(text[at..end].to_owned()))
        }
        None => (raw.to_vec(), None),
    };
    TagObject {
        ref_name: ref_name.to_owned(),
        name: field("tag"),
        commit: field("object"),
        payload,
        signature,
        pgp,
    }
}

/// Verifies that `tag` is signed by one of `publishers` and names itself as its ref.
pub fn verify(tag: &TagObject, publishers: &[Publisher], unit: &str) -> Result<Signer, Refusal> {
    if tag.name != tag.ref_name {
        return Err(Refusal::TagNameMismatch {
            ref_name: tag.ref_name.clone(),
            inside: tag.name.clone(),
        });
    }
    let Some(armoured) = &tag.signature else {
        return Err(if tag.pgp {
            Refusal::PgpSignature(tag.ref_name.clone())
        } else {
            Refusal::Unsigned(tag.ref_name.clone())
        });
    };
    let sig = SshSig::from_pem(armoured.trim())
        .map_err(|e| Refusal::BadSignature(format!("the signature cannot be read: {e}")))?;
    if sig.namespace() != GIT_NAMESPACE {
        return Err(Refusal::BadSignature(format!(
            "the signature is for `{}`, not for git",
            sig.namespace()
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
