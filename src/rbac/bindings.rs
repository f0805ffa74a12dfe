//! RoleBindings and ClusterRoleBindings: checked once, each resolved to its role's effective
//! rules, and indexed by subject (user name, group name; role bindings also by namespace), so a
//! decision looks up the few bindings that name the caller instead of scanning them all.

use foldhash::{HashMap, HashMapExt};

use super::decision::{BindingKind, RoleKind, SubjectKind};
use super::roles::{check_object_name, RoleTable};
use super::wording::role_not_found;
use crate::bundle::source::{ClusterRoleBinding, RoleBinding, RoleRef, Subject};
use crate::bundle::{At, NamespaceTree, Problems};
use crate::identity::Identity;
use crate::names::{check_dns1123_label, SERVICE_ACCOUNT_USER_PREFIX};

/// The API group of RBAC objects (`roleRef.apiGroup`, User and Group subjects).
pub(crate) const RBAC_API_GROUP: &str = "rbac.authorization.k8s.io";

/// A binding, resolved.
#[derive(Debug, Clone)]
pub(crate) struct CompiledBinding {
    /// RoleBinding or ClusterRoleBinding.
    pub(crate) kind: BindingKind,
    /// The binding's name.
    pub(crate) name: String,
    /// A RoleBinding's namespace.
    pub(crate) namespace: Option<String>,
    /// Role or ClusterRole.
    pub(crate) role_kind: RoleKind,
    /// The role's name.
    pub(crate) role_name: String,
    /// The role's effective rules (a [`RoleTable`] rule list), or Kubernetes' not-found error.
    pub(crate) rules: Result<usize, String>,
    /// The subjects of a known kind, in binding order.
    pub(crate) subjects: Vec<CompiledSubject>,
}

/// A binding subject, with a ServiceAccount's namespace defaulted to the RoleBinding's.
#[derive(Debug, Clone)]
pub(crate) struct CompiledSubject {
    /// User, Group or ServiceAccount.
    pub(crate) kind: SubjectKind,
    /// Its name.
    pub(crate) name: String,
    /// A ServiceAccount's namespace.
    pub(crate) namespace: Option<String>,
}

/// Which subject of which binding names the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Slot {
    /// Index of the binding: ClusterRoleBindings first, then RoleBindings, in bundle order.
    pub(crate) binding: usize,
    /// Index of the subject in [`CompiledBinding::subjects`].
    pub(crate) subject: usize,
}

/// Bindings by subject name.
#[derive(Debug, Default)]
struct SubjectIndex {
    /// User names (ServiceAccount subjects as `system:serviceaccount:<ns>:<name>`).
    users: HashMap<String, Vec<Slot>>,
    /// Group names.
    groups: HashMap<String, Vec<Slot>>,
}

impl SubjectIndex {
    /// `username` is a scratch buffer for a ServiceAccount subject's user name.
    fn insert(&mut self, subject: &CompiledSubject, slot: Slot, username: &mut String) {
        let (map, key) = match subject.kind {
            SubjectKind::User => (&mut self.users, subject.name.as_str()),
            SubjectKind::Group => (&mut self.groups, subject.name.as_str()),
            SubjectKind::ServiceAccount => match &subject.namespace {
                Some(ns) => {
                    username.clear();
                    username.push_str(SERVICE_ACCOUNT_USER_PREFIX);
                    username.push_str(ns);
                    username.push(':');
                    username.push_str(&subject.name);
                    (&mut self.users, username.as_str())
                }
                None => return,
            },
        };
        match map.get_mut(key) {
            Some(slots) => slots.push(slot),
            None => {
                map.insert(key.to_string(), vec![slot]);
            }
        }
    }

    fn collect(&self, identity: &Identity, into: &mut Vec<Slot>) {
        if let Some(slots) = self.users.get(&identity.username) {
            into.extend_from_slice(slots);
        }
        for group in &identity.groups {
            if let Some(slots) = self.groups.get(group) {
                into.extend_from_slice(slots);
            }
        }
    }
}

/// All bindings, indexed by subject.
#[derive(Debug, Default)]
pub(crate) struct BindingIndex {
    bindings: Vec<CompiledBinding>,
    cluster: SubjectIndex,
    namespaced: HashMap<String, SubjectIndex>,
    /// Scratch space for the user names of ServiceAccount subjects while indexing.
    username: String,
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
        let mut index = BindingIndex {
            bindings: Vec::with_capacity(cluster_role_bindings.len() + role_bindings.len()),
            ..BindingIndex::default()
        };
        let mut names: HashMap<&str, usize> = HashMap::with_capacity(cluster_role_bindings.len());
        for (i, b) in cluster_role_bindings.iter().enumerate() {
            let at = At::new("cluster_role_bindings", i);
            check_object_name(&b.name, at, problems);
            if names.insert(&b.name, i).is_some() {
                problems.push(at.field("name"), format!("{:?} is defined twice", b.name));
            }
            let rules = resolve_cluster_role_ref(&b.role_ref, at, roles, problems);
            let subjects = compile_subjects(&b.subjects, None, at, namespaces, problems);
            let Some(rules) = rules else {
                continue;
            };
            index.add(
                CompiledBinding {
                    kind: BindingKind::ClusterRoleBinding,
                    name: b.name.to_string(),
                    namespace: None,
                    role_kind: RoleKind::ClusterRole,
                    role_name: b.role_ref.name.to_string(),
                    rules,
                    subjects,
                },
                None,
            );
        }
        let mut names: HashMap<(&str, &str), usize> = HashMap::with_capacity(role_bindings.len());
        for (i, b) in role_bindings.iter().enumerate() {
            let at = At::new("role_bindings", i);
            check_object_name(&b.name, at, problems);
            if !namespaces.contains(&b.namespace) {
                problems.push(
                    at.field("namespace"),
                    format!("{:?} is not a defined namespace", b.namespace),
                );
            }
            if names.insert((&b.namespace, &b.name), i).is_some() {
                problems.push(
                    at.field("name"),
                    format!(
                        "{:?} is defined twice in namespace {:?}",
                        b.name, b.namespace
                    ),
                );
            }
            let role = resolve_role_ref(&b.role_ref, &b.namespace, at, roles, problems);
            let subjects =
                compile_subjects(&b.subjects, Some(&b.namespace), at, namespaces, problems);
            let Some((role_kind, rules)) = role else {
                continue;
            };
            index.add(
                CompiledBinding {
                    kind: BindingKind::RoleBinding,
                    name: b.name.to_string(),
                    namespace: Some(b.namespace.to_string()),
                    role_kind,
                    role_name: b.role_ref.name.to_string(),
                    rules,
                    subjects,
                },
                Some(&b.namespace),
            );
        }
        index
    }

    fn add(&mut self, binding: CompiledBinding, namespace: Option<&str>) {
        let index = self.bindings.len();
        let subjects = match namespace {
            None => &mut self.cluster,
            Some(ns) => match self.namespaced.get_mut(ns) {
                Some(subjects) => subjects,
                None => self.namespaced.entry(ns.to_string()).or_default(),
            },
        };
        for (s, subject) in binding.subjects.iter().enumerate() {
            subjects.insert(
                subject,
                Slot {
                    binding: index,
                    subject: s,
                },
                &mut self.username,
            );
        }
        self.bindings.push(binding);
    }

    /// The bindings naming the identity that apply: every ClusterRoleBinding, and the
    /// RoleBindings of `namespace` when given. In Kubernetes' order (ClusterRoleBindings first,
    /// bundle order), each binding once, with the first of its subjects that names the caller.
    pub(crate) fn applicable(
        &self,
        identity: &Identity,
        namespace: Option<&str>,
    ) -> Vec<(Slot, &CompiledBinding)> {
        let mut slots = Vec::new();
        self.cluster.collect(identity, &mut slots);
        if let Some(by_subject) = namespace.and_then(|ns| self.namespaced.get(ns)) {
            by_subject.collect(identity, &mut slots);
        }
        slots.sort_unstable();
        slots.dedup_by_key(|slot| slot.binding);
        slots
            .into_iter()
            .filter_map(|slot| Some((slot, self.bindings.get(slot.binding)?)))
            .collect()
    }
}

/// A ClusterRoleBinding's `roleRef`: a ClusterRole. `None` when the kind is wrong.
fn resolve_cluster_role_ref(
    role_ref: &RoleRef<'_>,
    at: At<'_>,
    roles: &RoleTable,
    problems: &mut Problems,
) -> Option<Result<usize, String>> {
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
) -> Option<(RoleKind, Result<usize, String>)> {
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
            roles.role(namespace, name).ok_or_else(|| {
                let why = if name.is_empty() {
                    "must not be empty".to_string()
                } else {
                    format!("{name:?} is not a Role of namespace {namespace:?}")
                };
                problems.push(at.field("roleRef.name"), why);
                role_not_found(false, name)
            })
        }
    };
    Some((kind, rules))
}

fn resolve_cluster_role(
    role_ref: &RoleRef<'_>,
    at: At<'_>,
    roles: &RoleTable,
    problems: &mut Problems,
) -> Result<usize, String> {
    let name = &role_ref.name;
    roles.cluster_role(name).ok_or_else(|| {
        let why = if name.is_empty() {
            "must not be empty".to_string()
        } else {
            format!("{name:?} is not a defined ClusterRole")
        };
        problems.push(at.field("roleRef.name"), why);
        role_not_found(true, name)
    })
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

/// Checks subjects and keeps those of a known kind. `binding_namespace` is a RoleBinding's
/// namespace (a ServiceAccount subject's default); `None` for a ClusterRoleBinding, whose
/// ServiceAccount subjects must name their namespace.
fn compile_subjects(
    subjects: &[Subject<'_>],
    binding_namespace: Option<&str>,
    binding: At<'_>,
    namespaces: &NamespaceTree,
    problems: &mut Problems,
) -> Vec<CompiledSubject> {
    let mut out = Vec::with_capacity(subjects.len());
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
        out.push(CompiledSubject {
            kind,
            name: s.name.to_string(),
            namespace,
        });
    }
    out
}

/// A ServiceAccount subject: a valid account name, `apiGroup` `""`, and a defined namespace
/// (its own, or the RoleBinding's). Returns the namespace.
fn check_service_account_subject(
    s: &Subject<'_>,
    binding_namespace: Option<&str>,
    at: At<'_>,
    namespaces: &NamespaceTree,
    problems: &mut Problems,
) -> Option<String> {
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
            Some(ns.to_string())
        }
        (None, Some(ns)) => Some(ns.to_string()),
        (None, None) => {
            problems.push(
                at.field("namespace"),
                "missing: a ServiceAccount subject of a ClusterRoleBinding names its namespace",
            );
            None
        }
    }
}
