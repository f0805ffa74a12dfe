// One cold start, in this fresh process: import (and instantiate), load the bundle, first
// decision. Run by run.mjs as `node bench/cold.mjs CONTENDER BUNDLE.json WORK.json`; prints JSON
// with milliseconds since this script started (node's own boot is measured by the parent).
//
// Each contender is charged for its own imports and nothing else: the work file is read
// before the clock starts, and each branch imports only what its users would. tessera is the
// npm package as `import { Tessera } from 'tessera'` loads it in Node (the file its exports
// map names: the module, the JavaScript layer, node:crypto for signatures), its decision the package's
// `canStatus`; without a built package (pkg/dist), the bare wasm-bindgen glue, and the output
// says so. jose and fast-jwt import the one key and make the one verifier the decision needs.
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { packageNodeEntry } from './lib/package.mjs';
const t0 = performance.now();
const [contender, bundlePath, workPath] = process.argv.slice(2);
const work = JSON.parse(readFileSync(workPath, 'utf8'));
const { token, alg, question: q, now } = work.cold_start;
const lib = (name) => new URL(`./lib/${name}`, import.meta.url).href;
// What `import { Tessera } from 'tessera'` loads in Node (null without a built package).
const nodeEntry = packageNodeEntry();
const tBase = performance.now(); // the work file read: not charged to any contender
let tImport, tLoad, allowed;
let how = contender;
if (contender === 'tessera') {
  if (nodeEntry) {
    how = 'tessera (npm package)';
    const { Tessera } = await import(nodeEntry.href);
    tImport = performance.now();
    // The bundle's bytes as read (the JS contenders need the text, for JSON.parse).
    const t = new Tessera({ allowUnsigned: true });
    t.load(readFileSync(bundlePath));
    tLoad = performance.now();
    allowed = t.canStatus(token, q.verb, q.resource, q.namespace, undefined, now) === 200;
  } else {
    how = 'tessera (bare glue: pkg/dist not built)';
    const c = await import(lib('contenders.mjs'));
    const { Engine } = c.loadTessera();
    tImport = performance.now();
    const engine = new Engine(readFileSync(bundlePath));
    tLoad = performance.now();
    allowed = c.tesseraCan(engine, token, q, now);
  }
} else if (contender === 'jose' || contender === 'fast-jwt') {
  const lookup = await import(lib('lookup.mjs'));
  const jwk = JSON.parse(readFileSync(new URL('../examples/keys/cluster.public.jwk.json', import.meta.url), 'utf8'));
  let verify;
  if (contender === 'jose') {
    const v = await lookup.joseVerifier(await import('jose'), { [alg]: jwk }, null, [alg]);
    verify = (t) => v.verify(t, alg);
  } else {
    const { createVerifier } = await import('fast-jwt');
    const { createPublicKey } = await import('node:crypto');
    const key = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const v = createVerifier({ key, algorithms: [alg], allowedIss: lookup.CLUSTER_ISS, allowedAud: lookup.CLUSTER_ISS, cache: false });
    verify = (t) => {
      try {
        return v(t);
      } catch {
        return null;
      }
    };
  }
  tImport = performance.now();
  const index = lookup.buildJsIndex(JSON.parse(readFileSync(bundlePath, 'utf8')));
  tLoad = performance.now();
  const payload = await verify(token);
  allowed = lookup.jsDecide(index, payload && lookup.jsIdentity(index, payload, alg), q);
} else if (contender === 'cedar') {
  const cedar = await import('@cedar-policy/cedar-wasm/nodejs');
  const { CEDAR_POLICIES, buildJsIndex } = { ...(await import(lib('cedar-policies.mjs'))), ...(await import(lib('lookup.mjs'))) };
  tImport = performance.now();
  const r = cedar.preparsePolicySet('rbac', { staticPolicies: CEDAR_POLICIES });
  if (r.type !== 'success') throw new Error('cedar preparse failed');
  const index = buildJsIndex(JSON.parse(readFileSync(bundlePath, 'utf8')));
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
  contender, how, allowed,
  harness_ms: tBase - t0,
  import_ms: tImport - tBase, load_ms: tLoad - tImport, first_ms: tFirst - tLoad, total_ms: tFirst - tBase,
  rss: process.memoryUsage().rss,
}));
