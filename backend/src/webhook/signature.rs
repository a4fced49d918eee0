//! Signing and verifying Standard Webhooks messages.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// How far a message's timestamp may be from now, either way, before it is refused as a
/// replay (the spec's recommendation).
pub(crate) const TOLERANCE_SECS: i64 = 300;
const PREFIX: &str = "whsec_";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum VerifyError {
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    #[error("the webhook-timestamp header is not a number")]
    BadTimestamp,
    #[error("the message is too old or from the future (more than {TOLERANCE_SECS} s away)")]
    OutOfTolerance,
    #[error("no signature matches")]
    NoMatch,
    #[error("the signing secret is malformed")]
    BadSecret,
}

/// A new secret, `whsec_` and 24 random bytes in base64, as the spec suggests.
pub fn generate_secret() -> SecretString {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    SecretString::from(format!("{PREFIX}{}", STANDARD.encode(bytes)))
}

/// The key bytes of a `whsec_…` secret.
fn key(secret: &SecretString) -> Result<Vec<u8>, VerifyError> {
    let text = secret.expose_secret();
    let encoded = text.strip_prefix(PREFIX).unwrap_or(text);
    STANDARD.decode(encoded).map_err(|_| VerifyError::BadSecret)
}

fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `webhook-signature` header value: one `v1,<signature>` per secret, space
/// separated — during a rotation both the new and the old secret sign, so receivers
/// holding either accept the message.
pub(crate) fn sign(
    secrets: &[&SecretString],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, VerifyError> {
    let mut parts = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let signature = mac(&key(secret)?, id, timestamp, body)
            .finalize()
            .into_bytes();
        parts.push(format!("v1,{}", STANDARD.encode(signature)));
    }
    Ok(parts.join(" "))
}

/// The three Standard Webhooks headers of a received message.
pub(crate) struct Received<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// Checks a received message against any of `secrets`, on its raw body, in constant
/// time, within the timestamp tolerance around `now` (unix seconds).
pub(crate) fn verify(
    secrets: &[&SecretString],
    headers: &Received<'_>,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let id = headers.id.ok_or(VerifyError::MissingHeader("webhook-id"))?;
    let timestamp: i64 = headers
        .timestamp
        .ok_or(VerifyError::MissingHeader("webhook-timestamp"))?
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    let signatures = headers
        .signature
        .ok_or(VerifyError::MissingHeader("webhook-signature"))?;
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(VerifyError::OutOfTolerance);
    }
    for secret in secrets {
        let key = key(secret)?;
        for candidate in signatures.split_whitespace() {
            let Some(encoded) = candidate.strip_prefix("v1,") else {
                continue;
            };
            let Ok(bytes) = STANDARD.decode(encoded) else {
                continue;
            };
            if mac(&key, id, timestamp, body).verify_slice(&bytes).is_ok() {
                return Ok(());
            }
        }
    }
    Err(VerifyError::NoMatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretString {
        generate_secret()
    }

    #[test]
    fn a_signed_message_verifies_and_a_changed_one_does_not() {
        let secret = secret();
        let header = sign(&[&secret], "msg_1", 1_700_000_000, b"{\"a\":1}").unwrap();
        let received = Received {
            id: Some("msg_1"),
            timestamp: Some("1700000000"),
            signature: Some(&header),
        };
        assert_eq!(
            verify(&[&secret], &received, b"{\"a\":1}", 1_700_000_010),
            Ok(())
        );
        assert_eq!(
            verify(&[&secret], &received, b"{\"a\":2}", 1_700_000_010),
            Err(VerifyError::NoMatch)
        );
        let other_id = Received {
            id: Some("msg_2"),
            ..received
        };
        assert_eq!(
            verify(&[&secret], &other_id, b"{\"a\":1}", 1_700_000_010),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn an_old_message_is_refused_as_a_replay() {
        let secret = secret();
        let header = sign(&[&secret], "msg_1", 1_700_000_000, b"x").unwrap();
        let received = Received {
            id: Some("msg_1"),
            timestamp: Some("1700000000"),
            signature: Some(&header),
        };
        assert_eq!(
            verify(&[&secret], &received, b"x", 1_700_000_000 + 301),
            Err(VerifyError::OutOfTolerance)
        );
        assert_eq!(
            verify(&[&secret], &received, b"x", 1_700_000_000 - 301),
            Err(VerifyError::OutOfTolerance)
        );
    }

    #[test]
    fn during_a_rotation_either_secret_verifies() {
        let (old, new) = (secret(), secret());
        let header = sign(&[&new, &old], "msg_1", 1_700_000_000, b"x").unwrap();
        assert_eq!(header.split(' ').count(), 2);
        for held in [&old, &new] {
            let received = Received {
                id: Some("msg_1"),
                timestamp: Some("1700000000"),
                signature: Some(&header),
            };
            assert_eq!(verify(&[held], &received, b"x", 1_700_000_000), Ok(()));
        }
    }

    #[test]
    fn missing_headers_are_named() {
        let received = Received {
            id: None,
            timestamp: Some("1"),
            signature: Some("v1,x"),
        };
        assert_eq!(
            verify(&[&secret()], &received, b"x", 1),
            Err(VerifyError::MissingHeader("webhook-id"))
        );
    }

    #[test]
    fn secrets_look_like_the_spec_says() {
        let secret = secret();
        assert!(secret.expose_secret().starts_with("whsec_"));
        assert_eq!(key(&secret).unwrap().len(), 24);
    }
}
