//! The limbs of tessera's big numbers and the one loop that signature checks spend their time
//! in: the Montgomery product (the CIOS method, Koç, Acar and Kaliski 1996), for RSA moduli of
//! any length (`src/token/montgomery.rs`) and the fixed-length prime fields of the elliptic
//! curves (`src/token/prime_field.rs`).
//!
//! A crate of its own for one reason: its optimization level. tessera's release profile builds
//! for size (`opt-level = "z"`), which keeps this loop rolled; the root `Cargo.toml` builds this
//! crate with `opt-level = 3`, which unrolls it, for a few hundred bytes of the gzipped module.
//! Cargo sets the level per crate, and a generic function is compiled in the crate that
//! instantiates it, so the product is reached through [`Limb::montgomery_product`], which each
//! limb type implements here, not generically. At the most used fields' length (8 limbs of 32
//! bits in the module: P-256 and Ed25519; natively 4 and 6 of 64, P-384's too) it runs the
//! product with the length a constant, fully unrolled; P-384's 12 limbs of 32 bits take the
//! loop (unrolling them too cost 650 more bytes of the gzipped module).
//!
//! Every input is public (a key, a signature, a digest), so nothing here is constant-time.

#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use core::ops::{Add, BitOr, Mul, Shl, Shr};

/// An unsigned integer used as a limb, with its double width for products.
pub trait Limb:
    'static
    + Copy
    + Eq
    + Ord
    + core::fmt::Debug
    + From<u8>
    + BitOr<Output = Self>
    + Shl<usize, Output = Self>
    + Shr<usize, Output = Self>
{
    /// Twice as wide: a product of two limbs plus two carries fits.
    type Wide: Copy
        + From<Self>
        + Add<Output = Self::Wide>
        + Mul<Output = Self::Wide>
        + Shr<usize, Output = Self::Wide>;
    /// The width in bits.
    const BITS: usize;
    /// The low limb of a wide value.
    fn low(wide: Self::Wide) -> Self;
    /// `self * other mod 2^BITS`.
    fn wrapping_mul(self, other: Self) -> Self;
    /// `self - other mod 2^BITS`.
    fn wrapping_sub(self, other: Self) -> Self;
    /// `self - other mod 2^BITS`, and whether it borrowed.
    fn overflowing_sub(self, other: Self) -> (Self, bool);
    /// `self + other mod 2^BITS`, and whether it carried.
    fn overflowing_add(self, other: Self) -> (Self, bool);
    /// The number of leading zero bits.
    fn leading_zeros(self) -> u32;
    /// Whether the lowest bit is set.
    fn is_odd(self) -> bool;
    /// The lowest byte.
    fn low_byte(self) -> u8;
    /// `out = a * b * R^-1 mod n`, with `R = 2^(BITS * k)` for `k` limbs, least significant
    /// first; `n` odd, `n0 = -n^-1 mod 2^BITS`, `b` below `n` and `a` any number of `k` limbs
    /// (`a * b + m * n < 2Rn`, so one subtraction reduces the result below `n`). All four
    /// slices have `k` limbs; when they do not, `out` is left all zeros.
    fn montgomery_product(a: &[Self], b: &[Self], n: &[Self], n0: Self, out: &mut [Self]);
}

macro_rules! limb {
    ($limb:ty, $wide:ty, fixed lengths $($k:literal),*) => {
        impl Limb for $limb {
            type Wide = $wide;
            const BITS: usize = <$limb>::BITS as usize;
            #[inline(always)]
            fn low(wide: $wide) -> $limb {
                wide as $limb
            }
            #[inline(always)]
            fn wrapping_mul(self, other: $limb) -> $limb {
                <$limb>::wrapping_mul(self, other)
            }
            #[inline(always)]
            fn wrapping_sub(self, other: $limb) -> $limb {
                <$limb>::wrapping_sub(self, other)
            }
            #[inline(always)]
            fn overflowing_sub(self, other: $limb) -> ($limb, bool) {
                <$limb>::overflowing_sub(self, other)
            }
            #[inline(always)]
            fn overflowing_add(self, other: $limb) -> ($limb, bool) {
                <$limb>::overflowing_add(self, other)
            }
            #[inline(always)]
            fn leading_zeros(self) -> u32 {
                <$limb>::leading_zeros(self)
            }
            #[inline(always)]
            fn is_odd(self) -> bool {
                self & 1 == 1
            }
            #[inline(always)]
            fn low_byte(self) -> u8 {
                self as u8
            }
            #[inline(never)]
            fn montgomery_product(a: &[$limb], b: &[$limb], n: &[$limb], n0: $limb, out: &mut [$limb]) {
                // The same product, its length a constant (so unrolled) for the fields' lengths.
                $(
                    if let (Ok(a), Ok(b), Ok(n), Ok(out)) = (
                        <&[$limb; $k]>::try_from(a),
                        <&[$limb; $k]>::try_from(b),
                        <&[$limb; $k]>::try_from(n),
                        <&mut [$limb; $k]>::try_from(&mut *out),
                    ) {
                        return fixed(a, b, n, n0, out);
                    }
                )*
                out.fill(0);
                product(a, b, n, n0, out)
            }
        }
    };
}
limb!(u32, u64, fixed lengths 8);
limb!(u64, u128, fixed lengths 4, 6);

/// The product at one of the fixed lengths, in a function of its own, computed in a local
/// array (which the compiler keeps in registers, or wasm locals, instead of memory).
#[inline(never)]
fn fixed<L: Limb, const K: usize>(a: &[L; K], b: &[L; K], n: &[L; K], n0: L, out: &mut [L; K]) {
    let mut t = [L::from(0); K];
    product(a, b, n, n0, &mut t);
    *out = t;
}

/// The product of [`Limb::montgomery_product`] into `t` (zeros), inlined into each caller so
/// that a caller with arrays runs it with its length a constant.
#[inline(always)]
fn product<L: Limb>(a: &[L], b: &[L], n: &[L], n0: L, t: &mut [L]) {
    let k = n.len();
    if k == 0 || a.len() != k || b.len() != k || t.len() != k {
        return;
    }
    let zero = L::from(0);
    let wide = L::Wide::from;
    let mut top = zero;
    for &b_i in b {
        // t += a * b_i
        let b_i = wide(b_i);
        let mut carry = wide(zero);
        for (t_j, &a_j) in t.iter_mut().zip(a) {
            let sum = wide(*t_j) + wide(a_j) * b_i + carry;
            *t_j = L::low(sum);
            carry = sum >> L::BITS;
        }
        let sum = wide(top) + carry;
        top = L::low(sum);
        let above = L::low(sum >> L::BITS);
        // t = (t + m * n) / 2^BITS, with m chosen so that the low limb becomes zero.
        let m = wide(t[0].wrapping_mul(n0));
        let mut carry = (wide(t[0]) + m * wide(n[0])) >> L::BITS;
        for j in 1..k {
            let sum = wide(t[j]) + m * wide(n[j]) + carry;
            t[j - 1] = L::low(sum);
            carry = sum >> L::BITS;
        }
        let sum = wide(top) + carry;
        t[k - 1] = L::low(sum);
        // At most 1: t stays below a + n < 2R (and, at the end, below 2n).
        top = L::low(wide(above) + (sum >> L::BITS));
    }
    if top != zero || !below(t, n) {
        // The borrow out of the top cancels `top`.
        sub_in_place(t, n);
    }
}

/// `x += y` modulo `2^(BITS * x.len())` (`y` as long as `x`), and whether it carried out of
/// the top.
#[inline]
pub fn add_in_place<L: Limb>(x: &mut [L], y: &[L]) -> bool {
    chain(x, y, L::overflowing_add)
}

/// `x -= y` modulo `2^(BITS * x.len())` (`y` as long as `x`), and whether it borrowed out of
/// the top.
#[inline]
pub fn sub_in_place<L: Limb>(x: &mut [L], y: &[L]) -> bool {
    chain(x, y, L::overflowing_sub)
}

/// `x = x op y` limb by limb, least significant first, each limb's carry (or borrow) passed
/// to the next; whether one came out of the top.
#[inline(always)]
fn chain<L: Limb>(x: &mut [L], y: &[L], op: impl Fn(L, L) -> (L, bool)) -> bool {
    debug_assert_eq!(x.len(), y.len(), "numbers of different lengths");
    let mut carry = false;
    for (x_j, &y_j) in x.iter_mut().zip(y) {
        let (v, c1) = op(*x_j, y_j);
        let (v, c2) = op(v, L::from(u8::from(carry)));
        *x_j = v;
        carry = c1 || c2;
    }
    carry
}

/// Whether `a < b` (numbers of the same length).
#[inline]
pub fn below<L: Limb>(a: &[L], b: &[L]) -> bool {
    debug_assert_eq!(a.len(), b.len(), "numbers of different lengths");
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec;
    use std::vec::Vec;

    /// `-n^-1 mod 2^32`, by Newton's iteration.
    fn n0_32(n: u32) -> u32 {
        let mut inverse = 1u32;
        for _ in 0..5 {
            inverse = inverse.wrapping_mul(2u32.wrapping_sub(n.wrapping_mul(inverse)));
        }
        inverse.wrapping_neg()
    }

    /// A deterministic stream of limbs (xorshift).
    fn limbs(seed: &mut u64, k: usize) -> Vec<u32> {
        (0..k)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                *seed as u32
            })
            .collect()
    }

    /// `x mod n` by long division, bit by bit (`x` of any length, `n` of k limbs).
    fn reduce(x: &[u32], n: &[u32]) -> Vec<u32> {
        let mut r = vec![0u32; n.len() + 1];
        for i in (0..x.len() * 32).rev() {
            // r = 2r + bit
            let mut carry = x[i / 32] >> (i % 32) & 1;
            for limb in r.iter_mut() {
                let next = *limb >> 31;
                *limb = *limb << 1 | carry;
                carry = next;
            }
            let mut wide_n = n.to_vec();
            wide_n.push(0);
            if !below(&r, &wide_n) {
                let mut borrow = false;
                for (r_j, &n_j) in r.iter_mut().zip(&wide_n) {
                    let (d, b1) = r_j.overflowing_sub(n_j);
                    let (d, b2) = d.overflowing_sub(u32::from(borrow));
                    *r_j = d;
                    borrow = b1 || b2;
                }
            }
        }
        r.truncate(n.len());
        r
    }

    /// The schoolbook product of two numbers.
    fn times(a: &[u32], b: &[u32]) -> Vec<u32> {
        let mut out = vec![0u32; a.len() + b.len()];
        for (i, &a_i) in a.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b_j) in b.iter().enumerate() {
                let sum = u64::from(out[i + j]) + u64::from(a_i) * u64::from(b_j) + carry;
                out[i + j] = sum as u32;
                carry = sum >> 32;
            }
            out[i + b.len()] = carry as u32;
        }
        out
    }

    /// The product of `a` and `b` modulo `n` (whatever `out` held before), checked for the
    /// product's defining property, `out * R = a * b (mod n)`.
    fn product_of(a: &[u32], b: &[u32], n: &[u32]) -> Vec<u32> {
        let k = n.len();
        let mut out = vec![7u32; k];
        u32::montgomery_product(a, b, n, n0_32(n[0]), &mut out);
        let mut shifted = vec![0u32; k];
        shifted.extend_from_slice(&out);
        assert_eq!(reduce(&shifted, n), reduce(&times(a, b), n), "k {k}");
        out
    }

    /// The product's defining property, `out * R = a * b (mod n)`, at the fixed length (8
    /// limbs) and others (1, 2, 3, 12, 64), moduli with the top bit set and not.
    #[test]
    fn montgomery_product_times_r_is_the_product() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for k in [1, 2, 3, 8, 12, 64] {
            for round in 0..24 {
                let mut n = limbs(&mut seed, k);
                if round % 2 == 0 {
                    n[k - 1] |= 1 << 31;
                } else {
                    n[k - 1] = (n[k - 1] >> 3).max(1);
                }
                n[0] |= 1;
                let (a, b) = (
                    reduce(&limbs(&mut seed, k), &n),
                    reduce(&limbs(&mut seed, k), &n),
                );
                let out = product_of(&a, &b, &n);
                assert!(below(&out, &n), "k {k}: not reduced");
            }
        }
    }

    /// `a` may be any number of k limbs, not only one below `n` (`b` below `n`): all ones, and
    /// random, against moduli whose top limb is small.
    #[test]
    fn a_above_the_modulus() {
        let mut seed = 0x0123_4567_89ab_cdef;
        for k in [1, 2, 8, 12, 5] {
            for round in 0..12 {
                let mut n = limbs(&mut seed, k);
                n[k - 1] = (n[k - 1] >> 20).max(1);
                n[0] |= 1;
                let a = if round == 0 {
                    vec![u32::MAX; k]
                } else {
                    limbs(&mut seed, k)
                };
                let b = reduce(&limbs(&mut seed, k), &n);
                let out = product_of(&a, &b, &n);
                assert!(below(&out, &n), "k {k}: not reduced");
            }
        }
    }

    /// The largest operands (n - 1) and the smallest (0, 1).
    #[test]
    fn edges() {
        for k in [8, 12, 5] {
            let n = vec![u32::MAX; k];
            let mut top = n.clone();
            top[0] -= 1;
            let zero = vec![0u32; k];
            let mut one = zero.clone();
            one[0] = 1;
            for (a, b) in [(&top, &top), (&zero, &top), (&one, &one), (&top, &one)] {
                product_of(a, b, &n);
            }
        }
    }

    /// Lengths that do not match leave zeros, whatever `out` held.
    #[test]
    fn mismatched_lengths_give_zeros() {
        let n = [u32::MAX; 8];
        let mut out = [5u32; 8];
        u32::montgomery_product(&[1; 7], &[1; 8], &n, n0_32(n[0]), &mut out);
        assert_eq!(out, [0; 8]);
        let mut out = [5u64; 4];
        u64::montgomery_product(&[1; 4], &[1; 4], &[u64::MAX; 3], 1, &mut out);
        assert_eq!(out, [0; 4]);
    }

    /// The 64-bit limbs agree with the 32-bit ones (the same numbers, at 4 and 6 limbs of 64).
    #[test]
    fn both_widths_agree() {
        let mut seed = 0x2545_f491_4f6c_dd1d;
        for k64 in [4, 6, 3] {
            let k = 2 * k64;
            let mut n = limbs(&mut seed, k);
            n[0] |= 1;
            n[k - 1] |= 1 << 31;
            let (a, b) = (
                reduce(&limbs(&mut seed, k), &n),
                reduce(&limbs(&mut seed, k), &n),
            );
            let wide = |x: &[u32]| -> Vec<u64> {
                x.chunks(2)
                    .map(|c| u64::from(c[0]) | u64::from(c[1]) << 32)
                    .collect()
            };
            let mut out32 = vec![0u32; k];
            u32::montgomery_product(&a, &b, &n, n0_32(n[0]), &mut out32);
            let n64 = wide(&n);
            let mut inverse = 1u64;
            for _ in 0..6 {
                inverse = inverse.wrapping_mul(2u64.wrapping_sub(n64[0].wrapping_mul(inverse)));
            }
            let mut out64 = vec![0u64; k64];
            u64::montgomery_product(
                &wide(&a),
                &wide(&b),
                &n64,
                inverse.wrapping_neg(),
                &mut out64,
            );
            // R differs (2^(32k) both ways: k limbs of 32 bits, k/2 of 64), so the results agree.
            assert_eq!(out64, wide(&out32), "{k64} limbs of 64 bits");
        }
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "numbers of different lengths")]
    fn add_refuses_numbers_of_different_lengths() {
        add_in_place(&mut [1u32, 2], &[3u32]);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "numbers of different lengths")]
    fn below_refuses_numbers_of_different_lengths() {
        below(&[1u64], &[1u64, 0]);
    }
}
