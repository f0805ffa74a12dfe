//! The README's main job: real decisions on the bundled example.
//!
//! Loads `examples/bundle.json` with its detached signature against the pinned demo key, mints
//! tokens with the demo keys (as the `tessera` CLI will), decides every case of
//! `examples/scenarios.json` natively, prints them, and writes them with their tokens to
//! `target/demo/decisions.json` so that `examples/demo-wasm.mjs` can decide the very same
//! requests in the wasm build and show that the two agree.
//!
//! Run: `./scripts/demo.sh` (or `cargo run --release --example demo`).

use std::path::PathBuf;

use serde_json::{json, Value};
use tessera::bundle::signature::TrustedKeys;
use tessera::{Engine, UnixTime};

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    if let Err(e) = run() {
        eprintln!("demo: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let bundle = support::example_bundle();
    let signature = support::read("examples/bundle.json.sig");
    let trusted = TrustedKeys::from_json(
        support::read("examples/keys/bundle-signing.public.jwk.json").as_bytes(),
    )
    .map_err(|e| e.to_string())?;
    let scenarios: Vec<Value> = serde_json::from_str(&support::read("examples/scenarios.json"))
        .map_err(|e| e.to_string())?;
    let first_now = UnixTime::parse_rfc3339(scenarios[0]["now"].as_str().unwrap_or_default())
        .map_err(|e| e.to_string())?;
    let mut engine = Engine::from_signed_json(bundle.as_bytes(), &signature, &trusted, first_now)
        .map_err(|e| e.to_string())?;
    let document = tessera::bundle::parse_document(bundle.as_bytes()).map_err(|e| e.to_string())?;
    println!(
        "tessera demo: bundle revision {} ({} namespaces, {} service accounts, {} routes), signature verified against the pinned key \"bundle-2026\"\n",
        engine.bundle().revision(),
        document.namespaces.len(),
        document.service_accounts.len(),
        document.routes.len()
    );
    let quiet = std::env::args().any(|a| a == "--quiet");
    let mut out = Vec::new();
    if !quiet {
        println!("#    allowed status reasons                                  case");
    }
    for (i, case) in scenarios.iter().enumerate() {
        let now = UnixTime::parse_rfc3339(case["now"].as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        let token = match &case["token"] {
            Value::Null => None,
            spec => Some(support::mint(&document, spec, now)),
        };
        let outcome =
            support::scenario::decide(&mut engine, &case["request"], token.as_deref(), now)?;
        let decision = json!({"allowed": outcome.allowed, "status": outcome.status,
                              "reasons": outcome.reasons, "explanation": outcome.explanation});
        let reasons = outcome.reasons.join(",");
        if !quiet {
            println!(
                "{:<4} {:<7} {:<6} {:<40} {}",
                i + 1,
                if decision["allowed"] == json!(true) {
                    "yes"
                } else {
                    "no"
                },
                decision["status"],
                truncate(&reasons, 40),
                case["name"].as_str().unwrap_or_default()
            );
        }
        out.push(json!({"name": case["name"], "now": now.0, "token": token, "request": case["request"], "native": decision}));
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/demo");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("decisions.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    println!(
        "{} native decisions written to target/demo/decisions.json",
        out.len()
    );
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}
