//! `tessera init`: a new state with three issuers and their keys, a bundle-signing key, the
//! `global` namespace and Kubernetes' and OpenShift's bootstrap roles (`bootstrap.json`).
//!
//! The issuers (token formats of `examples/README.md`):
//! - `legacy`: `iss: kubernetes/serviceaccount`, secret-based tokens;
//! - `cluster`: `iss` and audience `--issuer URL`, bound tokens (`create token`);
//! - `pomerium`: no `iss` (the bundle's `default_issuer`), Pomerium tokens.
//!
//! `--alg HS256` gives only `pomerium` a shared secret: Kubernetes never signs service-account
//! tokens with HMAC, so `legacy` and `cluster` get ES256 keys (with a warning), and bundles are
//! signed with ES256 because a bundle signature must be checkable with a public key.

use crate::token::JwkSet;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::output::{Render, Table};
use super::store::{StateFile, BUNDLE_SIGNING_KEY, STATE_VERSION};
use super::{ids, AdminError, Result, State};
use crate::schema::{
    BundleDocument, ClusterRole, ClusterRoleBinding, Issuer, Namespace, Settings, SCHEMA_VERSION,
};
use crate::time::UnixTime;
use crate::token::mint::PrivateKey;

/// The issuer of legacy (secret-based) tokens.
pub const LEGACY_ISSUER: &str = "legacy";
/// The `iss` of legacy tokens (the one the engine takes legacy tokens from).
pub const LEGACY_ISS: &str = crate::token::LEGACY_ISSUER;
/// The issuer of bound tokens.
pub const CLUSTER_ISSUER: &str = "cluster";
/// The issuer of Pomerium tokens (the bundle's `default_issuer`).
pub const POMERIUM_ISSUER: &str = "pomerium";
/// The default `iss` and audience of bound tokens.
pub const DEFAULT_CLUSTER_ISS: &str = "https://kubernetes.default.svc";
/// The root namespace every state starts with.
pub const GLOBAL_NAMESPACE: &str = "global";

/// What `init` is asked for.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// `ES256` (default), `RS256`, `EdDSA` or `HS256`.
    pub alg: String,
    /// The `iss` and audience of bound tokens.
    pub issuer: String,
}

impl Default for InitOptions {
    fn default() -> InitOptions {
        InitOptions {
            alg: "ES256".into(),
            issuer: DEFAULT_CLUSTER_ISS.into(),
        }
    }
}

/// One key made by `init`.
#[derive(Debug, Clone, Serialize)]
pub struct KeySummary {
    /// The issuer's name, or `bundle-signing`.
    pub name: String,
    /// The `iss` its tokens carry, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Its algorithm.
    pub alg: String,
    /// Its key id (none for a shared secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
}

/// What `init` made.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    /// The state directory.
    pub state: String,
    /// The keys.
    pub keys: Vec<KeySummary>,
    /// The namespaces.
    pub namespaces: Vec<String>,
    /// How many bootstrap cluster roles.
    pub cluster_roles: usize,
    /// Things the user should know (printed on stderr).
    pub warnings: Vec<String>,
}

impl Render for InitReport {
    fn render(&self) -> String {
        let mut out = format!(
            "state created in {}: namespace {}, {} bootstrap cluster roles\n\n",
            self.state,
            self.namespaces.join(","),
            self.cluster_roles
        );
        let mut t = Table::new(&["key", "iss", "alg", "kid"]);
        for k in &self.keys {
            t.row([
                k.name.clone(),
                match (&k.iss, k.name == POMERIUM_ISSUER) {
                    (Some(iss), _) => iss.clone(),
                    (None, true) => "(none: the default issuer)".into(),
                    (None, false) => "-".into(),
                },
                k.alg.clone(),
                k.kid.clone().unwrap_or_else(|| "(shared secret)".into()),
            ]);
        }
        out.push_str(&t.render());
        out
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Bootstrap {
    cluster_roles: Vec<ClusterRole>,
    cluster_role_bindings: Vec<ClusterRoleBinding>,
}

fn bootstrap() -> Result<Bootstrap> {
    serde_json::from_str(include_str!("bootstrap.json"))
        .map_err(|e| AdminError::state(format!("bootstrap roles: {e}")))
}

/// The label Kubernetes puts on its bootstrap roles.
const BOOTSTRAPPING: (&str, &str) = ("kubernetes.io/bootstrapping", "rbac-defaults");

/// Brings a state made by an earlier `init` to the bootstrap roles' present shape. Those
/// states held the rules of `admin`, `edit` and `view` in the roles themselves, which
/// aggregation now replaces (as Kubernetes' controller does): each moves to
/// `system:aggregate-to-<role>`, labelled for it, as in Kubernetes, so that the roles grant
/// what they did. A role changed by hand (no bootstrapping label, no aggregation rule, or one
/// that does not select Kubernetes' `aggregate-to-<role>` label, so that the moved rules would
/// reach it no more) or a state that already has that `system:aggregate-to-` role is left as
/// it is. Returns the roles moved.
pub fn upgrade_bootstrap_roles(cluster_roles: &mut Vec<ClusterRole>) -> Vec<String> {
    let mut moved = Vec::new();
    for name in ["admin", "edit", "view"] {
        let target = format!("system:aggregate-to-{name}");
        if cluster_roles.iter().any(|r| r.name == target) {
            continue;
        }
        let label = format!("rbac.authorization.k8s.io/aggregate-to-{name}");
        // Kubernetes' own selector of this role: exactly its aggregate-to label.
        let selects_label = |rule: &crate::schema::AggregationRule| {
            rule.cluster_role_selectors.iter().any(|s| {
                s.match_expressions.is_empty()
                    && s.match_labels.len() == 1
                    && s.match_labels.get(&label).map(String::as_str) == Some("true")
            })
        };
        let Some(role) = cluster_roles.iter_mut().find(|r| {
            r.name == name
                && r.aggregation_rule.as_ref().is_some_and(selects_label)
                && !r.rules.is_empty()
                && r.labels.get(BOOTSTRAPPING.0).map(String::as_str) == Some(BOOTSTRAPPING.1)
        }) else {
            continue;
        };
        let rules = std::mem::take(&mut role.rules);
        let labels = [
            (BOOTSTRAPPING.0.to_string(), BOOTSTRAPPING.1.to_string()),
            (label, "true".to_string()),
        ];
        cluster_roles.push(ClusterRole {
            name: target,
            labels: labels.into_iter().collect(),
            rules,
            aggregation_rule: None,
        });
        moved.push(name.to_string());
    }
    moved
}

fn parse_alg(alg: &str) -> Result<Algorithm> {
    match alg {
        "ES256" => Ok(Algorithm::ES256),
        "RS256" => Ok(Algorithm::RS256),
        "EdDSA" => Ok(Algorithm::EdDSA),
        "HS256" => Ok(Algorithm::HS256),
        other => Err(AdminError::input(format!(
            "--alg: {other:?} is not supported (expected ES256, RS256, EdDSA or HS256)"
        ))),
    }
}

fn generate(alg: Algorithm, name: &str) -> Result<PrivateKey> {
    let kid = (alg != Algorithm::HS256).then(|| ids::key_id(name));
    PrivateKey::generate(alg, kid)
        .map_err(|e| AdminError::state(format!("generating the {name} key: {e}")))
}

fn jwks(key: &PrivateKey) -> Option<JwkSet> {
    let public = key.public_jwk()?;
    serde_json::from_value(serde_json::json!({ "keys": [public] })).ok()
}

fn shared_secret(key: &PrivateKey) -> Option<String> {
    let k = key.to_jwk().get("k").and_then(Value::as_str)?.to_string();
    URL_SAFE_NO_PAD.decode(k).ok().map(|b| STANDARD.encode(b))
}

fn summary(name: &str, iss: Option<&str>, key: &PrivateKey) -> KeySummary {
    KeySummary {
        name: name.into(),
        iss: iss.map(str::to_string),
        alg: format!("{:?}", key.alg),
        kid: key.kid.clone(),
    }
}

/// Creates a new state in `root`.
pub fn init(
    root: &std::path::Path,
    options: &InitOptions,
    now: UnixTime,
) -> Result<(State, InitReport)> {
    let alg = parse_alg(&options.alg)?;
    crate::admin::routes::check_url(&options.issuer, "--issuer")?;
    let mut warnings = Vec::new();
    let kubernetes_alg = if alg == Algorithm::HS256 {
        warnings.push("--alg HS256: only the pomerium issuer gets a shared secret; Kubernetes never signs service-account tokens with HMAC, so the legacy and cluster issuers get ES256 keys, and bundles are signed with ES256".to_string());
        Algorithm::ES256
    } else {
        alg
    };
    let legacy = generate(kubernetes_alg, LEGACY_ISSUER)?;
    let cluster = generate(kubernetes_alg, CLUSTER_ISSUER)?;
    let pomerium = generate(alg, POMERIUM_ISSUER)?;
    let signing = generate(kubernetes_alg, BUNDLE_SIGNING_KEY)?;
    let boot = bootstrap()?;
    let issuers = vec![
        Issuer {
            name: LEGACY_ISSUER.into(),
            iss: Some(LEGACY_ISS.into()),
            audiences: Vec::new(),
            jwks: jwks(&legacy),
            shared_secret: None,
        },
        Issuer {
            name: CLUSTER_ISSUER.into(),
            iss: Some(options.issuer.clone()),
            audiences: vec![options.issuer.clone()],
            jwks: jwks(&cluster),
            shared_secret: None,
        },
        Issuer {
            name: POMERIUM_ISSUER.into(),
            iss: None,
            audiences: Vec::new(),
            jwks: jwks(&pomerium),
            shared_secret: shared_secret(&pomerium),
        },
    ];
    let document = BundleDocument {
        version: SCHEMA_VERSION,
        revision: 0,
        issued_at: now.to_string(),
        expires_at: None,
        settings: Settings {
            leeway_seconds: None,
            default_issuer: Some(POMERIUM_ISSUER.into()),
        },
        issuers,
        namespaces: vec![Namespace {
            name: GLOBAL_NAMESPACE.into(),
            parent: None,
        }],
        directory: Default::default(),
        service_accounts: Vec::new(),
        revocations: Vec::new(),
        roles: Vec::new(),
        cluster_roles: boot.cluster_roles,
        role_bindings: Vec::new(),
        cluster_role_bindings: boot.cluster_role_bindings,
        routes: Vec::new(),
    };
    let file = StateFile {
        state_version: STATE_VERSION,
        bundle: document,
        bound_tokens: Vec::new(),
    };
    let state = State::create(
        root,
        file,
        &[
            (LEGACY_ISSUER, &legacy),
            (CLUSTER_ISSUER, &cluster),
            (POMERIUM_ISSUER, &pomerium),
            (BUNDLE_SIGNING_KEY, &signing),
        ],
    )?;
    let report = InitReport {
        state: root.display().to_string(),
        keys: vec![
            summary(LEGACY_ISSUER, Some(LEGACY_ISS), &legacy),
            summary(CLUSTER_ISSUER, Some(&options.issuer), &cluster),
            summary(POMERIUM_ISSUER, None, &pomerium),
            summary(BUNDLE_SIGNING_KEY, None, &signing),
        ],
        namespaces: vec![GLOBAL_NAMESPACE.into()],
        cluster_roles: state.doc().cluster_roles.len(),
        warnings,
    };
    Ok((state, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_roles_parse() {
        let b = bootstrap().unwrap();
        let names: Vec<&str> = b.cluster_roles.iter().map(|r| r.name.as_str()).collect();
        for want in [
            "admin",
            "edit",
            "view",
            "system:image-builder",
            "system:deployer",
            "system:image-puller",
            "system:aggregate-to-admin",
            "system:aggregate-to-edit",
            "system:aggregate-to-view",
        ] {
            assert!(names.contains(&want), "{want}");
        }
    }

    /// The roles as JSON text by name, to compare two lists in any order.
    fn by_name(roles: &[ClusterRole]) -> std::collections::BTreeMap<String, String> {
        roles
            .iter()
            .map(|r| (r.name.clone(), serde_json::to_string(r).unwrap()))
            .collect()
    }

    #[test]
    fn an_earlier_states_bootstrap_roles_are_upgraded_to_aggregate_as_kubernetes_does() {
        let now = bootstrap().unwrap().cluster_roles;
        // An earlier `init` wrote the rules of system:aggregate-to-X into X itself.
        let mut earlier: Vec<ClusterRole> = now
            .iter()
            .filter(|r| !r.name.starts_with("system:aggregate-to-"))
            .cloned()
            .collect();
        for role in &mut earlier {
            let target = format!("system:aggregate-to-{}", role.name);
            if let Some(source) = now.iter().find(|r| r.name == target) {
                role.rules = source.rules.clone();
            }
        }
        let mut roles = earlier;
        assert_eq!(
            upgrade_bootstrap_roles(&mut roles),
            ["admin", "edit", "view"]
        );
        assert_eq!(by_name(&roles), by_name(&now));
        // Once upgraded (or made by this `init`), nothing more moves.
        assert!(upgrade_bootstrap_roles(&mut roles).is_empty());

        // A role without Kubernetes' bootstrapping label is the user's: left as it is.
        let mut own = roles.clone();
        own.retain(|r| r.name != "system:aggregate-to-view");
        let view = own.iter_mut().find(|r| r.name == "view").unwrap();
        view.rules = now
            .iter()
            .find(|r| r.name == "system:aggregate-to-view")
            .unwrap()
            .rules
            .clone();
        assert!(!view.rules.is_empty());
        // As an earlier init wrote it: upgraded (the test's own check that the cases below are
        // refused for their one difference).
        assert_eq!(upgrade_bootstrap_roles(&mut own.clone()), ["view"]);
        let mut reselected = own.clone();
        let view = own.iter_mut().find(|r| r.name == "view").unwrap();
        view.labels.clear();
        assert!(upgrade_bootstrap_roles(&mut own).is_empty());

        // Nor a role whose selector was changed: the moved rules would not reach it.
        let view = reselected.iter_mut().find(|r| r.name == "view").unwrap();
        let rule = view.aggregation_rule.as_mut().unwrap();
        rule.cluster_role_selectors[0].match_labels = [(
            "example.com/aggregate-to-view".to_string(),
            "true".to_string(),
        )]
        .into();
        assert!(upgrade_bootstrap_roles(&mut reselected).is_empty());
    }
}
