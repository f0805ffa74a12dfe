//! tessera's `CryptoProvider` for jsonwebtoken: signature verification for RS256/384/512 and
//! PS256/384/512 (src/token/rsa_verify.rs), ES256/384 (src/token/ecdsa_verify.rs), EdDSA
//! (Ed25519, src/token/ed25519_verify.rs) and HS256/384/512 (RustCrypto's HMAC), with no signing
//! code in the wasm module. Native builds add signers (RustCrypto's and ed25519-dalek), for the
//! CLI, bundle signing and tests.
//!
//! Key encodings, as jsonwebtoken's conventions: HMAC secrets raw; RSA public keys as
//! modulus/exponent; EC public keys as uncompressed SEC1 points; Ed25519 public keys as the
//! 32 raw bytes. Private keys (native only): RSA PKCS#1 DER, EC and Ed25519 PKCS#8 DER.

use std::sync::{Arc, Once};

use hmac::{Hmac, Mac};
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind, EncodingKey};
use sha2::{Sha256, Sha384, Sha512};
use signature::Verifier;

use super::ecdsa_verify::{CurveParams, EcPublicKey, P256, P384};
use super::ed25519_verify::Ed25519PublicKey;
use super::rsa_verify::{RsaHash, RsaPadding, RsaPublicKey};

/// The provider: verification everywhere, signing natively.
pub static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: new_signer,
    verifier_factory: new_verifier,
    key_utils: KeyUtils::new_unimplemented(),
};

static INSTALL: Once = Once::new();

/// Installs [`PROVIDER`] as jsonwebtoken's process default (once; if the embedding program
/// installed its own provider first, that one stays).
pub fn ensure_installed() {
    INSTALL.call_once(|| {
        let _ = PROVIDER.install_default();
    });
}

/// Signature math done by the host where it is faster (Node's `crypto`, WebCrypto): given the
/// algorithm, the public key as a JWK (JSON text), the signed message and the signature, it
/// answers `Some(valid)`, or `None` to leave the check to the module's own code (rsa_verify,
/// ecdsa_verify, ed25519_verify). It does the math only: the key and the algorithm are still
/// chosen here, by the rules of DESIGN 1.3.
pub type HostVerifier = Box<dyn Fn(Algorithm, &str, &[u8], &[u8]) -> Option<bool>>;

thread_local! {
    static HOST_VERIFIER: std::cell::RefCell<Option<HostVerifier>> = const { std::cell::RefCell::new(None) };
}

/// Installs (or, with `None`, removes) the host's signature math for public keys. HMAC stays
/// here (it is faster than a call out).
pub fn set_host_verifier(verifier: Option<HostVerifier>) {
    HOST_VERIFIER.with(|h| {
        if let Ok(mut slot) = h.try_borrow_mut() {
            *slot = verifier;
        }
    });
}

fn host_verify(algorithm: Algorithm, jwk: &str, message: &[u8], signature: &[u8]) -> Option<bool> {
    // A verifier that calls back into this (it cannot through the engine, which is borrowed)
    // finds the slot busy and leaves the check to the module's own code.
    HOST_VERIFIER.with(|h| {
        let slot = h.try_borrow().ok()?;
        slot.as_ref()
            .and_then(|verify| verify(algorithm, jwk, message, signature))
    })
}

/// Whether `alg` is one of the RSA algorithms (RS256/384/512, PS256/384/512).
pub fn is_rsa(alg: Algorithm) -> bool {
    use Algorithm::*;
    matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512)
}

/// The verifiers of one key (or shared secret), one per algorithm it may check, built once
/// through the provider's factory when the bundle is loaded.
#[derive(Clone)]
pub struct Verifiers {
    prepared: std::sync::Arc<[Prepared]>,
    /// The public key as a JWK, for the host's signature math (none for a shared secret).
    jwk: Option<std::sync::Arc<str>>,
}

impl std::fmt::Debug for Verifiers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.prepared.iter().map(JwtVerifier::algorithm))
            .finish()
    }
}

impl Verifiers {
    /// Parses `key` for `algorithms` (an error for bad key material): once for all of the RSA
    /// ones, which share it, once for each other one.
    pub fn build(key: &DecodingKey, algorithms: &[Algorithm]) -> Result<Verifiers, Error> {
        ensure_installed();
        let mut rsa = None;
        algorithms
            .iter()
            .map(|alg| prepare(*alg, key, &mut rsa))
            .collect::<Result<Vec<_>, _>>()
            .map(|v| Verifiers {
                prepared: v.into(),
                jwk: None,
            })
    }

    /// HS256, HS384 and HS512 with a shared secret.
    pub fn hmac(secret: &[u8]) -> Result<Verifiers, Error> {
        Verifiers::build(
            &DecodingKey::from_secret(secret),
            &[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512],
        )
    }

    /// Lets the host's signature math check this public key (given as a JWK).
    pub fn with_jwk(mut self, jwk: String) -> Verifiers {
        self.jwk = Some(jwk.into());
        self
    }

    /// The public key as a JWK (none for a shared secret).
    pub fn jwk(&self) -> Option<&str> {
        self.jwk.as_deref()
    }

    /// Checks a signature of `algorithm`; false when it does not verify or the key has no
    /// verifier for that algorithm. The host's math is used when one is installed and answers.
    pub fn verify(&self, algorithm: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let Some(prepared) = self.prepared.iter().find(|v| v.algorithm() == algorithm) else {
            return false;
        };
        if let Some(jwk) = &self.jwk {
            if let Some(valid) = host_verify(algorithm, jwk, message, signature) {
                return valid;
            }
        }
        prepared.check(message, signature).is_ok()
    }
}

fn invalid_key() -> Error {
    ErrorKind::InvalidKeyFormat.into()
}

fn new_verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>, Error> {
    Ok(Box::new(prepare(*algorithm, key, &mut None)?))
}

/// A parsed key ready to check signatures of one algorithm (what the provider's factory
/// returns, and what [`Verifiers`] keeps).
enum Prepared {
    Hmac(Box<HmacVerifier>),
    Rsa(RsaVerifier),
    Ec(EcVerifier),
    Ed25519(Ed25519Verifier),
}

impl Prepared {
    /// Checks `signature` over `msg` (the signature borrowed: the `Verifier` trait of the
    /// provider interface below takes it as a `Vec`, which would cost a copy per token).
    fn check(&self, msg: &[u8], signature: &[u8]) -> Result<(), signature::Error> {
        match self {
            Prepared::Hmac(v) => v.check(msg, signature),
            Prepared::Rsa(v) => v.check(msg, signature),
            Prepared::Ec(v) => v.check(msg, signature),
            Prepared::Ed25519(v) => v.check(msg, signature),
        }
    }
}

impl Verifier<Vec<u8>> for Prepared {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
        self.check(msg, signature)
    }
}

impl JwtVerifier for Prepared {
    fn algorithm(&self) -> Algorithm {
        match self {
            Prepared::Hmac(v) => v.algorithm(),
            Prepared::Rsa(v) => v.algorithm(),
            Prepared::Ec(v) => v.algorithm(),
            Prepared::Ed25519(v) => v.algorithm(),
        }
    }
}

/// `key` made ready to verify `alg`; an RSA key is read into `rsa` the first time, and shared.
fn prepare(
    alg: Algorithm,
    key: &DecodingKey,
    rsa: &mut Option<Arc<RsaPublicKey>>,
) -> Result<Prepared, Error> {
    Ok(match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            Prepared::Hmac(Box::new(HmacVerifier::new(alg, key.try_get_as_bytes()?)?))
        }
        alg if is_rsa(alg) => {
            let key = match rsa {
                Some(shared) => Arc::clone(shared),
                None => {
                    let DecodingKeyKind::RsaModulusExponent { n, e } = key.kind() else {
                        return Err(invalid_key());
                    };
                    let read = RsaPublicKey::new(n, e)
                        .map_err(|e| Error::from(ErrorKind::InvalidRsaKey(e.to_string())))?;
                    Arc::clone(rsa.insert(Arc::new(read)))
                }
            };
            Prepared::Rsa(RsaVerifier { alg, key })
        }
        Algorithm::ES256 | Algorithm::ES384 => {
            let curve: &'static CurveParams = if alg == Algorithm::ES256 {
                &P256
            } else {
                &P384
            };
            let key = EcPublicKey::from_sec1(curve, key.try_get_as_bytes()?)
                .map_err(|e| Error::from(ErrorKind::Provider(e.to_string())))?;
            Prepared::Ec(EcVerifier { alg, key })
        }
        Algorithm::EdDSA => {
            let key = Ed25519PublicKey::from_bytes(key.try_get_as_bytes()?)
                .map_err(|e| Error::from(ErrorKind::Provider(e.to_string())))?;
            Prepared::Ed25519(Ed25519Verifier(key))
        }
        _ => return Err(ErrorKind::InvalidAlgorithm.into()),
    })
}

/// An HMAC keyed once, when the bundle loads: each check clones the keyed state instead of
/// hashing the key's inner and outer pads again.
enum HmacVerifier {
    Hs256(Hmac<Sha256>),
    Hs384(Hmac<Sha384>),
    Hs512(Hmac<Sha512>),
}

impl HmacVerifier {
    fn new(alg: Algorithm, secret: &[u8]) -> Result<HmacVerifier, Error> {
        use hmac::digest::KeyInit;
        let bad = |_| Error::from(ErrorKind::InvalidKeyFormat);
        Ok(match alg {
            Algorithm::HS256 => {
                HmacVerifier::Hs256(<Hmac<Sha256> as KeyInit>::new_from_slice(secret).map_err(bad)?)
            }
            Algorithm::HS384 => {
                HmacVerifier::Hs384(<Hmac<Sha384> as KeyInit>::new_from_slice(secret).map_err(bad)?)
            }
            Algorithm::HS512 => {
                HmacVerifier::Hs512(<Hmac<Sha512> as KeyInit>::new_from_slice(secret).map_err(bad)?)
            }
            _ => return Err(ErrorKind::InvalidAlgorithm.into()),
        })
    }
}

impl HmacVerifier {
    fn check(&self, msg: &[u8], signature: &[u8]) -> Result<(), signature::Error> {
        fn check<M: Mac + Clone>(
            keyed: &M,
            msg: &[u8],
            sig: &[u8],
        ) -> Result<(), signature::Error> {
            let mut mac = keyed.clone();
            mac.update(msg);
            // Constant-time comparison.
            mac.verify_slice(sig).map_err(|_| signature::Error::new())
        }
        match self {
            HmacVerifier::Hs256(m) => check(m, msg, signature),
            HmacVerifier::Hs384(m) => check(m, msg, signature),
            HmacVerifier::Hs512(m) => check(m, msg, signature),
        }
    }
}

impl HmacVerifier {
    fn algorithm(&self) -> Algorithm {
        match self {
            HmacVerifier::Hs256(_) => Algorithm::HS256,
            HmacVerifier::Hs384(_) => Algorithm::HS384,
            HmacVerifier::Hs512(_) => Algorithm::HS512,
        }
    }
}

/// A check's answer as the `signature` crate's `Verifier` gives it.
fn verdict(valid: bool) -> Result<(), signature::Error> {
    if valid {
        Ok(())
    } else {
        Err(signature::Error::new())
    }
}

struct RsaVerifier {
    alg: Algorithm,
    key: Arc<RsaPublicKey>,
}

impl RsaVerifier {
    fn check(&self, msg: &[u8], signature: &[u8]) -> Result<(), signature::Error> {
        use Algorithm::*;
        let (padding, hash) = match self.alg {
            RS256 => (RsaPadding::Pkcs1v15, RsaHash::Sha256),
            RS384 => (RsaPadding::Pkcs1v15, RsaHash::Sha384),
            RS512 => (RsaPadding::Pkcs1v15, RsaHash::Sha512),
            PS256 => (RsaPadding::Pss, RsaHash::Sha256),
            PS384 => (RsaPadding::Pss, RsaHash::Sha384),
            PS512 => (RsaPadding::Pss, RsaHash::Sha512),
            _ => return Err(signature::Error::new()),
        };
        verdict(self.key.verify(padding, hash, msg, signature))
    }
}

impl RsaVerifier {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
}

struct EcVerifier {
    alg: Algorithm,
    key: EcPublicKey,
}

impl EcVerifier {
    fn check(&self, msg: &[u8], signature: &[u8]) -> Result<(), signature::Error> {
        verdict(self.key.verify(msg, signature))
    }
}

impl EcVerifier {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
}

struct Ed25519Verifier(Ed25519PublicKey);

impl Ed25519Verifier {
    fn check(&self, msg: &[u8], signature: &[u8]) -> Result<(), signature::Error> {
        verdict(self.0.verify(msg, signature))
    }
}

impl Ed25519Verifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }
}

#[cfg(target_arch = "wasm32")]
fn new_signer(_: &Algorithm, _: &EncodingKey) -> Result<Box<dyn JwtSigner>, Error> {
    // The wasm module verifies only; tokens and bundles are signed by the CLI.
    Err(ErrorKind::InvalidAlgorithm.into())
}

#[cfg(not(target_arch = "wasm32"))]
fn new_signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>, Error> {
    signing::new_signer(*algorithm, key)
}

#[cfg(not(target_arch = "wasm32"))]
mod signing {
    use super::*;
    use jsonwebtoken::AlgorithmFamily;
    use p256::pkcs8::DecodePrivateKey;
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use signature::{RandomizedSigner, SignatureEncoding, Signer};

    pub(super) fn new_signer(
        alg: Algorithm,
        key: &EncodingKey,
    ) -> Result<Box<dyn JwtSigner>, Error> {
        let bytes = key.as_bytes();
        let bad = |kind: ErrorKind| Error::from(kind);
        let signer = match (alg, key.family()) {
            (Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512, AlgorithmFamily::Hmac) => {
                SignerBox {
                    alg,
                    key: Key::Hmac(bytes.to_vec()),
                }
            }
            (alg, AlgorithmFamily::Rsa) if is_rsa(alg) => SignerBox {
                alg,
                key: Key::Rsa(Box::new(
                    rsa::RsaPrivateKey::from_pkcs1_der(bytes)
                        .map_err(|e| bad(ErrorKind::InvalidRsaKey(e.to_string())))?,
                )),
            },
            (Algorithm::ES256, AlgorithmFamily::Ec) => SignerBox {
                alg,
                key: Key::P256(
                    p256::ecdsa::SigningKey::from_pkcs8_der(bytes)
                        .map_err(|_| bad(ErrorKind::InvalidEcdsaKey))?,
                ),
            },
            (Algorithm::ES384, AlgorithmFamily::Ec) => SignerBox {
                alg,
                key: Key::P384(
                    p384::ecdsa::SigningKey::from_pkcs8_der(bytes)
                        .map_err(|_| bad(ErrorKind::InvalidEcdsaKey))?,
                ),
            },
            (Algorithm::EdDSA, AlgorithmFamily::Ed) => SignerBox {
                alg,
                key: Key::Ed25519(
                    ed25519_dalek::SigningKey::from_pkcs8_der(bytes)
                        .map_err(|_| bad(ErrorKind::InvalidEddsaKey))?,
                ),
            },
            _ => return Err(bad(ErrorKind::InvalidAlgorithm)),
        };
        Ok(Box::new(signer))
    }

    enum Key {
        Hmac(Vec<u8>),
        Rsa(Box<rsa::RsaPrivateKey>),
        P256(p256::ecdsa::SigningKey),
        P384(p384::ecdsa::SigningKey),
        Ed25519(ed25519_dalek::SigningKey),
    }

    struct SignerBox {
        alg: Algorithm,
        key: Key,
    }

    fn hmac<M: Mac + hmac::digest::KeyInit>(
        secret: &[u8],
        msg: &[u8],
    ) -> Result<Vec<u8>, signature::Error> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(secret)
            .map_err(|_| signature::Error::new())?;
        mac.update(msg);
        Ok(mac.finalize().into_bytes().to_vec())
    }

    fn rsa_sign<D>(
        key: &rsa::RsaPrivateKey,
        pss: bool,
        msg: &[u8],
    ) -> Result<Vec<u8>, signature::Error>
    where
        D: sha2::Digest
            + rsa::pkcs8::AssociatedOid
            + sha2::digest::FixedOutputReset
            + 'static
            + Send
            + Sync
            + sha2::digest::DynDigest,
    {
        let mut rng = rand::thread_rng();
        if pss {
            let signer = rsa::pss::BlindedSigningKey::<D>::new(key.clone());
            Ok(signer.try_sign_with_rng(&mut rng, msg)?.to_vec())
        } else {
            let signer = rsa::pkcs1v15::SigningKey::<D>::new(key.clone());
            Ok(signer.try_sign_with_rng(&mut rng, msg)?.to_vec())
        }
    }

    impl Signer<Vec<u8>> for SignerBox {
        fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
            match (&self.key, self.alg) {
                (Key::Hmac(s), Algorithm::HS256) => hmac::<Hmac<Sha256>>(s, msg),
                (Key::Hmac(s), Algorithm::HS384) => hmac::<Hmac<Sha384>>(s, msg),
                (Key::Hmac(s), Algorithm::HS512) => hmac::<Hmac<Sha512>>(s, msg),
                (Key::Rsa(k), Algorithm::RS256) => rsa_sign::<Sha256>(k, false, msg),
                (Key::Rsa(k), Algorithm::RS384) => rsa_sign::<Sha384>(k, false, msg),
                (Key::Rsa(k), Algorithm::RS512) => rsa_sign::<Sha512>(k, false, msg),
                (Key::Rsa(k), Algorithm::PS256) => rsa_sign::<Sha256>(k, true, msg),
                (Key::Rsa(k), Algorithm::PS384) => rsa_sign::<Sha384>(k, true, msg),
                (Key::Rsa(k), Algorithm::PS512) => rsa_sign::<Sha512>(k, true, msg),
                (Key::P256(k), _) => {
                    let sig: p256::ecdsa::Signature = k.try_sign(msg)?;
                    Ok(sig.to_vec())
                }
                (Key::P384(k), _) => {
                    let sig: p384::ecdsa::Signature = k.try_sign(msg)?;
                    Ok(sig.to_vec())
                }
                (Key::Ed25519(k), _) => Ok(k.try_sign(msg)?.to_vec()),
                _ => Err(signature::Error::new()),
            }
        }
    }

    impl JwtSigner for SignerBox {
        fn algorithm(&self) -> Algorithm {
            self.alg
        }
    }
}
