//! ECDSA signature verification on the NIST curves P-256 and P-384, for ES256 and ES384 (RFC
//! 7518 §3.4): FIPS 186-5 §6.4.2 (SEC 1 §4.1.4), with the signature as JWS writes it, `r || s`
//! of the curve's size each.
//!
//! Points are added by the complete formulas of Renes, Costello and Batina (2016, Algorithm 4,
//! for `a = -3`) in projective coordinates: one formula for every pair of points, the point at
//! infinity and a point added to itself included, so no case is special. `u1 G + u2 Q` is
//! computed four bits of each scalar at a time (`src/token/scalar_mul.rs`: four doublings and
//! at most two additions per four bits). Every input is public (the key, the signature, the
//! message), so nothing needs to be constant-time.
//!
//! Ours, not the RustCrypto curve crates (which sign for the CLI and are this module's test
//! oracle): their two stacks were about 50 KB of the wasm module, for verification only.

use std::sync::OnceLock;

use sha2::{Digest, Sha256, Sha384};

use super::montgomery::{Limb, Word};
use super::prime_field::{be_bytes, hex, is_zero, Num, PrimeField};
use super::scalar_mul::{combination, multiples, Base, Group};

/// A curve `y^2 = x^3 - 3x + b` over the integers modulo a prime `p`, with a base point `G` of
/// prime order `n` (cofactor 1), its numbers big-endian.
#[derive(Debug)]
pub(crate) struct CurveParams {
    /// The name JWKs give it (`crv`).
    pub(crate) name: &'static str,
    /// The length of a coordinate, a scalar and a digest, in bytes.
    pub(crate) size: usize,
    p: &'static [u8],
    n: &'static [u8],
    b: &'static [u8],
    gx: &'static [u8],
    gy: &'static [u8],
}

/// NIST P-256 (FIPS 186-5, SP 800-186 §3.2.1.3), for ES256.
pub(crate) static P256: CurveParams = CurveParams {
    name: "P-256",
    size: 32,
    p: &hex::<32>("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
    n: &hex::<32>("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
    b: &hex::<32>("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
    gx: &hex::<32>("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
    gy: &hex::<32>("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
};

/// NIST P-384 (FIPS 186-5, SP 800-186 §3.2.1.4), for ES384.
pub(crate) static P384: CurveParams = CurveParams {
    name: "P-384",
    size: 48,
    p: &hex::<48>("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff"),
    n: &hex::<48>("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"),
    b: &hex::<48>("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef"),
    gx: &hex::<48>("aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7"),
    gy: &hex::<48>("3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f"),
};

/// Why an EC public key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EcKeyError {
    /// The point is not `04 || x || y` with coordinates of the curve's size.
    #[error(
        "the point is not 04 || x || y of {expected} bytes each for {curve} ({found} bytes in all)"
    )]
    Encoding {
        /// The curve.
        curve: &'static str,
        /// The size of a coordinate.
        expected: usize,
        /// The length of the encoding given.
        found: usize,
    },
    /// A coordinate is not below the field's prime.
    #[error("{coordinate} is not below the field prime of {curve}")]
    CoordinateTooLarge {
        /// The curve.
        curve: &'static str,
        /// `x` or `y`.
        coordinate: &'static str,
    },
    /// The point does not satisfy the curve's equation.
    #[error("the point (x, y) is not on the curve {0}")]
    NotOnCurve(&'static str),
}

/// A point in projective coordinates `(X : Y : Z)`, for the affine `(X/Z, Y/Z)`; the point at
/// infinity is `(0 : 1 : 0)`. Numbers in Montgomery form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Point<L: Limb, const N: usize> {
    x: Num<L, N>,
    y: Num<L, N>,
    z: Num<L, N>,
}

/// A curve, ready to compute on.
#[derive(Debug)]
pub(crate) struct Curve<L: Limb, const N: usize> {
    params: &'static CurveParams,
    /// The coordinates' field, modulo `p`.
    field: PrimeField<L, N>,
    /// The scalars' field, modulo `n`.
    scalars: PrimeField<L, N>,
    /// `b` in Montgomery form.
    b: Num<L, N>,
    /// The base point, and its multiples.
    g: Base<Point<L, N>>,
}

impl<L: Limb, const N: usize> Curve<L, N> {
    /// The curve of `params` (whose numbers are this module's constants).
    pub(crate) fn new(params: &'static CurveParams) -> Curve<L, N> {
        let field = PrimeField::new(params.p).expect("the curve's prime is odd and short enough");
        let scalars = PrimeField::new(params.n).expect("the curve's order is odd and short enough");
        let number = |be| field.montgomery(&field.number(be).expect("below p"));
        let g = Point {
            x: number(params.gx),
            y: number(params.gy),
            z: field.one(),
        };
        Curve {
            b: number(params.b),
            params,
            field,
            scalars,
            g: Base::new(g),
        }
    }

    /// The point `(x, y)`, big-endian coordinates of the curve's size, checked to be on the
    /// curve (cofactor 1: every such point is in the group of `G`).
    pub(crate) fn point(&self, x: &[u8], y: &[u8]) -> Result<Point<L, N>, EcKeyError> {
        let f = &self.field;
        let coordinate = |be, name| {
            f.number(be)
                .map(|n| f.montgomery(&n))
                .ok_or(EcKeyError::CoordinateTooLarge {
                    curve: self.params.name,
                    coordinate: name,
                })
        };
        let (x, y) = (coordinate(x, "x")?, coordinate(y, "y")?);
        // y^2 = x^3 - 3x + b
        let x3 = f.mul(&f.mul(&x, &x), &x);
        let three_x = f.add(&f.add(&x, &x), &x);
        let right = f.add(&f.sub(&x3, &three_x), &self.b);
        if f.mul(&y, &y) != right {
            return Err(EcKeyError::NotOnCurve(self.params.name));
        }
        Ok(Point { x, y, z: f.one() })
    }

    /// Whether `signature` (`r || s`) is a valid signature of `digest` (as long as the
    /// curve's order) by the public key `q`.
    pub(crate) fn verify_digest(&self, q: &Point<L, N>, digest: &[u8], signature: &[u8]) -> bool {
        let size = self.params.size;
        let n = &self.scalars;
        if signature.len() != 2 * size || digest.len() != size {
            return false;
        }
        let (r, s) = signature.split_at(size);
        // 1 <= r, s < n
        let (Some(r), Some(s)) = (n.number(r), n.number(s)) else {
            return false;
        };
        if is_zero(&r) || is_zero(&s) {
            return false;
        }
        // e: the digest as a number (its bits are the order's), reduced modulo n.
        let e = n.reduce(digest);
        // w = s^-1 in Montgomery form; times a plain number, a plain product.
        let w = n.invert(&n.montgomery(&s));
        let (u1, u2) = (n.mul(&e, &w), n.mul(&r, &w));
        let point = combination(self, &u1, self.g.multiples(self), &u2, &multiples(self, q));
        if is_zero(&point.z) {
            return false; // the point at infinity
        }
        let f = &self.field;
        let x = f.plain(&f.mul(&point.x, &f.invert(&point.z)));
        n.reduce(&be_bytes(&x, size)) == r
    }
}

impl<L: Limb, const N: usize> Group for Curve<L, N> {
    type Point = Point<L, N>;

    /// The point at infinity, `(0 : 1 : 0)`.
    fn identity(&self) -> Point<L, N> {
        Point {
            x: [L::from(0); N],
            y: self.field.one(),
            z: [L::from(0); N],
        }
    }

    /// `p + q`, complete: Renes, Costello and Batina, Algorithm 4 (`a = -3`), its steps
    /// grouped.
    fn add(&self, p: &Point<L, N>, q: &Point<L, N>) -> Point<L, N> {
        let f = &self.field;
        let (mul, add, sub) = (
            |a: &Num<L, N>, b: &Num<L, N>| f.mul(a, b),
            |a: &Num<L, N>, b: &Num<L, N>| f.add(a, b),
            |a: &Num<L, N>, b: &Num<L, N>| f.sub(a, b),
        );
        let triple = |a: &Num<L, N>| add(&add(a, a), a);
        let xx = mul(&p.x, &q.x);
        let yy = mul(&p.y, &q.y);
        let zz = mul(&p.z, &q.z);
        // X1 Y2 + X2 Y1, Y1 Z2 + Y2 Z1, X1 Z2 + X2 Z1
        let xy = sub(&mul(&add(&p.x, &p.y), &add(&q.x, &q.y)), &add(&xx, &yy));
        let yz = sub(&mul(&add(&p.y, &p.z), &add(&q.y, &q.z)), &add(&yy, &zz));
        let xz = sub(&mul(&add(&p.x, &p.z), &add(&q.x, &q.z)), &add(&xx, &zz));
        let bzz3 = triple(&sub(&xz, &mul(&self.b, &zz)));
        let (yy_minus, yy_plus) = (sub(&yy, &bzz3), add(&yy, &bzz3));
        let zz3 = triple(&zz);
        let bxz3 = triple(&sub(&sub(&mul(&self.b, &xz), &zz3), &xx));
        let xx3_minus_zz3 = sub(&triple(&xx), &zz3);
        Point {
            x: sub(&mul(&yy_plus, &xy), &mul(&yz, &bxz3)),
            y: add(&mul(&yy_plus, &yy_minus), &mul(&xx3_minus_zz3, &bxz3)),
            z: add(&mul(&yy_minus, &yz), &mul(&xy, &xx3_minus_zz3)),
        }
    }

    /// `p + p`, by the complete addition.
    fn double(&self, p: &Point<L, N>) -> Point<L, N> {
        self.add(p, p)
    }
}

/// The limbs of a P-256 number at this target's limb width.
const P256_LIMBS: usize = 256 / Word::BITS as usize;
/// The limbs of a P-384 number at this target's limb width.
const P384_LIMBS: usize = 384 / Word::BITS as usize;

/// A curve at this target's limb width, made at its first use.
fn curve<const N: usize>(
    params: &'static CurveParams,
    slot: &'static OnceLock<Curve<Word, N>>,
) -> &'static Curve<Word, N> {
    slot.get_or_init(|| Curve::new(params))
}

/// An ECDSA public key, ready to verify ES256 (P-256) or ES384 (P-384) signatures.
#[derive(Debug, Clone)]
pub(crate) enum EcPublicKey {
    /// A P-256 key.
    P256(&'static Curve<Word, P256_LIMBS>, Point<Word, P256_LIMBS>),
    /// A P-384 key.
    P384(&'static Curve<Word, P384_LIMBS>, Point<Word, P384_LIMBS>),
}

impl EcPublicKey {
    /// The key from its uncompressed SEC 1 encoding, `04 || x || y`, checked to be a point of
    /// the curve.
    pub(crate) fn from_sec1(
        params: &'static CurveParams,
        encoded: &[u8],
    ) -> Result<EcPublicKey, EcKeyError> {
        static CURVE_P256: OnceLock<Curve<Word, P256_LIMBS>> = OnceLock::new();
        static CURVE_P384: OnceLock<Curve<Word, P384_LIMBS>> = OnceLock::new();
        let size = params.size;
        let (Some((0x04, coordinates)), true) =
            (encoded.split_first(), encoded.len() == 1 + 2 * size)
        else {
            return Err(EcKeyError::Encoding {
                curve: params.name,
                expected: size,
                found: encoded.len(),
            });
        };
        let (x, y) = coordinates.split_at(size);
        Ok(if std::ptr::eq(params, &P384) {
            let curve = curve(params, &CURVE_P384);
            EcPublicKey::P384(curve, curve.point(x, y)?)
        } else {
            let curve = curve(params, &CURVE_P256);
            EcPublicKey::P256(curve, curve.point(x, y)?)
        })
    }

    /// Whether `signature` (`r || s`) is a valid signature of `message`, hashed with the
    /// curve's hash (SHA-256 for P-256, SHA-384 for P-384).
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            EcPublicKey::P256(curve, point) => {
                curve.verify_digest(point, &Sha256::digest(message), signature)
            }
            EcPublicKey::P384(curve, point) => {
                curve.verify_digest(point, &Sha384::digest(message), signature)
            }
        }
    }
}

// The oracle is RustCrypto's p256 and p384 (native dependencies only, for the CLI's signing).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use p256::ecdsa::signature::{Signer, Verifier};
    use rand::{Rng, SeedableRng};

    type Sign = Box<dyn Fn(&[u8]) -> Vec<u8>>;
    type Accepts = Box<dyn Fn(&[u8], &[u8]) -> bool>;

    /// A key pair of the oracle, its signer and its verdict on a signature.
    struct Oracle {
        public: Vec<u8>,
        sign: Sign,
        accepts: Accepts,
    }

    fn oracle(params: &CurveParams, rng: &mut rand::rngs::StdRng) -> Oracle {
        // The same for both curves, whose crates have types of their own.
        macro_rules! oracle_of {
            ($curve:ident) => {{
                let key = $curve::ecdsa::SigningKey::random(rng);
                let public = *key.verifying_key();
                Oracle {
                    public: public.to_encoded_point(false).as_bytes().to_vec(),
                    accepts: Box::new(move |msg, sig| {
                        $curve::ecdsa::Signature::from_slice(sig)
                            .is_ok_and(|sig| public.verify(msg, &sig).is_ok())
                    }),
                    sign: Box::new(move |msg| {
                        let sig: $curve::ecdsa::Signature = key.sign(msg);
                        sig.to_vec()
                    }),
                }
            }};
        }
        if params.size == 32 {
            oracle_of!(p256)
        } else {
            oracle_of!(p384)
        }
    }

    fn digest(params: &CurveParams, message: &[u8]) -> Vec<u8> {
        if params.size == 32 {
            Sha256::digest(message).to_vec()
        } else {
            Sha384::digest(message).to_vec()
        }
    }

    /// `n - x` for a big-endian `x` of the curve's size (x not above n).
    fn order_minus(params: &CurveParams, x: &[u8]) -> Vec<u8> {
        let mut out = params.n.to_vec();
        let mut borrow = 0i16;
        for i in (0..out.len()).rev() {
            let d = i16::from(out[i]) - i16::from(x[i]) - borrow;
            borrow = i16::from(d < 0);
            out[i] = d.rem_euclid(256) as u8;
        }
        out
    }

    fn signatures_agree_with_the_oracle<L: Limb, const N: usize>(params: &'static CurveParams) {
        let curve = Curve::<L, N>::new(params);
        let mut rng = rand::rngs::StdRng::seed_from_u64(params.size as u64);
        let size = params.size;
        for round in 0..6 {
            let oracle = oracle(params, &mut rng);
            let (x, y) = oracle.public[1..].split_at(size);
            let q = curve
                .point(x, y)
                .expect("the oracle's key is a point of the curve");
            let message = format!("header.claims #{round}").into_bytes();
            let signature = (oracle.sign)(&message);
            let check = |msg: &[u8], sig: &[u8]| curve.verify_digest(&q, &digest(params, msg), sig);
            assert!(check(&message, &signature), "{} round {round}", params.name);
            // Its negation (n - s) is as valid: ECDSA has no low-s rule, nor does JWS.
            let mut high = signature.clone();
            high[size..].copy_from_slice(&order_minus(params, &signature[size..]));
            assert!(check(&message, &high) && (oracle.accepts)(&message, &high));
            // Damaged signatures and messages are refused, as the oracle refuses them.
            for _ in 0..6 {
                let mut damaged = signature.clone();
                let i = rng.gen_range(0..damaged.len());
                damaged[i] ^= 1 << rng.gen_range(0..8);
                assert!(!check(&message, &damaged));
                assert!(!(oracle.accepts)(&message, &damaged));
            }
            let mut other = message.clone();
            other[0] ^= 0x20;
            assert!(!check(&other, &signature) && !(oracle.accepts)(&other, &signature));
            // r or s zero or not below n, a short or long signature: refused by both.
            let zero = vec![0u8; size];
            let cases = [
                [&zero[..], &signature[size..]].concat(),
                [&signature[..size], &zero[..]].concat(),
                [params.n, &signature[size..]].concat(),
                [&signature[..size], params.n].concat(),
                signature[..2 * size - 1].to_vec(),
                [&signature[..], &[0]].concat(),
            ];
            for case in cases {
                assert!(!check(&message, &case));
                assert!(!(oracle.accepts)(&message, &case));
            }
        }
    }

    #[test]
    fn oracle_signatures_verify_and_damaged_ones_do_not_at_both_widths() {
        signatures_agree_with_the_oracle::<u32, 8>(&P256);
        signatures_agree_with_the_oracle::<u64, 4>(&P256);
        signatures_agree_with_the_oracle::<u32, 12>(&P384);
        signatures_agree_with_the_oracle::<u64, 6>(&P384);
    }

    fn constants<L: Limb, const N: usize>(params: &'static CurveParams) {
        let curve = Curve::<L, N>::new(params);
        // G is on the curve, and n G is the point at infinity.
        let g = curve
            .point(params.gx, params.gy)
            .expect("G is a point of the curve");
        let n = curve.field.number(params.n).expect("n < p");
        let zero = [L::from(0); N];
        let g = multiples(&curve, &g);
        let sum = |a, b| combination(&curve, a, &g, b, &g);
        assert!(is_zero(&sum(&n, &zero).z));
        assert!(is_zero(&sum(&zero, &n).z));
        // (n - 1) G + G too; 2 G is not.
        let mut n_minus_1 = n;
        n_minus_1[0] = n_minus_1[0].wrapping_sub(L::from(1));
        let mut one = zero;
        one[0] = L::from(1);
        assert!(is_zero(&sum(&n_minus_1, &one).z));
        assert!(!is_zero(&sum(&one, &one).z));
    }

    #[test]
    fn the_curves_constants_make_a_group_of_order_n_at_both_widths() {
        constants::<u32, 8>(&P256);
        constants::<u64, 4>(&P256);
        constants::<u32, 12>(&P384);
        constants::<u64, 6>(&P384);
    }

    #[test]
    fn a_signature_whose_point_is_at_infinity_is_refused() {
        // With Q = G (the key of the secret 1), r = n - e makes u1 + u2 = 0: u1 G + u2 Q is
        // the point at infinity, which has no x to compare. (Read as an affine x it would be 0,
        // which is never r, so the signature is refused either way: what this shows is that
        // the sum is the point at infinity, and that the check refuses it.)
        fn at_infinity<const N: usize>(params: &'static CurveParams) {
            let curve = Curve::<Word, N>::new(params);
            let g = curve.point(params.gx, params.gy).unwrap();
            let e = digest(params, b"header.claims");
            let r = order_minus(params, &e);
            let mut s = vec![0u8; params.size];
            s[params.size - 1] = 7;
            let n = &curve.scalars;
            let g_multiples = multiples(&curve, &g);
            let (u1, u2) = (n.number(&e).unwrap(), n.number(&r).unwrap());
            let sum = combination(&curve, &u1, &g_multiples, &u2, &g_multiples);
            assert!(is_zero(&sum.z));
            let signature = [&r[..], &s[..]].concat();
            assert!(!curve.verify_digest(&g, &e, &signature), "{}", params.name);
            // And through the key, as tokens are checked.
            let key = EcPublicKey::from_sec1(params, &[&[4], params.gx, params.gy].concat());
            assert!(!key.unwrap().verify(b"header.claims", &signature));
        }
        at_infinity::<P256_LIMBS>(&P256);
        at_infinity::<P384_LIMBS>(&P384);
    }

    #[test]
    fn keys_off_the_curve_or_badly_encoded_are_refused_with_their_reason() {
        let mut off = [&[4], P256.gx, P256.gy].concat();
        off[64] ^= 1;
        assert_eq!(
            EcPublicKey::from_sec1(&P256, &off).unwrap_err().to_string(),
            "the point (x, y) is not on the curve P-256"
        );
        let too_large = [&[4], P256.p, P256.gy].concat();
        assert_eq!(
            EcPublicKey::from_sec1(&P256, &too_large)
                .unwrap_err()
                .to_string(),
            "x is not below the field prime of P-256"
        );
        let too_large = [&[4], P384.gx, P384.p].concat();
        assert_eq!(
            EcPublicKey::from_sec1(&P384, &too_large)
                .unwrap_err()
                .to_string(),
            "y is not below the field prime of P-384"
        );
        for bad in [
            [&[4], P256.gx, P256.gy, &[0]].concat(),
            [&[2], P256.gx, P256.gy].concat(),
            [&[3], P256.gx].concat(),
            vec![0],
            vec![],
        ] {
            assert_eq!(
                EcPublicKey::from_sec1(&P256, &bad).unwrap_err(),
                EcKeyError::Encoding {
                    curve: "P-256",
                    expected: 32,
                    found: bad.len()
                }
            );
        }
        // A P-256 point is no P-384 key.
        assert!(EcPublicKey::from_sec1(&P384, &[&[4], P256.gx, P256.gy].concat()).is_err());
    }

    /// Wycheproof's ECDSA P-256 (P1363) vectors at the limb width the wasm module uses (the
    /// token-path test in tests/wycheproof.rs runs them at the native width).
    #[test]
    fn wycheproof_p256_vectors_at_32_bit_limbs() {
        use crate::token::vectors::{groups, hex};
        let Some(groups) = groups("wycheproof_ecdsa_secp256r1_sha256_p1363_test.json") else {
            return;
        };
        let curve = Curve::<u32, 8>::new(&P256);
        for (group, cases) in groups {
            let encoded = hex(group["publicKey"]["uncompressed"].as_str().unwrap());
            let q = curve.point(&encoded[1..33], &encoded[33..]).unwrap();
            for case in cases {
                let digest = Sha256::digest(&case.message);
                let accepted = curve.verify_digest(&q, &digest, &case.signature);
                let expected = case.result == "valid";
                assert!(
                    case.result == "acceptable" || accepted == expected,
                    "tcId {}",
                    case.id
                );
            }
        }
    }
}
