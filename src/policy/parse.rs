//! From the policy's JSON to a compiled [`Policy`], once, at bundle load, with every problem
//! recorded at its exact JSON path.
//!
//! The grammar is Pomerium's (`pkg/policy/parser`): a policy is a rule object or an array of
//! them; a rule's keys are actions (`allow`, `deny`); an action's value is an object of
//! logical operators (`and`, `or`, `not`, `nor`); an operator's value is an array of criteria;
//! a criterion is an object with exactly one key, `name` or `name/sub-path`.

use serde_json::{Map, Value};

use super::criteria::Criterion;
use super::matchers::describe;
use super::Policy;
use crate::bundle::Problems;

/// A logical operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OperatorKind {
    /// All criteria match.
    And,
    /// At least one matches.
    Or,
    /// None matches (Pomerium's `not`: ¬A ∧ ¬B).
    Not,
    /// Not all match (Pomerium's `nor`: ¬A ∨ ¬B).
    Nor,
}

impl OperatorKind {
    const ALL: [(&'static str, OperatorKind); 4] = [
        ("and", OperatorKind::And),
        ("or", OperatorKind::Or),
        ("not", OperatorKind::Not),
        ("nor", OperatorKind::Nor),
    ];
}

/// One operator of one action block, with where it was written (for explanations).
#[derive(Debug, Clone)]
pub(crate) struct Operator {
    /// `allow.or`, or `[1].deny.and` in a list of rules.
    pub(crate) label: String,
    /// Which operator.
    pub(crate) kind: OperatorKind,
    /// Its criteria (never empty: Pomerium skips empty operators).
    pub(crate) criteria: Vec<Criterion>,
    /// Each criterion as explanations name it, written once here rather than at every
    /// decision.
    pub(crate) wording: Vec<String>,
    /// All of them, joined with `"; "` (for the explanations that name every criterion).
    pub(crate) listed: String,
}

/// Compiles a policy found at `path` (e.g. `routes[2].policy`).
pub(crate) fn compile(value: &Value, path: &str, problems: &mut Problems) -> Policy {
    let mut policy = Policy::default();
    match value {
        Value::Object(rule) => compile_rule(rule, path, "", &mut policy, problems),
        Value::Array(rules) => {
            for (i, rule) in rules.iter().enumerate() {
                let at = format!("{path}[{i}]");
                match rule {
                    Value::Object(rule) => {
                        compile_rule(rule, &at, &format!("[{i}]."), &mut policy, problems)
                    }
                    other => problems.push(
                        at,
                        format!(
                            "expected a rule object (allow, deny), found {}",
                            describe(other)
                        ),
                    ),
                }
            }
        }
        other => problems.push(
            path,
            format!(
                "expected a rule object (allow, deny) or an array of rules, found {}",
                describe(other)
            ),
        ),
    }
    policy.reads_source_ip = policy
        .allow
        .iter()
        .chain(&policy.deny)
        .flat_map(|op| &op.criteria)
        .any(|c| matches!(c, super::criteria::Criterion::SourceIp(_)));
    policy
}

fn compile_rule(
    rule: &Map<String, Value>,
    path: &str,
    label: &str,
    policy: &mut Policy,
    problems: &mut Problems,
) {
    for (action, block) in rule {
        let at = format!("{path}.{action}");
        let label = format!("{label}{action}");
        let operators = match action.as_str() {
            "allow" => &mut policy.allow,
            "deny" => &mut policy.deny,
            _ => {
                problems.push(
                    path,
                    format!("unknown action {action:?} (expected allow, deny)"),
                );
                continue;
            }
        };
        let Value::Object(block) = block else {
            problems.push(
                at,
                format!(
                    "expected an object of operators (and, or, not, nor), found {}",
                    describe(block)
                ),
            );
            continue;
        };
        for key in block.keys() {
            if !OperatorKind::ALL.iter().any(|(name, _)| name == key) {
                problems.push(
                    &at,
                    format!("unknown operator {key:?} (expected and, or, not, nor)"),
                );
            }
        }
        for (name, kind) in OperatorKind::ALL {
            let Some(list) = block.get(name) else {
                continue;
            };
            let op_path = format!("{at}.{name}");
            let Value::Array(list) = list else {
                problems.push(
                    op_path,
                    format!("expected an array of criteria, found {}", describe(list)),
                );
                continue;
            };
            let mut criteria = Vec::with_capacity(list.len());
            for (i, item) in list.iter().enumerate() {
                let c_path = format!("{op_path}[{i}]");
                let Value::Object(item) = item else {
                    problems.push(
                        c_path,
                        format!(
                            "expected a criterion object like {{\"user\": \"alice\"}}, found {}",
                            describe(item)
                        ),
                    );
                    continue;
                };
                let mut entries = item.iter();
                match (entries.next(), entries.next()) {
                    (Some((key, value)), None) => {
                        if let Some(c) = Criterion::parse(key, value, &c_path, problems) {
                            criteria.push(c);
                        }
                    }
                    _ => problems.push(
                        c_path,
                        format!(
                            "a criterion is an object with exactly one key, found {}",
                            item.len()
                        ),
                    ),
                }
            }
            if !criteria.is_empty() {
                let wording: Vec<String> = criteria.iter().map(ToString::to_string).collect();
                operators.push(Operator {
                    label: format!("{label}.{name}"),
                    kind,
                    criteria,
                    listed: wording.join("; "),
                    wording,
                });
            }
        }
    }
}
