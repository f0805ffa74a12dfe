//! Ed25519 signature verification (RFC 8032 §5.1.7), for EdDSA (RFC 8037), with the strict
//! rules of ed25519-dalek's `verify_strict`, which this replaces in the wasm module and which
//! is its test oracle (it still signs for the CLI):
//! - `s` below the group order `L`;
//! - `R` and the key decode to points (a `y` not below `p` is taken modulo `p`, and an `x` of
//!   0 with its sign bit set is 0, as that crate decodes them);
//! - neither is of small order (`[8]P` the identity);
//! - `[s]B - [k]A`, encoded, is `R`'s exact bytes, with `k = SHA-512(R || A || M) mod L` over
//!   the key's bytes as given.
//!
//! Points are added by the unified formulas of RFC 8032 §5.1.4 (Hisil, Wong, Carter and
//! Dawson 2008, extended coordinates), complete on this curve: no case is special. Every
//! input is public (the key, the signature, the message), so nothing needs to be
//! constant-time.
//!
//! Ours, not curve25519-dalek: its field and point arithmetic were about 15 KB of the raw wasm
//! module, where the prime field of the NIST curves (`src/token/prime_field.rs`) serves.

use std::sync::OnceLock;

use sha2::{Digest, Sha512};

use super::montgomery::{Limb, Word};
use super::prime_field::{be_bytes, bit, hex, is_zero, Num, PrimeField};
use super::scalar_mul::{combination, multiples, Base, Group};

/// The field's prime, `2^255 - 19`.
const P: [u8; 32] = hex("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed");
/// The order of the base point, `2^252 + 27742317777372353535851937790883648493`.
const ORDER: [u8; 32] = hex("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed");
/// `(p - 5) / 8`, the exponent of the square root's candidate.
const P_MINUS_5_OVER_8: [u8; 32] =
    hex("0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd");
/// `d = -121665 / 121666`.
const D: [u8; 32] = hex("52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3");
/// A square root of -1 (`2^((p - 1) / 4)`).
const SQRT_M1: [u8; 32] = hex("2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0");
/// The base point `B`: `y = 4/5`, `x` even.
const BASE_X: [u8; 32] = hex("216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a");
/// The base point's `y`.
const BASE_Y: [u8; 32] = hex("6666666666666666666666666666666666666666666666666666666666666658");
/// The base point, encoded (the tests check it is [`BASE_X`], [`BASE_Y`]).
#[cfg(test)]
const BASE: [u8; 32] = hex("5866666666666666666666666666666666666666666666666666666666666666");

/// Why an Ed25519 public key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Ed25519KeyError {
    /// The key is not 32 bytes long.
    #[error("an Ed25519 public key is 32 bytes, not {0}")]
    Length(usize),
    /// The bytes encode no point of the curve.
    #[error("x is not the encoding of a point of Ed25519")]
    NotOnCurve,
}

/// A point in extended coordinates `(X : Y : Z : T)`, for the affine `(X/Z, Y/Z)` with
/// `XY = ZT`; numbers in Montgomery form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Point<L: Limb, const N: usize> {
    x: Num<L, N>,
    y: Num<L, N>,
    z: Num<L, N>,
    t: Num<L, N>,
}

/// The curve `-x^2 + y^2 = 1 + d x^2 y^2` over the integers modulo `2^255 - 19`, ready to
/// compute on.
#[derive(Debug)]
pub(crate) struct Edwards<L: Limb, const N: usize> {
    field: PrimeField<L, N>,
    /// The scalars, modulo `L`.
    scalars: PrimeField<L, N>,
    /// `d = -121665 / 121666`, in Montgomery form.
    d: Num<L, N>,
    /// `2d`.
    d2: Num<L, N>,
    /// A square root of -1.
    sqrt_m1: Num<L, N>,
    /// The base point, and its multiples.
    base: Base<Point<L, N>>,
}

impl<L: Limb, const N: usize> Edwards<L, N> {
    /// The curve, its constants computed.
    pub(crate) fn new() -> Edwards<L, N> {
        let field = PrimeField::new(&P).expect("p is odd and short enough");
        let scalars = PrimeField::new(&ORDER).expect("L is odd and short enough");
        let number = |be: &[u8]| field.montgomery(&field.number(be).expect("below p"));
        let (d, x, y) = (number(&D), number(&BASE_X), number(&BASE_Y));
        Edwards {
            d2: field.add(&d, &d),
            d,
            sqrt_m1: number(&SQRT_M1),
            base: Base::new(Point {
                t: field.mul(&x, &y),
                x,
                y,
                z: field.one(),
            }),
            field,
            scalars,
        }
    }

    /// `-p`.
    fn negate(&self, p: &Point<L, N>) -> Point<L, N> {
        let zero = [L::from(0); N];
        Point {
            x: self.field.sub(&zero, &p.x),
            t: self.field.sub(&zero, &p.t),
            ..*p
        }
    }

    /// Whether `[8]p` is the identity (`X = 0`, `Y = Z`).
    fn is_small_order(&self, p: &Point<L, N>) -> bool {
        let mut q = *p;
        for _ in 0..3 {
            q = self.double(&q);
        }
        is_zero(&q.x) && q.y == q.z
    }

    /// The point encoded by 32 bytes (`y` little-endian, `x`'s sign in the top bit), decoded
    /// as ed25519-dalek decodes it; `None` when no `x` fits `y`.
    pub(crate) fn decompress(&self, encoded: &[u8; 32]) -> Option<Point<L, N>> {
        let f = &self.field;
        let mut be = *encoded;
        be.reverse();
        let sign = be[0] >> 7 == 1;
        be[0] &= 0x7f;
        let y = f.montgomery(&f.reduce(&be));
        // x^2 = u / v, with u = y^2 - 1 and v = d y^2 + 1 (never 0: d is not a square).
        let one = f.one();
        let yy = f.mul(&y, &y);
        let (u, v) = (f.sub(&yy, &one), f.add(&f.mul(&self.d, &yy), &one));
        // x = u v^3 (u v^7)^((p-5)/8), then v x^2 is u or -u (times sqrt(-1) for the latter),
        // or u / v has no square root.
        let v3 = f.mul(&f.mul(&v, &v), &v);
        let v7 = f.mul(&f.mul(&v3, &v3), &v);
        let exponent = f.number(&P_MINUS_5_OVER_8).expect("below p");
        let mut x = f.mul(&f.mul(&u, &v3), &f.pow(&f.mul(&u, &v7), &exponent));
        let check = f.mul(&v, &f.mul(&x, &x));
        let zero = [L::from(0); N];
        if check != u {
            if check != f.sub(&zero, &u) {
                return None;
            }
            x = f.mul(&x, &self.sqrt_m1);
        }
        // The root whose plain value is even, then the sign bit's.
        if bit(&f.plain(&x), 0) != sign {
            x = f.sub(&zero, &x);
        }
        Some(Point {
            t: f.mul(&x, &y),
            x,
            y,
            z: one,
        })
    }

    /// The point's 32-byte encoding.
    fn compress(&self, p: &Point<L, N>) -> [u8; 32] {
        let f = &self.field;
        let z = f.invert(&p.z);
        let (x, y) = (f.plain(&f.mul(&p.x, &z)), f.plain(&f.mul(&p.y, &z)));
        let mut out: [u8; 32] = be_bytes(&y, 32).try_into().expect("32 bytes");
        out.reverse();
        out[31] |= u8::from(bit(&x, 0)) << 7;
        out
    }

    /// Whether `signature` (`R || s`) is valid for `message` under the key `key` (its 32 bytes
    /// as given and its point).
    pub(crate) fn verify(
        &self,
        key: &[u8; 32],
        point: &Point<L, N>,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        let Some((r, s)) = signature
            .split_at_checked(32)
            .filter(|(_, s)| s.len() == 32)
        else {
            return false;
        };
        let r: &[u8; 32] = r.try_into().expect("32 bytes");
        let mut s_be = s.to_vec();
        s_be.reverse();
        let Some(s) = self.scalars.number(&s_be) else {
            return false; // s not below L
        };
        let Some(r_point) = self.decompress(r) else {
            return false;
        };
        if self.is_small_order(&r_point) || self.is_small_order(point) {
            return false;
        }
        let mut h: Vec<u8> = Sha512::new()
            .chain_update(r)
            .chain_update(key)
            .chain_update(message)
            .finalize()
            .to_vec();
        h.reverse();
        let k = self.scalars.reduce(&h);
        let minus_a = multiples(self, &self.negate(point));
        let expected = combination(self, &s, self.base.multiples(self), &k, &minus_a);
        self.compress(&expected) == *r
    }
}

impl<L: Limb, const N: usize> Group for Edwards<L, N> {
    type Point = Point<L, N>;

    /// The identity, `(0, 1)`.
    fn identity(&self) -> Point<L, N> {
        let zero = [L::from(0); N];
        Point {
            x: zero,
            y: self.field.one(),
            z: self.field.one(),
            t: zero,
        }
    }

    /// `p + q`, complete (RFC 8032 §5.1.4).
    fn add(&self, p: &Point<L, N>, q: &Point<L, N>) -> Point<L, N> {
        let f = &self.field;
        let a = f.mul(&f.sub(&p.y, &p.x), &f.sub(&q.y, &q.x));
        let b = f.mul(&f.add(&p.y, &p.x), &f.add(&q.y, &q.x));
        let c = f.mul(&f.mul(&p.t, &self.d2), &q.t);
        let d = f.mul(&f.add(&p.z, &p.z), &q.z);
        let (e, ff, g, h) = (f.sub(&b, &a), f.sub(&d, &c), f.add(&d, &c), f.add(&b, &a));
        Point {
            x: f.mul(&e, &ff),
            y: f.mul(&g, &h),
            t: f.mul(&e, &h),
            z: f.mul(&ff, &g),
        }
    }

    /// `[2]p` (RFC 8032 §5.1.4's doubling: four squarings and four products, where the
    /// addition takes nine products).
    fn double(&self, p: &Point<L, N>) -> Point<L, N> {
        let f = &self.field;
        let a = f.mul(&p.x, &p.x);
        let b = f.mul(&p.y, &p.y);
        let z2 = f.mul(&p.z, &p.z);
        let c = f.add(&z2, &z2);
        let h = f.add(&a, &b);
        let xy = f.add(&p.x, &p.y);
        let e = f.sub(&h, &f.mul(&xy, &xy));
        let g = f.sub(&a, &b);
        let ff = f.add(&c, &g);
        Point {
            x: f.mul(&e, &ff),
            y: f.mul(&g, &h),
            t: f.mul(&e, &h),
            z: f.mul(&ff, &g),
        }
    }
}

/// The limbs of a number at this target's limb width.
const LIMBS: usize = 256 / Word::BITS as usize;

/// The curve at this target's limb width, made at its first use.
fn curve() -> &'static Edwards<Word, LIMBS> {
    static CURVE: OnceLock<Edwards<Word, LIMBS>> = OnceLock::new();
    CURVE.get_or_init(Edwards::new)
}

/// An Ed25519 public key, ready to verify.
#[derive(Debug, Clone)]
pub(crate) struct Ed25519PublicKey {
    encoded: [u8; 32],
    point: Point<Word, LIMBS>,
}

impl Ed25519PublicKey {
    /// The key from its 32 bytes, decoded to a point of the curve.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Ed25519PublicKey, Ed25519KeyError> {
        let encoded: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Ed25519KeyError::Length(bytes.len()))?;
        let point = curve()
            .decompress(&encoded)
            .ok_or(Ed25519KeyError::NotOnCurve)?;
        Ok(Ed25519PublicKey { encoded, point })
    }

    /// Whether `signature` is a valid signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        curve().verify(&self.encoded, &self.point, message, signature)
    }
}

// The oracle is ed25519-dalek's verify_strict (a native dependency only, the CLI's signer).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
    use rand::{Rng, RngCore, SeedableRng};

    fn oracle_accepts(key: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(key) else {
            return false;
        };
        ed25519_dalek::Signature::from_slice(signature)
            .is_ok_and(|sig| key.verify_strict(message, &sig).is_ok())
    }

    /// `n + L` for a little-endian scalar (still 32 bytes: `n + L < 2^254`).
    fn plus_order(n: &[u8]) -> Vec<u8> {
        let mut le = ORDER;
        le.reverse();
        let mut carry = 0u16;
        n.iter()
            .zip(le)
            .map(|(a, b)| {
                let sum = u16::from(*a) + u16::from(b) + carry;
                carry = sum >> 8;
                sum as u8
            })
            .collect()
    }

    fn signatures_agree_with_the_oracle<L: Limb, const N: usize>() {
        let curve = Edwards::<L, N>::new();
        let mut rng = rand::rngs::StdRng::seed_from_u64(25519);
        for round in 0..8 {
            let signer = SigningKey::generate(&mut rng);
            let key = signer.verifying_key().to_bytes();
            let point = curve.decompress(&key).expect("the oracle's key is a point");
            let message = format!("header.claims #{round}").into_bytes();
            let signature = signer.sign(&message).to_bytes();
            let check = |msg: &[u8], sig: &[u8]| curve.verify(&key, &point, msg, sig);
            assert!(check(&message, &signature), "round {round}");
            // Damaged signatures and messages: refused, as the oracle refuses them.
            for _ in 0..6 {
                let mut damaged = signature;
                let i = rng.gen_range(0..64);
                damaged[i] ^= 1 << rng.gen_range(0..8);
                assert_eq!(
                    check(&message, &damaged),
                    oracle_accepts(&key, &message, &damaged)
                );
                assert!(!check(&message, &damaged));
            }
            let mut other = message.clone();
            other[0] ^= 0x20;
            assert!(!check(&other, &signature));
            // s + L is the same scalar, not the same bytes: refused by both (malleability).
            let high = [&signature[..32], &plus_order(&signature[32..])].concat();
            assert!(!check(&message, &high) && !oracle_accepts(&key, &message, &high));
            for bad in [&signature[..63], &[&signature[..], &[0]].concat()[..]] {
                assert!(!check(&message, bad) && !oracle_accepts(&key, &message, bad));
            }
        }
    }

    #[test]
    fn oracle_signatures_verify_and_damaged_ones_do_not_at_both_widths() {
        signatures_agree_with_the_oracle::<u32, 8>();
        signatures_agree_with_the_oracle::<u64, 4>();
    }

    /// Every encoding decodes (or not) to the point the oracle decodes it to, encoded back as
    /// the oracle encodes it: random bytes, the 19 values of y not below p with either sign,
    /// and the points of small order.
    fn decoding_agrees_with_the_oracle<L: Limb, const N: usize>() {
        let curve = Edwards::<L, N>::new();
        let mut rng = rand::rngs::StdRng::seed_from_u64(8032);
        let mut encodings: Vec<[u8; 32]> = (0..200)
            .map(|_| {
                let mut b = [0u8; 32];
                rng.fill_bytes(&mut b);
                b
            })
            .collect();
        for extra in 0..19u8 {
            for sign in [0, 0x80] {
                let mut b = P;
                b.reverse();
                b[0] += extra; // p + extra, little-endian: p's low byte is 0xed
                b[31] |= sign;
                encodings.push(b);
            }
        }
        // The eight points of small order, with either sign bit (x = 0 with its sign bit set
        // among them).
        for torsion in curve25519_dalek::constants::EIGHT_TORSION {
            let encoded = torsion.compress().to_bytes();
            encodings.push(encoded);
            let mut flipped = encoded;
            flipped[31] ^= 0x80;
            encodings.push(flipped);
        }
        let mut small = 0;
        for encoded in encodings {
            let ours = curve.decompress(&encoded);
            let theirs = curve25519_dalek::edwards::CompressedEdwardsY(encoded).decompress();
            assert_eq!(ours.is_some(), theirs.is_some(), "{encoded:02x?}");
            if let (Some(ours), Some(theirs)) = (ours, theirs) {
                assert_eq!(curve.compress(&ours), theirs.compress().to_bytes());
                assert_eq!(curve.is_small_order(&ours), theirs.is_small_order());
                small += usize::from(theirs.is_small_order());
            }
        }
        assert!(
            small >= 16,
            "the eight points of small order, with either sign bit"
        );
    }

    #[test]
    fn points_decode_as_the_oracle_decodes_them_at_both_widths() {
        decoding_agrees_with_the_oracle::<u32, 8>();
        decoding_agrees_with_the_oracle::<u64, 4>();
    }

    #[test]
    fn the_base_point_has_order_l_and_d_and_sqrt_m1_are_what_they_are() {
        let curve = curve();
        let f = &curve.field;
        let order = f.number(&ORDER).unwrap();
        let zero = [0; LIMBS];
        let at_l = combination(
            curve,
            &order,
            curve.base.multiples(curve),
            &zero,
            curve.base.multiples(curve),
        );
        assert!(is_zero(&at_l.x) && at_l.y == at_l.z);
        assert!(!curve.is_small_order(curve.base.point()));
        assert_eq!(curve.compress(curve.base.point()), BASE);
        let decoded = curve.decompress(&BASE).unwrap();
        assert_eq!(
            (decoded.x, decoded.y, decoded.t),
            (
                curve.base.point().x,
                curve.base.point().y,
                curve.base.point().t
            )
        );
        // sqrt(-1)^2 = -1; d * 121666 = -121665.
        let minus_one = f.sub(&zero, &f.one());
        assert_eq!(f.mul(&curve.sqrt_m1, &curve.sqrt_m1), minus_one);
        let small = |n: u32| f.montgomery(&f.number(&n.to_be_bytes()).unwrap());
        assert_eq!(
            f.mul(&curve.d, &small(121_666)),
            f.sub(&zero, &small(121_665))
        );
    }

    #[test]
    fn keys_of_small_order_load_but_verify_nothing_and_bad_keys_say_why() {
        use curve25519_dalek::constants::ED25519_BASEPOINT_POINT as B;
        use curve25519_dalek::scalar::Scalar;
        let mut identity = [0u8; 32];
        identity[0] = 1;
        // The identity is a key (the oracle loads it too). With it, [s]B - [k]A = [s]B for
        // every message: R = [5]B and s = 5 satisfy the equation, and only the small-order
        // rule refuses the forgery.
        let key = Ed25519PublicKey::from_bytes(&identity).unwrap();
        assert!(VerifyingKey::from_bytes(&identity).is_ok());
        let r = (B * Scalar::from(5u8)).compress().to_bytes();
        let mut s5 = [0u8; 32];
        s5[0] = 5;
        let forged = [&r[..], &s5[..]].concat();
        for message in [&b"m"[..], b"any other message"] {
            assert!(!key.verify(message, &forged));
            assert!(!oracle_accepts(&identity, message, &forged));
        }
        let curve = curve();
        let k = curve.scalars.reduce(&{
            let mut h = Sha512::new()
                .chain_update(r)
                .chain_update(identity)
                .chain_update(b"m")
                .finalize()
                .to_vec();
            h.reverse();
            h
        });
        let sb = combination(
            curve,
            &curve.scalars.number(&[5]).unwrap(),
            curve.base.multiples(curve),
            &k,
            &multiples(curve, &curve.identity()),
        );
        assert_eq!(
            curve.compress(&sb),
            r,
            "the equation holds: only the rule refuses it"
        );
        // R the identity, for a real key: s = k a makes [s]B - [k]A = the identity = R, and
        // only the small-order rule on R refuses it.
        let signer = SigningKey::from_bytes(&[7; 32]);
        let public = signer.verifying_key().to_bytes();
        let good = Ed25519PublicKey::from_bytes(&public).unwrap();
        let k = Scalar::from_hash(
            Sha512::new()
                .chain_update(identity)
                .chain_update(public)
                .chain_update(b"m"),
        );
        let s = (k * signer.to_scalar()).to_bytes();
        let small_r = [&identity[..], &s[..]].concat();
        assert!(!good.verify(b"m", &small_r));
        assert!(!oracle_accepts(&public, b"m", &small_r));
        let point = curve.decompress(&public).unwrap();
        let mut s_be = s;
        s_be.reverse();
        let mut k_be = k.to_bytes();
        k_be.reverse();
        let minus_a = multiples(curve, &curve.negate(&point));
        let sum = combination(
            curve,
            &curve.scalars.number(&s_be).unwrap(),
            curve.base.multiples(curve),
            &curve.scalars.number(&k_be).unwrap(),
            &minus_a,
        );
        assert_eq!(
            curve.compress(&sum),
            identity,
            "the equation holds: only the rule refuses it"
        );
        // The right key's own signature verifies.
        let signature = signer.sign(b"m").to_bytes();
        assert!(good.verify(b"m", &signature));
        assert_eq!(
            Ed25519PublicKey::from_bytes(&[1; 31])
                .unwrap_err()
                .to_string(),
            "an Ed25519 public key is 32 bytes, not 31"
        );
        // y = 2 has no x on the curve.
        let mut no_x = [0u8; 32];
        no_x[0] = 2;
        assert!(VerifyingKey::from_bytes(&no_x).is_err());
        assert_eq!(
            Ed25519PublicKey::from_bytes(&no_x).unwrap_err(),
            Ed25519KeyError::NotOnCurve
        );
    }

    /// Wycheproof's Ed25519 vectors at the limb width the wasm module uses (the token-path test
    /// in tests/wycheproof.rs runs them at the native width).
    #[test]
    fn wycheproof_vectors_at_32_bit_limbs() {
        use crate::token::vectors::{groups, hex};
        let Some(groups) = groups("wycheproof_ed25519_test.json") else {
            return;
        };
        let curve = Edwards::<u32, 8>::new();
        for (group, cases) in groups {
            let key: [u8; 32] = hex(group["publicKey"]["pk"].as_str().unwrap())
                .try_into()
                .unwrap();
            let point = curve.decompress(&key).unwrap();
            for case in cases {
                let accepted = curve.verify(&key, &point, &case.message, &case.signature);
                assert_eq!(accepted, case.result == "valid", "tcId {}", case.id);
            }
        }
    }
}
