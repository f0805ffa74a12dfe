// Two builds of the module side by side in one Node process: a cold verify + decide (every
// cache off, 200 tokens cycled) per algorithm, the two builds interleaved as the harness
// interleaves its contenders, so that a change is measured against what it changes and not
// against another moment of a shared machine.
//
//   node bench/ab.mjs DIR_A DIR_B [ALGS] [--module-crypto]
//
// DIR_A and DIR_B hold a nodejs build (`tessera.js` and `tessera_bg.wasm`, as
// scripts/build-wasm.sh leaves in target/wasm/node; copy one away before building the other).
// ALGS is a comma-separated list (default RS256,ES256,EdDSA,HS256). With --module-crypto the
// module's own signature code checks every signature (no node:crypto: the path of proxy-wasm
// hosts and of the synchronous API in workers and browsers); without it node:crypto does, as
// the package's Node entry sets it up. ROUNDS (default 21) sets the rounds. Needs
// bench/results/bundle-1000.json (any `bench/run.sh` writes it). Both builds must agree on
// every decision, or it stops.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { mint, question } from './lib/tokens.mjs';
import { interleave, fmtNs, fullCollection } from './lib/stats.mjs';
import { nodeSignatureVerifier } from '../pkg/src/host-crypto.js';
import { TokenHandles } from '../pkg/src/handles.js';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const moduleCrypto = args.includes('--module-crypto');
const [dirA, dirB, list] = args.filter((a) => !a.startsWith('--'));
if (!dirA || !dirB) {
  console.error('usage: node bench/ab.mjs DIR_A DIR_B [ALGS] [--module-crypto]');
  process.exit(2);
}
const algs = (list ?? 'RS256,ES256,EdDSA,HS256').split(',');
const N = 1000;
const NOW = Math.floor(Date.now() / 1000);
const text = readFileSync(new URL('./results/bundle-1000.json', import.meta.url), 'utf8');

function load(dir) {
  const t = require(path.resolve(dir, 'tessera.js'));
  if (!moduleCrypto) t.setSignatureVerifier(nodeSignatureVerifier());
  const engine = new t.Engine(text);
  engine.setCacheCapacity(0);
  return new TokenHandles(engine);
}

// A full garbage collection before every batch (untimed), as in bench/run.mjs.
const settle = fullCollection();
const A = load(dirA);
const B = load(dirB);
console.log(`A ${dirA}\nB ${dirB}\nsignatures: ${moduleCrypto ? "the module's own code" : 'node:crypto'}`);
for (const alg of algs) {
  const qs = Array.from({ length: 200 }, (_, k) => ({ token: mint(alg, k * 5, N, NOW, 3), ...question(k * 5, N, true) }));
  const call = (h) => (k) => {
    const q = qs[k % qs.length];
    return h.canStatus(q.token, q.verb, q.resource, q.namespace, undefined, NOW) === 200;
  };
  for (let k = 0; k < qs.length; k++) {
    if (call(A)(k) !== call(B)(k)) throw new Error(`${alg}: the builds disagree on question ${k}`);
  }
  const r = await interleave([{ name: 'A', iters: qs.length, fn: call(A) }, { name: 'B', iters: qs.length, fn: call(B) }], Number(process.env.ROUNDS ?? 21), { settle });
  console.log(`${alg.padEnd(6)} A ${fmtNs(r.A).padStart(9)}  B ${fmtNs(r.B).padStart(9)}  B/A ${(r.B / r.A).toFixed(2)}`);
}
