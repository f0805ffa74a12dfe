//! Montgomery arithmetic modulo an odd number `n` of any length: modular exponentiation by a
//! public exponent, `base^e mod n`, which is what an RSA public-key operation needs (RFC 8017
//! RSAVP1), and the constants of the fixed-length prime fields of the elliptic curves
//! (`src/token/prime_field.rs`, whose multiplication is this one with the length a constant).
//!
//! Montgomery multiplication (the CIOS method, Koç, Acar and Kaliski 1996, in crates/limbs,
//! which is built for speed) on limbs least significant first, of the width the target
//! multiplies fastest: 32 bits in wasm, where a 32x32->64 multiply is one instruction (a
//! 64x64->128 one is a library call), 64 bits natively. The tests run both widths. Every input here is public (the key, the signature), so no
//! operation needs to be constant-time.
//!
//! Ours, not a big-integer library: the general one the `rsa` crate brings was 33 KB of the
//! module for RSA's one operation. A test compares it with that library on random operands.

use std::cmp::Ordering;
use std::sync::OnceLock;

use tessera_limbs::sub_in_place;

/// The limb of this target's moduli.
#[cfg(target_arch = "wasm32")]
pub(crate) type Word = u32;
/// The limb of this target's moduli.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type Word = u64;

/// An unsigned integer used as a limb (crates/limbs, with the Montgomery product).
pub(crate) use tessera_limbs::Limb;

/// An odd modulus, prepared for Montgomery arithmetic (`R = 2^(L::BITS * limbs)`).
#[derive(Debug, Clone)]
pub(crate) struct OddModulus<L: Limb = Word> {
    /// The modulus, least significant limb first, the most significant limb not zero.
    n: Vec<L>,
    /// `-n^-1 mod 2^L::BITS`.
    n0: L,
    /// `R^2 mod n`: multiplied in, it brings a number into Montgomery form. Made at its first
    /// use: for an RSA key the first power, not the key's loading (a key whose signatures the
    /// host checks, node:crypto or WebCrypto, never needs it, and a bundle loads sooner
    /// without it); for a curve's field, when the field is made (once per process).
    rr: OnceLock<Vec<L>>,
}

impl<L: Limb> OddModulus<L> {
    /// The modulus written big-endian (leading zero bytes allowed); `None` when it is even,
    /// or is 1 (or 0).
    pub(crate) fn from_be_bytes(be: &[u8]) -> Option<OddModulus<L>> {
        let (zero, one) = (L::from(0), L::from(1));
        let n = limbs::<L>(be);
        if n.first().is_none_or(|low| !low.is_odd()) || n == [one] {
            return None;
        }
        // Newton's iteration doubles the correct low bits each step: 1 (any odd x) -> 64.
        let mut inverse = one;
        for _ in 0..6 {
            inverse = inverse.wrapping_mul(L::from(2).wrapping_sub(n[0].wrapping_mul(inverse)));
        }
        Some(OddModulus {
            n0: zero.wrapping_sub(inverse),
            rr: OnceLock::new(),
            n,
        })
    }

    /// The modulus's length in bytes (RFC 8017's `k`).
    pub(crate) fn len_bytes(&self) -> usize {
        self.bits().div_ceil(8)
    }

    /// The modulus's length in bits.
    pub(crate) fn bits(&self) -> usize {
        let top = self.n[self.n.len() - 1];
        self.n.len() * L::BITS - top.leading_zeros() as usize
    }

    /// Whether the big-endian number `be` is not below the modulus.
    pub(crate) fn exceeds(&self, be: &[u8]) -> bool {
        compare(&limbs::<L>(be), &self.n) != Ordering::Less
    }

    /// `base^exponent mod n`, big-endian in [`OddModulus::len_bytes`] bytes; `None` when `base`
    /// is not below the modulus or the exponent is 0.
    pub(crate) fn pow(&self, base: &[u8], exponent: u64) -> Option<Vec<u8>> {
        let mut value = limbs::<L>(base);
        if exponent == 0 || compare(&value, &self.n) != Ordering::Less {
            return None;
        }
        value.resize(self.n.len(), L::from(0));
        let rr = self.r_squared_limbs();
        // base * R mod n, raised; then out of Montgomery form: acc * 1 * R^-1.
        let acc = self.power(&self.multiply(&value, rr), exponent);
        let mut one = vec![L::from(0); self.n.len()];
        one[0] = L::from(1);
        let result = self.multiply(&acc, &one);
        let per_limb = L::BITS / 8;
        let mut out = vec![0; self.len_bytes()];
        for (i, byte) in out.iter_mut().rev().enumerate() {
            *byte = (result[i / per_limb] >> (8 * (i % per_limb))).low_byte();
        }
        Some(out)
    }

    /// The modulus's limbs, least significant first (the most significant one not zero).
    pub(crate) fn modulus_limbs(&self) -> &[L] {
        &self.n
    }

    /// `-n^-1 mod 2^L::BITS`, the factor of each reduction step.
    pub(crate) fn inverse_negated(&self) -> L {
        self.n0
    }

    /// `R^2 mod n`, made at its first use: multiplied in, it brings a number into Montgomery
    /// form.
    pub(crate) fn r_squared_limbs(&self) -> &[L] {
        self.rr.get_or_init(|| self.r_squared())
    }

    /// `a * b * R^-1 mod n`, for `a` and `b` below the modulus (the result is too).
    fn multiply(&self, a: &[L], b: &[L]) -> Vec<L> {
        let mut t = vec![L::from(0); self.n.len()];
        L::montgomery_product(a, b, &self.n, self.n0, &mut t);
        t
    }

    /// `R^2 mod n`: `2R mod n` (R mod n doubled until it has passed R's bits, each time
    /// reduced), which is 2 in Montgomery form, raised to the power `L::BITS * limbs` by
    /// Montgomery multiplication, which gives `2^(L::BITS * limbs) = R` in Montgomery form:
    /// `R * R mod n`.
    fn r_squared(&self) -> Vec<L> {
        let k = self.n.len();
        // R mod n, from the highest power of two below n: 2^(bits - 1), doubled up to
        // 2^(L::BITS * k), then doubled once more for 2R.
        let mut x = vec![L::from(0); k];
        let bits = self.bits();
        x[(bits - 1) / L::BITS] = L::from(1) << ((bits - 1) % L::BITS);
        for _ in bits - 1..L::BITS * k + 1 {
            self.double(&mut x);
        }
        self.power(&x, (L::BITS * k) as u64)
    }

    /// `base^exponent` in Montgomery form, for `base` in Montgomery form and `exponent` not 0:
    /// left to right over the exponent's bits after its leading one.
    fn power(&self, base: &[L], exponent: u64) -> Vec<L> {
        let mut acc = base.to_vec();
        for bit in (0..63 - exponent.leading_zeros()).rev() {
            acc = self.multiply(&acc, &acc);
            if exponent >> bit & 1 == 1 {
                acc = self.multiply(&acc, base);
            }
        }
        acc
    }

    /// `x = 2x mod n`, for `x` below the modulus.
    fn double(&self, x: &mut [L]) {
        let mut carry = L::from(0);
        for limb in x.iter_mut() {
            let next = *limb >> (L::BITS - 1);
            *limb = *limb << 1 | carry;
            carry = next;
        }
        if carry != L::from(0) || compare(x, &self.n) != Ordering::Less {
            sub_in_place(x, &self.n);
        }
    }
}

/// The length in bits of the big-endian number `be` (leading zero bytes allowed; 0 for zero).
pub(crate) fn bit_length(be: &[u8]) -> usize {
    let significant = &be[be.iter().take_while(|b| **b == 0).count()..];
    significant.first().map_or(0, |top| {
        significant.len() * 8 - top.leading_zeros() as usize
    })
}

/// A big-endian number as limbs, least significant first, without leading zero limbs.
pub(crate) fn limbs<L: Limb>(be: &[u8]) -> Vec<L> {
    let mut out: Vec<L> = be
        .rchunks(L::BITS / 8)
        .map(|chunk| {
            chunk
                .iter()
                .fold(L::from(0), |acc, &b| acc << 8 | L::from(b))
        })
        .collect();
    while out.last() == Some(&L::from(0)) {
        out.pop();
    }
    out
}

/// Compares two numbers given as limbs (least significant first; either may have leading
/// zero limbs).
fn compare<L: Limb>(a: &[L], b: &[L]) -> Ordering {
    let zero = L::from(0);
    let limb = |x: &[L], i: usize| x.get(i).copied().unwrap_or(zero);
    (0..a.len().max(b.len()))
        .rev()
        .map(|i| limb(a, i).cmp(&limb(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

// The tests use the rsa crate, a native dependency only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use rand::{Rng, RngCore, SeedableRng};
    use rsa::BigUint;

    fn oracle(base: &[u8], exponent: u64, modulus: &[u8]) -> Vec<u8> {
        let n = BigUint::from_bytes_be(modulus);
        let r = BigUint::from_bytes_be(base).modpow(&BigUint::from(exponent), &n);
        let strip = |x: &[u8]| {
            x.iter()
                .skip_while(|b| **b == 0)
                .copied()
                .collect::<Vec<u8>>()
        };
        let (r, k) = (strip(&r.to_bytes_be()), strip(modulus).len());
        let mut out = vec![0; k - r.len()];
        out.extend(r);
        out
    }

    /// Random moduli, bases and exponents, at the limb width `L`.
    fn powers_agree<L: Limb>() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for round in 0..400 {
            let len = 1 + round % 70 + if round % 9 == 0 { 400 } else { 0 };
            let mut modulus = vec![0u8; len];
            rng.fill_bytes(&mut modulus);
            modulus[len - 1] |= 1;
            if round % 5 == 0 {
                modulus[0] = 0; // leading zero bytes are allowed
            }
            let Some(m) = OddModulus::<L>::from_be_bytes(&modulus) else {
                continue; // the modulus 1
            };
            let mut base = vec![0u8; len];
            rng.fill_bytes(&mut base);
            let base = match round % 4 {
                0 => base[len / 2..].to_vec(), // shorter than the modulus
                1 => vec![1],
                _ => base,
            };
            let exponent = match round % 3 {
                0 => 65537,
                1 => rng.gen_range(1..1 << 33),
                _ => rng.gen(),
            };
            let expected = (!m.exceeds(&base)).then(|| oracle(&base, exponent, &modulus));
            assert_eq!(m.pow(&base, exponent), expected, "round {round}");
        }
    }

    #[test]
    fn powers_agree_with_a_general_big_integer_library_at_both_widths() {
        powers_agree::<u32>();
        powers_agree::<u64>();
    }

    fn edges<L: Limb>() {
        // 2^61 - 1, a prime: Fermat says a^(p-1) = 1.
        let p = (1u64 << 61) - 1;
        let m = OddModulus::<L>::from_be_bytes(&p.to_be_bytes()).unwrap();
        assert_eq!(m.len_bytes(), 8);
        assert_eq!(m.bits(), 61);
        assert_eq!(m.pow(&[0], 3), Some(vec![0; 8]));
        assert_eq!(m.pow(&[5], p - 1), Some(1u64.to_be_bytes().to_vec()));
        assert_eq!(
            m.pow(&(p - 1).to_be_bytes(), 3),
            Some((p - 1).to_be_bytes().to_vec())
        );
        // The base must be below the modulus; the exponent not zero.
        assert_eq!(m.pow(&p.to_be_bytes(), 3), None);
        assert_eq!(m.pow(&[2], 0), None);
        // Even moduli, 1 and 0 are refused.
        for bad in [&[0x10, 0x00][..], &[1], &[0, 1], &[0], &[]] {
            assert!(OddModulus::<L>::from_be_bytes(bad).is_none(), "{bad:?}");
        }
        // All ones in every limb, the carries' worst case.
        let m = OddModulus::<L>::from_be_bytes(&[0xff; 256]).unwrap();
        let base = [0xfe; 256];
        assert_eq!(
            m.pow(&base, 65537),
            Some(oracle(&base, 65537, &[0xff; 256]))
        );
    }

    #[test]
    fn edge_values_at_both_widths() {
        edges::<u32>();
        edges::<u64>();
    }
}
