//! The bundle's detached signature: a compact JWS with a detached payload (RFC 7515
//! Appendix F), `<base64url(header)>..<base64url(signature)>`, over the bundle's exact bytes,
//! verified against public keys the consumer pins in its configuration (as OPA's signed
//! bundles). HMAC is not accepted: a bundle signer's key must not be able to verify-only.

use jsonwebtoken::Algorithm;

use super::BundleError;
use crate::token::{base64url, jws_header, JwkSet, PublicKey};

/// Public keys trusted to sign bundles.
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys {
    keys: Vec<PublicKey>,
}

impl TrustedKeys {
    /// Reads a JWKS (`{"keys": [...]}`) or a single JWK of public keys.
    pub fn from_json(json: &[u8]) -> Result<TrustedKeys, BundleError> {
        let sig = |why: String| BundleError::Signature(format!("trusted keys: {why}"));
        let text = std::str::from_utf8(json).map_err(|e| sig(format!("not UTF-8: {e}")))?;
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| sig(format!("not JSON: {e}")))?;
        // Read again from the text, not from `value`: a member named twice in a key is an
        // error there, while `value` kept only the last.
        let set = if value.get("keys").is_some() {
            JwkSet::from_json(text).map_err(|e| sig(format!("not a JWKS: {e}")))?
        } else {
            JwkSet {
                keys: vec![serde_json::from_str(text).map_err(|e| sig(format!("not a JWK: {e}")))?],
            }
        };
        let keys = set
            .keys
            .iter()
            .enumerate()
            .map(|(i, jwk)| {
                PublicKey::from_jwk(jwk).map_err(|why| sig(format!("keys[{i}]: {why}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(sig("no keys".into()));
        }
        Ok(TrustedKeys { keys })
    }

    /// Verifies `signature` over `bundle` (its exact bytes).
    pub fn verify(&self, bundle: &[u8], signature: &str) -> Result<(), BundleError> {
        let sig = |why: String| BundleError::Signature(why);
        let signature = signature.trim();
        let mut parts = signature.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(sig("expected a compact JWS <header>..<signature>".into()));
        };
        let (alg, kid) = jws_header(h).map_err(|e| sig(e.to_string()))?;
        if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
            return Err(sig(format!(
                "header.alg: {alg:?} is not accepted for bundles (expected a public-key algorithm)"
            )));
        }
        let payload = base64url::encode(bundle);
        if !p.is_empty() && p != payload {
            return Err(sig("the attached payload is not the bundle's bytes".into()));
        }
        let signature =
            base64url::decode(s).map_err(|e| sig(format!("signature: not base64url: {e}")))?;
        let signing_input = format!("{h}.{payload}");
        let candidates: Vec<&PublicKey> = self
            .keys
            .iter()
            .filter(|k| k.permits(alg) && (kid.is_none() || k.kid.as_deref() == kid.as_deref()))
            .collect();
        let which = match &kid {
            Some(kid) => format!("kid {kid:?}"),
            None => "no kid".to_string(),
        };
        if candidates.is_empty() {
            return Err(sig(format!("no trusted key for alg {alg:?} and {which}")));
        }
        if candidates
            .iter()
            .any(|k| k.verify(alg, signing_input.as_bytes(), &signature))
        {
            Ok(())
        } else {
            Err(sig(format!(
                "does not verify with the trusted key(s) for {which}"
            )))
        }
    }
}
