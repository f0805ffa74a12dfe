//! Where a request carries its token: Pomerium's header forms and plain bearer tokens.
//!
//! Accepted, in this order: `X-Pomerium-Authorization: <jwt>`, then `Authorization:` with
//! `Bearer Pomerium-<jwt>`, `Pomerium <jwt>` or `Bearer <jwt>` (scheme names in any case).

use super::TokenError;

/// The Pomerium header that carries a token by itself.
pub const X_POMERIUM_AUTHORIZATION: &str = "x-pomerium-authorization";
/// The standard header.
pub const AUTHORIZATION: &str = "authorization";

/// Finds the token among a request's headers. `header(name)` returns a header's value by
/// lower-case name.
pub fn token_from_headers<'h>(
    header: impl Fn(&str) -> Option<&'h str>,
) -> Result<&'h str, TokenError> {
    if let Some(value) = header(X_POMERIUM_AUTHORIZATION) {
        let value = value.trim();
        let value = strip_scheme(value, "pomerium").unwrap_or(value);
        return non_empty(value, "X-Pomerium-Authorization");
    }
    let Some(value) = header(AUTHORIZATION) else {
        return Err(TokenError::Missing);
    };
    let value = value.trim();
    if let Some(rest) = strip_scheme(value, "bearer") {
        let rest = rest.strip_prefix("Pomerium-").unwrap_or(rest);
        return non_empty(rest, "Authorization");
    }
    if let Some(rest) = strip_scheme(value, "pomerium") {
        return non_empty(rest, "Authorization");
    }
    let scheme = value.split(' ').next().unwrap_or_default();
    Err(TokenError::BadCredentialHeader {
        header: "Authorization",
        why: format!("scheme {scheme:?} is not supported (expected Bearer or Pomerium)"),
    })
}

fn strip_scheme<'v>(value: &'v str, scheme: &str) -> Option<&'v str> {
    let (first, rest) = value.split_once(' ')?;
    first
        .eq_ignore_ascii_case(scheme)
        .then(|| rest.trim_start())
}

fn non_empty<'v>(value: &'v str, header: &'static str) -> Result<&'v str, TokenError> {
    if value.is_empty() {
        Err(TokenError::BadCredentialHeader {
            header,
            why: "no token after the scheme".into(),
        })
    } else {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'h>(headers: &'h [(&'h str, &'h str)]) -> Result<&'h str, TokenError> {
        token_from_headers(|name| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
    }

    #[test]
    fn every_pomerium_header_form_yields_the_token() {
        for headers in [
            vec![("authorization", "Bearer Pomerium-abc.def.ghi")],
            vec![("authorization", "Pomerium abc.def.ghi")],
            vec![("authorization", "bearer abc.def.ghi")],
            vec![("x-pomerium-authorization", "abc.def.ghi")],
            vec![
                ("x-pomerium-authorization", "abc.def.ghi"),
                ("authorization", "Basic x"),
            ],
        ] {
            assert_eq!(find(&headers), Ok("abc.def.ghi"), "{headers:?}");
        }
    }

    #[test]
    fn absent_or_unreadable_credentials_are_named() {
        assert_eq!(find(&[]), Err(TokenError::Missing));
        assert_eq!(
            find(&[("authorization", "Basic dXNlcjpwYXNz")])
                .unwrap_err()
                .to_string(),
            "Authorization: scheme \"Basic\" is not supported (expected Bearer or Pomerium)"
        );
        assert_eq!(
            find(&[("authorization", "Bearer ")])
                .unwrap_err()
                .to_string(),
            "Authorization: scheme \"Bearer\" is not supported (expected Bearer or Pomerium)"
        );
        assert_eq!(
            find(&[("x-pomerium-authorization", "  ")])
                .unwrap_err()
                .to_string(),
            "X-Pomerium-Authorization: no token after the scheme"
        );
    }
}
