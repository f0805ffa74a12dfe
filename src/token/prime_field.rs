//! Arithmetic modulo an odd prime of at most 384 bits (the coordinates and the scalars of the
//! P-256 and P-384 curves), on fixed arrays of limbs that live on the stack: nothing is
//! allocated per operation. Products are Montgomery's (`src/token/montgomery.rs`, the same
//! multiplication RSA uses); numbers are kept in Montgomery form (`x * R mod p`) where the
//! caller multiplies them.
//!
//! Every input is public (a key, a signature, a digest), so nothing here needs to be
//! constant-time.

use std::cmp::Ordering;

use super::montgomery::{compare, limbs, subtract, Limb, OddModulus};

/// The longest prime, in bits.
const MAX_BITS: usize = 384;

/// The most limbs of a number: 384 bits in 32-bit limbs.
pub(crate) const MAX_LIMBS: usize = MAX_BITS / 32;

/// A number modulo the field's prime, least significant limb first; the limbs above the
/// prime's length are zero.
pub(crate) type Num<L> = [L; MAX_LIMBS];

/// The integers modulo an odd prime `p`.
#[derive(Debug)]
pub(crate) struct PrimeField<L: Limb> {
    modulus: OddModulus<L>,
    /// The prime's length in limbs.
    k: usize,
    /// `R mod p`: 1 in Montgomery form.
    one: Num<L>,
    /// `p - 2`, the exponent of an inverse (Fermat).
    p_minus_2: Num<L>,
}

impl<L: Limb> PrimeField<L> {
    /// The field of the prime `p`, big-endian; `None` when `p` is even, 1 or longer than 384
    /// bits. Whether it is prime is the caller's to know.
    pub(crate) fn new(p: &[u8]) -> Option<PrimeField<L>> {
        let modulus = OddModulus::<L>::from_be_bytes(p)?;
        if modulus.bits() > MAX_BITS {
            return None;
        }
        let k = modulus.limbs().len();
        let mut p_minus_2 = [L::from(0); MAX_LIMBS];
        p_minus_2[..k].copy_from_slice(modulus.limbs());
        let mut two = [L::from(0); MAX_LIMBS];
        two[0] = L::from(2);
        subtract(&mut p_minus_2[..k], &two[..k]);
        let mut field = PrimeField {
            modulus,
            k,
            one: [L::from(0); MAX_LIMBS],
            p_minus_2,
        };
        let mut plain_one = [L::from(0); MAX_LIMBS];
        plain_one[0] = L::from(1);
        field.one = field.montgomery(&plain_one);
        Some(field)
    }

    /// The number written big-endian (leading zero bytes allowed), as it is (not in Montgomery
    /// form); `None` when it is not below the prime.
    pub(crate) fn number(&self, be: &[u8]) -> Option<Num<L>> {
        if self.modulus.exceeds(be) {
            return None;
        }
        let mut out = [L::from(0); MAX_LIMBS];
        let value = limbs::<L>(be);
        out[..value.len()].copy_from_slice(&value);
        Some(out)
    }

    /// The big-endian number, of any length, reduced modulo the prime (a digest; a
    /// coordinate taken modulo a curve's order).
    pub(crate) fn reduce(&self, be: &[u8]) -> Num<L> {
        // Horner's rule in base R, in Montgomery form: acc * R + chunk, each step times R mod
        // p. A product with R^2 mod p (below p) is below p whatever the other factor.
        let k = self.k;
        let mut rr = [L::from(0); MAX_LIMBS];
        rr[..k].copy_from_slice(self.modulus.r_squared_limbs());
        let value = limbs::<L>(be);
        let mut acc = [L::from(0); MAX_LIMBS];
        for chunk in value.chunks(k).rev() {
            let mut c = [L::from(0); MAX_LIMBS];
            c[..chunk.len()].copy_from_slice(chunk);
            acc = self.add(&self.mul(&acc, &rr), &self.mul(&c, &rr));
        }
        self.plain(&acc)
    }

    /// `a * b * R^-1 mod p`: for `a` and `b` in Montgomery form, their product in that form;
    /// for one of them in Montgomery form and the other not, their plain product.
    pub(crate) fn mul(&self, a: &Num<L>, b: &Num<L>) -> Num<L> {
        let k = self.k;
        let mut t = [L::from(0); MAX_LIMBS + 2];
        self.modulus
            .multiply_into(&a[..k], &b[..k], &mut t[..k + 2]);
        let mut out = [L::from(0); MAX_LIMBS];
        out[..k].copy_from_slice(&t[..k]);
        out
    }

    /// `a + b mod p`.
    pub(crate) fn add(&self, a: &Num<L>, b: &Num<L>) -> Num<L> {
        let k = self.k;
        let mut out = *a;
        let carry = add_assign(&mut out[..k], &b[..k]);
        if carry || compare(&out[..k], self.modulus.limbs()) != Ordering::Less {
            subtract(&mut out[..k], self.modulus.limbs());
        }
        out
    }

    /// `a - b mod p`.
    pub(crate) fn sub(&self, a: &Num<L>, b: &Num<L>) -> Num<L> {
        let k = self.k;
        let mut out = *a;
        if compare(&a[..k], &b[..k]) == Ordering::Less {
            // a + p - b, each step modulo 2^(BITS * k): the result is below p.
            add_assign(&mut out[..k], self.modulus.limbs());
        }
        subtract(&mut out[..k], &b[..k]);
        out
    }

    /// `a * R mod p`: the number into Montgomery form (for `a` below the prime).
    pub(crate) fn montgomery(&self, a: &Num<L>) -> Num<L> {
        let mut rr = [L::from(0); MAX_LIMBS];
        rr[..self.k].copy_from_slice(self.modulus.r_squared_limbs());
        self.mul(a, &rr)
    }

    /// `a * R^-1 mod p`: the number out of Montgomery form.
    pub(crate) fn plain(&self, a: &Num<L>) -> Num<L> {
        let mut plain_one = [L::from(0); MAX_LIMBS];
        plain_one[0] = L::from(1);
        self.mul(a, &plain_one)
    }

    /// `a^-1 mod p` in Montgomery form, for `a` in Montgomery form (0 for 0): `a^(p-2)`, by
    /// Fermat's little theorem.
    pub(crate) fn invert(&self, a: &Num<L>) -> Num<L> {
        self.pow(a, &self.p_minus_2)
    }

    /// `a^exponent mod p` in Montgomery form, for `a` in Montgomery form and a plain exponent.
    pub(crate) fn pow(&self, a: &Num<L>, exponent: &Num<L>) -> Num<L> {
        let mut acc = self.one;
        for i in (0..self.k * L::BITS).rev() {
            acc = self.mul(&acc, &acc);
            if bit(exponent, i) {
                acc = self.mul(&acc, a);
            }
        }
        acc
    }

    /// 1 in Montgomery form.
    pub(crate) fn one(&self) -> Num<L> {
        self.one
    }
}

/// The number's low `len` bytes, big-endian.
pub(crate) fn be_bytes<L: Limb>(x: &Num<L>, len: usize) -> Vec<u8> {
    let per_limb = L::BITS / 8;
    let mut be = vec![0u8; len];
    for (i, byte) in be.iter_mut().rev().enumerate() {
        *byte = (x[i / per_limb] >> (8 * (i % per_limb))).low_byte();
    }
    be
}

/// `x += y` modulo `2^(BITS * x.len())`, and whether it carried out of the top.
fn add_assign<L: Limb>(x: &mut [L], y: &[L]) -> bool {
    let mut carry = false;
    for (x_j, &y_j) in x.iter_mut().zip(y) {
        let (sum, c1) = x_j.overflowing_add(y_j);
        let (sum, c2) = sum.overflowing_add(L::from(u8::from(carry)));
        *x_j = sum;
        carry = c1 || c2;
    }
    carry
}

/// Whether the number is zero.
pub(crate) fn is_zero<L: Limb>(a: &Num<L>) -> bool {
    a.iter().all(|limb| *limb == L::from(0))
}

/// Bit `i` of the number (bit 0 the least significant).
pub(crate) fn bit<L: Limb>(a: &Num<L>, i: usize) -> bool {
    (a[i / L::BITS] >> (i % L::BITS)).is_odd()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2^127 - 1, a Mersenne prime, and some numbers around it.
    fn checks<L: Limb>() {
        let p: u128 = (1 << 127) - 1;
        let field = PrimeField::<L>::new(&p.to_be_bytes()).unwrap();
        let num = |x: u128| field.number(&x.to_be_bytes()).unwrap();
        let value = |a: &Num<L>| u128::from_be_bytes(be_bytes(a, 16).try_into().unwrap());
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
        // Even numbers and 1 are no field's prime; nor is a number longer than 384 bits.
        assert!(PrimeField::<L>::new(&[0x10]).is_none());
        assert!(PrimeField::<L>::new(&[1]).is_none());
        assert!(PrimeField::<L>::new(&[0xff; 49]).is_none());
        assert!(PrimeField::<L>::new(&[0xff; 48]).is_some());
    }

    #[test]
    fn arithmetic_agrees_with_u128_at_both_limb_widths() {
        checks::<u32>();
        checks::<u64>();
    }
}
