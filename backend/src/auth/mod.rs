//! Who is asking: password hashes, access tokens, signed download links, and the
//! [`Viewer`] every service call acts as.
//!
//! # Layout
//! - [`password`]: argon2id hashing and verification, off the async threads.
//! - [`token`]: JWT access tokens and HMAC-signed download links.
//! - [`secret`]: the server secret, given by configuration or generated once.
//! - [`throttle`]: how often an account may try to sign in.
//! - [`sealed`]: secrets kept in the database, encrypted under the server secret.

pub(crate) mod password;
pub(crate) mod sealed;
pub(crate) mod secret;
pub(crate) mod throttle;
pub mod token;

use uuid::Uuid;

use crate::domain::account::RoleSet;

/// The member a request acts as: one user in one team, with that team's roles.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: Uuid,
    pub team_id: Uuid,
    pub roles: RoleSet,
}
