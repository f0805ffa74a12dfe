//! Deciding one case of `examples/scenarios.json` with the engine, and checking it against its
//! `expect` (format: `examples/README.md`). Shared by the native test, the wasm tests (Node
//! and Chromium) and the demo, so that all of them ask exactly the same questions.
#![allow(dead_code)]

use std::sync::Arc;

use serde_json::Value;
use tessera::rbac::RbacRequest;
use tessera::{Engine, HttpRequest, Identity, UnixTime};

/// What a case decided.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Allowed (for whoami: authenticated).
    pub allowed: bool,
    /// HTTP status.
    pub status: u16,
    /// Reason codes.
    pub reasons: Vec<String>,
    /// The explanation (for whoami: the user name or the refusal).
    pub explanation: String,
    /// The identity, when the token was valid.
    pub identity: Option<Arc<Identity>>,
}

/// Decides a scenario's `request` for `token` at `now`.
pub fn decide(
    engine: &mut Engine,
    request: &Value,
    token: Option<&str>,
    now: UnixTime,
) -> Result<Outcome, String> {
    let token_str = token.unwrap_or("");
    let mut attributes = request.clone();
    if let Some(o) = attributes.as_object_mut() {
        o.remove("kind");
    }
    let decision = match request["kind"].as_str() {
        Some("whoami") => {
            return Ok(match engine.verify(token_str, now) {
                Ok(identity) => Outcome {
                    allowed: true,
                    status: 200,
                    reasons: vec!["authenticated".into()],
                    explanation: identity.username.clone(),
                    identity: Some(identity),
                },
                Err(e) => Outcome {
                    allowed: false,
                    status: 401,
                    reasons: vec![e.code().into()],
                    explanation: e.to_string(),
                    identity: None,
                },
            })
        }
        // The attributes read as the wasm module's `authorize` reads them.
        Some(kind @ ("rbac" | "rbac-url")) => {
            let question = RbacRequest::from_json(&attributes.to_string())?;
            let url = matches!(question, RbacRequest::NonResource(_));
            if url != (kind == "rbac-url") {
                return Err(format!("{kind}: the attributes ask about something else"));
            }
            engine.authorize(token_str, &question, now)
        }
        Some("http") => {
            let method = request["method"].as_str().unwrap_or_default();
            let mut http = HttpRequest::new(method, request["url"].as_str().unwrap_or_default())
                .map_err(|e| e.to_string())?;
            if let Some(t) = token {
                http = http.with_header("authorization", &format!("Bearer {t}"));
            }
            engine.check_http(&http, now)
        }
        other => return Err(format!("unknown request kind {other:?}")),
    };
    Ok(Outcome {
        allowed: decision.allowed,
        status: decision.status,
        reasons: decision.reasons,
        explanation: decision.explanation,
        identity: decision.identity,
    })
}

/// Compares an outcome with the case's `expect`; `Some(what is wrong)` when it differs.
pub fn check(case: &Value, got: &Outcome) -> Option<String> {
    let expect = &case["expect"];
    let text = format!("{} {}", got.reasons.join(" "), got.explanation);
    let mut wrong = Vec::new();
    if expect["allowed"].as_bool() != Some(got.allowed) {
        wrong.push(format!("allowed {}", got.allowed));
    }
    if expect["status"].as_u64() != Some(u64::from(got.status)) {
        wrong.push(format!("status {}", got.status));
    }
    if let Some(needle) = expect.get("reason_contains").and_then(Value::as_str) {
        if !text.contains(needle) {
            wrong.push(format!("reason lacks {needle:?}"));
        }
    }
    if let Some(username) = expect.get("username").and_then(Value::as_str) {
        if got.identity.as_ref().map(|i| i.username.as_str()) != Some(username) {
            wrong.push(format!(
                "username {:?}",
                got.identity.as_ref().map(|i| &i.username)
            ));
        }
    }
    if let Some(groups) = expect.get("groups") {
        let have = got.identity.as_ref().map(|i| serde_json::json!(i.groups));
        if have.as_ref() != Some(groups) {
            wrong.push(format!("groups {have:?}"));
        }
    }
    // `"identity": null`: a decision made without the caller's identity.
    if expect.get("identity").is_some_and(Value::is_null) {
        if let Some(i) = &got.identity {
            wrong.push(format!("identity {:?}", i.username));
        }
    }
    (!wrong.is_empty()).then(|| {
        format!(
            "{}: {} (got: {text})",
            case["name"].as_str().unwrap_or("?"),
            wrong.join(", ")
        )
    })
}

/// The decision time of a case.
pub fn now_of(case: &Value) -> UnixTime {
    UnixTime::parse_rfc3339(case["now"].as_str().unwrap_or_default()).unwrap_or(UnixTime(0))
}
