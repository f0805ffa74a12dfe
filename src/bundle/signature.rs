//! The bundle's detached signature.
