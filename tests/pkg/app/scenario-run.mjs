// The one scenario driver every runtime runs: loads the signed example bundle into the
// package's Tessera (signature checked in the wasm against the pinned demo key), decides every
// case of examples/scenarios.json with its pre-minted token, and returns the failures and a
// digest of every decision (compared across runtimes by run.mjs). Runtime-neutral: no I/O.
import { decide, decideAsync, check } from './scenario-driver.mjs';

export function runAll(tessera, data, runtime) {
  const started = Date.now();
  const t = new tessera.Tessera({ trustedKeys: data.trustedKeys });
  const revision = t.load(data.bundle, data.signature, { now: Math.floor(Date.parse(data.scenarios[0].now) / 1000) });
  const failures = [];
  const decisions = [];
  for (const scenario of data.scenarios) {
    const token = scenario.token ? data.tokens[scenario.name] : null;
    let got;
    try {
      got = decide(t, scenario, token);
    } catch (error) {
      failures.push(`${scenario.name}: threw ${error && error.message}`);
      continue;
    }
    const failure = check(scenario, got);
    if (failure) failures.push(failure);
    decisions.push([scenario.name, got.allowed, got.status, got.text, got.identity?.username ?? null]);
  }
  return { runtime, revision, count: data.scenarios.length, failures, decisions, ms: Date.now() - started };
}

/**
 * The same cases through the *Async methods with WebCrypto on (`useWebCrypto()`; the Node entry
 * leaves it off, so this turns it on there too), plus the proof that WebCrypto did the math:
 * for every public-key token of the cases, the engine's signature check verified by
 * `WebCryptoSignatures` directly, counted per algorithm (valid verdicts).
 */
export async function runAllAsync(tessera, data, runtime) {
  const started = Date.now();
  const webCryptoOn = tessera.useWebCrypto();
  const t = new tessera.Tessera({ trustedKeys: data.trustedKeys });
  t.load(data.bundle, data.signature, { now: Math.floor(Date.parse(data.scenarios[0].now) / 1000) });
  const failures = [];
  const decisions = [];
  for (const scenario of data.scenarios) {
    const token = scenario.token ? data.tokens[scenario.name] : null;
    let got;
    try {
      got = await decideAsync(t, scenario, token);
    } catch (error) {
      failures.push(`${scenario.name}: threw ${error && error.message}`);
      continue;
    }
    const failure = check(scenario, got);
    if (failure) failures.push(failure);
    decisions.push([scenario.name, got.allowed, got.status, got.text, got.identity?.username ?? null]);
  }
  const engine = new tessera.Engine(data.bundle);
  const web = new tessera.WebCryptoSignatures();
  const verified = {};
  for (const scenario of data.scenarios) {
    const token = scenario.token ? data.tokens[scenario.name] : null;
    const check = token ? engine.signatureCheck(token, Math.floor(Date.parse(scenario.now) / 1000)) : undefined;
    if (!check) continue;
    const verdicts = await web.verify(check);
    if (verdicts.some((v) => v.valid)) verified[check.alg] = (verified[check.alg] ?? 0) + 1;
  }
  engine.free();
  return { runtime, webCryptoOn, failures, decisions, verified, ms: Date.now() - started };
}
