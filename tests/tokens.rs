//! Token verification as a user meets it: the example bundle's issuers, real tokens minted with
//! the demo keys, and the adversarial basics, each refused with a precise reason.

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use tessera::token::mint::PrivateKey;
use tessera::{Engine, UnixTime};

const NOW: UnixTime = UnixTime(1_795_341_600); // 2026-11-22T10:00:00Z

fn engine() -> Engine {
    Engine::from_json(support::example_bundle().as_bytes()).expect("example bundle")
}

fn mint(spec: Value) -> String {
    support::mint(&support::example_document(), &spec, NOW)
}

fn refusal(token: &str) -> String {
    let mut e = engine();
    let review = e.review(token, NOW);
    assert!(!review.authenticated, "accepted: {token}");
    review.error.unwrap_or_default()
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn legacy_claims() -> Value {
    json!({
        "iss": "kubernetes/serviceaccount",
        "kubernetes.io/serviceaccount/namespace": "top-secret",
        "kubernetes.io/serviceaccount/secret.name": "robot-token-r2d7x",
        "kubernetes.io/serviceaccount/service-account.name": "robot",
        "kubernetes.io/serviceaccount/service-account.uid": robot_uid(),
        "sub": "system:serviceaccount:top-secret:robot"
    })
}

fn robot_uid() -> String {
    engine()
        .bundle()
        .account("top-secret", "robot")
        .expect("robot")
        .uid
        .to_string()
}

#[test]
fn each_issuer_and_algorithm_of_the_example_is_accepted() {
    let mut e = engine();
    for (issuer, account, username) in [
        (
            "legacy",
            "top-secret/robot",
            "system:serviceaccount:top-secret:robot",
        ),
        ("cluster", "ci/runner", "system:serviceaccount:ci:runner"),
        (
            "pomerium-eddsa",
            "engineering/deploy-bot",
            "system:serviceaccount:engineering:deploy-bot",
        ),
        (
            "pomerium-hs256",
            "engineering/deploy-bot",
            "system:serviceaccount:engineering:deploy-bot",
        ),
        ("pomerium-eddsa", "engineering/alice-automation", "alice"),
    ] {
        let token = mint(json!({"issuer": issuer, "account": account}));
        let identity = e
            .verify(&token, NOW)
            .unwrap_or_else(|err| panic!("{issuer} {account}: {err}"));
        assert_eq!(identity.username, username);
    }
}

#[test]
fn alg_none_is_refused() {
    let token = format!(
        "{}.{}.",
        b64(&json!({"alg": "none"})),
        b64(&legacy_claims())
    );
    assert_eq!(
        refusal(&token),
        "header.alg: \"none\" is never accepted (unsigned token)"
    );
    let token = format!(
        "{}.{}.c2ln",
        b64(&json!({"alg": "none"})),
        b64(&legacy_claims())
    );
    assert_eq!(
        refusal(&token),
        "header.alg: \"none\" is never accepted (unsigned token)"
    );
}

#[test]
fn hs256_signed_with_the_rsa_public_key_is_refused() {
    // The classic algorithm confusion: an HMAC keyed with the issuer's public key.
    let public = support::read("examples/keys/legacy.public.jwk.json");
    let jwk: Value = serde_json::from_str(&public).unwrap();
    for secret in [
        public.as_bytes().to_vec(),
        URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap(),
    ] {
        for kid in [None, Some("legacy-2026")] {
            let mut key = PrivateKey::from_secret(&secret, Algorithm::HS256);
            key.kid = kid.map(str::to_string);
            let token = key.sign_claims(&legacy_claims()).unwrap();
            assert_eq!(
                refusal(&token),
                "header.alg: issuer \"legacy\" has no HS256 (shared secret) key",
                "kid {kid:?}"
            );
        }
    }
}

#[test]
fn a_key_is_used_only_with_its_own_algorithm() {
    // The legacy RSA key, signing PS256 under its kid: its JWK pins RS256.
    let mut key = support::demo_key("legacy");
    key.alg = Algorithm::PS256;
    let key = PrivateKey::from_jwk(&{
        let mut j = key.to_jwk();
        j["alg"] = json!("PS256");
        j
    })
    .unwrap();
    let token = key.sign_claims(&legacy_claims()).unwrap();
    assert_eq!(
        refusal(&token),
        "header.alg: PS256 cannot be used with key \"legacy-2026\" of issuer \"legacy\", which is for RS256"
    );
}

#[test]
fn unknown_kid_wrong_iss_and_wrong_aud_are_named() {
    let mut key = support::demo_key("legacy");
    key.kid = Some("nobody".into());
    assert_eq!(
        refusal(&key.sign_claims(&legacy_claims()).unwrap()),
        "header.kid: \"nobody\" is not a key of issuer \"legacy\""
    );

    let mut claims = legacy_claims();
    claims["iss"] = json!("https://evil.example");
    assert_eq!(
        refusal(&support::demo_key("legacy").sign_claims(&claims).unwrap()),
        "iss: \"https://evil.example\" is not an issuer of the bundle"
    );

    let token =
        mint(json!({"issuer": "cluster", "account": "ci/runner", "aud": "https://other.example"}));
    assert_eq!(
        refusal(&token),
        "aud: [\"https://other.example\"] is not an accepted audience (expected one of [\"https://kubernetes.default.svc.cluster.local\"])"
    );
}

#[test]
fn a_review_names_the_audiences_its_issuer_accepts() {
    // Kubernetes' status.audiences: the token's audiences that the authenticator accepts, in
    // the token's order; left out where there are none (an issuer that checks no audience).
    const CLUSTER: &str = "https://kubernetes.default.svc.cluster.local";
    let token = mint(json!({"issuer": "cluster", "account": "ci/runner",
        "aud": ["vault", CLUSTER, "https://other.example"]}));
    let review = engine().review(&token, NOW);
    assert!(review.authenticated, "{:?}", review.error);
    assert_eq!(review.audiences, vec![CLUSTER]);
    let json = serde_json::to_value(&review).unwrap();
    assert_eq!(json["audiences"], json!([CLUSTER]));

    let legacy = mint(
        json!({"issuer": "legacy", "account": "top-secret/robot", "secret": "robot-token-r2d7x"}),
    );
    let review = engine().review(&legacy, NOW);
    assert!(review.authenticated, "{:?}", review.error);
    assert!(review.audiences.is_empty());
    let json = serde_json::to_value(&review).unwrap();
    assert!(json.get("audiences").is_none(), "{json}");
    let refused = serde_json::to_value(engine().review("x.y.z", NOW)).unwrap();
    assert!(refused.get("audiences").is_none(), "{refused}");
}

#[test]
fn a_forged_signature_is_refused() {
    let token = mint(json!({"issuer": "cluster", "account": "ci/runner"}));
    let (rest, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).unwrap();
    bytes[10] ^= 1;
    let tampered = format!("{rest}.{}", URL_SAFE_NO_PAD.encode(bytes));
    assert_eq!(
        refusal(&tampered),
        "signature: does not verify with key \"cluster-2026\" of issuer \"cluster\" (ES256)"
    );
    // Claims changed after signing.
    let (h, _) = token.split_once('.').unwrap();
    let (_, s) = token.rsplit_once('.').unwrap();
    let mut claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    claims["kubernetes.io"]["namespace"] = json!("top-secret");
    let swapped = format!("{h}.{}.{s}", b64(&claims));
    assert!(refusal(&swapped).starts_with("signature: does not verify"));
}

#[test]
fn time_claims_are_checked_with_leeway() {
    let expired = mint(json!({"issuer": "cluster", "account": "ci/runner", "exp_in": -61}));
    assert!(
        refusal(&expired).starts_with("exp: token expired at"),
        "{}",
        refusal(&expired)
    );
    let within_leeway = mint(json!({"issuer": "cluster", "account": "ci/runner", "exp_in": -59}));
    assert!(engine().verify(&within_leeway, NOW).is_ok());
    let early = mint(json!({"issuer": "pomerium-eddsa", "account": "ci/runner", "nbf_in": 120}));
    let why = refusal(&early);
    assert!(why.starts_with("nbf: token not valid before"), "{why}");
    let iat_future = mint(
        json!({"issuer": "pomerium-eddsa", "account": "ci/runner", "claims": {"iat": NOW.0 + 3000, "nbf": NOW.0}}),
    );
    assert!(refusal(&iat_future).starts_with("iat: token issued in the future"));
    let no_exp_bound = mint(json!({"issuer": "cluster", "account": "ci/runner", "exp_in": null}));
    assert_eq!(
        refusal(&no_exp_bound),
        "exp: missing (required in a Kubernetes bound token)"
    );
}

#[test]
fn malformed_tokens_are_refused_with_the_part_named() {
    let good = mint(json!({"issuer": "cluster", "account": "ci/runner"}));
    let parts: Vec<&str> = good.split('.').collect();
    let cases = [
        ("", "malformed token: token: expected 3 '.'-separated parts (header.claims.signature), found 1"),
        ("not a token", "malformed token: token: expected 3"),
        (&format!("{}.{}", parts[0], parts[1]), "found 2"),
        (&format!("{}=.{}.{}", parts[0], parts[1], parts[2]), "malformed token: header: not base64url"),
        (&format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode("{\"a\":"), parts[2]), "malformed token: claims: not a JSON object"),
        (&format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode("[]"), parts[2]), "malformed token: claims: not a JSON object"),
        (&format!("{}.{}.{}", parts[0], parts[1], "***"), "malformed token: signature: not base64url"),
    ];
    for (token, expected) in cases {
        let why = refusal(token);
        assert!(why.contains(expected), "{token:?}: {why}");
    }
}

#[test]
fn duplicate_claims_are_refused() {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256","kid":"cluster-2026"}"#);
    let claims = URL_SAFE_NO_PAD.encode(r#"{"sub":"a","sub":"b"}"#);
    let why = refusal(&format!("{header}.{claims}.c2ln"));
    assert!(
        why.starts_with("malformed token: claims: not a JSON object: duplicate member \"sub\""),
        "{why}"
    );
}

#[test]
fn oversized_tokens_are_refused_before_parsing() {
    let big = format!("{}.{}.{}", "a".repeat(10_000), "b".repeat(10_000), "c");
    assert_eq!(
        refusal(&big),
        "token is 20003 bytes, more than the 16384 accepted"
    );
}

#[test]
fn identity_checks_follow_the_bundle() {
    // Revoked secret, deleted secret, wrong uid, expired account, unknown account.
    let revoked = mint(
        json!({"issuer": "legacy", "account": "top-secret/robot", "secret": "robot-token-h5w7c"}),
    );
    assert_eq!(refusal(&revoked), "token \"robot-token-h5w7c\" is revoked");
    let deleted = mint(
        json!({"issuer": "legacy", "account": "top-secret/robot", "secret": "robot-token-zzzzz"}),
    );
    assert_eq!(refusal(&deleted), "secret \"robot-token-zzzzz\" of service account top-secret/robot no longer exists (token revoked)");
    let wrong_uid = mint(
        json!({"issuer": "cluster", "account": "ci/runner", "claims": {"kubernetes.io": {"namespace": "ci", "serviceaccount": {"name": "runner", "uid": "00000000-0000-0000-0000-000000000000"}}}}),
    );
    assert!(refusal(&wrong_uid)
        .contains("the token was issued for uid 00000000-0000-0000-0000-000000000000"));
    let expired = mint(json!({"issuer": "pomerium-eddsa", "account": "engineering/nightly"}));
    assert_eq!(
        refusal(&expired),
        "service account engineering/nightly expired at 2026-06-01T00:00:00Z"
    );
    let unknown = mint(
        json!({"issuer": "cluster", "account": "ci/runner", "claims": {"sub": null, "kubernetes.io": {"namespace": "ci", "serviceaccount": {"name": "ghost", "uid": "x"}}}}),
    );
    assert_eq!(refusal(&unknown), "service account ci/ghost does not exist");
}

#[test]
fn an_impersonating_account_acts_as_its_user_and_names_itself_in_extra() {
    let token =
        mint(json!({"issuer": "pomerium-eddsa", "account": "engineering/alice-automation"}));
    let identity = engine().verify(&token, NOW).unwrap();
    assert_eq!(identity.username, "alice");
    assert_eq!(identity.email.as_deref(), Some("alice@example.com"));
    assert_eq!(
        identity.groups.last().map(String::as_str),
        Some("system:authenticated")
    );
    assert!(identity.groups.len() >= 2);
    assert_eq!(
        identity.extra["authentication.tessera.dev/service-account"],
        vec!["engineering/alice-automation"]
    );
    assert_eq!(identity.namespace, "engineering");
}

#[test]
fn an_impersonating_account_whose_user_left_the_directory_authenticates_to_nothing() {
    let mut document = support::example_document();
    document.directory.users.retain(|u| u.id != "alice");
    let mut e = Engine::new(tessera::Bundle::from_document(document).unwrap());
    let token =
        mint(json!({"issuer": "pomerium-eddsa", "account": "engineering/alice-automation"}));
    let err = e.verify(&token, NOW).unwrap_err();
    assert_eq!(err.to_string(), "service account engineering/alice-automation impersonates user \"alice\", who is not in the directory");
}

/// The uid of the example's account `ci/runner` (what its bound tokens name).
fn runner_uid() -> String {
    engine()
        .bundle()
        .account("ci", "runner")
        .unwrap()
        .uid
        .to_string()
}

#[test]
fn a_bound_token_carries_kubernetes_extra() {
    let runner_uid = runner_uid();
    let token = mint(
        json!({"issuer": "cluster", "account": "ci/runner", "jti": "j-42", "claims": {"kubernetes.io": {
        "namespace": "ci", "serviceaccount": {"name": "runner", "uid": runner_uid},
        "pod": {"name": "runner-7d9", "uid": "p-1"}, "node": {"name": "node-a", "uid": "n-1"}}}}),
    );
    let identity = engine().verify(&token, NOW).unwrap();
    let extra = &identity.extra;
    assert_eq!(
        extra["authentication.kubernetes.io/pod-name"],
        vec!["runner-7d9"]
    );
    assert_eq!(extra["authentication.kubernetes.io/pod-uid"], vec!["p-1"]);
    assert_eq!(
        extra["authentication.kubernetes.io/node-name"],
        vec!["node-a"]
    );
    assert_eq!(
        extra["authentication.kubernetes.io/credential-id"],
        vec!["JTI=j-42"]
    );
    assert_eq!(
        identity.groups,
        vec![
            "system:serviceaccounts",
            "system:serviceaccounts:ci",
            "system:authenticated"
        ]
    );
}

#[test]
fn a_bound_token_leaves_out_the_extra_kubernetes_leaves_out() {
    let runner_uid = runner_uid();
    // As Kubernetes' ServiceAccountInfo.UserInfo: no credential id for an empty jti, no node
    // uid when it is empty. (An empty pod name or uid, or node name, is refused.)
    let extra_of = |jti: &str, bound: Value| {
        let mut k8s =
            json!({"namespace": "ci", "serviceaccount": {"name": "runner", "uid": runner_uid}});
        k8s.as_object_mut()
            .unwrap()
            .extend(bound.as_object().unwrap().clone());
        let token = mint(
            json!({"issuer": "cluster", "account": "ci/runner", "jti": jti,
            "claims": {"kubernetes.io": k8s}}),
        );
        let identity = engine().verify(&token, NOW).unwrap();
        identity.extra.keys().cloned().collect::<Vec<_>>()
    };
    let key = |k: &str| format!("authentication.kubernetes.io/{k}");
    assert_eq!(extra_of("", json!({})), Vec::<String>::new());
    assert_eq!(extra_of("j-1", json!({})), vec![key("credential-id")]);
    assert_eq!(
        extra_of("", json!({"pod": {"name": "p", "uid": "u"}})),
        vec![key("pod-name"), key("pod-uid")]
    );
    assert_eq!(
        extra_of("", json!({"node": {"name": "node-a", "uid": ""}})),
        vec![key("node-name")]
    );
    assert_eq!(
        extra_of("", json!({"node": {"name": "node-a", "uid": "n-1"}})),
        vec![key("node-name"), key("node-uid")]
    );
}

/// The example bundle with `jwk` as the legacy issuer's only key.
fn engine_with_legacy_key(jwk: Value) -> Engine {
    let mut document = support::example_document();
    let legacy = document
        .issuers
        .iter_mut()
        .find(|i| i.name == "legacy")
        .unwrap();
    legacy.jwks = Some(serde_json::from_value(json!({"keys": [jwk]})).unwrap());
    Engine::new(tessera::Bundle::from_document(document).unwrap())
}

#[test]
fn every_rsa_algorithm_verifies_with_an_unpinned_rsa_key() {
    // The legacy key without its `alg` pin may check RS256/384/512 and PS256/384/512.
    let mut jwk: Value =
        serde_json::from_str(&support::read("examples/keys/legacy.public.jwk.json")).unwrap();
    jwk.as_object_mut().unwrap().remove("alg");
    let mut e = engine_with_legacy_key(jwk);
    let private = support::demo_key("legacy").to_jwk();
    for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
        let mut j = private.clone();
        j["alg"] = json!(alg);
        let token = PrivateKey::from_jwk(&j)
            .unwrap()
            .sign_claims(&legacy_claims())
            .unwrap();
        assert!(e.verify(&token, NOW).is_ok(), "{alg}");
    }
}

#[test]
fn es384_tokens_verify_and_every_altered_signature_is_refused() {
    // ES384 on a P-384 key of the legacy issuer, signed as the CLI signs (p384 0.13), verified
    // by the token path (p384 0.14; natively here, in the wasm module by tests/js).
    let key = PrivateKey::generate(Algorithm::ES384, Some("legacy-p384".into())).unwrap();
    let mut e = engine_with_legacy_key(key.public_jwk().unwrap());
    e.set_cache_capacity(0);
    let token = key.sign_claims(&legacy_claims()).unwrap();
    assert!(
        e.verify(&token, NOW).is_ok(),
        "{:?}",
        e.verify(&token, NOW).err()
    );

    let (signed, sig) = token.rsplit_once('.').unwrap();
    let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
    assert_eq!(sig.len(), 96, "r and s, 48 bytes each (RFC 7518 3.4)");
    let with = |bytes: &[u8]| format!("{signed}.{}", URL_SAFE_NO_PAD.encode(bytes));
    // The same signature with s replaced by n - s also verifies (ECDSA has no low-s rule in
    // JWS; WebCrypto and OpenSSL accept it too), so the token path must agree.
    let parsed = p384::ecdsa::Signature::from_slice(&sig).unwrap();
    let (r, s) = parsed.split_scalars();
    let high = p384::ecdsa::Signature::from_scalars(r, -*s).unwrap();
    assert!(e.verify(&with(&high.to_bytes()), NOW).is_ok(), "n - s");
    let mut refused = vec![
        ("r = 0", [vec![0; 48], sig[48..].to_vec()].concat()),
        ("s = 0", [sig[..48].to_vec(), vec![0; 48]].concat()),
        ("r = n", [hex_n(), sig[48..].to_vec()].concat()),
        ("short", sig[..95].to_vec()),
        ("DER, not r || s", parsed.to_der().as_bytes().to_vec()),
    ];
    for i in [0, 47, 48, 95] {
        let mut flipped = sig.clone();
        flipped[i] ^= 0x01;
        refused.push(("a bit flipped", flipped));
    }
    for (what, bytes) in refused {
        let why = e.verify(&with(&bytes), NOW).unwrap_err().to_string();
        assert!(why.contains("signature"), "{what}: {why}");
    }
    // Another message, itself acceptable (one more claim), under the same signature.
    let mut other = legacy_claims();
    other["note"] = json!("another message");
    let resigned = key.sign_claims(&other).unwrap();
    assert!(
        e.verify(&resigned, NOW).is_ok(),
        "the other message verifies when signed"
    );
    let forged = format!(
        "{}.{}",
        resigned.rsplit_once('.').unwrap().0,
        URL_SAFE_NO_PAD.encode(&sig)
    );
    let why = e.verify(&forged, NOW).unwrap_err().to_string();
    assert!(why.contains("signature"), "{why}");
}

/// The order n of P-384, big-endian.
fn hex_n() -> Vec<u8> {
    let n = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";
    (0..n.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&n[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_repeated_token_is_served_from_the_cache_until_it_expires() {
    let mut e = engine();
    let token = mint(json!({"issuer": "cluster", "account": "ci/runner", "exp_in": 100}));
    assert!(e.verify(&token, NOW).is_ok());
    assert_eq!(e.cached_tokens(), 1);
    assert!(
        e.verify(&token, NOW.plus(100 + 60)).is_ok(),
        "within leeway"
    );
    let why = e
        .verify(&token, NOW.plus(100 + 61))
        .unwrap_err()
        .to_string();
    assert!(why.starts_with("exp: token expired"), "{why}");
    assert!(e.verify(&token, NOW.plus(-3600)).is_err(), "before iat");
}

/// A format is issued by one kind of issuer (as Kubernetes' legacy validator takes only
/// `kubernetes/serviceaccount` and its bound-token validator only the configured issuers):
/// whoever holds one issuer's key cannot sign another kind's claims and be taken for any
/// account.
#[test]
fn a_token_format_is_issued_only_by_its_kind_of_issuer() {
    let robot =
        json!({"namespace": "top-secret", "serviceaccount": {"name": "robot", "uid": robot_uid()}});
    let mut legacy = legacy_claims();
    legacy["iss"] = Value::Null;
    let cases = [
        (
            "bound claims signed with the Pomerium shared secret (no iss)",
            json!({"issuer": "pomerium-hs256", "account": "top-secret/robot",
                   "claims": {"kubernetes.io": robot, "sub": "system:serviceaccount:top-secret:robot", "jti": null}}),
            "iss: (none): missing: a Kubernetes bound token names its issuer",
        ),
        (
            "legacy claims signed with the Pomerium shared secret (no iss)",
            json!({"issuer": "pomerium-hs256", "account": "top-secret/robot", "claims": legacy}),
            "iss: (none): a Kubernetes legacy token is issued by \"kubernetes/serviceaccount\"",
        ),
        (
            "bound claims signed with the legacy key",
            json!({"issuer": "legacy", "account": "top-secret/robot",
                   "claims": {"kubernetes.io/serviceaccount/namespace": null,
                              "kubernetes.io/serviceaccount/secret.name": null,
                              "kubernetes.io/serviceaccount/service-account.name": null,
                              "kubernetes.io/serviceaccount/service-account.uid": null,
                              "kubernetes.io": robot, "exp": NOW.0 + 600, "aud": "anything"}}),
            "iss: \"kubernetes/serviceaccount\": \"kubernetes/serviceaccount\" issues only legacy (secret-based) tokens, not Kubernetes bound ones",
        ),
        (
            "Pomerium claims signed with the cluster key",
            json!({"issuer": "cluster", "account": "top-secret/robot", "claims": {"kubernetes.io": null}}),
            "iss: \"https://kubernetes.default.svc.cluster.local\": a token naming an issuer is a Kubernetes token, and this one has neither the legacy claims nor \"kubernetes.io\" (a Pomerium service account token carries no iss)",
        ),
    ];
    for (name, spec, want) in cases {
        assert_eq!(refusal(&mint(spec)), want, "{name}");
    }
}

#[test]
fn a_legacy_token_without_sub_is_refused_as_kubernetes_refuses_it() {
    let token =
        mint(json!({"issuer": "legacy", "account": "top-secret/robot", "claims": {"sub": null}}));
    assert_eq!(
        refusal(&token),
        "sub: missing (required in a Kubernetes legacy token)"
    );
}

/// Kubernetes invalidates a token bound to a Secret once the Secret is deleted; the bundle
/// lists an account's token secrets, so a bound token stands while its Secret is listed.
#[test]
fn a_token_bound_to_a_secret_stands_while_the_secret_is_listed() {
    let bound_to = |secret: &str| {
        mint(
            json!({"issuer": "cluster", "account": "top-secret/robot", "claims": {"kubernetes.io": {
            "namespace": "top-secret", "serviceaccount": {"name": "robot", "uid": robot_uid()},
            "secret": {"name": secret, "uid": "s-1"}}}}),
        )
    };
    let identity = engine()
        .verify(&bound_to("robot-token-r2d7x"), NOW)
        .unwrap();
    assert_eq!(identity.username, "system:serviceaccount:top-secret:robot");
    assert_eq!(
        refusal(&bound_to("robot-token-gone")),
        "secret \"robot-token-gone\" of service account top-secret/robot no longer exists (token revoked)"
    );
}
