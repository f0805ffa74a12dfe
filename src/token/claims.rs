//! The three token formats and what each says about the account.

use serde::Serialize;

/// Which kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenFormat {
    /// A Kubernetes secret-based token (`iss: kubernetes/serviceaccount`).
    KubernetesLegacy,
    /// A Kubernetes bound (projected) token.
    KubernetesBound,
    /// A Pomerium service-account token.
    Pomerium,
}

/// The object a bound token is bound to, and the node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoundObject {
    /// `pod`, `secret` or empty.
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// The object's uid.
    pub uid: String,
    /// The node's name, if any.
    pub node_name: Option<String>,
    /// The node's uid, if any.
    pub node_uid: Option<String>,
}

/// The account and token a verified token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A legacy token: valid while its secret is listed.
    KubernetesLegacy {
        /// Namespace.
        namespace: String,
        /// Account name.
        name: String,
        /// Account uid.
        uid: String,
        /// The secret holding the token.
        secret_name: String,
    },
    /// A bound token.
    KubernetesBound {
        /// Namespace.
        namespace: String,
        /// Account name.
        name: String,
        /// Account uid.
        uid: String,
        /// The bound object.
        bound: BoundObject,
        /// The token id.
        jti: Option<String>,
    },
    /// A Pomerium service-account token.
    Pomerium {
        /// `jti`: the service account's id (its uid in the bundle).
        account_id: String,
        /// `sub`: the user id it acts as.
        user_id: String,
    },
}

impl Credential {
    /// The id a revocation names: the `jti`, or a legacy token's secret name.
    pub fn token_id(&self) -> Option<&str> {
        match self {
            Credential::KubernetesLegacy { secret_name, .. } => Some(secret_name),
            Credential::KubernetesBound { jti, .. } => jti.as_deref(),
            Credential::Pomerium { account_id, .. } => Some(account_id),
        }
    }
}

impl BoundObject {
    /// Kubernetes' `extra` entries for this binding, as its `ServiceAccountInfo.UserInfo`
    /// makes them: the pod's name and uid when both are given, the node's name when given, and
    /// its uid only with its name.
    pub fn extra_entries(&self) -> Vec<(&'static str, &str)> {
        use crate::identity::*;
        let mut out = Vec::new();
        if self.kind == "pod" && !self.name.is_empty() && !self.uid.is_empty() {
            out.push((EXTRA_POD_NAME, self.name.as_str()));
            out.push((EXTRA_POD_UID, self.uid.as_str()));
        }
        if let Some(node) = self.node_name.as_deref().filter(|n| !n.is_empty()) {
            out.push((EXTRA_NODE_NAME, node));
            if let Some(uid) = self.node_uid.as_deref().filter(|u| !u.is_empty()) {
                out.push((EXTRA_NODE_UID, uid));
            }
        }
        out
    }
}

use std::borrow::Cow;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::object::{self, Object};
use super::TokenError;
use crate::json::cursor::Cursor;
use crate::names::{is_service_account_username, service_account_username};

/// Legacy token claim: the account's namespace.
pub const LEGACY_NAMESPACE: &str = "kubernetes.io/serviceaccount/namespace";
/// Legacy token claim: the secret holding the token.
pub const LEGACY_SECRET_NAME: &str = "kubernetes.io/serviceaccount/secret.name";
/// Legacy token claim: the account's name.
pub const LEGACY_ACCOUNT_NAME: &str = "kubernetes.io/serviceaccount/service-account.name";
/// Legacy token claim: the account's uid.
pub const LEGACY_ACCOUNT_UID: &str = "kubernetes.io/serviceaccount/service-account.uid";
/// Bound token claim: the object holding namespace, account and binding.
pub const BOUND_CLAIM: &str = "kubernetes.io";
/// The `iss` of Kubernetes' legacy (secret-based) tokens, and of no other kind.
pub const LEGACY_ISSUER: &str = "kubernetes/serviceaccount";

/// A verified token's claims: kept as the JSON text they came in, read into a map only when
/// something asks for all of them (PPL's `claim/<path>`), and then once.
#[derive(Debug, Clone, Default)]
pub struct Claims {
    json: String,
    map: OnceLock<Map<String, Value>>,
}

impl Claims {
    /// Claims from the JSON text of a token whose claims were checked to be one object.
    pub(crate) fn from_json(json: String) -> Claims {
        Claims {
            json,
            map: OnceLock::new(),
        }
    }

    /// All the claims, as a map (read from the text the first time).
    pub fn map(&self) -> &Map<String, Value> {
        // The text was read as an object before the token was accepted; were it ever not
        // one, no claim is found, and a policy that needs a claim does not match.
        self.map
            .get_or_init(|| serde_json::from_str(&self.json).unwrap_or_default())
    }
}

impl From<Map<String, Value>> for Claims {
    fn from(map: Map<String, Value>) -> Claims {
        Claims {
            json: Value::Object(map.clone()).to_string(),
            map: OnceLock::from(map),
        }
    }
}

impl PartialEq for Claims {
    fn eq(&self, other: &Claims) -> bool {
        self.map() == other.map()
    }
}

impl Eq for Claims {}

/// Reads an optional string claim.
pub fn optional_str<'c>(
    claims: &Object<'c>,
    path: &str,
    name: &str,
) -> Result<Option<Cow<'c, str>>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(raw) => object::as_str(raw)
            .map(Some)
            .ok_or_else(|| TokenError::InvalidClaim {
                claim: join(path, name),
                why: format!("expected a string, found {}", object::shown(raw)),
            }),
    }
}

fn required_str<'c>(
    claims: &Object<'c>,
    path: &str,
    name: &str,
    format: &'static str,
) -> Result<String, TokenError> {
    match optional_str(claims, path, name)? {
        Some(s) if !s.is_empty() => Ok(s.into_owned()),
        Some(_) => Err(TokenError::InvalidClaim {
            claim: join(path, name),
            why: "must not be empty".into(),
        }),
        None => Err(TokenError::MissingClaim {
            claim: join(path, name),
            format,
        }),
    }
}

fn required_object<'c>(
    claims: &Object<'c>,
    path: &str,
    name: &str,
    format: &'static str,
) -> Result<Object<'c>, TokenError> {
    let Some(raw) = claims.get(name) else {
        return Err(TokenError::MissingClaim {
            claim: join(path, name),
            format,
        });
    };
    match object::as_object(raw) {
        Some(Ok(o)) => Ok(o),
        Some(Err(e)) => Err(TokenError::InvalidClaim {
            claim: join(path, name),
            why: e.to_string(),
        }),
        None => Err(TokenError::InvalidClaim {
            claim: join(path, name),
            why: format!("expected an object, found {}", object::shown(raw)),
        }),
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// The largest NumericDate magnitude accepted (about 31 million years): every instant then
/// stays an exact JavaScript number (below 2^53) when a decision crosses the wasm boundary, and
/// leeway arithmetic on it cannot overflow.
const MAX_NUMERIC_DATE: i64 = 999_999_999_999_999;

/// Reads a NumericDate claim (`exp`, `nbf`, `iat`): seconds since the epoch, fractions
/// truncated, within about 31 million years of the epoch (a larger value is out of range).
pub fn numeric_date(claims: &Object<'_>, name: &str) -> Result<Option<i64>, TokenError> {
    let Some(raw) = claims.get(name) else {
        return Ok(None);
    };
    // The common form, whole seconds as serde_json reads them (no sign, fraction, exponent or
    // leading zero), read here; any other form by serde_json below.
    if let Some(seconds) = plain_seconds(raw) {
        return Ok(Some(seconds));
    }
    match serde_json::from_str::<serde_json::Number>(raw) {
        Ok(n) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 1e15)
                    .map(|f| f.floor() as i64)
            })
            .filter(|t| (-MAX_NUMERIC_DATE..=MAX_NUMERIC_DATE).contains(t))
            .map(Some)
            .ok_or_else(|| TokenError::InvalidClaim {
                claim: name.into(),
                why: format!("{n} is out of range"),
            }),
        Err(_) => Err(TokenError::InvalidClaim {
            claim: name.into(),
            why: format!(
                "expected a NumericDate (seconds since the epoch), found {}",
                object::shown(raw)
            ),
        }),
    }
}

/// Unsigned whole seconds within [`MAX_NUMERIC_DATE`], written plainly (the cursor's
/// unsigned integer, as serde_json reads one).
fn plain_seconds(raw: &str) -> Option<i64> {
    let mut c = Cursor::new(raw);
    let n = c.unsigned(MAX_NUMERIC_DATE.unsigned_abs()).ok()?;
    if c.at != raw.len() {
        return None;
    }
    i64::try_from(n).ok()
}

/// Reads `aud`: a string or an array of strings.
pub fn audiences<'c>(claims: &Object<'c>) -> Result<Vec<Cow<'c, str>>, TokenError> {
    let bad = |v: &Value| TokenError::InvalidClaim {
        claim: "aud".into(),
        why: format!("expected a string or an array of strings, found {v}"),
    };
    let Some(raw) = claims.get("aud") else {
        return Ok(Vec::new());
    };
    if let Some(s) = object::as_str(raw) {
        return Ok(vec![s]);
    }
    if let Some(plain) = object::plain_strings(raw) {
        return Ok(plain.into_iter().map(Cow::Borrowed).collect());
    }
    match serde_json::from_str::<Value>(raw).unwrap_or(Value::Null) {
        Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(|s| Cow::Owned(s.to_string()))
                    .ok_or_else(|| bad(v))
            })
            .collect(),
        other => Err(bad(&other)),
    }
}

/// Recognises the token's format from its claims and extracts the account it names.
pub fn credential(claims: &Object<'_>) -> Result<(TokenFormat, Credential), TokenError> {
    if claims.contains(LEGACY_NAMESPACE) || claims.contains(LEGACY_SECRET_NAME) {
        const F: &str = "Kubernetes legacy";
        let namespace = required_str(claims, "", LEGACY_NAMESPACE, F)?;
        let name = required_str(claims, "", LEGACY_ACCOUNT_NAME, F)?;
        let uid = required_str(claims, "", LEGACY_ACCOUNT_UID, F)?;
        let secret_name = required_str(claims, "", LEGACY_SECRET_NAME, F)?;
        // Kubernetes' legacy validator refuses a token without `sub` ("sub claim is missing").
        let sub = required_str(claims, "", "sub", F)?;
        check_sub(Some(&sub), &namespace, &name)?;
        return Ok((
            TokenFormat::KubernetesLegacy,
            Credential::KubernetesLegacy {
                namespace,
                name,
                uid,
                secret_name,
            },
        ));
    }
    if claims.contains(BOUND_CLAIM) {
        const F: &str = "Kubernetes bound";
        let k8s = required_object(claims, "", BOUND_CLAIM, F)?;
        let namespace = required_str(&k8s, BOUND_CLAIM, "namespace", F)?;
        let sa = required_object(&k8s, BOUND_CLAIM, "serviceaccount", F)?;
        let sa_path = "kubernetes.io.serviceaccount";
        let name = required_str(&sa, sa_path, "name", F)?;
        let uid = required_str(&sa, sa_path, "uid", F)?;
        check_sub(
            optional_str(claims, "", "sub")?.as_deref(),
            &namespace,
            &name,
        )?;
        let mut bound = BoundObject::default();
        for (kind, path) in [
            ("pod", "kubernetes.io.pod"),
            ("secret", "kubernetes.io.secret"),
        ] {
            if k8s.contains(kind) {
                let object = required_object(&k8s, BOUND_CLAIM, kind, F)?;
                bound.kind = kind.to_string();
                bound.name = required_str(&object, path, "name", F)?;
                bound.uid = required_str(&object, path, "uid", F)?;
            }
        }
        if k8s.contains("node") {
            let path = "kubernetes.io.node";
            let node = required_object(&k8s, BOUND_CLAIM, "node", F)?;
            bound.node_name = Some(required_str(&node, path, "name", F)?);
            bound.node_uid = optional_str(&node, path, "uid")?.map(Cow::into_owned);
        }
        let jti = optional_str(claims, "", "jti")?.map(Cow::into_owned);
        return Ok((
            TokenFormat::KubernetesBound,
            Credential::KubernetesBound {
                namespace,
                name,
                uid,
                bound,
                jti,
            },
        ));
    }
    const F: &str = "Pomerium service account";
    let account_id = required_str(claims, "", "jti", F)?;
    let user_id = required_str(claims, "", "sub", F)?;
    Ok((
        TokenFormat::Pomerium,
        Credential::Pomerium {
            account_id,
            user_id,
        },
    ))
}

/// Whether a token of `format` may carry this `iss`: a format is issued by one kind of issuer,
/// as in Kubernetes, whose legacy validator takes only `kubernetes/serviceaccount` and whose
/// bound-token validator only the configured issuers. Legacy tokens carry that `iss`, bound
/// tokens another, and Pomerium's none (DESIGN 1.3). Without this, whoever holds one issuer's
/// key (say, the Pomerium shared secret) could sign the claims of another's tokens and be
/// taken for any service account.
pub fn check_issuer(format: TokenFormat, iss: Option<&str>) -> Result<(), TokenError> {
    let why = match (format, iss) {
        (TokenFormat::KubernetesLegacy, Some(LEGACY_ISSUER)) | (TokenFormat::Pomerium, None) => {
            return Ok(())
        }
        (TokenFormat::KubernetesBound, Some(i)) if i != LEGACY_ISSUER => return Ok(()),
        (TokenFormat::KubernetesLegacy, _) => {
            "a Kubernetes legacy token is issued by \"kubernetes/serviceaccount\""
        }
        (TokenFormat::KubernetesBound, Some(_)) => "\"kubernetes/serviceaccount\" issues only legacy (secret-based) tokens, not Kubernetes bound ones",
        (TokenFormat::KubernetesBound, None) => "missing: a Kubernetes bound token names its issuer",
        (TokenFormat::Pomerium, Some(_)) => "a token naming an issuer is a Kubernetes token, and this one has neither the legacy claims nor \"kubernetes.io\" (a Pomerium service account token carries no iss)",
    };
    Err(TokenError::InvalidClaim {
        claim: "iss".into(),
        why: match iss {
            Some(i) => format!("{i:?}: {why}"),
            None => format!("(none): {why}"),
        },
    })
}

/// A Kubernetes token's `sub`, when present, must be the account's user name.
fn check_sub(sub: Option<&str>, namespace: &str, name: &str) -> Result<(), TokenError> {
    match sub {
        Some(sub) if !is_service_account_username(sub, namespace, name) => {
            let expected = service_account_username(namespace, name);
            Err(TokenError::InvalidClaim {
                claim: "sub".into(),
                why: format!(
                    "{sub:?} does not match the service account the token names ({expected:?})"
                ),
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The audiences of claims given as JSON.
    fn auds(claims: Value) -> Result<Vec<String>, TokenError> {
        with(claims, |c| {
            audiences(c).map(|a| a.into_iter().map(Cow::into_owned).collect())
        })
    }

    /// Decides on claims given as JSON, read as a token's claims are.
    fn with<T>(claims: Value, f: impl FnOnce(&Object<'_>) -> T) -> T {
        let text = claims.to_string();
        f(&Object::parse(&text).unwrap())
    }

    #[test]
    fn legacy_tokens_name_their_secret() {
        let claims = json!({
            "iss": "kubernetes/serviceaccount",
            "sub": "system:serviceaccount:top-secret:robot",
            LEGACY_NAMESPACE: "top-secret",
            LEGACY_SECRET_NAME: "robot-token-x7k2p",
            LEGACY_ACCOUNT_NAME: "robot",
            LEGACY_ACCOUNT_UID: "u-1",
        });
        let (format, cred) = with(claims, credential).unwrap();
        assert_eq!(format, TokenFormat::KubernetesLegacy);
        assert_eq!(cred.token_id(), Some("robot-token-x7k2p"));
    }

    #[test]
    fn bound_tokens_carry_pod_and_node() {
        let claims = json!({
            "sub": "system:serviceaccount:ci:runner",
            "jti": "j-1",
            "kubernetes.io": {
                "namespace": "ci",
                "serviceaccount": {"name": "runner", "uid": "u-2"},
                "pod": {"name": "runner-abc", "uid": "p-1"},
                "node": {"name": "node-1", "uid": "n-1"}
            }
        });
        let (format, cred) = with(claims, credential).unwrap();
        assert_eq!(format, TokenFormat::KubernetesBound);
        let Credential::KubernetesBound { bound, jti, .. } = cred else {
            panic!()
        };
        assert_eq!(jti.as_deref(), Some("j-1"));
        assert_eq!(bound.kind, "pod");
        assert_eq!(bound.extra_entries().len(), 4);
    }

    #[test]
    fn a_repeated_member_inside_the_bound_claim_is_refused() {
        let text = r#"{"kubernetes.io": {"namespace": "ci", "namespace": "prod",
            "serviceaccount": {"name": "runner", "uid": "u-2"}}}"#;
        let claims = Object::parse(text).unwrap();
        let err = credential(&claims).unwrap_err().to_string();
        assert!(
            err.starts_with("kubernetes.io: duplicate member \"namespace\""),
            "{err}"
        );
    }

    #[test]
    fn pomerium_tokens_need_jti_and_sub() {
        let err = with(json!({"sub": "alice"}), credential).unwrap_err();
        assert_eq!(
            err.to_string(),
            "jti: missing (required in a Pomerium service account token)"
        );
        let (format, _) = with(json!({"sub": "alice", "jti": "sa-1"}), credential).unwrap();
        assert_eq!(format, TokenFormat::Pomerium);
    }

    #[test]
    fn claims_of_the_wrong_shape_are_named() {
        let cases = [
            (json!({LEGACY_NAMESPACE: "a", LEGACY_ACCOUNT_NAME: "b", LEGACY_ACCOUNT_UID: "c"}), "kubernetes.io/serviceaccount/secret.name: missing (required in a Kubernetes legacy token)"),
            (json!({LEGACY_NAMESPACE: 5}), "kubernetes.io/serviceaccount/namespace: expected a string, found 5"),
            (json!({"kubernetes.io": {"namespace": "ci"}}), "kubernetes.io.serviceaccount: missing (required in a Kubernetes bound token)"),
            (json!({"kubernetes.io": {"namespace": "ci", "serviceaccount": {"name": "x", "uid": ""}}}), "kubernetes.io.serviceaccount.uid: must not be empty"),
            (json!({"kubernetes.io": {"namespace": "ci", "serviceaccount": {"name": "x", "uid": "u"}}, "sub": "system:serviceaccount:ci:y"}), "sub: \"system:serviceaccount:ci:y\" does not match the service account the token names (\"system:serviceaccount:ci:x\")"),
            (json!({"jti": ["a"], "sub": "x"}), "jti: expected a string, found [\"a\"]"),
        ];
        for (claims, expected) in cases {
            assert_eq!(with(claims, credential).unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn numeric_dates_and_audiences() {
        let claims = json!({"exp": 10, "nbf": 10.9, "iat": "now", "aud": ["a", "b"]});
        with(claims, |c| {
            assert_eq!(numeric_date(c, "exp").unwrap(), Some(10));
            assert_eq!(numeric_date(c, "nbf").unwrap(), Some(10));
            assert_eq!(
                numeric_date(c, "iat").unwrap_err().to_string(),
                "iat: expected a NumericDate (seconds since the epoch), found \"now\""
            );
            assert_eq!(audiences(c).unwrap(), vec!["a", "b"]);
            assert!(audiences(c)
                .unwrap()
                .iter()
                .all(|a| matches!(a, Cow::Borrowed(_))));
        });
        assert_eq!(
            auds(json!({"aud": [1]})).unwrap_err().to_string(),
            "aud: expected a string or an array of strings, found 1"
        );
        assert_eq!(auds(json!({"aud": "x"})).unwrap(), vec!["x"]);
        // Escapes and odd spacing take the slow path, with the same answer.
        let aud = serde_json::from_str(r#"{"aud": [ "a\u0062" , "c" ]}"#).unwrap();
        assert_eq!(auds(aud).unwrap(), vec!["ab", "c"]);
        assert!(auds(json!({"aud": ["a", null]})).is_err());
        assert!(with(json!({"exp": 1e15}), |c| numeric_date(c, "exp")).is_err());
        // Plain whole seconds are read in place, every other form by serde_json: the same.
        for text in [
            "0",
            "7",
            "1795346682",
            "999999999999999",
            "1000000000000000",
            "-5",
            "10.9",
            "1e3",
            "1795346682.0",
            "-0",
            "99999999999999999999",
        ] {
            let claims = format!(r#"{{"exp":{text}}}"#);
            let object = Object::parse(&claims).unwrap();
            let by_serde = match serde_json::from_str::<serde_json::Number>(text) {
                Ok(n) => n
                    .as_i64()
                    .or_else(|| {
                        n.as_f64()
                            .filter(|f| f.abs() < 1e15)
                            .map(|f| f.floor() as i64)
                    })
                    .filter(|t| (-MAX_NUMERIC_DATE..=MAX_NUMERIC_DATE).contains(t)),
                Err(_) => None,
            };
            assert_eq!(
                numeric_date(&object, "exp").ok().flatten(),
                by_serde,
                "{text}"
            );
        }
    }
}
