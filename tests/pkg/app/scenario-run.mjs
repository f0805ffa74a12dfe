// The one scenario driver every runtime runs: loads the signed example bundle into the
// package's Tessera (signature checked in the wasm against the pinned demo key), decides every
// case of examples/scenarios.json with its pre-minted token, and returns the failures and a
// digest of every decision (compared across runtimes by run.mjs). Runtime-neutral: no I/O.
import { decide, decideAsync, check } from './scenario-driver.mjs';

/** The failures and the digest of the decisions, filled one case at a time. */
class Tally {
  failures = [];
  decisions = [];

  /** `decideOne()` answers the case (or throws). */
  add(scenario, decideOne) {
    let got;
    try {
      got = decideOne();
    } catch (error) {
      this.failures.push(`${scenario.name}: threw ${error && error.message}`);
      return;
    }
    const failure = check(scenario, got);
    if (failure) this.failures.push(failure);
    this.decisions.push([scenario.name, got.allowed, got.status, got.text, got.identity?.username ?? null]);
  }
}

const tokenOf = (data, scenario) => (scenario.token ? data.tokens[scenario.name] : null);

function loaded(tessera, data) {
  const t = new tessera.Tessera({ trustedKeys: data.trustedKeys });
  const revision = t.load(data.bundle, data.signature, { now: Math.floor(Date.parse(data.scenarios[0].now) / 1000) });
  return { t, revision };
}

export function runAll(tessera, data, runtime) {
  const started = Date.now();
  const { t, revision } = loaded(tessera, data);
  const tally = new Tally();
  for (const scenario of data.scenarios) tally.add(scenario, () => decide(t, scenario, tokenOf(data, scenario)));
  const { failures, decisions } = tally;
  return { runtime, revision, count: data.scenarios.length, failures, decisions, ms: Date.now() - started };
}

/**
 * The same cases through the *Async methods with WebCrypto on (`useWebCrypto()`; the Node entry
 * leaves it off, so this turns it on there too), plus the proof that WebCrypto did the math:
 * for every public-key token of the cases, the engine's signature check verified by
 * `WebCryptoSignatures` directly, counted per algorithm (valid verdicts), and how many of those
 * verdicts the engine kept when given back (`giveVerdicts`).
 */
export async function runAllAsync(tessera, data, runtime) {
  const started = Date.now();
  const webCryptoOn = tessera.useWebCrypto();
  const { t } = loaded(tessera, data);
  const tally = new Tally();
  for (const scenario of data.scenarios) {
    let got;
    try {
      got = await decideAsync(t, scenario, tokenOf(data, scenario));
    } catch (error) {
      got = error;
    }
    tally.add(scenario, () => {
      if (got instanceof Error) throw got;
      return got;
    });
  }
  const { failures, decisions } = tally;
  const engine = new tessera.Engine(data.bundle);
  const web = new tessera.WebCryptoSignatures();
  const verified = {};
  const kept = {};
  for (const scenario of data.scenarios) {
    const token = tokenOf(data, scenario);
    const check = token ? engine.signatureCheck(token, Math.floor(Date.parse(scenario.now) / 1000)) : undefined;
    if (!check) continue;
    const verdicts = await web.verify(check);
    const valid = verdicts.some((v) => v.valid);
    if (valid) verified[check.alg] = (verified[check.alg] ?? 0) + 1;
    // Given back, the engine keeps the valid verdict for its decision on that token.
    if (tessera.giveVerdicts(engine, check, verdicts) && valid) kept[check.alg] = (kept[check.alg] ?? 0) + 1;
  }
  engine.free();
  return { runtime, webCryptoOn, failures, decisions, verified, kept, ms: Date.now() - started };
}
