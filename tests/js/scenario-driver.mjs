// Runs examples/scenarios.json against a tessera wasm `Engine` (any runtime: it only needs the
// Engine class, the bundle text and a token minter). Returns the list of failures, each naming
// the case. The format is documented in examples/README.md.

// The call a scenario makes: `suffix` '' for the synchronous methods (the wasm Engine's or the
// package's Tessera), 'Async' for Tessera's WebCrypto-first methods (a promise then).
function ask(engine, scenario, token, suffix) {
  const now = Math.floor(Date.parse(scenario.now) / 1000);
  const r = scenario.request;
  switch (r.kind) {
    case 'whoami':
      return ['review', engine[`verify${suffix}`](token ?? '', now)];
    case 'rbac':
    case 'rbac-url': {
      const { kind, ...attributes } = r;
      return ['decision', engine[`authorize${suffix}`](token ?? '', attributes, now)];
    }
    case 'http':
      return ['decision', engine[`checkHttp${suffix}`](r.method, r.url, token ? `Bearer ${token}` : undefined, undefined, now)];
    default:
      throw new Error(`${scenario.name}: unknown request kind ${r.kind}`);
  }
}

function shape(type, answer) {
  if (type === 'review') {
    return {
      allowed: answer.authenticated,
      status: answer.authenticated ? 200 : 401,
      text: answer.error ?? '',
      identity: answer.identity,
    };
  }
  return { allowed: answer.allowed, status: answer.status, text: `${answer.reasons.join(' ')} ${answer.explanation}`, identity: answer.identity };
}

export function decide(engine, scenario, token) {
  const [type, answer] = ask(engine, scenario, token, '');
  return shape(type, answer);
}

/** `decide` through a Tessera's *Async methods (signatures checked by WebCrypto first). */
export async function decideAsync(tessera, scenario, token) {
  const [type, answer] = ask(tessera, scenario, token, 'Async');
  return shape(type, await answer);
}

export function check(scenario, got) {
  const e = scenario.expect;
  const wrong = [];
  if (got.allowed !== e.allowed) wrong.push(`allowed ${got.allowed}`);
  if (got.status !== e.status) wrong.push(`status ${got.status}`);
  if (e.reason_contains !== undefined && !got.text.includes(e.reason_contains)) wrong.push(`reason lacks ${JSON.stringify(e.reason_contains)}`);
  if (e.username !== undefined && got.identity?.username !== e.username) wrong.push(`username ${got.identity?.username}`);
  if (e.groups !== undefined && JSON.stringify(got.identity?.groups) !== JSON.stringify(e.groups)) wrong.push(`groups ${JSON.stringify(got.identity?.groups)}`);
  // `"identity": null`: a decision made without the caller's identity.
  if (e.identity === null && got.identity != null) wrong.push(`identity ${got.identity.username}`);
  return wrong.length ? `${scenario.name}: ${wrong.join(', ')} (got: ${got.text})` : null;
}

export function runScenarios(engine, scenarios, bundle, mintToken) {
  const failures = [];
  for (const scenario of scenarios) {
    const token = mintToken(scenario.token, scenario.now, bundle);
    const failure = check(scenario, decide(engine, scenario, token));
    if (failure) failures.push(failure);
  }
  return failures;
}
