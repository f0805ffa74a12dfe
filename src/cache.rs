//! The verified-token cache: a repeated token is verified once.
//!
//! Keyed by the whole token (the map compares the full string on every hit, so no other token,
//! a prefix or a hash collision, can ever reach an entry). Each entry keeps the window in which
//! the token is valid (`nbf`/`iat` and `exp` with leeway, the account's `expires_at`), checked
//! on every hit. Revocations and deleted secrets live in the bundle, and the cache is emptied
//! whenever the bundle changes. Bounded: two generations of at most `capacity` entries each;
//! when the young one fills, the old one is dropped (an approximate LRU with O(1) work).

use std::collections::HashMap;
use std::sync::Arc;

use crate::identity::Identity;
use crate::time::UnixTime;

/// Entries per generation when none is configured.
pub const DEFAULT_CAPACITY: usize = 4096;

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
    identity: Arc<Identity>,
    validity: Validity,
}

/// A bounded cache of verified tokens.
#[derive(Debug)]
pub struct TokenCache {
    young: HashMap<Box<str>, Entry>,
    old: HashMap<Box<str>, Entry>,
    capacity: usize,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache::new(DEFAULT_CAPACITY)
    }
}

impl TokenCache {
    /// A cache of at most `2 * capacity` tokens (`capacity` 0 disables caching).
    pub fn new(capacity: usize) -> TokenCache {
        TokenCache {
            young: HashMap::new(),
            old: HashMap::new(),
            capacity,
        }
    }

    /// The identity of a token verified before, if its validity window holds at `now`.
    pub fn get(&mut self, token: &str, now: UnixTime) -> Option<Arc<Identity>> {
        if let Some(entry) = self.young.get(token) {
            return entry.validity.holds(now).then(|| entry.identity.clone());
        }
        let entry = self.old.remove(token)?;
        if !entry.validity.holds(now) {
            return None;
        }
        let identity = entry.identity.clone();
        self.insert_entry(token, entry);
        Some(identity)
    }

    /// Remembers a verified token.
    pub fn insert(&mut self, token: &str, identity: Arc<Identity>, validity: Validity) {
        self.insert_entry(token, Entry { identity, validity });
    }

    fn insert_entry(&mut self, token: &str, entry: Entry) {
        if self.capacity == 0 {
            return;
        }
        if self.young.len() >= self.capacity {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(token.into(), entry);
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
