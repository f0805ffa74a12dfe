//! Minting tokens and signatures (native only): private keys as JWKs, signed through
//! jsonwebtoken with tessera's crypto provider. Used by the CLI, bundle signing and tests; the
//! wasm module carries no signing code.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::pkcs8::EncodePrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::crypto;
use super::jws::parse_algorithm;

/// Why a private key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The JWK is not a private key of a supported kind.
    #[error("private key: {0}")]
    Invalid(String),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(String),
}

/// A private signing key with its algorithm and key id.
#[derive(Clone)]
pub struct PrivateKey {
    /// The algorithm it signs with.
    pub alg: Algorithm,
    /// Its key id.
    pub kid: Option<String>,
    jwk: Map<String, Value>,
    encoding: EncodingKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn field<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<&'a str, KeyError> {
    jwk.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| KeyError::Invalid(format!("{name}: missing or not a string")))
}

fn bytes(jwk: &Map<String, Value>, name: &str) -> Result<Vec<u8>, KeyError> {
    URL_SAFE_NO_PAD
        .decode(field(jwk, name)?)
        .map_err(|e| KeyError::Invalid(format!("{name}: not base64url: {e}")))
}

fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

impl PrivateKey {
    /// Reads a private JWK (RSA with `d`, `p`, `q`; EC P-256/P-384 or OKP Ed25519 with `d`;
    /// `oct` with `k` for HMAC). `alg` is taken from the JWK, or from the key type.
    pub fn from_jwk(jwk: &Value) -> Result<PrivateKey, KeyError> {
        let jwk = jwk
            .as_object()
            .ok_or_else(|| KeyError::Invalid("expected a JWK object".into()))?
            .clone();
        let kty = field(&jwk, "kty")?;
        let alg = match jwk.get("alg").and_then(Value::as_str) {
            Some(a) => parse_algorithm(a).map_err(|e| KeyError::Invalid(e.to_string()))?,
            None => match (kty, jwk.get("crv").and_then(Value::as_str)) {
                ("RSA", _) => Algorithm::RS256,
                ("EC", Some("P-256")) => Algorithm::ES256,
                ("EC", Some("P-384")) => Algorithm::ES384,
                ("OKP", Some("Ed25519")) => Algorithm::EdDSA,
                ("oct", _) => Algorithm::HS256,
                (kty, crv) => {
                    return Err(KeyError::Invalid(format!(
                        "kty {kty:?} crv {crv:?} is not supported"
                    )))
                }
            },
        };
        let invalid = |e: &dyn std::fmt::Display| KeyError::Invalid(e.to_string());
        let encoding = match (kty, alg) {
            ("RSA", alg) if crypto::is_rsa(alg) => {
                let big = |name| bytes(&jwk, name).map(|b| rsa::BigUint::from_bytes_be(&b));
                let key = rsa::RsaPrivateKey::from_components(
                    big("n")?,
                    big("e")?,
                    big("d")?,
                    vec![big("p")?, big("q")?],
                )
                .map_err(|e| invalid(&e))?;
                EncodingKey::from_rsa_der(key.to_pkcs1_der().map_err(|e| invalid(&e))?.as_bytes())
            }
            ("EC", Algorithm::ES256) => {
                let key =
                    p256::SecretKey::from_slice(&bytes(&jwk, "d")?).map_err(|e| invalid(&e))?;
                EncodingKey::from_ec_der(key.to_pkcs8_der().map_err(|e| invalid(&e))?.as_bytes())
            }
            ("EC", Algorithm::ES384) => {
                let key =
                    p384::SecretKey::from_slice(&bytes(&jwk, "d")?).map_err(|e| invalid(&e))?;
                EncodingKey::from_ec_der(key.to_pkcs8_der().map_err(|e| invalid(&e))?.as_bytes())
            }
            ("OKP", Algorithm::EdDSA) => {
                let d: [u8; 32] = bytes(&jwk, "d")?
                    .try_into()
                    .map_err(|_| KeyError::Invalid("d: expected 32 bytes".into()))?;
                let key = ed25519_dalek::SigningKey::from_bytes(&d);
                EncodingKey::from_ed_der(key.to_pkcs8_der().map_err(|e| invalid(&e))?.as_bytes())
            }
            ("oct", Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) => {
                EncodingKey::from_secret(&bytes(&jwk, "k")?)
            }
            (kty, alg) => {
                return Err(KeyError::Invalid(format!(
                    "alg {alg:?} does not fit kty {kty:?}"
                )))
            }
        };
        let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_string);
        Ok(PrivateKey {
            alg,
            kid,
            jwk,
            encoding,
        })
    }

    /// A shared HMAC secret as a key.
    pub fn from_secret(secret: &[u8], alg: Algorithm) -> PrivateKey {
        let jwk = json!({"kty": "oct", "k": b64(secret), "alg": format!("{alg:?}")});
        PrivateKey {
            alg,
            kid: None,
            jwk: jwk.as_object().cloned().unwrap_or_default(),
            encoding: EncodingKey::from_secret(secret),
        }
    }

    /// Generates a new key: ES256/ES384 on P-256/P-384, EdDSA on Ed25519, RS256..PS512 with a
    /// 2048-bit modulus, HS256..HS512 with a 32-byte secret.
    pub fn generate(alg: Algorithm, kid: Option<String>) -> Result<PrivateKey, KeyError> {
        let mut rng = rand::thread_rng();
        let mut jwk = match alg {
            Algorithm::ES256 | Algorithm::ES384 => {
                let (crv, d, point) = if alg == Algorithm::ES256 {
                    let k = p256::SecretKey::random(&mut rng);
                    (
                        "P-256",
                        k.to_bytes().to_vec(),
                        k.public_key().to_sec1_bytes().to_vec(),
                    )
                } else {
                    let k = p384::SecretKey::random(&mut rng);
                    (
                        "P-384",
                        k.to_bytes().to_vec(),
                        k.public_key().to_sec1_bytes().to_vec(),
                    )
                };
                let half = (point.len() - 1) / 2;
                json!({"kty": "EC", "crv": crv, "x": b64(&point[1..1 + half]), "y": b64(&point[1 + half..]), "d": b64(&d)})
            }
            Algorithm::EdDSA => {
                let k = ed25519_dalek::SigningKey::generate(&mut rng);
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(k.verifying_key().as_bytes()), "d": b64(&k.to_bytes())})
            }
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                let mut secret = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rng, &mut secret);
                json!({"kty": "oct", "k": b64(&secret)})
            }
            _ => {
                let k = rsa::RsaPrivateKey::new(&mut rng, 2048)
                    .map_err(|e| KeyError::Invalid(e.to_string()))?;
                let primes = k.primes();
                let (p, q) = (
                    primes.first().cloned().unwrap_or_default(),
                    primes.get(1).cloned().unwrap_or_default(),
                );
                json!({"kty": "RSA", "n": b64(&k.n().to_bytes_be()), "e": b64(&k.e().to_bytes_be()),
                       "d": b64(&k.d().to_bytes_be()), "p": b64(&p.to_bytes_be()), "q": b64(&q.to_bytes_be())})
            }
        };
        jwk["alg"] = json!(format!("{alg:?}"));
        if let Some(kid) = kid {
            jwk["kid"] = json!(kid);
        }
        PrivateKey::from_jwk(&jwk)
    }

    /// The private JWK (keep it secret).
    pub fn to_jwk(&self) -> Value {
        Value::Object(self.jwk.clone())
    }

    /// The public JWK, with `use: "sig"` (None for an HMAC secret, which has no public half).
    pub fn public_jwk(&self) -> Option<Value> {
        if self.jwk.get("kty").and_then(Value::as_str) == Some("oct") {
            return None;
        }
        let mut public = self.jwk.clone();
        for private in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
            public.remove(private);
        }
        public.insert("use".into(), json!("sig"));
        Some(Value::Object(public))
    }

    /// Signs claims into a compact JWS (`typ: JWT`, with this key's `kid`).
    pub fn sign_claims<C: Serialize>(&self, claims: &C) -> Result<String, KeyError> {
        crypto::ensure_installed();
        let mut header = Header::new(self.alg);
        header.kid = self.kid.clone();
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| KeyError::Signing(e.to_string()))
    }

    /// Signs `payload` as a compact JWS with a detached payload (RFC 7515 Appendix F):
    /// `<header>..<signature>`.
    pub fn sign_detached(&self, payload: &[u8]) -> Result<String, KeyError> {
        crypto::ensure_installed();
        let mut header = json!({"alg": format!("{:?}", self.alg)});
        if let Some(kid) = &self.kid {
            header["kid"] = json!(kid);
        }
        let header = b64(header.to_string().as_bytes());
        let signing_input = format!("{header}.{}", b64(payload));
        let signature =
            jsonwebtoken::crypto::sign(signing_input.as_bytes(), &self.encoding, self.alg)
                .map_err(|e| KeyError::Signing(e.to_string()))?;
        Ok(format!("{header}..{signature}"))
    }
}
