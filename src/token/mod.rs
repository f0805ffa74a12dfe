//! Token verification (DESIGN 1.3): compact JWS parsing, issuer and key selection, signature,
//! time and audience checks, and the three token formats.

pub(crate) mod base64url;
mod claims;
pub mod crypto;
mod ecdsa_verify;
mod ed25519_verify;
mod error;
mod jwk;
mod jws;
mod keys;
#[cfg(not(target_arch = "wasm32"))]
pub mod mint;
mod montgomery;
mod object;
mod prime_field;
mod rsa_verify;
mod scalar_mul;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod vectors;

pub use claims::{BoundObject, Claims, Credential, TokenFormat};
pub use claims::{
    BOUND_CLAIM, LEGACY_ACCOUNT_NAME, LEGACY_ACCOUNT_UID, LEGACY_ISSUER, LEGACY_NAMESPACE,
    LEGACY_SECRET_NAME,
};
pub use error::TokenError;
pub use jwk::{Jwk, JwkSet};
pub use keys::{IssuerKeys, KeyChoice, KeyFamily, KeyRing, PublicKey, SignatureRefusal};

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
    /// Its `nbf`, if any.
    pub not_before: Option<UnixTime>,
    /// Its `iat`, if any.
    pub issued_at: Option<UnixTime>,
    /// The audiences of its `aud` that its issuer accepts, in the token's order (Kubernetes'
    /// intersection of the token's and the authenticator's audiences); empty when the issuer
    /// lists none.
    pub audiences: Vec<String>,
    /// All its claims.
    pub claims: Claims,
}

pub mod credentials;
pub use jws::{algorithm_name, header as jws_header, HeaderMemo, MAX_TOKEN_BYTES};

/// The signature check of a token, for a host whose signature math is asynchronous (WebCrypto
/// in workers and browsers): done ahead of the decision, its answer is then given back through
/// the host verifier ([`crypto::set_host_verifier`]) when the engine verifies the token.
#[derive(Debug)]
pub struct SignatureCheck<'k, 't> {
    /// The number the caller gave this check: the engine's, to give its verdict back by
    /// ([`crate::Engine::signature_verdict`]), unique among all engines' checks.
    pub id: u32,
    /// The token's algorithm.
    pub alg: jsonwebtoken::Algorithm,
    /// The keys the engine chose for it, as JWK text: any one that verifies is enough (one
    /// key when the token names a `kid`).
    pub keys: Vec<&'k str>,
    /// The signed bytes (`base64url(header) "." base64url(claims)`).
    pub message: &'t [u8],
    /// The signature.
    pub signature: Vec<u8>,
}

/// The public-key signature check that verifying `token` at `now` would make, with the keys
/// chosen as [`verify`] chooses them, and what [`verify`] will answer for either verdict
/// (everything it checks besides the signature, checked now); `None` when there is no check
/// to make ahead: HMAC (done in the module), or a token refused before any signature is
/// checked (verifying it says why). `id` numbers the check; `headers` as for [`verify`].
pub fn signature_check<'k, 't>(
    id: u32,
    keys: &'k KeyRing,
    leeway: u32,
    token: &'t str,
    now: UnixTime,
    headers: &mut HeaderMemo,
) -> Option<(SignatureCheck<'k, 't>, Prepared)> {
    let jws = jws::parse(token, headers).ok()?;
    let claims = jws.claims().ok()?;
    let (issuer, iss) = issuer_of(keys, &claims).ok()?;
    let choice = issuer.choose(jws.alg, jws.kid.as_deref()).ok()?;
    let jwks: Vec<&str> = choice
        .public_keys()
        .into_iter()
        .filter_map(PublicKey::jwk)
        .collect();
    if jwks.is_empty() {
        return None;
    }
    let if_invalid = issuer.refusal(jws.alg, jws.kid.as_deref(), &choice);
    let passed = after_signature(issuer, iss.as_deref(), leeway, &claims, now);
    drop(iss);
    drop(claims);
    let if_valid = passed.map(|p| p.token(issuer, jws.claims_json));
    Some((
        SignatureCheck {
            id,
            alg: jws.alg,
            keys: jwks,
            message: jws.signing_input.as_bytes(),
            signature: jws.signature,
        },
        Prepared {
            if_valid,
            if_invalid,
        },
    ))
}

/// What [`verify`] answers for a token, worked out by [`signature_check`] ahead of the
/// signature's verdict.
#[derive(Debug)]
pub struct Prepared {
    /// The answer when the signature verifies: the token, or the first refusal of the checks
    /// that follow the signature (times, audience, format).
    pub if_valid: Result<VerifiedToken, TokenError>,
    /// The answer when it does not.
    pub if_invalid: SignatureRefusal,
}

impl Prepared {
    /// [`verify`]'s answer, given the signature's verdict.
    pub fn answer(self, valid: bool) -> Result<VerifiedToken, TokenError> {
        if valid {
            self.if_valid
        } else {
            Err(self.if_invalid.error())
        }
    }
}

/// Checks only the signature of a compact JWS (any payload, not necessarily JWT claims) with
/// an issuer's keys, exactly as [`verify`] does for tokens: the header's `alg` (never `none`)
/// and `kid` choose among keys that permit that algorithm.
pub fn verify_signature(issuer: &IssuerKeys, compact: &str) -> Result<(), TokenError> {
    if compact.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::TooLarge {
            size: compact.len(),
            max: MAX_TOKEN_BYTES,
        });
    }
    let mut parts = compact.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed {
            part: "token",
            why: "expected 3 '.'-separated parts".into(),
        });
    };
    let (alg, kid) = jws_header(h)?;
    jws::check_base64url("claims", p)?;
    let signature = jws::decode_part("signature", s)?;
    // INVARIANT: `h` and `p` are the first two of three '.'-separated parts, so the slice ends
    // at the second '.', within `compact`.
    issuer.verify(
        alg,
        kid.as_deref(),
        &compact.as_bytes()[..h.len() + 1 + p.len()],
        &signature,
    )
}

/// Verifies a compact JWS token: its form, issuer, key, signature, `exp`/`nbf`/`iat` (with
/// `leeway` seconds) and `aud`, then recognises its format. The account it names is checked
/// against the bundle by [`crate::identity::resolve`]. `headers` recalls headers read before
/// (an engine keeps one; `&mut HeaderMemo::default()` for none).
pub fn verify(
    keys: &KeyRing,
    leeway: u32,
    token: &str,
    now: UnixTime,
    headers: &mut HeaderMemo,
) -> Result<VerifiedToken, TokenError> {
    let jws = jws::parse(token, headers)?;
    let claims = jws.claims()?;
    let (issuer, iss) = issuer_of(keys, &claims)?;
    issuer.verify(
        jws.alg,
        jws.kid.as_deref(),
        jws.signing_input.as_bytes(),
        &jws.signature,
    )?;
    let passed = after_signature(issuer, iss.as_deref(), leeway, &claims, now)?;
    drop(iss);
    drop(claims);
    Ok(passed.token(issuer, jws.claims_json))
}

/// The issuer a token's claims name (`iss`; none: the bundle's default issuer), and the `iss`
/// (read once: [`after_signature`] checks it against the token's format).
fn issuer_of<'k, 'c>(
    keys: &'k KeyRing,
    claims: &object::Object<'c>,
) -> Result<(&'k IssuerKeys, Option<std::borrow::Cow<'c, str>>), TokenError> {
    let iss = claims::optional_str(claims, "", "iss")?;
    Ok((keys.issuer(iss.as_deref())?, iss))
}

/// What [`verify`]'s checks after the signature found.
struct Passed {
    format: TokenFormat,
    credential: Credential,
    exp: Option<i64>,
    nbf: Option<i64>,
    iat: Option<i64>,
    audiences: Vec<String>,
}

impl Passed {
    /// The verified token, its claims given as their JSON text.
    fn token(self, issuer: &IssuerKeys, claims_json: String) -> VerifiedToken {
        VerifiedToken {
            issuer: issuer.name.clone(),
            format: self.format,
            credential: self.credential,
            expires_at: self.exp.map(UnixTime),
            not_before: self.nbf.map(UnixTime),
            issued_at: self.iat.map(UnixTime),
            audiences: self.audiences,
            claims: Claims::from_json(claims_json),
        }
    }
}

/// [`verify`]'s checks after the signature: times, audience and format.
fn after_signature(
    issuer: &IssuerKeys,
    iss: Option<&str>,
    leeway: u32,
    claims: &object::Object<'_>,
    now: UnixTime,
) -> Result<Passed, TokenError> {
    let exp = claims::numeric_date(claims, "exp")?;
    let nbf = claims::numeric_date(claims, "nbf")?;
    let iat = claims::numeric_date(claims, "iat")?;
    let (now_s, slack) = (now.0, i64::from(leeway));
    if let Some(exp) = exp {
        if now_s > exp.saturating_add(slack) {
            return Err(TokenError::Expired {
                exp,
                now: now_s,
                leeway,
            });
        }
    }
    if let Some(nbf) = nbf {
        if now_s.saturating_add(slack) < nbf {
            return Err(TokenError::NotYetValid {
                nbf,
                now: now_s,
                leeway,
            });
        }
    }
    if let Some(iat) = iat {
        if now_s.saturating_add(slack) < iat {
            return Err(TokenError::IssuedInFuture {
                iat,
                now: now_s,
                leeway,
            });
        }
    }
    let audiences = claims::audiences(claims)?;
    let accepted = |a: &std::borrow::Cow<'_, str>| issuer.audiences.iter().any(|x| x == a);
    if !issuer.audiences.is_empty() && !audiences.iter().any(accepted) {
        return Err(TokenError::WrongAudience {
            found: audiences.into_iter().map(|a| a.into_owned()).collect(),
            expected: issuer.audiences.clone(),
        });
    }
    let audiences = audiences
        .into_iter()
        .filter(accepted)
        .map(|a| a.into_owned())
        .collect();
    let (format, credential) = claims::credential(claims)?;
    claims::check_issuer(format, iss)?;
    if format == TokenFormat::KubernetesBound && exp.is_none() {
        return Err(TokenError::MissingClaim {
            claim: "exp".into(),
            format: "Kubernetes bound",
        });
    }
    Ok(Passed {
        format,
        credential,
        exp,
        nbf,
        iat,
        audiences,
    })
}
