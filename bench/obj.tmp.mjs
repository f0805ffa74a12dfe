// scratch A/B: object-returning calls, two builds in one process (not committed)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mint, question } from './lib/tokens.mjs';
import { interleave, fmtNs } from './lib/stats.mjs';
const require = createRequire(import.meta.url);
const [dirA, dirB] = process.argv.slice(2, 4);
const N = 1000, NOW = Math.floor(Date.now() / 1000);
const text = readFileSync(new URL('./results/bundle-1000.json', import.meta.url), 'utf8');
const load = (dir) => { const t = require(dir + '/tessera.js'); return new t.Engine(text); };
const A = load(dirA), B = load(dirB);
const qs = Array.from({ length: 16 }, (_, k) => k * 5).map((i) => ({ token: mint('HS256', i, N, NOW, 3), ...question(i, N, true) }));
const calls = {
  can: (e, q) => e.can(q.token, q.verb, q.resource, q.namespace, undefined, NOW),
  authorize: (e, q) => e.authorize(q.token, { verb: q.verb, resource: q.resource, namespace: q.namespace }, NOW),
  verify: (e, q) => e.verify(q.token, NOW),
  checkRequest: (e, q) => e.checkRequest({ method: 'GET', url: 'https://ns-1.example.com/x', headers: { authorization: 'Bearer ' + q.token } }, NOW),
};
for (const [name, f] of Object.entries(calls)) {
  for (const q of qs) { const a = JSON.stringify(f(A, q)), b = JSON.stringify(f(B, q)); if (a !== b) throw new Error(`${name} differs:\n${a}\n${b}`); }
  let k = 0;
  const r = await interleave([{ name: 'A', iters: 2000, fn: () => f(A, qs[k++ & 15]) }, { name: 'B', iters: 2000, fn: () => f(B, qs[k++ & 15]) }], 15);
  console.log(name, `A ${fmtNs(r.A)}  B ${fmtNs(r.B)}  B/A ${(r.B / r.A).toFixed(3)}`);
}
