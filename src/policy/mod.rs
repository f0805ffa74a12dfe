//! Route policies in the Pomerium Policy Language (DESIGN 1.5).
//!
//! A bundle's routes are compiled once, at load ([`RouteTable::compile`]): each `from` is
//! parsed and indexed by host, each path matcher and policy compiled, and every problem
//! recorded with its JSON path. A decision ([`RouteTable::find`], then [`Policy::evaluate`])
//! reads no JSON.
//!
//! The semantics are Pomerium's, quirks included: `not` is "none of", `nor` is "not all of",
//! several operators in a block (and several rules) are OR-ed, deny overrides allow, no
//! matching allow is a denial, and the reasons are Pomerium's codes, merged as Pomerium merges
//! them (the reasons of the results that decided). A criterion that needs an identity, without
//! one, gives `user-unauthenticated`, and that reason anywhere in the evaluated result means
//! 401 (Pomerium redirects to sign-in), as in Pomerium's authorize service.
//!
//! # Where tessera differs from Pomerium
//!
//! - Identities are service accounts: `user` matches the account's user id, `email`/`domain`
//!   its (impersonated user's) email, `groups` its group names and directory group ids (and
//!   its Kubernetes groups; `is` is Pomerium's "exactly one directory group", by id or name),
//!   and `claim/<path>` the verified token's claims (not an identity provider's).
//! - Extra criteria: `namespace`, `service_account` (`<namespace>/<name>`) and `role` (RBAC
//!   roles held in the route's namespace), with reasons `namespace-ok`/`-unauthorized`,
//!   `service-account-ok`/`-unauthorized`, `role-ok`/`-unauthorized`.
//! - `date`, `day_of_week`, `time_of_day` (Pomerium Enterprise) publish no reason codes;
//!   tessera uses `date-ok`, `day-of-week-ok`, `time-of-day-ok` and their `-unauthorized`.
//! - Time zones are `UTC` or fixed offsets (`+02:00`) only: no time zone database is in the
//!   module, and an IANA name (`Europe/Paris`) is a compile problem saying so.
//!   `day_of_week` is read in UTC, or `{"is": "mon-fri", "timezone": "+02:00"}`.
//! - `time_of_day` with `after` not earlier than `before` (never true in Pomerium) is a
//!   compile problem; `after` and `before` are strict, at one-second resolution.
//! - `date` accepts RFC 3339, and a date-time without offset as UTC.
//! - Refused at compile where Pomerium compiles a policy that silently never (or always)
//!   matches: a matcher object with no operator (`user: {}` matches everyone in Pomerium),
//!   a number, boolean or array where a string is compared (`user: 42`), and nested
//!   operators (Pomerium: "unknown policy criterion").
//! - `claim/<path>`: the whole sub-path is tried as one key first (as Pomerium does), then
//!   `/` and `.` separate levels at any depth (Pomerium stops at five), preferring the longest
//!   key at each level, so `claim/kubernetes.io/namespace` reads a bound token's claim.
//! - A rule body's `action` key, which Pomerium's parser ignores, is an unknown operator.
//! - Paths: routes and `http_path` see a request's path normalized and percent-decoded, as
//!   Pomerium does behind Envoy; beyond it, repeated slashes are merged and a path whose
//!   encoded slashes make a dot segment is refused (see [`crate::HttpRequest::new`]). Envoy
//!   matches Pomerium's routes on the path with only unreserved characters decoded, so a
//!   route `path`, `prefix` or `regex` with a percent-escape (`/a%20b/`), which tessera's
//!   decoded paths never match, is a compile problem.
//! - The client's address: Pomerium always has it; tessera is given it or not. A route whose
//!   policy has a `source_ip` rule is a denial (400, `source-ip-unknown`) for a request
//!   without one: "not in the range" would let a deny rule or a `not` pass everyone. An
//!   IPv4-mapped range (`::ffff:10.0.0.0/104`) is the IPv4 range, as in Go's `net`.
//! - The HTTP method is compared upper-cased (`get` is `GET`); Pomerium compares it as sent.
//!   A client's lower-case method thus meets the rules written for the method (a deny rule
//!   for `DELETE` also refuses `delete`).
//! - Without a token, `email` and `claim/<path>` give `user-unauthenticated` (401), also
//!   under `not`/`exclude`; Pomerium reads an empty email and no claim values there, so that
//!   `email: {not: "x"}` or `claim/groups: {exclude: "y"}` allows an anonymous caller.
//! - A policy without any allow rule denies with no reason, as in Pomerium; the engine's
//!   decision then gives the reason `no-allow-rule`, so that every denial names one.
//! - Namespaces (DESIGN 1.1): an account works only for routes in its namespace and the
//!   descendants. An identity from elsewhere counts for nothing: the route decides as without
//!   one, so a public route (`accept`) still serves the request (with no identity in the
//!   decision), and what that denies is a 403 with the reason `route-namespace-unauthorized`.

mod cidr;
mod clock;
mod criteria;
mod eval;
mod matchers;
mod parse;
pub mod reasons;
mod routes;

#[cfg(test)]
mod tests;

use std::net::IpAddr;

use serde::Serialize;

pub use routes::PathMatch;

use crate::bundle::{NamespaceTree, Problems};
use crate::identity::Identity;
use crate::schema::Route;
use crate::time::UnixTime;

/// The routes of a bundle, indexed by host.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<CompiledRoute>,
    by_host: routes::HostIndex,
}

/// A route with its compiled policy.
#[derive(Debug)]
pub struct CompiledRoute {
    /// The route's name.
    pub name: String,
    /// The namespace it belongs to.
    pub namespace: String,
    /// Its policy.
    pub policy: Policy,
    /// The host it serves, lower case, with `:port` when `from` gave one.
    pub host: String,
    /// The paths it serves.
    pub paths: PathMatch,
}

/// A compiled PPL policy. The default policy has no rule, so it denies everything.
#[derive(Debug, Default)]
pub struct Policy {
    allow: Vec<parse::Operator>,
    deny: Vec<parse::Operator>,
    /// For a route's policy: the namespaces whose accounts may use the route (the route's
    /// namespace and its ancestors, DESIGN 1.1). `None`: no restriction.
    scope: Option<Vec<String>>,
    /// Whether any rule reads the client's address (see [`Policy::reads_source_ip`]), found
    /// once when the policy is compiled.
    reads_source_ip: bool,
}

/// Everything a policy may look at.
pub struct PolicyContext<'a> {
    /// The verified caller, if any.
    pub identity: Option<&'a Identity>,
    /// HTTP method, upper case.
    pub method: &'a str,
    /// Host, lower case, without the port.
    pub host: &'a str,
    /// Path, starting with '/', without the query.
    pub path: &'a str,
    /// The client's address, if known.
    pub source_ip: Option<IpAddr>,
    /// The time of the decision.
    pub now: UnixTime,
    /// The names of the RBAC roles the identity holds in the route's namespace (asked only when
    /// a `role` criterion is evaluated).
    pub roles: &'a dyn Fn() -> Vec<String>,
}

/// A policy's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyOutcome {
    /// Allowed or not.
    pub allowed: bool,
    /// 200, 401 (no valid identity where one is needed) or 403.
    pub status: u16,
    /// Pomerium's reason codes, sorted.
    pub reasons: Vec<String>,
    /// Which rule and criterion decided.
    pub explanation: String,
    /// Allowed without the caller's identity, which may not act in the route's namespace (the
    /// route allows anyone): a decision that carries no identity.
    #[serde(skip)]
    pub identity_unused: bool,
}

impl RouteTable {
    /// Compiles every route's policy, recording problems with their paths.
    pub fn compile(
        routes: &[Route],
        namespaces: &NamespaceTree,
        problems: &mut Problems,
    ) -> RouteTable {
        RouteTable::build(routes, namespaces, problems)
    }

    /// The route that serves `host` and `path`, if any (first match in bundle order).
    /// `host` is compared case-insensitively. A `from` without a port (or with the scheme's
    /// default one) serves the host on any port, as in Pomerium (`match_any_incoming_port`); a
    /// `from` with another port serves that port only, and a request to `host:port` goes to
    /// the routes naming that port when there are any.
    pub fn find(&self, host: &str, path: &str) -> Option<&CompiledRoute> {
        self.lookup(host, path)
    }

    /// All routes, in bundle order.
    pub fn routes(&self) -> &[CompiledRoute] {
        &self.routes
    }
}

impl Policy {
    /// Compiles a policy (a rule object or an array of rules) found at `path`, recording
    /// problems there. What could not be compiled is left out.
    pub fn compile(value: &serde_json::Value, path: &str, problems: &mut Problems) -> Policy {
        parse::compile(value, path, problems)
    }

    /// Evaluates the policy.
    pub fn evaluate(&self, context: &PolicyContext<'_>) -> PolicyOutcome {
        eval::evaluate(self, context)
    }

    /// Whether any rule reads the client's address (`source_ip`): such a policy cannot be
    /// decided without it (Pomerium always has it), since "no match" would let a deny rule or
    /// a `not` pass every caller whose address was not given.
    pub fn reads_source_ip(&self) -> bool {
        self.reads_source_ip
    }
}
