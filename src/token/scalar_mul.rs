//! `[a]P + [b]Q` on an elliptic curve whose points are public (a signature check's `u1 G + u2
//! Q`, `[s]B - [k]A`): four bits of each scalar at a time, from tables of `[0]P` to `[15]P`,
//! so four doublings and at most two additions per four bits. Not constant-time; nothing
//! here is secret.

use std::sync::OnceLock;

use super::montgomery::Limb;
use super::prime_field::{nibble, Num};

/// A curve's group law, as the curve's module computes it.
pub(crate) trait Group {
    /// A point, in the curve's coordinates.
    type Point: Copy;
    /// The neutral element.
    fn identity(&self) -> Self::Point;
    /// `p + q`, for any two points.
    fn add(&self, p: &Self::Point, q: &Self::Point) -> Self::Point;
    /// `p + p`.
    fn double(&self, p: &Self::Point) -> Self::Point;
}

/// A curve's base point, with its multiples `[0]B` to `[15]B` made at the first signature
/// checked (a bundle's keys are checked sooner without them, and a host that checks signatures
/// itself never needs them).
#[derive(Debug)]
pub(crate) struct Base<P> {
    point: P,
    multiples: OnceLock<[P; 16]>,
}

impl<P: Copy> Base<P> {
    /// The base point `point`, its table not made yet.
    pub(crate) fn new(point: P) -> Base<P> {
        Base {
            point,
            multiples: OnceLock::new(),
        }
    }

    /// The point.
    #[cfg(test)]
    pub(crate) fn point(&self) -> &P {
        &self.point
    }

    /// `[0]B` to `[15]B`, made the first time.
    pub(crate) fn multiples<G: Group<Point = P>>(&self, group: &G) -> &[P; 16] {
        self.multiples.get_or_init(|| multiples(group, &self.point))
    }
}

/// `[0]p` to `[15]p`.
pub(crate) fn multiples<G: Group>(group: &G, p: &G::Point) -> [G::Point; 16] {
    let mut out = [group.identity(); 16];
    for i in 1..16 {
        out[i] = group.add(&out[i - 1], p);
    }
    out
}

/// `[a]P + [b]Q`, from the multiples of `P` and `Q` ([`multiples`]).
pub(crate) fn combination<G: Group, L: Limb, const N: usize>(
    group: &G,
    a: &Num<L, N>,
    p: &[G::Point; 16],
    b: &Num<L, N>,
    q: &[G::Point; 16],
) -> G::Point {
    let mut acc = group.identity();
    for w in (0..N * L::BITS / 4).rev() {
        for _ in 0..4 {
            acc = group.double(&acc);
        }
        for (scalar, multiples) in [(a, p), (b, q)] {
            let window = nibble(scalar, w);
            if window != 0 {
                acc = group.add(&acc, &multiples[window]);
            }
        }
    }
    acc
}
