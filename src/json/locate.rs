//! Where in a JSON document a byte offset falls, as a path like `service_accounts[3].kind`.
//!
//! serde_json reports an error by line and column, the typed steps (`steps.rs`) by byte offset;
//! this turns that position back into the path of the member being read, with one linear scan
//! of the text up to it. It replaces a
//! path-tracking deserializer, which doubled the code of every deserialized type in the wasm
//! module and slowed every load, for a path that is only needed when the load fails.

/// One level of the path being read.
enum Frame {
    /// Inside an object: the last key read, and whether the next string is a key.
    Object {
        key: Option<String>,
        expecting_key: bool,
    },
    /// Inside an array: the index of the element being read, once one has begun.
    Array { index: usize, started: bool },
}

/// The byte offset of a 1-based line and column (serde_json counts columns in bytes).
pub fn offset_of(text: &[u8], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for _ in 1..line {
        match text
            .get(offset..)
            .and_then(|rest| rest.iter().position(|b| *b == b'\n'))
        {
            Some(newline) => offset += newline + 1,
            None => return text.len(),
        }
    }
    (offset + column.saturating_sub(1)).min(text.len())
}

/// Where serde_json stopped reading `text`, as a path, and its message (with its line and
/// column).
pub fn serde_error(text: &[u8], e: &serde_json::Error) -> (String, String) {
    let offset = offset_of(text, e.line(), e.column());
    (path_at(text, offset), e.to_string())
}

/// The path and message of a text that stops being UTF-8 at `offset`, as serde_json's byte
/// reader words it.
pub fn not_utf8(text: &[u8], offset: usize) -> (String, String) {
    let (line, column) = line_column(text, offset);
    (
        path_at(text, offset),
        format!("invalid unicode code point at line {line} column {column}"),
    )
}

/// The 1-based line and column (in bytes, as serde_json counts them) of a byte offset.
pub fn line_column(text: &[u8], offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = 1 + before.iter().filter(|b| **b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |n| n + 1);
    (line, offset - line_start + 1)
}

/// The path of the value being read at `offset`: `.` for the document itself, otherwise keys
/// joined by `.` and array indices as `[i]`.
pub fn path_at(text: &[u8], offset: usize) -> String {
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    // The byte at the offset itself is read too: serde_json points at the first byte of a
    // value of the wrong type.
    let end = offset.saturating_add(1).min(text.len());
    while i < end {
        let byte = text.get(i).copied().unwrap_or(b' ');
        if let Some(Frame::Array { started, .. }) = stack.last_mut() {
            if !byte.is_ascii_whitespace() && byte != b',' && byte != b']' {
                *started = true;
            }
        }
        match byte {
            b'{' => stack.push(Frame::Object {
                key: None,
                expecting_key: true,
            }),
            b'[' => stack.push(Frame::Array {
                index: 0,
                started: false,
            }),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = false;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Frame::Array { index, started }) => {
                    *index += 1;
                    *started = false;
                }
                None => {}
            },
            b'"' => {
                let (string, next) = read_string(text, i + 1);
                if let Some(Frame::Object {
                    key,
                    expecting_key: true,
                }) = stack.last_mut()
                {
                    *key = Some(string);
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    render(&stack)
}

/// Reads a JSON string starting after its opening quote; returns it (escapes kept as written,
/// which is enough for a path) and the offset after the closing quote.
fn read_string(text: &[u8], start: usize) -> (String, usize) {
    let mut i = start;
    while let Some(&b) = text.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => {
                let raw = text.get(start..i).unwrap_or_default();
                return (String::from_utf8_lossy(raw).into_owned(), i + 1);
            }
            _ => i += 1,
        }
    }
    let raw = text.get(start..).unwrap_or_default();
    (String::from_utf8_lossy(raw).into_owned(), text.len())
}

fn render(stack: &[Frame]) -> String {
    let mut path = String::new();
    for frame in stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { started: false, .. } => {}
            Frame::Array {
                index,
                started: true,
            } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    if path.is_empty() {
        ".".to_string()
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of_error(text: &str) -> String {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Doc {
            items: Vec<Item>,
            #[serde(default)]
            n: u32,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Item {
            name: String,
            #[serde(default)]
            tags: Vec<String>,
        }
        let err = serde_json::from_str::<Doc>(text).unwrap_err();
        path_at(
            text.as_bytes(),
            offset_of(text.as_bytes(), err.line(), err.column()),
        )
    }

    #[test]
    fn shape_errors_are_located_at_their_member() {
        let cases = [
            (
                r#"{"items": [{"name": "a"}, {"name": 7}]}"#,
                "items[1].name",
            ),
            (r#"{"items": [], "n": "x"}"#, "n"),
            (
                r#"{"items": [{"name": "a", "tags": ["x", 1]}]}"#,
                "items[0].tags[1]",
            ),
            (r#"{"items": [{"name": "a", "typo": 1}]}"#, "items[0].typo"),
            (
                "{\n  \"items\": [\n    {\"name\": \"a\\\"b\"},\n    {\"name\": false}\n  ]\n}",
                "items[1].name",
            ),
            (
                r#"{"items": [{"name": "é€"}, {"nom": "x"}]}"#,
                "items[1].nom",
            ),
            ("[]", "."),
            (r#"{"items": {"name": "a"}}"#, "items"),
            (r#"{"items": [[]]}"#, "items[0]"),
        ];
        for (text, expected) in cases {
            assert_eq!(path_of_error(text), expected, "{text}");
        }
    }

    #[test]
    fn offsets_follow_lines_and_clamp() {
        let text = b"ab\ncd\nef";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 2), 4);
        assert_eq!(offset_of(text, 9, 9), text.len());
        assert_eq!(path_at(b"{\"a\": [1, 2", 999), "a[1]");
        for (line, column) in [(1, 1), (2, 2), (3, 1), (3, 2)] {
            assert_eq!(
                line_column(text, offset_of(text, line, column)),
                (line, column)
            );
        }
    }
}
