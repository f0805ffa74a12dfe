//! The strings a loaded bundle keeps, in one buffer per table: a name is a [`Span`] of the
//! buffer rather than a `String` of its own, so loading makes one allocation where it made one
//! per name, and the names cost their bytes and eight more (on wasm32).

use std::hash::{BuildHasher, Hasher};

use foldhash::fast::RandomState;
use hashbrown::HashTable;

use crate::cache::same_bytes;

/// Where a string lies in its [`Strings`] buffer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// The part of this span from byte `from` (of the string) on, `len` bytes long, clamped to
    /// the span.
    pub(crate) fn part(self, from: usize, len: usize) -> Span {
        let start = self.start.saturating_add(from).min(self.end);
        Span {
            start,
            end: start.saturating_add(len).min(self.end),
        }
    }

    /// The part of this span from byte `from` (of the string) to its end.
    pub(crate) fn rest(self, from: usize) -> Span {
        self.part(from, usize::MAX)
    }
}

/// Strings, appended to one buffer.
#[derive(Debug, Default)]
pub(crate) struct Strings {
    text: String,
}

impl Strings {
    /// A buffer for `bytes` bytes of strings.
    pub(crate) fn with_capacity(bytes: usize) -> Strings {
        Strings {
            text: String::with_capacity(bytes),
        }
    }

    /// Appends a string.
    pub(crate) fn push(&mut self, s: &str) -> Span {
        self.push_all(&[s])
    }

    /// Appends the concatenation of `parts` as one string.
    pub(crate) fn push_all(&mut self, parts: &[&str]) -> Span {
        let start = self.text.len();
        for part in parts {
            self.text.push_str(part);
        }
        Span {
            start,
            end: self.text.len(),
        }
    }

    /// The string at `span` (empty for a span of another buffer that does not fit this one).
    pub(crate) fn get(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    /// Gives back the capacity the strings do not use.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
    }
}

/// Hashes strings part by part (foldhash mixes each part's length in). Not `Hash for str`,
/// whose terminator byte goes through foldhash's 128-bit buffer: slow on wasm32, which has no
/// 128-bit arithmetic.
pub(crate) fn hash_parts(state: &RandomState, parts: &[&[u8]]) -> u64 {
    let mut hasher = state.build_hasher();
    for part in parts {
        hasher.write(part);
    }
    hasher.finish()
}

/// Whether two strings are equal ([`same_bytes`]: a word at a time, where wasm32's `memcmp`
/// goes byte by byte, through a call).
#[inline]
pub(crate) fn same(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// A key of an [`Index`]: one or two strings.
pub(crate) trait Key: Copy {
    /// Its hash (see [`hash_parts`]).
    fn hash(self, state: &RandomState) -> u64;

    /// Whether it is `other` (see [`same`]).
    fn same(self, other: Self) -> bool;
}

impl Key for &str {
    fn hash(self, state: &RandomState) -> u64 {
        hash_parts(state, &[self.as_bytes()])
    }

    fn same(self, other: Self) -> bool {
        same(self, other)
    }
}

impl Key for (&str, &str) {
    fn hash(self, state: &RandomState) -> u64 {
        hash_parts(state, &[self.0.as_bytes(), self.1.as_bytes()])
    }

    fn same(self, other: Self) -> bool {
        same(self.0, other.0) && same(self.1, other.1)
    }
}

/// The keys of items that are the strings of a list, as [`Index`] reads them.
pub(crate) fn list_key<'a>(names: &'a [String]) -> impl Fn(usize) -> Option<&'a str> + 'a {
    |n| names.get(n).map(String::as_str)
}

/// An item number with the low half of its key's hash: the table rehashes from that alone and
/// compares it before reading a key, so growing and probing rarely touch the items.
#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    item: usize,
}

/// The table's hash of a tag (its bits spread over the whole word).
fn spread(tag: u32) -> u64 {
    u64::from(tag).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Item numbers by key, for items kept elsewhere: `key_of(n)` reads item `n`'s key (`None`
/// for an item that does not exist, which no key matches).
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    hasher: RandomState,
    table: HashTable<Entry>,
}

impl Index {
    /// An index with room for `n` items.
    pub(crate) fn with_capacity(n: usize) -> Index {
        Index {
            hasher: RandomState::default(),
            table: HashTable::with_capacity(n),
        }
    }

    /// The tag of a key: the low half of its hash (`spread` moves it to where the table
    /// looks), for a lookup followed by an insertion ([`Index::find_tagged`],
    /// [`Index::insert_tagged`]) that hash the key once.
    pub(crate) fn tag<K: Key>(&self, key: K) -> u32 {
        key.hash(&self.hasher) as u32
    }

    /// [`Index::find`] of a key whose tag is known.
    pub(crate) fn find_tagged<K: Key>(
        &self,
        tag: u32,
        key: K,
        key_of: impl Fn(usize) -> Option<K>,
    ) -> Option<usize> {
        let same = |e: &Entry| e.tag == tag && key_of(e.item).is_some_and(|k| k.same(key));
        self.table.find(spread(tag), same).map(|e| e.item)
    }

    /// Adds item `n`, whose key has `tag` and is in no other item (as `find_tagged` found).
    pub(crate) fn insert_tagged(&mut self, tag: u32, n: usize) {
        let entry = Entry { tag, item: n };
        self.table
            .insert_unique(spread(tag), entry, |e| spread(e.tag));
    }

    /// The item with this key.
    pub(crate) fn find<K: Key>(
        &self,
        key: K,
        key_of: impl Fn(usize) -> Option<K>,
    ) -> Option<usize> {
        self.find_tagged(self.tag(key), key, key_of)
    }

    /// Adds item `n` under its key `key`, unless an item has that key already: then that
    /// item, which keeps the key.
    pub(crate) fn insert<K: Key>(
        &mut self,
        n: usize,
        key: K,
        key_of: impl Fn(usize) -> Option<K>,
    ) -> Option<usize> {
        let tag = self.tag(key);
        if let Some(old) = self.find_tagged(tag, key, key_of) {
            return Some(old);
        }
        self.insert_tagged(tag, n);
        None
    }

    /// Adds item `n` under its key `key`, in place of the item that has it (returned), as
    /// `HashMap::insert` does.
    pub(crate) fn replace<K: Key>(
        &mut self,
        n: usize,
        key: K,
        key_of: impl Fn(usize) -> Option<K>,
    ) -> Option<usize> {
        let tag = self.tag(key);
        let same = |e: &Entry| e.tag == tag && key_of(e.item).is_some_and(|k| k.same(key));
        if let Some(old) = self.table.find_mut(spread(tag), same) {
            return Some(std::mem::replace(&mut old.item, n));
        }
        self.insert_tagged(tag, n);
        None
    }
}

/// A [`Strings`] buffer that stores each distinct string once (for names that repeat, such as
/// namespaces and role names).
#[derive(Debug, Default)]
pub(crate) struct Interner {
    index: Index,
    spans: Vec<Span>,
}

impl Interner {
    /// The span of `s` in `strings`, appending it the first time.
    pub(crate) fn intern(&mut self, strings: &mut Strings, s: &str) -> Span {
        let spans = &self.spans;
        let key_of = |n: usize| spans.get(n).map(|span| strings.get(*span));
        let tag = self.index.tag(s);
        if let Some(n) = self.index.find_tagged(tag, s, key_of) {
            return spans.get(n).copied().unwrap_or_default();
        }
        let span = strings.push(s);
        self.index.insert_tagged(tag, self.spans.len());
        self.spans.push(span);
        span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_name_their_strings_and_parts() {
        let mut strings = Strings::default();
        let a = strings.push("alpha");
        let b = strings.push_all(&["system:", "beta"]);
        assert_eq!(strings.get(a), "alpha");
        assert_eq!(strings.get(b), "system:beta");
        assert_eq!(strings.get(b.part(0, 6)), "system");
        assert_eq!(strings.get(b.rest(7)), "beta");
        assert_eq!(strings.get(b.part(7, 100)), "beta", "clamped to the span");
        assert_eq!(strings.get(b.rest(100)), "");
        assert_eq!(Strings::default().get(b), "", "a span of another buffer");
    }

    #[test]
    fn interned_strings_are_stored_once() {
        let (mut strings, mut interner) = (Strings::default(), Interner::default());
        let a = interner.intern(&mut strings, "ns-1");
        let b = interner.intern(&mut strings, "ns-2");
        assert_eq!(interner.intern(&mut strings, "ns-1"), a);
        assert_ne!(a, b);
        assert_eq!((strings.get(a), strings.get(b)), ("ns-1", "ns-2"));
    }

    #[test]
    fn strings_compare_word_by_word_as_byte_by_byte() {
        let texts = [
            "",
            "a",
            "ab",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefgh12345678",
            "abcdefgh12345679",
            "é",
            "e\u{301}",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn an_index_finds_items_by_key_and_names_the_holder_of_a_taken_key() {
        let items = ["a", "b", "a", "c", "a"];
        let key_of = |n: usize| items.get(n).copied();
        let mut first = Index::with_capacity(2);
        let mut last = Index::default();
        let (mut kept, mut replaced) = (Vec::new(), Vec::new());
        for (n, key) in items.iter().enumerate() {
            kept.push(first.insert(n, *key, key_of));
            replaced.push(last.replace(n, *key, key_of));
        }
        assert_eq!(kept, [None, None, Some(0), None, Some(0)]);
        assert_eq!(replaced, [None, None, Some(0), None, Some(2)]);
        assert_eq!(first.find("a", key_of), Some(0));
        assert_eq!(last.find("a", key_of), Some(4));
        assert_eq!(first.find("z", key_of), None);
        let pairs = [("ns", "x"), ("n", "sx")];
        let mut index = Index::default();
        for (n, key) in pairs.iter().enumerate() {
            assert_eq!(index.insert(n, *key, |m| pairs.get(m).copied()), None);
        }
        assert_eq!(index.find(("n", "sx"), |m| pairs.get(m).copied()), Some(1));
    }
}
