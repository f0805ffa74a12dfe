//! `tessera create user`: the directory snapshot that impersonating accounts resolve against
//! (users with an email and groups; a group named for the first time is created with that name
//! as its id).

use super::output::Render;
use super::{AdminError, Result, State};
use crate::schema::{DirectoryGroup, DirectoryUser};

/// Adds a directory user. `groups` are group ids or names. Saves the state.
pub fn create_user(
    state: &mut State,
    id: &str,
    email: Option<&str>,
    groups: &[String],
) -> Result<DirectoryUser> {
    if id.trim().is_empty() {
        return Err(AdminError::input("user id: must not be empty"));
    }
    if state.doc().directory.users.iter().any(|u| u.id == id) {
        return Err(AdminError::AlreadyExists {
            kind: "user",
            name: id.to_string(),
            namespace: None,
        });
    }
    if let Some(email) = email {
        let ok = email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
        if !ok {
            return Err(AdminError::input(format!(
                "--email: {email:?} is not an email address"
            )));
        }
    }
    let mut ids = Vec::new();
    for g in groups {
        if g.trim().is_empty() {
            return Err(AdminError::input("--group: must not be empty"));
        }
        let directory = &mut state.doc_mut().directory;
        let gid = match directory.groups.iter().find(|x| x.id == *g || x.name == *g) {
            Some(found) => found.id.clone(),
            None => {
                directory.groups.push(DirectoryGroup {
                    id: g.clone(),
                    name: g.clone(),
                });
                g.clone()
            }
        };
        if !ids.contains(&gid) {
            ids.push(gid);
        }
    }
    let user = DirectoryUser {
        id: id.to_string(),
        email: email.map(str::to_string),
        groups: ids,
    };
    state.doc_mut().directory.users.push(user.clone());
    state.save()?;
    Ok(user)
}

impl Render for DirectoryUser {
    fn render(&self) -> String {
        let groups = if self.groups.is_empty() {
            String::new()
        } else {
            format!(", groups {}", self.groups.join(","))
        };
        let email = self
            .email
            .as_deref()
            .map(|e| format!(" <{e}>"))
            .unwrap_or_default();
        format!("user/{}{email} created{groups}\n", self.id)
    }
}
