//! The resource types `tessera auth can-i` knows without a server to ask.
//!
//! kubectl reads `auth can-i`'s TYPE through the API server's discovery: lower-cased, a short
//! name (`po`), a singular (`pod`) or a plural (`pods`) resolved to the resource and its API
//! group (`deploy` is `deployments` in `apps`). A bundle carries no discovery, so the CLI
//! resolves the types of Kubernetes' and OpenShift's own API groups from this table; any other
//! type is asked as written, in the core group, with a warning (as kubectl warns of a type the
//! server does not have), and `TYPE.GROUP` names a group itself.

/// Kubernetes' and OpenShift's built-in resource types: the resource (plural), its API group,
/// and the other names kubectl resolves to it (singular and short names).
const BUILT_IN: &[(&str, &str, &[&str])] = &[
    ("bindings", "", &["binding"]),
    ("componentstatuses", "", &["componentstatus", "cs"]),
    ("configmaps", "", &["configmap", "cm"]),
    ("endpoints", "", &["ep"]),
    ("events", "", &["event", "ev"]),
    ("limitranges", "", &["limitrange", "limits"]),
    ("namespaces", "", &["namespace", "ns"]),
    ("nodes", "", &["node", "no"]),
    (
        "persistentvolumeclaims",
        "",
        &["persistentvolumeclaim", "pvc"],
    ),
    ("persistentvolumes", "", &["persistentvolume", "pv"]),
    ("pods", "", &["pod", "po"]),
    ("podtemplates", "", &["podtemplate"]),
    (
        "replicationcontrollers",
        "",
        &["replicationcontroller", "rc"],
    ),
    ("resourcequotas", "", &["resourcequota", "quota"]),
    ("secrets", "", &["secret"]),
    ("serviceaccounts", "", &["serviceaccount", "sa"]),
    ("services", "", &["service", "svc"]),
    ("controllerrevisions", "apps", &["controllerrevision"]),
    ("daemonsets", "apps", &["daemonset", "ds"]),
    ("deployments", "apps", &["deployment", "deploy"]),
    ("replicasets", "apps", &["replicaset", "rs"]),
    ("statefulsets", "apps", &["statefulset", "sts"]),
    (
        "horizontalpodautoscalers",
        "autoscaling",
        &["horizontalpodautoscaler", "hpa"],
    ),
    ("cronjobs", "batch", &["cronjob", "cj"]),
    ("jobs", "batch", &["job"]),
    ("tokenreviews", "authentication.k8s.io", &["tokenreview"]),
    (
        "localsubjectaccessreviews",
        "authorization.k8s.io",
        &["localsubjectaccessreview"],
    ),
    (
        "selfsubjectaccessreviews",
        "authorization.k8s.io",
        &["selfsubjectaccessreview"],
    ),
    (
        "selfsubjectrulesreviews",
        "authorization.k8s.io",
        &["selfsubjectrulesreview"],
    ),
    (
        "subjectaccessreviews",
        "authorization.k8s.io",
        &["subjectaccessreview"],
    ),
    (
        "certificatesigningrequests",
        "certificates.k8s.io",
        &["certificatesigningrequest", "csr"],
    ),
    ("leases", "coordination.k8s.io", &["lease"]),
    ("endpointslices", "discovery.k8s.io", &["endpointslice"]),
    ("ingressclasses", "networking.k8s.io", &["ingressclass"]),
    ("ingresses", "networking.k8s.io", &["ingress", "ing"]),
    (
        "networkpolicies",
        "networking.k8s.io",
        &["networkpolicy", "netpol"],
    ),
    (
        "poddisruptionbudgets",
        "policy",
        &["poddisruptionbudget", "pdb"],
    ),
    (
        "clusterrolebindings",
        "rbac.authorization.k8s.io",
        &["clusterrolebinding"],
    ),
    (
        "clusterroles",
        "rbac.authorization.k8s.io",
        &["clusterrole"],
    ),
    (
        "rolebindings",
        "rbac.authorization.k8s.io",
        &["rolebinding"],
    ),
    ("roles", "rbac.authorization.k8s.io", &["role"]),
    (
        "priorityclasses",
        "scheduling.k8s.io",
        &["priorityclass", "pc"],
    ),
    ("csidrivers", "storage.k8s.io", &["csidriver"]),
    ("csinodes", "storage.k8s.io", &["csinode"]),
    ("storageclasses", "storage.k8s.io", &["storageclass", "sc"]),
    ("volumeattachments", "storage.k8s.io", &["volumeattachment"]),
    (
        "customresourcedefinitions",
        "apiextensions.k8s.io",
        &["customresourcedefinition", "crd", "crds"],
    ),
    (
        "deploymentconfigs",
        "apps.openshift.io",
        &["deploymentconfig", "dc"],
    ),
    ("buildconfigs", "build.openshift.io", &["buildconfig", "bc"]),
    ("builds", "build.openshift.io", &["build"]),
    ("imagestreams", "image.openshift.io", &["imagestream", "is"]),
    (
        "imagestreamtags",
        "image.openshift.io",
        &["imagestreamtag", "istag"],
    ),
    ("images", "image.openshift.io", &["image"]),
    ("projects", "project.openshift.io", &["project"]),
    ("routes", "route.openshift.io", &["route"]),
    ("templates", "template.openshift.io", &["template"]),
];

/// `TYPE` (or `TYPE.GROUP`) as kubectl's discovery would resolve it, in the form
/// [`crate::rbac::ResourceAttributes::from_kubectl`] reads (`pods`, `deployments.apps`); with
/// a warning when it is not a built-in type and names no group. An empty one is left for
/// [`super::decide::rbac_request`] to refuse.
pub fn resolve(arg: &str) -> (String, Option<String>) {
    let lower = arg.to_ascii_lowercase();
    if lower.is_empty() || lower == "*" || lower.contains('.') {
        return (lower, None);
    }
    let found = BUILT_IN
        .iter()
        .find(|(plural, _, other)| *plural == lower || other.contains(&lower.as_str()));
    match found {
        Some((plural, "", _)) => ((*plural).to_string(), None),
        Some((plural, group, _)) => (format!("{plural}.{group}"), None),
        None => {
            let warning = format!(
                "warning: {lower:?} is not a built-in resource type: asked in the core group \"\" \
                 (there is no server to ask; name its group as {lower}.<group>)"
            );
            (lower, Some(warning))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_resolve_as_kubectls_discovery_resolves_them() {
        for (arg, want) in [
            ("pods", "pods"),
            ("Pods", "pods"),
            ("po", "pods"),
            ("pod", "pods"),
            ("deploy", "deployments.apps"),
            ("Deployments", "deployments.apps"),
            ("cj", "cronjobs.batch"),
            ("dc", "deploymentconfigs.apps.openshift.io"),
            ("deployments.apps", "deployments.apps"),
            ("Widgets.Example.COM", "widgets.example.com"),
            ("*", "*"),
        ] {
            assert_eq!(resolve(arg), (want.to_string(), None), "{arg}");
        }
        let (resource, warning) = resolve("widgets");
        assert_eq!(resource, "widgets");
        assert!(warning.is_some_and(|w| w.contains("widgets.<group>")));
    }

    #[test]
    fn every_name_is_one_types() {
        let mut seen = std::collections::HashSet::new();
        for (plural, _, other) in BUILT_IN {
            for name in std::iter::once(plural).chain(other.iter()) {
                assert!(seen.insert(*name), "{name} names two types");
                assert_eq!(*name, name.to_ascii_lowercase());
            }
        }
    }
}
