//! The bundle: the document the state makes (for `bundle build` and, in memory, for every
//! decision), its detached signature and the pinned public key, and `bundle verify`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::output::{fields, Render};
use super::store::{check_document, invalid, write_atomic, BUNDLE_SIGNING_KEY};
use super::{AdminError, Result, State};
use crate::bundle::signature::TrustedKeys;
use crate::bundle::{parse_document, Bundle};
use crate::schema::BundleDocument;
use crate::time::UnixTime;
use crate::Engine;

/// How long a bundle is valid when `--expires` is not given: 30 days.
pub const DEFAULT_LIFETIME_SECONDS: i64 = 30 * 86_400;
/// The file name of the pinned public key written beside the bundle.
pub const PUBLIC_KEY_FILE: &str = "bundle-signing.jwk.json";

/// The document `bundle build` would write at `now`: the state's, with the next revision,
/// `issued_at` now and `expires_at` (default now + 30 days).
pub fn document_for(state: &State, now: UnixTime, expires_at: Option<UnixTime>) -> BundleDocument {
    let mut doc = state.doc().clone();
    doc.revision = doc.revision.saturating_add(1);
    doc.issued_at = now.to_string();
    doc.expires_at = Some(
        expires_at
            .unwrap_or_else(|| now.plus(DEFAULT_LIFETIME_SECONDS))
            .to_string(),
    );
    doc
}

/// An engine over the bundle the state makes now: what every CLI decision uses.
pub fn engine(state: &State, now: UnixTime) -> Result<Engine> {
    let bundle: Bundle = check_document(&document_for(state, now, None))?;
    Ok(Engine::new(bundle))
}

/// What `bundle build` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    /// The bundle file.
    pub bundle: String,
    /// Its detached signature (`<bundle>.sig`).
    pub signature: String,
    /// The public key consumers pin (`bundle-signing.jwk.json` beside the bundle).
    pub public_key: String,
    /// The bundle's revision.
    pub revision: u64,
    /// When it was built.
    pub issued_at: String,
    /// When it stops being usable.
    pub expires_at: String,
    /// The signing key's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// How many namespaces, accounts, bindings and routes it holds.
    pub counts: Counts,
    /// What the administrator should know (printed on stderr, not in the report).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// What a bundle holds, counted.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    /// Namespaces.
    pub namespaces: usize,
    /// Service accounts.
    pub service_accounts: usize,
    /// Roles and cluster roles.
    pub roles: usize,
    /// Role bindings and cluster role bindings.
    pub bindings: usize,
    /// Routes.
    pub routes: usize,
}

fn counts(doc: &BundleDocument) -> Counts {
    Counts {
        namespaces: doc.namespaces.len(),
        service_accounts: doc.service_accounts.len(),
        roles: doc.roles.len() + doc.cluster_roles.len(),
        bindings: doc.role_bindings.len() + doc.cluster_role_bindings.len(),
        routes: doc.routes.len(),
    }
}

fn signature_path(bundle: &Path) -> PathBuf {
    let mut name = bundle.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

fn beside(bundle: &Path, file: &str) -> PathBuf {
    match bundle.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(file),
        _ => PathBuf::from(file),
    }
}

/// Builds, signs and writes the bundle to `out`, `out.sig` and the public key beside them;
/// records the new revision in the state.
pub fn build(
    state: &mut State,
    out: &Path,
    expires_at: Option<UnixTime>,
    now: UnixTime,
) -> Result<BuildReport> {
    if let Some(t) = expires_at {
        if t <= now {
            return Err(AdminError::input(format!(
                "--expires: {t} is not in the future"
            )));
        }
    }
    let mut doc = document_for(state, now, expires_at);
    let mut warnings = Vec::new();
    // Consumers refuse a revision lower than the one they hold: one below the bundle already
    // at `out` (a state restored from a backup, or copied) would never reach them, revocations
    // included. Build past it.
    if let Some(written) = written_revision(out).filter(|&r| r >= doc.revision) {
        warnings.push(format!(
            "the state's last revision is {}, but {} holds revision {written} (a state restored from a backup?): building revision {}",
            state.doc().revision,
            out.display(),
            written.saturating_add(1)
        ));
        doc.revision = written.saturating_add(1);
    }
    let mut bytes = serde_json::to_vec_pretty(&doc)
        .map_err(|e| AdminError::state(format!("bundle: cannot serialise: {e}")))?;
    bytes.push(b'\n');
    let key = state.key(BUNDLE_SIGNING_KEY)?;
    let signature = key
        .sign_detached(&bytes)
        .map_err(|e| AdminError::state(format!("signing the bundle: {e}")))?;
    let public = key
        .public_jwk()
        .ok_or_else(|| AdminError::state("the bundle-signing key has no public half"))?;
    let public = serde_json::to_vec_pretty(&public)
        .map_err(|e| AdminError::state(format!("public key: {e}")))?;
    // The document checked as a consumer reads it: the bytes about to be written, by the
    // engine's own reader, the signature against the key pinned beside them. Nothing is
    // written unless it loads, so a bundle the CLI writes always does.
    let engine = TrustedKeys::from_json(&public)
        .and_then(|trusted| Engine::from_signed_json(&bytes, &signature, &trusted, now))
        .map_err(|e| invalid(&e))?;
    warnings.extend(shared_secret_warnings(&doc));
    warnings.extend(replaced_rule_warnings(&doc, engine.bundle()));
    let sig_path = signature_path(out);
    let key_path = beside(out, PUBLIC_KEY_FILE);
    let input = |e: AdminError| match e {
        AdminError::State(m) => AdminError::Input(format!("-o: {m}")),
        other => other,
    };
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| AdminError::input(format!("-o: {}: {e}", dir.display())))?;
    }
    // A bundle that carries a shared secret is itself a secret: its owner's only, as the
    // state's keys are (the others are for anyone to read).
    let secret = doc.issuers.iter().any(|i| i.shared_secret.is_some());
    write_atomic(out, &bytes, secret).map_err(input)?;
    write_atomic(&sig_path, format!("{signature}\n").as_bytes(), false).map_err(input)?;
    write_atomic(&key_path, &public, false).map_err(input)?;
    // Only now that the bundle is written does the state record its revision.
    state.doc_mut().revision = doc.revision;
    state.save()?;
    Ok(BuildReport {
        bundle: out.display().to_string(),
        signature: sig_path.display().to_string(),
        public_key: key_path.display().to_string(),
        revision: doc.revision,
        issued_at: doc.issued_at.clone(),
        expires_at: doc.expires_at.clone().unwrap_or_default(),
        kid: key.kid.clone(),
        counts: counts(&doc),
        warnings,
    })
}

/// The revision of the bundle at `path`, if there is one that says it (and that a bundle can
/// follow: one at the largest revision a bundle may have, or past it, is not a bundle's). Only
/// the member is kept: the rest of the file is skipped over, not built into values.
fn written_revision(path: &Path) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Written {
        revision: u64,
    }
    let bytes = std::fs::read(path).ok()?;
    let written: Written = serde_json::from_slice(&bytes).ok()?;
    Some(written.revision).filter(|&r| r < crate::bundle::MAX_REVISION)
}

/// A warning for each issuer whose HMAC secret the bundle carries: every verifier needs it, so
/// whoever can read the bundle can mint that issuer's HS256 tokens for any of its accounts.
fn shared_secret_warnings(doc: &BundleDocument) -> Vec<String> {
    doc.issuers
        .iter()
        .filter(|i| i.shared_secret.is_some())
        .map(|i| {
            format!(
                "the bundle carries issuer {:?}'s shared secret (HS256): whoever reads the bundle can mint its tokens for any account (the file is written readable by its owner only); serve it only to trusted verifiers, never to a browser, or use an asymmetric --alg at init",
                i.name
            )
        })
        .collect()
}

/// A warning for each ClusterRole with an `aggregationRule` whose own rules are not all among
/// the rules it aggregates: those grant nothing, since aggregation replaces a ClusterRole's
/// rules (as Kubernetes' aggregation controller does). A role exported from a cluster holds
/// exactly what it aggregates, and gets no warning.
fn replaced_rule_warnings(doc: &BundleDocument, bundle: &Bundle) -> Vec<String> {
    doc.cluster_roles
        .iter()
        .filter(|role| role.aggregation_rule.is_some())
        .filter_map(|role| {
            let granted: Vec<_> = bundle.rbac().cluster_role_rules(&role.name)?.collect();
            let lost = role
                .rules
                .iter()
                .filter(|rule| !granted.contains(rule))
                .count();
            (lost > 0).then(|| {
                format!(
                    "ClusterRole {:?}: {lost} of its {} rules grant nothing: its aggregationRule replaces its rules with those of the ClusterRoles it selects, as Kubernetes' aggregation controller does; put them in a ClusterRole it selects",
                    role.name,
                    role.rules.len()
                )
            })
        })
        .collect()
}

impl Render for BuildReport {
    fn render(&self) -> String {
        let c = &self.counts;
        fields(&[
            ("Bundle", vec![self.bundle.clone()]),
            ("Signature", vec![self.signature.clone()]),
            (
                "Public key",
                vec![format!("{} (pin it in consumers)", self.public_key)],
            ),
            ("Revision", vec![self.revision.to_string()]),
            ("Issued", vec![self.issued_at.clone()]),
            ("Expires", vec![self.expires_at.clone()]),
            (
                "Contents",
                vec![format!(
                    "{} namespaces, {} service accounts, {} roles, {} bindings, {} routes",
                    c.namespaces, c.service_accounts, c.roles, c.bindings, c.routes
                )],
            ),
        ])
    }
}

/// What `bundle verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The bundle file.
    pub bundle: String,
    /// Always true in a report (a failure is an error).
    pub verified: bool,
    /// The key file the signature was checked against.
    pub key: String,
    /// The bundle's revision.
    pub revision: u64,
    /// When it was built.
    pub issued_at: String,
    /// When it stops being usable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// What it holds.
    pub counts: Counts,
}

impl Render for VerifyReport {
    fn render(&self) -> String {
        let c = &self.counts;
        fields(&[
            (
                "Bundle",
                vec![format!("{}: signature verified, loads", self.bundle)],
            ),
            ("Key", vec![self.key.clone()]),
            ("Revision", vec![self.revision.to_string()]),
            ("Issued", vec![self.issued_at.clone()]),
            (
                "Expires",
                vec![super::output::or_none(self.expires_at.as_deref())],
            ),
            (
                "Contents",
                vec![format!(
                    "{} namespaces, {} service accounts, {} roles, {} bindings, {} routes",
                    c.namespaces, c.service_accounts, c.roles, c.bindings, c.routes
                )],
            ),
        ])
    }
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| AdminError::input(format!("{what}: {}: {e}", path.display())))
}

/// Checks a bundle file as a consumer would: the signature (`FILE.sig` unless given) against
/// the pinned key (`bundle-signing.jwk.json` beside it unless given), then loads it and checks
/// it has not expired at `now`.
pub fn verify(
    bundle: &Path,
    signature: Option<&Path>,
    key: Option<&Path>,
    now: UnixTime,
) -> Result<VerifyReport> {
    let bytes = read(bundle, "bundle")?;
    let sig_path = signature.map_or_else(|| signature_path(bundle), Path::to_path_buf);
    let sig = read(&sig_path, "--signature")?;
    let key_path = key.map_or_else(|| beside(bundle, PUBLIC_KEY_FILE), Path::to_path_buf);
    let key_bytes = read(&key_path, "--key")?;
    let trusted = TrustedKeys::from_json(&key_bytes)
        .map_err(|e| AdminError::input(format!("--key: {}: {e}", key_path.display())))?;
    let sig = String::from_utf8_lossy(&sig);
    Engine::from_signed_json(&bytes, &sig, &trusted, now)
        .map_err(|e| AdminError::input(format!("{}: {e}", bundle.display())))?;
    // The engine keeps no document: the report's counts come from parsing it again.
    let doc = &parse_document(&bytes)
        .map_err(|e| AdminError::input(format!("{}: {e}", bundle.display())))?;
    Ok(VerifyReport {
        bundle: bundle.display().to_string(),
        verified: true,
        key: key_path.display().to_string(),
        revision: doc.revision,
        issued_at: doc.issued_at.clone(),
        expires_at: doc.expires_at.clone(),
        counts: counts(doc),
    })
}
