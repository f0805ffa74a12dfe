//! Wycheproof's signature vectors for the modules' own tests, read from `../shared/vectors/`
//! (never copied into this repository; when that folder is absent the tests say so and skip).
//! `tests/wycheproof.rs` runs the same files through the token path.

use serde_json::Value;

/// One test case: the message, the signature, and whether Wycheproof calls it `valid`,
/// `invalid` or `acceptable`.
pub(crate) struct Case {
    /// Its `tcId`.
    pub(crate) id: u64,
    /// The signed message.
    pub(crate) message: Vec<u8>,
    /// The signature.
    pub(crate) signature: Vec<u8>,
    /// `valid`, `invalid` or `acceptable`.
    pub(crate) result: String,
}

/// The groups of a signature file (each group's JSON, for its key, and its cases); `None`
/// when the vectors are absent.
pub(crate) fn groups(file: &str) -> Option<Vec<(Value, Vec<Case>)>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/vectors")
        .join(file);
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("NOTICE: the Wycheproof vectors are absent: skipped");
        return None;
    };
    let file: Value = serde_json::from_str(&text).expect("a vector file is JSON");
    let groups = file["testGroups"].as_array().expect("testGroups");
    let cases = |group: &Value| {
        let tests = group["tests"].as_array().expect("tests");
        tests
            .iter()
            .map(|test| Case {
                id: test["tcId"].as_u64().expect("tcId"),
                message: hex(test["msg"].as_str().expect("msg")),
                signature: hex(test["sig"].as_str().expect("sig")),
                result: test["result"].as_str().expect("result").to_string(),
            })
            .collect()
    };
    let out: Vec<(Value, Vec<Case>)> = groups.iter().map(|g| (g.clone(), cases(g))).collect();
    assert!(
        out.iter().map(|(_, c)| c.len()).sum::<usize>() > 100,
        "{file}: few cases"
    );
    Some(out)
}

/// Hexadecimal text as bytes.
pub(crate) fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hexadecimal"))
        .collect()
}
