// The adapters with standard Request/Response objects (in Node) and the proxy-filter answer:
// every token header form of DESIGN 1.3, 401/403 JSON with WWW-Authenticate, identity headers
// forwarded and the credential removed; decision logs (batched, no token); fail closed and
// re-instantiation after a trap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tessera, Engine, authorizeRequest, edgeHandler, DecisionLog, useWebCrypto, identityHeaders } from 'tessera';
import { bundleText, signature, trustedKeys, mint, NOW } from './helpers.mjs';

const AT = '2026-11-22T10:00:00Z';
const loaded = (extra = {}) => {
  const t = new Tessera({ trustedKeys, ...extra });
  t.load(bundleText, signature, { now: NOW });
  return t;
};
const deployBot = () => mint({ issuer: 'pomerium-eddsa', account: 'engineering/deploy-bot' }, AT);

test('edge: every header form of a token is read; identity headers forwarded, credential and spoofed headers removed', async () => {
  const t = loaded();
  const jwt = await deployBot();
  const forms = [
    { authorization: `Bearer ${jwt}` },
    { authorization: `Bearer Pomerium-${jwt}` },
    { authorization: `Pomerium ${jwt}` },
    { 'x-pomerium-authorization': jwt },
  ];
  for (const form of forms) {
    const request = new Request('https://wiki.example.com/page?q=1', { headers: { ...form, 'x-tessera-user': 'admin', 'x-tessera-extra': 'x', 'X-Tessera_User': 'admin', 'x-tessera_groups': 'admins', accept: 'text/html' } });
    const r = await authorizeRequest(t, request, { now: NOW });
    assert.equal(r.allowed, true, JSON.stringify(form));
    const h = r.request.headers;
    assert.equal(h.get('x-tessera-user'), 'system:serviceaccount:engineering:deploy-bot');
    assert.equal(h.get('x-tessera-groups'), 'system:serviceaccounts,system:serviceaccounts:engineering,system:authenticated');
    assert.equal(h.get('x-tessera-namespace'), 'engineering');
    assert.equal(h.get('authorization'), null);
    assert.equal(h.get('x-pomerium-authorization'), null);
    assert.equal(h.get('x-tessera-extra'), null, 'spoofed x-tessera-* removed');
    // Spelled with '_', which CGI-style servers (Rack, PHP, WSGI) read as '-': removed too.
    assert.equal(h.get('x-tessera_user'), null);
    assert.equal(h.get('x-tessera_groups'), null);
    assert.equal(h.get('accept'), 'text/html');
    assert.equal(r.request.url, 'https://wiki.example.com/page?q=1');
  }
});

test('edge: 401 and 403 answer small JSON with WWW-Authenticate; 404 for no route; public routes keep Basic auth', async () => {
  const t = loaded();
  const handler = edgeHandler(t, { now: NOW, upstream: (req) => new Response(`upstream saw ${req.headers.get('authorization')}`) });
  let res = await handler(new Request('https://ci.example.com/builds'));
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="tessera"');
  let body = await res.json();
  assert.ok(body.reasons.includes('user-unauthenticated'), body.reasons.join());
  assert.ok(body.decision_id);
  assert.equal(body.explanation, undefined, 'no explanation unless asked');

  res = await handler(new Request('https://ci.example.com/builds', { headers: { authorization: 'Bearer not.a.jwt' } }));
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate'), /error="invalid_token"/);

  const robot = await mint({ issuer: 'legacy', account: 'top-secret/robot' }, AT);
  res = await handler(new Request('https://ci.example.com/builds', { headers: { authorization: `Bearer ${robot}` } }));
  assert.equal(res.status, 403);
  assert.match(res.headers.get('www-authenticate'), /insufficient_scope/);
  assert.equal(res.headers.get('content-type'), 'application/json');

  res = await handler(new Request('https://unknown.example.com/'));
  assert.equal(res.status, 404);
  body = await res.json();
  assert.deepEqual(body.reasons, ['route-not-found']);

  res = await handler(new Request('https://status.example.com/', { headers: { authorization: 'Basic dXNlcjpwdw==' } }));
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'upstream saw Basic dXNlcjpwdw==');

  const explained = edgeHandler(t, { now: NOW, explain: true });
  body = await (await explained(new Request('https://ci.example.com/builds'))).json();
  assert.match(body.explanation, /./);
});

test('proxy filter: check() gives the ext_authz answer', async () => {
  const t = loaded();
  const jwt = await deployBot();
  const ok = t.check({ method: 'GET', host: 'wiki.example.com', path: '/x?y=1', headers: { Authorization: `Bearer ${jwt}`, 'X-Tessera-Groups': 'admins' } }, NOW);
  assert.equal(ok.status, 200);
  assert.equal(ok.headersToUpstream['x-tessera-user'], 'system:serviceaccount:engineering:deploy-bot');
  assert.deepEqual(ok.headersToRemove.sort(), ['authorization']);
  assert.equal(ok.body, '');
  assert.equal(ok.decision.allowed, true);

  const denied = t.check({ method: 'DELETE', host: 'api.example.com', path: '/engineering/services/api', headers: { authorization: `Bearer ${jwt}` } }, NOW);
  assert.equal(denied.status, 403);
  assert.deepEqual(denied.headersToUpstream, {});
  assert.equal(JSON.parse(denied.body).status, 403);
  assert.match(denied.responseHeaders['www-authenticate'], /insufficient_scope/);

  const malformed = t.check({ method: 'G E T', host: 'wiki.example.com', path: '/', headers: {} }, NOW);
  assert.deepEqual([malformed.status, malformed.decision.reasons], [400, ['request-invalid']]);
  // A host carries nothing into the URL but itself: a user part, a fragment or a path is refused.
  for (const host of ['secret.example.com@status.example.com', 'status.example.com#', 'status.example.com?', 'status.example.com/x']) {
    const forged = t.check({ method: 'GET', host, path: '/admin', headers: {} }, NOW);
    assert.deepEqual([forged.status, forged.decision.reasons], [400, ['request-invalid']], host);
  }
  // So does the scheme, and no header stands for it.
  const forgedScheme = t.check({ method: 'GET', scheme: 'https://status.example.com/#', host: 'secret.example.com', path: '/admin', headers: {} }, NOW);
  assert.deepEqual([forgedScheme.status, forgedScheme.decision.reasons], [400, ['request-invalid']]);
  const viaHeader = t.check({ method: 'GET', host: 'secret.example.com', path: '/admin', headers: { 'x-forwarded-proto': 'https://status.example.com/#' } }, NOW);
  assert.equal(viaHeader.status, 401, 'decided for secret.example.com, which needs a token');
  const publicRoute = t.check({ method: 'GET', host: 'status.example.com', path: '/', headers: { 'x-tessera-user': 'forged', 'X-Tessera_Namespace': 'forged' } }, NOW);
  assert.equal(publicRoute.status, 200);
  assert.deepEqual(publicRoute.headersToUpstream, {});
  assert.ok(publicRoute.headersToRemove.includes('x-tessera-user'));
  assert.ok(publicRoute.headersToRemove.includes('x-tessera_namespace'), publicRoute.headersToRemove.join());
});

test('identity headers: a value a header cannot carry is percent-encoded, each group on its own', async () => {
  const set = identityHeaders({ allowed: true, identity: { username: 'alice@example.com', groups: ['engineering-工程', 'a,b', '50%', 'x y', 'system:authenticated'], namespace: 'eng' } });
  assert.equal(set['x-tessera-user'], 'alice@example.com');
  assert.equal(set['x-tessera-groups'], 'engineering-%E5%B7%A5%E7%A8%8B,a%2Cb,50%25,x%20y,system:authenticated');
  assert.deepEqual(set['x-tessera-groups'].split(',').map(decodeURIComponent), ['engineering-工程', 'a,b', '50%', 'x y', 'system:authenticated']);
  // Every value is one Node and the Fetch API accept.
  assert.doesNotThrow(() => new Headers(set));
});

test('options that would leave a hole are refused when the Tessera or the service is made', async () => {
  const { extAuthzHandler } = await import('tessera/node');
  assert.throws(() => extAuthzHandler(loaded(), { trustedHeaders: ['x-original-uri', 'x-forwarded-uri'] }), /x-original-uri and x-forwarded-uri both carry the uri/);
  assert.throws(() => extAuthzHandler(loaded(), { trustedHeaders: 'x-original-uri' }), /trustedHeaders: expected an array/);
  for (const refreshInterval of [0, -1, Number.NaN]) {
    assert.throws(() => new Tessera({ trustedKeys, bundleUrl: 'https://b.invalid/b.json', refreshInterval }), /refreshInterval/);
  }
  assert.throws(() => new Tessera({ trustedKeys, bundleUrl: 'https://b.invalid/b.json', fetchTimeout: Infinity }), /fetchTimeout/);
});

test('never throws: arguments of the wrong type and members that throw when read are 400 denials', async () => {
  const t = loaded();
  const jwt = await deployBot();
  const boom = () => { throw new Error('boom'); };
  assert.equal(t.can(jwt, 42, 'pods', 'engineering', undefined, NOW).status, 400);
  assert.equal(t.canStatus(jwt, 'get', ['pods'], 'engineering', undefined, NOW), 400);
  assert.equal(t.checkHttp('GET', { href: 'https://wiki.example.com/' }, `Bearer ${jwt}`, undefined, NOW).status, 400);
  assert.equal(t.authorize(jwt, { get verb() { return boom(); } }, NOW).status, 400);
  assert.equal(t.checkRequest({ get method() { return boom(); } }, NOW).status, 400);
  assert.equal(t.check({ method: 'GET', host: 'wiki.example.com', path: '/', headers: { get authorization() { return boom(); } } }, NOW).status, 400);
  assert.equal((await t.checkAsync({ get headers() { return boom(); } }, NOW)).status, 400);
  // None of these reset the module: a good question still gets its answer.
  assert.equal(t.can(jwt, 'get', 'pods', 'engineering', undefined, NOW).status, 200);
});

test('decision logs: batched off the decision path, one record per decision, never the token', async () => {
  const batches = [];
  const t = loaded({ decisionLog: { sink: (records) => batches.push(records), maxBatch: 3, flushInterval: 50 } });
  const jwt = await deployBot();
  const decisions = [];
  decisions.push(t.checkHttp('GET', 'https://wiki.example.com/?access_token=secret', `Bearer ${jwt}`, undefined, NOW));
  decisions.push(t.checkRequest({ method: 'GET', url: 'https://ci.example.com/builds', headers: {} }, NOW));
  decisions.push(t.can(jwt, 'get', 'pods', 'engineering', undefined, NOW));
  assert.equal(batches.length, 0, 'nothing handed over synchronously');
  decisions.push(t.verify(jwt, NOW));
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(batches.map((b) => b.length), [3, 1]);
  const records = batches.flat();
  assert.deepEqual(records.map((r) => r.decision_id), decisions.map((d) => d.decisionId));
  const [first, second] = records;
  assert.equal(first.user, 'system:serviceaccount:engineering:deploy-bot');
  assert.equal(first.revision, 1);
  assert.equal(first.allowed, true);
  assert.equal(first.status, 200);
  assert.deepEqual(first.request, { kind: 'http', method: 'GET', url: 'https://wiki.example.com/' });
  assert.equal(first.route, 'engineering-wiki');
  assert.ok(!Number.isNaN(Date.parse(first.time)));
  assert.deepEqual([second.allowed, second.status, second.user], [false, 401, null]);
  assert.ok(second.reasons.includes('user-unauthenticated'));
  const text = JSON.stringify(records);
  assert.ok(!text.includes(jwt) && !text.includes(jwt.split('.')[2]), 'no token in the log');
  assert.ok(!text.includes('access_token'), 'no query string in the log');

  // A failing sink changes no decision.
  const errors = [];
  const log = new DecisionLog({ sink: () => { throw new Error('sink down'); }, onError: (e) => errors.push(e), maxBatch: 1 });
  const u = loaded({ decisionLog: log });
  assert.equal(u.checkHttp('GET', 'https://status.example.com/', undefined, undefined, NOW).allowed, true);
  await log.flush();
  assert.equal(errors.length, 1);
});

test('fail closed: an exception or trap in the wasm is a denial, then the module is re-instantiated and the last good bundle reloaded', async () => {
  const a = loaded();
  const b = loaded();
  const jwt = await deployBot();
  const original = Engine.prototype.checkRequest;
  Engine.prototype.checkRequest = function trap() {
    Engine.prototype.checkRequest = original;
    throw new WebAssembly.RuntimeError('unreachable');
  };
  const d = a.checkRequest({ method: 'GET', url: 'https://status.example.com/', headers: {} }, NOW);
  assert.deepEqual([d.allowed, d.status, d.reasons], [false, 500, ['internal-error']]);
  assert.match(d.explanation, /fail closed/);
  // Both engines (the instance was reset under b too) answer again from their last good bundle.
  for (const t of [a, b]) {
    const again = t.checkHttp('GET', 'https://wiki.example.com/', `Bearer ${jwt}`, undefined, NOW);
    assert.deepEqual([again.allowed, again.status, again.revision], [true, 200, 1]);
    assert.equal(t.revision, 1);
  }
});

test('load() takes a bundle as bytes (Buffer, Uint8Array, ArrayBuffer) as well as text, keeps its own copy, and refuses anything else', async () => {
  const jwt = await deployBot();
  const bytes = new TextEncoder().encode(bundleText);
  const ask = (t) => t.checkHttp('GET', 'https://wiki.example.com/', `Bearer ${jwt}`, undefined, NOW);
  for (const input of [Buffer.from(bundleText), bytes, bytes.buffer.slice(0)]) {
    const t = new Tessera({ trustedKeys });
    assert.equal(t.load(input, signature, { now: NOW }), 1);
    assert.deepEqual([ask(t).allowed, ask(t).status], [true, 200]);
    assert.ok(t.snapshot().bundle instanceof Uint8Array);
    assert.notEqual(t.snapshot().bundle, input);
  }
  // Unsigned, so only the copy protects it: the caller's buffer (a Uint8Array, a Node Buffer,
  // whose own slice() is a view) changed after load(), or the snapshot's bytes changed, do not
  // change the bundle reloaded after a reset.
  for (const mine of [new TextEncoder().encode(bundleText), Buffer.from(bundleText)]) {
    const t = new Tessera({ allowUnsigned: true });
    t.load(mine, undefined, { now: NOW });
    mine.fill(0x20);
    t.snapshot().bundle.fill(0x20);
    assert.equal(new TextDecoder().decode(t.snapshot().bundle), bundleText);
    const original = Engine.prototype.checkHttp;
    Engine.prototype.checkHttp = function trap() {
      Engine.prototype.checkHttp = original;
      throw new WebAssembly.RuntimeError('unreachable');
    };
    assert.equal(ask(t).status, 500);
    assert.deepEqual([ask(t).allowed, ask(t).status, t.revision], [true, 200, 1]);
  }
  // Bytes that are not the signed ones are refused, and the bundle held stays.
  const changed = Buffer.from(bundleText.replace('"revision": 1', '"revision": 7'));
  const signed = loaded();
  assert.throws(() => signed.load(changed, signature, { now: NOW }), /bundle signature: does not verify/);
  assert.equal(signed.revision, 1);
  for (const bad of [42, null, undefined, { revision: 1 }]) {
    assert.throws(() => new Tessera({ allowUnsigned: true }).load(bad), /the bundle must be its JSON text \(a string\) or its bytes \(a Uint8Array or an ArrayBuffer\)/);
  }
});

test('checkRequest reads only method, url, headers and sourceIp: a body is never turned into JSON', async () => {
  const t = loaded();
  const jwt = await deployBot();
  const request = {
    method: 'GET',
    url: 'https://wiki.example.com/page',
    headers: { authorization: `Bearer ${jwt}` },
    body: { toJSON() { throw new Error('the body was read'); } },
    size: 10n, // JSON.stringify throws on a BigInt
  };
  const d = t.checkRequest(request, NOW);
  assert.deepEqual([d.allowed, d.status], [true, 200], d.explanation);
  // Still refused, each for its own reason (a 400, the module not reset): not an object, a
  // getter that throws, a Map of headers, a bad member.
  const throwing = { method: 'GET', url: 'https://wiki.example.com/', get headers() { throw new Error('no headers here'); } };
  for (const [bad, why] of [
    [null, /request/],
    [[1, 2], /request/],
    [throwing, /request: .*no headers here/],
    [{ method: 'GET', url: 'https://wiki.example.com/', headers: new Map() }, /headers: expected a plain object/],
    [{ method: 'GET', url: 'https://wiki.example.com/', headers: {}, sourceIp: 7 }, /sourceIp/],
  ]) {
    const refused = t.checkRequest(bad, NOW);
    assert.deepEqual([refused.allowed, refused.status], [false, 400], JSON.stringify(refused));
    assert.match(refused.explanation, why);
  }
  // The same through checkRequestAsync with WebCrypto on: the same 400s, never a rejection,
  // also where a header's getter throws.
  useWebCrypto();
  try {
    const throwingHeader = { method: 'GET', url: 'https://wiki.example.com/', headers: { get authorization() { throw new Error('no header here'); } } };
    for (const [bad, why] of [[throwing, /request: .*no headers here/], [throwingHeader, /request: .*no header here/], [null, /request/]]) {
      const refused = await t.checkRequestAsync(bad, NOW);
      assert.deepEqual([refused.allowed, refused.status], [false, 400], JSON.stringify(refused));
      assert.match(refused.explanation, why);
    }
    const allowed = await t.checkRequestAsync(request, NOW);
    assert.deepEqual([allowed.allowed, allowed.status], [true, 200], allowed.explanation);
  } finally {
    useWebCrypto(null);
  }
});

test('after a reset, a bundle within its expiry grace is reloaded and keeps answering', async () => {
  const { signBundle, variant } = await import('./helpers.mjs');
  const expires = NOW + 3600;
  const text = variant({ expires_at: new Date(expires * 1000).toISOString().replace('.000Z', 'Z') });
  const t = new Tessera({ trustedKeys, expiryGrace: 600, clock: () => expires + 100 });
  t.load(text, await signBundle(text), { now: NOW });
  const jwt = await mint({ issuer: 'pomerium-eddsa', account: 'engineering/deploy-bot', exp_in: 7200 }, AT);
  const original = Engine.prototype.checkHttp;
  Engine.prototype.checkHttp = function trap() {
    Engine.prototype.checkHttp = original;
    throw new WebAssembly.RuntimeError('unreachable');
  };
  const ask = () => t.checkHttp('GET', 'https://wiki.example.com/', `Bearer ${jwt}`, undefined, expires + 100);
  assert.equal(ask().status, 500);
  assert.equal(ask().status, 200, 'reloaded within the grace');
  assert.equal(t.checkHttp('GET', 'https://wiki.example.com/', `Bearer ${jwt}`, undefined, expires + 600).status, 503);
});

test('canStatus: the status of can(), a repeated token passed as a handle, fail closed without a bundle', async () => {
  const t = loaded();
  const robot = await mint({ issuer: 'legacy', account: 'top-secret/robot' }, AT);
  for (const [verb, ns] of [['get', 'top-secret'], ['delete', 'top-secret'], ['get', 'other']]) {
    const full = t.can(robot, verb, 'pods', ns, undefined, NOW).status;
    for (let i = 0; i < 3; i++) assert.equal(t.canStatus(robot, verb, 'pods', ns, undefined, NOW), full, `${verb} ${ns}`);
  }
  assert.equal(t.canStatus('garbage', 'get', 'pods', 'top-secret', undefined, NOW), 401);
  assert.equal(new Tessera({ trustedKeys }).canStatus(robot, 'get', 'pods', 'top-secret', undefined, NOW), 503);

  // A token found again is compared whole before its handle is used: one that differs from a
  // registered token only in its payload (its end, the signature, the same) is never answered
  // for it, and a new string of the same text is answered as the token.
  const [h, p, s] = robot.split('.');
  const forged = `${h}.${p.slice(0, 10)}${p[10] === 'A' ? 'B' : 'A'}${p.slice(11)}.${s}`;
  assert.equal(forged.length, robot.length);
  assert.equal(t.canStatus(robot, 'get', 'pods', 'top-secret', undefined, NOW), 200);
  assert.equal(t.canStatus(forged, 'get', 'pods', 'top-secret', undefined, NOW), 401, 'the payload differs: refused, not the registered token\'s answer');
  assert.equal(t.canStatus(robot, 'get', 'pods', 'top-secret', undefined, NOW), 200, 'and the token itself still answered as before');
  const again = Buffer.from(robot, 'latin1').toString('latin1');
  assert.equal(t.canStatus(again, 'get', 'pods', 'top-secret', undefined, NOW), 200, 'the same text in a new string');
});

test('edge: a sourceIp option that throws, or is not a function, is a 500 denial with its reason (fail closed)', async () => {
  const t = loaded();
  const request = () => new Request('https://status.example.com/');
  for (const sourceIp of [() => { throw new Error('no address here'); }, 'cf-connecting-ip']) {
    const r = await authorizeRequest(t, request(), { now: NOW, sourceIp });
    assert.equal(r.allowed, false, String(sourceIp));
    assert.equal(r.response.status, 500);
    assert.deepEqual(r.decision.reasons, ['internal-error']);
    assert.match(r.decision.explanation, /client address could not be read/);
    const res = await edgeHandler(t, { now: NOW, sourceIp })(request());
    assert.equal(res.status, 500, 'edgeHandler answers, never throws');
  }
  // A working one is read (the public route allows anyone either way).
  const ok = await authorizeRequest(t, request(), { now: NOW, sourceIp: () => '10.1.2.3' });
  assert.equal(ok.allowed, true);
});

test('edge: a token in Authorization is removed however the engine reads it (after U+0085, in a joined header)', async () => {
  const t = loaded();
  const jwt = await deployBot();
  for (const authorization of [`\u0085Bearer ${jwt}`, `Basic dXNlcjpwdw==, Bearer ${jwt}`]) {
    const r = await authorizeRequest(t, new Request('https://status.example.com/', { headers: { authorization } }), { now: NOW });
    assert.equal(r.allowed, true, authorization);
    assert.equal(r.request.headers.get('authorization'), null, `removed: ${JSON.stringify(authorization)}`);
  }
  // Basic alone is the upstream's business.
  const basic = await authorizeRequest(t, new Request('https://status.example.com/', { headers: { authorization: 'Basic dXNlcjpwdw==' } }), { now: NOW });
  assert.equal(basic.request.headers.get('authorization'), 'Basic dXNlcjpwdw==');
});
