//! Compact JWS parsing: three base64url parts, a JSON header and JSON claims, each checked
//! strictly (no padding, no duplicate members, objects only) before any key is touched.

use std::sync::Arc;

use jsonwebtoken::Algorithm;

use super::object::{self, Object};
use super::TokenError;
use crate::cache::same_bytes;

/// Tokens larger than this are refused before any parsing.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// A parsed, not yet verified, compact JWS.
#[derive(Debug)]
pub struct Jws<'t> {
    /// The signature algorithm (never `none`).
    pub alg: Algorithm,
    /// The key id, if any.
    pub kid: Option<Arc<str>>,
    /// The claims: the decoded JSON text (read it with [`Jws::claims`]).
    pub claims_json: String,
    /// `base64url(header) "." base64url(claims)`: what the signature covers.
    pub signing_input: &'t str,
    /// The decoded signature.
    pub signature: Vec<u8>,
}

/// Headers read before, by their exact text: the tokens of one issuer share their header, so
/// most tokens skip decoding and reading it. The answer is a function of the text alone; only
/// headers that were accepted are kept, at most [`HeaderMemo::MAX`].
#[derive(Debug, Default)]
pub struct HeaderMemo(Vec<(Box<str>, Algorithm, Option<Arc<str>>)>);

impl HeaderMemo {
    /// How many headers are kept (the oldest is forgotten first).
    pub const MAX: usize = 16;

    /// Reads a header part as [`header`] does, or recalls it.
    pub fn read(&mut self, part: &str) -> Result<(Algorithm, Option<Arc<str>>), TokenError> {
        let mut k = 0;
        while k < self.0.len() {
            let (text, alg, kid) = &self.0[k];
            if same_bytes(text.as_bytes(), part.as_bytes()) {
                return Ok((*alg, kid.clone()));
            }
            k += 1;
        }
        let (alg, kid) = header(part)?;
        let kid: Option<Arc<str>> = kid.map(Arc::from);
        if self.0.len() >= Self::MAX {
            self.0.remove(0);
        }
        self.0.push((part.into(), alg, kid.clone()));
        Ok((alg, kid))
    }
}

/// Parses a compact JWS, refusing anything not strictly well-formed; `headers` recalls headers
/// read before.
pub fn parse<'t>(token: &'t str, headers: &mut HeaderMemo) -> Result<Jws<'t>, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::TooLarge {
            size: token.len(),
            max: MAX_TOKEN_BYTES,
        });
    }
    let malformed = |part, why: String| TokenError::Malformed { part, why };
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        let n = token.split('.').count();
        return Err(malformed(
            "token",
            format!("expected 3 '.'-separated parts (header.claims.signature), found {n}"),
        ));
    };
    // INVARIANT: `h` and `c` are the first two '.'-separated parts and a third follows, so
    // this ends on the (ASCII) second '.': in bounds and on a character boundary.
    let signing_input = &token[..h.len() + 1 + c.len()];
    let (alg, kid) = headers.read(h)?;
    let claims_json = decode_json("claims", c)?;
    let signature = decode_part("signature", s)?;
    Ok(Jws {
        alg,
        kid,
        claims_json,
        signing_input,
        signature,
    })
}

impl Jws<'_> {
    /// The claims, read in place: one JSON object with distinct member names, or why not.
    pub fn claims(&self) -> Result<Object<'_>, TokenError> {
        object_of("claims", &self.claims_json)
    }
}

/// Reads a JWS header part (base64url JSON): its algorithm and key id, refusing `none`,
/// unknown algorithms and extensions that must be understood.
pub fn header(part: &str) -> Result<(Algorithm, Option<String>), TokenError> {
    let json = decode_json("header", part)?;
    let header = object_of("header", &json)?;
    let malformed = |why: String| TokenError::Malformed {
        part: "header",
        why,
    };
    let alg = match header.get("alg") {
        Some(raw) => match object::as_str(raw) {
            Some(alg) => parse_algorithm(&alg)?,
            None => {
                let found = object::shown(raw);
                return Err(malformed(format!("alg: expected a string, found {found}")));
            }
        },
        None => return Err(malformed("alg: missing".into())),
    };
    let kid = match header.get("kid") {
        None => None,
        Some(raw) => match object::as_str(raw) {
            Some(kid) => Some(kid.into_owned()),
            None => {
                let found = object::shown(raw);
                return Err(malformed(format!("kid: expected a string, found {found}")));
            }
        },
    };
    for field in ["crit", "b64", "jku", "x5u", "jwk"] {
        if header.contains(field) {
            return Err(TokenError::UnsupportedHeader {
                field: field.into(),
            });
        }
    }
    Ok((alg, kid))
}

/// Maps a header `alg` to an algorithm tessera accepts.
pub fn parse_algorithm(alg: &str) -> Result<Algorithm, TokenError> {
    Ok(match alg {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        "HS256" => Algorithm::HS256,
        "HS384" => Algorithm::HS384,
        "HS512" => Algorithm::HS512,
        _ if alg.eq_ignore_ascii_case("none") => return Err(TokenError::Unsigned),
        _ => return Err(TokenError::UnsupportedAlgorithm { alg: alg.into() }),
    })
}

/// The JOSE name of an algorithm (`"RS256"`, `"EdDSA"`, ...): the inverse of
/// [`parse_algorithm`].
pub fn algorithm_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 => "HS256",
        Algorithm::HS384 => "HS384",
        Algorithm::HS512 => "HS512",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::RS256 => "RS256",
        Algorithm::RS384 => "RS384",
        Algorithm::RS512 => "RS512",
        Algorithm::PS256 => "PS256",
        Algorithm::PS384 => "PS384",
        Algorithm::PS512 => "PS512",
        Algorithm::EdDSA => "EdDSA",
        // `Algorithm` is non-exhaustive; `parse_algorithm` never gives another one.
        _ => "unsupported",
    }
}

/// Decodes one base64url part (no padding, no other characters).
pub fn decode_part(part: &'static str, text: &str) -> Result<Vec<u8>, TokenError> {
    if text.is_empty() && part == "signature" {
        return Err(TokenError::Malformed {
            part,
            why: "empty".into(),
        });
    }
    super::base64url::decode(text).map_err(|e| TokenError::Malformed {
        part,
        why: format!("not base64url without padding: {e}"),
    })
}

/// Checks that a part is base64url without decoding it into anything.
pub fn check_base64url(part: &'static str, text: &str) -> Result<(), TokenError> {
    decode_part(part, text).map(|_| ())
}

/// Decodes a base64url part holding JSON text.
fn decode_json(part: &'static str, text: &str) -> Result<String, TokenError> {
    String::from_utf8(decode_part(part, text)?).map_err(|e| TokenError::Malformed {
        part,
        why: format!("not a JSON object: {e}"),
    })
}

/// Reads decoded JSON text as an object with distinct member names.
fn object_of<'j>(part: &'static str, json: &'j str) -> Result<Object<'j>, TokenError> {
    Object::parse(json).map_err(|e| TokenError::Malformed {
        part,
        why: format!("not a JSON object: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn token(header: &str, claims: &str) -> String {
        format!("{}.{}.{}", b64(header), b64(claims), b64("sig"))
    }

    /// Why parsing a token, then reading its claims, fails.
    /// Parses with a memo of its own.
    fn parse_new(token: &str) -> Result<Jws<'_>, TokenError> {
        parse(token, &mut HeaderMemo::default())
    }

    fn why(result: Result<Jws<'_>, TokenError>) -> String {
        match result {
            Ok(jws) => jws.claims().map(|_| ()).unwrap_err().to_string(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_well_formed_token_parses() {
        let t = token(r#"{"alg":"ES256","kid":"k1"}"#, r#"{"sub":"x"}"#);
        let jws = parse_new(&t).unwrap();
        assert_eq!(jws.alg, Algorithm::ES256);
        assert_eq!(jws.kid.as_deref(), Some("k1"));
        let claims = jws.claims().unwrap();
        assert_eq!(
            object::as_str(claims.get("sub").unwrap()).as_deref(),
            Some("x")
        );
        assert_eq!(jws.signature, b"sig");
        assert_eq!(jws.signing_input, &t[..t.rfind('.').unwrap()]);
    }

    #[test]
    fn alg_none_is_never_accepted_in_any_spelling() {
        for alg in ["none", "None", "NONE"] {
            let t = token(&format!(r#"{{"alg":"{alg}"}}"#), "{}");
            assert_eq!(parse_new(&t).unwrap_err(), TokenError::Unsigned, "{alg}");
        }
    }

    #[test]
    fn malformed_tokens_say_which_part_and_why() {
        let cases = [
            (
                "a.b",
                "token: expected 3 '.'-separated parts (header.claims.signature), found 2",
            ),
            ("a.b.c.d", "found 4"),
            ("!!.e30.c2ln", "header: not base64url"),
            (
                &format!("{}.e30=.c2ln", b64(r#"{"alg":"HS256"}"#)),
                "claims: not base64url",
            ),
            (
                &format!("{}.{}.c2ln", b64(r#"{"alg":"HS256"}"#), b64("[1]")),
                "claims: not a JSON object",
            ),
            (
                &format!("{}.{}.c2ln", b64(r#"{"alg":"HS256"}"#), b64("{\"a\":")),
                "claims: not a JSON object",
            ),
            (
                &token(r#"{"alg":"HS256"}"#, r#"{"exp":1,"exp":2}"#),
                "duplicate member \"exp\"",
            ),
            (
                &token(r#"{"alg":"HS256","alg":"none"}"#, "{}"),
                "header: not a JSON object: duplicate member \"alg\"",
            ),
            (&token(r#"{"kid":"x"}"#, "{}"), "header: alg: missing"),
            (&token(r#"{"alg":7}"#, "{}"), "alg: expected a string"),
            (
                &token(r#"{"alg":"HS256","kid":1}"#, "{}"),
                "kid: expected a string",
            ),
            (
                &format!("{}.{}.", b64(r#"{"alg":"HS256"}"#), b64("{}")),
                "signature: empty",
            ),
            (
                &format!("{}.{}.a+b", b64(r#"{"alg":"HS256"}"#), b64("{}")),
                "signature: not base64url",
            ),
        ];
        for (t, expected) in cases {
            let got = why(parse_new(t));
            assert!(got.contains(expected), "{t}: {got}");
        }
    }

    #[test]
    fn unsupported_algorithms_and_headers_are_named() {
        let got = why(parse_new(&token(r#"{"alg":"ES512"}"#, "{}")));
        assert!(
            got.starts_with("header.alg: \"ES512\" is not supported"),
            "{got}"
        );
        let got = why(parse_new(&token(r#"{"alg":"ES256","crit":["exp"]}"#, "{}")));
        assert_eq!(got, "header.crit: not supported");
        let got = why(parse_new(&token(
            r#"{"alg":"ES256","jku":"https://evil"}"#,
            "{}",
        )));
        assert_eq!(got, "header.jku: not supported");
    }

    #[test]
    fn algorithm_names_round_trip() {
        let names = [
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
            "HS256", "HS384", "HS512",
        ];
        for name in names {
            let alg = parse_algorithm(name).unwrap();
            assert_eq!(algorithm_name(alg), name);
            assert_eq!(format!("{alg:?}"), name);
        }
    }

    #[test]
    fn headers_are_recalled_by_their_exact_text_and_only_when_accepted() {
        let mut memo = HeaderMemo::default();
        let es = b64(r#"{"alg":"ES256","kid":"k1"}"#);
        let (alg, kid) = memo.read(&es).unwrap();
        assert_eq!((alg, kid.as_deref()), (Algorithm::ES256, Some("k1")));
        assert_eq!(memo.read(&es).unwrap().1.as_deref(), Some("k1"), "recalled");
        // Another text is read anew, even when it differs in one character only.
        let other = b64(r#"{"alg":"ES256","kid":"k2"}"#);
        assert_eq!(memo.read(&other).unwrap().1.as_deref(), Some("k2"));
        // Refused headers are refused every time and never kept.
        let none = b64(r#"{"alg":"none"}"#);
        for _ in 0..2 {
            assert_eq!(memo.read(&none).unwrap_err(), TokenError::Unsigned);
        }
        assert_eq!(memo.0.len(), 2);
        // At most MAX kept, the oldest forgotten first.
        for k in 0..HeaderMemo::MAX {
            memo.read(&b64(&format!(r#"{{"alg":"HS256","kid":"{k}"}}"#)))
                .unwrap();
        }
        assert_eq!(memo.0.len(), HeaderMemo::MAX);
        assert!(memo.0.iter().all(|(text, ..)| **text != es));
        assert_eq!(memo.read(&es).unwrap().1.as_deref(), Some("k1"));
    }

    #[test]
    fn oversized_tokens_are_refused_before_parsing() {
        let t = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(
            parse_new(&t).unwrap_err(),
            TokenError::TooLarge {
                size: MAX_TOKEN_BYTES + 1,
                max: MAX_TOKEN_BYTES
            }
        );
    }
}
