// The wasm build in Node, as a user meets it: tokens minted by `jose` and by Node's crypto,
// the example scenarios, signed bundles, and decisions that never throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import * as jose from 'jose';
import { mintToken } from '../../examples/mint-token.mjs';
import { runScenarios } from './scenario-driver.mjs';

const require = createRequire(import.meta.url);
const { Engine } = require('../../target/wasm/node/tessera.js');

const file = (p) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
const bundleText = file('examples/bundle.json');
const bundle = JSON.parse(bundleText);
const NOW = Math.floor(Date.parse('2026-11-22T10:00:00Z') / 1000);
const account = (ns, name) => bundle.service_accounts.find((a) => a.namespace === ns && a.name === name);
const privateJwk = (name) => JSON.parse(file(`examples/keys/${name}.private.jwk.json`));

async function joseToken(alg, key, kid, claims) {
  return new jose.SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) }).sign(key);
}

const legacyClaims = () => {
  const robot = account('top-secret', 'robot');
  return {
    iss: 'kubernetes/serviceaccount',
    sub: 'system:serviceaccount:top-secret:robot',
    'kubernetes.io/serviceaccount/namespace': 'top-secret',
    'kubernetes.io/serviceaccount/secret.name': 'robot-token-r2d7x',
    'kubernetes.io/serviceaccount/service-account.name': 'robot',
    'kubernetes.io/serviceaccount/service-account.uid': robot.uid,
  };
};

const boundClaims = () => {
  const runner = account('ci', 'runner');
  return {
    iss: 'https://kubernetes.default.svc.cluster.local',
    aud: ['https://kubernetes.default.svc.cluster.local'],
    sub: 'system:serviceaccount:ci:runner',
    iat: NOW, nbf: NOW, exp: NOW + 600, jti: 'jose-bound-1',
    'kubernetes.io': { namespace: 'ci', serviceaccount: { name: 'runner', uid: runner.uid } },
  };
};

const pomeriumClaims = () => {
  const bot = account('engineering', 'deploy-bot');
  return { jti: bot.uid, sub: bot.id, iat: NOW, nbf: NOW, exp: NOW + 600 };
};

const joseCases = async () => [
  ['RS256', await joseToken('RS256', await jose.importJWK(privateJwk('legacy'), 'RS256'), 'legacy-2026', legacyClaims()), 'system:serviceaccount:top-secret:robot'],
  ['ES256', await joseToken('ES256', await jose.importJWK(privateJwk('cluster'), 'ES256'), 'cluster-2026', boundClaims()), 'system:serviceaccount:ci:runner'],
  ['EdDSA', await joseToken('EdDSA', await jose.importJWK(privateJwk('pomerium'), 'EdDSA'), 'pomerium-2026', pomeriumClaims()), 'system:serviceaccount:engineering:deploy-bot'],
  ['HS256', await joseToken('HS256', Buffer.from(file('examples/keys/pomerium.shared-secret.txt').trim(), 'base64'), null, pomeriumClaims()), 'system:serviceaccount:engineering:deploy-bot'],
];

test('tokens minted by jose (RS256, ES256, EdDSA, HS256) are accepted', async () => {
  const engine = new Engine(bundleText);
  for (const [alg, token, username] of await joseCases()) {
    const review = engine.verify(token, NOW);
    assert.equal(review.authenticated, true, `${alg}: ${review.error}`);
    assert.equal(review.user.username, username, alg);
    assert.ok(review.user.groups.includes('system:authenticated'), alg);
    // Kubernetes' status.audiences: the bound token's audience its issuer accepts; none for
    // the other issuers, which check no audience.
    const audiences = alg === 'ES256' ? ['https://kubernetes.default.svc.cluster.local'] : undefined;
    assert.deepEqual(review.audiences, audiences, alg);
    assert.deepEqual(review.identity.audiences, audiences, alg);
  }
});

test('tampered jose tokens are refused with a reason', async () => {
  const engine = new Engine(bundleText);
  for (const [alg, token] of await joseCases()) {
    const [h, p, s] = token.split('.');
    const sig = Buffer.from(s, 'base64url');
    sig[5] ^= 0x01;
    const flipped = `${h}.${p}.${sig.toString('base64url')}`;
    const review = engine.verify(flipped, NOW);
    assert.equal(review.authenticated, false, alg);
    assert.equal(review.reason, 'signature-invalid', `${alg}: ${review.error}`);
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    claims.sub = 'system:serviceaccount:top-secret:robot-admin';
    const swapped = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    assert.equal(engine.verify(swapped, NOW).reason, 'signature-invalid', alg);
  }
});

test('every example scenario decides in wasm as documented', () => {
  const engine = new Engine(bundleText);
  const scenarios = JSON.parse(file('examples/scenarios.json'));
  const failures = runScenarios(engine, scenarios, bundle, mintToken);
  assert.deepEqual(failures, []);
  assert.ok(scenarios.length >= 60);
});

test('a signed bundle loads against the pinned key; a tampered one throws and the engine keeps its bundle', () => {
  const signature = file('examples/bundle.json.sig');
  const trusted = file('examples/keys/bundle-signing.public.jwk.json');
  const engine = Engine.fromSigned(bundleText, signature, trusted, NOW);
  assert.equal(engine.revision, 1);
  const tampered = bundleText.replace('"revision": 1', '"revision": 9');
  assert.throws(() => engine.updateSigned(tampered, signature, trusted, NOW), /bundle signature: does not verify/);
  assert.equal(engine.revision, 1);
  // An engine made from a signed bundle takes no unsigned one: it would step around the pins.
  assert.throws(() => engine.update(tampered, NOW), /loaded from a signed bundle: give the next one with its signature/);
  assert.equal(engine.revision, 1);
  // Signed once, signed from then on: an engine made unsigned and updated signed is pinned too.
  const later = new Engine(bundleText);
  later.updateSigned(bundleText, signature, trusted, NOW);
  assert.throws(() => later.update(tampered, NOW), /loaded from a signed bundle/);
});

test('headers whose prototype cannot be read (a Proxy that throws) are refused, and the engine stays usable', () => {
  const engine = new Engine(bundleText);
  const trap = new Proxy({}, { getPrototypeOf() { throw new Error('boom'); } });
  const d = engine.checkRequest({ method: 'GET', url: 'https://status.example.com/', headers: trap }, NOW);
  assert.deepEqual([d.status, d.reasons], [400, ['request-invalid']]);
  const next = engine.checkRequest({ method: 'GET', url: 'https://status.example.com/', headers: {} }, NOW);
  assert.equal(next.status, 200);
});

test('a bundle loads from its bytes as from its text (Buffer, Uint8Array, ArrayBuffer); signed bytes verify; anything else throws', () => {
  const bytes = readFileSync(new URL('../../examples/bundle.json', import.meta.url));
  const signature = file('examples/bundle.json.sig');
  const trusted = file('examples/keys/bundle-signing.public.jwk.json');
  const token = mintToken({ issuer: 'legacy', account: 'top-secret/robot' }, '2026-11-22T10:00:00Z', bundle);
  const byText = new Engine(bundleText).can(token, 'get', 'pods', 'top-secret', undefined, NOW);
  const inputs = [bytes, new Uint8Array(bytes), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)];
  for (const input of inputs) {
    assert.deepEqual(new Engine(input).can(token, 'get', 'pods', 'top-secret', undefined, NOW), byText);
    assert.equal(Engine.fromSigned(input, signature, trusted, NOW).revision, 1);
  }
  // The signature covers the bytes: one byte changed in the bytes given is refused.
  const changed = Buffer.from(bytes);
  changed[changed.indexOf('"revision": 1') + 12] = '9'.charCodeAt(0);
  assert.throws(() => Engine.fromSigned(changed, signature, trusted, NOW), /bundle signature: does not verify/);
  const engine = new Engine(bytes);
  assert.throws(() => engine.update(Buffer.from('{"version": 1,'), NOW), /bundle is not valid JSON/);
  assert.throws(() => engine.update(Buffer.from([0x7b, 0xff, 0x7d]), NOW), /bundle is not valid JSON/);
  assert.equal(engine.revision, 1);
  // A detached ArrayBuffer has no bytes: refused as JSON, and the engine keeps working.
  const detached = new ArrayBuffer(8);
  structuredClone(detached, { transfer: [detached] });
  assert.throws(() => engine.update(detached, NOW), /bundle is not valid JSON/);
  assert.equal(engine.revision, 1);
  for (const [bad, found] of [[42, 'number'], [null, 'object'], [undefined, 'undefined'], [{ revision: 1 }, 'object'], [[1, 2], 'object']]) {
    assert.throws(() => new Engine(bad), new RegExp(`bundle: expected its JSON text \\(a string\\) or its bytes \\(a Uint8Array or an ArrayBuffer\\), found a value of type ${found}`));
  }
});

test('a bad bundle throws an Error naming the path; a bad update keeps the good bundle', () => {
  const broken = JSON.parse(bundleText);
  broken.service_accounts[3].namespace = 'nowhere';
  assert.throws(() => new Engine(JSON.stringify(broken)), (e) => e instanceof Error && e.message.includes('service_accounts[3].namespace: "nowhere" is not a defined namespace'));
  assert.throws(() => new Engine('{"version": 1,'), /bundle is not valid JSON/);
  const engine = new Engine(bundleText);
  assert.throws(() => engine.update(JSON.stringify(broken), NOW), /service_accounts\[3\]/);
  const older = JSON.parse(bundleText);
  older.revision = 0;
  assert.throws(() => engine.update(JSON.stringify(older), NOW), /rollback refused/);
  assert.equal(engine.revision, 1);
});

test('TokenHandles registers only what it has not seen, and answers as the strings do past the slot count', async () => {
  const { TokenHandles } = await import('../../pkg/src/handles.js');
  const engine = new Engine(bundleText);
  const counts = { token: 0, question: 0 };
  const counting = {
    registerToken: (t) => { counts.token++; return engine.registerToken(t); },
    registerQuestion: (...a) => { counts.question++; return engine.registerQuestion(...a); },
    canStatusFor: (...a) => engine.canStatusFor(...a),
    canStatus: (...a) => engine.canStatus(...a),
  };
  const handles = new TokenHandles(counting);
  const robot = mintToken({ issuer: 'legacy', account: 'top-secret/robot' }, '2026-11-22T10:00:00Z', bundle);
  // 2,500 distinct tokens (more than the module's 1,024 slots), one question: each token is
  // registered once, the question once per 1,024 registrations at most.
  for (let i = 0; i < 2500; i++) {
    const token = i % 2 ? robot : `${robot}x${i}`;
    assert.equal(handles.canStatus(token, 'get', 'pods', 'top-secret', undefined, NOW), i % 2 ? 200 : 401, `call ${i}`);
  }
  assert.ok(counts.token <= 1251 + 3, `tokens registered ${counts.token}`);
  assert.ok(counts.question <= 3, `questions registered ${counts.question}`);
});

test('registered handles honour a secret deleted by a bundle update and the token expiry', () => {
  const engine = new Engine(bundleText);
  const robot = mintToken({ issuer: 'legacy', account: 'top-secret/robot' }, '2026-11-22T10:00:00Z', bundle);
  const h = engine.registerToken(robot);
  const q = engine.registerQuestion('get', 'pods', 'top-secret');
  assert.equal(engine.canStatusFor(h, q, NOW), 200);
  assert.equal(engine.canStatusFor(h, q, NOW), 200);
  const next = JSON.parse(bundleText);
  next.revision = 2;
  const robotAccount = next.service_accounts.find((a) => a.name === 'robot');
  robotAccount.secrets = [];
  engine.update(JSON.stringify(next), NOW);
  assert.equal(engine.canStatusFor(h, q, NOW), 401, 'the secret is gone: the ticket leads nowhere');
  assert.equal(engine.canStatus(robot, 'get', 'pods', 'top-secret', undefined, NOW), 401);

  const bound = new Engine(bundleText);
  const short = mintToken({ issuer: 'cluster', account: 'top-secret/robot', exp_in: 600 }, '2026-11-22T10:00:00Z', bundle);
  const t = bound.registerToken(short);
  const q2 = bound.registerQuestion('get', 'pods', 'top-secret');
  const issued = Math.floor(Date.parse('2026-11-22T10:00:00Z') / 1000);
  assert.equal(bound.canStatusFor(t, q2, issued + 10), 200);
  assert.equal(bound.canStatusFor(t, q2, issued + 10), 200);
  assert.equal(bound.canStatusFor(t, q2, issued + 600 + 3600), 401, 'expired: the cached entry no longer holds');
});

test('the patched glue copies every string exactly: ASCII, non-ASCII, long and astral', () => {
  const glue = readFileSync(new URL('../../target/wasm/node/tessera.js', import.meta.url), 'utf8');
  assert.ok(glue.includes('Patched by tessera'), 'scripts/patch-glue.mjs ran on the glue');
  const engine = new Engine(bundleText);
  const paths = ['/plain', '/ä', '/€uro', '/x😀y', 'é/' + 'a'.repeat(700), '/' + 'b'.repeat(700) + '😀', '/'];
  for (const p of paths) {
    const d = engine.checkHttp('GET', `https://nowhere.test${p.startsWith('/') ? p : '/' + p}`, undefined, undefined, NOW);
    assert.equal(d.explanation, `no route serves GET nowhere.test${p.startsWith('/') ? p : '/' + p}`);
  }
});

test('decisions never throw: garbage in, a denial with a reason out', () => {
  const engine = new Engine(bundleText);
  const inputs = [
    () => engine.verify('', NOW),
    () => engine.verify('x'.repeat(100_000), NOW),
    () => engine.authorize('a.b.c', { verb: 7 }, NOW),
    () => engine.authorize('a.b.c', null, NOW),
    () => engine.authorize('a.b.c', 'pods', NOW),
    () => engine.can('a.b.c', 'get', 'pods', 'top-secret', undefined, NOW),
    () => engine.checkHttp('GET', 'not a url', 'Bearer x', undefined, NOW),
    () => engine.checkHttp('G E T', 'https://status.example.com/', undefined, undefined, NOW),
    () => engine.checkHttp('GET', 'https://secret.example.com/reports', 'Basic abc', undefined, NOW),
    () => engine.checkRequest({ method: 'GET' }, NOW),
    () => engine.checkRequest(42, NOW),
    () => engine.checkRequest({ method: 'GET', url: 'https://secret.example.com/', headers: { authorization: 'Bearer \u0000' }, sourceIp: 'x' }, NOW),
  ];
  for (const [i, call] of inputs.entries()) {
    const out = call();
    const allowed = out.allowed ?? out.authenticated;
    assert.equal(allowed, false, `input ${i}`);
    assert.ok((out.reasons?.length ?? 0) > 0 || out.error, `input ${i} has a reason: ${JSON.stringify(out)}`);
  }
});

test('a bad question or request is explained by the member at fault', () => {
  const engine = new Engine(bundleText);
  const cases = [
    [engine.authorize('a.b.c', { verb: 7 }, NOW), 'attributes: verb: invalid type: integer `7`, expected a string'],
    [engine.authorize('a.b.c', { verb: 'get', path: '/x', namespace: 'ci' }, NOW), 'attributes: namespace: unknown field `namespace`, expected `verb` or `path`'],
    [engine.authorize('a.b.c', undefined, NOW), 'attributes: expected an object, found undefined'],
    [engine.authorize('a.b.c', { verb: 1n }, NOW), 'attributes: not representable as JSON'],
    [engine.checkRequest({ method: 'GET' }, NOW), 'request: .: missing field `url`'],
    [engine.checkRequest({ method: 'GET', url: 'https://h/', headers: { a: 1 } }, NOW), 'request: headers.a: invalid type: integer `1`, expected a string'],
    // JSON would write a Map as {}: its token would go unseen.
    [engine.checkRequest({ method: 'GET', url: 'https://h/', headers: new Map([['authorization', 'Bearer x']]) }, NOW), 'request: headers: expected a plain object'],
  ];
  for (const [i, [decision, explanation]] of cases.entries()) {
    assert.equal(decision.allowed, false, `case ${i}`);
    assert.equal(decision.status, 400, `case ${i}`);
    assert.deepEqual(decision.reasons, ['request-invalid'], `case ${i}`);
    assert.ok(decision.explanation.startsWith(explanation), `case ${i}: ${decision.explanation}`);
  }
  // Undefined members are left out, as JSON.stringify leaves them: the same as absent.
  const token = 'a.b.c';
  const a = engine.authorize(token, { verb: 'get', resource: 'pods', name: undefined }, NOW);
  assert.notEqual(a.reasons[0], 'request-invalid');
  // A request's other members (a body, ...) are passed over; a header object without a
  // prototype is a plain object.
  const headers = Object.assign(Object.create(null), { 'x-a': '1' });
  const r = engine.checkRequest({ method: 'GET', url: 'https://nowhere.test/', headers, body: 'x' }, NOW);
  assert.notEqual(r.reasons[0], 'request-invalid', r.explanation);
});

test('the hot string calls agree with the object calls', () => {
  const engine = new Engine(bundleText);
  const token = mintToken({ issuer: 'legacy', account: 'top-secret/robot' }, '2026-11-22T10:00:00Z', bundle);
  const a = engine.can(token, 'get', 'pods', 'top-secret', undefined, NOW);
  const b = engine.authorize(token, { verb: 'get', resource: 'pods', namespace: 'top-secret' }, NOW);
  assert.equal(a.allowed, true);
  assert.equal(a.explanation, b.explanation);
  assert.equal(engine.can(token, 'delete', 'pods', 'top-secret', undefined, NOW).status, 403);
  const viaHeaders = engine.checkRequest({ method: 'GET', url: 'https://secret.example.com/reports', headers: { Authorization: `Bearer ${token}` } }, NOW);
  const viaStrings = engine.checkHttp('GET', 'https://secret.example.com/reports', undefined, token, NOW);
  assert.equal(viaHeaders.allowed, true, viaHeaders.explanation);
  assert.deepEqual(viaStrings.reasons, viaHeaders.reasons);
});

test('a decision\'s identity is deep-frozen, and shared by the next decisions on a cached token', () => {
  const engine = new Engine(bundleText);
  const runner = mintToken({ issuer: 'cluster', account: 'ci/runner', jti: 'shared-1' }, '2026-11-22T10:00:00Z', bundle);
  const first = engine.can(runner, 'get', 'pods', 'ci', undefined, NOW);
  const fresh = structuredClone(first.identity);
  assert.equal(first.identity.username, 'system:serviceaccount:ci:runner');
  const deepFrozen = (identity) => {
    const parts = [identity, identity.groups, identity.extra, ...Object.values(identity.extra), ...(identity.group_ids ? [identity.group_ids] : [])];
    return parts.every((part) => Object.isFrozen(part));
  };
  assert.ok(Object.keys(first.identity.extra).length > 0, 'a bound token has extra attributes');
  assert.ok(deepFrozen(first.identity));
  assert.throws(() => first.identity.groups.push('system:masters'), TypeError);
  assert.throws(() => { first.identity.username = 'admin'; }, TypeError);
  assert.throws(() => { first.identity.extra['authentication.kubernetes.io/credential-id'][0] = 'JTI=other'; }, TypeError);
  // The same object for the next decisions on that token, whatever the call; unchanged.
  const again = engine.authorize(runner, { verb: 'delete', resource: 'pods', namespace: 'ci' }, NOW);
  const reviewed = engine.verify(runner, NOW);
  assert.equal(again.identity, first.identity);
  assert.equal(reviewed.identity, first.identity);
  assert.deepEqual(again.identity, fresh);
  // The decision around it is the caller's own.
  const reasons = [...first.reasons];
  first.reasons.push('mine');
  first.decisionId = 'x';
  assert.deepEqual(engine.can(runner, 'get', 'pods', 'ci', undefined, NOW).reasons, reasons);
  // An impersonating account's directory group ids are frozen too.
  const alice = mintToken({ issuer: 'pomerium-eddsa', account: 'engineering/alice-automation' }, '2026-11-22T10:00:00Z', bundle);
  const aliceIdentity = engine.verify(alice, NOW).identity;
  assert.ok(aliceIdentity.group_ids.length > 0);
  assert.ok(deepFrozen(aliceIdentity));
  // Another token, or the same token after a bundle update, gets its own object.
  const other = mintToken({ issuer: 'cluster', account: 'ci/runner', jti: 'shared-2' }, '2026-11-22T10:00:00Z', bundle);
  const otherIdentity = engine.can(other, 'get', 'pods', 'ci', undefined, NOW).identity;
  assert.notEqual(otherIdentity, first.identity);
  assert.equal(otherIdentity.token_id, 'shared-2');
  const newer = JSON.parse(bundleText);
  newer.revision += 1;
  engine.update(JSON.stringify(newer), NOW);
  const afterUpdate = engine.can(runner, 'get', 'pods', 'ci', undefined, NOW).identity;
  assert.notEqual(afterUpdate, first.identity);
  assert.deepEqual(afterUpdate, fresh);
  // With the token cache off, nothing is kept: each decision has a new (frozen) object.
  engine.setCacheCapacity(0);
  const uncached = [1, 2].map(() => engine.can(runner, 'get', 'pods', 'ci', undefined, NOW).identity);
  assert.notEqual(uncached[0], uncached[1]);
  assert.ok(uncached.every(deepFrozen));
  assert.deepEqual(uncached[0], fresh);
});

test('canStatus answers with the status of the full decision, cached or not', () => {
  const engine = new Engine(bundleText);
  const robot = mintToken({ issuer: 'legacy', account: 'top-secret/robot' }, '2026-11-22T10:00:00Z', bundle);
  for (const [verb, resource, ns] of [['get', 'pods', 'top-secret'], ['delete', 'pods', 'top-secret'], ['get', 'pods', 'other'], ['get', 'pods/log', 'top-secret']]) {
    const full = engine.can(robot, verb, resource, ns, undefined, NOW).status;
    assert.equal(engine.canStatus(robot, verb, resource, ns, undefined, NOW), full, `${verb} ${resource} ${ns}`);
    assert.equal(engine.canStatus(robot, verb, resource, ns, undefined, NOW), full, `cached ${verb} ${resource} ${ns}`);
  }
  assert.equal(engine.canStatus('garbage', 'get', 'pods', 'top-secret', undefined, NOW), 401);
  // Past the bundle's expires_at every decision fails closed.
  assert.equal(engine.canStatus(robot, 'get', 'pods', 'top-secret', undefined, Math.floor(Date.parse('2028-01-01T00:00:00Z') / 1000)), 503);
});

test("Node's crypto does the signature math when installed, and the decisions do not change", async () => {
  const { setSignatureVerifier } = require('../../target/wasm/node/tessera.js');
  const { nodeSignatureVerifier } = await import('../../pkg/src/host-crypto.js');
  const host = nodeSignatureVerifier();
  let calls = 0;
  setSignatureVerifier((...args) => { calls++; return host(...args); });
  try {
    const engine = new Engine(bundleText);
    engine.setCacheCapacity(0);
    for (const [alg, token, username] of await joseCases()) {
      const review = engine.verify(token, NOW);
      assert.equal(review.user?.username, username, `${alg}: ${review.error}`);
      const [h, p, s] = token.split('.');
      const sig = Buffer.from(s, 'base64url');
      sig[3] ^= 0x10;
      assert.equal(engine.verify(`${h}.${p}.${sig.toString('base64url')}`, NOW).reason, 'signature-invalid', alg);
    }
    assert.equal(calls, 6, 'RS256, ES256 and EdDSA, good and tampered; HS256 stays in the module');
    const failures = runScenarios(engine, JSON.parse(file('examples/scenarios.json')), bundle, mintToken);
    assert.deepEqual(failures, []);
  } finally {
    setSignatureVerifier(null);
  }
});

test('ES384 tokens minted by jose verify in the module and through node:crypto alike; altered ones do not', async () => {
  const { setSignatureVerifier } = require('../../target/wasm/node/tessera.js');
  const { nodeSignatureVerifier } = await import('../../pkg/src/host-crypto.js');
  const { publicKey, privateKey } = await jose.generateKeyPair('ES384', { extractable: true });
  const doc = structuredClone(bundle);
  const legacy = doc.issuers.find((i) => i.name === 'legacy');
  legacy.jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'legacy-p384', alg: 'ES384', use: 'sig' }] };
  const token = await joseToken('ES384', privateKey, 'legacy-p384', legacyClaims());
  const [h, p, s] = token.split('.');
  const altered = [];
  for (const i of [0, 47, 48, 95]) {
    const sig = Buffer.from(s, 'base64url');
    sig[i] ^= 0x01;
    altered.push(`${h}.${p}.${sig.toString('base64url')}`);
  }
  altered.push(`${h}.${p}.${Buffer.alloc(96).toString('base64url')}`);
  const node = nodeSignatureVerifier();
  for (const useNode of [false, true]) {
    // node:crypto's answers are counted: each check must be its answer, not the module's.
    let answered = 0;
    setSignatureVerifier(useNode ? (...args) => {
      const valid = node(...args);
      if (typeof valid === 'boolean') answered++;
      return valid;
    } : null);
    const who = useNode ? 'node:crypto' : 'module';
    try {
      const engine = new Engine(JSON.stringify(doc));
      engine.setCacheCapacity(0);
      const review = engine.verify(token, NOW);
      assert.equal(review.user?.username, 'system:serviceaccount:top-secret:robot', `${who}: ${review.error}`);
      for (const t of altered) assert.equal(engine.verify(t, NOW).reason, 'signature-invalid', who);
      assert.equal(answered, useNode ? 1 + altered.length : 0, who);
    } finally {
      setSignatureVerifier(null);
    }
  }
});

test('a host verifier that throws or answers nonsense leaves the check to the module', async () => {
  const { setSignatureVerifier } = require('../../target/wasm/node/tessera.js');
  const engine = new Engine(bundleText);
  engine.setCacheCapacity(0);
  const [[, good], [, es]] = await joseCases();
  for (const verifier of [() => { throw new Error('boom'); }, () => 'yes', () => undefined]) {
    setSignatureVerifier(verifier);
    assert.equal(engine.verify(good, NOW).authenticated, true);
    assert.equal(engine.verify(es, NOW).authenticated, true);
  }
  setSignatureVerifier(() => false);
  assert.equal(engine.verify(good, NOW).reason, 'signature-invalid', 'the host said no');
  setSignatureVerifier(null);
  assert.equal(engine.verify(good, NOW).authenticated, true);
});

test('registered tokens answer as their strings do, and a stale handle is re-registered', async () => {
  const { TokenHandles } = await import('../../pkg/src/handles.js');
  const engine = new Engine(bundleText);
  const handles = new TokenHandles(engine);
  const robot = mintToken({ issuer: 'legacy', account: 'top-secret/robot' }, '2026-11-22T10:00:00Z', bundle);
  const questions = [['get', 'pods', 'top-secret'], ['delete', 'pods', 'top-secret'], ['get', 'pods', 'other']];
  for (const [verb, resource, ns] of questions) {
    const expected = engine.canStatus(robot, verb, resource, ns, undefined, NOW);
    for (let i = 0; i < 3; i++) assert.equal(handles.canStatus(robot, verb, resource, ns, undefined, NOW), expected);
  }
  const h = engine.registerToken(robot);
  const q = engine.registerQuestion('get', 'pods', 'top-secret');
  const denied = engine.registerQuestion('delete', 'pods', 'top-secret');
  assert.equal(engine.canStatusFor(h, q, NOW), 200);
  assert.equal(engine.canStatusFor(h, q, NOW), 200, 'through the cache ticket');
  assert.equal(engine.canStatusFor(h, denied, NOW), 403);
  assert.equal(engine.canStatusFor(h, q, NOW + 10 * 365 * 86400), 503, 'a ticket does not outlive the bundle');
  for (let i = 0; i < 1024; i++) engine.registerQuestion('get', `r${i}`, 'top-secret');
  assert.equal(engine.canStatusFor(h, q, NOW), 0, 'question slot reused: the handle is stale');
  for (let i = 0; i < 1024; i++) engine.registerToken(`t${i}`);
  const q2 = engine.registerQuestion('get', 'pods', 'top-secret');
  assert.equal(engine.canStatusFor(h, q2, NOW), 0, 'token slot reused: the handle is stale');
  for (const bad of [-1, 1.5, NaN, Infinity]) {
    assert.equal(engine.canStatusFor(bad, q2, NOW), 0);
    assert.equal(engine.canStatusFor(engine.registerToken(robot), bad, NOW), 0);
  }
  assert.equal(handles.canStatus(robot, 'get', 'pods', 'top-secret', undefined, NOW), 200, 'the memo registers it again');
  assert.equal(handles.canStatus('not.a.token', 'get', 'pods', 'top-secret', undefined, NOW), 401);
});

test('a packed signature check unpacks to the check signatureCheck gives, for a token and for headers', async () => {
  const { unpackCheck } = await import('../../pkg/src/web-crypto.js');
  const engine = new Engine(bundleText);
  const cases = await joseCases();
  for (const [alg, token] of cases.filter(([alg]) => alg !== 'HS256')) {
    const plain = engine.signatureCheck(token, NOW);
    const forms = [
      () => unpackCheck(engine.signatureCheckPacked(token, NOW)),
      () => unpackCheck(engine.signatureCheckHeadersPacked(`Bearer ${token}`, undefined, NOW)),
    ];
    let id = plain.id;
    for (const form of forms) {
      const packed = form();
      assert.equal(packed.alg, alg);
      assert.equal(packed.alg, plain.alg);
      assert.deepEqual(packed.keys, plain.keys, alg);
      assert.equal(packed.keys, plain.keys, `${alg}: one array for the same keys`);
      assert.ok(Object.isFrozen(packed.keys), alg);
      assert.deepEqual(Buffer.from(packed.message), Buffer.from(token.slice(0, token.lastIndexOf('.'))), alg);
      assert.deepEqual(Buffer.from(packed.signature), Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url'), alg);
      assert.deepEqual([packed.message, packed.signature].map(Buffer.from), [plain.message, plain.signature].map(Buffer.from), alg);
      assert.ok(packed.id > id, `${alg}: each check its own number`);
      id = packed.id;
      // The number is the engine's (its last check's): its verdict is kept.
      assert.equal(engine.signatureVerdict(packed.id, 1, 0), true, alg);
    }
  }
  // Nothing to check ahead: HMAC, garbage, no credential.
  const hs = cases.find(([alg]) => alg === 'HS256')[1];
  for (const packed of [engine.signatureCheckPacked(hs, NOW), engine.signatureCheckPacked('not a token', NOW), engine.signatureCheckHeadersPacked(undefined, undefined, NOW)]) {
    assert.equal(packed, undefined);
    assert.equal(unpackCheck(packed), undefined);
  }
  engine.free();
});
