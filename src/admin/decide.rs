//! The questions the CLI answers from the state (`whoami`, `auth can-i`, `check`): each one is
//! put to an [`crate::Engine`] over [`super::build::document_for`], the document `bundle build`
//! would write, so the CLI's answer is the bundle's.

use serde::Serialize;

use super::build::engine;
use super::output::Render;
use super::tokens::{bound_claims, sign_bound};
use super::{ids, AdminError, Result, State};
use crate::identity::{Identity, TokenReviewStatus};
use crate::rbac::{NonResourceAttributes, RbacRequest, ResourceAttributes};
use crate::request::HttpRequest;
use crate::schema::ServiceAccount;
use crate::time::UnixTime;
use crate::Decision;

/// A Kubernetes TokenReview (`tessera whoami -o json`).
#[derive(Debug, Clone, Serialize)]
pub struct TokenReview {
    /// `authentication.k8s.io/v1`.
    #[serde(rename = "apiVersion")]
    pub api_version: &'static str,
    /// `TokenReview`.
    pub kind: &'static str,
    /// The answer.
    pub status: TokenReviewStatus,
    /// Why the token was refused: a stable code (`token-expired`, `secret-deleted`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// The whole identity (DESIGN 1.3: the account's namespace and name, its kind, and an
    /// impersonating account's user id and email, which a Kubernetes UserInfo has no field
    /// for), when authenticated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
}

impl Render for TokenReview {
    /// The user name, as `kubectl auth whoami` shows it (or why the token was refused).
    fn render(&self) -> String {
        match (&self.status.user, &self.status.error) {
            (Some(user), _) => format!("{}\n", user.username),
            (None, Some(e)) => format!("token refused: {e}\n"),
            (None, None) => "token refused\n".to_string(),
        }
    }
}

/// Who is this token?
pub fn whoami(state: &State, token: &str, now: UnixTime) -> Result<TokenReview> {
    let mut engine = engine(state, now)?;
    let (status, reason, identity) = match engine.verify(token, now) {
        Ok(identity) => (
            TokenReviewStatus::authenticated(&identity),
            None,
            Some(Identity::clone(&identity)),
        ),
        Err(e) => (TokenReviewStatus::refused(&e), Some(e.code()), None),
    };
    Ok(TokenReview {
        api_version: "authentication.k8s.io/v1",
        kind: "TokenReview",
        status,
        reason,
        identity,
    })
}

/// `kubectl auth can-i`'s resource argument read as kubectl reads it: `TYPE`, `TYPE/NAME`
/// (the object's name), or a non-resource URL (`/healthz`); the subresource comes from
/// `--subresource`, and the name may also come as tessera's NAME argument (not both). TYPE is
/// resolved as kubectl's discovery would ([`super::resources::resolve`]: `po` is `pods`,
/// `deploy` is `deployments.apps`). Returns the resource as [`rbac_request`] takes it
/// (`pods/log` for a subresource), the name, and a warning for a type it does not know.
pub fn kubectl_resource(
    resource: &str,
    name: Option<&str>,
    subresource: Option<&str>,
) -> Result<(String, String, Option<String>)> {
    if resource.starts_with('/') {
        if let Some(sub) = subresource {
            return Err(AdminError::input(format!(
                "--subresource: {sub:?} given for the non-resource URL {resource:?} (a URL has none)"
            )));
        }
        return Ok((
            resource.to_string(),
            name.unwrap_or_default().to_string(),
            None,
        ));
    }
    let (kind, named) = match resource.split_once('/') {
        Some((kind, named)) => (kind, Some(named)),
        None => (resource, None),
    };
    let name = match (named, name) {
        (Some(""), _) => {
            return Err(AdminError::input(format!(
                "RESOURCE: {resource:?} names no object after the '/' (expected TYPE or TYPE/NAME)"
            )))
        }
        (Some(_), Some(_)) => {
            return Err(AdminError::input(format!(
                "NAME: given twice, in RESOURCE {resource:?} and as NAME (give one)"
            )))
        }
        (Some(n), None) | (None, Some(n)) => n,
        (None, None) => "",
    };
    let (kind, warning) = super::resources::resolve(kind);
    let resource = match subresource {
        Some("") => return Err(AdminError::input("--subresource: must not be empty")),
        Some(sub) => format!("{kind}/{sub}"),
        None => kind,
    };
    Ok((resource, name.to_string(), warning))
}

/// The RBAC question of `kubectl auth can-i VERB RESOURCE [NAME]`: a resource (`pods`,
/// `pods/log`, `deployments.apps/scale`) or, when it starts with '/', a non-resource URL.
pub fn rbac_request(
    verb: &str,
    resource: &str,
    name: &str,
    namespace: &str,
) -> Result<RbacRequest> {
    if verb.is_empty() {
        return Err(AdminError::input("VERB: must not be empty"));
    }
    if resource.starts_with('/') {
        if !name.is_empty() {
            return Err(AdminError::input(format!(
                "NAME: {name:?} given for the non-resource URL {resource:?} (a URL has no name)"
            )));
        }
        return Ok(RbacRequest::NonResource(NonResourceAttributes {
            verb: verb.into(),
            path: resource.into(),
        }));
    }
    if resource.is_empty() || resource.starts_with('.') || resource.ends_with('/') {
        return Err(AdminError::input(format!(
            "RESOURCE: {resource:?} is not a resource (expected e.g. pods, pods/log, deployments.apps/scale, or a URL like /healthz)"
        )));
    }
    Ok(RbacRequest::Resource(ResourceAttributes::from_kubectl(
        verb, resource, name, namespace,
    )))
}

/// `auth can-i`: the decision for the caller of `token`.
pub fn can_i(state: &State, token: &str, request: &RbacRequest, now: UnixTime) -> Result<Decision> {
    let mut engine = engine(state, now)?;
    Ok(engine.authorize(token, request, now))
}

/// `check`: the route decision for `METHOD URL` with the token as `Authorization: Bearer`.
pub fn check(
    state: &State,
    token: Option<&str>,
    method: &str,
    url: &str,
    now: UnixTime,
) -> Result<Decision> {
    let mut request =
        HttpRequest::new(method, url).map_err(|e| AdminError::input(e.to_string()))?;
    if let Some(token) = token {
        request = request.with_header("authorization", &format!("Bearer {token}"));
    }
    let mut engine = engine(state, now)?;
    Ok(engine.check_http(&request, now))
}

/// A decision, printed as `kubectl auth can-i` does: `yes` alone (scripts compare the line),
/// or `no`, then ` - ` and the reason. A route decision (`check`) gives its status, reasons and
/// route either way.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Answer(pub Decision);

impl Render for Answer {
    fn render(&self) -> String {
        let d = &self.0;
        let word = if d.allowed { "yes" } else { "no" };
        match &d.route {
            Some(route) => format!(
                "{word} - {} {} (route {route}): {}\n",
                d.status,
                d.reasons.join(","),
                d.explanation
            ),
            None if d.allowed => "yes\n".to_string(),
            None => format!("no - {}\n", d.explanation),
        }
    }
}

/// The roles `sa` holds in its own namespace, as the engine computes them: a short-lived bound
/// token is minted in memory and verified, so the identity is exactly the one a real token
/// would get (an expired account is looked at just before its expiry).
pub fn roles_of(
    state: &State,
    sa: &ServiceAccount,
    now: UnixTime,
) -> std::result::Result<Vec<String>, String> {
    let expiry = sa
        .expires_at
        .as_deref()
        .and_then(|t| UnixTime::parse_rfc3339(t).ok());
    let at = match expiry {
        Some(t) if t <= now => t.plus(-1),
        _ => now,
    };
    let claims = bound_claims(state, sa, &[], at, at.plus(600), &ids::uuid_v4(), None)
        .map_err(|e| e.to_string())?;
    let token = sign_bound(state, claims).map_err(|e| e.to_string())?;
    let mut engine = engine(state, at).map_err(|e| e.to_string())?;
    let identity = engine.verify(&token, at).map_err(|e| e.to_string())?;
    let bundle = engine.bundle();
    Ok(bundle
        .rbac()
        .roles_held(&identity, bundle.namespaces(), &sa.namespace))
}

#[cfg(test)]
mod tests {
    #[test]
    fn can_i_reads_type_name_and_subresource_as_kubectl() {
        use super::kubectl_resource as k;
        let ok = |r: &str, n: Option<&str>, s: Option<&str>| {
            let (resource, name, warning) = k(r, n, s).unwrap();
            assert_eq!(warning, None, "{r}");
            (resource, name)
        };
        assert_eq!(ok("pods", None, None), ("pods".into(), "".into()));
        assert_eq!(
            ok("pods/web-1", None, None),
            ("pods".into(), "web-1".into())
        );
        assert_eq!(
            ok("pods/web-1", None, Some("log")),
            ("pods/log".into(), "web-1".into())
        );
        assert_eq!(
            ok("pods", Some("web-1"), Some("log")),
            ("pods/log".into(), "web-1".into())
        );
        assert_eq!(
            ok("deployments.apps/api", None, Some("scale")),
            ("deployments.apps/scale".into(), "api".into())
        );
        // Resolved as kubectl's discovery resolves it: case, short names, the API group.
        assert_eq!(
            ok("deploy/api", None, Some("scale")),
            ("deployments.apps/scale".into(), "api".into())
        );
        assert_eq!(
            ok("Po", Some("web-1"), None),
            ("pods".into(), "web-1".into())
        );
        assert_eq!(ok("/healthz", None, None), ("/healthz".into(), "".into()));
        let (resource, _, warning) = k("widgets", None, None).unwrap();
        assert_eq!(resource, "widgets");
        assert!(warning.is_some(), "an unknown type is asked with a warning");
        for (r, n, s, want) in [
            ("pods/", None, None, "RESOURCE: \"pods/\" names no object"),
            ("pods/a", Some("b"), None, "NAME: given twice"),
            (
                "/healthz",
                None,
                Some("log"),
                "--subresource: \"log\" given for the non-resource URL",
            ),
            ("pods", None, Some(""), "--subresource: must not be empty"),
        ] {
            let err = k(r, n, s).unwrap_err().to_string();
            assert!(err.starts_with(want), "{r}: {err}");
        }
    }
}
