//! `tessera create route`: a route (host, path prefix or exact path, namespace) with a Pomerium
//! Policy Language policy read from a YAML or JSON file. The policy is compiled by loading the
//! whole bundle, so a mistake is reported with its path before anything is saved.

use std::path::Path;

use super::output::Render;
use super::{AdminError, Result, State};
use crate::request::HttpRequest;
use crate::schema::Route;

/// Fails unless `url` is an absolute `http(s)://host[:port]` URL.
pub fn check_url(url: &str, what: &str) -> Result<()> {
    HttpRequest::new("GET", url).map_err(|e| AdminError::input(format!("{what}: {e}")))?;
    Ok(())
}

/// Reads a policy file: JSON if it ends in `.json`, YAML otherwise (YAML also reads JSON).
pub fn read_policy(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AdminError::input(format!("--policy: {}: {e}", path.display())))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let value: serde_json::Value = if is_json {
        serde_json::from_str(&text).map_err(|e| {
            AdminError::input(format!("--policy: {}: not JSON: {e}", path.display()))
        })?
    } else {
        serde_yaml_ng::from_str(&text).map_err(|e| {
            AdminError::input(format!("--policy: {}: not YAML: {e}", path.display()))
        })?
    };
    if value.is_null() {
        return Err(AdminError::input(format!(
            "--policy: {}: the file holds no policy",
            path.display()
        )));
    }
    Ok(value)
}

/// What a route is made of.
#[derive(Debug, Clone, Default)]
pub struct NewRoute {
    /// Its name (unique in its namespace).
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// `https://host[:port]`.
    pub from: String,
    /// A path prefix.
    pub prefix: Option<String>,
    /// An exact path.
    pub path: Option<String>,
    /// The PPL policy.
    pub policy: serde_json::Value,
}

/// Adds a route. Saves the state.
pub fn create(state: &mut State, new: NewRoute) -> Result<Route> {
    if new.name.trim().is_empty() {
        return Err(AdminError::input("route name: must not be empty"));
    }
    super::namespaces::require(state.doc(), &new.namespace)?;
    check_url(&new.from, "--from")?;
    for (what, p) in [("--prefix", &new.prefix), ("--path", &new.path)] {
        if let Some(p) = p {
            if !p.starts_with('/') {
                return Err(AdminError::input(format!(
                    "{what}: {p:?} must start with '/'"
                )));
            }
        }
    }
    if new.prefix.is_some() && new.path.is_some() {
        return Err(AdminError::input(
            "--path: give --prefix or --path, not both",
        ));
    }
    if state
        .doc()
        .routes
        .iter()
        .any(|r| r.name == new.name && r.namespace == new.namespace)
    {
        return Err(AdminError::AlreadyExists {
            kind: "route",
            name: new.name,
            namespace: Some(new.namespace),
        });
    }
    let route = Route {
        name: new.name,
        namespace: new.namespace,
        from: new.from,
        prefix: new.prefix,
        path: new.path,
        regex: None,
        policy: new.policy,
    };
    state.doc_mut().routes.push(route.clone());
    state.save()?;
    Ok(route)
}

impl Render for Route {
    fn render(&self) -> String {
        let at = self
            .prefix
            .as_deref()
            .or(self.path.as_deref())
            .unwrap_or("/");
        format!(
            "route/{} created in namespace {} ({}{at})\n",
            self.name, self.namespace, self.from
        )
    }
}
