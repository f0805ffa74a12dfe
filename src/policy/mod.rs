//! Route policies in the Pomerium Policy Language (DESIGN 1.5).

use std::net::IpAddr;

use serde::Serialize;

use crate::bundle::{NamespaceTree, Problems};
use crate::identity::Identity;
use crate::schema::Route;
use crate::time::UnixTime;

/// The routes of a bundle, indexed by host.
#[derive(Debug, Default)]
pub struct RouteTable {}

/// A route with its compiled policy.
#[derive(Debug)]
pub struct CompiledRoute {
    /// The route's name.
    pub name: String,
    /// The namespace it belongs to.
    pub namespace: String,
    /// Its policy.
    pub policy: Policy,
}

/// A compiled PPL policy.
#[derive(Debug, Default)]
pub struct Policy {}

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
    /// Pomerium's reason codes.
    pub reasons: Vec<String>,
    /// Which rule and criterion decided.
    pub explanation: String,
}

impl RouteTable {
    /// Compiles every route's policy, recording problems with their paths.
    pub fn compile(
        _routes: &[Route],
        _namespaces: &NamespaceTree,
        _problems: &mut Problems,
    ) -> RouteTable {
        RouteTable {}
    }

    /// The route that serves `host` and `path`, if any (first match in bundle order).
    pub fn find(&self, _host: &str, _path: &str) -> Option<&CompiledRoute> {
        None
    }
}

impl Policy {
    /// Evaluates the policy.
    pub fn evaluate(&self, _context: &PolicyContext<'_>) -> PolicyOutcome {
        PolicyOutcome {
            allowed: false,
            status: 403,
            reasons: vec![],
            explanation: String::new(),
        }
    }
}
