// One cold start, in this fresh process: import (and instantiate), load the bundle, first
// decision. Run by run.mjs as `node bench/cold.mjs CONTENDER BUNDLE.json WORK.json`; prints JSON
// with milliseconds since this script started (node's own boot is measured by the parent).
import { performance } from 'node:perf_hooks';
const t0 = performance.now();
const [contender, bundlePath, workPath] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const c = await import('./lib/contenders.mjs');
const work = JSON.parse(readFileSync(workPath, 'utf8'));
const { token, alg, question: q, now } = work.cold_start;
const tBase = performance.now(); // harness modules loaded: not charged to any contender
let tImport, tLoad, allowed;
if (contender === 'tessera') {
  const { Engine } = c.loadTessera();
  tImport = performance.now();
  // The bundle's bytes as read (the JS contenders need the text, for JSON.parse).
  const engine = new Engine(readFileSync(bundlePath));
  tLoad = performance.now();
  allowed = c.tesseraCan(engine, token, q, now);
} else if (contender === 'jose' || contender === 'fast-jwt') {
  const v = contender === 'jose' ? await c.setupJose() : await c.setupFastJwt();
  tImport = performance.now();
  const index = c.buildJsIndex(JSON.parse(readFileSync(bundlePath, 'utf8')));
  tLoad = performance.now();
  const payload = contender === 'jose' ? await v.verify(token, alg) : v.verifyUncached(token, alg);
  allowed = c.jsDecide(index, payload && c.jsIdentity(index, payload, alg), q);
} else if (contender === 'cedar') {
  const cedar = await import('@cedar-policy/cedar-wasm/nodejs');
  tImport = performance.now();
  const r = cedar.preparsePolicySet('rbac', { staticPolicies: c.CEDAR_POLICIES });
  if (r.type !== 'success') throw new Error('cedar preparse failed');
  const index = c.buildJsIndex(JSON.parse(readFileSync(bundlePath, 'utf8')));
  tLoad = performance.now();
  // Cedar verifies no token: its first decision gets the identity the lookup resolved.
  const ns = q.namespace;
  const key = work.cold_start.account_key;
  const principal = { type: 'ServiceAccount', id: `system:serviceaccount:${key.replace('/', ':')}` };
  const parents = (index.bySubject.get(key) ?? []).map((b) => ({ type: 'Grant', id: `${b.namespace}/${b.role}` }));
  const resource = { type: 'Pod', id: `${ns}/pods` };
  const a = cedar.statefulIsAuthorized({
    principal, action: { type: 'Action', id: q.verb }, resource, context: {}, preparsedPolicySetId: 'rbac',
    entities: [{ uid: principal, attrs: {}, parents }, { uid: resource, attrs: { podReaders: { __entity: { type: 'Grant', id: `${ns}/pod-reader` } } }, parents: [] }],
  });
  allowed = a.type === 'success' && a.response.decision === 'allow';
} else {
  throw new Error(`unknown contender ${contender}`);
}
const tFirst = performance.now();
console.log(JSON.stringify({
  contender, allowed,
  harness_ms: tBase - t0,
  import_ms: tImport - tBase, load_ms: tLoad - tImport, first_ms: tFirst - tLoad, total_ms: tFirst - tBase,
  rss: process.memoryUsage().rss,
}));
