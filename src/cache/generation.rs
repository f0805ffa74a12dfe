//! One generation of the token cache: its entries in a vector, found through a hash table of
//! their positions.
//!
//! A caller that noted an entry's position (a [`super::Ticket`]) reaches it again by indexing
//! the vector, which compiles to a bounds check and a load in the wasm module as natively.
//! Reaching it through a bucket of a table of entries was a call in the module (hashbrown's
//! `get_bucket` is not inlined at `opt-level = "z"` for wasm32) and the larger part of the
//! wasm/native gap of a cached decision (docs/performance.md).

use hashbrown::HashTable;

/// An entry with the hash it is filed under (kept: moving an entry refiles it without hashing
/// its token again).
#[derive(Debug, Clone)]
struct Slot<T> {
    hash: u64,
    value: T,
}

/// Entries by position, and a table from hash to position. Positions are stable until an
/// entry is removed: the last entry then takes the removed one's place.
#[derive(Debug, Clone)]
pub(super) struct Generation<T> {
    index: HashTable<usize>,
    slots: Vec<Slot<T>>,
}

impl<T> Default for Generation<T> {
    fn default() -> Self {
        Generation {
            index: HashTable::new(),
            slots: Vec::new(),
        }
    }
}

impl<T> Generation<T> {
    /// A generation with room for `capacity` entries from the start (no growing step by step).
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Generation {
            index: HashTable::with_capacity(capacity),
            slots: Vec::with_capacity(capacity),
        }
    }

    /// The position of the entry filed under `hash` that `eq` picks.
    pub(super) fn find(&self, hash: u64, eq: impl Fn(&T) -> bool) -> Option<usize> {
        let slots = self.slots.as_slice();
        // The whole hash first: the table's probe compares seven bits of it.
        self.index
            .find(hash, |&k| {
                slots.get(k).is_some_and(|s| s.hash == hash && eq(&s.value))
            })
            .copied()
    }

    /// The entry at `position`. Inlined: a bounds check and a load.
    #[inline(always)]
    pub(super) fn get(&self, position: usize) -> Option<&T> {
        // A slice's `get` is built in; `Vec`'s stays a call at `opt-level = "z"`.
        self.slots.as_slice().get(position).map(|s| &s.value)
    }

    /// The entry at `position`, to change.
    pub(super) fn get_mut(&mut self, position: usize) -> Option<&mut T> {
        self.slots.get_mut(position).map(|s| &mut s.value)
    }

    /// Files `value` under `hash`; its position.
    pub(super) fn push(&mut self, hash: u64, value: T) -> usize {
        let position = self.slots.len();
        self.slots.push(Slot { hash, value });
        let slots = self.slots.as_slice();
        self.index
            .insert_unique(hash, position, |&k| slots.get(k).map_or(0, |s| s.hash));
        position
    }

    /// Takes out the entry at `position`; the last entry moves into its place.
    pub(super) fn remove(&mut self, position: usize) -> Option<T> {
        let hash = self.slots.get(position)?.hash;
        let filed = self.index.find_entry(hash, |&k| k == position);
        debug_assert!(filed.is_ok(), "entry {position} is filed under its hash");
        if let Ok(found) = filed {
            found.remove();
        }
        let last = self.slots.len() - 1;
        let removed = self.slots.swap_remove(position);
        if position != last {
            let moved = self.slots.get(position).map_or(0, |s| s.hash);
            let refiled = self.index.find_mut(moved, |&k| k == last);
            debug_assert!(refiled.is_some(), "entry {last} is filed under its hash");
            if let Some(k) = refiled {
                *k = position;
            }
        }
        Some(removed.value)
    }

    /// How many entries it holds.
    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// How many entries it holds room for without growing.
    pub(super) fn capacity(&self) -> usize {
        self.slots.capacity().min(self.index.capacity())
    }

    /// Checks that the table files every entry, under its own hash, and nothing else.
    #[cfg(test)]
    pub(super) fn check_index(&self) {
        assert_eq!(self.index.len(), self.slots.len(), "one record per entry");
        for (i, slot) in self.slots.iter().enumerate() {
            assert!(
                self.index.find(slot.hash, |&k| k == i).is_some(),
                "entry {i} is filed under its hash"
            );
        }
    }

    /// Forgets every entry (keeping the memory).
    pub(super) fn clear(&mut self) {
        self.index.clear();
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Deliberately few hashes, so that many entries share one; spread over the 64 bits, so
    /// that the table's probes start and tag differently for different hashes (an entry filed
    /// under another entry's hash is then lost, and `check_index` says so).
    fn hash(key: u32) -> u64 {
        u64::from(key % 7).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    fn check(g: &Generation<u32>, model: &HashSet<u32>) {
        g.check_index();
        assert_eq!(g.len(), model.len());
        for &key in model {
            let at = g
                .find(hash(key), |&v| v == key)
                .expect("every entry is found");
            assert_eq!(g.get(at), Some(&key));
        }
    }

    #[test]
    fn entries_stay_found_through_pushes_and_removals() {
        let mut g = Generation::default();
        let mut model = HashSet::new();
        // A fixed pseudo-random walk of pushes and removals (removals anywhere: the last
        // entry moves into the gap and must be refiled).
        let mut x = 12345u32;
        for _ in 0..2_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let key = (x >> 8) % 300;
            if model.remove(&key) {
                let at = g.find(hash(key), |&v| v == key).unwrap();
                assert_eq!(g.remove(at), Some(key));
                assert_eq!(g.find(hash(key), |&v| v == key), None, "{key} is gone");
            } else {
                let at = g.push(hash(key), key);
                assert_eq!(g.get(at), Some(&key));
                model.insert(key);
            }
            check(&g, &model);
        }
        assert_eq!(g.get(g.len()), None, "past the end");
        assert_eq!(g.remove(g.len()), None);
        g.clear();
        assert_eq!(g.len(), 0);
        assert_eq!(g.find(0, |_| true), None);
    }

    #[test]
    fn removing_moves_the_last_entry_into_the_gap_and_refiles_it() {
        // Keys 0 and 7 share a hash, 1 has another.
        let filled = |keys: &[u32]| {
            let mut g = Generation::default();
            for &k in keys {
                g.push(hash(k), k);
            }
            g
        };
        let found = |g: &Generation<u32>, k: u32| g.find(hash(k), |&v| v == k);
        // The sole entry.
        let mut g = filled(&[0]);
        assert_eq!(g.remove(0), Some(0));
        g.check_index();
        assert_eq!((g.len(), found(&g, 0)), (0, None));
        // The last entry: nothing moves.
        let mut g = filled(&[0, 1, 7]);
        assert_eq!(g.remove(2), Some(7));
        g.check_index();
        assert_eq!(
            (found(&g, 0), found(&g, 1), found(&g, 7)),
            (Some(0), Some(1), None)
        );
        // The moved entry shares the removed one's hash.
        let mut g = filled(&[0, 1, 7]);
        assert_eq!(g.remove(0), Some(0));
        g.check_index();
        assert_eq!(
            (found(&g, 7), found(&g, 1), found(&g, 0)),
            (Some(0), Some(1), None)
        );
        // The moved entry has another hash.
        let mut g = filled(&[0, 7, 1]);
        assert_eq!(g.remove(0), Some(0));
        g.check_index();
        assert_eq!(
            (found(&g, 1), found(&g, 7), found(&g, 0)),
            (Some(0), Some(1), None)
        );
    }

    #[test]
    fn a_generation_made_for_n_holds_n_without_growing() {
        let mut g = Generation::with_capacity(100);
        let room = g.capacity();
        assert!(room >= 100, "{room}");
        for k in 0..100 {
            g.push(hash(k), k);
        }
        assert_eq!(g.capacity(), room);
    }
}
