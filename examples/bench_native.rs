//! Native side of the benchmark harness (`bench/run.sh`): the same decisions as the wasm build,
//! for the wasm/native ratio. Dependency-free timing loops with medians.
//!
//!   cargo run --release --example bench_native -- WORK.json
//!
//! WORK.json (written by `bench/run.mjs`): `{"bundle": path, "now": seconds, "rounds": n,
//! "iters": n, "agree": [q], "warm": [q], "cold": {"RS256": [q], ...}}` where each `q` is
//! `{"token", "verb", "resource", "namespace"}`. Prints one JSON object: decisions of `agree`
//! (for the agreement check), load time, and median nanoseconds per call of warm decisions
//! (cached token, reached through its cache ticket as the wasm hot call does:
//! `Engine::status_with_ticket`), decisions alone (identity already verified) and cold
//! verify+decide per algorithm (cache disabled).

use std::time::Instant;

use serde_json::{json, Value};
use tessera::cache::{Question, Ticket};
use tessera::rbac::{RbacRequest, ResourceAttributes};
use tessera::{Engine, UnixTime};

struct Asked {
    token: String,
    request: RbacRequest,
}

fn questions(v: &Value) -> Vec<Asked> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|q| {
                    let s = |k: &str| q[k].as_str().unwrap_or("").to_string();
                    Asked {
                        token: s("token"),
                        request: RbacRequest::Resource(ResourceAttributes::from_kubectl(
                            &s("verb"),
                            &s("resource"),
                            "",
                            &s("namespace"),
                        )),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    v[v.len() / 2]
}

/// Median over `rounds` of the mean nanoseconds per call of `f` over `iters` calls.
fn per_call(rounds: usize, iters: usize, mut f: impl FnMut(usize) -> bool) -> f64 {
    let mut sink = 0usize;
    let samples = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for i in 0..iters {
                sink += f(i) as usize;
            }
            t.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    std::hint::black_box(sink);
    median(samples)
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: bench_native WORK.json");
    let work: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read work file"))
            .expect("work file is JSON");
    let bundle = std::fs::read(work["bundle"].as_str().expect("bundle")).expect("read bundle");
    let now = UnixTime(work["now"].as_i64().expect("now"));
    let rounds = work["rounds"].as_u64().unwrap_or(5) as usize;
    let iters = work["iters"].as_u64().unwrap_or(20_000) as usize;

    let mut load_ms = Vec::new();
    let mut engine = None;
    for _ in 0..rounds.clamp(1, 5) {
        let t = Instant::now();
        let e = Engine::from_json(&bundle).expect("bundle loads");
        load_ms.push(t.elapsed().as_secs_f64() * 1e3);
        engine = Some(e);
    }
    let mut engine = engine.expect("engine");

    let decisions: Vec<bool> = questions(&work["agree"])
        .iter()
        .map(|q| engine.authorize(&q.token, &q.request, now).allowed)
        .collect();

    let warm = questions(&work["warm"]);
    let mut out = json!({
        "load_ms": median(load_ms),
        "decisions": decisions,
        "bundle_bytes": bundle.len(),
    });
    if !warm.is_empty() {
        let n = warm.len();
        // The path of the wasm hot call (`canStatusFor`): the token kept with its cache ticket,
        // the question built once, the status read from the remembered decision.
        let mut tickets = vec![Ticket::default(); n];
        let prepared: Vec<_> = warm
            .iter()
            .map(|q| Question::new(q.request.clone()))
            .collect();
        let warm_ns = per_call(rounds, iters, |i| {
            let q = &warm[i % n];
            engine.status_with_ticket(&q.token, &mut tickets[i % n], &prepared[i % n], now) == 200
        });
        let identities: Vec<_> = warm
            .iter()
            .map(|q| engine.verify(&q.token, now).expect("warm token verifies"))
            .collect();
        let verify_ns = per_call(rounds, iters, |i| {
            engine.verify(&warm[i % n].token, now).is_ok()
        });
        let b = engine.bundle();
        let decide_ns = per_call(rounds, iters, |i| {
            b.rbac()
                .authorize(&identities[i % n], b.namespaces(), &warm[i % n].request)
                .allowed
        });
        // The wasm/native ratio's native side: the very loop the wasm module's
        // `canStatusForRepeated` runs (`Engine::status_repeated`), `repeat` decisions per
        // call, the warm questions taken in turn, as the harness calls the module.
        let repeat = work["repeat"].as_u64().unwrap_or(1000) as u32;
        let calls = (iters / repeat as usize).max(10);
        let mut samples = Vec::new();
        let mut allowed = 0u64;
        for _ in 0..rounds {
            let t = Instant::now();
            for k in 0..calls {
                let q = &warm[k % n];
                allowed += u64::from(engine.status_repeated(
                    &q.token,
                    &mut tickets[k % n],
                    &prepared[k % n],
                    now,
                    repeat,
                ));
            }
            samples.push(t.elapsed().as_nanos() as f64 / (calls as f64 * f64::from(repeat)));
        }
        out["repeat_ns"] = json!(median(samples));
        out["repeat_allowed"] = json!(allowed / rounds.max(1) as u64);
        out["warm_ns"] = json!(warm_ns);
        out["cached_verify_ns"] = json!(verify_ns);
        out["decide_only_ns"] = json!(decide_ns);
    }
    let mut cold = serde_json::Map::new();
    if let Some(algs) = work["cold"].as_object() {
        let mut uncached = Engine::from_json(&bundle).expect("bundle loads");
        uncached.set_cache_capacity(0);
        for (alg, qs) in algs {
            let qs = questions(qs);
            if qs.is_empty() {
                continue;
            }
            let n = qs.len();
            let ns = per_call(rounds, n, |i| {
                let q = &qs[i % n];
                uncached.authorize(&q.token, &q.request, now).allowed
            });
            cold.insert(alg.clone(), json!(ns));
        }
    }
    out["cold_ns"] = Value::Object(cold);
    println!("{out}");
}
