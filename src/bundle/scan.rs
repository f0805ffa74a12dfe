//! A fast reader for the common document: it takes the long lists (accounts, revocations,
//! bindings) one item at a time, straight from the text into loading (`load.rs`), without
//! building them, and hands each short section to serde_json as it stands.
//!
//! It reads only what it is sure serde_json reads the same way: objects of known keys, each
//! once, with the required ones present; strings without escapes or control characters;
//! unsigned integers as serde_json takes them. On anything else (an escape, an unknown or
//! repeated key, a `null` serde would refuse, trailing characters, invalid UTF-8, ...) it gives
//! up, and the document is read again by serde_json as `schema.rs` describes it
//! ([`super::parse_document`]): same outcome, the precise error when there is one, only slower.
//! The tests below hold the two readings to the same outcomes.

use std::borrow::Cow;

use serde::de::DeserializeOwned;

use super::error::BundleError;
use super::load::{Head, Loading};
use super::schema::{
    AccountKind, ClusterRole, Directory, Issuer, Namespace, Role, Route, Settings,
};
use super::source::{ClusterRoleBinding, RoleBinding, RoleRef, ServiceAccount, Str, Subject};
use super::Bundle;
use crate::cursor::{unescape, Cursor, GiveUp, Read};

/// Loads a document, or gives up (see the module's documentation).
pub(crate) fn load(bytes: &[u8]) -> Read<Result<Bundle, BundleError>> {
    let text = std::str::from_utf8(bytes).map_err(|_| GiveUp)?;
    let mut c = Cursor { text, at: 0 };
    let mut loading = Loading::default();
    let mut top = Top::default();
    c.object(&mut |c, key| top.field(c, key, &mut loading))?;
    c.ws();
    if c.at != text.len() {
        return Err(GiveUp);
    }
    let head = Head {
        version: top.version.ok_or(GiveUp)?,
        revision: top.revision.ok_or(GiveUp)?,
        issued_at: top.issued_at.ok_or(GiveUp)?,
        expires_at: top.expires_at.flatten(),
    };
    loading.all_known();
    let spare = &mut top.spare;
    if let Some(list) = top.deferred_accounts {
        Cursor::new(list).array(&mut |c, i| accounts(c, i, &mut loading, spare))?;
        loading.end_accounts();
    }
    if let Some(list) = top.deferred_cluster_role_bindings {
        let list = &mut Cursor::new(list);
        list.array(&mut |c, i| cluster_role_bindings(c, i, &mut loading, spare))?;
    }
    if let Some(list) = top.deferred_role_bindings {
        Cursor::new(list).array(&mut |c, i| role_bindings(c, i, &mut loading, spare))?;
    }
    Ok(loading.finish(head))
}

/// The document's own fields, and the long lists met before what they depend on.
#[derive(Debug, Default)]
struct Top<'a> {
    /// The keys read so far (one bit each, in `KEYS` order).
    seen: u32,
    version: Option<u32>,
    revision: Option<u64>,
    issued_at: Option<Str<'a>>,
    expires_at: Option<Option<Str<'a>>>,
    deferred_accounts: Option<&'a str>,
    deferred_cluster_role_bindings: Option<&'a str>,
    deferred_role_bindings: Option<&'a str>,
    spare: Spare<'a>,
}

/// The document's keys, as `schema::BundleDocument` names them.
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
    fn field(&mut self, c: &mut Cursor<'a>, key: &str, loading: &mut Loading<'a>) -> Read<()> {
        let bit = KEYS.iter().position(|k| *k == key).ok_or(GiveUp)?;
        if self.seen & (1 << bit) != 0 {
            return Err(GiveUp);
        }
        self.seen |= 1 << bit;
        match key {
            "version" => {
                let n = c.unsigned(u64::from(u32::MAX))?;
                self.version = Some(u32::try_from(n).map_err(|_| GiveUp)?);
            }
            "revision" => self.revision = Some(c.unsigned(u64::MAX)?),
            "issued_at" => self.issued_at = Some(c.value()?),
            "expires_at" => self.expires_at = Some(c.optional()?),
            "settings" => loading.settings(Cow::Owned(c.serde::<Settings>()?)),
            "issuers" => loading.issuers(Cow::Owned(c.serde::<Vec<Issuer>>()?)),
            "namespaces" => loading.namespaces(&c.serde::<Vec<Namespace>>()?),
            "directory" => loading.directory(c.serde::<Directory>()?),
            "roles" => loading.roles(Cow::Owned(c.serde::<Vec<Role>>()?)),
            "cluster_roles" => loading.cluster_roles(Cow::Owned(c.serde::<Vec<ClusterRole>>()?)),
            "routes" => loading.routes(Cow::Owned(c.serde::<Vec<Route>>()?)),
            "revocations" => c.array(&mut |c, _| {
                loading.revocation(&revocation(c)?);
                Ok(())
            })?,
            "service_accounts" if loading.has_namespaces() => {
                c.array(&mut |c, i| accounts(c, i, loading, &mut self.spare))?;
                loading.end_accounts();
            }
            "service_accounts" => self.deferred_accounts = Some(c.skip()?),
            "cluster_role_bindings" if loading.ready_for_bindings() => {
                c.array(&mut |c, i| cluster_role_bindings(c, i, loading, &mut self.spare))?;
            }
            "cluster_role_bindings" => self.deferred_cluster_role_bindings = Some(c.skip()?),
            "role_bindings" if loading.ready_for_bindings() => {
                c.array(&mut |c, i| role_bindings(c, i, loading, &mut self.spare))?;
            }
            "role_bindings" => self.deferred_role_bindings = Some(c.skip()?),
            _ => return Err(GiveUp),
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
) -> Read<()> {
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
) -> Read<()> {
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
) -> Read<()> {
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

/// Sets a field read once; a repeated key gives up (serde refuses it).
fn once<T>(slot: &mut Option<T>, value: T) -> Read<()> {
    if slot.is_some() {
        return Err(GiveUp);
    }
    *slot = Some(value);
    Ok(())
}

/// A required field.
fn required<T>(value: Option<T>) -> Read<T> {
    value.ok_or(GiveUp)
}

/// A service account ([`ServiceAccount`]), its secrets in `list` (emptied first).
fn account<'a>(c: &mut Cursor<'a>, mut list: Vec<Str<'a>>) -> Read<ServiceAccount<'a>> {
    list.clear();
    let (mut namespace, mut name, mut uid, mut id) = (None, None, None, None);
    let (mut kind, mut impersonate, mut expires_at, mut secrets) = (None, None, None, None);
    c.object(&mut |c, key| match Key::of(key) {
        Key::Namespace => once(&mut namespace, c.value()?),
        Key::Name => once(&mut name, c.value()?),
        Key::Uid => once(&mut uid, c.value()?),
        Key::Id => once(&mut id, c.optional()?),
        Key::Kind => once(&mut kind, account_kind(c.string()?)?),
        Key::Impersonate => once(&mut impersonate, c.optional()?),
        Key::ExpiresAt => once(&mut expires_at, c.optional()?),
        Key::Secrets => {
            once(&mut secrets, ())?;
            c.array(&mut |c, _| {
                list.push(c.value()?);
                Ok(())
            })
        }
        _ => Err(GiveUp),
    })?;
    Ok(ServiceAccount {
        namespace: required(namespace)?,
        name: required(name)?,
        uid: required(uid)?,
        id: id.flatten(),
        kind: kind.unwrap_or_default(),
        impersonate: impersonate.flatten(),
        expires_at: expires_at.flatten(),
        secrets: list,
    })
}

fn account_kind(kind: &str) -> Read<AccountKind> {
    match kind {
        "unique" => Ok(AccountKind::Unique),
        "impersonating" => Ok(AccountKind::Impersonating),
        _ => Err(GiveUp),
    }
}

/// A revocation's token id (its `revoked_at` is read and left).
fn revocation<'a>(c: &mut Cursor<'a>) -> Read<Str<'a>> {
    let (mut id, mut revoked_at) = (None, None);
    c.object(&mut |c, key| match Key::of(key) {
        Key::Id => once(&mut id, c.value()?),
        Key::RevokedAt => once(&mut revoked_at, c.optional()?),
        _ => Err(GiveUp),
    })?;
    id.ok_or(GiveUp)
}

/// A binding's `roleRef` ([`RoleRef`]).
fn role_ref<'a>(c: &mut Cursor<'a>) -> Read<RoleRef<'a>> {
    let (mut kind, mut name, mut api_group) = (None, None, None);
    c.object(&mut |c, key| match Key::of(key) {
        Key::Kind => once(&mut kind, c.value()?),
        Key::Name => once(&mut name, c.value()?),
        Key::ApiGroup => once(&mut api_group, c.optional()?),
        _ => Err(GiveUp),
    })?;
    Ok(RoleRef {
        kind: required(kind)?,
        name: required(name)?,
        api_group: api_group.flatten(),
    })
}

/// A binding's subjects ([`Subject`]), into `list`.
fn subjects<'a>(c: &mut Cursor<'a>, list: &mut Vec<Subject<'a>>) -> Read<()> {
    c.array(&mut |c, _| {
        let (mut kind, mut name, mut namespace, mut api_group) = (None, None, None, None);
        c.object(&mut |c, key| match Key::of(key) {
            Key::Kind => once(&mut kind, c.value()?),
            Key::Name => once(&mut name, c.value()?),
            Key::Namespace => once(&mut namespace, c.optional()?),
            Key::ApiGroup => once(&mut api_group, c.optional()?),
            _ => Err(GiveUp),
        })?;
        list.push(Subject {
            kind: required(kind)?,
            name: required(name)?,
            namespace: namespace.flatten(),
            api_group: api_group.flatten(),
        });
        Ok(())
    })
}

/// A RoleBinding ([`RoleBinding`]), its subjects in `list` (emptied first).
fn role_binding<'a>(c: &mut Cursor<'a>, mut list: Vec<Subject<'a>>) -> Read<RoleBinding<'a>> {
    list.clear();
    let (mut name, mut namespace, mut role, mut members) = (None, None, None, None);
    c.object(&mut |c, key| match Key::of(key) {
        Key::Name => once(&mut name, c.value()?),
        Key::Namespace => once(&mut namespace, c.value()?),
        Key::RoleRef => once(&mut role, role_ref(c)?),
        Key::Subjects => {
            once(&mut members, ())?;
            subjects(c, &mut list)
        }
        _ => Err(GiveUp),
    })?;
    Ok(RoleBinding {
        name: required(name)?,
        namespace: required(namespace)?,
        role_ref: required(role)?,
        subjects: list,
    })
}

/// A ClusterRoleBinding ([`ClusterRoleBinding`]), its subjects in `list` (emptied first).
fn cluster_role_binding<'a>(
    c: &mut Cursor<'a>,
    mut list: Vec<Subject<'a>>,
) -> Read<ClusterRoleBinding<'a>> {
    list.clear();
    let (mut name, mut role, mut members) = (None, None, None);
    c.object(&mut |c, key| match Key::of(key) {
        Key::Name => once(&mut name, c.value()?),
        Key::RoleRef => once(&mut role, role_ref(c)?),
        Key::Subjects => {
            once(&mut members, ())?;
            subjects(c, &mut list)
        }
        _ => Err(GiveUp),
    })?;
    Ok(ClusterRoleBinding {
        name: required(name)?,
        role_ref: required(role)?,
        subjects: list,
    })
}

/// The bundle's own steps.
impl<'a> Cursor<'a> {
    /// A string value: borrowed from the text, or with its escapes decoded as serde_json
    /// decodes them.
    fn value(&mut self) -> Read<Str<'a>> {
        match self.raw_string()? {
            Ok(text) => Ok(Str::borrowed(text)),
            Err(raw) => unescape(raw).map(Str::owned),
        }
    }

    /// A string value or `null`.
    fn optional(&mut self) -> Read<Option<Str<'a>>> {
        self.ws();
        if matches!(self.peek(), Some(b'n')) {
            return if self.literal("null") {
                Ok(None)
            } else {
                Err(GiveUp)
            };
        }
        self.value().map(Some)
    }

    /// The next value, read by serde_json (which must take all of it). From bytes, as
    /// `source.rs` reads them: the same code of serde_json's serves both.
    fn serde<T: DeserializeOwned>(&mut self) -> Read<T> {
        let text = self.skip()?;
        serde_json::from_slice(text.as_bytes()).map_err(|_| GiveUp)
    }
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

    /// Reads `text` both ways; true when this reader read it (the outcomes must agree).
    fn agrees(text: &[u8]) -> bool {
        let Ok(fast) = load(text) else {
            return false;
        };
        let label = String::from_utf8_lossy(text);
        assert_eq!(
            outcome(&fast, text),
            outcome(&by_serde(text), text),
            "{label}"
        );
        true
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
            assert!(
                agrees(layout.1.as_bytes()),
                "given up on layout {}",
                layout.0
            );
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
    fn what_this_reader_reads_of_damaged_documents_serde_reads_the_same() {
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
        let (mut read, mut given_up) = (0, 0);
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
                read += 1;
            } else {
                given_up += 1;
            }
        }
        assert!(
            read > 200 && given_up > 200,
            "read {read}, given up {given_up}"
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
            let mut c = Cursor::new(text);
            let fast = account(&mut c, vec![Str::borrowed("left over")]);
            let serde = serde_json::from_str::<schema::ServiceAccount>(text);
            if let Ok(fast) = fast {
                let serde = serde.expect(text);
                assert_eq!(fast, ServiceAccount::from(&serde), "{text}");
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
            let mut c = Cursor::new(text);
            let fast = role_binding(&mut c, Vec::new());
            let serde = serde_json::from_str::<schema::RoleBinding>(text);
            if let Ok(fast) = fast {
                let serde = serde.expect(text);
                assert_eq!(fast, RoleBinding::from(&serde), "{text}");
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
