//! The criteria of PPL: what each one reads and which reasons it gives.

use std::cell::OnceCell;
use std::fmt;

use serde_json::{Map, Value};

use super::cidr::Cidr;
use super::clock;
use super::matchers::{describe, string, ListMatcher, Scalar, StringMatcher};
use super::reasons as r;
use super::PolicyContext;
use crate::bundle::Problems;
use crate::time::UnixTime;

/// Every criterion name tessera knows, for messages.
pub(crate) const NAMES: &str = "accept, reject, authenticated_user, user, email, domain, groups, claim/<path>, http_method, http_path, source_ip, date, day_of_week, time_of_day, namespace, service_account, role";

/// One compiled criterion.
#[derive(Debug, Clone)]
pub(crate) enum Criterion {
    /// Always matches.
    Accept,
    /// Never matches.
    Reject,
    /// Any identity.
    AuthenticatedUser,
    /// The identity's user id.
    User(StringMatcher),
    /// The identity's email.
    Email(StringMatcher),
    /// The domain of the identity's email.
    Domain(StringMatcher),
    /// The identity's group names and group ids.
    Groups(ListMatcher),
    /// A token claim.
    Claim {
        /// The sub-path as written (`kubernetes.io/namespace`).
        path: String,
        /// The matcher over the claim's values.
        matcher: ListMatcher,
    },
    /// The request method.
    HttpMethod(StringMatcher),
    /// The request path.
    HttpPath(StringMatcher),
    /// The client address.
    SourceIp(Vec<Cidr>),
    /// The decision time against instants.
    Date {
        /// Strictly after.
        after: Option<UnixTime>,
        /// Strictly before.
        before: Option<UnixTime>,
    },
    /// The day of the week at a fixed offset.
    DayOfWeek {
        /// Bit set, bit 0 = Sunday.
        days: u8,
        /// Seconds east of UTC.
        offset: i64,
    },
    /// The time of day at a fixed offset.
    TimeOfDay {
        /// Seconds east of UTC.
        offset: i64,
        /// Strictly after this second of the day.
        after: Option<u32>,
        /// Strictly before this second of the day.
        before: Option<u32>,
    },
    /// The identity's account namespace (tessera).
    Namespace(StringMatcher),
    /// The identity's account, `<namespace>/<name>` (tessera).
    ServiceAccount(StringMatcher),
    /// The RBAC roles held in the route's namespace (tessera).
    Role(ListMatcher),
}

/// What evaluating a criterion gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Whether it matched.
    pub(crate) matched: bool,
    /// Its reason code.
    pub(crate) reason: &'static str,
}

impl Outcome {
    fn of(matched: bool, ok: &'static str, unauthorized: &'static str) -> Outcome {
        Outcome {
            matched,
            reason: if matched { ok } else { unauthorized },
        }
    }

    const UNAUTHENTICATED: Outcome = Outcome {
        matched: false,
        reason: r::USER_UNAUTHENTICATED,
    };
}

/// Per-evaluation memo of the roles (asked at most once, and only if a `role` is evaluated).
pub(crate) type RolesCache = OnceCell<Vec<String>>;

impl Criterion {
    /// Compiles the criterion `key: value` found at `path` (the criterion object's path).
    pub(crate) fn parse(
        key: &str,
        value: &Value,
        path: &str,
        problems: &mut Problems,
    ) -> Option<Criterion> {
        let (name, sub_path) = match key.split_once('/') {
            Some((name, sub)) => (name, Some(sub)),
            None => (key, None),
        };
        let at = format!("{path}.{key}");
        let known = NAMES
            .split(", ")
            .any(|n| n == name || n.strip_suffix("/<path>") == Some(name));
        if known && name != "claim" && sub_path.is_some() {
            problems.push(
                path,
                format!("criterion {name:?} takes no sub-path (only claim/<path> does)"),
            );
            return None;
        }
        let c = match name {
            "accept" => Criterion::Accept,
            "reject" => Criterion::Reject,
            "authenticated_user" => Criterion::AuthenticatedUser,
            "user" => Criterion::User(StringMatcher::parse(value, &at, problems)?),
            "email" => Criterion::Email(StringMatcher::parse(value, &at, problems)?),
            "domain" => Criterion::Domain(StringMatcher::parse(value, &at, problems)?),
            "groups" => Criterion::Groups(ListMatcher::parse_strings(value, &at, problems)?),
            "claim" => match sub_path {
                Some(p) if !p.is_empty() => Criterion::Claim {
                    path: p.to_string(),
                    matcher: ListMatcher::parse_scalars(value, &at, problems)?,
                },
                _ => {
                    problems.push(
                        path,
                        "\"claim\" needs the claim's path, e.g. \"claim/groups\"",
                    );
                    return None;
                }
            },
            "http_method" => Criterion::HttpMethod(StringMatcher::parse(value, &at, problems)?),
            "http_path" => Criterion::HttpPath(StringMatcher::parse(value, &at, problems)?),
            "source_ip" => Criterion::SourceIp(parse_source_ip(value, &at, problems)?),
            "date" => parse_date(value, &at, problems)?,
            "day_of_week" => parse_day_of_week(value, &at, problems)?,
            "time_of_day" => parse_time_of_day(value, &at, problems)?,
            "namespace" => Criterion::Namespace(StringMatcher::parse(value, &at, problems)?),
            "service_account" => {
                Criterion::ServiceAccount(StringMatcher::parse(value, &at, problems)?)
            }
            "role" => Criterion::Role(ListMatcher::parse_strings(value, &at, problems)?),
            "and" | "or" | "not" | "nor" => {
                problems.push(
                    path,
                    format!("{name:?} cannot be nested: as in Pomerium, an operator's list holds criteria only"),
                );
                return None;
            }
            _ => {
                problems.push(
                    path,
                    format!("unknown criterion {name:?} (expected {NAMES})"),
                );
                return None;
            }
        };
        Some(c)
    }

    /// Evaluates the criterion.
    pub(crate) fn evaluate(&self, cx: &PolicyContext<'_>, roles: &RolesCache) -> Outcome {
        let id = cx.identity;
        match self {
            Criterion::Accept => Outcome {
                matched: true,
                reason: r::ACCEPT,
            },
            Criterion::Reject => Outcome {
                matched: false,
                reason: r::REJECT,
            },
            Criterion::AuthenticatedUser => match id {
                None => Outcome::UNAUTHENTICATED,
                Some(i) => Outcome::of(!i.user_id.is_empty(), r::USER_OK, r::USER_UNAUTHORIZED),
            },
            Criterion::User(m) => match id {
                None => Outcome::UNAUTHENTICATED,
                Some(i) => Outcome::of(m.matches(&i.user_id), r::USER_OK, r::USER_UNAUTHORIZED),
            },
            Criterion::Email(m) => match id {
                None => Outcome::UNAUTHENTICATED,
                Some(i) => Outcome::of(
                    m.matches(i.email.as_deref().unwrap_or("")),
                    r::EMAIL_OK,
                    r::EMAIL_UNAUTHORIZED,
                ),
            },
            Criterion::Domain(m) => match id {
                None => Outcome::UNAUTHENTICATED,
                Some(i) => {
                    // Pomerium: split(email, "@")[1]; no email or no '@' matches nothing.
                    let domain = i.email.as_deref().and_then(|e| e.split('@').nth(1));
                    Outcome::of(
                        domain.is_some_and(|d| m.matches(d)),
                        r::DOMAIN_OK,
                        r::DOMAIN_UNAUTHORIZED,
                    )
                }
            },
            Criterion::Groups(m) => match id {
                None => Outcome::UNAUTHENTICATED,
                Some(i) => {
                    // `has` and `exclude` look at every group: names, directory ids and the
                    // Kubernetes groups. `is` is Pomerium's "exactly one directory group"
                    // (named by its id or its name): an id and a name are one group, and
                    // `system:authenticated` is none. Directory names come first in `groups`.
                    let only = |v: &Scalar| match (i.group_ids.as_slice(), i.groups.first()) {
                        ([id], Some(name)) => v.equals_str(id) || v.equals_str(name),
                        _ => false,
                    };
                    let hit = m.matches_each(only, |v| {
                        i.groups.iter().chain(&i.group_ids).any(|g| v.equals_str(g))
                    });
                    Outcome::of(hit, r::GROUPS_OK, r::GROUPS_UNAUTHORIZED)
                }
            },
            Criterion::Claim { path, matcher } => match id {
                None => Outcome::UNAUTHENTICATED,
                Some(i) => {
                    let values: &[Value] = match claim(i.claims.map(), path) {
                        None => &[],
                        Some(Value::Array(items)) => items,
                        Some(one) => std::slice::from_ref(one),
                    };
                    let hit = matcher.matches(values.len(), |v| values.iter().any(|x| v.equals(x)));
                    Outcome::of(hit, r::CLAIM_OK, r::CLAIM_UNAUTHORIZED)
                }
            },
            Criterion::HttpMethod(m) => Outcome::of(
                m.matches(cx.method),
                r::HTTP_METHOD_OK,
                r::HTTP_METHOD_UNAUTHORIZED,
            ),
            Criterion::HttpPath(m) => Outcome::of(
                m.matches(cx.path),
                r::HTTP_PATH_OK,
                r::HTTP_PATH_UNAUTHORIZED,
            ),
            Criterion::SourceIp(ranges) => Outcome::of(
                cx.source_ip
                    .is_some_and(|ip| ranges.iter().any(|c| c.contains(ip))),
                r::SOURCE_IP_OK,
                r::SOURCE_IP_UNAUTHORIZED,
            ),
            Criterion::Date { after, before } => {
                let ok = after.is_none_or(|a| cx.now > a) && before.is_none_or(|b| cx.now < b);
                Outcome::of(ok, r::DATE_OK, r::DATE_UNAUTHORIZED)
            }
            Criterion::DayOfWeek { days, offset } => {
                // INVARIANT: `civil` gives a weekday in 0..7, so the shift stays within a u8.
                let weekday = cx.now.civil(*offset).weekday;
                Outcome::of(
                    days & (1 << weekday) != 0,
                    r::DAY_OF_WEEK_OK,
                    r::DAY_OF_WEEK_UNAUTHORIZED,
                )
            }
            Criterion::TimeOfDay {
                offset,
                after,
                before,
            } => {
                let s = cx.now.civil(*offset).second_of_day;
                let ok = after.is_none_or(|a| s > a) && before.is_none_or(|b| s < b);
                Outcome::of(ok, r::TIME_OF_DAY_OK, r::TIME_OF_DAY_UNAUTHORIZED)
            }
            Criterion::Namespace(m) => match id {
                None => Outcome::UNAUTHENTICATED,
                Some(i) => Outcome::of(
                    m.matches(&i.namespace),
                    r::NAMESPACE_OK,
                    r::NAMESPACE_UNAUTHORIZED,
                ),
            },
            Criterion::ServiceAccount(m) => match id {
                None => Outcome::UNAUTHENTICATED,
                Some(i) => Outcome::of(
                    m.matches(&format!("{}/{}", i.namespace, i.service_account)),
                    r::SERVICE_ACCOUNT_OK,
                    r::SERVICE_ACCOUNT_UNAUTHORIZED,
                ),
            },
            Criterion::Role(m) => match id {
                None => Outcome::UNAUTHENTICATED,
                Some(_) => {
                    let held = roles.get_or_init(|| (cx.roles)());
                    Outcome::of(m.matches_strings(held), r::ROLE_OK, r::ROLE_UNAUTHORIZED)
                }
            },
        }
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let after_before = |f: &mut fmt::Formatter<'_>, a: Option<String>, b: Option<String>| {
            let mut parts = Vec::new();
            if let Some(a) = a {
                parts.push(format!("after {a}"));
            }
            if let Some(b) = b {
                parts.push(format!("before {b}"));
            }
            f.write_str(&parts.join(" and "))
        };
        match self {
            Criterion::Accept => f.write_str("accept"),
            Criterion::Reject => f.write_str("reject"),
            Criterion::AuthenticatedUser => f.write_str("authenticated_user"),
            Criterion::User(m) => write!(f, "user {m}"),
            Criterion::Email(m) => write!(f, "email {m}"),
            Criterion::Domain(m) => write!(f, "domain {m}"),
            Criterion::Groups(m) => write!(f, "groups {m}"),
            Criterion::Claim { path, matcher } => write!(f, "claim/{path} {matcher}"),
            Criterion::HttpMethod(m) => write!(f, "http_method {m}"),
            Criterion::HttpPath(m) => write!(f, "http_path {m}"),
            Criterion::SourceIp(ranges) => {
                let list: Vec<String> = ranges.iter().map(ToString::to_string).collect();
                write!(f, "source_ip in [{}]", list.join(", "))
            }
            Criterion::Date { after, before } => {
                f.write_str("date ")?;
                after_before(
                    f,
                    after.map(|t| t.to_string()),
                    before.map(|t| t.to_string()),
                )
            }
            Criterion::DayOfWeek { days, offset } => write!(
                f,
                "day_of_week {} ({})",
                clock::format_days(*days),
                clock::format_offset(*offset)
            ),
            Criterion::TimeOfDay {
                offset,
                after,
                before,
            } => {
                f.write_str("time_of_day ")?;
                after_before(
                    f,
                    after.map(clock::format_time_of_day),
                    before.map(clock::format_time_of_day),
                )?;
                write!(f, " ({})", clock::format_offset(*offset))
            }
            Criterion::Namespace(m) => write!(f, "namespace {m}"),
            Criterion::ServiceAccount(m) => write!(f, "service_account {m}"),
            Criterion::Role(m) => write!(f, "role {m}"),
        }
    }
}

/// Looks a claim up by its sub-path. As in Pomerium's `object_get`, the whole path is first
/// tried as one key (`kubernetes.io/serviceaccount/namespace` is a key of legacy tokens); then
/// `/` and `.` separate levels, and at each level the longest run of segments that is a key
/// wins (so `kubernetes.io/namespace` finds `{"kubernetes.io": {"namespace": ...}}`).
pub(crate) fn claim<'c>(claims: &'c Map<String, Value>, path: &str) -> Option<&'c Value> {
    if let Some(v) = claims.get(path) {
        return Some(v);
    }
    // Split points: byte offsets of separators.
    let cuts: Vec<usize> = path
        .char_indices()
        .filter(|(_, c)| *c == '/' || *c == '.')
        .map(|(i, _)| i)
        .collect();
    descend(claims, path, &cuts)
}

fn descend<'c>(object: &'c Map<String, Value>, path: &str, cuts: &[usize]) -> Option<&'c Value> {
    if let Some(v) = object.get(path) {
        return Some(v);
    }
    // Longest key first: try each separator from the last to the first.
    for (n, &cut) in cuts.iter().enumerate().rev() {
        let (Some(key), Some(rest)) = (path.get(..cut), path.get(cut + 1..)) else {
            continue;
        };
        if let Some(Value::Object(inner)) = object.get(key) {
            // INVARIANT: `cuts` is ascending, so every later cut is at least `cut + 1`. The
            // recursion goes one object deeper each time, so its depth is bounded by the
            // claims' nesting (at most 128, serde_json's limit when the token was parsed), and
            // it visits each object of the claims at most once (an object is reached by one
            // key sequence only).
            let rest_cuts: Vec<usize> = cuts
                .get(n + 1..)
                .unwrap_or(&[])
                .iter()
                .map(|c| c - cut - 1)
                .collect();
            if let Some(v) = descend(inner, rest, &rest_cuts) {
                return Some(v);
            }
        }
    }
    None
}

fn parse_source_ip(value: &Value, path: &str, problems: &mut Problems) -> Option<Vec<Cidr>> {
    let one = |v: &Value, at: &str, problems: &mut Problems| -> Option<Cidr> {
        let text = string(v, at, problems)?;
        let cidr = Cidr::parse(&text);
        if cidr.is_none() {
            problems.push(at, format!("{text:?} is not an IP address or CIDR range"));
        }
        cidr
    };
    match value {
        Value::Array(items) => {
            let mut out = Vec::new();
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                match one(item, &format!("{path}[{i}]"), problems) {
                    Some(c) => out.push(c),
                    None => ok = false,
                }
            }
            ok.then_some(out)
        }
        Value::String(_) => one(value, path, problems).map(|c| vec![c]),
        other => {
            problems.push(
                path,
                format!(
                    "expected an IP address or CIDR range, or an array of them, found {}",
                    describe(other)
                ),
            );
            None
        }
    }
}

fn object<'v>(
    value: &'v Value,
    keys: &str,
    path: &str,
    problems: &mut Problems,
) -> Option<&'v Map<String, Value>> {
    match value {
        Value::Object(o) => {
            let mut ok = true;
            for k in o.keys() {
                if !keys.split(", ").any(|known| known == k) {
                    problems.push(path, format!("unknown matcher {k:?} (expected {keys})"));
                    ok = false;
                }
            }
            ok.then_some(o)
        }
        other => {
            problems.push(
                path,
                format!("expected an object ({keys}), found {}", describe(other)),
            );
            None
        }
    }
}

fn parse_date(value: &Value, path: &str, problems: &mut Problems) -> Option<Criterion> {
    let o = object(value, "after, before", path, problems)?;
    let mut ok = true;
    let mut instant = |key: &str, problems: &mut Problems| -> Option<UnixTime> {
        let v = o.get(key)?;
        let at = format!("{path}.{key}");
        let parsed = string(v, &at, problems).and_then(|text| {
            clock::parse_instant(&text)
                .map_err(|e| problems.push(&at, e))
                .ok()
        });
        if parsed.is_none() {
            ok = false;
        }
        parsed
    };
    let after = instant("after", problems);
    let before = instant("before", problems);
    if !ok {
        return None;
    }
    if after.is_none() && before.is_none() {
        problems.push(path, "no matcher given (expected after, before)");
        return None;
    }
    Some(Criterion::Date { after, before })
}

fn timezone(o: &Map<String, Value>, path: &str, problems: &mut Problems) -> Option<i64> {
    let at = format!("{path}.timezone");
    let text = string(o.get("timezone")?, &at, problems)?;
    clock::parse_timezone(&text)
        .map_err(|e| problems.push(&at, e))
        .ok()
}

fn parse_day_of_week(value: &Value, path: &str, problems: &mut Problems) -> Option<Criterion> {
    let (days_value, days_path, offset) = match value {
        Value::String(_) => (value, path.to_string(), 0),
        _ => {
            let o = object(value, "is, timezone", path, problems)?;
            let offset = match o.get("timezone") {
                Some(_) => timezone(o, path, problems)?,
                None => 0,
            };
            let Some(days) = o.get("is") else {
                problems.push(path, "missing \"is\" (the days, e.g. \"mon-fri\")");
                return None;
            };
            (days, format!("{path}.is"), offset)
        }
    };
    let text = string(days_value, &days_path, problems)?;
    let days = clock::parse_days(&text)
        .map_err(|e| problems.push(&days_path, e))
        .ok()?;
    Some(Criterion::DayOfWeek { days, offset })
}

fn parse_time_of_day(value: &Value, path: &str, problems: &mut Problems) -> Option<Criterion> {
    let o = object(value, "timezone, after, before", path, problems)?;
    let mut ok = true;
    let offset = if o.contains_key("timezone") {
        timezone(o, path, problems)
    } else {
        problems.push(
            path,
            "missing \"timezone\" (Pomerium requires it: \"UTC\" or a fixed offset like \"+02:00\")",
        );
        None
    };
    let mut time = |key: &str, problems: &mut Problems| -> Option<u32> {
        let v = o.get(key)?;
        let at = format!("{path}.{key}");
        let parsed = string(v, &at, problems).and_then(|text| {
            clock::parse_time_of_day(&text)
                .map_err(|e| problems.push(&at, e))
                .ok()
        });
        if parsed.is_none() {
            ok = false;
        }
        parsed
    };
    let after = time("after", problems);
    let before = time("before", problems);
    let offset = offset?;
    if !ok {
        return None;
    }
    if after.is_none() && before.is_none() {
        problems.push(path, "no matcher given (expected after, before)");
        return None;
    }
    if let (Some(a), Some(b)) = (after, before) {
        if a >= b {
            problems.push(
                path,
                format!(
                    "after {} is not earlier than before {}: no time of day matches both (for a window across midnight, use two criteria under \"or\")",
                    clock::format_time_of_day(a),
                    clock::format_time_of_day(b)
                ),
            );
            return None;
        }
    }
    Some(Criterion::TimeOfDay {
        offset,
        after,
        before,
    })
}
