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
    /// Kubernetes' `extra` entries for this binding.
    pub fn extra_entries(&self) -> Vec<(&'static str, &str)> {
        use crate::identity::*;
        let mut out = Vec::new();
        if self.kind == "pod" {
            out.push((EXTRA_POD_NAME, self.name.as_str()));
            out.push((EXTRA_POD_UID, self.uid.as_str()));
        }
        if let Some(n) = &self.node_name {
            out.push((EXTRA_NODE_NAME, n.as_str()));
        }
        if let Some(u) = &self.node_uid {
            out.push((EXTRA_NODE_UID, u.as_str()));
        }
        out
    }
}

use serde_json::{Map, Value};

use super::TokenError;
use crate::names::service_account_username;

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

/// Reads an optional string claim.
pub fn optional_str<'c>(
    claims: &'c Map<String, Value>,
    path: &str,
    name: &str,
) -> Result<Option<&'c str>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(TokenError::InvalidClaim {
            claim: join(path, name),
            why: format!("expected a string, found {other}"),
        }),
    }
}

fn required_str<'c>(
    claims: &'c Map<String, Value>,
    path: &str,
    name: &str,
    format: &'static str,
) -> Result<&'c str, TokenError> {
    match optional_str(claims, path, name)? {
        Some(s) if !s.is_empty() => Ok(s),
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
    claims: &'c Map<String, Value>,
    path: &str,
    name: &str,
    format: &'static str,
) -> Result<&'c Map<String, Value>, TokenError> {
    match claims.get(name) {
        Some(Value::Object(o)) => Ok(o),
        Some(other) => Err(TokenError::InvalidClaim {
            claim: join(path, name),
            why: format!("expected an object, found {other}"),
        }),
        None => Err(TokenError::MissingClaim {
            claim: join(path, name),
            format,
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
pub fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
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
        Some(other) => Err(TokenError::InvalidClaim {
            claim: name.into(),
            why: format!("expected a NumericDate (seconds since the epoch), found {other}"),
        }),
    }
}

/// Reads `aud`: a string or an array of strings.
pub fn audiences(claims: &Map<String, Value>) -> Result<Vec<String>, TokenError> {
    let bad = |v: &Value| TokenError::InvalidClaim {
        claim: "aud".into(),
        why: format!("expected a string or an array of strings, found {v}"),
    };
    match claims.get("aud") {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| bad(v)))
            .collect(),
        Some(other) => Err(bad(other)),
    }
}

/// Recognises the token's format from its claims and extracts the account it names.
pub fn credential(claims: &Map<String, Value>) -> Result<(TokenFormat, Credential), TokenError> {
    if claims.contains_key(LEGACY_NAMESPACE) || claims.contains_key(LEGACY_SECRET_NAME) {
        const F: &str = "Kubernetes legacy";
        let namespace = required_str(claims, "", LEGACY_NAMESPACE, F)?.to_string();
        let name = required_str(claims, "", LEGACY_ACCOUNT_NAME, F)?.to_string();
        let uid = required_str(claims, "", LEGACY_ACCOUNT_UID, F)?.to_string();
        let secret_name = required_str(claims, "", LEGACY_SECRET_NAME, F)?.to_string();
        check_sub(claims, &namespace, &name)?;
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
    if claims.contains_key(BOUND_CLAIM) {
        const F: &str = "Kubernetes bound";
        let k8s = required_object(claims, "", BOUND_CLAIM, F)?;
        let namespace = required_str(k8s, BOUND_CLAIM, "namespace", F)?.to_string();
        let sa = required_object(k8s, BOUND_CLAIM, "serviceaccount", F)?;
        let sa_path = "kubernetes.io.serviceaccount";
        let name = required_str(sa, sa_path, "name", F)?.to_string();
        let uid = required_str(sa, sa_path, "uid", F)?.to_string();
        check_sub(claims, &namespace, &name)?;
        let mut bound = BoundObject::default();
        for kind in ["pod", "secret"] {
            if k8s.contains_key(kind) {
                let path = format!("{BOUND_CLAIM}.{kind}");
                let object = required_object(k8s, BOUND_CLAIM, kind, F)?;
                bound.kind = kind.to_string();
                bound.name = required_str(object, &path, "name", F)?.to_string();
                bound.uid = required_str(object, &path, "uid", F)?.to_string();
            }
        }
        if k8s.contains_key("node") {
            let path = format!("{BOUND_CLAIM}.node");
            let node = required_object(k8s, BOUND_CLAIM, "node", F)?;
            bound.node_name = Some(required_str(node, &path, "name", F)?.to_string());
            bound.node_uid = optional_str(node, &path, "uid")?.map(str::to_string);
        }
        let jti = optional_str(claims, "", "jti")?.map(str::to_string);
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
    let account_id = required_str(claims, "", "jti", F)?.to_string();
    let user_id = required_str(claims, "", "sub", F)?.to_string();
    Ok((
        TokenFormat::Pomerium,
        Credential::Pomerium {
            account_id,
            user_id,
        },
    ))
}

/// A Kubernetes token's `sub`, when present, must be the account's user name.
fn check_sub(claims: &Map<String, Value>, namespace: &str, name: &str) -> Result<(), TokenError> {
    let expected = service_account_username(namespace, name);
    match optional_str(claims, "", "sub")? {
        Some(sub) if sub != expected => Err(TokenError::InvalidClaim {
            claim: "sub".into(),
            why: format!(
                "{sub:?} does not match the service account the token names ({expected:?})"
            ),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn legacy_tokens_name_their_secret() {
        let (format, cred) = credential(&map(json!({
            "iss": "kubernetes/serviceaccount",
            "sub": "system:serviceaccount:top-secret:robot",
            LEGACY_NAMESPACE: "top-secret",
            LEGACY_SECRET_NAME: "robot-token-x7k2p",
            LEGACY_ACCOUNT_NAME: "robot",
            LEGACY_ACCOUNT_UID: "u-1",
        })))
        .unwrap();
        assert_eq!(format, TokenFormat::KubernetesLegacy);
        assert_eq!(cred.token_id(), Some("robot-token-x7k2p"));
    }

    #[test]
    fn bound_tokens_carry_pod_and_node() {
        let (format, cred) = credential(&map(json!({
            "sub": "system:serviceaccount:ci:runner",
            "jti": "j-1",
            "kubernetes.io": {
                "namespace": "ci",
                "serviceaccount": {"name": "runner", "uid": "u-2"},
                "pod": {"name": "runner-abc", "uid": "p-1"},
                "node": {"name": "node-1", "uid": "n-1"}
            }
        })))
        .unwrap();
        assert_eq!(format, TokenFormat::KubernetesBound);
        let Credential::KubernetesBound { bound, jti, .. } = cred else {
            panic!()
        };
        assert_eq!(jti.as_deref(), Some("j-1"));
        assert_eq!(bound.kind, "pod");
        assert_eq!(bound.extra_entries().len(), 4);
    }

    #[test]
    fn pomerium_tokens_need_jti_and_sub() {
        let err = credential(&map(json!({"sub": "alice"}))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "jti: missing (required in a Pomerium service account token)"
        );
        let (format, _) = credential(&map(json!({"sub": "alice", "jti": "sa-1"}))).unwrap();
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
            assert_eq!(credential(&map(claims)).unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn numeric_dates_and_audiences() {
        let c = map(json!({"exp": 10, "nbf": 10.9, "iat": "now", "aud": ["a", "b"]}));
        assert_eq!(numeric_date(&c, "exp").unwrap(), Some(10));
        assert_eq!(numeric_date(&c, "nbf").unwrap(), Some(10));
        assert!(numeric_date(&c, "iat")
            .unwrap_err()
            .to_string()
            .starts_with("iat: expected a NumericDate"));
        assert_eq!(audiences(&c).unwrap(), vec!["a", "b"]);
        assert!(audiences(&map(json!({"aud": [1]}))).is_err());
    }
}
