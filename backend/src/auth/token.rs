//! Access tokens (JWT, HS256) and signed download links.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

/// HS256 and nothing else for `jsonwebtoken`. Its `rust_crypto` feature would bring every
/// algorithm it knows, RSA included (with RUSTSEC-2023-0071, the Marvin timing attack),
/// though Kiln only ever signs and checks HMAC-SHA256; this provider uses the `hmac` and
/// `sha2` crates Kiln already has, and refuses any other algorithm.
mod hs256 {
    use hmac::{Hmac, Mac};
    use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
    use jsonwebtoken::errors::{ErrorKind, Result};
    use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
    use sha2::Sha256;
    use signature::{Signer, Verifier};

    struct Hs256(Hmac<Sha256>);

    impl Hs256 {
        fn new(key: &[u8]) -> Result<Self> {
            Ok(Self(
                Hmac::new_from_slice(key).map_err(|_| ErrorKind::InvalidKeyFormat)?,
            ))
        }
    }

    impl Signer<Vec<u8>> for Hs256 {
        fn try_sign(&self, message: &[u8]) -> std::result::Result<Vec<u8>, signature::Error> {
            let mut mac = self.0.clone();
            mac.update(message);
            Ok(mac.finalize().into_bytes().to_vec())
        }
    }

    impl Verifier<Vec<u8>> for Hs256 {
        /// In constant time (`verify_slice`).
        fn verify(
            &self,
            message: &[u8],
            signature: &Vec<u8>,
        ) -> std::result::Result<(), signature::Error> {
            let mut mac = self.0.clone();
            mac.update(message);
            mac.verify_slice(signature)
                .map_err(signature::Error::from_source)
        }
    }

    impl JwtSigner for Hs256 {
        fn algorithm(&self) -> Algorithm {
            Algorithm::HS256
        }
    }

    impl JwtVerifier for Hs256 {
        fn algorithm(&self) -> Algorithm {
            Algorithm::HS256
        }
    }

    pub(super) static PROVIDER: CryptoProvider = CryptoProvider {
        signer_factory: |algorithm, key: &EncodingKey| match algorithm {
            Algorithm::HS256 => Ok(Box::new(Hs256::new(key.as_bytes())?)),
            _ => Err(ErrorKind::InvalidAlgorithm.into()),
        },
        verifier_factory: |algorithm, key: &DecodingKey| match algorithm {
            Algorithm::HS256 => Ok(Box::new(Hs256::new(key.try_get_as_bytes()?)?)),
            _ => Err(ErrorKind::InvalidAlgorithm.into()),
        },
        // Only JWK handling needs these, and Kiln reads no JWKs.
        key_utils: KeyUtils::new_unimplemented(),
    };
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is not valid")]
    Invalid,
    #[error("could not sign a token: {0}")]
    Sign(String),
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The user.
    sub: Uuid,
    /// The team the token acts in.
    team: Uuid,
    iat: i64,
    exp: i64,
}

/// What a valid access token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: Uuid,
    pub team_id: Uuid,
}

/// Issues and checks access tokens and download links with keys derived from one secret.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    link_key: Vec<u8>,
    ttl: Duration,
}

impl Tokens {
    pub fn new(secret: &SecretString, ttl: Duration) -> Self {
        // Once per process, before the first token is signed or checked; a second call
        // (another app in the same test process) finds it installed, which is fine.
        let _ = hs256::PROVIDER.install_default();
        let bytes = secret.expose_secret().as_bytes();
        // Links get their own key so that a download signature can never pass as a token.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(bytes)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(b"kiln download links v1");
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            link_key: mac.finalize().into_bytes().to_vec(),
            ttl,
        }
    }

    /// A new access token and when it expires.
    pub fn issue(
        &self,
        user_id: Uuid,
        team_id: Uuid,
    ) -> Result<(String, DateTime<Utc>), TokenError> {
        let now = Utc::now();
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: user_id,
            team: team_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| TokenError::Sign(e.to_string()))?;
        Ok((token, expires_at))
    }

    pub fn verify(&self, token: &str) -> Result<TokenSubject, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| TokenSubject {
                user_id: data.claims.sub,
                team_id: data.claims.team,
            })
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }

    /// Signs a link to one file variant, valid until `expires` (unix seconds). Browsers
    /// cannot send an `Authorization` header from `<img src>`, so the API hands its
    /// viewers these short-lived capabilities instead.
    pub fn sign_link(&self, asset_id: Uuid, variant: &str, expires: i64) -> String {
        hex::encode(
            self.link_mac(asset_id, variant, expires)
                .finalize()
                .into_bytes(),
        )
    }

    /// Checks a signature made by [`Tokens::sign_link`], in constant time.
    pub fn verify_link(
        &self,
        asset_id: Uuid,
        variant: &str,
        expires: i64,
        signature: &str,
    ) -> bool {
        if expires < Utc::now().timestamp() {
            return false;
        }
        let Ok(signature) = hex::decode(signature) else {
            return false;
        };
        self.link_mac(asset_id, variant, expires)
            .verify_slice(&signature)
            .is_ok()
    }

    fn link_mac(&self, asset_id: Uuid, variant: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.link_key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(format!("{asset_id}/{variant}/{expires}").as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(ttl: Duration) -> Tokens {
        Tokens::new(&SecretString::from("test secret of some length"), ttl)
    }

    #[test]
    fn an_issued_token_names_its_user_and_team() {
        let tokens = tokens(Duration::from_secs(60));
        let (user, team) = (Uuid::now_v7(), Uuid::now_v7());
        let (token, _) = tokens.issue(user, team).unwrap();
        let subject = tokens.verify(&token).unwrap();
        assert_eq!(
            subject,
            TokenSubject {
                user_id: user,
                team_id: team
            }
        );
    }

    #[test]
    fn a_token_signed_with_another_secret_is_invalid() {
        let (token, _) = tokens(Duration::from_secs(60))
            .issue(Uuid::now_v7(), Uuid::now_v7())
            .unwrap();
        let other = Tokens::new(
            &SecretString::from("another secret"),
            Duration::from_secs(60),
        );
        assert!(matches!(other.verify(&token), Err(TokenError::Invalid)));
    }

    #[test]
    fn an_expired_token_is_refused_as_expired() {
        let tokens = tokens(Duration::from_secs(60));
        let claims = Claims {
            sub: Uuid::now_v7(),
            team: Uuid::now_v7(),
            iat: 0,
            exp: 1,
        };
        let old = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &tokens.encoding)
            .unwrap();
        assert!(matches!(tokens.verify(&old), Err(TokenError::Expired)));
    }

    #[test]
    fn hs256_matches_the_jwt_specification_example() {
        // The HS256 example of RFC 7515 appendix A.1: its key, signing input and signature.
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let _ = tokens(Duration::from_secs(60));
        let key = URL_SAFE_NO_PAD
            .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
            .unwrap();
        let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        let expected = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let signed = jsonwebtoken::crypto::sign(
            input.as_bytes(),
            &EncodingKey::from_secret(&key),
            Algorithm::HS256,
        )
        .unwrap();
        assert_eq!(signed, expected);
        let decoding = DecodingKey::from_secret(&key);
        assert!(
            jsonwebtoken::crypto::verify(expected, input.as_bytes(), &decoding, Algorithm::HS256)
                .unwrap()
        );
        assert!(
            jsonwebtoken::crypto::verify(expected, input.as_bytes(), &decoding, Algorithm::RS256)
                .is_err(),
            "no other algorithm is offered"
        );
    }

    #[test]
    fn a_download_link_is_bound_to_its_asset_variant_and_expiry() {
        let tokens = tokens(Duration::from_secs(60));
        let asset = Uuid::now_v7();
        let expires = Utc::now().timestamp() + 60;
        let sig = tokens.sign_link(asset, "original", expires);
        assert!(tokens.verify_link(asset, "original", expires, &sig));
        assert!(!tokens.verify_link(asset, "thumbnail", expires, &sig));
        assert!(!tokens.verify_link(Uuid::now_v7(), "original", expires, &sig));
        assert!(!tokens.verify_link(asset, "original", expires + 1, &sig));
        assert!(!tokens.verify_link(asset, "original", expires, "not-hex"));
    }

    #[test]
    fn an_expired_download_link_is_refused() {
        let tokens = tokens(Duration::from_secs(60));
        let asset = Uuid::now_v7();
        let expired = Utc::now().timestamp() - 1;
        let sig = tokens.sign_link(asset, "original", expired);
        assert!(!tokens.verify_link(asset, "original", expired, &sig));
    }
}
