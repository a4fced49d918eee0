//! Secrets Kiln has to use again — gateway API keys set in Settings, webhook endpoint
//! secrets, the team's callback secret — are stored sealed: encrypted and authenticated
//! with XChaCha20-Poly1305 under a key derived from the server secret. A copy of the
//! database alone (a dump, a backup) does not reveal them.
//!
//! Changing the server secret (`KILN_JWT_SECRET`, or the generated one in the data
//! directory) makes sealed values unreadable: the gateway keys have to be entered again
//! and the signing secrets rotated. Values stored before sealing existed are read as
//! they are and sealed when next written.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// Marks a sealed value, and the scheme, so that another can follow.
const PREFIX: &str = "sealed:v1:";
const NONCE_BYTES: usize = 24;
/// Separates this key from every other use of the server secret.
const KEY_LABEL: &[u8] = b"kiln: secrets sealed at rest, v1";

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error(
        "a stored secret cannot be opened: it was sealed under another server secret, or altered"
    )]
    Unreadable,
    #[error("a secret could not be sealed")]
    Seal,
    #[error("no sealing key can be derived from the server secret")]
    Key,
}

pub(crate) struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    pub(crate) fn new(server_secret: &SecretString) -> Result<Self, SealError> {
        // HMAC-SHA256 as the key derivation function: the server secret is already
        // high in entropy, so one keyed hash with a label is enough.
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(server_secret.expose_secret().as_bytes())
                .map_err(|_| SealError::Key)?;
        mac.update(KEY_LABEL);
        let key = mac.finalize().into_bytes();
        Ok(Self {
            cipher: XChaCha20Poly1305::new(&key),
        })
    }

    /// `plain`, sealed for storage.
    pub(crate) fn seal(&self, plain: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| SealError::Seal)?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", STANDARD.encode(bytes)))
    }

    /// The secret in a stored value: opened if sealed, as it is if stored in the clear
    /// before sealing existed.
    pub(crate) fn open(&self, stored: &str) -> Result<SecretString, SealError> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else {
            return Ok(SecretString::from(stored.to_owned()));
        };
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| SealError::Unreadable)?;
        if bytes.len() < NONCE_BYTES {
            return Err(SealError::Unreadable);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| SealError::Unreadable)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| SealError::Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer(secret: &str) -> Sealer {
        Sealer::new(&SecretString::from(secret.to_owned())).unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_again_and_does_not_show() {
        let sealer = sealer("server secret");
        let stored = sealer.seal("whsec_abc123").unwrap();
        assert!(stored.starts_with(PREFIX));
        assert!(!stored.contains("abc123"));
        assert_ne!(
            stored,
            sealer.seal("whsec_abc123").unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(
            sealer.open(&stored).unwrap().expose_secret(),
            "whsec_abc123"
        );
    }

    #[test]
    fn another_server_secret_or_an_altered_value_cannot_open_it() {
        let stored = sealer("server secret").seal("sk-live-key").unwrap();
        assert!(sealer("another secret").open(&stored).is_err());
        let mut altered = stored.clone();
        altered.pop();
        altered.push(if stored.ends_with('A') { 'B' } else { 'A' });
        assert!(sealer("server secret").open(&altered).is_err());
        assert!(
            sealer("server secret")
                .open("sealed:v1:not base64!")
                .is_err()
        );
    }

    #[test]
    fn a_value_stored_before_sealing_is_read_as_it_is() {
        let opened = sealer("server secret").open("whsec_legacy").unwrap();
        assert_eq!(opened.expose_secret(), "whsec_legacy");
    }
}
