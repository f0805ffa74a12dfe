//! The policy module against the spec (DESIGN 1.5 and Pomerium's PPL): each criterion,
//! each operator, the decision and its status, route matching and every compile problem.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::{json, Value};

use super::*;
use crate::schema::{AccountKind, Namespace};
use crate::token::TokenFormat;

fn robot() -> Identity {
    let claims = json!({
        "sub": "system:serviceaccount:ci:robot",
        "level": 3,
        "roles": ["a", "b"],
        "kubernetes.io": {"namespace": "ci", "serviceaccount": {"name": "robot"}},
        "kubernetes.io/serviceaccount/namespace": "ci",
    });
    Identity {
        username: "system:serviceaccount:ci:robot".into(),
        uid: "6f1c".into(),
        groups: vec!["system:serviceaccounts".into(), "admins".into()],
        extra: BTreeMap::new(),
        namespace: "ci".into(),
        service_account: "robot".into(),
        kind: AccountKind::Unique,
        user_id: "u-robot".into(),
        email: Some("robot@example.com".into()),
        group_ids: vec!["g-123".into()],
        expires_at: None,
        token_id: None,
        format: TokenFormat::KubernetesBound,
        issuer: "cluster".into(),
        audiences: vec![],
        claims: match claims {
            Value::Object(m) => m.into(),
            _ => Default::default(),
        },
    }
}

/// A request; by default: the robot, `GET /api/items` from 10.1.2.3 on Monday
/// 2026-11-23 at 10:00 UTC, holding the role `view`.
#[derive(Clone)]
struct Req {
    identity: Option<Identity>,
    method: &'static str,
    path: &'static str,
    ip: Option<IpAddr>,
    now: UnixTime,
    roles: Vec<String>,
}

fn req() -> Req {
    Req {
        identity: Some(robot()),
        method: "GET",
        path: "/api/items",
        ip: Some(IpAddr::from([10, 1, 2, 3])),
        now: UnixTime(1_795_341_600 + 86_400),
        roles: vec!["view".into()],
    }
}

impl Req {
    fn anonymous(mut self) -> Req {
        self.identity = None;
        self
    }
    fn no_ip(mut self) -> Req {
        self.ip = None;
        self
    }
    fn decide(&self, policy: &Policy) -> PolicyOutcome {
        let roles = self.roles.clone();
        let roles = move || roles.clone();
        policy.evaluate(&PolicyContext {
            identity: self.identity.as_ref(),
            method: self.method,
            host: "app.example.com",
            path: self.path,
            source_ip: self.ip,
            now: self.now,
            roles: &roles,
        })
    }
}

fn compile(v: Value) -> Policy {
    let mut problems = Problems::default();
    let p = Policy::compile(&v, "policy", &mut problems);
    assert!(problems.is_empty(), "{v}: {:?}", problems.as_slice());
    p
}

fn problems_of(v: Value) -> Vec<String> {
    let mut problems = Problems::default();
    Policy::compile(&v, "routes[0].policy", &mut problems);
    problems
        .as_slice()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[track_caller]
fn expect(outcome: &PolicyOutcome, status: u16, reasons: &[&str]) {
    assert_eq!(
        (outcome.status, outcome.reasons.as_slice()),
        (
            status,
            reasons
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .as_slice()
        ),
        "{}",
        outcome.explanation
    );
    assert_eq!(outcome.allowed, status == 200);
}

#[test]
fn each_criterion_ok_unauthorized_and_unauthenticated() {
    let anon = req().anonymous();
    let post = Req {
        method: "POST",
        ..req()
    };
    let cases: Vec<(&str, Value, Req, u16, &str)> = vec![
        ("accept", json!({"accept": true}), req(), 200, "accept"),
        (
            "accept ignores its value, as in Pomerium",
            json!({"accept": false}),
            req(),
            200,
            "accept",
        ),
        (
            "accept needs no identity",
            json!({"accept": true}),
            anon.clone(),
            200,
            "accept",
        ),
        ("reject", json!({"reject": true}), req(), 403, "reject"),
        (
            "authenticated_user ok",
            json!({"authenticated_user": true}),
            req(),
            200,
            "user-ok",
        ),
        (
            "authenticated_user unauthenticated",
            json!({"authenticated_user": true}),
            anon.clone(),
            401,
            "user-unauthenticated",
        ),
        ("user ok", json!({"user": "u-robot"}), req(), 200, "user-ok"),
        (
            "user unauthorized",
            json!({"user": {"is": "alice"}}),
            req(),
            403,
            "user-unauthorized",
        ),
        (
            "user unauthenticated",
            json!({"user": "u-robot"}),
            anon.clone(),
            401,
            "user-unauthenticated",
        ),
        (
            "email ok",
            json!({"email": {"ends_with": "@example.com"}}),
            req(),
            200,
            "email-ok",
        ),
        (
            "email unauthorized",
            json!({"email": "alice@example.com"}),
            req(),
            403,
            "email-unauthorized",
        ),
        (
            "email unauthenticated",
            json!({"email": "robot@example.com"}),
            anon.clone(),
            401,
            "user-unauthenticated",
        ),
        (
            "domain ok",
            json!({"domain": "example.com"}),
            req(),
            200,
            "domain-ok",
        ),
        (
            "domain unauthorized",
            json!({"domain": {"is": "corp.com"}}),
            req(),
            403,
            "domain-unauthorized",
        ),
        (
            "domain unauthenticated",
            json!({"domain": "example.com"}),
            anon.clone(),
            401,
            "user-unauthenticated",
        ),
        (
            "groups ok by name",
            json!({"groups": {"has": "admins"}}),
            req(),
            200,
            "groups-ok",
        ),
        (
            "groups ok by id",
            json!({"groups": "g-123"}),
            req(),
            200,
            "groups-ok",
        ),
        (
            "groups unauthorized",
            json!({"groups": {"has": "ops"}}),
            req(),
            403,
            "groups-unauthorized",
        ),
        (
            "groups exclude",
            json!({"groups": {"exclude": "ops"}}),
            req(),
            200,
            "groups-ok",
        ),
        (
            "groups unauthenticated",
            json!({"groups": "admins"}),
            anon.clone(),
            401,
            "user-unauthenticated",
        ),
        (
            "claim ok (number)",
            json!({"claim/level": 3}),
            req(),
            200,
            "claim-ok",
        ),
        (
            "claim: a list claim matches if it contains the value",
            json!({"claim/roles": "b"}),
            req(),
            200,
            "claim-ok",
        ),
        (
            "claim: is needs a one-item list",
            json!({"claim/roles": {"is": "b"}}),
            req(),
            403,
            "claim-unauthorized",
        ),
        (
            "claim: nested path",
            json!({"claim/kubernetes.io/namespace": "ci"}),
            req(),
            200,
            "claim-ok",
        ),
        (
            "claim: deeper nested path",
            json!({"claim/kubernetes.io/serviceaccount/name": "robot"}),
            req(),
            200,
            "claim-ok",
        ),
        (
            "claim: the whole path as one key",
            json!({"claim/kubernetes.io/serviceaccount/namespace": "ci"}),
            req(),
            200,
            "claim-ok",
        ),
        (
            "claim: missing claim excludes anything",
            json!({"claim/missing": {"exclude": "x"}}),
            req(),
            200,
            "claim-ok",
        ),
        (
            "claim unauthorized",
            json!({"claim/sub": "nobody"}),
            req(),
            403,
            "claim-unauthorized",
        ),
        (
            "claim unauthenticated",
            json!({"claim/sub": "x"}),
            anon.clone(),
            401,
            "user-unauthenticated",
        ),
        (
            "http_method ok",
            json!({"http_method": "GET"}),
            req(),
            200,
            "http-method-ok",
        ),
        (
            "http_method unauthorized",
            json!({"http_method": {"in": ["PUT", "DELETE"]}}),
            post.clone(),
            403,
            "http-method-unauthorized",
        ),
        (
            "http_method needs no identity",
            json!({"http_method": {"not": "POST"}}),
            anon.clone(),
            200,
            "http-method-ok",
        ),
        (
            "http_path ok",
            json!({"http_path": {"starts_with": "/api/"}}),
            req(),
            200,
            "http-path-ok",
        ),
        (
            "http_path unauthorized",
            json!({"http_path": "/admin"}),
            req(),
            403,
            "http-path-unauthorized",
        ),
        (
            "source_ip ok (CIDR)",
            json!({"source_ip": "10.0.0.0/8"}),
            req(),
            200,
            "source-ip-ok",
        ),
        (
            "source_ip ok (one of a list)",
            json!({"source_ip": ["192.168.0.0/16", "10.1.2.3"]}),
            req(),
            200,
            "source-ip-ok",
        ),
        (
            "source_ip unauthorized",
            json!({"source_ip": ["192.168.0.0/16"]}),
            req(),
            403,
            "source-ip-unauthorized",
        ),
        (
            "source_ip unknown address",
            json!({"source_ip": "0.0.0.0/0"}),
            req().no_ip(),
            403,
            "source-ip-unauthorized",
        ),
        (
            "date ok",
            json!({"date": {"after": "2026-01-01T00:00:00Z"}}),
            req(),
            200,
            "date-ok",
        ),
        (
            "date unauthorized",
            json!({"date": {"after": "2026-01-01T00:00:00Z", "before": "2026-06-01T00:00:00"}}),
            req(),
            403,
            "date-unauthorized",
        ),
        (
            "day_of_week ok",
            json!({"day_of_week": "mon-fri"}),
            req(),
            200,
            "day-of-week-ok",
        ),
        (
            "day_of_week unauthorized",
            json!({"day_of_week": "saturday,sunday"}),
            req(),
            403,
            "day-of-week-unauthorized",
        ),
        (
            "day_of_week at an offset",
            json!({"day_of_week": {"is": "sun", "timezone": "-11:00"}}),
            req(),
            200,
            "day-of-week-ok",
        ),
        (
            "time_of_day ok",
            json!({"time_of_day": {"timezone": "UTC", "after": "09:00", "before": "17:00"}}),
            req(),
            200,
            "time-of-day-ok",
        ),
        (
            "time_of_day unauthorized at an offset",
            json!({"time_of_day": {"timezone": "+08:00", "after": "9AM", "before": "5PM"}}),
            req(),
            403,
            "time-of-day-unauthorized",
        ),
        (
            "namespace ok",
            json!({"namespace": "ci"}),
            req(),
            200,
            "namespace-ok",
        ),
        (
            "namespace unauthorized",
            json!({"namespace": {"in": ["prod", "staging"]}}),
            req(),
            403,
            "namespace-unauthorized",
        ),
        (
            "namespace unauthenticated",
            json!({"namespace": "ci"}),
            anon.clone(),
            401,
            "user-unauthenticated",
        ),
        (
            "service_account ok",
            json!({"service_account": "ci/robot"}),
            req(),
            200,
            "service-account-ok",
        ),
        (
            "service_account unauthorized",
            json!({"service_account": {"starts_with": "prod/"}}),
            req(),
            403,
            "service-account-unauthorized",
        ),
        (
            "service_account unauthenticated",
            json!({"service_account": "ci/robot"}),
            anon.clone(),
            401,
            "user-unauthenticated",
        ),
        (
            "role ok",
            json!({"role": {"has": "view"}}),
            req(),
            200,
            "role-ok",
        ),
        (
            "role unauthorized",
            json!({"role": "admin"}),
            req(),
            403,
            "role-unauthorized",
        ),
        (
            "role unauthenticated",
            json!({"role": "view"}),
            anon.clone(),
            401,
            "user-unauthenticated",
        ),
    ];
    for (name, criterion, request, status, reason) in cases {
        let policy = compile(json!({"allow": {"and": [criterion]}}));
        let outcome = request.decide(&policy);
        assert_eq!(
            (outcome.status, outcome.reasons.clone()),
            (status, vec![reason.to_string()]),
            "{name}: {}",
            outcome.explanation
        );
    }
}

/// Pomerium's `groups: {is: X}`: exactly one directory group, and it is X (tessera: by its id
/// or its name); `system:authenticated` and the Kubernetes groups are not directory groups.
#[test]
fn groups_is_means_exactly_one_directory_group() {
    let impersonating = |names: &[&str], ids: &[&str]| {
        let mut id = robot();
        id.kind = AccountKind::Impersonating;
        id.groups = names.iter().map(|g| g.to_string()).collect();
        id.groups.push("system:authenticated".into());
        id.group_ids = ids.iter().map(|g| g.to_string()).collect();
        Req {
            identity: Some(id),
            ..req()
        }
    };
    let one = impersonating(&["admins"], &["g-1"]);
    let two = impersonating(&["admins", "ops"], &["g-1", "g-2"]);
    let mut unique = robot();
    unique.groups = vec![
        "system:serviceaccounts".into(),
        "system:serviceaccounts:ci".into(),
        "system:authenticated".into(),
    ];
    unique.group_ids = Vec::new();
    let unique = Req {
        identity: Some(unique),
        ..req()
    };
    for (policy, who, status) in [
        (json!({"groups": {"is": "admins"}}), &one, 200),
        (json!({"groups": {"is": "g-1"}}), &one, 200),
        (json!({"groups": {"is": "ops"}}), &one, 403),
        (json!({"groups": {"is": "system:authenticated"}}), &one, 403),
        (json!({"groups": {"is": "admins"}}), &two, 403),
        (json!({"groups": {"has": "admins"}}), &two, 200),
        (
            json!({"groups": {"is": "system:serviceaccounts"}}),
            &unique,
            403,
        ),
        (
            json!({"groups": {"has": "system:serviceaccounts:ci"}}),
            &unique,
            200,
        ),
    ] {
        let policy_json = json!({"allow": {"and": [policy]}});
        let outcome = who.decide(&compile(policy_json.clone()));
        assert_eq!(
            outcome.status, status,
            "{policy_json}: {}",
            outcome.explanation
        );
    }
}

#[test]
fn operators_follow_pomerium() {
    let cases: Vec<(&str, Value, u16, &[&str])> = vec![
        (
            "and: all must match; reasons of the failures",
            json!({"allow": {"and": [{"user": "u-robot"}, {"namespace": "prod"}]}}),
            403,
            &["namespace-unauthorized"],
        ),
        (
            "and: all match; reasons of all",
            json!({"allow": {"and": [{"user": "u-robot"}, {"namespace": "ci"}]}}),
            200,
            &["namespace-ok", "user-ok"],
        ),
        (
            "or: any matches; reasons of the matches only",
            json!({"allow": {"or": [{"user": "alice"}, {"groups": {"has": "admins"}}]}}),
            200,
            &["groups-ok"],
        ),
        (
            "or: none matches; reasons of all",
            json!({"allow": {"or": [{"user": "alice"}, {"groups": "ops"}]}}),
            403,
            &["groups-unauthorized", "user-unauthorized"],
        ),
        (
            "not is none-of: none matches, allowed",
            json!({"allow": {"not": [{"user": "alice"}, {"namespace": "prod"}]}}),
            200,
            &["namespace-unauthorized", "user-unauthorized"],
        ),
        (
            "not is none-of: one matches, denied",
            json!({"allow": {"not": [{"user": "u-robot"}, {"namespace": "prod"}]}}),
            403,
            &["user-ok"],
        ),
        (
            "nor is not-all-of: one fails, allowed",
            json!({"allow": {"nor": [{"user": "u-robot"}, {"namespace": "prod"}]}}),
            200,
            &["namespace-unauthorized"],
        ),
        (
            "nor is not-all-of: all match, denied",
            json!({"allow": {"nor": [{"user": "u-robot"}, {"namespace": "ci"}]}}),
            403,
            &["namespace-ok", "user-ok"],
        ),
        (
            "two operators in a block are OR-ed",
            json!({"allow": {"and": [{"reject": true}], "or": [{"user": "u-robot"}]}}),
            200,
            &["user-ok"],
        ),
        (
            "rules in a list are OR-ed",
            json!([{"allow": {"and": [{"reject": true}]}}, {"allow": {"and": [{"email": "robot@example.com"}]}}]),
            200,
            &["email-ok"],
        ),
        (
            "deny overrides allow",
            json!({"allow": {"or": [{"accept": true}]}, "deny": {"or": [{"user": "u-robot"}]}}),
            403,
            &["user-ok"],
        ),
        (
            "a deny that does not match leaves the allow",
            json!({"allow": {"or": [{"accept": true}]}, "deny": {"or": [{"user": "alice"}]}}),
            200,
            &["accept"],
        ),
        (
            "deny in another rule of a list still overrides",
            json!([{"allow": {"or": [{"accept": true}]}}, {"deny": {"and": [{"http_method": "GET"}]}}]),
            403,
            &["http-method-ok"],
        ),
        (
            "no allow matched means denied",
            json!({"deny": {"or": [{"user": "alice"}]}}),
            403,
            &[],
        ),
        ("an empty policy denies", json!([]), 403, &[]),
        (
            "an empty operator is skipped, as in Pomerium",
            json!({"allow": {"and": [], "or": [{"accept": true}]}}),
            200,
            &["accept"],
        ),
    ];
    for (name, policy, status, reasons) in cases {
        let outcome = req().decide(&compile(policy));
        assert_eq!(
            (outcome.status, outcome.reasons.clone()),
            (
                status,
                reasons.iter().map(|r| r.to_string()).collect::<Vec<_>>()
            ),
            "{name}: {}",
            outcome.explanation
        );
        assert_eq!(outcome.allowed, status == 200, "{name}");
    }
}

#[test]
fn status_401_when_an_identity_was_needed_and_403_otherwise() {
    let user_policy = compile(json!({"allow": {"and": [{"user": "u-robot"}]}}));
    expect(
        &req().anonymous().decide(&user_policy),
        401,
        &["user-unauthenticated"],
    );
    let other = compile(json!({"allow": {"and": [{"user": "alice"}]}}));
    expect(&req().decide(&other), 403, &["user-unauthorized"]);
    // An allow met without needing the identity does not ask for one.
    let public = compile(json!({"allow": {"or": [{"accept": true}, {"user": "alice"}]}}));
    expect(&req().anonymous().decide(&public), 200, &["accept"]);
    // A denial that needed no identity is 403 even without one.
    let internal = compile(json!({"allow": {"and": [{"source_ip": "192.168.0.0/16"}]}}));
    expect(
        &req().anonymous().decide(&internal),
        403,
        &["source-ip-unauthorized"],
    );
    // Pomerium: a deny that cannot be evaluated without a user asks for one, even when the
    // allow matched (a token-less caller cannot dodge the deny).
    let guarded = compile(json!({
        "allow": {"or": [{"accept": true}]},
        "deny": {"or": [{"email": {"ends_with": "@contractor.com"}}]}
    }));
    let outcome = req().anonymous().decide(&guarded);
    expect(&outcome, 401, &["accept", "user-unauthenticated"]);
    assert_eq!(
        outcome.explanation,
        "authentication required: deny.or[0] email ends_with \"@contractor.com\" needs an identity (none was presented)"
    );
    // And so does a `not` over an identity criterion.
    let not_alice = compile(json!({"allow": {"not": [{"user": "alice"}]}}));
    expect(
        &req().anonymous().decide(&not_alice),
        401,
        &["user-unauthenticated"],
    );
}

#[test]
fn explanations_name_the_deciding_rule_and_criterion() {
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"allow": {"or": [{"user": "alice"}, {"groups": {"has": "admins"}}]}}),
            "allowed by allow.or[1] groups has \"admins\" matched",
        ),
        (
            json!({"allow": {"and": [{"user": "u-robot"}, {"namespace": "prod"}]}}),
            "denied: no allow rule matched (allow.and[1] namespace is \"prod\" did not match)",
        ),
        (
            json!([{"allow": {"or": [{"accept": true}]}}, {"deny": {"not": [{"http_method": "GET"}]}}]),
            "allowed by [0].allow.or[0] accept matched",
        ),
        (
            json!([{"allow": {"or": [{"accept": true}]}}, {"deny": {"nor": [{"http_method": "GET"}, {"http_path": "/x"}]}}]),
            "denied by [1].deny.nor[1] http_path is \"/x\" did not match",
        ),
        (
            json!({"allow": {"and": [{"user": "u-robot"}, {"role": "view"}]}}),
            "allowed by allow.and all matched: user is \"u-robot\"; role has \"view\"",
        ),
        (
            json!({"allow": {"not": [{"user": "alice"}]}}),
            "allowed by allow.not none matched, as required: user is \"alice\"",
        ),
        (
            json!({"allow": {"and": [{"time_of_day": {"timezone": "+02:00", "after": "8AM", "before": "18:30"}}]}}),
            "allowed by allow.and all matched: time_of_day after 08:00:00 and before 18:30:00 (+02:00)",
        ),
        (json!({}), "denied: the policy has no allow rule"),
    ];
    for (policy, want) in cases {
        assert_eq!(
            req().decide(&compile(policy.clone())).explanation,
            want,
            "{policy}"
        );
    }
}

#[test]
fn roles_are_asked_once_and_only_when_a_role_criterion_is_evaluated() {
    let calls = Cell::new(0);
    let roles = || {
        calls.set(calls.get() + 1);
        vec!["view".to_string()]
    };
    let robot = robot();
    let cx = PolicyContext {
        identity: Some(&robot),
        method: "GET",
        host: "app.example.com",
        path: "/",
        source_ip: None,
        now: UnixTime(0),
        roles: &roles,
    };
    compile(json!({"allow": {"and": [{"user": "u-robot"}]}})).evaluate(&cx);
    assert_eq!(calls.get(), 0);
    let two =
        compile(json!({"allow": {"and": [{"role": "view"}, {"role": {"exclude": "admin"}}]}}));
    assert!(two.evaluate(&cx).allowed);
    assert_eq!(calls.get(), 1);
}

fn namespaces() -> NamespaceTree {
    let ns = |name: &str, parent: Option<&str>| Namespace {
        name: name.into(),
        parent: parent.map(Into::into),
    };
    let mut problems = Problems::default();
    NamespaceTree::build(
        &[
            ns("global", None),
            ns("engineering", Some("global")),
            ns("ci", Some("engineering")),
            ns("nightly", Some("ci")),
            ns("sales", Some("global")),
        ],
        &mut problems,
    )
}

fn route(name: &str, from: &str, how: (&str, &str)) -> Route {
    let mut r = Route {
        name: name.into(),
        namespace: "ci".into(),
        from: from.into(),
        prefix: None,
        path: None,
        regex: None,
        policy: json!({"allow": {"or": [{"accept": true}]}}),
    };
    match how {
        ("prefix", v) => r.prefix = Some(v.into()),
        ("path", v) => r.path = Some(v.into()),
        ("regex", v) => r.regex = Some(v.into()),
        _ => {}
    }
    r
}

fn table(routes: &[Route]) -> RouteTable {
    let mut problems = Problems::default();
    let t = RouteTable::compile(routes, &namespaces(), &mut problems);
    assert!(problems.is_empty(), "{:?}", problems.as_slice());
    t
}

#[test]
fn routes_match_by_host_port_and_path_in_bundle_order() {
    let t = table(&[
        route("api", "https://App.Example.com", ("prefix", "/api/")),
        route("admin", "https://app.example.com", ("path", "/api/admin")),
        route("exact", "https://app.example.com", ("path", "/health")),
        route(
            "versioned",
            "https://app.example.com",
            ("regex", "/v[0-9]+/.*"),
        ),
        route("alt-port", "https://app.example.com:8443", ("", "")),
        route("catch-all", "http://other.example.com", ("", "")),
        route("alt-only", "https://alt.example.com:8443", ("", "")),
        route(
            "api2-port",
            "https://api2.example.com:8443",
            ("prefix", "/api"),
        ),
        route("api2", "https://api2.example.com:443", ("", "")),
    ]);
    let cases = [
        ("prefix", "app.example.com", "/api/items", Some("api")),
        (
            "host is case-insensitive",
            "APP.example.COM",
            "/api/items",
            Some("api"),
        ),
        (
            "first match in bundle order wins",
            "app.example.com",
            "/api/admin",
            Some("api"),
        ),
        ("exact path", "app.example.com", "/health", Some("exact")),
        ("exact path is exact", "app.example.com", "/health/x", None),
        ("regex", "app.example.com", "/v2/items", Some("versioned")),
        (
            "regex is anchored at the start",
            "app.example.com",
            "/x/v2/items",
            None,
        ),
        (
            "regex is anchored at the end",
            "app.example.com",
            "/v2",
            None,
        ),
        (
            "a port matches only a from with that port",
            "app.example.com:8443",
            "/api/items",
            Some("alt-port"),
        ),
        (
            "a port no from names goes to the routes without a port (any port, as in Pomerium)",
            "app.example.com:9443",
            "/api/items",
            Some("api"),
        ),
        (
            "the routes naming the port are the only ones for it (as Envoy's exact domain)",
            "api2.example.com:8443",
            "/other",
            None,
        ),
        (
            "the same host on its default port",
            "api2.example.com:443",
            "/other",
            Some("api2"),
        ),
        (
            "a from without a port serves its host on any port",
            "other.example.com:443",
            "/",
            Some("catch-all"),
        ),
        (
            "a from with a port does not serve the host without one",
            "alt.example.com",
            "/",
            None,
        ),
        (
            "a route without path, prefix or regex matches every path",
            "other.example.com",
            "/any/thing",
            Some("catch-all"),
        ),
        ("unknown host", "nowhere.example.com", "/", None),
    ];
    for (name, host, path, want) in cases {
        let got = t.find(host, path).map(|r| r.name.as_str());
        assert_eq!(got, want, "{name}");
    }
    assert_eq!(t.routes().len(), 9);
    assert_eq!(
        t.find("app.example.com:8443", "/").map(|r| r.host.as_str()),
        Some("app.example.com:8443")
    );
}

#[test]
fn a_found_route_carries_its_compiled_policy() {
    let mut r = route("ci-only", "https://app.example.com", ("", ""));
    r.policy = json!({"allow": {"and": [{"namespace": "ci"}]}});
    let t = table(&[r]);
    let found = t.find("app.example.com", "/");
    assert_eq!(found.map(|r| r.namespace.as_str()), Some("ci"));
    assert!(found.is_some_and(|r| req().decide(&r.policy).allowed));
}

#[test]
fn route_problems_have_exact_paths() {
    let mut bad_ns = route("x", "https://a.example.com", ("", ""));
    bad_ns.namespace = "nowhere".into();
    let mut groups = route("g", "https://b.example.com", ("", ""));
    groups.policy = json!({"allow": {"and": [{"groups": {"hass": "admins"}}]}});
    let mut two = route("two", "https://c.example.com", ("prefix", "/a"));
    two.path = Some("/a/b".into());
    let routes = [
        route("ftp", "ftp://x", ("", "")),
        bad_ns,
        groups,
        two,
        route("rel", "https://d.example.com", ("prefix", "api")),
        route("re", "https://e.example.com", ("regex", "(unclosed")),
        // Far past the compiled size a route's regex may reach (a few hundred such routes
        // at regex-lite's own limit would exhaust the module's memory).
        route(
            "big",
            "https://f.example.com",
            ("regex", "(?:a{1000}){450}"),
        ),
    ];
    let mut problems = Problems::default();
    RouteTable::compile(&routes, &namespaces(), &mut problems);
    let text: Vec<String> = problems
        .as_slice()
        .iter()
        .map(ToString::to_string)
        .collect();
    let want = [
        "routes[0].from: \"ftp://x\" is not an http(s) URL (expected e.g. \"https://app.example.com\")",
        "routes[1].namespace: \"nowhere\" is not a defined namespace",
        "routes[2].policy.allow.and[0].groups: unknown matcher \"hass\" (expected has, is, exclude)",
        "routes[3]: give at most one of path, prefix and regex",
        "routes[4].prefix: \"api\" must start with '/'",
    ];
    assert_eq!(text.get(..5).unwrap_or(&[]), want, "{text:#?}");
    assert!(
        text.get(5)
            .is_some_and(|t| t
                .starts_with("routes[5].regex: \"(unclosed\" is not a valid regular expression: ")),
        "{text:#?}"
    );
    assert!(
        text.get(6).is_some_and(|t| t.starts_with(
            "routes[6].regex: \"(?:a{1000}){450}\" is not a valid regular expression: "
        )),
        "{text:#?}"
    );
    assert_eq!(text.len(), 7, "{text:#?}");
    // A path pattern of ordinary size compiles.
    let mut problems = Problems::default();
    let ordinary = route(
        "api",
        "https://g.example.com",
        ("regex", "/api/v[0-9]+/users/[^/]+(/keys/[a-z0-9-]{1,64})?"),
    );
    RouteTable::compile(&[ordinary], &namespaces(), &mut problems);
    assert!(problems.is_empty(), "{:?}", problems.as_slice());
    // A percent-escape in a route's path would never match the decoded request path (where
    // Envoy, matching Pomerium's routes on the path as sent, would): refused. A '%' that
    // begins no escape is a character like any other.
    let mut problems = Problems::default();
    let escaped = [
        route("p", "https://h.example.com", ("prefix", "/files/a%20b/")),
        route("x", "https://i.example.com", ("path", "/caf%C3%A9")),
        route("r", "https://j.example.com", ("regex", "/a%2fb/.*")),
        route("ok", "https://k.example.com", ("prefix", "/100%/x%y")),
    ];
    RouteTable::compile(&escaped, &namespaces(), &mut problems);
    let text: Vec<String> = problems
        .as_slice()
        .iter()
        .map(ToString::to_string)
        .collect();
    let why = "has a percent-escape: routes see the decoded path, so it would never match (write the character itself)";
    assert_eq!(
        text,
        [
            format!("routes[0].prefix: \"/files/a%20b/\" {why}"),
            format!("routes[1].path: \"/caf%C3%A9\" {why}"),
            format!("routes[2].regex: \"/a%2fb/.*\" {why}"),
        ]
    );
}

#[test]
fn policy_problems_have_exact_paths_and_messages() {
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"allw": {"and": [{"accept": true}]}}),
            "routes[0].policy: unknown action \"allw\" (expected allow, deny)",
        ),
        (
            json!("allow everyone"),
            "routes[0].policy: expected a rule object (allow, deny) or an array of rules, found a string",
        ),
        (
            json!([{"allow": {"or": [{"accept": true}]}}, 7]),
            "routes[0].policy[1]: expected a rule object (allow, deny), found a number",
        ),
        (
            json!({"allow": [{"accept": true}]}),
            "routes[0].policy.allow: expected an object of operators (and, or, not, nor), found an array",
        ),
        (
            json!({"allow": {"xor": [{"accept": true}]}}),
            "routes[0].policy.allow: unknown operator \"xor\" (expected and, or, not, nor)",
        ),
        (
            json!({"deny": {"or": {"user": "x"}}}),
            "routes[0].policy.deny.or: expected an array of criteria, found an object",
        ),
        (
            json!({"allow": {"and": ["accept"]}}),
            "routes[0].policy.allow.and[0]: expected a criterion object like {\"user\": \"alice\"}, found a string",
        ),
        (
            json!({"allow": {"and": [{"user": "a", "email": "b"}]}}),
            "routes[0].policy.allow.and[0]: a criterion is an object with exactly one key, found 2",
        ),
        (
            json!({"allow": {"and": [{"usr": "alice"}]}}),
            "routes[0].policy.allow.and[0]: unknown criterion \"usr\" (expected accept, reject, authenticated_user, user, email, domain, groups, claim/<path>, http_method, http_path, source_ip, date, day_of_week, time_of_day, namespace, service_account, role)",
        ),
        (
            json!({"allow": {"and": [{"or": [{"accept": true}]}]}}),
            "routes[0].policy.allow.and[0]: \"or\" cannot be nested: as in Pomerium, an operator's list holds criteria only",
        ),
        (
            json!({"allow": {"and": [{"claim": "x"}]}}),
            "routes[0].policy.allow.and[0]: \"claim\" needs the claim's path, e.g. \"claim/groups\"",
        ),
        (
            json!({"allow": {"and": [{"user/id": "x"}]}}),
            "routes[0].policy.allow.and[0]: criterion \"user\" takes no sub-path (only claim/<path> does)",
        ),
        (
            json!({"allow": {"and": [{"user": {"equals": "x"}}]}}),
            "routes[0].policy.allow.and[0].user: unknown matcher \"equals\" (expected is, not, contains, starts_with, ends_with, in, not_in)",
        ),
        (
            json!({"allow": {"and": [{"user": 42}]}}),
            "routes[0].policy.allow.and[0].user: expected a string or an object of matchers (is, not, contains, starts_with, ends_with, in, not_in), found a number",
        ),
        (
            json!({"allow": {"and": [{"email": {"in": "a@b.c"}}]}}),
            "routes[0].policy.allow.and[0].email.in: \"in\" expects an array of strings, found a string",
        ),
        (
            json!({"allow": {"and": [{"source_ip": "10.0.0.0/33"}]}}),
            "routes[0].policy.allow.and[0].source_ip: \"10.0.0.0/33\" is not an IP address or CIDR range",
        ),
        (
            json!({"allow": {"and": [{"source_ip": ["10.0.0.0/8", "intranet"]}]}}),
            "routes[0].policy.allow.and[0].source_ip[1]: \"intranet\" is not an IP address or CIDR range",
        ),
        (
            json!({"allow": {"and": [{"date": {"after": "tomorrow"}}]}}),
            "routes[0].policy.allow.and[0].date.after: \"tomorrow\" is not an RFC 3339 time (expected e.g. \"2026-11-22T10:00:00Z\"): too short",
        ),
        (
            json!({"allow": {"and": [{"date": {"since": "2026-01-01T00:00:00Z"}}]}}),
            "routes[0].policy.allow.and[0].date: unknown matcher \"since\" (expected after, before)",
        ),
        (
            json!({"allow": {"and": [{"day_of_week": "weekdays"}]}}),
            "routes[0].policy.allow.and[0].day_of_week: \"weekdays\" is not a day-of-week matcher (expected \"*\", days like \"mon,wed\" or a range like \"mon-fri\")",
        ),
        (
            json!({"allow": {"and": [{"time_of_day": {"timezone": "America/Phoenix", "after": "9AM"}}]}}),
            "routes[0].policy.allow.and[0].time_of_day.timezone: \"America/Phoenix\" is an IANA time zone name: tessera has no time zone database (use \"UTC\" or a fixed offset like \"+02:00\")",
        ),
        (
            json!({"allow": {"and": [{"time_of_day": {"after": "9AM"}}]}}),
            "routes[0].policy.allow.and[0].time_of_day: missing \"timezone\" (Pomerium requires it: \"UTC\" or a fixed offset like \"+02:00\")",
        ),
        (
            json!({"allow": {"and": [{"time_of_day": {"timezone": "UTC", "after": "9 o'clock"}}]}}),
            "routes[0].policy.allow.and[0].time_of_day.after: \"9 o'clock\" is not a time of day (expected e.g. \"15:04\", \"15:04:05\", \"3:04 PM\" or \"3PM\")",
        ),
        (
            json!({"allow": {"and": [{"time_of_day": {"timezone": "UTC", "after": "22:00", "before": "06:00"}}]}}),
            "routes[0].policy.allow.and[0].time_of_day: after 22:00:00 is not earlier than before 06:00:00: no time of day matches both (for a window across midnight, use two criteria under \"or\")",
        ),
        (
            json!({"allow": {"and": [{"role": {"has": ["a", "b"]}}]}}),
            "routes[0].policy.allow.and[0].role.has: expected a string or an object of matchers (has, is, exclude), found an array",
        ),
    ];
    for (policy, want) in cases {
        assert_eq!(problems_of(policy.clone()), [want], "{policy}");
    }
}

#[test]
fn an_account_uses_routes_of_its_namespace_and_descendants_only() {
    // Each namespace has a route for signed-in callers and a public one (`accept`).
    let in_ns = |ns: &str, policy: Value| {
        let mut r = route(ns, &format!("https://{ns}.example.com"), ("", ""));
        r.namespace = ns.into();
        r.policy = policy;
        r
    };
    let signed_in = json!({"allow": {"and": [{"authenticated_user": true}]}});
    let public = json!({"allow": {"or": [{"accept": true}]}});
    let mut routes = Vec::new();
    for ns in ["ci", "nightly", "engineering", "sales"] {
        routes.push(in_ns(ns, signed_in.clone()));
        let mut open = in_ns(ns, public.clone());
        open.from = format!("https://public.{ns}.example.com");
        routes.push(open);
    }
    let t = table(&routes);
    let cases = [
        ("its own namespace", "ci", 200, "user-ok"),
        ("a descendant", "nightly", 200, "user-ok"),
        (
            "a parent",
            "engineering",
            403,
            "route-namespace-unauthorized",
        ),
        (
            "a sibling branch",
            "sales",
            403,
            "route-namespace-unauthorized",
        ),
    ];
    for (name, ns, status, reason) in cases {
        let found = t.find(&format!("{ns}.example.com"), "/");
        let outcome = found.map(|r| req().decide(&r.policy));
        assert_eq!(
            outcome
                .as_ref()
                .map(|o| (o.status, o.reasons.clone(), o.identity_unused)),
            Some((status, vec![reason.to_string()], false)),
            "{name}: {outcome:?}"
        );
        // A public route serves anyone: the account as it would serve a caller without a
        // token, its identity set aside where it may not act.
        let found = t.find(&format!("public.{ns}.example.com"), "/");
        let outcome = found.map(|r| req().decide(&r.policy));
        let outsider = status == 403;
        assert_eq!(
            outcome
                .as_ref()
                .map(|o| (o.status, o.reasons.clone(), o.identity_unused)),
            Some((200, vec!["accept".to_string()], outsider)),
            "{name}, public: {outcome:?}"
        );
    }
    let parent = t
        .find("engineering.example.com", "/")
        .map(|r| req().decide(&r.policy));
    assert_eq!(
        parent.map(|o| o.explanation),
        Some("denied: service account ci/robot may act only in namespace \"ci\" and its descendants, and this route belongs to namespace \"engineering\"".to_string())
    );
    // Without an identity there is no account to restrict: the policy decides.
    let anonymous = t
        .find("engineering.example.com", "/")
        .map(|r| req().anonymous().decide(&r.policy));
    assert_eq!(anonymous.map(|o| o.status), Some(401));
}

#[test]
fn an_unknown_criterion_with_a_slash_is_unknown() {
    assert_eq!(
        problems_of(json!({"allow": {"and": [{"usr/id": "x"}]}})),
        ["routes[0].policy.allow.and[0]: unknown criterion \"usr\" (expected accept, reject, authenticated_user, user, email, domain, groups, claim/<path>, http_method, http_path, source_ip, date, day_of_week, time_of_day, namespace, service_account, role)"]
    );
}
