//! Why a token was refused: one variant per cause, each message naming the value and what was
//! expected.

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// No token was presented.
    #[error("no token presented")]
    Missing,
    /// A credential header is present but not of a form tessera reads.
    #[error("{header}: {why}")]
    BadCredentialHeader {
        /// The header's name.
        header: &'static str,
        /// What is wrong.
        why: String,
    },
    /// Refused before parsing.
    #[error("token is {size} bytes, more than the {max} accepted")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Not a compact JWS / JWT.
    #[error("malformed token: {part}: {why}")]
    Malformed {
        /// `token`, `header`, `claims` or `signature`.
        part: &'static str,
        /// What is wrong.
        why: String,
    },
    /// `alg: none` (never accepted).
    #[error("header.alg: \"none\" is never accepted (unsigned token)")]
    Unsigned,
    /// An algorithm tessera does not accept.
    #[error("header.alg: {alg:?} is not supported (expected one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA, HS256, HS384, HS512)")]
    UnsupportedAlgorithm {
        /// The header's `alg`.
        alg: String,
    },
    /// The header names extensions that must be understood (`crit`), or a detached or
    /// unencoded payload.
    #[error("header.{field}: not supported")]
    UnsupportedHeader {
        /// The header field.
        field: String,
    },
    /// No issuer of the bundle has this `iss`.
    #[error("iss: {iss:?} is not an issuer of the bundle")]
    UnknownIssuer {
        /// The token's `iss`.
        iss: String,
    },
    /// The token has no `iss` and the bundle names no issuer for such tokens.
    #[error("iss: missing, and the bundle has no settings.default_issuer for tokens without iss")]
    NoDefaultIssuer,
    /// No key of the issuer has the token's `kid`.
    #[error("header.kid: {kid:?} is not a key of issuer {issuer:?}")]
    UnknownKey {
        /// The issuer's name.
        issuer: String,
        /// The token's `kid`.
        kid: String,
    },
    /// The issuer has no key for the token's algorithm.
    #[error("header.alg: issuer {issuer:?} has no {alg} key")]
    NoKeyForAlgorithm {
        /// The issuer's name.
        issuer: String,
        /// The algorithm.
        alg: String,
    },
    /// The key named by `kid` is not for the token's algorithm (e.g. an RSA key asked to check
    /// an HMAC: the algorithm-confusion attack).
    #[error("header.alg: {alg} cannot be used with key {kid:?} of issuer {issuer:?}, which is for {allowed}")]
    AlgorithmMismatch {
        /// The issuer's name.
        issuer: String,
        /// The key id.
        kid: String,
        /// The token's algorithm.
        alg: String,
        /// What the key permits.
        allowed: String,
    },
    /// The signature does not verify.
    #[error("signature: does not verify with {keys} of issuer {issuer:?} ({alg})")]
    BadSignature {
        /// The issuer's name.
        issuer: String,
        /// The algorithm.
        alg: String,
        /// Which key(s) were tried.
        keys: String,
    },
    /// `exp` has passed.
    #[error("exp: token expired at {exp} (now {now}, leeway {leeway}s)")]
    Expired {
        /// The `exp`.
        exp: i64,
        /// Now.
        now: i64,
        /// Leeway.
        leeway: u32,
    },
    /// `nbf` is in the future.
    #[error("nbf: token not valid before {nbf} (now {now}, leeway {leeway}s)")]
    NotYetValid {
        /// The `nbf`.
        nbf: i64,
        /// Now.
        now: i64,
        /// Leeway.
        leeway: u32,
    },
    /// `iat` is in the future.
    #[error("iat: token issued in the future at {iat} (now {now}, leeway {leeway}s)")]
    IssuedInFuture {
        /// The `iat`.
        iat: i64,
        /// Now.
        now: i64,
        /// Leeway.
        leeway: u32,
    },
    /// The audience does not match.
    #[error("aud: {found:?} is not an accepted audience (expected one of {expected:?})")]
    WrongAudience {
        /// The token's audiences.
        found: Vec<String>,
        /// The issuer's accepted audiences.
        expected: Vec<String>,
    },
    /// A claim the format needs is absent.
    #[error("{claim}: missing (required in a {format} token)")]
    MissingClaim {
        /// The claim's path.
        claim: String,
        /// The token format.
        format: &'static str,
    },
    /// A claim has the wrong type or an inconsistent value.
    #[error("{claim}: {why}")]
    InvalidClaim {
        /// The claim's path.
        claim: String,
        /// What is wrong.
        why: String,
    },
}

impl TokenError {
    /// A short stable code for logs and reasons, e.g. `token-expired`.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Missing => "token-missing",
            TokenError::BadCredentialHeader { .. } => "credential-header-invalid",
            TokenError::TooLarge { .. } => "token-too-large",
            TokenError::Malformed { .. } => "token-malformed",
            TokenError::Unsigned => "token-unsigned",
            TokenError::UnsupportedAlgorithm { .. } => "algorithm-unsupported",
            TokenError::UnsupportedHeader { .. } => "header-unsupported",
            TokenError::UnknownIssuer { .. } | TokenError::NoDefaultIssuer => "issuer-unknown",
            TokenError::UnknownKey { .. } => "key-unknown",
            TokenError::NoKeyForAlgorithm { .. } => "key-unknown",
            TokenError::AlgorithmMismatch { .. } => "algorithm-mismatch",
            TokenError::BadSignature { .. } => "signature-invalid",
            TokenError::Expired { .. } => "token-expired",
            TokenError::NotYetValid { .. } => "token-not-yet-valid",
            TokenError::IssuedInFuture { .. } => "token-issued-in-future",
            TokenError::WrongAudience { .. } => "audience-invalid",
            TokenError::MissingClaim { .. } | TokenError::InvalidClaim { .. } => "claims-invalid",
        }
    }
}
