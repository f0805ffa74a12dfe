//! Robustness: thousands of generated and mutated inputs through the public API. Nothing may
//! panic (in wasm, with `panic = "abort"`, a panic traps the whole module), and every decision
//! on garbage is a denial with at least one reason (DESIGN 3, "Fail closed").
//!
//! Deterministic: a small xorshift generator seeded with constants, so a failure names its seed
//! and iteration and reproduces exactly.

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use tessera::bundle::signature::TrustedKeys;
use tessera::bundle::Problems;
use tessera::policy::{Policy, PolicyContext};
use tessera::rbac::{NonResourceAttributes, RbacRequest, ResourceAttributes};
use tessera::token::mint::PrivateKey;
use tessera::token::TokenError;
use tessera::{Bundle, Decision, Engine, HttpRequest, UnixTime};

const NOW: UnixTime = UnixTime(1_795_341_600); // 2026-11-22T10:00:00Z

/// xorshift64: tiny, deterministic, good enough to pick among alternatives.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n.max(1))
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

/// Fragments that have broken parsers before: multi-byte UTF-8, separators, wildcards,
/// escapes, control characters, look-alikes of the real names.
const PIECES: &[&str] = &[
    "",
    "a",
    "é",
    "€",
    "😀",
    "\u{202e}",
    "\u{0}",
    "\u{7f}",
    "\n",
    " ",
    ".",
    "..",
    "/",
    "*",
    ":",
    "@",
    "%",
    "%zz",
    "%C3%A9",
    "[",
    "]",
    "[::1]",
    "-",
    "=",
    "+",
    "\\",
    "\"",
    "'",
    "?",
    "#",
    "system:serviceaccount:",
    "top-secret",
    "robot",
    "engineering",
    "deploy-bot",
    "alice",
    "admins",
    "view",
    "pods",
    "apps",
    "Bearer ",
    "Pomerium-",
    "get",
    "GET",
    "eyJ",
    "0",
    "-1",
    "1e400",
    "9223372036854775808",
];

fn text(rng: &mut Rng) -> String {
    let n = rng.below(5);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(rng.pick(PIECES));
    }
    if rng.one_in(40) {
        s = s.repeat(1 + rng.below(300));
    }
    s
}

/// JSON text, possibly invalid for serde's data model but always syntactically JSON: numbers
/// beyond f64 and i64, duplicate members, deep nesting (past serde_json's limit of 128).
fn json_text(rng: &mut Rng, depth: usize) -> String {
    const NUMBERS: &[&str] = &[
        "0",
        "-0",
        "1",
        "-1",
        "1.5",
        "-1.5",
        "1e400",
        "-1e400",
        "1e-400",
        "1e15",
        "-1e15",
        "9007199254740993",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "18446744073709551615",
        "123456789012345678901234567890",
        "1795341600",
        "1795341600.999",
        "4102444800",
    ];
    const KEYS: &[&str] = &[
        "alg",
        "kid",
        "iss",
        "sub",
        "jti",
        "exp",
        "nbf",
        "iat",
        "aud",
        "kubernetes.io",
        "namespace",
        "serviceaccount",
        "name",
        "uid",
        "pod",
        "secret",
        "node",
        "kubernetes.io/serviceaccount/namespace",
        "kubernetes.io/serviceaccount/secret.name",
        "kubernetes.io/serviceaccount/service-account.name",
        "kubernetes.io/serviceaccount/service-account.uid",
        "crit",
        "é",
        "",
    ];
    if depth == 0 {
        return match rng.below(5) {
            0 => rng.pick(NUMBERS).to_string(),
            1 => Value::String(text(rng)).to_string(),
            2 => "null".into(),
            3 => rng.pick(&["true", "false"]).to_string(),
            _ => "[]".into(),
        };
    }
    match rng.below(8) {
        0 => {
            // Deep nesting, sometimes past the parser's limit.
            let n = rng.pick(&[10usize, 100, 127, 128, 129, 200, 1000]);
            let (open, close) = if rng.one_in(2) {
                ("[".repeat(n), "]".repeat(n))
            } else {
                ("{\"a\":".repeat(n), "}".repeat(n))
            };
            format!("{open}{}{close}", rng.pick(NUMBERS))
        }
        1 | 2 => {
            let n = rng.below(4);
            let items: Vec<String> = (0..n).map(|_| json_text(rng, depth - 1)).collect();
            format!("[{}]", items.join(","))
        }
        3..=5 => {
            let n = rng.below(5);
            let members: Vec<String> = (0..n)
                .map(|_| {
                    let key = if rng.one_in(4) {
                        text(rng)
                    } else {
                        rng.pick(KEYS).to_string()
                    };
                    format!("{}:{}", Value::String(key), json_text(rng, depth - 1))
                })
                .collect();
            format!("{{{}}}", members.join(","))
        }
        _ => json_text(rng, 0),
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn example_engine() -> Engine {
    Engine::from_json(support::example_bundle().as_bytes()).expect("example bundle")
}

/// Valid tokens of every issuer and format of the example.
fn valid_tokens() -> Vec<String> {
    let document = support::example_document();
    [
        ("legacy", "top-secret/robot"),
        ("cluster", "ci/runner"),
        ("pomerium-eddsa", "engineering/deploy-bot"),
        ("pomerium-hs256", "engineering/deploy-bot"),
        ("pomerium-eddsa", "engineering/alice-automation"),
    ]
    .iter()
    .map(|(issuer, account)| {
        support::mint(
            &document,
            &if *issuer == "cluster" {
                // A fixed jti (mint picks a random one otherwise): the same tokens every run.
                json!({"issuer": issuer, "account": account, "jti": "fuzz-jti"})
            } else {
                json!({"issuer": issuer, "account": account})
            },
            NOW,
        )
    })
    .collect()
}

/// Signs any bytes as the claims of an HS256 token of the example's default issuer (Pomerium,
/// which holds the shared secret), so that garbage claims get past the signature.
fn sign_raw(key: &PrivateKey, claims: &str) -> String {
    // sign_detached signs `<header>.<b64(payload)>`: put the payload back in between.
    let detached = key.sign_detached(claims.as_bytes()).expect("sign");
    let (h, s) = detached.split_once("..").expect("detached JWS");
    format!("{h}.{}.{s}", b64(claims.as_bytes()))
}

fn hs256_key() -> PrivateKey {
    PrivateKey::from_secret(&support::shared_secret(), Algorithm::HS256)
}

fn assert_denied(decision: &Decision, what: &str) {
    assert!(!decision.allowed, "allowed: {what}: {decision:?}");
    assert_ne!(decision.status, 200, "{what}: {decision:?}");
    assert!(
        !decision.reasons.is_empty(),
        "a denial without a reason: {what}: {decision:?}"
    );
    assert!(
        !decision.explanation.is_empty(),
        "a denial without an explanation: {what}: {decision:?}"
    );
}

fn assert_consistent(decision: &Decision, what: &str) {
    assert!(
        !decision.reasons.is_empty(),
        "a decision without a reason: {what}: {decision:?}"
    );
    assert_eq!(
        decision.allowed,
        decision.status == 200,
        "allowed and status disagree: {what}: {decision:?}"
    );
    assert!(
        [200, 400, 401, 403, 404, 503].contains(&decision.status),
        "{what}: {decision:?}"
    );
}

/// One mutation of a token string, always valid UTF-8. It may give the token back unchanged:
/// the caller compares.
fn mutate_token(rng: &mut Rng, token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    let at = rng.below(chars.len() + 1);
    let parts: Vec<&str> = token.split('.').collect();
    match rng.below(12) {
        0 => {
            // Flip one of the low 7 bits of an ASCII character.
            let mut bytes = token.as_bytes().to_vec();
            let i = rng.below(bytes.len());
            if let Some(b) = bytes.get_mut(i) {
                if b.is_ascii() {
                    *b ^= 1 << rng.below(7);
                }
            }
            String::from_utf8(bytes).unwrap_or_default()
        }
        1 => chars[..at.min(chars.len())].iter().collect(),
        2 => {
            let mut out: String = chars[..at.min(chars.len())].iter().collect();
            out.push_str(rng.pick(&["é", "€", "😀", ".", "=", " ", "+", "/", "\u{0}", ".."]));
            out.extend(&chars[at.min(chars.len())..]);
            out
        }
        3 => {
            let mut c = chars.clone();
            if !c.is_empty() {
                c.remove(at.min(c.len() - 1));
            }
            c.into_iter().collect()
        }
        4 => {
            // Replace the header with another alg / kid / extension.
            let alg = rng.pick(&[
                json!("none"),
                json!("NONE"),
                json!("HS256"),
                json!("RS256"),
                json!("ES256"),
                json!("EdDSA"),
                json!("PS512"),
                json!("ES512"),
                json!(""),
                json!("é"),
                json!(1),
                json!(null),
                json!(["HS256"]),
                json!({"alg": "HS256"}),
            ]);
            let mut header = json!({"alg": alg});
            match rng.below(5) {
                0 => header["kid"] = json!(text(rng)),
                1 => {
                    header["kid"] =
                        json!(rng.pick(&["legacy-2026", "cluster-2026", "pomerium-2026"]))
                }
                2 => header["kid"] = json!(7),
                3 => header["crit"] = json!(["exp"]),
                _ => {}
            }
            let rest = parts.get(1..).map(|p| p.join(".")).unwrap_or_default();
            format!("{}.{rest}", b64(header.to_string().as_bytes()))
        }
        5 => {
            // Replace one part with base64 of random JSON text.
            let i = rng.below(parts.len());
            let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
            p[i] = b64(json_text(rng, 3).as_bytes());
            p.join(".")
        }
        6 => {
            // Too many or too few parts.
            let mut p: Vec<&str> = parts.clone();
            if rng.one_in(2) {
                p.push(parts[rng.below(parts.len())]);
            } else {
                p.truncate(rng.below(parts.len()));
            }
            p.join(".")
        }
        7 => {
            // Swap two parts.
            let mut p = parts.clone();
            let (i, j) = (rng.below(p.len()), rng.below(p.len()));
            p.swap(i, j);
            p.join(".")
        }
        8 => {
            // Base64 with padding, or the standard alphabet.
            let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
            let i = rng.below(p.len());
            p[i] = format!("{}{}", p[i], rng.pick(&["=", "==", "+", "/"]));
            p.join(".")
        }
        9 => format!("{token}{}", text(rng)),
        10 => "a".repeat(rng.pick(&[0, 1, 16 * 1024, 16 * 1024 + 1, 40_000])),
        _ => text(rng),
    }
}

/// Claims that look like one of the three formats, with fields replaced by garbage.
fn garbage_claims(rng: &mut Rng) -> String {
    let numbers = [
        "0",
        "-1",
        "1795341600",
        "1795341600.5",
        "-1795341600.5",
        "1e15",
        "-1e15",
        "9007199254740993",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551615",
        "1e400",
        "-1e400",
        "\"1795341600\"",
        "null",
        "[]",
        "{}",
        "true",
    ];
    let template = match rng.below(3) {
        0 => json!({
            "iss": "kubernetes/serviceaccount",
            "kubernetes.io/serviceaccount/namespace": "top-secret",
            "kubernetes.io/serviceaccount/secret.name": "robot-token-r2d7x",
            "kubernetes.io/serviceaccount/service-account.name": "robot",
            "kubernetes.io/serviceaccount/service-account.uid": "x",
            "sub": "system:serviceaccount:top-secret:robot"
        }),
        1 => json!({
            "exp": NOW.0 + 3600, "iat": NOW.0, "nbf": NOW.0, "jti": "j",
            "kubernetes.io": {"namespace": "ci", "serviceaccount": {"name": "runner", "uid": "u"},
                "pod": {"name": "p", "uid": "pu"}, "node": {"name": "n"}},
            "sub": "system:serviceaccount:ci:runner"
        }),
        _ => json!({"jti": "d5502884-e9ae-4637-b08d-2e153ad8f3ce", "sub": "deploy-bot@engineering",
            "iat": NOW.0, "nbf": NOW.0, "exp": NOW.0 + 3600}),
    };
    let Value::Object(mut map) = template else {
        unreachable!()
    };
    // The default issuer (no `iss`) holds the shared secret the garbage is signed with.
    if rng.one_in(2) {
        map.remove("iss");
    }
    let mut members: Vec<(String, String)> =
        map.into_iter().map(|(k, v)| (k, v.to_string())).collect();
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(members.len() + 1);
        let value = match rng.below(3) {
            0 => rng.pick(&numbers).to_string(),
            1 => json_text(rng, 3),
            _ => Value::String(text(rng)).to_string(),
        };
        let key = match members.get(i) {
            Some((k, _)) if rng.one_in(3) => k.clone(),
            _ => rng
                .pick(&[
                    "exp",
                    "nbf",
                    "iat",
                    "aud",
                    "sub",
                    "jti",
                    "iss",
                    "kubernetes.io",
                    "kubernetes.io/serviceaccount/namespace",
                ])
                .to_string(),
        };
        match rng.below(3) {
            0 if i < members.len() => members[i].1 = value,
            1 if i < members.len() => {
                members.remove(i);
            }
            _ => members.push((key, value)),
        }
    }
    let body: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("{}:{v}", Value::String(k.clone())))
        .collect();
    format!("{{{}}}", body.join(","))
}

fn resource(verb: &str, resource: &str, name: &str, namespace: &str) -> RbacRequest {
    RbacRequest::Resource(ResourceAttributes::from_kubectl(
        verb, resource, name, namespace,
    ))
}

fn wiki_request(token: &str) -> HttpRequest {
    HttpRequest::new("GET", "https://wiki.example.com/")
        .expect("request")
        .with_header("Authorization", &format!("Bearer {token}"))
}

#[test]
fn mutated_tokens_are_refused_with_a_reason() {
    let mut engine = example_engine();
    let tokens = valid_tokens();
    for t in &tokens {
        assert!(engine.verify(t, NOW).is_ok(), "a valid token is refused");
    }
    let issuers: Vec<_> = [
        Some("kubernetes/serviceaccount"),
        Some("https://kubernetes.default.svc.cluster.local"),
        None,
    ]
    .iter()
    .filter_map(|iss| engine.bundle().keys().issuer(*iss).ok().cloned())
    .collect();
    assert_eq!(issuers.len(), 3);
    let mut rng = Rng::new(0x7e55_e7a1);
    let mut refused = 0;
    for round in 0..2000 {
        let original = rng.pick(&tokens);
        let mut token = mutate_token(&mut rng, &original);
        if rng.one_in(3) {
            token = mutate_token(&mut rng, &token);
        }
        let what = format!("round {round}: {token:?}");
        for issuer in &issuers {
            let signed = tessera::token::verify_signature(issuer, &token);
            assert!(
                token == original || signed.is_err() || tokens.contains(&token),
                "{what}"
            );
        }
        let review = engine.review(&token, NOW);
        if token == original {
            continue;
        }
        assert!(!review.authenticated, "{what}");
        assert!(review.error.is_some_and(|e| !e.is_empty()), "{what}");
        refused += 1;
        let d = engine.authorize(&token, &resource("get", "pods", "", "top-secret"), NOW);
        assert_denied(&d, &what);
        assert_eq!(d.status, 401, "{what}");
        // Header values are trimmed: a token with only white space added is still the token.
        if token.trim() != original {
            let d = engine.check_http(&wiki_request(&token), NOW);
            assert_denied(&d, &what);
        }
        let d = engine.check_http_with(
            &HttpRequest::new("GET", "https://secret.example.com/admin").expect("request"),
            Ok(&token),
            NOW,
        );
        assert_denied(&d, &what);
    }
    assert!(refused > 1600, "too few mutations differed: {refused}");
}

#[test]
fn signed_garbage_claims_never_panic_and_each_refusal_is_a_denial() {
    let key = hs256_key();
    let mut engine = example_engine();
    let mut rng = Rng::new(0xc1a1_4505);
    let mut authenticated = 0;
    for round in 0..6000 {
        let claims = if rng.one_in(5) {
            json_text(&mut rng, 4)
        } else {
            garbage_claims(&mut rng)
        };
        let token = sign_raw(&key, &claims);
        let what = format!("round {round}: {claims}");
        let at = if rng.one_in(4) {
            UnixTime(rng.pick(&[i64::MIN, i64::MAX, -1, 0, NOW.0 + 7200]))
        } else {
            NOW
        };
        let verified = engine.verify(&token, at);
        let first = verified.is_ok();
        let d = engine.authorize(&token, &resource("get", "pods", "", "ci"), at);
        assert_consistent(&d, &what);
        let d = engine.check_http(&wiki_request(&token), at);
        assert_consistent(&d, &what);
        match verified {
            Ok(_) => authenticated += 1,
            Err(e) => {
                assert!(!e.to_string().is_empty(), "{what}");
                assert_denied(&d, &what);
            }
        }
        // The cache must not change the answer.
        assert_eq!(engine.verify(&token, at).is_ok(), first, "{what}");
    }
    // The generator also produces valid tokens, so the accepting path is exercised too.
    assert!(authenticated > 0, "no garbage claims were valid");
}

#[test]
fn extreme_token_times_never_panic() {
    let key = hs256_key();
    let mut engine = example_engine();
    let extremes = [
        "-9223372036854775808",
        "9223372036854775807",
        "-9223372036854775807",
        "9007199254740993",
        "-9007199254740993",
        "18446744073709551615",
        "999999999999999.9",
        "-999999999999999.9",
        "1e15",
        "-1e15",
        "1e300",
        "0",
        "-1",
        "1795341600",
    ];
    let subsets: [&[&str]; 5] = [
        &["exp"],
        &["nbf"],
        &["iat"],
        &["nbf", "iat"],
        &["exp", "nbf", "iat"],
    ];
    let mut checked = 0;
    for value in extremes {
        for fields in subsets {
            let mut members = vec![
                r#""jti":"d5502884-e9ae-4637-b08d-2e153ad8f3ce""#.to_string(),
                r#""sub":"deploy-bot@engineering""#.to_string(),
            ];
            for f in fields {
                members.push(format!("\"{f}\":{value}"));
            }
            let claims = format!("{{{}}}", members.join(","));
            let token = sign_raw(&key, &claims);
            for now in [NOW, UnixTime(i64::MIN), UnixTime(i64::MAX), UnixTime(0)] {
                let what = format!("{claims} at {}", now.0);
                let verified = engine.verify(&token, now);
                if let Ok(identity) = &verified {
                    // Every instant that reaches the caller fits a JavaScript number.
                    if let Some(t) = identity.expires_at {
                        assert!(t.0.unsigned_abs() < 1 << 53, "{what}: {t:?}");
                    }
                }
                let d = engine.check_http(&wiki_request(&token), now);
                assert_consistent(&d, &what);
                if verified.is_err() {
                    assert_denied(&d, &what);
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 14 * 5 * 4);
}

#[test]
fn mutated_bundles_load_or_fail_but_never_panic() {
    let original: Value =
        serde_json::from_str(&support::example_bundle()).expect("example bundle JSON");
    let tokens = valid_tokens();
    let mut rng = Rng::new(0xb0d1_e5e5);
    let (mut loaded, mut refused) = (0, 0);
    for round in 0..600 {
        let mut doc = original.clone();
        for _ in 0..1 + usize::from(rng.one_in(3)) {
            match rng.below(4) {
                0 => {
                    // A route's policy, replaced or nested deeply.
                    let Some(Value::Array(routes)) = doc.get_mut("routes") else {
                        continue;
                    };
                    let i = rng.below(routes.len());
                    let Some(Value::Object(route)) = routes.get_mut(i) else {
                        continue;
                    };
                    let policy = route.entry("policy").or_insert(Value::Null);
                    if rng.one_in(2) {
                        *policy = random_policy(&mut rng);
                    } else {
                        mutate_value(&mut rng, policy, 0);
                    }
                }
                1 => {
                    // Drop an element of a top-level list.
                    let key = rng.pick(&[
                        "routes",
                        "service_accounts",
                        "roles",
                        "cluster_roles",
                        "role_bindings",
                        "cluster_role_bindings",
                        "revocations",
                        "issuers",
                        "namespaces",
                    ]);
                    if let Some(Value::Array(items)) = doc.get_mut(key) {
                        if !items.is_empty() {
                            items.remove(rng.below(items.len()));
                        }
                    }
                }
                _ => mutate_value(&mut rng, &mut doc, 0),
            }
        }
        let mut bytes = doc.to_string();
        match rng.below(10) {
            0 => {
                // Text-level: truncate or insert at a character boundary.
                let cut = (0..=rng.below(bytes.len()))
                    .rev()
                    .find(|i| bytes.is_char_boundary(*i))
                    .unwrap_or(0);
                if rng.one_in(2) {
                    bytes.truncate(cut);
                } else {
                    bytes.insert_str(cut, rng.pick(&["é", "\"", ",", "}", "{\"a\":1,", "1e400"]));
                }
            }
            1 => {
                // A duplicate member at the top level.
                bytes = bytes.replacen('{', "{\"revision\": 99, ", 1);
            }
            _ => {}
        }
        let what = format!("round {round}");
        let Ok(bundle) = Bundle::from_json(bytes.as_bytes()) else {
            refused += 1;
            continue;
        };
        loaded += 1;
        let mut engine = Engine::new(bundle);
        for token in &tokens {
            let d = engine.authorize(token, &resource("get", "pods", "", "top-secret"), NOW);
            assert_consistent(&d, &what);
            let d = engine.check_http(&wiki_request(token), NOW);
            assert_consistent(&d, &what);
        }
        let d = engine.check_http(
            &HttpRequest::new("GET", "https://status.example.com/").expect("request"),
            NOW,
        );
        assert_consistent(&d, &what);
    }
    assert!(
        loaded > 60 && refused > 60,
        "loaded {loaded}, refused {refused}"
    );
}

/// One JSON-level mutation somewhere in `value`.
fn mutate_value(rng: &mut Rng, value: &mut Value, depth: usize) {
    let descend = depth < 6 && rng.below(4) != 0;
    match value {
        Value::Object(map) if !map.is_empty() && descend => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = rng.pick(&keys);
            if let Some(child) = map.get_mut(&key) {
                mutate_value(rng, child, depth + 1);
            }
            return;
        }
        Value::Array(items) if !items.is_empty() && descend => {
            let i = rng.below(items.len());
            mutate_value(rng, &mut items[i], depth + 1);
            return;
        }
        _ => {}
    }
    match (rng.below(9), &mut *value) {
        (0, Value::Object(map)) if !map.is_empty() => {
            let keys: Vec<String> = map.keys().cloned().collect();
            map.remove(&rng.pick(&keys));
        }
        (1, Value::Object(map)) => {
            let key = rng.pick(&["name", "namespace", "policy", "kind", "é", "allow", "rules"]);
            map.insert(key.to_string(), random_value(rng, 3));
        }
        (2, Value::Array(items)) if !items.is_empty() => {
            let i = rng.below(items.len());
            let copy = items[i].clone();
            let n = if rng.one_in(4) { 300 } else { 1 };
            for _ in 0..n {
                items.push(copy.clone());
            }
        }
        (3, Value::Array(items)) if !items.is_empty() => {
            items.remove(rng.below(items.len()));
        }
        (4, Value::String(s)) => {
            let mut chars: Vec<char> = s.chars().collect();
            let at = rng.below(chars.len() + 1);
            for c in rng
                .pick(&["é", "€", "😀", "*", "/", ":", "\u{0}", "A"])
                .chars()
            {
                chars.insert(at.min(chars.len()), c);
            }
            *s = chars.into_iter().collect();
        }
        (5, _) => {
            // Deep nesting (within serde_json's limit, and past it).
            let n = rng.pick(&[5usize, 50, 120, 200]);
            let mut v = value.take();
            for _ in 0..n {
                v = if rng.one_in(2) {
                    json!([v])
                } else {
                    json!({"allow": {"and": [v]}})
                };
            }
            *value = v;
        }
        _ => *value = random_value(rng, 2),
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    let leaf = |rng: &mut Rng| match rng.below(7) {
        0 => Value::Null,
        1 => json!(rng.one_in(2)),
        2 => json!(rng.pick(&[0i64, -1, 1, i64::MIN, i64::MAX, 1_795_341_600])),
        3 => json!(rng.pick(&[u64::MAX, 9_007_199_254_740_993])),
        4 => json!(rng.pick(&[1.5f64, -1e300, 1e300, 0.1])),
        _ => json!(text(rng)),
    };
    if depth == 0 {
        return leaf(rng);
    }
    match rng.below(4) {
        0 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth - 1))
                .collect(),
        ),
        1 => {
            let mut map = serde_json::Map::new();
            for _ in 0..rng.below(4) {
                map.insert(text(rng), random_value(rng, depth - 1));
            }
            Value::Object(map)
        }
        _ => leaf(rng),
    }
}

#[test]
fn random_http_requests_are_decided_with_a_reason() {
    let mut engine = example_engine();
    let tokens = valid_tokens();
    let mut rng = Rng::new(0x4771_0b0b);
    let (mut decided, mut bad_requests) = (0, 0);
    for round in 0..20_000 {
        let method = rng.pick(&[
            "GET", "get", "POST", "DELETE", "HEAD", "PO ST", "", "é", "X-CUSTOM", "*",
        ]);
        let scheme = rng.pick(&[
            "https://", "http://", "HTTPS://", "ftp://", "", "https:/", "://",
        ]);
        let userinfo = rng.pick(&["", "", "", "user@", "@", "a@b@", "é@"]);
        let host = rng.pick(&[
            "wiki.example.com",
            "API.EXAMPLE.COM",
            "api.example.com:443",
            "ci.example.com",
            "secret.example.com",
            "deploy.example.com",
            "reports.example.com",
            "status.example.com",
            "[::1]",
            "[::1]:x",
            "[::1]:8443",
            "[::1",
            "例え.jp",
            "%41",
            "",
            ":",
            "é:",
            "wiki.example.com:99999",
        ]);
        let path = if rng.one_in(3) {
            text(&mut rng)
        } else {
            rng.pick(&[
                "",
                "/",
                "/engineering",
                "/engineering/é",
                "/admin",
                "/hooks/github",
                "/?q=é#f",
                "?x",
                "#",
            ])
            .to_string()
        };
        let url = format!("{scheme}{userinfo}{host}{path}");
        let what = format!("round {round}: {method} {url:?}");
        let mut request = match HttpRequest::new(method, &url) {
            Ok(r) => r,
            Err(e) => {
                assert!(!e.to_string().is_empty(), "{what}");
                bad_requests += 1;
                continue;
            }
        };
        let valid = rng.one_in(4);
        let token = if valid {
            rng.pick(&tokens)
        } else {
            let t = rng.pick(&tokens);
            mutate_token(&mut rng, &t)
        };
        let header = rng.pick(&[
            "authorization",
            "Authorization",
            "x-pomerium-authorization",
            "X-Pomerium-Authorization",
            "cookie",
        ]);
        let value = match rng.below(6) {
            0 => format!("Bearer {token}"),
            1 => format!("Bearer Pomerium-{token}"),
            2 => format!("Pomerium {token}"),
            3 => token.clone(),
            4 => format!("{} {token}", text(&mut rng)),
            _ => text(&mut rng),
        };
        request = request.with_header(header, &value);
        if rng.one_in(3) {
            request = request.with_header(&text(&mut rng), &text(&mut rng));
        }
        if rng.one_in(2) {
            let ip = rng.pick(&[
                "10.0.0.1",
                "::1",
                "::ffff:10.0.0.1",
                " 192.168.1.7 ",
                "300.1.1.1",
                "é",
                "fe80::1%eth0",
                "",
                "[::1]",
            ]);
            request = match request.clone().with_source_ip(ip) {
                Ok(r) => r,
                Err(e) => {
                    assert!(!e.to_string().is_empty(), "{what}");
                    request
                }
            };
        }
        let at = if rng.one_in(10) {
            UnixTime(rng.pick(&[i64::MIN, i64::MAX, 0, 4_102_444_800]))
        } else {
            NOW
        };
        let d = engine.check_http(&request, at);
        assert_consistent(&d, &what);
        if d.allowed && d.identity.is_none() {
            // Without an identity only the open routes may allow.
            assert!(
                matches!(d.route.as_deref(), Some("status" | "ci-webhook")),
                "{what}: {d:?}"
            );
        }
        let missing: Result<&str, TokenError> = Err(TokenError::Missing);
        let d = engine.check_http_with(&request, missing, at);
        assert_consistent(&d, &what);
        decided += 1;
    }
    assert!(
        decided > 1000 && bad_requests > 100,
        "{decided} {bad_requests}"
    );
}

#[test]
fn random_rbac_attributes_are_decided_with_one_reason() {
    let mut engine = example_engine();
    let tokens = valid_tokens();
    let mut rng = Rng::new(0x0bac_0bac);
    let words = [
        "*",
        "get",
        "list",
        "é",
        "",
        "pods",
        "pods/log",
        "*/scale",
        "deployments.apps",
        "deployments.apps/scale",
        "secrets",
        "top-secret",
        "engineering",
        "ci",
        "default",
        "😀",
        "a.b.c/d/e",
        "/",
        ".",
        "-",
        "kube-system",
    ];
    let mut allowed = 0;
    for round in 0..8000 {
        let pick = |rng: &mut Rng| -> String {
            if rng.one_in(3) {
                text(rng)
            } else {
                rng.pick(&words).to_string()
            }
        };
        let request = if rng.one_in(4) {
            RbacRequest::NonResource(NonResourceAttributes {
                verb: pick(&mut rng),
                path: pick(&mut rng),
            })
        } else {
            resource(
                &pick(&mut rng),
                &pick(&mut rng),
                &pick(&mut rng),
                &pick(&mut rng),
            )
        };
        let what = format!("round {round}: {request:?}");
        let token = rng.pick(&tokens);
        let d = engine.authorize(&token, &request, NOW);
        assert_consistent(&d, &what);
        assert_eq!(d.reasons.len(), 1, "{what}: {d:?}");
        assert!(d.identity.is_some(), "{what}");
        allowed += usize::from(d.allowed);
        let garbage = mutate_token(&mut rng, &token);
        if garbage != token {
            let d = engine.authorize(&garbage, &request, NOW);
            assert_denied(&d, &what);
        }
    }
    assert!(
        allowed > 0,
        "nothing was ever allowed: the generator misses the grants"
    );
}

/// A random PPL policy: valid and invalid operators, criteria and matchers.
fn random_policy(rng: &mut Rng) -> Value {
    let rule = |rng: &mut Rng| -> Value {
        let mut rule = serde_json::Map::new();
        for _ in 0..1 + rng.below(2) {
            let action = rng.pick(&["allow", "deny", "allow", "deny", "action", "Allow"]);
            let mut block = serde_json::Map::new();
            for _ in 0..1 + rng.below(2) {
                let op = rng.pick(&["and", "or", "not", "nor", "and", "or", "xor"]);
                let criteria: Vec<Value> =
                    (0..rng.below(4)).map(|_| random_criterion(rng)).collect();
                let list = if rng.one_in(30) {
                    json!("not a list")
                } else {
                    Value::Array(criteria)
                };
                block.insert(op.to_string(), list);
            }
            let block = if rng.one_in(30) {
                json!(["not", "an", "object"])
            } else {
                Value::Object(block)
            };
            rule.insert(action.to_string(), block);
        }
        Value::Object(rule)
    };
    match rng.below(6) {
        0 => Value::Array((0..rng.below(3)).map(|_| rule(rng)).collect()),
        1 if rng.one_in(5) => random_value(rng, 2),
        _ => rule(rng),
    }
}

fn random_criterion(rng: &mut Rng) -> Value {
    let string_matcher = |rng: &mut Rng, good: &[&str]| -> Value {
        let s = |rng: &mut Rng| -> Value {
            if rng.one_in(3) {
                json!(text(rng))
            } else {
                json!(rng.pick(good))
            }
        };
        match rng.below(10) {
            0 => s(rng),
            1 => json!({"is": s(rng)}),
            2 => json!({"not": s(rng)}),
            3 => json!({"contains": s(rng), "starts_with": s(rng)}),
            4 => json!({"ends_with": s(rng)}),
            5 => json!({"in": [s(rng), s(rng)]}),
            6 => json!({"not_in": [s(rng)]}),
            7 => json!({}),
            8 => json!({"in": s(rng)}),
            _ => random_value(rng, 1),
        }
    };
    let list_matcher = |rng: &mut Rng, good: &[&str]| -> Value {
        let s = |rng: &mut Rng| -> Value {
            match rng.below(6) {
                0 => json!(text(rng)),
                1 => json!(1.0),
                2 => json!(true),
                _ => json!(rng.pick(good)),
            }
        };
        match rng.below(7) {
            0 => s(rng),
            1 => json!({"has": s(rng)}),
            2 => json!({"is": s(rng)}),
            3 => json!({"exclude": s(rng), "has": s(rng)}),
            4 => json!({}),
            5 => json!({"has": [s(rng)]}),
            _ => random_value(rng, 1),
        }
    };
    let (key, value) = match rng.below(21) {
        0 => ("accept".to_string(), json!(true)),
        1 => ("reject".to_string(), json!(true)),
        2 => ("authenticated_user".to_string(), json!(true)),
        3 => (
            "user".to_string(),
            string_matcher(rng, &["deploy-bot@engineering", "alice", "u"]),
        ),
        4 => ("email".to_string(), string_matcher(rng, &["alice@example.com"])),
        5 => ("domain".to_string(), string_matcher(rng, &["example.com"])),
        6 => ("groups".to_string(), list_matcher(rng, &["admins", "engineers"])),
        7 => {
            let path = rng.pick(&[
                "aud",
                "sub",
                "jti",
                "kubernetes.io/namespace",
                "kubernetes.io.serviceaccount.name",
                "kubernetes.io/serviceaccount/namespace",
                "",
                "a/b/c/d/e/f/g/h",
                "é/😀",
                "/",
                ".",
                "./.",
            ]);
            let path = if rng.one_in(4) { text(rng) } else { path.to_string() };
            (
                format!("claim/{path}"),
                list_matcher(rng, &["ci", "runner", "https://kubernetes.default.svc.cluster.local"]),
            )
        }
        8 => ("http_method".to_string(), string_matcher(rng, &["GET", "POST"])),
        9 => ("http_path".to_string(), string_matcher(rng, &["/", "/engineering"])),
        10 => (
            "source_ip".to_string(),
            rng.pick(&[
                json!("10.0.0.0/8"),
                json!(["::1", "192.168.1.7/32"]),
                json!("10.0.0.0/33"),
                json!("::/0"),
                json!("0.0.0.0/0"),
                json!("é"),
                json!(["10.0.0.1", 7]),
                json!("10.0.0.0/999"),
            ]),
        ),
        11 => (
            "date".to_string(),
            rng.pick(&[
                json!({"after": "2026-01-01T00:00:00Z"}),
                json!({"before": "2026-11-22T10:00:00"}),
                json!({"after": "2026-13-01T00:00:00Z"}),
                json!({"after": "2026-01-01T00:00:00é"}),
                json!({"after": "9999-12-31T23:59:59+23:59", "before": "0000-01-01T00:00:00-23:59"}),
                json!({}),
                json!("2026"),
            ]),
        ),
        12 => (
            "day_of_week".to_string(),
            rng.pick(&[
                json!("mon-fri"),
                json!("*"),
                json!("fri-mon"),
                json!("sun,sat"),
                json!({"is": "mon", "timezone": "+02:00"}),
                json!({"is": "mon", "timezone": "Europe/Paris"}),
                json!({"is": "mon", "timezone": "-23:59"}),
                json!("mon-"),
                json!("é"),
                json!({"timezone": "UTC"}),
            ]),
        ),
        13 => (
            "time_of_day".to_string(),
            rng.pick(&[
                json!({"timezone": "UTC", "after": "8AM", "before": "18:30"}),
                json!({"timezone": "+14:00", "after": "23:59:59.999999999"}),
                json!({"timezone": "UTC", "after": "12PM", "before": "12AM"}),
                json!({"timezone": "UTC", "after": "25:00"}),
                json!({"timezone": "UTC", "after": "é"}),
                json!({"after": "8AM"}),
                json!({"timezone": "UTC"}),
                json!({"timezone": "UTC", "before": "3 PM"}),
            ]),
        ),
        14 => (
            "namespace".to_string(),
            string_matcher(rng, &["engineering", "ci"]),
        ),
        15 => (
            "service_account".to_string(),
            string_matcher(rng, &["engineering/deploy-bot", "ci/runner"]),
        ),
        16 => ("role".to_string(), list_matcher(rng, &["view", "edit", "admin"])),
        17 => (
            rng.pick(&["and", "or", "not", "nor"]).to_string(),
            json!([{"accept": true}]),
        ),
        18 => (
            rng.pick(&["user/x", "groups/", "unknown", "é", ""]).to_string(),
            json!("x"),
        ),
        19 => {
            // Not exactly one key.
            return rng.pick(&[json!({}), json!({"accept": true, "reject": true}), json!("accept")]);
        }
        _ => ("accept".to_string(), random_value(rng, 1)),
    };
    json!({ key: value })
}

#[test]
fn random_policies_compile_or_fail_and_decide_with_a_reason() {
    let template: Value =
        serde_json::from_str(&support::example_bundle()).expect("example bundle JSON");
    let mut probe = example_engine();
    let tokens = valid_tokens();
    let identities: Vec<_> = tokens
        .iter()
        .map(|t| probe.verify(t, NOW).expect("a valid token"))
        .collect();
    let mut rng = Rng::new(0x0099_1e55);
    let (mut clean, mut refused, mut allowed, mut bundles) = (0, 0, 0, 0);
    let mut batch: Vec<Value> = Vec::new();
    for round in 0..5000 {
        let policy = random_policy(&mut rng);
        let what = format!("round {round}: {policy}");
        let mut problems = Problems::default();
        let compiled = Policy::compile(&policy, "policy", &mut problems);
        // Whatever compiled is evaluated, problems or not.
        for _ in 0..3 {
            let identity = if rng.one_in(4) {
                None
            } else {
                Some(rng.pick(&identities))
            };
            let held = vec![
                rng.pick(&["view", "edit", "admin"]).to_string(),
                text(&mut rng),
            ];
            let roles = move || held.clone();
            let path = text(&mut rng);
            let cx = PolicyContext {
                identity: identity.as_deref(),
                method: rng.pick(&["GET", "POST", "DELETE", "é"]),
                host: "fuzz.example.com",
                path: &path,
                source_ip: rng.pick(&[
                    None,
                    Some([10, 1, 2, 3].into()),
                    Some([0u16, 0, 0, 0, 0, 0, 0, 1].into()),
                ]),
                now: UnixTime(rng.pick(&[NOW.0, 0, i64::MIN, i64::MAX, -86_400 * 3])),
                roles: &roles,
            };
            let outcome = compiled.evaluate(&cx);
            assert_eq!(
                outcome.allowed,
                outcome.status == 200,
                "{what}: {outcome:?}"
            );
            assert!(
                [200, 401, 403].contains(&outcome.status),
                "{what}: {outcome:?}"
            );
            assert!(!outcome.explanation.is_empty(), "{what}: {outcome:?}");
            if outcome.status == 401 {
                assert!(identity.is_none(), "{what}: {outcome:?}");
            }
            allowed += usize::from(outcome.allowed);
        }
        if problems.is_empty() {
            clean += 1;
            batch.push(policy);
        } else {
            refused += 1;
            assert!(
                problems
                    .as_slice()
                    .iter()
                    .all(|p| p.path.starts_with("policy") && !p.message.is_empty()),
                "{what}: {:?}",
                problems.as_slice()
            );
        }
        if batch.len() < 8 {
            continue;
        }
        // Policies that compiled alone load in a bundle, each on its own route, and decide there.
        let routes: Vec<Value> = batch
            .drain(..)
            .enumerate()
            .map(|(i, policy)| {
                let mut route = json!({
                    "name": format!("fuzz-{i}"),
                    "namespace": rng.pick(&["engineering", "global", "ci"]),
                    "from": format!("https://fuzz{i}.example.com"),
                    "policy": policy,
                });
                let (field, value) = rng.pick(&[
                    ("prefix", "/a"),
                    ("path", "/a"),
                    ("regex", "/a/[0-9]+"),
                    ("regex", "é+"),
                    ("", ""),
                ]);
                if !field.is_empty() {
                    route[field] = json!(value);
                }
                route
            })
            .collect();
        let mut doc = template.clone();
        doc["routes"] = Value::Array(routes);
        let what = format!("round {round}: {}", doc["routes"]);
        let bundle = Bundle::from_json(doc.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{what}: policies that compiled alone are refused: {e}"));
        bundles += 1;
        let mut engine = Engine::new(bundle);
        for i in 0..8 {
            for _ in 0..3 {
                let method = rng.pick(&["GET", "POST", "DELETE"]);
                let path = rng.pick(&["/", "/a", "/a/12", "/b/a/12", "/éé"]);
                let url = format!("https://fuzz{i}.example.com{path}");
                let mut request = HttpRequest::new(method, &url).expect("request");
                if rng.one_in(2) {
                    let token = rng.pick(&tokens);
                    request = request.with_header("authorization", &format!("Bearer {token}"));
                }
                let at = UnixTime(NOW.0 + rng.pick(&[0i64, 3600 * 9, -86_400 * 400]));
                let d = engine.check_http(&request, at);
                assert_consistent(&d, &what);
                if d.route.is_some() {
                    assert!([200, 401, 403].contains(&d.status), "{what}: {d:?}");
                }
            }
        }
    }
    assert!(
        clean > 400 && refused > 400 && allowed > 0 && bundles > 40,
        "clean {clean}, refused {refused}, allowed {allowed}, bundles {bundles}"
    );
}

#[test]
fn trusted_keys_and_bundle_signatures_never_panic() {
    let bundle = support::example_bundle();
    let public = support::read("examples/keys/bundle-signing.public.jwk.json");
    let trusted = TrustedKeys::from_json(public.as_bytes()).expect("trusted key");
    let signature = support::read("examples/bundle.json.sig");
    assert!(trusted.verify(bundle.as_bytes(), &signature).is_ok());
    let mut rng = Rng::new(0x5195_5195);
    let jwk: Value = serde_json::from_str(&public).expect("JWK");
    let mut engine = example_engine();
    for round in 0..1000 {
        let what = format!("round {round}");
        let mut doc = if rng.one_in(2) {
            json!({"keys": [jwk.clone()]})
        } else {
            jwk.clone()
        };
        mutate_value(&mut rng, &mut doc, 0);
        let _ = TrustedKeys::from_json(doc.to_string().as_bytes());
        let _ = TrustedKeys::from_json(json_text(&mut rng, 3).as_bytes());
        let sig = mutate_token(&mut rng, signature.trim());
        let same = sig.trim() == signature.trim();
        assert_eq!(
            trusted.verify(bundle.as_bytes(), &sig).is_ok(),
            same,
            "{what}: {sig:?}"
        );
        let result = engine.update_signed(bundle.as_bytes(), &sig, &trusted, NOW);
        assert_eq!(result.is_ok(), same, "{what}");
    }
}

#[test]
fn edge_values_of_a_bundle_are_refused_with_a_path() {
    let template: Value =
        serde_json::from_str(&support::example_bundle()).expect("example bundle JSON");
    let load = |edit: &dyn Fn(&mut Value)| {
        let mut doc = template.clone();
        edit(&mut doc);
        Bundle::from_json(doc.to_string().as_bytes()).map(|_| ())
    };
    // A revision must stay an exact JavaScript number: every decision carries it.
    for (revision, ok) in [
        (json!(9_007_199_254_740_991u64), true),
        (json!(9_007_199_254_740_992u64), false),
        (json!(u64::MAX), false),
    ] {
        let result = load(&|d| d["revision"] = revision.clone());
        assert_eq!(result.is_ok(), ok, "revision {revision}: {result:?}");
        if let Err(e) = result {
            assert!(e.to_string().contains("revision: "), "{e}");
        }
    }
    // A route regex is one whole expression: it cannot close the anchoring group early.
    for (regex, ok) in [
        ("/a/[0-9]+", true),
        ("/a)|(.*", false),
        ("(/a", false),
        ("a{1000}{1000}", false),
        (&"(".repeat(300), false),
    ] {
        let result = load(&|d| {
            d["routes"][0]["regex"] = json!(regex);
            if let Some(route) = d["routes"][0].as_object_mut() {
                route.remove("prefix");
            }
        });
        assert_eq!(result.is_ok(), ok, "regex {regex:?}: {result:?}");
    }
}
