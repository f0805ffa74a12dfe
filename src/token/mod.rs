//! Token verification (DESIGN 1.3): compact JWS parsing, issuer and key selection, signature,
//! time and audience checks, and the three token formats.

mod claims;
pub mod crypto;
mod error;
mod jws;
mod keys;

pub use claims::{BoundObject, Credential, TokenFormat};
pub use error::TokenError;
pub use keys::KeyRing;

use crate::time::UnixTime;

/// A token whose signature, issuer, audience and times were checked.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    /// The issuer's local name.
    pub issuer: String,
    /// Which format it is.
    pub format: TokenFormat,
    /// The account and token it names.
    pub credential: Credential,
    /// Its `exp`, if any.
    pub expires_at: Option<UnixTime>,
    /// All its claims.
    pub claims: serde_json::Map<String, serde_json::Value>,
}
