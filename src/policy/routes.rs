//! Routes: `from` (`https://host[:port]`) plus an optional exact path, prefix or regex,
//! indexed by host so that finding a request's route never scans every route.

use foldhash::HashMap;

use super::{parse, CompiledRoute, RouteTable};
use crate::bundle::{NamespaceTree, Problems};
use crate::schema::Route;

/// Which paths a route serves.
#[derive(Debug, Clone)]
pub enum PathMatch {
    /// Every path (the route gives no `path`, `prefix` or `regex`).
    Any,
    /// Exactly this path.
    Exact(String),
    /// Paths starting with this prefix.
    Prefix(String),
    /// Paths matching this regular expression, anchored at both ends.
    Regex(regex_lite::Regex),
}

impl PathMatch {
    /// Whether `path` is served.
    pub fn matches(&self, path: &str) -> bool {
        match self {
            PathMatch::Any => true,
            PathMatch::Exact(p) => path == p,
            PathMatch::Prefix(p) => path.starts_with(p.as_str()),
            PathMatch::Regex(re) => re.is_match(path),
        }
    }
}

/// Parses `from` into the index key, lower-cased: `host:port` for a port other than the
/// scheme's default, else `host` (a route that then serves the host on any port, as Pomerium's
/// `match_any_incoming_port`, on by default, has it).
fn parse_from(from: &str) -> Result<String, String> {
    let not_url =
        || format!("{from:?} is not an http(s) URL (expected e.g. \"https://app.example.com\")");
    let (scheme, rest) = from.split_once("://").ok_or_else(not_url)?;
    if !crate::request::is_http_scheme(scheme) {
        return Err(not_url());
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#']) {
        return Err(format!(
            "{from:?} must be scheme and host only (give the path as \"path\", \"prefix\" or \"regex\")"
        ));
    }
    // The same reading of `host[:port]` as a request's (a name, or `[v6]`, then digits).
    if !crate::request::is_host(authority) {
        return Err(not_url());
    }
    let host = crate::request::without_port(authority);
    let port = authority
        .get(host.len()..)
        .and_then(|p| p.strip_prefix(':'));
    let host = host.to_ascii_lowercase();
    let default_port = if scheme.eq_ignore_ascii_case("https") {
        443
    } else {
        80
    };
    match port {
        None => Ok(host),
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n == default_port && p.bytes().all(|b| b.is_ascii_digit()) => Ok(host),
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Ok(format!("{host}:{n}")),
            _ => Err(format!("{from:?} has an invalid port {p:?}")),
        },
    }
}

/// Whether `text` has a percent-escape (`%` and two hex digits). A route's path is compared
/// with the request's path decoded, where no escape is left: Envoy, which matches Pomerium's
/// routes on the path with only the escapes of unreserved characters decoded, would match
/// `/files/a%20b/` where tessera never would, and a request that should meet that route's
/// policy would go on to the next route.
fn has_percent_escape(text: &str) -> bool {
    text.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

fn path_match(route: &Route, at: &str, problems: &mut Problems) -> PathMatch {
    let given = [
        route.path.is_some(),
        route.prefix.is_some(),
        route.regex.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        problems.push(at, "give at most one of path, prefix and regex");
    }
    for (member, text) in [
        ("path", &route.path),
        ("prefix", &route.prefix),
        ("regex", &route.regex),
    ] {
        if let Some(text) = text.as_deref().filter(|t| has_percent_escape(t)) {
            problems.push(
                format!("{at}.{member}"),
                format!(
                    "{text:?} has a percent-escape: routes see the decoded path, so it would \
                     never match (write the character itself)"
                ),
            );
        }
    }
    if let Some(p) = &route.path {
        if !p.starts_with('/') {
            problems.push(format!("{at}.path"), format!("{p:?} must start with '/'"));
        }
        return PathMatch::Exact(p.clone());
    }
    if let Some(p) = &route.prefix {
        if !p.starts_with('/') {
            problems.push(format!("{at}.prefix"), format!("{p:?} must start with '/'"));
        }
        return PathMatch::Prefix(p.clone());
    }
    if let Some(r) = &route.regex {
        // Compiled alone first: only a complete expression may be wrapped in the anchors (a
        // regex like `/a)|(.*` would otherwise escape them and match every path). regex-lite
        // bounds the nesting depth; the compiled size is bounded here, far below its default
        // of 10 MB: hundreds of routes at that size would exhaust the module's memory, and a
        // match costs time in proportion to it.
        let compile = |pattern: &str| {
            regex_lite::RegexBuilder::new(pattern)
                .size_limit(MAX_REGEX_SIZE)
                .build()
        };
        let anchored = compile(r).and_then(|_| compile(&format!("^(?:{r})$")));
        return match anchored {
            Ok(re) => PathMatch::Regex(re),
            Err(e) => {
                problems.push(
                    format!("{at}.regex"),
                    format!("{r:?} is not a valid regular expression: {e}"),
                );
                PathMatch::Any
            }
        };
    }
    PathMatch::Any
}

/// The compiled size a route's regex may reach (regex-lite's approximate bytes): ample for a
/// path pattern (`/api/v[0-9]+/users/[^/]+(/keys/[a-z0-9-]{1,64})?` takes a few KB), small
/// enough that every route of a bundle together stays far from the module's memory, and that
/// matching a path (at most 16 KB, [`crate::request::MAX_URL_BYTES`]), whose time grows with
/// the size, stays in milliseconds even for a regex written to be slow.
const MAX_REGEX_SIZE: usize = 16 * 1024;

/// The namespaces whose accounts may use a route of `namespace`: it and its ancestors.
fn scope(namespace: &str, namespaces: &NamespaceTree) -> Vec<String> {
    let mut scope = vec![namespace.to_string()];
    let mut at = namespace;
    // INVARIANT: the walk stops at a repeat, so even a cyclic tree cannot loop.
    while let Some(parent) = namespaces.parent(at) {
        if scope.iter().any(|n| n == parent) {
            break;
        }
        scope.push(parent.to_string());
        at = parent;
    }
    scope
}

impl RouteTable {
    /// Compiles every route, recording problems with their paths (`routes[i]...`).
    pub(crate) fn build(
        routes: &[Route],
        namespaces: &NamespaceTree,
        problems: &mut Problems,
    ) -> RouteTable {
        let mut table = RouteTable::default();
        for (i, route) in routes.iter().enumerate() {
            let at = format!("routes[{i}]");
            if !namespaces.contains(&route.namespace) {
                problems.push(
                    format!("{at}.namespace"),
                    format!("{:?} is not a defined namespace", route.namespace),
                );
            }
            let host = parse_from(&route.from)
                .map_err(|e| problems.push(format!("{at}.from"), e))
                .ok();
            let paths = path_match(route, &at, problems);
            let mut policy = parse::compile(&route.policy, &format!("{at}.policy"), problems);
            policy.scope = Some(scope(&route.namespace, namespaces));
            let index = table.routes.len();
            table.routes.push(CompiledRoute {
                name: route.name.clone(),
                namespace: route.namespace.clone(),
                policy,
                host: host.clone().unwrap_or_default(),
                paths,
            });
            if let Some(host) = host {
                table.by_host.entry(host).or_default().push(index);
            }
        }
        table
    }

    /// The first route, in bundle order, that serves the path among the routes of the host:
    /// those whose `from` names its port, if any does (as Envoy prefers an exact domain), else
    /// those whose `from` names no port (or the default one), which serve the host on any port.
    pub(crate) fn lookup(&self, host: &str, path: &str) -> Option<&CompiledRoute> {
        let key;
        let host = if host.bytes().any(|b| b.is_ascii_uppercase()) {
            key = host.to_ascii_lowercase();
            key.as_str()
        } else {
            host
        };
        let routes = match self.by_host.get(host) {
            Some(routes) => routes,
            None => self.by_host.get(crate::request::without_port(host))?,
        };
        routes
            .iter()
            .filter_map(|&i| self.routes.get(i))
            .find(|route| route.paths.matches(path))
    }
}

/// The index: host key to route indexes in bundle order.
pub(crate) type HostIndex = HashMap<String, Vec<usize>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_is_scheme_host_and_optional_port() {
        let cases = [
            ("https://App.Example.com", Ok("app.example.com".to_string())),
            ("http://app.example.com:8080", Ok("app.example.com:8080".to_string())),
            ("https://app.example.com:443", Ok("app.example.com".to_string())),
            ("http://app.example.com:80", Ok("app.example.com".to_string())),
            ("http://app.example.com:443", Ok("app.example.com:443".to_string())),
            ("https://app.example.com/", Ok("app.example.com".to_string())),
            ("HTTPS://[::1]:8443", Ok("[::1]:8443".to_string())),
            (
                "https://[::1]x",
                Err("\"https://[::1]x\" is not an http(s) URL (expected e.g. \"https://app.example.com\")".to_string()),
            ),
            (
                "ftp://x",
                Err("\"ftp://x\" is not an http(s) URL (expected e.g. \"https://app.example.com\")".to_string()),
            ),
            (
                "app.example.com",
                Err("\"app.example.com\" is not an http(s) URL (expected e.g. \"https://app.example.com\")".to_string()),
            ),
            (
                "https://x/api",
                Err("\"https://x/api\" must be scheme and host only (give the path as \"path\", \"prefix\" or \"regex\")".to_string()),
            ),
            (
                "https://x:99999",
                Err("\"https://x:99999\" has an invalid port \"99999\"".to_string()),
            ),
        ];
        for (from, want) in cases {
            assert_eq!(parse_from(from), want, "{from}");
        }
    }
}
