//! Minting the three token formats of `examples/README.md` with the state's keys, and
//! `tessera create token` (a bound token, Kubernetes TokenRequest semantics). Tokens are
//! printed once and never stored: the state keeps only what verification needs (the secret
//! name in the account's `secrets`, a bound token's `jti` for `describe`).

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::init::{CLUSTER_ISSUER, LEGACY_ISS, LEGACY_ISSUER, POMERIUM_ISSUER};
use super::output::Render;
use super::store::BoundTokenRecord;
use super::{ids, AdminError, Result, State};
use crate::names::service_account_username;
use crate::schema::{AccountKind, ServiceAccount};
use crate::time::UnixTime;
use crate::token::{
    BOUND_CLAIM, LEGACY_ACCOUNT_NAME, LEGACY_ACCOUNT_UID, LEGACY_NAMESPACE, LEGACY_SECRET_NAME,
};

/// Kubernetes' shortest bound-token lifetime (TokenRequest `expirationSeconds`).
pub const MIN_BOUND_SECONDS: i64 = 600;
/// Kubernetes' longest bound-token lifetime: 2^32 seconds (TokenRequest validation).
pub const MAX_BOUND_SECONDS: i64 = 1 << 32;
/// `kubectl create token`'s default lifetime.
pub const DEFAULT_BOUND_SECONDS: i64 = 3600;

/// A token just issued: shown once, never stored.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedToken {
    /// `legacy`, `bound` or `pomerium`.
    pub format: &'static str,
    /// The account, `<namespace>/<name>`.
    pub service_account: String,
    /// The secret that holds a legacy token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The token id (`jti`) of a bound or Pomerium token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// When it expires (RFC 3339), if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The token.
    pub token: String,
}

impl Render for IssuedToken {
    /// The token alone, so that `TOKEN=$(tessera create token ...)` works.
    fn render(&self) -> String {
        format!("{}\n", self.token)
    }
}

impl IssuedToken {
    /// A one-line note for stderr: what was issued, and that it is shown once.
    pub fn note(&self) -> String {
        let what = match (&self.secret, &self.jti) {
            (Some(secret), _) => format!("secret {secret}"),
            (None, Some(jti)) => format!("jti {jti}"),
            _ => String::new(),
        };
        let expiry = match &self.expires_at {
            Some(t) => format!(", expires {t}"),
            None => ", does not expire".to_string(),
        };
        format!(
            "{} token for {} ({what}{expiry}): shown once, not stored",
            self.format, self.service_account
        )
    }
}

fn sign(state: &State, issuer: &str, claims: Value) -> Result<String> {
    state
        .key(issuer)?
        .sign_claims(&claims)
        .map_err(|e| AdminError::state(format!("signing with the {issuer} key: {e}")))
}

/// A legacy (secret-based) token for `sa`, held by `secret`.
pub fn mint_legacy(state: &State, sa: &ServiceAccount, secret: &str) -> Result<IssuedToken> {
    let mut c = Map::new();
    c.insert("iss".into(), json!(LEGACY_ISS));
    c.insert(LEGACY_NAMESPACE.into(), json!(sa.namespace));
    c.insert(LEGACY_SECRET_NAME.into(), json!(secret));
    c.insert(LEGACY_ACCOUNT_NAME.into(), json!(sa.name));
    c.insert(LEGACY_ACCOUNT_UID.into(), json!(sa.uid));
    c.insert(
        "sub".into(),
        json!(service_account_username(&sa.namespace, &sa.name)),
    );
    Ok(IssuedToken {
        format: "legacy",
        service_account: format!("{}/{}", sa.namespace, sa.name),
        secret: Some(secret.to_string()),
        jti: None,
        expires_at: None,
        token: sign(state, LEGACY_ISSUER, Value::Object(c))?,
    })
}

/// A Pomerium token for `sa`: `jti` its uid, `sub` its id (or the impersonated user's), `exp`
/// the account's expiry if it has one.
pub fn mint_pomerium(state: &State, sa: &ServiceAccount, now: UnixTime) -> Result<IssuedToken> {
    let sub = match (sa.kind, &sa.impersonate, &sa.id) {
        (AccountKind::Impersonating, Some(user), _) => user.clone(),
        (_, _, Some(id)) => id.clone(),
        _ => service_account_username(&sa.namespace, &sa.name),
    };
    let mut c = Map::new();
    c.insert("jti".into(), json!(sa.uid));
    c.insert("sub".into(), json!(sub));
    c.insert("iat".into(), json!(now.0));
    c.insert("nbf".into(), json!(now.0));
    let expires_at = match &sa.expires_at {
        Some(t) => {
            let t = UnixTime::parse_rfc3339(t)
                .map_err(|e| AdminError::state(format!("service account expires_at: {e}")))?;
            c.insert("exp".into(), json!(t.0));
            Some(t.to_string())
        }
        None => None,
    };
    Ok(IssuedToken {
        format: "pomerium",
        service_account: format!("{}/{}", sa.namespace, sa.name),
        secret: None,
        jti: Some(sa.uid.clone()),
        expires_at,
        token: sign(state, POMERIUM_ISSUER, Value::Object(c))?,
    })
}

/// What a bound token is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundObject {
    /// `Pod`, `Secret` or `Node`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its uid (a random UUID when not given).
    pub uid: Option<String>,
}

/// `tessera create token`: what is asked for.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// The account's namespace.
    pub namespace: String,
    /// The account's name.
    pub name: String,
    /// Lifetime in seconds (default one hour, at least ten minutes).
    pub duration: Option<i64>,
    /// Audiences (default the cluster issuer's).
    pub audiences: Vec<String>,
    /// The object the token is bound to.
    pub bound: Option<BoundObject>,
}

/// The claims of a bound token (without signing), for `create token` and `describe`.
pub(crate) fn bound_claims(
    state: &State,
    sa: &ServiceAccount,
    audiences: &[String],
    iat: UnixTime,
    exp: UnixTime,
    jti: &str,
    bound: Option<&BoundObject>,
) -> Result<Value> {
    let issuer = state
        .doc()
        .issuers
        .iter()
        .find(|i| i.name == CLUSTER_ISSUER)
        .ok_or_else(|| AdminError::state("state: the cluster issuer is missing"))?;
    let iss = issuer.iss.clone().unwrap_or_default();
    let audiences = if audiences.is_empty() {
        issuer.audiences.clone()
    } else {
        audiences.to_vec()
    };
    let mut k8s = Map::new();
    k8s.insert("namespace".into(), json!(sa.namespace));
    k8s.insert(
        "serviceaccount".into(),
        json!({"name": sa.name, "uid": sa.uid}),
    );
    if let Some(b) = bound {
        let uid = b.uid.clone().unwrap_or_else(ids::uuid_v4);
        let key = b.kind.to_ascii_lowercase();
        k8s.insert(key, json!({"name": b.name, "uid": uid}));
    }
    Ok(json!({
        "aud": audiences,
        "exp": exp.0,
        "iat": iat.0,
        "nbf": iat.0,
        "iss": iss,
        "jti": jti,
        BOUND_CLAIM: Value::Object(k8s),
        "sub": service_account_username(&sa.namespace, &sa.name),
    }))
}

/// Signs bound-token claims with the cluster key.
pub(crate) fn sign_bound(state: &State, claims: Value) -> Result<String> {
    sign(state, CLUSTER_ISSUER, claims)
}

/// `tessera create token`: a bound token for an existing account, recorded by its `jti`.
/// Returns the token and warnings for stderr.
pub fn create_token(
    state: &mut State,
    request: &TokenRequest,
    now: UnixTime,
) -> Result<(IssuedToken, Vec<String>)> {
    let sa = super::accounts::find(state.doc(), &request.namespace, &request.name)?.clone();
    // `--duration 0`, as kubectl has it, leaves the lifetime to the default.
    let duration = request
        .duration
        .filter(|d| *d != 0)
        .unwrap_or(DEFAULT_BOUND_SECONDS);
    if duration < MIN_BOUND_SECONDS {
        return Err(AdminError::input(format!(
            "--duration: {duration}s is shorter than Kubernetes' minimum of 10m"
        )));
    }
    if duration > MAX_BOUND_SECONDS {
        return Err(AdminError::input(format!(
            "--duration: {duration}s is longer than Kubernetes' maximum of 2^32 seconds"
        )));
    }
    if let Some(b) = &request.bound {
        if !matches!(b.kind.as_str(), "Pod" | "Secret" | "Node") {
            return Err(AdminError::input(format!(
                "--bound-object-kind: {:?} is not supported (expected Pod, Secret or Node)",
                b.kind
            )));
        }
        if b.name.is_empty() {
            return Err(AdminError::input("--bound-object-name: must not be empty"));
        }
        // The engine keeps a token bound to a Secret only while the bundle lists that Secret
        // among the account's token secrets (deleting it revokes the token, as in Kubernetes).
        if b.kind == "Secret" && !sa.secrets.contains(&b.name) {
            return Err(AdminError::input(format!(
                "--bound-object-name: {:?} is not a token secret of {}/{} (expected one of: {}); a token bound to it would be refused",
                b.name,
                sa.namespace,
                sa.name,
                if sa.secrets.is_empty() { "none".to_string() } else { sa.secrets.join(", ") }
            )));
        }
    }
    let mut warnings = Vec::new();
    let cluster_audiences: Vec<String> = state
        .doc()
        .issuers
        .iter()
        .find(|i| i.name == CLUSTER_ISSUER)
        .map(|i| i.audiences.clone())
        .unwrap_or_default();
    for aud in &request.audiences {
        if !cluster_audiences.contains(aud) {
            warnings.push(format!(
                "--audience {aud:?} is not an audience of the cluster issuer ({}): bundles built from this state will refuse the token",
                cluster_audiences.join(", ")
            ));
        }
    }
    if let Some(t) = sa
        .expires_at
        .as_deref()
        .and_then(|t| UnixTime::parse_rfc3339(t).ok())
    {
        if t <= now {
            warnings.push(format!(
                "service account {}/{} expired at {t}: the token will be refused",
                sa.namespace, sa.name
            ));
        }
    }
    let exp = now.plus(duration);
    let jti = ids::uuid_v4();
    let claims = bound_claims(
        state,
        &sa,
        &request.audiences,
        now,
        exp,
        &jti,
        request.bound.as_ref(),
    )?;
    let token = sign_bound(state, claims)?;
    state.file.bound_tokens.push(BoundTokenRecord {
        jti: jti.clone(),
        namespace: sa.namespace.clone(),
        service_account: sa.name.clone(),
        expires_at: exp.to_string(),
        bound_to: request
            .bound
            .as_ref()
            .map(|b| format!("{}/{}", b.kind.to_ascii_lowercase(), b.name)),
    });
    // Drop the records of tokens that have expired: they can no longer be used.
    state.file.bound_tokens.retain(|r| {
        UnixTime::parse_rfc3339(&r.expires_at)
            .map(|t| t > now)
            .unwrap_or(false)
    });
    state.save()?;
    Ok((
        IssuedToken {
            format: "bound",
            service_account: format!("{}/{}", sa.namespace, sa.name),
            secret: None,
            jti: Some(jti),
            expires_at: Some(exp.to_string()),
            token,
        },
        warnings,
    ))
}
