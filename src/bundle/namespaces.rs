//! The namespace tree: an account works in its namespace and the descendants (DESIGN 1.1).

use super::error::Problems;
use super::schema::Namespace;
use super::strings::{list_key, Index};
use crate::names::check_dns1123_label;

/// The namespaces of a bundle, with each one's parent, for "is this inside that" questions.
#[derive(Debug, Clone, Default)]
pub struct NamespaceTree {
    /// Positions in `names`, by name.
    index: Index,
    names: Vec<String>,
    parents: Vec<Option<usize>>,
}

impl NamespaceTree {
    /// Builds the tree, recording unknown parents, duplicates, bad names and cycles.
    pub fn build(namespaces: &[Namespace], problems: &mut Problems) -> NamespaceTree {
        let mut tree = NamespaceTree::default();
        for (i, ns) in namespaces.iter().enumerate() {
            if let Err(why) = check_dns1123_label(&ns.name) {
                problems.push(format!("namespaces[{i}].name"), why);
            }
            let (n, names) = (tree.names.len(), &tree.names);
            if tree
                .index
                .insert(n, ns.name.as_str(), list_key(names))
                .is_some()
            {
                problems.push(
                    format!("namespaces[{i}].name"),
                    format!("{:?} is defined twice", ns.name),
                );
                continue;
            }
            tree.names.push(ns.name.clone());
        }
        tree.parents = vec![None; tree.names.len()];
        for (i, ns) in namespaces.iter().enumerate() {
            let (Some(me), Some(parent)) = (tree.position(&ns.name), ns.parent.as_ref()) else {
                continue;
            };
            match tree.position(parent) {
                // INVARIANT: `me` comes from `index`, and `parents` has one slot per name.
                Some(p) => tree.parents[me] = Some(p),
                None => problems.push(
                    format!("namespaces[{i}].parent"),
                    format!("{parent:?} is not a defined namespace"),
                ),
            }
        }
        for (i, ns) in namespaces.iter().enumerate() {
            if let Some(me) = tree.position(&ns.name) {
                if tree.ancestors(me).any(|a| a == me) {
                    problems.push(
                        format!("namespaces[{i}].parent"),
                        format!("{:?} is its own ancestor (cycle)", ns.name),
                    );
                    tree.parents[me] = None;
                }
            }
        }
        tree
    }

    /// Whether the namespace is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// The position of a namespace (bundle order, each name once), if it is defined.
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.index.find(name, list_key(&self.names))
    }

    /// The parent of a namespace, if it has one.
    pub fn parent(&self, name: &str) -> Option<&str> {
        let me = self.position(name)?;
        // INVARIANT: `build` gives `parents` one slot per name, and every index it stores (in
        // `index` and in `parents`) is a position in `names`.
        self.parents[me].map(|p| self.names[p].as_str())
    }

    /// All namespace names, in bundle order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// Whether `inner` is `outer` or one of its descendants. Unknown names are inside nothing.
    pub fn is_within(&self, inner: &str, outer: &str) -> bool {
        let (Some(i), Some(o)) = (self.position(inner), self.position(outer)) else {
            return false;
        };
        i == o || self.ancestors(i).any(|a| a == o)
    }

    /// Strict ancestors, nearest first (stops after as many steps as there are namespaces, so a
    /// cycle cannot loop).
    fn ancestors(&self, start: usize) -> impl Iterator<Item = usize> + '_ {
        let mut at = start;
        let mut steps = 0;
        std::iter::from_fn(move || {
            if steps >= self.names.len() {
                return None;
            }
            steps += 1;
            // INVARIANT: `start` and every parent are positions in `names` (see `parent`).
            at = self.parents[at]?;
            Some(at)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(name: &str, parent: Option<&str>) -> Namespace {
        Namespace {
            name: name.into(),
            parent: parent.map(Into::into),
        }
    }

    #[test]
    fn an_account_works_in_its_namespace_and_descendants_only() {
        let mut problems = Problems::default();
        let tree = NamespaceTree::build(
            &[
                ns("global", None),
                ns("engineering", Some("global")),
                ns("ci", Some("engineering")),
                ns("sales", Some("global")),
            ],
            &mut problems,
        );
        assert!(problems.is_empty());
        assert!(tree.is_within("ci", "engineering"), "child");
        assert!(tree.is_within("ci", "global"), "grandchild");
        assert!(tree.is_within("engineering", "engineering"), "itself");
        assert!(!tree.is_within("global", "engineering"), "parent");
        assert!(!tree.is_within("sales", "engineering"), "sibling");
        assert!(!tree.is_within("nowhere", "global"), "unknown");
        assert_eq!(tree.parent("ci"), Some("engineering"));
    }

    #[test]
    fn unknown_parents_duplicates_and_cycles_are_named() {
        let mut problems = Problems::default();
        NamespaceTree::build(
            &[
                ns("a", Some("b")),
                ns("b", Some("a")),
                ns("a", None),
                ns("c", Some("zz")),
                ns("Bad_Name", None),
            ],
            &mut problems,
        );
        let text: Vec<String> = problems
            .as_slice()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            text.contains(&"namespaces[2].name: \"a\" is defined twice".to_string()),
            "{text:?}"
        );
        assert!(
            text.contains(&"namespaces[3].parent: \"zz\" is not a defined namespace".to_string()),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("namespaces[0].parent: \"a\" is its own ancestor")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("namespaces[4].name: \"Bad_Name\" is not a valid name")),
            "{text:?}"
        );
    }
}
