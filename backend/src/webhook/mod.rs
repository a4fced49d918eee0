//! Webhooks, both ways, in the Standard Webhooks format (<https://www.standardwebhooks.com>):
//! `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256>` over
//! `"{id}.{timestamp}.{body}"`, with `whsec_`-prefixed secrets.
//!
//! # Layout
//! - [`signature`]: secrets, signing, and verification with a timestamp tolerance.
//! - [`events`]: the event types Kiln sends and the JSON body of each.

pub(crate) mod events;
pub mod signature;
