//! Shared by the integration tests: the example bundle, its demo keys, and the token rules of
//! `examples/README.md` (the same rules `examples/mint-token.mjs` follows in JavaScript).
#![allow(dead_code)]

pub mod scenario;

use std::path::PathBuf;

use base64::Engine as _;
use serde_json::{json, Map, Value};
use tessera::schema::BundleDocument;
use tessera::token::mint::PrivateKey;
use tessera::UnixTime;

/// A file of the repository.
pub fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Reads a repository file as text.
pub fn read(path: &str) -> String {
    std::fs::read_to_string(repo_file(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The example bundle's bytes.
pub fn example_bundle() -> String {
    read("examples/bundle.json")
}

/// The example bundle's document, as parsed for loading (what `Engine::from_json` of
/// [`example_bundle`] loads).
pub fn example_document() -> BundleDocument {
    tessera::bundle::parse_document(example_bundle().as_bytes()).expect("example bundle document")
}

/// A demo private key of `examples/keys/`.
pub fn demo_key(name: &str) -> PrivateKey {
    let jwk: Value = serde_json::from_str(&read(&format!("examples/keys/{name}.private.jwk.json")))
        .expect("JWK");
    PrivateKey::from_jwk(&jwk).expect("demo key")
}

/// The Pomerium shared secret's bytes.
pub fn shared_secret() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(read("examples/keys/pomerium.shared-secret.txt").trim())
        .expect("base64")
}

/// Mints the token a scenario describes (`examples/README.md`, "token").
pub fn mint(document: &BundleDocument, spec: &Value, now: UnixTime) -> String {
    let issuer = spec["issuer"].as_str().expect("token.issuer");
    let account = spec["account"].as_str().expect("token.account");
    let (ns, name) = account.split_once('/').expect("token.account is ns/name");
    let sa = document
        .service_accounts
        .iter()
        .find(|a| a.namespace == ns && a.name == name)
        .unwrap_or_else(|| panic!("no account {account} in the bundle"));
    let username = format!("system:serviceaccount:{ns}:{name}");
    let now = now.0;
    let exp = match spec.get("exp_in") {
        Some(Value::Null) => None,
        Some(v) => Some(now + v.as_i64().expect("exp_in")),
        None => Some(now + 3600),
    };
    let mut nbf = now + spec.get("nbf_in").and_then(Value::as_i64).unwrap_or(0);
    if let Some(exp) = exp {
        if nbf >= exp {
            nbf = exp - 3600;
        }
    }
    let mut claims = Map::new();
    let key = match issuer {
        "legacy" => {
            let secret = spec
                .get("secret")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| sa.secrets.first().cloned())
                .expect("a secret");
            claims.insert("iss".into(), json!("kubernetes/serviceaccount"));
            claims.insert("kubernetes.io/serviceaccount/namespace".into(), json!(ns));
            claims.insert(
                "kubernetes.io/serviceaccount/secret.name".into(),
                json!(secret),
            );
            claims.insert(
                "kubernetes.io/serviceaccount/service-account.name".into(),
                json!(name),
            );
            claims.insert(
                "kubernetes.io/serviceaccount/service-account.uid".into(),
                json!(sa.uid),
            );
            claims.insert("sub".into(), json!(username));
            demo_key("legacy")
        }
        "cluster" => {
            let jti = spec
                .get("jti")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("jti-{}", rand_hex()));
            claims.insert(
                "aud".into(),
                spec.get("aud")
                    .cloned()
                    .unwrap_or(json!(["https://kubernetes.default.svc.cluster.local"])),
            );
            if let Some(exp) = exp {
                claims.insert("exp".into(), json!(exp));
            }
            claims.insert("iat".into(), json!(nbf));
            claims.insert("nbf".into(), json!(nbf));
            claims.insert(
                "iss".into(),
                json!("https://kubernetes.default.svc.cluster.local"),
            );
            claims.insert("jti".into(), json!(jti));
            claims.insert(
                "kubernetes.io".into(),
                json!({"namespace": ns, "serviceaccount": {"name": name, "uid": sa.uid}}),
            );
            claims.insert("sub".into(), json!(username));
            demo_key("cluster")
        }
        "pomerium-eddsa" | "pomerium-hs256" => {
            let jti = spec
                .get("jti")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| sa.uid.clone());
            let sub = match &sa.impersonate {
                Some(user) => user.clone(),
                None => sa.id.clone().unwrap_or_else(|| username.clone()),
            };
            claims.insert("jti".into(), json!(jti));
            claims.insert("sub".into(), json!(sub));
            claims.insert("iat".into(), json!(nbf));
            claims.insert("nbf".into(), json!(nbf));
            if let Some(exp) = exp {
                claims.insert("exp".into(), json!(exp));
            }
            if let Some(aud) = spec.get("aud") {
                claims.insert("aud".into(), aud.clone());
            }
            if issuer == "pomerium-eddsa" {
                demo_key("pomerium")
            } else {
                PrivateKey::from_secret(&shared_secret(), jsonwebtoken::Algorithm::HS256)
            }
        }
        other => panic!("unknown token issuer {other}"),
    };
    if let Some(Value::Object(overrides)) = spec.get("claims") {
        for (k, v) in overrides {
            if v.is_null() {
                claims.remove(k);
            } else {
                claims.insert(k.clone(), v.clone());
            }
        }
    }
    key.sign_claims(&Value::Object(claims)).expect("sign")
}

fn rand_hex() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}
