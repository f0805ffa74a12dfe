//! Modular exponentiation by a public exponent, `base^e mod n` for an odd modulus `n`: what
//! an RSA public-key operation needs (RFC 8017 RSAVP1), and nothing else.
//!
//! Montgomery multiplication (the CIOS method, Koç, Acar and Kaliski 1996) on 32-bit limbs,
//! least significant first: a 32x32->64 multiply is one wasm instruction (a 64x64->128 one is
//! a library call). Native builds run the same code, so that the tests below check exactly what
//! the module runs; 64-bit limbs would be faster there. Every input here is public (the key,
//! the signature), so no operation needs to be constant-time.
//!
//! Ours, not a big-integer library: the general one the `rsa` crate brings was 33 KB of the
//! module for this one operation. A test compares it with that library on random operands.

use std::sync::OnceLock;

/// An odd modulus, prepared for Montgomery arithmetic (`R = 2^(32 * limbs)`).
#[derive(Debug, Clone)]
pub(crate) struct OddModulus {
    /// The modulus, least significant limb first, the most significant limb not zero.
    n: Vec<u32>,
    /// `-n^-1 mod 2^32`.
    n0: u32,
    /// `R^2 mod n`: multiplied in, it brings a number into Montgomery form. Made at the first
    /// power, not with the key: a key whose signatures the host checks (node:crypto,
    /// WebCrypto) never needs it, and a bundle loads sooner without it.
    rr: OnceLock<Vec<u32>>,
    /// The modulus's length in bytes, without leading zero bytes.
    bytes: usize,
}

impl OddModulus {
    /// The modulus written big-endian (leading zero bytes allowed); `None` when it is even,
    /// or is 1 (or 0).
    pub(crate) fn from_be_bytes(be: &[u8]) -> Option<OddModulus> {
        let n = limbs(be);
        if n.first().is_none_or(|low| low & 1 == 0) || n == [1] {
            return None;
        }
        // Newton's iteration doubles the correct low bits each step: 1 (any odd x) -> 32.
        let mut inverse: u32 = 1;
        for _ in 0..5 {
            inverse = inverse.wrapping_mul(2u32.wrapping_sub(n[0].wrapping_mul(inverse)));
        }
        let top = n[n.len() - 1];
        let bytes = (n.len() - 1) * 4 + (32 - top.leading_zeros() as usize).div_ceil(8);
        Some(OddModulus {
            n0: inverse.wrapping_neg(),
            rr: OnceLock::new(),
            bytes,
            n,
        })
    }

    /// The modulus's length in bytes (RFC 8017's `k`).
    pub(crate) fn len_bytes(&self) -> usize {
        self.bytes
    }

    /// The modulus's length in bits.
    pub(crate) fn bits(&self) -> usize {
        let top = self.n[self.n.len() - 1];
        self.n.len() * 32 - top.leading_zeros() as usize
    }

    /// Whether the big-endian number `be` is below the modulus.
    pub(crate) fn exceeds(&self, be: &[u8]) -> bool {
        let value = limbs(be);
        compare(&value, &self.n) != std::cmp::Ordering::Less
    }

    /// `base^exponent mod n`, big-endian in [`OddModulus::len_bytes`] bytes; `None` when `base`
    /// is not below the modulus or the exponent is 0.
    pub(crate) fn pow(&self, base: &[u8], exponent: u64) -> Option<Vec<u8>> {
        if exponent == 0 || self.exceeds(base) {
            return None;
        }
        let mut value = limbs(base);
        value.resize(self.n.len(), 0);
        let rr = self.rr.get_or_init(|| self.r_squared());
        let base = self.multiply(&value, rr); // base * R mod n
        let mut acc = base.clone();
        // Left to right over the exponent's bits after its leading one.
        for bit in (0..63 - exponent.leading_zeros()).rev() {
            acc = self.multiply(&acc, &acc);
            if exponent >> bit & 1 == 1 {
                acc = self.multiply(&acc, &base);
            }
        }
        // Out of Montgomery form: acc * 1 * R^-1.
        let mut one = vec![0; self.n.len()];
        one[0] = 1;
        let result = self.multiply(&acc, &one);
        let mut out = vec![0; self.bytes];
        for (i, byte) in out.iter_mut().rev().enumerate() {
            *byte = (result[i / 4] >> (8 * (i % 4))) as u8;
        }
        Some(out)
    }

    /// `a * b * R^-1 mod n`, for `a` and `b` below the modulus (the result is too).
    fn multiply(&self, a: &[u32], b: &[u32]) -> Vec<u32> {
        let n = &self.n;
        let k = n.len();
        let mut t = vec![0u32; k + 2];
        for &b_i in b {
            // t += a * b_i
            let mut carry = 0u64;
            for (t_j, &a_j) in t.iter_mut().zip(a) {
                let sum = u64::from(*t_j) + u64::from(a_j) * u64::from(b_i) + carry;
                *t_j = sum as u32;
                carry = sum >> 32;
            }
            let sum = u64::from(t[k]) + carry;
            t[k] = sum as u32;
            t[k + 1] = (sum >> 32) as u32;
            // t = (t + m * n) / 2^32, with m chosen so that the low limb becomes zero.
            let m = t[0].wrapping_mul(self.n0);
            let mut carry = (u64::from(t[0]) + u64::from(m) * u64::from(n[0])) >> 32;
            for j in 1..k {
                let sum = u64::from(t[j]) + u64::from(m) * u64::from(n[j]) + carry;
                t[j - 1] = sum as u32;
                carry = sum >> 32;
            }
            let sum = u64::from(t[k]) + carry;
            t[k - 1] = sum as u32;
            t[k] = t[k + 1] + (sum >> 32) as u32;
        }
        // Below 2n: one subtraction at most.
        if t[k] != 0 || compare(&t[..k], n) != std::cmp::Ordering::Less {
            let mut borrow = 0i64;
            for (t_j, &n_j) in t.iter_mut().zip(n) {
                let diff = i64::from(*t_j) - i64::from(n_j) + borrow;
                *t_j = diff as u32;
                borrow = diff >> 32;
            }
        }
        t.truncate(k);
        t
    }

    /// `R^2 mod n`: `2R mod n` (R mod n doubled until it has passed R's bits, each time
    /// reduced), which is 2 in Montgomery form, raised to the power `32 * limbs` by Montgomery
    /// multiplication, which gives `2^(32 * limbs) = R` in Montgomery form: `R * R mod n`.
    fn r_squared(&self) -> Vec<u32> {
        let k = self.n.len();
        // R mod n, from the highest power of two below n: 2^(bits - 1), doubled up to 2^(32k),
        // then doubled once more for 2R.
        let mut x = vec![0u32; k];
        let bits = self.bits();
        x[(bits - 1) / 32] = 1 << ((bits - 1) % 32);
        for _ in bits - 1..32 * k + 1 {
            self.double(&mut x);
        }
        let exponent = 32 * k as u64;
        let mut acc = x.clone();
        for bit in (0..63 - exponent.leading_zeros()).rev() {
            acc = self.multiply(&acc, &acc);
            if exponent >> bit & 1 == 1 {
                acc = self.multiply(&acc, &x);
            }
        }
        acc
    }

    /// `x = 2x mod n`, for `x` below the modulus.
    fn double(&self, x: &mut [u32]) {
        let mut carry = 0u32;
        for limb in x.iter_mut() {
            let next = *limb >> 31;
            *limb = *limb << 1 | carry;
            carry = next;
        }
        if carry != 0 || compare(x, &self.n) != std::cmp::Ordering::Less {
            let mut borrow = 0i64;
            for (x_j, &n_j) in x.iter_mut().zip(&self.n) {
                let diff = i64::from(*x_j) - i64::from(n_j) + borrow;
                *x_j = diff as u32;
                borrow = diff >> 32;
            }
        }
    }
}

/// A big-endian number as limbs, least significant first, without leading zero limbs.
fn limbs(be: &[u8]) -> Vec<u32> {
    let mut out: Vec<u32> = be
        .rchunks(4)
        .map(|chunk| chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)))
        .collect();
    while out.last() == Some(&0) {
        out.pop();
    }
    out
}

/// Compares two numbers given as limbs (least significant first; either may have leading
/// zero limbs).
fn compare(a: &[u32], b: &[u32]) -> std::cmp::Ordering {
    let len = a.len().max(b.len());
    let limb = |x: &[u32], i: usize| x.get(i).copied().unwrap_or(0);
    (0..len)
        .rev()
        .map(|i| limb(a, i).cmp(&limb(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
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

    #[test]
    fn powers_agree_with_a_general_big_integer_library() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for round in 0..400 {
            let len = 1 + round % 70 + if round % 9 == 0 { 400 } else { 0 };
            let mut modulus = vec![0u8; len];
            rng.fill_bytes(&mut modulus);
            modulus[len - 1] |= 1;
            if round % 5 == 0 {
                modulus[0] = 0; // leading zero bytes are allowed
            }
            let Some(m) = OddModulus::from_be_bytes(&modulus) else {
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
    fn edge_values() {
        // 2^61 - 1, a prime: Fermat says a^(p-1) = 1.
        let p = (1u64 << 61) - 1;
        let m = OddModulus::from_be_bytes(&p.to_be_bytes()).unwrap();
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
            assert!(OddModulus::from_be_bytes(bad).is_none(), "{bad:?}");
        }
        // All ones in every limb, the carries' worst case.
        let m = OddModulus::from_be_bytes(&[0xff; 256]).unwrap();
        let base = [0xfe; 256];
        assert_eq!(
            m.pow(&base, 65537),
            Some(oracle(&base, 65537, &[0xff; 256]))
        );
    }
}
