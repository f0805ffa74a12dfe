//! The façade: load a bundle once, then verify tokens and decide, cheaply and fail-closed.

use std::sync::Arc;

use crate::bundle::signature::TrustedKeys;
use crate::bundle::{Bundle, BundleError};
use crate::cache::{
    question_hash, same_bytes, Question, Ticket, TokenCache, TokenKey, Validity, DEFAULT_CAPACITY,
};
use crate::decision::{AuthError, Decision, DecisionKind};
use crate::identity::{self, Identity, TokenReviewStatus};
use crate::policy::PolicyContext;
use crate::rbac::RbacRequest;
use crate::request::HttpRequest;
use crate::time::UnixTime;
use crate::token::{self, credentials::token_from_headers, HeaderMemo, TokenError};

/// A loaded bundle and its verified-token cache.
#[derive(Debug)]
pub struct Engine {
    bundle: Arc<Bundle>,
    cache: TokenCache,
    /// Token headers read before (the tokens of an issuer share theirs).
    headers: HeaderMemo,
    /// The last [`Engine::signature_check`]'s verification, waiting for its verdict.
    pending: Option<PendingCheck>,
    /// Seconds past its `expires_at` during which the held bundle still answers.
    expiry_grace: u32,
}

impl Engine {
    /// An engine over a loaded bundle.
    pub fn new(bundle: Bundle) -> Engine {
        Engine {
            bundle: Arc::new(bundle),
            cache: TokenCache::new(DEFAULT_CAPACITY),
            headers: HeaderMemo::default(),
            pending: None,
            expiry_grace: 0,
        }
    }

    /// Parses, validates and indexes a bundle (unsigned: for tests and trusted local files).
    pub fn from_json(bytes: &[u8]) -> Result<Engine, BundleError> {
        Ok(Engine::new(Bundle::from_json(bytes)?))
    }

    /// Loads a signed bundle: the signature must verify against `trusted`, and the bundle must
    /// not have expired at `now`.
    pub fn from_signed_json(
        bytes: &[u8],
        signature: &str,
        trusted: &TrustedKeys,
        now: UnixTime,
    ) -> Result<Engine, BundleError> {
        let bundle = load_signed(bytes, signature, trusted, now)?;
        Ok(Engine::new(bundle))
    }

    /// Sets how many verified tokens are kept (per generation; 0 disables the cache).
    pub fn set_cache_capacity(&mut self, capacity: usize) {
        self.cache = TokenCache::new(capacity);
    }

    /// Lets the held bundle keep answering for `seconds` past its `expires_at` (default 0:
    /// fail closed at once), so that a late refresh does not take a service down. A new
    /// bundle that is already past its `expires_at` is still refused, grace or not.
    pub fn set_expiry_grace(&mut self, seconds: u32) {
        self.expiry_grace = seconds;
    }

    /// Whether the held bundle may still answer at `now` (its `expires_at` plus the grace).
    fn check_held_fresh(&self, now: UnixTime) -> Result<(), BundleError> {
        self.bundle
            .check_fresh(now.plus(-i64::from(self.expiry_grace)))
    }

    /// Replaces the bundle, refusing an older revision (rollback), another bundle of the
    /// revision held (issued at another time), or an expired bundle; on any error the bundle
    /// held stays in use. Empties the token cache.
    pub fn update(&mut self, bundle: Bundle, now: UnixTime) -> Result<(), BundleError> {
        let (held, offered) = (self.bundle.revision(), bundle.revision());
        if offered < held {
            return Err(BundleError::Rollback { held, offered });
        }
        if offered == held && bundle.issued_at() != self.bundle.issued_at() {
            return Err(BundleError::SameRevision {
                revision: held,
                held: self.bundle.issued_at(),
                offered: bundle.issued_at(),
            });
        }
        bundle.check_fresh(now)?;
        self.bundle = Arc::new(bundle);
        self.cache.clear();
        self.pending = None;
        Ok(())
    }

    /// Verifies a signed bundle and replaces the one held (see [`Engine::update`]).
    pub fn update_signed(
        &mut self,
        bytes: &[u8],
        signature: &str,
        trusted: &TrustedKeys,
        now: UnixTime,
    ) -> Result<(), BundleError> {
        let bundle = load_signed(bytes, signature, trusted, now)?;
        self.update(bundle, now)
    }

    /// The bundle in use.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// How many verified tokens are cached.
    pub fn cached_tokens(&self) -> usize {
        self.cache.len()
    }

    /// Verifies a token and resolves its identity (cached for repeated tokens).
    pub fn verify(&mut self, token: &str, now: UnixTime) -> Result<Arc<Identity>, AuthError> {
        let key = self.cache.key(token);
        self.verify_key(key, now)
    }

    /// [`Engine::verify`] with the token's cache key made.
    fn verify_key(&mut self, key: TokenKey<'_>, now: UnixTime) -> Result<Arc<Identity>, AuthError> {
        self.check_held_fresh(now)?;
        if let Some(identity) = self.cache.get(key, now) {
            return Ok(identity);
        }
        let verified = match self.pending_answer(key.token(), now) {
            Some(answer) => answer?,
            None => token::verify(
                self.bundle.keys(),
                self.bundle.leeway(),
                key.token(),
                now,
                &mut self.headers,
            )?,
        };
        let bundle = &self.bundle;
        let slack = i64::from(bundle.leeway());
        let not_before = [verified.not_before, verified.issued_at]
            .into_iter()
            .flatten()
            .max()
            .map(|t| t.plus(-slack));
        let token_end = verified.expires_at.map(|t| t.plus(slack));
        let identity = identity::resolve(bundle, verified, now)?;
        let account_end = bundle
            .account(&identity.namespace, &identity.service_account)
            .and_then(|a| a.expires_at)
            .map(|t| t.plus(-1));
        let not_after = match (token_end, account_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let identity = Arc::new(identity);
        self.cache.insert(
            key,
            identity.clone(),
            Validity {
                not_before,
                not_after,
            },
        );
        Ok(identity)
    }

    /// The public-key signature check that deciding on `token` at `now` would make, for hosts
    /// whose signature math is asynchronous: they make it first and give the verdict back,
    /// by [`Engine::signature_verdict`] (then the decision on the same token at the same `now`
    /// repeats none of the token's own checks, which this check has made; the account's
    /// checks against the bundle are made as always) or through the host verifier. `None`
    /// when there is nothing to check ahead: the token's verification is cached, the bundle no
    /// longer answers, the token uses HMAC, or it is refused before any signature is checked
    /// (the decision says why). Only the last check waits for a verdict.
    pub fn signature_check<'s>(
        &'s mut self,
        token: &'s str,
        now: UnixTime,
    ) -> Option<token::SignatureCheck<'s, 's>> {
        let key = self.cache.key(token);
        if self.check_held_fresh(now).is_err() || self.cache.get(key, now).is_some() {
            return None;
        }
        let bundle = &self.bundle;
        let (check, prepared) = token::signature_check(
            next_check_id(),
            bundle.keys(),
            bundle.leeway(),
            token,
            now,
            &mut self.headers,
        )?;
        self.pending = Some(PendingCheck {
            id: check.id,
            keys: check.keys.len(),
            token: token.into(),
            now,
            prepared,
            verdict: None,
        });
        Some(check)
    }

    /// Gives back the verdict of the signature check numbered `id`: how many of its keys
    /// `verified` the signature and how many `refused` it (the others could not be asked).
    /// As for a token verified here, one key that verifies is enough, and the signature is
    /// bad when every key refuses it. Returns whether the verdict was kept: not when neither
    /// holds (the decision then verifies as usual), nor when that check is no longer the last
    /// one made.
    pub fn signature_verdict(&mut self, id: u32, verified: usize, refused: usize) -> bool {
        match &mut self.pending {
            Some(pending) if pending.id == id => {
                pending.verdict = if verified > 0 {
                    Some(true)
                } else if refused >= pending.keys {
                    Some(false)
                } else {
                    None
                };
                pending.verdict.is_some()
            }
            _ => false,
        }
    }

    /// The answer of the pending check, when it was made for exactly this token at this time
    /// and its verdict is in (taken: it answers once).
    fn pending_answer(
        &mut self,
        token: &str,
        now: UnixTime,
    ) -> Option<Result<token::VerifiedToken, TokenError>> {
        let pending = self.pending.as_ref()?;
        let valid = pending.verdict?;
        if pending.now != now || !same_bytes(pending.token.as_bytes(), token.as_bytes()) {
            return None;
        }
        self.pending.take().map(|p| p.prepared.answer(valid))
    }

    /// The TokenReview status of a token (`whoami`).
    pub fn review(&mut self, token: &str, now: UnixTime) -> TokenReviewStatus {
        match self.verify(token, now) {
            Ok(identity) => TokenReviewStatus::authenticated(&identity),
            Err(e) => TokenReviewStatus::refused(e),
        }
    }

    /// Decides an RBAC question for the caller of `token`.
    pub fn authorize(&mut self, token: &str, request: &RbacRequest, now: UnixTime) -> Decision {
        Decision::clone(&self.authorize_shared(token, request, now))
    }

    /// Like [`Engine::authorize`], sharing the decision: a question asked before for the same
    /// token is answered from the cache, without cloning or formatting anything.
    pub fn authorize_shared(
        &mut self,
        token: &str,
        request: &RbacRequest,
        now: UnixTime,
    ) -> Arc<Decision> {
        let key = self.cache.key(token);
        self.authorize_hashed(key, request, question_hash(request), now)
    }

    /// [`Engine::authorize_shared`] with the token's cache key and the question's hash made.
    fn authorize_hashed(
        &mut self,
        key: TokenKey<'_>,
        request: &RbacRequest,
        hash: u64,
        now: UnixTime,
    ) -> Arc<Decision> {
        if self.bundle.is_fresh(now) {
            if let Some(decision) = self.cache.decision(key, now, request, hash) {
                return decision;
            }
        }
        let decision = Arc::new(self.decide_rbac(key, request, now));
        if decision.identity.is_some() {
            self.cache.remember(key, request, hash, decision.clone());
        }
        decision
    }

    /// Like [`Engine::authorize_shared`] for a caller that keeps the token with a [`Ticket`]
    /// and the question prepared (the wasm module's registered tokens and questions): a
    /// question asked before is answered through the ticket, without hashing or comparing the
    /// token again; otherwise as `authorize_shared`, and the ticket is renewed.
    pub fn authorize_with_ticket(
        &mut self,
        token: &str,
        ticket: &mut Ticket,
        question: &Question,
        now: UnixTime,
    ) -> Arc<Decision> {
        self.answer_with_ticket(token, ticket, question, now, Arc::clone)
    }

    /// [`Engine::authorize_with_ticket`]'s status alone: a question asked before is answered
    /// without touching the decision's reference count (the wasm module's `canStatusFor`).
    #[inline(always)]
    pub fn status_with_ticket(
        &mut self,
        token: &str,
        ticket: &mut Ticket,
        question: &Question,
        now: UnixTime,
    ) -> u16 {
        self.answer_with_ticket(token, ticket, question, now, |d| d.status)
    }

    /// [`Engine::status_with_ticket`] `times` times in a row; how many were allowed. The one
    /// loop that the wasm module's `canStatusForRepeated` and the native benchmark
    /// (`examples/bench_native.rs`) both run, so that the two builds are timed on the very same
    /// work (the wasm/native ratio); a caller has no other use for it. Each decision is made
    /// in full: the inputs pass through [`std::hint::black_box`], so that no compiler (LLVM
    /// for either target, or V8 for the module) can find the repeated decision invariant and
    /// make it once for the whole loop.
    #[inline(never)]
    pub fn status_repeated(
        &mut self,
        token: &str,
        ticket: &mut Ticket,
        question: &Question,
        now: UnixTime,
        times: u32,
    ) -> u32 {
        let mut allowed = 0;
        for _ in 0..times {
            let (token, question, now) = std::hint::black_box((token, question, now));
            let status = self.status_with_ticket(token, &mut *ticket, question, now);
            allowed += u32::from(std::hint::black_box(status) == 200);
        }
        allowed
    }

    /// The two above: what `read` takes from the decision remembered through the ticket, or
    /// from the decision made now.
    #[inline(always)]
    fn answer_with_ticket<T>(
        &mut self,
        token: &str,
        ticket: &mut Ticket,
        question: &Question,
        now: UnixTime,
        read: impl Fn(&Arc<Decision>) -> T,
    ) -> T {
        if self.bundle.is_fresh(now) {
            if let Some(answer) = self.cache.by_ticket(ticket, now, question, &read) {
                return answer;
            }
        }
        read(&self.decide_with_ticket(token, ticket, question, now))
    }

    /// The ticket found no remembered decision: as [`Engine::authorize_shared`] (the token
    /// looked up by its text), and the ticket renewed.
    fn decide_with_ticket(
        &mut self,
        token: &str,
        ticket: &mut Ticket,
        question: &Question,
        now: UnixTime,
    ) -> Arc<Decision> {
        let key = self.cache.key(token);
        let decision = self.authorize_hashed(key, question.request(), question.hash(), now);
        *ticket = self.cache.ticket(key);
        decision
    }

    fn decide_rbac(&mut self, key: TokenKey<'_>, request: &RbacRequest, now: UnixTime) -> Decision {
        let kind = match request {
            RbacRequest::Resource(_) => DecisionKind::Resource,
            RbacRequest::NonResource(_) => DecisionKind::NonResource,
        };
        let revision = self.bundle.revision();
        let identity = match self.verify_key(key, now) {
            Ok(identity) => identity,
            Err(e) => return unauthenticated(kind, &e, revision),
        };
        let (allowed, explanation) =
            self.bundle
                .rbac()
                .explain(&identity, self.bundle.namespaces(), request);
        Decision {
            allowed,
            status: if allowed { 200 } else { 403 },
            reasons: vec![if allowed {
                "rbac-allowed"
            } else {
                "rbac-denied"
            }
            .to_string()],
            explanation,
            kind,
            identity: Some(identity),
            route: None,
            revision,
        }
    }

    /// Decides an HTTP request against the routes: the token is read from the request's
    /// headers (every Pomerium form and plain bearer).
    pub fn check_http(&mut self, request: &HttpRequest, now: UnixTime) -> Decision {
        let token = token_from_headers(|name| request.headers.get(name).map(String::as_str));
        self.check_http_with(request, token, now)
    }

    /// Like [`Engine::check_http`], with the token (or why there is none) given directly.
    pub fn check_http_with(
        &mut self,
        request: &HttpRequest,
        token: Result<&str, TokenError>,
        now: UnixTime,
    ) -> Decision {
        let revision = self.bundle.revision();
        let kind = DecisionKind::Http;
        if let Err(e) = self.check_held_fresh(now) {
            return Decision::deny(kind, 503, "bundle-expired", e.to_string(), revision);
        }
        let bundle = self.bundle.clone();
        let Some(route) = bundle.routes().find(&request.host, &request.path) else {
            let why = format!(
                "no route serves {} {}{}",
                request.method, request.host, request.path
            );
            return Decision::deny(kind, 404, "route-not-found", why, revision);
        };
        if request.source_ip.is_none() && route.policy.reads_source_ip() {
            let why = format!(
                "route {:?} has a source_ip rule: the request must give the client's address",
                route.name
            );
            let reason = crate::policy::reasons::SOURCE_IP_UNKNOWN;
            return Decision::deny(kind, 400, reason, why, revision);
        }
        let (identity, token_error) = match token {
            Ok(token) => match self.verify(token, now) {
                Ok(identity) => (Some(identity), None),
                Err(e) => (None, Some(e)),
            },
            Err(TokenError::Missing) => (None, None),
            Err(e) => (None, Some(AuthError::Token(e))),
        };
        let roles = || match &identity {
            Some(id) => bundle
                .rbac()
                .roles_held(id, bundle.namespaces(), &route.namespace),
            None => Vec::new(),
        };
        let context = PolicyContext {
            identity: identity.as_deref(),
            method: &request.method,
            host: request.hostname(),
            path: &request.path,
            source_ip: request.source_ip,
            now,
            roles: &roles,
        };
        let outcome = route.policy.evaluate(&context);
        let mut reasons = outcome.reasons;
        let mut explanation = outcome.explanation;
        if !outcome.allowed && reasons.is_empty() {
            // Only a policy without any allow rule gives no reason (as in Pomerium).
            reasons.push(crate::policy::reasons::NO_ALLOW_RULE.to_string());
        }
        if let (false, Some(e)) = (outcome.allowed, &token_error) {
            reasons.push(e.code().to_string());
            explanation = format!("{explanation}; the token was refused: {e}");
        }
        Decision {
            allowed: outcome.allowed,
            status: outcome.status,
            reasons,
            explanation,
            kind,
            identity: identity.filter(|_| !outcome.identity_unused),
            route: Some(route.name.clone()),
            revision,
        }
    }
}

fn unauthenticated(kind: DecisionKind, error: &AuthError, revision: u64) -> Decision {
    let status = if matches!(error, AuthError::Bundle(_)) {
        503
    } else {
        401
    };
    Decision::deny(kind, status, error.code(), error.to_string(), revision)
}

fn load_signed(
    bytes: &[u8],
    signature: &str,
    trusted: &TrustedKeys,
    now: UnixTime,
) -> Result<Bundle, BundleError> {
    trusted.verify(bytes, signature)?;
    let bundle = Bundle::from_json(bytes)?;
    bundle.check_fresh(now)?;
    Ok(bundle)
}

/// The numbers of signature checks, shared by every engine of the process (or wasm instance):
/// a verdict numbered for one engine's check can never be taken by another's.
static CHECKS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A number no other pending check has (they wrap after 2^32 checks, long after any check
/// has been replaced by a newer one).
fn next_check_id() -> u32 {
    CHECKS
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        .wrapping_add(1)
}

/// A signature check waiting for its verdict ([`Engine::signature_check`]).
#[derive(Debug)]
struct PendingCheck {
    id: u32,
    /// How many keys the check named.
    keys: usize,
    /// The whole token, compared in full with the one a decision verifies.
    token: Box<str>,
    now: UnixTime,
    prepared: token::Prepared,
    verdict: Option<bool>,
}
