//! PPL's value matchers: the string matcher (`is`, `not`, `contains`, `starts_with`,
//! `ends_with`, `in`, `not_in`) and the string list matcher (`has`, `is`, `exclude`).
//!
//! As in Pomerium, a bare value stands for `is` (string matcher) or `has` (list matcher), and
//! several operators in one matcher object must all hold.

use std::fmt;

use serde_json::Value;

use crate::bundle::Problems;

const STRING_OPERATORS: &str = "is, not, contains, starts_with, ends_with, in, not_in";
const LIST_OPERATORS: &str = "has, is, exclude";

/// One string-matcher operator.
#[derive(Debug, Clone, PartialEq)]
enum StringOp {
    Is(String),
    Not(String),
    Contains(String),
    StartsWith(String),
    EndsWith(String),
    In(Vec<String>),
    NotIn(Vec<String>),
}

/// A compiled string matcher: every operator must hold.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StringMatcher(Vec<StringOp>);

impl StringMatcher {
    /// Compiles `value` (a string, or an object of operators), recording problems at `path`.
    pub(crate) fn parse(value: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        let object = match value {
            Value::String(s) => return Some(StringMatcher(vec![StringOp::Is(s.clone())])),
            Value::Object(o) => o,
            other => {
                problems.push(
                    path,
                    format!(
                        "expected a string or an object of matchers ({STRING_OPERATORS}), found {}",
                        describe(other)
                    ),
                );
                return None;
            }
        };
        let ops = operators(
            object,
            path,
            STRING_OPERATORS,
            problems,
            |key, v, at, problems| {
                Some(match key {
                    "is" => string(v, at, problems).map(StringOp::Is),
                    "not" => string(v, at, problems).map(StringOp::Not),
                    "contains" => string(v, at, problems).map(StringOp::Contains),
                    "starts_with" => string(v, at, problems).map(StringOp::StartsWith),
                    "ends_with" => string(v, at, problems).map(StringOp::EndsWith),
                    "in" => strings(v, "in", at, problems).map(StringOp::In),
                    "not_in" => strings(v, "not_in", at, problems).map(StringOp::NotIn),
                    _ => return None,
                })
            },
        )?;
        Some(StringMatcher(ops))
    }

    /// Whether `text` satisfies every operator.
    pub(crate) fn matches(&self, text: &str) -> bool {
        self.0.iter().all(|op| match op {
            StringOp::Is(v) => text == v,
            StringOp::Not(v) => text != v,
            StringOp::Contains(v) => text.contains(v.as_str()),
            StringOp::StartsWith(v) => text.starts_with(v.as_str()),
            StringOp::EndsWith(v) => text.ends_with(v.as_str()),
            StringOp::In(vs) => vs.iter().any(|v| v == text),
            StringOp::NotIn(vs) => !vs.iter().any(|v| v == text),
        })
    }
}

impl fmt::Display for StringMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, op) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            match op {
                StringOp::Is(v) => write!(f, "is {v:?}")?,
                StringOp::Not(v) => write!(f, "not {v:?}")?,
                StringOp::Contains(v) => write!(f, "contains {v:?}")?,
                StringOp::StartsWith(v) => write!(f, "starts_with {v:?}")?,
                StringOp::EndsWith(v) => write!(f, "ends_with {v:?}")?,
                StringOp::In(vs) => write!(f, "in {vs:?}")?,
                StringOp::NotIn(vs) => write!(f, "not_in {vs:?}")?,
            }
        }
        Ok(())
    }
}

/// A scalar a list matcher compares with: groups and roles hold strings, claims may also hold
/// numbers and booleans.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    /// A string.
    Str(String),
    /// A number (compared numerically, so `1` equals `1.0`, as in Rego).
    Num(f64),
    /// A boolean.
    Bool(bool),
}

impl Scalar {
    /// Whether a JSON value equals this scalar.
    pub(crate) fn equals(&self, value: &Value) -> bool {
        match (self, value) {
            (Scalar::Str(a), Value::String(b)) => a == b,
            (Scalar::Num(a), Value::Number(b)) => b.as_f64() == Some(*a),
            (Scalar::Bool(a), Value::Bool(b)) => a == b,
            _ => false,
        }
    }

    /// Whether a string equals this scalar.
    pub(crate) fn equals_str(&self, text: &str) -> bool {
        matches!(self, Scalar::Str(s) if s == text)
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Str(s) => write!(f, "{s:?}"),
            Scalar::Num(n) => write!(f, "{n}"),
            Scalar::Bool(b) => write!(f, "{b}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum ListOp {
    Has(Scalar),
    Is(Scalar),
    Exclude(Scalar),
}

/// A compiled string list matcher: every operator must hold.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ListMatcher(Vec<ListOp>);

impl ListMatcher {
    /// Compiles a list matcher whose values are strings (`groups`, `role`).
    pub(crate) fn parse_strings(
        value: &Value,
        path: &str,
        problems: &mut Problems,
    ) -> Option<Self> {
        Self::parse(value, path, problems, false)
    }

    /// Compiles a list matcher whose values may be strings, numbers or booleans (`claim`).
    pub(crate) fn parse_scalars(
        value: &Value,
        path: &str,
        problems: &mut Problems,
    ) -> Option<Self> {
        Self::parse(value, path, problems, true)
    }

    fn parse(value: &Value, path: &str, problems: &mut Problems, any: bool) -> Option<Self> {
        let object = match value {
            Value::Object(o) => o,
            other => {
                return scalar(other, any, path, problems)
                    .map(|s| ListMatcher(vec![ListOp::Has(s)]))
            }
        };
        let ops = operators(
            object,
            path,
            LIST_OPERATORS,
            problems,
            |key, v, at, problems| {
                Some(match key {
                    "has" => scalar(v, any, at, problems).map(ListOp::Has),
                    "is" => scalar(v, any, at, problems).map(ListOp::Is),
                    "exclude" => scalar(v, any, at, problems).map(ListOp::Exclude),
                    _ => return None,
                })
            },
        )?;
        Some(ListMatcher(ops))
    }

    /// Whether a list of `len` items, of which `contains` says whether one equals a scalar,
    /// satisfies every operator. `is` means: exactly one item, and it is the value.
    pub(crate) fn matches(&self, len: usize, contains: impl Fn(&Scalar) -> bool) -> bool {
        self.matches_each(|v| len == 1 && contains(v), &contains)
    }

    /// As [`ListMatcher::matches`], for a list whose `is` is not "one item": `only` says
    /// whether the list is exactly the value, `contains` whether it holds it.
    pub(crate) fn matches_each(
        &self,
        only: impl Fn(&Scalar) -> bool,
        contains: impl Fn(&Scalar) -> bool,
    ) -> bool {
        self.0.iter().all(|op| match op {
            ListOp::Has(v) => contains(v),
            ListOp::Is(v) => only(v),
            ListOp::Exclude(v) => !contains(v),
        })
    }

    /// Matches a list of strings.
    pub(crate) fn matches_strings<S: AsRef<str>>(&self, items: &[S]) -> bool {
        self.matches(items.len(), |v| {
            items.iter().any(|i| v.equals_str(i.as_ref()))
        })
    }
}

impl fmt::Display for ListMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, op) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            match op {
                ListOp::Has(v) => write!(f, "has {v}")?,
                ListOp::Is(v) => write!(f, "is {v}")?,
                ListOp::Exclude(v) => write!(f, "exclude {v}")?,
            }
        }
        Ok(())
    }
}

/// A JSON value's kind, for messages.
pub(crate) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string value, or a problem.
pub(crate) fn string(value: &Value, path: &str, problems: &mut Problems) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        other => {
            problems.push(
                path,
                format!("expected a string, found {}", describe(other)),
            );
            None
        }
    }
}

fn strings(value: &Value, op: &str, path: &str, problems: &mut Problems) -> Option<Vec<String>> {
    let Value::Array(items) = value else {
        problems.push(
            path,
            format!(
                "{op:?} expects an array of strings, found {}",
                describe(value)
            ),
        );
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match string(item, &format!("{path}[{i}]"), problems) {
            Some(s) => out.push(s),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn scalar(value: &Value, any: bool, path: &str, problems: &mut Problems) -> Option<Scalar> {
    match value {
        Value::String(s) => Some(Scalar::Str(s.clone())),
        Value::Number(n) if any => match n.as_f64() {
            Some(f) => Some(Scalar::Num(f)),
            None => {
                // Left out without a problem, a criterion would silently drop from its
                // operator (an `and` with one criterion fewer allows more).
                problems.push(path, format!("{n} is not a number tessera can compare"));
                None
            }
        },
        Value::Bool(b) if any => Some(Scalar::Bool(*b)),
        other => {
            let expected = if any {
                "a string, number or boolean, or an object of matchers"
            } else {
                "a string or an object of matchers"
            };
            problems.push(
                path,
                format!(
                    "expected {expected} ({LIST_OPERATORS}), found {}",
                    describe(other)
                ),
            );
            None
        }
    }
}

/// Compiles an object of matcher operators, recording every problem: `op` compiles one member
/// (`None`: not an operator of this kind; `Some(None)`: a bad value, already recorded). `None`
/// when the object is empty or any member failed.
fn operators<Op>(
    object: &serde_json::Map<String, Value>,
    path: &str,
    expected: &str,
    problems: &mut Problems,
    mut op: impl FnMut(&str, &Value, &str, &mut Problems) -> Option<Option<Op>>,
) -> Option<Vec<Op>> {
    if object.is_empty() {
        problems.push(path, format!("no matcher given (expected {expected})"));
        return None;
    }
    let mut ops = Vec::new();
    let mut ok = true;
    for (key, v) in object {
        let at = format!("{path}.{key}");
        match op(key, v, &at, problems) {
            Some(Some(compiled)) => ops.push(compiled),
            Some(None) => ok = false,
            None => {
                problems.push(
                    path,
                    format!("unknown matcher {key:?} (expected {expected})"),
                );
                ok = false;
            }
        }
    }
    ok.then_some(ops)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn string_matcher(v: Value) -> StringMatcher {
        let mut problems = Problems::default();
        let m = StringMatcher::parse(&v, "m", &mut problems);
        assert!(problems.is_empty(), "{:?}", problems.as_slice());
        m.unwrap_or(StringMatcher(vec![]))
    }

    fn list_matcher(v: Value) -> ListMatcher {
        let mut problems = Problems::default();
        let m = ListMatcher::parse_scalars(&v, "m", &mut problems);
        assert!(problems.is_empty(), "{:?}", problems.as_slice());
        m.unwrap_or(ListMatcher(vec![]))
    }

    fn problems_of(f: impl FnOnce(&mut Problems)) -> Vec<String> {
        let mut problems = Problems::default();
        f(&mut problems);
        problems
            .as_slice()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn string_matcher_operators() {
        let cases = [
            ("bare string means is", json!("alice"), "alice", true),
            ("bare string is exact", json!("alice"), "alice2", false),
            ("is", json!({"is": "alice"}), "alice", true),
            ("is other", json!({"is": "alice"}), "bob", false),
            ("not", json!({"not": "alice"}), "bob", true),
            ("not same", json!({"not": "alice"}), "alice", false),
            ("contains", json!({"contains": "lic"}), "alice", true),
            ("contains not", json!({"contains": "xyz"}), "alice", false),
            ("starts_with", json!({"starts_with": "al"}), "alice", true),
            (
                "starts_with not",
                json!({"starts_with": "ce"}),
                "alice",
                false,
            ),
            ("ends_with", json!({"ends_with": "ce"}), "alice", true),
            ("ends_with not", json!({"ends_with": "al"}), "alice", false),
            ("in", json!({"in": ["bob", "alice"]}), "alice", true),
            ("in not", json!({"in": ["bob"]}), "alice", false),
            ("not_in", json!({"not_in": ["bob"]}), "alice", true),
            (
                "not_in listed",
                json!({"not_in": ["alice"]}),
                "alice",
                false,
            ),
            (
                "several operators must all hold",
                json!({"starts_with": "a", "ends_with": "e"}),
                "alice",
                true,
            ),
            (
                "several operators, one fails",
                json!({"starts_with": "a", "ends_with": "x"}),
                "alice",
                false,
            ),
        ];
        for (name, spec, text, want) in cases {
            assert_eq!(string_matcher(spec).matches(text), want, "{name}");
        }
    }

    #[test]
    fn list_matcher_operators() {
        let one = [json!("admins")];
        let two = [json!("admins"), json!("dev")];
        let cases: [(&str, Value, &[Value], bool); 9] = [
            ("bare value means has", json!("admins"), &two, true),
            ("has", json!({"has": "dev"}), &two, true),
            ("has missing", json!({"has": "ops"}), &two, false),
            ("is: the only item", json!({"is": "admins"}), &one, true),
            (
                "is: not the only item",
                json!({"is": "admins"}),
                &two,
                false,
            ),
            ("exclude absent", json!({"exclude": "ops"}), &two, true),
            ("exclude present", json!({"exclude": "dev"}), &two, false),
            (
                "exclude on empty list",
                json!({"exclude": "dev"}),
                &[],
                true,
            ),
            ("has number", json!({"has": 7}), &[json!(7.0)], true),
        ];
        for (name, spec, items, want) in cases {
            let m = list_matcher(spec);
            let got = m.matches(items.len(), |s| items.iter().any(|i| s.equals(i)));
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn matcher_problems_name_the_operator() {
        assert_eq!(
            problems_of(|p| {
                ListMatcher::parse_strings(&json!({"hass": "x"}), "g", p);
            }),
            ["g: unknown matcher \"hass\" (expected has, is, exclude)"]
        );
        assert_eq!(
            problems_of(|p| {
                StringMatcher::parse(&json!({"equals": "x"}), "u", p);
            }),
            ["u: unknown matcher \"equals\" (expected is, not, contains, starts_with, ends_with, in, not_in)"]
        );
        assert_eq!(
            problems_of(|p| {
                StringMatcher::parse(&json!({"in": "x"}), "u", p);
            }),
            ["u.in: \"in\" expects an array of strings, found a string"]
        );
        assert_eq!(
            problems_of(|p| {
                StringMatcher::parse(&json!(42), "u", p);
            }),
            ["u: expected a string or an object of matchers (is, not, contains, starts_with, ends_with, in, not_in), found a number"]
        );
        assert_eq!(
            problems_of(|p| {
                StringMatcher::parse(&json!({}), "u", p);
            }),
            ["u: no matcher given (expected is, not, contains, starts_with, ends_with, in, not_in)"]
        );
        assert_eq!(
            problems_of(|p| {
                ListMatcher::parse_strings(&json!(["a", "b"]), "g", p);
            }),
            ["g: expected a string or an object of matchers (has, is, exclude), found an array"]
        );
    }
}
