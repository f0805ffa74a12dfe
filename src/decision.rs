//! What every decision returns: allowed, status, reasons, the explanation, the identity and the
//! bundle revision.

use std::sync::Arc;

use serde::Serialize;

use crate::bundle::BundleError;
use crate::identity::{Identity, IdentityError};
use crate::token::TokenError;

/// Why no identity could be had from a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token itself was refused.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The token is sound but names no usable account.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// The bundle cannot be used any more (fail closed).
    #[error(transparent)]
    Bundle(#[from] BundleError),
}

impl AuthError {
    /// A short stable code, e.g. `token-expired`, `account-expired`, `secret-deleted`.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Token(e) => e.code(),
            AuthError::Identity(e) => match e {
                IdentityError::UnknownAccount { .. } | IdentityError::UnknownAccountId { .. } => {
                    "account-unknown"
                }
                IdentityError::UidMismatch { .. } => "account-uid-mismatch",
                IdentityError::SubjectMismatch { .. } => "account-subject-mismatch",
                IdentityError::SecretDeleted { .. } => "secret-deleted",
                IdentityError::Revoked { .. } => "token-revoked",
                IdentityError::AccountExpired { .. } => "account-expired",
                IdentityError::UserGone { .. } => "user-not-in-directory",
            },
            // As an HTTP decision says it: every kind of question, the same code.
            AuthError::Bundle(BundleError::Expired { .. }) => "bundle-expired",
            AuthError::Bundle(_) => "bundle-unusable",
        }
    }
}

/// What kind of question was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionKind {
    /// An RBAC question about a resource.
    Resource,
    /// An RBAC question about a non-resource URL.
    NonResource,
    /// An HTTP request against the routes.
    Http,
}

/// A decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// HTTP status: 200 allowed, 401 no valid identity, 403 not allowed, 404 no route, 503
    /// no usable bundle.
    pub status: u16,
    /// Stable reason codes (Pomerium's for routes; `rbac-allowed`/`rbac-denied`; the token
    /// error's code when the token was refused).
    pub reasons: Vec<String>,
    /// A sentence saying which binding, rule or policy decided, or why the token was refused.
    pub explanation: String,
    /// What kind of question it was.
    pub kind: DecisionKind,
    /// The caller, when the token was valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Arc<Identity>>,
    /// The route that matched, for HTTP decisions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The bundle revision the decision was made against.
    pub revision: u64,
}

impl Decision {
    /// A denial with one reason.
    pub fn deny(
        kind: DecisionKind,
        status: u16,
        reason: &str,
        explanation: String,
        revision: u64,
    ) -> Decision {
        Decision {
            allowed: false,
            status,
            reasons: vec![reason.to_string()],
            explanation,
            kind,
            identity: None,
            route: None,
            revision,
        }
    }
}
