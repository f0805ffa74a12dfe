//! The verified-token cache: a repeated token is verified once.
//!
//! Keyed by the whole token (the map compares the full string on every hit, so no other token,
//! a prefix or a hash collision, can ever reach an entry). Each entry keeps the window in which
//! the token is valid (`nbf`/`iat` and `exp` with leeway, the account's `expires_at`), checked
//! on every hit. Revocations and deleted secrets live in the bundle, and the cache is emptied
//! whenever the bundle changes. Bounded: two generations of at most `capacity` entries each;
//! when the young one fills, the old one is dropped (an approximate LRU with O(1) work).

mod generation;

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::decision::Decision;
use crate::identity::Identity;
use crate::rbac::RbacRequest;
use crate::time::UnixTime;
use generation::Generation;

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
    #[inline(always)]
    fn holds(&self, now: UnixTime) -> bool {
        self.not_before.is_none_or(|t| now >= t) && self.not_after.is_none_or(|t| now <= t)
    }
}

/// Where a token's entry was last found: lets a caller that holds on to a token (a registered
/// handle) reach its entry again without hashing or comparing the token. Every entry gets an id
/// never used before in its cache, found by the full comparison of the token when the ticket
/// was made, so a ticket can only ever lead back to the entry of that same token; once the entry
/// is gone (evicted, or the cache emptied with a bundle change) the ticket leads nowhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ticket {
    hash: u64,
    /// The entry's id; 0 is no entry.
    id: u64,
    /// The entry's position in the young generation when last found there: tried first, and
    /// taken only if the entry in it has the ticket's id.
    slot: usize,
}

#[derive(Debug, Clone)]
struct Entry {
    /// Unique in its cache, never 0.
    id: u64,
    token: Box<str>,
    identity: Arc<Identity>,
    validity: Validity,
    /// RBAC decisions already made for this token. RBAC depends only on the identity, the
    /// question and the bundle, so each holds as long as the token does (and the whole cache
    /// is emptied with every bundle change). Route decisions are never kept: their policies
    /// may read the time of day.
    decisions: Vec<Remembered>,
}

/// A decision remembered for a token.
#[derive(Debug, Clone)]
struct Remembered {
    /// The question's [`question_hash`].
    hash: u64,
    /// The serial of the last prepared [`Question`] that found it (0: none yet): that question
    /// finds it again by this number alone.
    question: u64,
    request: RbacRequest,
    decision: Arc<Decision>,
}

/// An RBAC question with its hash, prepared once for questions asked again and again (the
/// wasm module's registered questions): a remembered decision is found by comparing hashes,
/// then the whole question.
/// Each prepared question has a serial number of its own, so that a remembered decision it
/// found once is found again by that number (questions never change).
#[derive(Debug)]
pub struct Question {
    request: RbacRequest,
    hash: u64,
    serial: u64,
}

impl Question {
    /// Prepares a question.
    pub fn new(request: RbacRequest) -> Question {
        let hash = question_hash(&request);
        Question {
            request,
            hash,
            serial: next_serial(),
        }
    }

    /// The question.
    pub fn request(&self) -> &RbacRequest {
        &self.request
    }

    /// Its hash (see [`question_hash`]).
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

/// The hash under which a token's decision for `request` is remembered. A fixed seed: equal
/// hashes are only a hint, every hit compares the whole question.
pub fn question_hash(request: &RbacRequest) -> u64 {
    foldhash::fast::FixedState::default().hash_one(request)
}

/// A bounded cache of verified tokens.
#[derive(Debug)]
pub struct TokenCache {
    // foldhash rather than SipHash: a cache hit hashes a whole token (often 1 KB) on every
    // call. Only verified tokens are ever inserted, and every hit compares the full string, so
    // a weaker hash can cost a crafted lookup a few comparisons, never a wrong answer.
    hasher: RandomState,
    young: Generation<Entry>,
    old: Generation<Entry>,
    capacity: usize,
}

/// The last serial number given to a cache entry or a [`Question`], in the whole process: a
/// ticket of one cache never leads to an entry of another (a cache replaced by
/// `set_cache_capacity`, say), and no two questions share a number.
static LAST_SERIAL: AtomicU64 = AtomicU64::new(0);

fn next_serial() -> u64 {
    LAST_SERIAL.fetch_add(1, Ordering::Relaxed) + 1
}

/// A token with its hash in one cache's hasher ([`TokenCache::key`]), so that the several
/// lookups of one call hash the token once. A key made by another cache only misses.
#[derive(Debug, Clone, Copy)]
pub struct TokenKey<'t> {
    token: &'t str,
    hash: u64,
}

impl<'t> TokenKey<'t> {
    /// The token.
    pub fn token(&self) -> &'t str {
        self.token
    }
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache::new(DEFAULT_CAPACITY)
    }
}

/// Whether two byte strings (tokens, names) are the same, compared eight bytes at a time (the
/// byte-wise `memcmp` of wasm32 is the slowest part of a cache hit otherwise).
/// Words as arrays and an indexed loop: at `opt-level = "z"` the iterator form (`chunks_exact`
/// + `zip`, or `copy_from_slice`) was left as calls, half of a cached decision's time in wasm.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let ((wa, ra), (wb, rb)) = (a.as_chunks::<8>(), b.as_chunks::<8>());
    let mut k = 0;
    while k < wa.len() && k < wb.len() {
        if u64::from_ne_bytes(wa[k]) != u64::from_ne_bytes(wb[k]) {
            return false;
        }
        k += 1;
    }
    // The last bytes one by one, here (`ra == rb` would be a call to `memcmp`).
    let mut k = 0;
    while k < ra.len() && k < rb.len() {
        if ra[k] != rb[k] {
            return false;
        }
        k += 1;
    }
    true
}

impl Entry {
    fn decision(&self, request: &RbacRequest, hash: u64) -> Option<Arc<Decision>> {
        self.decisions
            .iter()
            .find(|r| r.hash == hash && r.request == *request)
            .map(|r| r.decision.clone())
    }

    /// The decision for a prepared question: by its serial when it found this decision before,
    /// else by hash and the whole question (and the serial is noted for the next time).
    fn decision_for(&mut self, question: &Question) -> Option<&Arc<Decision>> {
        let found = if let Some(k) = self.serial_position(question.serial) {
            k
        } else {
            let i = self
                .decisions
                .iter()
                .position(|r| r.hash == question.hash && r.request == question.request)?;
            self.decisions[i].question = question.serial;
            i
        };
        self.decisions.get(found).map(|r| &r.decision)
    }

    /// Where the decision a prepared question with this serial found before is.
    #[inline(always)]
    fn serial_position(&self, serial: u64) -> Option<usize> {
        // An indexed loop over a slice: at `opt-level = "z"` `position` and its closure, and
        // even `Vec`'s `Index`, stay calls (a slice's indexing is built in).
        let decisions = self.decisions.as_slice();
        let mut k = 0;
        while k < decisions.len() {
            if decisions[k].question == serial {
                return Some(k);
            }
            k += 1;
        }
        None
    }
}

impl TokenCache {
    /// A cache of at most `2 * capacity` tokens (`capacity` 0 disables caching). Its first
    /// generation's table grows as tokens come; once full, each new generation's table is made
    /// for `capacity` at once (the memory of the bound from the first turn on).
    pub fn new(capacity: usize) -> TokenCache {
        TokenCache {
            hasher: RandomState::default(),
            young: Generation::default(),
            old: Generation::default(),
            capacity,
        }
    }

    /// The key of `token` in this cache.
    pub fn key<'t>(&self, token: &'t str) -> TokenKey<'t> {
        TokenKey {
            token,
            hash: self.hasher.hash_one(token),
        }
    }

    /// The identity of a token verified before, if its validity window holds at `now`.
    pub fn get(&mut self, key: TokenKey<'_>, now: UnixTime) -> Option<Arc<Identity>> {
        self.entry(key, now).map(|e| e.identity.clone())
    }

    /// The RBAC decision already made for this token and question (`hash` its
    /// [`question_hash`]), if the token still holds at `now`.
    pub fn decision(
        &mut self,
        key: TokenKey<'_>,
        now: UnixTime,
        request: &RbacRequest,
        hash: u64,
    ) -> Option<Arc<Decision>> {
        self.entry(key, now)?.decision(request, hash)
    }

    /// The ticket of a cached token (see [`Ticket`]), or the empty ticket.
    pub fn ticket(&self, key: TokenKey<'_>) -> Ticket {
        let eq = |e: &Entry| same_bytes(e.token.as_bytes(), key.token.as_bytes());
        let ticket = |id, slot| Ticket {
            hash: key.hash,
            id,
            slot,
        };
        if let Some(slot) = self.young.find(key.hash, eq) {
            return self
                .young
                .get(slot)
                .map_or(Ticket::default(), |e| ticket(e.id, slot));
        }
        // In the old generation: no position in the young one (the first use moves it there).
        self.old
            .find(key.hash, eq)
            .and_then(|slot| self.old.get(slot))
            .map_or(Ticket::default(), |e| ticket(e.id, usize::MAX))
    }

    /// Like [`TokenCache::decision`], reaching the token's entry by its ticket: first at the
    /// position where it was last found (no hashing, no probing), else by its hash and id
    /// (and the ticket notes the new position).
    pub fn decision_by_ticket(
        &mut self,
        ticket: &mut Ticket,
        now: UnixTime,
        question: &Question,
    ) -> Option<Arc<Decision>> {
        self.by_ticket(ticket, now, question, Arc::clone)
    }

    /// [`TokenCache::decision_by_ticket`] reading only what `read` takes from the decision (a
    /// status: nothing cloned). The common case is inlined into the caller, read in place: the
    /// entry where the ticket left it, and the decision this question found before (one look
    /// at the table). Anything else is [`TokenCache::by_ticket_elsewhere`], out of line, so
    /// this path has no stack frame of its own.
    #[inline(always)]
    pub fn by_ticket<T>(
        &mut self,
        ticket: &mut Ticket,
        now: UnixTime,
        question: &Question,
        read: impl FnOnce(&Arc<Decision>) -> T,
    ) -> Option<T> {
        // Entry ids are never 0, so a ticket to no entry (id 0) never passes the id check.
        if let Some(e) = self.young.get(ticket.slot) {
            if e.id == ticket.id && e.validity.holds(now) {
                if let Some(k) = e.serial_position(question.serial) {
                    return e.decisions.as_slice().get(k).map(|r| read(&r.decision));
                }
            }
        }
        self.by_ticket_elsewhere(ticket, now, question).map(read)
    }

    /// [`TokenCache::by_ticket`] past its common case: the entry moved (found again by its
    /// hash and id, and the ticket notes the new position), expired, or has not seen this
    /// prepared question yet.
    #[cold]
    #[inline(never)]
    fn by_ticket_elsewhere(
        &mut self,
        ticket: &mut Ticket,
        now: UnixTime,
        question: &Question,
    ) -> Option<&Arc<Decision>> {
        if ticket.id == 0 {
            return None;
        }
        let id = ticket.id;
        let slot = match self.young.get(ticket.slot) {
            Some(e) if e.id == id => ticket.slot,
            _ => {
                let slot = self.find_young(ticket.hash, |e: &Entry| e.id == id)?;
                ticket.slot = slot;
                slot
            }
        };
        self.young
            .get_mut(slot)
            .filter(|e| e.validity.holds(now))?
            .decision_for(question)
    }

    /// Remembers an RBAC decision for a token already in the cache (`question`: the
    /// question's [`question_hash`]).
    pub fn remember(
        &mut self,
        key: TokenKey<'_>,
        request: &RbacRequest,
        question: u64,
        decision: Arc<Decision>,
    ) {
        let eq = |e: &Entry| same_bytes(e.token.as_bytes(), key.token.as_bytes());
        let slot = self.young.find(key.hash, eq);
        if let Some(entry) = slot.and_then(|slot| self.young.get_mut(slot)) {
            if entry.decisions.len() >= DECISIONS_PER_TOKEN {
                entry.decisions.remove(0);
            }
            entry.decisions.push(Remembered {
                hash: question,
                question: 0,
                request: request.clone(),
                decision,
            });
        }
    }

    /// Remembers a verified token.
    pub fn insert(&mut self, key: TokenKey<'_>, identity: Arc<Identity>, validity: Validity) {
        if self.capacity == 0 {
            return;
        }
        let eq = |e: &Entry| same_bytes(e.token.as_bytes(), key.token.as_bytes());
        if let Some(slot) = self.young.find(key.hash, eq) {
            self.young.remove(slot);
        }
        self.insert_entry(
            key.hash,
            Entry {
                id: next_serial(),
                token: key.token.into(),
                identity,
                validity,
                decisions: Vec::new(),
            },
        );
    }

    /// The entry of a token whose validity window holds at `now`, moved to the young
    /// generation when it was found in the old one. One hash and one comparison on a hit.
    fn entry(&mut self, key: TokenKey<'_>, now: UnixTime) -> Option<&mut Entry> {
        let eq = |e: &Entry| same_bytes(e.token.as_bytes(), key.token.as_bytes());
        let slot = self.find_young(key.hash, eq)?;
        self.young.get_mut(slot).filter(|e| e.validity.holds(now))
    }

    /// The young-generation position of the entry that `eq` picks among those of `hash`,
    /// moved there when it was in the old generation. One probe when it is young.
    fn find_young(&mut self, hash: u64, eq: impl Fn(&Entry) -> bool) -> Option<usize> {
        if let Some(slot) = self.young.find(hash, &eq) {
            return Some(slot);
        }
        let slot = self.old.find(hash, &eq)?;
        let entry = self.old.remove(slot)?;
        self.insert_entry(hash, entry)
    }

    /// Files an entry in the young generation (turning the generations when it is full); its
    /// position there.
    fn insert_entry(&mut self, hash: u64, entry: Entry) -> Option<usize> {
        if self.capacity == 0 {
            return None;
        }
        if self.young.len() >= self.capacity {
            // The generations turn: the old one's entries are dropped, and its vector and
            // table (made for `capacity` entries at least: it was a full young generation)
            // become the new young one's, so that no large block is freed or taken at a turn.
            // Tables grown step by step, or made anew at each turn, left gaps the allocator
            // could not always reuse, and the module's memory grew by up to a table's size
            // at some turns of a long run.
            let mut recycled = std::mem::take(&mut self.old);
            recycled.clear();
            if recycled.capacity() < self.capacity {
                // The first turn: there was no old generation yet.
                recycled = Generation::with_capacity(self.capacity);
            }
            self.old = std::mem::replace(&mut self.young, recycled);
        }
        Some(self.young.push(hash, entry))
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
            audiences: vec![],
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
        assert!(same_bytes(a, a));
        for i in 0..a.len() {
            let mut b = *a;
            b[i] ^= 1;
            assert!(!same_bytes(a, &b), "byte {i}");
        }
        assert!(!same_bytes(a, &a[..18]));
        assert!(same_bytes(b"", b""));
    }

    #[test]
    fn only_the_whole_token_hits() {
        let mut cache = TokenCache::new(8);
        cache.insert(cache.key("aaa.bbb.ccc"), identity("a"), ALWAYS);
        assert!(cache.get(cache.key("aaa.bbb.ccc"), UnixTime(0)).is_some());
        for other in ["aaa.bbb.cc", "aaa.bbb.ccc ", "aaa.bbb.ccd", "", "aaa"] {
            assert!(
                cache.get(cache.key(other), UnixTime(0)).is_none(),
                "{other:?}"
            );
        }
    }

    #[test]
    fn a_hit_honours_the_validity_window() {
        let mut cache = TokenCache::new(8);
        cache.insert(
            cache.key("t"),
            identity("a"),
            Validity {
                not_before: Some(UnixTime(10)),
                not_after: Some(UnixTime(20)),
            },
        );
        assert!(
            cache.get(cache.key("t"), UnixTime(9)).is_none(),
            "before nbf"
        );
        assert!(cache.get(cache.key("t"), UnixTime(10)).is_some());
        assert!(cache.get(cache.key("t"), UnixTime(20)).is_some());
        assert!(
            cache.get(cache.key("t"), UnixTime(21)).is_none(),
            "after exp"
        );
    }

    #[test]
    fn memory_stays_bounded_and_recent_tokens_survive() {
        let mut cache = TokenCache::new(100);
        for i in 0..10_000 {
            cache.insert(cache.key(&format!("token-{i}")), identity("a"), ALWAYS);
            assert!(
                cache.get(cache.key("token-0"), UnixTime(0)).is_some(),
                "a token in use is kept ({i})"
            );
        }
        assert!(cache.len() <= 200);
        assert!(cache.get(cache.key("token-9999"), UnixTime(0)).is_some());
        assert!(cache.get(cache.key("token-5000"), UnixTime(0)).is_none());
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn after_a_turn_the_young_generation_is_made_whole_at_once() {
        let mut cache = TokenCache::new(100);
        for i in 0..100 {
            cache.insert(cache.key(&format!("token-{i}")), identity("a"), ALWAYS);
        }
        let grown = cache.young.capacity();
        // The 101st token turns the generations: the young table is made for 100 at once,
        // and keeps that size through the next 100 inserts (no growing step by step).
        cache.insert(cache.key("token-100"), identity("a"), ALWAYS);
        let made = cache.young.capacity();
        assert!(made >= 100, "{made}");
        for i in 101..200 {
            cache.insert(cache.key(&format!("token-{i}")), identity("a"), ALWAYS);
            assert_eq!(cache.young.capacity(), made, "token-{i}");
        }
        assert_eq!(cache.old.capacity(), grown);
        assert_eq!(cache.len(), 200);
        // The next turn drops the old generation's entries and gives its memory to the new
        // young one (the table grown step by step, then each made at a turn, in turn).
        cache.insert(cache.key("token-200"), identity("a"), ALWAYS);
        assert_eq!(cache.young.capacity(), grown);
        assert_eq!(cache.old.capacity(), made);
        assert_eq!(cache.len(), 101);
        for i in 201..400 {
            cache.insert(cache.key(&format!("token-{i}")), identity("a"), ALWAYS);
        }
        assert_eq!(
            (cache.young.capacity(), cache.old.capacity()),
            (made, grown)
        );
        assert!(cache.get(cache.key("token-399"), UnixTime(0)).is_some());
        assert!(cache.get(cache.key("token-299"), UnixTime(0)).is_some());
        assert!(cache.get(cache.key("token-199"), UnixTime(0)).is_none());
    }

    fn question(verb: &str) -> Question {
        Question::new(RbacRequest::Resource(
            crate::rbac::ResourceAttributes::from_kubectl(verb, "pods", "", "ns"),
        ))
    }

    fn remember(cache: &mut TokenCache, token: &str, q: &Question, d: Arc<Decision>) {
        cache.remember(cache.key(token), q.request(), q.hash(), d);
    }

    fn decision(status: u16) -> Arc<Decision> {
        Arc::new(Decision::deny(
            crate::decision::DecisionKind::Resource,
            status,
            "test",
            String::new(),
            1,
        ))
    }

    #[test]
    fn a_ticket_leads_only_to_its_own_token() {
        let mut cache = TokenCache::new(8);
        assert_eq!(
            cache.ticket(cache.key("a")),
            Ticket::default(),
            "not cached: no ticket"
        );
        cache.insert(cache.key("a"), identity("a"), ALWAYS);
        cache.insert(cache.key("b"), identity("b"), ALWAYS);
        remember(&mut cache, "a", &question("get"), decision(200));
        remember(&mut cache, "b", &question("get"), decision(403));
        let (a, b) = (cache.ticket(cache.key("a")), cache.ticket(cache.key("b")));
        assert_ne!(a, b);
        let now = UnixTime(0);
        let got =
            |c: &mut TokenCache, mut t: Ticket| c.decision_by_ticket(&mut t, now, &question("get"));
        assert_eq!(got(&mut cache, a).map(|d| d.status), Some(200));
        assert_eq!(got(&mut cache, b).map(|d| d.status), Some(403));
        assert!(cache
            .decision_by_ticket(&mut { a }, now, &question("list"))
            .is_none());
        assert!(got(&mut cache, Ticket::default()).is_none());
        // Replaced: the same token inserted again is a new entry, the old ticket is void.
        cache.insert(cache.key("a"), identity("a"), ALWAYS);
        assert!(got(&mut cache, a).is_none());
        // Emptied (a bundle change) and refilled: tickets never lead to the new entries.
        let b_ticket = cache.ticket(cache.key("b"));
        cache.clear();
        cache.insert(cache.key("b"), identity("b"), ALWAYS);
        remember(&mut cache, "b", &question("get"), decision(403));
        assert!(got(&mut cache, b_ticket).is_none());
        // Another cache (a new capacity) never answers a ticket of this one.
        let mut other = TokenCache::new(8);
        other.insert(other.key("b"), identity("b"), ALWAYS);
        remember(&mut other, "b", &question("get"), decision(403));
        assert!(got(&mut other, cache.ticket(cache.key("b"))).is_none());
    }

    #[test]
    fn a_ticket_honours_the_validity_window_and_survives_a_generation_move() {
        let mut cache = TokenCache::new(2);
        let window = Validity {
            not_before: Some(UnixTime(10)),
            not_after: Some(UnixTime(20)),
        };
        cache.insert(cache.key("t"), identity("t"), window);
        remember(&mut cache, "t", &question("get"), decision(200));
        let ticket = cache.ticket(cache.key("t"));
        // One prepared question: once it has found its decision, the ticket's common case
        // (inlined, read in place) answers it, and must honour the window as the rest does.
        let get = question("get");
        let got =
            |c: &mut TokenCache, now| c.decision_by_ticket(&mut { ticket }, UnixTime(now), &get);
        assert_eq!(got(&mut cache, 15).map(|d| d.status), Some(200));
        assert!(got(&mut cache, 21).is_none(), "after exp");
        assert!(got(&mut cache, 9).is_none(), "before nbf");
        assert_eq!(got(&mut cache, 15).map(|d| d.status), Some(200));
        // A question never asked of this token finds nothing, in the window or not.
        assert!(cache
            .decision_by_ticket(&mut { ticket }, UnixTime(15), &question("list"))
            .is_none());
        // Two more tokens push "t" into the old generation; its ticket still finds it.
        cache.insert(cache.key("u"), identity("u"), ALWAYS);
        cache.insert(cache.key("v"), identity("v"), ALWAYS);
        assert_eq!(got(&mut cache, 15).map(|d| d.status), Some(200));
        // Two generations later it is evicted, and the ticket leads nowhere.
        for k in 0..4 {
            cache.insert(cache.key(&format!("w{k}")), identity("w"), ALWAYS);
        }
        assert!(got(&mut cache, 15).is_none());
    }

    #[test]
    fn a_ticket_follows_its_entry_to_a_new_position_and_never_takes_another() {
        let mut cache = TokenCache::new(10_000);
        let (get, now) = (question("get"), UnixTime(0));
        for (token, status) in [("a", 200), ("b", 403)] {
            cache.insert(cache.key(token), identity(token), ALWAYS);
            remember(&mut cache, token, &get, decision(status));
        }
        let (mut a, mut b) = (cache.ticket(cache.key("a")), cache.ticket(cache.key("b")));
        let status = |c: &mut TokenCache, t: &mut Ticket| {
            c.decision_by_ticket(t, now, &get).map(|d| d.status)
        };
        assert_eq!((a.slot, b.slot), (0, 1));
        assert_eq!(status(&mut cache, &mut b), Some(403));
        // "a" verified again: its old entry is taken out, "b" moves into its place and the new
        // "a" goes where "b" was. Each ticket now names the other token's position.
        cache.insert(cache.key("a"), identity("a"), ALWAYS);
        remember(&mut cache, "a", &get, decision(200));
        assert_eq!(
            status(&mut cache, &mut b),
            Some(403),
            "b is found again by its id, never a's entry at its old position"
        );
        assert_eq!(b.slot, 0, "the ticket notes the new position");
        assert_eq!(status(&mut cache, &mut b), Some(403));
        assert_eq!(
            status(&mut cache, &mut a),
            None,
            "the old a's ticket leads nowhere: not to b's entry now at its position, nor to \
             the new a's"
        );
        // Growing keeps positions: the ticket still answers from where it is.
        for k in 0..1_000 {
            cache.insert(cache.key(&format!("t{k}")), identity("t"), ALWAYS);
        }
        assert_eq!(status(&mut cache, &mut b), Some(403));
        assert_eq!(b.slot, 0);
    }

    #[test]
    fn an_entry_moved_to_the_young_generation_as_the_generations_turn_is_kept() {
        let mut cache = TokenCache::new(2);
        let (get, now) = (question("get"), UnixTime(0));
        for token in ["a", "b", "c"] {
            cache.insert(cache.key(token), identity(token), ALWAYS);
        }
        // Old: a, b. Young: c. The ticket of a, made while it is old, names no young position.
        remember(&mut cache, "c", &get, decision(200));
        cache.insert(cache.key("d"), identity("d"), ALWAYS);
        let mut a = cache.ticket(cache.key("a"));
        assert_eq!(a.slot, usize::MAX);
        // Young (c, d) is full: finding a moves it into a new young generation, which turns
        // the generations (b, in the old one, is dropped; c and d become the old one).
        assert!(cache.get(cache.key("a"), now).is_some());
        assert_eq!(cache.len(), 3);
        assert!(cache.get(cache.key("b"), now).is_none(), "b is gone");
        remember(&mut cache, "a", &get, decision(403));
        let status = |c: &mut TokenCache, t: &mut Ticket| {
            c.decision_by_ticket(t, now, &get).map(|d| d.status)
        };
        assert_eq!(status(&mut cache, &mut a), Some(403));
        assert_eq!(a.slot, 0, "the ticket notes a's young position");
        assert_eq!(status(&mut cache, &mut a), Some(403));
        // c is still held (old), and its own decision is its own.
        assert_eq!(
            cache
                .decision(cache.key("c"), now, get.request(), get.hash())
                .map(|d| d.status),
            Some(200)
        );
        assert!(cache.len() <= 4);
    }

    #[test]
    fn tokens_of_one_hash_keep_their_own_entries() {
        let mut cache = TokenCache::new(8);
        let key = |token| TokenKey { token, hash: 42 };
        cache.insert(key("a"), identity("a"), ALWAYS);
        cache.insert(key("b"), identity("b"), ALWAYS);
        let now = UnixTime(0);
        let user = |c: &mut TokenCache, t| c.get(key(t), now).map(|i| i.username.clone());
        assert_eq!(user(&mut cache, "a").as_deref(), Some("a"));
        assert_eq!(user(&mut cache, "b").as_deref(), Some("b"));
        assert_ne!(cache.ticket(key("a")), cache.ticket(key("b")));
        // Verified again, one replaces only its own entry.
        cache.insert(key("a"), identity("a2"), ALWAYS);
        assert_eq!(cache.len(), 2);
        assert_eq!(user(&mut cache, "a").as_deref(), Some("a2"));
        assert_eq!(user(&mut cache, "b").as_deref(), Some("b"));
        assert_eq!(user(&mut cache, "c"), None);
    }

    #[test]
    fn a_cache_of_capacity_zero_holds_nothing() {
        let mut cache = TokenCache::new(0);
        cache.insert(cache.key("a"), identity("a"), ALWAYS);
        remember(&mut cache, "a", &question("get"), decision(200));
        assert!(cache.is_empty());
        assert_eq!(cache.ticket(cache.key("a")), Ticket::default());
        assert!(cache.get(cache.key("a"), UnixTime(0)).is_none());
        assert!(cache
            .decision_by_ticket(&mut Ticket::default(), UnixTime(0), &question("get"))
            .is_none());
    }

    #[test]
    fn a_prepared_question_finds_only_its_own_decision_again() {
        let mut cache = TokenCache::new(8);
        cache.insert(cache.key("a"), identity("a"), ALWAYS);
        cache.insert(cache.key("b"), identity("b"), ALWAYS);
        remember(&mut cache, "a", &question("get"), decision(200));
        remember(&mut cache, "a", &question("delete"), decision(403));
        remember(&mut cache, "b", &question("delete"), decision(401));
        let (a, b) = (cache.ticket(cache.key("a")), cache.ticket(cache.key("b")));
        let (get, delete) = (question("get"), question("delete"));
        let now = UnixTime(0);
        for _ in 0..3 {
            let status = |c: &mut TokenCache, mut t: Ticket, q| {
                c.decision_by_ticket(&mut t, now, q).map(|d| d.status)
            };
            assert_eq!(status(&mut cache, a, &get), Some(200));
            assert_eq!(status(&mut cache, a, &delete), Some(403));
            assert_eq!(status(&mut cache, b, &delete), Some(401));
            assert_eq!(status(&mut cache, b, &get), None, "b was never asked get");
        }
    }
}
