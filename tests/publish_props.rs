//! Property tests of the release-tag parser and verifier: whatever bytes a tag object
//! holds (git accepts nearly any bytes with `hash-object --literally`), parsing and
//! verifying never panic, the signed payload is always a prefix of the object, and a
//! real signature verifies only over the exact bytes it was made for.
//!
//! Set `PROPTEST_CASES` for more cases than the default 256.

mod common;

use moment::model::Publisher;
use moment::publish::tag::{parse, verify};
use proptest::prelude::*;

/// A real signed tag object, made once with `ssh-keygen -Y sign` (namespace git) and a
/// fresh key, and that key's public line.
fn signed_tag() -> (Vec<u8>, String) {
    static CELL: std::sync::OnceLock<(Vec<u8>, String)> = std::sync::OnceLock::new();
    CELL.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tmp");
        let key = common::Key::ed25519(dir.path(), "k").path;
        let payload = b"object 0123456789012345678901234567890123456789\ntype commit\ntag somn/v1.0.0\ntagger A <a@e> 1 +0000\n\nR\xe4ttad release\n".to_vec();
        let file = dir.path().join("payload");
        std::fs::write(&file, &payload).expect("payload");
        let ok = std::process::Command::new("ssh-keygen")
            .args(["-Y", "sign", "-n", "git", "-f"])
            .arg(&key)
            .arg(&file)
            .output()
            .expect("ssh-keygen -Y sign")
            .status
            .success();
        assert!(ok);
        let sig = std::fs::read(file.with_extension("sig")).expect("sig");
        let public = std::fs::read_to_string(key.with_extension("pub")).expect("pub");
        ([payload, sig].concat(), public.trim().to_owned())
    })
    .clone()
}

fn publishers(key: &str) -> Vec<Publisher> {
    vec![Publisher {
        name: "A".to_owned(),
        key: key.to_owned(),
    }]
}

#[test]
fn the_real_tag_verifies() {
    let (raw, key) = signed_tag();
    let tag = parse("somn/v1.0.0", &raw);
    assert_eq!(
        verify(&tag, &publishers(&key), "u").expect("verifies").name,
        "A"
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let (_, key) = signed_tag();
        let tag = parse("somn/v1.0.0", &bytes);
        prop_assert!(bytes.starts_with(&tag.payload));
        let _ = tag.message();
        let _ = verify(&tag, &publishers(&key), "u");
    }

    #[test]
    fn any_single_byte_change_of_a_signed_tag_is_refused(at in any::<prop::sample::Index>(), by in 1u8..=255) {
        let (mut raw, key) = signed_tag();
        let i = at.index(raw.len());
        raw[i] ^= by;
        let tag = parse("somn/v1.0.0", &raw);
        prop_assert!(verify(&tag, &publishers(&key), "u").is_err(), "byte {} changed and still verified", i);
    }

    #[test]
    fn cut_or_extended_tags_never_panic(cut in any::<prop::sample::Index>(), tail in proptest::collection::vec(any::<u8>(), 0..80)) {
        let (raw, key) = signed_tag();
        let mut bytes = raw[..cut.index(raw.len() + 1)].to_vec();
        bytes.extend(tail);
        let tag = parse("somn/v1.0.0", &bytes);
        let _ = verify(&tag, &publishers(&key), "u");
    }
}
