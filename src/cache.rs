//! The verified-token cache: a repeated token is verified once.
//!
//! Keyed by the whole token (the map compares the full string on every hit, so no other token,
//! a prefix or a hash collision, can ever reach an entry). Each entry keeps the window in which
//! the token is valid (`nbf`/`iat` and `exp` with leeway, the account's `expires_at`), checked
//! on every hit. Revocations and deleted secrets live in the bundle, and the cache is emptied
//! whenever the bundle changes. Bounded: two generations of at most `capacity` entries each;
//! when the young one fills, the old one is dropped (an approximate LRU with O(1) work).

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use std::sync::Arc;

use crate::decision::Decision;
use crate::identity::Identity;
use crate::rbac::RbacRequest;
use crate::time::UnixTime;

/// Entries per generation when none is configured.
pub const DEFAULT_CAPACITY: usize = 4096;
/// RBAC decisions remembered per token (the oldest is forgotten first).
pub const DECISIONS_PER_TOKEN: usize = 16;

/// When a cached verification holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// Valid from this instant on (inclusive).
    pub not_before: Option<UnixTime>,
    /// Valid up to this instant (inclusive).
    pub not_after: Option<UnixTime>,
}

impl Validity {
    fn holds(&self, now: UnixTime) -> bool {
        self.not_before.is_none_or(|t| now >= t) && self.not_after.is_none_or(|t| now <= t)
    }
}

#[derive(Debug, Clone)]
struct Entry {
    token: Box<str>,
    identity: Arc<Identity>,
    validity: Validity,
    /// RBAC decisions already made for this token. RBAC depends only on the identity, the
    /// question and the bundle, so each holds as long as the token does (and the whole cache
    /// is emptied with every bundle change). Route decisions are never kept: their policies
    /// may read the time of day.
    decisions: Vec<(RbacRequest, Arc<Decision>)>,
}

/// A bounded cache of verified tokens.
#[derive(Debug)]
pub struct TokenCache {
    // foldhash rather than SipHash: a cache hit hashes a whole token (often 1 KB) on every
    // call. Only verified tokens are ever inserted, and every hit compares the full string, so
    // a weaker hash can cost a crafted lookup a few comparisons, never a wrong answer.
    hasher: RandomState,
    young: HashTable<Entry>,
    old: HashTable<Entry>,
    capacity: usize,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache::new(DEFAULT_CAPACITY)
    }
}

/// Whether two tokens are the same, compared eight bytes at a time (the byte-wise `memcmp`
/// of wasm32 is the slowest part of a cache hit otherwise).
fn same_token(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (wa, wb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (wa.remainder(), wb.remainder());
    let word = |w: &[u8]| <[u8; 8]>::try_from(w).ok().map(u64::from_ne_bytes);
    ra == rb && wa.zip(wb).all(|(x, y)| word(x) == word(y))
}

impl TokenCache {
    /// A cache of at most `2 * capacity` tokens (`capacity` 0 disables caching).
    pub fn new(capacity: usize) -> TokenCache {
        TokenCache {
            hasher: RandomState::default(),
            young: HashTable::new(),
            old: HashTable::new(),
            capacity,
        }
    }

    /// The identity of a token verified before, if its validity window holds at `now`.
    pub fn get(&mut self, token: &str, now: UnixTime) -> Option<Arc<Identity>> {
        self.entry(token, now).map(|e| e.identity.clone())
    }

    /// The RBAC decision already made for this token and question, if the token still holds
    /// at `now`.
    pub fn decision(
        &mut self,
        token: &str,
        now: UnixTime,
        request: &RbacRequest,
    ) -> Option<Arc<Decision>> {
        let entry = self.entry(token, now)?;
        entry
            .decisions
            .iter()
            .find(|(r, _)| r == request)
            .map(|(_, d)| d.clone())
    }

    /// Remembers an RBAC decision for a token already in the cache.
    pub fn remember(&mut self, token: &str, request: &RbacRequest, decision: Arc<Decision>) {
        let hash = self.hasher.hash_one(token);
        let eq = |e: &Entry| same_token(e.token.as_bytes(), token.as_bytes());
        if let Some(entry) = self.young.find_mut(hash, eq) {
            if entry.decisions.len() >= DECISIONS_PER_TOKEN {
                entry.decisions.remove(0);
            }
            entry.decisions.push((request.clone(), decision));
        }
    }

    /// Remembers a verified token.
    pub fn insert(&mut self, token: &str, identity: Arc<Identity>, validity: Validity) {
        let hash = self.hasher.hash_one(token);
        let eq = |e: &Entry| same_token(e.token.as_bytes(), token.as_bytes());
        if let Ok(old) = self.young.find_entry(hash, eq) {
            old.remove();
        }
        self.insert_entry(
            hash,
            Entry {
                token: token.into(),
                identity,
                validity,
                decisions: Vec::new(),
            },
        );
    }

    /// The entry of a token whose validity window holds at `now`, moved to the young
    /// generation when it was found in the old one. One hash and one comparison on a hit.
    fn entry(&mut self, token: &str, now: UnixTime) -> Option<&mut Entry> {
        let hash = self.hasher.hash_one(token);
        let eq = |e: &Entry| same_token(e.token.as_bytes(), token.as_bytes());
        if self.young.find(hash, eq).is_none() {
            let (entry, _) = self.old.find_entry(hash, eq).ok()?.remove();
            self.insert_entry(hash, entry);
        }
        self.young
            .find_mut(hash, eq)
            .filter(|e| e.validity.holds(now))
    }

    fn insert_entry(&mut self, hash: u64, entry: Entry) {
        if self.capacity == 0 {
            return;
        }
        if self.young.len() >= self.capacity {
            self.old = std::mem::replace(&mut self.young, HashTable::new());
        }
        let hasher = &self.hasher;
        self.young
            .insert_unique(hash, entry, |e| hasher.hash_one(&*e.token));
    }

    /// Forgets everything (on every bundle change).
    pub fn clear(&mut self) {
        self.young.clear();
        self.old.clear();
    }

    /// How many tokens are held.
    pub fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::AccountKind;
    use crate::token::TokenFormat;

    fn identity(name: &str) -> Arc<Identity> {
        Arc::new(Identity {
            username: name.into(),
            uid: String::new(),
            groups: vec![],
            extra: Default::default(),
            namespace: "ns".into(),
            service_account: name.into(),
            kind: AccountKind::Unique,
            user_id: name.into(),
            email: None,
            group_ids: vec![],
            expires_at: None,
            token_id: None,
            format: TokenFormat::Pomerium,
            issuer: "i".into(),
            claims: Default::default(),
        })
    }

    const ALWAYS: Validity = Validity {
        not_before: None,
        not_after: None,
    };

    #[test]
    fn tokens_compare_equal_only_when_every_byte_is() {
        let a = b"abcdefgh12345678xyz";
        assert!(same_token(a, a));
        for i in 0..a.len() {
            let mut b = *a;
            b[i] ^= 1;
            assert!(!same_token(a, &b), "byte {i}");
        }
        assert!(!same_token(a, &a[..18]));
        assert!(same_token(b"", b""));
    }

    #[test]
    fn only_the_whole_token_hits() {
        let mut cache = TokenCache::new(8);
        cache.insert("aaa.bbb.ccc", identity("a"), ALWAYS);
        assert!(cache.get("aaa.bbb.ccc", UnixTime(0)).is_some());
        for other in ["aaa.bbb.cc", "aaa.bbb.ccc ", "aaa.bbb.ccd", "", "aaa"] {
            assert!(cache.get(other, UnixTime(0)).is_none(), "{other:?}");
        }
    }

    #[test]
    fn a_hit_honours_the_validity_window() {
        let mut cache = TokenCache::new(8);
        cache.insert(
            "t",
            identity("a"),
            Validity {
                not_before: Some(UnixTime(10)),
                not_after: Some(UnixTime(20)),
            },
        );
        assert!(cache.get("t", UnixTime(9)).is_none(), "before nbf");
        assert!(cache.get("t", UnixTime(10)).is_some());
        assert!(cache.get("t", UnixTime(20)).is_some());
        assert!(cache.get("t", UnixTime(21)).is_none(), "after exp");
    }

    #[test]
    fn memory_stays_bounded_and_recent_tokens_survive() {
        let mut cache = TokenCache::new(100);
        for i in 0..10_000 {
            cache.insert(&format!("token-{i}"), identity("a"), ALWAYS);
            assert!(
                cache.get("token-0", UnixTime(0)).is_some(),
                "a token in use is kept ({i})"
            );
        }
        assert!(cache.len() <= 200);
        assert!(cache.get("token-9999", UnixTime(0)).is_some());
        assert!(cache.get("token-5000", UnixTime(0)).is_none());
        cache.clear();
        assert!(cache.is_empty());
    }
}
