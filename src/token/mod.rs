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

pub mod credentials;
pub use jws::MAX_TOKEN_BYTES;

/// Verifies a compact JWS token: its form, issuer, key, signature, `exp`/`nbf`/`iat` (with
/// `leeway` seconds) and `aud`, then recognises its format. The account it names is checked
/// against the bundle by [`crate::identity::resolve`].
pub fn verify(keys: &KeyRing, leeway: u32, token: &str, now: UnixTime) -> Result<VerifiedToken, TokenError> {
    let jws = jws::parse(token)?;
    let iss = claims::optional_str(&jws.claims, "", "iss")?;
    let issuer = keys.issuer(iss)?;
    issuer.verify(jws.alg, jws.kid.as_deref(), jws.signing_input.as_bytes(), &jws.signature)?;
    let claims = jws.claims;
    let exp = claims::numeric_date(&claims, "exp")?;
    let nbf = claims::numeric_date(&claims, "nbf")?;
    let iat = claims::numeric_date(&claims, "iat")?;
    let (now_s, slack) = (now.0, i64::from(leeway));
    if let Some(exp) = exp {
        if now_s > exp.saturating_add(slack) {
            return Err(TokenError::Expired { exp, now: now_s, leeway });
        }
    }
    if let Some(nbf) = nbf {
        if now_s.saturating_add(slack) < nbf {
            return Err(TokenError::NotYetValid { nbf, now: now_s, leeway });
        }
    }
    if let Some(iat) = iat {
        if now_s.saturating_add(slack) < iat {
            return Err(TokenError::IssuedInFuture { iat, now: now_s, leeway });
        }
    }
    let audiences = claims::audiences(&claims)?;
    if !issuer.audiences.is_empty() && !audiences.iter().any(|a| issuer.audiences.contains(a)) {
        return Err(TokenError::WrongAudience { found: audiences, expected: issuer.audiences.clone() });
    }
    let (format, credential) = claims::credential(&claims)?;
    if format == TokenFormat::KubernetesBound && exp.is_none() {
        return Err(TokenError::MissingClaim { claim: "exp".into(), format: "Kubernetes bound" });
    }
    Ok(VerifiedToken {
        issuer: issuer.name.clone(),
        format,
        credential,
        expires_at: exp.map(|e| UnixTime(e.saturating_add(slack))),
        claims,
    })
}
