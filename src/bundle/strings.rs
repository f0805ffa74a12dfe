//! The strings a loaded bundle keeps, in one buffer per table: a name is a [`Span`] of the
//! buffer rather than a `String` of its own, so loading makes one allocation where it made one
//! per name, and the names cost their bytes and eight more (on wasm32).

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;

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

/// A [`Strings`] buffer that stores each distinct string once (for names that repeat, such as
/// namespaces and role names).
#[derive(Debug, Default)]
pub(crate) struct Interner {
    hasher: RandomState,
    seen: HashTable<Span>,
}

impl Interner {
    /// The span of `s` in `strings`, appending it the first time.
    pub(crate) fn intern(&mut self, strings: &mut Strings, s: &str) -> Span {
        let hash = self.hasher.hash_one(s);
        if let Some(span) = self.seen.find(hash, |span| strings.get(*span) == s) {
            return *span;
        }
        let span = strings.push(s);
        self.seen
            .insert_unique(hash, span, |span| self.hasher.hash_one(strings.get(*span)));
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
}
