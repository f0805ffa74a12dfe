//! Arithmetic modulo an odd prime whose length is fixed at compile time (the coordinates and
//! the scalars of the P-256, P-384 and Ed25519 curves), on arrays of limbs that live on the
//! stack: nothing is allocated per operation, and every loop has a constant trip count (no
//! bounds checks). Products are Montgomery's (CIOS, crates/limbs, the one product for these
//! fields and for RSA moduli of any length: `src/token/montgomery.rs` also prepares the
//! constants here); numbers are kept in
//! Montgomery form (`x * R mod p`) where the caller multiplies them.
//!
//! Every input is public (a key, a signature, a digest), so nothing here needs to be
//! constant-time.

use super::montgomery::{limbs, Limb, OddModulus};
use tessera_limbs::{add_in_place, below, sub_in_place};

/// A number modulo the field's prime: `N` limbs, least significant first.
pub(crate) type Num<L, const N: usize> = [L; N];

/// The integers modulo an odd prime `p` of `N` limbs (`R = 2^(L::BITS * N)`).
#[derive(Debug)]
pub(crate) struct PrimeField<L: Limb, const N: usize> {
    /// The prime.
    p: Num<L, N>,
    /// `-p^-1 mod 2^L::BITS`.
    p0: L,
    /// `R^2 mod p`: multiplied in, it brings a number into Montgomery form.
    rr: Num<L, N>,
    /// `R mod p`: 1 in Montgomery form.
    one: Num<L, N>,
    /// `p - 2`, the exponent of an inverse (Fermat).
    p_minus_2: Num<L, N>,
}

impl<L: Limb, const N: usize> PrimeField<L, N> {
    /// The field of the prime `p`, big-endian; `None` when `p` is even or 1, or not `N` limbs
    /// long. Whether it is prime is the caller's to know.
    pub(crate) fn new(p: &[u8]) -> Option<PrimeField<L, N>> {
        let modulus = OddModulus::<L>::from_be_bytes(p)?;
        let p: Num<L, N> = modulus.modulus_limbs().try_into().ok()?;
        let rr = modulus.r_squared_limbs().try_into().ok()?;
        let mut p_minus_2 = p;
        let mut two = [L::from(0); N];
        two[0] = L::from(2);
        sub_in_place(&mut p_minus_2, &two);
        let mut field = PrimeField {
            p,
            p0: modulus.inverse_negated(),
            rr,
            one: [L::from(0); N],
            p_minus_2,
        };
        field.one = field.montgomery(&small(1));
        Some(field)
    }

    /// The number written big-endian (leading zero bytes allowed), as it is (not in Montgomery
    /// form); `None` when it is not below the prime.
    pub(crate) fn number(&self, be: &[u8]) -> Option<Num<L, N>> {
        let value = limbs::<L>(be);
        let mut out = [L::from(0); N];
        out.get_mut(..value.len())?.copy_from_slice(&value);
        below(&out, &self.p).then_some(out)
    }

    /// The big-endian number, of any length, reduced modulo the prime (a digest; a
    /// coordinate taken modulo a curve's order).
    pub(crate) fn reduce(&self, be: &[u8]) -> Num<L, N> {
        // Horner's rule in base R, in Montgomery form: acc * R + chunk, each step times R mod
        // p. A product with R^2 mod p (below p) is below p whatever the other factor.
        let value = limbs::<L>(be);
        let mut acc = [L::from(0); N];
        for chunk in value.chunks(N).rev() {
            let mut c = [L::from(0); N];
            c[..chunk.len()].copy_from_slice(chunk);
            acc = self.add(&self.mul(&acc, &self.rr), &self.mul(&c, &self.rr));
        }
        self.plain(&acc)
    }

    /// `a * b * R^-1 mod p` (CIOS), for `b` below the prime and `a` any number of `N` limbs:
    /// for `a` and `b` in Montgomery form, their product in that form; for one of them in
    /// Montgomery form and the other not, their plain product. The result is below the prime
    /// (`a * b + m * p < 2Rp` before the division by R).
    pub(crate) fn mul(&self, a: &Num<L, N>, b: &Num<L, N>) -> Num<L, N> {
        let mut t = [L::from(0); N];
        L::montgomery_product(a, b, &self.p, self.p0, &mut t);
        t
    }

    /// `a + b mod p`.
    pub(crate) fn add(&self, a: &Num<L, N>, b: &Num<L, N>) -> Num<L, N> {
        let mut out = *a;
        if add_in_place(&mut out, b) || !below(&out, &self.p) {
            sub_in_place(&mut out, &self.p);
        }
        out
    }

    /// `a - b mod p`.
    pub(crate) fn sub(&self, a: &Num<L, N>, b: &Num<L, N>) -> Num<L, N> {
        let mut out = *a;
        // Modulo 2^(L::BITS * N): a - b, plus p when that borrowed.
        if sub_in_place(&mut out, b) {
            add_in_place(&mut out, &self.p);
        }
        out
    }

    /// `a * R mod p`: the number into Montgomery form (for `a` below the prime).
    pub(crate) fn montgomery(&self, a: &Num<L, N>) -> Num<L, N> {
        self.mul(a, &self.rr)
    }

    /// `a * R^-1 mod p`: the number out of Montgomery form.
    pub(crate) fn plain(&self, a: &Num<L, N>) -> Num<L, N> {
        self.mul(a, &small(1))
    }

    /// `a^-1 mod p` in Montgomery form, for `a` in Montgomery form (0 for 0): `a^(p-2)`, by
    /// Fermat's little theorem.
    pub(crate) fn invert(&self, a: &Num<L, N>) -> Num<L, N> {
        self.pow(a, &self.p_minus_2)
    }

    /// `a^exponent mod p` in Montgomery form, for `a` in Montgomery form and a plain exponent:
    /// four bits at a time (four squarings, then one product by `a^0`..`a^15`).
    pub(crate) fn pow(&self, a: &Num<L, N>, exponent: &Num<L, N>) -> Num<L, N> {
        let mut powers = [self.one; 16];
        for i in 1..16 {
            powers[i] = self.mul(&powers[i - 1], a);
        }
        let mut acc = self.one;
        for w in (0..N * L::BITS / 4).rev() {
            for _ in 0..4 {
                acc = self.mul(&acc, &acc);
            }
            let window = nibble(exponent, w);
            if window != 0 {
                acc = self.mul(&acc, &powers[window]);
            }
        }
        acc
    }

    /// 1 in Montgomery form.
    pub(crate) fn one(&self) -> Num<L, N> {
        self.one
    }
}

/// The small number `n`, as it is.
pub(crate) fn small<L: Limb, const N: usize>(n: u8) -> Num<L, N> {
    let mut out = [L::from(0); N];
    out[0] = L::from(n);
    out
}

/// Hexadecimal digits as bytes, at compile time.
pub(crate) const fn hex<const N: usize>(digits: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lower-case hexadecimal digit"),
        }
    }
    let digits = digits.as_bytes();
    assert!(digits.len() == 2 * N, "wrong number of digits");
    let mut out = [0; N];
    let mut i = 0;
    while i < N {
        out[i] = nibble(digits[2 * i]) << 4 | nibble(digits[2 * i + 1]);
        i += 1;
    }
    out
}

/// The number's low `len` bytes, big-endian.
pub(crate) fn be_bytes<L: Limb, const N: usize>(x: &Num<L, N>, len: usize) -> Vec<u8> {
    let per_limb = L::BITS / 8;
    let mut be = vec![0u8; len];
    for (i, byte) in be.iter_mut().rev().enumerate() {
        *byte = (x[i / per_limb] >> (8 * (i % per_limb))).low_byte();
    }
    be
}

/// Whether the number is zero.
pub(crate) fn is_zero<L: Limb, const N: usize>(a: &Num<L, N>) -> bool {
    a.iter().all(|limb| *limb == L::from(0))
}

/// Bits `4w` to `4w + 3` of the number, as a number from 0 to 15.
pub(crate) fn nibble<L: Limb, const N: usize>(a: &Num<L, N>, w: usize) -> usize {
    (0..4).fold(0, |acc, b| acc | usize::from(bit(a, 4 * w + b)) << b)
}

/// Bit `i` of the number (bit 0 the least significant).
pub(crate) fn bit<L: Limb, const N: usize>(a: &Num<L, N>, i: usize) -> bool {
    (a[i / L::BITS] >> (i % L::BITS)).is_odd()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2^127 - 1, a Mersenne prime, and some numbers around it.
    fn checks<L: Limb, const N: usize>() {
        let p: u128 = (1 << 127) - 1;
        let field = PrimeField::<L, N>::new(&p.to_be_bytes()).unwrap();
        let num = |x: u128| field.number(&x.to_be_bytes()).unwrap();
        let value = |a: &Num<L, N>| u128::from_be_bytes(be_bytes(a, 16).try_into().unwrap());
        assert!(field.number(&p.to_be_bytes()).is_none(), "p is not below p");
        let samples = [
            0,
            1,
            2,
            3,
            p - 1,
            p - 2,
            p / 2,
            p / 3,
            0x1234_5678_9abc_def0,
            1 << 64,
        ];
        for &a in &samples {
            for &b in &samples {
                let (x, y) = (num(a), num(b));
                assert_eq!(value(&field.add(&x, &y)), (a + b) % p, "{a} + {b}");
                assert_eq!(value(&field.sub(&x, &y)), (a + p - b) % p, "{a} - {b}");
                let product = field.mul(&field.montgomery(&x), &y);
                // a * b mod p, by shift and add (u128 does not hold the product).
                let mut expected = 0u128;
                for i in (0..128).rev() {
                    expected = (expected * 2) % p;
                    if b >> i & 1 == 1 {
                        expected = (expected + a) % p;
                    }
                }
                assert_eq!(value(&product), expected, "{a} * {b}");
            }
            let m = field.montgomery(&num(a));
            assert_eq!(value(&field.plain(&m)), a);
            let inverse = field.invert(&m);
            if a == 0 {
                assert!(is_zero(&inverse));
            } else {
                assert_eq!(value(&field.plain(&field.mul(&m, &inverse))), 1, "{a}");
            }
        }
        // Reduction of numbers of any length: below p, below 2p, far above.
        assert_eq!(value(&field.reduce(&7u128.to_be_bytes())), 7);
        assert_eq!(value(&field.reduce(&(p + 5).to_be_bytes())), 5);
        assert_eq!(
            value(&field.reduce(&u128::MAX.to_be_bytes())),
            u128::MAX % p
        );
        assert_eq!(value(&field.reduce(&[])), 0);
        // 2^256 - 1 = 2^128 (2^128 - 1) + (2^128 - 1), and 2^128 = 2 (mod p): 3 (2^128 - 1),
        // where 2^128 - 1 = 1 (mod p).
        assert_eq!(value(&field.reduce(&[0xff; 32])), 3);
        // 3 * 2^136 + 1, in 18 bytes: 2^136 = 2^9 (mod p).
        let mut long = [0u8; 18];
        long[0] = 3;
        long[17] = 1;
        assert_eq!(value(&field.reduce(&long)), 3 * (1 << 9) + 1);
        // Powers: 3^5, and a^(p-1) = 1.
        let three = field.montgomery(&num(3));
        assert_eq!(value(&field.plain(&field.pow(&three, &num(5)))), 243);
        assert_eq!(value(&field.plain(&field.pow(&three, &num(p - 1)))), 1);
        // Even numbers and 1 are no field's prime; nor is a prime of another length.
        assert!(PrimeField::<L, N>::new(&[0x10]).is_none());
        assert!(PrimeField::<L, N>::new(&[1]).is_none());
        assert!(PrimeField::<L, N>::new(&[0xff; 8]).is_none());
        assert!(PrimeField::<L, N>::new(&[0xff; 17]).is_none());
        // Nor is a number above p, or of more limbs than the field's.
        assert!(field.number(&[1; 17]).is_none());
    }

    #[test]
    fn arithmetic_agrees_with_u128_at_both_limb_widths() {
        checks::<u32, 4>();
        checks::<u64, 2>();
    }

    /// The primes the curves use, against a general big-integer library (the rsa crate's, a
    /// native dependency), on random operands: a Montgomery constant other than 1 and limbs
    /// that are not all ones, which 2^127 - 1 above does not exercise.
    #[cfg(not(target_arch = "wasm32"))]
    fn agrees_with_big_integers<L: Limb, const N: usize>(prime_be: &[u8]) {
        use rand::{RngCore, SeedableRng};
        use rsa::BigUint;
        let field = PrimeField::<L, N>::new(prime_be).unwrap();
        let p = BigUint::from_bytes_be(prime_be);
        let len = prime_be.len();
        let value = |a: &Num<L, N>| BigUint::from_bytes_be(&be_bytes(a, len));
        let mut rng = rand::rngs::StdRng::seed_from_u64(len as u64);
        let mut random = |bytes: usize| {
            let mut be = vec![0u8; bytes];
            rng.fill_bytes(&mut be);
            be
        };
        for round in 0..60 {
            let (a_be, b_be) = (random(len), random(len));
            let (a, b) = (field.reduce(&a_be), field.reduce(&b_be));
            let (big_a, big_b) = (
                BigUint::from_bytes_be(&a_be) % &p,
                BigUint::from_bytes_be(&b_be) % &p,
            );
            assert_eq!(value(&a), big_a, "round {round}");
            assert_eq!(value(&field.add(&a, &b)), (&big_a + &big_b) % &p);
            assert_eq!(value(&field.sub(&a, &b)), (&big_a + &p - &big_b) % &p);
            assert_eq!(
                value(&field.mul(&field.montgomery(&a), &b)),
                (&big_a * &big_b) % &p
            );
            let inverse = field.plain(&field.invert(&field.montgomery(&a)));
            if !is_zero(&a) {
                assert_eq!((value(&inverse) * &big_a) % &p, BigUint::from(1u8));
            }
            // Any length reduces: a digest of 64 bytes, of 3.
            for bytes in [64, 3, len + 1] {
                let long = random(bytes);
                assert_eq!(
                    value(&field.reduce(&long)),
                    BigUint::from_bytes_be(&long) % &p
                );
            }
        }
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn the_curves_primes_agree_with_big_integers_at_both_widths() {
        let primes: [&[u8]; 6] = [
            &hex::<32>("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
            &hex::<32>("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
            &hex::<32>("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed"),
            &hex::<32>("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed"),
            &hex::<48>("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff"),
            &hex::<48>("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"),
        ];
        for prime in &primes[..4] {
            agrees_with_big_integers::<u32, 8>(prime);
            agrees_with_big_integers::<u64, 4>(prime);
        }
        for prime in &primes[4..] {
            agrees_with_big_integers::<u32, 12>(prime);
            agrees_with_big_integers::<u64, 6>(prime);
        }
    }
}
