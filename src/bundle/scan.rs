//! The bundle reader: the document straight from its text, the long lists (accounts,
//! revocations, bindings) one item at a time into loading (`load.rs`) without building them,
//! the short sections into the schema's types (`sections.rs`). It is strict as the schema is
//! (`schema.rs`, `docs/bundle.md`): objects of known fields, each once, the required ones
//! present, values of their type; a document that is not so stops with the reason and the
//! offset of the value (`steps.rs`), from which the error's path is made (`locate.rs`). Where
//! the text is not JSON at all, serde_json names the problem and its position.
//!
//! The tests below hold it to serde's derived reading of the same schema
//! ([`super::parse_document`], which the CLI uses): the same bundles, the same refusals; except
//! that, as `docs/bundle.md` states, this reader also refuses an object written as an array of
//! its values, an account's `kind` written as a map, and a label named twice, which serde's
//! derive takes (tests/bundle.rs).

use super::error::BundleError;
use super::load::{Head, Loading};
use super::schema::AccountKind;
use super::sections;
use super::source::{ClusterRoleBinding, RoleBinding, RoleRef, ServiceAccount, Str, Subject};
use super::Bundle;
use crate::json::cursor::Cursor;
use crate::json::steps::{self, required, set, shape, unknown_field, Step, Stop};
use std::borrow::Cow;

/// Loads a document.
pub(crate) fn load(bytes: &[u8]) -> Result<Bundle, BundleError> {
    let stop = match std::str::from_utf8(bytes) {
        Ok(text) => match read(text) {
            Ok(loaded) => return loaded,
            Err(stop) => stop,
        },
        Err(_) => Stop::Syntax,
    };
    let (path, message) = steps::located(bytes, stop);
    Err(BundleError::Parse { path, message })
}

/// Reads `text` (see the module's documentation).
fn read(text: &str) -> Step<Result<Bundle, BundleError>> {
    let mut c = Cursor::new(text);
    let mut loading = Loading::default();
    let mut top = Top::default();
    let start = c.record(&KEYS, &mut |c, i| top.field(c, KEYS[i], &mut loading))?;
    c.end()?;
    let head = Head {
        version: required(top.version, start, "version")?,
        revision: required(top.revision, start, "revision")?,
        issued_at: required(top.issued_at, start, "issued_at")?,
        expires_at: top.expires_at,
    };
    loading.all_known();
    let spare = &mut top.spare;
    if let Some(at) = top.deferred_accounts {
        Cursor { text, at }.list(&mut |c, i| accounts(c, i, &mut loading, spare))?;
        loading.end_accounts();
    }
    if let Some(at) = top.deferred_cluster_role_bindings {
        let list = &mut Cursor { text, at };
        list.list(&mut |c, i| cluster_role_bindings(c, i, &mut loading, spare))?;
    }
    if let Some(at) = top.deferred_role_bindings {
        Cursor { text, at }.list(&mut |c, i| role_bindings(c, i, &mut loading, spare))?;
    }
    Ok(loading.finish(head))
}

/// The document's own fields, and where the long lists met before what they depend on begin.
#[derive(Debug, Default)]
struct Top<'a> {
    version: Option<u32>,
    revision: Option<u64>,
    issued_at: Option<Str<'a>>,
    expires_at: Option<Str<'a>>,
    deferred_accounts: Option<usize>,
    deferred_cluster_role_bindings: Option<usize>,
    deferred_role_bindings: Option<usize>,
    spare: Spare<'a>,
}

/// The document's fields, as `schema::BundleDocument` names them.
const KEYS: [&str; 15] = [
    "version",
    "revision",
    "issued_at",
    "expires_at",
    "settings",
    "issuers",
    "namespaces",
    "directory",
    "service_accounts",
    "revocations",
    "roles",
    "cluster_roles",
    "role_bindings",
    "cluster_role_bindings",
    "routes",
];

impl<'a> Top<'a> {
    fn field(&mut self, c: &mut Cursor<'a>, key: &str, loading: &mut Loading<'a>) -> Step<()> {
        match key {
            "version" => self.version = Some(c.u32()?),
            "revision" => self.revision = Some(c.whole(u64::MAX, "u64")?),
            "issued_at" => self.issued_at = Some(c.text()?),
            "expires_at" => self.expires_at = c.optional_text()?,
            "settings" => loading.settings(Cow::Owned(sections::settings(c)?)),
            "issuers" => loading.issuers(Cow::Owned(c.list_of(sections::issuer)?)),
            "namespaces" => loading.namespaces(&c.list_of(sections::namespace)?),
            "directory" => loading.directory(sections::directory(c)?),
            "roles" => loading.roles(Cow::Owned(c.list_of(sections::role)?)),
            "cluster_roles" => {
                loading.cluster_roles(Cow::Owned(c.list_of(sections::cluster_role)?))
            }
            "routes" => loading.routes(Cow::Owned(c.list_of(sections::route)?)),
            "revocations" => c.list(&mut |c, _| {
                loading.revocation(&revocation(c)?);
                Ok(())
            })?,
            "service_accounts" if loading.has_namespaces() => {
                c.list(&mut |c, i| accounts(c, i, loading, &mut self.spare))?;
                loading.end_accounts();
            }
            "cluster_role_bindings" if loading.ready_for_bindings() => {
                c.list(&mut |c, i| cluster_role_bindings(c, i, loading, &mut self.spare))?;
            }
            "role_bindings" if loading.ready_for_bindings() => {
                c.list(&mut |c, i| role_bindings(c, i, loading, &mut self.spare))?;
            }
            // Read once what they depend on is known; passed over now (`read` checks them).
            _ => {
                c.ws();
                let at = Some(c.at);
                c.skip()?;
                match key {
                    "service_accounts" => self.deferred_accounts = at,
                    "cluster_role_bindings" => self.deferred_cluster_role_bindings = at,
                    _ => self.deferred_role_bindings = at,
                }
            }
        }
        Ok(())
    }
}

/// Lists reused from item to item (rather than a new one, an allocation, per item).
#[derive(Debug, Default)]
struct Spare<'a> {
    secrets: Vec<Str<'a>>,
    subjects: Vec<Subject<'a>>,
}

fn accounts<'a>(
    c: &mut Cursor<'a>,
    i: usize,
    loading: &mut Loading<'a>,
    spare: &mut Spare<'a>,
) -> Step<()> {
    let sa = account(c, std::mem::take(&mut spare.secrets))?;
    loading.account(i, &sa);
    spare.secrets = sa.secrets;
    Ok(())
}

fn cluster_role_bindings<'a>(
    c: &mut Cursor<'a>,
    i: usize,
    loading: &mut Loading<'a>,
    spare: &mut Spare<'a>,
) -> Step<()> {
    let b = cluster_role_binding(c, std::mem::take(&mut spare.subjects))?;
    loading.cluster_role_binding(i, &b);
    spare.subjects = b.subjects;
    Ok(())
}

fn role_bindings<'a>(
    c: &mut Cursor<'a>,
    i: usize,
    loading: &mut Loading<'a>,
    spare: &mut Spare<'a>,
) -> Step<()> {
    let b = role_binding(c, std::mem::take(&mut spare.subjects))?;
    loading.role_binding(i, &b);
    spare.subjects = b.subjects;
    Ok(())
}

/// The keys of the long lists' items. Told apart by length (and a first letter), then checked
/// word by word: wasm32's `memcmp` goes byte by byte, through a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Namespace,
    Name,
    Uid,
    Id,
    Kind,
    Impersonate,
    ExpiresAt,
    Secrets,
    RevokedAt,
    ApiGroup,
    RoleRef,
    Subjects,
    /// Any other key (which the items do not have: serde refuses it).
    Other,
}

impl Key {
    fn of(key: &str) -> Key {
        let key = key.as_bytes();
        let first = key.first().copied().unwrap_or_default();
        let (candidate, name): (Key, &[u8]) = match key.len() {
            2 => (Key::Id, b"id"),
            3 => (Key::Uid, b"uid"),
            4 if first == b'n' => (Key::Name, b"name"),
            4 => (Key::Kind, b"kind"),
            7 if first == b's' => (Key::Secrets, b"secrets"),
            7 => (Key::RoleRef, b"roleRef"),
            8 if first == b'a' => (Key::ApiGroup, b"apiGroup"),
            8 => (Key::Subjects, b"subjects"),
            9 => (Key::Namespace, b"namespace"),
            10 if first == b'e' => (Key::ExpiresAt, b"expires_at"),
            10 => (Key::RevokedAt, b"revoked_at"),
            11 => (Key::Impersonate, b"impersonate"),
            _ => return Key::Other,
        };
        if same_short(key, name) {
            candidate
        } else {
            Key::Other
        }
    }
}

/// Whether two byte strings of the same length, at most 16 bytes, are equal: two overlapping
/// words (or half words) each, compared once.
#[inline(always)]
fn same_short(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() || len > 16 {
        return false;
    }
    if len >= 8 {
        let word = |s: &[u8], at: usize| {
            let w = s.get(at..).and_then(|r| r.first_chunk::<8>());
            w.map_or(0, |w| u64::from_le_bytes(*w))
        };
        word(a, 0) == word(b, 0) && word(a, len - 8) == word(b, len - 8)
    } else if len >= 4 {
        let half = |s: &[u8], at: usize| {
            let w = s.get(at..).and_then(|r| r.first_chunk::<4>());
            w.map_or(0, |w| u32::from_le_bytes(*w))
        };
        half(a, 0) == half(b, 0) && half(a, len - 4) == half(b, len - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

/// A service account's fields.
const ACCOUNT_FIELDS: [&str; 8] = [
    "namespace",
    "name",
    "uid",
    "id",
    "kind",
    "impersonate",
    "expires_at",
    "secrets",
];

/// A service account ([`ServiceAccount`]), its secrets in `list` (emptied first).
fn account<'a>(c: &mut Cursor<'a>, mut list: Vec<Str<'a>>) -> Step<ServiceAccount<'a>> {
    list.clear();
    let (mut namespace, mut name, mut uid, mut id) = (None, None, None, None);
    let (mut kind, mut impersonate, mut expires_at, mut secrets) = (None, None, None, None);
    let at = c.object_start()?;
    c.object(&mut |c, key| match Key::of(&key) {
        Key::Namespace => set(c, &mut namespace, &key, Cursor::text),
        Key::Name => set(c, &mut name, &key, Cursor::text),
        Key::Uid => set(c, &mut uid, &key, Cursor::text),
        Key::Id => set(c, &mut id, &key, Cursor::optional_text),
        Key::Kind => set(c, &mut kind, &key, account_kind),
        Key::Impersonate => set(c, &mut impersonate, &key, Cursor::optional_text),
        Key::ExpiresAt => set(c, &mut expires_at, &key, Cursor::optional_text),
        Key::Secrets => set(c, &mut secrets, &key, |c| {
            c.list(&mut |c, _| {
                list.push(c.text()?);
                Ok(())
            })
        }),
        _ => unknown_field(c.at, &key, &ACCOUNT_FIELDS),
    })?;
    Ok(ServiceAccount {
        namespace: required(namespace, at, "namespace")?,
        name: required(name, at, "name")?,
        uid: required(uid, at, "uid")?,
        id: id.flatten(),
        kind: kind.unwrap_or_default(),
        impersonate: impersonate.flatten(),
        expires_at: expires_at.flatten(),
        secrets: list,
    })
}

fn account_kind(c: &mut Cursor<'_>) -> Step<AccountKind> {
    c.ws();
    let at = c.at;
    match &*c.text()? {
        "unique" => Ok(AccountKind::Unique),
        "impersonating" => Ok(AccountKind::Impersonating),
        other => shape(
            at,
            format!("unknown variant `{other}`, expected `unique` or `impersonating`"),
        ),
    }
}

/// A revocation's token id (its `revoked_at` is read and left).
fn revocation<'a>(c: &mut Cursor<'a>) -> Step<Str<'a>> {
    let (mut id, mut revoked_at) = (None, None);
    let at = c.object_start()?;
    c.object(&mut |c, key| match Key::of(&key) {
        Key::Id => set(c, &mut id, &key, Cursor::text),
        Key::RevokedAt => set(c, &mut revoked_at, &key, Cursor::optional_text),
        _ => unknown_field(c.at, &key, &["id", "revoked_at"]),
    })?;
    required(id, at, "id")
}

/// A binding's `roleRef` ([`RoleRef`]).
fn role_ref<'a>(c: &mut Cursor<'a>) -> Step<RoleRef<'a>> {
    let (mut kind, mut name, mut api_group) = (None, None, None);
    let at = c.object_start()?;
    c.object(&mut |c, key| match Key::of(&key) {
        Key::Kind => set(c, &mut kind, &key, Cursor::text),
        Key::Name => set(c, &mut name, &key, Cursor::text),
        Key::ApiGroup => set(c, &mut api_group, &key, Cursor::optional_text),
        _ => unknown_field(c.at, &key, &["kind", "name", "apiGroup"]),
    })?;
    Ok(RoleRef {
        kind: required(kind, at, "kind")?,
        name: required(name, at, "name")?,
        api_group: api_group.flatten(),
    })
}

/// A binding's subjects ([`Subject`]), into `list`.
fn subjects<'a>(c: &mut Cursor<'a>, list: &mut Vec<Subject<'a>>) -> Step<()> {
    c.list(&mut |c, _| {
        let (mut kind, mut name, mut namespace, mut api_group) = (None, None, None, None);
        let at = c.object_start()?;
        c.object(&mut |c, key| match Key::of(&key) {
            Key::Kind => set(c, &mut kind, &key, Cursor::text),
            Key::Name => set(c, &mut name, &key, Cursor::text),
            Key::Namespace => set(c, &mut namespace, &key, Cursor::optional_text),
            Key::ApiGroup => set(c, &mut api_group, &key, Cursor::optional_text),
            _ => unknown_field(c.at, &key, &["kind", "name", "namespace", "apiGroup"]),
        })?;
        list.push(Subject {
            kind: required(kind, at, "kind")?,
            name: required(name, at, "name")?,
            namespace: namespace.flatten(),
            api_group: api_group.flatten(),
        });
        Ok(())
    })
}

/// A RoleBinding ([`RoleBinding`]), its subjects in `list` (emptied first).
fn role_binding<'a>(c: &mut Cursor<'a>, mut list: Vec<Subject<'a>>) -> Step<RoleBinding<'a>> {
    list.clear();
    let (mut name, mut namespace, mut role, mut members) = (None, None, None, None);
    let at = c.object_start()?;
    c.object(&mut |c, key| match Key::of(&key) {
        Key::Name => set(c, &mut name, &key, Cursor::text),
        Key::Namespace => set(c, &mut namespace, &key, Cursor::text),
        Key::RoleRef => set(c, &mut role, &key, role_ref),
        Key::Subjects => set(c, &mut members, &key, |c| subjects(c, &mut list)),
        _ => unknown_field(c.at, &key, &["name", "namespace", "roleRef", "subjects"]),
    })?;
    Ok(RoleBinding {
        name: required(name, at, "name")?,
        namespace: required(namespace, at, "namespace")?,
        role_ref: required(role, at, "roleRef")?,
        subjects: list,
    })
}

/// A ClusterRoleBinding ([`ClusterRoleBinding`]), its subjects in `list` (emptied first).
fn cluster_role_binding<'a>(
    c: &mut Cursor<'a>,
    mut list: Vec<Subject<'a>>,
) -> Step<ClusterRoleBinding<'a>> {
    list.clear();
    let (mut name, mut role, mut members) = (None, None, None);
    let at = c.object_start()?;
    c.object(&mut |c, key| match Key::of(&key) {
        Key::Name => set(c, &mut name, &key, Cursor::text),
        Key::RoleRef => set(c, &mut role, &key, role_ref),
        Key::Subjects => set(c, &mut members, &key, |c| subjects(c, &mut list)),
        _ => unknown_field(c.at, &key, &["name", "roleRef", "subjects"]),
    })?;
    Ok(ClusterRoleBinding {
        name: required(name, at, "name")?,
        role_ref: required(role, at, "roleRef")?,
        subjects: list,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::bundle::{parse_document, schema};
    use crate::identity::test_service_account;
    use crate::rbac::{RbacRequest, ResourceAttributes};

    fn example() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/bundle.json");
        std::fs::read_to_string(path).expect("examples/bundle.json")
    }

    /// The reading every document gets when this reader gives up.
    fn by_serde(bytes: &[u8]) -> Result<Bundle, BundleError> {
        Bundle::from_document(parse_document(bytes)?)
    }

    /// What a load gives, as text: the error, or what the bundle answers about the accounts
    /// and bindings the document names.
    fn outcome(loaded: &Result<Bundle, BundleError>, bytes: &[u8]) -> String {
        let bundle = match loaded {
            Ok(bundle) => bundle,
            // That the document is not read, not why: where a document has two problems the
            // readers can meet them in another order (an unknown key with no `:` after it),
            // and serde's derived reading points at an array where this one points at its
            // item. tests/bundle.rs checks the messages and paths.
            Err(BundleError::Parse { .. }) => return "not read".into(),
            Err(e) => return format!("error: {e}"),
        };
        let doc: Value = serde_json::from_slice(bytes).unwrap_or_default();
        let mut out = format!(
            "revision {} issued {:?} expires {:?} leeway {}\n",
            bundle.revision(),
            bundle.issued_at(),
            bundle.expires_at(),
            bundle.leeway()
        );
        let namespaces: Vec<String> = bundle.namespaces().names().map(String::from).collect();
        for sa in doc["service_accounts"].as_array().into_iter().flatten() {
            let text = |key: &str| sa[key].as_str().unwrap_or_default().to_string();
            let (ns, name) = (text("namespace"), text("name"));
            if let Some(a) = bundle.account(&ns, &name) {
                out += &format!(
                    "{} {} {} {} {:?} {:?} {}\n",
                    a.namespace, a.name, a.uid, a.user_id, a.kind, a.expires_at, a.username
                );
                for secret in sa["secrets"].as_array().into_iter().flatten() {
                    let secret = secret.as_str().unwrap_or_default();
                    out += &format!("  {secret} {}\n", a.has_secret(secret));
                }
            }
            if let Some(a) = bundle.account_by_uid(&text("uid")) {
                out += &format!("  by uid: {}/{}\n", a.namespace, a.name);
            }
            let identity = test_service_account(&ns, &name);
            for n in namespaces.iter().map(String::as_str).chain([""]) {
                let rbac = bundle.rbac();
                out += &format!(
                    "  {n}: {:?}\n",
                    rbac.roles_held(&identity, bundle.namespaces(), n)
                );
                for verb in ["get", "delete"] {
                    let ask = ResourceAttributes::from_kubectl(verb, "pods", "", n);
                    let decision =
                        rbac.authorize(&identity, bundle.namespaces(), &RbacRequest::Resource(ask));
                    out += &format!("  {verb}: {decision:?}\n");
                }
            }
        }
        for r in doc["revocations"].as_array().into_iter().flatten() {
            let id = r["id"].as_str().unwrap_or_default();
            out += &format!("revoked {id} {}\n", bundle.is_revoked(id));
        }
        out
    }

    /// Reads `text` both ways (the outcomes must agree); true when the bundle loaded.
    fn agrees(text: &[u8]) -> bool {
        let here = load(text);
        let label = String::from_utf8_lossy(text);
        assert_eq!(
            outcome(&here, text),
            outcome(&by_serde(text), text),
            "{label}"
        );
        here.is_ok()
    }

    #[test]
    fn the_example_in_any_layout_is_read_here_as_serde_reads_it() {
        let text = example();
        let value: Value = serde_json::from_str(&text).expect("JSON");
        let escaped = text
            .replace("\"robot\"", "\"r\\u006fbot\\/\"")
            .replace("\"top-secret\"", "\"top-\\u0073ecret\"")
            .replace("\"ci\"", "\"\\ud83d\\ude00\"");
        for layout in [
            text.clone(),
            // Keys sorted: the bindings come before the roles, the accounts after the
            // namespaces, so some lists wait for what they depend on.
            value.to_string(),
            serde_json::to_string_pretty(&value).expect("JSON"),
            escaped,
            text.replace(
                "\"kind\": \"unique\"",
                "\"kind\": \"unique\", \"impersonate\": null",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            // The escaped layout's group name, an emoji, is refused both ways.
            let loaded = agrees(layout.1.as_bytes());
            assert_eq!(loaded, layout.0 != 3, "layout {}", layout.0);
        }
    }

    /// A small deterministic generator.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) as usize) % n.max(1)
        }
    }

    #[test]
    fn damaged_documents_are_read_or_refused_as_serde_reads_or_refuses_them() {
        let base = example().into_bytes();
        let pieces: &[&[u8]] = &[
            b"\"",
            b"\\",
            b"\\u0041",
            b"\\ud800",
            b"\\udc00",
            b"\\ud83d\\ude00",
            b"\\x",
            b"null",
            b"0",
            b"01",
            b"1.0",
            b"-1",
            b"1e3",
            b"4294967296",
            b" ",
            b"\n",
            b",",
            b":",
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"x\"",
            b"true",
            b"\x01",
            b"\xc3\xa9",
            b"\xff",
            b"\"kind\": \"User\", ",
            b"\"name\": \"a\", ",
            b"\"extra\": 1, ",
            b"\"id\": null, ",
        ];
        let mut rng = Lcg(0x5eed);
        let (mut loaded, mut refused) = (0, 0);
        for _ in 0..1500 {
            let mut text = base.clone();
            for _ in 0..1 + rng.below(2) {
                let at = rng.below(text.len());
                match rng.below(3) {
                    0 => {
                        let end = (at + 1 + rng.below(3)).min(text.len());
                        text.drain(at..end);
                    }
                    1 => {
                        let piece = pieces[rng.below(pieces.len())];
                        text.splice(at..at, piece.iter().copied());
                    }
                    _ => {
                        // Repeat a key with its value's first bytes.
                        let end = (at + 8 + rng.below(24)).min(text.len());
                        let copy: Vec<u8> = text[at..end].to_vec();
                        text.splice(at..at, copy);
                    }
                }
            }
            if agrees(&text) {
                loaded += 1;
            } else {
                refused += 1;
            }
        }
        assert!(
            loaded > 200 && refused > 200,
            "loaded {loaded}, refused {refused}"
        );
    }

    #[test]
    fn items_read_here_are_the_items_serde_reads() {
        let items = [
            r#"{"namespace": "n", "name": "a", "uid": "u"}"#,
            r#"{"namespace": "n", "name": "a", "uid": "u", "kind": "impersonating", "impersonate": "x", "expires_at": null, "secrets": ["s", "t\\"q"]}"#,
            r#"{"namespace": "n", "name": "a", "uid": "u", "id": null, "id": "x"}"#,
            r#"{"namespace": "n", "name": "a"}"#,
            r#"{"namespace": "n", "name": "a", "uid": "u", "secrets": null}"#,
            r#"{"namespace": "n", "name": "a", "uid": "u", "kind": null}"#,
            r#"{"namespace": "n", "name": "a", "uid": "u", "Kind": "unique"}"#,
            r#"["n", "a", "u"]"#,
        ];
        for text in items {
            let here = account(&mut Cursor::new(text), vec![Str::borrowed("left over")]);
            match (here, serde_json::from_str::<schema::ServiceAccount>(text)) {
                (Ok(here), Ok(serde)) => assert_eq!(here, ServiceAccount::from(&serde), "{text}"),
                (Err(_), Err(_)) => {}
                // serde's derived reading also takes a struct written as an array; the
                // schema does not.
                (Err(_), Ok(_)) if text.starts_with('[') => {}
                (here, serde) => panic!("{text}: {here:?}, serde: {serde:?}"),
            }
        }
        let bindings = [
            r#"{"name": "b", "namespace": "n", "roleRef": {"kind": "Role", "name": "r"}}"#,
            r#"{"name": "b", "namespace": "n", "roleRef": {"kind": "Role", "name": "r", "apiGroup": null}, "subjects": [{"kind": "User", "name": "\u00fc\/"}]}"#,
            r#"{"name": "b", "namespace": "n", "roleRef": {"kind": "Role", "name": "r"}, "subjects": null}"#,
            r#"{"name": "b", "namespace": "n", "roleRef": {"kind": "Role"}}"#,
            r#"{"name": "b", "roleRef": {"kind": "Role", "name": "r"}}"#,
        ];
        for text in bindings {
            let here = role_binding(&mut Cursor::new(text), Vec::new());
            match (here, serde_json::from_str::<schema::RoleBinding>(text)) {
                (Ok(here), Ok(serde)) => assert_eq!(here, RoleBinding::from(&serde), "{text}"),
                (Err(_), Err(_)) => {}
                (here, serde) => panic!("{text}: {here:?}, serde: {serde:?}"),
            }
        }
    }

    #[test]
    fn keys_are_told_apart_exactly() {
        let keys = [
            ("namespace", Key::Namespace),
            ("name", Key::Name),
            ("uid", Key::Uid),
            ("id", Key::Id),
            ("kind", Key::Kind),
            ("impersonate", Key::Impersonate),
            ("expires_at", Key::ExpiresAt),
            ("secrets", Key::Secrets),
            ("revoked_at", Key::RevokedAt),
            ("apiGroup", Key::ApiGroup),
            ("roleRef", Key::RoleRef),
            ("subjects", Key::Subjects),
        ];
        for (text, key) in keys {
            assert_eq!(Key::of(text), key, "{text}");
            // Any one byte changed, one added or one removed: another key.
            for at in 0..text.len() {
                let mut near = text.as_bytes().to_vec();
                near[at] ^= 0x20;
                let near = String::from_utf8(near).expect("ASCII");
                assert_eq!(Key::of(&near), Key::Other, "{near}");
                let shorter = format!("{}{}", &text[..at], &text[at + 1..]);
                assert_ne!(Key::of(&shorter), key, "{shorter}");
            }
            assert_eq!(Key::of(&format!("{text}s")), Key::Other, "{text}s");
        }
        assert_eq!(Key::of(""), Key::Other);
        let mut rng = Lcg(3);
        for _ in 0..20_000 {
            let len = rng.below(18);
            let a: Vec<u8> = (0..len).map(|_| b'a' + rng.below(3) as u8).collect();
            let b: Vec<u8> = (0..len).map(|_| b'a' + rng.below(3) as u8).collect();
            assert_eq!(same_short(&a, &b), len <= 16 && a == b, "{a:?} {b:?}");
        }
    }
}
