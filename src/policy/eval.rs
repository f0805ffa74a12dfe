//! Evaluating a compiled policy, with Pomerium's merging of results and reasons
//! (`pkg/policy/rules`: `merge_with_and`, `merge_with_or`, `invert_criterion_result`) and its
//! decision (`authorize`'s `handleResult`).

use super::criteria::{Outcome, RolesCache};
use super::parse::{Operator, OperatorKind};
use super::reasons::{self as r, Reasons};
use super::{Policy, PolicyContext, PolicyOutcome};

/// An operator's or an action's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Merged {
    /// Whether it matched.
    pub(crate) matched: bool,
    /// Pomerium's reasons: those of the results that decided.
    pub(crate) reasons: Reasons,
    /// A sentence saying which criterion decided.
    pub(crate) explanation: String,
}

/// Evaluates one operator. `not` and `nor` invert each criterion's result but keep its
/// reason, then merge with `and` (`not`: none matched) or `or` (`nor`: not all matched). A
/// merge that holds keeps the reasons of the results that held; one that fails keeps the
/// reasons of the results that failed.
pub(crate) fn operator(op: &Operator, cx: &PolicyContext<'_>, roles: &RolesCache) -> Merged {
    let outcomes: Vec<Outcome> = op.criteria.iter().map(|c| c.evaluate(cx, roles)).collect();
    let inverted = matches!(op.kind, OperatorKind::Not | OperatorKind::Nor);
    let value = |o: &Outcome| o.matched != inverted;
    let all = outcomes.iter().all(value);
    let any = outcomes.iter().any(value);
    let matched = match op.kind {
        OperatorKind::And | OperatorKind::Not => all,
        OperatorKind::Or | OperatorKind::Nor => any,
    };
    let reasons = outcomes
        .iter()
        .filter(|o| value(o) == matched)
        .map(|o| o.reason)
        .collect();
    let say = |i: usize| -> String {
        let (Some(c), Some(o)) = (op.wording.get(i), outcomes.get(i)) else {
            return String::new();
        };
        let verdict = if o.matched {
            "matched"
        } else if o.reason == r::USER_UNAUTHENTICATED {
            "needs an identity (none was presented)"
        } else {
            "did not match"
        };
        format!("{}[{i}] {c} {verdict}", op.label)
    };
    let all_of = |what: &str| format!("{} {what}: {}", op.label, op.listed);
    // The criterion that decided: the first whose (possibly inverted) value equals the
    // result for `or`/`nor` holding and `and`/`not` failing; otherwise all of them did.
    let decisive = outcomes.iter().position(|o| value(o) == matched);
    // When the result rests on a missing identity, name the criterion that needed one.
    let needs_identity = outcomes
        .iter()
        .position(|o| value(o) == matched && o.reason == r::USER_UNAUTHENTICATED);
    let explanation = match (op.kind, matched) {
        _ if needs_identity.is_some() => needs_identity.map(say).unwrap_or_default(),
        (OperatorKind::Or, true) | (OperatorKind::And, false) => {
            decisive.map(say).unwrap_or_default()
        }
        (OperatorKind::Nor, true) | (OperatorKind::Not, false) => {
            decisive.map(say).unwrap_or_default()
        }
        (OperatorKind::And, true) => all_of("all matched"),
        (OperatorKind::Or, false) => all_of("none matched"),
        (OperatorKind::Not, true) => all_of("none matched, as required"),
        (OperatorKind::Nor, false) => all_of("all matched, so nor fails"),
    };
    Merged {
        matched,
        reasons,
        explanation,
    }
}

/// Evaluates every operator of one action (all `allow` or all `deny` blocks of every rule) and
/// merges them with `or`, as Pomerium does. `None` when the action has no operator.
fn action(ops: &[Operator], cx: &PolicyContext<'_>, roles: &RolesCache) -> Option<Merged> {
    if ops.is_empty() {
        return None;
    }
    let results: Vec<Merged> = ops.iter().map(|op| operator(op, cx, roles)).collect();
    let matched = results.iter().any(|m| m.matched);
    let deciding: Vec<&Merged> = results.iter().filter(|m| m.matched == matched).collect();
    let reasons = deciding
        .iter()
        .flat_map(|m| m.reasons.iter().copied())
        .collect();
    let explanation = if matched {
        deciding
            .first()
            .map(|m| m.explanation.clone())
            .unwrap_or_default()
    } else {
        deciding
            .iter()
            .map(|m| m.explanation.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    Some(Merged {
        matched,
        reasons,
        explanation,
    })
}

/// Decides, as Pomerium's authorize service does: a reason `user-unauthenticated` on either
/// side means the caller must authenticate (401); a matching deny is 403 with its reasons; a
/// matching allow is 200; otherwise 403 with the allow side's reasons.
///
/// An account outside the route's namespace and its ancestors' may not act here (DESIGN 1.1):
/// its identity counts for nothing, so the route decides as it would without one. What that
/// allows (a public route) is allowed, without the identity; what it denies is a 403
/// `route-namespace-unauthorized`.
pub(crate) fn evaluate(policy: &Policy, cx: &PolicyContext<'_>) -> PolicyOutcome {
    if let (Some(id), Some(scope)) = (cx.identity, &policy.scope) {
        if !scope.contains(&id.namespace) {
            let without = decide(
                policy,
                &PolicyContext {
                    identity: None,
                    ..*cx
                },
            );
            if without.allowed {
                return PolicyOutcome {
                    identity_unused: true,
                    ..without
                };
            }
            let route_ns = scope.first().map(String::as_str).unwrap_or_default();
            return outcome(
                false,
                403,
                Reasons::from([r::ROUTE_NAMESPACE_UNAUTHORIZED]),
                format!(
                    "denied: service account {}/{} may act only in namespace {:?} and its descendants, and this route belongs to namespace {route_ns:?}",
                    id.namespace, id.service_account, id.namespace
                ),
            );
        }
    }
    decide(policy, cx)
}

/// [`evaluate`] once the identity, if any, may act on the route.
fn decide(policy: &Policy, cx: &PolicyContext<'_>) -> PolicyOutcome {
    let roles = RolesCache::new();
    let allow = action(&policy.allow, cx, &roles);
    let deny = action(&policy.deny, cx, &roles);
    let reasons_of = |m: &Option<Merged>| m.as_ref().map(|m| m.reasons.clone()).unwrap_or_default();
    let needs_user = |m: &Option<Merged>| {
        m.as_ref()
            .is_some_and(|m| m.reasons.contains(r::USER_UNAUTHENTICATED))
    };
    if cx.identity.is_none() && (needs_user(&allow) || needs_user(&deny)) {
        let mut reasons = reasons_of(&allow);
        reasons.extend(reasons_of(&deny));
        let why = [&allow, &deny]
            .into_iter()
            .flatten()
            .filter(|m| m.reasons.contains(r::USER_UNAUTHENTICATED))
            .map(|m| m.explanation.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        return outcome(
            false,
            401,
            reasons,
            format!("authentication required: {why}"),
        );
    }
    if let Some(deny) = deny.filter(|d| d.matched) {
        let text = format!("denied by {}", deny.explanation);
        return outcome(false, 403, deny.reasons, text);
    }
    match allow {
        Some(a) if a.matched => {
            let text = format!("allowed by {}", a.explanation);
            outcome(true, 200, a.reasons, text)
        }
        Some(a) => {
            let text = format!("denied: no allow rule matched ({})", a.explanation);
            outcome(false, 403, a.reasons, text)
        }
        None => outcome(
            false,
            403,
            Reasons::new(),
            "denied: the policy has no allow rule".to_string(),
        ),
    }
}

fn outcome(allowed: bool, status: u16, reasons: Reasons, explanation: String) -> PolicyOutcome {
    PolicyOutcome {
        allowed,
        status,
        reasons: reasons.into_iter().map(str::to_string).collect(),
        explanation,
        identity_unused: false,
    }
}
