// Runs examples/scenarios.json against a tessera wasm `Engine` (any runtime: it only needs the
// Engine class, the bundle text and a token minter). Returns the list of failures, each naming
// the case. The format is documented in examples/README.md.

export function decide(engine, scenario, token) {
  const now = Math.floor(Date.parse(scenario.now) / 1000);
  const r = scenario.request;
  switch (r.kind) {
    case 'whoami': {
      const review = engine.verify(token ?? '', now);
      return {
        allowed: review.authenticated,
        status: review.authenticated ? 200 : 401,
        text: review.error ?? '',
        identity: review.identity,
      };
    }
    case 'rbac':
    case 'rbac-url': {
      const { kind, ...attributes } = r;
      const d = engine.authorize(token ?? '', attributes, now);
      return { allowed: d.allowed, status: d.status, text: `${d.reasons.join(' ')} ${d.explanation}`, identity: d.identity };
    }
    case 'http': {
      const d = engine.checkHttp(r.method, r.url, token ? `Bearer ${token}` : undefined, undefined, now);
      return { allowed: d.allowed, status: d.status, text: `${d.reasons.join(' ')} ${d.explanation}`, identity: d.identity };
    }
    default:
      throw new Error(`${scenario.name}: unknown request kind ${r.kind}`);
  }
}

export function check(scenario, got) {
  const e = scenario.expect;
  const wrong = [];
  if (got.allowed !== e.allowed) wrong.push(`allowed ${got.allowed}`);
  if (got.status !== e.status) wrong.push(`status ${got.status}`);
  if (e.reason_contains !== undefined && !got.text.includes(e.reason_contains)) wrong.push(`reason lacks ${JSON.stringify(e.reason_contains)}`);
  if (e.username !== undefined && got.identity?.username !== e.username) wrong.push(`username ${got.identity?.username}`);
  if (e.groups !== undefined && JSON.stringify(got.identity?.groups) !== JSON.stringify(e.groups)) wrong.push(`groups ${JSON.stringify(got.identity?.groups)}`);
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
