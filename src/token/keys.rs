//! Issuers and their keys: the `iss` selects the key set, the `kid` the key, and the key (not
//! the token header) decides which algorithms may be used with it.

use foldhash::{HashMap, HashMapExt};

use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};

use super::jws::parse_algorithm;
use super::{crypto, Jwk, TokenError};
use crate::bundle::Problems;
use crate::schema::{Issuer, Settings};

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// The members of a private JWK (RFC 7518 sections 6.2.2, 6.3.2 and 6.4.1; RFC 8037
/// section 2): never in a bundle.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Smallest shared HMAC secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// What kind of public key a JWK holds; it decides the algorithms it may verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFamily {
    /// RSA: RS256/384/512 and PS256/384/512.
    Rsa,
    /// EC P-256: ES256.
    P256,
    /// EC P-384: ES384.
    P384,
    /// Ed25519: EdDSA.
    Ed25519,
}

impl KeyFamily {
    fn permits(self, alg: Algorithm) -> bool {
        use Algorithm::*;
        match self {
            KeyFamily::Rsa => crypto::is_rsa(alg),
            KeyFamily::P256 => alg == ES256,
            KeyFamily::P384 => alg == ES384,
            KeyFamily::Ed25519 => alg == EdDSA,
        }
    }

    /// Every algorithm a key of this family may verify.
    fn algorithms(self) -> &'static [Algorithm] {
        use Algorithm::*;
        match self {
            KeyFamily::Rsa => &[RS256, RS384, RS512, PS256, PS384, PS512],
            KeyFamily::P256 => &[ES256],
            KeyFamily::P384 => &[ES384],
            KeyFamily::Ed25519 => &[EdDSA],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            KeyFamily::Rsa => "RS256/384/512, PS256/384/512",
            KeyFamily::P256 => "ES256",
            KeyFamily::P384 => "ES384",
            KeyFamily::Ed25519 => "EdDSA",
        }
    }
}

/// One verification key.
#[derive(Debug, Clone)]
pub struct PublicKey {
    /// Its `kid`.
    pub kid: Option<String>,
    /// Its family.
    pub family: KeyFamily,
    /// The one algorithm it is pinned to by its JWK `alg`, if any.
    pub alg: Option<Algorithm>,
    /// One verifier per algorithm the key permits, built once when the key is loaded, so that
    /// no signature check parses key material again.
    verifiers: crypto::Verifiers,
}

impl PublicKey {
    /// Whether this key may verify a signature of `alg`.
    pub fn permits(&self, alg: Algorithm) -> bool {
        self.family.permits(alg) && self.alg.is_none_or(|a| a == alg)
    }

    /// The key as JWK text, as the host's signature math receives it.
    pub fn jwk(&self) -> Option<&str> {
        self.verifiers.jwk()
    }

    /// Verifies a signature.
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        self.permits(alg) && self.verifiers.verify(alg, message, signature)
    }

    /// Builds a key from a JWK, or says what is wrong with it.
    pub fn from_jwk(jwk: &Jwk) -> Result<PublicKey, String> {
        if jwk.string("use")? == Some("enc") {
            return Err("use: \"enc\" keys cannot verify signatures".into());
        }
        if let Some(ops) = jwk.strings("key_ops")? {
            if !ops.contains(&"verify") {
                return Err("key_ops: does not include \"verify\"".into());
            }
        }
        // A private member has no place in a bundle, which every verifier receives: refused,
        // not dropped (the key was meant to be public; its owner must know it was not).
        if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| jwk.0.contains_key(**m)) {
            return Err(format!(
                "{member}: a private key member (jwks hold public keys only)"
            ));
        }
        // The certificate members are not used, but are what RFC 7517 says they are.
        for member in ["x5u", "x5t", "x5t#S256"] {
            jwk.string(member)?;
        }
        jwk.strings("x5c")?;
        // An EC key's point, `04 || x || y`, decoded once.
        let mut ec_point = Vec::new();
        let (family, public) = match jwk.required("kty")? {
            "RSA" => {
                let n = jwk.required("n")?;
                let e = jwk.required("e")?;
                (KeyFamily::Rsa, PublicJwk::Rsa { n, e })
            }
            "EC" => {
                let (family, crv, size) = match jwk.required("crv")? {
                    "P-256" => (KeyFamily::P256, "P-256", 32),
                    "P-384" => (KeyFamily::P384, "P-384", 48),
                    other => {
                        return Err(format!(
                            "crv: {other:?} is not supported (expected P-256 or P-384)"
                        ))
                    }
                };
                let (x, y) = (jwk.required("x")?, jwk.required("y")?);
                // Each coordinate exactly the field's size: the point is read as `04 || x || y`,
                // and a long x with a short y would be another point than the JWK states.
                ec_point.push(0x04);
                for (name, text) in [("x", x), ("y", y)] {
                    let bytes = decode(name, text)?;
                    if bytes.len() != size {
                        return Err(format!(
                            "{name}: {} bytes (expected {size} for {crv})",
                            bytes.len()
                        ));
                    }
                    ec_point.extend(bytes);
                }
                (
                    family,
                    PublicJwk::Ec {
                        crv,
                        x,
                        y,
                        point: &ec_point,
                    },
                )
            }
            "OKP" => match jwk.required("crv")? {
                "Ed25519" => (
                    KeyFamily::Ed25519,
                    PublicJwk::Okp {
                        x: jwk.required("x")?,
                    },
                ),
                other => {
                    return Err(format!(
                        "crv: {other:?} is not supported (expected Ed25519)"
                    ))
                }
            },
            "oct" => {
                return Err("kty: \"oct\" is not accepted in jwks (put HMAC secrets in shared_secret, so that no public key can ever be used as an HMAC secret)".into())
            }
            other => {
                return Err(format!(
                    "kty: {other:?} is not a supported key type (expected RSA, EC or OKP)"
                ))
            }
        };
        let alg = match jwk.string("alg")? {
            None => None,
            Some(name) => Some(
                parse_algorithm(name)
                    .ok()
                    .filter(|a| family.permits(*a))
                    .ok_or_else(|| {
                        format!(
                            "alg: {name:?} does not fit a {family:?} key (expected {})",
                            family.describe()
                        )
                    })?,
            ),
        };
        let key = public
            .decoding_key()
            .map_err(|e| format!("key material: {e}"))?;
        // The modulus as the key just decoded it (not decoded a second time).
        if let DecodingKeyKind::RsaModulusExponent { n, .. } = key.kind() {
            let bits = super::montgomery::bit_length(n);
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "n: a {bits}-bit RSA modulus is too small (at least {MIN_RSA_BITS} bits)"
                ));
            }
        }
        // Parse the key once now: a bad point or modulus is a bundle error, and no signature
        // check parses key material again.
        let algorithms: Vec<Algorithm> = family
            .algorithms()
            .iter()
            .copied()
            .filter(|a| alg.is_none_or(|pinned| pinned == *a))
            .collect();
        let verifiers = crypto::Verifiers::build(&key, &algorithms)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                // Said here rather than by the library's Display (whose Debug of its error
                // kinds would be linked into the module for these few messages).
                let (what, reason) = match e.kind() {
                    // tessera's own reasons (an EC point's).
                    K::Provider(reason) => ("", reason.as_str()),
                    K::InvalidRsaKey(reason) => ("RSA key invalid: ", reason.as_str()),
                    K::InvalidAlgorithm => ("", "the key does not fit the algorithm"),
                    _ => ("", "not a usable key"),
                };
                format!("key material: {what}{reason}")
            })?
            .with_jwk(public.text());
        Ok(PublicKey {
            kid: jwk.string("kid")?.map(str::to_string),
            family,
            alg,
            verifiers,
        })
    }
}

/// The public parameters of a JWK, by key type.
#[derive(Clone, Copy)]
enum PublicJwk<'a> {
    Rsa {
        n: &'a str,
        e: &'a str,
    },
    Ec {
        crv: &'static str,
        x: &'a str,
        y: &'a str,
        /// `04 || x || y`, decoded.
        point: &'a [u8],
    },
    Okp {
        x: &'a str,
    },
}

impl PublicJwk<'_> {
    /// The key for the crypto provider: RSA's modulus and exponent and an Ed25519 public key
    /// decoded from their base64url, an EC point `04 || x || y` as already decoded.
    fn decoding_key(self) -> Result<DecodingKey, String> {
        Ok(match self {
            PublicJwk::Rsa { n, e } => {
                DecodingKey::from_rsa_raw_components(&decode("n", n)?, &decode("e", e)?)
            }
            PublicJwk::Ec { point, .. } => DecodingKey::from_ec_der(point),
            PublicJwk::Okp { x } => DecodingKey::from_ed_der(&decode("x", x)?),
        })
    }

    /// The key as JSON text, for the host's signature math: its parameters only (no private
    /// members, which a public key never needs), members in name order. Written directly: every
    /// value is a name of ours or base64url already decoded strictly (an EC key's coordinates
    /// when the JWK is read, the other keys' values by [`PublicJwk::decoding_key`]), so no
    /// character needs escaping (a test parses the text back).
    fn text(self) -> String {
        match self {
            PublicJwk::Rsa { n, e } => format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
            PublicJwk::Ec { crv, x, y, .. } => {
                format!(r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#)
            }
            PublicJwk::Okp { x } => format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#),
        }
    }
}

/// A JWK member's base64url value, decoded.
fn decode(name: &str, text: &str) -> Result<Vec<u8>, String> {
    super::base64url::decode(text).map_err(|e| format!("{name}: not base64url: {e}"))
}

/// An issuer, compiled.
#[derive(Debug, Clone)]
pub struct IssuerKeys {
    /// Local name.
    pub name: String,
    /// Accepted audiences (empty: not checked).
    pub audiences: Vec<String>,
    /// Public keys.
    pub keys: Vec<PublicKey>,
    secret: Option<crypto::Verifiers>,
}

impl IssuerKeys {
    /// An issuer from its parts (the bundle compiles issuers with [`KeyRing::compile`]).
    pub fn new(
        name: &str,
        audiences: Vec<String>,
        keys: Vec<PublicKey>,
        secret: Option<&[u8]>,
    ) -> IssuerKeys {
        IssuerKeys {
            name: name.into(),
            audiences,
            keys,
            secret: secret.and_then(|s| crypto::Verifiers::hmac(s).ok()),
        }
    }

    /// The keys that may check a signature of `alg` for a token with optional `kid`, chosen as
    /// DESIGN 1.3 says: HMAC only with the shared secret; otherwise the `kid`'s key (which must
    /// permit `alg`), or without `kid` every key that permits `alg`.
    pub fn choose(&self, alg: Algorithm, kid: Option<&str>) -> Result<KeyChoice<'_>, TokenError> {
        if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
            return self.secret.as_ref().map(KeyChoice::Secret).ok_or_else(|| {
                TokenError::NoKeyForAlgorithm {
                    issuer: self.name.clone(),
                    alg: format!("{alg:?} (shared secret)"),
                }
            });
        }
        if let Some(kid) = kid {
            let key = self
                .keys
                .iter()
                .find(|k| k.kid.as_deref() == Some(kid))
                .ok_or_else(|| TokenError::UnknownKey {
                    issuer: self.name.clone(),
                    kid: kid.into(),
                })?;
            if !key.permits(alg) {
                return Err(TokenError::AlgorithmMismatch {
                    issuer: self.name.clone(),
                    kid: kid.into(),
                    alg: format!("{alg:?}"),
                    allowed: key
                        .alg
                        .map(|a| format!("{a:?}"))
                        .unwrap_or_else(|| key.family.describe().into()),
                });
            }
            return Ok(KeyChoice::Kid(key));
        }
        let candidates: Vec<&PublicKey> = self.keys.iter().filter(|k| k.permits(alg)).collect();
        if candidates.is_empty() {
            return Err(TokenError::NoKeyForAlgorithm {
                issuer: self.name.clone(),
                alg: format!("{alg:?}"),
            });
        }
        Ok(KeyChoice::Candidates(candidates))
    }

    /// Checks `signature` over `message` for a token of `alg` with optional `kid`, with the
    /// keys [`IssuerKeys::choose`] picks.
    pub fn verify(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), TokenError> {
        let choice = self.choose(alg, kid)?;
        let valid = match &choice {
            KeyChoice::Secret(secret) => secret.verify(alg, message, signature),
            KeyChoice::Kid(key) => key.verify(alg, message, signature),
            KeyChoice::Candidates(candidates) => {
                candidates.iter().any(|k| k.verify(alg, message, signature))
            }
        };
        if valid {
            Ok(())
        } else {
            Err(self.refusal(alg, kid, &choice).error())
        }
    }

    /// The refusal of a signature that `choice` (this issuer's [`IssuerKeys::choose`] for
    /// `alg` and `kid`) did not verify, worked out ahead of the verdict: its message is
    /// written only if it is given ([`SignatureRefusal::error`]).
    pub fn refusal(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        choice: &KeyChoice<'_>,
    ) -> SignatureRefusal {
        let keys = match choice {
            KeyChoice::Secret(_) => RefusedKeys::Secret,
            KeyChoice::Kid(_) => RefusedKeys::Kid(kid.unwrap_or_default().into()),
            KeyChoice::Candidates(candidates) => RefusedKeys::Candidates(candidates.len()),
        };
        SignatureRefusal {
            issuer: self.name.clone(),
            alg,
            keys,
        }
    }
}

/// The refusal of a bad signature, as [`IssuerKeys::refusal`] prepares it: the issuer, the
/// algorithm and the keys that were tried.
#[derive(Debug, Clone)]
pub struct SignatureRefusal {
    issuer: String,
    alg: Algorithm,
    keys: RefusedKeys,
}

/// Which keys refused a signature.
#[derive(Debug, Clone)]
enum RefusedKeys {
    Secret,
    Kid(Box<str>),
    Candidates(usize),
}

impl SignatureRefusal {
    /// The refusal as the error [`IssuerKeys::verify`] gives.
    pub fn error(self) -> TokenError {
        let alg = self.alg;
        let keys = match self.keys {
            RefusedKeys::Secret => "the shared secret".to_string(),
            RefusedKeys::Kid(kid) => format!("key {kid:?}"),
            RefusedKeys::Candidates(n) => format!("any of its {n} {alg:?} key(s)"),
        };
        TokenError::BadSignature {
            issuer: self.issuer,
            alg: format!("{alg:?}"),
            keys,
        }
    }
}

/// Which keys may check a token's signature ([`IssuerKeys::choose`]).
#[derive(Debug)]
pub enum KeyChoice<'k> {
    /// HMAC: the issuer's shared secret.
    Secret(&'k crypto::Verifiers),
    /// The key the token's `kid` names.
    Kid(&'k PublicKey),
    /// No `kid`: every key that permits the algorithm (any one may verify).
    Candidates(Vec<&'k PublicKey>),
}

impl<'k> KeyChoice<'k> {
    /// The public keys of the choice (none for a shared secret).
    pub fn public_keys(&self) -> Vec<&'k PublicKey> {
        match self {
            KeyChoice::Secret(_) => Vec::new(),
            KeyChoice::Kid(key) => vec![*key],
            KeyChoice::Candidates(keys) => keys.clone(),
        }
    }
}

/// Every issuer's keys, indexed by `iss`.
#[derive(Debug, Default)]
pub struct KeyRing {
    issuers: Vec<IssuerKeys>,
    by_iss: HashMap<String, usize>,
    default: Option<usize>,
}

impl KeyRing {
    /// Compiles the issuers' keys, recording every problem with its path.
    pub fn compile(issuers: &[Issuer], settings: &Settings, problems: &mut Problems) -> KeyRing {
        let mut ring = KeyRing::default();
        let mut names = HashMap::new();
        for (i, issuer) in issuers.iter().enumerate() {
            let at = |field: &str| format!("issuers[{i}].{field}");
            if issuer.name.is_empty() {
                problems.push(at("name"), "must not be empty");
            }
            if names.insert(issuer.name.clone(), i).is_some() {
                problems.push(at("name"), format!("{:?} is defined twice", issuer.name));
            }
            let mut keys = Vec::new();
            for (j, jwk) in issuer.jwks.iter().flat_map(|s| s.keys.iter()).enumerate() {
                match PublicKey::from_jwk(jwk) {
                    Ok(key) => {
                        if key.kid.is_some() && keys.iter().any(|k: &PublicKey| k.kid == key.kid) {
                            problems.push(
                                at(&format!("jwks.keys[{j}].kid")),
                                format!(
                                    "{:?} is used twice",
                                    key.kid.as_deref().unwrap_or_default()
                                ),
                            );
                        }
                        keys.push(key);
                    }
                    Err(why) => problems.push(at(&format!("jwks.keys[{j}]")), why),
                }
            }
            let secret = issuer.shared_secret.as_deref().and_then(|s| {
                let bytes = super::base64url::decode_standard(s);
                match bytes {
                    Ok(b) if b.len() >= MIN_SECRET_BYTES => crypto::Verifiers::hmac(&b).ok(),
                    Ok(b) => {
                        problems.push(
                            at("shared_secret"),
                            format!(
                                "{} bytes is too short (at least {MIN_SECRET_BYTES})",
                                b.len()
                            ),
                        );
                        None
                    }
                    Err(e) => {
                        problems.push(at("shared_secret"), format!("not base64: {e}"));
                        None
                    }
                }
            });
            if issuer.jwks.is_none() && issuer.shared_secret.is_none() {
                problems.push(at("jwks"), "an issuer needs jwks, a shared_secret, or both");
            }
            if let Some(iss) = &issuer.iss {
                if ring
                    .by_iss
                    .insert(iss.clone(), ring.issuers.len())
                    .is_some()
                {
                    problems.push(at("iss"), format!("{iss:?} is used by two issuers"));
                }
            } else if settings.default_issuer.as_deref() != Some(issuer.name.as_str()) {
                problems.push(at("iss"), format!("missing, and {:?} is not settings.default_issuer: no token could select it", issuer.name));
            }
            ring.issuers.push(IssuerKeys {
                name: issuer.name.clone(),
                audiences: issuer.audiences.clone(),
                keys,
                secret,
            });
        }
        if let Some(name) = &settings.default_issuer {
            match names.get(name) {
                Some(&i) => ring.default = Some(i),
                None => problems.push(
                    "settings.default_issuer",
                    format!("{name:?} is not the name of an issuer"),
                ),
            }
        }
        ring
    }

    /// The issuer for a token's `iss` (or, without `iss`, the default issuer).
    pub fn issuer(&self, iss: Option<&str>) -> Result<&IssuerKeys, TokenError> {
        let index = match iss {
            Some(iss) => self
                .by_iss
                .get(iss)
                .copied()
                .ok_or_else(|| TokenError::UnknownIssuer { iss: iss.into() })?,
            None => self.default.ok_or(TokenError::NoDefaultIssuer)?,
        };
        self.issuers.get(index).ok_or(TokenError::NoDefaultIssuer)
    }
}

#[cfg(test)]
mod jwk_tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use serde_json::{json, Value};

    fn example(name: &str) -> Value {
        let path = format!(
            "{}/examples/keys/{name}.public.jwk.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn read(value: Value) -> Result<PublicKey, String> {
        PublicKey::from_jwk(&serde_json::from_value(value).unwrap())
    }

    fn with(name: &str, change: impl FnOnce(&mut Value)) -> Result<PublicKey, String> {
        let mut value = example(name);
        change(&mut value);
        read(value)
    }

    #[test]
    fn each_key_type_is_read_with_its_family_pin_kid_and_public_text() {
        for (name, family, alg, members) in [
            (
                "legacy",
                KeyFamily::Rsa,
                Algorithm::RS256,
                &["kty", "n", "e"][..],
            ),
            (
                "cluster",
                KeyFamily::P256,
                Algorithm::ES256,
                &["kty", "crv", "x", "y"][..],
            ),
            (
                "pomerium",
                KeyFamily::Ed25519,
                Algorithm::EdDSA,
                &["kty", "crv", "x"][..],
            ),
        ] {
            let key = read(example(name)).unwrap();
            assert_eq!((key.family, key.alg), (family, Some(alg)), "{name}");
            assert_eq!(key.kid.as_deref(), Some(&*format!("{name}-2026")));
            let jwk = key.jwk().unwrap();
            // The text is JSON holding exactly the key's public parameters, as the JWK has them.
            let source = example(name);
            let public: serde_json::Map<String, Value> = members
                .iter()
                .map(|m| (m.to_string(), source[*m].clone()))
                .collect();
            assert_eq!(
                serde_json::from_str::<Value>(jwk).unwrap(),
                Value::Object(public),
                "{name}"
            );
            // Only public parameters reach the host: no kid, use, alg or private member.
            for member in ["kid", "use", "alg", "\"d\""] {
                assert!(!jwk.contains(member), "{name}: {jwk}");
            }
        }
        // Without `alg` a key is not pinned: every algorithm of its family.
        let key = with("legacy", |v| drop(v.as_object_mut().unwrap().remove("alg"))).unwrap();
        assert_eq!(key.alg, None);
        assert!(key.permits(Algorithm::PS512) && !key.permits(Algorithm::ES256));
        // Members a key does not need are ignored.
        let key = with("pomerium", |v| v["x5t"] = json!("t")).unwrap();
        assert!(!key.jwk().unwrap().contains("x5t"));
    }

    #[test]
    fn a_p384_key_must_be_a_point_of_the_curve() {
        // The curve's base point is a valid public key; one bit off in y is not on the curve.
        let g = json!({"kty": "EC", "crv": "P-384", "x": "qofKIr6LBTeOscce8yCtdG4dO2KLp5uYWfdB4IJUKjhVAvJdv1UpbDpUXjhydgq3", "y": "NhfeSpYmLG9dnpi_kpLcKfj0Hb0omhR86doxE7XwuMAKYLHOHX6BnXpDHXyQ6g5f"});
        let key = read(g.clone()).unwrap();
        assert_eq!(key.family, KeyFamily::P384);
        assert!(key.permits(Algorithm::ES384) && !key.permits(Algorithm::ES256));
        let mut off = g.clone();
        off["y"] = json!("NhfeSpYmLG9dnpi_kpLcKfj0Hb0omhR86doxE7XwuMAKYLHOHX6BnXpDHXyQ6g5e");
        assert!(read(off).unwrap_err().starts_with("key material: "));
        let mut short = g;
        short["x"] = json!("qofKIr6LBTeOscce8yCtdG4dO2KLp5uYWfdB4IJUKjg");
        assert_eq!(
            read(short).unwrap_err(),
            "x: 32 bytes (expected 48 for P-384)"
        );
    }

    #[test]
    fn every_refusal_names_the_member_the_value_and_what_was_expected() {
        type Change = Box<dyn FnOnce(&mut Value)>;
        let cases: Vec<(&str, Change, &str)> = vec![
            (
                "cluster",
                Box::new(|v| v["use"] = json!("enc")),
                "use: \"enc\" keys cannot verify signatures",
            ),
            (
                "cluster",
                Box::new(|v| v["use"] = json!(1)),
                "use: 1 is not a string",
            ),
            (
                "cluster",
                Box::new(|v| v["key_ops"] = json!(["sign"])),
                "key_ops: does not include \"verify\"",
            ),
            (
                "cluster",
                Box::new(|v| v["key_ops"] = json!("verify")),
                "key_ops: \"verify\" is not an array of strings",
            ),
            (
                "cluster",
                Box::new(|v| drop(v.as_object_mut().unwrap().remove("kty"))),
                "kty: missing (expected a string)",
            ),
            (
                "cluster",
                Box::new(|v| v["kty"] = json!("DSA")),
                "kty: \"DSA\" is not a supported key type (expected RSA, EC or OKP)",
            ),
            (
                "cluster",
                Box::new(|v| v["kty"] = json!("oct")),
                "kty: \"oct\" is not accepted in jwks",
            ),
            (
                "cluster",
                Box::new(|v| v["crv"] = json!("P-521")),
                "crv: \"P-521\" is not supported (expected P-256 or P-384)",
            ),
            (
                "pomerium",
                Box::new(|v| v["crv"] = json!("X25519")),
                "crv: \"X25519\" is not supported (expected Ed25519)",
            ),
            (
                "cluster",
                Box::new(|v| drop(v.as_object_mut().unwrap().remove("y"))),
                "y: missing (expected a string)",
            ),
            (
                "legacy",
                Box::new(|v| v["e"] = json!(65537)),
                "e: 65537 is not a string",
            ),
            (
                "cluster",
                Box::new(|v| v["alg"] = json!("RS256")),
                "alg: \"RS256\" does not fit a P256 key (expected ES256)",
            ),
            (
                "pomerium",
                Box::new(|v| v["alg"] = json!("none")),
                "alg: \"none\" does not fit a Ed25519 key (expected EdDSA)",
            ),
            (
                "legacy",
                Box::new(|v| v["n"] = json!("AQAB")),
                "n: a 17-bit RSA modulus is too small (at least 2048 bits)",
            ),
            (
                "legacy",
                Box::new(|v| {
                    // 256 bytes, the top one 0x7f: 2047 bits.
                    let mut n = URL_SAFE_NO_PAD.decode(v["n"].as_str().unwrap()).unwrap();
                    n[0] = 0x7f;
                    v["n"] = json!(URL_SAFE_NO_PAD.encode(&n));
                }),
                "n: a 2047-bit RSA modulus is too small (at least 2048 bits)",
            ),
            (
                "legacy",
                Box::new(|v| {
                    let mut n = URL_SAFE_NO_PAD.decode(v["n"].as_str().unwrap()).unwrap();
                    *n.last_mut().unwrap() ^= 1;
                    v["n"] = json!(URL_SAFE_NO_PAD.encode(&n));
                }),
                "key material: RSA key invalid: the modulus is not odd (not an RSA modulus)",
            ),
            (
                "legacy",
                Box::new(|v| v["e"] = json!("Ag")),
                "key material: RSA key invalid: the exponent is not an odd number from 3 to 2^33 - 1 below the modulus",
            ),
            (
                "cluster",
                Box::new(|v| v["x"] = json!("AAAA")),
                "x: 3 bytes (expected 32 for P-256)",
            ),
            (
                "cluster",
                Box::new(|v| {
                    // 33 + 31 bytes: as many as a point, split elsewhere.
                    let x = URL_SAFE_NO_PAD.decode(v["x"].as_str().unwrap()).unwrap();
                    let y = URL_SAFE_NO_PAD.decode(v["y"].as_str().unwrap()).unwrap();
                    let mut both = [x, y].concat();
                    let y = both.split_off(33);
                    v["x"] = json!(URL_SAFE_NO_PAD.encode(&both));
                    v["y"] = json!(URL_SAFE_NO_PAD.encode(&y));
                }),
                "x: 33 bytes (expected 32 for P-256)",
            ),
            (
                "pomerium",
                Box::new(|v| v["d"] = json!("c2VjcmV0")),
                "d: a private key member (jwks hold public keys only)",
            ),
            (
                "legacy",
                Box::new(|v| v["qi"] = json!("AQAB")),
                "qi: a private key member",
            ),
            (
                "pomerium",
                Box::new(|v| v["x"] = json!("not base64!")),
                "key material: ",
            ),
            (
                "cluster",
                Box::new(|v| v["kid"] = json!(["a"])),
                "kid: [\"a\"] is not a string",
            ),
            (
                "cluster",
                Box::new(|v| v["x5c"] = json!("MII")),
                "x5c: \"MII\" is not an array of strings",
            ),
            (
                "cluster",
                Box::new(|v| v["x5t#S256"] = json!(1)),
                "x5t#S256: 1 is not a string",
            ),
        ];
        for (i, (name, change, expected)) in cases.into_iter().enumerate() {
            let err = with(name, change).err().unwrap_or_default();
            assert!(
                err.starts_with(expected),
                "case {i}: {err:?}, expected {expected:?}"
            );
        }
    }
}

#[cfg(test)]
mod host_tests {
    use super::*;
    use crate::token::crypto::set_host_verifier;

    fn key() -> PublicKey {
        let jwk: Jwk = serde_json::from_value(serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "kid": "k", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
        }))
        .unwrap();
        PublicKey::from_jwk(&jwk).unwrap()
    }

    #[test]
    fn the_host_does_the_math_only_for_the_key_and_algorithm_chosen_here() {
        let key = key();
        let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let log = seen.clone();
        set_host_verifier(Some(Box::new(move |alg, jwk, msg, _sig| {
            log.borrow_mut().push((alg, jwk.to_string(), msg.to_vec()));
            Some(msg == b"yes")
        })));
        assert!(
            key.verify(Algorithm::EdDSA, b"yes", &[0; 64]),
            "the host's answer is used"
        );
        assert!(!key.verify(Algorithm::EdDSA, b"no", &[0; 64]));
        assert!(
            !key.verify(Algorithm::ES256, b"yes", &[0; 64]),
            "not an algorithm of this key: never asked"
        );
        let seen = seen.borrow();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].0, Algorithm::EdDSA);
        assert_eq!(
            seen[0].1,
            r#"{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#
        );
        set_host_verifier(None);
    }

    #[test]
    fn without_an_answer_from_the_host_the_module_decides() {
        let key = key();
        set_host_verifier(Some(Box::new(|_, _, _, _| None)));
        assert!(
            !key.verify(Algorithm::EdDSA, b"yes", &[0; 64]),
            "the module's own code refuses a zero signature"
        );
        set_host_verifier(None);
        assert!(!key.verify(Algorithm::EdDSA, b"yes", &[0; 64]));
    }
}
