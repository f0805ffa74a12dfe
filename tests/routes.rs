//! Route decisions as a consumer asks for them (`Engine::check_http`): where Pomerium always
//! knows something tessera may be given or not, the decision fails closed.

mod support;

use serde_json::json;
use tessera::bundle::schema::Route;
use tessera::{Bundle, Engine, HttpRequest, UnixTime};

const NOW: UnixTime = UnixTime(1_795_341_600); // 2026-11-22T10:00:00Z

/// The example bundle with `route` first.
fn engine_with(route: serde_json::Value) -> Engine {
    let mut document = support::example_document();
    let route: Route = serde_json::from_value(route).unwrap();
    document.routes.insert(0, route);
    Engine::new(Bundle::from_document(document).unwrap())
}

fn get(url: &str, ip: Option<&str>) -> HttpRequest {
    let request = HttpRequest::new("GET", url).unwrap();
    match ip {
        Some(ip) => request.with_source_ip(ip).unwrap(),
        None => request,
    }
}

#[test]
fn a_source_ip_rule_without_the_clients_address_is_a_denial() {
    // A blocklist: anyone but 203.0.113.0/24. Without the address, "not in the list" would
    // let everyone through; Pomerium always knows the address.
    for policy in [
        json!({"allow": {"or": [{"accept": true}]}, "deny": {"or": [{"source_ip": "203.0.113.0/24"}]}}),
        json!({"allow": {"not": [{"source_ip": "203.0.113.0/24"}]}}),
        json!({"allow": {"or": [{"source_ip": "10.0.0.0/8"}]}}),
    ] {
        let mut engine = engine_with(json!({
            "name": "guarded", "namespace": "engineering",
            "from": "https://guarded.example.com", "prefix": "/", "policy": policy,
        }));
        let d = engine.check_http(&get("https://guarded.example.com/x", None), NOW);
        assert_eq!((d.allowed, d.status), (false, 400), "{policy}");
        assert_eq!(d.reasons, vec!["source-ip-unknown"], "{policy}");
        assert!(
            d.explanation == "route \"guarded\" has a source_ip rule: the request must give the client's address",
            "{}",
            d.explanation
        );
        assert_eq!(d.route, None);
        // With the address, the policy decides.
        let blocked = engine.check_http(
            &get("https://guarded.example.com/x", Some("203.0.113.9")),
            NOW,
        );
        assert!(!blocked.allowed, "{policy}");
        let inside =
            engine.check_http(&get("https://guarded.example.com/x", Some("10.1.2.3")), NOW);
        assert_eq!(inside.status, 200, "{policy}: {:?}", inside.reasons);
    }
    // A route whose policy never reads the address decides without it.
    let mut engine = engine_with(json!({
        "name": "open", "namespace": "engineering", "from": "https://open.example.com",
        "prefix": "/", "policy": {"allow": {"or": [{"accept": true}]}},
    }));
    let d = engine.check_http(&get("https://open.example.com/", None), NOW);
    assert_eq!(d.status, 200);
}
