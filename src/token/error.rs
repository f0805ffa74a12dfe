//! Why a token was refused.

/// Why a token was refused, precisely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// No token was presented.
    #[error("no token presented")]
    Missing,
}
