//! The signature check made ahead of a decision, as a host with asynchronous signature math
//! (WebCrypto in workers and browsers) uses it: ask the engine what to check, check it, give
//! the verdict back through the host verifier, decide.

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use tessera::rbac::{RbacRequest, ResourceAttributes};
use tessera::token::crypto::set_host_verifier;
use tessera::{Engine, UnixTime};

const NOW: UnixTime = UnixTime(1_795_341_600); // 2026-11-22T10:00:00Z

fn engine() -> Engine {
    Engine::from_json(support::example_bundle().as_bytes()).expect("example bundle")
}

fn mint(issuer: &str, account: &str) -> String {
    let spec = json!({"issuer": issuer, "account": account});
    support::mint(&support::example_document(), &spec, NOW)
}

fn get_pods(namespace: &str) -> RbacRequest {
    RbacRequest::Resource(ResourceAttributes::from_kubectl(
        "get", "pods", "", namespace,
    ))
}

#[test]
fn a_public_key_token_asks_for_its_key_its_signed_bytes_and_its_signature() {
    for (issuer, account, alg, kty) in [
        ("legacy", "top-secret/robot", Algorithm::RS256, "RSA"),
        ("cluster", "top-secret/robot", Algorithm::ES256, "EC"),
        (
            "pomerium-eddsa",
            "top-secret/robot",
            Algorithm::EdDSA,
            "OKP",
        ),
    ] {
        let token = mint(issuer, account);
        let mut e = engine();
        let check = e
            .signature_check(&token, NOW)
            .unwrap_or_else(|| panic!("{issuer}: a check"));
        assert_eq!(check.alg, alg, "{issuer}");
        assert_eq!(check.keys.len(), 1, "{issuer}: the kid's key");
        let jwk: Value = serde_json::from_str(check.keys[0]).expect("JWK text");
        assert_eq!(jwk["kty"], kty, "{issuer}");
        let (signed, signature) = token.rsplit_once('.').expect("three parts");
        assert_eq!(check.message, signed.as_bytes(), "{issuer}");
        assert_eq!(
            check.signature,
            URL_SAFE_NO_PAD.decode(signature).expect("base64url"),
            "{issuer}"
        );
    }
}

#[test]
fn nothing_to_check_ahead_for_hmac_cached_refused_or_expired() {
    let hs = mint("pomerium-hs256", "top-secret/robot");
    assert!(
        engine().signature_check(&hs, NOW).is_none(),
        "HMAC stays in the module"
    );

    let rs = mint("legacy", "top-secret/robot");
    let mut e = engine();
    assert!(e.verify(&rs, NOW).is_ok());
    assert!(e.signature_check(&rs, NOW).is_none(), "verified and cached");

    let (_, rest) = rs.split_once('.').expect("parts");
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"nope"}"#);
    let unknown_kid = format!("{header}.{rest}");
    let mut e = engine();
    assert!(e.signature_check(&unknown_kid, NOW).is_none());
    assert_eq!(
        e.review(&unknown_kid, NOW)
            .error
            .as_deref()
            .map(|m| m.contains("nope")),
        Some(true),
        "the decision says why"
    );
    assert!(engine().signature_check("not a token", NOW).is_none());

    let expired = engine()
        .bundle()
        .expires_at()
        .expect("the example bundle expires");
    assert!(engine().signature_check(&rs, expired.plus(1)).is_none());
}

#[test]
fn the_verdict_given_back_decides_and_only_for_those_exact_bytes() {
    let token = mint("legacy", "top-secret/robot");
    for verdict in [true, false] {
        let mut e = engine();
        let check = e.signature_check(&token, NOW).expect("a check");
        let (key, message, signature) = (
            check.keys[0].to_string(),
            check.message.to_vec(),
            check.signature.clone(),
        );
        let asked = std::rc::Rc::new(std::cell::Cell::new(0));
        let count = asked.clone();
        set_host_verifier(Some(Box::new(move |alg, jwk, m, s| {
            count.set(count.get() + 1);
            (alg == Algorithm::RS256 && jwk == key && m == message && s == signature)
                .then_some(verdict)
        })));
        let decision = e.authorize(&token, &get_pods("top-secret"), NOW);
        set_host_verifier(None);
        assert_eq!(asked.get(), 1, "the engine asked the host once");
        if verdict {
            assert!(decision.allowed, "{}", decision.explanation);
        } else {
            assert_eq!(decision.status, 401);
            assert_eq!(decision.reasons, vec!["signature-invalid".to_string()]);
        }
    }
}

fn mint_spec(spec: Value) -> String {
    support::mint(&support::example_document(), &spec, NOW)
}

#[test]
fn a_verdict_given_back_decides_as_verifying_would_without_verifying_again() {
    let account = "top-secret/robot";
    let cases = [
        ("RS256", json!({"issuer": "legacy", "account": account})),
        ("ES256", json!({"issuer": "cluster", "account": account})),
        (
            "EdDSA",
            json!({"issuer": "pomerium-eddsa", "account": account}),
        ),
        (
            "expired",
            json!({"issuer": "cluster", "account": account, "exp_in": -7200}),
        ),
        (
            "not yet valid",
            json!({"issuer": "cluster", "account": account, "nbf_in": 7200, "exp_in": 10800}),
        ),
        (
            "another audience",
            json!({"issuer": "cluster", "account": account, "aud": ["https://elsewhere"]}),
        ),
        (
            "a deleted secret",
            json!({"issuer": "legacy", "account": account, "secret": "robot-token-gone"}),
        ),
    ];
    for (what, spec) in cases {
        let token = mint_spec(spec);
        for valid in [true, false] {
            // What deciding answers when the host's math gives this verdict ...
            let mut e = engine();
            set_host_verifier(Some(Box::new(move |_, _, _, _| Some(valid))));
            let expected = e.authorize(&token, &get_pods("top-secret"), NOW);
            // ... is what it answers with the verdict given back to the check, never asking the
            // host again (nor verifying anything else again).
            let asked = std::rc::Rc::new(std::cell::Cell::new(0));
            let count = asked.clone();
            set_host_verifier(Some(Box::new(move |_, _, _, _| {
                count.set(count.get() + 1);
                None
            })));
            let mut e = engine();
            let check = e.signature_check(&token, NOW).expect(what);
            let id = check.id;
            assert!(e.signature_verdict(id, usize::from(valid), usize::from(!valid)));
            let got = e.authorize(&token, &get_pods("top-secret"), NOW);
            set_host_verifier(None);
            assert_eq!(asked.get(), 0, "{what}, {valid}: the host was asked again");
            assert_eq!(got, expected, "{what}, {valid}");
        }
    }
}

#[test]
fn a_verdict_given_back_holds_only_for_the_last_check_its_token_and_its_time() {
    let a = mint("legacy", "top-secret/robot");
    let b = mint("cluster", "top-secret/robot");
    let ns = get_pods("top-secret");
    // A false verdict for a genuine token: used, the decision refuses; not used, the module's
    // own math verifies it and the decision allows.
    let refused =
        |e: &mut Engine, token: &str, now: UnixTime| e.authorize(token, &ns, now).status == 401;

    let mut e = engine();
    let id = e.signature_check(&a, NOW).expect("a check").id;
    assert!(e.signature_verdict(id, 0, 1));
    assert!(!refused(&mut e, &b, NOW), "another token verifies as usual");
    assert!(
        refused(&mut e, &a, NOW),
        "the verdict is still kept for its token"
    );
    assert!(!refused(&mut e, &a, NOW), "and answers once");

    let mut e = engine();
    let id = e.signature_check(&a, NOW).expect("a check").id;
    assert!(e.signature_verdict(id, 0, 1));
    assert!(
        !refused(&mut e, &a, NOW.plus(1)),
        "another time verifies as usual"
    );

    let mut e = engine();
    let first = e.signature_check(&a, NOW).expect("a check").id;
    let second = e.signature_check(&b, NOW).expect("a check").id;
    assert_ne!(first, second);
    assert!(
        !e.signature_verdict(first, 0, 1),
        "only the last check waits"
    );
    assert!(!refused(&mut e, &a, NOW));

    let mut e = engine();
    let id = e.signature_check(&a, NOW).expect("a check").id;
    assert!(
        !e.signature_verdict(id, 0, 0),
        "no key answered: nothing to keep"
    );
    assert!(!refused(&mut e, &a, NOW));

    let mut e = engine();
    let id = e.signature_check(&a, NOW).expect("a check").id;
    assert!(e.signature_verdict(id, 0, 1));
    assert!(
        !e.signature_verdict(id, 0, 0),
        "a later inconclusive answer"
    );
    assert!(!refused(&mut e, &a, NOW), "replaces the verdict with none");

    // Check numbers are unique across engines: one engine's verdict never reaches another's
    // check (an engine rebuilt while a call awaited its signature).
    let (mut one, mut other) = (engine(), engine());
    let mine = one.signature_check(&a, NOW).expect("a check").id;
    let theirs = other.signature_check(&a, NOW).expect("a check").id;
    assert_ne!(mine, theirs);
    assert!(!other.signature_verdict(mine, 1, 0));
    assert!(other.signature_verdict(theirs, 0, 1));
    assert!(refused(&mut other, &a, NOW));
    assert!(!one.signature_verdict(theirs, 1, 0));

    let mut e = engine();
    let id = e.signature_check(&a, NOW).expect("a check").id;
    assert!(e.signature_verdict(id, 0, 1));
    let bundle = tessera::Bundle::from_json(support::example_bundle().as_bytes()).expect("bundle");
    e.update(bundle, NOW).expect("update");
    assert!(!refused(&mut e, &a, NOW), "a new bundle drops the verdict");
}
