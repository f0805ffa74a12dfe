//! `tessera revoke token ID`: a token id on the bundle's revocation list (DESIGN 1.3: a token
//! that does not expire stays valid until revoked; revoking and re-issuing is the rotation
//! path). The id is a bound or Pomerium token's `jti`, or a legacy token's secret name; from the
//! next bundle on, every token with that id is refused.

use serde::Serialize;

use super::output::{fields, Render};
use super::{AdminError, Result, State};
use crate::schema::Revocation;
use crate::time::UnixTime;

/// What `revoke token` did.
#[derive(Debug, Clone, Serialize)]
pub struct Revoked {
    /// The token id.
    pub id: String,
    /// When it was revoked (RFC 3339): now, or when it was revoked before.
    pub revoked_at: String,
    /// Whether it was on the list already (nothing changed).
    pub already: bool,
    /// The tokens of this state the id names, as far as the state knows them (a recorded
    /// bound token, an account's Pomerium tokens, a legacy token's secret); empty for an id
    /// it does not know (a token minted elsewhere is still refused by it).
    pub names: Vec<String>,
}

impl Render for Revoked {
    fn render(&self) -> String {
        let status = if self.already {
            "revoked already"
        } else {
            "revoked: refused from the next bundle on"
        };
        fields(&[
            ("Token ID", vec![self.id.clone()]),
            ("Status", vec![status.to_string()]),
            ("Revoked at", vec![self.revoked_at.clone()]),
            ("Names", self.names.clone()),
        ])
    }
}

/// Puts `id` on the revocation list (once).
pub fn revoke(state: &mut State, id: &str, now: UnixTime) -> Result<Revoked> {
    if id.trim().is_empty() {
        return Err(AdminError::input("ID: must not be empty"));
    }
    let names = known_as(state, id);
    if let Some(held) = state.doc().revocations.iter().find(|r| r.id == id) {
        return Ok(Revoked {
            id: id.to_string(),
            revoked_at: held.revoked_at.clone().unwrap_or_default(),
            already: true,
            names,
        });
    }
    let revoked_at = now.to_string();
    state.doc_mut().revocations.push(Revocation {
        id: id.to_string(),
        revoked_at: Some(revoked_at.clone()),
    });
    state.save()?;
    Ok(Revoked {
        id: id.to_string(),
        revoked_at,
        already: false,
        names,
    })
}

/// The tokens of the state that `id` names.
fn known_as(state: &State, id: &str) -> Vec<String> {
    let mut names = Vec::new();
    for b in state.file.bound_tokens.iter().filter(|b| b.jti == id) {
        names.push(format!(
            "bound token of {}/{} (expires {})",
            b.namespace, b.service_account, b.expires_at
        ));
    }
    for sa in &state.doc().service_accounts {
        if sa.uid == id {
            names.push(format!(
                "every Pomerium token of {}/{} (their jti is the account's uid)",
                sa.namespace, sa.name
            ));
        }
        if sa.secrets.iter().any(|s| s == id) {
            names.push(format!(
                "the legacy token of {}/{} (its secret)",
                sa.namespace, sa.name
            ));
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_id_is_refused() {
        let dir = std::env::temp_dir().join(format!("tessera-revoke-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut state = super::super::init::init(&dir, &Default::default(), UnixTime(0))
            .map(|(state, _)| state)
            .expect("a new state");
        let err = revoke(&mut state, " ", UnixTime(0)).unwrap_err();
        assert_eq!(err.to_string(), "ID: must not be empty");
        let first = revoke(&mut state, "j-1", UnixTime(60)).unwrap();
        assert!(!first.already && first.names.is_empty());
        let again = revoke(&mut state, "j-1", UnixTime(120)).unwrap();
        assert!(again.already);
        assert_eq!(again.revoked_at, first.revoked_at);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
