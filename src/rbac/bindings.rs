//! RoleBindings and ClusterRoleBindings: checked once, each resolved to its role's effective
//! rules, and indexed by subject (user name, group name; role bindings also by namespace), so a
//! decision looks up the few bindings that name the caller instead of scanning them all.
//!
//! What is kept is compact: the bindings' and subjects' strings are spans of one buffer
//! (namespaces and role names stored once), and the subject index is one hash table of keys
//! (namespace or cluster scope, user or group, name) with each key's slots in one array.

use foldhash::fast::RandomState;

use super::decision::{BindingKind, RoleKind, SubjectKind};
use super::roles::{check_object_name, RoleTable};
use crate::bundle::source::{ClusterRoleBinding, RoleBinding, RoleRef, Subject};
use crate::bundle::strings::{self, hash_parts, same, Index, Interner, Span, Strings};
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
    /// A RoleBinding's (after the ClusterRoleBindings, as Kubernetes orders them).
    pub(crate) namespaced: bool,
    /// Index of the binding in its list (bundle order).
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

impl Key {
    /// The key as text.
    fn text<'s>(&self, strings: &'s Strings) -> KeyText<'s> {
        KeyText {
            scope: self.scope.map(|s| strings.get(s)),
            group: self.group,
            name: strings.get(self.name),
        }
    }
}

/// A subject index key as text, as the index hashes and compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeyText<'a> {
    scope: Option<&'a str>,
    group: bool,
    name: &'a str,
}

impl strings::Key for KeyText<'_> {
    fn hash(self, state: &RandomState) -> u64 {
        let kind = [u8::from(self.scope.is_some()), u8::from(self.group)];
        let scope = self.scope.unwrap_or_default().as_bytes();
        hash_parts(state, &[&kind, scope, self.name.as_bytes()])
    }

    fn same(self, other: Self) -> bool {
        let scopes = match (self.scope, other.scope) {
            (Some(a), Some(b)) => same(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        self.group == other.group && scopes && same(self.name, other.name)
    }
}

/// Bindings by subject.
#[derive(Debug, Default)]
struct SubjectIndex {
    keys: Vec<Key>,
    /// Key numbers, by [`KeyText`].
    table: Index,
    /// `slots[starts[k]..starts[k + 1]]` are the slots of key `k`, in binding order.
    starts: Vec<usize>,
    slots: Vec<Slot>,
}

impl SubjectIndex {
    /// The number of the key, if the index has it.
    fn find(&self, strings: &Strings, key: KeyText<'_>) -> Option<usize> {
        let key_of = |k: usize| Some(self.keys.get(k)?.text(strings));
        self.table.find(key, key_of)
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
        let user = KeyText {
            scope,
            group: false,
            name: &identity.username,
        };
        if let Some(k) = self.find(strings, user) {
            into.extend_from_slice(self.slots(k));
        }
        for group in &identity.groups {
            let group = KeyText {
                scope,
                group: true,
                name: group,
            };
            if let Some(k) = self.find(strings, group) {
                into.extend_from_slice(self.slots(k));
            }
        }
    }
}

/// A subject that passed the checks: its kind, name and (ServiceAccount) namespace.
#[derive(Debug, Clone, Copy)]
struct Checked<'a> {
    kind: SubjectKind,
    name: &'a str,
    namespace: Option<&'a str>,
}

/// All bindings, indexed by subject.
#[derive(Debug, Default)]
pub(crate) struct BindingIndex {
    strings: Strings,
    /// ClusterRoleBindings, then RoleBindings, each in bundle order. A binding whose
    /// `roleRef` kind is wrong (a refused bundle) is kept for the numbering, with no rules, and
    /// indexes no subject: no decision meets it.
    cluster: Vec<Binding>,
    namespaced: Vec<Binding>,
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
        let mut builder = BindingsBuilder::default();
        for (i, b) in cluster_role_bindings.iter().enumerate() {
            builder.cluster_role_binding(i, b, namespaces, roles, problems);
        }
        for (i, b) in role_bindings.iter().enumerate() {
            builder.role_binding(i, b, namespaces, roles, problems);
        }
        builder.finish()
    }

    /// The bindings naming the identity that apply: every ClusterRoleBinding, and the
    /// RoleBindings of `namespace` when given. In Kubernetes' order (ClusterRoleBindings first,
    /// bundle order), each binding once, with the first of its subjects that names the caller.
    pub(crate) fn applicable(
        &self,
        identity: &Identity,
        namespace: Option<&str>,
    ) -> impl Iterator<Item = (Slot, BindingRef<'_>)> + '_ {
        let mut slots = Vec::new();
        self.index
            .collect(&self.strings, None, identity, &mut slots);
        if let Some(ns) = namespace {
            self.index
                .collect(&self.strings, Some(ns), identity, &mut slots);
        }
        slots.sort_unstable();
        slots.dedup_by_key(|slot| (slot.namespaced, slot.binding));
        // Each binding looked up when reached: a search stops at the first that grants.
        slots
            .into_iter()
            .filter_map(move |slot| Some((slot, self.binding(slot)?)))
    }

    fn binding(&self, slot: Slot) -> Option<BindingRef<'_>> {
        let list = if slot.namespaced {
            &self.namespaced
        } else {
            &self.cluster
        };
        let b = list.get(slot.binding)?;
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

/// Bindings being checked and indexed, one at a time: ClusterRoleBindings and RoleBindings
/// each in bundle order (either list first).
#[derive(Debug, Default)]
pub(crate) struct BindingsBuilder {
    index: BindingIndex,
    interner: Interner,
    /// `(key, slot)` for every indexed subject.
    pending: Vec<(usize, Slot)>,
    /// The user name of a ServiceAccount subject being indexed.
    username: String,
    /// ClusterRoleBindings by name, RoleBindings by namespace and name (duplicates).
    cluster_by_name: Index,
    namespaced_by_name: Index,
    /// The interned name of each defined namespace met (by position in the tree), and the
    /// namespace looked up last (a subject's is often its binding's).
    namespace_spans: Vec<Option<Span>>,
    last_namespace: Option<(Span, bool)>,
    /// The interned name of each role met (by rule list).
    role_spans: Vec<Option<Span>>,
}

impl BindingsBuilder {
    /// Checks and indexes `cluster_role_bindings[i]`.
    pub(crate) fn cluster_role_binding(
        &mut self,
        i: usize,
        b: &ClusterRoleBinding<'_>,
        namespaces: &NamespaceTree,
        roles: &RoleTable,
        problems: &mut Problems,
    ) {
        let at = At::new("cluster_role_bindings", i);
        check_object_name(&b.name, at, problems);
        let name = self.index.strings.push(&b.name);
        let (strings, list) = (&self.index.strings, &self.index.cluster);
        let name_of = |n: usize| Some(strings.get(list.get(n)?.name));
        if self.cluster_by_name.replace(i, &*b.name, name_of).is_some() {
            problems.push(at.field("name"), format!("{:?} is defined twice", b.name));
        }
        let rules = resolve_cluster_role_ref(&b.role_ref, at, roles, problems);
        let mut subjects = self.subjects_of(false, rules.is_some(), None);
        for (k, s) in b.subjects.iter().enumerate() {
            let at = at.item("subjects", k);
            let defined = &mut |ns: &str| self.namespace(ns, namespaces).1;
            if let Some(checked) = check_subject(s, None, at, defined, problems) {
                subjects.add(self, checked);
            }
        }
        let role_name = self.role_name(&b.role_ref.name, rules.flatten());
        self.index.cluster.push(Binding {
            kind: BindingKind::ClusterRoleBinding,
            role_kind: RoleKind::ClusterRole,
            name,
            namespace: None,
            role_name,
            rules: rules.flatten(),
        });
    }

    /// Checks and indexes `role_bindings[i]`.
    pub(crate) fn role_binding(
        &mut self,
        i: usize,
        b: &RoleBinding<'_>,
        namespaces: &NamespaceTree,
        roles: &RoleTable,
        problems: &mut Problems,
    ) {
        let at = At::new("role_bindings", i);
        check_object_name(&b.name, at, problems);
        let (namespace, defined) = self.namespace(&b.namespace, namespaces);
        if !defined {
            problems.push(
                at.field("namespace"),
                format!("{:?} is not a defined namespace", b.namespace),
            );
        }
        let name = self.index.strings.push(&b.name);
        let (strings, list) = (&self.index.strings, &self.index.namespaced);
        let name_of = |n: usize| {
            let b = list.get(n)?;
            Some((strings.get(b.namespace?), strings.get(b.name)))
        };
        let key = (&*b.namespace, &*b.name);
        if self.namespaced_by_name.replace(i, key, name_of).is_some() {
            problems.push(
                at.field("name"),
                format!(
                    "{:?} is defined twice in namespace {:?}",
                    b.name, b.namespace
                ),
            );
        }
        let role = resolve_role_ref(&b.role_ref, &b.namespace, at, roles, problems);
        let mut subjects = self.subjects_of(true, role.is_some(), Some(namespace));
        for (k, s) in b.subjects.iter().enumerate() {
            let at = at.item("subjects", k);
            let defined = &mut |ns: &str| self.namespace(ns, namespaces).1;
            if let Some(checked) = check_subject(s, Some(&b.namespace), at, defined, problems) {
                subjects.add(self, checked);
            }
        }
        let (role_kind, rules) = role.unwrap_or((RoleKind::Role, None));
        let role_name = self.role_name(&b.role_ref.name, rules);
        self.index.namespaced.push(Binding {
            kind: BindingKind::RoleBinding,
            role_kind,
            name,
            namespace: Some(namespace),
            role_name,
            rules,
        });
    }

    /// A namespace's interned name, and whether it is defined.
    fn namespace(&mut self, ns: &str, namespaces: &NamespaceTree) -> (Span, bool) {
        let strings = &mut self.index.strings;
        if let Some((span, defined)) = self.last_namespace {
            if strings.get(span) == ns {
                return (span, defined);
            }
        }
        let position = namespaces.position(ns);
        let cached = position.and_then(|p| self.namespace_spans.get(p).copied().flatten());
        let span = match cached {
            Some(span) => span,
            None => {
                let span = self.interner.intern(strings, ns);
                if let Some(p) = position {
                    if self.namespace_spans.len() <= p {
                        self.namespace_spans.resize(p + 1, None);
                    }
                    if let Some(slot) = self.namespace_spans.get_mut(p) {
                        *slot = Some(span);
                    }
                }
                span
            }
        };
        self.last_namespace = Some((span, position.is_some()));
        (span, position.is_some())
    }

    /// The interned name of the role whose rule list is `rules` (`None`: not found).
    fn role_name(&mut self, name: &str, rules: Option<usize>) -> Span {
        let strings = &mut self.index.strings;
        let Some(set) = rules else {
            return self.interner.intern(strings, name);
        };
        if let Some(span) = self.role_spans.get(set).copied().flatten() {
            return span;
        }
        let span = self.interner.intern(strings, name);
        if self.role_spans.len() <= set {
            self.role_spans.resize(set + 1, None);
        }
        if let Some(slot) = self.role_spans.get_mut(set) {
            *slot = Some(span);
        }
        span
    }

    /// Where the subjects of the next binding of a list go (nowhere if it is not kept).
    fn subjects_of(&self, namespaced: bool, kept: bool, scope: Option<Span>) -> Subjects {
        let list = if namespaced {
            &self.index.namespaced
        } else {
            &self.index.cluster
        };
        Subjects {
            namespaced,
            binding: list.len(),
            kept,
            scope,
        }
    }

    /// The bindings and their subject index.
    pub(crate) fn finish(self) -> BindingIndex {
        let BindingsBuilder {
            mut index,
            interner,
            pending,
            username,
            cluster_by_name,
            namespaced_by_name,
            namespace_spans,
            last_namespace: _,
            role_spans,
        } = self;
        // The builder's own tables go first: their memory serves the slots.
        drop((interner, username, cluster_by_name, namespaced_by_name));
        drop((namespace_spans, role_spans));
        index.index.finish(pending);
        index.strings.shrink_to_fit();
        index.cluster.shrink_to_fit();
        index.namespaced.shrink_to_fit();
        index.subjects.shrink_to_fit();
        index.index.keys.shrink_to_fit();
        index
    }

    /// Keeps a subject of a binding of `scope`, with the key it is indexed under (none for a
    /// ServiceAccount without a namespace, which names nobody).
    fn subject(
        &mut self,
        scope: Option<Span>,
        subject: Checked<'_>,
    ) -> (KeptSubject, Option<usize>) {
        let strings = &mut self.index.strings;
        let (group, key_name) = match (subject.kind, subject.namespace) {
            (SubjectKind::User, _) => (false, subject.name),
            (SubjectKind::Group, _) => (true, subject.name),
            (SubjectKind::ServiceAccount, Some(ns)) => {
                let username = &mut self.username;
                username.clear();
                username.push_str(SERVICE_ACCOUNT_USER_PREFIX);
                username.push_str(ns);
                username.push(':');
                username.push_str(subject.name);
                (false, username.as_str())
            }
            (SubjectKind::ServiceAccount, None) => {
                let kept = KeptSubject {
                    kind: subject.kind,
                    name: strings.push(subject.name),
                    namespace: None,
                };
                return (kept, None);
            }
        };
        let index = &mut self.index.index;
        let text = KeyText {
            scope: scope.map(|s| strings.get(s)),
            group,
            name: key_name,
        };
        let tag = index.table.tag(text);
        let keys = &index.keys;
        let key_of = |k: usize| Some(keys.get(k)?.text(strings));
        let key = match index.table.find_tagged(tag, text, key_of) {
            Some(key) => key,
            None => {
                let name = strings.push(key_name);
                let number = index.keys.len();
                index.keys.push(Key { scope, group, name });
                index.table.insert_tagged(tag, number);
                number
            }
        };
        let name = index.keys.get(key).map(|k| k.name).unwrap_or_default();
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
}

/// The subjects of one binding, kept and indexed as they are checked (when the binding is).
#[derive(Debug, Clone, Copy)]
struct Subjects {
    namespaced: bool,
    binding: usize,
    kept: bool,
    scope: Option<Span>,
}

impl Subjects {
    fn add(&mut self, builder: &mut BindingsBuilder, subject: Checked<'_>) {
        if !self.kept {
            return;
        }
        let (kept, key) = builder.subject(self.scope, subject);
        let slot = Slot {
            namespaced: self.namespaced,
            binding: self.binding,
            subject: builder.index.subjects.len(),
        };
        builder.index.subjects.push(kept);
        if let Some(key) = key {
            builder.pending.push((key, slot));
        }
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
    // An empty group is the default, as Kubernetes' defaulting fills it in.
    if let Some(group) = role_ref.api_group.as_ref().filter(|g| !g.is_empty()) {
        if !same(group, RBAC_API_GROUP) {
            problems.push(
                at.field("roleRef.apiGroup"),
                format!("{group:?} is not supported (expected {RBAC_API_GROUP:?})"),
            );
        }
    }
}

/// Checks a subject at `at`; `Some` when its kind is known. `binding_namespace` is a
/// RoleBinding's namespace (a ServiceAccount subject's default); `None` for a
/// ClusterRoleBinding, whose ServiceAccount subjects must name their namespace.
fn check_subject<'a>(
    s: &'a Subject<'_>,
    binding_namespace: Option<&'a str>,
    at: At<'_>,
    defined: &mut dyn FnMut(&str) -> bool,
    problems: &mut Problems,
) -> Option<Checked<'a>> {
    let Some(kind) = SubjectKind::parse(&s.kind) else {
        problems.push(
            at.field("kind"),
            format!(
                "{:?} is not a valid subject kind (expected \"User\", \"Group\" or \"ServiceAccount\")",
                s.kind
            ),
        );
        return None;
    };
    if s.name.is_empty() {
        problems.push(at.field("name"), "must not be empty");
    }
    let namespace = match kind {
        SubjectKind::ServiceAccount => {
            check_service_account_subject(s, binding_namespace, at, defined, problems)
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
            // Empty is the default (Kubernetes' defaulting fills it in), as when it is absent.
            let given = s.api_group.as_deref().filter(|g| !g.is_empty());
            if let Some(group) = given.filter(|g| !same(g, RBAC_API_GROUP)) {
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
    Some(Checked {
        kind,
        name: &s.name,
        namespace,
    })
}

/// A ServiceAccount subject: a valid account name, `apiGroup` `""`, and a defined namespace
/// (its own, or the RoleBinding's when it names none or `""`). Returns the namespace.
fn check_service_account_subject<'a>(
    s: &'a Subject<'_>,
    binding_namespace: Option<&'a str>,
    at: At<'_>,
    defined: &mut dyn FnMut(&str) -> bool,
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
    // An empty namespace is no namespace, as Kubernetes reads it (`appliesToUser`): the
    // RoleBinding's own.
    let named = s.namespace.as_deref().filter(|ns| !ns.is_empty());
    match (named, binding_namespace) {
        (Some(ns), _) => {
            if !defined(ns) {
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
