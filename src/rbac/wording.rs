//! Kubernetes' own wording: the RBAC authorizer's "allowed by" reasons (`rbac.go`,
//! `describeSubject` and the binding describers of `rule.go`), the API server's forbidden
//! message (`responsewriters/errors.go`), "not found" errors and error aggregation, with Go's
//! `%q` quoting.

use std::fmt::Write as _;

use super::decision::{BindingKind, RbacGrant, RoleKind, SubjectKind};
use super::request::RbacRequest;
use crate::identity::Identity;

// Every decision carries one of these messages, so they are written straight into one buffer
// (`push_str` and the quoting below) rather than through `format!`, whose machinery is most of
// their cost at the module's `opt-level = "z"`.

/// The parts of a grant its description names, borrowed (from an [`RbacGrant`], or straight
/// from the bundle's bindings).
pub(crate) struct GrantView<'a> {
    pub(crate) binding_kind: BindingKind,
    pub(crate) binding_name: &'a str,
    pub(crate) binding_namespace: Option<&'a str>,
    pub(crate) role_kind: RoleKind,
    pub(crate) role_name: &'a str,
    pub(crate) subject_kind: SubjectKind,
    pub(crate) subject_name: &'a str,
    pub(crate) subject_namespace: Option<&'a str>,
}

impl RbacGrant {
    /// The parts its description names.
    pub(crate) fn view(&self) -> GrantView<'_> {
        GrantView {
            binding_kind: self.binding_kind,
            binding_name: &self.binding_name,
            binding_namespace: self.binding_namespace.as_deref(),
            role_kind: self.role_kind,
            role_name: &self.role_name,
            subject_kind: self.subject_kind,
            subject_name: &self.subject_name,
            subject_namespace: self.subject_namespace.as_deref(),
        }
    }
}

/// `RBAC: allowed by <binding description>`.
pub(crate) fn allowed_reason(grant: &GrantView<'_>) -> String {
    let mut out = String::with_capacity(160);
    out.push_str("RBAC: allowed by ");
    push_grant(&mut out, grant);
    out
}

/// `RoleBinding "<name>/<namespace>" of <RoleKind> "<role>" to <subject>`, or
/// `ClusterRoleBinding "<name>" of ClusterRole "<role>" to <subject>`.
fn push_grant(out: &mut String, grant: &GrantView<'_>) {
    out.push_str(grant.binding_kind.as_str());
    out.push(' ');
    match grant.binding_namespace {
        Some(ns) => push_quoted(out, &[grant.binding_name, "/", ns]),
        None => push_quoted(out, &[grant.binding_name]),
    }
    out.push_str(" of ");
    out.push_str(grant.role_kind.as_str());
    out.push(' ');
    push_quoted(out, &[grant.role_name]);
    out.push_str(" to ");
    push_subject(
        out,
        grant.subject_kind,
        grant.subject_name,
        grant.subject_namespace,
    );
}

/// `ServiceAccount "<name>/<namespace>"`, `User "<name>"`, `Group "<name>"`.
fn push_subject(out: &mut String, kind: SubjectKind, name: &str, namespace: Option<&str>) {
    out.push_str(kind.as_str());
    out.push(' ');
    match kind {
        SubjectKind::ServiceAccount => {
            push_quoted(out, &[name, "/", namespace.unwrap_or_default()])
        }
        SubjectKind::User | SubjectKind::Group => push_quoted(out, &[name]),
    }
}

/// The API server's forbidden message: `User "<user>" cannot <verb> resource "<res>[/<sub>]" in
/// API group "<group>" in the namespace "<ns>"` (or `at the cluster scope`), and `User "<user>"
/// cannot <verb> path "<path>"` for a non-resource URL.
pub(crate) fn forbidden_message(username: &str, request: &RbacRequest) -> String {
    let mut out = String::with_capacity(160);
    out.push_str("User ");
    push_quoted(&mut out, &[username]);
    out.push_str(" cannot ");
    match request {
        RbacRequest::NonResource(n) => {
            out.push_str(&n.verb);
            out.push_str(" path ");
            push_quoted(&mut out, &[&n.path]);
        }
        RbacRequest::Resource(r) => {
            out.push_str(&r.verb);
            out.push_str(" resource ");
            if r.subresource.is_empty() {
                push_quoted(&mut out, &[&r.resource]);
            } else {
                push_quoted(&mut out, &[&r.resource, "/", &r.subresource]);
            }
            out.push_str(" in API group ");
            push_quoted(&mut out, &[&r.group]);
            if r.namespace.is_empty() {
                out.push_str(" at the cluster scope");
            } else {
                out.push_str(" in the namespace ");
                push_quoted(&mut out, &[&r.namespace]);
            }
        }
    }
    out
}

/// Kubernetes' not-found error for a missing role: `role.rbac.authorization.k8s.io "<name>" not
/// found`, `clusterrole.rbac.authorization.k8s.io "<name>" not found`.
pub(crate) fn role_not_found(cluster: bool, name: &str) -> String {
    let resource = if cluster { "clusterrole" } else { "role" };
    format!(
        "{resource}.rbac.authorization.k8s.io {} not found",
        go_quote(name)
    )
}

/// `RBAC: <errors>` with Go's error aggregation: one distinct message as is, several as
/// `[a, b]`, repeats dropped. Empty when there are none.
pub(crate) fn evaluation_error(errors: &[String]) -> String {
    let mut distinct: Vec<&str> = Vec::new();
    for e in errors {
        if !distinct.contains(&e.as_str()) {
            distinct.push(e);
        }
    }
    match distinct.as_slice() {
        [] => String::new(),
        [one] => format!("RBAC: {one}"),
        many => format!("RBAC: [{}]", many.join(", ")),
    }
}

/// Why a RoleBinding in `namespace` does not apply to the identity (DESIGN 1.1).
pub(crate) fn namespace_rule(identity: &Identity, namespace: &str) -> String {
    format!(
        "service account {} works only in namespace {} and its descendants: RoleBindings in \
         namespace {} do not apply to it (only ClusterRoleBindings grant outside its namespace)",
        go_quote(&format!(
            "{}/{}",
            identity.namespace, identity.service_account
        )),
        go_quote(&identity.namespace),
        go_quote(namespace),
    )
}

/// Go's `%q` (`strconv.Quote`): double quotes, `\"` and `\\`, Go's short escapes for control
/// characters, `\x..` for other ASCII controls and `\u....` / `\U........` for other
/// non-printable characters; printable Unicode is kept.
pub(crate) fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, &[text]);
    out
}

/// Appends the concatenation of `parts`, quoted as [`go_quote`] quotes it.
fn push_quoted(out: &mut String, parts: &[&str]) {
    out.push('"');
    for part in parts {
        push_escaped(out, part);
    }
    out.push('"');
}

/// Whether a character outside ASCII is one Go's `%q` escapes though it is neither a control
/// character nor a space: format characters (U+200B, the U+202E that turns text around), private
/// use and unassigned ones, which would print as nothing or disguise a name. Rust's own
/// printable table decides (`char::escape_debug`'s, already in the module for `{:?}`); it also
/// escapes combining marks, which Go prints: stricter, and harmless in a name.
fn invisible(c: char) -> bool {
    !c.is_ascii() && c.escape_debug().count() > 1
}

/// Appends `text` with Go's `%q` escapes, without the quotes.
fn push_escaped(out: &mut String, text: &str) {
    // Names are nearly always printable ASCII without quotes or backslashes: copied whole.
    if text
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if c == ' ' || !(c.is_control() || c.is_whitespace() || invisible(c)) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::decision::{BindingKind, RoleKind};
    use super::super::request::{NonResourceAttributes, ResourceAttributes};
    use super::*;
    use crate::schema::PolicyRule;

    fn grant(
        binding_kind: BindingKind,
        binding_namespace: Option<&str>,
        subject_kind: SubjectKind,
        subject_name: &str,
        subject_namespace: Option<&str>,
    ) -> RbacGrant {
        RbacGrant {
            binding_kind,
            binding_name: "pullers".into(),
            binding_namespace: binding_namespace.map(Into::into),
            role_kind: RoleKind::ClusterRole,
            role_name: "view".into(),
            subject_kind,
            subject_name: subject_name.into(),
            subject_namespace: subject_namespace.map(Into::into),
            rule: PolicyRule::default(),
            aggregated_from: None,
        }
    }

    #[test]
    fn allowed_reasons_read_as_kubernetes_writes_them() {
        let cases = vec![
            (
                "role binding to a service account",
                grant(
                    BindingKind::RoleBinding,
                    Some("top-secret"),
                    SubjectKind::ServiceAccount,
                    "robot",
                    Some("top-secret"),
                ),
                r#"RBAC: allowed by RoleBinding "pullers/top-secret" of ClusterRole "view" to ServiceAccount "robot/top-secret""#,
            ),
            (
                "cluster role binding to a group",
                grant(
                    BindingKind::ClusterRoleBinding,
                    None,
                    SubjectKind::Group,
                    "system:serviceaccounts",
                    None,
                ),
                r#"RBAC: allowed by ClusterRoleBinding "pullers" of ClusterRole "view" to Group "system:serviceaccounts""#,
            ),
            (
                "role binding to a user",
                grant(
                    BindingKind::RoleBinding,
                    Some("ci"),
                    SubjectKind::User,
                    "alice",
                    None,
                ),
                r#"RBAC: allowed by RoleBinding "pullers/ci" of ClusterRole "view" to User "alice""#,
            ),
        ];
        for (name, grant, want) in cases {
            assert_eq!(allowed_reason(&grant.view()), want, "{name}");
        }
    }

    #[test]
    fn forbidden_messages_read_as_kubernetes_writes_them() {
        let user = "system:serviceaccount:top-secret:robot";
        let resource = |verb: &str, group: &str, res: &str, sub: &str, ns: &str| {
            RbacRequest::Resource(ResourceAttributes {
                verb: verb.into(),
                group: group.into(),
                resource: res.into(),
                subresource: sub.into(),
                name: "web-1".into(),
                namespace: ns.into(),
            })
        };
        let cases = vec![
            (
                "namespaced resource",
                resource("delete", "", "pods", "", "top-secret"),
                r#"User "system:serviceaccount:top-secret:robot" cannot delete resource "pods" in API group "" in the namespace "top-secret""#,
            ),
            (
                "subresource",
                resource("get", "", "pods", "log", "top-secret"),
                r#"User "system:serviceaccount:top-secret:robot" cannot get resource "pods/log" in API group "" in the namespace "top-secret""#,
            ),
            (
                "named group, cluster scope",
                resource("list", "rbac.authorization.k8s.io", "clusterroles", "", ""),
                r#"User "system:serviceaccount:top-secret:robot" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope"#,
            ),
            (
                "non-resource URL",
                RbacRequest::NonResource(NonResourceAttributes {
                    verb: "get".into(),
                    path: "/healthz".into(),
                }),
                r#"User "system:serviceaccount:top-secret:robot" cannot get path "/healthz""#,
            ),
        ];
        for (name, request, want) in cases {
            assert_eq!(forbidden_message(user, &request), want, "{name}");
        }
    }

    #[test]
    fn errors_aggregate_as_go_does() {
        let a = role_not_found(true, "view");
        let b = role_not_found(false, "viewer");
        assert_eq!(evaluation_error(&[]), "");
        assert_eq!(
            evaluation_error(&[a.clone(), a.clone()]),
            r#"RBAC: clusterrole.rbac.authorization.k8s.io "view" not found"#
        );
        assert_eq!(
            evaluation_error(&[a, b]),
            r#"RBAC: [clusterrole.rbac.authorization.k8s.io "view" not found, role.rbac.authorization.k8s.io "viewer" not found]"#
        );
    }

    #[test]
    fn go_quoting() {
        let cases = [
            ("plain", "robot", r#""robot""#),
            ("quote and backslash", r#"a"b\c"#, r#""a\"b\\c""#),
            ("newline and tab", "a\nb\tc", r#""a\nb\tc""#),
            ("other control", "a\u{1}b", r#""a\x01b""#),
            ("printable unicode kept", "café", r#""café""#),
            ("non-printable unicode", "a\u{85}b", r#""a\u0085b""#),
            // Invisible or disguising characters, escaped as Go's strconv.Quote escapes them.
            ("zero-width space", "view\u{200b}", r#""view\u200b""#),
            ("right-to-left override", "view\u{202e}", r#""view\u202e""#),
            ("soft hyphen", "a\u{ad}b", r#""a\u00adb""#),
            ("private use", "a\u{e000}", r#""a\ue000""#),
            ("private use, astral", "a\u{f0000}", r#""a\U000f0000""#),
            (
                "combining mark escaped (Go keeps it)",
                "cafe\u{301}",
                r#""cafe\u0301""#,
            ),
            ("emoji kept", "ok\u{1f44d}", "\"ok\u{1f44d}\""),
        ];
        for (name, text, want) in cases {
            assert_eq!(go_quote(text), want, "{name}");
        }
    }
}
