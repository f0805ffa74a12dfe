//! Name rules shared by the bundle, the CLI and the identity: DNS-1123 labels and the
//! Kubernetes service-account user and group names.

/// The group every service account belongs to.
pub const ALL_SERVICE_ACCOUNTS_GROUP: &str = "system:serviceaccounts";
/// The group every authenticated identity belongs to.
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";
/// The prefix of a service account's user name.
pub const SERVICE_ACCOUNT_USER_PREFIX: &str = "system:serviceaccount:";

/// Checks a DNS-1123 label: 1 to 63 characters, lower-case alphanumerics and '-', starting and
/// ending with an alphanumeric. Returns what is wrong, to be prefixed with the field's path.
pub fn check_dns1123_label(value: &str) -> Result<(), String> {
    let why = if value.is_empty() {
        Some("must not be empty")
    } else if value.len() > 63 {
        Some("must be at most 63 characters")
    } else if !value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Some("may hold only lower-case letters, digits and '-'")
    } else if value.starts_with('-') || value.ends_with('-') {
        Some("must start and end with a letter or digit")
    } else {
        None
    };
    match why {
        None => Ok(()),
        Some(why) => Err(format!(
            "{value:?} is not a valid name (DNS-1123 label): {why}"
        )),
    }
}

/// `system:serviceaccount:<namespace>:<name>`.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    concat(&[SERVICE_ACCOUNT_USER_PREFIX, namespace, ":", name])
}

/// `system:serviceaccounts:<namespace>`.
pub fn namespace_accounts_group(namespace: &str) -> String {
    concat(&[ALL_SERVICE_ACCOUNTS_GROUP, ":", namespace])
}

/// The parts joined, in one allocation (built on every first-time token: `format!` costs
/// several times more at the module's `opt-level = "z"`).
pub(crate) fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Whether `username` is exactly `system:serviceaccount:<namespace>:<name>` (compared in
/// place, nothing built).
pub fn is_service_account_username(username: &str, namespace: &str, name: &str) -> bool {
    username
        .strip_prefix(SERVICE_ACCOUNT_USER_PREFIX)
        .and_then(|rest| rest.strip_prefix(namespace))
        .and_then(|rest| rest.strip_prefix(':'))
        == Some(name)
}

/// Splits `system:serviceaccount:<namespace>:<name>` into its namespace and name.
pub fn parse_service_account_username(username: &str) -> Option<(&str, &str)> {
    let rest = username.strip_prefix(SERVICE_ACCOUNT_USER_PREFIX)?;
    let (namespace, name) = rest.split_once(':')?;
    (!namespace.is_empty() && !name.is_empty() && !name.contains(':')).then_some((namespace, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_name_is_an_account_s_exactly() {
        assert!(is_service_account_username(
            "system:serviceaccount:ci:robot",
            "ci",
            "robot"
        ));
        for other in [
            "system:serviceaccount:ci:robot2",
            "system:serviceaccount:ci:robo",
            "system:serviceaccount:cix:robot",
            "system:serviceaccount:ci-robot",
            "system:serviceaccounts:ci:robot",
            "system:serviceaccount:ci:robot:",
            "",
        ] {
            assert!(
                !is_service_account_username(other, "ci", "robot"),
                "{other}"
            );
        }
        // The same answer as comparing with the built name.
        for (ns, name) in [("a:b", "c"), ("a", "b:c"), ("", "x"), ("x", "")] {
            let built = service_account_username(ns, name);
            assert!(is_service_account_username(&built, ns, name), "{built}");
        }
    }

    #[test]
    fn dns1123_labels_are_checked_never_normalised() {
        for good in ["robot", "a", "top-secret", "x1", &"a".repeat(63)] {
            assert_eq!(check_dns1123_label(good), Ok(()), "{good}");
        }
        for bad in ["", "Robot", "-a", "a-", "a_b", "a.b", &"a".repeat(64), "ü"] {
            let err = check_dns1123_label(bad).unwrap_err();
            assert!(err.contains("DNS-1123"), "{bad}: {err}");
        }
    }

    #[test]
    fn service_account_user_names() {
        assert_eq!(
            service_account_username("top-secret", "robot"),
            "system:serviceaccount:top-secret:robot"
        );
        assert_eq!(
            namespace_accounts_group("top-secret"),
            "system:serviceaccounts:top-secret"
        );
        assert_eq!(
            parse_service_account_username("system:serviceaccount:top-secret:robot"),
            Some(("top-secret", "robot"))
        );
        assert_eq!(
            parse_service_account_username("system:serviceaccount:robot"),
            None
        );
        assert_eq!(parse_service_account_username("alice"), None);
    }
}
