//! Compact JWS.
