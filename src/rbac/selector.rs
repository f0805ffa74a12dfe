//! Kubernetes label selectors (`matchLabels` and `matchExpressions`), as ClusterRole aggregation
//! uses them.

use std::collections::BTreeMap;

use crate::bundle::Problems;
use crate::schema::LabelSelector;

/// A checked label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selector {
    labels: Vec<(String, String)>,
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Selector {
    /// Checks a selector, recording bad operators and value lists under `path`. A selector with a
    /// problem is dropped (`None`), so it selects nothing.
    pub(crate) fn compile(
        selector: &LabelSelector,
        path: &str,
        problems: &mut Problems,
    ) -> Option<Selector> {
        let mut ok = true;
        let mut requirements = Vec::new();
        for (k, expr) in selector.match_expressions.iter().enumerate() {
            let at = format!("{path}.matchExpressions[{k}]");
            let key = expr.key.clone();
            let values = expr.values.clone();
            let needs_values = match expr.operator.as_str() {
                "In" | "NotIn" => true,
                "Exists" | "DoesNotExist" => false,
                other => {
                    problems.push(
                        format!("{at}.operator"),
                        format!(
                            "{other:?} is not a valid operator (expected In, NotIn, Exists or DoesNotExist)"
                        ),
                    );
                    ok = false;
                    continue;
                }
            };
            if key.is_empty() {
                problems.push(format!("{at}.key"), "must not be empty");
                ok = false;
            }
            if needs_values && values.is_empty() {
                problems.push(
                    format!("{at}.values"),
                    format!(
                        "must not be empty for the operator {:?}",
                        expr.operator.as_str()
                    ),
                );
                ok = false;
            } else if !needs_values && !values.is_empty() {
                problems.push(
                    format!("{at}.values"),
                    format!(
                        "must be empty for the operator {:?}",
                        expr.operator.as_str()
                    ),
                );
                ok = false;
            }
            requirements.push(match expr.operator.as_str() {
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" => Requirement::Exists(key),
                _ => Requirement::DoesNotExist(key),
            });
        }
        let labels = selector
            .match_labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        ok.then_some(Selector {
            labels,
            requirements,
        })
    }

    /// Whether an object with these labels is selected. As in Kubernetes, an empty selector
    /// selects everything.
    pub(crate) fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|have| have == v))
            && self.requirements.iter().all(|r| r.matches(labels))
    }
}

impl Requirement {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Requirement::In(key, values) => labels.get(key).is_some_and(|v| values.contains(v)),
            Requirement::NotIn(key, values) => labels.get(key).is_none_or(|v| !values.contains(v)),
            Requirement::Exists(key) => labels.contains_key(key),
            Requirement::DoesNotExist(key) => !labels.contains_key(key),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn selector(value: serde_json::Value) -> Selector {
        let parsed: LabelSelector = serde_json::from_value(value).unwrap_or_default();
        let mut problems = Problems::default();
        let compiled = Selector::compile(&parsed, "s", &mut problems);
        assert!(problems.is_empty(), "{:?}", problems.as_slice());
        compiled.unwrap_or(Selector {
            labels: Vec::new(),
            requirements: Vec::new(),
        })
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn selectors_match_labels() {
        let edit = "rbac.authorization.k8s.io/aggregate-to-edit";
        let cases = vec![
            (
                "matchLabels, equal",
                json!({"matchLabels": {edit: "true"}}),
                labels(&[(edit, "true")]),
                true,
            ),
            (
                "matchLabels, other value",
                json!({"matchLabels": {edit: "true"}}),
                labels(&[(edit, "false")]),
                false,
            ),
            (
                "matchLabels, missing",
                json!({"matchLabels": {edit: "true"}}),
                labels(&[]),
                false,
            ),
            (
                "In, listed value",
                json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}),
                labels(&[("tier", "b")]),
                true,
            ),
            (
                "In, label missing",
                json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]}),
                labels(&[]),
                false,
            ),
            (
                "NotIn, label missing",
                json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}),
                labels(&[]),
                true,
            ),
            (
                "NotIn, listed value",
                json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}),
                labels(&[("tier", "a")]),
                false,
            ),
            (
                "Exists",
                json!({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}),
                labels(&[("tier", "")]),
                true,
            ),
            (
                "DoesNotExist",
                json!({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}),
                labels(&[("tier", "a")]),
                false,
            ),
            (
                "labels and expressions are AND-ed",
                json!({"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "Exists"}]}),
                labels(&[("a", "1")]),
                false,
            ),
            (
                "empty selector selects everything",
                json!({}),
                labels(&[]),
                true,
            ),
        ];
        for (name, sel, have, want) in cases {
            assert_eq!(selector(sel).matches(&have), want, "{name}");
        }
    }

    #[test]
    fn bad_operators_and_values_are_named() {
        let parsed: LabelSelector = serde_json::from_value(json!({"matchExpressions": [
            {"key": "a", "operator": "Equals", "values": ["x"]},
            {"key": "b", "operator": "In"},
            {"key": "c", "operator": "Exists", "values": ["x"]},
        ]}))
        .unwrap_or_default();
        let mut problems = Problems::default();
        assert_eq!(Selector::compile(&parsed, "sel", &mut problems), None);
        let text: Vec<String> = problems
            .as_slice()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            text,
            vec![
                "sel.matchExpressions[0].operator: \"Equals\" is not a valid operator (expected In, NotIn, Exists or DoesNotExist)",
                "sel.matchExpressions[1].values: must not be empty for the operator \"In\"",
                "sel.matchExpressions[2].values: must be empty for the operator \"Exists\"",
            ]
        );
    }
}
