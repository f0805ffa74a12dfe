//! Why an admin operation failed: bad input (exit status 2) or an unusable state (3).

/// Why an admin operation failed. Each message is one line naming what was wrong and which
/// value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// An argument or an input file is wrong.
    #[error("{0}")]
    Input(String),
    /// An object named by an argument does not exist.
    #[error("{kind} {name:?} not found{}", in_namespace(.namespace))]
    NotFound {
        /// What kind of object (`serviceaccount`, `namespace`, ...).
        kind: &'static str,
        /// Its name.
        name: String,
        /// Its namespace, for namespaced objects.
        namespace: Option<String>,
    },
    /// An object to create exists already.
    #[error("{kind} {name:?} already exists{}", in_namespace(.namespace))]
    AlreadyExists {
        /// What kind of object.
        kind: &'static str,
        /// Its name.
        name: String,
        /// Its namespace, for namespaced objects.
        namespace: Option<String>,
    },
    /// The change would make a bundle that does not load (every problem, with its path).
    #[error("the change would make an invalid bundle: {0}")]
    Invalid(String),
    /// The state directory cannot be read or written, or holds no usable state.
    #[error("{0}")]
    State(String),
}

fn in_namespace(namespace: &Option<String>) -> String {
    match namespace {
        Some(ns) => format!(" in namespace {ns:?}"),
        None => String::new(),
    }
}

impl AdminError {
    /// The process exit status for this error: 2 for bad input, 3 for a state error.
    pub fn exit_code(&self) -> u8 {
        match self {
            AdminError::State(_) => 3,
            _ => 2,
        }
    }

    /// An input error.
    pub fn input(message: impl Into<String>) -> AdminError {
        AdminError::Input(message.into())
    }

    /// A state error.
    pub fn state(message: impl Into<String>) -> AdminError {
        AdminError::State(message.into())
    }
}
