//! RSA signature verification, RFC 8017: RSASSA-PKCS1-v1_5 (RS256/384/512) and RSASSA-PSS
//! with MGF1 and a salt as long as the hash (PS256/384/512, RFC 7518 §3.5).
//!
//! The key checks are the `rsa` crate's (which signs for the CLI and is this module's test
//! oracle): a modulus of at most 4,096 bits, odd; an odd exponent from 3 to 2^33 - 1, below the
//! modulus. Verification follows the RFC where that crate is lenient: a signature of the
//! modulus's length whose value is not below the modulus is refused by PSS too (RSAVP1 step
//! 1), and so is a PSS encoding that does not fit in `emLen` bytes (I2OSP, EMSA-PSS step 2).
//! PKCS#1 v1.5 is checked by encoding the expected block and comparing it whole (RFC 8017
//! §8.2.2 step 3), never by parsing the signature's.

use sha2::{Digest, Sha256, Sha384, Sha512};

use super::montgomery::{bit_length, OddModulus, Word};

/// The largest modulus accepted, in bits (the `rsa` crate's limit).
pub(crate) const MAX_MODULUS_BITS: usize = 4096;

/// The largest public exponent accepted (the `rsa` crate's limit).
const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// Why an RSA public key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RsaKeyError {
    /// The modulus is even, 0 or 1: not an RSA modulus.
    #[error("the modulus is not odd (not an RSA modulus)")]
    EvenModulus,
    /// The modulus is longer than [`MAX_MODULUS_BITS`].
    #[error("a {0}-bit modulus is too large (at most 4096 bits)")]
    ModulusTooLarge(usize),
    /// The exponent is even, below 3, above 2^33 - 1, or not below the modulus.
    #[error("the exponent is not an odd number from 3 to 2^33 - 1 below the modulus")]
    BadExponent,
}

/// The hash of an RSA algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsaHash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl RsaHash {
    fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for part in parts {
                d.update(part);
            }
            d.finalize().to_vec()
        }
        match self {
            RsaHash::Sha256 => run::<Sha256>(parts),
            RsaHash::Sha384 => run::<Sha384>(parts),
            RsaHash::Sha512 => run::<Sha512>(parts),
        }
    }

    fn len(self) -> usize {
        match self {
            RsaHash::Sha256 => 32,
            RsaHash::Sha384 => 48,
            RsaHash::Sha512 => 64,
        }
    }

    /// The DER `DigestInfo` before the hash (RFC 8017 §9.2, note 1).
    fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            RsaHash::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            RsaHash::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            RsaHash::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }
}

/// The signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsaPadding {
    /// RSASSA-PKCS1-v1_5.
    Pkcs1v15,
    /// RSASSA-PSS, MGF1 with the same hash, salt as long as the hash.
    Pss,
}

/// An RSA public key, ready to verify.
#[derive(Debug, Clone)]
pub(crate) struct RsaPublicKey {
    modulus: OddModulus<Word>,
    exponent: u64,
}

impl RsaPublicKey {
    /// The key from its modulus and exponent, big-endian (leading zero bytes allowed).
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Result<RsaPublicKey, RsaKeyError> {
        let modulus = OddModulus::<Word>::from_be_bytes(n).ok_or(RsaKeyError::EvenModulus)?;
        if modulus.bits() > MAX_MODULUS_BITS {
            return Err(RsaKeyError::ModulusTooLarge(modulus.bits()));
        }
        if bit_length(e) > 64 || modulus.exceeds(e) {
            return Err(RsaKeyError::BadExponent);
        }
        let exponent = e.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
        if !(3..=MAX_EXPONENT).contains(&exponent) || exponent & 1 == 0 {
            return Err(RsaKeyError::BadExponent);
        }
        Ok(RsaPublicKey { modulus, exponent })
    }

    /// Whether `signature` is a valid signature of `message` (hashed here).
    pub(crate) fn verify(
        &self,
        padding: RsaPadding,
        hash: RsaHash,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        // RFC 8017 §8.2.2 / §8.1.2 step 1: exactly k bytes; RSAVP1: below the modulus.
        if signature.len() != self.modulus.len_bytes() {
            return false;
        }
        let Some(em) = self.modulus.pow(signature, self.exponent) else {
            return false;
        };
        let digest = hash.digest(&[message]);
        match padding {
            RsaPadding::Pkcs1v15 => pkcs1v15_matches(&em, hash, &digest),
            RsaPadding::Pss => pss_matches(&em, self.modulus.bits() - 1, hash, &digest),
        }
    }
}

/// EMSA-PKCS1-v1_5: `00 01 FF..FF 00 DigestInfo(hash)`, built and compared whole.
fn pkcs1v15_matches(em: &[u8], hash: RsaHash, digest: &[u8]) -> bool {
    let prefix = hash.digest_info_prefix();
    let t_len = prefix.len() + digest.len();
    let Some(ps_len) = em.len().checked_sub(t_len + 3).filter(|n| *n >= 8) else {
        return false; // "intended encoded message length too short" (k < tLen + 11)
    };
    let mut expected = Vec::with_capacity(em.len());
    expected.extend_from_slice(&[0x00, 0x01]);
    expected.resize(2 + ps_len, 0xff);
    expected.push(0x00);
    expected.extend_from_slice(prefix);
    expected.extend_from_slice(digest);
    expected == em
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with `sLen = hLen`; `em` is the k-byte RSAVP1 output.
fn pss_matches(em: &[u8], em_bits: usize, hash: RsaHash, digest: &[u8]) -> bool {
    let em_len = em_bits.div_ceil(8);
    // I2OSP(m, emLen): when k > emLen the extra leading byte must be zero.
    let (extra, em) = em.split_at(em.len() - em_len);
    let h_len = hash.len();
    let s_len = h_len;
    if extra.iter().any(|b| *b != 0) || em_len < h_len + s_len + 2 || em[em_len - 1] != 0xbc {
        return false;
    }
    let (masked_db, rest) = em.split_at(em_len - h_len - 1);
    let h = &rest[..h_len];
    let unused_bits = 8 * em_len - em_bits;
    let top_mask = 0xffu8 >> unused_bits;
    if masked_db[0] & !top_mask != 0 {
        return false;
    }
    let mut db = masked_db.to_vec();
    mgf1_xor(&mut db, hash, h);
    db[0] &= top_mask;
    let zeros = em_len - h_len - s_len - 2;
    if db[..zeros].iter().any(|b| *b != 0) || db[zeros] != 0x01 {
        return false;
    }
    let salt = &db[db.len() - s_len..];
    hash.digest(&[&[0u8; 8], digest, salt]) == h
}

/// `out ^= MGF1(seed, out.len())`.
fn mgf1_xor(out: &mut [u8], hash: RsaHash, seed: &[u8]) {
    for (counter, chunk) in out.chunks_mut(hash.len()).enumerate() {
        let mask = hash.digest(&[seed, &(counter as u32).to_be_bytes()]);
        for (byte, m) in chunk.iter_mut().zip(mask) {
            *byte ^= m;
        }
    }
}

// The tests use the rsa crate, a native dependency only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use rand::{Rng, RngCore, SeedableRng};
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
    use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPrivateKey};

    const KEYS: [(&str, &str); 4] = [
        (
            "2049",
            include_str!("../../tests/fixtures/rsa/rsa-2049.pem"),
        ),
        (
            "2055",
            include_str!("../../tests/fixtures/rsa/rsa-2055.pem"),
        ),
        (
            "3072-e3",
            include_str!("../../tests/fixtures/rsa/rsa-3072-e3.pem"),
        ),
        (
            "4096",
            include_str!("../../tests/fixtures/rsa/rsa-4096.pem"),
        ),
    ];

    const SCHEMES: [(RsaPadding, RsaHash); 6] = [
        (RsaPadding::Pkcs1v15, RsaHash::Sha256),
        (RsaPadding::Pkcs1v15, RsaHash::Sha384),
        (RsaPadding::Pkcs1v15, RsaHash::Sha512),
        (RsaPadding::Pss, RsaHash::Sha256),
        (RsaPadding::Pss, RsaHash::Sha384),
        (RsaPadding::Pss, RsaHash::Sha512),
    ];

    fn keys() -> Vec<(&'static str, RsaPrivateKey, RsaPublicKey)> {
        KEYS.iter()
            .map(|(name, pem)| {
                let private = RsaPrivateKey::from_pkcs8_pem(pem).expect(name);
                let public =
                    RsaPublicKey::new(&private.n().to_bytes_be(), &private.e().to_bytes_be())
                        .expect(name);
                (*name, private, public)
            })
            .collect()
    }

    /// The `rsa` crate's signature of `message`.
    fn sign(key: &RsaPrivateKey, padding: RsaPadding, hash: RsaHash, message: &[u8]) -> Vec<u8> {
        use sha2::{Sha256, Sha384, Sha512};
        let mut rng = rand::rngs::StdRng::seed_from_u64(message.len() as u64);
        let key = key.clone();
        macro_rules! with {
            ($d:ty) => {
                match padding {
                    RsaPadding::Pkcs1v15 => rsa::pkcs1v15::SigningKey::<$d>::new(key)
                        .sign(message)
                        .to_vec(),
                    RsaPadding::Pss => rsa::pss::BlindedSigningKey::<$d>::new(key)
                        .sign_with_rng(&mut rng, message)
                        .to_vec(),
                }
            };
        }
        match hash {
            RsaHash::Sha256 => with!(Sha256),
            RsaHash::Sha384 => with!(Sha384),
            RsaHash::Sha512 => with!(Sha512),
        }
    }

    /// The `rsa` crate's verdict.
    fn crate_accepts(
        key: &RsaPrivateKey,
        padding: RsaPadding,
        hash: RsaHash,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        use sha2::{Sha256, Sha384, Sha512};
        let public = key.to_public_key();
        let digest = hash.digest(&[message]);
        let scheme = |p: RsaPadding| match (p, hash) {
            (RsaPadding::Pkcs1v15, RsaHash::Sha256) => Ok(Pkcs1v15Sign::new::<Sha256>()),
            (RsaPadding::Pkcs1v15, RsaHash::Sha384) => Ok(Pkcs1v15Sign::new::<Sha384>()),
            (RsaPadding::Pkcs1v15, RsaHash::Sha512) => Ok(Pkcs1v15Sign::new::<Sha512>()),
            (RsaPadding::Pss, RsaHash::Sha256) => Err(Pss::new::<Sha256>()),
            (RsaPadding::Pss, RsaHash::Sha384) => Err(Pss::new::<Sha384>()),
            (RsaPadding::Pss, RsaHash::Sha512) => Err(Pss::new::<Sha512>()),
        };
        match scheme(padding) {
            Ok(p) => public.verify(p, &digest, signature).is_ok(),
            Err(p) => public.verify(p, &digest, signature).is_ok(),
        }
    }

    /// Raw RSA with the private key: the signature whose RSAVP1 output is `em` (k bytes).
    fn raw_sign(key: &RsaPrivateKey, em: &[u8]) -> Option<Vec<u8>> {
        let m = BigUint::from_bytes_be(em);
        if &m >= key.n() {
            return None;
        }
        let s = m.modpow(key.d(), key.n()).to_bytes_be();
        let mut out = vec![0; key.size() - s.len()];
        out.extend(s);
        Some(out)
    }

    #[test]
    fn signatures_of_the_rsa_crate_verify_and_damaged_ones_are_judged_as_it_judges_them() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for (name, private, public) in keys() {
            let n = private.n().clone();
            for (padding, hash) in SCHEMES {
                let id = format!("{name} {padding:?} {hash:?}");
                let message = format!("header.claims for {id}").into_bytes();
                let signature = sign(&private, padding, hash, &message);
                assert!(public.verify(padding, hash, &message, &signature), "{id}");
                assert!(crate_accepts(&private, padding, hash, &message, &signature));
                // Another scheme or hash never accepts it.
                for (other_padding, other_hash) in SCHEMES {
                    if (other_padding, other_hash) != (padding, hash) {
                        assert!(!public.verify(other_padding, other_hash, &message, &signature));
                    }
                }
                let mut damaged: Vec<(String, Vec<u8>, Vec<u8>)> = Vec::new();
                for _ in 0..12 {
                    let mut s = signature.clone();
                    let bit = rng.gen_range(0..8 * s.len());
                    s[bit / 8] ^= 1 << (bit % 8);
                    damaged.push((format!("signature bit {bit}"), message.clone(), s));
                    let mut m = message.clone();
                    let bit = rng.gen_range(0..8 * m.len());
                    m[bit / 8] ^= 1 << (bit % 8);
                    damaged.push((format!("message bit {bit}"), m, signature.clone()));
                }
                let mut longer = vec![0];
                longer.extend(&signature);
                damaged.push(("a leading zero byte".into(), message.clone(), longer));
                damaged.push((
                    "the last byte cut".into(),
                    message.clone(),
                    signature[..signature.len() - 1].to_vec(),
                ));
                damaged.push(("empty".into(), message.clone(), vec![]));
                damaged.push(("zero".into(), message.clone(), vec![0; signature.len()]));
                let k = signature.len();
                damaged.push((
                    "the modulus".into(),
                    message.clone(),
                    private.n().to_bytes_be(),
                ));
                // The signature plus the modulus, where that still has k bytes: the same value
                // modulo n, out of range for RSAVP1.
                let plus = (BigUint::from_bytes_be(&signature) + &n).to_bytes_be();
                let out_of_range = plus.len() == k;
                if out_of_range {
                    damaged.push(("plus the modulus".into(), message.clone(), plus));
                }
                for (what, m, s) in damaged {
                    let ours = public.verify(padding, hash, &m, &s);
                    let theirs = crate_accepts(&private, padding, hash, &m, &s);
                    if what == "plus the modulus" {
                        // RFC 8017 RSAVP1 step 1; the rsa crate's PSS reduces it instead.
                        assert!(!ours, "{id}: {what}");
                        assert_eq!(theirs, padding == RsaPadding::Pss, "{id}: {what}");
                    } else {
                        assert_eq!(ours, theirs, "{id}: {what}");
                        assert!(!ours, "{id}: {what}");
                    }
                }
            }
        }
    }

    /// EMSA-PKCS1-v1_5 as RFC 8017 §9.2 builds it, then changed by `change`.
    fn pkcs1_block(
        k: usize,
        hash: RsaHash,
        message: &[u8],
        change: impl Fn(&mut Vec<u8>),
    ) -> Vec<u8> {
        let mut t = hash.digest_info_prefix().to_vec();
        t.extend(hash.digest(&[message]));
        let mut em = vec![0x00, 0x01];
        em.resize(k - t.len() - 1, 0xff);
        em.push(0x00);
        em.extend(t);
        change(&mut em);
        em
    }

    #[test]
    fn a_pkcs1_block_must_be_exactly_the_expected_one() {
        let (_, private, public) = keys().remove(0);
        let k = private.size();
        let message = b"the signed bytes";
        let hash = RsaHash::Sha256;
        let h = hash.len();
        let prefix = hash.digest_info_prefix().len();
        type Change<'a> = &'a dyn Fn(&mut Vec<u8>);
        let cases: [(&str, bool, Change); 8] = [
            ("as built", true, &|_| {}),
            ("block type 2", false, &|em| em[1] = 0x02),
            ("a padding byte 0xfe", false, &|em| em[5] = 0xfe),
            ("no zero after the padding", false, &|em| {
                em[k - h - prefix - 1] = 0xff
            }),
            // The OID's last byte: SHA-384's DigestInfo names 2.16.840.1.101.3.4.2.2.
            ("another hash's DigestInfo", false, &|em| {
                em[k - h - 5] = 0x02
            }),
            ("a hash byte changed", false, &|em| em[k - 1] ^= 1),
            // Bleichenbacher 2006: short padding, the DigestInfo and hash early, garbage after.
            ("garbage after the hash", false, &|em| {
                let tail: Vec<u8> = em[k - h - prefix - 1..].to_vec();
                em.truncate(10);
                em.extend(&tail);
                em.resize(k, 0x5a);
            }),
            ("a leading byte not zero", false, &|em| em[0] = 0x01),
        ];
        for (what, valid, change) in cases {
            let em = pkcs1_block(k, hash, message, change);
            let Some(signature) = raw_sign(&private, &em) else {
                continue;
            };
            assert_eq!(
                public.verify(RsaPadding::Pkcs1v15, hash, message, &signature),
                valid,
                "{what}"
            );
            assert_eq!(
                crate_accepts(&private, RsaPadding::Pkcs1v15, hash, message, &signature),
                valid,
                "{what}: the rsa crate"
            );
        }
    }

    /// EMSA-PSS-ENCODE (RFC 8017 §9.1.1), `sLen = hLen`, written out independently of
    /// `pss_matches` (MGF1 aside), in `em_bits` bits.
    fn pss_block(em_bits: usize, hash: RsaHash, message: &[u8], salt: &[u8]) -> Vec<u8> {
        let (h_len, em_len) = (hash.len(), em_bits.div_ceil(8));
        let h = hash.digest(&[&[0u8; 8], &hash.digest(&[message]), salt]);
        let mut db = vec![0u8; em_len - salt.len() - h_len - 2];
        db.push(0x01);
        db.extend(salt);
        mgf1_xor(&mut db, hash, &h);
        db[0] &= 0xff >> (8 * em_len - em_bits);
        db.extend(h);
        db.push(0xbc);
        db
    }

    #[test]
    fn a_pss_encoding_is_checked_step_by_step() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let message = b"the signed bytes";
        for (name, private, public) in keys() {
            let k = private.size();
            let em_bits = private.n().bits() - 1;
            for hash in [RsaHash::Sha256, RsaHash::Sha512] {
                let mut salt = vec![0u8; hash.len()];
                rng.fill_bytes(&mut salt);
                let block = pss_block(em_bits, hash, message, &salt);
                let full = |em: &[u8]| {
                    let mut m = vec![0u8; k - em.len()];
                    m.extend(em);
                    m
                };
                let verdict = |em: Vec<u8>| {
                    raw_sign(&private, &em)
                        .map(|s| public.verify(RsaPadding::Pss, hash, message, &s))
                };
                let id = format!("{name} {hash:?}");
                assert_eq!(verdict(full(&block)), Some(true), "{id}: as encoded");
                let mut bad = block.clone();
                *bad.last_mut().unwrap() = 0xbd;
                assert_eq!(verdict(full(&bad)), Some(false), "{id}: trailer");
                let mut bad = block.clone();
                bad[block.len() - 2] ^= 1;
                assert_eq!(verdict(full(&bad)), Some(false), "{id}: H");
                // A shorter salt: the DB's 0x01 moves, so the encoding is not sLen = hLen.
                let short = pss_block(em_bits, hash, message, &salt[1..]);
                assert_eq!(verdict(full(&short)), Some(false), "{id}: short salt");
                // The bits above emBits must be zero: the lowest of them set, with salts tried
                // until the value is below the modulus (so that it can be signed).
                let unused = 8 * block.len() - em_bits;
                if unused > 0 {
                    let signed = (0..64).find_map(|_| {
                        rng.fill_bytes(&mut salt);
                        let mut bad = pss_block(em_bits, hash, message, &salt);
                        bad[0] |= 1 << (8 - unused);
                        verdict(full(&bad))
                    });
                    assert_eq!(signed, Some(false), "{id}: a bit above emBits");
                }
                // A modulus of 8m + 1 bits: the k-byte value has a byte above emLen, which must
                // be zero (I2OSP). The rsa crate drops it unchecked.
                if k > block.len() {
                    let signature = (0..64)
                        .find_map(|_| {
                            rng.fill_bytes(&mut salt);
                            let mut m = full(&pss_block(em_bits, hash, message, &salt));
                            m[0] = 1;
                            raw_sign(&private, &m)
                        })
                        .expect("a value below the modulus");
                    assert!(
                        !public.verify(RsaPadding::Pss, hash, message, &signature),
                        "{id}"
                    );
                    assert!(crate_accepts(
                        &private,
                        RsaPadding::Pss,
                        hash,
                        message,
                        &signature
                    ));
                }
            }
        }
    }

    #[test]
    fn keys_are_checked_as_the_rsa_crate_checks_them() {
        let (_, private, _) = keys().remove(3);
        let n = private.n().to_bytes_be();
        let e = [0x01, 0x00, 0x01];
        assert!(RsaPublicKey::new(&n, &e).is_ok());
        let mut with_zeros = vec![0, 0];
        with_zeros.extend(&n);
        assert!(RsaPublicKey::new(&with_zeros, &[0, 0, 1, 0, 1]).is_ok());
        let mut even = n.clone();
        *even.last_mut().unwrap() ^= 1;
        assert_eq!(
            RsaPublicKey::new(&even, &e).unwrap_err(),
            RsaKeyError::EvenModulus
        );
        let mut big = vec![1];
        big.extend(&n);
        assert_eq!(
            RsaPublicKey::new(&big, &e).unwrap_err(),
            RsaKeyError::ModulusTooLarge(4097)
        );
        for bad in [
            &[1][..],
            &[2],
            &[0x01, 0x00, 0x00],
            &[0x02, 0x00, 0x00, 0x00, 0x01],
            &[],
        ] {
            assert_eq!(
                RsaPublicKey::new(&n, bad).unwrap_err(),
                RsaKeyError::BadExponent,
                "{bad:?}"
            );
            let theirs =
                rsa::RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(bad));
            assert!(theirs.is_err(), "{bad:?}: the rsa crate");
        }
        // 2^33 - 1 is accepted; an exponent not below the modulus is not.
        assert!(RsaPublicKey::new(&n, &[0x01, 0xff, 0xff, 0xff, 0xff]).is_ok());
        assert_eq!(
            RsaPublicKey::new(&[0x0b], &[0x0d]).unwrap_err(),
            RsaKeyError::BadExponent
        );
    }
}
