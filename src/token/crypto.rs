//! The crypto provider.
