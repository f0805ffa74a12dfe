//! What can be wrong with a bundle: typed errors, each naming where and what.

use crate::time::UnixTime;
use std::fmt;

/// One problem found while validating a bundle: the JSON path and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, e.g. `service_accounts[3].namespace`.
    pub path: String,
    /// What, e.g. `"ci" is not a defined namespace`.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The path of an item of a bundle list (`role_bindings[3]`, `roles[0].rules[2]`), formatted
/// only when a problem is recorded there: a clean bundle builds no path strings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    list: &'a str,
    index: usize,
    inner: Option<(&'a str, usize)>,
}

impl<'a> At<'a> {
    /// `list[index]`.
    pub(crate) fn new(list: &'a str, index: usize) -> At<'a> {
        At {
            list,
            index,
            inner: None,
        }
    }

    /// `self.list[index]` (one level deep: an item of an item's list).
    pub(crate) fn item(self, list: &'a str, index: usize) -> At<'a> {
        At {
            inner: Some((list, index)),
            ..self
        }
    }

    /// `self.field`.
    pub(crate) fn field(&self, field: &str) -> String {
        format!("{self}.{field}")
    }
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.list, self.index)?;
        match self.inner {
            Some((list, index)) => write!(f, ".{list}[{index}]"),
            None => Ok(()),
        }
    }
}

/// Collects every problem of a bundle, so that one load reports them all.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// Records a problem at `path`.
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Records `other`'s problems after these.
    pub(crate) fn append(&mut self, mut other: Problems) {
        self.0.append(&mut other.0);
    }

    /// Whether none were recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems recorded so far.
    pub fn as_slice(&self) -> &[Problem] {
        &self.0
    }

    /// `Ok(value)` when no problem was recorded, else the invalid-bundle error.
    pub fn into_result<T>(self, value: T) -> Result<T, BundleError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(BundleError::Invalid(self.0))
        }
    }
}

/// Why a bundle was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The bytes are not JSON of the bundle's shape.
    #[error("bundle is not valid JSON of schema version 1: {path}: {message}")]
    Parse {
        /// Where the parser stopped (`.` for the document itself).
        path: String,
        /// The parser's message.
        message: String,
    },
    /// The document names a schema version this build does not read.
    #[error("version: {found} is not supported (expected {expected})")]
    UnsupportedVersion {
        /// The version in the document.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// The document parsed but is inconsistent.
    #[error("bundle is invalid: {}", join(.0))]
    Invalid(Vec<Problem>),
    /// The detached signature does not verify against the pinned keys.
    #[error("bundle signature: {0}")]
    Signature(String),
    /// The bundle is older than the one already held (rollback).
    #[error(
        "revision: {offered} is older than the revision {held} already loaded (rollback refused)"
    )]
    Rollback {
        /// The revision held.
        held: u64,
        /// The revision offered.
        offered: u64,
    },
    /// A bundle of the revision held, issued at another time: another bundle under the same
    /// revision (a rebuild without a new revision, or a producer restored from a backup).
    #[error(
        "revision: {revision} is already loaded, issued at {held}; this bundle of the same revision was issued at {offered} (a changed bundle needs a higher revision)"
    )]
    SameRevision {
        /// The revision.
        revision: u64,
        /// When the bundle held was issued.
        held: UnixTime,
        /// When the offered bundle was issued.
        offered: UnixTime,
    },
    /// The bundle's `expires_at` has passed.
    #[error("expires_at: the bundle expired at {expires_at} (now {now})")]
    Expired {
        /// When it expired.
        expires_at: String,
        /// The time of the check.
        now: String,
    },
}

impl BundleError {
    /// The problems of an invalid bundle (empty for the other errors).
    pub fn problems(&self) -> &[Problem] {
        match self {
            BundleError::Invalid(p) => p,
            _ => &[],
        }
    }
}

fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
