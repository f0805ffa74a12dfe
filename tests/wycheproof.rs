//! Wycheproof and RFC 7520 vectors through the token path: every signature is checked by
//! `IssuerKeys::verify` / `token::verify_signature`, exactly what token verification calls,
//! with keys read by `PublicKey::from_jwk`. The vectors are read from `../shared/vectors/`
//! (never copied into this repository); when that folder is absent the tests say so and skip.

use std::path::PathBuf;

use jsonwebtoken::Algorithm;
use serde_json::Value;
use tessera::token::{verify_signature, IssuerKeys, Jwk, PublicKey};

fn vectors_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "NOTICE: {} is absent: Wycheproof vectors skipped",
            dir.display()
        );
        None
    }
}

fn load(name: &str) -> Option<Value> {
    let path = vectors_dir()?.join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(serde_json::from_str(&text).expect("vector file is JSON"))
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Runs a Wycheproof signature-verification file; returns (cases, acceptable cases and our answer).
fn run_signature_file(name: &str, jwk_field: &str, alg: Algorithm) -> Option<(usize, Vec<String>)> {
    let file = load(name)?;
    let mut mismatches = Vec::new();
    let mut acceptable = Vec::new();
    let mut cases = 0;
    for group in file["testGroups"].as_array().expect("testGroups") {
        let jwk_value = match &group[jwk_field] {
            Value::Null => ec_jwk_from_hex(&group["publicKey"]),
            v => v.clone(),
        };
        let jwk: Jwk = serde_json::from_value(jwk_value).expect("JWK");
        let key = PublicKey::from_jwk(&jwk).expect("the group's key is accepted");
        let issuer = IssuerKeys::new("wycheproof", vec![], vec![key], None);
        for test in group["tests"].as_array().expect("tests") {
            cases += 1;
            let msg = hex(test["msg"].as_str().expect("msg"));
            let sig = hex(test["sig"].as_str().expect("sig"));
            let accepted = issuer.verify(alg, None, &msg, &sig).is_ok();
            let id = format!("{name} tcId {} ({})", test["tcId"], test["comment"]);
            match test["result"].as_str() {
                Some("valid") if !accepted => mismatches.push(format!("{id}: valid but refused")),
                Some("invalid") if accepted => {
                    mismatches.push(format!("{id}: invalid but accepted"))
                }
                Some("acceptable") => acceptable.push(format!(
                    "{id}: {}",
                    if accepted { "accepted" } else { "refused" }
                )),
                _ => {}
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(cases > 100, "{name}: only {cases} cases read");
    Some((cases, acceptable))
}

#[test]
fn wycheproof_rsa_pkcs1_v1_5_sha256_has_zero_mismatches() {
    if let Some((cases, acceptable)) = run_signature_file(
        "wycheproof_rsa_signature_2048_sha256_test.json",
        "keyJwk",
        Algorithm::RS256,
    ) {
        println!("RS256: {cases} cases, 0 mismatches; acceptable cases: {acceptable:?}");
    }
}

#[test]
fn wycheproof_ecdsa_p256_p1363_has_zero_mismatches() {
    if let Some((cases, acceptable)) = run_signature_file(
        "wycheproof_ecdsa_secp256r1_sha256_p1363_test.json",
        "publicKeyJwk",
        Algorithm::ES256,
    ) {
        println!("ES256: {cases} cases, 0 mismatches; acceptable cases: {acceptable:?}");
    }
}

#[test]
fn wycheproof_ed25519_has_zero_mismatches() {
    if let Some((cases, acceptable)) = run_signature_file(
        "wycheproof_ed25519_test.json",
        "publicKeyJwk",
        Algorithm::EdDSA,
    ) {
        println!("EdDSA: {cases} cases, 0 mismatches; acceptable cases: {acceptable:?}");
    }
}

/// Vectors where tessera deliberately answers otherwise than the file, and why.
const JWS_DEVIATIONS: &[(u64, &str)] = &[
    (346, "the key's JWK pins alg PS256 and the token says PS384: the key decides the algorithm, refused"),
    (350, "the key's JWK pins alg PS256 and the token says PS384: the key decides the algorithm, refused"),
    (367, "the file gives the very string of valid tcId 357 (the padding under test is absent): accepted, as 357"),
    (370, "the file gives the very string of valid tcId 357 (the padding under test is absent): accepted, as 357"),
    (347, "ES512 (P-521) is not an algorithm tessera accepts (DESIGN 1.3): refused"),
    (351, "ES512 (P-521) is not an algorithm tessera accepts (DESIGN 1.3): refused"),
    (372, "a '?' inside the base64url header is not base64url (RFC 7515 §2): refused, never skipped"),
    (373, "a '?' inside the base64url payload is not base64url (RFC 7515 §2): refused, never skipped"),
];

#[test]
fn wycheproof_json_web_signatures_match_but_for_named_deviations() {
    let Some(file) = load("wycheproof_json_web_signature_test.json") else {
        return;
    };
    let mut mismatches = Vec::new();
    let mut cases = 0;
    for group in file["testGroups"].as_array().expect("testGroups") {
        let private = &group["private"];
        let issuer = if private["kty"] == "oct" {
            let secret = base64_url(private["k"].as_str().expect("k"));
            Ok(IssuerKeys::new("wycheproof", vec![], vec![], Some(&secret)))
        } else {
            let jwk: Jwk = serde_json::from_value(group["public"].clone()).expect("JWK");
            PublicKey::from_jwk(&jwk)
                .map(|key| IssuerKeys::new("wycheproof", vec![], vec![key], None))
        };
        for test in group["tests"].as_array().expect("tests") {
            cases += 1;
            let tc = test["tcId"].as_u64().expect("tcId");
            let accepted = match (&issuer, test["jws"].as_str()) {
                (Ok(issuer), Some(compact)) => verify_signature(issuer, compact).is_ok(),
                // A key refused at load (enc use, key_ops without verify, P-521), or JSON
                // serialization (tessera reads compact tokens only): refused.
                _ => false,
            };
            let expected = test["result"] == "valid";
            let deviation = JWS_DEVIATIONS.iter().find(|(id, _)| *id == tc);
            match (accepted == expected, deviation) {
                (true, None) => {}
                (false, Some((_, why))) => println!("tcId {tc}: deliberate deviation: {why}"),
                (true, Some(_)) => mismatches.push(format!(
                    "tcId {tc}: listed as a deviation but matches: update the list"
                )),
                (false, None) => mismatches.push(format!(
                    "tcId {tc} ({}): expected {}, got {}",
                    test["comment"],
                    test["result"],
                    if accepted { "accepted" } else { "refused" }
                )),
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(cases > 300, "only {cases} cases read");
}

/// Some ECDSA groups give the key only as hex coordinates; as a JWK it goes the same way.
fn ec_jwk_from_hex(key: &Value) -> Value {
    use base64::Engine as _;
    let coordinate = |name: &str| {
        let bytes = hex(key[name].as_str().expect("coordinate"));
        let bytes = &bytes[bytes.len().saturating_sub(32)..];
        let mut padded = vec![0u8; 32 - bytes.len()];
        padded.extend_from_slice(bytes);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(padded)
    };
    serde_json::json!({"kty": "EC", "crv": "P-256", "x": coordinate("wx"), "y": coordinate("wy")})
}

fn base64_url(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .expect("base64url")
}
