//! The state directory: `state.json` (the bundle-to-be and the CLI's bookkeeping) and `keys/`
//! (private JWKs, mode 0600). Every write goes to a temporary file in the same directory that
//! is then renamed over the old one, so a file is never left half-written.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{AdminError, Result};
use crate::bundle::{Bundle, BundleError};
use crate::schema::BundleDocument;
use crate::token::mint::PrivateKey;

/// The state file's name inside the state directory.
pub const STATE_FILE: &str = "state.json";
/// The directory of private keys inside the state directory.
pub const KEYS_DIR: &str = "keys";
/// The environment variable naming the state directory.
pub const STATE_ENV: &str = "TESSERA_STATE";
/// The state directory when neither `--state` nor `TESSERA_STATE` names one.
pub const DEFAULT_DIR: &str = ".tessera";
/// The version of `state.json` this build reads and writes.
pub const STATE_VERSION: u32 = 1;
/// The key that signs bundles (its name in `keys/`).
pub const BUNDLE_SIGNING_KEY: &str = "bundle-signing";

/// What `state.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateFile {
    /// [`STATE_VERSION`].
    pub state_version: u32,
    /// The bundle-to-be. Its `revision` is the last one built (0 before the first build).
    pub bundle: BundleDocument,
    /// Bound tokens issued by `create token`, for `describe` (the tokens themselves are
    /// never stored).
    #[serde(default)]
    pub bound_tokens: Vec<BoundTokenRecord>,
}

/// A bound token that was issued: what `describe` shows and revocation needs, never the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundTokenRecord {
    /// The token's `jti`.
    pub jti: String,
    /// The account's namespace.
    pub namespace: String,
    /// The account's name.
    pub service_account: String,
    /// When it expires (RFC 3339).
    pub expires_at: String,
    /// `pod/<name>`, `secret/<name>` or `node/<name>`, if bound to an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_to: Option<String>,
}

/// An open state directory.
#[derive(Debug)]
pub struct State {
    root: PathBuf,
    /// The contents of `state.json`.
    pub file: StateFile,
}

/// The state directory to use: `flag` (`--state DIR`), else `TESSERA_STATE`, else `./.tessera`.
pub fn resolve_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(dir) = flag {
        return dir.to_path_buf();
    }
    match std::env::var_os(STATE_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(DEFAULT_DIR),
    }
}

impl State {
    /// Opens the state in `root`.
    pub fn open(root: &Path) -> Result<State> {
        let path = root.join(STATE_FILE);
        let text = match fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(AdminError::state(format!(
                    "state: no tessera state in {} (run `tessera init`, or give --state DIR or TESSERA_STATE)",
                    root.display()
                )))
            }
            Err(e) => return Err(AdminError::state(format!("{}: {e}", path.display()))),
        };
        let mut de = serde_json::Deserializer::from_slice(&text);
        let mut file: StateFile = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            AdminError::state(format!("{}: {}: {}", path.display(), e.path(), e.inner()))
        })?;
        if file.state_version != STATE_VERSION {
            return Err(AdminError::state(format!(
                "{}: state_version {} is not supported (expected {STATE_VERSION})",
                path.display(),
                file.state_version
            )));
        }
        // In memory; written with the next change.
        super::init::upgrade_bootstrap_roles(&mut file.bundle.cluster_roles);
        Ok(State {
            root: root.to_path_buf(),
            file,
        })
    }

    /// Creates a new state in `root` (which must not hold one) with these private keys.
    pub fn create(root: &Path, file: StateFile, keys: &[(&str, &PrivateKey)]) -> Result<State> {
        if root.join(STATE_FILE).exists() {
            return Err(AdminError::state(format!(
                "state: {} already holds a tessera state (give another --state DIR, or remove it first)",
                root.display()
            )));
        }
        let keys_dir = root.join(KEYS_DIR);
        fs::create_dir_all(&keys_dir)
            .map_err(|e| AdminError::state(format!("{}: {e}", keys_dir.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&keys_dir, fs::Permissions::from_mode(0o700))
                .map_err(|e| AdminError::state(format!("{}: {e}", keys_dir.display())))?;
        }
        for (name, key) in keys {
            let text = serde_json::to_vec_pretty(&key.to_jwk())
                .map_err(|e| AdminError::state(format!("key {name}: {e}")))?;
            write_atomic(&key_path(root, name), &text, true)?;
        }
        let state = State {
            root: root.to_path_buf(),
            file,
        };
        state.save()?;
        Ok(state)
    }

    /// The state directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The bundle-to-be.
    pub fn doc(&self) -> &BundleDocument {
        &self.file.bundle
    }

    /// The bundle-to-be, to change (call [`State::save`] afterwards).
    pub fn doc_mut(&mut self) -> &mut BundleDocument {
        &mut self.file.bundle
    }

    /// Checks that the state still makes a valid bundle, then writes `state.json` atomically.
    /// On error nothing is written.
    pub fn save(&self) -> Result<()> {
        check_document(self.doc())?;
        let mut text = serde_json::to_vec_pretty(&self.file)
            .map_err(|e| AdminError::state(format!("state: cannot serialise: {e}")))?;
        text.push(b'\n');
        write_atomic(&self.root.join(STATE_FILE), &text, true)
    }

    /// The private key `name` of `keys/`.
    pub fn key(&self, name: &str) -> Result<PrivateKey> {
        let path = key_path(&self.root, name);
        let text = fs::read(&path)
            .map_err(|e| AdminError::state(format!("key {name}: {}: {e}", path.display())))?;
        let jwk: Value = serde_json::from_slice(&text).map_err(|e| {
            AdminError::state(format!("key {name}: {}: not JSON: {e}", path.display()))
        })?;
        PrivateKey::from_jwk(&jwk)
            .map_err(|e| AdminError::state(format!("key {name}: {}: {e}", path.display())))
    }
}

/// Loads the document as a bundle, turning every problem into one line.
pub fn check_document(doc: &BundleDocument) -> Result<Bundle> {
    Bundle::from_document(doc.clone()).map_err(|e| invalid(&e))
}

/// A bundle's refusal as one line: every problem with its path, or the error itself.
pub fn invalid(e: &BundleError) -> AdminError {
    let problems = e.problems();
    if problems.is_empty() {
        AdminError::Invalid(e.to_string())
    } else {
        AdminError::Invalid(
            problems
                .iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}

fn key_path(root: &Path, name: &str) -> PathBuf {
    root.join(KEYS_DIR).join(format!("{name}.private.jwk.json"))
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// readers see the old file or the new one, never a part. `private`: mode 0600 (Unix).
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let fail = |e: std::io::Error| AdminError::state(format!("{}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{file_name}.tmp-{}-{}",
        std::process::id(),
        super::ids::suffix(6)
    ));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(if private { 0o600 } else { 0o644 });
        }
        #[cfg(not(unix))]
        let _ = private;
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(fail)
}
