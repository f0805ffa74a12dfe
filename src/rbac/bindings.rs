//! RoleBindings and ClusterRoleBindings: checked once, each resolved to its role's effective
//! rules, and indexed by subject (user name, group name; role bindings also by namespace), so a
//! decision looks up the few bindings that name the caller instead of scanning them all.
//!
//! What is kept is compact: the bindings' and subjects' strings are spans of one buffer
//! (namespaces and role names stored once), and the subject index is one hash table of keys
//! (namespace or cluster scope, user or group, name) with each key's slots in one array.

use foldhash::fast::RandomState;
use hashbrown::HashTable;

use super::decision::{BindingKind, RoleKind, SubjectKind};
use super::roles::{check_object_name, RoleTable};
use crate::bundle::source::{ClusterRoleBinding, RoleBinding, RoleRef, Subject};
use crate::bundle::strings::{hash_parts, Index, Interner, Span, Strings};
use crate::bundle::{At, NamespaceTree, Problems};
use crate::identity::Identity;
use crate::names::{check_dns1123_label, SERVICE_ACCOUNT_USER_PREFIX};

/// The API group of RBAC objects (`roleRef.apiGroup`, User and Group subjects).
pub(crate) const RBAC_API_GROUP: &str = "rbac.authorization.k8s.io";

/// A binding as a decision reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BindingRef<'a> {
    /// RoleBinding or ClusterRoleBinding.
    pub(crate) kind: BindingKind,
    /// The binding's name.
    pub(crate) name: &'a str,
    /// A RoleBinding's namespace.
    pub(crate) namespace: Option<&'a str>,
    /// Role or ClusterRole.
    pub(crate) role_kind: RoleKind,
    /// The role's name.
    pub(crate) role_name: &'a str,
    /// The role's effective rules (a [`RoleTable`] rule list); `None` when the role does not
    /// exist (Kubernetes then reports it not found).
    pub(crate) rules: Option<usize>,
}

/// A binding subject as a decision reads it, with a ServiceAccount's namespace defaulted to
/// the RoleBinding's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SubjectRef<'a> {
    /// User, Group or ServiceAccount.
    pub(crate) kind: SubjectKind,
    /// Its name.
    pub(crate) name: &'a str,
    /// A ServiceAccount's namespace.
    pub(crate) namespace: Option<&'a str>,
}

/// A binding, as kept.
#[derive(Debug, Clone, Copy)]
struct Binding {
    kind: BindingKind,
    role_kind: RoleKind,
    name: Span,
    namespace: Option<Span>,
    role_name: Span,
    rules: Option<usize>,
}

/// A subject, as kept.
#[derive(Debug, Clone, Copy)]
struct KeptSubject {
    kind: SubjectKind,
    name: Span,
    namespace: Option<Span>,
}

/// Which subject of which binding names the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Slot {
    /// Index of the binding: ClusterRoleBindings first, then RoleBindings, in bundle order.
    pub(crate) binding: usize,
    /// Index of the subject among all bindings' subjects (in binding order).
    pub(crate) subject: usize,
}

/// What the subject index is keyed by: a user or group name, in the scope of the
/// ClusterRoleBindings (`scope` none) or of the RoleBindings of one namespace.
#[derive(Debug, Clone, Copy)]
struct Key {
    scope: Option<Span>,
    group: bool,
    /// User names of ServiceAccount subjects are `system:serviceaccount:<ns>:<name>`.
    name: Span,
}

/// Bindings by subject.
#[derive(Debug, Default)]
struct SubjectIndex {
    hasher: RandomState,
    keys: Vec<Key>,
    /// Key numbers, by `(scope, group, name)`.
    table: HashTable<usize>,
    /// `slots[starts[k]..starts[k + 1]]` are the slots of key `k`, in binding order.
    starts: Vec<usize>,
    slots: Vec<Slot>,
}

impl SubjectIndex {
    fn hash(&self, scope: Option<&str>, group: bool, name: &str) -> u64 {
        key_hash(&self.hasher, scope, group, name)
    }

    /// The number of the key, if the index has it.
    fn find(
        &self,
        strings: &Strings,
        scope: Option<&str>,
        group: bool,
        name: &str,
    ) -> Option<usize> {
        let hash = self.hash(scope, group, name);
        let same = |k: &usize| {
            self.keys.get(*k).is_some_and(|key| {
                key.group == group
                    && strings.get(key.name) == name
                    && key.scope.map(|s| strings.get(s)) == scope
            })
        };
        self.table.find(hash, same).copied()
    }

    /// The number of a new key (`find` does not have it).
    fn insert(&mut self, strings: &Strings, key: Key) -> usize {
        let text = |key: &Key| {
            (
                key.scope.map(|s| strings.get(s)),
                key.group,
                strings.get(key.name),
            )
        };
        let (scope, group, name) = text(&key);
        let hash = self.hash(scope, group, name);
        let number = self.keys.len();
        self.keys.push(key);
        let (keys, hasher) = (&self.keys, &self.hasher);
        let rehash = |k: &usize| {
            let (scope, group, name) = keys.get(*k).map(text).unwrap_or_default();
            key_hash(hasher, scope, group, name)
        };
        self.table.insert_unique(hash, number, rehash);
        number
    }

    /// Lays out the slots of each key, from `(key, slot)` pairs in binding order.
    fn finish(&mut self, pending: Vec<(usize, Slot)>) {
        let mut starts = vec![0; self.keys.len() + 1];
        for (key, _) in &pending {
            if let Some(n) = starts.get_mut(key + 1) {
                *n += 1;
            }
        }
        for k in 1..starts.len() {
            let before = starts.get(k - 1).copied().unwrap_or_default();
            if let Some(n) = starts.get_mut(k) {
                *n += before;
            }
        }
        let mut next = starts.clone();
        let mut slots = vec![Slot::default(); pending.len()];
        for (key, slot) in pending {
            let Some(at) = next.get_mut(key) else {
                continue;
            };
            if let Some(place) = slots.get_mut(*at) {
                *place = slot;
            }
            *at += 1;
        }
        self.starts = starts;
        self.slots = slots;
    }

    /// The slots of key `k`.
    fn slots(&self, k: usize) -> &[Slot] {
        let (Some(&start), Some(&end)) = (self.starts.get(k), self.starts.get(k + 1)) else {
            return &[];
        };
        self.slots.get(start..end).unwrap_or_default()
    }

    /// Adds the slots naming the identity (its user name or a group) in `scope`.
    fn collect(
        &self,
        strings: &Strings,
        scope: Option<&str>,
        identity: &Identity,
        into: &mut Vec<Slot>,
    ) {
        if let Some(k) = self.find(strings, scope, false, &identity.username) {
            into.extend_from_slice(self.slots(k));
        }
        for group in &identity.groups {
            if let Some(k) = self.find(strings, scope, true, group) {
                into.extend_from_slice(self.slots(k));
            }
        }
    }
}

/// The hash of a subject index key.
fn key_hash(state: &RandomState, scope: Option<&str>, group: bool, name: &str) -> u64 {
    let kind = [u8::from(scope.is_some()), u8::from(group)];
    let scope = scope.unwrap_or_default().as_bytes();
    hash_parts(state, &[&kind, scope, name.as_bytes()])
}

/// A subject that passed the checks: its kind, name and (ServiceAccount) namespace.
#[derive(Debug, Clone, Copy)]
struct Checked<'a> {
    kind: SubjectKind,
    name: &'a str,
    namespace: Option<&'a str>,
}

/// What indexing needs while it runs, dropped after.
#[derive(Debug, Default)]
struct Building {
    interner: Interner,
    /// `(key, slot)` for every indexed subject, in binding order.
    pending: Vec<(usize, Slot)>,
    /// The user name of a ServiceAccount subject being indexed.
    username: String,
}

/// All bindings, indexed by subject.
#[derive(Debug, Default)]
pub(crate) struct BindingIndex {
    strings: Strings,
    bindings: Vec<Binding>,
    subjects: Vec<KeptSubject>,
    index: SubjectIndex,
}

impl BindingIndex {
    /// Checks and indexes the document's bindings against its roles.
    pub(crate) fn compile(
        role_bindings: &[RoleBinding<'_>],
        cluster_role_bindings: &[ClusterRoleBinding<'_>],
        namespaces: &NamespaceTree,
        roles: &RoleTable,
        problems: &mut Problems,
    ) -> BindingIndex {
        let count = cluster_role_bindings.len() + role_bindings.len();
        let subject_count = cluster_role_bindings
            .iter()
            .map(|b| b.subjects.len())
            .sum::<usize>()
            + role_bindings
                .iter()
                .map(|b| b.subjects.len())
                .sum::<usize>();
        let mut index = BindingIndex {
            strings: Strings::with_capacity(count * 16),
            bindings: Vec::with_capacity(count),
            subjects: Vec::with_capacity(subject_count),
            index: SubjectIndex {
                keys: Vec::with_capacity(subject_count),
                table: HashTable::with_capacity(subject_count),
                ..SubjectIndex::default()
            },
        };
        let mut building = Building {
            pending: Vec::with_capacity(subject_count),
            ..Building::default()
        };
        let mut checked = Vec::new();
        let mut names = Index::with_capacity(cluster_role_bindings.len());
        let name_of = |n: usize| cluster_role_bindings.get(n).map(|b| &*b.name);
        for (i, b) in cluster_role_bindings.iter().enumerate() {
            let at = At::new("cluster_role_bindings", i);
            check_object_name(&b.name, at, problems);
            if names.replace(i, &*b.name, name_of).is_some() {
                problems.push(at.field("name"), format!("{:?} is defined twice", b.name));
            }
            let rules = resolve_cluster_role_ref(&b.role_ref, at, roles, problems);
            check_subjects(&b.subjects, None, at, namespaces, problems, &mut checked);
            let Some(rules) = rules else {
                continue;
            };
            let binding = (BindingKind::ClusterRoleBinding, &*b.name, None);
            let role = (RoleKind::ClusterRole, &*b.role_ref.name, rules);
            index.add(binding, role, &checked, &mut building);
        }
        let mut names = Index::with_capacity(role_bindings.len());
        let name_of = |n: usize| role_bindings.get(n).map(|b| (&*b.namespace, &*b.name));
        for (i, b) in role_bindings.iter().enumerate() {
            let at = At::new("role_bindings", i);
            check_object_name(&b.name, at, problems);
            if !namespaces.contains(&b.namespace) {
                problems.push(
                    at.field("namespace"),
                    format!("{:?} is not a defined namespace", b.namespace),
                );
            }
            if names
                .replace(i, (&*b.namespace, &*b.name), name_of)
                .is_some()
            {
                problems.push(
                    at.field("name"),
                    format!(
                        "{:?} is defined twice in namespace {:?}",
                        b.name, b.namespace
                    ),
                );
            }
            let role = resolve_role_ref(&b.role_ref, &b.namespace, at, roles, problems);
            let namespace = Some(&*b.namespace);
            check_subjects(
                &b.subjects,
                namespace,
                at,
                namespaces,
                problems,
                &mut checked,
            );
            let Some((role_kind, rules)) = role else {
                continue;
            };
            let binding = (BindingKind::RoleBinding, &*b.name, namespace);
            let role = (role_kind, &*b.role_ref.name, rules);
            index.add(binding, role, &checked, &mut building);
        }
        index.index.finish(building.pending);
        index.strings.shrink_to_fit();
        index
    }

    /// Keeps a binding `(kind, name, namespace)` of the role `(kind, name, rules)` with its
    /// checked subjects, and indexes them.
    fn add(
        &mut self,
        (kind, name, namespace): (BindingKind, &str, Option<&str>),
        (role_kind, role_name, rules): (RoleKind, &str, Option<usize>),
        subjects: &[Checked<'_>],
        building: &mut Building,
    ) {
        let strings = &mut self.strings;
        let scope = namespace.map(|ns| building.interner.intern(strings, ns));
        let binding = self.bindings.len();
        for subject in subjects {
            let kept = self.subject(scope, subject, building);
            let slot = Slot {
                binding,
                subject: self.subjects.len(),
            };
            self.subjects.push(kept.0);
            if let Some(key) = kept.1 {
                building.pending.push((key, slot));
            }
        }
        let strings = &mut self.strings;
        self.bindings.push(Binding {
            kind,
            role_kind,
            name: strings.push(name),
            namespace: scope,
            role_name: building.interner.intern(strings, role_name),
            rules,
        });
    }

    /// Keeps a subject of a binding of `scope`, with the key it is indexed under (none for a
    /// ServiceAccount without a namespace, which names nobody).
    fn subject(
        &mut self,
        scope: Option<Span>,
        subject: &Checked<'_>,
        building: &mut Building,
    ) -> (KeptSubject, Option<usize>) {
        let (group, key_name) = match (subject.kind, subject.namespace) {
            (SubjectKind::User, _) => (false, subject.name),
            (SubjectKind::Group, _) => (true, subject.name),
            (SubjectKind::ServiceAccount, Some(ns)) => {
                let username = &mut building.username;
                username.clear();
                username.push_str(SERVICE_ACCOUNT_USER_PREFIX);
                username.push_str(ns);
                username.push(':');
                username.push_str(subject.name);
                (false, username.as_str())
            }
            (SubjectKind::ServiceAccount, None) => {
                let name = self.strings.push(subject.name);
                let kept = KeptSubject {
                    kind: subject.kind,
                    name,
                    namespace: None,
                };
                return (kept, None);
            }
        };
        let scope_text = scope.map(|s| self.strings.get(s));
        let key = match self.index.find(&self.strings, scope_text, group, key_name) {
            Some(key) => key,
            None => {
                let name = self.strings.push(key_name);
                self.index.insert(&self.strings, Key { scope, group, name })
            }
        };
        let name = self.index.keys.get(key).map(|k| k.name).unwrap_or_default();
        let kept = match subject.namespace {
            // The namespace and name are parts of the user name.
            Some(ns) => {
                let from = SERVICE_ACCOUNT_USER_PREFIX.len();
                KeptSubject {
                    kind: subject.kind,
                    name: name.rest(from + ns.len() + 1),
                    namespace: Some(name.part(from, ns.len())),
                }
            }
            None => KeptSubject {
                kind: subject.kind,
                name,
                namespace: None,
            },
        };
        (kept, Some(key))
    }

    /// The bindings naming the identity that apply: every ClusterRoleBinding, and the
    /// RoleBindings of `namespace` when given. In Kubernetes' order (ClusterRoleBindings first,
    /// bundle order), each binding once, with the first of its subjects that names the caller.
    pub(crate) fn applicable(
        &self,
        identity: &Identity,
        namespace: Option<&str>,
    ) -> Vec<(Slot, BindingRef<'_>)> {
        let mut slots = Vec::new();
        self.index
            .collect(&self.strings, None, identity, &mut slots);
        if let Some(ns) = namespace {
            self.index
                .collect(&self.strings, Some(ns), identity, &mut slots);
        }
        slots.sort_unstable();
        slots.dedup_by_key(|slot| slot.binding);
        slots
            .into_iter()
            .filter_map(|slot| Some((slot, self.binding(slot.binding)?)))
            .collect()
    }

    fn binding(&self, index: usize) -> Option<BindingRef<'_>> {
        let b = self.bindings.get(index)?;
        Some(BindingRef {
            kind: b.kind,
            name: self.strings.get(b.name),
            namespace: b.namespace.map(|s| self.strings.get(s)),
            role_kind: b.role_kind,
            role_name: self.strings.get(b.role_name),
            rules: b.rules,
        })
    }

    /// The subject of a slot.
    pub(crate) fn subject_of(&self, slot: Slot) -> Option<SubjectRef<'_>> {
        let s = self.subjects.get(slot.subject)?;
        Some(SubjectRef {
            kind: s.kind,
            name: self.strings.get(s.name),
            namespace: s.namespace.map(|ns| self.strings.get(ns)),
        })
    }
}

/// A ClusterRoleBinding's `roleRef`: a ClusterRole. `None` when the kind is wrong.
fn resolve_cluster_role_ref(
    role_ref: &RoleRef<'_>,
    at: At<'_>,
    roles: &RoleTable,
    problems: &mut Problems,
) -> Option<Option<usize>> {
    check_role_ref_group(role_ref, at, problems);
    match &*role_ref.kind {
        "ClusterRole" => Some(resolve_cluster_role(role_ref, at, roles, problems)),
        "Role" => {
            problems.push(
                at.field("roleRef.kind"),
                "\"Role\" is not allowed (a ClusterRoleBinding references a ClusterRole)",
            );
            None
        }
        other => {
            problems.push(
                at.field("roleRef.kind"),
                format!("{other:?} is not a valid kind (expected \"ClusterRole\")"),
            );
            None
        }
    }
}

/// A RoleBinding's `roleRef`: a Role of its namespace or a ClusterRole. `None` when the kind
/// is wrong.
fn resolve_role_ref(
    role_ref: &RoleRef<'_>,
    namespace: &str,
    at: At<'_>,
    roles: &RoleTable,
    problems: &mut Problems,
) -> Option<(RoleKind, Option<usize>)> {
    check_role_ref_group(role_ref, at, problems);
    let Some(kind) = RoleKind::parse(&role_ref.kind) else {
        problems.push(
            at.field("roleRef.kind"),
            format!(
                "{:?} is not a valid kind (expected \"Role\" or \"ClusterRole\")",
                role_ref.kind
            ),
        );
        return None;
    };
    let rules = match kind {
        RoleKind::ClusterRole => resolve_cluster_role(role_ref, at, roles, problems),
        RoleKind::Role => {
            let name = &role_ref.name;
            let rules = roles.role(namespace, name);
            if rules.is_none() {
                let why = if name.is_empty() {
                    "must not be empty".to_string()
                } else {
                    format!("{name:?} is not a Role of namespace {namespace:?}")
                };
                problems.push(at.field("roleRef.name"), why);
            }
            rules
        }
    };
    Some((kind, rules))
}

fn resolve_cluster_role(
    role_ref: &RoleRef<'_>,
    at: At<'_>,
    roles: &RoleTable,
    problems: &mut Problems,
) -> Option<usize> {
    let name = &role_ref.name;
    let rules = roles.cluster_role(name);
    if rules.is_none() {
        let why = if name.is_empty() {
            "must not be empty".to_string()
        } else {
            format!("{name:?} is not a defined ClusterRole")
        };
        problems.push(at.field("roleRef.name"), why);
    }
    rules
}

fn check_role_ref_group(role_ref: &RoleRef<'_>, at: At<'_>, problems: &mut Problems) {
    if let Some(group) = &role_ref.api_group {
        if &**group != RBAC_API_GROUP {
            problems.push(
                at.field("roleRef.apiGroup"),
                format!("{group:?} is not supported (expected {RBAC_API_GROUP:?})"),
            );
        }
    }
}

/// Checks subjects, and lists those of a known kind in `out` (emptied first).
/// `binding_namespace` is a RoleBinding's namespace (a ServiceAccount subject's default);
/// `None` for a ClusterRoleBinding, whose ServiceAccount subjects must name their namespace.
fn check_subjects<'a>(
    subjects: &'a [Subject<'_>],
    binding_namespace: Option<&'a str>,
    binding: At<'_>,
    namespaces: &NamespaceTree,
    problems: &mut Problems,
    out: &mut Vec<Checked<'a>>,
) {
    out.clear();
    for (k, s) in subjects.iter().enumerate() {
        let at = binding.item("subjects", k);
        let Some(kind) = SubjectKind::parse(&s.kind) else {
            problems.push(
                at.field("kind"),
                format!(
                    "{:?} is not a valid subject kind (expected \"User\", \"Group\" or \"ServiceAccount\")",
                    s.kind
                ),
            );
            continue;
        };
        if s.name.is_empty() {
            problems.push(at.field("name"), "must not be empty");
        }
        let namespace = match kind {
            SubjectKind::ServiceAccount => {
                check_service_account_subject(s, binding_namespace, at, namespaces, problems)
            }
            SubjectKind::User | SubjectKind::Group => {
                if let Some(ns) = &s.namespace {
                    problems.push(
                        at.field("namespace"),
                        format!(
                            "{ns:?} given for a {kind} subject (only ServiceAccount subjects have a namespace)"
                        ),
                    );
                }
                if let Some(group) = s.api_group.as_deref().filter(|g| *g != RBAC_API_GROUP) {
                    problems.push(
                        at.field("apiGroup"),
                        format!(
                            "{group:?} is not supported for a {kind} subject (expected {RBAC_API_GROUP:?})"
                        ),
                    );
                }
                None
            }
        };
        out.push(Checked {
            kind,
            name: &s.name,
            namespace,
        });
    }
}

/// A ServiceAccount subject: a valid account name, `apiGroup` `""`, and a defined namespace
/// (its own, or the RoleBinding's). Returns the namespace.
fn check_service_account_subject<'a>(
    s: &'a Subject<'_>,
    binding_namespace: Option<&'a str>,
    at: At<'_>,
    namespaces: &NamespaceTree,
    problems: &mut Problems,
) -> Option<&'a str> {
    if !s.name.is_empty() {
        if let Err(why) = check_dns1123_label(&s.name) {
            problems.push(at.field("name"), why);
        }
    }
    if let Some(group) = s.api_group.as_deref().filter(|g| !g.is_empty()) {
        problems.push(
            at.field("apiGroup"),
            format!("{group:?} is not supported for a ServiceAccount subject (expected \"\")"),
        );
    }
    match (&s.namespace, binding_namespace) {
        (Some(ns), _) => {
            if !namespaces.contains(ns) {
                problems.push(
                    at.field("namespace"),
                    format!("{ns:?} is not a defined namespace"),
                );
            }
            Some(ns)
        }
        (None, Some(ns)) => Some(ns),
        (None, None) => {
            problems.push(
                at.field("namespace"),
                "missing: a ServiceAccount subject of a ClusterRoleBinding names its namespace",
            );
            None
        }
    }
}
